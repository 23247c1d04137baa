"""The dialog for taking an action on a case (acknowledge, assign, record an
investigation …). One generic dialog for every action: its fields are built from the
action's parameter specs (`branchdesk.domain.actions.ACTION_PARAMS`), the same specs
the command line builds its options from. The dialog checks nothing itself: it sends
what was entered to `cases.act` and shows each `FieldError` under its field."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from branchdesk import display
from branchdesk.domain.actions import ACTION_PARAMS, ParamSpec, ParamType
from branchdesk.domain.errors import DomainError, FieldError, ValidationError
from branchdesk.i18n import field_label, format_field_errors
from branchdesk.services import cases, staff
from branchdesk.services.cases import CaseView
from branchdesk.services.staff import StaffMember
from ui import i18n
from ui.session import UserSession
from ui.worker import DbWorker

# Texts longer than this get a multi-line editor.
MULTILINE_OVER = 500
ERROR_STYLE = "color: #c62828;"
_INT_FLOOR, _INT_CEILING = -(2**31), 2**31 - 1
_SUBMIT_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class _Field:
    """One parameter on screen: its label, editor, and the line for its errors."""

    def __init__(self, spec: ParamSpec, editor: QWidget, read: Callable[[], Any]) -> None:
        self.spec = spec
        self.editor = editor
        self.read = read
        self.label = QLabel()
        self.label.setBuddy(editor)
        self.error = QLabel()
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.setObjectName(f"error_{spec.name}")
        self.error.hide()
        self.messages: list[FieldError] = []


class ActionDialog(QDialog):
    """Take `action` on the case of `view` as the signed-in staff member.

    `acted(CaseView)` is emitted with the updated case when the action was recorded;
    the dialog then closes. Refused input keeps the dialog open with every problem
    shown beside its field.
    """

    acted = Signal(object)  # CaseView

    def __init__(
        self,
        worker: DbWorker,
        session: UserSession,
        view: CaseView,
        action: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.worker = worker
        self.session = session
        self.view = view
        self.action = action
        self.pending = False
        self.result_view: CaseView | None = None
        self._general: list[FieldError] = []  # refusals of no field of this dialog
        self._general_error: DomainError | None = None
        self.fields: dict[str, _Field] = {}
        self.setObjectName(f"action_{action}")
        self.setModal(True)
        self.setMinimumWidth(520)

        outer = QVBoxLayout(self)
        self.case_line = QLabel()
        self.case_line.setStyleSheet("color: #555;")
        self.case_line.setWordWrap(True)
        outer.addWidget(self.case_line)
        self.general_error = QLabel()
        self.general_error.setObjectName("general_error")
        self.general_error.setStyleSheet(ERROR_STYLE)
        self.general_error.setWordWrap(True)
        self.general_error.hide()
        outer.addWidget(self.general_error)

        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        for row, spec in enumerate(ACTION_PARAMS[action]):
            field = self._build_field(spec)
            self.fields[spec.name] = field
            top = (
                Qt.AlignmentFlag.AlignTop
                if isinstance(field.editor, QPlainTextEdit | QListWidget)
                else Qt.AlignmentFlag.AlignVCenter
            )
            grid.addWidget(field.label, 2 * row, 0, top)
            grid.addWidget(field.editor, 2 * row, 1)
            grid.addWidget(field.error, 2 * row + 1, 1)
            field.editor.installEventFilter(self)
        outer.addLayout(grid)
        self.hint = QLabel()
        self.hint.setStyleSheet("color: #666;")
        outer.addWidget(self.hint)

        self.buttons = QDialogButtonBox()
        ok = self.buttons.addButton(QDialogButtonBox.StandardButton.Ok)
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        assert ok is not None and cancel is not None
        self.ok_button: QPushButton = ok
        self.cancel_button: QPushButton = cancel
        self.ok_button.setDefault(True)
        self.ok_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.reject)
        outer.addWidget(self.buttons)

        if self._needs_staff():
            worker.run(staff.list_staff, on_done=self._fill_staff)
        # Besides LanguageChange: Qt sends none when the new translator holds no text.
        i18n.notifier.changed.connect(self.retranslate)
        self.retranslate()
        first = next(iter(self.fields.values()), None)
        (first.editor if first else self.ok_button).setFocus()

    @classmethod
    def open_for(
        cls,
        worker: DbWorker,
        session: UserSession,
        view: CaseView,
        action: str,
        parent: QWidget | None,
    ) -> ActionDialog:
        """Build the dialog for `action` on `view` and show it (window-modal, not blocking)."""
        dialog = cls(worker, session, view, action, parent)
        dialog.open()
        return dialog

    # -- building -------------------------------------------------------------------
    def _needs_staff(self) -> bool:
        return any(s.type is ParamType.STAFF for s in ACTION_PARAMS[self.action])

    def _build_field(self, spec: ParamSpec) -> _Field:
        editor: QWidget
        read: Callable[[], Any]
        if spec.type is ParamType.TEXT and spec.max_len > MULTILINE_OVER:
            text_box = QPlainTextEdit()
            text_box.setTabChangesFocus(True)
            text_box.setMinimumHeight(72)
            editor, read = text_box, text_box.toPlainText
        elif spec.type is ParamType.TEXT:
            line = QLineEdit()
            editor, read = line, line.text
        elif spec.type is ParamType.INT:
            editor, read = self._spin_box(spec)
        elif spec.type is ParamType.CHOICES:
            editor, read = self._check_list()
        elif spec.type is ParamType.STAFF:
            editor, read = self._staff_combo()
        else:
            combo = QComboBox()
            combo.addItem("", None)  # nothing chosen yet: a choice is never made for the clerk
            for value in self._codes(spec):
                combo.addItem(str(value), value)
            editor, read = combo, combo.currentData
        editor.setObjectName(f"field_{spec.name}")
        return _Field(spec, editor, read)

    def _codes(self, spec: ParamSpec) -> list[Any]:
        """The values a single-choice field offers (labelled in `retranslate`)."""
        if spec.type is ParamType.BOOL:
            return [True, False]
        if spec.type is ParamType.CHOICE and spec.choices is not None:
            return [c.value for c in spec.choices]
        if spec.type is ParamType.MILESTONE:
            return [m.id for m in self.view.milestones if m.met_at is None]
        if spec.type is ParamType.CATEGORY:
            catalogue = self.worker.ctx.catalogue
            return [c.code for c in catalogue.for_kind(self.view.case.kind.value)]
        raise ValueError(f"no choices for {spec.type}")

    def _spin_box(self, spec: ParamSpec) -> tuple[QWidget, Callable[[], Any]]:
        # One step below the minimum reads "—": no number entered yet. A score or an
        # amount is never filled in for the clerk.
        box = QSpinBox()
        low = spec.minimum if spec.minimum is not None else _INT_FLOOR + 1
        box.setRange(low - 1, spec.maximum if spec.maximum is not None else _INT_CEILING)
        box.setSpecialValueText("—")
        box.setValue(box.minimum())
        box.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToNearestValue)

        def read() -> int | None:
            return None if box.value() == box.minimum() else box.value()

        return box, read

    def _check_list(self) -> tuple[QWidget, Callable[[], Any]]:
        box = QListWidget()
        box.setMaximumHeight(110)

        def read() -> list[str] | None:
            chosen = [
                str(box.item(i).data(Qt.ItemDataRole.UserRole))
                for i in range(box.count())
                if box.item(i).checkState() == Qt.CheckState.Checked
            ]
            return chosen or None

        return box, read

    def _staff_combo(self) -> tuple[QWidget, Callable[[], Any]]:
        combo = QComboBox()
        combo.setEditable(True)
        combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)

        def read() -> str | None:
            text = combo.currentText().strip()
            index = combo.findText(text)
            if index >= 0:
                return str(combo.itemData(index))
            # A staff number typed by hand ("H201", or "H201 刘志强" with a stray space)
            return text.split()[0] if text else None

        return combo, read

    def _fill_staff(self, members: Sequence[StaffMember]) -> None:
        if not shiboken6.isValid(self):
            return
        for field in self.fields.values():
            if field.spec.type is not ParamType.STAFF:
                continue
            combo = field.editor
            assert isinstance(combo, QComboBox)
            typed = combo.currentText()
            combo.clear()
            for m in members:
                if m.active:
                    combo.addItem(f"{m.staff_no} {m.name}", m.staff_no)
            combo.setCurrentIndex(-1)
            combo.setEditText(typed)

    # -- language -------------------------------------------------------------------
    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        """Every text in the current language; what was entered stays."""
        lang = i18n.current()
        c = self.view.case
        self.setWindowTitle(f"{i18n.word('label.Action', self.action)} — {c.number}")
        self.case_line.setText(
            " · ".join(
                [
                    c.number,
                    i18n.word("label.CaseKind", c.kind.value),
                    i18n.word("label.CaseState", c.state.value),
                    c.customer_name,
                    c.summary,
                ]
            )
        )
        for field in self.fields.values():
            spec = field.spec
            name = field_label(spec.name, lang)
            field.label.setText(f"{name} *" if spec.required else name)
            field.label.setToolTip(self.tr("Required") if spec.required else "")
            self._label_choices(field)
            if isinstance(field.editor, QPlainTextEdit):
                field.editor.setPlaceholderText(self.tr("Ctrl+Enter to confirm"))
        multiline = any(isinstance(f.editor, QPlainTextEdit) for f in self.fields.values())
        self.hint.setText(
            self.tr("* required. Enter or Ctrl+Enter: confirm · Esc: cancel")
            if multiline
            else self.tr("* required. Enter: confirm · Esc: cancel")
        )
        action = i18n.word("label.Action", self.action)
        self.ok_button.setText(
            self.tr("{action} (Ctrl+Enter)").format(action=action)
            if multiline
            else self.tr("{action} (Enter)").format(action=action)
        )
        self.cancel_button.setText(self.tr("Cancel (Esc)"))
        self._show_errors()

    def _label_choices(self, field: _Field) -> None:
        spec, editor = field.spec, field.editor
        lang = i18n.current()
        if isinstance(editor, QListWidget):
            self._fill_check_list(editor, spec)
            return
        if not isinstance(editor, QComboBox) or spec.type is ParamType.STAFF:
            return
        for i in range(editor.count()):
            code = editor.itemData(i)
            if code is None:
                text = self.tr("— choose —") if spec.required else self.tr("— none —")
            elif spec.type is ParamType.BOOL:
                text = self.tr("Yes") if code else self.tr("No")
            elif spec.type is ParamType.CHOICE and spec.choices is not None:
                text = i18n.word(f"label.{spec.choices.__name__}", code)
            elif spec.type is ParamType.MILESTONE:
                text = self._milestone_text(code)
            else:
                text = self.worker.ctx.catalogue.label(code, lang)
            editor.setItemText(i, text)

    def _milestone_text(self, milestone_id: str) -> str:
        status = next(m for m in self.view.milestones if m.id == milestone_id)
        name = i18n.word("milestone", milestone_id)
        if status.due_at is None:
            return name
        due = display.when(status.due_at, self.worker.ctx.tz)
        return self.tr("{milestone} (due {due})").format(milestone=name, due=due)

    def _fill_check_list(self, box: QListWidget, spec: ParamSpec) -> None:
        assert spec.choices is not None
        if box.count() == 0:
            for value in spec.choices:
                item = QListWidgetItem()
                item.setData(Qt.ItemDataRole.UserRole, value.value)
                item.setFlags(
                    Qt.ItemFlag.ItemIsEnabled
                    | Qt.ItemFlag.ItemIsUserCheckable
                    | Qt.ItemFlag.ItemIsSelectable
                )
                item.setCheckState(Qt.CheckState.Unchecked)
                box.addItem(item)
            box.setCurrentRow(0)
        for i in range(box.count()):
            item = box.item(i)
            item.setText(
                i18n.word(f"label.{spec.choices.__name__}", item.data(Qt.ItemDataRole.UserRole))
            )

    # -- keys -----------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Enter confirms from any field, Ctrl+Enter from a multi-line text too (where
        # Enter starts a new line). Caught here rather than left to the default button:
        # a staff box would otherwise spend the first Enter on accepting its completion.
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in _SUBMIT_KEYS
            and (
                event.modifiers() & Qt.KeyboardModifier.ControlModifier
                or not isinstance(watched, QPlainTextEdit)
            )
        ):
            self.submit()
            return True
        return super().eventFilter(watched, event)

    # -- acting ---------------------------------------------------------------------
    def params(self) -> dict[str, Any]:
        """What was entered, by parameter name; empty fields are left out."""
        values: dict[str, Any] = {}
        for name, field in self.fields.items():
            value = field.read()
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            values[name] = value
        return values

    def submit(self) -> None:
        """Send the action to the service (once: a second Enter while it runs is ignored)."""
        if self.pending:
            return
        params = self.params()
        number, action, me = self.view.case.number, self.action, self.session.staff_no
        self._set_pending(True)
        self.worker.run(
            lambda ctx: cases.act(ctx, number=number, action=action, params=params, actor=me),
            on_done=self._done,
            on_error=self._failed,
            writes=True,
        )

    def _set_pending(self, pending: bool) -> None:
        self.pending = pending
        self.ok_button.setEnabled(not pending)
        self.cancel_button.setEnabled(not pending)

    def _done(self, view: CaseView) -> None:
        if not shiboken6.isValid(self):
            return
        self._set_pending(False)
        self.result_view = view
        self.acted.emit(view)
        self.accept()

    def _failed(self, error: DomainError) -> None:
        if not shiboken6.isValid(self):
            return
        self._set_pending(False)
        for field in self.fields.values():
            field.messages = []
        self._general = []
        self._general_error = None
        if isinstance(error, ValidationError):
            for e in error.errors:
                target = self.fields.get(e.field)
                if target is not None:
                    target.messages.append(e)
                else:  # e.g. the acting staff member: not a field of this dialog
                    self._general.append(e)
        else:
            self._general_error = error
        self._show_errors()
        wrong = next((f for f in self.fields.values() if f.messages), None)
        if wrong is not None:
            wrong.editor.setFocus()

    def _show_errors(self) -> None:
        """The last refusal, in the current language."""
        for field in self.fields.values():
            text = "\n".join(i18n.text(e.key, **dict(e.params)) for e in field.messages)
            field.error.setText(text)
            field.error.setVisible(bool(text))
        lines = format_field_errors(self._general, i18n.current())
        if self._general_error is not None:
            lines.insert(0, i18n.text(self._general_error.key, **self._general_error.params))
        self.general_error.setText("\n".join(lines))
        self.general_error.setVisible(bool(lines))

    def field_error(self, name: str) -> str:
        """The error shown under field `name` ("" when none)."""
        return self.fields[name].error.text() if self.fields[name].error.isVisible() else ""

    def reject(self) -> None:
        # While the action is being recorded the outcome is not known yet: stay open so
        # that the result (or the refusal) has somewhere to show.
        if not self.pending:
            super().reject()
