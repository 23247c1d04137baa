"""Exports of case lists and figure tables to spreadsheet files (XLSX or CSV).

Who may (resources/permissions/permissions.json, docs/SECURITY.md "Exports"):
`cases.export` to export cases at all; `cases.export_personal` for the full contact
phone, ID and service numbers (otherwise masked exactly as the case lists mask them);
`quality.export` for the dashboard's figure tables. Asking for full personal data
without the right is refused (PermissionDenied), never quietly masked.

How a case export runs:

- In one read transaction (one consistent snapshot; under WAL it never blocks the
  counter's saves) the ids of the selected cases are read first, in the order wanted
  (8 bytes a case), then the cases themselves `CHUNK` at a time by primary key, each
  chunk written straight into a temporary file beside the target. The whole list is
  never in memory; an XLSX is written as a stream too (XlsxWriter's constant_memory
  mode, `_XlsxSink`).
  After each chunk `progress(done, total)` is called and `cancelled()` asked.
- Only when the file is complete is the audit entry written ("cases.export": format,
  rows, masked or not, what was selected; never a customer's data), in a short write
  transaction that also moves the file into place: an audit entry exists exactly when
  the file does. A cancelled or failed export leaves no file, no temporary file and no
  entry (cancelling raises ExportCancelled).
  The read is deliberately not inside that write transaction: it would hold the
  branch's write lock for the whole export (seconds for 100k cases) and every clerk's
  save would wait for it, or fail after the database's 5 s busy timeout.

Words: column headers and the labels of stored codes (kind, state, grade, category,
milestone …) in the requested language (default: the branch's), from the message
tables. Times are in the branch's time zone: real date-times in an XLSX (shown as
"yyyy-mm-dd hh:mm"), ISO 8601 text with the offset in a CSV. A CSV is UTF-8 with a
byte-order mark, so that Excel shows Chinese correctly. A text that a spreadsheet would
take for a formula (= + - @ at the start) is kept as text.
"""

from __future__ import annotations

import contextlib
import os
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, or_, select, text
from sqlalchemy.sql.elements import TextClause

from branchdesk.domain.errors import DomainError, FieldError, ValidationError
from branchdesk.domain.identity import mask_id, mask_phone
from branchdesk.domain.model import CaseKind, CaseState, Grade
from branchdesk.i18n import messages, resolve_language
from branchdesk.persistence.schema import cases, staff
from branchdesk.services.access import allows, authorize, mask_service_number, principal
from branchdesk.services.context import ServiceContext
from branchdesk.services.export_files import (
    FORMATS,
    XLSX_DATE_FORMAT,
    open_sink,
    path_error,
    temporary_beside,
)
from branchdesk.services.recording import write_audit

__all__ = [
    "CASE_COLUMNS",
    "CHUNK",
    "FORMATS",
    "XLSX_DATE_FORMAT",
    "CaseSelection",
    "ExportCancelled",
    "ExportResult",
    "ExportRights",
    "count_cases",
    "export_cases",
    "export_rights",
    "export_table",
    "require_export_rights",
]

#: Cases read and written per step (progress and cancel are checked between steps).
CHUNK = 500
#: How an XLSX shows a date-time (the cell holds a real date-time value).

#: The columns of a case export, in order; headers are `export.column.<key>`.
CASE_COLUMNS = (
    "number",
    "kind",
    "channel",
    "category",
    "grade",
    "state",
    "closed",
    "paused",
    "escalation",
    "customer_name",
    "phone",
    "id_number",
    "service_number",
    "owner",
    "summary",
    "received_at",
    "next_milestone",
    "next_due_at",
    "updated_at",
    "satisfaction_score",
    "reopen_count",
)
# Least column widths in an XLSX (characters; a CJK character counts two), wider
# where the header or the first rows need it (`_XlsxSink`).
_WIDTHS = {
    "number": 24,
    "category": 26,
    "customer_name": 12,
    "phone": 15,
    "id_number": 20,
    "service_number": 16,
    "owner": 14,
    "summary": 48,
    "received_at": 17,
    "next_milestone": 14,
    "next_due_at": 17,
    "updated_at": 17,
}

_ROW_COLUMNS = (
    cases.c.id,
    cases.c.number,
    cases.c.kind,
    cases.c.channel,
    cases.c.category,
    cases.c.grade,
    cases.c.state,
    cases.c.is_open,
    cases.c.paused,
    cases.c.escalation,
    cases.c.customer_name,
    cases.c.customer_phone,
    cases.c.customer_id_number,
    cases.c.service_number,
    cases.c.owner,
    cases.c.summary,
    cases.c.received_at,
    cases.c.next_milestone,
    cases.c.next_due_at,
    cases.c.updated_at,
    cases.c.satisfaction_score,
    cases.c.reopen_count,
)


@dataclass(frozen=True)
class CaseSelection:
    """Which cases: explicit ids (a dashboard drill-down, a list as shown) or filters
    (a case list). Both may be given: the ids, narrowed by the filters.

    `description` says in words what the person chose; it goes into the audit entry,
    so it must not contain a customer's data (no search text: it may be a phone)."""

    ids: tuple[int, ...] | None = None
    state: str | None = None
    kind: str | None = None
    owner: str | None = None
    grade: str | None = None
    category: str | None = None  # "technical" also matches "technical/…"
    open_only: bool = False
    received_since: datetime | None = None
    received_until: datetime | None = None  # exclusive
    description: str = ""

    def audit_detail(self) -> dict[str, Any]:
        """What the audit entry records about the selection (codes, staff numbers,
        dates and counts only)."""
        filters: dict[str, Any] = {
            name: value
            for name in ("state", "kind", "owner", "grade", "category")
            if (value := getattr(self, name))
        }
        if self.open_only:
            filters["open_only"] = True
        for name in ("received_since", "received_until"):
            value = getattr(self, name)
            if value is not None:
                filters[name] = value.isoformat(timespec="seconds")
        detail: dict[str, Any] = {"selection": self.description, "filters": filters}
        if self.ids is not None:
            detail["ids"] = len(self.ids)
        return detail


class ExportCancelled(DomainError):
    """The person cancelled the export: no file and no audit entry were left."""

    def __init__(self) -> None:
        super().__init__("error.export.cancelled")


@dataclass(frozen=True)
class ExportResult:
    path: Path
    rows: int
    masked: bool
    format: str


@dataclass(frozen=True)
class ExportRights:
    """What a staff member may export (the desktop offers exactly this)."""

    cases: bool
    personal: bool
    tables: bool


def export_rights(ctx: ServiceContext, actor: str) -> ExportRights:
    """Whether `actor` may export cases, with full personal data, and figure tables."""
    with ctx.db.read() as conn:
        who = principal(conn, actor)
    return ExportRights(
        cases=allows(ctx, who, "cases.export"),
        personal=allows(ctx, who, "cases.export_personal"),
        tables=allows(ctx, who, "quality.export"),
    )


def require_export_rights(ctx: ServiceContext, actor: str, *, tables: bool = False) -> ExportRights:
    """`actor`'s export rights, or PermissionDenied (naming the roles that may) when
    they may not export cases (or, with `tables`, figure tables) at all: asked before
    the desktop offers a file dialog."""
    with ctx.db.read() as conn:
        authorize(ctx, conn, actor, "quality.export" if tables else "cases.export")
    return export_rights(ctx, actor)


# --- which cases ----------------------------------------------------------------------


def _aware(ctx: ServiceContext, value: datetime) -> datetime:
    """A time without a zone is the branch's local time."""
    return value if value.tzinfo is not None else value.replace(tzinfo=ctx.tz)


def _check_selection(ctx: ServiceContext, selection: CaseSelection) -> None:
    errors: list[FieldError] = []
    for name, codes in (
        ("state", {s.value for s in CaseState}),
        ("kind", {k.value for k in CaseKind}),
        ("grade", {g.value for g in Grade}),
    ):
        value = getattr(selection, name)
        if value and value not in codes:
            errors.append(FieldError(name, "error.field.invalid_choice", {"value": value}))
    since, until = selection.received_since, selection.received_until
    if since is not None and until is not None and _aware(ctx, since) >= _aware(ctx, until):
        errors.append(FieldError("received_until", "error.export.empty_period"))
    if errors:
        raise ValidationError(errors)


def _conditions(
    ctx: ServiceContext, selection: CaseSelection
) -> list[ColumnElement[bool] | TextClause]:
    conditions: list[ColumnElement[bool] | TextClause] = []
    for name in ("state", "kind", "owner", "grade"):
        value = getattr(selection, name)
        if value:
            conditions.append(cases.c[name] == value)
    if selection.category:
        top = selection.category.rstrip("/")
        conditions.append(
            or_(cases.c.category == top, cases.c.category.startswith(top + "/", autoescape=True))
        )
    if selection.open_only:
        conditions.append(text("is_open = 1"))
    if selection.received_since is not None:
        conditions.append(cases.c.received_at >= _aware(ctx, selection.received_since))
    if selection.received_until is not None:
        conditions.append(cases.c.received_at < _aware(ctx, selection.received_until))
    return conditions


def _unique(ids: Sequence[int]) -> list[int]:
    return list(dict.fromkeys(int(i) for i in ids))


def _selected_ids(conn: Connection, ctx: ServiceContext, selection: CaseSelection) -> array[int]:
    """The ids to export, in order: as given, or newest first (as the case list)."""
    conditions = _conditions(ctx, selection)
    if selection.ids is None:
        query = (
            select(cases.c.id)
            .where(*conditions)
            .order_by(cases.c.received_at.desc(), cases.c.id.desc())
        )
        return array("q", conn.execute(query).scalars())
    wanted = _unique(selection.ids)
    if not conditions:
        return array("q", wanted)
    found: set[int] = set()
    for start in range(0, len(wanted), CHUNK):
        part = wanted[start : start + CHUNK]
        query = select(cases.c.id).where(cases.c.id.in_(part), *conditions)
        found.update(conn.execute(query).scalars())
    return array("q", (i for i in wanted if i in found))


def count_cases(ctx: ServiceContext, selection: CaseSelection) -> int:
    """How many cases `selection` holds now (ids that no longer exist are not counted)."""
    _check_selection(ctx, selection)
    conditions = _conditions(ctx, selection)
    with ctx.db.read() as conn:
        if selection.ids is None:
            query = select(func.count()).select_from(cases).where(*conditions)
            return int(conn.execute(query).scalar_one())
        wanted = _unique(selection.ids)
        total = 0
        for start in range(0, len(wanted), CHUNK):
            part = wanted[start : start + CHUNK]
            query = select(func.count()).select_from(cases).where(cases.c.id.in_(part), *conditions)
            total += int(conn.execute(query).scalar_one())
        return total


def _chunks(conn: Connection, ids: array[int]) -> Iterator[list[Any]]:
    """The case rows of `ids`, CHUNK at a time, in the order of `ids`."""
    for start in range(0, len(ids), CHUNK):
        part = ids[start : start + CHUNK].tolist()
        rows = conn.execute(select(*_ROW_COLUMNS).where(cases.c.id.in_(part))).all()
        by_id = {row.id: row for row in rows}
        yield [by_id[i] for i in part if i in by_id]


# --- words ------------------------------------------------------------------------------


class _Words:
    """Headers and the labels of stored codes in one language (looked up once each)."""

    def __init__(self, ctx: ServiceContext, lang: str) -> None:
        self.lang = lang
        self.table = messages(lang)
        self._catalogue = ctx.catalogue
        self.yes = self.table.get("export.yes", "yes")
        self.no = self.table.get("export.no", "no")
        self.label = cache(self._label)
        self.category = cache(self._category)

    def _label(self, prefix: str, code: str | None) -> str:
        if not code:
            return ""
        return self.table.get(f"{prefix}.{code}", code)

    def _category(self, code: str) -> str:
        return self._catalogue.label(code, self.lang)

    def header(self, key: str) -> str:
        return self.table.get(f"export.column.{key}", key)

    def flag(self, value: object) -> str:
        return self.yes if value else self.no


def _language(ctx: ServiceContext, lang: str | None) -> str:
    if lang:
        return resolve_language(lang)
    from branchdesk.services.branch import branch_info

    return branch_info(ctx).language


def _case_values(
    row: Any,
    words: _Words,
    names: dict[str, str],
    ctx: ServiceContext,
    *,
    masked: bool,
) -> list[object]:
    phone = row.customer_phone or ""
    id_number = row.customer_id_number or ""
    service = row.service_number or ""
    if masked:
        phone = mask_phone(phone) if phone else ""
        id_number = mask_id(id_number) if id_number else ""
        service = mask_service_number(service) or ""
    owner = f"{row.owner} {names.get(row.owner, '')}".strip()
    label = words.label
    return [
        row.number,
        label("label.CaseKind", row.kind),
        label("label.Channel", row.channel),
        words.category(row.category),
        label("label.Grade", row.grade),
        label("label.CaseState", row.state),
        words.flag(not row.is_open),
        words.flag(row.paused),
        label("label.EscalationState", row.escalation),
        row.customer_name,
        phone,
        id_number,
        service,
        owner,
        row.summary,
        _local(row.received_at, ctx),
        label("milestone", row.next_milestone),
        _local(row.next_due_at, ctx),
        _local(row.updated_at, ctx),
        row.satisfaction_score,
        row.reopen_count,
    ]


def _local(value: datetime | None, ctx: ServiceContext) -> datetime | None:
    return None if value is None else value.astimezone(ctx.tz)


def _table_value(value: object, ctx: ServiceContext) -> object:
    """A figure table's cell: an aware time in the branch's zone (a naive one is taken
    to be local already)."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(ctx.tz)
    return value


# --- files ------------------------------------------------------------------------------


def _check_format(fmt: str) -> str:
    wanted = (fmt or "").strip().lower().lstrip(".")
    if wanted not in FORMATS:
        raise ValidationError(
            [
                FieldError(
                    "fmt", "error.export.format", {"value": fmt, "formats": ", ".join(FORMATS)}
                )
            ]
        )
    return wanted


def _deliver(
    ctx: ServiceContext,
    *,
    actor: str,
    action: str,
    detail: dict[str, Any],
    part: Path,
    target: Path,
) -> None:
    """Record the export and put the finished file in place, together: the audit
    entry is committed only if the file could be moved, and a failed commit takes
    the file away again."""
    moved = False
    try:
        with ctx.db.write() as conn:
            write_audit(ctx, conn, actor=actor, action=action, case_id=None, detail=detail)
            try:
                os.replace(part, target)
            except OSError as exc:
                raise path_error("error.export.not_writable", target) from exc
            moved = True
    except BaseException:
        if moved:
            with contextlib.suppress(OSError):
                target.unlink()
        raise


# --- the exports ------------------------------------------------------------------------


def export_cases(
    ctx: ServiceContext,
    *,
    actor: str,
    selection: CaseSelection,
    path: Path,
    fmt: str,
    lang: str | None = None,
    unmasked: bool = False,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ExportResult:
    """Write the cases of `selection` to `path` as `fmt` ("xlsx" or "csv"); see the
    module docstring. Raises PermissionDenied (not allowed; full personal data asked
    for without `cases.export_personal`), ValidationError (format, path, selection)
    or ExportCancelled."""
    fmt = _check_format(fmt)
    target = Path(path)
    _check_selection(ctx, selection)
    with ctx.db.read() as conn:
        authorize(ctx, conn, actor, "cases.export")
        if unmasked:
            authorize(ctx, conn, actor, "cases.export_personal")
    words = _Words(ctx, _language(ctx, lang))
    part = temporary_beside(target, fmt)
    written = 0
    try:
        widths = [_WIDTHS.get(key, 10) for key in CASE_COLUMNS]
        title = words.table.get("export.sheet.cases", "Cases")
        sink = open_sink(fmt, part, title, widths, ctx.now())
        try:
            with ctx.db.read() as conn:
                names = {
                    str(r.staff_no): str(r.name)
                    for r in conn.execute(select(staff.c.staff_no, staff.c.name))
                }
                ids = _selected_ids(conn, ctx, selection)
                total = len(ids)
                sink.header([words.header(key) for key in CASE_COLUMNS])
                if progress is not None:
                    progress(0, total)
                for chunk in _chunks(conn, ids):
                    if cancelled is not None and cancelled():
                        raise ExportCancelled()
                    for row in chunk:
                        sink.row(_case_values(row, words, names, ctx, masked=not unmasked))
                    written += len(chunk)
                    if progress is not None:
                        progress(written, total)
                if cancelled is not None and cancelled():
                    raise ExportCancelled()
            sink.finish()
        except BaseException:
            sink.abort()
            raise
        detail = {
            "format": fmt,
            "rows": written,
            "masked": not unmasked,
            "language": words.lang,
            **selection.audit_detail(),
        }
        _deliver(ctx, actor=actor, action="cases.export", detail=detail, part=part, target=target)
    except BaseException:
        with contextlib.suppress(OSError):
            part.unlink()
        raise
    return ExportResult(path=target, rows=written, masked=not unmasked, format=fmt)


def export_table(
    ctx: ServiceContext,
    *,
    actor: str,
    title: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    path: Path,
    fmt: str,
) -> ExportResult:
    """Write a figure table (the dashboard's: already in the person's words) to
    `path`: `headers`, then `rows` of the same width. Numbers stay numbers, times
    become the branch's local time. Audited as "quality.export" with its title and
    size. A figure table holds no customer's data: nothing is masked."""
    fmt = _check_format(fmt)
    target = Path(path)
    errors: list[FieldError] = []
    if not headers:
        errors.append(FieldError("headers", "error.export.no_headers"))
    for number, row in enumerate(rows, 1):
        if len(row) != len(headers):
            errors.append(
                FieldError(
                    "rows",
                    "error.export.row_width",
                    {"row": number, "cells": len(row), "expected": len(headers)},
                )
            )
            break
    if errors:
        raise ValidationError(errors)
    with ctx.db.read() as conn:
        authorize(ctx, conn, actor, "quality.export")
    part = temporary_beside(target, fmt)
    try:
        widths = [10] * len(headers)  # widened to fit the headers and the figures
        sink = open_sink(fmt, part, title, widths, ctx.now())
        try:
            sink.header([str(h) for h in headers])
            for row in rows:
                sink.row([_table_value(v, ctx) for v in row])
            sink.finish()
        except BaseException:
            sink.abort()
            raise
        detail = {"format": fmt, "rows": len(rows), "title": title}
        _deliver(ctx, actor=actor, action="quality.export", detail=detail, part=part, target=target)
    except BaseException:
        with contextlib.suppress(OSError):
            part.unlink()
        raise
    return ExportResult(path=target, rows=len(rows), masked=False, format=fmt)
