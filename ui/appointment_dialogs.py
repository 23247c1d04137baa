"""The appointment book's two small dialogs: moving an appointment to a new day and time
(the slot keeps its length; the staff member may change; a reason is asked for) and
recording one as missed (after a confirmation, with an optional note). Each runs its
case event on the database worker; a refusal (the new slot clashes with someone's
diary, no reason given, not allowed) is shown in words naming the field, the field is
marked and focused, and nothing is written."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

import shiboken6
from PySide6.QtCore import QDate, QEvent, QTime, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from branchdesk.domain.appointments import staff_key
from branchdesk.domain.errors import DomainError, ValidationError
from branchdesk.services import appointments
from branchdesk.services.appointments import BookEntry
from branchdesk.services.cases import CaseView
from branchdesk.services.context import ServiceContext
from ui import i18n
from ui.worker import DbWorker

ERROR_STYLE = "color: #c62828;"
INVALID_STYLE = "border: 1px solid #c62828;"


class _EventDialog(QDialog):
    """What both dialogs share: the case line, the error line, OK and Cancel, and the
    worker call that records the event (the dialog stays open until it is known)."""

    recorded = Signal(object)  # CaseView
    failed = Signal(object)  # DomainError
    # Record the dialog's event (each dialog says which, with `_record`).
    submit: Callable[[], None]

    def __init__(
        self, worker: DbWorker, staff_no: str, entry: BookEntry, parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self._worker, self._me, self.entry = worker, staff_no, entry
        self.pending = False
        self.case_line = QLabel(self)
        self.case_line.setWordWrap(True)
        self.error = QLabel(self)
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.hide()
        self.buttons = QDialogButtonBox(self)
        self.ok_button = QPushButton(self)
        self.ok_button.setDefault(True)
        self.cancel_button = QPushButton(self)
        self.buttons.addButton(self.ok_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.setMinimumWidth(480)

    def _record(self, call: Callable[[ServiceContext], CaseView]) -> None:
        self._set_pending(True)
        self._worker.run(call, on_done=self._done, on_error=self._failed, writes=True)

    def _set_pending(self, pending: bool) -> None:
        self.pending = pending
        self.ok_button.setEnabled(not pending)
        self.cancel_button.setEnabled(not pending)

    def _done(self, view: CaseView) -> None:
        if not shiboken6.isValid(self):
            return
        self._set_pending(False)
        self.recorded.emit(view)
        self.accept()

    def _failed(self, error: DomainError) -> None:
        if not shiboken6.isValid(self):
            return
        self._set_pending(False)
        self.error.setText(i18n.error_text(error))
        self.error.show()
        self.failed.emit(error)

    def reject(self) -> None:
        # While the event is being recorded its outcome is not known yet: stay open.
        if not self.pending:
            super().reject()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.cancel_button.setText(self.tr("Cancel (Esc)"))

    def _slot_text(self) -> str:
        e = self.entry
        return f"{e.start:%Y-%m-%d %H:%M}–{e.end:%H:%M}"


class RescheduleDialog(_EventDialog):
    """A new day and start time for `entry`'s appointment; its length is kept."""

    def __init__(
        self,
        worker: DbWorker,
        staff_no: str,
        entry: BookEntry,
        names: list[str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(worker, staff_no, entry, parent)
        self.length = entry.end - entry.start
        self.date_edit = QDateEdit(self)
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd ddd")
        start = entry.start
        self.date_edit.setDate(QDate(start.year, start.month, start.day))
        self.time_edit = QTimeEdit(self)
        self.time_edit.setDisplayFormat("HH:mm")
        self.time_edit.setTime(QTime(start.hour, start.minute))
        self.length_label = QLabel(self)
        self.staff = QComboBox(self)
        self.staff.setEditable(True)
        self.staff.addItems(names)
        self.staff.setCurrentText(entry.staff or "")
        self.reason = QLineEdit(self)
        self.reason.setMaxLength(500)

        self.form = QFormLayout()
        self.labels = [QLabel(self) for _ in range(5)]
        for label, widget in zip(
            self.labels,
            (self.date_edit, self.time_edit, self.length_label, self.staff, self.reason),
            strict=True,
        ):
            label.setBuddy(widget)
            self.form.addRow(label, widget)
        layout = QVBoxLayout(self)
        layout.addWidget(self.case_line)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.reason.setFocus()
        self.retranslate()

    # -- what was entered
    def new_start(self) -> datetime:
        d, t = self.date_edit.date(), self.time_edit.time()
        tz = self.entry.start.tzinfo
        return datetime(d.year(), d.month(), d.day(), t.hour(), t.minute(), tzinfo=tz)

    def new_staff(self) -> str | None:
        """The person named, or None to keep the one booked (also when left blank)."""
        text = " ".join(self.staff.currentText().split())
        if not text or staff_key(text) == staff_key(self.entry.staff):
            return None
        return text

    def submit(self) -> None:
        self._mark(())
        number, me = self.entry.case_number, self._me
        start = self.new_start()
        end, staff, reason = start + self.length, self.new_staff(), self.reason.text().strip()

        def move(ctx: ServiceContext) -> CaseView:
            return appointments.reschedule(
                ctx, number=number, start=start, end=end, reason=reason, actor=me, staff=staff
            )

        self._record(move)

    def _failed(self, error: DomainError) -> None:
        super()._failed(error)
        if isinstance(error, ValidationError):
            self._mark([e.field for e in error.errors])

    def _mark(self, fields: Iterable[str]) -> None:
        """Outline the editors of the fields refused (the first one gets the focus)."""
        editors: dict[str, list[QWidget]] = {
            "start": [self.date_edit, self.time_edit],
            "end": [self.time_edit],
            "staff": [self.staff],
            "reason": [self.reason],
        }
        wrong: list[QWidget] = []
        for field in fields:
            wrong += [w for w in editors.get(field, []) if w not in wrong]
        for widgets in editors.values():
            for widget in widgets:
                widget.setStyleSheet(INVALID_STYLE if widget in wrong else "")
        if wrong:
            wrong[0].setFocus()

    def retranslate(self) -> None:
        super().retranslate()
        self.setWindowTitle(self.tr("Reschedule the appointment"))
        self.case_line.setText(
            self.tr("Case %1, booked %2 with %3")
            .replace("%1", self.entry.case_number)
            .replace("%2", self._slot_text())
            .replace("%3", self.entry.staff or self.tr("(nobody named)"))
        )
        texts = (
            self.tr("New &date"),
            self.tr("Start &time"),
            self.tr("Length"),
            self.tr("&Staff or technician"),
            self.tr("&Reason"),
        )
        for label, text in zip(self.labels, texts, strict=True):
            label.setText(text)
        minutes = int(self.length / timedelta(minutes=1))
        self.length_label.setText(
            self.tr("%1 h %2 min (kept)")
            .replace("%1", str(minutes // 60))
            .replace("%2", f"{minutes % 60:02d}")
        )
        self.reason.setPlaceholderText(self.tr("Why it is moved (the customer asked …)"))
        self.ok_button.setText(self.tr("Reschedule"))


class MissedDialog(_EventDialog):
    """Are you sure? The appointment of `entry` was not kept; an optional note."""

    def __init__(
        self, worker: DbWorker, staff_no: str, entry: BookEntry, parent: QWidget | None = None
    ) -> None:
        super().__init__(worker, staff_no, entry, parent)
        self.note = QLineEdit(self)
        self.note.setMaxLength(500)
        self.note_label = QLabel(self)
        self.note_label.setBuddy(self.note)
        form = QFormLayout()
        form.addRow(self.note_label, self.note)
        layout = QVBoxLayout(self)
        layout.addWidget(self.case_line)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.note.setFocus()
        self.retranslate()

    def submit(self) -> None:
        number, me, note = self.entry.case_number, self._me, self.note.text().strip() or None

        def missed(ctx: ServiceContext) -> CaseView:
            return appointments.record_missed(ctx, number=number, actor=me, note=note)

        self._record(missed)

    def retranslate(self) -> None:
        super().retranslate()
        self.setWindowTitle(self.tr("Record a missed appointment"))
        self.case_line.setText(
            self.tr(
                "Record the appointment of case %1 (%2, %3) as missed? It stays on the "
                "case's record and in the figures; the slot is freed."
            )
            .replace("%1", self.entry.case_number)
            .replace("%2", self._slot_text())
            .replace("%3", self.entry.customer_name)
        )
        self.note_label.setText(self.tr("&Note (optional)"))
        self.note.setPlaceholderText(self.tr("Nobody at home, the customer called off …"))
        self.ok_button.setText(self.tr("Record as missed"))
