"""The closure letter (处理结果告知书): the written result the customer receives once the
case has been handled (§4.3.2): facts, cause, responsibility, measures and compensation,
result, satisfaction, where to go next, contact, seal and date. A case without a
handling result gets no letter: half a letter would tell the customer nothing."""

from __future__ import annotations

from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]
from reportlab.platypus import Flowable, KeepTogether, Spacer  # type: ignore[import-untyped]

from branchdesk.documents.base import Sheet, build_pdf, letterhead, printed_line, reprint_marker
from branchdesk.documents.model import A4_SIZE, MM, DocumentError
from branchdesk.documents.pdf import GREY, Styles, counting_canvas, heading, make_styles, para
from branchdesk.services.cases import EventView

MARGIN = 20 * MM
# What records the result (answer: a consultation; resolve_by_incident: an incident's
# explanation, given to every case linked to it).
RESOLUTIONS = ("resolve", "answer", "resolve_by_incident")


def resolution(sheet: Sheet) -> EventView:
    """The event recording the case's current result. Raises DocumentError when there
    is none, or when the case was reopened after it (that result no longer stands)."""
    result = sheet.last(RESOLUTIONS)
    reopened = sheet.last(("reopen",))
    case = sheet.view.case
    if result is None or (reopened is not None and reopened.seq > result.seq):
        raise DocumentError(
            "error.document.not_resolved", number=case.number, state=case.state.value
        )
    return result


def content(sheet: Sheet, styles: Styles, width: float) -> list[Flowable]:
    t, case = sheet.texts, sheet.view.case
    resolved = resolution(sheet)
    flow: list[Flowable] = letterhead(sheet, styles, width, centred=False)
    flow.append(para(t("doc.title.closure_letter"), styles.title))
    marker = reprint_marker(sheet)
    if marker:
        flow.append(para(marker, styles.right))
    flow.append(para(t("doc.letter.ref", number=case.number), styles.right))
    flow.append(Spacer(1, 6))
    flow.append(para(t("doc.letter.salutation", name=case.customer_name), styles.body))
    intro = t(
        "doc.letter.intro",
        received=t.when(case.received_at),
        channel=t.word("label.Channel", case.channel),
        summary=case.summary,
    )
    flow.append(para(intro, styles.body))

    sections: list[tuple[str, list[str]]] = []
    facts = [
        t.pair(t("doc.field.kind"), t.word("label.CaseKind", case.kind.value)),
        t.pair(t("doc.field.category"), sheet.category()),
        t.pair(t("doc.field.summary"), case.summary),
    ]
    optional = [
        ("description", case.description),
        ("event_date", t.date(case.event_date)),
        ("event_place", case.event_place or ""),
        ("business", case.business or ""),
        ("service_number", case.service_number or ""),
        ("remedy", case.remedy),
    ]
    facts += [t.pair(t(f"doc.field.{name}"), value) for name, value in optional if value]
    sections.append(("facts", facts))

    p = resolved.payload
    cause = p.get("cause_analysis")
    if not cause:
        investigation = sheet.last(("record_investigation",), before=resolved.seq)
        cause = investigation.payload.get("findings") if investigation else None
    sections.append(("cause", [str(cause or t("doc.none"))]))

    determined = sheet.last(("determine_responsibility",), before=resolved.seq)
    if determined is not None:
        d = determined.payload
        party = t.word("label.Responsibility", d.get("party"))
        sections.append(("responsibility", [party, str(d.get("explanation", ""))]))

    plan = sheet.last(("plan",), before=resolved.seq)
    if plan is not None:
        q = plan.payload
        measures = t.join([t.word("label.Measure", m) for m in q.get("measures", [])])
        lines = [t("doc.letter.measures", measures=measures), str(q.get("detail", ""))]
        if q.get("compensation_fen"):
            lines.append(t("doc.letter.compensation", amount=t.money(int(q["compensation_fen"]))))
        sections.append(("measures", lines))
    elif p.get("compensation_fen"):  # an incident's compensation rule, applied
        amount = t.money(int(p["compensation_fen"]))
        sections.append(("measures", [t("doc.letter.compensation", amount=amount)]))

    result = [str(p.get("result") or p.get("answer") or "")]
    if p.get("further_handling"):
        result.append(t("doc.letter.further"))
    sections.append(("result", result))

    feedback = sheet.last(("record_feedback",))
    if feedback is not None and feedback.seq > resolved.seq:
        f = feedback.payload
        key = "doc.letter.satisfied" if f.get("satisfied") else "doc.letter.not_satisfied"
        satisfaction = [t(key, score=f.get("score"))]
        if f.get("comment"):
            satisfaction.append(str(f["comment"]))
    else:
        satisfaction = [t("doc.letter.no_feedback", phone=sheet.branch.phone)]
    sections.append(("satisfaction", satisfaction))
    sections.append(("next", [t("doc.letter.next_steps", hotline=t("doc.letter.hotline"))]))
    contact = t(
        "doc.letter.contact",
        branch=sheet.branch.name,
        phone=sheet.branch.phone,
        handler=sheet.person(case.owner),
    )
    sections.append(("contact", [contact]))

    for number, (name, lines) in enumerate(sections, start=1):
        title = f"{t(f'doc.numeral.{number}')} {t(f'doc.letter.section.{name}')}"
        flow.extend(heading(title, styles))
        flow.extend(para(line, styles.body) for line in lines if line)

    seal = [
        Spacer(1, 8 * MM),
        para(f"{sheet.branch.name}{t('doc.letter.seal')}", styles.right),
        Spacer(1, 4 * MM),
        para(t("doc.letter.signed") + " " + "_" * 16, styles.right),
        para(t("doc.letter.date", date=t.date(sheet.request.printed_at)), styles.right),
    ]
    flow.append(KeepTogether(seal))
    return flow


def render_letter(sheet: Sheet) -> bytes:
    styles = make_styles(10.5)
    width = A4_SIZE[0] - 2 * MARGIN
    flow = content(sheet, styles, width)
    t = sheet.texts
    footer = f"{sheet.view.case.number}　{printed_line(sheet)}"

    def decorate(canvas: Canvas, page: int, pages: int) -> None:
        canvas.saveState()
        canvas.setFont(styles.small.fontName, styles.small.fontSize)
        canvas.setFillColor(GREY)
        canvas.drawString(MARGIN, 10 * MM, footer)
        canvas.drawRightString(A4_SIZE[0] - MARGIN, 10 * MM, t("doc.page", page=page, pages=pages))
        canvas.restoreState()

    title = f"{t('doc.title.closure_letter')} {sheet.view.case.number}"
    margins = (MARGIN, MARGIN, 18 * MM, 20 * MM)
    return build_pdf(flow, A4_SIZE, margins, title=title, canvasmaker=counting_canvas(decorate))
