"""Run the case-store benchmarks: `python benchmarks/run.py all`, or one of `prepare`,
`intake` (P2), `search` (P3), `queues` (P4, lists, one case), `demo-rate`, `auth`
(sign-in, the audit entry's cost in P2, verify over 1M entries); `--plans`
(alone or with a benchmark) prints the query plans. See benchmarks/README.md."""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_support as bs


def _prepare(out: Callable[[str], None]) -> dict[str, Any]:
    out("Demo branches (cached under benchmarks/.data/<N>/)")
    found = {}
    for cases in bs.SIZES.values():
        ds = bs.prepare(cases, out=out)
        out(bs.describe_dataset(ds))
        found[str(cases)] = ds.meta
    return found


def _demo_rate(out: Callable[[str], None], cases: int) -> dict[str, Any]:
    """A fresh demo generation in a scratch directory, timed and then deleted: the
    generation rate re-measured without touching the cached branches."""
    out(f"Demo generation rate: {cases:,} fresh cases in a scratch branch")
    target = bs.DATA / "scratch" / "demo-rate"
    if target.exists():
        shutil.rmtree(target)
    ds = bs.prepare(cases, out=out, path=target)
    out(bs.describe_dataset(ds))
    shutil.rmtree(target)
    return ds.meta


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "what",
        nargs="?",
        choices=(
            "all",
            "prepare",
            "intake",
            "search",
            "queues",
            "demo-rate",
            "desktop",
            "documents",
            "auth",
        ),
        help="which benchmark (default: none, with --plans only the plans)",
    )
    parser.add_argument("--plans", action="store_true", help="print EXPLAIN QUERY PLAN")
    parser.add_argument(
        "--what-if",
        action="store_true",
        help="intake: also time saves with FTS5 automerge off (diagnosis, not shipped)",
    )
    parser.add_argument(
        "--cases", type=int, default=200_000, help="demo-rate: how many cases (default 200k)"
    )
    parser.add_argument(
        "--pages",
        type=int,
        default=None,
        help="desktop: scroll only this many pages (default: the whole list)",
    )
    args = parser.parse_args(argv)
    if args.what is None and not args.plans:
        parser.error("say which benchmark to run, or --plans")

    def out(line: str) -> None:
        print(line, flush=True)

    started = time.perf_counter()
    info = bs.machine_info()
    code = bs.git_state()
    out(
        f"{info['cpu']}, {info['cores']} cores, {info['ram_gib']} GiB; Python {info['python']},"
        f" SQLite {info['sqlite']} / SQLCipher {info['sqlcipher']}; commit {code['head']}"
        + (f" (edited: {', '.join(code['dirty_core_files'])})" if code["dirty_core_files"] else "")
    )
    results: dict[str, Any] = {"machine": info, "code": code}
    what = args.what
    if what in ("all", "prepare"):
        results["datasets"] = _prepare(out)
    if what == "demo-rate":
        results["demo_rate"] = _demo_rate(out, args.cases)
    if what in ("all", "intake"):
        import bench_intake

        out("")
        results["P2"] = bench_intake.run(out, what_if=args.what_if)
    if what in ("all", "search"):
        import bench_search

        out("")
        results["P3"] = bench_search.run(out)
    if what in ("all", "queues"):
        import bench_queues

        out("")
        results["P4"] = bench_queues.run(out)
    if what == "documents":
        import bench_documents

        out("")
        results["P6"] = bench_documents.run(out)
    if what == "auth":  # not in "all": it writes a 1M-entry scratch branch
        import bench_auth

        out("")
        results["auth"] = bench_auth.run(out)
    if what == "desktop":  # not in "all": it needs the Qt libraries and takes a while
        import bench_desktop

        out("")
        results["desktop"] = bench_desktop.run(out, pages=args.pages)
    if args.plans:
        import bench_plans

        out("")
        results["plans"] = bench_plans.run(out)
    results["wall_seconds"] = time.perf_counter() - started
    saved = bs.save_results(what or "plans", results)
    where = saved.relative_to(bs.HERE.parent)
    out(f"\nDone in {results['wall_seconds']:.0f} s; results in {where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
