"""Applying one uploaded batch: exactly once, in one transaction with the device's
high-water mark.

The stream row of (device, epoch) is locked first (`SELECT … FOR UPDATE` on
PostgreSQL; SQLite has one writer anyway). Under that lock the batch is compared with
the high-water mark: events at or below it were stored before and are acknowledged
without being applied again (after checking they are the same events); a batch that
starts beyond the next expected sequence is refused with 409 naming that sequence.
New events are checked one by one: a good one is stored, one HQ cannot accept is
quarantined, and both count as received. The acknowledgement is built only after the
commit returned.

A quarantined event is kept as it arrived, except for what the database cannot
store (U+0000, lone surrogates, NaN and Infinity), which is spelled out as text
(`\\u0000`, `\\ud800`, `"NaN"`); its digest is the one of the event as sent. Nothing
of an event's contents is ever logged or put into an error answer.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pydantic_core
from pydantic import ValidationError
from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from sync.protocol.messages import (
    MAX_DEPTH,
    CaseEventBody,
    Quarantined,
    UploadAck,
    UploadBatch,
    event_digest,
)
from sync.server.tables import EVENT_COLUMNS, devices, events, quarantine, streams


class Conflict(Exception):
    """409: the batch does not follow what HQ holds for the stream."""

    def __init__(self, error: str, expected_seq: int, message: str) -> None:
        super().__init__(message)
        self.error = error
        self.expected_seq = expected_seq
        self.message = message


@dataclass
class _Sorted:
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    bad: list[dict[str, Any]] = field(default_factory=list)


def _spelled_out_text(text: str) -> str:
    return "".join(
        f"\\u{ord(c):04x}" if c == "\x00" or 0xD800 <= ord(c) <= 0xDFFF else c for c in text
    )


def _spelled_out(value: Any, depth: int = 0) -> Any:
    """`value` with whatever the database cannot store written out as text, so that
    a quarantined event can be kept (and shown to the operator) as it arrived."""
    if isinstance(value, str):
        return _spelled_out_text(value)
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict | list) and depth >= MAX_DEPTH:
        return "(nested too deep to keep)"
    if isinstance(value, dict):
        return {_spelled_out_text(str(k)): _spelled_out(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_spelled_out(v, depth + 1) for v in value]
    return value


def _check_contiguous(batch: UploadBatch) -> None:
    first = batch.events[0].seq
    for offset, ev in enumerate(batch.events):
        if ev.seq != first + offset:
            raise ValueError("events of a batch must have consecutive sequence numbers")
    if first <= batch.epoch_base:
        raise ValueError("an event's sequence number is not after the epoch's base")


def _lock_stream(conn: Connection, batch: UploadBatch, now: datetime) -> int:
    """The stream's high-water mark, locked for this transaction (created at the
    epoch's base the first time the epoch is seen)."""
    key = (streams.c.device_id == batch.device_id) & (streams.c.epoch == batch.epoch)
    locking = select(streams.c.hwm).where(key)
    if conn.dialect.name == "postgresql":
        locking = locking.with_for_update()
    hwm = conn.execute(locking).scalar()
    if hwm is not None:
        return int(hwm)
    values = {
        "device_id": batch.device_id,
        "epoch": batch.epoch,
        "base_seq": batch.epoch_base,
        "hwm": batch.epoch_base,
        "updated_at": now,
    }
    if conn.dialect.name == "postgresql":
        conn.execute(pg_insert(streams).values(**values).on_conflict_do_nothing())
    else:
        conn.execute(sqlite_insert(streams).values(**values).on_conflict_do_nothing())
    # Another HQ process may have created it first: lock whatever is there now.
    return int(conn.execute(locking).scalar_one())


def _digests(batch: UploadBatch) -> list[str]:
    return [ev.digest or event_digest(ev.event) for ev in batch.events]


def _check_resent(
    conn: Connection, batch: UploadBatch, digests: Sequence[str], hwm: int
) -> list[Quarantined]:
    """Events at or below the mark must be the ones HQ holds: a different event under
    an old number means the branch's history diverged (a restored database)."""
    old = [(ev.seq, d) for ev, d in zip(batch.events, digests, strict=True) if ev.seq <= hwm]
    if not old:
        return []
    lo, hi = old[0][0], old[-1][0]
    held: dict[int, str] = {}
    # A resent batch is answered as the first was: quarantined events named again.
    again = [
        Quarantined(seq=int(r.seq), reason=str(r.reason))
        for r in conn.execute(
            select(quarantine.c.seq, quarantine.c.reason)
            .where(
                quarantine.c.device_id == batch.device_id,
                quarantine.c.epoch == batch.epoch,
                quarantine.c.seq.between(lo, hi),
            )
            .order_by(quarantine.c.seq)
        )
    ]
    for table in (events, quarantine):
        rows = conn.execute(
            select(table.c.seq, table.c.digest).where(
                table.c.device_id == batch.device_id,
                table.c.epoch == batch.epoch,
                table.c.seq.between(lo, hi),
            )
        )
        held.update({int(r.seq): str(r.digest) for r in rows})
    for seq, digest in old:
        stored = held.get(seq)
        # Below the stream's base there is nothing to compare with: those belong to
        # an earlier epoch and were never part of this stream.
        if stored is not None and stored != digest:
            raise Conflict(
                "divergent",
                seq,
                "event differs from the one HQ holds under this number: the branch "
                "database was probably restored; re-enroll it to start a new epoch",
            )
    return again


def _sort(batch: UploadBatch, digests: Sequence[str], hwm: int, now: datetime) -> _Sorted:
    out = _Sorted()
    prefix = batch.branch_code + "-"
    for ev, digest in zip(batch.events, digests, strict=True):
        if ev.seq <= hwm:
            continue
        reason = ""
        try:
            body = CaseEventBody.model_validate(ev.event)
            if not body.case_number.startswith(prefix):
                reason = "foreign_case"
        except ValidationError as exc:
            first = exc.errors()[0]
            reason = f"invalid:{'.'.join(str(p) for p in first['loc'])}:{first['type']}"
        if reason:
            out.bad.append(
                {
                    "device_id": batch.device_id,
                    "epoch": batch.epoch,
                    "seq": ev.seq,
                    "branch_code": batch.branch_code,
                    "reason": reason,
                    "event": _spelled_out(ev.event),
                    "digest": digest,
                    "received_at": now,
                }
            )
            continue
        out.rows.append(
            (
                batch.device_id,
                batch.epoch,
                ev.seq,
                batch.branch_code,
                body.case_number,
                body.case_seq,
                body.kind,
                body.at,
                body.actor,
                body.payload,
                digest,
                ev.created_at,
                now,
            )
        )
    return out


def _store(conn: Connection, rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        # COPY is the fastest way in; the stream lock already rules out a clash.
        raw = conn.connection.driver_connection
        assert raw is not None
        with (
            raw.cursor() as cur,
            cur.copy(f"COPY hq_events ({', '.join(EVENT_COLUMNS)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row((*row[:9], pydantic_core.to_json(row[9]).decode("utf-8"), *row[10:]))
        return
    conn.execute(insert(events), [dict(zip(EVENT_COLUMNS, row, strict=True)) for row in rows])


def apply_batch(engine: Engine, batch: UploadBatch, *, protocol: int) -> UploadAck:
    """Store the batch exactly once and return the acknowledgement (after commit).
    Raises Conflict (409) or ValueError (422) and writes nothing."""
    _check_contiguous(batch)
    digests = _digests(batch)
    now = datetime.now(UTC)
    skew = (batch.sent_at - now).total_seconds()
    with engine.begin() as conn:
        hwm = _lock_stream(conn, batch, now)
        first, last = batch.events[0].seq, batch.events[-1].seq
        if first > hwm + 1:
            raise Conflict("gap", hwm + 1, f"expected sequence {hwm + 1}, got {first}")
        again = _check_resent(conn, batch, digests, hwm)
        sorted_ = _sort(batch, digests, hwm, now)
        _store(conn, sorted_.rows)
        if sorted_.bad:
            conn.execute(insert(quarantine), sorted_.bad)
        if last > hwm:
            conn.execute(
                update(streams)
                .where(streams.c.device_id == batch.device_id, streams.c.epoch == batch.epoch)
                .values(hwm=last, updated_at=now)
            )
        device_values: dict[str, Any] = {
            "last_upload_at": now,
            "protocol": protocol,
            "skew_seconds": skew,
        }
        if batch.audit_head is not None:
            device_values["audit_head_id"] = batch.audit_head.audit_id
            device_values["audit_head_hash"] = batch.audit_head.hash
        if batch.status is not None:
            device_values["pending_reported"] = batch.status.pending
            device_values["parked_reported"] = batch.status.parked_instructions
        conn.execute(update(devices).where(devices.c.id == batch.device_id).values(device_values))
    applied = len(sorted_.rows) + len(sorted_.bad)
    return UploadAck(
        epoch=batch.epoch,
        through_seq=last,
        applied=applied,
        duplicates=len(batch.events) - applied,
        quarantined=[
            *again,
            *(Quarantined(seq=b["seq"], reason=b["reason"]) for b in sorted_.bad),
        ],
        hq_time=now,
        skew_seconds=skew,
    )
