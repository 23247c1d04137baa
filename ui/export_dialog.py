"""Exporting from the desktop: a case list (the workbench's list, a dashboard's cases)
or a figure table to an XLSX or CSV file.

`export_cases_interactively` and `export_table_interactively` first ask the services
whether the signed-in person may export at all (a refusal names the roles that may),
then ask where to (`ExportDialog`: the file name ready in the last export folder, the
system's file dialog behind Browse…, XLSX or CSV), offering "include full personal
data" only to a role that may have it. The
export runs off the UI thread on a worker of its own (the workbench's lists keep
paging meanwhile) with a progress dialog that cancels it; a cancelled export leaves no
file. The outcome is said in a message: how many rows were written where, that it was
cancelled, or what was wrong (ui.i18n.error_text).

Tests replace `ask_target` (the dialog) and `notify` (the closing message).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject, QSettings, QStandardPaths, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from branchdesk.domain.errors import DomainError
from branchdesk.services import exports
from branchdesk.services.context import ServiceContext
from branchdesk.services.exports import CaseSelection, ExportCancelled, ExportResult, ExportRights
from branchdesk.services.worklists import CaseFilter
from ui import i18n
from ui.long_work import LongWork
from ui.worker import DbWorker

# Where the last export went (the next one starts there).
FOLDER_SETTING = "export/folder"
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|&\x00-\x1f]+')


@dataclass(frozen=True)
class ExportTarget:
    """What the person chose: the file, its format, and full personal data or not."""

    path: Path
    fmt: str
    unmasked: bool = False


def safe_file_name(name: str) -> str:
    """A file name from a title ("逾期 / 天河" -> "逾期 - 天河"); never empty."""
    cleaned = _UNSAFE_NAME.sub("-", name).strip(" .-")
    return re.sub(r"-{2,}", "-", cleaned) or "export"


def _default_folder() -> Path:
    saved = str(QSettings().value(FOLDER_SETTING, "") or "")
    if saved and Path(saved).is_dir():
        return Path(saved)
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(documents) if documents and Path(documents).is_dir() else Path.home()


class ExportDialog(QDialog):
    """Where and how to export: the file (typed, or chosen with the system's file
    dialog), XLSX or CSV, and, for a role that may, full personal data. Enter exports,
    Esc closes; the format follows the name's extension and the other way round."""

    FORMATS = ("xlsx", "csv")

    def __init__(
        self,
        parent: QWidget | None,
        *,
        title: str,
        suggested_name: str,
        offer_personal: bool,
        rows: int | None,
        what: str = "cases",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        if rows is not None:
            self.summary.setText(
                self.tr("%n case(s) will be exported.", "", rows)
                if what == "cases"
                else self.tr("%n row(s) will be exported.", "", rows)
            )
        self.summary.setVisible(rows is not None)

        self.path = QLineEdit(self)
        self.path.setMinimumWidth(460)
        self.path.setText(str(_default_folder() / f"{safe_file_name(suggested_name)}.xlsx"))
        self.browse = QPushButton(self.tr("&Browse…"), self)
        self.browse.setAutoDefault(False)
        self.format = QComboBox(self)
        self.format.addItem(self.tr("Excel workbook (.xlsx)"), "xlsx")
        self.format.addItem(self.tr("CSV, UTF-8 (.csv)"), "csv")
        self.personal = QCheckBox(
            self.tr(
                "Include full &personal data (contact phone, ID and service numbers); "
                "otherwise they are masked"
            ),
            self,
        )
        self.personal.setVisible(offer_personal)
        self.personal_note = QLabel(
            self.tr("The export is recorded in the audit trail, with or without them."), self
        )
        self.personal_note.setStyleSheet("color: #666;")
        self.personal_note.setVisible(offer_personal)

        file_label = QLabel(self.tr("&File:"), self)
        file_label.setBuddy(self.path)
        format_label = QLabel(self.tr("F&ormat:"), self)
        format_label.setBuddy(self.format)
        grid = QGridLayout()
        grid.addWidget(file_label, 0, 0)
        grid.addWidget(self.path, 0, 1)
        grid.addWidget(self.browse, 0, 2)
        grid.addWidget(format_label, 1, 0)
        grid.addWidget(self.format, 1, 1, 1, 2)
        buttons = QDialogButtonBox(self)
        self.export_button = buttons.addButton(
            self.tr("Export (Enter)"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.cancel_button = buttons.addButton(
            self.tr("Cancel (Esc)"), QDialogButtonBox.ButtonRole.RejectRole
        )
        self.export_button.setDefault(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(grid)
        layout.addWidget(self.personal)
        layout.addWidget(self.personal_note)
        layout.addWidget(buttons)

        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.browse.clicked.connect(self.choose_file)
        self.format.currentIndexChanged.connect(self._format_chosen)
        self.path.textChanged.connect(self._path_typed)
        self.path.setFocus()
        self.path.selectAll()

    def chosen_format(self) -> str:
        return str(self.format.currentData())

    def target(self) -> ExportTarget | None:
        text = self.path.text().strip()
        if not text:
            return None
        fmt = self.chosen_format()
        path = Path(text).expanduser()
        if path.suffix.lower().lstrip(".") != fmt:
            path = path.with_name(f"{path.name}.{fmt}")
        unmasked = not self.personal.isHidden() and self.personal.isChecked()
        return ExportTarget(path, fmt, unmasked)

    def choose_file(self) -> None:
        """The system's save dialog, starting where the path points."""
        filters = {
            "xlsx": self.tr("Excel workbook (*.xlsx)"),
            "csv": self.tr("CSV, UTF-8 (*.csv)"),
        }
        chosen, used = QFileDialog.getSaveFileName(
            self,
            self.windowTitle(),
            self.path.text(),
            ";;".join(filters.values()),
            filters[self.chosen_format()],
        )
        if chosen:
            if Path(chosen).suffix.lower().lstrip(".") not in self.FORMATS:
                fmt = "csv" if used == filters["csv"] else "xlsx"
                chosen = f"{chosen}.{fmt}"
            self.path.setText(chosen)

    def accept(self) -> None:
        if self.target() is not None:
            super().accept()

    def _format_chosen(self, _index: int) -> None:
        fmt = self.chosen_format()
        path = Path(self.path.text().strip())
        if path.name and path.suffix.lower().lstrip(".") != fmt:
            stem = path.stem if path.suffix.lower().lstrip(".") in self.FORMATS else path.name
            self.path.setText(str(path.with_name(f"{stem}.{fmt}")))

    def _path_typed(self, text: str) -> None:
        suffix = Path(text.strip()).suffix.lower().lstrip(".")
        if suffix in self.FORMATS and suffix != self.chosen_format():
            self.format.setCurrentIndex(self.FORMATS.index(suffix))
        self.export_button.setEnabled(bool(text.strip()))


def ask_target(
    parent: QWidget | None,
    *,
    title: str,
    suggested_name: str,
    offer_personal: bool,
    rows: int | None,
    what: str,
) -> ExportTarget | None:
    """Ask where to export (None: the person closed the dialog)."""
    dialog = ExportDialog(
        parent,
        title=title,
        suggested_name=suggested_name,
        offer_personal=offer_personal,
        rows=rows,
        what=what,
    )
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        target = dialog.target()
        if target is not None:
            QSettings().setValue(FOLDER_SETTING, str(target.path.parent))
        return target
    finally:
        dialog.deleteLater()


def notify(parent: QWidget | None, title: str, text: str, *, problem: bool = False) -> None:
    """Say how the export ended (a message box that does not block the window)."""
    icon = QMessageBox.Icon.Warning if problem else QMessageBox.Icon.Information
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()


Prepared = tuple[ExportRights, int]


class ExportTexts(QObject):
    """What an export says (a QObject only for `tr()`: one instance, never deleted)."""

    def title(self, *, tables: bool) -> str:
        return self.tr("Export a table") if tables else self.tr("Export cases")

    def exporting(self) -> str:
        return self.tr("Exporting cases…")

    def exported(self, result: ExportResult, *, tables: bool) -> str:
        if tables:
            text = self.tr("%n row(s) exported to %1.", "", result.rows)
        elif result.masked:
            text = self.tr(
                "%n case(s) exported to %1. Phone, ID and service numbers are masked.",
                "",
                result.rows,
            )
        else:
            text = self.tr(
                "%n case(s) exported to %1, with full personal data: keep the file safe.",
                "",
                result.rows,
            )
        return text.replace("%1", str(result.path))

    def cancelled(self) -> str:
        return self.tr("The export was cancelled; no file was written.")


@cache
def _texts() -> ExportTexts:
    return ExportTexts()


class ExportRun:
    """One export from the desktop, from the permission check to the closing message,
    with a database worker of its own. A plain object (kept in `_RUNNING` until it
    ends), so that nothing Qt owns has to be deleted from inside its own callbacks."""

    def __init__(
        self,
        parent: QWidget,
        ctx: ServiceContext,
        staff_no: str,
        *,
        suggested_name: str,
        selection: CaseSelection | None = None,
        table: tuple[str, Sequence[str], Sequence[Sequence[object]]] | None = None,
    ) -> None:
        self._window = parent
        self._me = staff_no
        self._selection = selection
        self._table = table
        self._suggested = suggested_name
        self._lang = i18n.current()
        self.worker = DbWorker(ctx)
        self.work: LongWork | None = None
        self.target: ExportTarget | None = None
        #: How it ended: an ExportResult, a DomainError (ExportCancelled), or None when
        #: the file dialog was closed. `ENDING` until then.
        self.outcome: object = ENDING
        self.on_end: list[Callable[[object], None]] = []

    @property
    def _tables(self) -> bool:
        return self._table is not None

    def title(self) -> str:
        return _texts().title(tables=self._tables)

    def start(self) -> None:
        me, selection, rows = self._me, self._selection, self._table

        def prepare(ctx: ServiceContext) -> Prepared:
            rights = exports.require_export_rights(ctx, me, tables=rows is not None)
            if rows is not None:
                return rights, len(rows[2])
            assert selection is not None
            return rights, exports.count_cases(ctx, selection)

        self.worker.run(prepare, on_done=self._prepared, on_error=self._failed)

    def _prepared(self, prepared: Prepared) -> None:
        rights, count = prepared
        target = ask_target(
            self._window,
            title=self.title(),
            suggested_name=self._suggested,
            offer_personal=rights.personal and not self._tables,
            rows=count,
            what="table" if self._tables else "cases",
        )
        if target is None:
            self._end(None)
            return
        self.target = target
        if self._table is not None:
            self._write_table(target, *self._table)
        else:
            self._write_cases(target)

    def _write_cases(self, target: ExportTarget) -> None:
        me, selection, lang = self._me, self._selection, self._lang
        assert selection is not None

        def work(ctx: ServiceContext, progress: Callable[[int, int], bool]) -> ExportResult:
            going = [True]

            def moved(done: int, total: int) -> None:
                going[0] = progress(done, total)

            return exports.export_cases(
                ctx,
                actor=me,
                selection=selection,
                path=target.path,
                fmt=target.fmt,
                lang=lang,
                unmasked=target.unmasked,
                progress=moved,
                cancelled=lambda: not going[0],
            )

        self.work = LongWork(
            self.worker,
            _texts().exporting(),
            work,
            self._window,
        )
        self.work.finished.connect(self._done)
        self.work.failed.connect(self._failed)

    def _write_table(
        self,
        target: ExportTarget,
        title: str,
        headers: Sequence[str],
        rows: Sequence[Sequence[object]],
    ) -> None:
        me = self._me

        def write(ctx: ServiceContext) -> ExportResult:
            return exports.export_table(
                ctx,
                actor=me,
                title=title,
                headers=headers,
                rows=rows,
                path=target.path,
                fmt=target.fmt,
            )

        self.worker.run(write, on_done=self._done, on_error=self._failed)

    def _done(self, result: object) -> None:
        assert isinstance(result, ExportResult)
        self._say(_texts().exported(result, tables=self._tables))
        self._end(result)

    def _failed(self, error: object) -> None:
        if isinstance(error, ExportCancelled):
            self._say(_texts().cancelled())
        elif isinstance(error, DomainError):
            self._say(i18n.error_text(error), problem=True)
        self._end(error)

    def _say(self, text: str, *, problem: bool = False) -> None:
        window = self._window if shiboken6.isValid(self._window) else None
        notify(window, self.title(), text, problem=problem)

    def _end(self, outcome: object) -> None:
        self.outcome = outcome
        self.worker.shutdown()
        self.worker.deleteLater()
        if self.work is not None and shiboken6.isValid(self.work):
            self.work.deleteLater()
        _RUNNING.discard(self)
        for callback in self.on_end:
            callback(outcome)


#: Exports under way (each keeps itself here until it ends).
_RUNNING: set[ExportRun] = set()
ENDING = object()


def running() -> list[ExportRun]:
    """The exports under way (for tests and a window that closes)."""
    return list(_RUNNING)


def _start(run: ExportRun) -> None:
    _RUNNING.add(run)
    run.start()


def export_cases_interactively(
    parent: QWidget,
    ctx: ServiceContext,
    staff_no: str,
    selection: CaseSelection,
    suggested_name: str,
) -> None:
    """Export the cases of `selection` as `staff_no`: file dialog, progress, outcome."""
    _start(ExportRun(parent, ctx, staff_no, suggested_name=suggested_name, selection=selection))


def export_table_interactively(
    parent: QWidget,
    ctx: ServiceContext,
    staff_no: str,
    title: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    suggested_name: str,
) -> None:
    """Export a figure table (already in the person's words) as `staff_no`."""
    table = (title, list(headers), [list(r) for r in rows])
    _start(ExportRun(parent, ctx, staff_no, suggested_name=suggested_name, table=table))


# --- the workbench's case list -----------------------------------------------------


def list_selection(
    case_filter: CaseFilter, shown_ids: Callable[[], Sequence[int]]
) -> CaseSelection:
    """What the workbench's list shows, as an export selection: the whole branch or
    the person's open cases as filters; any other queue, or a list narrowed by a
    search, as the ids it shows, in its order. The description names the queue and
    whether a search narrowed it, never the search text (it may be a phone)."""
    searched = bool(case_filter.text.strip())
    queue = case_filter.queue
    if queue == "all" and not searched:
        return CaseSelection(description="case list: all cases")
    if queue == "mine" and not searched and case_filter.me:
        return CaseSelection(
            owner=case_filter.me,
            open_only=True,
            description=f"case list: open cases of {case_filter.me}",
        )
    narrowed = ", narrowed by a search" if searched else ""
    return CaseSelection(ids=tuple(shown_ids()), description=f"case list: queue {queue}{narrowed}")


def export_case_list(
    parent: QWidget,
    ctx: ServiceContext,
    staff_no: str,
    case_filter: CaseFilter,
    shown_ids: Callable[[], Sequence[int]],
    queue_name: str,
) -> None:
    """The workbench's Export… (Ctrl+Shift+E): the list as it is shown."""
    selection = list_selection(case_filter, shown_ids)
    day = ctx.now().date().isoformat()
    export_cases_interactively(parent, ctx, staff_no, selection, f"{queue_name}-{day}")
