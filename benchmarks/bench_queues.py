"""P4 and the case list at 1M cases: the SLA queues (overdue, due today, due within
4 hours, their counts, for the whole branch and for one handler), `list_cases` first
and deep pages, and opening one case (`cases.get_case`)."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import bench_support as bs

from branchdesk.services import cases, queries
from branchdesk.services.context import ServiceContext

RUNS = 60
WARM_UP = 5
GET_CASE = 100
#: Extra list pages, for the case-list scrolling target (P5); fewer runs, they are slow.
EXTRA_RUNS = 10


def _busiest_handler(ctx: ServiceContext) -> tuple[str, int]:
    """The owner with the most cases on an SLA clock: the hardest per-owner queue."""
    with ctx.db.read() as conn:
        row = conn.exec_driver_sql(
            "SELECT owner, count(*) FROM cases WHERE next_due_at IS NOT NULL AND paused = 0"
            " GROUP BY owner ORDER BY count(*) DESC LIMIT 1"
        ).one()
    return str(row[0]), int(row[1])


def _measure(
    name: str, fn: Callable[[], Any], runs: int, out: Callable[[str], None], warm_up: int = WARM_UP
) -> dict[str, Any]:
    for _ in range(warm_up):
        fn()
    samples = []
    size = 0
    for _ in range(runs):
        ms, result = bs.timed_ms(fn)
        samples.append(ms)
        size = len(result)
    s = bs.summarise(samples)
    out(bs.fmt_row(name, s, extra=f"  ({size} rows)"))
    return {**s, "rows": size}


def _numbers(ctx: ServiceContext, n: int) -> list[str]:
    rng = random.Random(21)
    with ctx.db.read() as conn:
        top = int(conn.exec_driver_sql("SELECT max(id) FROM cases").scalar_one())
        ids = rng.sample(range(1, top + 1), n)
        marks = ",".join("?" * n)
        found = conn.exec_driver_sql(
            f"SELECT number FROM cases WHERE id IN ({marks})", tuple(ids)
        ).scalars()
        numbers = [str(x) for x in found]
    rng.shuffle(numbers)
    return numbers


def run(out: Callable[[str], None] = print) -> dict[str, Any]:
    out("P4  SLA queues at 1M cases (target: <= 20 ms); case list and one case")
    ds = bs.prepare(1_000_000, out=out)
    out(bs.describe_dataset(ds))
    ctx, _ = bs.open_dataset(ds.path)
    results: dict[str, Any] = {"dataset": ds.meta}
    try:
        owner, owned = _busiest_handler(ctx)
        counts = queries.queue_counts(ctx)
        out(
            f"  at {bs.BENCH_NOW:%Y-%m-%d %H:%M}: {counts['overdue']:,} overdue,"
            f" {counts['due_today']:,} due today; busiest owner {owner} has {owned:,} on a clock"
        )
        monitor = bs.LoadMonitor()
        queue_calls: dict[str, Callable[[], Any]] = {
            "overdue": lambda: queries.overdue(ctx),
            "due_today": lambda: queries.due_today(ctx),
            "due_within(hours=4)": lambda: queries.due_within(ctx, hours=4),
            "queue_counts": lambda: [queries.queue_counts(ctx)],
            f"overdue(owner={owner})": lambda: queries.overdue(ctx, owner=owner),
            f"due_today(owner={owner})": lambda: queries.due_today(ctx, owner=owner),
            f"due_within(4, owner={owner})": lambda: queries.due_within(ctx, hours=4, owner=owner),
            f"queue_counts(owner={owner})": lambda: [queries.queue_counts(ctx, owner=owner)],
        }
        queues = {name: _measure(name, fn, RUNS, out) for name, fn in queue_calls.items()}
        worst = max(s["median"] for s in queues.values())
        worst_p95 = max(s["p95"] for s in queues.values())
        verdict = worst <= 20
        out(
            f"  P4 {'PASS' if verdict else 'FAIL'} (slowest median {worst:.2f} ms,"
            f" slowest p95 {worst_p95:.2f} ms)"
        )
        out("  case list and one case")
        lists = {
            "list_cases first page": _measure(
                "list_cases first page", lambda: queries.list_cases(ctx), RUNS, out
            ),
            "list_cases offset 10,000": _measure(
                "list_cases offset 10,000",
                lambda: queries.list_cases(ctx, offset=10_000),
                RUNS,
                out,
            ),
        }
        numbers = _numbers(ctx, GET_CASE + WARM_UP)
        for number in numbers[:WARM_UP]:
            cases.get_case(ctx, number, viewer="A001")
        samples = []
        events = 0
        for number in numbers[WARM_UP:]:
            ms, view = bs.timed_ms(lambda: cases.get_case(ctx, number, viewer="A001"))  # noqa: B023
            samples.append(ms)
            events += len(view.events)
        s = bs.summarise(samples)
        out(
            bs.fmt_row(
                f"get_case ({GET_CASE} different)",
                s,
                extra=f"  ({events / len(samples):.1f} events each)",
            )
        )
        lists["get_case"] = s
        out("  more list pages (for P5, fewer runs)")
        extra_calls: dict[str, Callable[[], Any]] = {
            "list_cases offset 100,000": lambda: queries.list_cases(ctx, offset=100_000),
            "list_cases offset 500,000": lambda: queries.list_cases(ctx, offset=500_000),
            "list_cases open_only": lambda: queries.list_cases(ctx, open_only=True),
            "list_cases state=investigating": lambda: queries.list_cases(
                ctx, state="investigating"
            ),
            "list_cases state=archived": lambda: queries.list_cases(ctx, state="archived"),
            f"list_cases owner={owner} open_only": lambda: queries.list_cases(
                ctx, owner=owner, open_only=True
            ),
            "list_cases kind=consultation": lambda: queries.list_cases(ctx, kind="consultation"),
        }
        extra = {
            name: _measure(name, fn, EXTRA_RUNS, out, warm_up=1) for name, fn in extra_calls.items()
        }
        load = monitor.report()
        out(bs.describe_load(load))
        results.update(
            counts=counts,
            owner=owner,
            queues=queues,
            lists=lists,
            extra=extra,
            load=load,
            **{"pass": verdict},
        )
    finally:
        ctx.db.close()
    return results
