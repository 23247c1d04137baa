"""Shared machinery for the case-store benchmarks: the cached demo branches under
`benchmarks/.data/<N>/`, a fixed clock, timing statistics, what else the machine was
doing while we measured, and capturing the SQL a service call runs (for the query
plans)."""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event

from branchdesk.bootstrap import DB_NAME, initialise, is_initialised, open_branch
from branchdesk.services import demo
from branchdesk.services.context import ServiceContext

HERE = Path(__file__).resolve().parent
DATA = HERE / ".data"
RESULTS = HERE / "results"

TZ = ZoneInfo("Asia/Shanghai")
#: Every benchmark runs at this instant (a Thursday morning, a working day in a year the
#: calendar knows). The demo data is generated "as of" it, so the queues hold the same
#: cases however many days after the preparation the benchmark is run.
BENCH_NOW = datetime(2026, 11, 26, 10, 0, tzinfo=TZ)
PASSPHRASE = "benchmark-passphrase-not-secret"
DEMO_SEED = 20261126
BRANCH_CODE = "GZ0012"
ADMIN = "A001"
SIZES = {"200k": 200_000, "1m": 1_000_000}


class FixedClock:
    """The service clock, standing still at `start` unless a benchmark moves it."""

    def __init__(self, start: datetime) -> None:
        self.now = start.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


# --- statistics ----------------------------------------------------------------------


def percentile(samples: list[float], p: float) -> float:
    """The p-th percentile (0–100), linear between the closest ranks."""
    ordered = sorted(samples)
    if not ordered:
        raise ValueError("no samples")
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summarise(samples_ms: list[float]) -> dict[str, float]:
    return {
        "n": len(samples_ms),
        "median": statistics.median(samples_ms),
        "p95": percentile(samples_ms, 95),
        "p99": percentile(samples_ms, 99),
        "max": max(samples_ms),
        "mean": statistics.fmean(samples_ms),
    }


def timed_ms(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter_ns()
    result = fn()
    return (time.perf_counter_ns() - start) / 1e6, result


def fmt_row(label: str, s: dict[str, float], *, extra: str = "") -> str:
    return (
        f"  {label:<34} n={int(s['n']):>4}  median {s['median']:7.2f}  p95 {s['p95']:7.2f}"
        f"  p99 {s['p99']:7.2f}  max {s['max']:7.2f} ms{extra}"
    )


# --- the machine ---------------------------------------------------------------------


def _cpu_jiffies() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs since boot."""
    with open("/proc/stat", encoding="ascii") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    total = sum(fields[:8])  # guest time is already counted in user
    return total - idle, total


def _own_cpu_seconds() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


@dataclass
class LoadMonitor:
    """How busy the rest of the machine was while a benchmark ran: all CPU time the
    kernel counted, minus this process's own (and its children's)."""

    started: float = field(default_factory=time.monotonic)
    jiffies: tuple[int, int] = field(default_factory=_cpu_jiffies)
    own: float = field(default_factory=_own_cpu_seconds)
    loadavg_before: float = field(default_factory=lambda: os.getloadavg()[0])

    def report(self) -> dict[str, float]:
        wall = time.monotonic() - self.started
        busy, total = _cpu_jiffies()
        hz = os.sysconf("SC_CLK_TCK")
        busy_s = (busy - self.jiffies[0]) / hz
        capacity_s = (total - self.jiffies[1]) / hz
        own_s = _own_cpu_seconds() - self.own
        other_s = max(0.0, busy_s - own_s)
        return {
            "wall_s": wall,
            "own_cpu_s": own_s,
            "other_cpu_s": other_s,
            # Share of the machine's total CPU capacity (all cores) used by other processes.
            "other_cpu_share": other_s / capacity_s if capacity_s else 0.0,
            "loadavg_before": self.loadavg_before,
            "loadavg_after": os.getloadavg()[0],
        }


def describe_load(load: dict[str, float]) -> str:
    return (
        f"  [machine] {load['wall_s']:.1f} s wall; other processes used "
        f"{100 * load['other_cpu_share']:.1f}% of all cores meanwhile "
        f"(load average {load['loadavg_before']:.2f} -> {load['loadavg_after']:.2f})"
    )


def machine_info() -> dict[str, Any]:
    cpu = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="ascii") as f:
        mem_kib = int(f.readline().split()[1])
    import sqlalchemy
    import sqlcipher3.dbapi2 as sqlcipher

    conn = sqlcipher.connect(":memory:")
    try:
        sqlite_version = conn.execute("SELECT sqlite_version()").fetchone()[0]
        cipher_version = conn.execute("PRAGMA cipher_version").fetchone()[0]
    finally:
        conn.close()
    disk = "unknown"
    device = _device_of(DATA if DATA.exists() else HERE)
    if device:
        rotational = Path(f"/sys/block/{device}/queue/rotational")
        model = Path(f"/sys/block/{device}/device/model")
        kind = "virtual disk" if device.startswith("vd") else "disk"
        disk = f"/dev/{device} ({kind}"
        if model.exists() and model.read_text().strip():
            disk += f", {model.read_text().strip()}"
        if rotational.exists():
            disk += ", reports rotational=" + rotational.read_text().strip()
        disk += ")"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": round(mem_kib / 1024 / 1024, 1),
        "disk": disk,
        "kernel": platform.release(),
        "python": sys.version.split()[0],
        "sqlite": sqlite_version,
        "sqlcipher": cipher_version,
        "sqlalchemy": sqlalchemy.__version__,
    }


def _device_of(path: Path) -> str | None:
    """The block device (e.g. "vda") holding `path`, from /proc/self/mountinfo."""
    dev = os.stat(path).st_dev
    major, minor = os.major(dev), os.minor(dev)
    sys_dev = Path(f"/sys/dev/block/{major}:{minor}")
    if not sys_dev.exists():
        return None
    name = sys_dev.resolve().name
    # A partition's parent directory is the whole disk.
    parent = sys_dev.resolve().parent.name
    return parent if Path(f"/sys/block/{parent}").exists() else name


def git_state() -> dict[str, Any]:
    """Which code was measured: the commit, and the core files with uncommitted edits."""

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", *args], cwd=HERE.parent, capture_output=True, text=True, check=False
        )
        return done.stdout.rstrip("\n")

    return {
        "head": git("rev-parse", "--short", "HEAD").strip(),
        "dirty_core_files": [
            line[3:] for line in git("status", "--porcelain", "--", "branchdesk").splitlines()
        ],
    }


# --- the demo branches ---------------------------------------------------------------


@dataclass(frozen=True)
class Dataset:
    cases: int
    path: Path
    meta: dict[str, Any]


def dataset_dir(cases: int) -> Path:
    return DATA / str(cases)


def db_bytes(data_dir: Path) -> dict[str, int]:
    db = data_dir / DB_NAME
    wal = Path(f"{db}-wal")
    return {"db": db.stat().st_size, "wal": wal.stat().st_size if wal.exists() else 0}


def checkpoint(ctx: ServiceContext) -> None:
    """Move the WAL into the main file, so that sizes and copies are of the whole data."""
    with ctx.db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").all()


def open_dataset(path: Path, *, at: datetime = BENCH_NOW) -> tuple[ServiceContext, FixedClock]:
    ctx = open_branch(path, passphrase=PASSPHRASE)
    clock = FixedClock(at)
    ctx.clock = clock
    return ctx, clock


def prepare(cases: int, *, out: Callable[[str], None] = print, path: Path | None = None) -> Dataset:
    """The cached demo branch of `cases` cases, generated (and timed) on first use
    (in `path` instead of the cache, for a fresh measurement of the generation)."""
    path = path or dataset_dir(cases)
    meta_file = path / "meta.json"
    if meta_file.exists() and is_initialised(path):
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        out(f"  using cached {cases:,}-case branch in {path} (made {meta['generated_on']})")
        return Dataset(cases, path, meta)
    free = shutil.disk_usage(DATA.parent).free
    # The demo takes about 2.7 GB per million cases; ask for some room beyond that.
    needed = int(cases * 3_200)
    if free < needed:
        raise SystemExit(
            f"not enough disk for a {cases:,}-case branch: {free / 1e9:.1f} GB free, "
            f"about {needed / 1e9:.1f} GB needed"
        )
    if path.exists():
        # A preparation that did not finish (no meta.json): start again.
        shutil.rmtree(path)
    DATA.mkdir(parents=True, exist_ok=True)
    out(f"  preparing a {cases:,}-case demo branch in {path} (one time)")
    ctx, _ = initialise(
        path,
        branch_code=BRANCH_CODE,
        branch_name="广州天河营业厅",
        admin_no=ADMIN,
        admin_name="管理员",
        admin_password="Counter#2026",
        passphrase=PASSPHRASE,
        use_keyring=False,
    )
    clock = FixedClock(BENCH_NOW)
    ctx.clock = clock
    marks = {"next": 0.1}
    start = time.perf_counter()
    monitor = LoadMonitor()

    def progress(done: int, total: int) -> bool:
        if done >= total * marks["next"]:
            elapsed = time.perf_counter() - start
            rate = done / elapsed
            out(f"    {done:>9,} / {total:,} cases  {elapsed:6.1f} s  {rate:8.0f} cases/s")
            marks["next"] += 0.1
        return True

    try:
        result = demo.generate_demo(
            ctx, cases=cases, actor=ADMIN, seed=DEMO_SEED, days=365, progress=progress
        )
        elapsed = time.perf_counter() - start
        load = monitor.report()
        checkpoint(ctx)
        with ctx.db.read() as conn:
            events = conn.exec_driver_sql("SELECT count(*) FROM case_events").scalar_one()
            open_cases = conn.exec_driver_sql(
                "SELECT count(*) FROM cases WHERE is_open = 1"
            ).scalar_one()
            on_clock = conn.exec_driver_sql(
                "SELECT count(*) FROM cases WHERE next_due_at IS NOT NULL AND paused = 0"
            ).scalar_one()
            page_size = conn.exec_driver_sql("PRAGMA page_size").scalar_one()
    finally:
        ctx.db.close()
    sizes = db_bytes(path)
    total_bytes = sizes["db"] + sizes["wal"]
    meta = {
        "cases": result.cases,
        "events": int(events),
        "open_cases": int(open_cases),
        "on_clock": int(on_clock),
        "seed": DEMO_SEED,
        "as_of": BENCH_NOW.isoformat(),
        "generated_on": datetime.now(UTC).astimezone(TZ).isoformat(timespec="seconds"),
        "generate_seconds": elapsed,
        "cases_per_second": result.cases / elapsed,
        "events_per_second": result.events / elapsed,
        "db_bytes": sizes["db"],
        "wal_bytes": sizes["wal"],
        "page_size": int(page_size),
        "mb_per_100k_cases": total_bytes / 1e6 / (result.cases / 100_000),
        "load": load,
        "machine": machine_info(),
        "code": git_state(),
    }
    (path / "meta.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
    out(
        f"  generated {result.cases:,} cases ({result.events:,} events) in {elapsed:.1f} s:"
        f" {meta['cases_per_second']:,.0f} cases/s"
    )
    out(describe_load(load))
    return Dataset(cases, path, meta)


def describe_dataset(ds: Dataset) -> str:
    m = ds.meta
    size_mb = (m["db_bytes"] + m["wal_bytes"]) / 1e6
    return (
        f"  {m['cases']:,} cases, {m['events']:,} events, {m['open_cases']:,} open "
        f"({m['on_clock']:,} on an SLA clock); demo generation {m['cases_per_second']:,.0f} "
        f"cases/s ({m['generate_seconds']:.1f} s); database {size_mb:,.0f} MB after "
        f"checkpoint = {m['mb_per_100k_cases']:.1f} MB per 100k cases"
    )


def scratch_copy(ds: Dataset, name: str) -> Path:
    """A private copy of a cached branch, for benchmarks that write to it."""
    target = DATA / "scratch" / name
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for item in ds.path.iterdir():
        if item.name.startswith(DB_NAME) or item.name == "branchdesk.json":
            shutil.copy2(item, target / item.name)
    return target


def remove_scratch(path: Path) -> None:
    """Delete a scratch copy (they are 0.6–3 GB each)."""
    if path.parent == DATA / "scratch":
        shutil.rmtree(path, ignore_errors=True)


# --- the SQL a service call runs -----------------------------------------------------


@contextmanager
def captured_sql(ctx: ServiceContext) -> Iterator[list[tuple[str, Any]]]:
    """Every statement the engine sends while the block runs, with its parameters."""
    seen: list[tuple[str, Any]] = []

    def before(
        conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> None:
        seen.append((statement, parameters))

    event.listen(ctx.db.engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(ctx.db.engine, "before_cursor_execute", before)


def explain(ctx: ServiceContext, statement: str, parameters: Any) -> list[str]:
    """EXPLAIN QUERY PLAN of one captured statement, as indented lines."""
    with ctx.db.read() as conn:
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
    depth: dict[int, int] = {0: -1}
    lines = []
    for node_id, parent, _, detail in rows:
        depth[node_id] = depth.get(parent, -1) + 1
        lines.append("  " * depth[node_id] + str(detail))
    return lines


def save_results(name: str, payload: dict[str, Any]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).astimezone(TZ).strftime("%Y%m%d-%H%M%S")
    target = RESULTS / f"{stamp}-{name}.json"
    target.write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
    return target
