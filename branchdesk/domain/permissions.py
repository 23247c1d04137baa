"""Who may do what: the role permission matrix, as data (`resources/permissions/`),
and the pure decision over it. The service layer asks this module before every
action; the desktop only hides what the services would refuse.

A rule grants a permission to roles for any case, to roles for cases the person owns
(the case's current owner: the receiving clerk until it is assigned), and to system
principals (HQ instructions). For cases of some grades ("restricted") only the listed
roles may act, owners included: closing a major complaint is a manager's decision.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from typing import Any

from branchdesk.domain.errors import DomainError
from branchdesk.resources_access import read_json


class Role(StrEnum):
    """The roles of PROCESS.md ("Who uses it"); a person may hold several."""

    CLERK = "clerk"  # 营业员 / 受理员
    HANDLER = "handler"  # 处理人 / 投诉专员
    MANAGER = "manager"  # 营业厅经理 / 主管
    ARCHIVIST = "archivist"  # 档案管理员
    ADMIN = "admin"  # 管理员


#: Principals that are not staff members: instructions from headquarters applied by
#: the sync client. They can never sign in; staff numbers may not take these names.
SYSTEM_PRINCIPALS = frozenset({"HQ"})


class PermissionDenied(DomainError):
    """The signed-in person's roles do not allow the action. The message names the
    action and the roles that would."""


class MatrixError(ValueError):
    """The permission matrix file is malformed (a packaging or HQ-update bug)."""


@dataclass(frozen=True)
class Rule:
    any_case: frozenset[Role] = frozenset()
    own_case: frozenset[Role] = frozenset()
    system: frozenset[str] = frozenset()
    restricted: Mapping[str, frozenset[Role]] = field(default_factory=dict)

    def roles(self) -> tuple[Role, ...]:
        """Every role that holds this permission somehow, in the declaration order."""
        return tuple(r for r in Role if r in self.any_case or r in self.own_case)


@dataclass(frozen=True)
class Subject:
    """What a permission is asked about: a case's owner and grade, when it is a case."""

    owner: str | None = None
    grade: str | None = None


NO_SUBJECT = Subject()


def _roles(raw: Any, where: str) -> frozenset[Role]:
    if not isinstance(raw, list):
        raise MatrixError(f"{where}: expected a list of roles")
    try:
        return frozenset(Role(r) for r in raw)
    except ValueError as exc:
        raise MatrixError(f"{where}: {exc}") from None


@dataclass(frozen=True)
class PermissionMatrix:
    rules: Mapping[str, Rule]

    @classmethod
    def from_json(cls, data: Any) -> PermissionMatrix:
        if not isinstance(data, dict) or data.get("format") != 1:
            raise MatrixError("permissions: expected an object with format 1")
        rules: dict[str, Rule] = {}
        for name, raw in dict(data.get("permissions", {})).items():
            if not isinstance(raw, dict) or set(raw) - {"roles", "owner", "system", "restricted"}:
                raise MatrixError(f"{name}: unknown keys")
            system = raw.get("system", [])
            if not set(system) <= SYSTEM_PRINCIPALS:
                raise MatrixError(f"{name}: unknown system principal")
            rules[name] = Rule(
                any_case=_roles(raw.get("roles", []), name),
                own_case=_roles(raw.get("owner", []), name),
                system=frozenset(system),
                restricted={
                    grade: _roles(roles, f"{name}.restricted.{grade}")
                    for grade, roles in dict(raw.get("restricted", {})).items()
                },
            )
        return cls(rules)

    def rule(self, permission: str) -> Rule:
        try:
            return self.rules[permission]
        except KeyError:
            raise MatrixError(f"no rule for permission {permission!r}") from None

    def refusal(
        self,
        permission: str,
        *,
        actor: str,
        roles: Iterable[Role | str],
        subject: Subject = NO_SUBJECT,
    ) -> PermissionDenied | None:
        """Why `actor` holding `roles` may not have `permission` on `subject`, or None."""
        rule = self.rule(permission)
        if actor in SYSTEM_PRINCIPALS:
            if actor in rule.system:
                return None
            return PermissionDenied("error.permission.system", permission=permission)
        held = frozenset(Role(r) for r in roles)
        restricted = rule.restricted.get(subject.grade or "")
        if restricted is not None:
            if held & restricted:
                return None
            return PermissionDenied(
                "error.permission.grade",
                permission=permission,
                grade=subject.grade,
                roles=sorted_roles(restricted),
            )
        if held & rule.any_case:
            return None
        if held & rule.own_case and subject.owner == actor:
            return None
        if held & rule.own_case:
            return PermissionDenied(
                "error.permission.not_owner",
                permission=permission,
                owner=subject.owner or "",
                roles=sorted_roles(rule.any_case),
            )
        return PermissionDenied(
            "error.permission.denied", permission=permission, roles=list(rule.roles())
        )

    def allows(
        self,
        permission: str,
        *,
        actor: str,
        roles: Iterable[Role | str],
        subject: Subject = NO_SUBJECT,
    ) -> bool:
        return self.refusal(permission, actor=actor, roles=roles, subject=subject) is None


def sorted_roles(roles: Iterable[Role]) -> list[Role]:
    wanted = set(roles)
    return [r for r in Role if r in wanted]


@cache
def load_default_matrix() -> PermissionMatrix:
    """The matrix shipped with the application."""
    return PermissionMatrix.from_json(read_json("permissions/permissions.json"))
