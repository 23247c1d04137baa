"""The appointment book through the services on a real branch database: booking at
intake, conflicts refused field by field, rescheduling and missed appointments as case
events, day and week listings, the day's reminders and the printed confirmation."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from branchdesk.domain.errors import IllegalTransition, ValidationError
from branchdesk.domain.model import Appointment
from branchdesk.domain.permissions import PermissionDenied
from branchdesk.services import appointments, cases, printing
from tests.conftest import START, TZ, Branch, complaint_form
from tests.integration.test_documents import flat, squeezed

DAY = date(2026, 11, 26)  # the day after the test clock's START


def at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def book(branch: Branch, start: datetime, end: datetime, staff: str | None = "王师傅") -> str:
    form = complaint_form(
        kind="service_request",
        category="service_request/broadband_install",
        remedy="",
        appointment=Appointment("宽带上门安装", start, end, staff=staff),
    )
    return cases.intake(branch.ctx, form=form, actor="A001").case.number


def test_a_double_booking_at_intake_is_refused_naming_the_case(branch: Branch) -> None:
    first = book(branch, at(14), at(16))
    with pytest.raises(ValidationError) as clash:
        book(branch, at(15), at(17), staff=" 王师傅 ")
    [error] = clash.value.errors
    assert (error.field, error.key) == ("appointment.start", "error.appointment.conflict")
    assert error.params["case"] == first
    # Back to back is fine, and so is another technician at the same time.
    book(branch, at(16), at(17))
    book(branch, at(14), at(16), staff="李师傅")
    book(branch, at(14), at(16), staff=None)  # nobody named: no diary to clash with
    listed = appointments.day_book(branch.ctx, DAY, actor="H201")
    assert len(listed) == 4  # the refused intake left nothing behind


def test_reschedule_is_an_event_and_checks_the_diary(branch: Branch) -> None:
    ctx = branch.ctx
    first = book(branch, at(9), at(10))
    second = book(branch, at(14), at(16))
    with pytest.raises(ValidationError) as clash:
        appointments.reschedule(
            ctx, number=second, start=at(9, 30), end=at(11), reason="用户改约", actor="A001"
        )
    assert clash.value.errors[0].field == "start"
    assert clash.value.errors[0].params["case"] == first
    view = appointments.reschedule(
        ctx,
        number=second,
        start=datetime(2026, 11, 27, 10, 0),  # naive: branch-local
        end=datetime(2026, 11, 27, 12, 0),
        reason="用户要求改到周五上午",
        actor="A001",
    )
    event = view.events[-1]
    assert event.kind == "reschedule_appointment"
    assert event.payload["previous"]["start"] == at(14).isoformat()
    assert view.case.appointment is not None
    assert view.case.appointment["start"] == at(10, day=date(2026, 11, 27)).isoformat()
    assert view.case.appointment["service_type"] == "宽带上门安装"
    assert [e.case_number for e in appointments.day_book(ctx, DAY, actor="H201")] == [first]
    week = appointments.week_book(ctx, DAY, actor="H201")
    assert [(e.case_number, e.reschedules) for e in week] == [(first, 0), (second, 1)]
    # The slot freed by the move can be booked again.
    book(branch, at(14), at(16))
    with pytest.raises(ValidationError) as backwards:
        appointments.reschedule(
            ctx, number=first, start=at(11), end=at(10), reason="用户改约", actor="A001"
        )
    assert backwards.value.errors[0].key == "error.appointment.end_before_start"


def test_a_missed_appointment_is_recorded_once_and_frees_the_slot(branch: Branch) -> None:
    ctx = branch.ctx
    number = book(branch, at(9), at(10))
    view = appointments.record_missed(ctx, number=number, actor="A001", note="家中无人")
    event = view.events[-1]
    assert (event.kind, event.payload["start"]) == ("record_missed_appointment", at(9).isoformat())
    with pytest.raises(IllegalTransition) as again:
        appointments.record_missed(ctx, number=number, actor="A001")
    assert again.value.params["reason"] == "no_appointment"
    [entry] = appointments.day_book(ctx, DAY, actor="H201")
    assert entry.status == "missed"
    assert appointments.reminders(ctx, DAY, actor="H201") == []
    other = book(branch, at(9), at(10))  # the technician's hour is free again
    # A new time for the missed visit puts it back on the book.
    appointments.reschedule(
        ctx, number=number, start=at(11), end=at(12), reason="重新预约", actor="A001"
    )
    assert [e.case_number for e in appointments.reminders(ctx, DAY, actor="H201")] == [
        other,
        number,
    ]


def test_listings_by_staff_reminders_and_cancellation(branch: Branch) -> None:
    ctx = branch.ctx
    wang = book(branch, at(9), at(10))
    li = book(branch, at(9), at(10), staff="李师傅")
    later = book(branch, at(15), at(16))
    mine = appointments.day_book(ctx, DAY, actor="H201", staff="李师傅")
    assert [e.case_number for e in mine] == [li]
    assert mine[0].service_number == "KD0200012345"  # not a phone number: shown as is
    cases.act(ctx, number=later, action="cancel", params={"reason": "用户撤销"}, actor="A001")
    due = appointments.reminders(ctx, DAY, actor="H201")
    # By time, then by person (code point order: 李 before 王).
    assert [e.case_number for e in due] == [li, wang]
    # Once the 09:00-10:00 visits are over, nothing is left to keep that day.
    branch.clock.set(at(10, 1))
    assert appointments.reminders(ctx, DAY, actor="H201") == []
    assert appointments.day_book(ctx, DAY + timedelta(days=1), actor="H201") == []
    next_week = appointments.week_book(ctx, DAY + timedelta(days=7), actor="H201")
    assert next_week == []


def test_the_book_is_read_by_every_role_but_moved_by_owners_and_managers(branch: Branch) -> None:
    ctx = branch.ctx
    number = book(branch, at(9), at(10))
    appointments.day_book(ctx, DAY, actor="H201")
    with pytest.raises(PermissionDenied):  # H201 does not own the case
        appointments.reschedule(
            ctx, number=number, start=at(11), end=at(12), reason="用户改约", actor="H201"
        )
    appointments.reschedule(
        ctx, number=number, start=at(11), end=at(12), reason="用户改约", actor="M301"
    )


def test_the_receipt_confirms_the_current_appointment(branch: Branch) -> None:
    number = book(branch, at(14), at(16))
    appointments.reschedule(
        branch.ctx,
        number=number,
        start=at(10, 30, day=date(2026, 11, 27)),
        end=at(12, day=date(2026, 11, 27)),
        reason="用户改约",
        actor="A001",
    )
    printed = printing.print_document(branch.ctx, number=number, kind="receipt", actor="A001")
    text = squeezed(flat(printed.pdf))
    assert "宽带上门安装" in text and "王师傅" in text
    assert "预约：宽带上门安装·2026年11月27日10:30–12:00·王师傅" in text, text
    assert "14:00" not in text


def test_the_staff_filter_narrows_day_week_and_reminders_to_one_diary(branch: Branch) -> None:
    ctx = branch.ctx
    wang = book(branch, at(9), at(10))
    li = book(branch, at(9), at(10), staff="李师傅")
    li_friday = book(
        branch, at(14, day=date(2026, 11, 27)), at(15, day=date(2026, 11, 27)), "李师傅"
    )
    nobody = book(branch, at(11), at(12), staff=None)
    # Any spelling of the same person (spaces, letter case) is the same diary.
    assert [
        e.case_number for e in appointments.week_book(ctx, DAY, actor="H201", staff=" 李师傅 ")
    ] == [
        li,
        li_friday,
    ]
    assert [
        e.case_number for e in appointments.day_book(ctx, DAY, actor="H201", staff="王师傅")
    ] == [wang]
    assert [
        e.case_number for e in appointments.reminders(ctx, DAY, actor="H201", staff="李师傅")
    ] == [li]
    everyone = appointments.day_book(ctx, DAY, actor="H201")
    assert {e.case_number for e in everyone} == {wang, li, nobody}
    assert {e.case_number for e in appointments.day_book(ctx, DAY, actor="H201", staff="")} == {
        wang,
        li,
        nobody,
    }  # no name given: no filter
    assert appointments.day_book(ctx, DAY, actor="H201", staff="赵师傅") == []
    # What the day sheet needs of each line: the phone masked, the address, the details.
    entry = next(e for e in everyone if e.case_number == wang)
    assert (entry.phone, entry.address) == ("138****5678", "天河区体育西路100号")


def test_the_staff_filter_offers_names_on_the_book_and_serving_staff(branch: Branch) -> None:
    book(branch, at(9), at(10), staff=" 王师傅")
    book(branch, at(11), at(12), staff="王师傅 ")
    book(branch, at(9), at(10), staff="李师傅")
    book(branch, at(13), at(14), staff=None)
    # Names on the book, once each; the handler H201 (刘志强) and the administrator who
    # also serves at the counter (管理员); not the manager-only M301 (吴海涛).
    names = appointments.book_staff(branch.ctx, actor="H201")
    assert names == sorted(["刘志强", "李师傅", "王师傅", "管理员"])
    # A name seen only on appointments long past drops out of the list.
    branch.clock.advance(days=90)
    assert appointments.book_staff(branch.ctx, actor="H201") == sorted(["刘志强", "管理员"])


def test_due_soon_lists_what_starts_within_the_hour(branch: Branch) -> None:
    ctx = branch.ctx  # the clock reads 2026-11-25 09:30
    today = START.date()
    soon = book(branch, at(10, day=today), at(11, day=today))
    book(branch, at(11, day=today), at(12, day=today), staff="李师傅")  # later
    book(branch, at(9, day=today), at(10, day=today), staff="赵师傅")  # already started
    missed = book(branch, at(10, 15, day=today), at(11, day=today), staff="孙师傅")
    appointments.record_missed(ctx, number=missed, actor="A001")
    assert [e.case_number for e in appointments.due_soon(ctx, actor="H201")] == [soon]
    branch.clock.advance(minutes=40)  # 10:10: the 11:00 one is now within the hour
    assert len(appointments.due_soon(ctx, actor="H201")) == 1
    assert appointments.due_soon(ctx, actor="H201")[0].staff == "李师傅"


def test_a_visit_is_done_once_the_case_is_resolved(branch: Branch) -> None:
    ctx = branch.ctx
    number = book(branch, at(9), at(10))
    for action, params in (
        ("acknowledge", {}),
        ("assign", {"to": "H201"}),
        ("start_work", {}),
        ("resolve", {"result": "已上门安装完成"}),
    ):
        cases.act(ctx, number=number, action=action, params=params, actor="A001")
    (entry,) = appointments.day_book(ctx, DAY, actor="H201")
    assert entry.status == "done"
    assert appointments.reminders(ctx, DAY, actor="H201") == []  # nothing left to keep
