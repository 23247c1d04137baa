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

An event the checks passed but the database still refuses (a DataError or
IntegrityError: what the checks did not foresee) must not make the branch retry
the batch for ever. The batch is stored in a savepoint; when the database refuses
it, its events are stored one by one, each in a savepoint of its own, and those
refused are quarantined with the reason `database_refused:<error type>` (never the
database's message, which may quote the row). The rest of the batch is stored.
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
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError

from sync.protocol.messages import (
    MAX_DEPTH,
    CaseEventBody,
    Quarantined,
    UploadAck,
    UploadBatch,
    event_digest,
)
from sync.server.logs import log
from sync.server.tables import EVENT_COLUMNS, devices, events, quarantine, streams

#: The database refused an event's data: storing it again cannot help.
REFUSED_DATA = (DataError, IntegrityError)


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


def _quarantined(
    batch: UploadBatch, seq: int, event: dict[str, Any], digest: str, reason: str, now: datetime
) -> dict[str, Any]:
    return {
        "device_id": batch.device_id,
        "epoch": batch.epoch,
        "seq": seq,
        "branch_code": batch.branch_code,
        "reason": reason,
        "event": _spelled_out(event),
        "digest": digest,
        "received_at": now,
    }


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
            out.bad.append(_quarantined(batch, ev.seq, ev.event, digest, reason, now))
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
        import psycopg

        # COPY is the fastest way in; the stream lock already rules out a clash.
        raw = conn.connection.driver_connection
        assert raw is not None
        try:
            with (
                raw.cursor() as cur,
                cur.copy(f"COPY hq_events ({', '.join(EVENT_COLUMNS)}) FROM STDIN") as copy,
            ):
                for row in rows:
                    json_ = pydantic_core.to_json(row[9]).decode("utf-8")
                    copy.write_row((*row[:9], json_, *row[10:]))
        except psycopg.Error as exc:
            # The driver's own cursor: SQLAlchemy did not wrap its error. Wrapped, it
            # is judged as every other database error is (DataError, OperationalError…).
            raise DBAPIError.instance(
                "COPY hq_events", None, exc, psycopg.Error, dialect=conn.dialect
            ) from None
        return
    conn.execute(insert(events), [dict(zip(EVENT_COLUMNS, row, strict=True)) for row in rows])


def _refusal(exc: DBAPIError) -> str:
    """The quarantine reason for an event the database refused: the error's type."""
    return f"database_refused:{type(exc.orig).__name__}"


def _store_or_quarantine(
    conn: Connection, batch: UploadBatch, digests: Sequence[str], out: _Sorted, now: datetime
) -> None:
    """Store the good events, one savepoint for all of them; if the database refuses
    that, each in a savepoint of its own, moving those it refuses to the quarantine."""
    try:
        with conn.begin_nested():
            _store(conn, out.rows)
    except REFUSED_DATA as exc:
        log("database_refused", level="warning", kind=type(exc.orig).__name__, table="events")
        by_seq = {ev.seq: (ev.event, d) for ev, d in zip(batch.events, digests, strict=True)}
        kept: list[tuple[Any, ...]] = []
        for row in out.rows:
            try:
                with conn.begin_nested():
                    _store(conn, [row])
                kept.append(row)
            except REFUSED_DATA as one:
                event, digest = by_seq[row[2]]
                out.bad.append(_quarantined(batch, row[2], event, digest, _refusal(one), now))
        out.rows = kept
        out.bad.sort(key=lambda b: int(b["seq"]))
    if not out.bad:
        return
    try:
        with conn.begin_nested():
            conn.execute(insert(quarantine), out.bad)
    except REFUSED_DATA as exc:
        log("database_refused", level="warning", kind=type(exc.orig).__name__, table="quarantine")
        for bad in out.bad:
            try:
                with conn.begin_nested():
                    conn.execute(insert(quarantine), [bad])
            except REFUSED_DATA:
                # Not even as text: the digest and the reason are kept, the event is not
                # (the branch still holds it).
                kept_row = {**bad, "event": {"not_kept": "the database refused this event"}}
                conn.execute(insert(quarantine), [kept_row])


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
        _store_or_quarantine(conn, batch, digests, sorted_, now)
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
