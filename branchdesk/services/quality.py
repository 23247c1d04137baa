"""Service-quality figures for the manager's dashboard (issue 9), computed in SQL over
`cases`, `case_milestones`, `case_events` and `return_visits` for a period
[since, until) and an optional filter (kind, category, grade, owner).

What each figure means (the report and the dashboard say the same):

- on-time rate per milestone: a milestone counts when it was met in the period, or
  when its deadline fell in the period (and has passed) while it was unmet at period
  end; it is on time when met_at <= due_at. Deadlines include paused time and
  extensions (domain/sla.py).
  `case_milestones` holds each milestone's current cycle only: after a reopen, the
  handling and closure clocks restart and the earlier cycle is no longer counted.
- times to acknowledge / first reply / close (hours): over the cases received in the
  period, from receipt to the first acknowledge, to the first reply_customer / answer /
  resolve / resolve_by_incident, and to the close that left the case closed at period
  end; events at or after `until` do not count; time waiting for the customer (pause to
  resume) is subtracted. The 90th percentile is the nearest-rank value.
- backlog: cases received before `until` and open at `until` (no close/cancel after
  their last reopen), by age at `until`.
- overdue now: the overdue queue's count (unmet, running clock, deadline passed).
- satisfaction: each `record_feedback` event in the period, and separately each
  reached return visit with a score in the period.
- complaints by category, by week and by month, repeats, incident share: complaints received in the
  period. A repeat is a complaint with an earlier complaint (any time, any filter) from
  the same phone or service number within `repeat_days` before it.
- per staff: the cases received in the period by current owner, those closed at
  period end, and the owner's milestone on-time rate (as above).
- appointments: the cases whose appointment started in the period (up to now) and was
  not cancelled, or was recorded missed in the period; of those, the cases with a missed
  appointment recorded in the period (a miss stays counted after a reschedule); and the
  reschedules recorded in the period.

Every figure can be opened as the list of its cases (`segment_case_ids`): the dashboard's
bars and table rows lead there.

The figures are read in two halves on two connections at once (both cores work): each
half is one consistent snapshot; a case saved in the moment between their starts may
count in one half and not yet in the other.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from typing import Any

from sqlalchemy import Connection, text

from branchdesk.services.access import authorize
from branchdesk.services.context import ServiceContext

#: Backlog age buckets in days: [0, 1), [1, 3), [3, 7), [7, 15), [15, 30), [30, ∞).
AGE_BUCKETS_DAYS = (1, 3, 7, 15, 30)
REPLY_KINDS = ("reply_customer", "answer", "resolve", "resolve_by_incident")
_WEEK = 7 * 24 * 3600


@dataclass(frozen=True)
class QualityFilter:
    kind: str | None = None
    category: str | None = None  # "technical" also matches "technical/…"
    grade: str | None = None
    staff: str | None = None  # the case's current owner


@dataclass(frozen=True)
class MilestoneRate:
    kind: str
    milestone: str
    counted: int
    on_time: int

    @property
    def rate(self) -> float | None:
        return self.on_time / self.counted if self.counted else None


@dataclass(frozen=True)
class Duration:
    """Hours from receipt to a step, paused time subtracted."""

    count: int
    average_hours: float | None
    p90_hours: float | None


@dataclass(frozen=True)
class Satisfaction:
    source: str  # "feedback" | "return_visit"
    counts: tuple[int, int, int, int, int]  # scores 1..5
    total: int
    average: float | None


@dataclass(frozen=True)
class WeekCount:
    week_start: date  # the Monday, branch local
    category: str
    count: int


@dataclass(frozen=True)
class MonthCount:
    month: str  # "2026-11", branch local
    category: str
    count: int


@dataclass(frozen=True)
class StaffFigures:
    staff: str
    owned: int
    closed: int
    milestones_counted: int
    milestones_on_time: int


@dataclass(frozen=True)
class Appointments:
    due: int  # started in the period (up to now), not cancelled
    missed: int  # cases with a miss recorded in the period
    rescheduled: int  # reschedule events recorded in the period

    @property
    def missed_rate(self) -> float | None:
        return self.missed / self.due if self.due else None


@dataclass(frozen=True)
class QualityReport:
    since: datetime
    until: datetime
    milestones: tuple[MilestoneRate, ...]
    acknowledge: Duration
    first_reply: Duration
    close: Duration
    backlog: tuple[tuple[str, int], ...]  # bucket label ("0-1d" … "30d+"), count
    overdue_now: int
    feedback: Satisfaction
    return_visits: Satisfaction
    complaints: int
    complaints_by_category: tuple[tuple[str, int], ...]
    complaints_by_week: tuple[WeekCount, ...]
    complaints_by_month: tuple[MonthCount, ...]
    repeat_complaints: int
    incident_linked: int
    staff: tuple[StaffFigures, ...]
    appointments: Appointments

    @property
    def incident_share(self) -> float | None:
        return self.incident_linked / self.complaints if self.complaints else None


def _scope(f: QualityFilter, params: dict[str, Any]) -> str:
    """The filtered cases as a CTE body; binds its values into `params`."""
    where = ["1 = 1"]
    if f.kind:
        where.append("kind = :f_kind")
        params["f_kind"] = f.kind
    if f.category:
        where.append("(category = :f_cat OR category LIKE :f_cat_sub)")
        params["f_cat"], params["f_cat_sub"] = f.category, f.category + "/%"
    if f.grade:
        where.append("grade = :f_grade")
        params["f_grade"] = f.grade
    if f.staff:
        where.append("owner = :f_staff")
        params["f_staff"] = f.staff
    return (
        "scope AS (SELECT id, kind, category, owner, received_at, is_open, customer_phone,"
        f" service_number FROM cases WHERE {' AND '.join(where)})"
    )


# The milestones counted in the period (see the module docstring), as a CTE `counted`
# (case_id, milestone, met_at, due_at): each half read from its covering index
# (ix_milestones_met, ix_milestones_due) without touching the table, then sorted by
# case so that joining the cases reads each case's page once.
_COUNTED = """counted AS MATERIALIZED (SELECT * FROM (
  SELECT case_id, milestone, met_at, due_at FROM case_milestones
   WHERE met_at >= :since AND met_at < :until AND due_at IS NOT NULL
  UNION ALL
  SELECT case_id, milestone, met_at, due_at FROM case_milestones
   WHERE due_at >= :since AND due_at < :due_until AND (met_at IS NULL OR met_at >= :until)
) ORDER BY case_id)"""
_ON_TIME = "CASE WHEN m.met_at IS NOT NULL AND m.met_at <= m.due_at THEN 1 ELSE 0 END"


# ix_events_case_steps's condition, word for word: a subquery that repeats it is
# answered from that index alone.
def _steps(alias: str) -> str:
    return (
        f"{alias}.kind IN ('acknowledge', 'reply_customer', 'answer', 'resolve',"
        " 'resolve_by_incident', 'pause', 'resume', 'close', 'cancel', 'reopen')"
    )


_STEPS = _steps("e")
# Named, so that SQLite never prefers the (case, seq) key and reads the events.
_STEP_EVENTS = "case_events e INDEXED BY ix_events_case_steps"


# Open at :until: received before it, and no close/cancel after its last reopen.
def _ends(candidates: str) -> str:
    """The `ends` CTE: for the scope's cases matching `candidates`, the seq of their
    last close/cancel and of their last reopen before :until (from
    ix_events_case_steps)."""
    return f"""
ends AS (
  SELECT s.id, s.owner, s.received_at,
    (SELECT MAX(seq) FROM {_STEP_EVENTS} WHERE e.case_id = s.id AND {_STEPS}
       AND e.kind IN ('close', 'cancel') AND e.at < :until) AS end_seq,
    (SELECT MAX(seq) FROM {_STEP_EVENTS} WHERE e.case_id = s.id AND {_STEPS}
       AND e.kind = 'reopen' AND e.at < :until) AS reopen_seq
  FROM scope s WHERE {candidates})"""


# The cases received in the period (times to each step, per-staff load).
_END_STATE = _ends("s.received_at >= :since AND s.received_at < :until")
# Every case that may have been open at :until: open now, or closed, cancelled or
# reopened at or after :until (a case closed now whose every closing came before
# :until was closed then): both lists read from small partial indexes.
_OPEN_AT_END = _ends(
    """s.id IN (SELECT id FROM cases INDEXED BY ix_cases_owner_open WHERE is_open = 1
      UNION ALL SELECT case_id FROM case_events INDEXED BY ix_events_ending
      WHERE kind IN ('close', 'cancel', 'reopen') AND at >= :until)
    AND s.received_at < :until"""
)
# An earlier complaint (any filter) from the same phone or service number.
_REPEAT = """(EXISTS (SELECT 1 FROM cases o WHERE o.customer_phone = c.customer_phone
    AND o.kind = 'complaint' AND o.id != c.id AND o.received_at >= c.received_at - :repeat
    AND (o.received_at < c.received_at OR (o.received_at = c.received_at AND o.id < c.id)))
  OR EXISTS (SELECT 1 FROM cases o WHERE o.service_number = c.service_number
    AND o.kind = 'complaint' AND o.id != c.id AND o.received_at >= c.received_at - :repeat
    AND (o.received_at < c.received_at OR (o.received_at = c.received_at AND o.id < c.id))))"""
_MISSED = """missed AS (SELECT DISTINCT e.case_id FROM case_events e
  JOIN scope s ON s.id = e.case_id WHERE e.kind = 'record_missed_appointment'
    AND e.at >= :since AND e.at < :until)"""
_CLOSED_AT_END = "(end_seq IS NOT NULL AND (reopen_seq IS NULL OR end_seq > reopen_seq))"


def _rows(conn: Connection, sql: str, params: Mapping[str, Any]) -> list[Any]:
    return list(conn.execute(text(sql), dict(params)))


def _deadlines(conn: Connection, scope: str, p: Mapping[str, Any]) -> list[Any]:
    """The counted milestones by kind, milestone and owner, in one pass."""
    return _rows(
        conn,
        f"""WITH {scope}, {_COUNTED}
      SELECT s.kind, m.milestone, s.owner, COUNT(*) AS counted, SUM({_ON_TIME}) AS on_time
      FROM counted m JOIN scope s ON s.id = m.case_id
      GROUP BY s.kind, m.milestone, s.owner""",
        p,
    )


def _milestones(deadlines: list[Any]) -> tuple[MilestoneRate, ...]:
    totals: dict[tuple[str, str], list[int]] = {}
    for r in deadlines:
        total = totals.setdefault((r.kind, r.milestone), [0, 0])
        total[0] += int(r.counted)
        total[1] += int(r.on_time)
    return tuple(MilestoneRate(k, m, n, on) for (k, m), (n, on) in sorted(totals.items()))


def _durations(conn: Connection, scope: str, p: Mapping[str, Any]) -> dict[str, Duration]:
    kinds = ", ".join(f"'{k}'" for k in REPLY_KINDS)
    sql = f"""WITH {scope}, {_END_STATE},
    cohort AS MATERIALIZED (
      SELECT ends.id, ends.received_at,
        (SELECT MIN(at) FROM {_STEP_EVENTS} WHERE e.case_id = ends.id AND {_STEPS}
           AND e.kind = 'acknowledge' AND e.at < :until) AS acknowledge,
        (SELECT MIN(at) FROM {_STEP_EVENTS} WHERE e.case_id = ends.id AND {_STEPS}
           AND e.kind IN ({kinds}) AND e.at < :until) AS first_reply,
        CASE WHEN {_CLOSED_AT_END} THEN (SELECT at FROM {_STEP_EVENTS}
           WHERE e.case_id = ends.id AND {_STEPS} AND e.seq = ends.end_seq) END AS close
      FROM ends),
    pauses AS MATERIALIZED (
      SELECT e.case_id, e.at AS start,
        (SELECT MIN(r.at) FROM case_events r INDEXED BY ix_events_case_steps
           WHERE r.case_id = e.case_id AND {_steps("r")}
           AND r.kind = 'resume' AND r.seq > e.seq) AS stop
      FROM cohort c CROSS JOIN {_STEP_EVENTS}
      WHERE e.case_id = c.id AND {_STEPS} AND e.kind = 'pause'),
    timed AS (
      SELECT id, received_at, 'acknowledge' AS name, acknowledge AS at FROM cohort
      UNION ALL SELECT id, received_at, 'first_reply', first_reply FROM cohort
      UNION ALL SELECT id, received_at, 'close', close FROM cohort),
    steps AS (
      SELECT t.name, t.at - t.received_at - COALESCE((
          SELECT SUM(MAX(0, MIN(COALESCE(ps.stop, t.at), t.at) - ps.start))
          FROM pauses ps WHERE ps.case_id = t.id AND ps.start < t.at), 0) AS seconds
      FROM timed t WHERE t.at IS NOT NULL),
    ranked AS (
      SELECT name, seconds,
        ROW_NUMBER() OVER (PARTITION BY name ORDER BY seconds) AS rn,
        COUNT(*) OVER (PARTITION BY name) AS n
      FROM steps)
    SELECT name, MAX(n) AS n, AVG(seconds) AS average,
      MAX(CASE WHEN rn = (9 * n + 9) / 10 THEN seconds END) AS p90
    FROM ranked GROUP BY name"""
    found = {
        r.name: Duration(int(r.n), r.average / 3600, r.p90 / 3600) for r in _rows(conn, sql, p)
    }
    empty = Duration(0, None, None)
    return {name: found.get(name, empty) for name in ("acknowledge", "first_reply", "close")}


def _backlog(conn: Connection, scope: str, p: Mapping[str, Any]) -> tuple[tuple[str, int], ...]:
    bounds = [0, *AGE_BUCKETS_DAYS]
    labels = [f"{a}-{b}d" for a, b in pairwise(bounds)]
    labels.append(f"{bounds[-1]}d+")
    cases_ = " ".join(
        f"WHEN :until - received_at < {days * 86400} THEN {i}"
        for i, days in enumerate(AGE_BUCKETS_DAYS)
    )
    sql = f"""WITH {scope}, {_OPEN_AT_END}
      SELECT CASE {cases_} ELSE {len(AGE_BUCKETS_DAYS)} END AS bucket, COUNT(*) AS n
      FROM ends WHERE NOT {_CLOSED_AT_END} GROUP BY bucket"""
    counts = {int(r.bucket): int(r.n) for r in _rows(conn, sql, p)}
    return tuple((label, counts.get(i, 0)) for i, label in enumerate(labels))


def _satisfaction(conn: Connection, source: str, sql: str, p: Mapping[str, Any]) -> Satisfaction:
    counts = [0] * 5
    for r in _rows(conn, sql, p):
        if r.score is not None and 1 <= int(r.score) <= 5:
            counts[int(r.score) - 1] = int(r.n)
    total = sum(counts)
    average = sum((i + 1) * n for i, n in enumerate(counts)) / total if total else None
    return Satisfaction(
        source, (counts[0], counts[1], counts[2], counts[3], counts[4]), total, average
    )


def _week_anchor(ctx: ServiceContext, since: datetime) -> datetime:
    day = since.astimezone(ctx.tz).date()
    return datetime.combine(day - timedelta(days=day.weekday()), time(0), tzinfo=ctx.tz)


def month_bounds(ctx: ServiceContext, month: str) -> tuple[datetime, datetime]:
    """The branch-local start of month "YYYY-MM" and of the month after."""
    first = date.fromisoformat(month + "-01")
    following = (first + timedelta(days=32)).replace(day=1)
    return (
        datetime.combine(first, time(0), tzinfo=ctx.tz),
        datetime.combine(following, time(0), tzinfo=ctx.tz),
    )


def _months(ctx: ServiceContext, since: datetime, until: datetime) -> list[tuple[str, int, int]]:
    """("YYYY-MM", start, stop) epochs of every month the period touches."""
    day = since.astimezone(ctx.tz).date().replace(day=1)
    found = []
    while datetime.combine(day, time(0), tzinfo=ctx.tz) < until:
        start, stop = month_bounds(ctx, day.strftime("%Y-%m"))
        found.append((day.strftime("%Y-%m"), int(start.timestamp()), int(stop.timestamp())))
        day = stop.date()
    return found


def _params(
    ctx: ServiceContext, since: datetime, until: datetime, repeat_days: int
) -> dict[str, Any]:
    if until <= since:
        raise ValueError("the period must end after it starts")
    now = ctx.now()
    anchor = _week_anchor(ctx, since)
    return {
        "since": int(since.timestamp()),
        "until": int(until.timestamp()),
        "due_until": int(min(until, now).timestamp()),
        "now": int(now.timestamp()),
        "anchor": int(anchor.timestamp()),
        "anchor_day": anchor.date(),
        "repeat": repeat_days * 86400,
    }


def report(
    ctx: ServiceContext,
    *,
    since: datetime,
    until: datetime,
    actor: str,
    where: QualityFilter = QualityFilter(),
    repeat_days: int = 30,
) -> QualityReport:
    """Every quality figure for [since, until) under `where` (see the module docstring)."""
    p = _params(ctx, since, until, repeat_days)
    anchor = datetime.combine(p.pop("anchor_day"), time(0), tzinfo=ctx.tz)
    scope = _scope(where, p)
    complaints = (
        f"WITH {scope} SELECT {{cols}} FROM scope c WHERE c.kind = 'complaint'"
        " AND c.received_at >= :since AND c.received_at < :until"
    )
    with ctx.db.read() as conn:
        authorize(ctx, conn, actor, "quality.read")
    # Two halves of about equal weight, each on its own connection, so that both cores
    # work (SQLite reads run side by side in WAL mode): the cases' end states and the
    # repeat complaints on a helper thread, the rest here.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="quality") as pool:
        ends = pool.submit(_end_figures, ctx, scope, p, complaints)
        with ctx.db.read() as conn:
            other = _other_figures(ctx, conn, scope, p, complaints, since, until)
        durations, backlog, load, repeats = ends.result()
    (
        deadlines,
        overdue,
        feedback,
        visits,
        by_category,
        by_week,
        by_month,
        linked,
        booked,
        rescheduled,
    ) = other
    return QualityReport(
        since=since,
        until=until,
        milestones=_milestones(deadlines),
        acknowledge=durations["acknowledge"],
        first_reply=durations["first_reply"],
        close=durations["close"],
        backlog=backlog,
        overdue_now=int(overdue),
        feedback=feedback,
        return_visits=visits,
        complaints=int(linked.n),
        complaints_by_category=tuple((r.category, int(r.n)) for r in by_category),
        complaints_by_week=tuple(
            WeekCount((anchor + timedelta(weeks=int(r.week))).date(), r.category, int(r.n))
            for r in by_week
        ),
        complaints_by_month=tuple(MonthCount(r.label, r.category, int(r.n)) for r in by_month),
        repeat_complaints=int(repeats),
        incident_linked=int(linked.linked or 0),
        staff=_staff(load, deadlines),
        appointments=Appointments(int(booked.due), int(booked.missed or 0), int(rescheduled)),
    )


def _end_figures(
    ctx: ServiceContext, scope: str, p: Mapping[str, Any], complaints: str
) -> tuple[dict[str, Duration], tuple[tuple[str, int], ...], list[Any], int]:
    """Times to each step, the backlog, each person's load, the repeat complaints."""
    with ctx.db.read() as conn:
        load = _rows(
            conn,
            f"""WITH {scope}, {_END_STATE}
            SELECT owner, COUNT(*) AS owned, SUM(CASE WHEN {_CLOSED_AT_END} THEN 1 ELSE 0 END)
              AS closed FROM ends GROUP BY owner""",
            p,
        )
        repeats = _rows(conn, complaints.format(cols="COUNT(*) AS n") + f" AND {_REPEAT}", p)
        return _durations(conn, scope, p), _backlog(conn, scope, p), load, int(repeats[0].n)


def _other_figures(
    ctx: ServiceContext,
    conn: Connection,
    scope: str,
    p: Mapping[str, Any],
    complaints: str,
    since: datetime,
    until: datetime,
) -> tuple[Any, ...]:
    """Everything else, on the caller's connection."""
    deadlines = _deadlines(conn, scope, p)
    overdue = _rows(
        conn,
        f"""WITH {scope} SELECT COUNT(*) AS n FROM cases c JOIN scope s ON s.id = c.id
        WHERE c.next_due_at IS NOT NULL AND c.paused = 0 AND c.next_due_at < :now""",
        p,
    )[0].n
    feedback = _satisfaction(
        conn,
        "feedback",
        f"""WITH {scope}, given AS MATERIALIZED (SELECT id FROM case_events
          WHERE kind = 'record_feedback' AND at >= :since AND at < :until ORDER BY id)
        SELECT json_extract(e.payload, '$.score') AS score, COUNT(*) AS n
        FROM given g JOIN case_events e ON e.id = g.id JOIN scope s ON s.id = e.case_id
        GROUP BY score""",
        p,
    )
    visits = _satisfaction(
        conn,
        "return_visit",
        f"""WITH {scope} SELECT v.score AS score, COUNT(*) AS n
        FROM return_visits v JOIN scope s ON s.id = v.case_id
        WHERE v.reached = 1 AND v.score IS NOT NULL
          AND v.visited_at >= :since AND v.visited_at < :until GROUP BY v.score""",
        p,
    )
    by_category = _rows(
        conn,
        complaints.format(cols="c.category, COUNT(*) AS n")
        + " GROUP BY c.category ORDER BY n DESC, c.category",
        p,
    )
    by_week = _rows(
        conn,
        complaints.format(
            cols="(c.received_at - :anchor) / 604800 AS week, c.category, COUNT(*) AS n"
        )
        + " GROUP BY week, c.category ORDER BY week, c.category",
        p,
    )
    months = _months(ctx, since, until)
    by_month = _rows(
        conn,
        f"""WITH {scope}, months(label, start, stop) AS (VALUES {
            ", ".join(f"('{m}', {a}, {b})" for m, a, b in months)
        }) SELECT m.label, c.category, COUNT(*) AS n FROM scope c
        JOIN months m ON c.received_at >= m.start AND c.received_at < m.stop
        WHERE c.kind = 'complaint' AND c.received_at >= :since AND c.received_at < :until
        GROUP BY m.label, c.category ORDER BY m.label, c.category""",
        p,
    )
    linked = _rows(
        conn,
        complaints.format(
            cols="COUNT(*) AS n, SUM(EXISTS (SELECT 1 FROM incident_cases i"
            " WHERE i.case_id = c.id)) AS linked"
        ),
        p,
    )[0]
    booked = _rows(
        conn,
        f"""WITH {scope}, {_MISSED}, due AS (
          SELECT a.case_id FROM appointments a JOIN scope s ON s.id = a.case_id
          WHERE a.status != 'cancelled' AND a.start_at >= :since
            AND a.start_at < :due_until
          UNION SELECT case_id FROM missed)
        SELECT (SELECT COUNT(*) FROM due) AS due, (SELECT COUNT(*) FROM missed) AS missed""",
        p,
    )[0]
    rescheduled = _rows(
        conn,
        f"""WITH {scope} SELECT COUNT(*) AS n FROM case_events e
        JOIN scope s ON s.id = e.case_id WHERE e.kind = 'reschedule_appointment'
          AND e.at >= :since AND e.at < :until""",
        p,
    )[0].n
    return (
        deadlines,
        overdue,
        feedback,
        visits,
        by_category,
        by_week,
        by_month,
        linked,
        booked,
        rescheduled,
    )


def _staff(load: list[Any], deadlines: list[Any]) -> tuple[StaffFigures, ...]:
    figures: dict[str, list[int]] = {}
    for r in load:
        figures.setdefault(r.owner, [0, 0, 0, 0])[:2] = [int(r.owned), int(r.closed)]
    for r in deadlines:
        person = figures.setdefault(r.owner, [0, 0, 0, 0])
        person[2] += int(r.counted)
        person[3] += int(r.on_time)
    return tuple(StaffFigures(name, *v) for name, v in sorted(figures.items()))


@dataclass(frozen=True)
class Segment:
    """One bar, slice or table row of the dashboard, as the cases behind it.

    figure / key:
      "milestone" (kind, milestone, "late" | "on_time" | "all") — counted in the period;
      "acknowledge" | "first_reply" | "close" () — the cases timed for that step;
      "backlog" (bucket label,); "overdue" (); "feedback" | "return_visit" (score,);
      "complaints" (); "category" (category,); "week" (Monday ISO date, category);
      "month" ("YYYY-MM", category);
      "repeat" (); "incident" (); "staff" (staff_no,); "missed" ().
    """

    figure: str
    key: tuple[str, ...] = ()


_COMPLAINTS = (
    "SELECT c.id FROM scope c WHERE c.kind = 'complaint'"
    " AND c.received_at >= :since AND c.received_at < :until"
)


def _segment_sql(segment: Segment, p: dict[str, Any]) -> str:
    """SQL after `WITH scope` selecting the ids of `segment`'s cases; binds into `p`."""
    figure, key = segment.figure, segment.key

    def need(n: int) -> None:
        if len(key) != n:
            raise ValueError(f"segment {figure!r} takes {n} key part(s), not {key!r}")

    if figure == "milestone":
        need(3)
        p["g_kind"], p["g_milestone"] = key[0], key[1]
        outcome = {"late": f"AND {_ON_TIME} = 0", "on_time": f"AND {_ON_TIME} = 1", "all": ""}
        if key[2] not in outcome:
            raise ValueError(f"unknown milestone outcome {key[2]!r}")
        return f""", {_COUNTED} SELECT DISTINCT s.id FROM counted m
          JOIN scope s ON s.id = m.case_id
          WHERE s.kind = :g_kind AND m.milestone = :g_milestone {outcome[key[2]]}"""
    if figure in ("acknowledge", "first_reply", "close"):
        need(0)
        kinds = {"acknowledge": "('acknowledge')", "first_reply": str(REPLY_KINDS)}
        step = (
            f"{_CLOSED_AT_END}"
            if figure == "close"
            else f"""EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = ends.id
                AND e.kind IN {kinds[figure]} AND e.at < :until)"""
        )
        return f", {_END_STATE} SELECT id FROM ends WHERE {step}"
    if figure == "backlog":
        need(1)
        bounds = [0, *AGE_BUCKETS_DAYS]
        ranges = {f"{a}-{b}d": (a, b) for a, b in pairwise(bounds)}
        ranges[f"{bounds[-1]}d+"] = (bounds[-1], 1_000_000)
        if key[0] not in ranges:
            raise ValueError(f"unknown backlog bucket {key[0]!r}")
        low, high = ranges[key[0]]
        p["g_low"], p["g_high"] = low * 86400, high * 86400
        return f""", {_OPEN_AT_END} SELECT id FROM ends WHERE NOT {_CLOSED_AT_END}
          AND :until - received_at >= :g_low AND :until - received_at < :g_high"""
    if figure == "overdue":
        need(0)
        return """SELECT c.id FROM cases c JOIN scope s ON s.id = c.id
          WHERE c.next_due_at IS NOT NULL AND c.paused = 0 AND c.next_due_at < :now"""
    if figure == "feedback":
        need(1)
        p["g_score"] = int(key[0])
        return """SELECT DISTINCT e.case_id FROM case_events e JOIN scope s ON s.id = e.case_id
          WHERE e.kind = 'record_feedback' AND e.at >= :since AND e.at < :until
            AND json_extract(e.payload, '$.score') = :g_score"""
    if figure == "return_visit":
        need(1)
        p["g_score"] = int(key[0])
        return """SELECT DISTINCT v.case_id FROM return_visits v JOIN scope s ON s.id = v.case_id
          WHERE v.reached = 1 AND v.score = :g_score
            AND v.visited_at >= :since AND v.visited_at < :until"""
    if figure == "complaints":
        need(0)
        return _COMPLAINTS
    if figure == "category":
        need(1)
        p["g_category"] = key[0]
        return f"{_COMPLAINTS} AND c.category = :g_category"
    if figure == "week":
        need(2)
        p["g_week_no"] = (date.fromisoformat(key[0]) - p["anchor_day"]).days // 7
        p["g_category"] = key[1]
        return f"""{_COMPLAINTS} AND c.category = :g_category
          AND (c.received_at - :anchor) / 604800 = :g_week_no"""
    if figure == "month":
        need(2)
        p["g_category"] = key[1]
        return f"""{_COMPLAINTS} AND c.category = :g_category
          AND c.received_at >= :g_month_start AND c.received_at < :g_month_stop"""
    if figure == "repeat":
        need(0)
        return f"{_COMPLAINTS} AND {_REPEAT}"
    if figure == "incident":
        need(0)
        return f"{_COMPLAINTS} AND EXISTS (SELECT 1 FROM incident_cases i WHERE i.case_id = c.id)"
    if figure == "staff":
        need(1)
        p["g_staff"] = key[0]
        return """SELECT id FROM scope WHERE owner = :g_staff
          AND received_at >= :since AND received_at < :until"""
    if figure == "missed":
        need(0)
        return f", {_MISSED} SELECT case_id FROM missed"
    raise ValueError(f"unknown dashboard figure {figure!r}")


def segment_case_ids(
    ctx: ServiceContext,
    segment: Segment,
    *,
    since: datetime,
    until: datetime,
    actor: str,
    where: QualityFilter = QualityFilter(),
    repeat_days: int = 30,
) -> tuple[int, ...]:
    """The ids of the cases behind one figure (newest first), under the same period,
    filter and rules as `report`."""
    p = _params(ctx, since, until, repeat_days)
    scope = _scope(where, p)
    if segment.figure == "month" and segment.key:
        try:
            start, stop = month_bounds(ctx, segment.key[0])
        except ValueError as exc:
            raise ValueError(f"unknown month {segment.key[0]!r}") from exc
        p["g_month_start"], p["g_month_stop"] = int(start.timestamp()), int(stop.timestamp())
    body = _segment_sql(segment, p)
    sql = f"WITH {scope}{body if body.startswith(',') else ' ' + body}"
    p.pop("anchor_day")
    with ctx.db.read() as conn:
        authorize(ctx, conn, actor, "quality.read")
        ids = {int(r[0]) for r in conn.execute(text(sql), p)}
    return tuple(sorted(ids, reverse=True))
