"""The intake form driven as a clerk drives it: keyboard only, Chinese typed through the
input method, every result read back through the services on a real branch database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import TypeVar

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QRadioButton,
    QTreeWidget,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot
from sqlalchemy import Connection

from branchdesk.domain.case_numbers import is_valid_case_number
from branchdesk.domain.errors import ValidationError
from branchdesk.domain.model import Customer
from branchdesk.domain.model import IntakeForm as IntakeData
from branchdesk.domain.validation import validate_intake
from branchdesk.i18n import field_label, translate
from branchdesk.persistence.database import DatabaseError
from branchdesk.services import cases, queries
from tests.conftest import START, TZ, Branch, complaint_form
from tests.ui.signing import signed_in
from tests.ui.typing import SHOTS, drain, focused, press, type_text
from ui import i18n
from ui.intake_form import IntakeForm
from ui.worker import DbWorker

ME = "H201"
W = TypeVar("W", bound=QWidget)
Key = Qt.Key
Mod = Qt.KeyboardModifier


@pytest.fixture
def form(qtbot: QtBot, worker: DbWorker) -> IntakeForm:
    widget = IntakeForm(worker, signed_in(worker.ctx, ME))
    qtbot.addWidget(widget)
    widget.resize(1180, 860)
    widget.show()
    qtbot.waitExposed(widget)
    # Shortcuts (Ctrl+S, Alt+3, F2 …) only fire in the active window.
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow)
    widget.clear()
    return widget


def tab_to(qtbot: QtBot, name: str) -> QWidget:
    """Press Tab and check that the focus arrived on the field called `name`."""
    press(qtbot, Key.Key_Tab)
    assert focused().objectName() == name
    return focused()


def keep_active(qtbot: QtBot, form: IntakeForm, where: QWidget | None = None) -> None:
    """The offscreen platform activates every window it shows, the category list and
    message boxes too, and does not hand activation back when they close (a desktop
    does). Shortcuts need the form's window active again, the focus where it was."""
    where = where or focused()
    QApplication.processEvents()
    form.activateWindow()
    qtbot.waitUntil(form.isActiveWindow)
    where.setFocus()


def case_count(branch: Branch) -> int:
    return len(queries.list_cases(branch.ctx, limit=500))


def field(form: IntakeForm, name: str, kind: type[W]) -> W:
    widget = form.field_widget(name)
    assert isinstance(widget, kind)
    return widget


def text_of(form: IntakeForm, name: str) -> str:
    """What a field shows: a line, a text box, a list's current text."""
    widget = form.field_widget(name)
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText()
    if isinstance(widget, QComboBox):
        return widget.currentText()
    assert isinstance(widget, QLineEdit)
    return widget.text()


def label_of(form: IntakeForm, name: str) -> str:
    widget = form.field_widget(name)
    (label,) = [lbl for lbl in form.findChildren(QLabel) if lbl.buddy() is widget]
    return label.text()


def shot(widget: QWidget, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    QApplication.processEvents()  # pending re-layouts (after a language switch) first
    assert widget.grab().save(str(SHOTS / name))


def type_complaint(qtbot: QtBot, form: IntakeForm, *, phone: str) -> None:
    """Kind, phone, name, category, summary and remedy, moving on with Tab."""
    form.clear()
    press(qtbot, Key.Key_3, Mod.AltModifier)
    assert focused().objectName() == "kind.complaint"
    qtbot.keyClicks(tab_to(qtbot, "customer.phone"), phone)
    tab_to(qtbot, "customer.service_number")
    type_text(tab_to(qtbot, "customer.name"), "张三")
    tab_to(qtbot, "customer.id_number")
    tab_to(qtbot, "customer.address")
    type_text(tab_to(qtbot, "category"), "网络")
    type_text(tab_to(qtbot, "summary"), "家中手机信号弱经常掉线")
    keep_active(qtbot, form)
    tab_to(qtbot, "description")
    type_text(tab_to(qtbot, "remedy"), "尽快优化网络覆盖")


def test_a_complaint_is_taken_end_to_end_with_the_keyboard(
    qtbot: QtBot, form: IntakeForm, worker: DbWorker, branch: Branch
) -> None:
    type_complaint(qtbot, form, phone="138 1234 5678")
    # Typing part of a label picked the one entry that has it.
    assert text_of(form, "category") == "服务技术 / 网络"
    tab_to(qtbot, "grade")

    with qtbot.waitSignal(form.saved) as saved:
        press(qtbot, Key.Key_Return)
    number = saved.args[0]
    assert is_valid_case_number(number)

    drain(qtbot, worker)
    case = cases.get_case(branch.ctx, number, viewer=ME).case
    assert case.kind == "complaint"
    assert case.channel == "walk_in"
    assert case.category == "technical/network"
    assert case.grade == "ordinary"
    assert (case.customer_name, case.customer_phone) == ("张三", "13812345678")
    assert case.summary == "家中手机信号弱经常掉线"
    assert case.remedy == "尽快优化网络覆盖"
    assert case.receiving_clerk == ME
    assert case.received_at == START

    # The number is shown large and selectable, the form is empty for the next
    # customer and the focus is back on the first field.
    shown = form.findChild(QLabel, "case_number")
    assert shown is not None and shown.isVisible() and shown.text() == number
    assert shown.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByKeyboard
    assert text_of(form, "customer.phone") == ""
    assert text_of(form, "remedy") == ""
    assert focused().objectName() == "kind.complaint"
    press(qtbot, Key.Key_C, Mod.ControlModifier | Mod.ShiftModifier)
    assert QApplication.clipboard().text() == number


def test_ctrl_p_saves_and_asks_for_the_receipt(
    qtbot: QtBot, form: IntakeForm, worker: DbWorker, branch: Branch
) -> None:
    type_complaint(qtbot, form, phone="13812345678")
    with (
        qtbot.waitSignal(form.saved) as saved,
        qtbot.waitSignal(form.save_and_print_requested) as receipt,
    ):
        press(qtbot, Key.Key_P, Mod.ControlModifier)
    assert receipt.args == saved.args
    drain(qtbot, worker)
    assert cases.get_case(branch.ctx, saved.args[0], viewer=ME).case.customer_name == "张三"


def test_a_bad_phone_is_shown_on_the_phone_field_and_nothing_is_saved(
    qtbot: QtBot, form: IntakeForm, worker: DbWorker, branch: Branch
) -> None:
    before = case_count(branch)
    type_complaint(qtbot, form, phone="12345")
    with qtbot.assertNotEmitted(form.saved, wait=0):
        press(qtbot, Key.Key_S, Mod.ControlModifier)
        qtbot.waitUntil(lambda: form.field_error("customer.phone") != "")
        drain(qtbot, worker)

    assert form.field_error("customer.phone") == translate("error.phone.invalid", "zh_CN")
    for name in ("customer.name", "category", "summary", "remedy"):
        assert form.field_error(name) == ""
    assert focused().objectName() == "customer.phone"
    assert case_count(branch) == before

    # Correcting the number takes the error away, and the same form then saves.
    phone = field(form, "customer.phone", QLineEdit)
    phone.selectAll()
    qtbot.keyClicks(phone, "13812345678")
    assert form.field_error("customer.phone") == ""
    with qtbot.waitSignal(form.saved):
        press(qtbot, Key.Key_Return)
    drain(qtbot, worker)
    assert case_count(branch) == before + 1


def test_an_empty_form_shows_every_field_error_at_once(
    qtbot: QtBot, form: IntakeForm, worker: DbWorker, branch: Branch
) -> None:
    press(qtbot, Key.Key_3, Mod.AltModifier)
    press(qtbot, Key.Key_S, Mod.ControlModifier)
    qtbot.waitUntil(lambda: form.field_error("summary") != "")
    drain(qtbot, worker)

    empty = IntakeData(
        kind="complaint", channel="walk_in", category="", customer=Customer("", ""), summary=""
    )
    with pytest.raises(ValidationError) as raised:
        validate_intake(empty, branch.ctx.catalogue, now=START)
    expected = {e.field: translate(e.key, "zh_CN", **e.params) for e in raised.value.errors}
    assert set(expected) == {"customer.name", "customer.phone", "category", "summary", "remedy"}
    for name, text in expected.items():
        assert form.field_error(name) == text
    assert form.field_error("description") == ""
    summary = form.findChild(QLabel, "form_error")
    assert summary is not None and summary.isVisible()
    assert summary.text() == translate("error.validation", "zh_CN", count=5)
    # The first bad field in the conversation's order gets the focus.
    assert focused().objectName() == "customer.phone"
    assert case_count(branch) == 0
    shot(form, "intake_form_errors_zh_CN.png")


def test_the_fields_follow_the_kind(qtbot: QtBot, form: IntakeForm) -> None:
    def shown(name: str) -> bool:
        return form.field_widget(name).isVisibleTo(form)

    press(qtbot, Key.Key_1, Mod.AltModifier)
    assert all(shown(f"appointment.{n}") for n in ("service_type", "start", "end", "staff"))
    assert not shown("remedy") and not shown("grade")

    press(qtbot, Key.Key_2, Mod.AltModifier)
    assert not shown("appointment.service_type")
    assert not shown("remedy") and not shown("grade")

    press(qtbot, Key.Key_3, Mod.AltModifier)
    assert shown("remedy") and shown("grade")
    assert not shown("appointment.service_type")
    # The category list is the chosen kind's, in the current language.
    category = field(form, "category", QComboBox)
    labels = [category.itemText(i) for i in range(category.count())]
    assert "服务技术 / 网络" in labels and "业务办理 / 宽带新装" not in labels


def test_a_service_request_with_an_appointment_is_saved(
    qtbot: QtBot, form: IntakeForm, worker: DbWorker, branch: Branch
) -> None:
    press(qtbot, Key.Key_1, Mod.AltModifier)
    qtbot.keyClicks(tab_to(qtbot, "customer.phone"), "13900001111")
    tab_to(qtbot, "customer.service_number")
    type_text(tab_to(qtbot, "customer.name"), "李四")
    tab_to(qtbot, "customer.id_number")
    tab_to(qtbot, "customer.address")
    type_text(tab_to(qtbot, "category"), "宽带新装")
    type_text(tab_to(qtbot, "summary"), "新装宽带预约上门")
    keep_active(qtbot, form)
    tab_to(qtbot, "description")
    tab_to(qtbot, "channel")  # remedy and grade are not asked for a request
    tab_to(qtbot, "business")
    tab_to(qtbot, "event_date")
    tab_to(qtbot, "event_place")
    tab_to(qtbot, "received_at")
    type_text(tab_to(qtbot, "appointment.service_type"), "宽带安装")
    qtbot.keyClicks(tab_to(qtbot, "appointment.start"), "202611261400")
    qtbot.keyClicks(tab_to(qtbot, "appointment.end"), "202611261600")
    type_text(tab_to(qtbot, "appointment.staff"), "王师傅")
    shot(form, "intake_form_service_request_zh_CN.png")

    with qtbot.waitSignal(form.saved) as saved:
        press(qtbot, Key.Key_Return)
    drain(qtbot, worker)
    case = cases.get_case(branch.ctx, saved.args[0], viewer=ME).case
    assert case.kind == "service_request"
    assert case.category == "service_request/broadband_install"
    assert case.appointment is not None
    assert case.appointment["service_type"] == "宽带安装"
    assert case.appointment["staff"] == "王师傅"
    assert datetime.fromisoformat(case.appointment["start"]) == datetime(
        2026, 11, 26, 14, 0, tzinfo=TZ
    )
    assert datetime.fromisoformat(case.appointment["end"]) == datetime(
        2026, 11, 26, 16, 0, tzinfo=TZ
    )


def test_the_lookup_shows_earlier_cases_and_flags_a_repeat_complaint(
    qtbot: QtBot, form: IntakeForm, worker: DbWorker, branch: Branch
) -> None:
    earlier = cases.intake(branch.ctx, form=complaint_form(), actor=ME).case
    listing = form.findChild(QTreeWidget, "earlier_cases")
    flag = form.findChild(QLabel, "repeat_flag")
    assert listing is not None and flag is not None

    press(qtbot, Key.Key_3, Mod.AltModifier)
    qtbot.keyClicks(tab_to(qtbot, "customer.phone"), "13812345678")
    tab_to(qtbot, "customer.service_number")
    qtbot.waitUntil(lambda: listing.topLevelItemCount() == 1)
    row = listing.topLevelItem(0)
    assert row is not None
    assert [row.text(c) for c in range(5)] == [
        earlier.number,
        "2026-11-25",
        "投诉",
        "已受理",
        "家中手机信号弱经常掉线",
    ]
    assert flag.isVisible() and "1" in flag.text()

    # One key takes the name over from the latest case.
    press(qtbot, Key.Key_F2)
    assert text_of(form, "customer.name") == "张三"
    assert focused().objectName() == "customer.name"
    shot(form, "intake_form_lookup_zh_CN.png")

    # Another number: no earlier cases, no flag.
    phone = field(form, "customer.phone", QLineEdit)
    phone.setFocus()
    phone.selectAll()
    qtbot.keyClicks(phone, "13700000000")
    press(qtbot, Key.Key_Tab)
    qtbot.waitUntil(lambda: listing.topLevelItemCount() == 0)
    drain(qtbot, worker)
    assert not flag.isVisible()


def test_a_complaint_older_than_30_days_is_listed_but_not_a_repeat(
    qtbot: QtBot, form: IntakeForm, worker: DbWorker, branch: Branch
) -> None:
    cases.intake(branch.ctx, form=complaint_form(), actor=ME)
    branch.clock.advance(days=31)
    listing = form.findChild(QTreeWidget, "earlier_cases")
    flag = form.findChild(QLabel, "repeat_flag")
    assert listing is not None and flag is not None
    qtbot.keyClicks(tab_to(qtbot, "customer.phone"), "13812345678")
    press(qtbot, Key.Key_Tab)
    qtbot.waitUntil(lambda: listing.topLevelItemCount() == 1)
    assert not flag.isVisible()


def test_the_lookup_runs_by_service_number_while_typing(
    qtbot: QtBot, form: IntakeForm, worker: DbWorker, branch: Branch
) -> None:
    customer = Customer("王五", "13900000000", service_number="KD0200012345")
    cases.intake(branch.ctx, form=complaint_form(customer=customer), actor=ME)
    listing = form.findChild(QTreeWidget, "earlier_cases")
    assert listing is not None
    tab_to(qtbot, "customer.phone")
    qtbot.keyClicks(tab_to(qtbot, "customer.service_number"), "KD0200012345")
    # No Tab: the pause after typing is enough.
    qtbot.waitUntil(lambda: listing.topLevelItemCount() == 1)
    assert focused().objectName() == "customer.service_number"
    drain(qtbot, worker)


def test_a_back_dated_letter_keeps_its_received_time(
    qtbot: QtBot, form: IntakeForm, worker: DbWorker, branch: Branch
) -> None:
    type_complaint(qtbot, form, phone="020-12345678")
    tab_to(qtbot, "grade")
    channel = tab_to(qtbot, "channel")
    assert isinstance(channel, QComboBox)
    while channel.currentData() != "letter":
        press(qtbot, Key.Key_Down)
    tab_to(qtbot, "business")
    qtbot.keyClicks(tab_to(qtbot, "event_date"), "2026/11/19")
    tab_to(qtbot, "event_place")
    assert text_of(form, "event_date") == "2026-11-19"
    qtbot.keyClicks(tab_to(qtbot, "received_at"), "202611201400")

    with qtbot.waitSignal(form.saved) as saved:
        press(qtbot, Key.Key_S, Mod.ControlModifier)
    drain(qtbot, worker)
    case = cases.get_case(branch.ctx, saved.args[0], viewer=ME).case
    assert case.channel == "letter"
    assert case.received_at == datetime(2026, 11, 20, 14, 0, tzinfo=TZ)
    assert case.entered_at == START
    assert case.event_date == date(2026, 11, 19)


def test_an_unreadable_event_date_is_reported_by_the_domain(
    qtbot: QtBot, form: IntakeForm, worker: DbWorker, branch: Branch
) -> None:
    type_complaint(qtbot, form, phone="13812345678")
    form.field_widget("event_date").setFocus()
    qtbot.keyClicks(focused(), "2026-02-30")
    press(qtbot, Key.Key_S, Mod.ControlModifier)
    qtbot.waitUntil(lambda: form.field_error("event_date") != "")
    drain(qtbot, worker)
    assert form.field_error("event_date") == translate("error.field.invalid", "zh_CN")
    assert case_count(branch) == 0


def test_switching_language_keeps_what_was_typed(
    qtbot: QtBot, form: IntakeForm, worker: DbWorker
) -> None:
    type_complaint(qtbot, form, phone="12345")
    press(qtbot, Key.Key_S, Mod.ControlModifier)
    qtbot.waitUntil(lambda: form.field_error("customer.phone") != "")
    drain(qtbot, worker)
    assert label_of(form, "customer.phone") == field_label("customer.phone", "zh_CN")

    i18n.set_language("en")
    qtbot.waitUntil(lambda: label_of(form, "customer.phone") == "Contact phone")
    assert label_of(form, "summary") == field_label("summary", "en")
    assert form.field_error("customer.phone") == translate("error.phone.invalid", "en")
    kind = form.findChild(QRadioButton, "kind.complaint")
    assert kind is not None and kind.text() == "Complaint (Alt+3)"
    assert text_of(form, "category") == "Technical / Network"
    assert text_of(form, "customer.phone") == "12345"
    assert text_of(form, "customer.name") == "张三"
    assert text_of(form, "remedy") == "尽快优化网络覆盖"
    shot(form, "intake_form_errors_en.png")


def test_enter_in_a_multi_line_field_breaks_the_line(
    qtbot: QtBot, form: IntakeForm, worker: DbWorker, branch: Branch
) -> None:
    type_complaint(qtbot, form, phone="13812345678")
    assert focused().objectName() == "remedy"
    press(qtbot, Key.Key_Return)
    type_text(form.field_widget("remedy"), "并减免当月费用")
    drain(qtbot, worker)
    assert text_of(form, "remedy") == "尽快优化网络覆盖\n并减免当月费用"
    assert case_count(branch) == 0


def test_escape_asks_before_discarding_what_was_typed(qtbot: QtBot, form: IntakeForm) -> None:
    type_complaint(qtbot, form, phone="13812345678")
    press(qtbot, Key.Key_Escape)
    box = form.findChild(QMessageBox, "discard_confirmation")
    assert box is not None
    qtbot.waitExposed(box)
    qtbot.keyClick(box, Key.Key_Escape)  # keep editing
    qtbot.waitUntil(lambda: form.findChild(QMessageBox, "discard_confirmation") is None)
    assert text_of(form, "customer.name") == "张三"

    keep_active(qtbot, form, form.field_widget("summary"))
    press(qtbot, Key.Key_Escape)
    box = form.findChild(QMessageBox, "discard_confirmation")
    assert box is not None
    qtbot.waitExposed(box)
    qtbot.keyClick(box, Key.Key_Return)  # discard
    qtbot.waitUntil(lambda: text_of(form, "customer.name") == "")
    assert text_of(form, "remedy") == ""


def test_escape_on_an_empty_form_is_left_to_the_dialog_around_it(
    qtbot: QtBot, worker: DbWorker
) -> None:
    dialog = QDialog()
    qtbot.addWidget(dialog)
    form = IntakeForm(worker, signed_in(worker.ctx, ME), dialog)
    QVBoxLayout(dialog).addWidget(form)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    form.clear()
    with qtbot.waitSignal(dialog.rejected):
        press(qtbot, Key.Key_Escape)
    assert form.findChild(QMessageBox, "discard_confirmation") is None


def test_screenshot_of_a_filled_form(
    qtbot: QtBot, form: IntakeForm, worker: DbWorker, branch: Branch
) -> None:
    cases.intake(branch.ctx, form=complaint_form(), actor=ME)
    type_complaint(qtbot, form, phone="13812345678")
    type_text(form.field_widget("description"), "近一个月在家中室内信号只有一格，通话经常中断。")
    type_text(form.field_widget("event_place"), "天河区体育西路100号")
    listing = form.findChild(QTreeWidget, "earlier_cases")
    assert listing is not None
    qtbot.waitUntil(lambda: listing.topLevelItemCount() == 1)
    shot(form, "intake_form_filled_zh_CN.png")
    with qtbot.waitSignal(form.saved):
        press(qtbot, Key.Key_S, Mod.ControlModifier)
    shot(form, "intake_form_saved_zh_CN.png")
    drain(qtbot, worker)


def test_a_save_whose_answer_was_lost_is_not_saved_twice(
    qtbot: QtBot,
    form: IntakeForm,
    worker: DbWorker,
    branch: Branch,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The case is stored but the save reports an error (the disk failed as the commit
    returned): the form keeps what was typed, and the clerk pressing Ctrl+S again gets
    the case stored the first time, not a second one."""
    before = case_count(branch)
    real_write = branch.ctx.db.write
    lost: list[str] = []

    @contextmanager
    def write_then_lose_the_answer() -> Iterator[Connection]:
        with real_write() as conn:
            yield conn
        if not lost:  # committed; only the first save's answer is lost
            lost.append("lost")
            raise DatabaseError("error.db.cannot_open", path="branchdesk.db", detail="I/O")

    monkeypatch.setattr(branch.ctx.db, "write", write_then_lose_the_answer)
    type_complaint(qtbot, form, phone="13812345678")
    form_id = form.form_id
    with qtbot.assertNotEmitted(form.saved, wait=0):
        press(qtbot, Key.Key_S, Mod.ControlModifier)
        error = form.findChild(QLabel, "form_error")
        assert error is not None
        qtbot.waitUntil(error.isVisible)
        drain(qtbot, worker)
    assert lost and case_count(branch) == before + 1  # stored, though it said it failed
    assert translate("error.db.cannot_open", "zh_CN", path="branchdesk.db", detail="I/O") in (
        error.text()
    )
    assert text_of(form, "summary") == "家中手机信号弱经常掉线" and form.form_id == form_id

    with qtbot.waitSignal(form.saved) as saved:
        press(qtbot, Key.Key_S, Mod.ControlModifier)
    drain(qtbot, worker)
    assert case_count(branch) == before + 1
    (case,) = queries.list_cases(branch.ctx, limit=1)
    assert saved.args == [case.number]
    shown = form.findChild(QLabel, "case_number")
    assert shown is not None and shown.isVisible() and shown.text() == case.number
    # The next customer's form is a new form: the same words make a second case. So is
    # a form cleared (Esc) before it was saved.
    assert form.form_id != form_id
    before_clear = form.form_id
    form.clear()
    assert form.form_id != before_clear
    type_complaint(qtbot, form, phone="13812345678")
    with qtbot.waitSignal(form.saved) as second:
        press(qtbot, Key.Key_S, Mod.ControlModifier)
    drain(qtbot, worker)
    assert second.args != saved.args and case_count(branch) == before + 2


def test_save_and_print_retried_after_a_lost_answer_prints_the_case_saved(
    qtbot: QtBot,
    form: IntakeForm,
    worker: DbWorker,
    branch: Branch,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Ctrl+P whose save was stored but answered with an error: Ctrl+P again asks for
    the receipt of the case stored the first time (one case, one receipt request)."""
    real_write = branch.ctx.db.write
    lost: list[str] = []

    @contextmanager
    def write_then_lose_the_answer() -> Iterator[Connection]:
        with real_write() as conn:
            yield conn
        if not lost:
            lost.append("lost")
            raise DatabaseError("error.db.cannot_open", path="branchdesk.db", detail="I/O")

    monkeypatch.setattr(branch.ctx.db, "write", write_then_lose_the_answer)
    type_complaint(qtbot, form, phone="13812345678")
    with qtbot.assertNotEmitted(form.save_and_print_requested, wait=0):
        press(qtbot, Key.Key_P, Mod.ControlModifier)
        qtbot.waitUntil(lambda: bool(lost))
        drain(qtbot, worker)
    with qtbot.waitSignal(form.save_and_print_requested) as receipt:
        press(qtbot, Key.Key_P, Mod.ControlModifier)
    drain(qtbot, worker)
    (case,) = queries.list_cases(branch.ctx, limit=5)
    assert receipt.args == [case.number]


def test_a_changed_form_after_a_lost_answer_names_the_case_already_saved(
    qtbot: QtBot, form: IntakeForm, worker: DbWorker, branch: Branch
) -> None:
    """Saved once under this form's id (its answer lost), then edited and saved again:
    refused, naming the case that was saved, and nothing else is written."""
    type_complaint(qtbot, form, phone="13812345678")
    first = cases.save_intake(
        branch.ctx, form=complaint_form(), actor=ME, key=form.form_id
    ).view.case.number
    with qtbot.assertNotEmitted(form.saved, wait=0):
        press(qtbot, Key.Key_S, Mod.ControlModifier)
        error = form.findChild(QLabel, "form_error")
        assert error is not None
        qtbot.waitUntil(error.isVisible)
        drain(qtbot, worker)
    assert first in error.text() and field_label("idempotency_key", "zh_CN") in error.text()
    assert case_count(branch) == 1
