"""The administrator's staff accounts window, from the keyboard: the list with each
account's state, adding an account (the one-time code shown once), resetting a
password, changing roles, disabling and enabling, and the service's refusals."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QCheckBox
from pytestqt.qtbot import QtBot

from branchdesk.services import auth, staff
from branchdesk.services.auth import SignInError
from tests.conftest import PASSWORD, Branch
from tests.ui.signing import signed_in
from tests.ui.typing import SHOTS, drain, type_text
from ui import i18n
from ui.staff_dialog import COLUMNS, AccountDialog, CodeDialog, StaffDialog
from ui.worker import DbWorker

Key = Qt.Key
CTRL = Qt.KeyboardModifier.ControlModifier


def opened(qtbot: QtBot, worker: DbWorker) -> StaffDialog:
    dialog = StaffDialog(worker, signed_in(worker.ctx, "A001"))
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.loaded):
        dialog.show()
    return dialog


def row_of(dialog: StaffDialog, staff_no: str) -> dict[str, str]:
    for row in range(dialog.table.rowCount()):
        if dialog.table.item(row, 0).text() == staff_no:
            return {c: dialog.table.item(row, i).text() for i, c in enumerate(COLUMNS)}
    raise AssertionError(staff_no)


def reloaded(qtbot: QtBot, dialog: StaffDialog, act: object) -> None:
    with qtbot.waitSignal(dialog.loaded):
        act()  # type: ignore[operator]


def test_the_list_shows_roles_locks_and_last_sign_in(
    qtbot: QtBot, branch: Branch, worker: DbWorker
) -> None:
    for _ in range(5):
        with pytest.raises(SignInError):
            auth.sign_in(branch.ctx, staff_no="H201", password="wrong")
    dialog = opened(qtbot, worker)
    assert [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())] == [
        "A001",
        "H201",
        "M301",
    ]
    h201 = row_of(dialog, "H201")
    assert h201["roles"] == "处理人" and h201["active"] == dialog.tr("active")
    assert h201["locked_until"] == "2026-11-25 09:45"
    assert row_of(dialog, "M301")["locked_until"] == ""
    # A001 signed in to open this window.
    assert row_of(dialog, "A001")["last_sign_in"] == "2026-11-25 09:30"
    SHOTS.mkdir(parents=True, exist_ok=True)
    dialog.grab().save(str(SHOTS / "staff_dialog_zh_CN.png"))


def test_adding_an_account_shows_its_one_time_code_once(
    qtbot: QtBot, branch: Branch, worker: DbWorker
) -> None:
    dialog = opened(qtbot, worker)
    qtbot.keyClick(dialog.table, Key.Key_N, CTRL)
    account = dialog.account_dialog
    assert isinstance(account, AccountDialog)
    qtbot.keyClicks(account.staff_no, "C101")
    type_text(account.name, "王晓燕")
    clerk = account.role_boxes["clerk"]
    clerk.setFocus()
    qtbot.keyClick(clerk, Key.Key_Space)
    assert account.roles() == ("clerk",)
    with qtbot.waitSignal(dialog.loaded):
        qtbot.keyClick(account.name, Key.Key_Return)
    code_dialog = dialog.code_dialog
    assert isinstance(code_dialog, CodeDialog) and code_dialog.isVisible()
    code = code_dialog.code_label.text()
    assert len(code) == 10 and code == code_dialog.code
    qtbot.keyClick(code_dialog, Key.Key_C, CTRL)
    assert QApplication.clipboard().text() == code
    c101 = row_of(dialog, "C101")
    assert c101["name"] == "王晓燕" and c101["must_change"] == dialog.tr("not yet (one-time code)")
    assert c101["last_sign_in"] == dialog.tr("never")
    session = auth.sign_in(branch.ctx, staff_no="C101", password=code)
    assert session.must_change_password


def test_a_taken_staff_number_is_refused_under_its_field(qtbot: QtBot, worker: DbWorker) -> None:
    dialog = opened(qtbot, worker)
    dialog.add()
    account = dialog.account_dialog
    assert account is not None
    qtbot.keyClicks(account.staff_no, "H201")
    type_text(account.name, "重名")
    qtbot.keyClick(account.name, Key.Key_Return)
    qtbot.waitUntil(lambda: account.rows["staff_no"].error.isVisible())
    assert account.rows["staff_no"].error.text() == i18n.text("error.staff.exists", staff_no="H201")
    assert account.rows["roles"].error.isVisible()  # no role ticked
    assert account.isVisible()


def test_reset_password_gives_a_code_and_the_old_password_stops_working(
    qtbot: QtBot, branch: Branch, worker: DbWorker
) -> None:
    dialog = opened(qtbot, worker)
    dialog.select("H201")
    with qtbot.waitSignal(dialog.loaded):
        qtbot.keyClick(dialog.table, Key.Key_R, CTRL)
    assert dialog.code_dialog is not None
    code = dialog.code_dialog.code
    assert "H201" in dialog.message.text() and "令牌" in dialog.message.text()  # tokens too
    assert row_of(dialog, "H201")["must_change"] == dialog.tr("not yet (one-time code)")
    with pytest.raises(SignInError):
        auth.sign_in(branch.ctx, staff_no="H201", password=PASSWORD)
    assert auth.sign_in(branch.ctx, staff_no="H201", password=code).must_change_password


def test_roles_are_changed_with_checkboxes(qtbot: QtBot, branch: Branch, worker: DbWorker) -> None:
    dialog = opened(qtbot, worker)
    dialog.select("M301")
    qtbot.keyClick(dialog.table, Key.Key_E, CTRL)
    account = dialog.account_dialog
    assert account is not None and account.staff_no.isReadOnly()
    assert account.roles() == ("manager",)
    handler = account.role_boxes["handler"]
    assert isinstance(handler, QCheckBox)
    handler.setFocus()
    qtbot.keyClick(handler, Key.Key_Space)
    with qtbot.waitSignal(dialog.loaded):
        qtbot.keyClick(handler, Key.Key_Return)
    assert row_of(dialog, "M301")["roles"] == "处理人、营业厅经理"
    members = {m.staff_no: m for m in staff.list_staff(branch.ctx)}
    assert members["M301"].roles == ("handler", "manager")


def test_disable_enable_and_the_last_administrator(
    qtbot: QtBot, branch: Branch, worker: DbWorker
) -> None:
    dialog = opened(qtbot, worker)
    dialog.select("H201")
    assert dialog.buttons["active"].text() == dialog.tr("Disable (Ctrl+D)")
    reloaded(qtbot, dialog, lambda: qtbot.keyClick(dialog.table, Key.Key_D, CTRL))
    assert row_of(dialog, "H201")["active"] == dialog.tr("disabled")
    assert dialog.buttons["active"].text() == dialog.tr("Enable (Ctrl+D)")
    with pytest.raises(SignInError):
        auth.sign_in(branch.ctx, staff_no="H201", password=PASSWORD)
    reloaded(qtbot, dialog, dialog.toggle_active)
    assert row_of(dialog, "H201")["active"] == dialog.tr("active")
    # The only administrator cannot switch themself off.
    dialog.select("A001")
    dialog.toggle_active()
    drain(qtbot, worker)
    assert dialog.message.text() == i18n.text("error.staff.last_admin", staff_no="A001")
    assert row_of(dialog, "A001")["active"] == dialog.tr("active")
