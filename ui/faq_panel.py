"""The FAQ knowledge base (常见问题解答) as a panel: a search box that searches as one
types (after a short pause, Chinese fragments of any length), the hits best first,
and the chosen article in full (title, text, tags, version, where it comes from).
Opened for a consultation case, Enter answers the case with the chosen article, so a
clerk answers in a few keystrokes: type, Enter. Service calls run on the worker."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from branchdesk.domain.errors import DomainError
from branchdesk.domain.faq import Article, Source
from branchdesk.services import faq
from branchdesk.services.cases import CaseView
from branchdesk.services.context import ServiceContext
from ui import i18n
from ui.followup_table import RowsPanel
from ui.worker import DbWorker

#: How long typing must pause before the search runs (ms): one search per word, not
#: one per keystroke.
SEARCH_PAUSE_MS = 250


class FaqPanel(RowsPanel):
    """The FAQ for `staff_no`; with `case_number`, answering that consultation."""

    loaded = Signal(int)  # hits shown
    answered = Signal(object)  # CaseView
    failed = Signal(object)  # DomainError

    def __init__(
        self,
        ctx: ServiceContext,
        worker: DbWorker,
        staff_no: str,
        parent: QWidget | None = None,
        *,
        case_number: str | None = None,
    ) -> None:
        super().__init__(ctx, worker, staff_no, self._headers, parent)
        self.case_number = case_number
        self.search_edit = QLineEdit(self)
        self.search_edit.setClearButtonEnabled(True)
        self.case_label = QLabel(self)
        self.article = QPlainTextEdit(self)
        self.article.setReadOnly(True)
        self.answer_button = QPushButton(self)
        self.answer_button.setVisible(case_number is not None)
        self.answer_button.setEnabled(False)
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self._pause = QTimer(self)
        self._pause.setSingleShot(True)
        self._pause.setInterval(SEARCH_PAUSE_MS)

        top = QHBoxLayout()
        top.addWidget(self.search_edit, 1)
        top.addWidget(self.case_label)
        bottom = QHBoxLayout()
        bottom.addWidget(self.error, 1)
        bottom.addWidget(self.answer_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 2)
        layout.addWidget(self.article, 3)
        layout.addLayout(bottom)
        self.setFocusProxy(self.search_edit)

        self.search_edit.textChanged.connect(lambda _t: self._pause.start())
        self._pause.timeout.connect(self.search)
        self.search_edit.returnPressed.connect(self.answer)
        # Down from the search box walks the hits; Enter on a hit answers with it.
        self.search_edit.installEventFilter(self)
        self.table.activated.connect(lambda _i: self.answer())
        self.answer_button.clicked.connect(self.answer)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_article())
        self.retranslate()

    # -- public
    def search(self) -> None:
        """Search for what the box holds now (the pause timer calls this)."""
        self._pause.stop()
        self._generation += 1
        generation, me, query = self._generation, self._me, self.search_edit.text().strip()
        language = i18n.current()

        def fetch(ctx: ServiceContext) -> list[Article]:
            return faq.search(ctx, query, actor=me, language=language)

        self._worker.run(
            fetch, on_done=lambda hits: self._arrived(generation, hits), on_error=self._failed
        )

    # Loading the list again is searching again.
    refresh = search

    def selected(self) -> Article | None:
        found = self.selected_record()
        return found if isinstance(found, Article) else None

    def answer(self) -> None:
        """Answer the consultation with the chosen article (nothing without a case)."""
        article, number, me = self.selected(), self.case_number, self._me
        if article is None or number is None or self._pause.isActive():
            return  # a search is still to come: Enter must not answer with a stale hit
        self.answer_button.setEnabled(False)

        def act(ctx: ServiceContext) -> CaseView:
            return faq.answer_with_article(
                ctx, number=number, article_id=article.key, actor=me, language=article.language
            )

        self._worker.run(act, on_done=self._answered, on_error=self._failed, writes=True)

    def retranslate(self) -> None:
        self.search_edit.setPlaceholderText(
            self.tr("Search the FAQ: any words or characters, e.g. 补卡")
        )
        self.search_edit.setAccessibleName(self.tr("Search the FAQ"))
        self.answer_button.setText(self.tr("Answer with this article (Enter)"))
        self.case_label.setText(
            self.tr("Answering %1").replace("%1", self.case_number) if self.case_number else ""
        )
        self.table.setAccessibleName(self.tr("FAQ articles"))
        self.model.retranslate()
        self._show_article()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.search_edit
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Down
            and self.model.rowCount()
        ):
            self.table.setFocus()
            if self.selected() is None:
                self.select_row(0)
            return True
        return super().eventFilter(watched, event)

    # -- private
    def _headers(self) -> list[str]:
        return [self.tr("Title"), self.tr("Category"), self.tr("Source"), self.tr("Used")]

    def _source(self, source: Source) -> str:
        return {
            Source.SHIPPED: self.tr("Shipped"),
            Source.HQ: self.tr("Headquarters"),
            Source.BRANCH: self.tr("This branch"),
        }[source]

    def _category(self, code: str) -> str:
        names = {
            "plans": self.tr("Plans"),
            "billing": self.tr("Billing"),
            "broadband": self.tr("Broadband"),
            "porting": self.tr("Number porting"),
            "sim": self.tr("SIM cards"),
        }
        return names.get(code, code)

    def _arrived(self, generation: int, hits: list[Article]) -> None:
        if generation != self._generation:
            return  # a newer search is on its way
        rows = [
            (a.title, self._category(a.category), self._source(a.source), str(a.uses)) for a in hits
        ]
        self.model.set_rows(rows, hits, [False] * len(hits))
        self.table.resizeColumnsToContents()
        self.error.clear()
        if hits:
            self.select_row(0)  # the best hit, so that Enter answers with it
        self._show_article()
        self.loaded.emit(len(hits))

    def _show_article(self) -> None:
        article = self.selected()
        self.answer_button.setEnabled(article is not None and self.case_number is not None)
        if article is None:
            self.article.clear()
            return
        lines = [
            article.title,
            "",
            article.body,
            "",
            self.tr("Tags: %1").replace("%1", "、".join(article.tags) or "—"),
            self.tr("Version %1 · %2 · %3")
            .replace("%1", str(article.version))
            .replace("%2", self._source(article.source))
            .replace("%3", article.key),
        ]
        self.article.setPlainText("\n".join(lines))

    def _answered(self, view: CaseView) -> None:
        self.error.setText(self.tr("%1 answered.").replace("%1", view.case.number))
        self._show_article()
        self.answered.emit(view)

    def _failed(self, error: DomainError) -> None:
        self.error.setText(i18n.error_text(error))
        self._show_article()
        self.failed.emit(error)
