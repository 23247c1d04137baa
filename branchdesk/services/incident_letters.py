"""The closure letters of an incident's resolved cases, in one batch: each letter is
printed (and recorded on its case, one transaction each, like any print) and the
letters are put together into one PDF for the printer."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pypdfium2 as pdfium

from branchdesk.services import incident_bulk, printing
from branchdesk.services.context import ServiceContext
from branchdesk.services.incidents import Progress


@dataclass(frozen=True)
class LetterBatch:
    numbers: tuple[str, ...]
    pdf: bytes
    pages: int


def closure_letters(
    ctx: ServiceContext,
    number: str,
    *,
    actor: str,
    lang: str | None = None,
    progress: Progress | None = None,
) -> LetterBatch:
    """One PDF with the closure letter of every case the bulk resolution resolved, in
    case order. Stop early by returning False from `progress` (the letters printed so
    far are in the batch)."""
    numbers = incident_bulk.resolved_case_numbers(ctx, number, actor=actor)
    merged = pdfium.PdfDocument.new()
    done: list[str] = []
    try:
        for i, case_number in enumerate(numbers, start=1):
            letter = printing.print_document(
                ctx, number=case_number, kind="closure_letter", actor=actor, lang=lang
            )
            source = pdfium.PdfDocument(letter.pdf)
            try:
                merged.import_pages(source)
            finally:
                source.close()
            done.append(case_number)
            if progress is not None and not progress(i, len(numbers)):
                break
        buffer = io.BytesIO()
        merged.save(buffer)
        pages = len(merged)
    finally:
        merged.close()
    return LetterBatch(tuple(done), buffer.getvalue(), pages)
