"""One archived case in the workbench, read-only, as its record in the volume keeps
it: the fields, the full timeline, and its archived documents, reprinted exactly as
archived through the print preview (each reprint is recorded by the service). Also
the small helpers the archive panel shares with it."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from branchdesk.archive.master import ArchiveKeys
from branchdesk.archive.record import ArchivedCase
from branchdesk.domain.errors import DomainError
from branchdesk.services import archiving
from branchdesk.services.context import ServiceContext
from branchdesk.services.printing import PrintedDocument, first_page_size
from ui import i18n
from ui.followup_table import RowsModel
from ui.printing import PrintPreviewDialog, kind_label
from ui.session import UserSession
from ui.worker import DbWorker


def event_word(kind: str) -> str:
    """An event kind in words: the action that made it, or the intake ("received")."""
    if kind == "received":
        return i18n.text("cli.event.received")
    return i18n.word("label.Action", kind)


def table(model: RowsModel, parent: QWidget, *, many: bool = False) -> QTableView:
    view = QTableView(parent)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(
        QAbstractItemView.SelectionMode.ExtendedSelection
        if many
        else QAbstractItemView.SelectionMode.SingleSelection
    )
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.horizontalHeader().setStretchLastSection(True)
    return view


class ArchivedCaseDialog(QDialog):
    """One archived case, read-only, as its record keeps it: the fields, the timeline,
    and its archived documents to reprint (each reprint is recorded)."""

    reprinted = Signal(object)  # PrintedDocument

    def __init__(
        self,
        case: ArchivedCase,
        ctx: ServiceContext,
        worker: DbWorker,
        session: UserSession,
        keys: ArchiveKeys,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.case, self._ctx, self._worker, self._session, self._keys = (
            case,
            ctx,
            worker,
            session,
            keys,
        )
        self.preview: PrintPreviewDialog | None = None
        self.setWindowTitle(self.tr("Archived case %1 (read-only)").replace("%1", case.archive_no))
        form = QFormLayout()
        tz = ctx.tz
        facts = (
            (self.tr("Archive number"), case.archive_no),
            (self.tr("Case"), case.number),
            (self.tr("Kind"), i18n.word("label.CaseKind", case.kind)),
            (self.tr("Category"), ctx.catalogue.label(case.category, i18n.current())),
            (self.tr("Customer"), str(case.customer.get("name") or "")),
            (self.tr("Phone"), str(case.customer.get("phone") or "")),
            (self.tr("Summary"), case.summary),
            (self.tr("Received"), f"{case.received_at.astimezone(tz):%Y-%m-%d %H:%M}"),
            (self.tr("Archived"), f"{case.archived_at.astimezone(tz):%Y-%m-%d %H:%M}"),
            (self.tr("Keep until"), case.retention_until.isoformat()),
        )
        for label, value in facts:
            shown = QLabel(value, self)
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard)
            shown.setWordWrap(True)
            form.addRow(label, shown)
        self.timeline_model = RowsModel(
            lambda: [self.tr("No."), self.tr("When"), self.tr("Who"), self.tr("What")], self
        )
        self.timeline_model.set_rows(
            [
                (
                    str(e.seq),
                    f"{e.at.astimezone(tz):%Y-%m-%d %H:%M}",
                    e.actor_name,
                    event_word(e.kind),
                )
                for e in case.events
            ],
            list(case.events),
            [False] * len(case.events),
        )
        self.timeline = table(self.timeline_model, self)
        self.timeline.verticalHeader().hide()  # the first column numbers the events
        self.timeline.resizeColumnsToContents()
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.document_buttons: dict[str, QPushButton] = {}
        documents = QHBoxLayout()
        for n, document in enumerate(case.documents, start=1):
            button = QPushButton(
                self.tr("Reprint %1 (Alt+%2)")
                .replace("%1", kind_label(document.kind))
                .replace("%2", str(n)),
                self,
            )
            button.setVisible(session.allows("archive.reprint"))
            button.clicked.connect(lambda _c=False, k=document.kind: self.reprint(k))
            QShortcut(QKeySequence(f"Alt+{n}"), self).activated.connect(
                lambda k=document.kind: self.reprint(k)
            )
            self.document_buttons[document.kind] = button
            documents.addWidget(button)
        documents.addStretch(1)
        close = QPushButton(self.tr("Close (Esc)"), self)
        close.clicked.connect(self.reject)
        documents.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.timeline, 1)
        layout.addLayout(documents)
        layout.addWidget(self.error)
        self.resize(760, 640)
        self.setFocusProxy(self.timeline)

    def reprint(self, kind: str) -> None:
        if not self._session.allows("archive.reprint"):
            return
        me, keys, ref, number = (
            self._session.staff_no,
            self._keys,
            self.case.archive_no,
            self.case.number,
        )

        def go(ctx: ServiceContext) -> PrintedDocument:
            pdf = archiving.reprint(ctx, keys, ref=ref, kind=kind, actor=me)
            width, height = first_page_size(pdf)
            return PrintedDocument(number, kind, 1, pdf, width, height)

        self._worker.run(go, on_done=self._show, on_error=self._failed)

    def _show(self, document: PrintedDocument) -> None:
        self.preview = PrintPreviewDialog(document, self)
        self.preview.show()
        self.reprinted.emit(document)

    def _failed(self, error: DomainError) -> None:
        self.error.setText(i18n.error_text(error))
