"""Two manager's reports that are about many cases rather than one: the supervision
ledger (督办台账, A4 landscape, overdue progress reports highlighted) and the incident
summary report (突发事件处理报告: timeline, scope, cases, measures, compensation,
lessons). Data in, PDF bytes out; the words come from the message tables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.lib.pagesizes import landscape  # type: ignore[import-untyped]
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]
from reportlab.platypus import Flowable, Spacer, Table, TableStyle  # type: ignore[import-untyped]

from branchdesk.documents.base import build_pdf
from branchdesk.documents.fonts import FONT, register_fonts
from branchdesk.documents.model import A4_SIZE, MM, Letterhead
from branchdesk.documents.pdf import (
    GREY,
    RULE,
    Rule,
    Styles,
    counting_canvas,
    heading,
    logo,
    make_styles,
    para,
)
from branchdesk.documents.texts import Texts
from branchdesk.domain.catalogue import Catalogue
from branchdesk.services.incidents import IncidentDetail
from branchdesk.services.supervision import LedgerEntry

MARGIN = 14 * MM
OVERDUE_FILL = colors.HexColor("#f8d7d3")
HEAD_FILL = colors.HexColor("#eeeeee")
GRID = [
    ("FONT", (0, 0), (-1, -1), FONT),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("GRID", (0, 0), (-1, -1), 0.4, RULE),
    ("LEFTPADDING", (0, 0), (-1, -1), 3),
    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ("BACKGROUND", (0, 0), (-1, 0), HEAD_FILL),
]


@dataclass(frozen=True)
class ReportRequest:
    branch: Letterhead
    texts: Texts
    printed_at: datetime
    printed_by: str
    staff: Mapping[str, str]
    catalogue: Catalogue

    def person(self, staff_no: str | None) -> str:
        return "" if not staff_no else self.texts.person(staff_no, self.staff)


def _head(r: ReportRequest, styles: Styles, title: str) -> list[Flowable]:
    t, b = r.texts, r.branch
    flow: list[Flowable] = []
    if b.logo_png is not None:
        image = logo(b.logo_png, 30 * MM, 14 * MM)
        image.hAlign = "LEFT"
        flow.append(image)
    flow.append(para(b.name, styles.heading))
    if b.address:
        flow.append(para(t("doc.branch.address", address=b.address), styles.body))
    if b.phone:
        flow.append(para(t("doc.branch.phone", phone=b.phone), styles.body))
    flow += [Rule(), para(title, styles.title)]
    return flow


def report_pdf(
    flow: list[Flowable],
    size: tuple[float, float],
    *,
    title: str,
    texts: Texts,
    printed_at: datetime,
    printed_by: str,
    document_title: str | None = None,
) -> bytes:
    """A manager's report or list on `size` paper, 14 mm margins, every page with
    `title`, when and by whom it was printed, and "page n of m" in its footer.
    `document_title` (default `title`) is the PDF's own title."""
    register_fonts()
    styles = make_styles(9)
    t = texts
    footer = f"{title}　{t('doc.printed', at=t.when(printed_at), by=printed_by)}"

    def decorate(canvas: Canvas, page: int, pages: int) -> None:
        canvas.saveState()
        canvas.setFont(styles.small.fontName, styles.small.fontSize)
        canvas.setFillColor(GREY)
        canvas.drawString(MARGIN, 8 * MM, footer)
        canvas.drawRightString(size[0] - MARGIN, 8 * MM, t("doc.page", page=page, pages=pages))
        canvas.restoreState()

    margins = (MARGIN, MARGIN, 12 * MM, 14 * MM)
    return build_pdf(
        flow,
        size,
        margins,
        title=document_title or title,
        canvasmaker=counting_canvas(decorate),
    )


def _build(r: ReportRequest, flow: list[Flowable], size: tuple[float, float], title: str) -> bytes:
    return report_pdf(
        flow, size, title=title, texts=r.texts, printed_at=r.printed_at, printed_by=r.printed_by
    )


def _table(
    rows: list[list[object]], widths: Sequence[float], extra: list[tuple[object, ...]]
) -> Table:
    table = Table(rows, colWidths=list(widths), repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle([*GRID, *extra]))
    return table


# --- 督办台账 ------------------------------------------------------------------------------


def render_ledger(entries: Sequence[LedgerEntry], r: ReportRequest) -> bytes:
    """The supervision ledger: one row per supervised case, overdue rows shaded."""
    register_fonts()
    t, styles = r.texts, make_styles(9)
    size = landscape(A4_SIZE)
    width = size[0] - 2 * MARGIN
    title = t("doc.ledger.title")
    flow = _head(r, styles, title)
    overdue = sum(1 for e in entries if e.overdue)
    missed = sum(e.missed_count for e in entries)
    flow.append(
        para(
            t(
                "doc.ledger.summary",
                total=len(entries),
                overdue=overdue,
                missed=missed,
                at=t.when(r.printed_at),
            ),
            styles.body,
        )
    )
    flow.append(Spacer(1, 3 * MM))
    heads = (
        "case",
        "supervisor",
        "reason",
        "start",
        "departments",
        "latest",
        "next_due",
        "missed",
        "status",
    )
    rows: list[list[object]] = [[para(t(f"doc.ledger.col.{h}"), styles.small) for h in heads]]
    shade: list[tuple[object, ...]] = []
    for i, e in enumerate(entries, start=1):
        s = e.supervision
        reason = (
            t.word("label.EscalationReason", s.reason) if s.source == "escalation" else s.reason
        )
        source = t.word("label.SupervisionSource", s.source)
        latest = f"{t.when(s.latest.at)} {s.latest.text}" if s.latest else t("doc.ledger.no_report")
        due = t.when(s.next_due_at) + (t("doc.provisional_mark") if s.provisional else "")
        status = t("doc.ledger.overdue") if e.overdue else t("doc.ledger.on_track")
        cells = (
            f"{e.number}\n{e.summary}\n{e.customer_name}",
            r.person(s.supervisor) or s.supervisor,
            f"{reason}\n{source}",
            t.when(s.started_at),
            t.join(list(s.departments)) or t("doc.none"),
            latest,
            due,
            str(e.missed_count) if e.missed_count else t("doc.none"),
            status,
        )
        rows.append([para(c, styles.body) for c in cells])
        if e.overdue:
            shade.append(("BACKGROUND", (0, i), (-1, i), OVERDUE_FILL))
    if not entries:
        rows.append([para(t("doc.ledger.empty"), styles.body)] + [""] * (len(heads) - 1))
        shade.append(("SPAN", (0, 1), (-1, 1)))
    fractions = (0.17, 0.09, 0.12, 0.09, 0.1, 0.2, 0.09, 0.05, 0.09)
    flow.append(_table(rows, [width * f for f in fractions], shade))
    return _build(r, flow, size, title)


# --- 突发事件处理报告 ------------------------------------------------------------------------


def render_incident_report(detail: IncidentDetail, r: ReportRequest) -> bytes:
    register_fonts()
    t, styles = r.texts, make_styles(10)
    width = A4_SIZE[0] - 2 * MARGIN
    i = detail.incident
    title = t("doc.incident.title")
    flow = _head(r, styles, title)
    flow.append(para(t("doc.incident.number", number=i.number), styles.right))
    notified = t.when(i.notified_at) if i.notified_at else t("doc.incident.not_notified")
    if i.notified_late:
        notified += t("doc.incident.late")
    facts = [
        ("type", t.word("label.IncidentType", i.type)),
        ("level", t.word("label.IncidentLevel", i.level)),
        ("status", t.word("label.IncidentStatus", i.status)),
        ("started_at", t.when(i.started_at)),
        ("area", " ".join(p for p in (i.district, i.street, i.cell) if p)),
        ("services", t.join([r.catalogue.label(code, t.lang) for code in i.services])),
        ("expected_recovery", t.when(i.expected_recovery_at)),
        ("resolved_at", t.when(i.resolved_at)),
        ("notify_due", t.when(i.notify_due_at)),
        ("notified_at", notified),
    ]
    rows = [
        [para(t(f"doc.incident.field.{k}"), styles.small), para(v or t("doc.none"), styles.body)]
        for k, v in facts
    ]
    table = Table(rows, colWidths=[32 * MM, width - 32 * MM], hAlign="LEFT")
    table.setStyle(TableStyle([g for g in GRID if g[0] != "BACKGROUND"]))
    flow.append(table)

    sections: list[tuple[str, list[str]]] = [
        ("scope", [i.scope]),
        (
            "cause",
            [
                i.cause or t("doc.none"),
                t("doc.incident.root_cause", cause=i.root_cause or t("doc.none")),
            ],
        ),
        ("measures", [i.measures or t("doc.none")]),
        (
            "compensation",
            [i.compensation_rule or t("doc.none")]
            + (
                [t("doc.letter.compensation", amount=t.money(i.compensation_fen))]
                if i.compensation_fen
                else []
            ),
        ),
        ("lessons", [i.lessons or t("doc.none")]),
    ]
    for n, (name, lines) in enumerate(sections, start=1):
        flow.extend(heading(f"{t(f'doc.numeral.{n}')} {t(f'doc.incident.section.{name}')}", styles))
        flow.extend(para(line, styles.body) for line in lines if line)

    n = len(sections) + 1
    flow.extend(heading(f"{t(f'doc.numeral.{n}')} {t('doc.incident.section.timeline')}", styles))
    timeline: list[list[object]] = [
        [para(t(f"doc.incident.col.{h}"), styles.small) for h in ("at", "who", "what")]
    ]
    for u in detail.updates:
        what = t(f"doc.incident.update.{u.kind}", text=u.text, pushed=u.pushed)
        timeline.append(
            [
                para(t.when(u.at), styles.body),
                para(r.person(u.actor), styles.body),
                para(what, styles.body),
            ]
        )
    flow.append(_table(timeline, [width * 0.22, width * 0.18, width * 0.6], []))

    n += 1
    flow.extend(heading(f"{t(f'doc.numeral.{n}')} {t('doc.incident.section.cases')}", styles))
    counts = detail.count_by_state()
    by_state = t.join([f"{t.word('label.CaseState', s)} {c}" for s, c in sorted(counts.items())])
    flow.append(
        para(
            t("doc.incident.case_count", count=len(detail.cases), states=by_state or t("doc.none")),
            styles.body,
        )
    )
    cases_rows: list[list[object]] = [
        [
            para(t(f"doc.incident.col.{h}"), styles.small)
            for h in ("case", "customer", "summary", "state", "outcome")
        ]
    ]
    for c in detail.cases:
        outcome = t.word("label.BulkOutcome", c.outcome) if c.outcome else t("doc.none")
        cells = (c.number, c.customer_name, c.summary, t.word("label.CaseState", c.state), outcome)
        cases_rows.append([para(x, styles.body) for x in cells])
    flow.append(_table(cases_rows, [width * f for f in (0.24, 0.12, 0.38, 0.13, 0.13)], []))
    return _build(r, flow, A4_SIZE, f"{title} {i.number}")
