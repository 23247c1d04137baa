"""The workbench's other desks (archive, ledger, incidents, return visits, HQ sync,
FAQ, appointment book): offered by role, opened by their shortcut, one window each,
gone when someone else signs in; and the status bar's few words on sync."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from branchdesk.archive.master import archive_keys
from sync.client.background import SyncSnapshot
from tests.conftest import Branch
from tests.ui.signing import signed_in
from ui import i18n
from ui.main_window import MainWindow
from ui.worker import DbWorker

Key = Qt.Key
Mod = Qt.KeyboardModifier
CTRL_SHIFT = Mod.ControlModifier | Mod.ShiftModifier


class FakeSync:
    """What the window reads from the background sync: a snapshot, and "sync now"."""

    def __init__(self, snapshot: SyncSnapshot) -> None:
        self.current = snapshot
        self.asked = 0

    def snapshot(self) -> SyncSnapshot:
        return self.current

    def sync_now(self) -> None:
        self.asked += 1


def workbench(qtbot: QtBot, branch: Branch, worker: DbWorker, staff_no: str) -> MainWindow:
    keys = archive_keys(branch.data_dir, store=branch.store)
    win = MainWindow(branch.ctx, worker, signed_in(branch.ctx, staff_no), archive_keys=keys)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    return win


def offered(win: MainWindow) -> set[str]:
    return {key for key, action in win.desks.actions.items() if action.isVisible()}


@pytest.mark.parametrize(
    ("staff_no", "expected"),
    [
        ("H201", {"ledger", "incidents", "visits", "faq", "appointments"}),
        (
            "M301",
            {"archive", "ledger", "incidents", "visits", "faq", "appointments", "dashboard"},
        ),
    ],
)
def test_each_role_is_offered_its_desks(
    qtbot: QtBot, branch: Branch, worker: DbWorker, staff_no: str, expected: set[str]
) -> None:
    win = workbench(qtbot, branch, worker, staff_no)
    # No background sync yet: its desk appears only once it runs.
    assert offered(win) == expected


def test_a_shortcut_opens_the_desk_once_and_a_user_switch_closes_it(
    qtbot: QtBot, branch: Branch, worker: DbWorker
) -> None:
    win = workbench(qtbot, branch, worker, "M301")
    qtbot.keyClick(win, Key.Key_G, CTRL_SHIFT)
    qtbot.waitUntil(lambda: "ledger" in win.desks.open)
    first = win.desks.open["ledger"]
    assert first.isVisible() and first.windowTitle() in ("督办台账", "Supervision ledger")
    qtbot.keyClick(win, Key.Key_G, CTRL_SHIFT)
    assert win.desks.open["ledger"] is first  # brought forward, not a second one
    first.reject()  # what the gatekeeper does to the previous person's windows
    qtbot.waitUntil(lambda: "ledger" not in win.desks.open)


def test_the_faq_and_the_appointment_book_open_by_their_shortcuts(
    qtbot: QtBot, branch: Branch, worker: DbWorker
) -> None:
    from ui.appointment_book import AppointmentBookPanel
    from ui.faq_panel import FaqPanel

    win = workbench(qtbot, branch, worker, "H201")
    qtbot.keyClick(win, Key.Key_Q, CTRL_SHIFT)
    qtbot.waitUntil(lambda: "faq" in win.desks.open)
    faq_desk = win.desks.open["faq"]
    assert faq_desk.windowTitle() == "常见问题" and faq_desk.findChild(FaqPanel) is not None
    qtbot.keyClick(win, Key.Key_B, CTRL_SHIFT)
    qtbot.waitUntil(lambda: "appointments" in win.desks.open)
    book = win.desks.open["appointments"]
    assert book.windowTitle() == "预约簿" and book.findChild(AppointmentBookPanel) is not None


def test_the_dashboard_opens_by_its_shortcut_and_leads_to_the_workbench(
    qtbot: QtBot, branch: Branch, worker: DbWorker
) -> None:
    from branchdesk.services import cases
    from tests.conftest import complaint_form
    from ui.dashboard import DashboardPanel

    number = cases.intake(branch.ctx, form=complaint_form(), actor="A001").case.number
    win = workbench(qtbot, branch, worker, "M301")
    qtbot.keyClick(win, Key.Key_D, CTRL_SHIFT)
    qtbot.waitUntil(lambda: "dashboard" in win.desks.open)
    desk = win.desks.open["dashboard"]
    panel = desk.findChild(DashboardPanel)
    assert desk.windowTitle() == "服务质量看板" and panel is not None
    panel.open_case.emit(number)  # a case chosen from one of its lists
    qtbot.waitUntil(lambda: win.detail.number == number)
    desk.reject()  # as a user switch would: the next test's window must get the focus
    qtbot.waitUntil(lambda: "dashboard" not in win.desks.open)


def test_a_clerk_cannot_open_the_archive_even_by_its_shortcut(
    qtbot: QtBot, branch: Branch, worker: DbWorker
) -> None:
    from branchdesk.services import staff
    from tests.conftest import activate

    new = staff.add_staff(
        branch.ctx, staff_no="C101", name="王晓燕", roles=("clerk",), actor="A001"
    )
    activate(branch.ctx, "C101", new.one_time_code)
    win = workbench(qtbot, branch, worker, "C101")
    assert "archive" not in offered(win)
    qtbot.keyClick(win, Key.Key_R, CTRL_SHIFT)
    QApplication.processEvents()
    assert "archive" not in win.desks.open


def test_sync_state_in_the_status_bar_and_its_desk(
    qtbot: QtBot, branch: Branch, worker: DbWorker
) -> None:
    i18n.set_language("en")
    win = workbench(qtbot, branch, worker, "A001")
    label = win.findChild(QLabel, "sync_state")
    assert label is not None and label.text() == ""
    fake = FakeSync(SyncSnapshot(False, 0, None, "sync.error.not_enrolled", {}))
    win.desks.attach_sync(fake)  # type: ignore[arg-type]
    assert "sync" in offered(win)
    assert label.text() == "HQ: not enrolled"
    fake.current = SyncSnapshot(True, 12, datetime(2026, 11, 25, 1, 0, tzinfo=UTC), None, {})
    qtbot.waitUntil(lambda: label.text() == "HQ: 12 waiting", timeout=5000)
    fake.current = SyncSnapshot(True, 3, None, "sync.error.unreachable", {})
    qtbot.waitUntil(lambda: "a problem" in label.text(), timeout=5000)
    fake.current = SyncSnapshot(True, 3, None, None, {})
    dialog = win.desks.show_desk("sync")
    assert dialog is not None
    from ui.sync_status import SyncStatusPanel

    panel = dialog.findChild(SyncStatusPanel)
    assert panel is not None
    qtbot.mouseClick(panel.button, Qt.MouseButton.LeftButton)
    assert fake.asked == 1
    i18n.set_language("zh_CN")
    assert label.text().startswith("总部")


def test_the_faq_opens_for_the_consultation_on_screen(
    qtbot: QtBot, branch: Branch, worker: DbWorker
) -> None:
    """A clerk looking at a consultation presses Ctrl+Shift+Q: the FAQ opens ready to
    answer that very case; on a complaint it opens for searching only."""
    from branchdesk.services import cases
    from tests.conftest import complaint_form
    from ui.faq_panel import FaqPanel

    question = cases.intake(
        branch.ctx,
        form=complaint_form(kind="consultation", category="consultation/roaming", remedy=""),
        actor="A001",
    ).case.number
    complaint = cases.intake(branch.ctx, form=complaint_form(), actor="A001").case.number
    win = workbench(qtbot, branch, worker, "A001")

    def faq_for(number: str) -> str | None:
        win.detail.show_case(number)
        qtbot.waitUntil(
            lambda: win.detail.view is not None and win.detail.view.case.number == number
        )
        # Back at the workbench (the offscreen platform leaves the desk active).
        win.activateWindow()
        qtbot.waitUntil(win.isActiveWindow)
        qtbot.keyClick(win, Key.Key_Q, CTRL_SHIFT)
        qtbot.waitUntil(lambda: "faq" in win.desks.open)
        panel = win.desks.open["faq"].findChild(FaqPanel)
        assert panel is not None
        return panel.case_number

    assert faq_for(question) == question
    first = win.desks.open["faq"]
    # On a complaint the desk opens again, for searching only: Enter answers nothing.
    assert faq_for(complaint) is None
    assert win.desks.open["faq"] is not first
