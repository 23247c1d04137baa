"""The workbench's other desks, each in a window of its own: the archive, the
supervision ledger, incidents, the return-visit call list, the HQ sync state, the FAQ,
the appointment book and the quality dashboard. A desk whose panel has an `open_case`
signal (a case number) shows that case in the workbench. They open from the toolbar's
"More" menu or their shortcut, only for people whose roles allow them (the services
refuse the rest anyway), and close when someone else signs in (they belong to the
person who opened them). The status bar says when the book has appointments starting
within the hour (a link that opens the book)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from branchdesk.services import appointments
from branchdesk.services.context import ServiceContext
from ui import i18n
from ui.session import UserSession
from ui.worker import DbWorker

if TYPE_CHECKING:
    from branchdesk.services.appointments import BookEntry
    from sync.client.background import SyncRunner, SyncSnapshot

PanelFactory = Callable[[QWidget], QWidget]
# How often the appointments due within the hour are looked at again.
APPOINTMENT_CUE_MS = 60_000


@dataclass(frozen=True)
class Desk:
    key: str
    shortcut: str
    permission: str | None  # None: everyone signed in
    width: int
    height: int


DESKS = (
    Desk("archive", "Ctrl+Shift+R", "archive.read", 1200, 760),
    Desk("ledger", "Ctrl+Shift+G", "ledger.read", 1100, 700),
    Desk("incidents", "Ctrl+Shift+I", "incident.read", 1150, 760),
    Desk("visits", "Ctrl+Shift+K", "return_visit.read", 1000, 680),
    Desk("sync", "Ctrl+Shift+Y", "sync.run", 460, 240),
    Desk("faq", "Ctrl+Shift+Q", "faq.read", 1000, 720),
    Desk("appointments", "Ctrl+Shift+B", "appointment.read", 1150, 700),
    Desk("dashboard", "Ctrl+Shift+D", "quality.read", 1280, 820),
)


class ToolWindows(QObject):
    """The "More" menu of `window` and the desks it opens."""

    def __init__(
        self,
        window: QWidget,
        ctx: ServiceContext,
        worker: DbWorker,
        session: UserSession,
        *,
        archive_keys: object | None = None,
        sync: SyncRunner | None = None,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.ctx, self.worker, self.session = ctx, worker, session
        self.archive_keys = archive_keys
        self.sync = sync
        self.open: dict[str, QDialog] = {}
        self.actions: dict[str, QAction] = {}
        self.menu = QMenu(window)
        for desk in DESKS:
            action = QAction(window)
            action.setShortcut(QKeySequence(desk.shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(lambda _=False, d=desk: self.show_desk(d.key))
            window.addAction(action)
            self.menu.addAction(action)
            self.actions[desk.key] = action
        self.button = QToolButton(window)
        self.button.setMenu(self.menu)
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.sync_label = QLabel(window)
        self.sync_label.setObjectName("sync_state")
        self._sync_timer = QTimer(self)
        self._sync_timer.setInterval(2000)
        self._sync_timer.timeout.connect(self._show_sync_state)
        if sync is not None:
            self._sync_timer.start()
        # The appointments starting within the hour: a line in the status bar (a
        # link that opens the book), looked at every minute and after every change.
        self.appointment_cue = QLabel(window)
        self.appointment_cue.setObjectName("appointments_due")
        self.appointment_cue.setStyleSheet("color: #1f4e8c; padding-right: 12px;")
        self.appointment_cue.linkActivated.connect(lambda _l: self.show_desk("appointments"))
        self.appointment_cue.hide()
        self.due_soon: list[BookEntry] = []
        self._cue_generation = 0
        if isinstance(window, QMainWindow):
            window.statusBar().addPermanentWidget(self.appointment_cue)
        self._cue_timer = QTimer(self)
        self._cue_timer.setInterval(APPOINTMENT_CUE_MS)
        self._cue_timer.timeout.connect(self.check_appointments)
        self._cue_timer.start()
        worker.changed.connect(self.check_appointments)
        self.retranslate()
        self.offer_what_is_allowed()

    # ------------------------------------------------------------------ texts
    def titles(self) -> dict[str, str]:
        return {
            "archive": self.tr("Archive"),
            "ledger": self.tr("Supervision ledger"),
            "incidents": self.tr("Incidents"),
            "visits": self.tr("Return visits"),
            "sync": self.tr("Headquarters sync"),
            "faq": self.tr("FAQ"),
            "appointments": self.tr("Appointment book"),
            "dashboard": self.tr("Quality dashboard"),
        }

    def retranslate(self) -> None:
        self.button.setText(self.tr("More"))
        titles = self.titles()
        for desk in DESKS:
            self.actions[desk.key].setText(f"{titles[desk.key]} ({desk.shortcut})")
        for key, dialog in self.open.items():
            dialog.setWindowTitle(titles[key])
        self._show_sync_state()
        self._show_appointment_cue()

    def offer_what_is_allowed(self) -> None:
        for desk in DESKS:
            allowed = desk.permission is None or self.session.allows(desk.permission)
            if desk.key == "archive" and self.archive_keys is None:
                allowed = False
            if desk.key == "sync" and self.sync is None:
                allowed = False
            self.actions[desk.key].setVisible(allowed)
            self.actions[desk.key].setEnabled(allowed)
        self.button.setVisible(any(a.isVisible() for a in self.actions.values()))
        self.check_appointments()

    # ------------------------------------------------------------------ desks
    def show_desk(self, key: str) -> QDialog | None:
        """Open (or bring forward) desk `key` for the signed-in person."""
        if not self.actions[key].isEnabled():
            return None
        dialog = self.open.get(key)
        if dialog is not None and key == "faq" and self._faq_case(dialog) != self._consultation():
            dialog.close()  # opened again below, for what is on screen now
            self.open.pop(key, None)
            dialog = None
        if dialog is not None:
            dialog.raise_()
            dialog.activateWindow()
            return dialog
        desk = next(d for d in DESKS if d.key == key)
        dialog = QDialog(self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setWindowTitle(self.titles()[key])
        layout = QVBoxLayout(dialog)
        layout.setContentsMargins(6, 6, 6, 6)
        panel = self._panel(key, dialog)
        layout.addWidget(panel)
        opener = getattr(panel, "open_case", None)
        if opener is not None:  # a desk that leads to cases opens them in the workbench
            opener.connect(self.open_case)
        dialog.resize(desk.width, desk.height)
        dialog.finished.connect(lambda _r, k=key: self.open.pop(k, None))
        self.open[key] = dialog
        dialog.show()
        return dialog

    def _panel(self, key: str, parent: QWidget) -> QWidget:
        me = self.session.staff_no
        if key == "archive":
            from ui.archive_view import ArchivePanel

            return ArchivePanel(self.ctx, self.worker, self.session, self.archive_keys, parent)  # type: ignore[arg-type]
        if key == "ledger":
            from ui.supervision_ledger import SupervisionLedgerPanel

            return SupervisionLedgerPanel(self.ctx, self.worker, me, parent)
        if key == "incidents":
            from ui.incidents import IncidentsPanel

            return IncidentsPanel(self.ctx, self.worker, me, parent)
        if key == "visits":
            from ui.return_visits import ReturnVisitsPanel

            return ReturnVisitsPanel(self.ctx, self.worker, me, parent)
        if key == "faq":
            from ui.faq_panel import FaqPanel

            return FaqPanel(self.ctx, self.worker, me, parent, case_number=self._consultation())
        if key == "dashboard":
            from ui.dashboard import DashboardPanel

            return DashboardPanel(self.ctx, me, parent)
        if key == "appointments":
            from ui.appointment_book import AppointmentBookPanel

            return AppointmentBookPanel(self.ctx, self.worker, me, parent)
        from ui.sync_status import SyncStatusPanel

        assert self.sync is not None
        return SyncStatusPanel(
            self.sync.snapshot, self.sync.sync_now, language=i18n.current(), parent=parent
        )

    def open_case(self, number: str) -> None:
        """Show case `number` in the workbench and bring it forward."""
        detail = getattr(self.window, "detail", None)
        if detail is None:
            return
        detail.show_case(number)
        self.window.raise_()
        self.window.activateWindow()
        detail.setFocus()

    @staticmethod
    def _faq_case(dialog: QDialog) -> str | None:
        """The consultation an open FAQ desk would answer."""
        from ui.faq_panel import FaqPanel

        panel = dialog.findChild(FaqPanel)
        return panel.case_number if panel is not None else None

    def _consultation(self) -> str | None:
        """The consultation on screen that may be answered now: the FAQ opens for it,
        and Enter answers it with the chosen article."""
        detail = getattr(self.window, "detail", None)
        view = getattr(detail, "view", None)
        if view is None or view.case.kind.value != "consultation":
            return None
        return str(view.case.number) if "answer" in view.allowed_actions else None

    # ----------------------------------------------------------- appointments
    def check_appointments(self) -> None:
        """Look again (on the worker) for appointments starting within the hour."""
        self._cue_generation += 1
        if not self.actions["appointments"].isEnabled():
            self._cue_arrived(self._cue_generation, [])
            return
        generation, me = self._cue_generation, self.session.staff_no
        self.worker.run(
            lambda ctx: appointments.due_soon(ctx, actor=me),
            on_done=lambda due: self._cue_arrived(generation, due),
            on_error=lambda _e: self._cue_arrived(generation, []),
        )

    def _cue_arrived(self, generation: int, due: list[BookEntry]) -> None:
        if generation != self._cue_generation:
            return  # a newer look is on its way
        self.due_soon = due
        self._show_appointment_cue()

    def _show_appointment_cue(self) -> None:
        if not self.due_soon:
            self.appointment_cue.hide()
            self.appointment_cue.clear()
            return
        first = self.due_soon[0]
        who = first.staff or self.tr("(nobody named)")
        text = (
            self.tr(
                "%n appointment(s) within the hour, next %1 %2 (Ctrl+Shift+B)",
                "",
                len(self.due_soon),
            )
            .replace("%1", f"{first.start.astimezone(self.ctx.tz):%H:%M}")
            .replace("%2", who)
        )
        self.appointment_cue.setText(f'<a href="appointments">{escape(text)}</a>')
        self.appointment_cue.setToolTip(
            "\n".join(
                f"{e.start.astimezone(self.ctx.tz):%H:%M} {e.case_number} {e.staff or ''}"
                for e in self.due_soon
            )
        )
        self.appointment_cue.show()

    # ------------------------------------------------------------------- sync
    def attach_sync(self, runner: SyncRunner) -> None:
        """The background sync started (after the first list page): show its state."""
        self.sync = runner
        self._sync_timer.start()
        self.offer_what_is_allowed()
        self._show_sync_state()

    def _show_sync_state(self) -> None:
        if self.sync is None:
            self.sync_label.setText("")
            return
        self.sync_label.setText(self.describe(self.sync.snapshot()))

    def describe(self, s: SyncSnapshot) -> str:
        """The status bar's few words on sync: what waits, and whether it works."""
        if not s.enrolled:
            return self.tr("HQ: not enrolled")
        if s.syncing:
            return self.tr("HQ: syncing…")
        if s.error_key:
            return self.tr("HQ: %n waiting, a problem (Ctrl+Shift+Y)", "", s.pending)
        return self.tr("HQ: %n waiting", "", s.pending)
