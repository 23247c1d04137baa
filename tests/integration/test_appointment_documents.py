"""The appointment's printed papers through the real services: the confirmation (预约确认单,
a receipt variant, recorded like every print) and the technician's day sheet (预约日程单,
written to the audit trail), in both languages; the text pypdf reads back is what each
must say, the customer's phone masked; pages are the right size; page 1 of each is left
as a PNG for a person to look at."""

from __future__ import annotations

import io
from datetime import date, datetime

import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader

from branchdesk.documents import DocumentError
from branchdesk.domain.model import Appointment
from branchdesk.services import appointments, audit, cases, printing
from branchdesk.services.branch import update_branch
from tests.conftest import TZ, Branch, complaint_form
from tests.integration.test_documents import flat, font_names, squeezed
from tests.ui.typing import SHOTS

DAY = date(2026, 11, 26)  # the day after the test clock's START
MM = 72 / 25.4


def at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def book(
    branch: Branch,
    start: datetime,
    end: datetime,
    staff: str | None = "王师傅",
    content: str | None = "千兆光纤入户，安装光猫",
    **customer: str,
) -> str:
    form = complaint_form(
        kind="service_request",
        category="service_request/broadband_install",
        remedy="",
        appointment=Appointment("宽带上门安装", start, end, staff=staff, content=content),
    )
    if customer:
        from dataclasses import replace

        form = replace(form, customer=replace(form.customer, **customer))
    return cases.intake(branch.ctx, form=form, actor="A001").case.number


def letterhead(branch: Branch) -> None:
    update_branch(branch.ctx, address="天河区天河路208号", phone="020-38881234", actor="A001")


def page_png(pdf: bytes, name: str) -> None:
    """Page 1 as a PNG in the screenshots folder, for a person to look at."""
    SHOTS.mkdir(exist_ok=True)
    document = pdfium.PdfDocument(pdf)
    try:
        image = document[0].render(scale=2).to_pil()
        image.save(SHOTS / name)
        assert image.getextrema() != ((255, 255), (255, 255), (255, 255))  # not blank
    finally:
        document.close()


def pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


# --- the confirmation ---------------------------------------------------------------


def test_the_confirmation_says_when_who_and_what_to_bring(branch: Branch) -> None:
    letterhead(branch)
    number = book(branch, at(14), at(16))
    printed = printing.print_document(
        branch.ctx, number=number, kind="appointment_confirmation", actor="A001"
    )
    assert round(printed.page_width_pt / MM) == 80  # the receipt's roll by default
    assert pages(printed.pdf) == 1
    text = squeezed(flat(printed.pdf))
    for expected in (
        "广州天河营业厅",
        "预约确认单",
        number,
        "客户姓名：张三",
        "联系电话：138****5678",
        "预约业务：宽带上门安装",
        "预约内容：千兆光纤入户，安装光猫",
        "预约日期：2026年11月26日",
        "预约时段：14:00–16:00",
        "服务人员：王师傅",
        "服务地址：天河区体育西路100号",
        "请携带",
        "机主本人有效身份证件原件",
        "如需改约或取消",
        "请至少提前2小时致电020-38881234",
        f"告知受理编号{number}",
    ):
        assert expected in text, expected
    assert "13812345678" not in text  # the phone as receipts show it
    assert "已改约" not in text
    assert all("+WenQuanYiMicroHei" in name for name in font_names(printed.pdf))
    page_png(printed.pdf, "appointment_confirmation-80mm.zh_CN.png")
    # The print is a case event like any other, with its own copy count.
    view = cases.get_case(branch.ctx, number, viewer="A001")
    assert [(e.kind, e.payload["document"]) for e in view.events[-1:]] == [
        ("printed", "appointment_confirmation")
    ]
    again = printing.print_document(
        branch.ctx, number=number, kind="appointment_confirmation", actor="A001"
    )
    assert again.copy_no == 2 and "补打" in flat(again.pdf)


def test_the_confirmation_in_english_on_a4_after_a_move(branch: Branch) -> None:
    number = book(branch, at(14), at(16))
    appointments.reschedule(
        branch.ctx,
        number=number,
        start=at(10, 30, day=date(2026, 11, 27)),
        end=at(12, 30, day=date(2026, 11, 27)),
        reason="customer asked",
        actor="A001",
        staff="李师傅",
    )
    printed = printing.print_document(
        branch.ctx,
        number=number,
        kind="appointment_confirmation",
        actor="A001",
        lang="en",
        paper="a4",
    )
    assert round(printed.page_width_pt) == 595 and pages(printed.pdf) == 1
    text = flat(printed.pdf)
    for expected in (
        "Appointment Confirmation",
        "Customer: 张三",
        "Time: 10:30–12:30",
        "Staff / technician: 李师傅",
        "Please bring",
        "To reschedule or cancel",
        "moved 1 time(s)",
    ):
        assert expected in text, expected
    # No branch phone in the settings: the customer is asked to come to the branch.
    assert "Come to the branch at least 2 hours before" in text
    assert "14:00" not in text and "13812345678" not in text
    page_png(printed.pdf, "appointment_confirmation-a4.en.png")


def test_nothing_to_confirm_once_missed_and_nothing_recorded(branch: Branch) -> None:
    number = book(branch, at(9), at(10))
    appointments.record_missed(branch.ctx, number=number, actor="A001")
    plain = cases.intake(branch.ctx, form=complaint_form(), actor="A001").case.number
    for case in (number, plain):
        before = len(cases.get_case(branch.ctx, case, viewer="A001").events)
        with pytest.raises(DocumentError) as refused:
            printing.print_document(
                branch.ctx, number=case, kind="appointment_confirmation", actor="A001"
            )
        assert refused.value.key == "error.document.no_appointment"
        assert len(cases.get_case(branch.ctx, case, viewer="A001").events) == before


# --- the day sheet ------------------------------------------------------------------


def test_the_day_sheet_lists_one_technicians_day_in_time_order(branch: Branch) -> None:
    letterhead(branch)
    late = book(branch, at(15), at(16), address="天河区天河北路 3 号 1201 房")
    early = book(branch, at(9), at(10), content=None)
    missed = book(branch, at(11), at(12))
    appointments.record_missed(branch.ctx, number=missed, actor="A001")
    other = book(branch, at(9), at(10), staff="李师傅")
    sheet = appointments.day_sheet(branch.ctx, DAY, actor="H201", staff="王师傅")
    assert round(sheet.page_width_pt) == 595 and round(sheet.page_height_pt) == 842  # A4
    assert pages(sheet.pdf) == 1 and sheet.kind == "appointment_day_sheet"
    text = squeezed(flat(sheet.pdf))
    assert "预约日程单" in text and "2026年11月26日服务人员：王师傅" in text
    assert "当日预约共3个，其中待履约2个。" in text
    assert text.index(early) < text.index(missed) < text.index(late)
    assert other not in text and "李师傅" not in text
    for expected in ("09:00–10:00", "138****5678", "天河区天河北路3号1201房", "爽约", "待履约"):
        assert expected in text, expected
    assert "13812345678" not in text
    page_png(sheet.pdf, "appointment_day_sheet.zh_CN.png")
    [entry] = audit.browse(
        branch.ctx, actor="A001", filter=audit.AuditFilter(action="appointment.day_sheet")
    )
    assert entry.actor == "H201"
    assert entry.detail == {"day": "2026-11-26", "staff": "王师傅", "appointments": 3}


def test_the_day_sheet_of_everyone_in_english(branch: Branch) -> None:
    wang = book(branch, at(9), at(10))
    nobody = book(branch, at(10), at(11), staff=None)
    sheet = appointments.day_sheet(branch.ctx, DAY, actor="H201", lang="en")
    text = flat(sheet.pdf)
    assert "Appointment Day Sheet" in text and "Staff: everyone" in text
    assert "2 appointment(s) that day, 2 still to keep." in text
    assert wang in text and nobody in text and "(nobody named)" in text
    page_png(sheet.pdf, "appointment_day_sheet.en.png")
    empty = appointments.day_sheet(branch.ctx, date(2026, 12, 1), actor="H201", lang="en")
    assert "No appointments that day." in flat(empty.pdf)
