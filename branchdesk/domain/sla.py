"""The SLA clock: deadline arithmetic, milestone evaluation and the SLA policy.

Pure domain code: a calendar, a time zone and a case's events in; deadlines out. The
counting rules are the product decision of PROCESS.md ("Time limits"):

- N working days: end of the day (23:59:59 branch local time) of the N-th working day
  after the event's day; the event's own day never counts.
- N hours: N wall-clock hours from the event's exact time, holidays included.
- N calendar days: end of the N-th day after the event's day.
- Pauses (waiting for the customer) are added back: working-day clocks by the working
  days wholly paused (00:00 to 24:00 local), hour clocks by the paused duration,
  calendar-day clocks by the calendar days wholly paused. An open pause counts up to now.
- Extensions add units of the milestone's own unit.

Two refinements keep the clock a stopwatch rather than something that can be gamed:
a pause that begins after the deadline has passed does not move it (an overdue clock
cannot be revived by pausing it), and for a met milestone only pauses and extensions
recorded before it was met count (the past is not rewritten).

Which milestones each case kind has, their limits and what starts and meets them is
the SLA policy: `branchdesk.domain.sla_policy`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from zoneinfo import ZoneInfo

from branchdesk.calendars import WorkingCalendar

__all__ = [
    "CLOCKS",
    "DEFAULT_TZ",
    "Due",
    "Limit",
    "MilestoneRule",
    "MilestoneStatus",
    "SlaEvent",
    "Unit",
    "compute_due",
    "evaluate",
]

DEFAULT_TZ = ZoneInfo("Asia/Shanghai")
END_OF_DAY = time(23, 59, 59)
CLOCKS = ("sla", "regulator")
PAUSE, RESUME, EXTEND = "pause", "resume", "extend"


class Unit(StrEnum):
    HOURS = "hours"
    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"


@dataclass(frozen=True)
class Limit:
    amount: int
    unit: Unit

    def __post_init__(self) -> None:
        # A plain "hours" string would fail the identity checks of compute_due and be
        # counted as calendar days; normalise it (and refuse anything that is no unit).
        object.__setattr__(self, "unit", Unit(self.unit))
        if self.amount < 1:
            raise ValueError(f"a limit must be at least 1 {self.unit}, got {self.amount}")


@dataclass(frozen=True)
class Due:
    at: datetime
    provisional: bool  # reaches into a year the calendar does not know yet


# --- deadline arithmetic -----------------------------------------------------------


def _require_aware(value: datetime, what: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware: {value!r}")


def _end_of(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, END_OF_DAY, tzinfo=tz)


def _paused_intervals(
    start: datetime,
    pauses: Sequence[tuple[datetime, datetime | None]],
    now: datetime | None,
) -> list[tuple[datetime, datetime]]:
    """Pauses clipped to [start, now] and merged, in time order."""
    clipped: list[tuple[datetime, datetime]] = []
    for begin, end in pauses:
        _require_aware(begin, "pause start")
        if end is None:
            if now is None:
                raise ValueError("an open pause needs `now` to be counted")
            end = now
        _require_aware(end, "pause end")
        if now is not None and end > now:
            end = now
        begin = max(begin, start)
        if end > begin:
            clipped.append((begin, end))
    clipped.sort()
    merged: list[tuple[datetime, datetime]] = []
    for begin, end in clipped:
        if merged and begin <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((begin, end))
    return merged


def _whole_days(begin: datetime, end: datetime, start_day: date, tz: tzinfo) -> tuple[date, date]:
    """First and last local day covered from 00:00 to 24:00 by [begin, end].

    Days up to the event's own day are excluded: it never counts, so it cannot be
    added back either. first > last means no whole day.
    """
    begin_local, end_local = begin.astimezone(tz), end.astimezone(tz)
    first = begin_local.date()
    if begin_local.time() != time(0):
        first += timedelta(days=1)
    last = end_local.date() - timedelta(days=1)
    return max(first, start_day + timedelta(days=1)), last


def compute_due(
    start: datetime,
    limit: Limit,
    calendar: WorkingCalendar,
    tz: tzinfo = DEFAULT_TZ,
    *,
    pauses: Sequence[tuple[datetime, datetime | None]] = (),
    extension: int = 0,
    now: datetime | None = None,
) -> Due:
    """When a clock started at `start` with `limit` runs out (see the module docstring)."""
    _require_aware(start, "start")
    if now is not None:
        _require_aware(now, "now")
    if extension < 0:
        raise ValueError(f"extension must not be negative, got {extension}")
    intervals = _paused_intervals(start, pauses, now)
    amount = limit.amount + extension

    if limit.unit is Unit.HOURS:
        # Wall-clock hours are counted in UTC so that a zone with daylight saving time
        # still gets exactly N elapsed hours.
        due = start.astimezone(UTC) + timedelta(hours=amount)
        for begin, end in intervals:
            if begin >= due:
                break
            due += end - begin
        return Due(due.astimezone(tz), False)

    start_day = start.astimezone(tz).date()
    if limit.unit is Unit.WORKING_DAYS:
        due_day, provisional = calendar.add_working_days(start_day, amount)
        for begin, end in intervals:
            if begin >= _end_of(due_day, tz):
                break
            first, last = _whole_days(begin, end, start_day, tz)
            paused = calendar.working_days_between(first, last)
            if paused:
                amount += paused
                due_day, provisional = calendar.add_working_days(start_day, amount)
        return Due(_end_of(due_day, tz), provisional)

    due_day = start_day + timedelta(days=amount)
    for begin, end in intervals:
        if begin >= _end_of(due_day, tz):
            break
        first, last = _whole_days(begin, end, start_day, tz)
        if first <= last:
            due_day += last - first + timedelta(days=1)
    return Due(_end_of(due_day, tz), False)


# --- milestones --------------------------------------------------------------------


@dataclass(frozen=True)
class MilestoneRule:
    id: str
    limit: Limit
    starts_on: tuple[str, ...]  # event kinds; the LATEST such event starts the clock
    met_by: tuple[str, ...]  # event kinds; the FIRST such event after the start meets it
    clock: str  # "sla" (our own promise) | "regulator" (the customer may appeal)
    clause: str = ""  # where the limit comes from, e.g. "§3.3.3"


@dataclass(frozen=True)
class SlaEvent:
    """What the clock needs to know of one case event."""

    kind: str  # the process engine's action name: received, acknowledge, pause, extend …
    at: datetime  # for "received" the real receipt time, which may be back-dated
    milestone: str | None = None  # for "extend": which milestone
    amount: int = 0  # for "extend": units of that milestone's unit


@dataclass(frozen=True)
class MilestoneStatus:
    id: str
    clock: str
    started_at: datetime | None
    due_at: datetime | None
    met_at: datetime | None
    provisional: bool
    paused: bool
    extension: int
    limit: Limit | None = None

    def overdue(self, now: datetime) -> bool:
        """Unmet and past due at `now` (a milestone met late is not overdue any more)."""
        return self.met_at is None and self.due_at is not None and self.due_at < now

    def met_late(self) -> bool:
        return self.met_at is not None and self.due_at is not None and self.met_at > self.due_at

    def time_left(self, now: datetime) -> timedelta | None:
        """Time until due (negative when overdue); None when not running."""
        if self.met_at is not None or self.due_at is None:
            return None
        return self.due_at - now


def _pauses_from(events: Sequence[SlaEvent]) -> list[tuple[datetime, datetime | None]]:
    """Pause/resume events paired into intervals; a repeated pause or a stray resume is
    ignored rather than guessed at."""
    intervals: list[tuple[datetime, datetime | None]] = []
    opened: datetime | None = None
    for event in events:
        if event.kind == PAUSE and opened is None:
            opened = event.at
        elif event.kind == RESUME and opened is not None:
            intervals.append((opened, event.at))
            opened = None
    if opened is not None:
        intervals.append((opened, None))
    return intervals


def evaluate(
    rules: Sequence[MilestoneRule],
    events: Sequence[SlaEvent],
    calendar: WorkingCalendar,
    tz: tzinfo,
    now: datetime,
) -> list[MilestoneStatus]:
    """The state of every milestone of `rules` given a case's events, as of `now`."""
    _require_aware(now, "now")
    for event in events:
        _require_aware(event.at, f"event {event.kind!r}")
    # Stable sort: events at the same instant keep the order they were recorded in.
    ordered = sorted(events, key=lambda e: e.at)
    pauses = _pauses_from(ordered)
    pause_open = bool(pauses) and pauses[-1][1] is None
    return [_evaluate_one(rule, ordered, pauses, pause_open, calendar, tz, now) for rule in rules]


def _evaluate_one(
    rule: MilestoneRule,
    ordered: Sequence[SlaEvent],
    pauses: Sequence[tuple[datetime, datetime | None]],
    pause_open: bool,
    calendar: WorkingCalendar,
    tz: tzinfo,
    now: datetime,
) -> MilestoneStatus:
    start_index: int | None = None
    for index, event in enumerate(ordered):
        if event.kind in rule.starts_on:
            start_index = index
    if start_index is None:
        return MilestoneStatus(rule.id, rule.clock, None, None, None, False, False, 0, rule.limit)

    started_at = ordered[start_index].at
    met_index = next(
        (i for i in range(start_index + 1, len(ordered)) if ordered[i].kind in rule.met_by),
        None,
    )
    met_at = ordered[met_index].at if met_index is not None else None
    stop = met_index if met_index is not None else len(ordered)
    extension = sum(
        event.amount
        for event in ordered[start_index + 1 : stop]
        if event.kind == EXTEND and event.milestone == rule.id
    )
    due = compute_due(
        started_at,
        rule.limit,
        calendar,
        tz,
        pauses=pauses,
        extension=extension,
        now=met_at if met_at is not None else now,
    )
    return MilestoneStatus(
        id=rule.id,
        clock=rule.clock,
        started_at=started_at.astimezone(tz),
        due_at=due.at,
        met_at=met_at.astimezone(tz) if met_at is not None else None,
        provisional=due.provisional,
        paused=pause_open and met_at is None,
        extension=extension,
        limit=rule.limit,
    )
