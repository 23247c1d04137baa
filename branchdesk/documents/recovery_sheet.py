"""The archive recovery sheet (档案恢复密钥单): the one piece of paper that opens every
archive volume and every backup of a branch when its PC is lost. It shows the branch,
when and by whom the key was issued, the key's fingerprint, the key itself in groups
of four (as a person types it), the same key as a QR code (for a scanner), and what
to do with the sheet. Data in, PDF bytes out; the words are in the document tables.

The key is printed once and never stored by the application, so this PDF is written
straight to the place the person chose and is not kept anywhere else."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.lib.styles import ParagraphStyle  # type: ignore[import-untyped]
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]
from reportlab.platypus import Flowable, Spacer, Table, TableStyle  # type: ignore[import-untyped]

from branchdesk.documents.base import build_pdf
from branchdesk.documents.fonts import FONT, register_fonts
from branchdesk.documents.model import A4_SIZE, MM, Letterhead
from branchdesk.documents.pdf import (
    GREY,
    RULE,
    QrCode,
    Rule,
    counting_canvas,
    logo,
    make_styles,
    para,
)
from branchdesk.documents.texts import Texts

MARGIN = 18 * MM
GROUPS_PER_ROW = 7
#: Steps of "what to do with this sheet", in order (doc.recovery.step.<n>).
STEPS = 6


@dataclass(frozen=True)
class RecoverySheet:
    branch: Letterhead
    branch_code: str
    #: The grouped text form, "BDRK-XXXX-…" (RecoveryKey.text()).
    key_text: str
    #: The fingerprint every volume and backup names ("rk-…").
    key_id: str
    issued_at: datetime
    issued_by: str


def key_groups(key_text: str) -> tuple[str, list[str]]:
    """("BDRK", ["ABCD", …]) from the grouped text form."""
    prefix, *groups = key_text.split("-")
    return prefix, groups


def _key_table(key_text: str, width: float) -> Table:
    prefix, groups = key_groups(key_text)
    rows: list[list[str]] = []
    numbers: list[list[str]] = []
    for start in range(0, len(groups), GROUPS_PER_ROW):
        chunk = groups[start : start + GROUPS_PER_ROW]
        chunk += [""] * (GROUPS_PER_ROW - len(chunk))
        numbers.append([str(start + i + 1) if g else "" for i, g in enumerate(chunk)])
        rows.append(chunk)
    data: list[list[str]] = []
    style: list[tuple[object, ...]] = [
        ("FONT", (0, 0), (-1, -1), FONT),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TEXTCOLOR", (0, 0), (-1, -1), colors.black),
    ]
    for n, (nums, chunk) in enumerate(zip(numbers, rows, strict=True)):
        label_row, key_row = 2 * n, 2 * n + 1
        data.append(nums)
        data.append(chunk)
        style += [
            ("FONTSIZE", (0, label_row), (-1, label_row), 7),
            ("TEXTCOLOR", (0, label_row), (-1, label_row), GREY),
            ("BOTTOMPADDING", (0, label_row), (-1, label_row), 0),
            ("FONTSIZE", (0, key_row), (-1, key_row), 17),
            ("LEADING", (0, key_row), (-1, key_row), 22),
            ("BOX", (0, key_row), (-1, key_row), 0.6, RULE),
            ("INNERGRID", (0, key_row), (-1, key_row), 0.6, RULE),
            ("TOPPADDING", (0, key_row), (-1, key_row), 5),
            ("BOTTOMPADDING", (0, key_row), (-1, key_row), 7),
        ]
    head = Table([[prefix]], colWidths=[width], hAlign="LEFT")
    head.setStyle(
        TableStyle([("FONT", (0, 0), (-1, -1), FONT, 17), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
    )
    table = Table(data, colWidths=[width / GROUPS_PER_ROW] * GROUPS_PER_ROW, hAlign="LEFT")
    table.setStyle(TableStyle(style))
    outer = Table([[head], [table]], colWidths=[width], hAlign="LEFT")
    outer.setStyle(
        TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)])
    )
    return outer


def render_recovery_sheet(sheet: RecoverySheet, *, lang: str, tz: ZoneInfo) -> bytes:
    """The recovery sheet as a one-page A4 PDF in `lang`, times in `tz`."""
    register_fonts()
    t = Texts(lang, tz)
    styles = make_styles(10)
    width = A4_SIZE[0] - 2 * MARGIN
    title = t("doc.recovery.title")
    b = sheet.branch
    flow: list[Flowable] = []
    if b.logo_png is not None:
        flow.append(logo(b.logo_png, 30 * MM, 14 * MM))
    flow.append(para(b.name, styles.heading))
    if b.address:
        flow.append(para(t("doc.branch.address", address=b.address), styles.body))
    flow += [Rule(), para(title, styles.title)]
    flow.append(para(t("doc.recovery.confidential"), styles.centre))
    flow.append(Spacer(1, 4 * MM))
    facts = [
        (
            t("doc.recovery.field.branch"),
            f"{b.name}（{sheet.branch_code}）" if t.zh else f"{b.name} ({sheet.branch_code})",
        ),
        (t("doc.recovery.field.issued_at"), t.when(sheet.issued_at)),
        (t("doc.recovery.field.issued_by"), sheet.issued_by),
        (t("doc.recovery.field.fingerprint"), sheet.key_id),
    ]
    qr_size = 46 * MM
    fact_table = Table(
        [[para(k, styles.body), para(v, styles.body)] for k, v in facts],
        colWidths=[32 * MM, width - qr_size - 36 * MM],
        hAlign="LEFT",
    )
    fact_table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
            ]
        )
    )
    top = Table(
        [[fact_table, QrCode(sheet.key_text, qr_size, align="RIGHT")]],
        colWidths=[width - qr_size - 4 * MM, qr_size + 4 * MM],
        hAlign="LEFT",
    )
    top.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    flow.append(top)
    flow.append(Spacer(1, 6 * MM))
    flow.append(para(t("doc.recovery.key_heading"), styles.heading))
    flow.append(_key_table(sheet.key_text, width))
    flow.append(Spacer(1, 1.5 * MM))
    flow.append(para(t("doc.recovery.key_note"), styles.small))
    flow.append(para(t("doc.recovery.steps_heading"), styles.heading))
    step_style = ParagraphStyle("step", parent=styles.indented, spaceAfter=3)
    for n in range(1, STEPS + 1):
        flow.append(para(t("doc.recovery.step", n=n, text=t(f"doc.recovery.step.{n}")), step_style))
    flow.append(Spacer(1, 8 * MM))
    sign = Table(
        [[t("doc.recovery.sealed_by"), "", t("doc.recovery.witness"), ""]],
        colWidths=[28 * MM, width / 2 - 28 * MM, 28 * MM, width / 2 - 28 * MM],
        hAlign="LEFT",
    )
    sign.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 10),
                ("LINEBELOW", (1, 0), (1, 0), 0.6, colors.black),
                ("LINEBELOW", (3, 0), (3, 0), 0.6, colors.black),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    flow.append(sign)
    footer = f"{title}　{sheet.key_id}"

    def decorate(canvas: Canvas, page: int, pages: int) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.setFillColor(GREY)
        canvas.drawString(MARGIN, 10 * MM, footer)
        canvas.drawRightString(A4_SIZE[0] - MARGIN, 10 * MM, t("doc.page", page=page, pages=pages))
        canvas.restoreState()

    margins = (MARGIN, MARGIN, 16 * MM, 18 * MM)
    return build_pdf(flow, A4_SIZE, margins, title=title, canvasmaker=counting_canvas(decorate))
