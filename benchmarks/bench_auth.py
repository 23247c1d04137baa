"""Sign-in and the audit trail: what they cost.

- Sign-in with the production argon2id hasher (`auth.HASHER`, as shipped): the right
  password, a wrong one and an unknown staff number (which must cost the same, so that
  timing does not tell which numbers exist); median of 20 each, plus the bare hash.
- The audit entry's share of a case save: P2's method (`cases.intake` of varied
  complaints on a private copy of the 200k-case branch, `synchronous = FULL`, its
  audit log first filled with one entry per case event, 1.75M), in
  alternating blocks with the audit write as shipped and with `write_audit` replaced
  by a no-op, so that both series see the same database growth and machine load.
- `verify_chain` over 1M audit entries: a scratch branch whose chain is filled with
  realistic entries (hashed with `audit_hash`, inserted in batches), verified 3 times.
"""

from __future__ import annotations

import json
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import bench_intake
import bench_support as bs
from argon2 import extract_parameters

from branchdesk.bootstrap import initialise
from branchdesk.services import audit, auth, cases, recording, staff
from branchdesk.services.context import ServiceContext
from branchdesk.services.recording import GENESIS_HASH, audit_hash

PASSWORD = "Counter#2026"
SIGN_INS = 20
WARM_UP_SAVES = 30
BLOCK = 50
BLOCKS_PER_SERIES = 12  # 600 saves with the audit entry, 600 without
AUDIT_ENTRIES = 1_000_000
INSERT_BATCH = 50_000
VERIFY_RUNS = 3


def _scratch_branch(folder: Path) -> ServiceContext:
    ctx, _ = initialise(
        folder,
        branch_code=bs.BRANCH_CODE,
        branch_name="广州天河营业厅",
        admin_no=bs.ADMIN,
        admin_name="管理员",
        admin_password=PASSWORD,
        passphrase=bs.PASSPHRASE,
        use_keyring=False,
    )
    ctx.clock = bs.FixedClock(bs.BENCH_NOW)
    return ctx


# --- sign-in ---------------------------------------------------------------------------------


def _sign_in_series(fn: Callable[[], Any]) -> dict[str, float]:
    fn()  # warm-up: first use of the 64 MiB buffers
    samples = [bs.timed_ms(fn)[0] for _ in range(SIGN_INS)]
    return bs.summarise(samples)


def _refused(ctx: ServiceContext, staff_no: str, password: str) -> None:
    try:
        auth.sign_in(ctx, staff_no=staff_no, password=password)
    except auth.SignInError:
        return
    raise AssertionError("sign-in should have been refused")


def sign_in_times(out: Callable[[str], None]) -> dict[str, Any]:
    h = auth.HASHER
    out(
        f"Sign-in with the production hasher: argon2id t={h.time_cost}, "
        f"m={h.memory_cost // 1024} MiB, p={h.parallelism} (median of {SIGN_INS})"
    )
    with tempfile.TemporaryDirectory() as folder:
        ctx = _scratch_branch(Path(folder) / "branch")
        try:
            stored = extract_parameters(staff_accounts_hash(ctx))
            assert (stored.time_cost, stored.memory_cost) == (h.time_cost, h.memory_cost)
            monitor = bs.LoadMonitor()
            right = _sign_in_series(lambda: auth.sign_in(ctx, staff_no=bs.ADMIN, password=PASSWORD))

            # A right sign-in after each wrong one keeps the account from locking;
            # only the wrong one is timed (the first is a warm-up).
            wrong_samples = []
            for _ in range(SIGN_INS + 1):
                wrong_samples.append(bs.timed_ms(lambda: _refused(ctx, bs.ADMIN, "Wrong#1x"))[0])
                auth.sign_in(ctx, staff_no=bs.ADMIN, password=PASSWORD)
            wrong = bs.summarise(wrong_samples[1:])
            unknown = _sign_in_series(lambda: _refused(ctx, "Z999", PASSWORD))
            hash_only = _sign_in_series(lambda: h.hash(PASSWORD))
            verify_only = _sign_in_series(lambda: h.verify(staff_accounts_hash(ctx), PASSWORD))
            load = monitor.report()
        finally:
            ctx.db.close()
    out(bs.fmt_row("sign_in, right password", right))
    out(bs.fmt_row("sign_in, wrong password", wrong))
    out(bs.fmt_row("sign_in, unknown staff number", unknown))
    out(bs.fmt_row("argon2id hash alone", hash_only))
    out(bs.fmt_row("argon2id verify alone", verify_only))
    out(bs.describe_load(load))
    return {
        "parameters": {
            "type": "argon2id",
            "time_cost": h.time_cost,
            "memory_cost_kib": h.memory_cost,
            "parallelism": h.parallelism,
        },
        "right_password": right,
        "wrong_password": wrong,
        "unknown_staff": unknown,
        "hash_only": hash_only,
        "verify_only": verify_only,
        "load": load,
    }


def staff_accounts_hash(ctx: ServiceContext) -> str:
    from sqlalchemy import select

    from branchdesk.persistence.schema import staff as staff_table

    with ctx.db.read() as conn:
        value = conn.execute(
            select(staff_table.c.password_hash).where(staff_table.c.staff_no == bs.ADMIN)
        ).scalar_one()
    return str(value)


# --- the audit entry in a case save --------------------------------------------------------


def _no_audit(*args: Any, **kwargs: Any) -> None:
    return None


def audit_cost_in_p2(out: Callable[[str], None]) -> dict[str, Any]:
    out(
        "Audit entry's cost in P2 (intake of a complaint at 200k cases, synchronous = FULL): "
        f"alternating blocks of {BLOCK}, {BLOCK * BLOCKS_PER_SERIES} saves each way"
    )
    ds = bs.prepare(200_000, out=out)
    out(bs.describe_dataset(ds))
    work = bs.scratch_copy(ds, "auth-p2")
    ctx, clock = bs.open_dataset(work)
    # The demo generator writes cases in bulk, without an audit entry per event; a
    # branch that took those cases through the services would have one per event. The
    # audit table and its three indexes are filled to that size first.
    backfill = int(ds.meta["events"])
    fill_audit_log(ctx, backfill, out)
    bs.checkpoint(ctx)
    shipped = recording.write_audit
    audit_ms: list[float] = []

    def timed_write_audit(*args: Any, **kwargs: Any) -> None:
        start = time.perf_counter_ns()
        shipped(*args, **kwargs)
        audit_ms.append((time.perf_counter_ns() - start) / 1e6)

    series: dict[str, list[float]] = {"with": [], "without": []}
    try:
        maker = bench_intake.FormMaker(ctx, seed=2)
        monitor = bs.LoadMonitor()
        for i in range(WARM_UP_SAVES):
            clock.advance(maker.rng.uniform(20, 90))
            form = maker.form()
            cases.intake(ctx, form=form, actor=bench_intake.CLERKS[i % 3])
        for block in range(2 * BLOCKS_PER_SERIES):
            arm = "with" if block % 2 == 0 else "without"
            recording.write_audit = timed_write_audit if arm == "with" else _no_audit
            for i in range(BLOCK):
                clock.advance(maker.rng.uniform(20, 90))
                form = maker.form()
                actor = bench_intake.CLERKS[i % 3]
                ms, _ = bs.timed_ms(lambda: cases.intake(ctx, form=form, actor=actor))  # noqa: B023
                series[arm].append(ms)
        load = monitor.report()
        with ctx.db.read() as conn:
            entries = int(conn.exec_driver_sql("SELECT count(*) FROM audit_log").scalar_one())
    finally:
        recording.write_audit = shipped
        ctx.db.close()
        bs.remove_scratch(work)
    with_audit = bs.summarise(series["with"])
    without = bs.summarise(series["without"])
    inside = bs.summarise(audit_ms)
    diff = with_audit["median"] - without["median"]
    out(bs.fmt_row("intake with the audit entry", with_audit))
    out(bs.fmt_row("intake, write_audit a no-op", without))
    out(bs.fmt_row("write_audit itself (in the save)", inside))
    out(
        f"  difference of medians {diff:+.2f} ms ({100 * diff / without['median']:+.1f}%); "
        f"audit_log held {entries:,} entries at the end"
    )
    out(bs.describe_load(load))
    return {
        "dataset": ds.meta,
        "with_audit": with_audit,
        "without_audit": without,
        "write_audit_call": inside,
        "median_difference_ms": diff,
        "audit_entries_at_end": entries,
        "load": load,
    }


# --- verifying a million entries -------------------------------------------------------------


def _entries(
    rng: random.Random, start_at: int, workstation: str, case_ids: list[tuple[int, str]]
) -> Iterator[dict[str, Any]]:
    """Audit entries as a busy branch writes them: case events, reveals, sign-ins,
    failures, prints, with the details the services record."""
    at = start_at
    staff_nos = ("A001", "C101", "C102", "C103", "H201", "H202", "M301")
    while True:
        at += rng.randint(1, 40)
        actor = rng.choice(staff_nos)
        roll = rng.random()
        case_id: int | None = None
        detail: Mapping[str, Any]
        if roll < 0.55:
            case_id, number = rng.choice(case_ids)
            kind = rng.choice(("received", "acknowledge", "assign", "add_note", "resolve"))
            action = f"case.{kind}"
            detail = {"number": number, "seq": rng.randint(1, 12)}
        elif roll < 0.65:
            case_id, number = rng.choice(case_ids)
            action = "pii.reveal"
            detail = {"number": number, "fields": ["phone", "service_number"]}
        elif roll < 0.72:
            case_id, number = rng.choice(case_ids)
            action = "case.print"
            detail = {"number": number, "document": "receipt", "copy_no": rng.randint(1, 3)}
        elif roll < 0.92:
            action = "auth.sign_in"
            detail = {"method": "password"}
        else:
            action = "auth.sign_in_failed"
            detail = {"staff_no": actor, "reason": "wrong_password", "failures": 1}
        yield {
            "at": at,
            "actor": actor,
            "workstation": workstation,
            "action": action,
            "case_id": case_id,
            "detail": dict(detail),
        }


def fill_audit_log(ctx: ServiceContext, n: int, out: Callable[[str], None]) -> float:
    """Append `n` correctly chained entries after the current head; seconds taken."""
    # A few real cases for the entries to point at (case_id is a foreign key).
    form = bench_intake.FormMaker(ctx, seed=7)
    case_ids = []
    for _ in range(50):
        view = cases.intake(ctx, form=form.form(), actor=bs.ADMIN)
        case_ids.append((view.id, view.case.number))
    with ctx.db.read() as conn:
        head = audit.audit_head(conn)
    prev = head.hash if head else GENESIS_HASH
    started = time.perf_counter()
    rng = random.Random(11)
    entries = _entries(rng, int(bs.BENCH_NOW.timestamp()), ctx.workstation, case_ids)
    raw = ctx.db.engine.raw_connection()
    try:
        cur = raw.cursor()
        done = 0
        while done < n:
            rows = []
            for _ in range(min(INSERT_BATCH, n - done)):
                entry = next(entries)
                digest = audit_hash(prev, entry)
                rows.append(
                    (
                        entry["at"],
                        entry["actor"],
                        entry["workstation"],
                        entry["action"],
                        entry["case_id"],
                        json.dumps(entry["detail"], ensure_ascii=False, separators=(",", ":")),
                        prev,
                        digest,
                    )
                )
                prev = digest
            cur.execute("BEGIN IMMEDIATE")
            cur.executemany(
                "INSERT INTO audit_log (at, actor, workstation, action, case_id, detail, "
                "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            cur.execute("COMMIT")
            done += len(rows)
        cur.close()
    finally:
        raw.close()
    seconds = time.perf_counter() - started
    out(f"  wrote {n:,} chained entries in {seconds:.1f} s ({n / seconds:,.0f}/s)")
    return seconds


def verify_rate(out: Callable[[str], None]) -> dict[str, Any]:
    out(f"verify_chain over {AUDIT_ENTRIES:,} audit entries (median of {VERIFY_RUNS} runs)")
    target = bs.DATA / "scratch" / "auth-verify"
    if target.exists():
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    ctx = _scratch_branch(target)
    try:
        staff.add_staff(ctx, staff_no="C101", name="陈小梅", roles=("clerk",), actor=bs.ADMIN)
        fill_seconds = fill_audit_log(ctx, AUDIT_ENTRIES, out)
        bs.checkpoint(ctx)
        size_mb = sum(bs.db_bytes(target).values()) / 1e6
        monitor = bs.LoadMonitor()
        runs = []
        checked = 0
        for _ in range(VERIFY_RUNS):
            started = time.perf_counter()
            report = audit.verify_chain(ctx, actor=bs.ADMIN)
            runs.append(time.perf_counter() - started)
            assert report.ok, report.breaks[:3]
            checked = report.checked
        load = monitor.report()
    finally:
        ctx.db.close()
        bs.remove_scratch(target)
    median_s = statistics.median(runs)
    out(
        f"  verified {checked:,} entries: median {median_s:.2f} s "
        f"(runs {', '.join(f'{r:.2f}' for r in runs)}) = {checked / median_s:,.0f} entries/s; "
        f"database {size_mb:,.0f} MB"
    )
    out(bs.describe_load(load))
    return {
        "entries": checked,
        "fill_seconds": fill_seconds,
        "runs_s": runs,
        "median_s": median_s,
        "entries_per_second": checked / median_s,
        "database_mb": size_mb,
        "load": load,
    }


def run(out: Callable[[str], None] = print) -> dict[str, Any]:
    out(f"Sign-in and audit trail ({datetime.now(bs.TZ):%Y-%m-%d %H:%M})")
    results: dict[str, Any] = {"sign_in": sign_in_times(out)}
    out("")
    results["audit_in_p2"] = audit_cost_in_p2(out)
    out("")
    results["verify"] = verify_rate(out)
    return results


if __name__ == "__main__":
    run()
