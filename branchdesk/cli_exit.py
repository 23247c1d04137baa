"""What a refused command's exit status means, in one table: every kind of known
problem the command line can meet, mapped to the meanings the README promises
(2 invalid input, 3 not allowed in the current state, 4 does not exist, 5 a set-up or
database problem, 6 sign-in refused or not allowed for the person, 7 the audit trail
is broken).

A problem raised as a plain `DomainError` carries only its message key, so those keys
are listed here one by one: a new one must be given its meaning (a test finds every
key raised in the code and checks it is here)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from branchdesk.domain.errors import (
    DomainError,
    IllegalTransition,
    NotFound,
    ValidationError,
)
from branchdesk.domain.permissions import PermissionDenied
from branchdesk.services.auth import SignInError

INVALID_INPUT: Final = 2
NOT_ALLOWED_NOW: Final = 3
NOT_FOUND: Final = 4
SETUP_PROBLEM: Final = 5
REFUSED: Final = 6
TAMPERED: Final = 7


class UsageError(Exception):
    """Bad command-line input found before any service runs (exit status 2)."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


def check_text(value: str, name: str) -> str:
    """`value` (an argument or an environment variable called `name`), refused with
    exit status 2 if it is not text: bytes that are not UTF-8 reach Python as lone
    surrogates, which no database, hash or file can take."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise UsageError("error.cli.not_text", option=name) from None
    return value


class ChainBroken(Exception):
    """`audit verify` found tampering (exit status 7); the report is already printed."""


#: By kind, most specific first. Any other `DomainError` is looked up by its key.
BY_KIND: Final[tuple[tuple[type[BaseException], int], ...]] = (
    (ValidationError, INVALID_INPUT),
    (UsageError, INVALID_INPUT),
    (IllegalTransition, NOT_ALLOWED_NOW),
    (NotFound, NOT_FOUND),
    (PermissionDenied, REFUSED),
    (SignInError, REFUSED),
    (ChainBroken, TAMPERED),
)

#: Known problems whose meaning is not the set-up or database problem their kind
#: otherwise stands for (every plain `DomainError` key is here, set-up ones too).
BY_KEY: Final[Mapping[str, int]] = {
    # What a case, an incident or a return visit allows only in a later state.
    "error.document.not_resolved": NOT_ALLOWED_NOW,
    "error.document.no_appointment": NOT_ALLOWED_NOW,
    "error.incident.already_notified": NOT_ALLOWED_NOW,
    "error.incident.not_active": NOT_ALLOWED_NOW,
    "error.incident.not_resolved": NOT_ALLOWED_NOW,
    "error.return_visit.closed": NOT_ALLOWED_NOW,
    "error.staff.last_admin": NOT_ALLOWED_NOW,
    "error.archive.purged": NOT_ALLOWED_NOW,
    # The branch is busy with another backup or restore: the same command works later.
    "error.backup.busy": NOT_ALLOWED_NOW,
    "error.backup.restore_busy": NOT_ALLOWED_NOW,
    # What the person typed.
    "error.document.paper": INVALID_INPUT,
    "error.secret.passphrase_short": INVALID_INPUT,
    "error.archive.recovery_key_needed": INVALID_INPUT,
    "error.archive.recovery_key_malformed": INVALID_INPUT,
    "error.archive.recovery_key_typo": INVALID_INPUT,
    # A backup command given the wrong folder or no key: another folder or key works.
    "error.backup.not_a_backup": INVALID_INPUT,
    "error.backup.target_not_empty": INVALID_INPUT,
    "error.backup.key_needed": INVALID_INPUT,
    # Something named that is not there.
    "error.archive.no_document": NOT_FOUND,
    "error.archive.volume_unknown": NOT_FOUND,
    # Not for this person, whatever the roles (four eyes, no survey of one's own case).
    "error.archive.four_eyes": REFUSED,
    "error.return_visit.own_case": REFUSED,
    "error.auth.must_change_password": REFUSED,
    "error.auth.not_signed_in": REFUSED,
    "error.auth.password_needed": REFUSED,
    "error.auth.password_needed_terminal": REFUSED,
    # Set-up, damaged data: a person must repair something before trying again.
    "error.archive.verify_failed": SETUP_PROBLEM,
    "error.backup.verify_failed": SETUP_PROBLEM,
    # A backup that is damaged, altered or unreadable by this version (every key a
    # backup can be refused with is here, so that none is left to the default).
    "error.backup.damaged": SETUP_PROBLEM,
    "error.backup.file_extra": SETUP_PROBLEM,
    "error.backup.file_missing": SETUP_PROBLEM,
    "error.backup.manifest_invalid": SETUP_PROBLEM,
    "error.backup.manifest_missing": SETUP_PROBLEM,
    "error.backup.version": SETUP_PROBLEM,
    "error.setup.already_initialised": SETUP_PROBLEM,
    "error.setup.passphrase_required": SETUP_PROBLEM,
    "error.setup.not_initialised": SETUP_PROBLEM,
}


def exit_status(exc: BaseException) -> int | None:
    """The exit status for a known problem; None for anything else (a bug)."""
    for kind, status in BY_KIND:
        if isinstance(exc, kind):
            return status
    if isinstance(exc, DomainError):
        return BY_KEY.get(exc.key, SETUP_PROBLEM)
    return None
