"""The incidents panel: recording one through its dialog, the list with its linked
counts (an overdue notification highlighted), progress pushed to the cases, the
resolution, and the bulk resolution with its letters as cancellable long work."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from branchdesk.domain.incidents import IncidentDraft
from branchdesk.services import cases, incidents
from tests.conftest import Branch, complaint_form
from tests.support.files import mode, usual_umask
from tests.ui.typing import SHOTS, drain, type_text
from ui.followup_table import ALARM_BACKGROUND
from ui.incidents import IncidentsPanel
from ui.worker import DbWorker

MANAGER = "M301"


def outage_with_cases(branch: Branch, n: int) -> tuple[str, list[str]]:
    ctx = branch.ctx
    draft = IncidentDraft(
        type="network_outage",
        level=2,
        started_at=ctx.now() - timedelta(hours=3),
        district="天河区",
        services=["technical/network"],
        scope="天河区移动网络中断",
    )
    number = incidents.create_incident(ctx, draft, actor=MANAGER).number
    linked = []
    for _ in range(n):
        case = cases.intake(ctx, form=complaint_form(), actor="A001").case.number
        incidents.link_case(ctx, incident=number, number=case, actor="A001")
        linked.append(case)
    return number, linked


def shown(qtbot: QtBot, branch: Branch, worker: DbWorker) -> IncidentsPanel:
    panel = IncidentsPanel(branch.ctx, worker, MANAGER)
    qtbot.addWidget(panel)
    panel.resize(1100, 700)
    panel.show()
    drain(qtbot, worker)
    drain(qtbot, worker)
    return panel


def test_list_detail_and_highlight(
    qtbot: QtBot, qtmodeltester: Any, branch: Branch, worker: DbWorker
) -> None:
    number, linked = outage_with_cases(branch, 3)
    panel = shown(qtbot, branch, worker)
    model = panel.model
    assert model.rowCount() == 1
    assert (model.data(model.index(0, 0)), model.data(model.index(0, 7))) == (number, "3")
    # Started 3 h ago at level 2: the 2 h notification is overdue.
    assert model.data(model.index(0, 0), Qt.ItemDataRole.BackgroundRole).color() == ALARM_BACKGROUND
    qtmodeltester.check(model, force_py=True)
    text = panel.detail.toPlainText()
    assert all(case in text for case in linked) and "已受理 3" in text
    SHOTS.mkdir(exist_ok=True)
    panel.grab().save(str(SHOTS / "incidents.png"))
    with qtbot.waitSignal(panel.done, timeout=5000):
        panel.notified_button.click()
    drain(qtbot, worker)
    assert model.data(model.index(0, 0), Qt.ItemDataRole.BackgroundRole) is None


def test_recording_an_incident_through_the_dialog(
    qtbot: QtBot, branch: Branch, worker: DbWorker
) -> None:
    panel = shown(qtbot, branch, worker)
    dialog = panel.open_new_dialog()
    dialog.level.setValue(3)
    type_text(dialog.district, "天河区")
    type_text(dialog.services, "technical/network")
    type_text(dialog.scope, "体育西路宽带中断")
    with qtbot.waitSignal(panel.done, timeout=5000) as got:
        dialog.accept()
    created = got.args[1]
    assert created.level == 3 and created.notify_due_at - created.started_at == timedelta(hours=4)
    drain(qtbot, worker)
    assert panel.model.rowCount() == 1
    # A bad one names the field.
    bad = panel.open_new_dialog()
    with qtbot.waitSignal(panel.failed, timeout=5000):
        bad.accept()
    assert "区县" in panel.error.text()


def test_the_report_is_saved_for_its_saver_alone(
    qtbot: QtBot, branch: Branch, worker: DbWorker, tmp_path: Path
) -> None:
    number, _ = outage_with_cases(branch, 1)
    panel = shown(qtbot, branch, worker)
    assert panel.selected() is not None and panel.selected().number == number
    target = tmp_path / "incident.pdf"
    with usual_umask(), qtbot.waitSignal(panel.done, timeout=5000) as got:
        panel.export_report(target)
    assert tuple(got.args) == ("report", target)
    assert target.read_bytes().startswith(b"%PDF")
    assert mode(target) == 0o600  # the affected customers' cases


def test_progress_resolution_and_bulk_with_letters(
    qtbot: QtBot, branch: Branch, worker: DbWorker
) -> None:
    _, linked = outage_with_cases(branch, 4)
    panel = shown(qtbot, branch, worker)
    type_text(panel.progress_edit, "抢修中")
    with qtbot.waitSignal(panel.done, timeout=5000) as got:
        qtbot.keyClick(panel.progress_edit, Qt.Key.Key_Return)
    assert tuple(got.args) == ("progress", 4)
    type_text(panel.root_cause, "光缆被挖断")
    type_text(panel.explanation, "网络已恢复")
    with qtbot.waitSignal(panel.done, timeout=5000):
        panel.resolve_button.click()
    with (
        qtbot.waitSignal(panel.detail_loaded, timeout=20000),
        qtbot.waitSignal(panel.done, timeout=20000) as got,
    ):
        panel.bulk_resolve()
    drain(qtbot, worker)
    result, batch = got.args[1]
    assert (result.resolved, result.remaining) == (4, 0)
    assert batch.numbers == tuple(linked)
    for case in linked:
        assert cases.get_case(branch.ctx, case, viewer=MANAGER).case.state.value == "resolved"
