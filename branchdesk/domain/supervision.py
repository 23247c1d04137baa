"""Supervision (督办, §3.4) as a pure reading of a case's events: who supervises, why,
since when, which departments handle it jointly and what each contributed, the
progress reports and when the next one is due.

Progress reports fall due every N working days (the follow-up policy, 2 by default),
counted like the SLA clock: the end of the N-th working day after the day the period
started. A report starts the next period on its own day; a due date that passes
without a report is a *missed* report: it stays on record (the ledger shows it) and
the next period runs on from that due date, so one missed report is not hidden by the
next one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from branchdesk.domain.process import CaseEvent

END_OF_DAY = time(23, 59, 59)
#: The events that start supervision: a manager's approval or an HQ order.
STARTS = ("approve_escalation", "order_supervision")


class Calendar(Protocol):
    def add_working_days(self, day: date, n: int) -> tuple[date, bool]: ...


@dataclass(frozen=True)
class ProgressReport:
    at: datetime
    actor: str
    text: str


@dataclass(frozen=True)
class Contribution:
    at: datetime
    actor: str
    department: str
    text: str


@dataclass(frozen=True)
class Supervision:
    """One case's supervision as the ledger (督办台账) shows it."""

    source: str  # "escalation" (approved here) or "hq_order"
    supervisor: str
    reason: str  # an EscalationReason code, or the HQ order's own words
    detail: str
    started_at: datetime
    approved_by: str
    order_id: str | None
    departments: tuple[str, ...]
    contributions: tuple[Contribution, ...]
    reports: tuple[ProgressReport, ...]
    #: The earliest progress report not yet made (past when overdue).
    next_due_at: datetime
    #: Due dates that passed without a report, oldest first (the overdue one included).
    missed: tuple[datetime, ...]
    provisional: bool  # a due date counted over a year the calendar does not know
    concluded_at: datetime | None = None
    result: str | None = None

    @property
    def latest(self) -> ProgressReport | None:
        return self.reports[-1] if self.reports else None

    def overdue(self, now: datetime) -> bool:
        return self.concluded_at is None and self.next_due_at < now

    def needs_reminder(self, now: datetime, within: timedelta) -> bool:
        """Overdue, or due within `within`: what the supervisor is reminded of."""
        return self.concluded_at is None and self.next_due_at <= now + within


def split_departments(text: str | None) -> tuple[str, ...]:
    """ "网络部、计费中心, 客服部" -> the department names, in order, once each."""
    if not text:
        return ()
    for sep in ("、", "，", ";", "；", "\n"):
        text = text.replace(sep, ",")
    names = [part.strip() for part in text.split(",")]
    return tuple(dict.fromkeys(n for n in names if n))


def _due_after(day: date, n: int, calendar: Calendar, tz: ZoneInfo) -> tuple[datetime, bool]:
    due_day, provisional = calendar.add_working_days(day, n)
    return datetime.combine(due_day, END_OF_DAY, tzinfo=tz), provisional


def read_supervision(
    events: Sequence[CaseEvent],
    *,
    interval: int,
    calendar: Calendar,
    tz: ZoneInfo,
    now: datetime,
) -> Supervision | None:
    """The case's latest supervision, or None if it was never supervised. `events`
    is the case's whole history, oldest first."""
    start_index = max((i for i, e in enumerate(events) if e.kind in STARTS), default=None)
    if start_index is None:
        return None
    start = events[start_index]
    request = next(
        (e for e in reversed(events[:start_index]) if e.kind == "request_escalation"), None
    )
    p = start.payload
    if start.kind == "order_supervision":
        source, reason, detail = "hq_order", str(p["reason"]), ""
    else:
        source = "escalation"
        reason = str(request.payload.get("reason", "")) if request else ""
        detail = str(request.payload.get("detail", "")) if request else ""
    later = events[start_index + 1 :]
    reports = tuple(
        ProgressReport(e.at, e.actor, str(e.payload["progress"]))
        for e in later
        if e.kind == "report_progress"
    )
    contributions = tuple(
        Contribution(e.at, e.actor, str(e.payload["department"]), str(e.payload["contribution"]))
        for e in later
        if e.kind == "record_contribution"
    )
    departments = split_departments(p.get("departments"))
    departments += tuple(
        dict.fromkeys(c.department for c in contributions if c.department not in departments)
    )
    conclusion = next((e for e in later if e.kind == "conclude_supervision"), None)
    end = conclusion.at if conclusion else now

    due, provisional = _due_after(start.at.astimezone(tz).date(), interval, calendar, tz)
    missed: list[datetime] = []
    for report in reports:
        while due < report.at:
            missed.append(due)
            due, late = _due_after(due.date(), interval, calendar, tz)
            provisional |= late
        due, late = _due_after(report.at.astimezone(tz).date(), interval, calendar, tz)
        provisional |= late
    next_due = due
    while due < end:
        missed.append(due)
        due, late = _due_after(due.date(), interval, calendar, tz)
    return Supervision(
        source=source,
        supervisor=str(p["supervisor"]),
        reason=reason,
        detail=detail,
        started_at=start.at,
        approved_by=start.actor,
        order_id=p.get("order_id"),
        departments=departments,
        contributions=contributions,
        reports=reports,
        next_due_at=next_due,
        missed=tuple(missed),
        provisional=provisional,
        concluded_at=conclusion.at if conclusion else None,
        result=str(conclusion.payload["result"]) if conclusion else None,
    )
