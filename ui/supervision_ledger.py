"""The supervision ledger (督办台账) as a panel: every open supervised case, overdue
progress reports first and highlighted, with the selected case's supervision in full
(reason, departments and their contributions, every report, missed report dates); a
line to report progress on the selected case, the supervisor's reminder line, and the
printable ledger. Service calls run on the database worker."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from branchdesk.domain.errors import DomainError
from branchdesk.services import supervision
from branchdesk.services.context import ServiceContext
from branchdesk.services.followup_reports import ledger_pdf
from branchdesk.services.private_files import private_file
from branchdesk.services.supervision import LedgerEntry
from ui import i18n
from ui.followup_table import RowsPanel
from ui.worker import DbWorker


class SupervisionLedgerPanel(RowsPanel):
    """The ledger for `staff_no` (a handler or manager)."""

    loaded = Signal(int)  # rows shown
    failed = Signal(object)  # DomainError

    def __init__(
        self, ctx: ServiceContext, worker: DbWorker, staff_no: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(ctx, worker, staff_no, self._headers, parent)
        self.mine = QCheckBox(self)
        self.refresh_button = QPushButton(self)
        self.reminder = QLabel(self)
        self.reminder.setObjectName("reminder")
        self.detail = QPlainTextEdit(self)
        self.detail.setReadOnly(True)
        self.progress_edit = QLineEdit(self)
        self.report_button = QPushButton(self)
        self.error = QLabel(self)
        self.error.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(self.mine)
        top.addWidget(self.refresh_button)
        top.addStretch(1)
        top.addWidget(self.reminder)
        report = QHBoxLayout()
        report.addWidget(self.progress_edit, 1)
        report.addWidget(self.report_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 3)
        layout.addWidget(self.detail, 2)
        layout.addLayout(report)
        layout.addWidget(self.error)
        self.setFocusProxy(self.table)

        self.mine.toggled.connect(lambda _on: self.refresh())
        self.refresh_button.clicked.connect(self.refresh)
        self.report_button.clicked.connect(self.report_progress)
        self.progress_edit.returnPressed.connect(self.report_progress)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_detail())
        worker.changed.connect(self.refresh)
        self.retranslate()
        self.refresh()

    # -- public
    def refresh(self) -> None:
        self._generation += 1
        generation, me, mine = self._generation, self._me, self.mine.isChecked()

        def fetch(ctx: ServiceContext) -> tuple[list[LedgerEntry], list[LedgerEntry]]:
            entries = supervision.ledger(ctx, actor=me, supervisor=me if mine else None)
            return entries, supervision.reminders(ctx, actor=me)

        self._worker.run(
            fetch, on_done=lambda r: self._arrived(generation, *r), on_error=self._failed
        )

    def selected(self) -> LedgerEntry | None:
        found = self.selected_record()
        return found if isinstance(found, LedgerEntry) else None

    def report_progress(self) -> None:
        entry, text = self.selected(), self.progress_edit.text().strip()
        if entry is None or not text:
            return
        me, number = self._me, entry.number

        def report(ctx: ServiceContext) -> None:
            supervision.report_progress(ctx, number, progress=text, actor=me)

        self._worker.run(
            report,
            on_done=lambda _r: self.progress_edit.clear(),
            on_error=self._failed,
            writes=True,
        )

    def export_pdf(self, path: Path) -> None:
        """Write the printable ledger (as filtered) to `path`, on the worker."""
        me, mine = self._me, self.mine.isChecked()

        def render(ctx: ServiceContext) -> None:
            with private_file(path) as f:  # names customers and their cases: owner-only
                f.write(ledger_pdf(ctx, actor=me, supervisor=me if mine else None))

        self._worker.run(render, on_error=self._failed)

    def retranslate(self) -> None:
        self.mine.setText(self.tr("Only cases I supervise"))
        self.refresh_button.setText(self.tr("Refresh (F5)"))
        self.refresh_button.setShortcut("F5")
        self.report_button.setText(self.tr("Report progress (Enter)"))
        self.progress_edit.setPlaceholderText(self.tr("Progress of the selected case"))
        self.table.setAccessibleName(self.tr("Supervision ledger"))
        self.model.retranslate()

    # -- private
    def _headers(self) -> list[str]:
        return [
            self.tr("Case"),
            self.tr("Supervisor"),
            self.tr("Reason"),
            self.tr("Since"),
            self.tr("Latest progress"),
            self.tr("Next report due"),
            self.tr("Missed"),
            self.tr("Status"),
        ]

    def _arrived(
        self, generation: int, entries: list[LedgerEntry], reminders: list[LedgerEntry]
    ) -> None:
        if generation != self._generation:
            return  # a newer request is on its way
        current = self.selected()
        rows = []
        for e in entries:
            s = e.supervision
            reason = (
                i18n.word("label.EscalationReason", s.reason)
                if s.source == "escalation"
                else s.reason
            )
            rows.append(
                (
                    e.number,
                    s.supervisor,
                    reason,
                    self._when(s.started_at),
                    s.latest.text if s.latest else self.tr("No report yet"),
                    self._when(s.next_due_at),
                    str(e.missed_count) if e.missed_count else "",
                    self.tr("Overdue") if e.overdue else self.tr("On track"),
                )
            )
        self.model.set_rows(rows, entries, [e.overdue for e in entries])
        self.table.resizeColumnsToContents()
        overdue = sum(1 for r in reminders if r.overdue)
        self.reminder.setText(
            self.tr("%n progress report(s) to chase", "", len(reminders)) if reminders else ""
        )
        self.reminder.setProperty("alarm", overdue > 0)
        self.error.clear()
        if current is not None:
            for row, e in enumerate(entries):
                if e.number == current.number:
                    self.select_row(row)
        self._show_detail()
        self.loaded.emit(len(entries))

    def _show_detail(self) -> None:
        entry = self.selected()
        if entry is None:
            self.detail.clear()
            return
        s = entry.supervision
        lines = [
            f"{entry.number}  {entry.summary}",
            self.tr("Supervisor: %1").replace("%1", s.supervisor),
            self.tr("Source: %1").replace("%1", i18n.word("label.SupervisionSource", s.source)),
        ]
        if s.detail:
            lines.append(s.detail)
        if s.departments:
            lines.append(self.tr("Departments: %1").replace("%1", "、".join(s.departments)))
        lines += [f"  · {c.department}: {c.text} ({self._when(c.at)})" for c in s.contributions]
        lines.append(self.tr("Progress reports:"))
        lines += [f"  {self._when(r.at)}  {r.actor}  {r.text}" for r in s.reports] or ["  —"]
        if s.missed:
            missed = ", ".join(self._when(m) for m in s.missed)
            lines.append(self.tr("Missed reports (due): %1").replace("%1", missed))
        self.detail.setPlainText("\n".join(lines))

    def _failed(self, error: DomainError) -> None:
        self.error.setText(i18n.error_text(error))
        self.failed.emit(error)
