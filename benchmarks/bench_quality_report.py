"""The printed service-quality report of one month on a demo branch: the figures query
(`quality.report`) and the rendering (`render_quality_report`) timed apart, then the
whole print (`quality_report_pdf`: figures, audit entry, rendering), each the median of
RUNS runs after one warm-up.

Run: `python benchmarks/bench_quality_report.py [--cases 20000] [--month 2026-10]
[--out report.pdf]` (prepares the demo branch of that size on first use, in
`benchmarks/.data/<cases>/`)."""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bench_support as bs

from branchdesk.documents.fonts import register_fonts
from branchdesk.documents.quality_report import render_quality_report
from branchdesk.services import quality
from branchdesk.services.access import authorize
from branchdesk.services.quality_reports import (
    in_policy_order,
    month_period,
    print_request,
    quality_report_pdf,
)

RUNS = 5
T = TypeVar("T")
ACTOR = bs.ADMIN


def _median_ms(fn: Callable[[], T], runs: int = RUNS) -> tuple[float, list[float], T]:
    result = fn()  # warm-up
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), samples, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--month", default="2026-10")
    parser.add_argument("--out", help="also write the zh_CN report here")
    args = parser.parse_args()
    ds = bs.prepare(args.cases)
    print(bs.describe_dataset(ds))
    # The whole print writes an audit entry: on a scratch copy, never the cached branch.
    scratch = bs.scratch_copy(ds, "quality_report")
    ctx, _clock = bs.open_dataset(scratch)
    year, month = (int(p) for p in args.month.split("-"))
    since, until = month_period(ctx, year, month)
    monitor = bs.LoadMonitor()
    try:
        register_fonts()
        with ctx.db.read() as conn:
            received = conn.exec_driver_sql(
                "SELECT count(*) FROM cases WHERE received_at >= ? AND received_at < ?",
                (int(since.timestamp()), int(until.timestamp())),
            ).scalar_one()
        print(f"  month {args.month}: {received:,} cases received")
        q_ms, q_all, figures = _median_ms(
            lambda: quality.report(ctx, since=since, until=until, actor=ACTOR)
        )
        print(f"  figures query     median {q_ms:8.1f} ms  {[round(x) for x in q_all]}")
        report = in_policy_order(ctx, figures)
        for lang in ("zh_CN", "en"):
            with ctx.db.read() as conn:
                who = authorize(ctx, conn, ACTOR, "quality.read")
                request = print_request(ctx, conn, who, lang, quality.QualityFilter())
            r_ms, r_all, pdf = _median_ms(partial(render_quality_report, report, request))
            size = len(pdf)
            print(
                f"  render {lang:<6}     median {r_ms:8.1f} ms  {[round(x) for x in r_all]}"
                f"  ({size / 1024:.0f} KB)"
            )
            if args.out and lang == "zh_CN":
                Path(args.out).write_bytes(pdf)
        w_ms, w_all, _ = _median_ms(
            lambda: quality_report_pdf(ctx, actor=ACTOR, since=since, until=until, lang="zh_CN")
        )
        print(f"  whole print zh_CN median {w_ms:8.1f} ms  {[round(x) for x in w_all]}")
    finally:
        ctx.db.close()
        bs.remove_scratch(scratch)
    print(bs.describe_load(monitor.report()))


if __name__ == "__main__":
    main()
