"""What the dashboard opens: the list of the cases behind a figure (Enter opens one in
the workbench, Ctrl+Shift+E exports them all) and the printable report's preview."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QEvent, QModelIndex, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from branchdesk.domain.errors import DomainError
from branchdesk.services import queries
from branchdesk.services.context import ServiceContext
from branchdesk.services.printing import PrintedDocument, first_page_size
from branchdesk.services.quality import QualityFilter
from branchdesk.services.queries import CaseSummary
from ui import i18n
from ui.followup_table import RowsPanel
from ui.worker import DbWorker

# The list shows the newest this many; an export takes every case of the figure.
SHOWN = queries.MAX_PAGE


class _CaseRows(RowsPanel):
    """The cases as a read-only table."""

    def __init__(
        self, ctx: ServiceContext, worker: DbWorker, staff_no: str, parent: QWidget
    ) -> None:
        super().__init__(ctx, worker, staff_no, self._headers, parent)

    def _headers(self) -> list[str]:
        return [
            self.tr("Case"),
            self.tr("Kind"),
            self.tr("State"),
            self.tr("Grade"),
            self.tr("Category"),
            self.tr("Customer"),
            self.tr("Phone"),
            self.tr("Owner"),
            self.tr("Received"),
            self.tr("Summary"),
        ]

    def refresh(self) -> None:  # the dialog loads the list
        pass

    def show_cases(self, found: list[CaseSummary]) -> None:
        lang = i18n.current()
        rows = [
            (
                c.number,
                i18n.word("label.CaseKind", c.kind),
                i18n.word("label.CaseState", c.state),
                i18n.word("label.Grade", c.grade),
                self._ctx.catalogue.label(c.category, lang),
                c.customer_name,
                c.phone_masked,
                c.owner,
                self._when(c.received_at),
                c.summary,
            )
            for c in found
        ]
        self.model.set_rows(rows, found, [False] * len(found))
        self.table.resizeColumnsToContents()


class SegmentCasesDialog(QDialog):
    """The cases behind one figure. `find_ids(ctx)` gives their ids (on the worker)."""

    open_case = Signal(str)
    loaded = Signal(int)  # how many cases the figure has

    def __init__(
        self,
        ctx: ServiceContext,
        worker: DbWorker,
        staff_no: str,
        title: str,
        find_ids: Callable[[ServiceContext], tuple[int, ...]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx, self._worker, self._me = ctx, worker, staff_no
        self.title = title
        self.ids: tuple[int, ...] = ()
        self.rows = _CaseRows(ctx, worker, staff_no, self)
        self.count = QLabel(self)
        self.count.setObjectName("count")
        self.export_button = QPushButton(self)
        self.close_button = QPushButton(self)
        # Enter belongs to the list (it opens the case), not to a default button.
        for button in (self.export_button, self.close_button):
            button.setAutoDefault(False)
            button.setDefault(False)
        self.close_button.clicked.connect(self.reject)
        self.export_button.clicked.connect(self.export)
        QShortcut(QKeySequence("Ctrl+Shift+E"), self).activated.connect(self.export)
        self.rows.table.activated.connect(self._activated)
        buttons = QHBoxLayout()
        buttons.addWidget(self.count, 1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.rows, 1)
        layout.addLayout(buttons)
        self.setWindowTitle(title)
        self.resize(1000, 560)
        self.retranslate()

        def fetch(c: ServiceContext) -> tuple[tuple[int, ...], list[CaseSummary]]:
            ids = find_ids(c)
            return ids, queries.cases_by_ids(c, ids, limit=SHOWN)

        worker.run(fetch, on_done=self._arrived, on_error=self._failed)

    def _arrived(self, result: tuple[tuple[int, ...], list[CaseSummary]]) -> None:
        self.ids, found = result
        self.rows.show_cases(found)
        self._show_count()
        self.export_button.setEnabled(bool(self.ids))
        if found:
            self.rows.select_row(0)
            self.rows.table.setFocus()
        self.loaded.emit(len(self.ids))

    def _show_count(self) -> None:
        n = len(self.ids)
        text = self.tr("%n case(s)", "", n)
        if n > SHOWN:
            text += " " + self.tr("(the newest %1 shown; Export takes them all)").replace(
                "%1", str(SHOWN)
            )
        self.count.setText(text)

    def _failed(self, error: DomainError) -> None:
        self.count.setText(i18n.error_text(error))

    def _activated(self, index: QModelIndex) -> None:
        case = self.rows.model.record(index.row())
        if case is not None:
            self.open_case.emit(case.number)

    def export(self) -> None:
        if not self.ids:
            return
        from branchdesk.services.exports import CaseSelection
        from ui.export_dialog import export_cases_interactively

        selection = CaseSelection(ids=self.ids, description=self.title)
        export_cases_interactively(self, self._ctx, self._me, selection, self.title)

    def retranslate(self) -> None:
        self.export_button.setText(self.tr("Export… (Ctrl+Shift+E)"))
        self.close_button.setText(self.tr("Close (Esc)"))
        self.rows.retranslate()
        if self.ids:
            self._show_count()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


def preview_quality_report(
    parent: QWidget,
    ctx: ServiceContext,
    worker: DbWorker,
    staff_no: str,
    since: datetime,
    until: datetime,
    where: QualityFilter,
    on_error: Callable[[DomainError], None],
) -> None:
    """Render the printable quality report on the worker, then show its preview (print
    or save as PDF from there)."""
    from ui.printing import PrintPreviewDialog

    lang = i18n.current()

    def render(c: ServiceContext) -> PrintedDocument:
        from branchdesk.services.quality_reports import quality_report_pdf

        pdf = quality_report_pdf(
            c, actor=staff_no, since=since, until=until, where=where, lang=lang
        )
        width, height = first_page_size(pdf)
        number = f"{c.branch_code}-{since.astimezone(c.tz):%Y%m%d}"
        return PrintedDocument(number, "quality_report", 1, pdf, width, height)

    def show(document: PrintedDocument) -> None:
        preview = PrintPreviewDialog(document, parent)
        preview.setObjectName("quality_report_preview")
        preview.show()

    worker.run(render, on_done=show, on_error=on_error)
