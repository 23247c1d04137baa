"""The workbench's sync panel: events waiting for headquarters, the last successful
sync, the last problem in plain words, and a "Sync now" button.

It reads an in-memory snapshot (`sync.client.background.SyncRunner.snapshot`) on a
timer, so the UI thread never waits on the database or the network; the button only
wakes the background thread.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from branchdesk.i18n import translate
from sync.client.background import SyncSnapshot


class SyncStatusPanel(QWidget):
    def __init__(
        self,
        snapshot: Callable[[], SyncSnapshot],
        sync_now: Callable[[], None],
        *,
        language: str = "zh_CN",
        refresh_ms: int = 1000,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._snapshot = snapshot
        self._sync_now = sync_now
        self.language = language
        self.pending = QLabel()
        self.last_success = QLabel()
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b26a00;")
        self.button = QPushButton(self.tr("&Sync now"))
        self.button.setToolTip(
            self.tr("Send waiting events to headquarters and fetch its instructions")
        )
        self.button.clicked.connect(self._clicked)
        layout = QVBoxLayout(self)
        for widget in (self.pending, self.last_success, self.problem, self.button):
            layout.addWidget(widget)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.refresh)
        self._timer.start(refresh_ms)
        self.refresh()

    def _clicked(self) -> None:
        self.button.setEnabled(False)  # until the next snapshot shows the round
        self._sync_now()

    def refresh(self) -> None:
        s = self._snapshot()
        self.pending.setText(self.tr("Waiting to be sent: %n event(s)", "", s.pending))
        when = (
            s.last_success_at.astimezone().strftime("%Y-%m-%d %H:%M")
            if s.last_success_at
            else self.tr("never")
        )
        self.last_success.setText(self.tr("Last successful sync: %1").replace("%1", when))
        if s.syncing and s.error_key is None:
            self.problem.setText(self.tr("Syncing…"))
        elif s.error_key:
            self.problem.setText(translate(s.error_key, self.language, **s.error_params))
        else:
            self.problem.setText("")
        self.problem.setVisible(bool(self.problem.text()))
        self.button.setEnabled(s.enrolled)
