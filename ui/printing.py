"""Printing a case's documents from the workbench: the PDF the print service renders is
the one source of truth for the layout. The preview shows its pages rendered (pypdfium2)
at screen resolution; printing renders the same pages again at the printer's resolution
and draws each one onto a page of the PDF's own size (an 80 mm roll for roll receipts,
A4 for letters and records); "Save as PDF" writes the service's bytes unchanged.

`print_case_document` runs the print service on the database worker (every print is a
recorded case event, so it is a write) and opens the preview with the result."""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path

import pypdfium2 as pdfium
import shiboken6
from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QMarginsF,
    QSizeF,
    QStandardPaths,
    Qt,
    Slot,
)
from PySide6.QtGui import (
    QImage,
    QKeySequence,
    QPageLayout,
    QPageSize,
    QPainter,
    QPixmap,
    QShortcut,
)
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from branchdesk.domain.errors import DomainError
from branchdesk.services.context import ServiceContext
from branchdesk.services.printing import PrintedDocument, print_document
from branchdesk.services.private_files import open_private
from ui import i18n
from ui.session import UserSession
from ui.worker import DbWorker

# Printing at a laser printer's full 1200 dpi would need ~550 MB per A4 page image;
# 300 dpi is sharper than any thermal roll printer (203 dpi) and crisp on paper.
MAX_PRINT_DPI = 300
_POINTS_PER_INCH = 72.0
# Prints in flight, so that a second Ctrl+P before the first preview opens does not
# record a second copy.
_pending: dict[tuple[str, str], Future[PrintedDocument]] = {}


def kind_label(kind: str) -> str:
    """The document's name in the interface language ("受理回执")."""
    labels = {
        "receipt": QCoreApplication.translate("PrintPreviewDialog", "Acceptance receipt"),
        "closure_letter": QCoreApplication.translate("PrintPreviewDialog", "Closure letter"),
        "case_record": QCoreApplication.translate("PrintPreviewDialog", "Case record sheet"),
        "appointment_confirmation": QCoreApplication.translate(
            "PrintPreviewDialog", "Appointment confirmation"
        ),
        "appointment_day_sheet": QCoreApplication.translate(
            "PrintPreviewDialog", "Appointment day sheet"
        ),
        "recovery_sheet": QCoreApplication.translate(
            "PrintPreviewDialog", "Archive recovery sheet"
        ),
    }
    return labels.get(kind, kind)


def suggested_file_name(document: PrintedDocument) -> str:
    """The name offered by "Save as PDF": "GZ0012-20261129-0007K-受理回执.pdf", and
    "…-受理回执-补打1.pdf" for the first reprint."""
    name = f"{document.number}-{kind_label(document.kind)}"
    if document.copy_no > 1:
        # Numbered as on the paper: copy 2 is reprint 1 ("补打 / REPRINT 1").
        reprint = QCoreApplication.translate("PrintPreviewDialog", "reprint %1")
        name += "-" + reprint.replace("%1", str(document.copy_no - 1))
    # Neither Windows nor any other desktop accepts these in a file name.
    return "".join("_" if c in '<>:"/\\|?*' else c for c in name) + ".pdf"


def page_size(document: PrintedDocument) -> QPageSize:
    """The paper the document was laid out for: a named size (A4) when it is one, else a
    custom size (the 80 mm roll, as long as the receipt)."""
    size = QSizeF(document.page_width_pt, document.page_height_pt)
    fuzzy = QPageSize(size, QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.FuzzyMatch)
    if fuzzy.id() != QPageSize.PageSizeId.Custom:
        return fuzzy
    return QPageSize(size, QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.ExactMatch)


def render_pages(pdf: bytes, dpi: float) -> list[QImage]:
    """Every page of `pdf` as an image at `dpi` dots per inch, white background."""
    document = pdfium.PdfDocument(pdf)
    try:
        return [_render(document, index, dpi) for index in range(len(document))]
    finally:
        document.close()


def render_page(pdf: bytes, index: int, dpi: float) -> QImage:
    """Page `index` (from 0) of `pdf` as an image at `dpi` dots per inch."""
    document = pdfium.PdfDocument(pdf)
    try:
        return _render(document, index, dpi)
    finally:
        document.close()


def _render(document: pdfium.PdfDocument, index: int, dpi: float) -> QImage:
    page = document[index]
    try:
        bitmap = page.render(
            scale=dpi / _POINTS_PER_INCH,
            fill_color=(255, 255, 255, 255),
            rev_byteorder=True,
            prefer_bgrx=True,
        )
        try:
            # copy(): the QImage must own its pixels once the bitmap is freed.
            return QImage(
                bytes(bitmap.buffer),
                bitmap.width,
                bitmap.height,
                bitmap.stride,
                QImage.Format.Format_RGBX8888,
            ).copy()
        finally:
            bitmap.close()
    finally:
        page.close()


def page_count(pdf: bytes) -> int:
    document = pdfium.PdfDocument(pdf)
    try:
        return len(document)
    finally:
        document.close()


class PrintPreviewDialog(QDialog):
    """The pages of one printed document, one under the other, with Print (Ctrl+P),
    Save as PDF (Ctrl+Shift+S) and Close (Esc). `printer` keeps the clerk's choice of
    printer between prints from the same preview."""

    def __init__(self, document: PrintedDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        self.page_labels: list[QLabel] = []

        self.pages_view = QScrollArea(self)
        self.pages_view.setObjectName("pages")
        self.pages_view.setWidgetResizable(True)
        self.pages_view.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.pages_view.setStyleSheet(
            "QScrollArea#pages > QWidget > QWidget { background: #8a8f96; }"
        )
        sheet = QWidget()
        pages = QVBoxLayout(sheet)
        pages.setSpacing(16)
        pages.setContentsMargins(16, 16, 16, 16)
        ratio = self.devicePixelRatioF()
        for image in render_pages(document.pdf, self.logicalDpiX() * ratio):
            pixmap = QPixmap.fromImage(image)
            pixmap.setDevicePixelRatio(ratio)
            label = QLabel()
            label.setObjectName(f"page_{len(self.page_labels) + 1}")
            label.setPixmap(pixmap)
            label.setFrameShape(QFrame.Shape.Box)
            label.setStyleSheet("background: white; border: 1px solid #555;")
            pages.addWidget(label, 0, Qt.AlignmentFlag.AlignHCenter)
            self.page_labels.append(label)
        pages.addStretch(1)
        self.pages_view.setWidget(sheet)
        self.pages_view.verticalScrollBar().valueChanged.connect(lambda _v: self._update_position())

        self.position = QLabel()
        self.position.setObjectName("position")
        self.print_button = QPushButton(autoDefault=True)
        self.print_button.setObjectName("print")
        self.print_button.setDefault(True)  # Enter prints, as Ctrl+P does
        self.print_button.clicked.connect(self.print_pages)
        self.save_button = QPushButton(autoDefault=True)
        self.save_button.setObjectName("save_pdf")
        self.save_button.clicked.connect(self.save_pdf)
        self.close_button = QPushButton(autoDefault=True)
        self.close_button.setObjectName("close")
        self.close_button.clicked.connect(self.reject)  # Esc rejects as well
        # QShortcuts, not the buttons' own: a button's setText() replaces its shortcut
        # with the text's mnemonic, so every retranslation would drop them.
        for keys, slot in (("Ctrl+P", self.print_pages), ("Ctrl+Shift+S", self.save_pdf)):
            QShortcut(QKeySequence(keys), self).activated.connect(slot)
        buttons = QHBoxLayout()
        buttons.addWidget(self.position)
        buttons.addStretch(1)
        for button in (self.print_button, self.save_button, self.close_button):
            buttons.addWidget(button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.pages_view, 1)
        layout.addLayout(buttons)
        # Wide enough for an A4 page at screen resolution; a roll receipt sits centred.
        widest = max((label.sizeHint().width() for label in self.page_labels), default=300)
        tallest = max((label.sizeHint().height() for label in self.page_labels), default=300)
        self.resize(min(max(widest + 80, 480), 900), min(tallest + 120, 900))
        self.print_button.setFocus()
        self.retranslate()
        # Besides LanguageChange: Qt sends none when the new translator holds no text.
        # A bound slot: Qt drops the connection when the dialog goes.
        i18n.notifier.changed.connect(self._language_changed)

    @Slot(str)
    def _language_changed(self, _lang: str) -> None:
        self.retranslate()

    # -- text -----------------------------------------------------------------------
    def retranslate(self) -> None:
        title = self.tr("%1 %2 – print preview").replace("%1", kind_label(self.document.kind))
        title = title.replace("%2", self.document.number)
        if self.document.copy_no > 1:
            reprint = str(self.document.copy_no - 1)  # as on the paper: copy 2 is reprint 1
            title += " · " + self.tr("Reprint %1").replace("%1", reprint)
        self.setWindowTitle(title)
        self.print_button.setText(self.tr("Print… (Ctrl+P)"))
        self.save_button.setText(self.tr("Save as PDF… (Ctrl+Shift+S)"))
        self.close_button.setText(self.tr("Close (Esc)"))
        self._update_position()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def page_count(self) -> int:
        return len(self.page_labels)

    def current_page(self) -> int:
        """The page (from 1) at the top of the view."""
        top = self.pages_view.verticalScrollBar().value()
        shown = [i for i, label in enumerate(self.page_labels, 1) if label.y() <= top + 16]
        return shown[-1] if shown else 1

    def _update_position(self) -> None:
        self.position.setText(
            self.tr("Page %1 of %2")
            .replace("%1", str(self.current_page()))
            .replace("%2", str(self.page_count()))
        )

    # -- output ---------------------------------------------------------------------
    def prepare_printer(self, printer: QPrinter) -> None:
        """Paper of the document's own size, no margins added (the layout has its
        own), the document's name for the print queue."""
        printer.setDocName(suggested_file_name(self.document).removesuffix(".pdf"))
        printer.setFullPage(True)
        orientation = (
            QPageLayout.Orientation.Landscape
            if self.document.page_width_pt > self.document.page_height_pt
            else QPageLayout.Orientation.Portrait
        )
        printer.setPageLayout(
            QPageLayout(
                page_size(self.document), orientation, QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Point
            )
        )

    def print_pages(self) -> bool:
        """Ask for the printer (Ctrl+P), then print; False when the clerk cancelled."""
        self.prepare_printer(self.printer)
        dialog = QPrintDialog(self.printer, self)
        dialog.setWindowTitle(self.windowTitle())
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        self.print_to(self.printer)
        return True

    def print_to(self, printer: QPrinter) -> None:
        """Draw every page onto `printer`, each rendered at the printer's resolution
        and scaled to fill its page (keeping its proportions)."""
        dpi = min(printer.resolution(), MAX_PRINT_DPI)
        painter = QPainter()
        if not painter.begin(printer):
            self._warn(self.tr("The printer could not be started."))
            return
        try:
            # One page at a time: a record sheet of many pages at print resolution
            # would not fit in memory all at once.
            for index in range(page_count(self.document.pdf)):
                if index:
                    printer.newPage()
                image = render_page(self.document.pdf, index, dpi)
                target = painter.viewport()
                scaled = image.size().scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
                painter.setViewport(target.x(), target.y(), scaled.width(), scaled.height())
                painter.setWindow(image.rect())
                painter.drawImage(0, 0, image)
                painter.setViewport(target)
                painter.setWindow(target)
        finally:
            painter.end()

    def save_pdf(self) -> str | None:
        """Ask where (Ctrl+Shift+S) and write the PDF as the service made it."""
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        path, _filter = QFileDialog.getSaveFileName(
            self,
            self.tr("Save as PDF"),
            str(Path(folder) / suggested_file_name(self.document)),
            self.tr("PDF documents (*.pdf)"),
        )
        if not path:
            return None
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        try:
            # Owner-only, like exports: a case document, or the recovery sheet's key.
            with open_private(Path(path)) as f:
                f.write(self.document.pdf)
        except OSError as error:
            self._warn(
                self.tr("Could not save %1: %2").replace("%1", path).replace("%2", str(error))
            )
            return None
        return path

    def _warn(self, message: str) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            self.windowTitle(),
            message,
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()


def print_case_document(
    worker: DbWorker,
    session: UserSession,
    number: str,
    kind: str,
    parent: QWidget | None,
    *,
    lang: str | None = None,
    paper: str | None = None,
) -> None:
    """Render (and record) document `kind` of case `number` on the worker, then open
    its preview over `parent`; a refusal (no resolution yet for a closure letter …) is
    shown in a message box."""
    key = (number, kind)
    me = session.staff_no
    running = _pending.get(key)
    if running is not None and not _crashed(running):
        return

    def render(ctx: ServiceContext) -> PrintedDocument:
        return print_document(ctx, number=number, kind=kind, actor=me, lang=lang, paper=paper)

    def done(document: PrintedDocument) -> None:
        _pending.pop(key, None)
        owner = parent if parent is not None and shiboken6.isValid(parent) else None
        preview = PrintPreviewDialog(document, owner)
        preview.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        preview.show()
        preview.raise_()
        preview.activateWindow()

    def failed(error: DomainError) -> None:
        _pending.pop(key, None)
        owner = parent if parent is not None and shiboken6.isValid(parent) else None
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            QCoreApplication.translate("PrintPreviewDialog", "Cannot print"),
            i18n.error_text(error),
            QMessageBox.StandardButton.Ok,
            owner,
        )
        box.setObjectName("print_refused")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        # open(), not exec(): the window stays live and the box is window-modal.
        box.open()

    _pending[key] = worker.run(render, on_done=done, on_error=failed, writes=True)


def _crashed(future: Future[PrintedDocument]) -> bool:
    """A print that failed with a bug (shown by the crash dialog, never delivered to
    `failed`) must not block the next attempt."""
    if not future.done():
        return False
    error = future.exception()
    return error is not None and not isinstance(error, DomainError)
