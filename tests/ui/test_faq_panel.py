"""The FAQ panel: searching as one types (Chinese fragments, after a pause), the best
hit chosen and shown in full, and a consultation answered with it by Enter; the model
checked by qtmodeltester."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from branchdesk.services import cases, faq
from tests.conftest import Branch, complaint_form
from tests.ui.typing import SHOTS, drain, type_text
from ui.faq_panel import FaqPanel
from ui.worker import DbWorker

Key = Qt.Key


def consultation(branch: Branch) -> str:
    form = complaint_form(kind="consultation", category="consultation/roaming", remedy="")
    return cases.intake(branch.ctx, form=form, actor="A001").case.number


def shown(
    qtbot: QtBot, branch: Branch, worker: DbWorker, case_number: str | None = None
) -> FaqPanel:
    panel = FaqPanel(branch.ctx, worker, "A001", case_number=case_number)
    qtbot.addWidget(panel)
    panel.resize(1000, 700)
    panel.show()
    drain(qtbot, worker)
    return panel


def titles(panel: FaqPanel) -> list[str]:
    model = panel.model
    return [model.data(model.index(r, 0)) for r in range(model.rowCount())]


def test_typing_a_fragment_searches_and_shows_the_best_article(
    qtbot: QtBot, qtmodeltester: Any, branch: Branch, worker: DbWorker
) -> None:
    panel = shown(qtbot, branch, worker)
    assert not panel.answer_button.isVisible()  # no case: nothing to answer
    with qtbot.waitSignal(panel.loaded, timeout=5000) as found:
        type_text(panel.search_edit, "补卡")
    assert found.args and found.args[0] >= 1
    best = panel.selected()
    assert best is not None and best.key == "sim-replacement"
    text = panel.article.toPlainText()
    assert best.title in text and best.body in text
    assert "版本 1" in text and "随系统提供" in text and best.tags[0] in text
    qtmodeltester.check(panel.model, force_py=True)
    # A longer fragment narrows the list; one character widens it.
    with qtbot.waitSignal(panel.loaded, timeout=5000):
        panel.search_edit.clear()
        type_text(panel.search_edit, "卡")
    assert "sim-esim-upgrade" in {panel.model.record(r).key for r in range(panel.model.rowCount())}
    # Down walks from the box into the hits.
    qtbot.keyClick(panel.search_edit, Key.Key_Down)
    assert panel.table.hasFocus()
    with qtbot.waitSignal(panel.loaded, timeout=5000):
        panel.search_edit.clear()
        type_text(panel.search_edit, "卫星电话")
    assert titles(panel) == [] and panel.article.toPlainText() == ""
    SHOTS.mkdir(exist_ok=True)
    panel.grab().save(str(SHOTS / "faq_panel.png"))


def test_enter_answers_the_consultation_with_the_chosen_article(
    qtbot: QtBot, branch: Branch, worker: DbWorker
) -> None:
    number = consultation(branch)
    panel = shown(qtbot, branch, worker, case_number=number)
    assert panel.answer_button.isVisible() and number in panel.case_label.text()
    with qtbot.waitSignal(panel.loaded, timeout=5000):
        type_text(panel.search_edit, "携号转网")
    chosen = panel.selected()
    assert chosen is not None and chosen.key.startswith("porting-")
    with qtbot.waitSignal(panel.answered, timeout=5000) as done:
        qtbot.keyClick(panel.search_edit, Key.Key_Return)
    view = done.args[0]
    assert view.case.state == "resolved"
    assert view.events[-1].payload["faq_ref"] == f"{chosen.key}@v{chosen.version}"
    assert faq.get_article(branch.ctx, chosen.key, actor="H201").uses == 1
    assert panel.error.text() == f"{number} 已答复。"
    # A second answer is refused by the process, and said so in words.
    with qtbot.waitSignal(panel.failed, timeout=5000):
        qtbot.keyClick(panel.search_edit, Key.Key_Return)
    drain(qtbot, worker)
    assert panel.error.text() and "已答复" not in panel.error.text()
    assert faq.get_article(branch.ctx, chosen.key, actor="H201").uses == 1
