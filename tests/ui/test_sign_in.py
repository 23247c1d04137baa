"""The sign-in and lock screens as a person at the counter uses them: refusals in the
interface language (wrong password, lockout with its time, disabled account), the
one-time code that must be replaced at once, the idle lock that keeps a draft, the
user switch that puts a draft aside for its owner, and a workbench that offers each
person only what their roles allow."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from branchdesk.services import auth, staff
from tests.conftest import PASSWORD, Branch, activate
from tests.ui.typing import drain, focused, press
from ui import i18n
from ui.app import open_workbench
from ui.gatekeeper import Gatekeeper
from ui.main_window import MainWindow
from ui.session import UserSession
from ui.sign_in import SignInScreen, remembered_staff_no
from ui.worker import DbWorker

Key = Qt.Key
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


class FakeTime:
    """The gatekeeper's idle clock, moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def idle_clock() -> FakeTime:
    return FakeTime()


@pytest.fixture
def gate(
    qtbot: QtBot, branch: Branch, worker: DbWorker, idle_clock: FakeTime
) -> Iterator[Gatekeeper]:
    """The start-up of ui.app: the sign-in screen, and the workbench at the first sign-in."""
    session = UserSession(branch.ctx.permissions)
    keeper = Gatekeeper(worker, session, idle_minutes=5, clock=idle_clock)
    qtbot.addWidget(keeper.screen)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    keeper.signed_in.connect(lambda: open_workbench(app, branch.ctx, worker, session, keeper))
    keeper.start()
    yield keeper
    drain(qtbot, worker)
    # Gone before the worker stops (a window left for later would still call it).
    for widget in (keeper.window, keeper.screen):
        if widget is not None and shiboken6.isValid(widget):
            widget.close()
            shiboken6.delete(widget)


def sign_in(qtbot: QtBot, screen: SignInScreen, staff_no: str | None, password: str) -> None:
    """Type like a person: the number (if asked), Tab, the password, Enter."""
    qtbot.waitUntil(lambda: QApplication.activeWindow() is screen)  # shown, then activated
    if staff_no is not None:
        screen.staff_no.setFocus()
        screen.staff_no.selectAll()
        qtbot.keyClicks(screen.staff_no, staff_no)
        press(qtbot, Key.Key_Tab)
    assert focused() is screen.password
    qtbot.keyClicks(screen.password, password)
    press(qtbot, Key.Key_Return)


def refused(qtbot: QtBot, screen: SignInScreen) -> str:
    qtbot.waitUntil(lambda: screen.error.isVisible() and not screen.busy)
    return screen.error.text()


def window_of(qtbot: QtBot, gate: Gatekeeper) -> MainWindow:
    qtbot.waitUntil(lambda: gate.window is not None and gate.window.isVisible())
    assert isinstance(gate.window, MainWindow)
    window = gate.window
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    return window


def phone_of(window: MainWindow) -> QLineEdit:
    assert window._intake is not None
    phone = window._intake.form.field_widget("customer.phone")
    assert isinstance(phone, QLineEdit)
    return phone


def test_a_wrong_password_is_refused_in_the_interface_language(
    qtbot: QtBot, gate: Gatekeeper
) -> None:
    screen = gate.screen
    assert screen.isVisible() and gate.window is None
    sign_in(qtbot, screen, "H201", "not-the-password")
    assert refused(qtbot, screen) == i18n.text("error.auth.wrong_password_left", left=4)
    assert "4" in screen.error.text() and "锁定" in screen.error.text()
    assert screen.password.text() == "" and focused() is screen.password
    i18n.set_language("en")
    assert screen.error.text() == (
        "Wrong staff number or password; 4 more wrong tries lock the account"
    )
    assert gate.session.current is None and gate.window is None


def test_the_fifth_wrong_password_locks_the_account_until_a_time_on_the_clock(
    qtbot: QtBot, gate: Gatekeeper
) -> None:
    for _ in range(5):
        sign_in(qtbot, gate.screen, "H201", "not-the-password")
        refused(qtbot, gate.screen)
    # Branch time is 09:30 (tests/conftest.py START); the lockout lasts 15 minutes.
    assert "09:45" in gate.screen.error.text() and "锁定" in gate.screen.error.text()
    # The right password does not help until then.
    sign_in(qtbot, gate.screen, "H201", PASSWORD)
    assert "09:45" in refused(qtbot, gate.screen)
    assert gate.session.current is None


def before_sign_in(branch: Branch, *, marked: bool) -> None:
    """Nobody has a password, as after the upgrade of a branch from before sign-in
    (migration 0013 marks that branch; `marked=False`: a current one left so)."""
    with branch.ctx.db.write() as conn:
        conn.exec_driver_sql("UPDATE staff SET password_hash = NULL, password_set_at = NULL")
        if marked:
            conn.exec_driver_sql(
                "INSERT INTO settings(key, value) VALUES (?, ?)",
                (auth.UNCLAIMED, '{"reason": "branch_from_before_sign_in"}'),
            )


def type_again(qtbot: QtBot, screen: SignInScreen, password: str, again: str) -> None:
    """The first password typed twice: password, Tab, the same again, Enter."""
    qtbot.waitUntil(lambda: screen.mode == "first_password" and not screen.busy)
    assert screen.again.isVisible() and focused() is screen.password
    qtbot.keyClicks(screen.password, password)
    press(qtbot, Key.Key_Tab)
    assert focused() is screen.again
    qtbot.keyClicks(screen.again, again)
    press(qtbot, Key.Key_Return)


def test_the_first_password_of_a_branch_from_before_sign_in_is_chosen_at_the_screen(
    qtbot: QtBot, branch: Branch, gate: Gatekeeper
) -> None:
    before_sign_in(branch, marked=True)
    assert not gate.screen.again.isVisible()
    sign_in(qtbot, gate.screen, "A001", PASSWORD)
    # Not signed in on one typing: the screen says why and asks for it twice.
    qtbot.waitUntil(lambda: gate.screen.mode == "first_password")
    assert gate.screen.intro.text() == i18n.text(auth.FIRST_PASSWORD_AGAIN, staff_no="A001")
    assert not gate.screen.error.isVisible() and gate.window is None
    type_again(qtbot, gate.screen, PASSWORD, PASSWORD + "x")
    assert i18n.text("error.password.mismatch") in refused(qtbot, gate.screen)
    # The rule that was broken, not only that something was wrong.
    type_again(qtbot, gate.screen, "short", "short")
    assert i18n.text("error.password.too_short", min=8) in refused(qtbot, gate.screen)
    assert gate.window is None
    type_again(qtbot, gate.screen, PASSWORD, PASSWORD)
    window_of(qtbot, gate)
    assert gate.session.staff_no == "A001"


def test_a_current_branch_without_passwords_offers_nobody_a_first_password(
    qtbot: QtBot, branch: Branch, gate: Gatekeeper
) -> None:
    before_sign_in(branch, marked=False)
    sign_in(qtbot, gate.screen, "A001", PASSWORD)
    assert refused(qtbot, gate.screen) == i18n.text("error.auth.wrong_password_left", left=4)
    assert gate.screen.mode == "sign_in" and not gate.screen.again.isVisible()
    assert gate.session.current is None


def test_a_disabled_account_cannot_sign_in(qtbot: QtBot, branch: Branch, gate: Gatekeeper) -> None:
    staff.set_active(branch.ctx, staff_no="H201", active=False, actor="A001")
    sign_in(qtbot, gate.screen, "H201", PASSWORD)
    assert refused(qtbot, gate.screen) == i18n.text("error.auth.disabled", staff_no="H201")
    assert gate.session.current is None


def test_a_one_time_code_must_be_replaced_before_anything_else(
    qtbot: QtBot, branch: Branch, gate: Gatekeeper
) -> None:
    code = staff.add_staff(
        branch.ctx, staff_no="C101", name="王晓燕", roles=("clerk",), actor="A001"
    ).one_time_code
    sign_in(qtbot, gate.screen, "C101", code)
    qtbot.waitUntil(lambda: gate._password_dialog is not None)
    dialog = gate._password_dialog
    assert dialog is not None and gate.window is None
    # The code is the old password already; the new one is checked as it is typed.
    assert dialog.old.text() == code and focused() is dialog.new.password
    qtbot.keyClicks(dialog.new.password, "Ab1")
    assert dialog.field_error("new_password") == i18n.text("error.password.too_short", min=8)
    dialog.new.password.clear()
    qtbot.keyClicks(dialog.new.password, "C101-Wang-2026")
    assert dialog.field_error("new_password") == i18n.text("error.password.contains_staff_no")
    dialog.new.password.clear()
    qtbot.keyClicks(dialog.new.password, "Counter#2027")
    assert dialog.field_error("new_password") == ""
    press(qtbot, Key.Key_Tab)
    qtbot.keyClicks(dialog.new.again, "Counter#2028")
    assert dialog.field_error("again") == i18n.text("error.password.mismatch")
    dialog.new.again.clear()
    qtbot.keyClicks(dialog.new.again, "Counter#2027")
    press(qtbot, Key.Key_Return)
    window = window_of(qtbot, gate)
    assert gate.session.staff_no == "C101"
    assert "王晓燕 (C101)" in window.signed_in.text()
    # The new password is the one from now on; the code is spent.
    window.lock_requested.emit()
    gate.screen.back_button.click()
    sign_in(qtbot, gate.screen, None, code)
    refused(qtbot, gate.screen)
    sign_in(qtbot, gate.screen, None, "Counter#2027")
    qtbot.waitUntil(lambda: not gate.is_locked)
    assert remembered_staff_no() == "C101"


def test_idle_lock_keeps_the_draft_for_the_same_person(
    qtbot: QtBot, gate: Gatekeeper, idle_clock: FakeTime
) -> None:
    sign_in(qtbot, gate.screen, "H201", PASSWORD)
    window = window_of(qtbot, gate)
    window.open_intake()
    qtbot.keyClicks(phone_of(window), "13812345678")
    idle_clock.now += 4 * 60
    gate.check_idle()
    assert not gate.is_locked  # typing counts as activity until the clock says otherwise
    idle_clock.now += 6 * 60
    gate.check_idle()
    assert gate.is_locked
    assert not window.isVisible() and window._intake is not None
    assert not window._intake.isVisible()
    screen = gate.screen
    assert screen.isVisible() and screen.mode == "locked"
    assert "刘志强 (H201)" in screen.intro.text() and not screen.staff_no.isVisible()
    sign_in(qtbot, screen, None, "wrong-password")
    refused(qtbot, screen)
    assert gate.is_locked
    sign_in(qtbot, screen, None, PASSWORD)
    qtbot.waitUntil(lambda: not gate.is_locked)
    assert window.isVisible() and window._intake.isVisible()
    assert phone_of(window).text() == "13812345678"
    assert not screen.isVisible()


def test_switching_user_puts_the_draft_aside_and_gives_it_back(
    qtbot: QtBot, gate: Gatekeeper
) -> None:
    sign_in(qtbot, gate.screen, "H201", PASSWORD)
    window = window_of(qtbot, gate)
    window.open_intake()
    qtbot.keyClicks(phone_of(window), "13812345678")
    assert window._intake is not None
    # The draft keeps its form's id while it is put aside: saving it later cannot make
    # a second case of a save whose answer was lost before the switch.
    form_id = window._intake.form.form_id
    qtbot.keyClick(window, Key.Key_L, CTRL_SHIFT)
    screen = gate.screen
    assert gate.is_locked and screen.mode == "switch" and screen.staff_no.text() == ""
    sign_in(qtbot, screen, "M301", PASSWORD)
    qtbot.waitUntil(lambda: not gate.is_locked)
    assert gate.session.staff_no == "M301" and window.isVisible()
    assert "吴海涛 (M301)" in window.signed_in.text()
    # The manager starts with an empty form; the handler's draft is nowhere in sight.
    assert window._intake is None
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert window._intake is not None and window._intake.isVisible()
    assert phone_of(window).text() == ""
    assert window._intake.form.form_id != form_id  # the manager's own, new form
    assert not any(
        d.isVisible() and phone_of_dialog(d) == "13812345678" for d in window._intakes.values()
    )
    # Back to the handler: the draft returns with the window.
    qtbot.waitUntil(lambda: QApplication.activeWindow() is not None)
    qtbot.keyClick(window, Key.Key_L, CTRL_SHIFT)
    sign_in(qtbot, screen, "H201", PASSWORD)
    qtbot.waitUntil(lambda: gate.session.staff_no == "H201" and not gate.is_locked)
    qtbot.waitUntil(lambda: window._intake is not None and window._intake.isVisible())
    assert phone_of(window).text() == "13812345678"
    assert window._intake.form.form_id == form_id
    assert not window._intakes["M301"].isVisible()


def phone_of_dialog(dialog: object) -> str:
    phone = dialog.form.field_widget("customer.phone")  # type: ignore[attr-defined]
    assert isinstance(phone, QLineEdit)
    return phone.text()


def test_esc_from_switch_user_goes_back_to_the_lock(qtbot: QtBot, gate: Gatekeeper) -> None:
    sign_in(qtbot, gate.screen, "H201", PASSWORD)
    window = window_of(qtbot, gate)
    window.lock_requested.emit()
    screen = gate.screen
    assert screen.mode == "switch"
    qtbot.waitUntil(lambda: QApplication.activeWindow() is screen)
    press(qtbot, Key.Key_Escape)
    assert screen.mode == "locked" and screen.switch_button.isVisible()
    qtbot.keyClick(screen.password, Key.Key_L, CTRL_SHIFT)
    assert screen.mode == "switch"


def test_each_person_is_offered_what_their_roles_allow(
    qtbot: QtBot, branch: Branch, gate: Gatekeeper
) -> None:
    for staff_no, name, role in (("C101", "王晓燕", "clerk"), ("R401", "郑雅琴", "archivist")):
        new = staff.add_staff(branch.ctx, staff_no=staff_no, name=name, roles=(role,), actor="A001")
        activate(branch.ctx, staff_no, new.one_time_code)
    sign_in(qtbot, gate.screen, "C101", PASSWORD)
    window = window_of(qtbot, gate)
    offered = {
        "intake": window.act_new,
        "staff": window.act_staff,
        "audit": window.act_audit,
    }

    def visible() -> set[str]:
        return {name for name, action in offered.items() if action.isVisible()}

    assert visible() == {"intake"}
    expected = {"R401": set(), "M301": {"intake", "audit"}, "A001": {"intake", "audit", "staff"}}
    for staff_no, wanted in expected.items():
        window.lock_requested.emit()
        sign_in(qtbot, gate.screen, staff_no, PASSWORD)
        qtbot.waitUntil(lambda s=staff_no: gate.session.staff_no == s and not gate.is_locked)  # type: ignore[misc]
        assert visible() == wanted, staff_no
    # Ctrl+N does nothing for the archivist, who may not take intake.
    window.lock_requested.emit()
    sign_in(qtbot, gate.screen, "R401", PASSWORD)
    qtbot.waitUntil(lambda: gate.session.staff_no == "R401" and not gate.is_locked)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert window._intake is None


def test_the_last_staff_number_is_offered_at_the_next_start(
    qtbot: QtBot, branch: Branch, gate: Gatekeeper, worker: DbWorker
) -> None:
    sign_in(qtbot, gate.screen, "M301", PASSWORD)
    window_of(qtbot, gate)
    drain(qtbot, worker)
    again = Gatekeeper(worker, UserSession(branch.ctx.permissions))
    qtbot.addWidget(again.screen)
    again.start()
    assert again.screen.staff_no.text() == "M301"
    qtbot.waitUntil(lambda: QApplication.activeWindow() is again.screen)
    assert focused() is again.screen.password
