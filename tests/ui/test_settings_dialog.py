"""The settings dialog on a real branch: the language switches the interface live and
is kept as the branch's language, branch details are saved through the service and
refused under their fields when wrong, and the data and version facts are shown."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from branchdesk import __version__
from branchdesk.services.branch import branch_info
from tests.conftest import Branch
from tests.ui.signing import signed_in
from tests.ui.typing import SHOTS, drain, type_text
from ui import i18n
from ui.settings_dialog import SettingsDialog, year_spans
from ui.worker import DbWorker


def shot(widget: QWidget, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(SHOTS / name))


def open_dialog(qtbot: QtBot, worker: DbWorker, me: str = "A001") -> SettingsDialog:
    dialog = SettingsDialog(worker, signed_in(worker.ctx, me))
    qtbot.addWidget(dialog)
    with qtbot.waitActive(dialog):  # window shortcuts (Ctrl+S) need the active window
        dialog.show()
        dialog.activateWindow()
    # A quick answer can arrive before the constructor returns: wait on the state,
    # not on the signal.
    qtbot.waitUntil(lambda: dialog.info is not None)
    return dialog


def go_to(qtbot: QtBot, dialog: SettingsDialog, page: QWidget) -> None:
    """Ctrl+Tab through the tabs until `page` is in view."""
    for _ in range(dialog.tabs.count()):
        if dialog.tabs.currentWidget() is page:
            return
        qtbot.keyClick(dialog.tabs, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert dialog.tabs.currentWidget() is page


def clear(qtbot: QtBot, edit: QLineEdit) -> None:
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)


def test_language_switches_live_keeps_typing_and_is_stored(
    qtbot: QtBot, worker: DbWorker, branch: Branch
) -> None:
    dialog = open_dialog(qtbot, worker)
    tabs = dialog.tabs
    assert tabs.tabText(tabs.indexOf(dialog.language_page)) == "语言(&L)"
    assert dialog.apply_language_button.text() == "使用此语言 (Ctrl+S)"
    shot(dialog, "settings_language_zh_CN.png")
    # Something typed on another tab and not saved yet must survive the switch.
    dialog.name.setFocus()
    type_text(dialog.name, "（新址）")

    dialog.language.setFocus()
    qtbot.keyClick(dialog.language, Qt.Key.Key_Down)
    assert i18n.current() == "zh_CN"  # choosing is not applying
    with qtbot.waitSignal(dialog.language_saved) as saved:
        qtbot.keyClick(dialog.language, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert saved.args == ["en"]
    assert i18n.current() == "en"
    qtbot.waitUntil(lambda: tabs.tabText(tabs.indexOf(dialog.language_page)) == "&Language")
    assert dialog.windowTitle() == "BranchDesk – settings"
    assert dialog.apply_language_button.text() == "Use this language (Ctrl+S)"
    assert dialog.language_status.text() == (
        "Saved: BranchDesk starts in this language from now on."
    )
    assert dialog.name.text() == "广州天河营业厅（新址）"
    assert branch_info(branch.ctx).language == "en"
    shot(dialog, "settings_language_en.png")

    # And back, with Enter (the language tab's default button).
    dialog.language.setFocus()
    qtbot.keyClick(dialog.language, Qt.Key.Key_Up)
    with qtbot.waitSignal(dialog.language_saved):
        qtbot.keyClick(dialog.language, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.windowTitle() == "BranchDesk – 设置")
    assert dialog.language_status.text() == "已保存：今后 BranchDesk 将以此语言启动。"
    assert branch_info(branch.ctx).language == "zh_CN"


def test_branch_details_are_saved_in_their_stored_form(
    qtbot: QtBot, worker: DbWorker, branch: Branch
) -> None:
    dialog = open_dialog(qtbot, worker)
    go_to(qtbot, dialog, dialog.branch_page)
    assert dialog.code.text() == "GZ0012" and dialog.code.isReadOnly()
    assert dialog.name.text() == "广州天河营业厅"
    clear(qtbot, dialog.name)
    type_text(dialog.name, "广州天河体育西营业厅")
    qtbot.keyClick(dialog.name, Qt.Key.Key_Tab)
    assert dialog.focusWidget() is dialog.address
    type_text(dialog.address, "广州市天河区体育西路 100 号")
    qtbot.keyClick(dialog.address, Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.phone, "(020) 8765 4321")
    with qtbot.waitSignal(dialog.branch_saved):
        qtbot.keyClick(dialog.phone, Qt.Key.Key_Return)

    info = branch_info(branch.ctx)
    assert (info.name, info.address, info.phone) == (
        "广州天河体育西营业厅",
        "广州市天河区体育西路 100 号",
        "020-87654321",
    )
    assert dialog.phone.text() == "020-87654321"  # shown as stored
    assert dialog.branch_status.text() == "营业厅信息已保存。"
    shot(dialog, "settings_branch_saved_zh_CN.png")


def test_bad_branch_details_are_refused_under_their_fields(
    qtbot: QtBot, worker: DbWorker, branch: Branch
) -> None:
    dialog = open_dialog(qtbot, worker)
    go_to(qtbot, dialog, dialog.branch_page)
    clear(qtbot, dialog.name)
    dialog.phone.setFocus()
    qtbot.keyClicks(dialog.phone, "12345")
    with qtbot.waitCallback() as done:
        worker.delivered.connect(done)
        qtbot.keyClick(dialog.phone, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert dialog.rows["branch_name"].error.text() == "必须填写"
    assert dialog.rows["phone"].error.text() == "号码格式不正确"
    assert dialog.rows["address"].error.isHidden()
    assert dialog.focusWidget() is dialog.name
    assert dialog.branch_status.text() == ""
    assert branch_info(branch.ctx).name == "广州天河营业厅"
    shot(dialog, "settings_branch_errors_zh_CN.png")

    # The messages follow the language, like everything else on screen.
    i18n.set_language("en")
    qtbot.waitUntil(lambda: dialog.rows["branch_name"].error.text() == "required")
    assert dialog.rows["phone"].error.text() == "not a valid phone number"


def test_only_an_administrator_changes_the_branch(
    qtbot: QtBot, worker: DbWorker, branch: Branch
) -> None:
    dialog = open_dialog(qtbot, worker, me="M301")  # a manager, not an administrator
    tabs = [dialog.tabs.widget(i) for i in range(dialog.tabs.count())]
    assert dialog.branch_page not in tabs and dialog.language_page in tabs
    assert not dialog.rebuild_button.isVisibleTo(dialog)
    # The language switches this session only: the branch's setting is the admin's.
    dialog.language.setCurrentIndex(dialog.language.findData("en"))
    dialog.apply_language()
    assert i18n.current() == "en"
    assert "administrator" in dialog.language_status.text()
    drain(qtbot, worker)
    assert branch_info(branch.ctx).language == "zh_CN"


def test_the_idle_lock_time_is_a_branch_setting(
    qtbot: QtBot, worker: DbWorker, branch: Branch
) -> None:
    dialog = open_dialog(qtbot, worker)
    go_to(qtbot, dialog, dialog.branch_page)
    assert dialog.idle_lock.value() == 5
    dialog.idle_lock.setFocus()
    dialog.idle_lock.selectAll()
    qtbot.keyClicks(dialog.idle_lock, "12")
    with qtbot.waitSignal(dialog.branch_saved) as saved:
        qtbot.keyClick(dialog.idle_lock, Qt.Key.Key_Return)
    assert saved.args[0].idle_lock_minutes == 12
    assert branch_info(branch.ctx).idle_lock_minutes == 12


def test_data_and_about_tabs_show_the_installation(
    qtbot: QtBot, worker: DbWorker, branch: Branch
) -> None:
    dialog = open_dialog(qtbot, worker)
    go_to(qtbot, dialog, dialog.data_page)
    assert dialog.data_dir.text() == str(branch.data_dir)
    assert dialog.database.text() == str(branch.data_dir / "branch.db")
    assert dialog.key_mode.text() == "系统密钥环"
    assert "密钥环" in dialog.key_note.text()
    shot(dialog, "settings_data_zh_CN.png")

    go_to(qtbot, dialog, dialog.about_page)
    versions = dialog.versions
    assert versions["branchdesk"] == __version__
    assert versions["calendar"] == f"{branch.ctx.calendar.version} (CN)"
    assert versions["policy"] == branch.ctx.policy.version
    assert versions["catalogue"] == branch.ctx.catalogue.version
    assert versions["years"] == "2004–2026"
    assert versions["database"].startswith("SQLite 3.")
    # The fixed clock says November 2026 and 2027 is not published yet.
    assert "2027" in dialog.calendar_note.text()
    assert "暂定" in dialog.calendar_note.text()
    shot(dialog, "settings_about_zh_CN.png")


def test_escape_closes_the_dialog(qtbot: QtBot, worker: DbWorker) -> None:
    dialog = open_dialog(qtbot, worker)
    with qtbot.waitSignal(dialog.rejected):
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)


def test_year_spans_join_consecutive_years() -> None:
    assert year_spans([2009, 2004, 2005, 2006, 2011, 2010]) == "2004–2006, 2009–2011"
    assert year_spans([2026]) == "2026"
    assert year_spans([]) == ""
