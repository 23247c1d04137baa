"""Staff accounts: who may act. Every service action names its actor, who must be an
active staff member of this branch holding a role that allows it (see `access`).
Only administrators manage accounts; they hand out one-time codes and never see a
password. The last active administrator cannot be disabled or lose the role."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from branchdesk.domain.errors import DomainError, FieldError, ValidationError
from branchdesk.domain.permissions import SYSTEM_PRINCIPALS, Role
from branchdesk.domain.validation import require_text
from branchdesk.persistence.schema import staff
from branchdesk.services.access import authorize
from branchdesk.services.auth import revoke_all_tokens
from branchdesk.services.context import ServiceContext
from branchdesk.services.recording import write_audit

#: The roles of PROCESS.md ("Who uses it"), in display order.
ROLES = tuple(r.value for r in Role)
STAFF_NO = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{1,19}$")


@dataclass(frozen=True)
class StaffMember:
    staff_no: str
    name: str
    roles: tuple[str, ...]
    active: bool


@dataclass(frozen=True)
class StaffAccount:
    """A staff member as the administrator's account list shows them."""

    staff_no: str
    name: str
    roles: tuple[str, ...]
    active: bool
    has_password: bool
    must_change_password: bool
    locked_until: datetime | None
    last_sign_in_at: datetime | None
    created_at: datetime


def _member(row: object) -> StaffMember:
    r = row._mapping  # type: ignore[attr-defined]
    return StaffMember(r["staff_no"], r["name"], tuple(r["roles"].split(",")), bool(r["active"]))


def validate_roles(roles: tuple[str, ...]) -> list[FieldError]:
    bad = [r for r in roles if r not in ROLES]
    if bad or not roles:
        return [FieldError("roles", "error.field.invalid_choice", {"value": ",".join(bad)})]
    return []


def validate_new_staff(staff_no: str, name: str, roles: tuple[str, ...]) -> list[FieldError]:
    errors: list[FieldError] = []
    if not STAFF_NO.match(staff_no):
        errors.append(FieldError("staff_no", "error.staff.number_format"))
    elif staff_no.upper() in SYSTEM_PRINCIPALS:
        errors.append(FieldError("staff_no", "error.staff.reserved", {"staff_no": staff_no}))
    errors.extend(require_text("name", name, min_len=1, max_len=40))
    errors.extend(validate_roles(roles))
    return errors


def _ordered(roles: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(r for r in ROLES if r in roles)


def insert_staff(
    ctx: ServiceContext,
    conn: Connection,
    *,
    staff_no: str,
    name: str,
    roles: tuple[str, ...],
    actor: str,
) -> StaffMember:
    """Insert an account without a password (inside the caller's transaction)."""
    errors = validate_new_staff(staff_no, name, roles)
    if conn.execute(select(staff.c.id).where(staff.c.staff_no == staff_no)).first():
        errors.append(FieldError("staff_no", "error.staff.exists", {"staff_no": staff_no}))
    if errors:
        raise ValidationError(errors)
    roles = _ordered(roles)
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


@dataclass(frozen=True)
class NewAccount:
    member: StaffMember
    #: Hand this to the person: their first sign-in, valid for a day, replaced at once.
    one_time_code: str


def add_staff(
    ctx: ServiceContext, *, staff_no: str, name: str, roles: tuple[str, ...], actor: str
) -> NewAccount:
    """An administrator adds an account; it starts with a one-time code."""
    from branchdesk.services.auth import issue_one_time_code

    with ctx.db.write() as conn:
        authorize(ctx, conn, actor, "staff.manage")
        member = insert_staff(ctx, conn, staff_no=staff_no, name=name, roles=roles, actor=actor)
        return NewAccount(member, issue_one_time_code(ctx, conn, staff_no))


def _existing(conn: Connection, staff_no: str) -> StaffMember:
    row = conn.execute(select(staff).where(staff.c.staff_no == staff_no)).first()
    if row is None:
        raise ValidationError(
            [FieldError("staff_no", "error.staff.unknown", {"staff_no": staff_no})]
        )
    return _member(row)


def _other_active_admins(conn: Connection, staff_no: str) -> int:
    """Other administrators who can sign in now: active, with a password of their own
    (a one-time code not yet replaced may expire and leave the branch without one)."""
    rows = conn.execute(
        select(staff.c.roles).where(
            staff.c.active.is_(True),
            staff.c.staff_no != staff_no,
            staff.c.password_hash.is_not(None),
            staff.c.must_change_password.is_(False),
        )
    ).scalars()
    return sum(1 for roles in rows if "admin" in roles.split(","))


def set_roles(
    ctx: ServiceContext, *, staff_no: str, roles: tuple[str, ...], actor: str
) -> StaffMember:
    errors = validate_roles(roles)
    if errors:
        raise ValidationError(errors)
    with ctx.db.write() as conn:
        authorize(ctx, conn, actor, "staff.manage")
        before = _existing(conn, staff_no)
        if (
            "admin" in before.roles
            and "admin" not in roles
            and not _other_active_admins(conn, staff_no)
        ):
            raise DomainError("error.staff.last_admin", staff_no=staff_no)
        ordered = _ordered(roles)
        conn.execute(
            update(staff).where(staff.c.staff_no == staff_no).values(roles=",".join(ordered))
        )
        write_audit(
            ctx,
            conn,
            actor=actor,
            action="staff.roles",
            case_id=None,
            detail={"staff_no": staff_no, "from": list(before.roles), "to": list(ordered)},
        )
        return StaffMember(before.staff_no, before.name, ordered, before.active)


def set_active(ctx: ServiceContext, *, staff_no: str, active: bool, actor: str) -> StaffMember:
    """Disable (or enable again) an account. A disabled person cannot sign in and
    their tokens are revoked (enabling the account again does not bring them back);
    their name stays on every case they touched."""
    with ctx.db.write() as conn:
        authorize(ctx, conn, actor, "staff.manage")
        before = _existing(conn, staff_no)
        if not active and "admin" in before.roles and not _other_active_admins(conn, staff_no):
            raise DomainError("error.staff.last_admin", staff_no=staff_no)
        conn.execute(update(staff).where(staff.c.staff_no == staff_no).values(active=active))
        write_audit(
            ctx,
            conn,
            actor=actor,
            action="staff.enable" if active else "staff.disable",
            case_id=None,
            detail={"staff_no": staff_no},
        )
        if not active:
            # For good: enabling the account again must not wake scripts made before.
            revoke_all_tokens(ctx, conn, staff_no, actor=actor, reason="disabled")
        return StaffMember(before.staff_no, before.name, before.roles, active)


def require_active_staff(conn: Connection, staff_no: str, *, field: str) -> StaffMember:
    row = conn.execute(select(staff).where(staff.c.staff_no == staff_no)).first()
    if row is None or not row.active:
        raise ValidationError([FieldError(field, "error.staff.unknown", {"staff_no": staff_no})])
    return _member(row)


def list_staff(ctx: ServiceContext) -> list[StaffMember]:
    """Colleagues' names and roles (what case screens show beside staff numbers)."""
    with ctx.db.read() as conn:
        return [_member(r) for r in conn.execute(select(staff).order_by(staff.c.staff_no))]


def staff_accounts(ctx: ServiceContext, *, actor: str) -> list[StaffAccount]:
    """Every account with its sign-in status, for the administrator."""
    with ctx.db.read() as conn:
        authorize(ctx, conn, actor, "staff.manage")
        return [
            StaffAccount(
                staff_no=r.staff_no,
                name=r.name,
                roles=tuple(r.roles.split(",")),
                active=bool(r.active),
                has_password=r.password_hash is not None,
                must_change_password=bool(r.must_change_password),
                locked_until=r.locked_until,
                last_sign_in_at=r.last_sign_in_at,
                created_at=r.created_at,
            )
            for r in conn.execute(select(staff).order_by(staff.c.staff_no))
        ]
