"""Keeping the archive: legal holds, purge or anonymisation after retention (asked for
by an archivist, carried out only when a manager approves; tombstones left, never a
silent delete), master key rotation and issuing the recovery key."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, insert, select, update

from branchdesk.archive.keys import RecoveryKey, b64, unwrap_key, wrap_key
from branchdesk.archive.master import (
    RECOVERY_ID,
    RECOVERY_PUBLIC,
    ArchiveKeys,
    master_by_id,
    rotate_in,
)
from branchdesk.archive.retention import apply_updates, retire, rewrite_volume
from branchdesk.archive.store import archive_dir, archive_lock, crash_point
from branchdesk.domain.errors import DomainError, FieldError, NotFound, ValidationError
from branchdesk.persistence.schema import (
    archive_entries,
    archive_purge_requests,
    archive_volumes,
    settings,
)
from branchdesk.services.access import authorize
from branchdesk.services.context import ServiceContext
from branchdesk.services.recording import write_audit

MODES = ("purge", "anonymise")


def _entry(conn: Connection, archive_no: str) -> Any:
    row = conn.execute(
        select(archive_entries).where(archive_entries.c.archive_no == archive_no.strip().upper())
    ).first()
    if row is None:
        raise NotFound("error.archive.not_found", ref=archive_no)
    return row


def place_hold(ctx: ServiceContext, *, archive_no: str, reason: str, actor: str) -> None:
    """A legal hold: the case cannot be purged or anonymised until it is released."""
    if not reason.strip():
        raise ValidationError([FieldError("reason", "error.field.required")])
    with ctx.db.write() as conn:
        authorize(ctx, conn, actor, "archive.hold")
        row = _entry(conn, archive_no)
        conn.execute(
            update(archive_entries)
            .where(archive_entries.c.case_id == row.case_id)
            .values(hold_reason=reason.strip(), hold_by=actor, hold_at=ctx.now())
        )
        write_audit(
            ctx,
            conn,
            actor=actor,
            action="archive.hold",
            case_id=row.case_id,
            detail={"archive_no": row.archive_no, "reason": reason.strip()},
        )


def release_hold(ctx: ServiceContext, *, archive_no: str, actor: str) -> None:
    with ctx.db.write() as conn:
        authorize(ctx, conn, actor, "archive.hold")
        row = _entry(conn, archive_no)
        conn.execute(
            update(archive_entries)
            .where(archive_entries.c.case_id == row.case_id)
            .values(hold_reason=None, hold_by=None, hold_at=None)
        )
        write_audit(
            ctx,
            conn,
            actor=actor,
            action="archive.release_hold",
            case_id=row.case_id,
            detail={"archive_no": row.archive_no},
        )


def _refusals(conn: Connection, archive_nos: Sequence[str], today: date) -> list[FieldError]:
    errors = []
    for no in archive_nos:
        row = _entry(conn, no)
        if row.status == "purged":
            errors.append(FieldError(no, "error.archive.already_purged", {"archive_no": no}))
        elif row.hold_reason:
            errors.append(
                FieldError(
                    no, "error.archive.on_hold", {"archive_no": no, "reason": row.hold_reason}
                )
            )
        elif date.fromisoformat(row.retention_until) > today:
            errors.append(
                FieldError(
                    no,
                    "error.archive.in_retention",
                    {"archive_no": no, "until": row.retention_until},
                )
            )
    return errors


def request_purge(
    ctx: ServiceContext, *, archive_nos: Sequence[str], mode: str, reason: str, actor: str
) -> int:
    """Ask for cases past their retention to be purged or anonymised. Refused, with
    every reason, if any is under a legal hold or inside its retention period."""
    if mode not in MODES:
        raise ValidationError([FieldError("mode", "error.field.invalid_choice", {"value": mode})])
    if not reason.strip() or not archive_nos:
        raise ValidationError([FieldError("reason", "error.field.required")])
    nos = sorted({n.strip().upper() for n in archive_nos})
    with ctx.db.write() as conn:
        authorize(ctx, conn, actor, "archive.purge")
        errors = _refusals(conn, nos, ctx.now().date())
        if errors:
            raise ValidationError(errors)
        request_id = conn.execute(
            insert(archive_purge_requests).values(
                created_at=ctx.now(),
                requested_by=actor,
                mode=mode,
                reason=reason.strip(),
                archive_nos=nos,
                status="pending",
            )
        ).inserted_primary_key[0]  # type: ignore[index]
        write_audit(
            ctx,
            conn,
            actor=actor,
            action="archive.purge_request",
            case_id=None,
            detail={"request": request_id, "mode": mode, "archive_nos": nos},
        )
    return int(request_id)


@dataclass(frozen=True)
class PurgeResult:
    request_id: int
    mode: str
    cases: int
    volumes_rewritten: int


def approve_purge(
    ctx: ServiceContext, keys: ArchiveKeys, *, request_id: int, actor: str
) -> PurgeResult:
    """A manager (not the person who asked) approves purge request `request_id`; the
    conditions are checked again (a hold may have been placed since) and the affected
    volumes are rewritten. Tombstones keep archive number, dates and who did it."""
    with archive_lock(ctx), ctx.db.write() as conn:
        authorize(ctx, conn, actor, "archive.purge_approve")
        req = conn.execute(
            select(archive_purge_requests).where(archive_purge_requests.c.id == request_id)
        ).first()
        if req is None or req.status != "pending":
            raise NotFound("error.archive.no_request", id=request_id)
        if req.requested_by == actor:
            raise DomainError("error.archive.four_eyes")
        errors = _refusals(conn, req.archive_nos, ctx.now().date())
        if errors:
            raise ValidationError(errors)
        rows = [_entry(conn, no) for no in req.archive_nos]
        by_volume: dict[str, dict[int, str]] = defaultdict(dict)
        for row in rows:
            if row.volume_id:
                by_volume[row.volume_id][int(row.case_id)] = req.mode
        now = ctx.now()
        old_files = []
        for volume_id, changes in by_volume.items():
            _, old_path, updates = rewrite_volume(
                now, conn, keys, archive_dir(ctx), volume_id, changes, branch=ctx.branch_code
            )
            apply_updates(conn, updates)
            retire(conn, volume_id, now)
            old_files.append(old_path)
        status = "purged" if req.mode == "purge" else "anonymised"
        for row in rows:
            values: dict[str, object] = {
                "status": status,
                "customer_name": None,
                "customer_phone": None,
                "service_number": None,
                "purged_at": now,
                "purged_by": req.requested_by,
                "purge_approved_by": actor,
            }
            if status == "purged":
                values.update(volume_id=None, entry_offset=None, entry_length=None)
            conn.execute(
                update(archive_entries)
                .where(archive_entries.c.case_id == row.case_id)
                .values(**values)
            )
            write_audit(
                ctx,
                conn,
                actor=actor,
                action=f"archive.{req.mode}",
                case_id=row.case_id,
                detail={
                    "archive_no": row.archive_no,
                    "request": request_id,
                    "requested_by": req.requested_by,
                },
            )
        conn.execute(
            update(archive_purge_requests)
            .where(archive_purge_requests.c.id == request_id)
            .values(status="done", decided_by=actor, decided_at=now)
        )
        crash_point("purge_before_commit")
    for path in old_files:  # retired: nothing refers to them any more
        path.unlink(missing_ok=True)
    return PurgeResult(request_id, req.mode, len(rows), len(by_volume))


def rotate_master_key(ctx: ServiceContext, keys: ArchiveKeys, *, actor: str) -> tuple[str, int]:
    """A new archive master key; every volume's data key is re-wrapped under it in one
    transaction (no volume is rewritten). The old key is deleted after the commit."""
    with archive_lock(ctx):
        with ctx.db.write() as conn:
            authorize(ctx, conn, actor, "archive.keys")
            volumes = conn.execute(
                select(archive_volumes.c.id, archive_volumes.c.master_slot)
            ).all()
            plain = {}
            for v in volumes:
                old = master_by_id(conn, keys, str(v.master_slot["key_id"]))
                plain[v.id] = unwrap_key(old, v.master_slot, context=f"volume:{v.id}")
            new_id, old_id = rotate_in(ctx, conn, keys)
            new = master_by_id(conn, keys, new_id)
            for volume_id, dek in plain.items():
                conn.execute(
                    update(archive_volumes)
                    .where(archive_volumes.c.id == volume_id)
                    .values(master_slot=wrap_key(new, new_id, dek, context=f"volume:{volume_id}"))
                )
            write_audit(
                ctx,
                conn,
                actor=actor,
                action="archive.rotate_key",
                case_id=None,
                detail={"key_id": new_id, "previous": old_id, "volumes": len(plain)},
            )
        if old_id is not None:
            keys.forget(old_id)
    return new_id, len(plain)


def issue_recovery_key(ctx: ServiceContext, *, actor: str) -> RecoveryKey:
    """A new recovery key: its public half is kept, the private half is returned once
    to be printed. Volumes sealed before keep opening with the earlier sheet (each
    volume names the key it was sealed to)."""
    key = RecoveryKey.generate()
    with ctx.db.write() as conn:
        authorize(ctx, conn, actor, "archive.keys")
        for name, value in ((RECOVERY_PUBLIC, b64(key.public)), (RECOVERY_ID, key.key_id)):
            conn.execute(settings.delete().where(settings.c.key == name))
            conn.execute(insert(settings).values(key=name, value=value))
        write_audit(
            ctx,
            conn,
            actor=actor,
            action="archive.recovery_key",
            case_id=None,
            detail={"key_id": key.key_id},
        )
    return key
