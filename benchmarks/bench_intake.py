"""P2: saving a new complaint (`cases.intake`: validation, the case with its first event,
SLA deadlines, both search indexes, the audit entry and the outbox row, one transaction)
on a private copy of the 200k-case branch. Every save carries its form's id, as the
desktop and `case new` save (the idempotency key: one more primary-key lookup and row);
a short series alternating saves with and without an id shows what the id costs.

The shipped connection setting is `synchronous = FULL` (every commit fsynced); that is
the measured figure. A second series with `synchronous = NORMAL` is for comparison only:
it shows how much of a save is the durable commit."""

from __future__ import annotations

import random
import statistics
import struct
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import bench_support as bs
from sqlalchemy import event

from branchdesk.domain.model import Customer, IntakeForm
from branchdesk.resources_access import read_json
from branchdesk.services import cases
from branchdesk.services.context import ServiceContext

WARM_UP = 30
SAVES = 600
CLERKS = ("C101", "C102", "C103")
AREA_CODES = ("020", "0755", "010", "021", "0757", "0760")
CHANNELS = (("walk_in", 55), ("phone", 20), ("online", 10), ("app", 10), ("letter", 5))
EVENT_PLACES = ("家中", "营业厅", "公司办公室", "小区门口", None, None, None)


class FormMaker:
    """Complaint forms as clerks fill them in: different people, phones (mobile and
    landline, typed with spaces or a +86 prefix now and then), service accounts,
    categories and stories."""

    def __init__(self, ctx: ServiceContext, seed: int) -> None:
        self.rng = random.Random(seed)
        self.words = read_json("demo/words.json")
        self.categories = [c.code for c in ctx.catalogue.for_kind("complaint")]
        self.ctx = ctx

    def _phone(self) -> str:
        rng = self.rng
        if rng.random() < 0.85:
            prefix: str = rng.choice(self.words["mobile_prefixes"])
            digits = prefix + f"{rng.randrange(10**8):08d}"
            style = rng.random()
            if style < 0.1:
                return f"+86 {digits[:3]} {digits[3:7]} {digits[7:]}"
            if style < 0.2:
                return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
            return digits
        area = rng.choice(AREA_CODES)
        local = f"{rng.randint(2, 8)}{rng.randrange(10**7):07d}"
        return f"{area}-{local}"

    def form(self) -> IntakeForm:
        rng = self.rng
        w = self.words
        code = rng.choice(self.categories)
        top = code.split("/")[0]
        stories = w["stories"].get(code) or w["stories"].get(top) or w["stories"]["default"]
        story = rng.choice(stories)
        name = rng.choice(w["surnames"]) + "".join(
            rng.choice(w["given_chars"]) for _ in range(rng.choice((1, 2, 2)))
        )
        phone = self._phone()
        service = (
            phone.replace(" ", "").replace("+86", "")
            if rng.random() < 0.6
            else f"KD{rng.randrange(10**10):010d}"
        )
        street = f"{rng.choice(w['districts'])}{rng.choice(w['streets'])}"
        address = f"{street}{rng.randint(1, 300)}号"
        today = self.ctx.now().date()
        return IntakeForm(
            kind="complaint",
            channel=rng.choices([c for c, _ in CHANNELS], [w for _, w in CHANNELS])[0],
            category=code,
            customer=Customer(name=name, phone=phone, service_number=service, address=address),
            summary=story["summary"],
            description=story["description"],
            remedy=story.get("remedy") or "要求尽快处理",
            grade=rng.choices(("ordinary", "major", "urgent"), (90, 7, 3))[0],
            event_date=today - timedelta(days=rng.randint(0, 20)) if rng.random() < 0.5 else None,
            event_place=rng.choice(EVENT_PLACES),
        )


class CommitTimer:
    """Times the DBAPI commit itself (WAL append, fsync, any automatic checkpoint) by
    wrapping the dialect's `do_commit` on this engine only."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.last_ms = 0.0
        dialect = ctx.db.engine.dialect
        original: Callable[[Any], None] = dialect.do_commit

        def do_commit(dbapi_connection: Any) -> None:
            start = time.perf_counter_ns()
            original(dbapi_connection)
            self.last_ms = (time.perf_counter_ns() - start) / 1e6

        dialect.do_commit = do_commit  # type: ignore[method-assign]


def wal_frames(ctx: ServiceContext) -> int:
    """Frames in the WAL now (mxFrame of the wal-index header, which is not encrypted).
    At or above `wal_autocheckpoint` right after a commit means that commit ran the
    automatic checkpoint (copying the WAL into the database file, with its own fsync)."""
    with open(f"{ctx.db.path}-shm", "rb") as f:
        header = f.read(20)
    return int(struct.unpack_from("=I", header, 16)[0])


@dataclass
class Series:
    totals: list[float] = field(default_factory=list)
    commits: list[float] = field(default_factory=list)
    checkpointed: list[bool] = field(default_factory=list)
    frames: list[int] = field(default_factory=list)  # WAL frames (pages) each save wrote


def _series(
    ctx: ServiceContext,
    clock: bs.FixedClock,
    maker: FormMaker,
    timer: CommitTimer,
    n: int,
    keyed: Callable[[int], bool] = lambda _i: True,
) -> Series:
    with ctx.db.read() as conn:
        threshold = int(conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one())
    out = Series()
    before = wal_frames(ctx)
    for i in range(n):
        # Saves a realistic distance apart, so deadlines and case numbers move on.
        clock.advance(maker.rng.uniform(20, 90))
        form = maker.form()
        actor = CLERKS[i % len(CLERKS)]
        key = str(uuid.uuid4()) if keyed(i) else None
        ms, _ = bs.timed_ms(lambda: cases.intake(ctx, form=form, actor=actor, key=key))  # noqa: B023
        after = wal_frames(ctx)
        out.totals.append(ms)
        out.commits.append(timer.last_ms)
        out.checkpointed.append(after >= threshold)
        # After a checkpoint the next writer starts the WAL again from frame 1.
        out.frames.append(after - before if after > before else after)
        before = after
    return out


def _report(series: Series, out: Callable[[str], None]) -> dict[str, Any]:
    total = bs.summarise(series.totals)
    commit = bs.summarise(series.commits)
    share = sum(series.commits) / sum(series.totals)
    rest = [t - c for t, c in zip(series.totals, series.commits, strict=True)]
    with_ckpt = [c for c, k in zip(series.commits, series.checkpointed, strict=True) if k]
    without = [c for c, k in zip(series.commits, series.checkpointed, strict=True) if not k]
    out(bs.fmt_row("intake, whole call", total))
    out(bs.fmt_row("  of which the commit", commit, extra=f"  ({100 * share:.0f}% of all time)"))
    out(bs.fmt_row("  everything but the commit", bs.summarise(rest)))
    if without:
        out(bs.fmt_row("  commits without a checkpoint", bs.summarise(without)))
    if with_ckpt:
        out(bs.fmt_row("  commits that ran the checkpoint", bs.summarise(with_ckpt)))
    frames = statistics.median(series.frames)
    # A save that writes many times the usual number of pages is one in which an FTS5
    # index merged its segments (automerge), inside the clerk's transaction.
    heavy = [t for t, f in zip(series.totals, series.frames, strict=True) if f > 5 * frames]
    if heavy:
        out(bs.fmt_row(f"  saves writing > {5 * frames:.0f} WAL pages", bs.summarise(heavy)))
    out(
        f"    WAL pages written per save: median {frames:.0f}; {len(with_ckpt)} of"
        f" {len(series.totals)} saves ran the automatic checkpoint"
    )
    return {
        "total": total,
        "commit": commit,
        "commit_share": share,
        "without_commit": bs.summarise(rest),
        "commit_without_checkpoint": bs.summarise(without) if without else None,
        "commit_with_checkpoint": bs.summarise(with_ckpt) if with_ckpt else None,
        "checkpoints": len(with_ckpt),
        "wal_pages_per_save": frames,
        "heavy_saves": bs.summarise(heavy) if heavy else None,
        "wal_pages_of_heavy_saves": sorted(f for f in series.frames if f > 5 * frames),
    }


def _synchronous(ctx: ServiceContext) -> int:
    with ctx.db.read() as conn:
        return int(conn.exec_driver_sql("PRAGMA synchronous").scalar_one())


def _use_normal_sync(ctx: ServiceContext) -> None:
    """Comparison only: new connections get synchronous = NORMAL after the product's
    own configuration, and the pooled FULL connections are dropped."""

    @event.listens_for(ctx.db.engine, "connect")
    def _normal(dbapi_connection: Any, record: Any) -> None:
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()

    ctx.db.engine.dispose()


def _automerge_off(ctx: ServiceContext) -> None:
    """What-if only: FTS5 stops merging index segments during writes (they would then
    have to be merged in the background, or searches slow down as segments pile up)."""
    with ctx.db.write() as conn:
        for table in ("case_search", "case_grams"):
            conn.exec_driver_sql(f"INSERT INTO {table}({table}, rank) VALUES ('automerge', 0)")


def run(out: Callable[[str], None] = print, *, what_if: bool = False) -> dict[str, Any]:
    out("P2  save a new complaint at 200k cases (target: median <= 10 ms, p99 <= 30 ms)")
    ds = bs.prepare(200_000, out=out)
    out(bs.describe_dataset(ds))
    work = bs.scratch_copy(ds, "intake")
    ctx, clock = bs.open_dataset(work)
    results: dict[str, Any] = {"dataset": ds.meta}
    try:
        timer = CommitTimer(ctx)
        maker = FormMaker(ctx, seed=2)
        monitor = bs.LoadMonitor()
        sync_full = _synchronous(ctx)
        _series(ctx, clock, maker, timer, WARM_UP)
        measured = _series(ctx, clock, maker, timer, SAVES)
        load = monitor.report()
        out(f"  synchronous = {sync_full} (2 = FULL, the shipped setting): {SAVES} saves")
        full = _report(measured, out)
        verdict = full["total"]["median"] <= 10 and full["total"]["p99"] <= 30
        out(f"  P2 {'PASS' if verdict else 'FAIL'} (shipped setting)")
        out(bs.describe_load(load))
        results["full"] = {"synchronous": sync_full, **full, "load": load, "pass": verdict}
        results["key_cost"] = _key_cost(ctx, clock, maker, timer, out)

        _use_normal_sync(ctx)
        sync_normal = _synchronous(ctx)
        monitor = bs.LoadMonitor()
        _series(ctx, clock, maker, timer, WARM_UP)
        measured = _series(ctx, clock, maker, timer, SAVES)
        load = monitor.report()
        out(f"  comparison only, NOT shipped: synchronous = {sync_normal} (1 = NORMAL)")
        normal = _report(measured, out)
        out(bs.describe_load(load))
        results["normal_comparison_only"] = {"synchronous": sync_normal, **normal, "load": load}
    finally:
        ctx.db.close()
        bs.remove_scratch(work)
    if what_if:
        results["automerge_off_what_if"] = _what_if_automerge_off(ds, out)
    return results


#: Saves in the series that alternates saves with and without a form id.
KEY_COST_SAVES = 400


def _key_cost(
    ctx: ServiceContext,
    clock: bs.FixedClock,
    maker: FormMaker,
    timer: CommitTimer,
    out: Callable[[str], None],
) -> dict[str, Any]:
    """Saves with and without the form's id, alternating on the same copy, so that both
    halves meet the same machine load and the same database."""
    series = _series(ctx, clock, maker, timer, KEY_COST_SAVES, keyed=lambda i: i % 2 == 0)
    with_key = bs.summarise(series.totals[0::2])
    without = bs.summarise(series.totals[1::2])
    out(f"  the form id's cost, {KEY_COST_SAVES} saves alternating (synchronous = FULL):")
    out(bs.fmt_row("    with a form id", with_key))
    out(bs.fmt_row("    without one", without))
    return {"with_key": with_key, "without_key": without}


def _what_if_automerge_off(ds: bs.Dataset, out: Callable[[str], None]) -> dict[str, Any]:
    work = bs.scratch_copy(ds, "intake-automerge-off")
    ctx, clock = bs.open_dataset(work)
    try:
        _automerge_off(ctx)
        timer = CommitTimer(ctx)
        maker = FormMaker(ctx, seed=2)
        monitor = bs.LoadMonitor()
        _series(ctx, clock, maker, timer, WARM_UP)
        measured = _series(ctx, clock, maker, timer, SAVES)
        load = monitor.report()
        out(
            f"  what-if, NOT shipped: synchronous = {_synchronous(ctx)} (FULL) with FTS5"
            " automerge = 0 on both search indexes (fresh copy)"
        )
        found = _report(measured, out)
        out(bs.describe_load(load))
        return {**found, "load": load}
    finally:
        ctx.db.close()
        bs.remove_scratch(work)
