"""Realistic demo data: Chinese names and phone numbers, categories from the
catalogue, and full event histories across every state, produced by the real process
engine (`decide` + `apply`) and SLA clock, then written in bulk.

Demo events are not put in the sync outbox: demo data must never reach headquarters.
One audit entry records the generation itself.
"""

from __future__ import annotations

import json
import os
import random
from collections import defaultdict
from collections.abc import Callable, Generator, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypedDict
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, select, text, update

from branchdesk.calendars import WorkingCalendar
from branchdesk.domain import process
from branchdesk.domain.actions import validate_params
from branchdesk.domain.case_numbers import format_case_number
from branchdesk.domain.model import CaseKind, IntakeForm
from branchdesk.domain.process import CaseEvent, CaseSnapshot
from branchdesk.domain.sla_policy import SlaPolicy
from branchdesk.persistence import maintenance
from branchdesk.persistence.schema import Epoch, cases, staff
from branchdesk.services import demo_appointments, return_visits
from branchdesk.services.access import authorize
from branchdesk.services.auth import hash_password
from branchdesk.services.cases import format_archive_no
from branchdesk.services.context import ServiceContext
from branchdesk.services.demo_stories import (
    CLERKS,
    DEMO_STAFF,
    PATHS,
    Words,
    customer,
    received_times,
)
from branchdesk.services.recording import (
    case_columns,
    compute_milestones,
    search_body,
    short_tokens,
    write_audit,
)
from branchdesk.services.staff import insert_staff

CHUNK = 5000


class BranchIdentity(TypedDict):
    """Keyword arguments of `bootstrap.initialise` that name a branch."""

    branch_code: str
    branch_name: str
    admin_no: str
    admin_name: str
    address: str
    phone: str


#: The demo branch `branchdesk start`, `branchdesk --demo` and the screenshot tool all
#: create.
DEMO_BRANCH: BranchIdentity = {
    "branch_code": "GZ0012",
    "branch_name": "广州天河营业厅（演示）",
    "admin_no": "A001",
    "admin_name": "演示管理员",
    "address": "广州市天河区体育西路 100 号",
    "phone": "020-12345678",
}

Progress = Callable[[int, int], bool]  # (done, total) -> keep going?


@dataclass(frozen=True)
class DemoResult:
    cases: int
    events: int
    cancelled: bool
    appointments: int = 0  # booked through the real intake, beyond `cases`


def _ensure_demo_staff(
    ctx: ServiceContext, conn: Connection, actor: str, password: str | None
) -> None:
    """The demo's colleagues. With `password` they can all sign in with it (the one the
    person creating the demo chose: a demo has no default password either)."""
    existing = set(conn.execute(select(staff.c.staff_no)).scalars())
    hashed = hash_password(password) if password else None
    for staff_no, name, roles in DEMO_STAFF:
        if staff_no not in existing:
            insert_staff(ctx, conn, staff_no=staff_no, name=name, roles=roles, actor=actor)
            if hashed:
                conn.execute(
                    update(staff)
                    .where(staff.c.staff_no == staff_no)
                    .values(password_hash=hashed, password_set_at=ctx.now())
                )


@dataclass(frozen=True)
class _Spec:
    """Everything a simulation worker needs (picklable: workers may be processes)."""

    branch_code: str
    calendar: WorkingCalendar
    policy: SlaPolicy
    categories: dict[str, list[tuple[str, str]]]  # kind -> (leaf code, parent code)
    tz: ZoneInfo
    now: datetime
    seed: int


@dataclass
class _Chunk:
    """One chunk's rows, without database ids (the writer assigns those)."""

    cases: list[tuple[Any, ...]] = field(default_factory=list)
    events: list[list[tuple[Any, ...]]] = field(default_factory=list)
    milestones: list[list[tuple[Any, ...]]] = field(default_factory=list)
    search: list[tuple[Any, ...]] = field(default_factory=list)
    grams: list[str] = field(default_factory=list)
    archived_in: list[int | None] = field(default_factory=list)  # year of the archive event


ARCHIVE_MARK = "@archive-no@"


_VALIDATED: dict[tuple[Any, ...], dict[str, Any]] = {}
_SERIALISED: dict[int, str] = {}  # id() of a cached parameter dict -> its JSON


def _decide(
    case: CaseSnapshot, action: str, params: dict[str, Any], *, actor: str, at: datetime
) -> CaseEvent:
    """`process.decide`, with the parameter check done once per distinct parameter set
    (the demo repeats a few dozen of them millions of times)."""
    process.check_allowed(case, action)
    key = (action, *((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items()))
    clean = _VALIDATED.get(key)
    if clean is None:
        clean = _VALIDATED[key] = validate_params(action, params)
        _SERIALISED[id(clean)] = _dumps(clean)
    return CaseEvent(action, at, actor, clean)


def _payload_json(payload: Mapping[str, Any]) -> str:
    cached = _SERIALISED.get(id(payload))
    return cached if cached is not None else _dumps(dict(payload))


def _simulate(
    spec: _Spec, rng: random.Random, w: Words, received: datetime, number: str
) -> tuple[CaseSnapshot, list[CaseEvent]]:
    kind = rng.choices(("complaint", "service_request", "consultation"), (5, 3, 2))[0]
    code, top = rng.choice(spec.categories[kind])
    story = rng.choice(w.stories.get(code) or w.stories.get(top) or w.stories["default"])
    grade = "ordinary"
    if kind == "complaint":
        grade = rng.choices(("ordinary", "major", "urgent"), (90, 7, 3))[0]
    form = IntakeForm(
        kind=kind,
        channel=rng.choices(("walk_in", "phone", "online", "app", "letter"), (55, 20, 10, 10, 5))[
            0
        ],
        category=code,
        customer=customer(rng, w),
        summary=story["summary"],
        description=story["description"],
        remedy=story.get("remedy", "") if kind == "complaint" else "",
        grade=grade,
        received_at=received,
    )
    event = process.intake_event(form, number=number, actor=rng.choice(CLERKS), entered_at=received)
    case = process.apply(None, event)
    events = [event]
    at = received
    for action, params, delay in PATHS[kind](rng):
        at = at + delay
        if at >= spec.now:
            break
        actor = case.owner if action not in ("approve_escalation", "archive") else "M301"
        ev = _decide(case, action, params, actor=actor, at=at)
        if action == "archive":
            # Archive numbers are gapless per year across all chunks: the writer, which
            # sees the chunks in order, replaces this mark with the real number.
            ev = CaseEvent(ev.kind, ev.at, ev.actor, {**ev.payload, "archive_no": ARCHIVE_MARK})
        case = process.apply(case, ev)
        events.append(ev)
    if rng.random() < 0.02 and "cancel" in process.allowed_actions(case):
        when = min(spec.now - timedelta(seconds=1), at + timedelta(hours=1))
        ev = process.decide(case, "cancel", {"reason": "用户撤销申请"}, actor=case.owner, at=when)
        case = process.apply(case, ev)
        events.append(ev)
    return case, events


def _epoch(value: datetime | None) -> int | None:
    return None if value is None else int(value.timestamp())


_CASE_COLUMNS = tuple(cases.c.keys())
_EPOCH_COLUMNS = {c.name for c in cases.columns if isinstance(c.type, Epoch)}
_ARCHIVE_COLUMN = _CASE_COLUMNS.index("archive_no")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _case_tuple(columns: dict[str, Any]) -> tuple[Any, ...]:
    row = dict(columns, id=None)
    for name in _EPOCH_COLUMNS:
        row[name] = _epoch(row[name])
    if row["appointment"] is not None:
        row["appointment"] = _dumps(row["appointment"])
    return tuple(row[c] for c in _CASE_COLUMNS)


def _simulate_chunk(
    spec: _Spec, index: int, received: list[datetime], numbers: list[str]
) -> _Chunk:
    rng = random.Random(spec.seed * 1_000_003 + index)
    words = Words()
    out = _Chunk()
    for at, number in zip(received, numbers, strict=True):
        case, events = _simulate(spec, rng, words, at, number)
        milestones = compute_milestones(spec.policy, spec.calendar, spec.tz, spec.now, case, events)
        out.cases.append(_case_tuple(case_columns(case, milestones)))
        out.events.append(
            [(ev.kind, _epoch(ev.at), ev.actor, _payload_json(ev.payload)) for ev in events]
        )
        out.milestones.append(
            [
                (
                    m.id,
                    m.clock,
                    _epoch(m.started_at),
                    _epoch(m.due_at),
                    _epoch(m.met_at),
                    m.provisional,
                    m.extension,
                )
                for m in milestones
            ]
        )
        out.grams.append(short_tokens(case.customer_name, case.summary))
        out.search.append(
            (
                case.number,
                case.customer_name,
                f"{case.customer_phone} {case.service_number or ''}",
                search_body(case),
            )
        )
        out.archived_in.append(
            events[-1].at.astimezone(spec.tz).year if case.archive_no == ARCHIVE_MARK else None
        )
    return out


def _write_chunk(ctx: ServiceContext, conn: Connection, chunk: _Chunk, seqs: dict[str, int]) -> int:
    """Insert one simulated chunk with fresh ids; returns the number of events."""
    case_id = int(conn.exec_driver_sql("SELECT coalesce(max(id), 0) FROM cases").scalar_one())
    event_id = int(
        conn.exec_driver_sql("SELECT coalesce(max(id), 0) FROM case_events").scalar_one()
    )
    case_rows: list[tuple[Any, ...]] = []
    event_rows: list[tuple[Any, ...]] = []
    milestone_rows: list[tuple[Any, ...]] = []
    search_rows: list[tuple[Any, ...]] = []
    gram_rows: list[tuple[int, str]] = []
    for i, row in enumerate(chunk.cases):
        case_id += 1
        values = list(row)
        values[0] = case_id
        events = chunk.events[i]
        year = chunk.archived_in[i]
        if year is not None:
            seqs[f"archive:{year}"] += 1
            archive_no = format_archive_no(ctx.branch_code, year, seqs[f"archive:{year}"])
            values[_ARCHIVE_COLUMN] = archive_no
            kind, at, actor, payload = events[-1]
            events = [*events[:-1], (kind, at, actor, payload.replace(ARCHIVE_MARK, archive_no))]
        case_rows.append(tuple(values))
        for seq, (kind, at, actor, payload) in enumerate(events, start=1):
            event_id += 1
            event_rows.append((event_id, case_id, seq, kind, at, at, actor, payload))
        milestone_rows.extend((case_id, *m) for m in chunk.milestones[i])
        search_rows.append((case_id, *chunk.search[i]))
        gram_rows.append((case_id, chunk.grams[i]))
    placeholders = ", ".join("?" * len(_CASE_COLUMNS))
    conn.exec_driver_sql(
        f"INSERT INTO cases ({', '.join(_CASE_COLUMNS)}) VALUES ({placeholders})", case_rows
    )
    conn.exec_driver_sql(
        "INSERT INTO case_events (id, case_id, seq, kind, at, recorded_at, actor, payload)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        event_rows,
    )
    conn.exec_driver_sql(
        "INSERT INTO case_milestones (case_id, milestone, clock, started_at, due_at, met_at,"
        " provisional, extension) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        milestone_rows,
    )
    conn.exec_driver_sql(
        "INSERT INTO case_search (rowid, number, customer, phones, body) VALUES (?, ?, ?, ?, ?)",
        search_rows,
    )
    conn.exec_driver_sql("INSERT INTO case_grams (rowid, tokens) VALUES (?, ?)", gram_rows)
    conn.execute(
        text(
            "INSERT INTO counters(name, value) VALUES (:name, :value) "
            "ON CONFLICT(name) DO UPDATE SET value = max(value, excluded.value)"
        ),
        [{"name": k, "value": v} for k, v in seqs.items()],
    )
    return len(event_rows)


def _simulated(spec: _Spec, jobs: list[tuple[int, list[datetime], list[str]]]) -> Iterator[_Chunk]:
    """The chunks in order, simulated on every core when there is enough work."""
    workers = min(os.cpu_count() or 1, len(jobs))
    if workers < 2:
        for index, received, numbers in jobs:
            yield _simulate_chunk(spec, index, received, numbers)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        # A bounded window of chunks in flight: memory stays flat for any demo size.
        pending: list[Future[_Chunk]] = [
            pool.submit(_simulate_chunk, spec, *job) for job in jobs[: workers * 2]
        ]
        for job in jobs[len(pending) :]:
            chunk = pending.pop(0).result()
            pending.append(pool.submit(_simulate_chunk, spec, *job))
            yield chunk
        for future in pending:
            yield future.result()


def generate_demo(
    ctx: ServiceContext,
    *,
    cases: int,
    actor: str,
    seed: int = 1,
    days: int = 365,
    progress: Progress | None = None,
    staff_password: str | None = None,
    appointments: bool = True,
) -> DemoResult:
    """Add `cases` demo cases received over the last `days`. Written in chunks of
    one transaction each; `progress` returning False stops after the current chunk.
    `appointments`: also book a week of visits (demo_appointments), beyond `cases`."""
    rng = random.Random(seed)
    now = ctx.now()
    with ctx.db.write() as conn:
        authorize(ctx, conn, actor, "branch.maintenance")
        _ensure_demo_staff(ctx, conn, actor, staff_password)
    times = received_times(rng, cases, now, days)
    # Counters as the database has them: "case:YYYYMMDD" and "archive:YYYY".
    seqs: dict[str, int] = defaultdict(int)
    with ctx.db.read() as conn:
        for name, value in conn.exec_driver_sql("SELECT name, value FROM counters"):
            seqs[name] = int(value)
    numbers = []
    for received in times:
        key = f"case:{received.date():%Y%m%d}"
        seqs[key] += 1
        numbers.append(format_case_number(ctx.branch_code, received.date(), seqs[key]))
    categories = {
        kind.value: [(c.code, c.parent or c.code) for c in ctx.catalogue.for_kind(kind.value)]
        for kind in CaseKind
    }
    spec = _Spec(ctx.branch_code, ctx.calendar, ctx.policy, categories, ctx.tz, now, seed)
    jobs = [
        (i, times[s : s + CHUNK], numbers[s : s + CHUNK])
        for i, s in enumerate(range(0, cases, CHUNK))
    ]
    done = events_total = 0
    cancelled = False
    chunks = _simulated(spec, jobs)
    try:
        for (_, chunk_times, _), chunk in zip(jobs, chunks, strict=False):
            with ctx.db.write() as conn:
                # Bulk inserts touch many index pages; a larger page cache for this
                # connection only (the pool's other connections keep the default).
                conn.exec_driver_sql("PRAGMA cache_size = -131072")
                written = _write_chunk(ctx, conn, chunk, seqs)
                conn.exec_driver_sql("PRAGMA cache_size = -2000")
                write_audit(
                    ctx,
                    conn,
                    actor=actor,
                    action="demo.generate",
                    case_id=None,
                    detail={"cases": len(chunk_times), "events": written, "seed": seed},
                )
            maintenance.maintain(ctx.db)
            done += len(chunk_times)
            events_total += written
            if progress is not None and not progress(done, cases):
                cancelled = done < cases
                break
    finally:
        if isinstance(chunks, Generator):
            chunks.close()
    # The bulk writer bypasses closing's own scheduling: the last days' closed cases
    # get their return visits as a real closure would have given them.
    return_visits.schedule_missing(ctx, actor=actor)
    booked = 0
    if appointments and not cancelled:
        booked = demo_appointments.book_demo_week(ctx, actor=actor, seed=seed)
    return DemoResult(cases=done, events=events_total, cancelled=cancelled, appointments=booked)
