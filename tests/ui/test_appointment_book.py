"""The appointment book panel: the day's appointments per staff member, Alt+Left and
Alt+Right from day to day, the week view, and the day's reminders (still to keep)
highlighted; the model checked by qtmodeltester. The staff filter; on the selected
appointment, from the keyboard: reschedule (a clash refused naming the field, nothing
written), mark missed (after a confirmation), print the confirmation and the day
sheet (to a file through the preview), open the case in the workbench; and the
workbench's cue for appointments starting within the hour."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from PySide6.QtCore import Qt, QTime
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from branchdesk.domain.model import Appointment
from branchdesk.services import appointments, cases, staff
from tests.conftest import TZ, Branch, activate, complaint_form
from tests.ui.signing import signed_in
from tests.ui.typing import SHOTS, drain, type_text
from ui.appointment_book import AppointmentBookPanel
from ui.appointment_dialogs import MissedDialog, RescheduleDialog
from ui.followup_table import ALARM_BACKGROUND
from ui.main_window import MainWindow
from ui.printing import PrintPreviewDialog
from ui.worker import DbWorker

Key = Qt.Key
ALT = Qt.KeyboardModifier.AltModifier
DAY = date(2026, 11, 26)  # the day after the test clock's START


def at(hour: int, day: date = DAY, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def book(branch: Branch, start: datetime, end: datetime, staff: str | None) -> str:
    form = complaint_form(
        kind="service_request",
        category="service_request/broadband_install",
        remedy="",
        appointment=Appointment("宽带上门安装", start, end, staff=staff),
    )
    return cases.intake(branch.ctx, form=form, actor="A001").case.number


def shown(
    qtbot: QtBot, branch: Branch, worker: DbWorker, staff_no: str = "H201"
) -> AppointmentBookPanel:
    panel = AppointmentBookPanel(branch.ctx, worker, staff_no)
    qtbot.addWidget(panel)
    panel.resize(1150, 600)
    panel.show()
    drain(qtbot, worker)
    return panel


def column(panel: AppointmentBookPanel, col: int) -> list[str]:
    model = panel.model
    return [model.data(model.index(r, col)) for r in range(model.rowCount())]


def test_days_by_keyboard_per_staff_with_reminders_highlighted(
    qtbot: QtBot, qtmodeltester: Any, branch: Branch, worker: DbWorker
) -> None:
    wang_late = book(branch, at(15), at(16), "王师傅")
    wang_early = book(branch, at(9), at(10), "王师傅")
    li = book(branch, at(11), at(12), "李师傅")
    missed = book(branch, at(14), at(15), "李师傅")
    appointments.record_missed(branch.ctx, number=missed, actor="A001")
    friday = book(branch, at(10, date(2026, 11, 28)), at(11, date(2026, 11, 28)), None)
    panel = shown(qtbot, branch, worker)
    assert panel.day() == date(2026, 11, 25) and panel.model.rowCount() == 0
    panel.table.setFocus()
    with qtbot.waitSignal(panel.loaded, timeout=5000):
        qtbot.keyClick(panel.table, Key.Key_Right, ALT)
    assert panel.day() == DAY
    # Per person (李 before 王 in code point order), each one's day in time order.
    assert column(panel, 3) == [li, missed, wang_early, wang_late]
    assert column(panel, 0) == ["李师傅", "李师傅", "王师傅", "王师傅"]
    assert column(panel, 2)[0] == "11:00–12:00"
    assert column(panel, 7) == ["已预约", "爽约", "已预约", "已预约"]
    model = panel.model
    alarm = [model.data(model.index(r, 0), Qt.ItemDataRole.BackgroundRole) for r in range(4)]
    assert [b is not None and b.color() == ALARM_BACKGROUND for b in alarm] == [
        True,
        False,
        True,
        True,
    ]
    assert "3" in panel.reminder.text()
    qtmodeltester.check(model, force_py=True)
    SHOTS.mkdir(exist_ok=True)
    panel.grab().save(str(SHOTS / "appointment_book.png"))
    # The week holding the day, then a week further on; back again by Alt+Left.
    with qtbot.waitSignal(panel.loaded, timeout=5000):
        panel.week.setChecked(True)
    assert set(column(panel, 3)) == {li, missed, wang_early, wang_late, friday}
    assert column(panel, 0)[-1] == "（未指定）"  # nobody named comes last
    with qtbot.waitSignal(panel.loaded, timeout=5000):
        qtbot.keyClick(panel.table, Key.Key_Right, ALT)
    assert panel.day() == date(2026, 12, 3) and panel.model.rowCount() == 0
    with qtbot.waitSignal(panel.loaded, timeout=5000):
        qtbot.keyClick(panel.table, Key.Key_Left, ALT)
    assert panel.model.rowCount() == 5


def test_the_book_follows_changes(qtbot: QtBot, branch: Branch, worker: DbWorker) -> None:
    panel = shown(qtbot, branch, worker)
    panel.set_day(DAY)
    drain(qtbot, worker)
    assert panel.model.rowCount() == 0
    number = book(branch, at(9), at(10), "王师傅")

    # A change made through the worker (as any desk makes it) refreshes the book.
    with qtbot.waitSignal(panel.loaded, timeout=5000):
        worker.run(
            lambda ctx: appointments.record_missed(ctx, number=number, actor="A001"),
            writes=True,
        )
    assert column(panel, 3) == [number] and column(panel, 7) == ["爽约"]
    assert panel.reminder.text() == ""


# --- the staff filter, the actions on an appointment, printing ----------------------


def on_day(qtbot: QtBot, branch: Branch, worker: DbWorker) -> AppointmentBookPanel:
    """The book of the day as the manager M301 reads it (who may move any appointment)."""
    panel = shown(qtbot, branch, worker, "M301")
    with qtbot.waitSignal(panel.loaded, timeout=5000):
        panel.set_day(DAY)
    panel.table.setFocus()
    return panel


def choose(qtbot: QtBot, panel: AppointmentBookPanel, number: str) -> None:
    row = column(panel, 3).index(number)
    panel.select_row(row)
    panel.table.setFocus()
    qtbot.waitUntil(lambda: panel.selected() is not None)


def events(branch: Branch, number: str) -> list[Any]:
    return list(cases.get_case(branch.ctx, number, viewer="A001").events)


def test_the_staff_filter_narrows_the_book_and_the_reminders(
    qtbot: QtBot, branch: Branch, worker: DbWorker
) -> None:
    wang = book(branch, at(9), at(10), "王师傅")
    li = book(branch, at(11), at(12), "李师傅")
    li_friday = book(branch, at(9, date(2026, 11, 27)), at(10, date(2026, 11, 27)), "李师傅")
    wang_thursday = book(branch, at(15), at(16), "王师傅")
    panel = on_day(qtbot, branch, worker)
    offered = [panel.staff.itemText(i) for i in range(panel.staff.count())]
    # Everyone first; then the names on the book and the staff who serve customers.
    assert offered == ["全部人员", *sorted(["刘志强", "李师傅", "王师傅", "管理员"])]
    assert "3" in panel.reminder.text()
    with qtbot.waitSignal(panel.loaded, timeout=5000):
        panel.staff.setCurrentIndex(panel.staff.findText("李师傅"))
    assert panel.staff_filter() == "李师傅"
    assert column(panel, 3) == [li] and "1" in panel.reminder.text()
    # The week of one person reads by day, then time; the day names its weekday.
    with qtbot.waitSignal(panel.loaded, timeout=5000):
        panel.week.setChecked(True)
    assert column(panel, 3) == [li, li_friday]
    assert column(panel, 1) == ["2026-11-26 周四", "2026-11-27 周五"]
    with qtbot.waitSignal(panel.loaded, timeout=5000):
        panel.set_staff_filter(None)
    assert column(panel, 3) == [wang, li, wang_thursday, li_friday]
    SHOTS.mkdir(exist_ok=True)
    panel.grab().save(str(SHOTS / "appointment_book_week.png"))


def test_reschedule_refuses_a_clash_naming_the_field_then_moves(
    qtbot: QtBot, branch: Branch, worker: DbWorker
) -> None:
    taken = book(branch, at(14), at(16), "王师傅")
    number = book(branch, at(9), at(10), "李师傅")
    panel = on_day(qtbot, branch, worker)
    choose(qtbot, panel, number)
    before = len(events(branch, number))
    qtbot.keyClick(panel.table, Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    dialog = panel.dialog
    assert isinstance(dialog, RescheduleDialog) and dialog.isVisible()
    assert dialog.length_label.text() == "1 小时 00 分（不变）"
    # 王师傅 at 15:00 clashes with his 14:00–16:00 visit: refused, the field named.
    dialog.time_edit.setTime(QTime(15, 0))
    dialog.staff.setCurrentText("王师傅")
    type_text(dialog.reason, "用户要求改到下午")
    with qtbot.waitSignal(dialog.failed, timeout=5000):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.error.text() == f"开始时间：王师傅该时段已有预约（工单 {taken}）"
    assert dialog.isVisible() and "c62828" in dialog.time_edit.styleSheet()
    assert len(events(branch, number)) == before  # nothing written
    SHOTS.mkdir(exist_ok=True)
    dialog.grab().save(str(SHOTS / "appointment_reschedule_refused.png"))
    # An hour later is free; the length is kept, the new person recorded.
    dialog.time_edit.setTime(QTime(16, 0))
    with (
        qtbot.waitSignal(panel.loaded, timeout=5000),
        qtbot.waitSignal(dialog.recorded, timeout=5000),
    ):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert panel.dialog is None
    moved = events(branch, number)[-1]
    assert moved.kind == "reschedule_appointment"
    assert (moved.payload["start"], moved.payload["end"]) == (
        at(16).isoformat(),
        at(17).isoformat(),
    )
    assert (moved.payload["staff"], moved.payload["reason"]) == ("王师傅", "用户要求改到下午")
    assert column(panel, 3) == [taken, number] and column(panel, 2)[1] == "16:00–17:00"
    assert column(panel, 8)[1] == "1"  # moved once


def test_a_reschedule_without_a_reason_names_the_reason(
    qtbot: QtBot, branch: Branch, worker: DbWorker
) -> None:
    number = book(branch, at(9), at(10), "李师傅")
    panel = on_day(qtbot, branch, worker)
    choose(qtbot, panel, number)
    dialog = panel.reschedule()
    assert dialog is not None
    with qtbot.waitSignal(dialog.failed, timeout=5000):
        dialog.submit()
    assert dialog.error.text().startswith("原因：")
    assert dialog.reason.hasFocus() or "c62828" in dialog.reason.styleSheet()
    qtbot.keyClick(dialog, Key.Key_Escape)
    assert not dialog.isVisible() and panel.dialog is None


def test_mark_missed_asks_first_and_records_the_note(
    qtbot: QtBot, branch: Branch, worker: DbWorker
) -> None:
    number = book(branch, at(9), at(10), "王师傅")
    panel = on_day(qtbot, branch, worker)
    choose(qtbot, panel, number)
    before = len(events(branch, number))
    qtbot.keyClick(panel.table, Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    dialog = panel.dialog
    assert isinstance(dialog, MissedDialog) and number in dialog.case_line.text()
    qtbot.keyClick(dialog, Key.Key_Escape)  # thought better of it: nothing recorded
    assert len(events(branch, number)) == before and column(panel, 7) == ["已预约"]
    dialog = panel.mark_missed()
    assert dialog is not None
    type_text(dialog.note, "家中无人")
    with qtbot.waitSignal(panel.loaded, timeout=5000):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    last = events(branch, number)[-1]
    assert (last.kind, last.payload["note"]) == ("record_missed_appointment", "家中无人")
    assert column(panel, 7) == ["爽约"] and panel.reminder.text() == ""
    # A missed appointment may be moved, but not missed or confirmed again.
    choose(qtbot, panel, number)
    assert panel.buttons["reschedule"].isEnabled()
    assert not panel.buttons["missed"].isEnabled()
    assert not panel.buttons["confirmation"].isEnabled()
    assert panel.mark_missed() is None


def test_the_context_menu_offers_the_actions(
    qtbot: QtBot, branch: Branch, worker: DbWorker
) -> None:
    number = book(branch, at(9), at(10), "王师傅")
    panel = on_day(qtbot, branch, worker)
    rect = panel.table.visualRect(panel.model.index(0, 3))
    panel.table.customContextMenuRequested.emit(rect.center())
    assert panel.menu is not None and panel.selected() is not None
    assert panel.selected().case_number == number  # type: ignore[union-attr]
    texts = [a.text() for a in panel.menu.actions() if not a.isSeparator()]
    assert texts == ["打开工单", "改约…", "记为爽约…", "打印预约确认单", "打印日程单"]
    assert all(a.isEnabled() for a in panel.menu.actions())
    panel.menu.close()


def test_print_the_confirmation_and_the_day_sheet(
    qtbot: QtBot, branch: Branch, worker: DbWorker, monkeypatch: Any, tmp_path: Path
) -> None:
    number = book(branch, at(9), at(10), "王师傅")
    other = book(branch, at(9), at(10), "李师傅")
    panel = on_day(qtbot, branch, worker)
    choose(qtbot, panel, number)
    with qtbot.waitSignal(panel.previewed, timeout=10_000) as shown_doc:
        qtbot.keyClick(panel.table, Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    confirmation = shown_doc.args[0]
    assert (confirmation.kind, confirmation.number) == ("appointment_confirmation", number)
    preview = panel.preview
    assert isinstance(preview, PrintPreviewDialog) and preview.isVisible()
    assert "预约确认单" in preview.windowTitle() and preview.page_count() == 1
    assert events(branch, number)[-1].payload["document"] == "appointment_confirmation"
    target = tmp_path / "confirmation.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a: (str(target), "PDF (*.pdf)"))
    assert preview.save_pdf() == str(target)
    text = "".join(p.extract_text() for p in PdfReader(str(target)).pages)
    assert "预约确认单" in text and "138****5678" in text and "王师傅" in text
    preview.close()
    # The day sheet of the person shown: one A4 page, the other technician left out.
    with qtbot.waitSignal(panel.loaded, timeout=5000):
        panel.staff.setCurrentIndex(panel.staff.findText("王师傅"))
    with qtbot.waitSignal(panel.previewed, timeout=10_000) as shown_doc:
        qtbot.mouseClick(panel.buttons["day_sheet"], Qt.MouseButton.LeftButton)
    sheet = shown_doc.args[0]
    assert sheet.kind == "appointment_day_sheet" and sheet.number == "2026-11-26-王师傅"
    assert panel.preview is not None and "预约日程单" in panel.preview.windowTitle()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(sheet.pdf)).pages)
    assert number in text and other not in text
    panel.preview.close()


def test_a_refused_action_is_shown_in_words(qtbot: QtBot, branch: Branch, worker: DbWorker) -> None:
    number = book(branch, at(9), at(10), "王师傅")
    new = staff.add_staff(
        branch.ctx, staff_no="S501", name="系统管理员", roles=("admin",), actor="A001"
    )
    activate(branch.ctx, "S501", new.one_time_code)
    panel = AppointmentBookPanel(branch.ctx, worker, "S501")  # reads the book, prints nothing
    qtbot.addWidget(panel)
    panel.show()
    with qtbot.waitSignal(panel.loaded, timeout=5000):
        panel.set_day(DAY)
    choose(qtbot, panel, number)
    with qtbot.waitSignal(panel.failed, timeout=5000):
        panel.print_confirmation()
    assert "需要以下角色之一" in panel.error.text() and panel.preview is None
    assert [e.kind for e in events(branch, number)] == ["received"]


def workbench(qtbot: QtBot, branch: Branch, worker: DbWorker, staff_no: str) -> MainWindow:
    win = MainWindow(branch.ctx, worker, signed_in(branch.ctx, staff_no))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    return win


def test_the_workbench_says_what_is_due_within_the_hour_and_opens_the_case(
    qtbot: QtBot, branch: Branch, worker: DbWorker
) -> None:
    today = date(2026, 11, 25)  # the clock reads 09:30
    later = book(branch, at(13, today), at(14, today), "李师傅")
    win = workbench(qtbot, branch, worker, "H201")
    cue = win.desks.appointment_cue
    drain(qtbot, worker)
    assert not cue.isVisible()
    soon = book(branch, at(10, today), at(11, today), "王师傅")
    worker.changed.emit()  # as after any write at this desk
    qtbot.waitUntil(cue.isVisible)
    assert "1 个预约将在一小时内开始" in cue.text() and "10:00 王师傅" in cue.text()
    assert soon in cue.toolTip() and later not in cue.toolTip()
    SHOTS.mkdir(exist_ok=True)
    win.statusBar().grab().save(str(SHOTS / "appointment_cue.png"))
    # The link opens the book; Enter on an appointment shows its case in the workbench.
    cue.linkActivated.emit("appointments")
    qtbot.waitUntil(lambda: "appointments" in win.desks.open)
    panel = win.desks.open["appointments"].findChild(AppointmentBookPanel)
    assert panel is not None
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2)
    choose(qtbot, panel, soon)
    qtbot.keyClick(panel.table, Key.Key_Return)
    qtbot.waitUntil(lambda: win.detail.number == soon)
    # Once the visit is recorded as missed it is no longer due.
    worker.run(lambda ctx: appointments.record_missed(ctx, number=soon, actor="A001"), writes=True)
    qtbot.waitUntil(lambda: not cue.isVisible())
