"""The one font every document uses: WenQuanYi Micro Hei, shipped in
`resources/fonts/` and embedded as a subset, so a PDF reads the same on a machine with
no Chinese fonts. (reportlab's built-in STSong CID font is not embedded, and CFF-outline
CJK fonts such as Noto CJK cannot be loaded at all.)"""

from __future__ import annotations

from functools import cache
from importlib.resources import as_file

from reportlab.lib.fonts import addMapping  # type: ignore[import-untyped]
from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped]
from reportlab.pdfbase.ttfonts import TTFont  # type: ignore[import-untyped]

from branchdesk.resources_access import resource

FONT = "WQYMicroHei"
FONT_FILE = "fonts/wqy-microhei.ttc"


@cache
def register_fonts() -> None:
    """Register the document font `FONT` with reportlab (once per process). The face
    has no bold or italic: the family maps them to the same face."""
    with as_file(resource(FONT_FILE)) as path:
        # TTFont reads the whole file while registering; the path may be temporary.
        pdfmetrics.registerFont(TTFont(FONT, str(path), subfontIndex=0))
    for bold in (0, 1):
        for italic in (0, 1):
            addMapping(FONT, bold, italic, FONT)
