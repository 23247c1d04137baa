"""The appointment book (预约) as a panel: one day (or the week holding it) of service
requests' appointments, of everyone or of one staff member or technician, with the
day's reminders (appointments still to be kept) highlighted and counted. A day is
listed per person, a week by day and time. Alt+Left and Alt+Right step to the
previous and next day (or week).

On the selected appointment, from the keyboard, the buttons or the context menu:
open its case in the workbench (Enter), reschedule it (Ctrl+R), record it as missed
(Ctrl+M), print the customer's confirmation (Ctrl+P); and the day sheet of the person
shown (Ctrl+Shift+P) for the technician's round. Service calls run on the worker; the
book refreshes whenever data changes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING, TypeVar

import shiboken6
from PySide6.QtCore import QDate, QLocale, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from branchdesk.domain.errors import DomainError
from branchdesk.services import appointments
from branchdesk.services.appointments import BookEntry
from branchdesk.services.context import ServiceContext
from ui import i18n
from ui.appointment_dialogs import MissedDialog, RescheduleDialog
from ui.followup_table import RowsPanel
from ui.worker import DbWorker

if TYPE_CHECKING:
    from branchdesk.services.printing import PrintedDocument

_D = TypeVar("_D", bound=QDialog)

# The actions on the selected appointment (and the day sheet), with their keys. Enter
# on a row opens its case as well (the table's own "activated").
SHORTCUTS = {
    "open": "Ctrl+O",
    "reschedule": "Ctrl+R",
    "missed": "Ctrl+M",
    "confirmation": "Ctrl+P",
    "day_sheet": "Ctrl+Shift+P",
}


class AppointmentBookPanel(RowsPanel):
    """The book as `staff_no` reads it (every role may)."""

    loaded = Signal(int)  # rows shown
    failed = Signal(object)  # DomainError
    open_case = Signal(str)  # a case number: the workbench shows that case
    previewed = Signal(object)  # PrintedDocument, its preview open

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
        self.staff_label = QLabel(self)
        self.staff = QComboBox(self)
        self.staff.setObjectName("staff_filter")
        self.staff.setMinimumContentsLength(10)
        self.staff_label.setBuddy(self.staff)
        self.staff.addItem("", None)  # everyone; named in retranslate()
        self.reminder = QLabel(self)
        self.reminder.setObjectName("reminder")
        self.error = QLabel(self)
        self.error.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(self.previous_button)
        top.addWidget(self.date_edit)
        top.addWidget(self.next_button)
        top.addWidget(self.week)
        top.addSpacing(12)
        top.addWidget(self.staff_label)
        top.addWidget(self.staff)
        top.addStretch(1)
        top.addWidget(self.reminder)

        # The actions: shortcuts of the panel, buttons, and the table's context menu.
        self.actions_by_key: dict[str, QAction] = {}
        self.buttons: dict[str, QPushButton] = {}
        bottom = QHBoxLayout()
        slots: dict[str, Callable[[], object]] = {
            "open": self.open_selected_case,
            "reschedule": self.reschedule,
            "missed": self.mark_missed,
            "confirmation": self.print_confirmation,
            "day_sheet": self.print_day_sheet,
        }
        for key, slot in slots.items():
            action = QAction(self)
            action.setShortcut(QKeySequence(SHORTCUTS[key]))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(lambda _=False, s=slot: s())
            self.addAction(action)
            self.actions_by_key[key] = action
            button = QPushButton(self)
            button.setObjectName(key)
            button.clicked.connect(action.trigger)
            self.buttons[key] = button
            if key == "day_sheet":
                bottom.addStretch(1)
            bottom.addWidget(button)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.table.activated.connect(lambda _index: self.open_selected_case())
        self.menu: QMenu | None = None
        self.dialog: QDialog | None = None  # the reschedule or missed dialog open
        self.preview: QDialog | None = None  # the last print preview opened

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
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
        self.staff.currentIndexChanged.connect(lambda _i: self.refresh())
        self.table.selectionModel().currentChanged.connect(lambda *_: self._offer())
        worker.changed.connect(self.refresh)
        self.retranslate()
        self._offer()
        self.refresh()

    # -- public
    def day(self) -> date:
        d = self.date_edit.date()
        return date(d.year(), d.month(), d.day())

    def set_day(self, day: date) -> None:
        self.date_edit.setDate(QDate(day.year, day.month, day.day))

    def staff_filter(self) -> str | None:
        """The person the book is narrowed to; None for everyone."""
        data = self.staff.currentData()
        return str(data) if data else None

    def set_staff_filter(self, name: str | None) -> None:
        if not name:
            self.staff.setCurrentIndex(0)
            return
        index = self.staff.findData(name)
        if index < 0:  # a name not (yet) offered: offered now
            self.staff.addItem(name, name)
            index = self.staff.count() - 1
        self.staff.setCurrentIndex(index)

    def step(self, direction: int) -> None:
        """The previous (-1) or next (+1) day, or week in the week view."""
        self.set_day(self.day() + timedelta(days=direction * (7 if self.week.isChecked() else 1)))

    def refresh(self) -> None:
        self._generation += 1
        generation, me, day, week = self._generation, self._me, self.day(), self.week.isChecked()
        who = self.staff_filter()

        def fetch(ctx: ServiceContext) -> tuple[list[BookEntry], list[BookEntry], list[str]]:
            listing = appointments.week_book if week else appointments.day_book
            return (
                listing(ctx, day, actor=me, staff=who),
                appointments.reminders(ctx, day, actor=me, staff=who),
                appointments.book_staff(ctx, actor=me),
            )

        self._worker.run(
            fetch, on_done=lambda r: self._arrived(generation, *r), on_error=self._failed
        )

    def selected(self) -> BookEntry | None:
        found = self.selected_record()
        return found if isinstance(found, BookEntry) else None

    # -- the actions
    def open_selected_case(self) -> None:
        """The selected appointment's case in the workbench's case detail."""
        entry = self.selected()
        if entry is not None:
            self.open_case.emit(entry.case_number)

    def reschedule(self) -> RescheduleDialog | None:
        """A new day and time (and maybe person) for the selected appointment."""
        entry = self.selected()
        if entry is None or entry.status == "cancelled":
            return None
        names = [str(self.staff.itemData(i)) for i in range(1, self.staff.count())]
        dialog = RescheduleDialog(self._worker, self._me, entry, names, self)
        return self._open_dialog(dialog)

    def mark_missed(self) -> MissedDialog | None:
        """Record the selected appointment as not kept (after a confirmation)."""
        entry = self.selected()
        if entry is None or entry.status != "booked":
            return None
        return self._open_dialog(MissedDialog(self._worker, self._me, entry, self))

    def print_confirmation(self) -> None:
        """The customer's appointment confirmation (a receipt variant), recorded as a
        print of the case and shown in the print preview."""
        entry = self.selected()
        if entry is None or entry.status != "booked":
            return
        number, me = entry.case_number, self._me

        def render(ctx: ServiceContext) -> PrintedDocument:
            from branchdesk.services.printing import print_document

            return print_document(ctx, number=number, kind="appointment_confirmation", actor=me)

        self._worker.run(render, on_done=self._preview, on_error=self._failed, writes=True)

    def print_day_sheet(self) -> None:
        """The day's book of the person shown (or everyone's) as an A4 list."""
        me, day, who = self._me, self.day(), self.staff_filter()

        def render(ctx: ServiceContext) -> PrintedDocument:
            return appointments.day_sheet(ctx, day, actor=me, staff=who)

        self._worker.run(render, on_done=self._preview, on_error=self._failed)

    def retranslate(self) -> None:
        self.previous_button.setText(self.tr("◀ Previous (Alt+Left)"))
        self.next_button.setText(self.tr("Next (Alt+Right) ▶"))
        self.week.setText(self.tr("&Whole week"))
        self.staff_label.setText(self.tr("&Staff:"))
        self.staff.setItemText(0, self.tr("Everyone"))
        self.date_edit.setAccessibleName(self.tr("Day"))
        self.table.setAccessibleName(self.tr("Appointment book"))
        texts = {
            "open": self.tr("Open the case"),
            "reschedule": self.tr("Reschedule…"),
            "missed": self.tr("Mark missed…"),
            "confirmation": self.tr("Print confirmation"),
            "day_sheet": self.tr("Print day sheet"),
        }
        for key, text in texts.items():
            keys = self.tr("Enter") if key == "open" else SHORTCUTS[key]
            self.actions_by_key[key].setText(text)
            self.buttons[key].setText(f"{text} ({keys})")
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
            "done": self.tr("Done"),
        }
        return names.get(code, code)

    def _arrived(
        self,
        generation: int,
        entries: list[BookEntry],
        reminders: list[BookEntry],
        names: list[str],
    ) -> None:
        if generation != self._generation:
            return  # a newer request is on its way
        self._offer_names(names)
        current = self.selected()
        if self.week.isChecked():
            # A week reads by day and time (nobody named last within the same time).
            ordered = sorted(entries, key=lambda e: (e.start, e.staff is None, e.staff or ""))
        else:
            # Per staff member (nobody named last), each person's day in time order.
            ordered = sorted(entries, key=lambda e: (e.staff is None, e.staff or "", e.start))
        to_remind = {e.case_number for e in reminders}
        locale = QLocale()
        rows = [
            (
                e.staff or self.tr("(nobody named)"),
                f"{e.start:%Y-%m-%d} "
                + locale.dayName(e.start.isoweekday(), QLocale.FormatType.ShortFormat),
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
        # The appointment that was selected stays selected; else the first one is, so
        # that the actions work from the keyboard straight away.
        numbers = [e.case_number for e in ordered]
        wanted = current.case_number if current is not None else None
        if numbers:
            self.select_row(numbers.index(wanted) if wanted in numbers else 0)
        self._offer()
        self.loaded.emit(len(ordered))

    def _offer_names(self, names: list[str]) -> None:
        """The staff filter's choices, the person chosen kept (even if no longer
        offered, until someone picks another)."""
        chosen = self.staff_filter()
        wanted = sorted({*names, *([chosen] if chosen else [])})
        offered = [self.staff.itemData(i) for i in range(1, self.staff.count())]
        if offered == wanted:
            return
        self.staff.blockSignals(True)
        try:
            while self.staff.count() > 1:
                self.staff.removeItem(1)
            for name in wanted:
                self.staff.addItem(name, name)
            self.staff.setCurrentIndex(self.staff.findData(chosen) if chosen else 0)
        finally:
            self.staff.blockSignals(False)

    def _offer(self) -> None:
        """Only what the selected appointment allows: a missed one may be moved (a
        new time puts it back on the book) but not missed or confirmed again."""
        entry = self.selected()
        status = entry.status if entry is not None else None
        allowed = {
            "open": entry is not None,
            "reschedule": status in ("booked", "missed"),
            "missed": status == "booked",
            "confirmation": status == "booked",
            "day_sheet": True,
        }
        for key, on in allowed.items():
            self.actions_by_key[key].setEnabled(on)
            self.buttons[key].setEnabled(on)

    def _context_menu(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        if index.isValid():
            self.select_row(index.row())
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        for key in ("open", "reschedule", "missed", "confirmation"):
            menu.addAction(self.actions_by_key[key])
        menu.addSeparator()
        menu.addAction(self.actions_by_key["day_sheet"])
        self.menu = menu
        menu.popup(self.table.viewport().mapToGlobal(pos))

    def _open_dialog(self, dialog: _D) -> _D:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _r: self._dialog_closed(dialog))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _dialog_closed(self, dialog: QDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        if shiboken6.isValid(self.table):
            self.table.setFocus()

    def _preview(self, document: PrintedDocument) -> None:
        # Printing support (QtPrintSupport, page rendering) loads on the first print.
        from ui.printing import PrintPreviewDialog

        if not shiboken6.isValid(self):
            return
        self.error.clear()
        preview = PrintPreviewDialog(document, self)
        preview.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.preview = preview
        preview.destroyed.connect(lambda _o=None: self._preview_gone(preview))
        preview.show()
        preview.raise_()
        preview.activateWindow()
        self.previewed.emit(document)

    def _preview_gone(self, preview: QDialog) -> None:
        if self.preview is preview:
            self.preview = None

    def _failed(self, error: DomainError) -> None:
        if not shiboken6.isValid(self):
            return
        self.error.setText(i18n.error_text(error))
        self.failed.emit(error)
