"""Escalation follow-up at 1M cases, on a scratch copy of the cached branch: the
supervision ledger and the supervisor's reminders, the return-visit call list (visits
back-filled for the demo's closed cases by the shipped policy), and an outage with
1,000 walk-in complaints linked to one incident: the bulk resolution (one transaction
per case) and the closure letters in one batch, timed with progress shown.

Run: `python benchmarks/bench_followup.py [--queries-only]` (prepares the 1M branch
on first use)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bench_support as bs

from branchdesk.domain.incidents import IncidentDraft, Resolution
from branchdesk.domain.model import Customer, IntakeForm
from branchdesk.domain.return_visits import due_at, visit_reason
from branchdesk.services import cases, incident_bulk, incidents, return_visits, supervision
from branchdesk.services.context import ServiceContext
from branchdesk.services.incident_letters import closure_letters
from branchdesk.services.supervision import policy_of

RUNS = 30
LINKED = 1_000
ACTOR = bs.ADMIN  # the first account: administrator, manager, clerk and handler


def _measure(name: str, fn: Callable[[], Any], out: Callable[[str], None]) -> dict[str, Any]:
    for _ in range(3):
        fn()
    samples, size = [], 0
    for _ in range(RUNS):
        ms, result = bs.timed_ms(fn)
        samples.append(ms)
        size = len(result)
    s = bs.summarise(samples)
    out(bs.fmt_row(name, s, extra=f"  ({size} rows)"))
    return {**s, "rows": size}


def backfill_visits(ctx: ServiceContext, out: Callable[[str], None]) -> int:
    """Return visits for the demo's closed cases, as closing them would have scheduled:
    closures of the last 5 days still pending, older ones done."""
    rules = policy_of(ctx).return_visits
    now = ctx.now()
    with ctx.db.read() as conn:
        done = conn.exec_driver_sql("SELECT count(*) FROM return_visits").scalar_one()
        if done:
            return int(done)
        rows = conn.exec_driver_sql(
            "SELECT id, number, kind, grade, updated_at, version FROM cases"
            " WHERE state IN ('closed', 'archived')"
        ).all()
    values = []
    for case_id, number, kind, grade, updated, version in rows:
        reason = visit_reason(number, kind, grade, rules)
        if reason is None:
            continue
        closed = datetime.fromtimestamp(updated, UTC)
        due, provisional = due_at(closed, rules.within_working_days, ctx.calendar, ctx.tz)
        pending = closed > now - timedelta(days=5)
        values.append(
            (
                case_id,
                version,
                int(closed.timestamp()),
                int(due.timestamp()),
                provisional,
                reason.value,
                "pending" if pending else "done",
                int(closed.timestamp()),
            )
        )
    with ctx.db.write() as conn:
        conn.exec_driver_sql(
            "INSERT INTO return_visits(case_id, closed_seq, closed_at, due_at, provisional,"
            " reason, status, next_call_at, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)",
            values,
        )
    out(f"  back-filled {len(values):,} return visits for {len(rows):,} closed cases")
    return len(values)


def outage(ctx: ServiceContext, out: Callable[[str], None]) -> dict[str, Any]:
    started = ctx.now() - timedelta(hours=1)
    draft = IncidentDraft(
        type="network_outage",
        level=1,
        started_at=started,
        district="天河区",
        street="体育西路",
        services=["technical/network"],
        scope="体育西路沿线光缆中断",
    )
    incident = incidents.create_incident(ctx, draft, actor=ACTOR)
    t0 = time.perf_counter()
    for i in range(LINKED):
        customer = Customer(name="李四", phone=f"139{i:08d}", address=f"天河区体育西路{i}号")
        form = IntakeForm(
            kind="complaint",
            channel="walk_in",
            category="technical/network",
            customer=customer,
            summary="家里突然没有网络",
            remedy="尽快恢复",
        )
        number = cases.intake(ctx, form=form, actor=ACTOR).case.number
        incidents.link_case(ctx, incident=incident.number, number=number, actor=ACTOR)
    link_s = time.perf_counter() - t0
    out(f"  {LINKED:,} walk-in complaints taken and linked in {link_s:.1f} s")
    incidents.resolve_incident(
        ctx,
        incident.number,
        Resolution(
            root_cause="施工挖断主干光缆",
            explanation="光缆已熔接修复，服务全部恢复。",
            compensation_rule="每户减免3天月租",
            compensation_fen=1500,
        ),
        actor=ACTOR,
    )

    def shown(label: str) -> Callable[[int, int], bool]:
        start = time.perf_counter()

        def progress(done: int, total: int) -> bool:
            if done % 100 == 0 or done == total:
                out(f"    {label}: {done:,} / {total:,}  {time.perf_counter() - start:6.1f} s")
            return True

        return progress

    t0 = time.perf_counter()
    result = incident_bulk.bulk_resolve(
        ctx, incident.number, actor=ACTOR, progress=shown("resolve")
    )
    bulk_s = time.perf_counter() - t0
    out(
        f"  bulk resolution: {result.resolved:,} resolved, {result.skipped} skipped in "
        f"{bulk_s:.1f} s = {bulk_s / LINKED * 1000:.1f} ms per case (one transaction each)"
    )
    t0 = time.perf_counter()
    batch = closure_letters(ctx, incident.number, actor=ACTOR, progress=shown("letters"))
    letters_s = time.perf_counter() - t0
    out(
        f"  closure letters: {len(batch.numbers):,} letters, {batch.pages:,} pages, "
        f"{len(batch.pdf) / 1e6:.1f} MB in {letters_s:.1f} s = "
        f"{letters_s / LINKED * 1000:.1f} ms per letter (each print recorded on its case)"
    )
    return {
        "link_seconds": link_s,
        "bulk_seconds": bulk_s,
        "bulk_ms_per_case": bulk_s / LINKED * 1000,
        "letters_seconds": letters_s,
        "letters_ms_each": letters_s / LINKED * 1000,
        "letters_pdf_bytes": len(batch.pdf),
        "pages": batch.pages,
    }


def run(out: Callable[[str], None] = print, *, outage_too: bool = True) -> dict[str, Any]:
    out("Follow-up at 1M cases: ledger, reminders, call list; 1,000 linked cases resolved")
    ds = bs.prepare(1_000_000, out=out)
    out(bs.describe_dataset(ds))
    path = bs.scratch_copy(ds, "followup")
    ctx, _ = bs.open_dataset(path)
    results: dict[str, Any] = {"dataset": ds.meta, "machine": bs.machine_info()}
    try:
        with ctx.db.read() as conn:
            supervised = conn.exec_driver_sql(
                "SELECT count(*) FROM cases WHERE escalation = 'supervised' AND is_open = 1"
            ).scalar_one()
        out(f"  {supervised:,} open cases under supervision")
        results["supervised"] = supervised
        results["visits"] = backfill_visits(ctx, out)
        monitor = bs.LoadMonitor()
        results["ledger"] = _measure("ledger", lambda: supervision.ledger(ctx, actor=ACTOR), out)
        results["reminders"] = _measure(
            "reminders (one supervisor)", lambda: supervision.reminders(ctx, actor=ACTOR), out
        )
        results["call_list"] = _measure(
            "call list (today)", lambda: return_visits.call_list(ctx, actor=ACTOR), out
        )
        results["load"] = monitor.report()
        out("  " + bs.describe_load(results["load"]))
        with bs.captured_sql(ctx) as seen:
            return_visits.call_list(ctx, actor=ACTOR)
            supervision.ledger(ctx, actor=ACTOR)
        for statement, params in seen:
            if "return_visits" in statement or "escalation" in statement:
                out("  plan: " + " | ".join(bs.explain(ctx, statement, params)))
        if outage_too:
            results["outage"] = outage(ctx, out)
    finally:
        ctx.db.close()
        bs.remove_scratch(path)
    saved = bs.save_results("followup", results)
    out(f"  results saved to {saved}")
    return results


if __name__ == "__main__":
    run(outage_too="--queries-only" not in sys.argv[1:])
