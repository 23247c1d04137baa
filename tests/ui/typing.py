"""Driving widgets from the keyboard in tests: typing Chinese the way an input method
does (a QInputMethodEvent with a commit string — qtbot.keyClicks with non-ASCII text
aborts Qt's test helpers), pressing keys where the focus is, and waiting for the
database worker."""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from ui.worker import DbWorker

#: Where UI tests leave screenshots for a person to look at (the system's temp folder).
SHOTS = Path(tempfile.gettempdir()) / "branchdesk-shots"


def type_text(widget: QWidget, text: str) -> None:
    """Commit `text` into `widget` at its cursor, as an IME would."""
    widget.setFocus()
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def press(
    qtbot: QtBot, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    """A key where the keyboard would send it: an open popup (a completer's list)
    first, else the focused widget."""
    qtbot.keyClick(QApplication.activePopupWidget() or focused(), key, modifier)


def drain(qtbot: QtBot, worker: DbWorker) -> None:
    """Wait until every call queued on the worker so far has been delivered."""
    done: list[bool] = []
    worker.run(lambda _ctx: None, on_done=lambda _result: done.append(True))
    qtbot.waitUntil(lambda: bool(done))
