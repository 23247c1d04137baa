"""The small drawing parts: the QR code is the `qrcode` matrix, drawn run by run, and
paragraphs wrap Chinese between characters but English only between words."""

from __future__ import annotations

import io

import qrcode
from pypdf import PdfReader
from reportlab.pdfgen.canvas import Canvas

from branchdesk.documents import register_fonts
from branchdesk.documents.pdf import QrCode, make_styles, para


def test_qr_code_draws_one_rectangle_per_run_of_dark_modules() -> None:
    register_fonts()
    code = QrCode("GZ0012-20261125-0001F", 80.0)
    matrix = code.matrix
    reference = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_M)
    reference.add_data("GZ0012-20261125-0001F")
    reference.make(fit=True)
    assert matrix == reference.get_matrix()
    runs = sum(
        1 for row in matrix for i, dark in enumerate(row) if dark and (i == 0 or not row[i - 1])
    )
    out = io.BytesIO()
    canvas = Canvas(out, pageCompression=0)
    code.wrapOn(canvas, 100, 100)
    code.drawOn(canvas, 10, 10)
    canvas.save()
    stream = PdfReader(io.BytesIO(out.getvalue())).pages[0].get_contents()
    assert stream is not None
    assert stream.get_data().count(b" re") == runs
    assert code.wrap(500, 500) == (80.0, 80.0)


def test_english_wraps_between_words_and_chinese_anywhere() -> None:
    register_fonts()
    styles = make_styles(10)
    english = para("customer hotline appeal " * 6, styles.body)
    english.wrap(120, 1000)
    lines = [" ".join(line[1]) for line in english.blPara.lines]
    assert len(lines) > 1
    assert all(word in {"customer", "hotline", "appeal"} for line in lines for word in line.split())
    chinese = para("客户反映家中信号时有时无" * 5, styles.body)
    assert chinese.style.wordWrap == "CJK"
    _, height = chinese.wrap(120, 1000)
    assert height > styles.body.leading * 3
    escaped = para("a < b & c\nnext", styles.body)
    assert "&lt;" in escaped.text and "<br/>" in escaped.text
