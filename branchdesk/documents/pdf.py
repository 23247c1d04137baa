"""reportlab building blocks shared by the documents: paragraph styles in the embedded
font, the QR code drawn from the `qrcode` matrix, the letterhead, and a canvas that
knows the page count so that every page can say "第 x 页 / 共 y 页"."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.lib.styles import ParagraphStyle  # type: ignore[import-untyped]
from reportlab.lib.utils import ImageReader  # type: ignore[import-untyped]
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]
from reportlab.platypus import (  # type: ignore[import-untyped]
    CondPageBreak,
    Flowable,
    Image,
    Paragraph,
)

from branchdesk.documents.fonts import FONT
from branchdesk.documents.texts import has_cjk

GREY = colors.HexColor("#555555")
RULE = colors.HexColor("#999999")


@dataclass(frozen=True)
class Styles:
    """The paragraph styles of one document, scaled from a base size."""

    body: ParagraphStyle
    small: ParagraphStyle
    title: ParagraphStyle
    heading: ParagraphStyle
    big: ParagraphStyle
    centre: ParagraphStyle
    right: ParagraphStyle
    indented: ParagraphStyle


def make_styles(size: float) -> Styles:
    def style(name: str, scale: float = 1.0, **extra: Any) -> ParagraphStyle:
        return ParagraphStyle(
            name,
            fontName=FONT,
            fontSize=size * scale,
            leading=size * scale * 1.4,
            **extra,
        )

    return Styles(
        body=style("body"),
        small=style("small", 0.82, textColor=GREY),
        title=style("title", 1.5, alignment=1, spaceBefore=size * 0.3, spaceAfter=size * 0.5),
        heading=style("heading", 1.1, spaceBefore=size * 0.7, spaceAfter=size * 0.25),
        big=style("big", 1.35, alignment=1),
        centre=style("centre", alignment=1),
        right=style("right", alignment=2),
        indented=style("indented", leftIndent=size * 2),
    )


def para(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text (markup characters are escaped, line breaks kept).
    Text with Chinese in it may break between any two characters; other text only
    between words, so that English words are never split."""
    markup = "<br/>".join(escape(line) for line in text.split("\n"))
    if has_cjk(text):
        style = ParagraphStyle(f"{style.name}-cjk", parent=style, wordWrap="CJK")
    return Paragraph(markup, style)


def heading(text: str, styles: Styles) -> list[Flowable]:
    """A section heading that is never left alone at the foot of a page: it starts a
    new page unless room for it and a few lines of its section is left. (Keeping it
    with the whole section instead would push a long text to the next page whole.)"""
    room = styles.heading.leading * 2 + styles.body.leading * 3
    return [CondPageBreak(room), para(text, styles.heading)]


class QrCode(Flowable):  # type: ignore[misc]
    """The QR code of `data`, `size` points square, drawn as filled rectangles: one per
    horizontal run of dark modules (fast, and crisp at any printer resolution)."""

    def __init__(self, data: str, size: float, *, align: str = "CENTER") -> None:
        super().__init__()
        code = qrcode.QRCode(border=0, error_correction=ERROR_CORRECT_M)
        code.add_data(data)
        code.make(fit=True)
        self.matrix: list[list[bool]] = code.get_matrix()
        self.size = size
        self.hAlign = align

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        n = len(self.matrix)
        cell = self.size / n
        c = self.canv
        c.setFillColor(colors.black)
        path = c.beginPath()
        for row, modules in enumerate(self.matrix):
            y = self.size - (row + 1) * cell
            col = 0
            while col < n:
                if not modules[col]:
                    col += 1
                    continue
                start = col
                while col < n and modules[col]:
                    col += 1
                path.rect(start * cell, y, (col - start) * cell, cell)
        c.drawPath(path, stroke=0, fill=1)


def logo(png: bytes, max_width: float, max_height: float) -> Image:
    """The branch logo scaled to fit the box, keeping its proportions."""
    reader = ImageReader(io.BytesIO(png))
    width, height = reader.getSize()
    scale = min(max_width / width, max_height / height)
    return Image(io.BytesIO(png), width=width * scale, height=height * scale, hAlign="LEFT")


class Rule(Flowable):  # type: ignore[misc]
    """A thin horizontal line across the frame."""

    def __init__(self, space: float = 4.0) -> None:
        super().__init__()
        self.space = space
        self.width = 0.0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        return avail_width, self.space * 2

    def draw(self) -> None:
        self.canv.setStrokeColor(RULE)
        self.canv.setLineWidth(0.5)
        self.canv.line(0, self.space, self.width, self.space)


#: Draws what every page carries (header, footer) once the page count is known.
PageDecorator = Callable[[Canvas, int, int], None]


def counting_canvas(decorate: PageDecorator) -> type[Canvas]:
    """A canvas class that holds every page back until the document is complete, then
    decorates each with its number and the total (one layout pass, not two)."""

    class CountingCanvas(Canvas):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                decorate(self, number, total)
                super().showPage()
            super().save()

    return CountingCanvas
