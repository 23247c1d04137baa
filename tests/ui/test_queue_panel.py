"""The work queues: counts read on the worker, refreshed after writes and as time
passes, the overdue count in red, keyboard selection and a language switch."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt, QTranslator
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from branchdesk.domain.model import Customer
from branchdesk.services import cases
from branchdesk.services.context import ServiceContext
from branchdesk.services.worklists import QUEUES
from tests.conftest import Branch, complaint_form
from tests.ui.signing import signed_in
from tests.ui.test_case_table import HeldWorker
from tests.ui.typing import SHOTS
from ui import i18n
from ui.queue_panel import REFRESH_MS, QueuePanel
from ui.worker import DbWorker


def act(branch: Branch, number: str, action: str, **params: str) -> None:
    cases.act(branch.ctx, number=number, action=action, params=params, actor="A001")


@pytest.fixture
def known(branch: Branch) -> dict[str, str]:
    """Three cases in known queues (the scenario of the work-list service tests):
    a supervised and overdue-to-be, b waiting for the customer, c assigned to H201."""
    a = cases.intake(branch.ctx, form=complaint_form(), actor="A001").case.number
    branch.clock.advance(hours=2)
    other = Customer(name="李四", phone="13900001111")
    b = cases.intake(
        branch.ctx, form=complaint_form(customer=other, summary="宽带晚上断网"), actor="A001"
    ).case.number
    branch.clock.advance(hours=2)
    c = cases.intake(branch.ctx, form=complaint_form(), actor="A001").case.number
    act(branch, c, "acknowledge")
    act(branch, c, "assign", to="H201")
    act(branch, b, "acknowledge")
    act(branch, b, "pause", reason="等待用户提供账单")
    act(branch, a, "acknowledge")
    act(branch, a, "request_escalation", reason="repeated", detail="第三次投诉")
    act(branch, a, "approve_escalation", supervisor="M301")
    return {"a": a, "b": b, "c": c}


@pytest.fixture
def held(branch: Branch) -> Iterator[HeldWorker]:
    w = HeldWorker(branch.ctx)
    yield w
    w.shutdown()


def panel_for(qtbot: QtBot, worker: DbWorker, me: str = "A001") -> QueuePanel:
    panel = QueuePanel(worker, signed_in(worker.ctx, me))
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: panel.counts() != {})
    return panel


def texts(panel: QueuePanel) -> list[str]:
    return [panel.list.item(row).text() for row in range(panel.list.count())]


def is_red(panel: QueuePanel, queue: str) -> bool:
    item = panel.list.item(QUEUES.index(queue))
    brush = item.data(Qt.ItemDataRole.ForegroundRole)
    return isinstance(brush, QBrush) and brush.color().red() > 150 and item.font().bold()


def test_counts_match_the_cases_in_each_queue(
    qtbot: QtBot, branch: Branch, worker: DbWorker, known: dict[str, str]
) -> None:
    i18n.set_language("en")
    branch.clock.advance(hours=21)  # a is 25 h old: its initial investigation is overdue
    panel = panel_for(qtbot, worker)
    assert panel.counts() == {
        "mine": 2,
        "due_today": 1,
        "overdue": 1,
        "nearly_due": 1,
        "waiting": 1,
        "supervised": 1,
        "all": 3,
    }
    assert texts(panel) == [
        "My cases (2)",
        "Due today (1)",
        "Overdue (1)",
        "Nearly due (1)",
        "Waiting for customer (1)",
        "Under supervision (1)",
        "All cases (3)",
    ]
    assert is_red(panel, "overdue")
    assert not is_red(panel, "due_today")

    handler = panel_for(qtbot, worker, me="H201")
    assert handler.counts()["mine"] == 1


def test_keyboard_moves_through_the_queues(
    qtbot: QtBot, worker: DbWorker, known: dict[str, str]
) -> None:
    panel = panel_for(qtbot, worker)
    panel.show()
    qtbot.waitExposed(panel)
    chosen: list[str] = []
    panel.queue_selected.connect(chosen.append)
    panel.select("waiting")
    assert chosen == ["waiting"] and panel.current() == "waiting"
    panel.select("mine")
    panel.list.setFocus()
    qtbot.keyClick(panel.list, Qt.Key.Key_Down)
    qtbot.keyClick(panel.list, Qt.Key.Key_Down)
    qtbot.keyClick(panel.list, Qt.Key.Key_End)
    qtbot.keyClick(panel.list, Qt.Key.Key_Up)
    qtbot.keyClick(panel.list, Qt.Key.Key_Home)
    assert chosen == ["waiting", "mine", "due_today", "overdue", "all", "supervised", "mine"]
    assert panel.current() == "mine"


def test_counts_follow_writes_and_the_clock(
    qtbot: QtBot, branch: Branch, worker: DbWorker, known: dict[str, str]
) -> None:
    panel = panel_for(qtbot, worker)
    assert panel.counts()["waiting"] == 1
    assert panel.counts()["overdue"] == 0 and not is_red(panel, "overdue")

    def pause(ctx: ServiceContext) -> None:
        params = {"reason": "等待用户补充材料"}
        cases.act(ctx, number=known["c"], action="pause", params=params, actor="A001")

    with qtbot.waitSignal(panel.counts_changed) as changed:
        worker.run(pause, writes=True)
    assert changed.args[0]["waiting"] == 2
    assert panel.counts()["waiting"] == 2

    # Nothing is written while a deadline passes: the timer notices.
    assert panel.refresh_timer.isActive() and panel.refresh_timer.interval() == REFRESH_MS
    branch.clock.advance(hours=21)
    with qtbot.waitSignal(panel.counts_changed):
        panel.refresh_timer.timeout.emit()
    assert panel.counts()["overdue"] == 1
    assert is_red(panel, "overdue")


def test_only_the_latest_counts_are_shown(
    qtbot: QtBot, branch: Branch, held: HeldWorker, known: dict[str, str]
) -> None:
    branch.clock.advance(hours=10)  # a and c are due in 10 h and 14 h
    panel = QueuePanel(held, signed_in(held.ctx, "A001"))
    qtbot.addWidget(panel)
    assert panel.nearly_due_hours == 4
    panel.nearly_due_hours = 12
    assert len(held.held) == 2
    held.release(qtbot, 1)
    assert panel.counts()["nearly_due"] == 1
    held.release(qtbot, 0)  # the answer for 4 hours comes late and is ignored
    assert panel.counts()["nearly_due"] == 1
    tip = panel.list.item(QUEUES.index("nearly_due")).toolTip()
    assert "12" in tip


class Marking(QTranslator):
    """A translation that brackets every string of the panel."""

    def translate(
        self, context: str, source: str, disambiguation: str | None = None, n: int = -1
    ) -> str:
        return f"[{source}]" if context == "QueuePanel" else ""

    def isEmpty(self) -> bool:
        return False


def test_a_language_change_retranslates_and_keeps_counts_and_selection(
    qtbot: QtBot, qapp: QApplication, worker: DbWorker, known: dict[str, str]
) -> None:
    i18n.set_language("en")
    panel = panel_for(qtbot, worker)
    panel.show()
    panel.select("waiting")
    assert texts(panel)[QUEUES.index("waiting")] == "Waiting for customer (1)"

    marking = Marking()
    qapp.installTranslator(marking)
    try:
        qtbot.waitUntil(lambda: texts(panel)[0].startswith("["))
        assert texts(panel)[QUEUES.index("waiting")] == "[Waiting for customer] (1)"
        assert panel.list.accessibleName() == "[Work queues]"
        assert panel.current() == "waiting"
    finally:
        qapp.removeTranslator(marking)
    qtbot.waitUntil(lambda: texts(panel)[0] == "My cases (2)")
    assert panel.current() == "waiting"


def test_screenshot_of_the_queues(
    qtbot: QtBot, branch: Branch, worker: DbWorker, known: dict[str, str]
) -> None:
    branch.clock.advance(hours=21)
    panel = panel_for(qtbot, worker)
    panel.resize(260, 220)
    panel.show()
    qtbot.waitExposed(panel)
    panel.select("mine")  # the overdue count in red, not hidden by the selection
    assert is_red(panel, "overdue")
    SHOTS.mkdir(parents=True, exist_ok=True)
    for lang in ("zh_CN", "en"):
        i18n.set_language(lang)
        path = SHOTS / f"queue_panel_{lang}.png"
        assert panel.grab().save(str(path))
        assert path.stat().st_size > 0
