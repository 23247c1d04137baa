"""The appointment day sheet (预约日程单): one day of the book, of one staff member or
technician (or of everyone), as an A4 list to take on the round: time window, case
number, customer (phone masked), service and what was booked, address, status, and a
column to sign or note in. Data in, PDF bytes out; the words are in the document
tables. A usual day fits one page; a long one runs on, every page numbered."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.platypus import Flowable, Spacer, Table, TableStyle  # type: ignore[import-untyped]

from branchdesk.documents.followup_reports import report_pdf
from branchdesk.documents.fonts import FONT, register_fonts
from branchdesk.documents.model import A4_SIZE, MM, Letterhead
from branchdesk.documents.pdf import GREY, RULE, Rule, logo, make_styles, para
from branchdesk.documents.texts import Texts
from branchdesk.services.appointments import BookEntry

MARGIN = 14 * MM
HEAD_FILL = colors.HexColor("#eeeeee")
#: Rows of appointments no longer to be kept (missed, cancelled) are greyed.
CLOSED_FILL = colors.HexColor("#f3f3f3")


@dataclass(frozen=True)
class DaySheet:
    branch: Letterhead
    day: date
    staff: str | None  # None: everyone's appointments
    entries: Sequence[BookEntry]
    printed_at: datetime
    printed_by: str


def render_day_sheet(sheet: DaySheet, *, lang: str, tz: ZoneInfo) -> bytes:
    register_fonts()
    t = Texts(lang, tz)
    styles = make_styles(9)
    width = A4_SIZE[0] - 2 * MARGIN
    title = t("doc.day_sheet.title")
    flow: list[Flowable] = []
    b = sheet.branch
    if b.logo_png is not None:
        image = logo(b.logo_png, 30 * MM, 14 * MM)
        image.hAlign = "LEFT"
        flow.append(image)
    flow.append(para(b.name, styles.heading))
    contact = [t("doc.branch.address", address=b.address)] if b.address else []
    if b.phone:
        contact.append(t("doc.branch.phone", phone=b.phone))
    if contact:
        flow.append(para("　".join(contact), styles.body))
    flow += [Rule(), para(title, styles.title)]
    who = sheet.staff or t("doc.day_sheet.everyone")
    flow.append(para(t("doc.day_sheet.subtitle", date=t.date(sheet.day), staff=who), styles.big))
    booked = sum(1 for e in sheet.entries if e.status == "booked")
    flow.append(
        para(t("doc.day_sheet.count", count=len(sheet.entries), booked=booked), styles.centre)
    )
    flow.append(Spacer(1, 3 * MM))

    everyone = sheet.staff is None
    heads = ["time", *(["staff"] if everyone else []), "case", "customer", "service"]
    heads += ["address", "status", "note"]
    rows: list[list[object]] = [[para(t(f"doc.day_sheet.col.{h}"), styles.small) for h in heads]]
    extra: list[tuple[object, ...]] = []
    ordered = sorted(sheet.entries, key=lambda e: (e.start, e.staff or "", e.case_number))
    for i, e in enumerate(ordered, start=1):
        start, end = e.start.astimezone(tz), e.end.astimezone(tz)
        service = "\n".join(p for p in (e.service_type, e.content) if p)
        cells = [f"{start:%H:%M}–{end:%H:%M}"]
        if everyone:
            cells.append(e.staff or t("doc.day_sheet.nobody"))
        cells += [
            e.case_number,
            "\n".join(p for p in (e.customer_name, e.phone) if p),
            service or t("doc.none"),
            e.address or t("doc.none"),
            t(f"doc.day_sheet.status.{e.status}"),
            "",
        ]
        rows.append([para(c, styles.body) for c in cells])
        if e.status != "booked":
            extra.append(("BACKGROUND", (0, i), (-1, i), CLOSED_FILL))
            extra.append(("TEXTCOLOR", (0, i), (-1, i), GREY))
    if not ordered:
        rows.append([para(t("doc.day_sheet.empty"), styles.body)] + [""] * (len(heads) - 1))
        extra.append(("SPAN", (0, 1), (-1, 1)))
    # The time window and the case number are never wrapped at 9 pt.
    fractions = {
        "time": 0.11,
        "staff": 0.08,
        "case": 0.215,
        "customer": 0.12,
        "service": 0.145,
        "address": 0.155,
        "status": 0.085,
        "note": 0.09,
    }
    if not everyone:  # the staff column's room goes to the address
        fractions["address"] += fractions.pop("staff")
    table = Table(
        rows, colWidths=[width * fractions[h] for h in heads], repeatRows=1, hAlign="LEFT"
    )
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("GRID", (0, 0), (-1, -1), 0.4, RULE),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ("TOPPADDING", (0, 1), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 1), (-1, -1), 6),
                ("BACKGROUND", (0, 0), (-1, 0), HEAD_FILL),
                *extra,
            ]
        )
    )
    flow.append(table)

    return report_pdf(
        flow,
        A4_SIZE,
        title=title,
        texts=t,
        printed_at=sheet.printed_at,
        printed_by=sheet.printed_by,
        document_title=f"{title} {sheet.day.isoformat()}",
    )
