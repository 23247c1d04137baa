"""The return-visit call list panel: today's calls, an outcome recorded with one key
(by a colleague who did not handle the case), not reached -> off today's list, and a
dissatisfied customer's case reopened from the panel."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt
from pytestqt.qtbot import QtBot

from branchdesk.services import cases, staff
from tests.conftest import Branch, activate, complaint_form
from tests.ui.typing import SHOTS, drain, type_text
from ui.return_visits import ReturnVisitsPanel
from ui.worker import DbWorker

SURVEYOR = "C401"
STEPS = (
    ("acknowledge", {}),
    ("assign", {"to": "H201"}),
    ("record_investigation", {"stage": "initial", "methods": "system_data", "findings": "信号弱"}),
    ("determine_responsibility", {"party": "carrier", "explanation": "覆盖不足"}),
    ("plan", {"measures": ["rectification"], "detail": "增设室分"}),
    ("resolve", {"result": "已增设室内分布系统"}),
    ("record_feedback", {"satisfied": "yes", "score": 4}),
    ("close", {}),
)


def closed_major(branch: Branch) -> str:
    number = cases.intake(branch.ctx, form=complaint_form(grade="major"), actor="A001").case.number
    for action, params in STEPS:
        cases.act(branch.ctx, number=number, action=action, params=params, actor="M301")
    return number


def panel_for(
    qtbot: QtBot, branch: Branch, worker: DbWorker, me: str = SURVEYOR
) -> ReturnVisitsPanel:
    if me == SURVEYOR:
        new = staff.add_staff(
            branch.ctx, staff_no=SURVEYOR, name="回访员", roles=("clerk",), actor="A001"
        )
        activate(branch.ctx, SURVEYOR, new.one_time_code)
    panel = ReturnVisitsPanel(branch.ctx, worker, me)
    qtbot.addWidget(panel)
    panel.resize(1000, 600)
    panel.show()
    drain(qtbot, worker)
    return panel


def test_call_list_and_a_satisfied_customer(
    qtbot: QtBot, qtmodeltester: Any, branch: Branch, worker: DbWorker
) -> None:
    number = closed_major(branch)
    panel = panel_for(qtbot, branch, worker)
    model = panel.model
    assert model.rowCount() == 1
    assert model.data(model.index(0, 0)) == number
    assert model.data(model.index(0, 2)) == "138****5678"
    assert model.data(model.index(0, 3)) == "重大或紧急案件"
    qtmodeltester.check(model, force_py=True)
    SHOTS.mkdir(exist_ok=True)
    panel.grab().save(str(SHOTS / "return_visits.png"))
    type_text(panel.comment, "很满意")
    with qtbot.waitSignal(panel.recorded, timeout=5000) as got:
        qtbot.keyClick(panel, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    visit = got.args[0]
    assert (visit.status, visit.score, visit.surveyor) == ("done", 5, SURVEYOR)
    assert not panel.reopen_button.isEnabled()
    drain(qtbot, worker)
    assert model.rowCount() == 0


def test_not_reached_moves_to_the_next_working_day(
    qtbot: QtBot, branch: Branch, worker: DbWorker
) -> None:
    closed_major(branch)  # Wednesday
    panel = panel_for(qtbot, branch, worker)
    panel.reached.setChecked(False)
    assert not panel.score.isEnabled()
    with qtbot.waitSignal(panel.recorded, timeout=5000) as got:
        panel.record_button.click()
    assert (got.args[0].status, got.args[0].attempts) == ("pending", 1)
    drain(qtbot, worker)
    assert panel.model.rowCount() == 0
    with qtbot.waitSignal(panel.loaded, timeout=5000):
        panel.day.setDate(QDate(2026, 11, 26))
    assert panel.model.rowCount() == 1


def test_dissatisfied_offers_the_reopening(qtbot: QtBot, branch: Branch, worker: DbWorker) -> None:
    number = closed_major(branch)
    panel = panel_for(qtbot, branch, worker)
    panel.score.setValue(2)
    with qtbot.waitSignal(panel.recorded, timeout=5000):
        panel.record_button.click()
    assert panel.reopen_button.isEnabled()
    assert panel.reopen_reason.text()
    # Reopening is a manager's (or the handler's) decision, not the surveying clerk's.
    with qtbot.waitSignal(panel.failed, timeout=5000):
        panel.reopen_button.click()
    assert "营业厅经理" in panel.error.text()
    new = staff.add_staff(
        branch.ctx, staff_no="M302", name="值班经理", roles=("manager",), actor="A001"
    )
    activate(branch.ctx, "M302", new.one_time_code)
    panel.set_staff_no("M302")  # the duty manager takes over at this desk
    drain(qtbot, worker)
    with qtbot.waitSignal(panel.reopened, timeout=5000):
        panel.reopen_button.click()
    view = cases.get_case(branch.ctx, number, viewer="M301")
    assert view.case.state.value == "investigating"
    assert view.events[-1].payload["return_visit"] >= 1


def test_the_handler_is_refused_as_surveyor(qtbot: QtBot, branch: Branch, worker: DbWorker) -> None:
    closed_major(branch)
    panel = panel_for(qtbot, branch, worker, me="M301")
    with qtbot.waitSignal(panel.failed, timeout=5000) as got:
        panel.record_button.click()
    assert got.args[0].key == "error.return_visit.own_case"
    assert "M301" in panel.error.text()
    assert panel.model.rowCount() == 1


def test_reveal_is_audited(qtbot: QtBot, branch: Branch, worker: DbWorker) -> None:
    closed_major(branch)
    panel = panel_for(qtbot, branch, worker)
    with qtbot.waitSignal(panel.revealed, timeout=5000) as got:
        panel.reveal_button.click()
    assert got.args[0] == "13812345678"
    assert date(2026, 11, 25) == branch.ctx.now().date()
