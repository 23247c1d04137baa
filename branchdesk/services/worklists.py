"""Work lists for the desktop: the queues a clerk works from (my cases, due today,
overdue, nearly due, waiting for the customer, under supervision, all), optionally
narrowed by a search text and sorted by a column.

A list is read in two steps so that a million rows stay cheap: `case_ids` returns the
ordered ids only (8 bytes a row), and `summaries` fetches the rows of one page of them.
A view keeps the ids and a few pages, never the whole list.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select, text

from branchdesk.domain.model import EscalationState
from branchdesk.persistence.schema import cases
from branchdesk.services.context import ServiceContext
from branchdesk.services.queries import (
    SUMMARY_COLUMNS,
    CaseSummary,
    customer_cases,
    summary_from_row,
    text_match,
)

QUEUES = ("mine", "due_today", "overdue", "nearly_due", "waiting", "supervised", "all")

#: Columns a list can be sorted by (the view's column keys).
SORTABLE = {
    "number": cases.c.number,
    "kind": cases.c.kind,
    "customer": cases.c.customer_name,
    "category": cases.c.category,
    "grade": cases.c.grade,
    "state": cases.c.state,
    "owner": cases.c.owner,
    "received_at": cases.c.received_at,
    "next_due_at": cases.c.next_due_at,
}

# Matches the partial indexes ix_cases_due / ix_cases_owner_due word for word.
_ON_CLOCK = text("next_due_at IS NOT NULL AND paused = 0")
_OPEN = text("is_open = 1")
#: A text search narrows a list to at most this many of the newest matches.
SEARCH_LIMIT = 2000


@dataclass(frozen=True)
class CaseFilter:
    """Which cases a list shows and in which order."""

    queue: str = "all"
    me: str | None = None  # the signed-in staff member ("mine")
    text: str = ""
    sort: str = "received_at"
    descending: bool = True
    nearly_due_hours: int = 4


def _midnight(ctx: ServiceContext, now: datetime) -> datetime:
    return datetime.combine(now.date() + timedelta(days=1), time(0), tzinfo=ctx.tz)


def _queue_conditions(
    ctx: ServiceContext, queue: str, me: str | None, hours: int
) -> list[ColumnElement[bool] | Any]:
    now = ctx.now()
    if queue == "all":
        return []
    # Each queue's conditions are written exactly as its partial index's WHERE clause
    # (migrations 0001, 0004), so SQLite uses the index instead of reading every case.
    if queue == "mine":
        return [cases.c.owner == (me or ""), _OPEN]
    if queue == "overdue":
        return [_ON_CLOCK, cases.c.next_due_at < now]
    if queue == "due_today":
        return [_ON_CLOCK, cases.c.next_due_at >= now, cases.c.next_due_at < _midnight(ctx, now)]
    if queue == "nearly_due":
        return [
            _ON_CLOCK,
            cases.c.next_due_at >= now,
            cases.c.next_due_at < now + timedelta(hours=hours),
        ]
    if queue == "waiting":
        return [text("paused = 1 AND is_open = 1")]
    if queue == "supervised":
        return [text(f"escalation = '{EscalationState.SUPERVISED.value}' AND is_open = 1")]
    raise ValueError(f"unknown queue {queue!r}")


def _ids_select(ctx: ServiceContext, f: CaseFilter) -> Select[Any]:
    conditions = _queue_conditions(ctx, f.queue, f.me, f.nearly_due_hours)
    key = SORTABLE.get(f.sort, cases.c.received_at)
    # The id breaks ties, so a list's order is total and stable between fetches.
    order = [key.desc(), cases.c.id.desc()] if f.descending else [key.asc(), cases.c.id.asc()]
    if key is cases.c.next_due_at:
        # Cases without a running clock go last either way: the urgent ones lead.
        order[0] = order[0].nulls_last()
    match = text_match(f.text)
    if match is None:
        return select(cases.c.id).where(*conditions).order_by(*order)
    newest = (
        select(cases.c.id.label("id"))
        .select_from(match.source)
        .where(*match.conditions)
        .order_by(match.newest_first)
        .limit(SEARCH_LIMIT)
        .subquery()
    )
    return (
        select(cases.c.id).where(cases.c.id.in_(select(newest.c.id)), *conditions).order_by(*order)
    )


def case_ids(ctx: ServiceContext, f: CaseFilter) -> array[int]:
    """The ids of every case on the list, in display order."""
    with ctx.db.read() as conn:
        return array("q", conn.execute(_ids_select(ctx, f)).scalars())


def summaries(ctx: ServiceContext, ids: Sequence[int]) -> list[CaseSummary]:
    """The list lines of `ids`, in the order given (ids that no longer exist are left out)."""
    if not ids:
        return []
    with ctx.db.read() as conn:
        rows = conn.execute(select(*SUMMARY_COLUMNS).where(cases.c.id.in_(list(ids))))
        by_id = {r.id: summary_from_row(r) for r in rows}
    return [by_id[i] for i in ids if i in by_id]


def counts(ctx: ServiceContext, *, me: str | None, nearly_due_hours: int = 4) -> dict[str, int]:
    """How many cases each queue holds, for the numbers beside the queue names."""
    result: dict[str, int] = {}
    with ctx.db.read() as conn:
        for queue in QUEUES:
            conditions = _queue_conditions(ctx, queue, me, nearly_due_hours)
            query = select(func.count()).select_from(cases).where(*conditions)
            result[queue] = int(conn.execute(query).scalar_one())
    return result


def repeat_complaints(
    ctx: ServiceContext, *, phone: str | None, service_number: str | None, days: int = 30
) -> int:
    """How many complaints the same customer (phone or service number) made in the
    last `days`: the intake form flags a repeat complaint when this is not zero."""
    since = ctx.now() - timedelta(days=days)
    earlier = customer_cases(ctx, phone=phone, service_number=service_number, limit=200)
    return sum(1 for c in earlier if c.kind == "complaint" and c.received_at >= since)
