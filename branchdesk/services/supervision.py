"""Escalation and supervision (升级与督办, §3.4) at the branch: the supervision ledger
(督办台账) of every open supervised case, the supervisor's reminders, one case's
supervision, and the steps of the flow (request, approve or reject, joint handling,
progress reports, result) as case actions through `cases.act`.

The ledger has no table of its own: it reads the supervised cases (a partial index
keeps them apart at any size) and their supervision events, and computes due and
missed progress reports with the branch calendar. An HQ supervision order (the
`order_supervision` action, applied by sync) appears here like an approved escalation;
progress reports are case events, so they travel back to HQ with the others.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, select, text

from branchdesk.domain.followup_policy import FollowupPolicy, load_default_followup_policy
from branchdesk.domain.process import CaseEvent
from branchdesk.domain.supervision import Supervision, read_supervision
from branchdesk.persistence.schema import case_events, cases, staff
from branchdesk.services import cases as case_service
from branchdesk.services.access import authorize
from branchdesk.services.cases import CaseView
from branchdesk.services.context import ServiceContext

#: The events the ledger reads.
SUPERVISION_EVENTS = (
    "request_escalation",
    "approve_escalation",
    "order_supervision",
    "report_progress",
    "record_contribution",
    "conclude_supervision",
)
_CHUNK = 500  # case ids per IN (...) list
# Written as the partial index `ix_cases_supervised` states it, so that SQLite uses it
# (at 1M cases a scan of `cases` costs seconds).
_SUPERVISED = text("escalation = 'supervised' AND is_open = 1")


@dataclass(frozen=True)
class LedgerEntry:
    """One line of the supervision ledger."""

    number: str
    summary: str
    grade: str
    state: str
    owner: str
    customer_name: str
    supervision: Supervision
    overdue: bool

    @property
    def missed_count(self) -> int:
        return len(self.supervision.missed)


def policy_of(ctx: ServiceContext) -> FollowupPolicy:
    """The branch's follow-up policy (the shipped default: HQ overrides come later)."""
    return load_default_followup_policy()


def _events_by_case(conn: Connection, case_ids: Sequence[int]) -> dict[int, list[CaseEvent]]:
    found: dict[int, list[CaseEvent]] = defaultdict(list)
    for i in range(0, len(case_ids), _CHUNK):
        chunk = case_ids[i : i + _CHUNK]
        rows = conn.execute(
            select(
                case_events.c.case_id,
                case_events.c.kind,
                case_events.c.at,
                case_events.c.actor,
                case_events.c.payload,
            )
            .where(case_events.c.case_id.in_(chunk), case_events.c.kind.in_(SUPERVISION_EVENTS))
            .order_by(case_events.c.case_id, case_events.c.seq)
        )
        for r in rows:
            found[r.case_id].append(CaseEvent(r.kind, r.at, r.actor, r.payload))
    return found


def _entries(ctx: ServiceContext, conn: Connection, supervisor: str | None) -> list[LedgerEntry]:
    query = select(
        cases.c.id,
        cases.c.number,
        cases.c.summary,
        cases.c.grade,
        cases.c.state,
        cases.c.owner,
        cases.c.customer_name,
    ).where(_SUPERVISED)
    if supervisor is not None:
        query = query.where(cases.c.supervisor == supervisor)
    rows = conn.execute(query).all()
    events = _events_by_case(conn, [r.id for r in rows])
    interval = policy_of(ctx).supervision.interval_working_days
    now = ctx.now()
    entries = []
    for r in rows:
        found = read_supervision(
            events[r.id], interval=interval, calendar=ctx.calendar, tz=ctx.tz, now=now
        )
        if found is None:  # supervised without a start event: not possible via the engine
            continue
        entries.append(
            LedgerEntry(
                number=r.number,
                summary=r.summary,
                grade=r.grade,
                state=r.state,
                owner=r.owner,
                customer_name=r.customer_name,
                supervision=found,
                overdue=found.overdue(now),
            )
        )
    # Overdue first, then by the next report due: what needs chasing is on top.
    entries.sort(key=lambda e: (not e.overdue, e.supervision.next_due_at, e.number))
    return entries


def ledger(ctx: ServiceContext, *, actor: str, supervisor: str | None = None) -> list[LedgerEntry]:
    """Every open supervised case (or one supervisor's), overdue reports first."""
    with ctx.db.read() as conn:
        authorize(ctx, conn, actor, "ledger.read")
        return _entries(ctx, conn, supervisor)


def reminders(ctx: ServiceContext, *, actor: str) -> list[LedgerEntry]:
    """What `actor` supervises and must chase now: reports overdue or due soon."""
    hours = policy_of(ctx).supervision.remind_within_hours
    now = ctx.now()
    with ctx.db.read() as conn:
        authorize(ctx, conn, actor, "ledger.read")
        entries = _entries(ctx, conn, actor)
    return [e for e in entries if e.supervision.needs_reminder(now, timedelta(hours=hours))]


def supervision_of(ctx: ServiceContext, number: str, *, actor: str) -> Supervision | None:
    """The case's latest supervision (also a concluded one), or None."""
    with ctx.db.read() as conn:
        authorize(ctx, conn, actor, "case.read")
        case_id = case_service.find_case_id(conn, number)
        events = _events_by_case(conn, [case_id])[case_id]
        interval = policy_of(ctx).supervision.interval_working_days
        return read_supervision(
            events, interval=interval, calendar=ctx.calendar, tz=ctx.tz, now=ctx.now()
        )


def staff_names(conn: Connection) -> dict[str, str]:
    return {r.staff_no: r.name for r in conn.execute(select(staff.c.staff_no, staff.c.name))}


# --- the flow, as case actions ----------------------------------------------------------


def _act(
    ctx: ServiceContext, number: str, action: str, params: Mapping[str, Any], actor: str
) -> CaseView:
    return case_service.act(ctx, number=number, action=action, params=params, actor=actor)


def request_escalation(
    ctx: ServiceContext, number: str, *, reason: str, detail: str, actor: str
) -> CaseView:
    return _act(ctx, number, "request_escalation", {"reason": reason, "detail": detail}, actor)


def approve(
    ctx: ServiceContext,
    number: str,
    *,
    supervisor: str,
    actor: str,
    comment: str = "",
    departments: str = "",
) -> CaseView:
    params = {"supervisor": supervisor, "comment": comment, "departments": departments}
    return _act(ctx, number, "approve_escalation", params, actor)


def reject(ctx: ServiceContext, number: str, *, comment: str, actor: str) -> CaseView:
    return _act(ctx, number, "reject_escalation", {"comment": comment}, actor)


def report_progress(ctx: ServiceContext, number: str, *, progress: str, actor: str) -> CaseView:
    return _act(ctx, number, "report_progress", {"progress": progress}, actor)


def record_contribution(
    ctx: ServiceContext, number: str, *, department: str, contribution: str, actor: str
) -> CaseView:
    params = {"department": department, "contribution": contribution}
    return _act(ctx, number, "record_contribution", params, actor)


def conclude(ctx: ServiceContext, number: str, *, result: str, actor: str) -> CaseView:
    return _act(ctx, number, "conclude_supervision", {"result": result}, actor)


def order_locally(
    ctx: ServiceContext, number: str, *, supervisor: str, reason: str, actor: str, today: date
) -> CaseView:
    """A supervision order made by the branch's own manager (HQ's arrive through sync)."""
    order_id = f"local-{number}-{today:%Y%m%d}"
    params = {"supervisor": supervisor, "reason": reason, "order_id": order_id}
    return _act(ctx, number, "order_supervision", params, actor)
