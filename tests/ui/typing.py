"""Typing Chinese into widgets the way an input method does: a QInputMethodEvent
with a commit string (qtbot.keyClicks with non-ASCII text aborts Qt's test helpers)."""

from __future__ import annotations

from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QWidget


def type_text(widget: QWidget, text: str) -> None:
    """Commit `text` into `widget` at its cursor, as an IME would."""
    widget.setFocus()
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)
