"""Exporting from the desktop: Ctrl+Shift+E on the workbench's list, the file dialog
with its personal-data box, progress with cancel, a refusal before any dialog, and a
figure table. The file dialog and the closing message are replaced (`ask_target`,
`notify`); the export itself runs for real on its own worker."""

from __future__ import annotations

import csv
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from branchdesk.persistence.schema import audit_log
from branchdesk.services import cases, exports, staff
from branchdesk.services.exports import CaseSelection
from tests.conftest import Branch, activate, complaint_form
from tests.ui.signing import signed_in
from tests.ui.typing import press
from ui import export_dialog
from ui.export_dialog import ExportDialog, ExportTarget
from ui.main_window import MainWindow
from ui.worker import DbWorker


class Recorder:
    """Stands in for the file dialog and the closing message."""

    def __init__(self, target: ExportTarget | None) -> None:
        self.target = target
        self.asked: list[dict[str, Any]] = []
        self.said: list[tuple[str, bool]] = []

    def ask(self, parent: QWidget | None, **kwargs: Any) -> ExportTarget | None:
        self.asked.append(kwargs)
        return self.target

    def notify(
        self, parent: QWidget | None, title: str, text: str, *, problem: bool = False
    ) -> None:
        self.said.append((text, problem))


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "exports"
    folder.mkdir()
    return folder


def _recorder(monkeypatch: pytest.MonkeyPatch, target: ExportTarget | None) -> Recorder:
    recorder = Recorder(target)
    monkeypatch.setattr(export_dialog, "ask_target", recorder.ask)
    monkeypatch.setattr(export_dialog, "notify", recorder.notify)
    return recorder


def _audit(branch: Branch) -> list[dict[str, Any]]:
    with branch.ctx.db.read() as conn:
        rows = conn.execute(
            select(audit_log.c.detail).where(audit_log.c.action == "cases.export")
        ).all()
    return [dict(r.detail) for r in rows]


@pytest.fixture
def window(qtbot: QtBot, branch: Branch, worker: DbWorker) -> Iterator[MainWindow]:
    for _ in range(3):
        cases.intake(branch.ctx, form=complaint_form(), actor="A001")
    win = MainWindow(branch.ctx, worker, signed_in(branch.ctx, "A001"))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    qtbot.waitUntil(lambda: win.table.model.rowCount() == 3)
    yield win


def test_ctrl_shift_e_exports_the_list_as_shown(
    qtbot: QtBot, window: MainWindow, branch: Branch, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = out / "mine.xlsx"
    recorder = _recorder(monkeypatch, ExportTarget(target, "xlsx"))
    assert window.act_export.isVisible()
    press(
        qtbot, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    qtbot.waitUntil(lambda: bool(recorder.said), timeout=15_000)
    [asked] = recorder.asked
    # A001 is also a manager: full personal data may be offered.
    assert asked["offer_personal"] is True and asked["rows"] == 3 and asked["what"] == "cases"
    assert asked["suggested_name"] == "工单-2026-11-25"
    text, problem = recorder.said[0]
    assert not problem and "3" in text and str(target) in text and "脱敏" in text
    rows = list(openpyxl.load_workbook(target).active.iter_rows(values_only=True))
    assert len(rows) == 4 and rows[0][0] == "工单编号"  # the interface's language
    # "My cases" is a filter (the person's open cases), not a list of ids.
    [entry] = _audit(branch)
    assert entry["selection"] == "case list: open cases of A001"
    assert entry["filters"] == {"owner": "A001", "open_only": True}


def test_a_searched_list_exports_the_cases_it_shows(
    qtbot: QtBot, window: MainWindow, branch: Branch, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = cases.intake(
        branch.ctx, form=complaint_form(summary="宽带晚上经常断网"), actor="A001"
    ).case.number
    window.queues.select("all")
    window.search.setText("断网")
    qtbot.waitUntil(lambda: window.table.model.rowCount() == 1)
    target = out / "found.csv"
    recorder = _recorder(monkeypatch, ExportTarget(target, "csv", unmasked=True))
    window.export_list()
    qtbot.waitUntil(lambda: bool(recorder.said), timeout=15_000)
    with target.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert [r[0] for r in rows[1:]] == [other]
    assert rows[1][exports.CASE_COLUMNS.index("phone")] == "13812345678"  # asked for, allowed
    [entry] = _audit(branch)
    assert entry["ids"] == 1 and entry["masked"] is False
    assert entry["selection"] == "case list: queue all, narrowed by a search"
    assert "断网" not in str(entry)  # the search text is not recorded


def test_cancel_in_the_progress_dialog_leaves_no_file(
    qtbot: QtBot, branch: Branch, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(5):
        cases.intake(branch.ctx, form=complaint_form(), actor="A001")
    monkeypatch.setattr(exports, "CHUNK", 1)
    release = threading.Event()
    real_chunks = exports._chunks

    def held_chunks(conn: Any, ids: Any) -> Iterator[list[Any]]:
        for number, chunk in enumerate(real_chunks(conn, ids)):
            if number == 1:
                release.wait(10)  # the second chunk waits until the person has cancelled
            yield chunk

    monkeypatch.setattr(exports, "_chunks", held_chunks)
    target = out / "all.xlsx"
    recorder = _recorder(monkeypatch, ExportTarget(target, "xlsx"))
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    export_dialog.export_cases_interactively(
        parent, branch.ctx, "M301", CaseSelection(description="test"), "all"
    )
    [run] = export_dialog.running()
    qtbot.waitUntil(lambda: run.work is not None and run.work.dialog.isVisible(), timeout=10_000)
    assert run.work is not None
    button = run.work.dialog.findChild(QPushButton)
    assert button is not None and "Esc" in button.text()
    button.click()
    release.set()
    qtbot.waitUntil(lambda: run.outcome is not export_dialog.ENDING, timeout=15_000)
    assert isinstance(run.outcome, exports.ExportCancelled)
    assert export_dialog.running() == []
    assert recorder.said == [("导出已取消，没有生成文件。", False)]
    assert list(out.iterdir()) == []
    assert _audit(branch) == []


def test_a_handler_is_told_who_may_before_any_file_dialog(
    qtbot: QtBot, branch: Branch, monkeypatch: pytest.MonkeyPatch, out: Path
) -> None:
    recorder = _recorder(monkeypatch, ExportTarget(out / "x.xlsx", "xlsx"))
    parent = QWidget()
    qtbot.addWidget(parent)
    export_dialog.export_cases_interactively(parent, branch.ctx, "H201", CaseSelection(), "x")
    qtbot.waitUntil(lambda: bool(recorder.said), timeout=10_000)
    text, problem = recorder.said[0]
    assert problem and "营业厅经理" in text
    assert recorder.asked == []
    assert list(out.iterdir()) == []


def test_the_workbench_offers_export_only_to_those_who_may(
    qtbot: QtBot, branch: Branch, worker: DbWorker
) -> None:
    win = MainWindow(branch.ctx, worker, signed_in(branch.ctx, "H201"))
    qtbot.addWidget(win)
    assert not win.act_export.isVisible()


def test_closing_the_file_dialog_exports_nothing(
    qtbot: QtBot, branch: Branch, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = _recorder(monkeypatch, None)
    parent = QWidget()
    qtbot.addWidget(parent)
    export_dialog.export_cases_interactively(parent, branch.ctx, "M301", CaseSelection(), "x")
    [run] = export_dialog.running()
    qtbot.waitUntil(lambda: run.outcome is None, timeout=10_000)
    assert len(recorder.asked) == 1 and recorder.said == []
    assert _audit(branch) == []


def test_a_figure_table(
    qtbot: QtBot, branch: Branch, monkeypatch: pytest.MonkeyPatch, out: Path
) -> None:
    target = out / "figures.csv"
    recorder = _recorder(monkeypatch, ExportTarget(target, "csv"))
    parent = QWidget()
    qtbot.addWidget(parent)
    export_dialog.export_table_interactively(
        parent, branch.ctx, "M301", "按时率", ["节点", "按时率"], [["结案", 0.9]], "按时率"
    )
    qtbot.waitUntil(lambda: bool(recorder.said), timeout=10_000)
    [asked] = recorder.asked
    assert asked["offer_personal"] is False and asked["rows"] == 1 and asked["what"] == "table"
    assert recorder.said[0][0].startswith("1 行已导出")
    with target.open(encoding="utf-8-sig", newline="") as f:
        assert list(csv.reader(f)) == [["节点", "按时率"], ["结案", "0.9"]]


def test_the_export_dialog(
    qtbot: QtBot, branch: Branch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = ExportDialog(
        None, title="导出", suggested_name="逾期/天河 &1", offer_personal=False, rows=12
    )
    qtbot.addWidget(plain)
    plain.show()
    assert plain.personal.isHidden() and plain.personal_note.isHidden()
    assert plain.summary.text() == "将导出 12 张工单。"
    target = plain.target()
    assert target is not None
    assert target.path.name == "逾期-天河 -1.xlsx" and target.fmt == "xlsx"
    assert target.unmasked is False
    # Choosing CSV changes the name's extension; typing .xlsx chooses the format.
    plain.format.setCurrentIndex(1)
    assert plain.path.text().endswith("逾期-天河 -1.csv")
    plain.path.setText(str(tmp_path / "list.xlsx"))
    assert plain.chosen_format() == "xlsx"
    plain.format.setCurrentIndex(1)
    target = plain.target()
    assert target is not None and target.fmt == "csv" and target.path == tmp_path / "list.csv"
    plain.path.setText(str(tmp_path / "list"))  # no extension: the format's
    target = plain.target()
    assert target is not None and target.path == tmp_path / "list.csv"
    # Browse… asks the system's dialog; a name chosen there without extension gets one.
    asked: list[tuple[Any, ...]] = []

    def system_dialog(*args: Any) -> tuple[str, str]:
        asked.append(args)
        return str(tmp_path / "chosen"), args[3].split(";;")[0]

    monkeypatch.setattr(export_dialog.QFileDialog, "getSaveFileName", system_dialog)
    plain.browse.click()
    assert plain.path.text() == str(tmp_path / "chosen.xlsx") and plain.chosen_format() == "xlsx"
    assert asked[0][2] == str(tmp_path / "list")
    plain.path.clear()
    assert not plain.export_button.isEnabled() and plain.target() is None

    manager = ExportDialog(
        None, title="导出工单", suggested_name="工单", offer_personal=True, rows=3
    )
    qtbot.addWidget(manager)
    manager.show()
    qtbot.waitExposed(manager)
    assert manager.personal.isVisible() and not manager.personal.isChecked()
    manager.personal.setChecked(True)
    target = manager.target()
    assert target is not None and target.unmasked is True
    assert target.path.name == "工单.xlsx"
    manager.grab().save("/tmp/export_dialog.png")
    with qtbot.waitSignal(manager.accepted, timeout=5_000):
        qtbot.keyClick(manager.path, Qt.Key.Key_Return)  # Enter exports


def test_clerks_are_not_offered_the_export(qtbot: QtBot, branch: Branch, worker: DbWorker) -> None:
    new = staff.add_staff(branch.ctx, staff_no="C101", name="王丽", roles=("clerk",), actor="A001")
    activate(branch.ctx, "C101", new.one_time_code)
    win = MainWindow(branch.ctx, worker, signed_in(branch.ctx, "C101"))
    qtbot.addWidget(win)
    assert not win.act_export.isVisible()
