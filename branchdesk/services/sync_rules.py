"""Applying headquarters' instructions at the branch, each exactly once, in HQ's
order, with the instruction cursor:

- a supervision order becomes a case event (`order_supervision`, acting as "HQ"),
  through `cases.act` like every other change of a case;
- a notice is stored for the workbench;
- a catalogue, SLA policy or calendar year replaces the shipped one from then on
  (`use_published_rules`); a new policy or calendar recomputes the deadlines of the
  open cases it moves, and each move is written to the audit trail;
- FAQ articles become HQ's versions in the branch's FAQ (`faq.publish_articles`, in
  the instruction's transaction); the branch's own articles stay as they are;
- a type this version does not know is parked (kept, counted, shown), and an order
  the branch cannot carry out (the case is closed, unknown …) is kept as refused:
  neither is dropped, and neither blocks the instructions behind it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from branchdesk.calendars import CalendarYear, WorkingCalendar, load_default_calendar
from branchdesk.domain.catalogue import Catalogue
from branchdesk.domain.errors import DomainError, IllegalTransition, NotFound, ValidationError
from branchdesk.domain.process import replay
from branchdesk.domain.sla_policy import SlaPolicy, load_policy
from branchdesk.persistence.schema import (
    case_milestones,
    cases,
    sync_instructions,
    sync_notices,
    sync_publications,
)
from branchdesk.services import cases as case_service
from branchdesk.services import faq
from branchdesk.services.context import ServiceContext
from branchdesk.services.recording import (
    case_columns,
    compute_milestones,
    load_events,
    milestone_rows,
    write_audit,
)
from branchdesk.services.sync_state import HQ_ACTOR, cursor, set_meta

PUBLICATIONS = ("catalogue", "sla_policy", "calendar")
KNOWN_TYPES = ("supervision_order", "notice", *PUBLICATIONS, "faq")


@dataclass(frozen=True)
class InstructionData:
    seq: int
    id: str
    type: str
    issued_at: datetime
    body: Mapping[str, Any]


@dataclass(frozen=True)
class Rules:
    calendar: WorkingCalendar
    policy: SlaPolicy | None
    catalogue: Catalogue | None


def _calendar_year(document: Mapping[str, Any]) -> CalendarYear:
    year = document["year"]
    if isinstance(year, bool) or not isinstance(year, int):
        raise ValueError("year")
    return CalendarYear(
        year,
        frozenset(date.fromisoformat(d) for d in document.get("holidays", [])),
        frozenset(date.fromisoformat(d) for d in document.get("workdays", [])),
    )


def published_rules(conn: Connection) -> Rules:
    """The shipped rules with everything HQ published laid over them."""
    calendar = load_default_calendar()
    policy: SlaPolicy | None = None
    catalogue: Catalogue | None = None
    rows = conn.execute(select(sync_publications).order_by(sync_publications.c.key)).all()
    for row in rows:
        if row.kind == "calendar":
            calendar = calendar.with_year(
                _calendar_year(row.document),
                version=f"{calendar.version}+hq{row.key}:{row.version}",
            )
        elif row.kind == "sla_policy":
            policy = load_policy(row.document)
        elif row.kind == "catalogue":
            catalogue = Catalogue.from_json(row.document)
    return Rules(calendar, policy, catalogue)


def use_published_rules(ctx: ServiceContext) -> None:
    """Make `ctx` use what HQ published (call once after opening the branch)."""
    with ctx.db.read() as conn:
        rules = published_rules(conn)
    ctx.calendar = rules.calendar
    if rules.policy is not None:
        ctx.policy = rules.policy
    if rules.catalogue is not None:
        ctx.catalogue = rules.catalogue


def _log(
    conn: Connection, ctx: ServiceContext, instr: InstructionData, status: str, reason: str | None
) -> None:
    conn.execute(
        insert(sync_instructions).values(
            seq=instr.seq,
            id=instr.id,
            type=instr.type[:64],
            status=status,
            reason=reason,
            body=dict(instr.body),
            issued_at=instr.issued_at,
            received_at=ctx.now(),
        )
    )
    set_meta(conn, "cursor", instr.seq)


def _recompute(ctx: ServiceContext, conn: Connection, rules: Rules, why: str) -> int:
    """Recompute the deadlines of every open case under `rules`; record each change."""
    policy = rules.policy or ctx.policy
    now = ctx.now()
    moved = 0
    for case_id, number in conn.execute(
        select(cases.c.id, cases.c.number).where(cases.c.is_open)
    ).all():
        events = load_events(conn, case_id)
        case = replay(events)
        fresh = compute_milestones(policy, rules.calendar, ctx.tz, now, case, events)
        old = {
            r.milestone: r.due_at
            for r in conn.execute(
                select(case_milestones.c.milestone, case_milestones.c.due_at).where(
                    case_milestones.c.case_id == case_id
                )
            )
        }
        changes = {
            m.id: [
                old[m.id].isoformat() if old.get(m.id) else None,
                m.due_at.isoformat() if m.due_at else None,
            ]
            for m in fresh
            if old.get(m.id) != m.due_at
        }
        if not changes and set(old) == {m.id for m in fresh}:
            continue
        conn.execute(delete(case_milestones).where(case_milestones.c.case_id == case_id))
        if fresh:
            conn.execute(insert(case_milestones), milestone_rows(case_id, fresh))
        columns = case_columns(case, fresh)
        conn.execute(
            update(cases)
            .where(cases.c.id == case_id)
            .values(
                next_due_at=columns["next_due_at"],
                next_milestone=columns["next_milestone"],
                provisional=columns["provisional"],
            )
        )
        write_audit(
            ctx,
            conn,
            actor=HQ_ACTOR,
            action="sla.recomputed",
            case_id=case_id,
            detail={"number": number, "because": why, "due": changes},
        )
        moved += 1
    return moved


def _publish(ctx: ServiceContext, instr: InstructionData, hook: Callable[[], None]) -> str:
    version = str(instr.body.get("version", ""))[:64]
    document = instr.body.get("document")
    with ctx.db.write() as conn:
        if not version or not isinstance(document, Mapping):
            _log(conn, ctx, instr, "refused", "invalid_document")
            return "refused"
        key = ""
        try:
            if instr.type == "calendar":
                key = str(_calendar_year(document).year)
            elif instr.type == "sla_policy":
                load_policy(document)
            else:
                Catalogue.from_json(document)
        except (DomainError, ValueError, KeyError, TypeError) as exc:
            _log(
                conn,
                ctx,
                instr,
                "refused",
                f"invalid_document:{getattr(exc, 'key', type(exc).__name__)}",
            )
            return "refused"
        conn.execute(
            delete(sync_publications).where(
                sync_publications.c.kind == instr.type, sync_publications.c.key == key
            )
        )
        conn.execute(
            insert(sync_publications).values(
                kind=instr.type,
                key=key,
                version=version,
                document=dict(document),
                published_at=ctx.now(),
            )
        )
        rules = published_rules(conn)
        why = f"{instr.type} {key} {version}".replace("  ", " ")
        moved = _recompute(ctx, conn, rules, why) if instr.type != "catalogue" else 0
        write_audit(
            ctx,
            conn,
            actor=HQ_ACTOR,
            action=f"sync.publish.{instr.type}",
            case_id=None,
            detail={
                "version": version,
                "key": key,
                "cases_recomputed": moved,
                "instruction": instr.id,
            },
        )
        _log(conn, ctx, instr, "applied", None)
        hook()
    ctx.calendar = rules.calendar
    if rules.policy is not None:
        ctx.policy = rules.policy
    if rules.catalogue is not None:
        ctx.catalogue = rules.catalogue
    return "applied"


def _publish_faq(ctx: ServiceContext, instr: InstructionData, hook: Callable[[], None]) -> str:
    """HQ's FAQ articles, applied in the instruction's transaction (audited there by
    `faq.publish_articles`); a malformed publication is kept as refused, naming the
    first bad field, and nothing of it is applied."""
    version = str(instr.body.get("version", ""))[:64]
    document = instr.body.get("document")
    with ctx.db.write() as conn:
        if not version or not isinstance(document, Mapping):
            _log(conn, ctx, instr, "refused", "invalid_document")
            return "refused"
        try:
            faq.publish_articles(
                ctx, conn, document, actor=HQ_ACTOR, publication=version, instruction=instr.id
            )
        except ValidationError as exc:
            field = exc.errors[0].field if exc.errors else ""
            _log(conn, ctx, instr, "refused", f"invalid_document:{field}"[:200])
            return "refused"
        _log(conn, ctx, instr, "applied", None)
        hook()
    return "applied"


def _already_ordered(ctx: ServiceContext, number: str, order_id: str) -> bool:
    with ctx.db.read() as conn:
        try:
            case_id = case_service.find_case_id(conn, number)
        except (NotFound, ValidationError):
            return False
        return any(
            e.kind == "order_supervision" and e.payload.get("order_id") == order_id
            for e in load_events(conn, case_id)
        )


def _supervise(ctx: ServiceContext, instr: InstructionData, hook: Callable[[], None]) -> str:
    body = instr.body
    number = str(body.get("case_number", ""))
    status, reason = "applied", None
    # The case event and the cursor are two transactions (the event goes through the
    # case service); the order id on the event makes a repeat after a crash between
    # them a no-op.
    if not _already_ordered(ctx, number, instr.id):
        try:
            case_service.act(
                ctx,
                number=number,
                action="order_supervision",
                params={
                    "supervisor": body.get("supervisor"),
                    "reason": body.get("reason"),
                    "order_id": instr.id,
                },
                actor=HQ_ACTOR,
            )
        except NotFound:
            status, reason = "refused", "case_not_found"
        except IllegalTransition as exc:
            status, reason = "refused", f"not_allowed:{exc.params.get('reason', '')}"
        except ValidationError as exc:
            status, reason = "refused", "invalid:" + ",".join(e.field for e in exc.errors)
    hook()
    with ctx.db.write() as conn:
        _log(conn, ctx, instr, status, reason)
    return status


def apply_instruction(
    ctx: ServiceContext, instr: InstructionData, *, hook: Callable[[], None] = lambda: None
) -> str:
    """Apply the next instruction; returns "applied", "parked", "refused" or
    "already" (received before: nothing done). `hook` runs just before the cursor is
    committed (the sync client's crash point)."""
    with ctx.db.read() as conn:
        at = cursor(conn)
    if instr.seq <= at:
        return "already"
    if instr.seq != at + 1:
        raise ValueError(f"instruction {instr.seq} out of order (cursor {at})")
    if instr.type == "supervision_order":
        return _supervise(ctx, instr, hook)
    if instr.type in PUBLICATIONS:
        return _publish(ctx, instr, hook)
    if instr.type == "faq":
        return _publish_faq(ctx, instr, hook)
    with ctx.db.write() as conn:
        if instr.type == "notice":
            conn.execute(
                insert(sync_notices).values(
                    instruction_id=instr.id,
                    title=str(instr.body.get("title", ""))[:200],
                    text=str(instr.body.get("text", ""))[:4000],
                    severity=str(instr.body.get("severity", "info"))[:16],
                    issued_at=instr.issued_at,
                )
            )
            status = "applied"
        else:
            status = "parked"
        _log(conn, ctx, instr, status, None if status == "applied" else "unknown_type")
        hook()
    return status


def parked_instructions(ctx: ServiceContext) -> list[dict[str, Any]]:
    """Instructions kept but not applied (unknown type, or refused), oldest first."""
    with ctx.db.read() as conn:
        rows = conn.execute(
            select(sync_instructions)
            .where(sync_instructions.c.status != "applied")
            .order_by(sync_instructions.c.seq)
        ).all()
    return [
        {"seq": r.seq, "id": r.id, "type": r.type, "status": r.status, "reason": r.reason}
        for r in rows
    ]


def notices(ctx: ServiceContext) -> list[dict[str, Any]]:
    with ctx.db.read() as conn:
        rows = conn.execute(select(sync_notices).order_by(sync_notices.c.issued_at.desc())).all()
    return [
        {
            "title": r.title,
            "text": r.text,
            "severity": r.severity,
            "issued_at": r.issued_at,
            "read": r.read_at is not None,
        }
        for r in rows
    ]
