"""Who may use the workbench now: the idle lock, "Switch user", and what happens to
the open windows when someone signs in at the sign-in/lock screen (`ui.sign_in`).

- The same person unlocking gets everything back as it was (unsaved input included).
- Another person signing in gets the workbench as theirs: dialogs of the previous
  person are closed without acting, and that person's unfinished intake form is put
  aside (kept in memory, shown again when they sign back in), never handed over.

Idle time is any keyboard, mouse or touch input in the application; an event filter
notes the time of the last one (under a microsecond per event) and a timer looks at
it every few seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from branchdesk.services import auth
from branchdesk.services.auth import Session
from branchdesk.services.context import ServiceContext
from ui.passwords import ChangePasswordDialog
from ui.session import UserSession
from ui.sign_in import SignInScreen, remember_staff_no, remembered_staff_no
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
        again = self.screen.confirmation()

        def check(ctx: ServiceContext) -> Session:
            return auth.sign_in(
                ctx, staff_no=staff_no, password=password, purpose=purpose, again=again
            )

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
