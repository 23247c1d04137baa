"""Printing a case's documents: the acceptance receipt, the closure letter, the case
record sheet and the appointment confirmation. Rendering and recording go together:
every print is a case event (who printed what, when, which copy), written in the same
transaction; a document that cannot be made (a closure letter before the resolution)
is refused and nothing is recorded."""

from __future__ import annotations

from dataclasses import dataclass

import pypdfium2 as pdfium
from sqlalchemy import select

from branchdesk.documents import (
    DocumentKind,
    DocumentRequest,
    Letterhead,
    Paper,
    render_document,
)
from branchdesk.documents.model import PAPERS
from branchdesk.domain import process
from branchdesk.domain.errors import FieldError, ValidationError
from branchdesk.domain.process import CaseEvent
from branchdesk.i18n import resolve_language
from branchdesk.persistence.schema import staff
from branchdesk.services.access import authorize
from branchdesk.services.branch import branch_logo, read_settings
from branchdesk.services.cases import find_case_id, view_in
from branchdesk.services.context import ServiceContext
from branchdesk.services.recording import load_events, record

#: The event kind a print is recorded as (not a process action: it changes no state).
PRINTED = "printed"


@dataclass(frozen=True)
class PrintedDocument:
    number: str
    kind: str
    copy_no: int
    pdf: bytes
    page_width_pt: float
    page_height_pt: float


def first_page_size(pdf: bytes) -> tuple[float, float]:
    """The first page's width and height in points (a roll receipt is as long as its
    content, so its size is read from the document itself)."""
    document = pdfium.PdfDocument(pdf)
    try:
        width, height = document[0].get_size()
    finally:
        document.close()
    return float(width), float(height)


def _choice(field: str, value: str, allowed: type[DocumentKind] | type[Paper]) -> str:
    codes = [c.value for c in allowed]
    if value not in codes:
        raise ValidationError([FieldError(field, "error.field.invalid_choice", {"value": value})])
    return value


def print_document(
    ctx: ServiceContext,
    *,
    number: str,
    kind: str,
    actor: str,
    lang: str | None = None,
    paper: str | None = None,
) -> PrintedDocument:
    """Render document `kind` of case `number` and record the print. `lang` defaults to
    the branch's language; `paper` to the document's usual paper (an 80 mm roll for
    receipts and appointment confirmations, A4 otherwise)."""
    document = DocumentKind(_choice("kind", kind, DocumentKind))
    if paper is None:
        paper = PAPERS[document][0]
    sheet = Paper(_choice("paper", paper, Paper))
    with ctx.db.write() as conn:
        case_id = find_case_id(conn, number)
        history = load_events(conn, case_id)
        member = authorize(ctx, conn, actor, "case.print", case=process.replay(history))
        view = view_in(ctx, conn, case_id, viewer=None)
        settings = read_settings(conn)
        language = resolve_language(lang or str(settings.get("branch.language", "zh_CN")))
        copies = sum(
            1 for e in history if e.kind == PRINTED and e.payload.get("document") == document
        )
        names = {r.staff_no: r.name for r in conn.execute(select(staff.c.staff_no, staff.c.name))}
        now = ctx.now()
        letterhead = Letterhead(
            name=str(settings.get("branch.name", "")),
            address=str(settings.get("branch.address", "")),
            phone=str(settings.get("branch.phone", "")),
            logo_png=branch_logo(settings),
        )
        request = DocumentRequest(
            kind=document,
            lang=language,
            paper=sheet,
            copy_no=copies + 1,
            printed_at=now,
            printed_by=f"{member.staff_no} {member.name}",
        )
        pdf = render_document(
            view, letterhead, request, catalogue=ctx.catalogue, tz=ctx.tz, staff=names
        )
        event = CaseEvent(
            PRINTED,
            now,
            actor,
            {
                "document": document.value,
                "copy_no": copies + 1,
                "lang": language,
                "paper": sheet.value,
            },
        )
        record(
            ctx, conn, case_id=case_id, before=process.replay(history), history=history, event=event
        )
    width, height = first_page_size(pdf)
    return PrintedDocument(
        number=view.case.number,
        kind=document.value,
        copy_no=copies + 1,
        pdf=pdf,
        page_width_pt=width,
        page_height_pt=height,
    )


def print_recovery_sheet(
    ctx: ServiceContext, *, actor: str, lang: str | None = None
) -> tuple[PrintedDocument, str]:
    """Issue a new archive recovery key and render its one-page sheet (administrators);
    returns the sheet and the key's fingerprint ("rk-…").
    The key is in the returned PDF only: it is never shown on screen or kept here
    (only its public half and fingerprint stay on this PC), so print the sheet and put
    it in the safe. Issued at set-up, and again whenever the sheet may be lost."""
    from branchdesk.archive import custody
    from branchdesk.documents.recovery_sheet import RecoverySheet, render_recovery_sheet

    with ctx.db.read() as conn:
        settings = read_settings(conn)
        name = conn.execute(select(staff.c.name).where(staff.c.staff_no == actor)).scalar()
    key = custody.issue_recovery_key(ctx, actor=actor)
    sheet = RecoverySheet(
        branch=Letterhead(
            name=str(settings.get("branch.name", "")),
            address=str(settings.get("branch.address", "")),
            phone=str(settings.get("branch.phone", "")),
            logo_png=branch_logo(settings),
        ),
        branch_code=ctx.branch_code,
        key_text=key.text(),
        key_id=key.key_id,
        issued_at=ctx.now(),
        issued_by=f"{actor} {name or ''}".strip(),
    )
    language = resolve_language(lang or str(settings.get("branch.language", "zh_CN")))
    pdf = render_recovery_sheet(sheet, lang=language, tz=ctx.tz)
    width, height = first_page_size(pdf)
    return PrintedDocument(ctx.branch_code, "recovery_sheet", 1, pdf, width, height), key.key_id
