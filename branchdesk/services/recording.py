"""Recording one case event, with everything that must change with it, inside the
caller's transaction: the event row, the case projection, the SLA milestones, the
search index, a hash-chained audit entry and an outbox row for HQ sync. Either all of
it is committed or none of it."""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, CursorResult, delete, func, insert, select, text, update

from branchdesk.calendars import WorkingCalendar
from branchdesk.domain.process import CaseEvent, CaseSnapshot, apply
from branchdesk.domain.sla import MilestoneStatus, SlaEvent, evaluate
from branchdesk.domain.sla_policy import SlaPolicy
from branchdesk.persistence.schema import (
    audit_log,
    case_events,
    case_milestones,
    cases,
    outbox,
    settings,
)
from branchdesk.services.context import ServiceContext
from branchdesk.services.followup_hooks import after_event

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class Recorded:
    case_id: int
    case: CaseSnapshot
    event_id: int
    milestones: tuple[MilestoneStatus, ...]


def event_from_row(row: Mapping[str, Any]) -> CaseEvent:
    return CaseEvent(row["kind"], row["at"], row["actor"], row["payload"])


def load_events(conn: Connection, case_id: int) -> list[CaseEvent]:
    rows = conn.execute(
        select(case_events.c.kind, case_events.c.at, case_events.c.actor, case_events.c.payload)
        .where(case_events.c.case_id == case_id)
        .order_by(case_events.c.seq)
    ).mappings()
    return [event_from_row(dict(r)) for r in rows]


def sla_events(events: Sequence[CaseEvent]) -> list[SlaEvent]:
    return [
        SlaEvent(
            e.kind,
            e.at,
            milestone=e.payload.get("milestone"),
            amount=int(e.payload.get("amount", 0) or 0),
        )
        for e in events
    ]


def compute_milestones(
    policy: SlaPolicy,
    calendar: WorkingCalendar,
    tz: ZoneInfo,
    now: datetime,
    case: CaseSnapshot,
    events: Sequence[CaseEvent],
) -> list[MilestoneStatus]:
    """Every SLA milestone of `case` under `policy`, as of `now`."""
    rules = policy.milestones_for(case.kind.value, case.grade, case.category)
    return evaluate(rules, sla_events(events), calendar, tz, now)


def milestones_of(
    ctx: ServiceContext, case: CaseSnapshot, events: Sequence[CaseEvent]
) -> list[MilestoneStatus]:
    return compute_milestones(ctx.policy, ctx.calendar, ctx.tz, ctx.now(), case, events)


def case_columns(case: CaseSnapshot, milestones: Sequence[MilestoneStatus]) -> dict[str, Any]:
    """The `cases` row for a snapshot, with the queue columns derived from its milestones."""
    pending = [m for m in milestones if m.met_at is None and m.due_at is not None]
    nearest = min(pending, key=lambda m: m.due_at or datetime.max.replace(tzinfo=UTC), default=None)
    running = case.is_open and nearest is not None
    return {
        "number": case.number,
        "kind": case.kind.value,
        "channel": case.channel,
        "category": case.category,
        "grade": case.grade,
        "state": case.state.value,
        "is_open": case.is_open,
        "escalation": case.escalation.value,
        "supervisor": case.supervisor,
        "paused": case.paused,
        "customer_name": case.customer_name,
        "customer_phone": case.customer_phone,
        "customer_id_number": case.customer_id_number,
        "service_number": case.service_number,
        "customer_address": case.customer_address,
        "summary": case.summary,
        "description": case.description,
        "remedy": case.remedy,
        "event_date": case.event_date.isoformat() if case.event_date else None,
        "event_place": case.event_place,
        "business": case.business,
        "received_at": case.received_at,
        "entered_at": case.entered_at,
        "updated_at": case.updated_at or case.entered_at,
        "receiving_clerk": case.receiving_clerk,
        "owner": case.owner,
        "responsibility": case.responsibility,
        "satisfied": case.satisfied,
        "satisfaction_score": case.satisfaction_score,
        "reopen_count": case.reopen_count,
        "investigations": case.investigations,
        "archive_no": case.archive_no,
        "appointment": dict(case.appointment) if case.appointment else None,
        "version": case.version,
        "next_due_at": nearest.due_at if running and nearest else None,
        "next_milestone": nearest.id if running and nearest else None,
        # The queues show the nearest deadline, so its own provisional flag is what
        # they must show beside it.
        "provisional": bool(running and nearest and nearest.provisional),
    }


def milestone_rows(case_id: int, milestones: Sequence[MilestoneStatus]) -> list[dict[str, Any]]:
    return [
        {
            "case_id": case_id,
            "milestone": m.id,
            "clock": m.clock,
            "started_at": m.started_at,
            "due_at": m.due_at,
            "met_at": m.met_at,
            "provisional": m.provisional,
            "extension": m.extension,
        }
        for m in milestones
    ]


def search_body(case: CaseSnapshot) -> str:
    return " ".join(
        part for part in (case.summary, case.description, case.remedy, case.event_place) if part
    )


def short_tokens(*texts: str) -> str:
    """Every single character and adjacent pair of `texts`, space-separated: what the
    `case_grams` index holds so that 1–2 character queries find names and summaries."""
    tokens: set[str] = set()
    for value in texts:
        chars = [ch for ch in value if not ch.isspace()]
        tokens.update(chars)
        tokens.update(a + b for a, b in itertools.pairwise(chars))
    return " ".join(sorted(tokens))


def audit_hash(prev_hash: str, entry: Mapping[str, Any]) -> str:
    canonical = json.dumps(
        {**entry, "prev_hash": prev_hash}, ensure_ascii=False, sort_keys=True, default=str
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def write_audit(
    ctx: ServiceContext,
    conn: Connection,
    *,
    actor: str,
    action: str,
    case_id: int | None,
    detail: Mapping[str, Any],
) -> None:
    """Append one entry to the hash-chained audit log."""
    prev = conn.execute(select(audit_log.c.hash).order_by(audit_log.c.id.desc()).limit(1)).scalar()
    at = ctx.now()
    entry = {
        "at": int(at.timestamp()),
        "actor": actor,
        "workstation": ctx.workstation,
        "action": action,
        "case_id": case_id,
        "detail": dict(detail),
    }
    prev_hash = prev or GENESIS_HASH
    conn.execute(
        insert(audit_log).values(
            at=at,
            actor=actor,
            workstation=ctx.workstation,
            action=action,
            case_id=case_id,
            detail=dict(detail),
            prev_hash=prev_hash,
            hash=audit_hash(prev_hash, entry),
        )
    )


def device_epoch(conn: Connection) -> int:
    value = conn.execute(select(settings.c.value).where(settings.c.key == "device.epoch")).scalar()
    return int(value or 1)


def event_wire(case: CaseSnapshot, seq: int, event: CaseEvent) -> dict[str, Any]:
    """The event as it travels to HQ (the sync protocol will version this)."""
    return {
        "case_number": case.number,
        "case_seq": seq,
        "kind": event.kind,
        "at": event.at.isoformat(),
        "actor": event.actor,
        "payload": dict(event.payload),
    }


def _inserted_id(result: CursorResult[Any]) -> int:
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def record(
    ctx: ServiceContext,
    conn: Connection,
    *,
    case_id: int | None,
    before: CaseSnapshot | None,
    history: Sequence[CaseEvent],
    event: CaseEvent,
) -> Recorded:
    """Record `event` on the case (`case_id`/`before` None for a new case). `history`
    is the case's events so far, oldest first."""
    after = apply(before, event)
    events = [*history, event]
    milestones = milestones_of(ctx, after, events)
    columns = case_columns(after, milestones)
    if case_id is None:
        case_id = _inserted_id(conn.execute(insert(cases).values(**columns)))
        conn.execute(
            text(
                "INSERT INTO case_search(rowid, number, customer, phones, body) "
                "VALUES (:id, :number, :customer, :phones, :body)"
            ),
            {
                "id": case_id,
                "number": after.number,
                "customer": after.customer_name,
                "phones": f"{after.customer_phone} {after.service_number or ''}".strip(),
                "body": search_body(after),
            },
        )
        conn.execute(
            text("INSERT INTO case_grams(rowid, tokens) VALUES (:id, :tokens)"),
            {"id": case_id, "tokens": short_tokens(after.customer_name, after.summary)},
        )
    else:
        assert before is not None
        result = conn.execute(
            update(cases)
            .where(cases.c.id == case_id, cases.c.version == before.version)
            .values(**columns)
        )
        if result.rowcount != 1:
            raise RuntimeError(f"case {after.number} changed underneath this transaction")
        if event.kind == "add_note":
            conn.execute(
                text("UPDATE case_search SET body = body || ' ' || :note WHERE rowid = :id"),
                {"id": case_id, "note": event.payload["text"]},
            )
    event_id = _inserted_id(
        conn.execute(
            insert(case_events).values(
                case_id=case_id,
                seq=after.version,
                kind=event.kind,
                at=event.at,
                recorded_at=ctx.now(),
                actor=event.actor,
                payload=dict(event.payload),
            )
        )
    )
    after_event(ctx, conn, case_id=case_id, case=after, event=event)
    conn.execute(delete(case_milestones).where(case_milestones.c.case_id == case_id))
    if milestones:
        conn.execute(insert(case_milestones), milestone_rows(case_id, milestones))
    write_audit(
        ctx,
        conn,
        actor=event.actor,
        action=f"case.{event.kind}",
        case_id=case_id,
        detail={"number": after.number, "seq": after.version},
    )
    next_seq = conn.execute(select(func.coalesce(func.max(outbox.c.seq), 0) + 1)).scalar_one()
    conn.execute(
        insert(outbox).values(
            seq=next_seq,
            device_epoch=device_epoch(conn),
            event_id=event_id,
            created_at=ctx.now(),
            payload=event_wire(after, after.version, event),
        )
    )
    return Recorded(case_id, after, event_id, tuple(milestones))
