"""The case list of the workbench: a table view over `CaseTableModel` (see
`ui.case_list_model`), keyboard-driven, that says which case is selected and opened."""

from __future__ import annotations

from datetime import timedelta

import shiboken6
from PySide6.QtCore import QEvent, QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QVBoxLayout, QWidget

from branchdesk import display
from branchdesk.domain.model import CaseKind, CaseState, Grade
from branchdesk.services import worklists
from branchdesk.services.worklists import CaseFilter
from ui import i18n
from ui.case_list_model import (
    COLUMNS,
    FIRST_DESCENDING,
    MAX_PAGES,
    PAGE_SIZE,
    PAUSED_TEXT,
    PLACEHOLDER,
    SUMMARY_ROLE,
    URGENCY_COLOURS,
    CaseTableModel,
)
from ui.worker import DbWorker

# Milestones whose labels size the "next deadline" column (the common ones).
_SAMPLE_MILESTONES = ("acknowledge", "first_reply", "handling", "closure", "answer")

__all__ = [
    "COLUMNS",
    "MAX_PAGES",
    "PAGE_SIZE",
    "PAUSED_TEXT",
    "PLACEHOLDER",
    "SUMMARY_ROLE",
    "URGENCY_COLOURS",
    "CaseTable",
    "CaseTableModel",
]


class _CaseView(QTableView):
    """The table itself; Enter opens the current case (it does not start editing)."""

    enter_pressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.enter_pressed.emit()
            event.accept()
            return
        super().keyPressEvent(event)

    def moveCursor(
        self, cursorAction: QAbstractItemView.CursorAction, modifiers: Qt.KeyboardModifier
    ) -> QModelIndex:
        # A table's Home/End go to the ends of the row; in a list of whole rows they
        # should go to the first and last case, as Ctrl+Home/Ctrl+End do.
        if cursorAction in (
            QAbstractItemView.CursorAction.MoveHome,
            QAbstractItemView.CursorAction.MoveEnd,
        ):
            modifiers |= Qt.KeyboardModifier.ControlModifier
        return super().moveCursor(cursorAction, modifiers)


class CaseTable(QWidget):
    """The case list: one row a case, keyboard driven, sorted by header clicks.

    `case_selected(number)` follows the current row (arrows, PageUp/PageDown, Home/End,
    mouse); `case_activated(number)` is Enter or a double click. A row whose page has
    not arrived yet emits once it has.
    """

    case_selected = Signal(str)
    case_activated = Signal(str)
    load_failed = Signal(object)  # DomainError from a list query

    def __init__(
        self,
        worker: DbWorker,
        parent: QWidget | None = None,
        *,
        case_filter: CaseFilter | None = None,
        page_size: int = PAGE_SIZE,
        max_pages: int = MAX_PAGES,
    ) -> None:
        super().__init__(parent)
        self.model = CaseTableModel(worker, self, page_size=page_size, max_pages=max_pages)
        self.view = _CaseView(self)
        self.view.setModel(self.model)
        self._configure_view()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self.setFocusProxy(self.view)

        self._keep_id: int | None = None  # the case to select again after a reload
        self._want_first = False
        self._awaiting_row: int | None = None  # current row whose number is on its way
        self._awaiting_activation: int | None = None
        self._last_selected = ""

        selection = self.view.selectionModel()
        selection.currentRowChanged.connect(self._current_changed)
        self.model.modelAboutToBeReset.connect(self._remember_current)
        self.model.ids_loaded.connect(self._after_reload)
        self.model.dataChanged.connect(self._rows_arrived)
        self.model.load_failed.connect(self.load_failed)
        self.view.enter_pressed.connect(lambda: self._activate(self.view.currentIndex().row()))
        self.view.doubleClicked.connect(lambda index: self._activate(index.row()))
        self.view.horizontalHeader().sectionClicked.connect(self._header_clicked)
        self.retranslate()
        # Code labels change with the language even when no Qt translator is swapped
        # (and so no LanguageChange arrives): widths follow them.
        i18n.notifier.changed.connect(self._language_changed)
        if case_filter is not None:
            self.set_filter(case_filter)

    def _configure_view(self) -> None:
        view = self.view
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setTabKeyNavigation(False)  # Tab leaves the table for the next field
        view.setAlternatingRowColors(True)
        view.setShowGrid(False)
        view.setWordWrap(False)
        view.setTextElideMode(Qt.TextElideMode.ElideRight)
        rows = view.verticalHeader()
        rows.hide()
        # Fixed, equal row heights: the view never measures a million rows.
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(view.fontMetrics().height() + 8)
        header = view.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self._update_sort_indicator()

    # -- public
    def filter(self) -> CaseFilter:
        return self.model.filter()

    def set_filter(self, case_filter: CaseFilter) -> None:
        """Show another list; the current case stays selected if it is on it."""
        self.model.set_filter(case_filter)
        self._update_sort_indicator()

    def reload(self) -> None:
        self.model.reload()

    def select_first(self) -> None:
        """Make the first row current (once the list being loaded has arrived)."""
        if self.model.is_loading():
            self._want_first = True
        elif self.model.rowCount() > 0:
            self._make_current(0)

    def current_number(self) -> str:
        """The case number of the current row ("" if none, or not fetched yet)."""
        index = self.view.currentIndex()
        if not index.isValid():
            return ""
        return self.model.number_at(index.row()) or ""

    def retranslate(self) -> None:
        self.view.setAccessibleName(self.tr("Cases"))
        self.model.retranslate()
        self._fit_columns()

    def _fit_columns(self) -> None:
        """Column widths from the longest label a column can show in this language,
        never from measuring rows (which would fetch them)."""
        ctx = self.model.context()
        lang = i18n.current()
        now = ctx.now()
        longest_state = max(
            (i18n.word("label.CaseState", s) for s in CaseState), key=len, default=""
        )
        samples: dict[str, list[str]] = {
            "number": ["GZ0012-20261125-0013F"],
            "kind": [i18n.word("label.CaseKind", k) for k in CaseKind],
            "customer": ["欧阳晓明 138****5678"],
            "category": [
                ctx.catalogue.label(c.code, lang)
                for k in CaseKind
                for c in ctx.catalogue.for_kind(k)
            ],
            "grade": [i18n.word("label.Grade", g) for g in Grade],
            "state": [longest_state + self.model.paused_mark()],
            "owner": ["C101 欧阳晓明"],
            "received_at": [display.when(now, ctx.tz)],
            "milestone": [i18n.word("milestone", m) for m in _SAMPLE_MILESTONES],
            "next_due_at": [display.time_left(now - timedelta(days=12, hours=23), now, lang) + "*"],
        }
        metrics = self.view.fontMetrics()
        header = self.view.horizontalHeader()
        widest = metrics.horizontalAdvance("0") * 34  # long labels are elided, not the table
        for column, key in enumerate(COLUMNS):
            texts = [*samples[key], str(self.model.headerData(column, Qt.Orientation.Horizontal))]
            width = max(metrics.horizontalAdvance(t) for t in texts) + 28  # margin, sort arrow
            header.resizeSection(column, min(width, widest))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _language_changed(self, _lang: str) -> None:
        if shiboken6.isValid(self):
            self._fit_columns()

    # -- selection
    def _make_current(self, row: int) -> None:
        index = self.model.index(row, 0)
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index, QAbstractItemView.ScrollHint.EnsureVisible)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._awaiting_row = None
        if not current.isValid():
            return
        number = self.model.number_at(current.row())
        if number is None:
            self._awaiting_row = current.row()
            return
        self._announce(number)

    def _announce(self, number: str) -> None:
        if number != self._last_selected:
            self._last_selected = number
            self.case_selected.emit(number)

    def _activate(self, row: int) -> None:
        if row < 0:
            return
        number = self.model.number_at(row)
        if number is None:
            self._awaiting_activation = row
            return
        self.case_activated.emit(number)

    def _rows_arrived(self, top_left: QModelIndex, bottom_right: QModelIndex) -> None:
        first, last = top_left.row(), bottom_right.row()
        row = self._awaiting_row
        if row is not None and first <= row <= last:
            number = self.model.number_at(row)
            if number is not None:
                self._awaiting_row = None
                self._announce(number)
        row = self._awaiting_activation
        if row is not None and first <= row <= last:
            number = self.model.number_at(row)
            if number is not None:
                self._awaiting_activation = None
                self.case_activated.emit(number)

    def _remember_current(self) -> None:
        index = self.view.currentIndex()
        self._keep_id = self.model.id_at(index.row()) if index.isValid() else None
        self._awaiting_row = self._awaiting_activation = None

    def _after_reload(self) -> None:
        row = -1
        if self._want_first and self.model.rowCount() > 0:
            row = 0
        elif self._keep_id is not None:
            row = self.model.row_of_id(self._keep_id)
        self._want_first = False
        self._keep_id = None
        if row >= 0:
            self._make_current(row)
        else:
            self._last_selected = ""  # the case left the list; picking it again announces it
        self._update_sort_indicator()

    # -- sorting
    def _header_clicked(self, column: int) -> None:
        key = COLUMNS[column]
        if key in worklists.SORTABLE:
            current = self.model.filter()
            descending = not current.descending if current.sort == key else key in FIRST_DESCENDING
            order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
            self.model.sort(column, order)
        self._update_sort_indicator()

    def _update_sort_indicator(self) -> None:
        f = self.model.filter()
        order = Qt.SortOrder.DescendingOrder if f.descending else Qt.SortOrder.AscendingOrder
        self.view.horizontalHeader().setSortIndicator(self.model.sort_column(), order)
