"""Reading many cases: lists, the SLA queues (overdue, due today, due within N hours,
per owner), full-text search and a customer's earlier cases. Every query here is
served by an index; `benchmarks/` measures them at 1M cases."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Integer,
    Select,
    column,
    func,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.sql.elements import TextClause

from branchdesk.domain.case_numbers import is_valid_case_number, parse_case_number
from branchdesk.domain.identity import mask_phone, normalise_phone
from branchdesk.persistence.schema import cases
from branchdesk.services.access import mask_service_number
from branchdesk.services.context import ServiceContext

MAX_PAGE = 500


@dataclass(frozen=True)
class CaseSummary:
    """One line of a case list. Phone numbers are masked: lists never show them whole."""

    id: int
    number: str
    kind: str
    state: str
    grade: str
    category: str
    customer_name: str
    phone_masked: str
    service_number: str | None
    owner: str
    summary: str
    received_at: datetime
    next_due_at: datetime | None
    next_milestone: str | None
    paused: bool
    provisional: bool
    escalation: str


SUMMARY_COLUMNS = (
    cases.c.id,
    cases.c.number,
    cases.c.kind,
    cases.c.state,
    cases.c.grade,
    cases.c.category,
    cases.c.customer_name,
    cases.c.customer_phone,
    cases.c.service_number,
    cases.c.owner,
    cases.c.summary,
    cases.c.received_at,
    cases.c.next_due_at,
    cases.c.next_milestone,
    cases.c.paused,
    cases.c.provisional,
    cases.c.escalation,
)


def summary_from_row(row: Any) -> CaseSummary:
    r = row._mapping
    return CaseSummary(
        id=r["id"],
        number=r["number"],
        kind=r["kind"],
        state=r["state"],
        grade=r["grade"],
        category=r["category"],
        customer_name=r["customer_name"],
        phone_masked=mask_phone(r["customer_phone"]),
        # A service number that is a phone number is masked like one.
        service_number=mask_service_number(r["service_number"]),
        owner=r["owner"],
        summary=r["summary"],
        received_at=r["received_at"],
        next_due_at=r["next_due_at"],
        next_milestone=r["next_milestone"],
        paused=bool(r["paused"]),
        provisional=bool(r["provisional"]),
        escalation=r["escalation"],
    )


def _page(limit: int) -> int:
    return max(1, min(limit, MAX_PAGE))


def _fetch(ctx: ServiceContext, query: Select[Any]) -> list[CaseSummary]:
    with ctx.db.read() as conn:
        return [summary_from_row(r) for r in conn.execute(query)]


def list_cases(
    ctx: ServiceContext,
    *,
    state: str | None = None,
    kind: str | None = None,
    owner: str | None = None,
    open_only: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> list[CaseSummary]:
    """Newest first, filtered."""
    q = select(*SUMMARY_COLUMNS)
    if state:
        q = q.where(cases.c.state == state)
    if kind:
        q = q.where(cases.c.kind == kind)
    if owner:
        q = q.where(cases.c.owner == owner)
    if open_only:
        q = q.where(text("is_open = 1"))
    q = q.order_by(cases.c.id.desc()).limit(_page(limit)).offset(max(0, offset))
    return _fetch(ctx, q)


# The queue predicate matches the partial indexes ix_cases_due / ix_cases_owner_due
# word for word, so SQLite can use them.
_ON_CLOCK = text("next_due_at IS NOT NULL AND paused = 0")


def _queue(
    ctx: ServiceContext,
    *,
    before: datetime,
    after: datetime | None,
    owner: str | None,
    limit: int,
) -> list[CaseSummary]:
    q = select(*SUMMARY_COLUMNS).where(_ON_CLOCK, cases.c.next_due_at < before)
    if after is not None:
        q = q.where(cases.c.next_due_at >= after)
    if owner:
        q = q.where(cases.c.owner == owner)
    return _fetch(ctx, q.order_by(cases.c.next_due_at).limit(_page(limit)))


def overdue(ctx: ServiceContext, *, owner: str | None = None, limit: int = 50) -> list[CaseSummary]:
    """Open cases whose nearest deadline has passed, most overdue first."""
    return _queue(ctx, before=ctx.now(), after=None, owner=owner, limit=limit)


def due_today(
    ctx: ServiceContext, *, owner: str | None = None, limit: int = 50
) -> list[CaseSummary]:
    """Cases not yet overdue whose nearest deadline is before midnight tonight."""
    now = ctx.now()
    midnight = datetime.combine(now.date() + timedelta(days=1), time(0), tzinfo=ctx.tz)
    return _queue(ctx, before=midnight, after=now, owner=owner, limit=limit)


def due_within(
    ctx: ServiceContext, *, hours: int, owner: str | None = None, limit: int = 50
) -> list[CaseSummary]:
    """Cases not yet overdue that fall due within `hours` ("nearly due")."""
    now = ctx.now()
    return _queue(ctx, before=now + timedelta(hours=hours), after=now, owner=owner, limit=limit)


def queue_counts(ctx: ServiceContext, *, owner: str | None = None) -> dict[str, int]:
    """How many cases each queue holds (for the counts beside the queue names)."""
    now = ctx.now()
    midnight = datetime.combine(now.date() + timedelta(days=1), time(0), tzinfo=ctx.tz)
    base = select(func.count()).select_from(cases).where(_ON_CLOCK)
    if owner:
        base = base.where(cases.c.owner == owner)
    with ctx.db.read() as conn:
        return {
            "overdue": conn.execute(base.where(cases.c.next_due_at < now)).scalar_one(),
            "due_today": conn.execute(
                base.where(cases.c.next_due_at >= now, cases.c.next_due_at < midnight)
            ).scalar_one(),
        }


# The FTS5 table made by migration 0002 (not part of `metadata`: Alembic must not
# try to manage a virtual table).
_case_search = table("case_search", column("rowid", Integer))


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


# Trigram search needs 3+ characters. Words of 1–2 characters (a surname, a
# two-character name, "断网") are looked up in the character/pair index of names and
# summaries (migration 0002).
_case_grams = table("case_grams", column("rowid", Integer))


@dataclass(frozen=True)
class TextMatch:
    """Where and how to find the cases matching a search text: the FROM clause (the
    right index joined to `cases`), the conditions and the newest-first order."""

    source: FromClause
    conditions: tuple[ColumnElement[bool] | TextClause, ...]
    newest_first: ColumnElement[Any]


def text_match(query: str) -> TextMatch | None:
    """How to find cases by Chinese text fragment, case number, phone or service
    number; several words must all match. None for an empty query."""
    terms = query.split()
    if not terms:
        return None
    if len(terms) == 1 and is_valid_case_number(terms[0]):
        number = parse_case_number(terms[0]).text
        return TextMatch(cases, (cases.c.number == number,), cases.c.id.desc())
    # A phone typed with spaces or a +86 prefix ("+86 152 3282 0782") is one term: its
    # canonical digits.
    whole_phone = normalise_phone(query) if len(terms) > 1 else None
    terms = [whole_phone] if whole_phone else [normalise_phone(t) or t for t in terms]
    if len(terms) == 1 and normalise_phone(terms[0]) == terms[0]:
        # A whole phone number: the cases of that contact phone or service number,
        # straight from their indexes (trigrams of digits are the slowest search there is).
        phone = terms[0]
        return TextMatch(
            cases,
            (or_(cases.c.customer_phone == phone, cases.c.service_number == phone),),
            cases.c.id.desc(),
        )
    long_terms = [t for t in terms if len(t) >= 3]
    short_terms = [t for t in terms if len(t) < 3]
    short = " ".join(_fts_phrase(t) for t in short_terms)
    if not long_terms:
        return TextMatch(
            _case_grams.join(cases, cases.c.id == _case_grams.c.rowid),
            (text("case_grams MATCH :short").bindparams(short=short),),
            _case_grams.c.rowid.desc(),
        )
    long_match = text("case_search MATCH :long").bindparams(
        long=" ".join(_fts_phrase(t) for t in long_terms)
    )
    if not short_terms:
        return TextMatch(
            _case_search.join(cases, cases.c.id == _case_search.c.rowid),
            (long_match,),
            _case_search.c.rowid.desc(),
        )
    # A phrase beside a surname: the two indexes' answers intersected as sets (a few
    # ms), rather than one looked up for every row of the other (the phrase may match
    # tens of thousands of cases).
    both = (
        select(_case_search.c.rowid)
        .where(long_match)
        .intersect(
            select(_case_grams.c.rowid).where(
                text("case_grams MATCH :short").bindparams(short=short)
            )
        )
    )
    return TextMatch(cases, (cases.c.id.in_(both),), cases.c.id.desc())


def search(ctx: ServiceContext, query: str, *, limit: int = 50) -> list[CaseSummary]:
    """Find cases by Chinese text fragment, case number, phone or service number,
    newest first. Several words must all match."""
    found = text_match(query)
    if found is None:
        return []
    q = (
        select(*SUMMARY_COLUMNS)
        .select_from(found.source)
        .where(*found.conditions)
        .order_by(found.newest_first)
    )
    return _fetch(ctx, q.limit(_page(limit)))


def customer_cases(
    ctx: ServiceContext,
    *,
    phone: str | None = None,
    service_number: str | None = None,
    limit: int = 20,
) -> list[CaseSummary]:
    """A customer's earlier cases, by contact phone or service number, newest first."""
    conditions = []
    if phone:
        conditions.append(cases.c.customer_phone == (normalise_phone(phone) or phone))
    if service_number:
        conditions.append(cases.c.service_number == service_number.strip())
    if not conditions:
        return []
    q = select(*SUMMARY_COLUMNS).where(or_(*conditions)).order_by(cases.c.id.desc())
    return _fetch(ctx, q.limit(_page(limit)))


def cases_by_ids(
    ctx: ServiceContext, ids: Sequence[int], *, limit: int = MAX_PAGE
) -> list[CaseSummary]:
    """The first `limit` of the given cases (a dashboard figure's), newest first."""
    chosen = sorted(set(ids), reverse=True)[: _page(limit)]
    if not chosen:
        return []
    q = select(*SUMMARY_COLUMNS).where(cases.c.id.in_(chosen)).order_by(cases.c.id.desc())
    return _fetch(ctx, q)
