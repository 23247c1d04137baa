"""`--plans`: the SQLite query plan of every statement the queue, list, search and intake
services run, captured from the services themselves (the SQL they send, with their
parameters) and explained on the 1M-case branch (intake on a copy of the 200k one).
Each statement gets a verdict: served by an index, or a full scan / a sort of every
match, which is what a performance problem at 1M cases looks like."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import bench_support as bs
from bench_intake import FormMaker

from branchdesk.services import cases, queries
from branchdesk.services.context import ServiceContext

_SELECT_LIST = re.compile(r"SELECT\s.*?\sFROM\s", re.DOTALL)
_EXPLAINABLE = ("SELECT", "UPDATE", "DELETE", "INSERT INTO COUNTERS")


def _short_sql(statement: str) -> str:
    one_line = " ".join(statement.split())
    return _SELECT_LIST.sub(
        lambda m: "SELECT … FROM " if len(m.group(0)) > 60 else m.group(0), one_line
    )


def verdict(statement: str, plan: list[str]) -> tuple[str, str]:
    """(what the plan does, "ok" | "watch" | "problem").

    "watch" marks plans whose cost depends on the data rather than on the page size: a
    walk in id order that filters each row (cheap while matching rows are near the
    newest end), or an index lookup whose matches are all sorted (cheap while there are
    few). The timings say which of them matter at 1M cases."""
    sql = " ".join(statement.upper().split())
    text = "\n".join(plan)
    scans = [
        line.strip()
        for line in plan
        if line.strip().startswith("SCAN ")
        and "VIRTUAL TABLE" not in line
        and " USING " not in line
        and "CONSTANT ROW" not in line
    ]
    sorts = "USE TEMP B-TREE" in text
    if scans and " LIMIT " in sql and not sorts:
        table = scans[0][5:]
        if " WHERE " in sql:
            return f"walks {table} in key order, testing each row until the page is full", "watch"
        return f"walks {table} in key order, stops after the page", "ok"
    if scans:
        return f"FULL SCAN: {'; '.join(scans)}", "problem"
    if sorts:
        return "index used, then every match is sorted (temp b-tree)", "watch"
    if "VIRTUAL TABLE" in text and "INSTR(" in sql:
        return (
            "full-text index, then each match's case row is read and tested with instr()"
            " until the page is full",
            "watch",
        )
    if "VIRTUAL TABLE" in text:
        # FTS5's idxNum: 0x40 = ORDER BY rowid served by the index, 0x80 = descending.
        served = any(
            "VIRTUAL TABLE INDEX" in line and int(line.split("INDEX ")[1].split(":")[0]) & 0x40
            for line in plan
        )
        order = ", in rowid order straight from the index" if served else ""
        return f"full-text index{order}", "ok"
    if "USING" in text or "SEARCH" in text:
        return "index", "ok"
    return "no table access", "ok"


def _explain_call(
    ctx: ServiceContext, name: str, call: Callable[[], Any], out: Callable[[str], None]
) -> list[dict[str, Any]]:
    with bs.captured_sql(ctx) as seen:
        call()
    found = []
    out(f"\n  {name}")
    for statement, params in seen:
        head = statement.lstrip().upper()
        if not head.startswith(_EXPLAINABLE):
            continue
        plan = bs.explain(ctx, statement, params)
        what, level = verdict(statement, plan)
        out(f"    SQL:  {_short_sql(statement)}")
        for line in plan:
            out(f"      {line}")
        out(f"    -> {'' if level == 'ok' else level.upper() + ': '}{what}")
        found.append(
            {
                "call": name,
                "sql": " ".join(statement.split()),
                "plan": plan,
                "verdict": what,
                "level": level,
            }
        )
    return found


def _sample(ctx: ServiceContext) -> dict[str, Any]:
    with ctx.db.read() as conn:
        row = conn.exec_driver_sql(
            "SELECT number, customer_phone, service_number FROM cases"
            " WHERE service_number LIKE 'KD%' ORDER BY id DESC LIMIT 1"
        ).one()
    return {"number": row[0], "phone": row[1], "service": row[2]}


def run(out: Callable[[str], None] = print) -> dict[str, Any]:
    out("Query plans of the services' own SQL (EXPLAIN QUERY PLAN)")
    big = bs.prepare(1_000_000, out=out)
    ctx, _ = bs.open_dataset(big.path)
    found: list[dict[str, Any]] = []
    try:
        s = _sample(ctx)
        calls: dict[str, Callable[[], Any]] = {
            "overdue": lambda: queries.overdue(ctx),
            "due_today": lambda: queries.due_today(ctx),
            "due_within(hours=4)": lambda: queries.due_within(ctx, hours=4),
            "queue_counts": lambda: queries.queue_counts(ctx),
            "overdue(owner=H201)": lambda: queries.overdue(ctx, owner="H201"),
            "due_today(owner=H201)": lambda: queries.due_today(ctx, owner="H201"),
            "due_within(hours=4, owner=H201)": lambda: queries.due_within(
                ctx, hours=4, owner="H201"
            ),
            "queue_counts(owner=H201)": lambda: queries.queue_counts(ctx, owner="H201"),
            "search '宽带上网' (3+ characters)": lambda: queries.search(ctx, "宽带上网"),
            "search '晓燕' (2 characters)": lambda: queries.search(ctx, "晓燕"),
            "search '王' (1 character)": lambda: queries.search(ctx, "王"),
            f"search {s['number']!r} (case number)": lambda: queries.search(ctx, s["number"]),
            f"search {s['phone']!r} (phone)": lambda: queries.search(ctx, s["phone"]),
            f"search {s['phone'][-4:]!r} (phone, last 4)": lambda: queries.search(
                ctx, s["phone"][-4:]
            ),
            f"search {s['service']!r} (service number)": lambda: queries.search(ctx, s["service"]),
            "search '王 宽带' (two short words)": lambda: queries.search(ctx, "王 宽带"),
            "search '信号弱 王' (long + short word)": lambda: queries.search(ctx, "信号弱 王"),
            "list_cases()": lambda: queries.list_cases(ctx),
            "list_cases(offset=10000)": lambda: queries.list_cases(ctx, offset=10_000),
            "list_cases(open_only=True)": lambda: queries.list_cases(ctx, open_only=True),
            "list_cases(state='investigating')": lambda: queries.list_cases(
                ctx, state="investigating"
            ),
            "list_cases(owner='H201', open_only=True)": lambda: queries.list_cases(
                ctx, owner="H201", open_only=True
            ),
            "list_cases(kind='consultation')": lambda: queries.list_cases(ctx, kind="consultation"),
            "customer_cases(phone, service_number)": lambda: queries.customer_cases(
                ctx, phone=s["phone"], service_number=s["service"]
            ),
            "get_case": lambda: cases.get_case(ctx, s["number"], viewer="A001"),
        }
        for name, call in calls.items():
            found.extend(_explain_call(ctx, name, call, out))
    finally:
        ctx.db.close()

    small = bs.prepare(200_000, out=lambda _: None)
    work = bs.scratch_copy(small, "plans")
    wctx, _ = bs.open_dataset(work)
    try:
        form = FormMaker(wctx, seed=3).form()
        found.extend(
            _explain_call(
                wctx,
                "cases.intake (on a copy of the 200k branch)",
                lambda: cases.intake(wctx, form=form, actor="C101"),
                out,
            )
        )
    finally:
        wctx.db.close()
        bs.remove_scratch(work)

    flagged = [f for f in found if f["level"] != "ok"]
    scans = sum(1 for f in flagged if f["level"] == "problem")
    out(f"\n  {len(found)} statements explained; {scans} full scans; to watch:")
    for f in flagged:
        out(f"    {f['level'].upper():<8} {f['call']}: {f['verdict']}")
    return {"statements": found, "flagged": flagged}
