"""Starting the desktop application: fonts, language, logging and crash handling, then
opening (or creating) the branch, the sign-in screen, and the workbench for whoever
signed in. Nobody acts without signing in: `--as STAFF` only fills in the number."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QFont, QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog

from branchdesk import __version__
from branchdesk.bootstrap import (
    ENV_PASSPHRASE,
    initialise,
    is_initialised,
    key_mode,
    open_branch,
    resolve_data_dir,
)
from branchdesk.domain.errors import DomainError
from branchdesk.resources_access import resource
from branchdesk.secrets import default_secret_store
from branchdesk.services import auth, demo, printing, staff
from branchdesk.services.branch import branch_info
from branchdesk.services.context import ServiceContext
from branchdesk.services.demo_stories import DEMO_STAFF
from ui import crash, i18n
from ui.session import UserSession
from ui.worker import DbWorker

if TYPE_CHECKING:
    from pathlib import Path

    from branchdesk.archive.master import ArchiveKeys
    from sync.client.background import SyncRunner
    from ui.gatekeeper import Gatekeeper
    from ui.main_window import MainWindow
    from ui.printing import PrintPreviewDialog

UI_FONT_FAMILY = "WenQuanYi Micro Hei"
ENV_EXIT_WHEN_READY = "BRANCHDESK_EXIT_WHEN_READY"
# Only with ENV_EXIT_WHEN_READY (start-up benchmarks, smoke tests): sign in without the
# screen, and use this password for a demo's accounts. The names the command line uses.
ENV_STAFF = "BRANCHDESK_STAFF"
ENV_PASSWORD = "BRANCHDESK_PASSWORD"
_fonts_installed = False


def install_fonts(app: QApplication) -> None:
    """Register the shipped CJK font and make it the UI font, so Chinese never shows as
    boxes on a machine without CJK fonts of its own."""
    global _fonts_installed
    if not _fonts_installed:
        QFontDatabase.addApplicationFont(str(resource("fonts/wqy-microhei.ttc")))
        _fonts_installed = True
    font = QFont(UI_FONT_FAMILY, app.font().pointSize())
    font.setStyleHint(QFont.StyleHint.SansSerif)
    app.setFont(font)


def _open_or_create(args: argparse.Namespace) -> tuple[ServiceContext, str | None] | None:
    """The branch to work on and the passphrase it was opened with (passphrase mode),
    asking for what is needed (passphrase, set-up details). None if the person
    cancelled."""
    from ui import setup_dialogs

    data_dir = resolve_data_dir(args.data_dir)
    if not is_initialised(data_dir):
        secure = default_secret_store() is not None
        if args.demo:
            password = _demo_password()
            if password is None:
                return None
            passphrase = None
            if not secure:
                passphrase = os.environ.get(ENV_PASSPHRASE) or setup_dialogs.ask_passphrase(
                    None, confirm=True
                )
            if not secure and passphrase is None:
                return None
            ctx, _ = initialise(
                data_dir,
                **demo.DEMO_BRANCH,
                admin_password=password,
                language=i18n.current(),
                passphrase=passphrase,
                use_keyring=secure,
            )
            _generate_demo(ctx, args.demo_cases, password)
            return ctx, passphrase
        details = setup_dialogs.SetupDialog.ask(None, data_dir=data_dir, secure_keyring=secure)
        if details is None:
            return None
        ctx, _ = initialise(data_dir, use_keyring=secure, **details)
        show_recovery_sheet(ctx, details["admin_no"]).exec()
        return ctx, details.get("passphrase")
    passphrase = os.environ.get(ENV_PASSPHRASE)
    while True:
        if key_mode(data_dir) == "passphrase" and passphrase is None:
            passphrase = setup_dialogs.ask_passphrase(None, confirm=False)
            if passphrase is None:
                return None
        try:
            return open_branch(data_dir, passphrase=passphrase), passphrase
        except DomainError as exc:
            if exc.key != "error.db.wrong_key":
                raise
            QMessageBox.warning(
                None,
                QCoreApplication.translate("App", "BranchDesk"),
                i18n.text(exc.key, **exc.params),
            )
            passphrase = None


def show_recovery_sheet(ctx: ServiceContext, admin_no: str) -> PrintPreviewDialog:
    """At set-up: the archive recovery key on its sheet, in the print preview (print
    it and keep it in the safe; the key is on that paper only). Not for the demo."""
    from ui.printing import PrintPreviewDialog

    sheet, _key_id = printing.print_recovery_sheet(ctx, actor=admin_no)
    dialog = PrintPreviewDialog(sheet)
    dialog.setWindowTitle(
        QCoreApplication.translate(
            "App", "Print this sheet now and keep it in the safe: it restores the archives"
        )
    )
    return dialog


def _demo_password() -> str | None:
    """The password of every demo account, chosen by the person trying the demo."""
    if os.environ.get(ENV_EXIT_WHEN_READY) and os.environ.get(ENV_PASSWORD):
        return os.environ[ENV_PASSWORD]
    from ui.passwords import DemoPasswordDialog

    return DemoPasswordDialog.ask(demo.DEMO_BRANCH["admin_no"], demo.DEMO_BRANCH["admin_name"])


def _generate_demo(ctx: ServiceContext, cases: int, password: str) -> None:
    """Demo data with a progress dialog that can be cancelled (kept: what was made)."""
    dialog = QProgressDialog(
        QCoreApplication.translate("App", "Creating demo cases…"),
        QCoreApplication.translate("App", "Cancel"),
        0,
        cases,
    )
    dialog.setWindowTitle(QCoreApplication.translate("App", "BranchDesk"))
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    dialog.setMinimumDuration(0)

    def progress(done: int, total: int) -> bool:
        dialog.setValue(done)
        QApplication.processEvents()
        return not dialog.wasCanceled()

    demo.generate_demo(
        ctx,
        cases=max(1, cases),
        actor=demo.DEMO_BRANCH["admin_no"],
        progress=progress,
        staff_password=password,
    )
    dialog.close()


def run(args: argparse.Namespace) -> int:
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    app.setApplicationName("BranchDesk")
    app.setApplicationVersion(__version__)
    app.setWindowIcon(QIcon(str(resource("icons/branchdesk.svg"))))
    install_fonts(app)
    i18n.set_language(args.lang or os.environ.get("BRANCHDESK_LANG") or "zh_CN")
    data_dir = resolve_data_dir(args.data_dir)
    crash.install(data_dir / "logs")
    try:
        opened = _open_or_create(args)
    except DomainError as exc:
        QMessageBox.critical(
            None, QCoreApplication.translate("App", "BranchDesk"), i18n.text(exc.key, **exc.params)
        )
        return 5
    if opened is None:
        return 0
    ctx, passphrase = opened
    extras = Extras(data_dir, passphrase)
    branch = branch_info(ctx)
    if not args.lang:
        i18n.set_language(branch.language)
    session = UserSession(ctx.permissions)
    worker = DbWorker(ctx)
    worker.unexpected.connect(crash.show_dialog)
    smoke = bool(os.environ.get(ENV_EXIT_WHEN_READY))
    if smoke and os.environ.get(ENV_STAFF):
        try:
            session.start(
                auth.sign_in(
                    ctx, staff_no=os.environ[ENV_STAFF], password=os.environ.get(ENV_PASSWORD, "")
                )
            )
        except DomainError as exc:
            print(i18n.text(exc.key, **exc.params), file=sys.stderr)
            return 3
        open_workbench(app, ctx, worker, session, None, extras, exit_when_ready=True)
    else:
        from ui.gatekeeper import Gatekeeper

        gate = Gatekeeper(worker, session, idle_minutes=branch.idle_lock_minutes)
        gate.screen.set_branch(branch.name)
        if args.demo:
            demo_numbers = {demo.DEMO_BRANCH["admin_no"], *(s[0] for s in DEMO_STAFF)}
            gate.screen.set_accounts(
                [m for m in staff.list_staff(ctx) if m.staff_no in demo_numbers]
            )
        gate.signed_in.connect(lambda: open_workbench(app, ctx, worker, session, gate, extras))
        gate.start(args.actor or "")
        if smoke:
            # Nobody to sign in: ready means the sign-in screen is up.
            QTimer.singleShot(0, app.quit)
    code = app.exec()
    extras.stop()
    worker.shutdown()
    ctx.db.close()
    return int(code)


class Extras:
    """What the workbench's other desks need beyond the database: the archive keys
    (derived once, on first use: in passphrase mode that costs ~0.2 s) and the
    background sync with headquarters."""

    def __init__(self, data_dir: Path, passphrase: str | None) -> None:
        self.data_dir = data_dir
        self.passphrase = passphrase
        self._keys: ArchiveKeys | None = None
        self.sync: SyncRunner | None = None

    def archive_keys(self) -> ArchiveKeys:
        if self._keys is None:
            from branchdesk.archive.master import archive_keys

            self._keys = archive_keys(self.data_dir, passphrase=self.passphrase)
        return self._keys

    def start_sync(self, ctx: ServiceContext, window: MainWindow) -> None:
        from sync.client.background import SyncRunner

        self.sync = SyncRunner(ctx)
        self.sync.start()
        window.desks.attach_sync(self.sync)

    def stop(self) -> None:
        if self.sync is not None:
            self.sync.stop()


def open_workbench(
    app: QApplication,
    ctx: ServiceContext,
    worker: DbWorker,
    session: UserSession,
    gate: Gatekeeper | None,
    extras: Extras | None = None,
    *,
    exit_when_ready: bool = False,
) -> None:
    """The workbench, made at the first sign-in (later sign-ins reuse it)."""
    if gate is not None and gate.window is not None:
        return
    from ui.main_window import MainWindow

    window = MainWindow(ctx, worker, session, archive_keys=extras.archive_keys if extras else None)
    if gate is not None:
        gate.window = window
        window.lock_requested.connect(gate.switch_user)
        window.branch_changed.connect(lambda info: gate.set_idle_minutes(info.idle_lock_minutes))
    window.show()
    if extras is not None and not exit_when_ready:
        # Sync with HQ starts once the clerk has the workbench: never in their way.
        QTimer.singleShot(1000, lambda: extras.start_sync(ctx, window))
    if exit_when_ready:
        # For start-up measurements and smoke tests: quit as soon as the list has its
        # first page, i.e. when a clerk could start working.
        window.table.model.page_loaded.connect(lambda _page: app.quit())
        window.table.model.ids_loaded.connect(
            lambda: app.quit() if window.table.model.rowCount() == 0 else None
        )
