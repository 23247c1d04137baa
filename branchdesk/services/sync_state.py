"""The branch database's side of headquarters sync: what the sync client reads and
writes, each step one local transaction.

- the outbox: the next batch of unsent events (one epoch at a time) with the audit
  chain head that covers them; marking a batch acknowledged together with recording
  that head as an HQ anchor and noting the events HQ quarantined;
- enrollment, the instruction cursor, the last success and the last error;
- applying HQ's instructions (in `sync_rules`), idempotently, with the cursor.

No network and no wire format here: the client converts its messages into the plain
values below.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from branchdesk.persistence.schema import (
    outbox,
    settings,
    sync_epochs,
    sync_instructions,
    sync_meta,
    sync_notices,
    sync_quarantine,
)
from branchdesk.services.access import authorize
from branchdesk.services.audit import ChainHead, audit_head, record_anchor
from branchdesk.services.context import ServiceContext
from branchdesk.services.recording import device_epoch, write_audit

#: The system principal HQ's instructions act as (allowed only what HQ sends).
HQ_ACTOR = "HQ"


@dataclass(frozen=True)
class Identity:
    device_id: str
    branch_code: str
    epoch: int


@dataclass(frozen=True)
class OutboxEvent:
    seq: int
    created_at: datetime
    payload: Mapping[str, Any]


@dataclass(frozen=True)
class PendingBatch:
    """Unsent outbox events of one epoch, in order, and what goes with them."""

    identity: Identity
    epoch: int
    epoch_base: int
    events: tuple[OutboxEvent, ...]
    head: ChainHead | None
    pending_total: int
    parked: int = 0


@dataclass(frozen=True)
class SyncError:
    """The last failure, as a message key and parameters (shown in plain words)."""

    key: str
    params: Mapping[str, Any]
    at: datetime


@dataclass(frozen=True)
class SyncStatus:
    enrolled: bool
    hq_url: str | None
    pending: int
    last_success_at: datetime | None
    last_attempt_at: datetime | None
    last_error: SyncError | None
    quarantined: int
    parked: int
    unread_notices: int
    cursor: int


# --------------------------------------------------------------------------- meta


def get_meta(conn: Connection, key: str, default: Any = None) -> Any:
    value = conn.execute(select(sync_meta.c.value).where(sync_meta.c.key == key)).scalar()
    return default if value is None else value


def set_meta(conn: Connection, key: str, value: Any) -> None:
    conn.execute(delete(sync_meta).where(sync_meta.c.key == key))
    if value is not None:
        conn.execute(insert(sync_meta).values(key=key, value=value))


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()


def _unstamp(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def identity(conn: Connection) -> Identity:
    values = dict(
        conn.execute(
            select(settings.c.key, settings.c.value).where(
                settings.c.key.in_(("device.id", "branch.code"))
            )
        ).all()
    )
    return Identity(str(values["device.id"]), str(values["branch.code"]), device_epoch(conn))


# --------------------------------------------------------------------------- enrollment


def enrollment_url(ctx: ServiceContext) -> str | None:
    with ctx.db.read() as conn:
        value = get_meta(conn, "hq_url")
    return str(value) if value else None


def save_enrollment(
    ctx: ServiceContext, *, hq_url: str, actor: str, credential: str | None = None
) -> Identity:
    """Remember the HQ this branch is enrolled with. A branch enrolled before starts a
    new epoch: from here on HQ keeps its events apart from the earlier history.
    `credential` is kept here only when no OS keyring exists (the database itself is
    encrypted with the operator's passphrase then)."""
    with ctx.db.write() as conn:
        authorize(ctx, conn, actor, "sync.enroll")
        again = get_meta(conn, "hq_url") is not None
        if again:
            new_epoch = device_epoch(conn) + 1
            conn.execute(
                update(settings).where(settings.c.key == "device.epoch").values(value=new_epoch)
            )
            # Unsent events from where HQ reported a divergent history on move to the
            # new epoch (they were never at HQ under their old numbers).
            divergent = get_meta(conn, "divergent_seq")
            if divergent is not None:
                conn.execute(
                    update(outbox)
                    .where(outbox.c.sent_at.is_(None), outbox.c.seq >= int(divergent))
                    .values(device_epoch=new_epoch)
                )
                set_meta(conn, "divergent_seq", None)
        set_meta(conn, "hq_url", hq_url)
        set_meta(conn, "enrolled_at", _stamp(ctx.now()))
        set_meta(conn, "credential", credential)
        set_meta(conn, "last_error", None)
        me = identity(conn)
        write_audit(
            ctx,
            conn,
            actor=actor,
            action="sync.enroll",
            case_id=None,
            detail={"hq": hq_url, "epoch": me.epoch, "again": again},
        )
        return me


def stored_credential(ctx: ServiceContext) -> str | None:
    with ctx.db.read() as conn:
        value = get_meta(conn, "credential")
    return str(value) if value else None


# --------------------------------------------------------------------------- outbox


def pending_count(conn: Connection) -> int:
    return int(
        conn.execute(
            select(func.count()).select_from(outbox).where(outbox.c.sent_at.is_(None))
        ).scalar_one()
    )


def parked_count(conn: Connection) -> int:
    """Instructions kept without being applied (unknown type, or refused)."""
    return int(
        conn.execute(
            select(func.count())
            .select_from(sync_instructions)
            .where(sync_instructions.c.status != "applied")
        ).scalar_one()
    )


def _epoch_base(conn: Connection, epoch: int) -> int:
    stored = conn.execute(
        select(sync_epochs.c.base_seq).where(sync_epochs.c.epoch == epoch)
    ).scalar()
    if stored is not None:
        return int(stored)
    first = conn.execute(select(func.min(outbox.c.seq)).where(outbox.c.device_epoch == epoch))
    return int(first.scalar() or 1) - 1


def next_batch(ctx: ServiceContext, *, max_events: int) -> PendingBatch | None:
    """The oldest unsent events (at most `max_events`, all of one epoch), or None."""
    with ctx.db.read() as conn:
        rows = conn.execute(
            select(outbox.c.seq, outbox.c.device_epoch, outbox.c.created_at, outbox.c.payload)
            .where(outbox.c.sent_at.is_(None))
            .order_by(outbox.c.seq)
            .limit(max_events)
        ).all()
        if not rows:
            return None
        epoch = int(rows[0].device_epoch)
        events: list[OutboxEvent] = []
        for row in rows:
            if int(row.device_epoch) != epoch or (events and row.seq != events[-1].seq + 1):
                break
            events.append(OutboxEvent(int(row.seq), row.created_at, row.payload))
        return PendingBatch(
            identity=identity(conn),
            epoch=epoch,
            epoch_base=_epoch_base(conn, epoch),
            events=tuple(events),
            # Read in the same transaction: the head covers every event in the batch.
            head=audit_head(conn),
            pending_total=pending_count(conn),
            parked=parked_count(conn),
        )


def mark_acked(
    ctx: ServiceContext,
    batch: PendingBatch,
    *,
    through_seq: int,
    quarantined: Sequence[tuple[int, str]] = (),
) -> int:
    """HQ committed the batch through `through_seq`: mark those events sent, record
    the batch's audit head as confirmed by HQ, remember what HQ quarantined. One
    transaction; repeating it changes nothing. Returns the events newly marked."""
    now = ctx.now()
    with ctx.db.write() as conn:
        done = conn.execute(
            update(outbox)
            .where(
                outbox.c.sent_at.is_(None),
                outbox.c.device_epoch == batch.epoch,
                outbox.c.seq <= through_seq,
            )
            .values(sent_at=now)
        ).rowcount
        if (
            conn.execute(
                select(sync_epochs.c.epoch).where(sync_epochs.c.epoch == batch.epoch)
            ).first()
            is None
        ):
            conn.execute(insert(sync_epochs).values(epoch=batch.epoch, base_seq=batch.epoch_base))
        if batch.head is not None:
            record_anchor(ctx, conn, batch.head, source="hq")
        for seq, reason in quarantined:
            known = conn.execute(
                select(sync_quarantine.c.seq).where(sync_quarantine.c.seq == seq)
            ).first()
            if known is None:
                conn.execute(
                    insert(sync_quarantine).values(
                        seq=seq, epoch=batch.epoch, reason=reason[:200], reported_at=now
                    )
                )
        set_meta(conn, "last_success_at", _stamp(now))
        set_meta(conn, "last_error", None)
        return int(done)


def note_divergence(ctx: ServiceContext, seq: int) -> None:
    """HQ holds a different event under `seq`: this database was restored. Kept until
    the branch re-enrolls, which moves the events from `seq` on to a new epoch."""
    with ctx.db.write() as conn:
        set_meta(conn, "divergent_seq", seq)


# --------------------------------------------------------------------------- status


def record_attempt(ctx: ServiceContext, *, error_key: str | None, **params: Any) -> None:
    """Note a sync attempt: a success clears the last error, a failure stores it."""
    now = ctx.now()
    with ctx.db.write() as conn:
        set_meta(conn, "last_attempt_at", _stamp(now))
        if error_key is None:
            set_meta(conn, "last_success_at", _stamp(now))
            set_meta(conn, "last_error", None)
        else:
            set_meta(
                conn,
                "last_error",
                {
                    "key": error_key,
                    "params": {k: str(v) for k, v in params.items()},
                    "at": _stamp(now),
                },
            )


def cursor(conn: Connection) -> int:
    return int(get_meta(conn, "cursor", 0))


def status(ctx: ServiceContext) -> SyncStatus:
    with ctx.db.read() as conn:
        meta = dict(conn.execute(select(sync_meta.c.key, sync_meta.c.value)).all())
        error = meta.get("last_error")
        return SyncStatus(
            enrolled=bool(meta.get("hq_url")),
            hq_url=meta.get("hq_url"),
            pending=pending_count(conn),
            last_success_at=_unstamp(meta.get("last_success_at")),
            last_attempt_at=_unstamp(meta.get("last_attempt_at")),
            last_error=SyncError(
                error["key"], error.get("params", {}), _unstamp(error["at"]) or ctx.now()
            )
            if isinstance(error, dict)
            else None,
            quarantined=int(
                conn.execute(select(func.count()).select_from(sync_quarantine)).scalar_one()
            ),
            parked=parked_count(conn),
            unread_notices=int(
                conn.execute(
                    select(func.count())
                    .select_from(sync_notices)
                    .where(sync_notices.c.read_at.is_(None))
                ).scalar_one()
            ),
            cursor=int(meta.get("cursor", 0)),
        )


def rewind(ctx: ServiceContext, *, epoch: int, from_seq: int) -> int:
    """HQ lacks events from `from_seq` on that this branch marked sent (HQ lost them,
    e.g. restored from a backup): mark them unsent so they are sent again."""
    with ctx.db.write() as conn:
        count = conn.execute(
            update(outbox)
            .where(outbox.c.device_epoch == epoch, outbox.c.seq >= from_seq)
            .values(sent_at=None)
        ).rowcount
        write_audit(
            ctx,
            conn,
            actor=HQ_ACTOR,
            action="sync.resend",
            case_id=None,
            detail={"epoch": epoch, "from_seq": from_seq, "events": count},
        )
        return int(count)


def identity_of(ctx: ServiceContext) -> Identity:
    with ctx.db.read() as conn:
        return identity(conn)


def current_cursor(ctx: ServiceContext) -> int:
    with ctx.db.read() as conn:
        return cursor(conn)
