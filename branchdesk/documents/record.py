"""The case record sheet (案件记录) for the archive and for managers: every fact of the
case, its deadlines and its whole history, oldest first. It runs over as many A4
pages as it needs; each page repeats the header and says "第 x 页 / 共 y 页". Personal
identifiers are masked as on every other print."""

from __future__ import annotations

from datetime import datetime

from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]
from reportlab.platypus import (  # type: ignore[import-untyped]
    Flowable,
    KeepTogether,
    Spacer,
    Table,
    TableStyle,
)

from branchdesk.documents.base import Sheet, build_pdf, printed_line, reprint_marker
from branchdesk.documents.fonts import FONT
from branchdesk.documents.model import A4_SIZE, MM
from branchdesk.documents.pdf import (
    GREY,
    RULE,
    Styles,
    counting_canvas,
    heading,
    make_styles,
    para,
)
from branchdesk.domain.identity import mask_id
from branchdesk.domain.sla import MilestoneStatus

MARGIN = 15 * MM
HEADER = 22 * MM  # top margin: room for the repeated header
FOOTER = 16 * MM

GRID = [
    ("FONT", (0, 0), (-1, -1), FONT),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("GRID", (0, 0), (-1, -1), 0.4, RULE),
    ("LEFTPADDING", (0, 0), (-1, -1), 3),
    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
]


def _status(sheet: Sheet, m: MilestoneStatus) -> str:
    t, now = sheet.texts, sheet.request.printed_at
    if m.met_at is not None:
        return t("doc.status.met_late" if m.met_late() else "doc.status.met")
    if m.due_at is None:
        return t("doc.status.not_started")
    if m.paused:
        return t("doc.status.paused")
    return t("doc.status.overdue" if m.overdue(now) else "doc.status.running")


def facts_table(sheet: Sheet, styles: Styles, width: float) -> Table:
    t, case = sheet.texts, sheet.view.case
    satisfaction = ""
    if case.satisfied is not None:
        verdict = t("doc.story.satisfied" if case.satisfied else "doc.story.not_satisfied")
        satisfaction = f"{verdict} · {t('doc.story.score', score=case.satisfaction_score)}"
    pairs = [
        ("case_number", case.number),
        ("state", t.word("label.CaseState", case.state.value)),
        ("kind", t.word("label.CaseKind", case.kind.value)),
        ("grade", t.word("label.Grade", case.grade)),
        ("category", sheet.category()),
        ("channel", t.word("label.Channel", case.channel)),
        ("customer", case.customer_name),
        ("phone", sheet.masked_phone()),
        ("id_number", mask_id(case.customer_id_number) if case.customer_id_number else ""),
        ("service_number", case.service_number or ""),
        ("address", case.customer_address or ""),
        ("business", case.business or ""),
        ("event_date", t.date(case.event_date)),
        ("event_place", case.event_place or ""),
        ("received_at", t.when(case.received_at)),
        ("entered_at", t.when(case.entered_at)),
        ("clerk", sheet.person(case.receiving_clerk)),
        ("owner", sheet.person(case.owner)),
        ("escalation", t.word("label.EscalationState", case.escalation.value)),
        ("supervisor", sheet.person(case.supervisor)),
        ("responsibility", t.word("label.Responsibility", case.responsibility)),
        ("satisfaction", satisfaction),
        ("reopen_count", str(case.reopen_count) if case.reopen_count else ""),
        ("archive_no", case.archive_no or ""),
        ("appointment", sheet.appointment()),
    ]
    shown = [(t(f"doc.field.{name}"), value) for name, value in pairs if value]
    # Two label/value pairs a row; the label columns narrow, the value columns wide.
    rows = []
    for i in range(0, len(shown), 2):
        row = []
        for label, value in shown[i : i + 2]:
            row += [para(label, styles.small), para(value, styles.body)]
        rows.append(row + [""] * (4 - len(row)))
    label_w = 24 * MM
    value_w = width / 2 - label_w
    table = Table(rows, colWidths=[label_w, value_w, label_w, value_w], hAlign="LEFT")
    table.setStyle(TableStyle(GRID))
    return table


def milestones_table(sheet: Sheet, styles: Styles, width: float) -> Table:
    t = sheet.texts
    heads = ("milestone", "limit", "started", "due", "met", "status")
    rows: list[list[object]] = [[para(t(f"doc.record.col.{h}"), styles.small) for h in heads]]
    provisional = False
    for m in sheet.view.milestones:
        limit = t(f"unit.{m.limit.unit.value}", amount=m.limit.amount) if m.limit else ""
        if m.extension and m.limit:
            limit += f" +{t(f'unit.{m.limit.unit.value}', amount=m.extension)}"
        due = t.when(m.due_at) + (t("doc.provisional_mark") if m.provisional else "")
        provisional |= m.provisional
        cells = (
            t.word("milestone", m.id),
            limit,
            t.when(m.started_at),
            due,
            t.when(m.met_at),
            _status(sheet, m),
        )
        rows.append([para(c, styles.body) for c in cells])
    fractions = (0.2, 0.12, 0.19, 0.2, 0.19, 0.1)
    table = Table(rows, colWidths=[width * f for f in fractions], repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle([*GRID, ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee"))]))
    return table


def content(sheet: Sheet, styles: Styles, width: float) -> list[Flowable]:
    t, case = sheet.texts, sheet.view.case
    flow: list[Flowable] = [para(t("doc.title.case_record"), styles.title)]
    marker = reprint_marker(sheet)
    if marker:
        flow.append(para(marker, styles.right))
    flow.extend(heading(t("doc.record.section.facts"), styles))
    flow.append(facts_table(sheet, styles, width))
    # Long texts are paragraphs of their own, not table cells: a paragraph flows onto
    # the next page, a table row cannot.
    for name, value in (
        ("summary", case.summary),
        ("description", case.description),
        ("remedy", case.remedy),
    ):
        if value:
            flow.extend(heading(t(f"doc.field.{name}"), styles))
            flow.append(para(value, styles.body))

    flow.extend(heading(t("doc.record.section.milestones"), styles))
    flow.append(milestones_table(sheet, styles, width))
    if any(m.provisional for m in sheet.view.milestones):
        flow.append(para(t("doc.provisional_note"), styles.small))

    flow.extend(heading(t("doc.record.section.timeline"), styles))
    story = sheet.story
    for event in sheet.view.events:  # stored in sequence order: oldest first
        told = story.tell(event)
        at = event.at if isinstance(event.at, datetime) else datetime.fromisoformat(str(event.at))
        head = f"{t.when(at)}　{sheet.person(event.actor)}　{told.title}"
        lines = [para(head, styles.body)]
        body = [told.text, *told.details] if told.text else list(told.details)
        rest = [para(line, styles.indented) for line in body]
        # The heading stays with the first line of what it says; the rest may flow.
        flow.append(KeepTogether([*lines, *rest[:1]]))
        flow.extend(rest[1:])
        flow.append(Spacer(1, 4))
    return flow


def render_record(sheet: Sheet) -> bytes:
    styles = make_styles(9)
    width = A4_SIZE[0] - 2 * MARGIN
    flow = content(sheet, styles, width)
    t, case, branch = sheet.texts, sheet.view.case, sheet.branch
    page_w, page_h = A4_SIZE
    title = t("doc.title.case_record")
    footer = printed_line(sheet)
    marker = reprint_marker(sheet)

    def decorate(canvas: Canvas, page: int, pages: int) -> None:
        canvas.saveState()
        canvas.setFont(styles.body.fontName, styles.body.fontSize)
        top = page_h - 12 * MM
        canvas.drawString(MARGIN, top, branch.name)
        canvas.drawRightString(page_w - MARGIN, top, f"{title}　{case.number}")
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, top - 3 * MM, page_w - MARGIN, top - 3 * MM)
        canvas.setFont(styles.small.fontName, styles.small.fontSize)
        canvas.setFillColor(GREY)
        canvas.drawString(MARGIN, 10 * MM, footer)
        if marker:
            canvas.drawRightString(page_w - MARGIN, 10 * MM, marker)
        canvas.drawCentredString(page_w / 2, 10 * MM, t("doc.page", page=page, pages=pages))
        canvas.restoreState()

    margins = (MARGIN, MARGIN, HEADER, FOOTER)
    return build_pdf(
        flow,
        A4_SIZE,
        margins,
        title=f"{title} {case.number}",
        canvasmaker=counting_canvas(decorate),
    )
