"""Starting the desktop application: fonts, language, logging and crash handling, then
opening (or creating) the branch and showing the workbench."""

from __future__ import annotations

import argparse
import os

from PySide6.QtCore import QCoreApplication, Qt
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
from branchdesk.services import demo
from branchdesk.services.branch import branch_info, read_settings
from branchdesk.services.context import ServiceContext
from ui import crash, i18n
from ui.worker import DbWorker

UI_FONT_FAMILY = "WenQuanYi Micro Hei"
ENV_EXIT_WHEN_READY = "BRANCHDESK_EXIT_WHEN_READY"
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


def _open_or_create(args: argparse.Namespace) -> ServiceContext | None:
    """The branch to work on, asking for what is needed (passphrase, set-up details).
    None if the person cancelled."""
    from ui import setup_dialogs

    data_dir = resolve_data_dir(args.data_dir)
    if not is_initialised(data_dir):
        secure = default_secret_store() is not None
        if args.demo:
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
                language=i18n.current(),
                passphrase=passphrase,
                use_keyring=secure,
            )
            _generate_demo(ctx, args.demo_cases)
            return ctx
        details = setup_dialogs.SetupDialog.ask(None, data_dir=data_dir, secure_keyring=secure)
        if details is None:
            return None
        ctx, _ = initialise(data_dir, use_keyring=secure, **details)
        return ctx
    passphrase = os.environ.get(ENV_PASSPHRASE)
    while True:
        if key_mode(data_dir) == "passphrase" and passphrase is None:
            passphrase = setup_dialogs.ask_passphrase(None, confirm=False)
            if passphrase is None:
                return None
        try:
            return open_branch(data_dir, passphrase=passphrase)
        except DomainError as exc:
            if exc.key != "error.db.wrong_key":
                raise
            QMessageBox.warning(
                None,
                QCoreApplication.translate("App", "BranchDesk"),
                i18n.text(exc.key, **exc.params),
            )
            passphrase = None


def _generate_demo(ctx: ServiceContext, cases: int) -> None:
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
        ctx, cases=max(1, cases), actor=demo.DEMO_BRANCH["admin_no"], progress=progress
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
        ctx = _open_or_create(args)
    except DomainError as exc:
        QMessageBox.critical(
            None, QCoreApplication.translate("App", "BranchDesk"), i18n.text(exc.key, **exc.params)
        )
        return 5
    if ctx is None:
        return 0
    with ctx.db.read() as conn:
        settings = read_settings(conn)
    if not args.lang:
        i18n.set_language(branch_info(ctx).language)
    me = args.actor or str(settings.get("branch.admin", ""))
    worker = DbWorker(ctx)
    worker.unexpected.connect(crash.show_dialog)
    from ui.main_window import MainWindow

    window = MainWindow(ctx, worker, me)
    window.show()
    if os.environ.get(ENV_EXIT_WHEN_READY):
        # For start-up measurements and smoke tests: quit as soon as the list has its
        # first page, i.e. when a clerk could start working.
        window.table.model.page_loaded.connect(lambda _page: app.quit())
        window.table.model.ids_loaded.connect(
            lambda: app.quit() if window.table.model.rowCount() == 0 else None
        )
    code = app.exec()
    worker.shutdown()
    ctx.db.close()
    return int(code)
