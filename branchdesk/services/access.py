"""Access control in the service layer: every use case asks `authorize` before it
writes (or reads a case) and gets the acting staff member back, or a
PermissionDenied that names the roles that would be allowed. Personal data in what
the services hand out is masked unless the person needs the full value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from sqlalchemy import Connection, select

from branchdesk.domain.errors import DomainError, FieldError, ValidationError
from branchdesk.domain.identity import mask_id, mask_phone, normalise_phone
from branchdesk.domain.permissions import (
    SYSTEM_PRINCIPALS,
    PermissionDenied,
    Role,
    Subject,
)
from branchdesk.domain.process import CaseEvent, CaseSnapshot
from branchdesk.persistence.schema import staff
from branchdesk.services.context import ServiceContext

__all__ = [
    "PermissionDenied",
    "Principal",
    "authorize",
    "case_subject",
    "mask_case",
    "mask_event",
    "mask_service_number",
    "principal",
]


class Principal:
    """Who is acting: a staff member (with roles) or a system principal (HQ)."""

    __slots__ = ("name", "roles", "staff_no")

    def __init__(self, staff_no: str, name: str, roles: tuple[Role, ...]) -> None:
        self.staff_no = staff_no
        self.name = name
        self.roles = roles

    @property
    def is_system(self) -> bool:
        return self.staff_no in SYSTEM_PRINCIPALS

    def __repr__(self) -> str:
        return f"Principal({self.staff_no!r}, roles={[r.value for r in self.roles]})"


def principal(conn: Connection, actor: str, *, field: str = "actor") -> Principal:
    """The active staff member `actor` (or a system principal). A disabled or unknown
    staff number, or one whose one-time password must be changed first, is refused."""
    if actor in SYSTEM_PRINCIPALS:
        return Principal(actor, actor, ())
    row = conn.execute(
        select(staff.c.name, staff.c.roles, staff.c.active, staff.c.must_change_password).where(
            staff.c.staff_no == actor
        )
    ).first()
    if row is None or not row.active:
        raise ValidationError([FieldError(field, "error.staff.unknown", {"staff_no": actor})])
    if row.must_change_password:
        raise DomainError("error.auth.must_change_password", staff_no=actor)
    roles = tuple(Role(r) for r in str(row.roles).split(",") if r)
    return Principal(actor, str(row.name), roles)


def case_subject(case: CaseSnapshot | None) -> Subject:
    if case is None:
        return Subject()
    return Subject(owner=case.owner, grade=str(case.grade))


def authorize(
    ctx: ServiceContext,
    conn: Connection,
    actor: str,
    permission: str,
    *,
    case: CaseSnapshot | None = None,
) -> Principal:
    """The acting principal, if `permission` is granted on `case`; else raise
    PermissionDenied (nothing written: call this before any write)."""
    who = principal(conn, actor)
    refusal = ctx.permissions.refusal(
        permission, actor=who.staff_no, roles=who.roles, subject=case_subject(case)
    )
    if refusal is not None:
        raise refusal
    return who


def allows(
    ctx: ServiceContext, who: Principal, permission: str, case: CaseSnapshot | None = None
) -> bool:
    return ctx.permissions.allows(
        permission, actor=who.staff_no, roles=who.roles, subject=case_subject(case)
    )


def mask_service_number(value: str | None) -> str | None:
    """Service numbers that are phone numbers are personal data too: masked like one."""
    if value and normalise_phone(value) is not None:
        return mask_phone(value)
    return value


def mask_case(case: CaseSnapshot) -> CaseSnapshot:
    return replace(
        case,
        customer_phone=mask_phone(case.customer_phone),
        customer_id_number=mask_id(case.customer_id_number) if case.customer_id_number else None,
        service_number=mask_service_number(case.service_number),
    )


def mask_event(kind: str, payload: Mapping[str, Any]) -> Mapping[str, Any]:
    """The intake event carries the customer's details; others carry none."""
    customer = payload.get("customer") if kind == "received" else None
    if not isinstance(customer, Mapping):
        return payload
    masked = dict(customer)
    if masked.get("phone"):
        masked["phone"] = mask_phone(str(masked["phone"]))
    if masked.get("id_number"):
        masked["id_number"] = mask_id(str(masked["id_number"]))
    masked["service_number"] = mask_service_number(masked.get("service_number"))
    return {**payload, "customer": masked}


def masked_events(events: list[CaseEvent]) -> list[CaseEvent]:
    return [replace(e, payload=mask_event(e.kind, e.payload)) for e in events]
