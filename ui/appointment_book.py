"""The appointment book (预约) as a panel: one day (or the week holding it) of service
requests' appointments, listed per staff member or technician, with the day's
reminders (appointments still to be kept) highlighted and counted. Alt+Left and
Alt+Right step to the previous and next day (or week). Service calls run on the
worker; the book refreshes whenever data changes."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from branchdesk.domain.errors import DomainError
from branchdesk.services import appointments
from branchdesk.services.appointments import BookEntry
from branchdesk.services.context import ServiceContext
from ui import i18n
from ui.followup_table import RowsPanel
from ui.worker import DbWorker


class AppointmentBookPanel(RowsPanel):
    """The book as `staff_no` reads it (every role may)."""

    loaded = Signal(int)  # rows shown
    failed = Signal(object)  # DomainError

    def __init__(
        self, ctx: ServiceContext, worker: DbWorker, staff_no: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(ctx, worker, staff_no, self._headers, parent)
        self.date_edit = QDateEdit(self)
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd ddd")
        today = ctx.now().astimezone(ctx.tz).date()
        self.date_edit.setDate(QDate(today.year, today.month, today.day))
        self.previous_button = QPushButton(self)
        self.next_button = QPushButton(self)
        self.week = QCheckBox(self)
        self.reminder = QLabel(self)
        self.reminder.setObjectName("reminder")
        self.error = QLabel(self)
        self.error.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(self.previous_button)
        top.addWidget(self.date_edit)
        top.addWidget(self.next_button)
        top.addWidget(self.week)
        top.addStretch(1)
        top.addWidget(self.reminder)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.error)
        self.setFocusProxy(self.table)

        # Shortcuts of the panel (not of one widget): they work wherever the focus is.
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for keys, step in (("Alt+Left", -1), ("Alt+Right", 1)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(context)
            shortcut.activated.connect(lambda s=step: self.step(s))
        self.previous_button.clicked.connect(lambda: self.step(-1))
        self.next_button.clicked.connect(lambda: self.step(1))
        self.date_edit.dateChanged.connect(lambda _d: self.refresh())
        self.week.toggled.connect(lambda _on: self.refresh())
        worker.changed.connect(self.refresh)
        self.retranslate()
        self.refresh()

    # -- public
    def day(self) -> date:
        d = self.date_edit.date()
        return date(d.year(), d.month(), d.day())

    def set_day(self, day: date) -> None:
        self.date_edit.setDate(QDate(day.year, day.month, day.day))

    def step(self, direction: int) -> None:
        """The previous (-1) or next (+1) day, or week in the week view."""
        self.set_day(self.day() + timedelta(days=direction * (7 if self.week.isChecked() else 1)))

    def refresh(self) -> None:
        self._generation += 1
        generation, me, day, week = self._generation, self._me, self.day(), self.week.isChecked()

        def fetch(ctx: ServiceContext) -> tuple[list[BookEntry], list[BookEntry]]:
            listing = appointments.week_book if week else appointments.day_book
            return listing(ctx, day, actor=me), appointments.reminders(ctx, day, actor=me)

        self._worker.run(
            fetch, on_done=lambda r: self._arrived(generation, *r), on_error=self._failed
        )

    def selected(self) -> BookEntry | None:
        found = self.selected_record()
        return found if isinstance(found, BookEntry) else None

    def retranslate(self) -> None:
        self.previous_button.setText(self.tr("◀ Previous (Alt+Left)"))
        self.next_button.setText(self.tr("Next (Alt+Right) ▶"))
        self.week.setText(self.tr("&Whole week"))
        self.date_edit.setAccessibleName(self.tr("Day"))
        self.table.setAccessibleName(self.tr("Appointment book"))
        self.model.retranslate()

    # -- private
    def _headers(self) -> list[str]:
        return [
            self.tr("Staff"),
            self.tr("Date"),
            self.tr("Time"),
            self.tr("Case"),
            self.tr("Service"),
            self.tr("Customer"),
            self.tr("Service number"),
            self.tr("Status"),
            self.tr("Moved"),
        ]

    def _status(self, code: str) -> str:
        names = {
            "booked": self.tr("Booked"),
            "missed": self.tr("Missed"),
            "cancelled": self.tr("Cancelled"),
        }
        return names.get(code, code)

    def _arrived(
        self, generation: int, entries: list[BookEntry], reminders: list[BookEntry]
    ) -> None:
        if generation != self._generation:
            return  # a newer request is on its way
        current = self.selected()
        # Per staff member (nobody named last), each person's day in time order.
        ordered = sorted(entries, key=lambda e: (e.staff is None, e.staff or "", e.start))
        to_remind = {e.case_number for e in reminders}
        rows = [
            (
                e.staff or self.tr("(nobody named)"),
                e.start.strftime("%Y-%m-%d"),
                f"{e.start:%H:%M}–{e.end:%H:%M}",
                e.case_number,
                e.service_type or "",
                e.customer_name,
                e.service_number or "",
                self._status(e.status),
                str(e.reschedules) if e.reschedules else "",
            )
            for e in ordered
        ]
        self.model.set_rows(rows, ordered, [e.case_number in to_remind for e in ordered])
        self.table.resizeColumnsToContents()
        self.reminder.setText(
            self.tr("%n appointment(s) still to keep that day", "", len(reminders))
            if reminders
            else ""
        )
        self.error.clear()
        if current is not None:
            for row, e in enumerate(ordered):
                if e.case_number == current.case_number:
                    self.select_row(row)
        self.loaded.emit(len(ordered))

    def _failed(self, error: DomainError) -> None:
        self.error.setText(i18n.error_text(error))
        self.failed.emit(error)
