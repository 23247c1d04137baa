"""The intake form: a clerk records a walk-in service request, consultation or complaint
with the keyboard only, in the order of the counter conversation.

The form collects what was typed into the domain's `IntakeForm` and hands it to
`cases.intake` on the database worker. It checks nothing itself: every `FieldError` the
domain reports is shown under its field, all at once, and nothing is saved. While the
phone or service number is typed, the customer's earlier cases and a repeat-complaint
flag appear, so the clerk knows who is at the counter before asking the name.

Keys: Alt+1/2/3 kind, Enter or Ctrl+S save (Enter inserts a line break in multi-line
fields), Ctrl+P save and print the receipt, F2 take the name from the latest case,
Ctrl+Shift+C copy the new case number, Esc discard (asks first if anything was typed; on
an empty form Esc is left to the surrounding dialog).

Each filled-in form has its own id (`services.intake_keys`), made when the form is
emptied for a new customer and kept until its case is saved and shown: a save pressed
again after an error (one that may have come after the case was already stored) gives
the case saved the first time, not a second one. The incident the clerk chose is
linked in the same save.
"""

from __future__ import annotations

import functools
import itertools
import re
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar, cast

from PySide6.QtCore import QDate, QDateTime, QEvent, QObject, Qt, QTime, QTimer, Signal, Slot
from PySide6.QtGui import QFocusEvent, QFont, QGuiApplication, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QButtonGroup,
    QComboBox,
    QCompleter,
    QDateTimeEdit,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from branchdesk import i18n as messages
from branchdesk.domain.errors import DomainError, FieldError, ValidationError
from branchdesk.domain.model import Appointment, CaseKind, Channel, Customer, Grade
from branchdesk.domain.model import IntakeForm as IntakeData
from branchdesk.services import cases
from branchdesk.services.cases import SavedIntake
from branchdesk.services.context import ServiceContext
from ui import i18n
from ui.customer_lookup import ERROR_COLOUR, LOOKUP_DELAY_MS, CustomerLookup, named
from ui.incident_suggestion import IncidentSuggestion
from ui.session import UserSession
from ui.worker import DbWorker

_W = TypeVar("_W", bound=QWidget)

#: The kinds in the order of their shortcuts (Alt+1, Alt+2, Alt+3).
KINDS = (CaseKind.SERVICE_REQUEST, CaseKind.CONSULTATION, CaseKind.COMPLAINT)
#: Typing pauses this long before the customer lookup runs.
_DATETIME_FORMAT = "yyyy-MM-dd HH:mm"
# A date typed as 2026-11-20, 2026/11/20, 2026.11.20, 20261120 or 2026年11月20日.
_TYPED_DATE = re.compile(r"(\d{4})\s*[-/.年]?\s*(\d{1,2})\s*[-/.月]?\s*(\d{1,2})\s*日?")

# The fields in tab order: the order of the counter conversation. Errors put the focus
# on the first bad one in this order.
_TAB_ORDER = (
    "kind",
    "customer.phone",
    "customer.service_number",
    "customer.name",
    "customer.id_number",
    "customer.address",
    "category",
    "summary",
    "description",
    "remedy",
    "grade",
    "channel",
    "business",
    "event_date",
    "event_place",
    "received_at",
    "appointment.service_type",
    "appointment.start",
    "appointment.end",
    "appointment.staff",
    "appointment.content",
)
_COMPLAINT_ONLY = ("remedy", "grade")


class _DateTimeEdit(QDateTimeEdit):
    """A date-time field that Tab leaves at once (QDateTimeEdit's own Tab walks through
    its five sections, which would make the form's tab order three times as long).
    Digits typed run through the sections by themselves; Left/Right move between them."""

    def focusNextPrevChild(self, next: bool) -> bool:
        return QAbstractSpinBox.focusNextPrevChild(self, next)


@dataclass
class _Field:
    """One row of the form: its label, input, inline error and the layout it sits in."""

    label: QLabel
    input: QWidget
    error: QLabel
    cell: QWidget
    layout: QFormLayout


def _qdatetime(value: datetime) -> QDateTime:
    # Wall-clock components only: the form shows and reads branch local time.
    return QDateTime(QDate(value.year, value.month, value.day), QTime(value.hour, value.minute))


def _invalid_css(widget: QWidget) -> str:
    for qt_class in (QComboBox, QAbstractSpinBox, QPlainTextEdit, QLineEdit):
        if isinstance(widget, qt_class):
            name = qt_class.__name__
            return f"{name} {{ border: 2px solid {ERROR_COLOUR}; background: #fff6f6; }}"
    return ""


class IntakeForm(QWidget):
    """One form for all three case kinds. `saved(number)` after every successful save;
    `save_and_print_requested(number)` as well when the clerk asked for the receipt."""

    saved = Signal(str)
    save_and_print_requested = Signal(str)

    def __init__(
        self, worker: DbWorker, session: UserSession, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._worker = worker
        self._ctx: ServiceContext = worker.ctx
        # The form belongs to the person who opened it: their draft is put aside, not
        # handed over, when someone else signs in (see ui.main_window).
        self.owner = session.staff_no
        self._session = session
        self._fields: dict[str, _Field] = {}
        self._field_errors: dict[str, FieldError] = {}
        self._other_errors: tuple[FieldError, ...] = ()
        self._failure: DomainError | None = None
        self._saving: Future[SavedIntake] | None = None
        self._received_edited = False
        self._appointment_times_edited = False
        self._last_number = ""
        # This form's id, for as long as it holds one customer's case (see the module).
        self.form_id = ""
        self._discard_box: QMessageBox | None = None

        self._build()
        self._connect()
        self._reset_inputs()
        self.retranslate()
        i18n.notifier.changed.connect(self._language_changed)

    # --- building ------------------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)

        self._banner = named(QFrame(), "saved_banner")
        self._banner.setStyleSheet(
            "#saved_banner { background: #e8f5e9; border: 1px solid #2e7d32; border-radius: 4px; }"
        )
        banner_row = QHBoxLayout(self._banner)
        self._banner_text = QLabel()
        self._number_label = named(QLabel(), "case_number")
        number_font = QFont(self.font())
        number_font.setPointSizeF(number_font.pointSizeF() * 1.8)
        number_font.setBold(True)
        self._number_label.setFont(number_font)
        self._number_label.setStyleSheet("color: #1b5e20;")
        self._number_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self._copy_number = QPushButton(autoDefault=True)
        banner_row.addWidget(self._banner_text)
        banner_row.addWidget(self._number_label)
        banner_row.addStretch(1)
        banner_row.addWidget(self._copy_number)
        self._banner.hide()
        outer.addWidget(self._banner)

        self._form_error = named(QLabel(), "form_error")
        self._form_error.setStyleSheet(f"color: {ERROR_COLOUR};")
        self._form_error.setWordWrap(True)
        self._form_error.hide()
        outer.addWidget(self._form_error)

        # While an incident is active: "this looks like incident X, link it" (complaints).
        self.incident_hint = named(
            IncidentSuggestion(self._ctx, self._worker, self._session.staff_no), "incident_hint"
        )
        outer.addWidget(self.incident_hint)

        self._scroll = scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        body = QWidget()
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 0, 0)

        top = QFormLayout()
        body_layout.addLayout(top)
        kinds = QWidget()
        kinds_row = QHBoxLayout(kinds)
        kinds_row.setContentsMargins(0, 0, 0, 0)
        self._kind_group = QButtonGroup(self)
        self._kind_buttons: list[QRadioButton] = []
        for index, _kind in enumerate(KINDS):
            button = named(QRadioButton(), f"kind.{_kind.value}")
            self._kind_group.addButton(button, index)
            self._kind_buttons.append(button)
            kinds_row.addWidget(button)
        kinds_row.addStretch(1)
        self._add_row(top, "kind", kinds)

        columns = QHBoxLayout()
        body_layout.addLayout(columns)
        left, right = QFormLayout(), QFormLayout()
        columns.addLayout(left, 1)
        columns.addSpacing(16)
        columns.addLayout(right, 1)

        self._phone = self._add_row(left, "customer.phone", QLineEdit())
        self._service_number = self._add_row(left, "customer.service_number", QLineEdit())
        self._lookup = CustomerLookup(self._worker)
        left.addRow(self._lookup)
        self._name = self._add_row(left, "customer.name", QLineEdit())
        self._id_number = self._add_row(left, "customer.id_number", QLineEdit())
        self._address = self._add_row(left, "customer.address", QLineEdit())
        self._category = self._add_row(left, "category", self._build_category())
        self._summary = self._add_row(left, "summary", QLineEdit())
        self._description = self._add_row(left, "description", self._multiline(4))
        self._remedy = self._add_row(left, "remedy", self._multiline(3))

        self._grade = self._add_row(right, "grade", QComboBox())
        for grade in Grade:
            self._grade.addItem("", grade.value)
        self._channel = self._add_row(right, "channel", QComboBox())
        for channel in Channel:
            self._channel.addItem("", channel.value)
        self._business = self._add_row(right, "business", QLineEdit())
        self._event_date = self._add_row(right, "event_date", QLineEdit())
        self._event_place = self._add_row(right, "event_place", QLineEdit())
        self._received_at = self._add_row(right, "received_at", self._datetime_edit())

        self._appointment = named(QGroupBox(), "appointment")
        appointment_layout = QFormLayout(self._appointment)
        self._appointment_error = self._error_label("appointment.error")
        appointment_layout.addRow(self._appointment_error)
        self._service_type = self._add_row(
            appointment_layout, "appointment.service_type", QLineEdit()
        )
        self._start = self._add_row(appointment_layout, "appointment.start", self._datetime_edit())
        self._end = self._add_row(appointment_layout, "appointment.end", self._datetime_edit())
        self._staff = self._add_row(appointment_layout, "appointment.staff", QLineEdit())
        self._content = self._add_row(appointment_layout, "appointment.content", self._multiline(2))
        right.addRow(self._appointment)
        body_layout.addStretch(1)

        buttons = QHBoxLayout()
        outer.addLayout(buttons)
        self._clear_button = named(QPushButton(autoDefault=True), "clear")
        self._print_button = named(QPushButton(autoDefault=True), "save_and_print")
        self._save_button = named(QPushButton(autoDefault=True), "save")
        self._save_button.setDefault(True)
        buttons.addStretch(1)
        for push in (self._clear_button, self._print_button, self._save_button):
            buttons.addWidget(push)

        chain: list[QWidget] = [*self._kind_buttons]
        chain += [self._fields[name].input for name in _TAB_ORDER if name != "kind"]
        chain += [self._save_button, self._print_button, self._clear_button, self._copy_number]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _build_category(self) -> QComboBox:
        combo = QComboBox()
        combo.setEditable(True)
        combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        # Any part of the label finds the entry ("网络" finds "服务技术 / 网络").
        completer = QCompleter(combo.model(), combo)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        combo.setCompleter(completer)
        line = combo.lineEdit()
        assert line is not None  # an editable combo box has one
        self._category_line = line
        self._category_completer = completer
        return combo

    def _multiline(self, lines: int) -> QPlainTextEdit:
        edit = QPlainTextEdit()
        edit.setTabChangesFocus(True)
        edit.setFixedHeight(self.fontMetrics().lineSpacing() * lines + 12)
        return edit

    def _datetime_edit(self) -> QDateTimeEdit:
        edit = _DateTimeEdit()
        edit.setDisplayFormat(_DATETIME_FORMAT)
        return edit

    def _error_label(self, name: str) -> QLabel:
        label = named(QLabel(), name)
        label.setStyleSheet(f"color: {ERROR_COLOUR};")
        label.setWordWrap(True)
        label.hide()
        return label

    def _add_row(self, layout: QFormLayout, name: str, widget: _W) -> _W:
        widget.setObjectName(name)
        label = QLabel()
        label.setBuddy(widget)
        error = self._error_label(f"{name}.error")
        cell = QWidget()
        cell_layout = QVBoxLayout(cell)
        cell_layout.setContentsMargins(0, 0, 0, 0)
        cell_layout.setSpacing(2)
        cell_layout.addWidget(widget)
        cell_layout.addWidget(error)
        layout.addRow(label, cell)
        self._fields[name] = _Field(label, widget, error, cell, layout)
        return widget

    def _connect(self) -> None:
        self._kind_group.idToggled.connect(self._kind_toggled)
        for index in range(len(KINDS)):
            self._shortcut(f"Alt+{index + 1}", functools.partial(self._choose_kind, index))
        self._shortcut("Ctrl+S", lambda: self._save(print_receipt=False))
        self._shortcut("Ctrl+P", lambda: self._save(print_receipt=True))
        self._shortcut("F2", self._use_latest_name)
        self._shortcut("Ctrl+Shift+C", self._copy_case_number)
        self._save_button.clicked.connect(lambda: self._save(print_receipt=False))
        self._print_button.clicked.connect(lambda: self._save(print_receipt=True))
        self._clear_button.clicked.connect(self._ask_discard)
        self._lookup.copy_name.clicked.connect(self._use_latest_name)
        self._copy_number.clicked.connect(self._copy_case_number)

        self._lookup_timer = QTimer(self, singleShot=True, interval=LOOKUP_DELAY_MS)
        self._lookup_timer.timeout.connect(self._look_up)
        for edit in (self._phone, self._service_number):
            edit.textEdited.connect(self._lookup_timer.start)
            edit.editingFinished.connect(self._look_up)
        self._worker.unexpected.connect(self._unexpected)

        self._category_line.editingFinished.connect(self._settle_category)
        # Leaving the box with Tab while the completer's list is open emits no
        # editingFinished: the focus-out is watched directly.
        self._category.installEventFilter(self)
        self._category_completer.activated.connect(lambda _text: self._settle_category())
        self._received_at.dateTimeChanged.connect(self._received_changed)
        self._start.dateTimeChanged.connect(self._appointment_time_changed)
        self._end.dateTimeChanged.connect(self._appointment_time_changed)
        self._event_date.editingFinished.connect(self._tidy_event_date)
        self._category.currentTextChanged.connect(self._suggest_incident)
        for edit in (self._business, self._event_place, self._address):
            edit.textChanged.connect(self._suggest_incident)
        self._kind_group.idToggled.connect(self._suggest_incident)

        # Editing a field takes its error away: the clerk is fixing it.
        for name, field in self._fields.items():
            widget = field.input
            clear = self._error_clearer(name)
            if isinstance(widget, QLineEdit):
                widget.textEdited.connect(clear)
            elif isinstance(widget, QPlainTextEdit):
                widget.textChanged.connect(clear)
            elif isinstance(widget, QComboBox):
                widget.currentIndexChanged.connect(clear)
                if widget is self._category:
                    self._category_line.textEdited.connect(clear)
            elif isinstance(widget, QDateTimeEdit):
                widget.dateTimeChanged.connect(clear)

    def _shortcut(self, keys: str, action: Callable[[], object]) -> None:
        shortcut = QShortcut(QKeySequence(keys), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(action)

    def _error_clearer(self, name: str) -> Callable[..., None]:
        def clear(*_args: Any) -> None:
            if name in self._field_errors:
                del self._field_errors[name]
                self._render_errors()

        return clear

    # --- public ----------------------------------------------------------------------

    def clear(self) -> None:
        """Empty the form for the next customer (the chosen kind stays), hide errors and
        the last confirmation, and put the focus on the first field."""
        self._reset_inputs()
        self._banner.hide()
        self._focus_first()

    def field_widget(self, name: str) -> QWidget:
        """The input of a field, by the domain's field name ("customer.phone")."""
        return self._fields[name].input

    def field_error(self, name: str) -> str:
        """The error shown under a field ("" when there is none)."""
        error = self._fields[name].error
        return error.text() if error.isVisibleTo(self) else ""

    def retranslate(self) -> None:
        """Set every text in the current language; what was typed stays."""
        lang = i18n.current()
        for name, field in self._fields.items():
            field.label.setText(messages.field_label(name, lang))
        for index, (kind, button) in enumerate(zip(KINDS, self._kind_buttons, strict=True)):
            button.setText(f"{i18n.word('label.CaseKind', kind.value)} (Alt+{index + 1})")
        for index in range(self._grade.count()):
            self._grade.setItemText(index, i18n.word("label.Grade", self._grade.itemData(index)))
        for index in range(self._channel.count()):
            code = self._channel.itemData(index)
            self._channel.setItemText(index, i18n.word("label.Channel", code))
        self._fill_categories()
        self._appointment.setTitle(messages.field_label("appointment", lang))

        self._phone.setPlaceholderText(self.tr("Mobile or landline, e.g. 138 1234 5678"))
        self._service_number.setPlaceholderText(self.tr("Account or line concerned"))
        self._category_line.setPlaceholderText(self.tr("Type to search"))
        self._summary.setPlaceholderText(self.tr("What happened, in one line"))
        self._remedy.setPlaceholderText(self.tr("What the customer wants"))
        self._event_date.setPlaceholderText(self.tr("YYYY-MM-DD"))
        self._received_at.setToolTip(
            self.tr("Now, unless the case came earlier by letter or phone")
        )
        self._save_button.setText(self.tr("Save (Enter, Ctrl+S)"))
        self._print_button.setText(self.tr("Save and print receipt (Ctrl+P)"))
        self._clear_button.setText(self.tr("Clear (Esc)"))
        self._copy_number.setText(self.tr("Copy number (Ctrl+Shift+C)"))
        self._banner_text.setText(self.tr("Case recorded:"))
        self._lookup.retranslate()
        self._render_errors()

    # --- events ----------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    @Slot(str)
    def _language_changed(self, _lang: str) -> None:
        # Domain words (labels of codes) change with the language even when no Qt
        # translator changes; the notifier covers that case.
        self.retranslate()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self._category
            and isinstance(event, QFocusEvent)
            and event.type() == QEvent.Type.FocusOut
            and event.reason() != Qt.FocusReason.PopupFocusReason
        ):
            self._settle_category()
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Keys reach the form only when the focused field did not use them: a line
        # break in a multi-line field or a choice in an open list stays where it is.
        key = event.key()
        plain = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and plain == Qt.KeyboardModifier.NoModifier:
            event.accept()
            self._save(print_receipt=False)
            return
        if key == Qt.Key.Key_Escape and self._has_input():
            event.accept()
            self._ask_discard()
            return
        # Esc on an empty form: the dialog or window around the form decides.
        super().keyPressEvent(event)

    # --- kind ------------------------------------------------------------------------

    @property
    def _kind(self) -> CaseKind:
        return KINDS[max(self._kind_group.checkedId(), 0)]

    def _choose_kind(self, index: int) -> None:
        self._kind_buttons[index].setChecked(True)
        self._kind_buttons[index].setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _kind_toggled(self, _id: int, checked: bool) -> None:
        if checked:
            self._apply_kind()

    def _apply_kind(self) -> None:
        kind = self._kind
        for name in _COMPLAINT_ONLY:
            field = self._fields[name]
            field.layout.setRowVisible(field.cell, kind is CaseKind.COMPLAINT)
        self._appointment.setVisible(kind is CaseKind.SERVICE_REQUEST)
        self._fill_categories()

    # --- category --------------------------------------------------------------------

    def _fill_categories(self) -> None:
        """List the categories of the current kind in the current language, keeping
        what was chosen or typed."""
        combo = self._category
        typed = combo.currentText()
        code = self._category_code(typed)
        combo.blockSignals(True)
        combo.clear()
        catalogue = self._ctx.catalogue
        for category in catalogue.for_kind(self._kind.value):
            combo.addItem(catalogue.label(category.code, i18n.current()), category.code)
        index = combo.findData(code) if code is not None else -1
        combo.setCurrentIndex(index)
        if index < 0:
            combo.setEditText(typed)
        combo.blockSignals(False)

    def _category_code(self, text: str) -> str | None:
        """The catalogue code that `text` names: a label in either language, a code, or
        a fragment that only one entry of the current kind contains."""
        text = " ".join(text.split())
        if not text:
            return None
        catalogue = self._ctx.catalogue
        leaves = [c for c in catalogue.categories if c.is_leaf]
        for category in leaves:
            if text == category.code or any(
                text.casefold() == catalogue.label(category.code, lang).casefold()
                for lang in messages.LANGUAGES
            ):
                return category.code
        lang = i18n.current()
        fragment = text.casefold()
        matches = [
            c.code
            for c in catalogue.for_kind(self._kind.value)
            if fragment in catalogue.label(c.code, lang).casefold()
        ]
        return matches[0] if len(matches) == 1 else None

    def _settle_category(self) -> None:
        """Show the full label of the entry the clerk's typing identifies."""
        code = self._category_code(self._category.currentText())
        index = self._category.findData(code) if code is not None else -1
        if index >= 0 and self._category.currentText() != self._category.itemText(index):
            self._category.setCurrentIndex(index)
            self._category.setEditText(self._category.itemText(index))

    def _suggest_incident(self, *_args: object) -> None:
        """Ask for a matching active incident as the service and the area take shape."""
        index = self._kind_group.checkedId()
        category = self._category_code(self._category.currentText()) or ""
        if index < 0 or KINDS[index] is not CaseKind.COMPLAINT or not category:
            self.incident_hint.update_for("", None, ())
            return
        self.incident_hint.update_for(
            category,
            self._business.text().strip() or None,
            (self._event_place.text().strip(), self._address.text().strip()),
        )

    # --- customer lookup -------------------------------------------------------------

    def _look_up(self) -> None:
        self._lookup_timer.stop()
        self._lookup.look_up(self._phone.text(), self._service_number.text())

    def _use_latest_name(self) -> None:
        name = self._lookup.latest_name()
        if name:
            self._name.setText(name)
            self._error_clearer("customer.name")()
            self._name.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # --- dates and times -------------------------------------------------------------

    def _received_changed(self, _value: QDateTime) -> None:
        self._received_edited = True

    def _appointment_time_changed(self, _value: QDateTime) -> None:
        self._appointment_times_edited = True

    def _tidy_event_date(self) -> None:
        value = self._event_date_value()
        if isinstance(value, date):
            self._event_date.setText(value.isoformat())

    def _event_date_value(self) -> date | str | None:
        text = self._event_date.text().strip()
        if not text:
            return None
        match = _TYPED_DATE.fullmatch(text)
        if match is None:
            return text
        try:
            return date(*(int(part) for part in match.groups()))
        except ValueError:
            return text

    def _aware(self, edit: QDateTimeEdit) -> datetime:
        value = edit.dateTime()
        day, clock = value.date(), value.time()
        return datetime(
            day.year(), day.month(), day.day(), clock.hour(), clock.minute(), tzinfo=self._ctx.tz
        )

    # --- saving ----------------------------------------------------------------------

    def _collect(self) -> IntakeData:
        """What was typed, raw, as the domain's intake form. Fields hidden for the
        chosen kind are left out: what the clerk sees is what is saved."""
        kind = self._kind
        complaint = kind is CaseKind.COMPLAINT

        def optional(edit: QLineEdit) -> str | None:
            return edit.text() if edit.text().strip() else None

        appointment: Appointment | None = None
        if kind is CaseKind.SERVICE_REQUEST and (
            self._appointment_times_edited
            or any(e.text().strip() for e in (self._service_type, self._staff))
            or self._content.toPlainText().strip()
        ):
            appointment = Appointment(
                service_type=self._service_type.text(),
                start=self._aware(self._start),
                end=self._aware(self._end),
                staff=optional(self._staff),
                content=self._content.toPlainText() or None,
            )
        category = self._category.currentText()
        return IntakeData(
            kind=kind.value,
            channel=str(self._channel.currentData()),
            category=self._category_code(category) or category,
            customer=Customer(
                name=self._name.text(),
                phone=self._phone.text(),
                id_number=optional(self._id_number),
                service_number=optional(self._service_number),
                address=optional(self._address),
            ),
            summary=self._summary.text(),
            description=self._description.toPlainText(),
            remedy=self._remedy.toPlainText() if complaint else "",
            grade=str(self._grade.currentData()) if complaint else Grade.ORDINARY,
            # A date that could not be read goes to the domain as typed: it reports it.
            event_date=cast(date | None, self._event_date_value()),
            event_place=optional(self._event_place),
            business=optional(self._business),
            received_at=self._aware(self._received_at) if self._received_edited else None,
            appointment=appointment,
        )

    def _save(self, *, print_receipt: bool) -> None:
        if self._saving is not None:
            return  # the first press is being saved
        self._settle_category()
        form = self._collect()
        me = self._session.staff_no
        key = self.form_id
        incident = self.incident_hint.chosen()
        self._set_saving(True)

        def intake(ctx: ServiceContext) -> SavedIntake:
            return cases.save_intake(ctx, form=form, actor=me, key=key, incident=incident)

        self._saving = self._worker.run(
            intake,
            on_done=lambda view: self._saved(view, print_receipt),
            on_error=self._save_failed,
            writes=True,
        )

    def _set_saving(self, saving: bool) -> None:
        for button in (self._save_button, self._print_button):
            button.setEnabled(not saving)
        if not saving:
            self._saving = None

    def _saved(self, saved: SavedIntake, print_receipt: bool) -> None:
        self._set_saving(False)
        number = saved.view.case.number
        if saved.view.case.incident is not None:  # linked in the same save
            self.incident_hint.announce_linked(number, saved.view.case.incident)
        self._last_number = number
        self._reset_inputs()
        self._number_label.setText(number)
        self._banner.show()
        self._focus_first()
        self.saved.emit(number)
        if print_receipt:
            self.save_and_print_requested.emit(number)

    def _save_failed(self, error: DomainError) -> None:
        self._set_saving(False)
        if isinstance(error, ValidationError):
            self._show_errors(error.errors)
        else:
            self._show_errors((), failure=error)

    @Slot(object)
    def _unexpected(self, error: object) -> None:
        # A bug while saving reaches the crash dialog, not `on_error`; the form must
        # not stay locked in "saving" after it.
        future = self._saving
        if future is not None and future.done() and future.exception() is error:
            self._set_saving(False)

    # --- errors ----------------------------------------------------------------------

    def _show_errors(
        self, errors: Sequence[FieldError], *, failure: DomainError | None = None
    ) -> None:
        self._field_errors = {}
        others: list[FieldError] = []
        for error in errors:
            if error.field in self._fields or error.field == "appointment":
                self._field_errors.setdefault(error.field, error)
            else:
                others.append(error)
        self._other_errors = tuple(others)
        self._failure = failure
        self._render_errors()
        for name in (*_TAB_ORDER, "appointment"):
            if name in self._field_errors:
                self._focus_field(name)
                break

    def _render_errors(self) -> None:
        for name in self._fields:
            self._render_field_error(name)
        lang = i18n.current()
        lines = (
            [] if self._failure is None else [i18n.text(self._failure.key, **self._failure.params)]
        )
        remaining = len(self._field_errors) + len(self._other_errors)
        if remaining:  # how many are still to fix, above the form
            lines.append(i18n.text("error.validation", count=remaining))
        lines += messages.format_field_errors(self._other_errors, lang)
        self._form_error.setText("\n".join(lines))
        self._form_error.setVisible(bool(lines))
        appointment_error = self._field_errors.get("appointment")
        self._appointment_error.setText(
            messages.translate(appointment_error.key, lang, **dict(appointment_error.params))
            if appointment_error is not None
            else ""
        )
        self._appointment_error.setVisible(appointment_error is not None)

    def _render_field_error(self, name: str) -> None:
        field = self._fields[name]
        error = self._field_errors.get(name)
        if error is None:
            field.error.hide()
            field.error.clear()
            field.input.setStyleSheet("")
            return
        field.error.setText(messages.translate(error.key, i18n.current(), **dict(error.params)))
        field.error.show()
        field.input.setStyleSheet(_invalid_css(field.input))

    # --- focus, reset, discard -------------------------------------------------------

    def _focus_field(self, name: str) -> None:
        if name == "kind":
            self._focus_first()
        else:
            # The slot as a whole ("appointment") starts at its first field.
            widget = self._service_type if name == "appointment" else self._fields[name].input
            widget.setFocus(Qt.FocusReason.OtherFocusReason)
            self._scroll.ensureWidgetVisible(widget)

    def _focus_first(self) -> None:
        self._kind_buttons[max(self._kind_group.checkedId(), 0)].setFocus(
            Qt.FocusReason.OtherFocusReason
        )

    def _reset_inputs(self) -> None:
        # A new customer's form: a new id (the one before belongs to the case just saved,
        # or to what was discarded).
        self.form_id = str(uuid.uuid4())
        if self._kind_group.checkedId() < 0:
            self._kind_buttons[0].setChecked(True)
        for edit in self._line_edits():
            edit.clear()
        for text in self._text_edits():
            text.clear()
        self._category.setCurrentIndex(-1)
        self._category.setEditText("")
        self._grade.setCurrentIndex(self._grade.findData(Grade.ORDINARY.value))
        self._channel.setCurrentIndex(self._channel.findData(Channel.WALK_IN.value))
        now = self._ctx.now()
        start = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        times: tuple[tuple[QDateTimeEdit, datetime], ...] = (
            (self._received_at, now),
            (self._start, start),
            (self._end, start + timedelta(hours=1)),
        )
        for clock_edit, value in times:
            clock_edit.blockSignals(True)
            clock_edit.setDateTime(_qdatetime(value))
            clock_edit.blockSignals(False)
        self._received_edited = False
        self._appointment_times_edited = False
        self._lookup_timer.stop()
        self._lookup.reset()
        self._show_errors(())
        self._apply_kind()

    def _line_edits(self) -> list[QLineEdit]:
        return [f.input for f in self._fields.values() if isinstance(f.input, QLineEdit)]

    def _text_edits(self) -> list[QPlainTextEdit]:
        return [f.input for f in self._fields.values() if isinstance(f.input, QPlainTextEdit)]

    def _has_input(self) -> bool:
        typed = any(e.text().strip() for e in self._line_edits())
        typed = typed or any(t.toPlainText().strip() for t in self._text_edits())
        typed = typed or bool(self._category.currentText().strip())
        return (
            typed
            or self._received_edited
            or self._appointment_times_edited
            or self._grade.currentData() != Grade.ORDINARY.value
            or self._channel.currentData() != Channel.WALK_IN.value
        )

    def _ask_discard(self) -> None:
        if not self._has_input():
            self.clear()
            return
        if self._discard_box is not None:
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Discard this intake?"),
            self.tr("What was typed for this customer will be lost."),
            parent=self,
        )
        box.setObjectName("discard_confirmation")
        discard = box.addButton(self.tr("Discard (Enter)"), QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton(self.tr("Keep editing (Esc)"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(discard)
        box.setEscapeButton(keep)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._discard_box = box

        def finished(_result: int) -> None:
            self._discard_box = None
            clicked: QAbstractButton | None = box.clickedButton()
            if clicked is discard:
                self.clear()

        box.finished.connect(finished)
        box.open()

    def _copy_case_number(self) -> None:
        if self._last_number and self._banner.isVisible():
            QGuiApplication.clipboard().setText(self._last_number)
