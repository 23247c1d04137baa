"""The printed documents: the acceptance receipt (受理回执), the closure letter
(处理结果告知书), the case record sheet (案件记录) and the appointment confirmation
(预约确认单). A case view and the branch
letterhead in, PDF bytes out; the printing front end only shows or prints the bytes,
so the layout lives here once.

Every text comes from the document tables (`resources/documents/texts.<lang>.json`)
and the application's message tables; the font is the shipped WenQuanYi Micro Hei,
embedded as a subset."""

from __future__ import annotations

from collections.abc import Mapping
from zoneinfo import ZoneInfo

from branchdesk.documents.appointment_confirmation import render_appointment_confirmation
from branchdesk.documents.base import Sheet
from branchdesk.documents.fonts import register_fonts
from branchdesk.documents.letter import render_letter
from branchdesk.documents.model import (
    DocumentError,
    DocumentKind,
    DocumentRequest,
    Letterhead,
    Paper,
    check_paper,
    page_size,
)
from branchdesk.documents.receipt import render_receipt
from branchdesk.documents.record import render_record
from branchdesk.documents.texts import Texts
from branchdesk.domain.catalogue import Catalogue
from branchdesk.services.cases import CaseView

__all__ = [
    "DocumentError",
    "DocumentKind",
    "DocumentRequest",
    "Letterhead",
    "Paper",
    "page_size",
    "register_fonts",
    "render_document",
]

_RENDERERS = {
    DocumentKind.RECEIPT: render_receipt,
    DocumentKind.CLOSURE_LETTER: render_letter,
    DocumentKind.CASE_RECORD: render_record,
    DocumentKind.APPOINTMENT_CONFIRMATION: render_appointment_confirmation,
}


def render_document(
    view: CaseView,
    branch: Letterhead,
    request: DocumentRequest,
    *,
    catalogue: Catalogue,
    tz: ZoneInfo,
    staff: Mapping[str, str],
) -> bytes:
    """The PDF of `request.kind` for the case `view`, in `request.lang`, times shown in
    `tz`; `staff` maps staff numbers to names. Raises DocumentError (and renders
    nothing) when the case cannot carry the document yet or the paper does not fit it."""
    check_paper(request.kind, request.paper)
    register_fonts()
    sheet = Sheet(
        view=view,
        branch=branch,
        request=request,
        texts=Texts(request.lang, tz),
        catalogue=catalogue,
        staff=staff,
    )
    return _RENDERERS[request.kind](sheet)
