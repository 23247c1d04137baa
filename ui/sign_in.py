"""Signing in at the counter: the sign-in screen shown before the workbench, the lock
screen it turns into after a few idle minutes or at Ctrl+Shift+L, and the gatekeeper
that decides what happens to the open windows when someone signs in.

- The same person unlocking gets everything back as it was (unsaved input included).
- Another person signing in ("Switch user") gets the workbench as theirs: dialogs of
  the previous person are closed, and that person's unfinished intake form is put
  aside (kept in memory, shown again when they sign back in), never handed over.

Passwords are checked by `branchdesk.services.auth.sign_in` on the database worker
(argon2 takes a tenth of a second: the window stays live). A first sign-in with a
one-time code goes straight to choosing one's own password.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import shiboken6
from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
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
from branchdesk.services import auth
from branchdesk.services.auth import Session
from branchdesk.services.context import ServiceContext
from branchdesk.services.staff import StaffMember
from ui import i18n
from ui.passwords import ChangePasswordDialog, password_edit
from ui.session import UserSession, roles_text
from ui.setup_dialogs import ERROR_STYLE
from ui.worker import DbWorker

# How often the idle time is looked at (the lock comes at most this late).
IDLE_CHECK_MS = 5_000
_INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)
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
        self.mode = "sign_in"  # "sign_in" | "locked" | "switch" (sign-in from a lock)
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
        self._error = None
        self._busy(False)
        self.retranslate()
        locked = mode == "locked"
        self.staff_no.setVisible(not locked)
        self.staff_label.setVisible(not locked)
        self.switch_button.setVisible(locked)
        self.back_button.setVisible(mode == "switch")
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
        self._error = error
        self._busy(False)
        self.retranslate()
        self.password.clear()
        self.focus_first()

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
        }
        self.intro.setText(intros[self.mode])
        self.staff_label.setText(self.tr("&Staff number:"))
        self.password_label.setText(self.tr("&Password:"))
        self.sign_in_button.setText(
            self.tr("Unlock (Enter)") if self.mode == "locked" else self.tr("Sign in (Enter)")
        )
        self.switch_button.setText(self.tr("Switch user (Ctrl+Shift+L)"))
        self.back_button.setText(self.tr("Back (Esc)"))
        self.language_button.setText(
            self.tr("English (Ctrl+L)") if i18n.current() == "zh_CN" else self.tr("中文 (Ctrl+L)")
        )
        error = self._error
        self.error.setText("" if error is None else i18n.text(error.key, **error.params))
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
        self._busy(True)
        self.submitted.emit(staff_no, self.password.text())

    def _switch_key(self) -> None:
        if self.mode == "locked":
            self.switch_requested.emit()

    def _escape(self) -> None:
        if self.mode == "switch":
            self.back_requested.emit()


class Gatekeeper(QObject):
    """Who may use the workbench now. Owns the sign-in/lock screen, watches for idle
    time, and hides, restores, closes or puts aside the windows of the workbench."""

    # Someone signed in (the first time, or another person than before).
    signed_in = Signal()
    locked = Signal()
    unlocked = Signal()

    def __init__(
        self,
        worker: DbWorker,
        session: UserSession,
        *,
        idle_minutes: int = 5,
        clock: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.worker = worker
        self.session = session
        self.screen = SignInScreen()
        self.window: QWidget | None = None  # the workbench, once there is one
        self.clock = clock
        self.idle_seconds = idle_minutes * 60.0
        self.is_locked = False
        self._last_input = clock()
        self._hidden: list[QWidget] = []
        self._password_dialog: ChangePasswordDialog | None = None
        self.screen.submitted.connect(self._submit)
        self.screen.switch_requested.connect(self.switch_user)
        self.screen.back_requested.connect(self._back_to_lock)
        app = QApplication.instance()
        assert app is not None
        app.installEventFilter(self)
        self._idle_timer = QTimer(self)
        self._idle_timer.setInterval(IDLE_CHECK_MS)
        self._idle_timer.timeout.connect(self.check_idle)
        self._idle_timer.start()

    # -- starting ---------------------------------------------------------------------
    def start(self, staff_no: str = "") -> None:
        """Show the sign-in screen (`staff_no` prefilled, else the last one here)."""
        self.screen.set_mode("sign_in", staff_no=staff_no or remembered_staff_no())
        self.screen.show()
        self.screen.raise_()
        self.screen.activateWindow()
        self.screen.focus_first()

    def set_idle_minutes(self, minutes: int) -> None:
        self.idle_seconds = minutes * 60.0

    # -- idle -------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT_EVENTS:
            self._last_input = self.clock()
        return False

    def check_idle(self) -> None:
        """Lock if nobody touched keyboard or mouse for the branch's idle time."""
        if self.clock() - self._last_input >= self.idle_seconds:
            self.lock()

    # -- locking ----------------------------------------------------------------------
    def lock(self) -> None:
        """Hide every window and ask for the signed-in person's password."""
        if self.is_locked or self.session.current is None:
            return
        self.is_locked = True
        geometry = self.window.geometry() if self.window is not None else None
        # Popups (menus, tool tips) are not worth bringing back.
        visible = [
            w
            for w in QApplication.topLevelWidgets()
            if w.isVisible()
            and w is not self.screen
            and w.windowType() not in (Qt.WindowType.Popup, Qt.WindowType.ToolTip)
        ]
        # The workbench first when they are shown again, its dialogs over it.
        self._hidden = [w for w in visible if w is self.window] + [
            w for w in visible if w is not self.window
        ]
        for widget in QApplication.topLevelWidgets():
            if widget.isVisible() and widget is not self.screen:
                widget.hide()
        self.screen.set_mode("locked", staff_no=self.session.staff_no, name=self.session.name)
        if geometry is not None:
            self.screen.setGeometry(geometry)
        self.screen.show()
        self.screen.raise_()
        self.screen.activateWindow()
        self.screen.focus_first()
        self.locked.emit()

    def switch_user(self) -> None:
        """Lock (if not yet) and let anyone sign in."""
        if self.session.current is None:
            return
        self.lock()
        self.screen.set_mode("switch", staff_no="", name=self.session.name)
        self.screen.locked_name = f"{self.session.name} ({self.session.staff_no})"
        self.screen.retranslate()

    def _back_to_lock(self) -> None:
        self.screen.set_mode("locked", staff_no=self.session.staff_no, name=self.session.name)

    # -- signing in -------------------------------------------------------------------
    def _submit(self, staff_no: str, password: str) -> None:
        same = self.is_locked and staff_no == self.session.staff_no
        purpose = "unlock" if same else "sign_in"

        def check(ctx: ServiceContext) -> Session:
            return auth.sign_in(ctx, staff_no=staff_no, password=password, purpose=purpose)

        self.worker.run(
            check,
            on_done=lambda session: self._checked(session, password),
            on_error=self.screen.show_error,
        )

    def _checked(self, session: Session, password: str) -> None:
        if not session.must_change_password:
            self._accept(session)
            return
        dialog = ChangePasswordDialog(
            self.worker,
            staff_no=session.staff_no,
            name=session.name,
            old=password,
            forced=True,
            parent=self.screen,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.changed.connect(self._accept)
        dialog.rejected.connect(lambda: self.screen.show_error(None))
        self._password_dialog = dialog
        dialog.open()

    def _accept(self, session: Session) -> None:
        self._password_dialog = None
        remember_staff_no(session.staff_no)
        same = self.session.current is not None and session.staff_no == self.session.staff_no
        self._last_input = self.clock()
        hidden, self._hidden = self._hidden, []
        if same:
            self.session.start(session)
            for widget in hidden:
                if shiboken6.isValid(widget):
                    widget.show()
        else:
            for widget in hidden:
                if not shiboken6.isValid(widget) or widget is self.window:
                    continue
                self._leave_behind(widget)
            self.session.start(session)
            if self.window is not None:
                self.window.show()
        self.is_locked = False
        self.screen.hide()
        if self.window is not None:
            self.window.raise_()
            self.window.activateWindow()
        if same:
            self.unlocked.emit()
        else:
            self.signed_in.emit()

    @staticmethod
    def _leave_behind(widget: QWidget) -> None:
        """A window of the previous person: their intake form is kept for them; the
        rest (action dialogs, settings, previews) is closed without acting."""
        put_aside = getattr(widget, "put_aside", None)
        if callable(put_aside):
            put_aside()
        elif isinstance(widget, QDialog):
            widget.reject()
        else:
            widget.close()
