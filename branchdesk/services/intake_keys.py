"""Intake forms' own ids (idempotency keys).

Every intake form has an id: the desktop form makes one when it is opened or cleared,
a script gives one to `case new --idempotency-key`. The case is saved with it in the
same transaction. A save that comes back with the same id is a retry (the first save's
answer was lost: a crash, a killed process, an error after the commit): it returns the
case already saved instead of making a second one. The same id with different content
is not a retry but a mistake, and is refused naming the case the id belongs to.

"The same content" is a fingerprint of the form as it was given (before validation
normalises it, so that it does not depend on the clock), of who saves it and of the
incident it is to be linked to.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict
from datetime import date, datetime
from enum import Enum

from sqlalchemy import Connection, bindparam, insert, select

from branchdesk.domain.errors import FieldError, ValidationError
from branchdesk.domain.model import IntakeForm
from branchdesk.persistence.schema import cases, intake_keys
from branchdesk.services.context import ServiceContext

#: The field errors name (the CLI's --idempotency-key, the form's own id).
FIELD = "idempotency_key"
#: Long enough for a UUID or a script's own scheme, short enough to be an id.
KEY_FORMAT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,63}")


def check_key(key: str) -> str:
    """`key` if it can be an intake form's id, else a ValidationError naming the field."""
    if KEY_FORMAT.fullmatch(key) is None:
        raise ValidationError([FieldError(FIELD, "error.intake_key.format")])
    return key


def _plain(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return str(value)


def fingerprint(form: IntakeForm, *, actor: str, incident: str | None) -> str:
    """A hash of what this save says: the form as given, who saves it, the incident."""
    canonical = json.dumps(
        {"form": asdict(form), "actor": actor, "incident": incident},
        ensure_ascii=False,
        sort_keys=True,
        default=_plain,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# Built once: every keyed save runs both (P2 counts every tenth of a millisecond).
_FIND = select(intake_keys.c.case_id, intake_keys.c.fingerprint).where(
    intake_keys.c.key == bindparam("key")
)
_STORE = insert(intake_keys)


def saved_case(conn: Connection, key: str, digest: str) -> int | None:
    """The id of the case saved with `key`, or None if none was. Refuses (a
    ValidationError naming the case) when that save said something else than `digest`
    (a fingerprint)."""
    row = conn.execute(_FIND, {"key": key}).first()
    if row is None:
        return None
    if row.fingerprint != digest:
        number = conn.execute(select(cases.c.number).where(cases.c.id == row.case_id)).scalar()
        raise ValidationError([FieldError(FIELD, "error.intake_key.reused", {"number": number})])
    return int(row.case_id)


def remember(ctx: ServiceContext, conn: Connection, *, key: str, case_id: int, digest: str) -> None:
    """Store `key` with the case just saved, inside the save's own transaction."""
    conn.execute(
        _STORE, {"key": key, "case_id": case_id, "fingerprint": digest, "saved_at": ctx.now()}
    )
