"""Return visits (回访) at the branch: scheduled in the same transaction that closes a
case (policy as data: every major and urgent case, a sample of ordinary ones, due
within 3 working days), the day's call list, the outcome of a call (reached or not,
score, comment, really solved?), retries for customers not reached, and reopening the
case when the customer is dissatisfied (a new, linked event; never an edit).

A survey is never taken by someone who handled the case: refused, and the surveyor is
recorded on the visit and in the case's history (a `return_visit` event, which changes
no state, like a print)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, func, insert, select, text, update

from branchdesk.domain import process
from branchdesk.domain.errors import DomainError, FieldError, NotFound, ValidationError
from branchdesk.domain.identity import mask_phone
from branchdesk.domain.model import CaseState
from branchdesk.domain.process import CaseEvent, CaseSnapshot
from branchdesk.domain.return_visits import (
    HANDLING,
    Outcome,
    VisitStatus,
    check_outcome,
    check_surveyor,
    due_at,
    handlers_of,
    next_attempt,
    visit_reason,
)
from branchdesk.persistence.schema import audit_log, cases, return_visits
from branchdesk.services import cases as case_service
from branchdesk.services.access import authorize
from branchdesk.services.context import ServiceContext
from branchdesk.services.recording import load_events, record, write_audit
from branchdesk.services.supervision import policy_of

#: The case event a recorded visit adds (no state change).
VISITED = "return_visit"


@dataclass(frozen=True)
class Visit:
    id: int
    number: str
    customer_name: str
    phone_masked: str
    summary: str
    grade: str
    owner: str
    closed_at: datetime
    due_at: datetime
    reason: str
    status: str
    attempts: int
    next_call_at: datetime
    overdue: bool
    surveyor: str | None = None
    reached: bool | None = None
    score: int | None = None
    solved: bool | None = None
    comment: str | None = None
    reopened_seq: int | None = None

    @property
    def dissatisfied(self) -> bool:
        return Outcome(bool(self.reached), self.score, self.solved).dissatisfied


# --- scheduling (called while a close or reopen is being recorded) ----------------------


def schedule_on_close(
    ctx: ServiceContext, conn: Connection, *, case_id: int, case: CaseSnapshot, seq: int
) -> int | None:
    """Schedule the visit for the closure just recorded, if the policy wants one."""
    rules = policy_of(ctx).return_visits
    reason = visit_reason(case.number, case.kind.value, case.grade, rules)
    if reason is None:
        return None
    closed_at = case.updated_at or ctx.now()
    due, provisional = due_at(closed_at, rules.within_working_days, ctx.calendar, ctx.tz)
    result = conn.execute(
        insert(return_visits).values(
            case_id=case_id,
            closed_seq=seq,
            closed_at=closed_at,
            due_at=due,
            provisional=provisional,
            reason=reason.value,
            status=VisitStatus.PENDING.value,
            next_call_at=closed_at,
            attempts=0,
        )
    )
    key = result.inserted_primary_key
    return int(key[0]) if key else None


def schedule_missing(ctx: ServiceContext, *, actor: str, days: int = 5) -> int:
    """Schedule visits for cases closed in the last `days` days that have none for their
    closure (closed before this version, or by demo data). Returns how many."""
    since = ctx.now() - timedelta(days=days)
    rules = policy_of(ctx).return_visits
    with ctx.db.write() as conn:
        authorize(ctx, conn, actor, "branch.maintenance")
        closed = (
            conn.execute(
                select(cases.c.id)
                .where(text("state = 'closed'"), cases.c.updated_at >= since)
                .where(
                    ~select(return_visits.c.id)
                    .where(return_visits.c.case_id == cases.c.id)
                    .exists()
                )
            )
            .scalars()
            .all()
        )
        made = 0
        for case_id in closed:
            history = load_events(conn, case_id)
            closes = [i for i, e in enumerate(history, start=1) if e.kind == "close"]
            if not closes:
                continue
            case = process.replay(history[: closes[-1]])
            if visit_reason(case.number, case.kind.value, case.grade, rules) is None:
                continue
            if schedule_on_close(ctx, conn, case_id=case_id, case=case, seq=closes[-1]):
                made += 1
        write_audit(
            ctx,
            conn,
            actor=actor,
            action="return_visit.schedule_missing",
            case_id=None,
            detail={"days": days, "scheduled": made},
        )
    return made


def cancel_on_reopen(conn: Connection, *, case_id: int) -> None:
    """A case reopened before its visit: the visit waits for the next closure."""
    conn.execute(
        update(return_visits)
        .where(return_visits.c.case_id == case_id, return_visits.c.status == "pending")
        .values(status=VisitStatus.CANCELLED.value)
    )


# --- reading -----------------------------------------------------------------------------


def _visits_query() -> Any:
    return select(
        return_visits,
        cases.c.number,
        cases.c.customer_name,
        cases.c.customer_phone,
        cases.c.summary,
        cases.c.grade,
        cases.c.owner,
    ).join(cases, cases.c.id == return_visits.c.case_id)


def _visit(row: Any, now: datetime) -> Visit:
    return Visit(
        id=row.id,
        number=row.number,
        customer_name=row.customer_name,
        phone_masked=mask_phone(row.customer_phone),
        summary=row.summary,
        grade=row.grade,
        owner=row.owner,
        closed_at=row.closed_at,
        due_at=row.due_at,
        reason=row.reason,
        status=row.status,
        attempts=row.attempts,
        next_call_at=row.next_call_at,
        overdue=row.status == "pending" and row.due_at < now,
        surveyor=row.surveyor,
        reached=row.reached,
        score=row.score,
        solved=row.solved,
        comment=row.comment,
        reopened_seq=row.reopened_seq,
    )


def call_list(
    ctx: ServiceContext, *, actor: str, day: date | None = None, limit: int = 500
) -> list[Visit]:
    """The calls to make on `day` (today by default): pending visits whose next call is
    due by the end of that day, the most urgent (earliest due) first. Phone numbers are
    masked: the caller reveals one (audited) when dialling."""
    now = ctx.now()
    until = datetime.combine(day or now.date(), time(23, 59, 59), tzinfo=ctx.tz)
    with ctx.db.read() as conn:
        authorize(ctx, conn, actor, "return_visit.read")
        rows = conn.execute(
            _visits_query()
            .where(return_visits.c.status == "pending", return_visits.c.next_call_at <= until)
            .order_by(return_visits.c.next_call_at)
            .limit(limit)
        ).all()
    visits = [_visit(r, now) for r in rows]
    visits.sort(key=lambda v: (v.due_at, v.id))
    return visits


def visits_of(ctx: ServiceContext, number: str, *, actor: str) -> list[Visit]:
    with ctx.db.read() as conn:
        authorize(ctx, conn, actor, "return_visit.read")
        case_id = case_service.find_case_id(conn, number)
        rows = conn.execute(
            _visits_query().where(return_visits.c.case_id == case_id).order_by(return_visits.c.id)
        ).all()
    return [_visit(r, ctx.now()) for r in rows]


def pending_count(ctx: ServiceContext) -> int:
    with ctx.db.read() as conn:
        value = conn.execute(
            select(func.count()).where(return_visits.c.status == "pending")
        ).scalar_one()
    return int(value)


# --- recording ---------------------------------------------------------------------------


def _load(conn: Connection, visit_id: int) -> Any:
    row = conn.execute(select(return_visits).where(return_visits.c.id == visit_id)).first()
    if row is None:
        raise NotFound("error.return_visit.not_found", id=visit_id)
    return row


def record_outcome(ctx: ServiceContext, *, visit_id: int, outcome: Outcome, actor: str) -> Visit:
    """Record a call. Not reached: the visit stays on the list for a later working day
    until the attempts run out (then: unreachable). Reached: done, with the score."""
    clean = check_outcome(outcome)
    rules = policy_of(ctx).return_visits
    now = ctx.now()
    with ctx.db.write() as conn:
        authorize(ctx, conn, actor, "return_visit.record")
        row = _load(conn, visit_id)
        if row.status != "pending":
            raise DomainError("error.return_visit.closed", id=visit_id, status=row.status)
        live = conn.execute(
            select(cases.c.number, cases.c.state, cases.c.owner).where(cases.c.id == row.case_id)
        ).one()
        archived = live.state == CaseState.ARCHIVED.value
        # An archived case's events have moved into its sealed volume: who handled it is
        # read from the audit trail, which stays (one entry per recorded event).
        history = [] if archived else load_events(conn, row.case_id)
        if archived:
            handlers = _handlers_from_audit(conn, row.case_id, live.owner)
        else:
            handlers = handlers_of(live.owner, history)
        check_surveyor(actor, handlers)
        attempts = row.attempts + 1
        values: dict[str, Any] = {"attempts": attempts, "surveyor": actor, "visited_at": now}
        if clean.reached:
            values |= {
                "status": VisitStatus.DONE.value,
                "reached": True,
                "score": clean.score,
                "solved": clean.solved,
                "comment": clean.comment,
            }
        else:
            retry = next_attempt(attempts, now, rules, ctx.calendar, ctx.tz)
            values |= {"reached": False, "comment": clean.comment}
            if retry is None:
                values["status"] = VisitStatus.UNREACHABLE.value
            else:
                values["next_call_at"] = datetime.combine(retry.date(), time(0, 0), tzinfo=ctx.tz)
        conn.execute(update(return_visits).where(return_visits.c.id == visit_id).values(**values))
        payload = {
            "visit": visit_id,
            "attempt": attempts,
            "reached": clean.reached,
            "score": clean.score,
            "solved": clean.solved,
            "comment": clean.comment,
        }
        if archived:
            # The archived history is sealed; the visit stays on its own record.
            write_audit(
                ctx,
                conn,
                actor=actor,
                action="return_visit",
                case_id=row.case_id,
                detail={"number": live.number, **payload},
            )
        else:
            case = process.replay(history)
            event = CaseEvent(VISITED, now, actor, payload)
            record(ctx, conn, case_id=row.case_id, before=case, history=history, event=event)
        updated = conn.execute(_visits_query().where(return_visits.c.id == visit_id)).one()
    return _visit(updated, now)


def _handlers_from_audit(conn: Connection, case_id: int, owner: str) -> frozenset[str]:
    actions = [f"case.{kind}" for kind in HANDLING]
    actors = conn.execute(
        select(audit_log.c.actor)
        .where(audit_log.c.case_id == case_id, audit_log.c.action.in_(actions))
        .distinct()
    ).scalars()
    return frozenset({owner, *actors})


def pending_visit(conn: Connection, case_id: int) -> bool:
    """Whether the case still has a return visit to make (for the archive review: the
    archive should hold the visit's record, §3.5)."""
    found = conn.execute(
        select(return_visits.c.id).where(
            return_visits.c.case_id == case_id, return_visits.c.status == "pending"
        )
    ).first()
    return found is not None


def reopen_from_visit(ctx: ServiceContext, *, visit_id: int, reason: str, actor: str) -> int:
    """Reopen the case after a dissatisfied visit (§4.2.1): a `reopen` event that names
    the visit; recording it links the visit to it (`link_reopen`, same transaction).
    Returns the reopen event's sequence number."""
    with ctx.db.read() as conn:
        row = _load(conn, visit_id)
        number = conn.execute(select(cases.c.number).where(cases.c.id == row.case_id)).scalar_one()
    view = case_service.act(
        ctx,
        number=number,
        action="reopen",
        params={"reason": reason, "return_visit": visit_id},
        actor=actor,
    )
    return view.events[-1].seq


def link_reopen(conn: Connection, *, case_id: int, visit_id: int, seq: int) -> None:
    """While a reopen naming `visit_id` is recorded: the visit must be this case's, done
    and dissatisfied, and not already followed by a reopen."""
    row = conn.execute(select(return_visits).where(return_visits.c.id == visit_id)).first()
    problem = None
    if row is None or row.case_id != case_id:
        problem = "error.return_visit.not_found"
    elif row.status != "done" or not Outcome(True, row.score, row.solved).dissatisfied:
        problem = "error.return_visit.not_dissatisfied"
    elif row.reopened_seq is not None:
        problem = "error.return_visit.already_reopened"
    if problem is not None:
        raise ValidationError([FieldError("return_visit", problem, {"id": visit_id})])
    conn.execute(
        update(return_visits).where(return_visits.c.id == visit_id).values(reopened_seq=seq)
    )
