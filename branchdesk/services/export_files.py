"""Writing an export's file: a temporary file beside the target (checked writable
first), the rows streamed into it as CSV (UTF-8 with a BOM) or XLSX (XlsxWriter's
constant_memory mode), flushed to the disk before it replaces anything. A text a
spreadsheet would take for a formula is kept as text; characters XML cannot hold are
dropped."""

from __future__ import annotations

import contextlib
import csv
import math
import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol
from unicodedata import east_asian_width

import xlsxwriter  # type: ignore[import-untyped]
from xlsxwriter.exceptions import FileCreateError  # type: ignore[import-untyped]

from branchdesk.domain.errors import FieldError, ValidationError

FORMATS = ("xlsx", "csv")
XLSX_DATE_FORMAT = "yyyy-mm-dd hh:mm"


def path_error(key: str, path: Path, **params: Any) -> ValidationError:
    return ValidationError([FieldError("path", key, {"path": str(path), **params})])


def temporary_beside(target: Path, fmt: str) -> Path:
    """A new, empty temporary file in the target's folder (so that the final rename
    stays on one disk), after checking the target can be written at all."""
    suffix = target.suffix.lower().lstrip(".")
    if suffix in FORMATS and suffix != fmt:
        raise path_error("error.export.extension", target, format=fmt)
    if target.is_dir():
        raise path_error("error.export.is_folder", target)
    folder = target.parent
    if not folder.is_dir():
        raise path_error("error.export.no_folder", target, folder=str(folder))
    if target.exists():
        # Open for appending (changes nothing): fails where the file is read-only or
        # held open by a spreadsheet program that locks it.
        try:
            with target.open("ab"):
                pass
        except OSError as exc:
            raise path_error("error.export.not_writable", target) from exc
    try:
        handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise path_error("error.export.not_writable", target) from exc
    os.close(handle)
    return Path(name)


def sync_file(path: Path) -> None:
    """Flush the finished file to the disk before it replaces anything."""
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class Sink(Protocol):
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
        sync_file(self._path)

    def abort(self) -> None:
        # XlsxWriter has no way to drop an unfinished workbook: close its scratch
        # files (still open in constant_memory mode), then remove them.
        for sheet in self._book.worksheets():
            with contextlib.suppress(Exception):
                sheet._opt_close()
        shutil.rmtree(self._scratch, ignore_errors=True)


def open_sink(fmt: str, path: Path, title: str, widths: Sequence[float], created: datetime) -> Sink:
    return _XlsxSink(path, title, widths, created) if fmt == "xlsx" else _CsvSink(path)
