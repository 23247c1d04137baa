"""Choosing a password: the new password typed twice with the policy on screen and its
problems shown under the field as it is typed (the domain's `check_password`, the rule
the services apply), the change-password dialog a one-time code leads to, and the
password for the demo accounts.

No password is kept here longer than the dialog that asked for it.
"""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from branchdesk.domain.errors import DomainError, ValidationError
from branchdesk.domain.password_policy import MIN_LENGTH, check_password
from branchdesk.services import auth
from branchdesk.services.auth import Session
from ui import i18n
from ui.setup_dialogs import ERROR_STYLE, FieldRow, grow_to_fit, show_field_errors
from ui.worker import DbWorker


def password_edit(parent: QWidget | None = None) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    # An input method would show the password in its candidate window.
    edit.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
    return edit


class NewPasswordFields(QWidget):
    """A new password and the same again, checked against the policy as typed.

    `who` gives the staff number and name the password must not contain (they may
    change while a set-up form is filled in)."""

    def __init__(
        self,
        who: Callable[[], tuple[str, str]],
        parent: QWidget | None = None,
        *,
        field: str = "new_password",
    ) -> None:
        super().__init__(parent)
        self._who = who
        self.field = field
        self.policy = QLabel(self)
        self.policy.setWordWrap(True)
        self.policy.setStyleSheet("color: #555;")
        self.password = password_edit(self)
        self.again = password_edit(self)
        self.password_row = FieldRow(self.password, self)
        self.again_row = FieldRow(self.again, self)
        self.password_label = QLabel(self)
        self.password_label.setBuddy(self.password)
        self.again_label = QLabel(self)
        self.again_label.setBuddy(self.again)
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(self.password_label, self.password_row)
        form.addRow(self.again_label, self.again_row)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.policy)
        layout.addLayout(form)
        self.password.textEdited.connect(lambda _t: self._check(final=False))
        self.again.textEdited.connect(lambda _t: self._check(final=False))
        self.retranslate()

    def retranslate(self) -> None:
        self.policy.setText(
            self.tr(
                "At least %1 characters, with at least two of: letters, digits, symbols. "
                "Not a common password, and not containing the staff number or name."
            ).replace("%1", str(MIN_LENGTH))
        )
        self.password_label.setText(self.tr("&New password:"))
        self.again_label.setText(self.tr("New password a&gain:"))
        if self.password.text() or self.again.text():
            self._check(final=False)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def value(self) -> str:
        return self.password.text()

    def errors(self) -> list[str]:
        """The policy's objections to the new password, in the interface language."""
        staff_no, name = self._who()
        found = check_password(self.password.text(), staff_no=staff_no, name=name, field=self.field)
        return [i18n.text(e.key, **e.params) for e in found]

    def _check(self, *, final: bool) -> bool:
        typed = self.password.text()
        problems = self.errors() if typed or final else []
        self.password_row.set_error("\n".join(problems))
        again = self.again.text()
        # "Differ" only once the second entry is as long as the first, or on submit.
        differ = (final or len(again) >= len(typed)) and bool(again or final) and again != typed
        self.again_row.set_error(i18n.text("error.password.mismatch") if differ else "")
        grow_to_fit(self.window())
        return bool(problems or differ)

    def problems(self) -> bool:
        """Check everything now (on submit), focusing the first field in error."""
        bad = self._check(final=True)
        if self.password_row.error.isVisible():
            self.password.setFocus(Qt.FocusReason.OtherFocusReason)
            self.password.selectAll()
        elif bad:
            self.again.setFocus(Qt.FocusReason.OtherFocusReason)
            self.again.selectAll()
        return bad

    def set_server_error(self, text: str) -> None:
        """An objection the service made that the live check could not (same as old)."""
        self.password_row.set_error(text)


class ChangePasswordDialog(QDialog):
    """Set one's own password: after signing in with a one-time code (the code is the
    old password), or whenever the person wants to. `changed(Session)` on success."""

    changed = Signal(object)  # Session

    def __init__(
        self,
        worker: DbWorker,
        *,
        staff_no: str,
        name: str,
        old: str = "",
        forced: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.worker = worker
        self.staff_no = staff_no
        self.name = name
        self.forced = forced
        self.session: Session | None = None
        self.pending = False
        self.setObjectName("change_password")
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.old = password_edit(self)
        self.old.setText(old)
        self.old_row = FieldRow(self.old, self)
        self.old_label = QLabel(self)
        self.old_label.setBuddy(self.old)
        self.new = NewPasswordFields(lambda: (staff_no, name), self)
        self.general_error = QLabel(self)
        self.general_error.setObjectName("general_error")
        self.general_error.setStyleSheet(ERROR_STYLE)
        self.general_error.setWordWrap(True)
        self.general_error.hide()
        self.ok_button = QPushButton(self)
        self.ok_button.setDefault(True)
        self.cancel_button = QPushButton(self)
        buttons = QDialogButtonBox(self)
        buttons.addButton(self.ok_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(self.old_label, self.old_row)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.new)
        layout.addWidget(self.general_error)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)
        self.retranslate()
        (self.new.password if old else self.old).setFocus()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("BranchDesk – choose your password"))
        who = f"{self.name} ({self.staff_no})"
        self.intro.setText(
            self.tr(
                "%1 signed in with a one-time code. Choose your own password now; nobody "
                "else, not even an administrator, will know it."
            ).replace("%1", who)
            if self.forced
            else self.tr("Change the password of %1.").replace("%1", who)
        )
        self.old_label.setText(
            self.tr("&One-time code:") if self.forced else self.tr("&Old password:")
        )
        self.ok_button.setText(self.tr("Set the password (Enter)"))
        self.cancel_button.setText(self.tr("Cancel (Esc)"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def accept(self) -> None:
        if self.pending or self.new.problems():
            return
        staff_no, old, new = self.staff_no, self.old.text(), self.new.value()
        self.pending = True
        self.ok_button.setEnabled(False)
        self.worker.run(
            lambda ctx: auth.change_password(ctx, staff_no=staff_no, old=old, new=new),
            on_done=self._done,
            on_error=self._refused,
        )

    def _done(self, session: Session) -> None:
        if not shiboken6.isValid(self):
            return
        self.pending = False
        self.session = session
        self.changed.emit(session)
        super().accept()

    def _refused(self, error: DomainError) -> None:
        if not shiboken6.isValid(self):
            return
        self.pending = False
        self.ok_button.setEnabled(True)
        rows = {"old_password": self.old_row, "new_password": self.new.password_row}
        if isinstance(error, ValidationError):
            show_field_errors(rows, error.errors, self.general_error)
        else:
            show_field_errors(rows, [], self.general_error)
            self.general_error.setText(i18n.text(error.key, **error.params))
            self.general_error.show()

    def field_error(self, field: str) -> str:
        row = {
            "old_password": self.old_row,
            "new_password": self.new.password_row,
            "again": self.new.again_row,
        }[field]
        return row.error.text() if row.error.isVisible() else ""


class DemoPasswordDialog(QDialog):
    """One password for every demo account (a demo has no default password either)."""

    def __init__(self, admin_no: str, admin_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("demo_password")
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.fields = NewPasswordFields(lambda: (admin_no, admin_name), self, field="password")
        self.ok_button = QPushButton(self)
        self.ok_button.setDefault(True)
        self.cancel_button = QPushButton(self)
        buttons = QDialogButtonBox(self)
        buttons.addButton(self.ok_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.fields)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)
        self.retranslate()
        self.fields.password.setFocus()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("BranchDesk – demo accounts"))
        self.intro.setText(
            self.tr(
                "The demo branch has an administrator, counter clerks, handlers, a manager "
                "and an archivist. Choose the password all of them will sign in with."
            )
        )
        self.ok_button.setText(self.tr("Create the demo (Enter)"))
        self.cancel_button.setText(self.tr("Cancel (Esc)"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def accept(self) -> None:
        if not self.fields.problems():
            super().accept()

    @classmethod
    def ask(cls, admin_no: str, admin_name: str) -> str | None:
        dialog = cls(admin_no, admin_name)
        try:
            if dialog.exec() == QDialog.DialogCode.Accepted:
                return dialog.fields.value()
            return None
        finally:
            dialog.deleteLater()
