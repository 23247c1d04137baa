"""The workbench window as a clerk uses it at the counter: keyboard only, Chinese typed
through the input method, everything read back through the services."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from branchdesk.domain.case_numbers import is_valid_case_number
from branchdesk.services import cases
from tests.conftest import Branch, complaint_form
from tests.ui.signing import signed_in
from tests.ui.typing import SHOTS, focused, press, type_text
from ui import i18n
from ui.main_window import MainWindow
from ui.worker import DbWorker

Key = Qt.Key
Mod = Qt.KeyboardModifier


@pytest.fixture
def window(qtbot: QtBot, branch: Branch, worker: DbWorker) -> MainWindow:
    for _ in range(3):
        cases.intake(branch.ctx, form=complaint_form(), actor="A001")
    win = MainWindow(branch.ctx, worker, signed_in(branch.ctx, "A001"))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    qtbot.waitUntil(lambda: win.table.model.rowCount() == 3)
    return win


def activate(qtbot: QtBot, widget: QWidget) -> None:
    """The offscreen platform does not hand activation back when a window closes."""
    QApplication.processEvents()
    widget.window().activateWindow()
    qtbot.waitUntil(widget.window().isActiveWindow)


def test_search_as_you_type_and_open_the_hit(
    qtbot: QtBot, window: MainWindow, branch: Branch
) -> None:
    other = cases.intake(
        branch.ctx, form=complaint_form(summary="宽带晚上经常断网"), actor="A001"
    ).case.number
    press(qtbot, Key.Key_F, Mod.ControlModifier)
    assert focused() is window.search
    type_text(window.search, "断网")
    qtbot.waitUntil(lambda: window.table.model.rowCount() == 1)
    assert window.table.model.number_at(0) in (None, other)
    press(qtbot, Key.Key_Return)  # from the search box to the list
    qtbot.waitUntil(lambda: window.table.current_number() == other)
    press(qtbot, Key.Key_Return)  # open the hit
    qtbot.waitUntil(
        lambda: window.detail.view is not None and window.detail.view.case.number == other
    )


def test_take_a_complaint_and_acknowledge_it_with_the_keyboard_only(
    qtbot: QtBot, window: MainWindow, branch: Branch
) -> None:
    press(qtbot, Key.Key_N, Mod.ControlModifier)
    assert window._intake is not None
    dialog = window._intake
    qtbot.waitExposed(dialog)
    activate(qtbot, dialog)
    form = dialog.form

    def tab(name: str) -> QWidget:
        press(qtbot, Key.Key_Tab)
        assert focused().objectName() == name
        return focused()

    press(qtbot, Key.Key_3, Mod.AltModifier)  # complaint
    qtbot.keyClicks(tab("customer.phone"), "13900002222")
    tab("customer.service_number")
    type_text(tab("customer.name"), "王小明")
    tab("customer.id_number")
    tab("customer.address")
    type_text(tab("category"), "网络")
    type_text(tab("summary"), "地下室完全没有信号")
    activate(qtbot, dialog)
    form.field_widget("summary").setFocus()
    tab("description")
    type_text(tab("remedy"), "增加室内覆盖")
    tab("grade")
    with qtbot.waitSignal(form.saved, timeout=10_000) as saved:
        press(qtbot, Key.Key_Return)
    number = saved.args[0]
    assert is_valid_case_number(number)
    stored = cases.get_case(branch.ctx, number, viewer="A001").case
    assert stored.customer_name == "王小明" and stored.category == "technical/network"
    # The detail now shows the new case; its next step is one keystroke away.
    qtbot.waitUntil(
        lambda: window.detail.view is not None and window.detail.view.case.number == number
    )
    dialog.close()
    activate(qtbot, window)
    press(qtbot, Key.Key_3, Mod.ControlModifier)
    press(qtbot, Key.Key_1, Mod.AltModifier)  # the first (next-step) action: acknowledge
    action = window.detail.dialog
    assert action is not None
    qtbot.waitExposed(action)
    activate(qtbot, action)
    press(qtbot, Key.Key_Return)
    qtbot.waitUntil(
        lambda: cases.get_case(branch.ctx, number, viewer="A001").case.state.value == "acknowledged"
    )
    # The list of "my cases" shows it too.
    qtbot.waitUntil(lambda: window.table.model.rowCount() == 4)


def test_language_switch_keeps_work(qtbot: QtBot, window: MainWindow) -> None:
    type_text(window.search, "张三")
    chinese_title = window.windowTitle()
    press(qtbot, Key.Key_L, Mod.ControlModifier)
    assert i18n.current() == "en"
    assert window.windowTitle() != chinese_title
    assert "BranchDesk" in window.windowTitle()
    assert window.search.text() == "张三"
    press(qtbot, Key.Key_L, Mod.ControlModifier)
    assert i18n.current() == "zh_CN" and window.windowTitle() == chinese_title


def test_overdue_cases_announce_themselves(
    qtbot: QtBot, window: MainWindow, branch: Branch
) -> None:
    branch.clock.advance(hours=30)  # the three cases' 24 h acknowledgement has passed
    with qtbot.waitSignal(window.deadlines_announced, timeout=10_000) as announced:
        press(qtbot, Key.Key_F5)
    overdue, _nearly = announced.args
    assert overdue == 3
    assert "3" in window.status.text()


def test_the_ui_thread_is_not_blocked_by_a_slow_database_call(
    qtbot: QtBot, window: MainWindow
) -> None:
    """A service call that cannot finish until the UI thread has run an event: if the
    UI waited on the database, the two would wait on each other until the timeout."""
    ui_ran = threading.Event()
    outcome: list[bool] = []

    def slow(_ctx: object) -> bool:
        return ui_ran.wait(timeout=10)

    window.worker.run(slow, on_done=outcome.append)
    QTimer.singleShot(50, ui_ran.set)
    qtbot.waitUntil(lambda: bool(outcome), timeout=15_000)
    assert outcome == [True]


def test_screenshots(qtbot: QtBot, window: MainWindow) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    window.resize(1500, 880)
    window.table.select_first()
    qtbot.waitUntil(lambda: window.detail.view is not None)
    QApplication.processEvents()
    assert window.grab().save(str(SHOTS / "main_window_zh_CN.png"))
    i18n.set_language("en")
    QApplication.processEvents()
    assert window.grab().save(str(SHOTS / "main_window_en.png"))
