"""Incidents (突发事件) as a panel: the incidents with their linked-case counts (an
overdue customer notification highlighted), the selected one's timeline and cases,
and its handling from one place: record an incident (a dialog), progress pushed onto
the linked cases, customers notified, the resolution (root cause, explanation,
compensation), the bulk resolution of the linked cases and their closure letters (long
work with progress and cancel), and the summary report PDF."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from branchdesk.domain.errors import DomainError
from branchdesk.domain.incidents import IncidentDraft, Resolution
from branchdesk.services import incident_bulk, incidents
from branchdesk.services.context import ServiceContext
from branchdesk.services.followup_reports import incident_report_pdf
from branchdesk.services.incident_letters import closure_letters
from branchdesk.services.incidents import Incident, IncidentDetail
from branchdesk.services.private_files import private_file
from ui import i18n
from ui.followup_table import RowsPanel
from ui.incident_dialog import IncidentDialog
from ui.long_work import LongWork, Progress
from ui.worker import DbWorker


class IncidentsPanel(RowsPanel):
    loaded = Signal(int)
    detail_loaded = Signal(object)  # IncidentDetail
    done = Signal(str, object)  # what finished ("created", "bulk", …) and its result
    failed = Signal(object)

    def __init__(
        self, ctx: ServiceContext, worker: DbWorker, staff_no: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(ctx, worker, staff_no, self._headers, parent)
        self.work: LongWork | None = None
        self.detail = QPlainTextEdit(self)
        self.detail.setReadOnly(True)
        self.new_button = QPushButton(self)
        self.progress_edit = QLineEdit(self)
        self.progress_button = QPushButton(self)
        self.notified_button = QPushButton(self)
        self.root_cause = QLineEdit(self)
        self.explanation = QLineEdit(self)
        self.compensation_rule = QLineEdit(self)
        self.compensation_fen = QSpinBox(self)
        self.compensation_fen.setRange(0, 10_000_000)
        self.lessons = QLineEdit(self)
        self.resolve_button = QPushButton(self)
        self.bulk_button = QPushButton(self)
        self.error = QLabel(self)
        self.error.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(self.new_button)
        top.addWidget(self.notified_button)
        top.addStretch(1)
        top.addWidget(self.bulk_button)
        progress = QHBoxLayout()
        progress.addWidget(self.progress_edit, 1)
        progress.addWidget(self.progress_button)
        self.resolution = QFormLayout()
        for widget in (
            self.root_cause,
            self.explanation,
            self.compensation_rule,
            self.compensation_fen,
            self.lessons,
        ):
            # A real label per row (an empty string makes none), named in retranslate().
            label = QLabel(self)
            label.setBuddy(widget)
            self.resolution.addRow(label, widget)
        self.resolution.addRow(QLabel(self), self.resolve_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 2)
        layout.addWidget(self.detail, 2)
        layout.addLayout(progress)
        layout.addLayout(self.resolution)
        layout.addWidget(self.error)
        self.setFocusProxy(self.table)

        self.new_button.clicked.connect(self.open_new_dialog)
        self.progress_button.clicked.connect(self.push_progress)
        self.progress_edit.returnPressed.connect(self.push_progress)
        self.notified_button.clicked.connect(self.mark_notified)
        self.resolve_button.clicked.connect(self.resolve)
        self.bulk_button.clicked.connect(self.bulk_resolve)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self.load_detail())
        worker.changed.connect(self.refresh)
        self.retranslate()
        self.refresh()

    # -- reading
    def refresh(self) -> None:
        self._generation += 1
        generation, me = self._generation, self._me

        def fetch(ctx: ServiceContext) -> list[Incident]:
            return incidents.list_incidents(ctx, actor=me)

        self._worker.run(
            fetch, on_done=lambda r: self._arrived(generation, r), on_error=self._failed
        )

    def selected(self) -> Incident | None:
        found = self.selected_record()
        return found if isinstance(found, Incident) else None

    def load_detail(self) -> None:
        incident = self.selected()
        if incident is None:
            self.detail.clear()
            return
        me, number = self._me, incident.number

        def fetch(ctx: ServiceContext) -> IncidentDetail:
            return incidents.get_incident(ctx, number, actor=me)

        self._worker.run(fetch, on_done=self._show_detail, on_error=self._failed)

    # -- acting
    def open_new_dialog(self) -> IncidentDialog:
        dialog = IncidentDialog(self._ctx.now(), self)
        dialog.accepted.connect(lambda: self.create_incident(dialog.draft()))
        dialog.open()
        return dialog

    def create_incident(self, draft: IncidentDraft) -> None:
        me = self._me
        self._write(lambda ctx: incidents.create_incident(ctx, draft, actor=me), "created")

    def push_progress(self) -> None:
        incident, text = self.selected(), self.progress_edit.text().strip()
        if incident is None or not text:
            return
        me, number = self._me, incident.number
        self.progress_edit.clear()
        self._write(
            lambda ctx: incidents.record_progress(ctx, number, text=text, actor=me), "progress"
        )

    def mark_notified(self) -> None:
        incident = self.selected()
        if incident is not None:
            me, number = self._me, incident.number
            self._write(lambda ctx: incidents.mark_notified(ctx, number, actor=me), "notified")

    def resolve(self) -> None:
        incident = self.selected()
        if incident is None:
            return
        resolution = Resolution(
            root_cause=self.root_cause.text(),
            explanation=self.explanation.text(),
            compensation_rule=self.compensation_rule.text(),
            compensation_fen=self.compensation_fen.value(),
            lessons=self.lessons.text(),
        )
        me, number = self._me, incident.number
        self._write(
            lambda ctx: incidents.resolve_incident(ctx, number, resolution, actor=me), "resolved"
        )

    def bulk_resolve(self) -> LongWork | None:
        """Resolve the linked cases, then print their letters: long work, cancellable
        (a later run carries on)."""
        incident = self.selected()
        if incident is None:
            return None
        me, number = self._me, incident.number

        def work(ctx: ServiceContext, progress: Progress) -> Any:
            result = incident_bulk.bulk_resolve(ctx, number, actor=me, progress=progress)
            if result.remaining:
                return result
            return result, closure_letters(ctx, number, actor=me, progress=progress)

        self.work = LongWork(self._worker, self.tr("Resolving the linked cases…"), work, self)
        self.work.finished.connect(lambda r: self._finished("bulk", r))
        self.work.failed.connect(self._failed)
        return self.work

    def export_report(self, path: Path) -> None:
        incident = self.selected()
        if incident is None:
            return
        me, number = self._me, incident.number

        def render(ctx: ServiceContext) -> None:
            with private_file(path) as f:  # the affected customers' cases: owner-only
                f.write(incident_report_pdf(ctx, number, actor=me))

        self._worker.run(
            render, on_done=lambda _r: self.done.emit("report", path), on_error=self._failed
        )

    def retranslate(self) -> None:
        self.table.setAccessibleName(self.tr("Incidents"))
        self.new_button.setText(self.tr("New incident… (Ctrl+N)"))
        self.new_button.setShortcut("Ctrl+N")
        self.notified_button.setText(self.tr("Customers notified"))
        self.progress_edit.setPlaceholderText(self.tr("Progress, noted on every linked case"))
        self.progress_button.setText(self.tr("Add progress (Enter)"))
        self.resolve_button.setText(self.tr("Record the resolution"))
        self.bulk_button.setText(self.tr("Resolve linked cases and print letters"))
        labels = (
            self.tr("Root cause"),
            self.tr("Explanation for customers"),
            self.tr("Compensation rule"),
            self.tr("Compensation per case (fen)"),
            self.tr("Lessons learned"),
            "",
        )
        for row, text in enumerate(labels):
            item = self.resolution.itemAt(row, QFormLayout.ItemRole.LabelRole)
            if item is not None and isinstance(item.widget(), QLabel):
                item.widget().setText(text)  # type: ignore[union-attr]
        self.model.retranslate()

    # -- private
    def _headers(self) -> list[str]:
        return [
            self.tr("Incident"),
            self.tr("Type"),
            self.tr("Level"),
            self.tr("Status"),
            self.tr("Started"),
            self.tr("Area"),
            self.tr("Notify customers by"),
            self.tr("Linked cases"),
        ]

    def _write(self, call: Callable[[ServiceContext], Any], what: str) -> None:
        self._worker.run(
            call, on_done=lambda r: self._finished(what, r), on_error=self._failed, writes=True
        )

    def _finished(self, what: str, result: object) -> None:
        self.error.clear()
        if what == "bulk":
            self._worker.changed.emit()
        self.done.emit(what, result)

    def _arrived(self, generation: int, found: list[Incident]) -> None:
        if generation != self._generation:
            return
        current = self.selected()
        now = self._ctx.now()
        rows = [
            (
                i.number,
                i18n.word("label.IncidentType", i.type),
                str(i.level),
                i18n.word("label.IncidentStatus", i.status),
                self._when(i.started_at),
                " ".join(p for p in (i.district, i.street, i.cell) if p),
                self._when(i.notified_at) or self._when(i.notify_due_at),
                str(i.linked),
            )
            for i in found
        ]
        self.model.set_rows(rows, found, [i.notification_overdue(now) for i in found])
        self.table.resizeColumnsToContents()
        row = next((r for r, i in enumerate(found) if current and i.number == current.number), 0)
        if found:
            before = self.table.currentIndex().row()
            self.select_row(row)
            if before == row:  # no row change, so no automatic detail load
                self.load_detail()
        self.loaded.emit(len(found))

    def _show_detail(self, detail: IncidentDetail) -> None:
        i = detail.incident
        lines = [f"{i.number}  {i18n.word('label.IncidentType', i.type)}  {i.scope}"]
        if i.cause:
            lines.append(self.tr("Cause: %1").replace("%1", i.cause))
        if i.root_cause:
            lines.append(self.tr("Root cause: %1").replace("%1", i.root_cause))
        lines.append(self.tr("Timeline:"))
        kinds = {
            "created": self.tr("recorded"),
            "progress": self.tr("progress"),
            "notified": self.tr("customers notified"),
            "resolved": self.tr("resolved"),
            "bulk": self.tr("linked cases resolved"),
        }
        lines += [
            f"  {self._when(u.at)}  {u.actor}  {kinds.get(u.kind, u.kind)}  {u.text}"
            for u in detail.updates
        ]
        counts = ", ".join(
            f"{i18n.word('label.CaseState', s)} {n}"
            for s, n in sorted(detail.count_by_state().items())
        )
        lines.append(self.tr("Linked cases: %1").replace("%1", f"{len(detail.cases)} ({counts})"))
        lines += [
            f"  {c.number}  {c.customer_name}  {i18n.word('label.CaseState', c.state)}"
            for c in detail.cases
        ]
        self.detail.setPlainText("\n".join(lines))
        self.detail_loaded.emit(detail)

    def _failed(self, error: DomainError) -> None:
        self.error.setText(i18n.error_text(error))
        self.failed.emit(error)
