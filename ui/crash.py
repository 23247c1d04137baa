"""Logging and crash handling for the desktop: a rotating log in the data directory,
and for any unexpected exception a dialog that says what happened and where the log
is — never a silent failure, never a raw traceback in the clerk's face."""

from __future__ import annotations

import io
import logging
import os
import sys
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from branchdesk.services.private_files import make_private_dir

log = logging.getLogger("branchdesk")
_log_file: Path | None = None


# Owner read and write only: a log can carry a customer's or a colleague's details.
LOG_MODE = 0o600


class _PrivateLog(RotatingFileHandler):
    """A rotating log whose files are their owner's alone: each is created with that
    mode (a rotated file is a renamed one and keeps it)."""

    def _open(self) -> io.TextIOWrapper:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, LOG_MODE)
        if hasattr(os, "fchmod"):  # a log written before logs were owner-only (POSIX)
            os.fchmod(fd, LOG_MODE)
        return open(fd, "a", encoding=self.encoding, errors=self.errors)


def install(log_dir: Path) -> Path:
    """Log to `log_dir/branchdesk.log` (1 MB × 5 files), its owner's alone (the folder
    0700, the files 0600), and route uncaught exceptions to the crash dialog. Returns
    the log file path."""
    global _log_file
    # The logs come before the set-up on a first run: the data folder they make is
    # the owner's alone, as the set-up would make it.
    make_private_dir(log_dir.parent)
    log_dir.mkdir(mode=0o700, exist_ok=True)
    log_dir.chmod(0o700)  # BranchDesk's own folder, perhaps made before logs were private
    _log_file = log_dir / "branchdesk.log"
    for older in log_dir.glob("branchdesk.log.*"):  # rotated before logs were owner-only
        older.chmod(LOG_MODE)
    handler = _PrivateLog(_log_file, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    sys.excepthook = _excepthook
    return _log_file


def log_file() -> Path | None:
    return _log_file


def _excepthook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
    log.error("unexpected error", exc_info=(kind, error, tb))
    show_dialog(error)


def show_dialog(error: object) -> None:
    """Tell the person something went wrong and where the details are."""
    details = (
        "".join(traceback.format_exception(error))
        if isinstance(error, BaseException)
        else str(error)
    )
    if QApplication.instance() is None:
        print(details, file=sys.stderr)
        return
    box = QMessageBox(
        QMessageBox.Icon.Critical,
        QCoreApplication.translate("Crash", "BranchDesk – unexpected error"),
        QCoreApplication.translate(
            "Crash",
            "Something went wrong that BranchDesk did not expect. What you saved before is "
            "safe. Please tell your administrator and give them the log file:",
        )
        + f"\n\n{_log_file or '-'}",
    )
    box.setDetailedText(details)
    box.exec()
