"""The branch itself: its identity and settings, set once at `init` and read by every
screen and document."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select

from branchdesk.domain.case_numbers import validate_branch_code
from branchdesk.domain.errors import DomainError, FieldError, ValidationError
from branchdesk.persistence.schema import settings
from branchdesk.services.context import ServiceContext
from branchdesk.services.recording import write_audit
from branchdesk.services.staff import insert_staff, validate_new_staff


@dataclass(frozen=True)
class BranchInfo:
    code: str
    name: str
    address: str
    phone: str
    timezone: str
    language: str
    device_id: str


def read_settings(conn: Connection) -> dict[str, Any]:
    return {r.key: r.value for r in conn.execute(select(settings))}


def branch_info(ctx: ServiceContext) -> BranchInfo:
    with ctx.db.read() as conn:
        s = read_settings(conn)
    if "branch.code" not in s:
        raise DomainError("error.setup.not_initialised", path=str(ctx.db.path))
    return BranchInfo(
        code=s["branch.code"],
        name=s["branch.name"],
        address=s.get("branch.address", ""),
        phone=s.get("branch.phone", ""),
        timezone=s["branch.timezone"],
        language=s.get("branch.language", "zh_CN"),
        device_id=s["device.id"],
    )


def initialise_branch(
    ctx: ServiceContext,
    *,
    code: str,
    name: str,
    admin_no: str,
    admin_name: str,
    address: str = "",
    phone: str = "",
    language: str = "zh_CN",
) -> BranchInfo:
    """Write the branch identity and its first administrator, in one transaction."""
    errors: list[FieldError] = list(validate_branch_code(code))
    if not 1 <= len(name.strip()) <= 80:
        errors.append(FieldError("branch_name", "error.field.too_long", {"max": 80}))
    if language not in ("zh_CN", "en"):
        errors.append(FieldError("language", "error.field.invalid_choice", {"value": language}))
    errors.extend(validate_new_staff(admin_no, admin_name, ("admin",)))
    if errors:
        raise ValidationError(errors)
    with ctx.db.write() as conn:
        if conn.execute(select(settings.c.key).where(settings.c.key == "branch.code")).first():
            raise DomainError("error.setup.already_initialised", path=str(ctx.db.path))
        values = {
            "branch.code": code,
            "branch.name": name.strip(),
            "branch.address": address.strip(),
            "branch.phone": phone.strip(),
            "branch.timezone": str(ctx.tz),
            "branch.language": language,
            "branch.admin": admin_no,
            # The sync identity of this installation. The epoch changes when the
            # database is restored or re-enrolled, so HQ can tell the histories apart.
            "device.id": str(uuid.uuid4()),
            "device.epoch": 1,
        }
        conn.execute(insert(settings), [{"key": k, "value": v} for k, v in values.items()])
        insert_staff(
            ctx,
            conn,
            staff_no=admin_no,
            name=admin_name,
            roles=("admin", "manager", "clerk", "handler"),
            actor=admin_no,
        )
        write_audit(
            ctx,
            conn,
            actor=admin_no,
            action="branch.init",
            case_id=None,
            detail={"code": code, "name": name.strip()},
        )
    return branch_info(ctx)
