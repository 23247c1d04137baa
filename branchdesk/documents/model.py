"""What a printed document is asked for: its kind, paper, letterhead and the print
request (language, copy number, who prints it when), and the refusal raised when a
case cannot yet carry the document asked for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from branchdesk.domain.errors import DomainError

MM = 72.0 / 25.4  # points per millimetre
A4_SIZE = (210 * MM, 297 * MM)
ROLL_WIDTH = 80 * MM


class DocumentKind(StrEnum):
    RECEIPT = "receipt"  # 受理回执
    CLOSURE_LETTER = "closure_letter"  # 处理结果告知书
    CASE_RECORD = "case_record"  # 案件记录
    APPOINTMENT_CONFIRMATION = "appointment_confirmation"  # 预约确认单 (a receipt variant)


class Paper(StrEnum):
    ROLL_80MM = "80mm"  # thermal roll: fixed width, the page is as long as the content
    A4 = "a4"


#: Which paper each document may be printed on; the first is its usual paper.
PAPERS: dict[DocumentKind, tuple[Paper, ...]] = {
    DocumentKind.RECEIPT: (Paper.ROLL_80MM, Paper.A4),
    DocumentKind.CLOSURE_LETTER: (Paper.A4,),
    DocumentKind.CASE_RECORD: (Paper.A4,),
    DocumentKind.APPOINTMENT_CONFIRMATION: (Paper.ROLL_80MM, Paper.A4),
}


class DocumentError(DomainError):
    """The document cannot be produced for this case or paper; nothing was rendered."""


@dataclass(frozen=True)
class Letterhead:
    """The branch as it appears at the top of every document (from branch settings)."""

    name: str
    address: str
    phone: str
    logo_png: bytes | None = None


@dataclass(frozen=True, kw_only=True)
class DocumentRequest:
    kind: DocumentKind
    lang: str
    printed_at: datetime  # aware
    printed_by: str  # display name, e.g. "C101 王晓燕"
    paper: Paper = Paper.A4
    copy_no: int = 1  # 1 = the original; n > 1 is reprint number n - 1

    def __post_init__(self) -> None:
        if self.printed_at.tzinfo is None or self.printed_at.utcoffset() is None:
            raise ValueError(f"printed_at must be timezone-aware: {self.printed_at!r}")
        if self.copy_no < 1:
            raise ValueError(f"copy_no starts at 1, got {self.copy_no}")

    @property
    def reprint(self) -> int:
        """0 for the original, else which reprint this is."""
        return self.copy_no - 1


def check_paper(kind: DocumentKind, paper: Paper) -> None:
    if paper not in PAPERS[kind]:
        raise DocumentError("error.document.paper", kind=kind.value, paper=paper.value)


def page_size(kind: DocumentKind, paper: Paper) -> tuple[float, float]:
    """The page size in points for the printer. An 80 mm roll has no fixed length: its
    height here is the A4 height, the usual cut length a driver is told; the PDF itself
    is exactly as long as its content."""
    check_paper(kind, paper)
    if paper is Paper.ROLL_80MM:
        return (ROLL_WIDTH, A4_SIZE[1])
    return A4_SIZE
