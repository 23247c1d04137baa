"""Printing from the workbench, driven from the keyboard: the preview shows every page
of the document, "Save as PDF" writes the service's bytes, printing goes through the
print dialog to a (PDF file) printer with the document's own page size, the intake
form's save-and-print opens the new case's receipt, and the case detail's print menu
prints the chosen document or shows why it cannot."""

from __future__ import annotations

import io
import stat
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from branchdesk.services import cases
from branchdesk.services.printing import print_document
from tests.conftest import Branch, complaint_form
from tests.ui.signing import signed_in
from tests.ui.typing import SHOTS, focused, press, type_text
from ui import i18n, printing
from ui.case_detail import CaseDetail
from ui.main_window import MainWindow
from ui.printing import PrintedDocument, PrintPreviewDialog
from ui.worker import DbWorker

NUMBER = "GZ0012-20261125-0001K"
A4 = (595.2756, 841.8898)
ROLL_WIDTH, ROLL_HEIGHT = 80 * mm, 170 * mm
Key = Qt.Key
Mod = Qt.KeyboardModifier


def make_pdf(width: float, height: float, pages: int, title: str) -> bytes:
    """`pages` pages of `width` x `height` points, each with a frame, a title and a page
    number, so that a render of any of them is visibly not blank."""
    out = io.BytesIO()
    sheet = canvas.Canvas(out, pagesize=(width, height))
    for page in range(1, pages + 1):
        sheet.setLineWidth(2)
        sheet.rect(10, 10, width - 20, height - 20)
        sheet.setFont("Helvetica-Bold", 12)
        sheet.drawString(20, height - 40, title)
        sheet.setFont("Helvetica", 10)
        for line in range(8):
            sheet.drawString(20, height - 70 - 14 * line, f"line {line + 1}")
        sheet.drawString(20, 24, f"page {page} / {pages}")
        sheet.showPage()
    sheet.save()
    return out.getvalue()


def ui(text: str) -> str:
    return QCoreApplication.translate("PrintPreviewDialog", text)


def document(
    kind: str = "case_record", pages: int = 3, size: tuple[float, float] = A4, copy_no: int = 1
) -> PrintedDocument:
    width, height = size
    return PrintedDocument(
        number=NUMBER,
        kind=kind,
        copy_no=copy_no,
        pdf=make_pdf(width, height, pages, f"{kind} {NUMBER}"),
        page_width_pt=width,
        page_height_pt=height,
    )


def activate(qtbot: QtBot, widget: QWidget) -> None:
    """The offscreen platform does not hand activation back when a window closes."""
    QApplication.processEvents()
    widget.window().activateWindow()
    qtbot.waitUntil(widget.window().isActiveWindow)


def preview(qtbot: QtBot, doc: PrintedDocument) -> PrintPreviewDialog:
    dialog = PrintPreviewDialog(doc)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    activate(qtbot, dialog)
    return dialog


def open_previews() -> list[PrintPreviewDialog]:
    return [
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, PrintPreviewDialog) and w.isVisible()
    ]


def message_boxes() -> list[QMessageBox]:
    return [
        w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()
    ]


def dark_share(image_pdf: bytes, page: int) -> float:
    """The share of dark pixels on `page` of a PDF (0.0 for a blank page)."""
    doc = pdfium.PdfDocument(image_pdf)
    try:
        bitmap = doc[page].render(scale=0.5, grayscale=True)
        pixels = bytes(bitmap.buffer)
        return sum(1 for p in pixels if p < 128) / len(pixels)
    finally:
        doc.close()


def print_to_file(monkeypatch: pytest.MonkeyPatch, path: Path) -> list[QPrinter]:
    """The print dialog "accepts" a PDF-file printer; the printers it was shown for are
    returned (the dialog's own page settings are the preview's)."""
    shown: list[QPrinter] = []

    def accept(dialog: QPrintDialog) -> int:
        printer = dialog.printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(path))
        shown.append(printer)
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(QPrintDialog, "exec", accept)
    return shown


# -- the preview ------------------------------------------------------------------------


def test_preview_shows_every_page_and_saves_the_pdf_unchanged(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    doc = document(pages=3)
    dialog = preview(qtbot, doc)
    assert dialog.page_count() == 3
    assert all(label.pixmap() is not None for label in dialog.page_labels)
    # Screen resolution: an A4 page is as wide on screen as 210 mm are.
    page = dialog.page_labels[0].pixmap()
    assert abs(page.width() / page.devicePixelRatio() - 595.28 / 72 * dialog.logicalDpiX()) < 2
    assert dialog.position.text() == ui("Page %1 of %2").replace("%1", "1").replace("%2", "3")
    dialog.pages_view.verticalScrollBar().setValue(dialog.page_labels[2].y())
    assert dialog.current_page() == 3

    asked: list[str] = []
    target = tmp_path / "chosen"  # no suffix: ".pdf" is added

    def choose(_parent: QWidget, _title: str, suggested: str, _filter: str) -> tuple[str, str]:
        asked.append(suggested)
        return str(target), "PDF (*.pdf)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", choose)
    press(qtbot, Key.Key_S, Mod.ControlModifier | Mod.ShiftModifier)
    assert Path(asked[0]).name == f"{NUMBER}-{ui('Case record sheet')}.pdf"
    assert (tmp_path / "chosen.pdf").read_bytes() == doc.pdf
    # Owner-only from its creation, like exports (a case's personal data, or a key).
    assert stat.S_IMODE((tmp_path / "chosen.pdf").stat().st_mode) == 0o600


def test_a_reprint_says_which_copy_it_is(qtbot: QtBot) -> None:
    dialog = preview(qtbot, document("receipt", 1, (ROLL_WIDTH, ROLL_HEIGHT), copy_no=2))
    assert NUMBER in dialog.windowTitle()
    assert ui("Acceptance receipt") in dialog.windowTitle()
    # Copy 2 is the first reprint, numbered as the paper numbers it ("补打 / REPRINT 1").
    assert ui("Reprint %1").replace("%1", "1") in dialog.windowTitle()
    assert "补打 1" in dialog.windowTitle()
    assert printing.suggested_file_name(dialog.document) == f"{NUMBER}-受理回执-补打1.pdf"
    original = preview(qtbot, document("receipt", 1, (ROLL_WIDTH, ROLL_HEIGHT), copy_no=1))
    assert ui("Reprint %1").replace("%1", "") not in original.windowTitle()
    assert printing.suggested_file_name(original.document) == f"{NUMBER}-受理回执.pdf"
    i18n.set_language("en")  # the open preview follows the language switch
    assert dialog.windowTitle() == f"Acceptance receipt {NUMBER} – print preview · Reprint 1"
    assert dialog.print_button.text() == "Print… (Ctrl+P)"
    assert dialog.position.text() == "Page 1 of 1"


def test_esc_closes_the_preview(qtbot: QtBot) -> None:
    dialog = preview(qtbot, document(pages=1))
    with qtbot.waitSignal(dialog.rejected):
        press(qtbot, Key.Key_Escape)
    assert not dialog.isVisible()


@pytest.mark.parametrize(
    ("kind", "pages", "size"),
    [("case_record", 3, A4), ("receipt", 1, (ROLL_WIDTH, ROLL_HEIGHT))],
)
def test_print_puts_each_page_on_paper_of_its_own_size(
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    kind: str,
    pages: int,
    size: tuple[float, float],
) -> None:
    out = tmp_path / "printed.pdf"
    shown = print_to_file(monkeypatch, out)
    dialog = preview(qtbot, document(kind, pages, size))
    press(qtbot, Key.Key_P, Mod.ControlModifier)
    assert len(shown) == 1
    assert shown[0].pageLayout().pageSize().sizePoints().width() == round(size[0])

    printed = out.read_bytes()
    reader = PdfReader(io.BytesIO(printed))
    assert len(reader.pages) == pages
    for index, page in enumerate(reader.pages):
        assert float(page.mediabox.width) == pytest.approx(size[0], abs=1.0)
        assert float(page.mediabox.height) == pytest.approx(size[1], abs=1.0)
        # Each page carries its page of the document, not a blank sheet.
        assert dark_share(printed, index) == pytest.approx(
            dark_share(dialog.document.pdf, index), abs=0.02
        )
        assert dark_share(printed, index) > 0.005
    if kind == "case_record":
        assert PdfReader(io.BytesIO(printed)).pages[0].mediabox.width == pytest.approx(
            595.28, abs=1.0
        )


def test_a_cancelled_print_dialog_prints_nothing(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(QPrintDialog, "exec", lambda _d: QDialog.DialogCode.Rejected.value)
    dialog = preview(qtbot, document(pages=1))
    assert dialog.print_pages() is False
    assert dialog.isVisible()


# -- from the workbench (the real print service) --------------------------------------


def pdf_text(doc: PrintedDocument) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(doc.pdf)).pages)


def prints_recorded(branch: Branch, number: str) -> list[dict[str, object]]:
    events = cases.get_case(branch.ctx, number, viewer="A001").events
    return [dict(e.payload) for e in events if e.kind == "printed"]


def test_save_and_print_in_the_intake_form_opens_the_receipt(
    qtbot: QtBot, branch: Branch, worker: DbWorker
) -> None:
    window = MainWindow(branch.ctx, worker, signed_in(branch.ctx, "H201"))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    activate(qtbot, window)
    press(qtbot, Key.Key_N, Mod.ControlModifier)
    dialog = window._intake
    assert dialog is not None
    qtbot.waitExposed(dialog)
    activate(qtbot, dialog)
    form = dialog.form

    def tab(name: str) -> QWidget:
        press(qtbot, Key.Key_Tab)
        assert focused().objectName() == name
        return focused()

    press(qtbot, Key.Key_3, Mod.AltModifier)  # complaint
    qtbot.keyClicks(tab("customer.phone"), "13900002222")
    tab("customer.service_number")
    type_text(tab("customer.name"), "王小明")
    tab("customer.id_number")
    tab("customer.address")
    type_text(tab("category"), "网络")
    type_text(tab("summary"), "地下室完全没有信号")
    activate(qtbot, dialog)
    form.field_widget("summary").setFocus()
    tab("description")
    type_text(tab("remedy"), "增加室内覆盖")
    with qtbot.waitSignal(form.save_and_print_requested, timeout=10_000) as asked:
        press(qtbot, Key.Key_P, Mod.ControlModifier)
    number = asked.args[0]
    qtbot.waitUntil(lambda: len(open_previews()) == 1, timeout=10_000)
    shown = open_previews()[0]
    assert (shown.document.number, shown.document.kind, shown.document.copy_no) == (
        number,
        "receipt",
        1,
    )
    assert shown.document.page_width_pt == pytest.approx(80 / 25.4 * 72, abs=0.5)  # the roll
    assert shown.page_count() == 1
    text = pdf_text(shown.document)
    assert number in text and "王小明" in text and "139****2222" in text
    assert prints_recorded(branch, number) == [
        {"document": "receipt", "copy_no": 1, "lang": "zh_CN", "paper": "80mm"}
    ]
    assert shown.parent() is dialog  # over the form, which is ready for the next customer
    activate(qtbot, shown)
    press(qtbot, Key.Key_Escape)
    qtbot.waitUntil(lambda: not open_previews())
    # Closing the preview prints nothing more.
    assert len(prints_recorded(branch, number)) == 1


def shown_detail(qtbot: QtBot, worker: DbWorker, number: str) -> CaseDetail:
    detail = CaseDetail(worker, signed_in(worker.ctx, "M301"))
    qtbot.addWidget(detail)
    detail.resize(760, 900)
    detail.show()
    qtbot.waitExposed(detail)
    detail.show_case(number)
    qtbot.waitUntil(lambda: detail.view is not None)
    refocus(qtbot, detail)
    return detail


def refocus(qtbot: QtBot, detail: CaseDetail) -> None:
    activate(qtbot, detail)
    detail.setFocus()


def choose_from_print_menu(qtbot: QtBot, detail: CaseDetail, downs: int) -> None:
    """Ctrl+P opens the menu on its first entry; Down `downs` times and Enter choose."""
    press(qtbot, Key.Key_P, Mod.ControlModifier)
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is detail.print_menu)
    for _ in range(downs):
        press(qtbot, Key.Key_Down)
    press(qtbot, Key.Key_Return)


def test_the_case_detail_prints_the_document_chosen_from_its_menu(
    qtbot: QtBot, branch: Branch, worker: DbWorker
) -> None:
    number = cases.intake(branch.ctx, form=complaint_form(), actor="A001").case.number
    detail = shown_detail(qtbot, worker, number)

    choose_from_print_menu(qtbot, detail, 2)  # the case record sheet
    qtbot.waitUntil(lambda: len(open_previews()) == 1, timeout=10_000)
    record = open_previews()[0]
    assert (record.document.number, record.document.kind) == (number, "case_record")
    assert (record.document.page_width_pt, record.document.page_height_pt) == pytest.approx(A4)
    assert record.page_count() == len(PdfReader(io.BytesIO(record.document.pdf)).pages)
    record.close()
    qtbot.waitUntil(lambda: not open_previews())

    for copy_no in (1, 2):  # the receipt, then again: the second is a marked reprint
        refocus(qtbot, detail)
        choose_from_print_menu(qtbot, detail, 0)
        qtbot.waitUntil(lambda: len(open_previews()) == 1, timeout=10_000)
        receipt = open_previews()[0]
        assert (receipt.document.kind, receipt.document.copy_no) == ("receipt", copy_no)
        title, receipt_document = receipt.windowTitle(), receipt.document
        receipt.close()
        qtbot.waitUntil(lambda: not open_previews())
    assert "补打 1" in title  # the paper's "补打 / REPRINT 1"
    assert "补打 / REPRINT 1" in pdf_text(receipt_document)
    assert [(p["document"], p["copy_no"]) for p in prints_recorded(branch, number)] == [
        ("case_record", 1),
        ("receipt", 1),
        ("receipt", 2),
    ]
    # The recorded prints reach the pane's history as well.
    qtbot.waitUntil(lambda: len([e for e in detail.timeline_entries if "打印文书" in e]) == 3)


def test_a_refused_document_is_explained_not_raised(
    qtbot: QtBot, branch: Branch, worker: DbWorker
) -> None:
    number = cases.intake(branch.ctx, form=complaint_form(), actor="A001").case.number
    detail = shown_detail(qtbot, worker, number)
    for _attempt in range(2):  # a refusal does not block the next try
        choose_from_print_menu(qtbot, detail, 1)  # closure letter; nothing is resolved yet
        qtbot.waitUntil(lambda: len(message_boxes()) == 1, timeout=10_000)
        box = message_boxes()[0]
        assert box.text() == (
            f"受理编号 {number} 尚未处理完毕（当前状态：已受理），不能出具处理结果告知书。"
        )
        assert not open_previews()
        box.accept()
        refocus(qtbot, detail)
    assert prints_recorded(branch, number) == []


def test_screenshots(qtbot: QtBot, branch: Branch) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    number = cases.intake(branch.ctx, form=complaint_form(), actor="A001").case.number
    for kind in ("receipt", "receipt", "case_record"):
        doc = print_document(branch.ctx, number=number, kind=kind, actor="H201")
        dialog = preview(qtbot, doc)
        path = SHOTS / f"print_preview_{kind}_{doc.copy_no}.png"
        dialog.grab().save(str(path))
        assert path.stat().st_size > 0
    dialog = preview(qtbot, document("case_record", 2, A4))
    dialog.grab().save(str(SHOTS / "print_preview_two_pages.png"))


def test_a_print_run_can_be_in_another_language(
    qtbot: QtBot, branch: Branch, worker: DbWorker
) -> None:
    number = cases.intake(branch.ctx, form=complaint_form(), actor="A001").case.number
    detail = shown_detail(qtbot, worker, number)
    detail.document_language_actions["en"].trigger()
    detail.print_document("receipt")
    qtbot.waitUntil(lambda: len(open_previews()) == 1, timeout=10_000)
    preview = open_previews()[0]
    text_on_paper = pdf_text(preview.document)
    assert "Acceptance Receipt" in text_on_paper and "受理回执" not in text_on_paper
    preview.close()
    assert [p["lang"] for p in prints_recorded(branch, number)] == ["en"]
