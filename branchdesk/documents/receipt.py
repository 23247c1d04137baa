"""The acceptance receipt (受理回执) the customer takes home: who received what, the case
number as text and QR code, and what the branch promises by when. On an 80 mm roll the
page is exactly as long as its content; on A4 it is one ordinary page."""

from __future__ import annotations

from collections.abc import Callable

from reportlab.platypus import Flowable, Spacer  # type: ignore[import-untyped]

from branchdesk.documents.base import Sheet, build_pdf, letterhead, printed_line, reprint_marker
from branchdesk.documents.model import A4_SIZE, MM, ROLL_WIDTH, Paper
from branchdesk.documents.pdf import QrCode, Rule, Styles, make_styles, para

#: The deadlines a customer is promised, in the order they come; a kind has some of them.
PROMISED = ("first_reply", "assessment", "answer", "handling", "closure")
REGULATOR_MILESTONE = "regulator_appeal"
#: The regulator's answer period when the case's policy has no regulator clock.
REGULATOR_DAYS = 15

ROLL_MARGIN = 4 * MM
A4_MARGIN = 20 * MM


def content(sheet: Sheet, styles: Styles, width: float, qr_size: float) -> list[Flowable]:
    t, case = sheet.texts, sheet.view.case
    flow: list[Flowable] = letterhead(sheet, styles, width, centred=True)
    flow.append(para(t("doc.title.receipt"), styles.title))
    marker = reprint_marker(sheet)
    if marker:
        flow.append(para(marker, styles.big))
    flow.append(para(t("doc.field.case_number"), styles.centre))
    flow.append(para(case.number, styles.big))
    flow.append(Spacer(1, 3))
    flow.append(QrCode(case.number, qr_size))
    flow.append(Spacer(1, 3))
    flow.append(Rule())

    facts = [
        ("kind", t.word("label.CaseKind", case.kind.value)),
        ("category", sheet.category()),
        ("channel", t.word("label.Channel", case.channel)),
        ("customer", case.customer_name),
        ("phone", sheet.masked_phone()),
        ("summary", case.summary),
        ("remedy", case.remedy),
        ("appointment", sheet.appointment()),
        ("received_at", t.when(case.received_at)),
        ("clerk", sheet.person(case.receiving_clerk)),
    ]
    for name, value in facts:
        if value:
            flow.append(para(t.pair(t(f"doc.field.{name}"), value), styles.body))
    flow.append(Rule())

    flow.append(para(t("doc.receipt.deadlines"), styles.heading))
    by_id = {m.id: m for m in sheet.view.milestones}
    provisional = False
    for milestone_id in PROMISED:
        m = by_id.get(milestone_id)
        if m is None or m.due_at is None:
            continue
        due = t.when(m.due_at) + (t("doc.provisional_mark") if m.provisional else "")
        provisional |= m.provisional
        line = t("doc.receipt.deadline", milestone=t(f"doc.deadline.{milestone_id}"), due=due)
        flow.append(para(line, styles.body))
    if provisional:
        flow.append(para(t("doc.provisional_note"), styles.small))
    regulator = by_id.get(REGULATOR_MILESTONE)
    if regulator is not None and regulator.due_at is not None and regulator.limit is not None:
        note = t(
            "doc.receipt.regulator_due",
            due=t.date(regulator.due_at),
            days=regulator.limit.amount,
        )
    else:
        note = t("doc.receipt.regulator", days=REGULATOR_DAYS)
    flow.append(Spacer(1, 3))
    flow.append(para(note, styles.body))
    flow.append(Rule())
    flow.append(para(t("doc.receipt.keep"), styles.small))
    flow.append(Spacer(1, styles.body.fontSize * 1.5))
    flow.append(para(t("doc.receipt.signature") + " " + "_" * 18, styles.body))
    flow.append(Spacer(1, styles.body.fontSize))
    flow.append(para(t("doc.receipt.sign_date") + " " + "_" * 18, styles.body))
    flow.append(Spacer(1, styles.body.fontSize))
    flow.append(para(printed_line(sheet), styles.small))
    return flow


Content = Callable[[Sheet, Styles, float, float], list[Flowable]]


def _height(flowables: list[Flowable], width: float) -> float:
    """How tall the flowables stand in a frame `width` wide, spacing included."""
    total = 0.0
    for f in flowables:
        total += f.wrap(width, 1e6)[1] + f.getSpaceBefore() + f.getSpaceAfter()
    return total


def render_slip(
    sheet: Sheet, title_key: str, make: Content, *, qr_roll: float, qr_a4: float
) -> bytes:
    """A receipt-like slip on the sheet's paper: the 80 mm roll (the page as long as
    its content) or A4. `make(sheet, styles, width, qr_size)` gives the content."""
    title = f"{sheet.texts(title_key)} {sheet.view.case.number}"
    if sheet.request.paper is Paper.ROLL_80MM:
        width = ROLL_WIDTH - 2 * ROLL_MARGIN
        flow = make(sheet, make_styles(8.5), width, qr_roll)
        # A roll has no page length: measure the content and cut the page to it (a
        # little slack, since measuring and laying out round differently).
        height = _height(flow, width) + 2 * ROLL_MARGIN + 4 * MM
        margins = (ROLL_MARGIN, ROLL_MARGIN, ROLL_MARGIN, ROLL_MARGIN)
        return build_pdf(flow, (ROLL_WIDTH, height), margins, title=title)
    width = A4_SIZE[0] - 2 * A4_MARGIN
    flow = make(sheet, make_styles(11), width, qr_a4)
    margins = (A4_MARGIN, A4_MARGIN, 15 * MM, 15 * MM)
    return build_pdf(flow, A4_SIZE, margins, title=title)


def render_receipt(sheet: Sheet) -> bytes:
    return render_slip(sheet, "doc.title.receipt", content, qr_roll=28 * MM, qr_a4=32 * MM)
