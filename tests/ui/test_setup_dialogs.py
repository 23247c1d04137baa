"""The first-run set-up dialog and the passphrase dialog, driven from the keyboard:
problems are refused under their fields with the dialog kept open, and what the
dialogs return opens a real branch."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from branchdesk.bootstrap import initialise, key_mode
from branchdesk.services.branch import branch_info
from tests.conftest import Branch
from tests.ui.typing import SHOTS, type_text
from ui import i18n
from ui.setup_dialogs import PassphraseDialog, SetupDialog, ask_passphrase

GOOD_PASSPHRASE = "counter-7-morning"
ADMIN_PASSWORD = "wangfang#2026"


def shot(widget: QWidget, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(SHOTS / name))


def replace_text(qtbot: QtBot, edit: QLineEdit, text: str) -> None:
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(edit, text)


def when_modal(qtbot: QtBot, act: Callable[[QWidget], None]) -> list[str]:
    """Run `act` on the modal dialog once its event loop runs; the list receives the
    dialog's class name, so the test can tell that it really ran."""
    seen: list[str] = []

    def drive() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:  # exec() has not shown it yet
            QTimer.singleShot(10, drive)
            return
        seen.append(type(dialog).__name__)
        act(dialog)

    QTimer.singleShot(0, drive)
    return seen


def fill_setup(qtbot: QtBot, dialog: SetupDialog, *, code: str) -> None:
    """A clerk's way through the form: Tab from field to field."""
    assert dialog.focusWidget() is dialog.code
    qtbot.keyClicks(dialog.code, code)
    qtbot.keyClick(dialog.code, Qt.Key.Key_Tab)
    type_text(dialog.name, "广州天河营业厅")
    qtbot.keyClick(dialog.name, Qt.Key.Key_Tab)
    type_text(dialog.address, "广州市天河区体育西路 100 号")
    qtbot.keyClick(dialog.address, Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.phone, "020 1234 5678")
    qtbot.keyClicks(dialog.admin_no, "A001")
    type_text(dialog.admin_name, "王芳")
    # The administrator's own password, twice, checked against the policy as typed.
    qtbot.keyClick(dialog.admin_name, Qt.Key.Key_Tab)
    assert dialog.focusWidget() is dialog.admin_password.password
    qtbot.keyClicks(dialog.admin_password.password, "wangfang")
    assert dialog.admin_password.password_row.error.text() == i18n.text("error.password.one_kind")
    qtbot.keyClicks(dialog.admin_password.password, "#2026")
    assert not dialog.admin_password.password_row.error.isVisible()
    qtbot.keyClick(dialog.admin_password.password, Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.admin_password.again, ADMIN_PASSWORD)


def test_a_bad_branch_code_is_refused_under_its_field(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = SetupDialog(None, data_dir=tmp_path / "data", secure_keyring=True)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.data_dir_edit.text() == str(tmp_path / "data")
    fill_setup(qtbot, dialog, code="GZ12")
    qtbot.keyClick(dialog.admin_name, Qt.Key.Key_Return)

    assert dialog.isVisible() and dialog.result() == 0
    assert dialog.rows["branch_code"].error.isVisible()
    assert dialog.rows["branch_code"].error.text() == "应为 2 个大写字母加 4 位数字，如 GZ0012"
    assert not dialog.rows["branch_name"].error.isVisible()
    assert dialog.focusWidget() is dialog.code
    shot(dialog, "setup_dialog_bad_code_zh_CN.png")

    replace_text(qtbot, dialog.code, "gz0012")  # lower case is taken as capitals
    with qtbot.waitSignal(dialog.accepted):
        qtbot.keyClick(dialog.code, Qt.Key.Key_Return)
    assert dialog.details() == {
        "branch_code": "GZ0012",
        "branch_name": "广州天河营业厅",
        "admin_no": "A001",
        "admin_name": "王芳",
        "admin_password": ADMIN_PASSWORD,
        "address": "广州市天河区体育西路 100 号",
        "phone": "020-12345678",
        "language": "zh_CN",
        "passphrase": None,
    }


def test_every_field_problem_is_shown_at_once(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = SetupDialog(None, data_dir=tmp_path, secure_keyring=True)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.code, "GZ0012")
    qtbot.keyClicks(dialog.phone, "12345")
    qtbot.keyClicks(dialog.admin_no, "A")
    qtbot.keyClick(dialog.admin_no, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.result() == 0
    errors = {field: row.error.text() for field, row in dialog.rows.items() if row.error.text()}
    assert errors == {
        "branch_name": "必须填写",
        "phone": "号码格式不正确",
        "staff_no": "员工编号为 2–20 位字母、数字、- 或 _",
        "name": "必须填写",
    }
    # The first field in error has the focus, so the clerk can fix it straight away.
    assert dialog.focusWidget() is dialog.name
    shot(dialog, "setup_dialog_errors_zh_CN.png")


def test_choosing_english_switches_the_dialog_and_keeps_what_was_typed(
    qtbot: QtBot, tmp_path: Path
) -> None:
    dialog = SetupDialog(None, data_dir=tmp_path, secure_keyring=False)
    qtbot.addWidget(dialog)
    dialog.show()
    type_text(dialog.name, "广州天河营业厅")
    assert dialog.windowTitle() == "BranchDesk – 营业厅首次设置"
    dialog.language.setFocus()
    qtbot.keyClick(dialog.language, Qt.Key.Key_Down)
    assert i18n.current() == "en"
    # Qt delivers the language change to every window as a posted event.
    qtbot.waitUntil(lambda: dialog.windowTitle() == "BranchDesk – set up this branch")
    assert dialog.labels["branch_code"].text() == "Branch &code:"
    assert dialog.create_button.text() == "Create the branch (Enter)"
    assert dialog.name.text() == "广州天河营业厅"
    qtbot.keyClick(dialog.language, Qt.Key.Key_Return)  # Enter: create, with errors
    assert dialog.rows["branch_code"].error.text() == (
        "must be two capital letters and four digits, like GZ0012"
    )
    shot(dialog, "setup_dialog_en.png")
    assert dialog.details()["language"] == "en"


def test_setup_without_keyring_returns_what_initialise_needs(qtbot: QtBot, tmp_path: Path) -> None:
    data_dir = tmp_path / "branch"

    def complete(widget: QWidget) -> None:
        assert isinstance(widget, SetupDialog)
        assert widget.passphrase is not None
        fill_setup(qtbot, widget, code="SZ0101")
        qtbot.keyClicks(widget.passphrase.passphrase, GOOD_PASSPHRASE)
        qtbot.keyClicks(widget.passphrase.again, GOOD_PASSPHRASE)
        shot(widget, "setup_dialog_passphrase_zh_CN.png")
        qtbot.keyClick(widget.passphrase.again, Qt.Key.Key_Return)

    seen = when_modal(qtbot, complete)
    details = SetupDialog.ask(None, data_dir=data_dir, secure_keyring=False)
    assert seen == ["SetupDialog"]
    assert details is not None
    assert details["passphrase"] == GOOD_PASSPHRASE
    ctx, info = initialise(data_dir, use_keyring=False, **details)
    try:
        assert (info.code, info.name, info.phone) == ("SZ0101", "广州天河营业厅", "020-12345678")
        assert branch_info(ctx).language == "zh_CN"
        assert key_mode(data_dir) == "passphrase"
    finally:
        ctx.db.close()


def test_setup_refuses_passphrases_that_differ(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = SetupDialog(None, data_dir=tmp_path, secure_keyring=False)
    qtbot.addWidget(dialog)
    dialog.show()
    fill_setup(qtbot, dialog, code="SZ0101")
    assert dialog.passphrase is not None
    qtbot.keyClicks(dialog.passphrase.passphrase, GOOD_PASSPHRASE)
    qtbot.keyClicks(dialog.passphrase.again, GOOD_PASSPHRASE + "x")
    qtbot.keyClick(dialog.passphrase.again, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.result() == 0
    assert dialog.passphrase.again_row.error.text() == "两次输入的口令不一致。"


def test_cancelling_set_up_returns_none(qtbot: QtBot, tmp_path: Path) -> None:
    seen = when_modal(qtbot, lambda dialog: qtbot.keyClick(dialog, Qt.Key.Key_Escape))
    assert SetupDialog.ask(None, data_dir=tmp_path, secure_keyring=True) is None
    assert seen == ["SetupDialog"]


def test_choosing_a_passphrase_refuses_short_and_different_ones(qtbot: QtBot) -> None:
    dialog = PassphraseDialog(None, confirm=True)
    qtbot.addWidget(dialog)
    dialog.show()
    fields = dialog.fields
    assert fields.passphrase.echoMode() == QLineEdit.EchoMode.Password
    assert "10" in fields.explanation.text() and "无法找回" in fields.explanation.text()

    qtbot.keyClicks(fields.passphrase, "short")
    qtbot.keyClick(fields.passphrase, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.result() == 0
    assert fields.passphrase_row.error.text() == "口令至少需要 10 个字符。"

    replace_text(qtbot, fields.passphrase, GOOD_PASSPHRASE)
    qtbot.keyClick(fields.passphrase, Qt.Key.Key_Tab)
    qtbot.keyClicks(fields.again, "counter-7-evening")
    qtbot.keyClick(fields.again, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.result() == 0
    assert fields.passphrase_row.error.text() == ""
    assert fields.again_row.error.text() == "两次输入的口令不一致。"
    assert dialog.focusWidget() is fields.again
    shot(dialog, "passphrase_choose_mismatch_zh_CN.png")

    replace_text(qtbot, fields.again, GOOD_PASSPHRASE)
    with qtbot.waitSignal(dialog.accepted):
        qtbot.keyClick(fields.again, Qt.Key.Key_Return)
    assert dialog.passphrase() == GOOD_PASSPHRASE


def test_show_characters_reveals_the_passphrase(qtbot: QtBot) -> None:
    dialog = PassphraseDialog(None, confirm=True)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.fields.show_text.setFocus()
    qtbot.keyClick(dialog.fields.show_text, Qt.Key.Key_Space)
    assert dialog.fields.passphrase.echoMode() == QLineEdit.EchoMode.Normal
    assert dialog.fields.again.echoMode() == QLineEdit.EchoMode.Normal


def test_unlocking_asks_once_and_returns_the_passphrase(qtbot: QtBot) -> None:
    def unlock(widget: QWidget) -> None:
        assert isinstance(widget, PassphraseDialog)
        assert widget.fields.again_row.isHidden()
        qtbot.keyClicks(widget.fields.passphrase, GOOD_PASSPHRASE)
        shot(widget, "passphrase_unlock_zh_CN.png")
        qtbot.keyClick(widget.fields.passphrase, Qt.Key.Key_Return)

    seen = when_modal(qtbot, unlock)
    assert ask_passphrase(None, confirm=False) == GOOD_PASSPHRASE
    assert seen == ["PassphraseDialog"]


def test_escape_cancels_the_passphrase(qtbot: QtBot) -> None:
    seen = when_modal(qtbot, lambda dialog: qtbot.keyClick(dialog, Qt.Key.Key_Escape))
    assert ask_passphrase(None, confirm=True) is None
    assert seen == ["PassphraseDialog"]


def test_set_up_ends_with_the_recovery_sheet_in_the_print_preview(
    qtbot: QtBot, branch: Branch
) -> None:
    """The archive recovery key is printed at set-up: its sheet opens in the preview."""
    import io

    from pypdf import PdfReader

    from ui.app import show_recovery_sheet

    dialog = show_recovery_sheet(branch.ctx, "A001")
    qtbot.addWidget(dialog)
    assert dialog.document.kind == "recovery_sheet"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(dialog.document.pdf)).pages)
    assert "BDRK" in text and "GZ0012" in text
