"""The sync panel shows what is pending, the last success and the last problem in
words, and "Sync now" wakes the sync thread, from the keyboard."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from sync.client.background import SyncSnapshot
from ui.sync_status import SyncStatusPanel


class FakeRunner:
    def __init__(self) -> None:
        self.current = SyncSnapshot(True, 3, None, "sync.error.offline", {"detail": "ConnectError"})
        self.woken = 0

    def snapshot(self) -> SyncSnapshot:
        return self.current

    def sync_now(self) -> None:
        self.woken += 1


def test_the_panel_shows_the_state_in_plain_words_and_sync_now_wakes_the_runner(
    qtbot: QtBot,
) -> None:
    runner = FakeRunner()
    panel = SyncStatusPanel(runner.snapshot, runner.sync_now, language="en", refresh_ms=50)
    qtbot.addWidget(panel)
    panel.show()
    panel.activateWindow()
    qtbot.waitActive(panel)
    assert "3" in panel.pending.text()
    # Qt's strings follow the application's translator, whichever language is loaded.
    assert panel.last_success.text() == panel.tr("Last successful sync: %1").replace(
        "%1", panel.tr("never")
    )
    assert "cannot be reached" in panel.problem.text() and "Nothing is lost" in panel.problem.text()
    panel.button.setFocus()  # reached with Tab, pressed with the space bar
    qtbot.keyClick(panel.button, Qt.Key.Key_Space)
    assert runner.woken == 1
    runner.current = SyncSnapshot(True, 0, datetime(2026, 11, 25, 2, 0, tzinfo=UTC), None, {})
    qtbot.waitUntil(lambda: "0" in panel.pending.text() and not panel.problem.isVisible())
    assert "2026-11-25" in panel.last_success.text()
    assert panel.button.isEnabled()


def test_a_branch_that_is_not_enrolled_says_how_to_enroll(qtbot: QtBot) -> None:
    runner = FakeRunner()
    runner.current = SyncSnapshot(False, 5, None, "sync.error.not_enrolled", {})
    panel = SyncStatusPanel(runner.snapshot, runner.sync_now, language="zh_CN")
    qtbot.addWidget(panel)
    assert "branchdesk enroll" in panel.problem.text() and "登记" in panel.problem.text()
    assert not panel.button.isEnabled()
