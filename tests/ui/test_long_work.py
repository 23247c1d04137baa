"""Long work with progress and cancel: the search index rebuild from the settings
dialog, the window responsive meanwhile, a cancel leaving everything as it was."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from branchdesk.services import cases, queries, search_index
from branchdesk.services.search_index import Cancelled
from tests.conftest import Branch, complaint_form
from tests.ui.signing import signed_in
from ui.long_work import LongWork
from ui.settings_dialog import SettingsDialog
from ui.worker import DbWorker


def test_rebuild_from_the_settings_dialog(
    qtbot: QtBot, branch: Branch, worker: DbWorker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_index, "CHUNK", 2)
    for _ in range(5):
        cases.intake(branch.ctx, form=complaint_form(), actor="A001")
    dialog = SettingsDialog(worker, signed_in(worker.ctx, "A001"))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.rebuild_button.click()
    work = dialog.rebuild_work
    assert work is not None
    with qtbot.waitSignal(work.finished, timeout=20_000) as done:
        pass
    assert done.args == [5]
    assert "5" in dialog.rebuild_result.text()
    assert dialog.rebuild_button.isEnabled()
    assert len(queries.search(branch.ctx, "信号弱")) == 5


def test_cancel_stops_between_steps_and_changes_nothing(
    qtbot: QtBot, branch: Branch, worker: DbWorker
) -> None:
    release = threading.Event()
    steps: list[int] = []

    def work(ctx: object, progress: object) -> int:
        for step in range(1, 100):
            release.wait(5)
            steps.append(step)
            if not progress(step, 99):  # type: ignore[operator]
                raise Cancelled("error.cancelled")
        return 99

    job = LongWork(worker, "…", work)
    job.cancel()
    release.set()
    with qtbot.waitSignal(job.failed, timeout=10_000) as failed:
        pass
    assert isinstance(failed.args[0], Cancelled)
    assert steps == [1]
    assert not job.dialog.isVisible()


def test_letterhead_logo_from_the_settings_dialog(
    qtbot: QtBot,
    branch: Branch,
    worker: DbWorker,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    from PIL import Image
    from PySide6.QtWidgets import QFileDialog

    from branchdesk.services.branch import branch_logo, read_settings

    logo = tmp_path / "logo.png"
    Image.new("RGB", (60, 20), (31, 95, 168)).save(logo)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(logo), ""))
    dialog = SettingsDialog(worker, signed_in(worker.ctx, "A001"))
    qtbot.addWidget(dialog)
    dialog.logo_button.click()

    def stored() -> bytes | None:
        with branch.ctx.db.read() as conn:
            return branch_logo(read_settings(conn))

    qtbot.waitUntil(lambda: stored() == logo.read_bytes(), timeout=10_000)
    qtbot.waitUntil(lambda: dialog.logo_status.text() != "")
    dialog.remove_logo_button.click()
    qtbot.waitUntil(lambda: stored() is None, timeout=10_000)
