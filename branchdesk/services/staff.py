"""Staff members: who may act. Every service action names its actor, and the actor
must be an active staff member of this branch. (Sign-in, passwords and the role
permission matrix build on this.)"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select

from branchdesk.domain.errors import FieldError, ValidationError
from branchdesk.domain.validation import require_text
from branchdesk.persistence.schema import staff
from branchdesk.services.context import ServiceContext
from branchdesk.services.recording import write_audit

#: The roles of PROCESS.md ("Who uses it").
ROLES = ("clerk", "handler", "manager", "archivist", "admin")
STAFF_NO = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{1,19}$")


@dataclass(frozen=True)
class StaffMember:
    staff_no: str
    name: str
    roles: tuple[str, ...]
    active: bool


def _member(row: object) -> StaffMember:
    r = row._mapping  # type: ignore[attr-defined]
    return StaffMember(r["staff_no"], r["name"], tuple(r["roles"].split(",")), bool(r["active"]))


def validate_new_staff(staff_no: str, name: str, roles: tuple[str, ...]) -> list[FieldError]:
    errors: list[FieldError] = []
    if not STAFF_NO.match(staff_no):
        errors.append(FieldError("staff_no", "error.staff.number_format"))
    errors.extend(require_text("name", name, min_len=1, max_len=40))
    bad = [r for r in roles if r not in ROLES]
    if bad or not roles:
        errors.append(FieldError("roles", "error.field.invalid_choice", {"value": ",".join(bad)}))
    return errors


def insert_staff(
    ctx: ServiceContext,
    conn: Connection,
    *,
    staff_no: str,
    name: str,
    roles: tuple[str, ...],
    actor: str,
) -> StaffMember:
    errors = validate_new_staff(staff_no, name, roles)
    if conn.execute(select(staff.c.id).where(staff.c.staff_no == staff_no)).first():
        errors.append(FieldError("staff_no", "error.staff.exists", {"staff_no": staff_no}))
    if errors:
        raise ValidationError(errors)
    conn.execute(
        insert(staff).values(
            staff_no=staff_no,
            name=name.strip(),
            roles=",".join(roles),
            active=True,
            created_at=ctx.now(),
        )
    )
    write_audit(
        ctx,
        conn,
        actor=actor,
        action="staff.add",
        case_id=None,
        detail={"staff_no": staff_no, "roles": list(roles)},
    )
    return StaffMember(staff_no, name.strip(), roles, True)


def add_staff(
    ctx: ServiceContext, *, staff_no: str, name: str, roles: tuple[str, ...], actor: str
) -> StaffMember:
    with ctx.db.write() as conn:
        require_active_staff(conn, actor, field="actor")
        return insert_staff(ctx, conn, staff_no=staff_no, name=name, roles=roles, actor=actor)


def require_active_staff(conn: Connection, staff_no: str, *, field: str) -> StaffMember:
    row = conn.execute(select(staff).where(staff.c.staff_no == staff_no)).first()
    if row is None or not row.active:
        raise ValidationError([FieldError(field, "error.staff.unknown", {"staff_no": staff_no})])
    return _member(row)


def list_staff(ctx: ServiceContext) -> list[StaffMember]:
    with ctx.db.read() as conn:
        return [_member(r) for r in conn.execute(select(staff).order_by(staff.c.staff_no))]
