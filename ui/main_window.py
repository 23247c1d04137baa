"""The workbench window a clerk and a manager live in all day: work queues on the left,
the case list in the middle, the case detail on the right, intake one keystroke away,
a search box that finds as you type, and deadlines that announce themselves.

Everything is done as the signed-in person (`ui.session.UserSession`); what their roles
may not do is not offered. Each person's unfinished intake form is their own: when
someone else signs in it is put aside, and it comes back when its owner returns."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QSystemTrayIcon,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from branchdesk import __version__
from branchdesk.domain.errors import DomainError
from branchdesk.persistence import maintenance
from branchdesk.services.context import ServiceContext
from branchdesk.services.worklists import CaseFilter
from ui import i18n
from ui.case_detail import CaseDetail
from ui.case_table import CaseTable
from ui.intake_form import IntakeForm
from ui.queue_panel import QueuePanel
from ui.session import UserSession
from ui.tool_windows import ToolWindows
from ui.worker import DbWorker

if TYPE_CHECKING:
    # The sync client (httpx, pydantic) loads after the first list page, not before.
    from sync.client.background import SyncRunner

SEARCH_DELAY_MS = 250
UPKEEP_MS = 30_000


class IntakeDialog(QDialog):
    """The intake form in its own window: opened with Ctrl+N, kept open between
    customers (the form clears itself after each save)."""

    def __init__(
        self, worker: DbWorker, session: UserSession, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.form = IntakeForm(worker, session, self)
        self.owner = session.staff_no
        # Open when its owner was replaced by someone else: shown again when they return.
        self.reopen_when_back = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.form)
        self.resize(760, 720)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("New case"))

    def put_aside(self) -> None:
        """Someone else signed in while this (hidden) form was open: keep it for later."""
        self.reopen_when_back = True

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


class MainWindow(QMainWindow):
    """The workbench, used by the signed-in staff member of `session`."""

    deadlines_announced = Signal(int, int)  # overdue, nearly due (for tests and the tray)
    lock_requested = Signal()  # Ctrl+Shift+L: lock now and let anyone sign in
    branch_changed = Signal(object)  # BranchInfo saved in the settings (idle lock time)

    def __init__(
        self,
        ctx: ServiceContext,
        worker: DbWorker,
        session: UserSession,
        *,
        archive_keys: object | None = None,
        sync: SyncRunner | None = None,
    ) -> None:
        super().__init__()
        self.ctx = ctx
        self.worker = worker
        self.session = session
        # Each person's intake window (with their unfinished form), by staff number.
        self._intakes: dict[str, IntakeDialog] = {}
        self._last_overdue = -1
        self._last_nearly = -1

        self.queues = QueuePanel(worker, session, self)
        self.table = CaseTable(worker, self)
        self.detail = CaseDetail(worker, session, self)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.queues)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 3)
        splitter.setStretchFactor(2, 2)
        splitter.setSizes([170, 850, 480])
        self.setCentralWidget(splitter)

        self.search = QLineEdit(self)
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(320)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._apply_filter)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.search.returnPressed.connect(self._search_now)

        self._build_actions()
        self.desks = ToolWindows(self, ctx, worker, session, archive_keys=archive_keys, sync=sync)
        self._build_toolbar()
        self.status = QLabel(self)
        self.statusBar().addPermanentWidget(self.status)
        self.signed_in = QLabel(self)
        self.signed_in.setObjectName("signed_in")
        self.signed_in.setStyleSheet("padding-left: 16px;")
        self.statusBar().addPermanentWidget(self.signed_in)
        self.statusBar().addPermanentWidget(self.desks.sync_label)
        self.busy = QLabel(self)
        self.statusBar().addWidget(self.busy)
        worker.busy.connect(self._show_busy)

        self.queues.queue_selected.connect(lambda _q: self._apply_filter())
        self.table.case_selected.connect(self.detail.show_case)
        self.table.case_activated.connect(self._focus_detail)
        self.queues.counts_changed.connect(self._deadlines_counted)
        self.table.load_failed.connect(self._show_error)
        self.queues.load_failed.connect(self._show_error)

        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(self.windowIcon(), self)
            self.tray.show()
        # Index merging and log checkpoints, off the clerk's saves (see
        # branchdesk.persistence.maintenance).
        self._upkeep = QTimer(self)
        self._upkeep.setInterval(UPKEEP_MS)
        self._upkeep.timeout.connect(self._maintain)
        self._upkeep.start()

        self.resize(QSize(1500, 880))
        self.retranslate()
        # A bound slot (not a lambda): Qt drops the connection when the window goes.
        i18n.notifier.changed.connect(self._language_changed)
        session.changed.connect(self._session_changed)
        self._offer_what_is_allowed()
        self.queues.select("mine")
        self._apply_filter()

    # ------------------------------------------------------------------ actions
    def _action(self, shortcut: QKeySequence | str, slot: Callable[[], object]) -> QAction:
        action = QAction(self)
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.act_new = self._action("Ctrl+N", self.open_intake)
        self.act_search = self._action("Ctrl+F", self._focus_search)
        self.act_refresh = self._action("F5", self.refresh)
        self.act_export = self._action("Ctrl+Shift+E", self.export_list)
        self.act_queues = self._action("Ctrl+1", lambda: self.queues.setFocus())
        self.act_list = self._action("Ctrl+2", lambda: self.table.setFocus())
        self.act_detail = self._action("Ctrl+3", lambda: self.detail.setFocus())
        self.act_language = self._action("Ctrl+L", self.toggle_language)
        self.act_settings = self._action("Ctrl+,", self.open_settings)
        self.act_about = self._action("F1", self.about)
        self.act_staff = self._action("Ctrl+Shift+U", self.open_staff)
        self.act_audit = self._action("Ctrl+Shift+A", self.open_audit)
        # Ctrl+L is the language; with Shift it locks ("L" as on Windows' Win+L).
        self.act_lock = self._action("Ctrl+Shift+L", self.lock_requested.emit)

    def _build_toolbar(self) -> None:
        bar = QToolBar(self)
        bar.setMovable(False)
        bar.setObjectName("main")
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        bar.addAction(self.act_new)
        bar.addSeparator()
        bar.addWidget(self.search)
        bar.addAction(self.act_refresh)
        bar.addAction(self.act_export)
        bar.addSeparator()
        bar.addAction(self.act_staff)
        bar.addAction(self.act_audit)
        bar.addWidget(self.desks.button)
        bar.addAction(self.act_lock)
        bar.addSeparator()
        bar.addAction(self.act_language)
        bar.addAction(self.act_settings)
        bar.addAction(self.act_about)
        self.addToolBar(bar)
        self.toolbar = bar

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("BranchDesk – counter workbench"))
        self.act_new.setText(self.tr("New case (Ctrl+N)"))
        self.act_search.setText(self.tr("Search (Ctrl+F)"))
        self.act_refresh.setText(self.tr("Refresh (F5)"))
        self.act_export.setText(self.tr("Export… (Ctrl+Shift+E)"))
        self.act_language.setText(
            self.tr("English (Ctrl+L)") if i18n.current() == "zh_CN" else self.tr("中文 (Ctrl+L)")
        )
        self.act_settings.setText(self.tr("Settings (Ctrl+,)"))
        self.act_about.setText(self.tr("About (F1)"))
        self.act_staff.setText(self.tr("Staff (Ctrl+Shift+U)"))
        self.act_audit.setText(self.tr("Audit trail (Ctrl+Shift+A)"))
        self.act_lock.setText(self.tr("Lock / switch user (Ctrl+Shift+L)"))
        self.desks.retranslate()
        self.signed_in.setText(self.tr("Signed in: %1").replace("%1", self.session.describe()))
        self.search.setPlaceholderText(
            self.tr("Search: name, text, case number, phone or service number (Ctrl+F)")
        )
        self._update_status(self._last_overdue, self._last_nearly)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    @Slot(str)
    def _language_changed(self, _lang: str) -> None:
        self.retranslate()

    # ------------------------------------------------------------------- work
    def current_filter(self) -> CaseFilter:
        previous = self.table.filter()
        return CaseFilter(
            queue=self.queues.current() or "all",
            me=self.session.staff_no,
            text=self.search.text().strip(),
            sort=previous.sort,
            descending=previous.descending,
            nearly_due_hours=self.queues.nearly_due_hours,
        )

    def _apply_filter(self) -> None:
        self._search_timer.stop()
        self.table.set_filter(self.current_filter())

    def _search_now(self) -> None:
        self._apply_filter()
        self.table.setFocus()

    def _focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def _focus_detail(self, number: str) -> None:
        self.detail.show_case(number)
        self.detail.setFocus()

    def refresh(self) -> None:
        self.worker.changed.emit()

    def export_list(self) -> None:
        """Export… (Ctrl+Shift+E): the list as it is shown, to an XLSX or CSV file."""
        if not self.session.allows("cases.export"):
            return
        from ui.export_dialog import export_case_list

        model = self.table.model

        def shown() -> list[int]:
            return [i for r in range(model.rowCount()) if (i := model.id_at(r)) is not None]

        me, name = self.session.staff_no, self.tr("cases")
        export_case_list(self, self.ctx, me, self.table.filter(), shown, name)

    @property
    def _intake(self) -> IntakeDialog | None:
        """The signed-in person's intake window, if they opened one."""
        return self._intakes.get(self.session.staff_no)

    def open_intake(self) -> None:
        if not self.session.allows("case.intake"):
            return
        dialog = self._intake
        if dialog is None:
            dialog = IntakeDialog(self.worker, self.session, self)
            dialog.form.saved.connect(self._case_saved)
            dialog.form.save_and_print_requested.connect(self._print_receipt)
            self._intakes[self.session.staff_no] = dialog
        dialog.reopen_when_back = False
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()

    def _case_saved(self, number: str) -> None:
        self.statusBar().showMessage(self.tr("Saved as %1").replace("%1", number), 10_000)
        self.detail.show_case(number)

    def _print_receipt(self, number: str) -> None:
        """Save-and-print in the intake form: the receipt's preview opens over the form
        (Ctrl+P prints it, Esc goes back to the next customer). The print service picks
        the receipt's paper (the 80 mm roll)."""
        # Printing support (QtPrintSupport, PDF rendering) loads on the first print.
        from ui.printing import print_case_document

        print_case_document(self.worker, self.session, number, "receipt", self._intake or self)

    def toggle_language(self) -> None:
        i18n.set_language("en" if i18n.current() == "zh_CN" else "zh_CN")

    def open_settings(self) -> None:
        from ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.worker, self.session, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.branch_saved.connect(self.branch_changed)
        # open(), not exec(): a lock hides and later shows it again without ending it.
        dialog.open()

    def open_staff(self) -> None:
        if self.session.allows("staff.manage"):
            from ui.staff_dialog import StaffDialog

            StaffDialog.show_for(self.worker, self.session, self)

    def open_audit(self) -> None:
        if self.session.allows("audit.read"):
            from ui.audit_view import AuditView

            AuditView.show_for(self.worker, self.session, self)

    # ---------------------------------------------------------------- sessions
    def _offer_what_is_allowed(self) -> None:
        """Hide what the signed-in person's roles may not do (the services refuse it)."""
        allowed = {
            self.act_new: self.session.allows("case.intake"),
            self.act_staff: self.session.allows("staff.manage"),
            self.act_audit: self.session.allows("audit.read"),
            self.act_export: self.session.allows("cases.export"),
        }
        for action, allow in allowed.items():
            action.setVisible(allow)
            action.setEnabled(allow)
        self.desks.offer_what_is_allowed()

    @Slot()
    def _session_changed(self) -> None:
        """Someone else signed in: their lists, their permissions, their own draft (the
        previous person's is put aside by the lock, see ui.sign_in)."""
        self._offer_what_is_allowed()
        self.retranslate()
        self._apply_filter()
        dialog = self._intake
        if dialog is not None and dialog.reopen_when_back:
            # After the window itself is shown again.
            QTimer.singleShot(0, self.open_intake)

    def about(self) -> None:
        QMessageBox.about(
            self,
            self.tr("About BranchDesk"),
            self.tr(
                "BranchDesk %1 – service and complaint desk for telecom branch offices."
            ).replace("%1", __version__),
        )

    # -------------------------------------------------------------- deadlines
    def _show_error(self, error: DomainError) -> None:
        self.statusBar().showMessage(i18n.text(error.key, **error.params), 15_000)

    def _deadlines_counted(self, counts: dict[str, int]) -> None:
        """Queue counts arrive after every write and every minute (the queue panel
        re-counts as deadlines pass); a growing overdue or nearly-due count is
        announced in the status bar and, where there is one, the system tray."""
        overdue, nearly = counts["overdue"], counts["nearly_due"]
        grew = overdue > self._last_overdue >= 0 or nearly > self._last_nearly >= 0
        first = self._last_overdue < 0
        self._last_overdue, self._last_nearly = overdue, nearly
        self._update_status(overdue, nearly)
        if (grew or first) and (overdue or nearly):
            message = self.status.text()
            self.statusBar().showMessage(message, 15_000)
            if self.tray is not None:
                self.tray.showMessage(
                    self.tr("Deadlines"), message, QSystemTrayIcon.MessageIcon.Warning, 10_000
                )
            self.deadlines_announced.emit(overdue, nearly)

    def _update_status(self, overdue: int, nearly: int) -> None:
        if overdue < 0:
            self.status.setText("")
            return
        self.status.setText(
            self.tr("%1 overdue · %2 due within 4 hours")
            .replace("%1", str(overdue))
            .replace("%2", str(nearly))
        )
        self.status.setStyleSheet("color: #b00020; font-weight: bold;" if overdue else "")

    def _maintain(self) -> None:
        self.worker.run(lambda ctx: maintenance.maintain(ctx.db))

    def _show_busy(self, busy: bool) -> None:
        self.busy.setText(self.tr("Working…") if busy else "")

    def closeEvent(self, event: QCloseEvent) -> None:
        self._upkeep.stop()
        for dialog in self._intakes.values():
            dialog.close()
        super().closeEvent(event)
