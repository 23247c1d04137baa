"""The return-visit call list (回访) as a panel: today's calls, the most urgent first
and overdue ones highlighted; the outcome of the selected call (reached or not, score
1–5, really solved?, comment) recorded with one key; a dissatisfied customer's case
reopened from here (a new event linked to the visit). The phone number is shown masked:
`Reveal` asks the services for it, which writes the audit trail. The person at this
desk is recorded as the surveyor; the services refuse anyone who handled the case."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from branchdesk.domain.errors import DomainError
from branchdesk.domain.return_visits import Outcome
from branchdesk.services import cases, return_visits
from branchdesk.services.context import ServiceContext
from branchdesk.services.return_visits import Visit
from ui import i18n
from ui.followup_table import RowsPanel
from ui.worker import DbWorker


class ReturnVisitsPanel(RowsPanel):
    loaded = Signal(int)
    recorded = Signal(object)  # Visit
    reopened = Signal(int)  # the reopen event's seq
    revealed = Signal(str)  # the full phone number
    failed = Signal(object)

    def __init__(
        self, ctx: ServiceContext, worker: DbWorker, staff_no: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(ctx, worker, staff_no, self._headers, parent)
        self.day = QDateEdit(self)
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        today = ctx.now().date()
        self.day.setDate(QDate(today.year, today.month, today.day))
        self.reached = QCheckBox(self)
        self.reached.setChecked(True)
        self.score = QSpinBox(self)
        self.score.setRange(1, 5)
        self.score.setValue(5)
        self.solved = QComboBox(self)
        self.comment = QLineEdit(self)
        self.record_button = QPushButton(self)
        self.reveal_button = QPushButton(self)
        self.reopen_reason = QLineEdit(self)
        self.reopen_button = QPushButton(self)
        self.reopen_button.setEnabled(False)
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.form = QFormLayout()
        self._labels = [QLabel(self) for _ in range(4)]
        fields = (self.reached, self.score, self.solved, self.comment)
        for label, widget in zip(self._labels, fields, strict=True):
            self.form.addRow(label, widget)
        buttons = QHBoxLayout()
        buttons.addWidget(self.reveal_button)
        buttons.addStretch(1)
        buttons.addWidget(self.record_button)
        reopen = QHBoxLayout()
        reopen.addWidget(self.reopen_reason, 1)
        reopen.addWidget(self.reopen_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.day)
        layout.addWidget(self.table, 3)
        layout.addLayout(self.form)
        layout.addLayout(buttons)
        layout.addLayout(reopen)
        layout.addWidget(self.error)
        self.setFocusProxy(self.table)

        self._last: Visit | None = None
        self.day.dateChanged.connect(lambda _d: self.refresh())
        self.reached.toggled.connect(self._reached_toggled)
        self.record_button.clicked.connect(self.record)
        self.reveal_button.clicked.connect(self.reveal)
        self.reopen_button.clicked.connect(self.reopen)
        worker.changed.connect(self.refresh)
        self.retranslate()
        self.refresh()

    # -- public
    def refresh(self) -> None:
        self._generation += 1
        generation, me = self._generation, self._me
        picked = self.day.date()
        day = date(picked.year(), picked.month(), picked.day())

        def fetch(ctx: ServiceContext) -> list[Visit]:
            return return_visits.call_list(ctx, actor=me, day=day)

        self._worker.run(
            fetch, on_done=lambda v: self._arrived(generation, v), on_error=self._failed
        )

    def selected(self) -> Visit | None:
        found = self.selected_record()
        return found if isinstance(found, Visit) else None

    def record(self) -> None:
        visit = self.selected()
        if visit is None:
            return
        reached = self.reached.isChecked()
        solved = {0: True, 1: False}.get(self.solved.currentIndex()) if reached else None
        outcome = Outcome(
            reached, self.score.value() if reached else None, solved, self.comment.text()
        )
        me, visit_id = self._me, visit.id

        def save(ctx: ServiceContext) -> Visit:
            return return_visits.record_outcome(ctx, visit_id=visit_id, outcome=outcome, actor=me)

        self._worker.run(save, on_done=self._recorded, on_error=self._failed, writes=True)

    def reveal(self) -> None:
        visit = self.selected()
        if visit is None:
            return
        me, number = self._me, visit.number

        def fetch(ctx: ServiceContext) -> str:
            return str(cases.reveal(ctx, number=number, actor=me)["phone"])

        self._worker.run(fetch, on_done=self._revealed, on_error=self._failed)

    def reopen(self) -> None:
        if self._last is None or not self._last.dissatisfied:
            return
        me, visit_id, reason = self._me, self._last.id, self.reopen_reason.text()

        def go(ctx: ServiceContext) -> int:
            return return_visits.reopen_from_visit(ctx, visit_id=visit_id, reason=reason, actor=me)

        self._worker.run(go, on_done=self._reopened, on_error=self._failed, writes=True)

    def retranslate(self) -> None:
        self.table.setAccessibleName(self.tr("Return-visit call list"))
        self.reached.setText(self.tr("Customer reached"))
        self.solved.clear()
        self.solved.addItems([self.tr("Problem solved"), self.tr("Problem not solved")])
        self.comment.setPlaceholderText(self.tr("What the customer said"))
        self.record_button.setText(self.tr("Record the call (Ctrl+Enter)"))
        self.record_button.setShortcut("Ctrl+Return")
        self.reveal_button.setText(self.tr("Reveal phone number"))
        self.reopen_reason.setPlaceholderText(self.tr("Why the case is handled again"))
        self.reopen_button.setText(self.tr("Reopen the case"))
        labels = (
            self.tr("Reached"),
            self.tr("Satisfaction (1-5)"),
            self.tr("Solved"),
            self.tr("Comment"),
        )
        for label, text in zip(self._labels, labels, strict=True):
            label.setText(text)
        self.model.retranslate()

    # -- private
    def _headers(self) -> list[str]:
        return [
            self.tr("Case"),
            self.tr("Customer"),
            self.tr("Phone"),
            self.tr("Why"),
            self.tr("Due"),
            self.tr("Calls so far"),
            self.tr("Summary"),
        ]

    def _reached_toggled(self, on: bool) -> None:
        self.score.setEnabled(on)
        self.solved.setEnabled(on)

    def _arrived(self, generation: int, visits: list[Visit]) -> None:
        if generation != self._generation:
            return
        rows = [
            (
                v.number,
                v.customer_name,
                v.phone_masked,
                i18n.word("label.VisitReason", v.reason),
                self._when(v.due_at),
                str(v.attempts),
                v.summary,
            )
            for v in visits
        ]
        self.model.set_rows(rows, visits, [v.overdue for v in visits])
        self.table.resizeColumnsToContents()
        if visits and not self.table.currentIndex().isValid():
            self.select_row(0)
        self.loaded.emit(len(visits))

    def _recorded(self, visit: Visit) -> None:
        self._last = visit
        self.comment.clear()
        self.error.clear()
        # §4.2.1: an unhappy customer is offered further handling.
        self.reopen_button.setEnabled(visit.dissatisfied)
        if visit.dissatisfied:
            self.reopen_reason.setText(self.tr("Return visit: the customer is not satisfied"))
            self.reopen_reason.setFocus()
        self.recorded.emit(visit)

    def _reopened(self, seq: int) -> None:
        self.reopen_button.setEnabled(False)
        self._last = None
        self.reopened.emit(seq)

    def _revealed(self, phone: str) -> None:
        self.error.setText(phone)
        self.revealed.emit(phone)

    def _failed(self, error: DomainError) -> None:
        self.error.setText(i18n.error_text(error))
        self.failed.emit(error)
