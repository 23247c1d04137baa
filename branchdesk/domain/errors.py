"""Domain errors. Each carries a message key and parameters, never a finished
sentence: `branchdesk.i18n.translate` turns them into zh_CN or en text."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any


@dataclass(frozen=True)
class FieldError:
    """One problem with one field: `field` is the form field name, `key` a message key."""

    field: str
    key: str
    params: Mapping[str, Any] = dc_field(default_factory=dict)


class DomainError(Exception):
    """A known problem a person can act on. Nothing has been written when it is raised."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key, params)
        self.key = key
        self.params: dict[str, Any] = dict(params)

    def __str__(self) -> str:  # English text, for logs and tracebacks
        from branchdesk.i18n import translate

        return translate(self.key, "en", **self.params)


class ValidationError(DomainError):
    """One or more fields are invalid."""

    def __init__(self, errors: Sequence[FieldError]) -> None:
        super().__init__("error.validation", count=len(errors))
        self.errors: tuple[FieldError, ...] = tuple(errors)

    def __str__(self) -> str:
        from branchdesk.i18n import translate

        return "; ".join(f"{e.field}: {translate(e.key, 'en', **e.params)}" for e in self.errors)


class IllegalTransition(DomainError):
    """The action is not allowed from the case's current state."""

    def __init__(self, action: str, state: str, reason: str = "") -> None:
        super().__init__("error.illegal_transition", action=action, state=state, reason=reason)
        self.action = action
        self.state = state


class NotFound(DomainError):
    """A case (or other record) does not exist."""
