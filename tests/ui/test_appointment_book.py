"""The appointment book panel: the day's appointments per staff member, Alt+Left and
Alt+Right from day to day, the week view, and the day's reminders (still to keep)
highlighted; the model checked by qtmodeltester."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from branchdesk.domain.model import Appointment
from branchdesk.services import appointments, cases
from tests.conftest import TZ, Branch, complaint_form
from tests.ui.typing import SHOTS, drain
from ui.appointment_book import AppointmentBookPanel
from ui.followup_table import ALARM_BACKGROUND
from ui.worker import DbWorker

Key = Qt.Key
ALT = Qt.KeyboardModifier.AltModifier
DAY = date(2026, 11, 26)  # the day after the test clock's START


def at(hour: int, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=TZ)


def book(branch: Branch, start: datetime, end: datetime, staff: str | None) -> str:
    form = complaint_form(
        kind="service_request",
        category="service_request/broadband_install",
        remedy="",
        appointment=Appointment("宽带上门安装", start, end, staff=staff),
    )
    return cases.intake(branch.ctx, form=form, actor="A001").case.number


def shown(qtbot: QtBot, branch: Branch, worker: DbWorker) -> AppointmentBookPanel:
    panel = AppointmentBookPanel(branch.ctx, worker, "H201")
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
