"""What every document layout works from: the case, the branch, the print request and
the words, gathered once; plus the pieces several documents share (the letterhead, the
reprint marker, the "printed by" line, fields of the case in words)."""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]
from reportlab.platypus import (  # type: ignore[import-untyped]
    BaseDocTemplate,
    Flowable,
    Frame,
    PageTemplate,
    Table,
    TableStyle,
)

from branchdesk.documents.fonts import FONT
from branchdesk.documents.model import DocumentRequest, Letterhead
from branchdesk.documents.pdf import Rule, Styles, logo, para
from branchdesk.documents.story import Story
from branchdesk.documents.texts import Texts
from branchdesk.domain.catalogue import Catalogue
from branchdesk.domain.identity import mask_phone
from branchdesk.services.cases import CaseView, EventView


@dataclass(frozen=True)
class Sheet:
    """Everything one rendering needs."""

    view: CaseView
    branch: Letterhead
    request: DocumentRequest
    texts: Texts
    catalogue: Catalogue
    staff: Mapping[str, str]

    @property
    def story(self) -> Story:
        return Story(self.texts, self.catalogue, self.staff, self.view.milestones)

    def person(self, staff_no: str | None) -> str:
        return "" if staff_no is None else self.texts.person(staff_no, self.staff)

    def category(self) -> str:
        return self.catalogue.label(self.view.case.category, self.texts.lang)

    def masked_phone(self) -> str:
        return mask_phone(self.view.case.customer_phone)

    def last(self, kinds: Sequence[str], before: int | None = None) -> EventView | None:
        """The latest event of one of `kinds` (with a sequence number below `before`)."""
        for event in reversed(self.view.events):
            if event.kind in kinds and (before is None or event.seq < before):
                return event
        return None

    def appointment(self) -> str:
        a = self.view.case.appointment
        if not a:
            return ""
        t = self.texts
        start, end = datetime.fromisoformat(a["start"]), datetime.fromisoformat(a["end"])
        parts = [
            str(a.get("service_type") or ""),
            f"{t.when(start)} – {end.astimezone(t.tz):%H:%M}",
        ]
        if a.get("staff"):
            parts.append(str(a["staff"]))
        if a.get("content"):
            parts.append(str(a["content"]))
        return " · ".join(p for p in parts if p)


def letterhead(sheet: Sheet, styles: Styles, width: float, *, centred: bool) -> list[Flowable]:
    """The branch's name, address and service line, with its logo when it has one."""
    t, b = sheet.texts, sheet.branch
    name_style = styles.big if centred else styles.heading
    lines: list[Flowable] = [para(b.name, name_style)]
    contact = [t("doc.branch.address", address=b.address)] if b.address else []
    if b.phone:
        contact.append(t("doc.branch.phone", phone=b.phone))
    small = styles.centre if centred else styles.body
    lines.extend(para(line, small) for line in contact)
    if b.logo_png is None:
        return [*lines, Rule()]
    if centred:
        image = logo(b.logo_png, width * 0.5, width * 0.25)
        image.hAlign = "CENTER"
        return [image, *lines, Rule()]
    image = logo(b.logo_png, 30 * 2.835, 18 * 2.835)
    table = Table([[image, lines]], colWidths=[image.drawWidth + 8, None], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return [table, Rule()]


def reprint_marker(sheet: Sheet) -> str:
    """ "补打 / REPRINT 2" on the third copy; "" on the original."""
    n = sheet.request.reprint
    return sheet.texts("doc.reprint", n=n) if n else ""


def printed_line(sheet: Sheet) -> str:
    r = sheet.request
    return sheet.texts("doc.printed", at=sheet.texts.when(r.printed_at), by=r.printed_by)


def build_pdf(
    flowables: list[Flowable],
    pagesize: tuple[float, float],
    margins: tuple[float, float, float, float],
    *,
    title: str,
    canvasmaker: Callable[..., Any] | None = None,
) -> bytes:
    """Lay `flowables` out on pages of `pagesize`; margins are (left, right, top,
    bottom) in points. Returns the PDF."""
    out = io.BytesIO()
    left, right, top, bottom = margins
    doc = BaseDocTemplate(
        out,
        pagesize=pagesize,
        leftMargin=left,
        rightMargin=right,
        topMargin=top,
        bottomMargin=bottom,
        title=title,
        author="BranchDesk",
        creator="BranchDesk",
        # Same case, same moment: same bytes (no creation time or random document id).
        invariant=1,
        # The canvas starts in the document font, so no page sets a base-14 font.
        initialFontName=FONT,
    )
    frame = Frame(
        left,
        bottom,
        pagesize[0] - left - right,
        pagesize[1] - top - bottom,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    doc.build(flowables, canvasmaker=canvasmaker or Canvas)
    return out.getvalue()
