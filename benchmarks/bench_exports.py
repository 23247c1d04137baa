"""Exports (issue 9): XLSX and CSV export of 100,000 cases, as a manager exports the
whole case list (personal data masked, labels in Chinese, progress reported every
chunk as the desktop's progress dialog receives it).

The data is the demo generator's realistic branch of 100,000 cases, cached like the
other benchmarks' branches (`benchmarks/.data/100000/`, made on first use in about
a minute). Each export runs in a fresh process; the time is the `export_cases` call,
from the permission check to the audited file in place. Memory: the resident set size
sampled every 10 ms during the export, its peak against the size just before (opening
the branch, with its argon2id key derivation, has its own larger peak before that).
Median of 3 runs per format; the file size is reported.

The XLSX is written by XlsxWriter in its constant_memory mode (as the product does).
For comparison, once: the same XLSX written through openpyxl's streaming (write-only)
workbook instead (`--openpyxl-runs 0` skips it).

    .venv/bin/python benchmarks/bench_exports.py [--runs 3] [--cases 100000]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bench_support as bs


def _rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as f:
        pages = int(f.read().split()[1])
    return pages * resource.getpagesize() / 1e6


class _OpenpyxlSink:
    """The XLSX through openpyxl's write-only workbook (comparison only)."""

    def __init__(self, path: Path, title: str, widths: Any, created: Any) -> None:
        from openpyxl import Workbook

        self._path = path
        self._book = Workbook(write_only=True)
        self._sheet = self._book.create_sheet(title)
        self._sheet.freeze_panes = "A2"

    def header(self, names: Any) -> None:
        self._sheet.append(list(names))

    def row(self, values: Any) -> None:
        from openpyxl.cell import WriteOnlyCell

        cells: list[Any] = []
        for value in values:
            if hasattr(value, "tzinfo") and hasattr(value, "hour"):
                cell = WriteOnlyCell(self._sheet, value=value.replace(tzinfo=None))
                cell.number_format = "yyyy-mm-dd hh:mm"
                cells.append(cell)
            else:
                cells.append(value)
        self._sheet.append(cells)

    def finish(self) -> None:
        self._book.save(str(self._path))

    def abort(self) -> None:
        pass


class _Sampler:
    """The process's resident set size, sampled in the background."""

    def __init__(self) -> None:
        self.peak = _rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, _rss_mb())

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return max(self.peak, _rss_mb())


def one_run(data: Path, fmt: str, out_dir: Path) -> dict[str, Any]:
    """In this (fresh) process: export every case of the branch once."""
    from branchdesk.services import export_files, exports

    writer = "openpyxl" if fmt == "openpyxl" else "branchdesk"
    if writer == "openpyxl":
        export_files._XlsxSink = _OpenpyxlSink  # type: ignore[assignment,misc]
        fmt = "xlsx"
    ctx, _clock = bs.open_dataset(data)
    target = out_dir / f"cases.{fmt}"
    calls = 0

    def progress(done: int, total: int) -> None:
        nonlocal calls
        calls += 1

    try:
        selection = exports.CaseSelection(description="benchmark: all cases")
        exports.count_cases(ctx, selection)  # warm the page cache like the dialog does
        before = _rss_mb()
        sampler = _Sampler()
        start = time.perf_counter()
        result = exports.export_cases(
            ctx,
            actor=bs.ADMIN,
            selection=selection,
            path=target,
            fmt=fmt,
            lang="zh_CN",
            progress=progress,
            cancelled=lambda: False,
        )
        seconds = time.perf_counter() - start
        peak = sampler.stop()
    finally:
        ctx.db.close()
    size = target.stat().st_size
    target.unlink()
    return {
        "format": fmt,
        "writer": writer,
        "rows": result.rows,
        "seconds": seconds,
        "rows_per_second": result.rows / seconds,
        "bytes": size,
        "rss_before_mb": before,
        "peak_rss_mb": peak,
        "growth_mb": peak - before,
        "progress_calls": calls,
    }


def _child(data: Path, what: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--one", str(data), what],
        capture_output=True,
        text=True,
        check=True,
    )
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def _line(label: str, f: dict[str, Any]) -> str:
    return (
        f"  {label:<14} {f['rows']:,} rows in {f['seconds']:6.2f} s"
        f" ({f['rows_per_second']:,.0f} rows/s), {f['bytes'] / 1e6:5.1f} MB,"
        f" RSS {f['rss_before_mb']:.0f} MB -> peak {f['peak_rss_mb']:.0f} MB"
        f" (+{f['growth_mb']:.0f} MB), {f['progress_calls']} progress calls"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--openpyxl-runs", type=int, default=1)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--one", nargs=2, metavar=("DATA_DIR", "FORMAT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        with tempfile.TemporaryDirectory() as tmp:
            print(json.dumps(one_run(Path(args.one[0]), args.one[1], Path(tmp))))
        return

    ds = bs.prepare(args.cases)
    print(bs.describe_dataset(ds))
    monitor = bs.LoadMonitor()
    results: dict[str, list[dict[str, Any]]] = {"xlsx": [], "csv": [], "openpyxl": []}
    for run in range(args.runs):
        for what in ("xlsx", "csv"):
            figures = _child(ds.path, what)
            results[what].append(figures)
            print(_line(f"run {run + 1} {what}", figures))
    for run in range(args.openpyxl_runs):
        figures = _child(ds.path, "openpyxl")
        results["openpyxl"].append(figures)
        print(_line(f"run {run + 1} openpyxl", figures))
    summary = {}
    for what, runs in results.items():
        if not runs:
            continue
        summary[what] = {
            "rows": runs[0]["rows"],
            "median_seconds": statistics.median(r["seconds"] for r in runs),
            "runs_seconds": [r["seconds"] for r in runs],
            "mb": statistics.median(r["bytes"] for r in runs) / 1e6,
            "rss_before_mb": statistics.median(r["rss_before_mb"] for r in runs),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
            "growth_mb": max(r["growth_mb"] for r in runs),
        }
        s = summary[what]
        print(
            f"{what}: median {s['median_seconds']:.2f} s over {len(runs)} run(s)"
            f" ({', '.join(f'{x:.2f}' for x in s['runs_seconds'])}), {s['mb']:.1f} MB file,"
            f" RSS {s['rss_before_mb']:.0f} MB before, peak {s['peak_rss_mb']:.0f} MB"
            f" (+{s['growth_mb']:.0f} MB at most)"
        )
    load = monitor.report()
    print(bs.describe_load(load))
    bs.save_results(
        "exports",
        {"summary": summary, "runs": results, "load": load, "machine": bs.machine_info()},
    )


if __name__ == "__main__":
    main()
