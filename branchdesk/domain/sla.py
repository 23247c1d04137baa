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

The policy (which milestones each case kind has, their limits and what starts and meets
them) is data: `resources/sla/policy.json`, described by `policy.schema.json`, checked
here by `load_policy` with messages that name the broken entry.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from branchdesk.calendars import WorkingCalendar
from branchdesk.domain.errors import DomainError
from branchdesk.domain.model import CaseKind, Grade
from branchdesk.resources_access import read_json

__all__ = [
    "CLOCKS",
    "DEFAULT_TZ",
    "Due",
    "Limit",
    "MilestoneRule",
    "MilestoneStatus",
    "PolicyError",
    "PolicyOverride",
    "SlaEvent",
    "SlaPolicy",
    "Unit",
    "compute_due",
    "evaluate",
    "load_default_policy",
    "load_policy",
]

DEFAULT_TZ = ZoneInfo("Asia/Shanghai")
END_OF_DAY = time(23, 59, 59)
CLOCKS = ("sla", "regulator")
PAUSE, RESUME, EXTEND = "pause", "resume", "extend"


class PolicyError(DomainError):
    """The SLA policy data is broken, or asked for something it does not have.

    `params["entry"]` names where, e.g. "milestones.complaint[3].limit.unit".
    """


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


# --- policy ------------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyOverride:
    """Replaces the limits of some milestones of one kind for one grade, optionally only
    for one category ("technical") or sub-category ("technical/network")."""

    kind: str
    grade: str
    category: str | None
    limits: tuple[tuple[str, Limit], ...]
    notes: str = ""

    @property
    def specificity(self) -> int:
        return 0 if self.category is None else self.category.count("/") + 1

    def applies_to(self, kind: str, grade: str, category: str) -> bool:
        if self.kind != kind or self.grade != grade:
            return False
        if self.category is None or self.category == category:
            return True
        return "/" not in self.category and category.startswith(self.category + "/")


class SlaPolicy:
    """The milestones of each case kind, with headquarters' overrides. Build it with
    `load_policy`, which checks the data."""

    def __init__(
        self,
        version: str,
        milestones: Mapping[str, Sequence[MilestoneRule]],
        overrides: Sequence[PolicyOverride] = (),
    ) -> None:
        self.version = version
        self._milestones = {kind: tuple(rules) for kind, rules in milestones.items()}
        # Least specific first, so that applying them in order lets the most specific
        # override of a milestone win.
        self._overrides = tuple(sorted(overrides, key=lambda o: o.specificity))
        self._cache: dict[tuple[str, str, str], tuple[MilestoneRule, ...]] = {}

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(self._milestones)

    @property
    def overrides(self) -> tuple[PolicyOverride, ...]:
        return self._overrides

    def milestones_for(self, kind: str, grade: str, category: str) -> tuple[MilestoneRule, ...]:
        """The milestones of a case of this kind, grade and "category/sub" code."""
        key = (kind, grade, category)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        base = self._milestones.get(kind)
        if base is None:
            raise PolicyError(
                "error.policy.not_one_of",
                entry="kind",
                value=kind,
                allowed=", ".join(self._milestones),
            )
        limits: dict[str, Limit] = {}
        for override in self._overrides:
            if override.applies_to(kind, grade, category):
                limits.update(override.limits)
        rules = tuple(
            dataclasses.replace(rule, limit=limits[rule.id]) if rule.id in limits else rule
            for rule in base
        )
        self._cache[key] = rules
        return rules

    def referenced_event_kinds(self) -> frozenset[str]:
        """Every event kind the policy starts or meets a clock on, so that a test of the
        process engine can check each one is an action it really records."""
        return frozenset(
            kind
            for rules in self._milestones.values()
            for rule in rules
            for kind in (*rule.starts_on, *rule.met_by)
        )


_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_CATEGORY = re.compile(r"^[^/\s]+(/[^/\s]+)?$")
_TOP_FIELDS = ("$schema", "version", "notes", "milestones", "overrides")
_MILESTONE_FIELDS = ("id", "limit", "starts_on", "met_by", "clock", "clause", "notes")
_OVERRIDE_FIELDS = ("kind", "grade", "category", "milestones", "notes")
_LIMIT_FIELDS = ("amount", "unit")


def _fail(key: str, entry: str, **params: Any) -> PolicyError:
    return PolicyError(key, entry=entry, **params)


def _object(value: Any, entry: str, fields: Sequence[str]) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _fail("error.policy.not_object", entry or "policy")
    for name in value:
        if name not in fields:
            raise _fail("error.policy.unknown_field", f"{entry}.{name}" if entry else str(name))
    return value


def _text(value: Mapping[str, Any], name: str, entry: str, *, required: bool = True) -> str:
    where = f"{entry}.{name}" if entry else name
    if name not in value:
        if required:
            raise _fail("error.policy.missing", where)
        return ""
    text = value[name]
    if not isinstance(text, str) or (required and not text.strip()):
        raise _fail("error.policy.not_text", where)
    return text


def _one_of(value: Any, entry: str, allowed: Sequence[str]) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise _fail("error.policy.not_one_of", entry, value=str(value), allowed=", ".join(allowed))
    return value


def _limit(value: Any, entry: str) -> Limit:
    raw = _object(value, entry, _LIMIT_FIELDS)
    for name in _LIMIT_FIELDS:
        if name not in raw:
            raise _fail("error.policy.missing", f"{entry}.{name}")
    amount = raw["amount"]
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise _fail("error.policy.not_integer", f"{entry}.amount", value=str(amount))
    if amount < 1:
        raise _fail("error.policy.not_positive", f"{entry}.amount", value=str(amount))
    unit = _one_of(raw["unit"], f"{entry}.unit", [u.value for u in Unit])
    return Limit(amount, Unit(unit))


def _names(value: Mapping[str, Any], name: str, entry: str) -> tuple[str, ...]:
    where = f"{entry}.{name}"
    if name not in value:
        raise _fail("error.policy.missing", where)
    items = value[name]
    if not isinstance(items, list):
        raise _fail("error.policy.not_list", where)
    if not items:
        raise _fail("error.policy.empty_list", where)
    for index, item in enumerate(items):
        if not isinstance(item, str) or not _NAME.match(item):
            raise _fail("error.policy.bad_name", f"{where}[{index}]", value=str(item))
    return tuple(items)


def _milestone(value: Any, entry: str) -> MilestoneRule:
    raw = _object(value, entry, _MILESTONE_FIELDS)
    rule_id = _text(raw, "id", entry)
    if not _NAME.match(rule_id):
        raise _fail("error.policy.bad_name", f"{entry}.id", value=rule_id)
    if "limit" not in raw:
        raise _fail("error.policy.missing", f"{entry}.limit")
    limit = _limit(raw["limit"], f"{entry}.limit")
    starts_on = _names(raw, "starts_on", entry)
    met_by = _names(raw, "met_by", entry)
    for index, kind in enumerate(met_by):
        if kind in starts_on:
            # The start is the latest such event and "met" must come after it: a kind in
            # both lists would restart the clock instead of meeting it.
            raise _fail("error.policy.start_is_met", f"{entry}.met_by[{index}]", value=kind)
    clock = _one_of(raw.get("clock", CLOCKS[0]), f"{entry}.clock", CLOCKS)
    clause = _text(raw, "clause", entry, required=False)
    _text(raw, "notes", entry, required=False)
    return MilestoneRule(rule_id, limit, starts_on, met_by, clock, clause)


def _override(
    value: Any, entry: str, milestones: Mapping[str, tuple[MilestoneRule, ...]]
) -> PolicyOverride:
    raw = _object(value, entry, _OVERRIDE_FIELDS)
    for name in ("kind", "grade", "milestones"):
        if name not in raw:
            raise _fail("error.policy.missing", f"{entry}.{name}")
    kind = _one_of(raw["kind"], f"{entry}.kind", list(milestones))
    grade = _one_of(raw["grade"], f"{entry}.grade", [g.value for g in Grade])
    category: str | None = None
    if "category" in raw:
        category = raw["category"]
        if not isinstance(category, str) or not _CATEGORY.match(category):
            raise _fail("error.policy.bad_category", f"{entry}.category", value=str(category))
    raw_limits = raw["milestones"]
    if not isinstance(raw_limits, Mapping):
        raise _fail("error.policy.not_object", f"{entry}.milestones")
    if not raw_limits:
        raise _fail("error.policy.empty_list", f"{entry}.milestones")
    known = {rule.id for rule in milestones[kind]}
    limits: list[tuple[str, Limit]] = []
    for rule_id, raw_limit in raw_limits.items():
        where = f"{entry}.milestones.{rule_id}"
        if rule_id not in known:
            raise _fail("error.policy.unknown_milestone", where, value=str(rule_id), kind=kind)
        limits.append((rule_id, _limit(raw_limit, where)))
    notes = _text(raw, "notes", entry, required=False)
    return PolicyOverride(kind, grade, category, tuple(limits), notes)


def load_policy(data: Mapping[str, Any]) -> SlaPolicy:
    """Check and build an SLA policy from its JSON document.

    Raises PolicyError at the first problem, naming the entry, e.g.
    "milestones.complaint[3].limit.unit".
    """
    raw = _object(data, "", _TOP_FIELDS)
    version = _text(raw, "version", "")
    _text(raw, "notes", "", required=False)
    if "milestones" not in raw:
        raise _fail("error.policy.missing", "milestones")
    raw_kinds = raw["milestones"]
    if not isinstance(raw_kinds, Mapping):
        raise _fail("error.policy.not_object", "milestones")
    kinds = [k.value for k in CaseKind]
    milestones: dict[str, tuple[MilestoneRule, ...]] = {}
    for kind, raw_rules in raw_kinds.items():
        entry = f"milestones.{kind}"
        _one_of(kind, entry, kinds)
        if not isinstance(raw_rules, list):
            raise _fail("error.policy.not_list", entry)
        if not raw_rules:
            raise _fail("error.policy.empty_list", entry)
        rules: list[MilestoneRule] = []
        seen: dict[str, int] = {}
        for index, raw_rule in enumerate(raw_rules):
            rule = _milestone(raw_rule, f"{entry}[{index}]")
            if rule.id in seen:
                raise _fail(
                    "error.policy.duplicate_id",
                    f"{entry}[{index}].id",
                    value=rule.id,
                    other=f"{entry}[{seen[rule.id]}]",
                )
            seen[rule.id] = index
            rules.append(rule)
        milestones[kind] = tuple(rules)
    for kind in kinds:
        if kind not in milestones:
            # A kind without milestones would give its cases no deadlines at all.
            raise _fail("error.policy.missing", f"milestones.{kind}")

    raw_overrides = raw.get("overrides", [])
    if not isinstance(raw_overrides, list):
        raise _fail("error.policy.not_list", "overrides")
    overrides: list[PolicyOverride] = []
    scopes: dict[tuple[str, str, str | None], int] = {}
    for index, raw_override in enumerate(raw_overrides):
        entry = f"overrides[{index}]"
        override = _override(raw_override, entry, milestones)
        scope = (override.kind, override.grade, override.category)
        if scope in scopes:
            raise _fail(
                "error.policy.duplicate_override", entry, other=f"overrides[{scopes[scope]}]"
            )
        scopes[scope] = index
        overrides.append(override)
    return SlaPolicy(version, milestones, overrides)


@cache
def load_default_policy() -> SlaPolicy:
    """The shipped default policy (cached: parsed once per process)."""
    return load_policy(read_json("sla/policy.json"))
