"""The branch itself: its identity and settings, set once at `init` and read by every
screen and document."""

from __future__ import annotations

import base64
import hashlib
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from branchdesk.domain.case_numbers import validate_branch_code
from branchdesk.domain.errors import DomainError, FieldError, ValidationError
from branchdesk.domain.identity import normalise_phone
from branchdesk.domain.password_policy import check_password
from branchdesk.domain.validation import ADDRESS_MAX, clean_text, require_text
from branchdesk.i18n import LANGUAGES
from branchdesk.persistence.schema import settings
from branchdesk.services.access import authorize
from branchdesk.services.auth import set_initial_password
from branchdesk.services.context import ServiceContext
from branchdesk.services.recording import write_audit
from branchdesk.services.staff import insert_staff, validate_new_staff

BRANCH_NAME_MAX = 80
DEFAULT_IDLE_LOCK = 5
IDLE_LOCK_RANGE = (1, 120)


@dataclass(frozen=True)
class BranchInfo:
    code: str
    name: str
    address: str
    phone: str
    timezone: str
    language: str
    device_id: str
    #: The workbench locks after this many idle minutes (unsaved input is kept).
    idle_lock_minutes: int = 5


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
        idle_lock_minutes=int(s.get("branch.idle_lock_minutes", DEFAULT_IDLE_LOCK)),
    )


def initialise_branch(
    ctx: ServiceContext,
    *,
    code: str,
    name: str,
    admin_no: str,
    admin_name: str,
    admin_password: str,
    address: str = "",
    phone: str = "",
    language: str = "zh_CN",
) -> BranchInfo:
    """Write the branch identity and its first administrator, with the password they
    chose (policy-checked), in one transaction."""
    errors: list[FieldError] = list(validate_branch_code(code))
    # The same rules as the set-up form and later edits (`update_branch`).
    errors.extend(
        validate_branch_details(name=name, address=address, phone=phone, language=language)
    )
    errors.extend(validate_new_staff(admin_no, admin_name, ("admin",)))
    errors.extend(
        check_password(admin_password, staff_no=admin_no, name=admin_name, field="admin_password")
    )
    if errors:
        raise ValidationError(errors)
    with ctx.db.write() as conn:
        if conn.execute(select(settings.c.key).where(settings.c.key == "branch.code")).first():
            raise DomainError("error.setup.already_initialised", path=str(ctx.db.path))
        values = {
            "branch.code": code,
            "branch.name": name.strip(),
            "branch.address": address.strip(),
            "branch.phone": normalise_phone(phone) or "",
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
        set_initial_password(
            conn, staff_no=admin_no, password=admin_password, name=admin_name, at=ctx.now()
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


def validate_branch_details(
    *,
    name: str | None = None,
    address: str | None = None,
    phone: str | None = None,
    language: str | None = None,
) -> list[FieldError]:
    """Problems with the editable branch details; a detail passed as None is not checked.
    The same rules serve the first-run set-up form and later changes."""
    errors: list[FieldError] = []
    if name is not None:
        errors.extend(require_text("branch_name", name, min_len=1, max_len=BRANCH_NAME_MAX))
    if address is not None:
        errors.extend(require_text("address", address, min_len=0, max_len=ADDRESS_MAX))
    # The branch phone is printed on receipts and letters: it must be a number a
    # customer can dial. Empty means "not printed".
    if phone is not None and phone.strip() and normalise_phone(phone) is None:
        errors.append(FieldError("phone", "error.phone.invalid"))
    if language is not None and language not in LANGUAGES:
        errors.append(FieldError("language", "error.field.invalid_choice", {"value": language}))
    return errors


def update_branch(
    ctx: ServiceContext,
    *,
    actor: str,
    name: str | None = None,
    address: str | None = None,
    phone: str | None = None,
    language: str | None = None,
    idle_lock_minutes: int | None = None,
) -> BranchInfo:
    """Change the branch's name, address, phone, language and/or the idle time after
    which the workbench locks (None: unchanged).

    The settings and one audit entry naming every changed value are written in one
    transaction; a call that changes nothing writes nothing. The branch code, time
    zone and device identity are not editable: case numbers and sync depend on them.
    """
    errors = validate_branch_details(name=name, address=address, phone=phone, language=language)
    low, high = IDLE_LOCK_RANGE
    if idle_lock_minutes is not None and not low <= idle_lock_minutes <= high:
        errors.append(
            FieldError("idle_lock_minutes", "error.field.range", {"min": low, "max": high})
        )
    if errors:
        raise ValidationError(errors)
    wanted: dict[str, Any] = {}
    if idle_lock_minutes is not None:
        wanted["branch.idle_lock_minutes"] = idle_lock_minutes
    if name is not None:
        wanted["branch.name"] = clean_text(name)
    if address is not None:
        wanted["branch.address"] = clean_text(address)
    if phone is not None:
        # Stored in its canonical form ("020-12345678"), as customers' numbers are.
        wanted["branch.phone"] = normalise_phone(phone) or ""
    if language is not None:
        wanted["branch.language"] = language
    with ctx.db.write() as conn:
        authorize(ctx, conn, actor, "branch.settings")
        current = read_settings(conn)
        if "branch.code" not in current:
            raise DomainError("error.setup.not_initialised", path=str(ctx.db.path))
        changes = {key: value for key, value in wanted.items() if current.get(key, "") != value}
        for key, value in changes.items():
            if key in current:
                conn.execute(update(settings).where(settings.c.key == key).values(value=value))
            else:
                conn.execute(insert(settings).values(key=key, value=value))
        if changes:
            write_audit(
                ctx,
                conn,
                actor=actor,
                action="branch.update",
                case_id=None,
                detail={
                    key.removeprefix("branch."): {"from": current.get(key, ""), "to": value}
                    for key, value in changes.items()
                },
            )
    return branch_info(ctx)


#: The letterhead logo: a PNG of at most this size, kept in the settings.
LOGO_MAX_BYTES = 256 * 1024
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def branch_logo(settings_values: dict[str, Any]) -> bytes | None:
    """The letterhead logo from the settings, if one was set."""
    encoded = settings_values.get("branch.logo_png")
    return base64.b64decode(encoded) if encoded else None


def set_branch_logo(ctx: ServiceContext, *, png: bytes | None, actor: str) -> None:
    """Set (or with None remove) the logo printed on the letterhead of the branch's
    documents. It must be a PNG image of at most 256 KB; the audit entry records its
    fingerprint, not the image."""
    if png is not None:
        if not png.startswith(_PNG_SIGNATURE):
            raise ValidationError([FieldError("logo", "error.logo.not_png")])
        if len(png) > LOGO_MAX_BYTES:
            raise ValidationError(
                [FieldError("logo", "error.logo.too_big", {"max_kb": LOGO_MAX_BYTES // 1024})]
            )
    with ctx.db.write() as conn:
        authorize(ctx, conn, actor, "branch.settings")
        conn.execute(delete(settings).where(settings.c.key == "branch.logo_png"))
        if png is not None:
            conn.execute(
                insert(settings).values(
                    key="branch.logo_png", value=base64.b64encode(png).decode("ascii")
                )
            )
        write_audit(
            ctx,
            conn,
            actor=actor,
            action="branch.logo",
            case_id=None,
            detail={"sha256": hashlib.sha256(png).hexdigest() if png else None},
        )
