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
import csv
import math
import os
import re
import shutil
import tempfile
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Protocol
from unicodedata import east_asian_width

import xlsxwriter  # type: ignore[import-untyped]
from sqlalchemy import ColumnElement, Connection, func, or_, select, text
from sqlalchemy.sql.elements import TextClause
from xlsxwriter.exceptions import FileCreateError  # type: ignore[import-untyped]

from branchdesk.domain.errors import DomainError, FieldError, ValidationError
from branchdesk.domain.identity import mask_id, mask_phone
from branchdesk.domain.model import CaseKind, CaseState, Grade
from branchdesk.i18n import messages, resolve_language
from branchdesk.persistence.schema import cases, staff
from branchdesk.services.access import allows, authorize, mask_service_number, principal
from branchdesk.services.context import ServiceContext
from branchdesk.services.recording import write_audit

__all__ = [
    "CASE_COLUMNS",
    "CHUNK",
    "FORMATS",
    "XLSX_DATE_FORMAT",
    "XLSX_MAX_ROWS",
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
FORMATS = ("xlsx", "csv")
#: How an XLSX shows a date-time (the cell holds a real date-time value).
XLSX_DATE_FORMAT = "yyyy-mm-dd hh:mm"

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


def _path_error(key: str, path: Path, **params: Any) -> ValidationError:
    return ValidationError([FieldError("path", key, {"path": str(path), **params})])


def _temporary_beside(target: Path, fmt: str) -> Path:
    """A new, empty temporary file in the target's folder (so that the final rename
    stays on one disk), after checking the target can be written at all."""
    suffix = target.suffix.lower().lstrip(".")
    if suffix in FORMATS and suffix != fmt:
        raise _path_error("error.export.extension", target, format=fmt)
    if target.is_dir():
        raise _path_error("error.export.is_folder", target)
    folder = target.parent
    if not folder.is_dir():
        raise _path_error("error.export.no_folder", target, folder=str(folder))
    if target.exists():
        # Open for appending (changes nothing): fails where the file is read-only or
        # held open by a spreadsheet program that locks it.
        try:
            with target.open("ab"):
                pass
        except OSError as exc:
            raise _path_error("error.export.not_writable", target) from exc
    try:
        handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise _path_error("error.export.not_writable", target) from exc
    os.close(handle)
    return Path(name)


def _sync(path: Path) -> None:
    """Flush the finished file to the disk before it replaces anything."""
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class _Sink(Protocol):
    def header(self, names: Sequence[str]) -> None: ...
    def row(self, values: Sequence[object]) -> None: ...
    def finish(self) -> None: ...
    def abort(self) -> None: ...


class _CsvSink:
    def __init__(self, path: Path) -> None:
        # The BOM tells Excel the file is UTF-8: without it Chinese comes out garbled.
        self._file = path.open("w", encoding="utf-8-sig", newline="")
        self._writer = csv.writer(self._file)

    def header(self, names: Sequence[str]) -> None:
        self._writer.writerow(names)

    def row(self, values: Sequence[object]) -> None:
        self._writer.writerow([_csv_text(v) for v in values])

    def finish(self) -> None:
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()

    def abort(self) -> None:
        self._file.close()


def _csv_text(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        # Excel would run "=…" (or "+…", "-…", "@…") as a formula: a leading
        # apostrophe keeps it text (the usual defence against CSV formula injection).
        return "'" + value
    return value


# An XLSX is written by XlsxWriter in its constant_memory mode: each row goes to a
# scratch file as soon as the next one begins, so memory stays flat however many rows
# there are, and the workbook is put together into the temporary file beside the target
# when it is closed. The scratch files live in a folder of their own in the system's
# temporary folder, removed when the export ends, however it ends. Texts are written as
# texts, never as formulas; a bold, frozen header row with a filter on each sheet;
# column widths fitted to the header and the first rows; a further sheet every
# 1,048,575 rows (Excel's limit).
#: Data rows per sheet: Excel's limit less the header row.
XLSX_MAX_ROWS = 1_048_575
#: Column widths (characters) fit the header and this many first data rows.
_MEASURED_ROWS = 1_000
_MAX_WIDTH = 50
# Characters XML 1.0 does not allow (control characters other than tab and line
# breaks): XlsxWriter writes a cell's text as it is, so they are dropped first.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _xml_safe(text: str) -> str:
    return text if _NOT_XML.search(text) is None else _NOT_XML.sub("", text)


def _text_width(text: str) -> int:
    """The columns a text takes: a wide (CJK) or full-width character counts two."""
    if text.isascii():
        return len(text)
    return sum(2 if east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell_width(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, str):
        return _text_width(value)
    if isinstance(value, datetime):
        return len(XLSX_DATE_FORMAT)
    if isinstance(value, date):
        return len("yyyy-mm-dd")
    if isinstance(value, float):
        return len(f"{value:.10g}")
    return len(str(value))


def _clip(text: str, units: int) -> str:
    """`text` cut to at most `units` UTF-16 code units (how Excel counts a sheet name)."""
    text = text[:units]
    while len(text.encode("utf-16-le")) // 2 > units:
        text = text[:-1]
    return text


def _sheet_title(title: str) -> str:
    """A valid worksheet name: at most 31 characters, none of []:*?/\\, no apostrophe
    at either end."""
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in _xml_safe(title))
    return _clip(cleaned.strip(" '"), 31).rstrip(" '") or "Sheet1"


class _XlsxSink:
    def __init__(self, path: Path, title: str, widths: Sequence[float], created: datetime) -> None:
        self._path = path
        self._scratch = tempfile.mkdtemp(prefix="branchdesk-xlsx-")
        self._book = xlsxwriter.Workbook(
            str(path), {"constant_memory": True, "tmpdir": self._scratch}
        )
        self._book.set_properties(
            {"title": title, "author": "BranchDesk", "created": created.astimezone(UTC)}
        )
        self._bold = self._book.add_format({"bold": True})
        self._datetime = self._book.add_format({"num_format": XLSX_DATE_FORMAT})
        self._date = self._book.add_format({"num_format": "yyyy-mm-dd"})
        self._title = _sheet_title(title)
        self._widths = [float(w) for w in widths]
        self._header: list[str] = []
        self._sheet: Any = None
        self._sheets = 0
        self._row = 0  # the current sheet's last row (0: the header)
        self._measured = 0  # data rows measured for the column widths

    # -- rows
    def header(self, names: Sequence[str]) -> None:
        self._header = [_xml_safe(str(n)) for n in names]
        for col, name in enumerate(self._header):
            self._fit(col, _text_width(name) + 2)  # room for the filter button
        self._start_sheet()

    def row(self, values: Sequence[object]) -> None:
        if self._sheet is None or self._row >= XLSX_MAX_ROWS:
            self._start_sheet()
        self._row += 1
        row = self._row
        for col, value in enumerate(values):
            self._write(row, col, value)
        if self._measured < _MEASURED_ROWS:
            self._measured += 1
            for col, value in enumerate(values):
                self._fit(col, _cell_width(value))

    def _write(self, row: int, col: int, value: object) -> None:
        sheet = self._sheet
        if value is None:
            return
        if isinstance(value, str):
            if value:
                sheet.write_string(row, col, _xml_safe(value))
        elif isinstance(value, bool):
            sheet.write_boolean(row, col, value)
        elif isinstance(value, int | float):
            if math.isfinite(value):
                sheet.write_number(row, col, value)
            else:
                sheet.write_string(row, col, str(value))
        elif isinstance(value, Decimal):
            if value.is_finite():
                sheet.write_number(row, col, float(value))
            else:
                sheet.write_string(row, col, str(value))
        elif isinstance(value, datetime):
            sheet.write_datetime(row, col, value.replace(tzinfo=None), self._datetime)
        elif isinstance(value, date):
            sheet.write_datetime(row, col, value, self._date)
        elif shown := _xml_safe(str(value)):
            sheet.write_string(row, col, shown)

    def _fit(self, col: int, width: int) -> None:
        while len(self._widths) <= col:
            self._widths.append(10.0)
        self._widths[col] = max(self._widths[col], min(float(_MAX_WIDTH), width + 1.0))

    # -- sheets
    def _start_sheet(self) -> None:
        self._end_sheet()
        self._sheets += 1
        number = self._sheets
        name = self._title
        if number > 1:
            name = _clip(name, 26).rstrip(" '") + f" ({number})"
        sheet = self._book.add_worksheet(name)
        sheet.freeze_panes(1, 0)
        for col, label in enumerate(self._header):
            sheet.write_string(0, col, label, self._bold)
        self._sheet = sheet
        self._row = 0

    def _end_sheet(self) -> None:
        if self._sheet is not None and self._header:
            self._sheet.autofilter(0, 0, self._row, len(self._header) - 1)

    # -- the file
    def finish(self) -> None:
        if self._sheet is None:
            self._start_sheet()
        self._end_sheet()
        for sheet in self._book.worksheets():
            for col, width in enumerate(self._widths):
                sheet.set_column(col, col, width)
        try:
            self._book.close()
        except FileCreateError as exc:
            cause = exc.args[0] if exc.args else None
            if isinstance(cause, OSError):  # as a CSV's: a full or vanished disk
                raise cause from exc
            raise
        finally:
            shutil.rmtree(self._scratch, ignore_errors=True)
        _sync(self._path)

    def abort(self) -> None:
        # XlsxWriter has no way to drop an unfinished workbook: close its scratch
        # files (still open in constant_memory mode), then remove them.
        for sheet in self._book.worksheets():
            with contextlib.suppress(Exception):
                sheet._opt_close()
        shutil.rmtree(self._scratch, ignore_errors=True)


def _sink(fmt: str, path: Path, title: str, widths: Sequence[float], created: datetime) -> _Sink:
    return _XlsxSink(path, title, widths, created) if fmt == "xlsx" else _CsvSink(path)


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
                raise _path_error("error.export.not_writable", target) from exc
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
    part = _temporary_beside(target, fmt)
    written = 0
    try:
        widths = [_WIDTHS.get(key, 10) for key in CASE_COLUMNS]
        title = words.table.get("export.sheet.cases", "Cases")
        sink = _sink(fmt, part, title, widths, ctx.now())
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
    part = _temporary_beside(target, fmt)
    try:
        widths = [10] * len(headers)  # widened to fit the headers and the figures
        sink = _sink(fmt, part, title, widths, ctx.now())
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
