"""Signing in at the counter: the sign-in screen shown before the workbench, which is
also the lock screen it turns into after a few idle minutes or at Ctrl+Shift+L (only
the password of the person signed in, or "Switch user" for anyone). What happens to
the open windows is `ui.gatekeeper`'s business.

Passwords are checked by `branchdesk.services.auth.sign_in` on the database worker
(argon2 takes a tenth of a second: the window stays live). A first sign-in with a
one-time code goes straight to choosing one's own password. The administrator of a
branch from before sign-in chooses the branch's first password here, typed twice: the
screen asks for it again ("first_password" mode) when the service says so.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QSettings, Qt, Signal, Slot
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from branchdesk.domain.errors import DomainError
from branchdesk.services.auth import FIRST_PASSWORD_AGAIN
from branchdesk.services.staff import StaffMember
from ui import i18n
from ui.passwords import password_edit
from ui.session import roles_text
from ui.setup_dialogs import ERROR_STYLE

_SETTINGS_KEY = "sign_in/last_staff_no"


def _settings() -> QSettings:
    # Per workstation user, not per branch database: "who signed in here last".
    return QSettings(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, "BranchDesk", "workstation"
    )


def remembered_staff_no() -> str:
    return str(_settings().value(_SETTINGS_KEY, "") or "")


def remember_staff_no(staff_no: str) -> None:
    _settings().setValue(_SETTINGS_KEY, staff_no)


class SignInScreen(QWidget):
    """Staff number and password (sign in), or only the password of the person whose
    session is locked (unlock), with "Switch user" to let someone else sign in."""

    submitted = Signal(str, str)  # staff number, password
    switch_requested = Signal()
    back_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sign_in_screen")
        # "sign_in" | "locked" | "switch" (sign-in from a lock) | "first_password" (the
        # first password of a branch from before sign-in, typed twice)
        self.mode = "sign_in"
        self._first_intro_error: DomainError | None = None
        self.locked_name = ""
        self.branch_name = ""
        self.busy = False
        self._error: DomainError | None = None
        self._accounts: list[StaffMember] = []

        self.setAutoFillBackground(True)
        self.setStyleSheet("#sign_in_screen { background: #eef2f6; }")
        panel = QFrame(self)
        panel.setObjectName("panel")
        panel.setStyleSheet(
            "#panel { background: white; border: 1px solid #c9d3de; border-radius: 8px; }"
        )
        panel.setFixedWidth(460)
        self.title = QLabel(panel)
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.title.setFont(font)
        self.branch = QLabel(panel)
        self.branch.setStyleSheet("color: #555;")
        self.intro = QLabel(panel)
        self.intro.setObjectName("intro")
        self.intro.setWordWrap(True)
        self.staff_no = QLineEdit(panel)
        self.staff_no.setObjectName("staff_no")
        self.staff_no.setMaxLength(20)
        self.password = password_edit(panel)
        self.password.setObjectName("password")
        self.staff_label = QLabel(panel)
        self.staff_label.setBuddy(self.staff_no)
        self.password_label = QLabel(panel)
        self.password_label.setBuddy(self.password)
        self.again = password_edit(panel)
        self.again.setObjectName("password_again")
        self.again_label = QLabel(panel)
        self.again_label.setBuddy(self.again)
        self.error = QLabel(panel)
        self.error.setObjectName("error")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        self.sign_in_button = QPushButton(panel)
        self.sign_in_button.setObjectName("sign_in")
        self.sign_in_button.setDefault(True)
        self.sign_in_button.setAutoDefault(True)
        self.sign_in_button.clicked.connect(self.submit)
        self.switch_button = QPushButton(panel)
        self.switch_button.setObjectName("switch_user")
        self.switch_button.setAutoDefault(True)
        self.switch_button.clicked.connect(self.switch_requested)
        self.back_button = QPushButton(panel)
        self.back_button.setObjectName("back")
        self.back_button.setAutoDefault(True)
        self.back_button.clicked.connect(self.back_requested)
        self.language_button = QPushButton(panel)
        self.language_button.setFlat(True)
        self.language_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.language_button.clicked.connect(self.toggle_language)
        self.accounts = QLabel(panel)
        self.accounts.setObjectName("demo_accounts")
        self.accounts.setWordWrap(True)
        self.accounts.setStyleSheet("color: #444; background: #f6f8fa; padding: 8px;")
        self.accounts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.accounts.hide()

        form = QFormLayout()
        form.addRow(self.staff_label, self.staff_no)
        form.addRow(self.password_label, self.password)
        form.addRow(self.again_label, self.again)
        buttons = QHBoxLayout()
        buttons.addWidget(self.sign_in_button)
        buttons.addWidget(self.switch_button)
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.language_button)
        inner = QVBoxLayout(panel)
        inner.setContentsMargins(28, 24, 28, 24)
        inner.setSpacing(10)
        for widget in (self.title, self.branch, self.intro):
            inner.addWidget(widget)
        inner.addLayout(form)
        inner.addWidget(self.error)
        inner.addLayout(buttons)
        inner.addWidget(self.accounts)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(panel)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

        for keys, slot in (
            ("Ctrl+L", self.toggle_language),
            ("Ctrl+Shift+L", self._switch_key),
            ("Esc", self._escape),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.activated.connect(slot)
        self.staff_no.returnPressed.connect(self.submit)
        self.password.returnPressed.connect(self.submit)
        self.again.returnPressed.connect(self.submit)
        i18n.notifier.changed.connect(self._language_changed)
        self.resize(960, 680)
        self.set_mode("sign_in")

    # -- what is shown ----------------------------------------------------------------
    def set_mode(self, mode: str, *, staff_no: str = "", name: str = "") -> None:
        """ "sign_in" (anyone, `staff_no` prefilled), "locked" (only `staff_no`'s
        password), "switch" (anyone, from a lock: Esc goes back to it)."""
        self.mode = mode
        if mode == "locked":
            self.locked_name = f"{name} ({staff_no})"
        self.staff_no.setText(staff_no if mode != "switch" else "")
        self.password.clear()
        self.again.clear()
        self._error = None
        self._busy(False)
        self.retranslate()
        locked = mode == "locked"
        self.staff_no.setVisible(not locked)
        self.staff_label.setVisible(not locked)
        self.switch_button.setVisible(locked)
        self.back_button.setVisible(mode == "switch")
        self.again.setVisible(mode == "first_password")
        self.again_label.setVisible(mode == "first_password")
        self.accounts.setVisible(bool(self._accounts) and not locked)
        self.focus_first()

    def focus_first(self) -> None:
        empty = self.mode != "locked" and not self.staff_no.text().strip()
        (self.staff_no if empty else self.password).setFocus(Qt.FocusReason.OtherFocusReason)

    def set_branch(self, name: str) -> None:
        self.branch_name = name
        self.retranslate()

    def set_accounts(self, members: Sequence[StaffMember]) -> None:
        """The demo's accounts, listed for whoever tries the demo."""
        self._accounts = [m for m in members if m.active]
        self.retranslate()
        self.accounts.setVisible(bool(self._accounts) and self.mode != "locked")

    def show_error(self, error: DomainError | None) -> None:
        if error is not None and error.key == FIRST_PASSWORD_AGAIN:
            # Not a refusal: the first password is typed once more, both fields empty.
            self._first_intro_error = error
            self.set_mode("first_password", staff_no=self.staff_no.text().strip())
            return
        self._error = error
        self._busy(False)
        self.retranslate()
        self.password.clear()
        self.again.clear()
        self.focus_first()

    def confirmation(self) -> str | None:
        """The password typed again, in "first_password" mode (else None)."""
        return self.again.text() if self.mode == "first_password" else None

    def _busy(self, busy: bool) -> None:
        self.busy = busy
        self.sign_in_button.setEnabled(not busy)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("BranchDesk – sign in"))
        self.title.setText(self.tr("BranchDesk"))
        self.branch.setText(self.branch_name)
        self.branch.setVisible(bool(self.branch_name))
        intros = {
            "sign_in": self.tr("Sign in with your staff number and password."),
            "locked": self.tr(
                "Locked. %1 is signed in; their unsaved work is kept. Type the password "
                "to go on, or let someone else sign in."
            ).replace("%1", self.locked_name),
            "switch": self.tr(
                "Someone else signs in here. What %1 left unsaved is put aside for them."
            ).replace("%1", self.locked_name),
            "first_password": (
                "" if self._first_intro_error is None else i18n.error_text(self._first_intro_error)
            ),
        }
        self.intro.setText(intros[self.mode])
        self.staff_label.setText(self.tr("&Staff number:"))
        self.password_label.setText(self.tr("&Password:"))
        self.again_label.setText(i18n.text("field.password_again") + ":")
        self.sign_in_button.setText(
            self.tr("Unlock (Enter)") if self.mode == "locked" else self.tr("Sign in (Enter)")
        )
        self.switch_button.setText(self.tr("Switch user (Ctrl+Shift+L)"))
        self.back_button.setText(self.tr("Back (Esc)"))
        self.language_button.setText(
            self.tr("English (Ctrl+L)") if i18n.current() == "zh_CN" else self.tr("中文 (Ctrl+L)")
        )
        error = self._error
        # A refused first password names the rule it breaks (a field error), not a count.
        self.error.setText("" if error is None else i18n.error_text(error))
        self.error.setVisible(error is not None)
        if self._accounts:
            lines = [self.tr("Demo accounts (password: the one chosen for the demo):")]
            for m in self._accounts:
                lines.append(f"<b>{m.staff_no}</b> {m.name} – {roles_text(m.roles)}")
            self.accounts.setText("<br>".join(lines))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    @Slot(str)
    def _language_changed(self, _lang: str) -> None:
        self.retranslate()

    # -- input ------------------------------------------------------------------------
    def toggle_language(self) -> None:
        i18n.set_language("en" if i18n.current() == "zh_CN" else "zh_CN")

    def submit(self) -> None:
        if self.busy:
            return
        staff_no = self.staff_no.text().strip()
        if not staff_no:
            self.staff_no.setFocus()
            return
        if not self.password.text():
            self.password.setFocus()
            return
        if self.mode == "first_password" and not self.again.text():
            self.again.setFocus()
            return
        self._busy(True)
        self.submitted.emit(staff_no, self.password.text())

    def _switch_key(self) -> None:
        if self.mode == "locked":
            self.switch_requested.emit()

    def _escape(self) -> None:
        if self.mode == "switch":
            self.back_requested.emit()
