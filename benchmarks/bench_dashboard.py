"""The quality dashboard at 1M cases: every figure of `quality.report` for a month and
for a year (what one dashboard refresh asks of the database), the drill-down lists
behind a few figures, and the dashboard panel filling its tiles, tables and charts
from a year's report (offscreen Qt), each the median of RUNS runs after one warm-up.

Run: `python benchmarks/bench_dashboard.py [--cases 1000000] [--month-only]` (prepares the demo
branch of that size on first use, in `benchmarks/.data/<cases>/`)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bench_support as bs

from branchdesk.services import quality
from branchdesk.services.quality import Segment

RUNS = 5
YEAR_RUNS = 2  # about a minute and a half each at a million cases
ACTOR = bs.ADMIN


def _measure(
    name: str, fn: Callable[[], Any], out: Callable[[str], None], *, runs: int = RUNS
) -> dict[str, Any]:
    fn()
    samples = [bs.timed_ms(fn)[0] for _ in range(runs)]
    s = bs.summarise(samples)
    out(bs.fmt_row(name, s))
    return s


def run(cases: int, out: Callable[[str], None] = print, *, year: bool = True) -> dict[str, Any]:
    out(f"Quality dashboard at {cases:,} cases: a month and a year of figures")
    ds = bs.prepare(cases, out=out)
    out(bs.describe_dataset(ds))
    ctx, _ = bs.open_dataset(ds.path)
    tz = ctx.tz
    month = (datetime(2026, 11, 1, tzinfo=tz), datetime(2026, 12, 1, tzinfo=tz))
    whole_year = (datetime(2026, 1, 1, tzinfo=tz), datetime(2027, 1, 1, tzinfo=tz))
    results: dict[str, Any] = {"dataset": ds.meta, "machine": bs.machine_info()}
    monitor = bs.LoadMonitor()
    try:
        with ctx.db.read() as conn:
            in_year = conn.exec_driver_sql(
                "SELECT count(*) FROM cases WHERE received_at >= ? AND received_at < ?",
                (int(whole_year[0].timestamp()), int(whole_year[1].timestamp())),
            ).scalar_one()
        out(f"  {in_year:,} cases received in 2026")
        reports = {}
        periods = [("month", month)] + ([("year", whole_year)] if year else [])
        for name, (since, until) in periods:
            results[name] = _measure(
                f"all figures, {name}",
                lambda s=since, u=until: quality.report(ctx, since=s, until=u, actor=ACTOR),
                out,
                runs=RUNS if name == "month" else YEAR_RUNS,
            )
            reports[name] = quality.report(ctx, since=since, until=until, actor=ACTOR)
        r = reports["year" if year else "month"]
        out(
            f"  {'year' if year else 'month'}: {r.complaints:,} complaints,"
            f" {sum(m.counted for m in r.milestones):,} deadlines counted, {len(r.staff)} staff"
        )
        staff_no = r.staff[0].staff if r.staff else ACTOR
        for label, segment in (
            ("overdue now", Segment("overdue")),
            ("backlog 30d+", Segment("backlog", ("30d+",))),
            ("one person's cases", Segment("staff", (staff_no,))),
            ("repeat complaints", Segment("repeat")),
        ):
            results[f"drill {label}"] = _measure(
                f"case ids behind '{label}', month",
                lambda s=segment: quality.segment_case_ids(
                    ctx, s, since=month[0], until=month[1], actor=ACTOR
                ),
                out,
            )
        results["panel"] = _panel_fill(ctx, r, out)
        results["load"] = monitor.report()
        out("  " + bs.describe_load(results["load"]))
    finally:
        ctx.db.close()
    saved = bs.save_results("dashboard", results)
    out(f"  results saved to {saved}")
    return results


def _panel_fill(ctx: Any, report: quality.QualityReport, out: Callable[[str], None]) -> Any:
    """The UI side of a refresh: tiles, seven tables and nine charts from a report."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from ui.dashboard import DashboardPanel

    app = QApplication.instance() or QApplication([])
    panel = DashboardPanel(ctx, ACTOR)
    panel.resize(1280, 820)
    panel.show()
    try:
        result = _measure(
            "dashboard panel shows a year's figures", lambda: _show(app, panel, report), out
        )
    finally:
        panel.close()
        panel.worker.shutdown()
    return result


def _show(app: Any, panel: Any, report: quality.QualityReport) -> None:
    panel.show_report(report)
    app.processEvents()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--month-only", action="store_true", help="skip the year (minutes)")
    args = parser.parse_args()
    run(args.cases, year=not args.month_only)
