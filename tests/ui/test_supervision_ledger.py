"""The supervision ledger panel: rows from the services on the worker, overdue rows
highlighted and first, the selected case's supervision in full, progress reported from
the keyboard, the reminder line, and the model checked by qtmodeltester."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from branchdesk.services import cases, supervision
from tests.conftest import TZ, Branch, complaint_form
from tests.support.files import mode, usual_umask
from tests.ui.typing import SHOTS, drain, type_text
from ui.followup_table import ALARM_BACKGROUND
from ui.supervision_ledger import SupervisionLedgerPanel
from ui.worker import DbWorker

MANAGER, HANDLER = "M301", "H201"


def supervised(branch: Branch, summary: str) -> str:
    ctx = branch.ctx
    number = cases.intake(ctx, form=complaint_form(summary=summary), actor="A001").case.number
    cases.act(ctx, number=number, action="acknowledge", params={}, actor="A001")
    cases.act(ctx, number=number, action="assign", params={"to": HANDLER}, actor="A001")
    supervision.request_escalation(
        ctx, number, reason="repeated", detail="第三次投诉", actor=HANDLER
    )
    supervision.approve(ctx, number, supervisor=MANAGER, departments="网络部", actor=MANAGER)
    return number


def shown(
    qtbot: QtBot, branch: Branch, worker: DbWorker, me: str = MANAGER
) -> SupervisionLedgerPanel:
    panel = SupervisionLedgerPanel(branch.ctx, worker, me)
    qtbot.addWidget(panel)
    panel.resize(1100, 600)
    panel.show()
    drain(qtbot, worker)
    return panel


def test_overdue_first_highlighted_and_detailed(
    qtbot: QtBot, qtmodeltester: Any, branch: Branch, worker: DbWorker
) -> None:
    late = supervised(branch, "宽带反复断线")
    branch.clock.set(datetime(2026, 11, 30, 9, 0, tzinfo=TZ))
    fine = supervised(branch, "资费争议")
    branch.clock.set(datetime(2026, 11, 30, 15, 0, tzinfo=TZ))
    panel = shown(qtbot, branch, worker)
    model = panel.model
    assert [model.data(model.index(r, 0)) for r in range(model.rowCount())] == [late, fine]
    assert model.data(model.index(0, 0), Qt.ItemDataRole.BackgroundRole).color() == ALARM_BACKGROUND
    assert model.data(model.index(1, 0), Qt.ItemDataRole.BackgroundRole) is None
    assert model.data(model.index(0, 7)) == "逾期"
    assert "1" in panel.reminder.text()
    qtmodeltester.check(model, force_py=True)
    panel.select_row(0)
    text = panel.detail.toPlainText()
    assert late in text and "网络部" in text and "2026-11-27 23:59" in text
    SHOTS.mkdir(exist_ok=True)
    panel.grab().save(str(SHOTS / "supervision_ledger.png"))


def test_progress_is_reported_from_the_keyboard(
    qtbot: QtBot, branch: Branch, worker: DbWorker
) -> None:
    number = supervised(branch, "宽带反复断线")
    panel = shown(qtbot, branch, worker, me=HANDLER)
    panel.select_row(0)
    type_text(panel.progress_edit, "网络部已更换光猫")
    with qtbot.waitSignal(panel.loaded, timeout=5000):
        qtbot.keyClick(panel.progress_edit, Qt.Key.Key_Return)
    drain(qtbot, worker)
    assert panel.model.data(panel.model.index(0, 4)) == "网络部已更换光猫"
    assert panel.progress_edit.text() == ""
    events = cases.get_case(branch.ctx, number, viewer=MANAGER).events
    assert (events[-1].kind, events[-1].actor) == ("report_progress", HANDLER)


def test_only_mine_and_the_pdf(
    qtbot: QtBot, branch: Branch, worker: DbWorker, tmp_path: Path
) -> None:
    supervised(branch, "宽带反复断线")
    panel = shown(qtbot, branch, worker, me="A001")
    assert panel.model.rowCount() == 1
    with qtbot.waitSignal(panel.loaded, timeout=5000):
        panel.mine.setChecked(True)
    assert panel.model.rowCount() == 0  # A001 supervises nothing
    target = tmp_path / "ledger.pdf"
    with usual_umask():
        panel.export_pdf(target)
        drain(qtbot, worker)
    assert target.read_bytes().startswith(b"%PDF")
    assert mode(target) == 0o600  # it names customers: its saver's alone


def test_a_clerk_may_not_read_it(qtbot: QtBot, branch: Branch, worker: DbWorker) -> None:
    from branchdesk.services import staff
    from tests.conftest import activate

    new = staff.add_staff(branch.ctx, staff_no="C401", name="柜员", roles=("clerk",), actor="A001")
    activate(branch.ctx, "C401", new.one_time_code)
    panel = shown(qtbot, branch, worker, me="C401")
    assert panel.model.rowCount() == 0
    assert "营业厅经理" in panel.error.text()
