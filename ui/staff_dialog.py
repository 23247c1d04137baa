"""Staff accounts, for administrators: who has an account, with which roles, whether
it is active, locked (until when), waiting for its first own password, and when it
was last used to sign in. Adding an account or resetting a password gives a one-time
code, shown once to hand over; nobody ever sees a password. Refusals of the service
(the last administrator, a taken staff number …) are shown as it words them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import shiboken6
from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QFont, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from branchdesk import display
from branchdesk.domain.errors import DomainError, ValidationError
from branchdesk.services import auth, staff
from branchdesk.services.context import ServiceContext
from branchdesk.services.staff import ROLES, StaffAccount
from ui import i18n
from ui.session import UserSession, roles_text
from ui.setup_dialogs import ERROR_STYLE, FieldRow, show_field_errors
from ui.worker import DbWorker

COLUMNS = ("staff_no", "name", "roles", "active", "locked_until", "must_change", "last_sign_in")


class CodeDialog(QDialog):
    """A one-time code, shown this once: large, selectable and copyable."""

    def __init__(self, staff_no: str, name: str, code: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setObjectName("one_time_code")
        self.code = code
        self.setWindowTitle(self.tr("One-time code for %1").replace("%1", f"{name} ({staff_no})"))
        self.code_label = QLabel(code, self)
        self.code_label.setObjectName("code")
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSizeF(self.font().pointSizeF() * 2.4)
        font.setBold(True)
        self.code_label.setFont(font)
        self.code_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code_label.setStyleSheet("padding: 12px; background: #fffbe6; letter-spacing: 2px;")
        self.code_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        note = QLabel(
            self.tr(
                "Hand this to %1; valid 24 h. At the first sign-in with it they choose "
                "their own password. It is not shown again."
            ).replace("%1", name),
            self,
        )
        note.setWordWrap(True)
        copy = QPushButton(self.tr("Copy (Ctrl+C)"), self)
        copy.clicked.connect(self.copy)
        QShortcut(QKeySequence.StandardKey.Copy, self).activated.connect(self.copy)
        done = QPushButton(self.tr("Done (Enter)"), self)
        done.setDefault(True)
        done.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(copy)
        buttons.addStretch(1)
        buttons.addWidget(done)
        layout = QVBoxLayout(self)
        layout.addWidget(self.code_label)
        layout.addWidget(note)
        layout.addLayout(buttons)
        self.setMinimumWidth(460)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.code)


class AccountDialog(QDialog):
    """A new account (staff number, name, roles) or the roles of an existing one."""

    saved = Signal(object)  # what the service returned

    def __init__(
        self,
        worker: DbWorker,
        session: UserSession,
        account: StaffAccount | None,
        parent: QWidget | None,
    ) -> None:
        super().__init__(parent)
        self.worker = worker
        self.session = session
        self.account = account
        self.setObjectName("account")
        self.staff_no = QLineEdit(self)
        self.name = QLineEdit(self)
        self.role_boxes = {role: QCheckBox(i18n.word("label.Role", role), self) for role in ROLES}
        roles_box = QWidget(self)
        roles_layout = QVBoxLayout(roles_box)
        roles_layout.setContentsMargins(0, 0, 0, 0)
        for box in self.role_boxes.values():
            roles_layout.addWidget(box)
        self.rows = {
            "staff_no": FieldRow(self.staff_no, self),
            "name": FieldRow(self.name, self),
            "roles": FieldRow(roles_box, self),
        }
        form = QFormLayout()
        form.addRow(self.tr("&Staff number:"), self.rows["staff_no"])
        form.addRow(self.tr("Na&me:"), self.rows["name"])
        form.addRow(self.tr("Roles:"), self.rows["roles"])
        self.general_error = QLabel(self)
        self.general_error.setObjectName("general_error")
        self.general_error.setStyleSheet(ERROR_STYLE)
        self.general_error.setWordWrap(True)
        self.general_error.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.general_error)
        layout.addWidget(buttons)
        if account is None:
            self.setWindowTitle(self.tr("New staff account"))
            self.staff_no.setFocus()
        else:
            self.setWindowTitle(
                self.tr("Roles of %1").replace("%1", f"{account.name} ({account.staff_no})")
            )
            for widget in (self.staff_no, self.name):
                widget.setReadOnly(True)
            self.staff_no.setText(account.staff_no)
            self.name.setText(account.name)
            for role, box in self.role_boxes.items():
                box.setChecked(role in account.roles)
            next(iter(self.role_boxes.values())).setFocus()
        self.setMinimumWidth(420)

    def roles(self) -> tuple[str, ...]:
        return tuple(r for r, box in self.role_boxes.items() if box.isChecked())

    def accept(self) -> None:
        actor, roles = self.session.staff_no, self.roles()
        number, name = self.staff_no.text().strip(), self.name.text()
        work: Callable[[ServiceContext], Any]
        if self.account is None:

            def work(ctx: ServiceContext) -> Any:
                return staff.add_staff(ctx, staff_no=number, name=name, roles=roles, actor=actor)
        else:

            def work(ctx: ServiceContext) -> Any:
                return staff.set_roles(ctx, staff_no=number, roles=roles, actor=actor)

        self.worker.run(work, on_done=self._done, on_error=self._refused, writes=True)

    def _done(self, result: object) -> None:
        if shiboken6.isValid(self):
            self.saved.emit(result)
            super().accept()

    def _refused(self, error: DomainError) -> None:
        if not shiboken6.isValid(self):
            return
        if isinstance(error, ValidationError):
            show_field_errors(self.rows, error.errors, self.general_error)
        else:
            show_field_errors(self.rows, [], self.general_error)
            self.general_error.setText(i18n.error_text(error))
            self.general_error.show()


class StaffDialog(QDialog):
    """The account list and what an administrator does with it."""

    loaded = Signal()

    def __init__(
        self, worker: DbWorker, session: UserSession, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.worker = worker
        self.session = session
        self.accounts: list[StaffAccount] = []
        self.code_dialog: CodeDialog | None = None
        self.account_dialog: AccountDialog | None = None
        self.setObjectName("staff_dialog")
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("accounts")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.message = QLabel(self)
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for name, keys, slot in (
            ("add", "Ctrl+N", self.add),
            ("reset", "Ctrl+R", self.reset_password),
            ("roles", "Ctrl+E", self.edit_roles),
            ("active", "Ctrl+D", self.toggle_active),
        ):
            button = QPushButton(self)
            button.setObjectName(name)
            button.setAutoDefault(False)
            button.clicked.connect(slot)
            QShortcut(QKeySequence(keys), self).activated.connect(slot)
            self.buttons[name] = button
            row.addWidget(button)
        row.addStretch(1)
        close = QPushButton(self)
        close.setAutoDefault(False)
        close.clicked.connect(self.reject)
        self.buttons["close"] = close
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(self.message)
        layout.addLayout(row)
        self.resize(1000, 460)
        self.retranslate()
        self.refresh()

    @classmethod
    def show_for(cls, worker: DbWorker, session: UserSession, parent: QWidget) -> StaffDialog:
        dialog = cls(worker, session, parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("BranchDesk – staff accounts"))
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Staff number"),
                self.tr("Name"),
                self.tr("Roles"),
                self.tr("Account"),
                self.tr("Locked until"),
                self.tr("Own password"),
                self.tr("Last sign-in"),
            ]
        )
        self.buttons["add"].setText(self.tr("Add… (Ctrl+N)"))
        self.buttons["reset"].setText(self.tr("Reset password… (Ctrl+R)"))
        self.buttons["roles"].setText(self.tr("Roles… (Ctrl+E)"))
        self.buttons["close"].setText(self.tr("Close (Esc)"))
        self._selection_changed()
        self._fill()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- the list ---------------------------------------------------------------------
    def refresh(self) -> None:
        actor = self.session.staff_no
        self.worker.run(
            lambda ctx: staff.staff_accounts(ctx, actor=actor),
            on_done=self._loaded,
            on_error=self._show_error,
        )

    def _loaded(self, accounts: Sequence[StaffAccount]) -> None:
        if not shiboken6.isValid(self):
            return
        selected = self.selected()
        self.accounts = list(accounts)
        self._fill()
        keep = selected.staff_no if selected else None
        for row, account in enumerate(self.accounts):
            if account.staff_no == keep:
                self.table.selectRow(row)
        if self.selected() is None and self.accounts:
            self.table.selectRow(0)
        self._selection_changed()  # the same row may now say "disabled"
        self.loaded.emit()

    def _fill(self) -> None:
        tz = self.worker.ctx.tz
        now = self.worker.ctx.now()
        self.table.setRowCount(len(self.accounts))
        for row, a in enumerate(self.accounts):
            locked = a.locked_until is not None and a.locked_until > now
            values = (
                a.staff_no,
                a.name,
                roles_text(a.roles),
                self.tr("active") if a.active else self.tr("disabled"),
                display.when(a.locked_until, tz) if locked else "",
                self.tr("not yet (one-time code)") if a.must_change_password else self.tr("set"),
                self._when(a.last_sign_in_at) or self.tr("never"),
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if not a.active or (column == 4 and locked):
                    item.setForeground(Qt.GlobalColor.darkRed if locked else Qt.GlobalColor.gray)
                self.table.setItem(row, column, item)

    def _when(self, at: datetime | None) -> str:
        return display.when(at, self.worker.ctx.tz) if at is not None else ""

    def selected(self) -> StaffAccount | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.accounts):
            return None
        return self.accounts[rows[0].row()]

    def select(self, staff_no: str) -> None:
        for row, account in enumerate(self.accounts):
            if account.staff_no == staff_no:
                self.table.selectRow(row)

    def _selection_changed(self) -> None:
        account = self.selected()
        for name in ("reset", "roles", "active"):
            self.buttons[name].setEnabled(account is not None)
        self.buttons["active"].setText(
            self.tr("Enable (Ctrl+D)")
            if account is not None and not account.active
            else self.tr("Disable (Ctrl+D)")
        )

    def _show_error(self, error: DomainError) -> None:
        if shiboken6.isValid(self):
            self.message.setStyleSheet(ERROR_STYLE)
            self.message.setText(i18n.error_text(error))

    def _say(self, text: str) -> None:
        self.message.setStyleSheet("")
        self.message.setText(text)

    # -- actions ----------------------------------------------------------------------
    def add(self) -> None:
        self._account_dialog(None)

    def edit_roles(self) -> None:
        account = self.selected()
        if account is not None:
            self._account_dialog(account)

    def _account_dialog(self, account: StaffAccount | None) -> None:
        dialog = AccountDialog(self.worker, self.session, account, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self._account_saved)
        self.account_dialog = dialog
        dialog.open()

    def _account_saved(self, result: object) -> None:
        if isinstance(result, staff.NewAccount):
            member = result.member
            self._show_code(member.staff_no, member.name, result.one_time_code)
        elif isinstance(result, staff.StaffMember):
            self._say(self.tr("Roles of %1 saved.").replace("%1", result.staff_no))
        self.refresh()

    def reset_password(self) -> None:
        account = self.selected()
        if account is None:
            return
        number, name, actor = account.staff_no, account.name, self.session.staff_no
        self.worker.run(
            lambda ctx: auth.reset_password(ctx, staff_no=number, actor=actor),
            on_done=lambda code: self._reset_done(number, name, code),
            on_error=self._show_error,
            writes=True,
        )

    def _reset_done(self, staff_no: str, name: str, code: str) -> None:
        self._show_code(staff_no, name, code)
        # The reset took back the tokens made under the old password (auth.reset_password).
        self._say(
            self.tr(
                "%1 has a new one-time code. Their command-line tokens no longer work: "
                "with their new password they make new ones."
            ).replace("%1", staff_no)
        )
        self.refresh()

    def _show_code(self, staff_no: str, name: str, code: str) -> None:
        self._say(self.tr("%1 has a new one-time code.").replace("%1", staff_no))
        dialog = CodeDialog(staff_no, name, code, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.code_dialog = dialog
        dialog.open()

    def toggle_active(self) -> None:
        account = self.selected()
        if account is None:
            return
        number, active, actor = account.staff_no, not account.active, self.session.staff_no

        def done(member: staff.StaffMember) -> None:
            self._say(
                (
                    self.tr("%1 can sign in again.") if active else self.tr("%1 is disabled.")
                ).replace("%1", member.staff_no)
            )
            self.refresh()

        self.worker.run(
            lambda ctx: staff.set_active(ctx, staff_no=number, active=active, actor=actor),
            on_done=done,
            on_error=self._show_error,
            writes=True,
        )
