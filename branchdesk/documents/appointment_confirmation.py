"""The appointment confirmation (预约确认单), a variant of the acceptance receipt the
customer takes home when a visit is booked or moved: the branch, the case number as
text and QR code, who the customer is (phone masked as on receipts), what service,
on which day in which time window and with whom, what to bring, and how to move or
cancel it. On an 80 mm roll the page is as long as its content; on A4 it is one page.

A case with no appointment still to keep (none booked, or recorded as missed) has
nothing to confirm: the print is refused and nothing is recorded."""

from __future__ import annotations

from datetime import datetime

from reportlab.lib.styles import ParagraphStyle  # type: ignore[import-untyped]
from reportlab.platypus import Flowable, Spacer  # type: ignore[import-untyped]

from branchdesk.documents.base import Sheet, letterhead, printed_line, reprint_marker
from branchdesk.documents.model import MM, DocumentError
from branchdesk.documents.pdf import QrCode, Rule, Styles, para
from branchdesk.documents.receipt import render_slip
from branchdesk.domain.model import CaseState

#: What to bring, in order (doc.appointment.bring.<n>).
BRING = 3


def _slot(sheet: Sheet) -> tuple[dict[str, object], datetime, datetime]:
    case = sheet.view.case
    slot = dict(case.appointment or {})
    if not slot or slot.get("status") == "missed" or case.state is CaseState.CANCELLED:
        raise DocumentError("error.document.no_appointment", number=case.number)
    return (
        slot,
        datetime.fromisoformat(str(slot["start"])),
        datetime.fromisoformat(str(slot["end"])),
    )


def content(sheet: Sheet, styles: Styles, width: float, qr_size: float) -> list[Flowable]:
    t, case = sheet.texts, sheet.view.case
    slot, start, end = _slot(sheet)
    flow: list[Flowable] = letterhead(sheet, styles, width, centred=True)
    flow.append(para(t("doc.title.appointment_confirmation"), styles.title))
    marker = reprint_marker(sheet)
    if marker:
        flow.append(para(marker, styles.big))
    flow.append(para(t("doc.field.case_number"), styles.centre))
    flow.append(para(case.number, styles.big))
    flow.append(Spacer(1, 3))
    flow.append(QrCode(case.number, qr_size))
    flow.append(Spacer(1, 3))
    flow.append(Rule())

    local_start, local_end = start.astimezone(t.tz), end.astimezone(t.tz)
    window = t(
        "doc.appointment.window",
        start=f"{local_start:%H:%M}",
        end=f"{local_end:%H:%M}",
    )
    facts = [
        (t("doc.field.customer"), case.customer_name),
        (t("doc.field.phone"), sheet.masked_phone()),
        (t("doc.appointment.field.service"), str(slot.get("service_type") or "")),
        (t("doc.appointment.field.content"), str(slot.get("content") or "")),
        (t("doc.appointment.field.date"), t.date(local_start)),
        (t("doc.appointment.field.time"), window),
        (t("doc.appointment.field.staff"), str(slot.get("staff") or "")),
        (t("doc.appointment.field.address"), case.customer_address or ""),
    ]
    for label, value in facts:
        if value:
            flow.append(para(t.pair(label, value), styles.body))
    moved = sum(1 for e in sheet.view.events if e.kind == "reschedule_appointment")
    if moved:
        flow.append(para(t("doc.appointment.rescheduled", n=moved), styles.small))
    flow.append(Rule())

    flow.append(para(t("doc.appointment.bring.heading"), styles.heading))
    size = styles.body.fontSize
    # A hanging indent: a wrapped item's lines start under its text, not its bullet.
    item_style = ParagraphStyle("item", parent=styles.body, leftIndent=size, firstLineIndent=-size)
    for n in range(1, BRING + 1):
        item = t("doc.appointment.item", text=t(f"doc.appointment.bring.{n}"))
        flow.append(para(item, item_style))
    flow.append(para(t("doc.appointment.change.heading"), styles.heading))
    phone = sheet.branch.phone
    change = (
        t("doc.appointment.change", phone=phone, number=case.number)
        if phone
        else t("doc.appointment.change_at_branch", number=case.number)
    )
    flow.append(para(change, styles.body))
    flow.append(Rule())
    flow.append(para(printed_line(sheet), styles.small))
    return flow


def render_appointment_confirmation(sheet: Sheet) -> bytes:
    return render_slip(
        sheet, "doc.title.appointment_confirmation", content, qr_roll=24 * MM, qr_a4=30 * MM
    )
