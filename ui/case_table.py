"""The case list of the workbench: a table over one work list (a queue, narrowed by a
search text, sorted by a column), lazy enough for a million cases.

The model keeps the list's ids (8 bytes a row) and a few pages of list lines, fetched
on the database worker when a row is first painted. Sorting happens in SQL: a header
click changes the filter's sort column and reloads the ids.
"""

from __future__ import annotations

from array import array
from collections import OrderedDict
from dataclasses import replace
from datetime import timedelta
from typing import Any, TypeAlias

import shiboken6
from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QVBoxLayout, QWidget

from branchdesk import display
from branchdesk.domain.errors import DomainError
from branchdesk.domain.model import CaseKind, CaseState, Grade
from branchdesk.services import staff, worklists
from branchdesk.services.context import ServiceContext
from branchdesk.services.queries import CaseSummary
from branchdesk.services.worklists import CaseFilter
from ui import i18n
from ui.worker import DbWorker

# Rows fetched in one worker call, and how many such pages stay in memory.
PAGE_SIZE = 200
MAX_PAGES = 30
# What a row shows until its page has arrived.
PLACEHOLDER = "…"
# Time-left texts and colours go stale as the clock runs, without any write.
TICK_MS = 60_000

# The table's columns. Where a column can be sorted its key is the key of
# `worklists.SORTABLE`; "milestone" is shown beside the deadline but sorts nothing.
COLUMNS = (
    "number",
    "kind",
    "customer",
    "category",
    "grade",
    "state",
    "owner",
    "received_at",
    "milestone",
    "next_due_at",
)
# Columns whose first click sorts newest first; the others start A→Z / soonest first.
FIRST_DESCENDING = frozenset({"received_at"})

# Milestones whose labels size the "next deadline" column (the common ones).
_SAMPLE_MILESTONES = ("acknowledge", "first_reply", "handling", "closure", "answer")

# The row's case (`CaseSummary`, or None while its page is loading).
SUMMARY_ROLE = Qt.ItemDataRole.UserRole + 1

# Background and text colours of a row by urgency (both are set, so the row stays
# readable under a dark theme too); paused cases get grey text.
URGENCY_COLOURS = {
    "overdue": (QColor("#f8d7d3"), QColor("#7a1209")),
    "nearly_due": (QColor("#ffecb8"), QColor("#5c3d00")),
}
PAUSED_TEXT = QColor("#7f7f7f")

# The invalid index: the parent of every row of a flat table.
_ROOT = QModelIndex()

# The ids of a list and the staff names (a string: array is not subscriptable at run time).
Fetched: TypeAlias = "tuple[array[int], dict[str, str]] | None"


class CaseTableModel(QAbstractTableModel):
    """The rows of one work list, paged in from the worker as they are looked at."""

    ids_loaded = Signal()  # a new id list is in place (filter change or refresh)
    page_loaded = Signal(int)  # page number
    load_failed = Signal(object)  # DomainError from a list query

    def __init__(
        self,
        worker: DbWorker,
        parent: QObject | None = None,
        *,
        page_size: int = PAGE_SIZE,
        max_pages: int = MAX_PAGES,
    ) -> None:
        super().__init__(parent)
        self._worker = worker
        self._ctx: ServiceContext = worker.ctx
        self.page_size = max(1, page_size)
        self.max_pages = max(1, max_pages)
        self._filter = CaseFilter()
        self._ids: array[int] = array("q")
        self._pages: OrderedDict[int, dict[int, CaseSummary]] = OrderedDict()
        # Lines of the previous list, shown until their fresh page arrives, so a
        # refresh after a write does not blank the table for a moment.
        self._carried: dict[int, CaseSummary] = {}
        self._pending: set[int] = set()
        self._staff_names: dict[str, str] = {}
        self._generation = 0  # bumped by every id request; older answers are dropped
        self._ids_generation = 0  # the request whose ids are shown; tags page requests
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.refresh_times)
        self._timer.start()
        worker.changed.connect(self.reload)
        i18n.notifier.changed.connect(self._language_changed)

    # -- the list
    def filter(self) -> CaseFilter:
        return self._filter

    def set_filter(self, case_filter: CaseFilter) -> None:
        """Show another list. The current rows stay until the new ids arrive."""
        self._filter = case_filter
        self._request_ids()

    def reload(self) -> None:
        """Fetch the same list again (data changed)."""
        self._request_ids()

    def is_loading(self) -> bool:
        """True while the ids of the latest filter have not arrived yet."""
        return self._ids_generation != self._generation

    def id_at(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of_id(self, case_id: int) -> int:
        """The row of case `case_id`, or -1 if it is not on the list."""
        try:
            return self._ids.index(case_id)
        except ValueError:
            return -1

    def summary_at(self, row: int) -> CaseSummary | None:
        """The line of `row`, or None while its page is being fetched (it is requested)."""
        if not 0 <= row < len(self._ids):
            return None
        page_no = row // self.page_size
        page = self._pages.get(page_no)
        if page is not None:
            self._pages.move_to_end(page_no)  # recently used: evicted last
            return page.get(self._ids[row])
        self._request_page(page_no)
        return self._carried.get(self._ids[row])

    def number_at(self, row: int) -> str | None:
        summary = self.summary_at(row)
        return None if summary is None else summary.number

    def cached_pages(self) -> list[int]:
        """Numbers of the pages held in memory, least recently used first."""
        return list(self._pages)

    def pending_pages(self) -> set[int]:
        return set(self._pending)

    def sort_column(self) -> int:
        """The column the list is sorted by (-1 if the sort key has no column)."""
        return COLUMNS.index(self._filter.sort) if self._filter.sort in COLUMNS else -1

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by `column` in SQL (reloads the ids); columns that cannot sort are ignored."""
        if not 0 <= column < len(COLUMNS) or COLUMNS[column] not in worklists.SORTABLE:
            return
        descending = order == Qt.SortOrder.DescendingOrder
        self.set_filter(replace(self._filter, sort=COLUMNS[column], descending=descending))

    def refresh_times(self) -> None:
        """Repaint every row: time left and urgency colours follow the clock."""
        if self._ids:
            last = self.index(len(self._ids) - 1, len(COLUMNS) - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
        self.refresh_times()

    # -- Qt model interface
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._header_text(COLUMNS[section])
        if role == Qt.ItemDataRole.ToolTipRole and COLUMNS[section] in worklists.SORTABLE:
            return self.tr("Click to sort by this column; click again to reverse")
        return None

    def data(
        self,
        index: QModelIndex | QPersistentModelIndex,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if not index.isValid() or index.column() >= len(COLUMNS):
            return None
        summary = self.summary_at(index.row())
        if role == SUMMARY_ROLE:
            return summary
        if summary is None:
            if role == Qt.ItemDataRole.DisplayRole:
                return PLACEHOLDER if index.column() == 0 else ""
            return None
        key = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cell_text(summary, key)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(summary, key)
        if role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
            return self._colour(summary, role)
        return None

    # -- texts
    def context(self) -> ServiceContext:
        return self._ctx

    def paused_mark(self) -> str:
        """What follows the state of a case whose clock is paused."""
        return self.tr(" (paused)")

    def _header_text(self, key: str) -> str:
        texts = {
            "number": self.tr("Case no."),
            "kind": self.tr("Kind"),
            "customer": self.tr("Customer"),
            "category": self.tr("Category"),
            "grade": self.tr("Grade"),
            "state": self.tr("State"),
            "owner": self.tr("Handler"),
            "received_at": self.tr("Received"),
            "milestone": self.tr("Next deadline"),
            "next_due_at": self.tr("Time left"),
        }
        return texts[key]

    def _cell_text(self, s: CaseSummary, key: str) -> str:
        if key == "number":
            return s.number
        if key == "kind":
            return i18n.word("label.CaseKind", s.kind)
        if key == "customer":
            return f"{s.customer_name} {s.phone_masked}".strip()
        if key == "category":
            return self._ctx.catalogue.label(s.category, i18n.current())
        if key == "grade":
            return i18n.word("label.Grade", s.grade)
        if key == "state":
            state = i18n.word("label.CaseState", s.state)
            return state + self.paused_mark() if s.paused else state
        if key == "owner":
            name = self._staff_names.get(s.owner, "")
            return f"{s.owner} {name}".strip()
        if key == "received_at":
            return display.when(s.received_at, self._ctx.tz)
        if key == "milestone":
            return i18n.word("milestone", s.next_milestone)
        left = display.time_left(s.next_due_at, self._ctx.now(), i18n.current())
        return left + "*" if left and s.provisional else left

    def _tooltip(self, s: CaseSummary, key: str) -> str | None:
        if key in ("number", "customer"):
            return s.summary
        if key not in ("milestone", "next_due_at") or s.next_due_at is None:
            return None
        due = display.when(s.next_due_at, self._ctx.tz)
        tip = self.tr("Due {time}").format(time=due)
        if s.paused:
            tip += "\n" + self.tr("The clock is paused: waiting for the customer")
        if s.provisional:
            year = s.next_due_at.astimezone(self._ctx.tz).year
            tip += "\n* " + i18n.text("sla.provisional", year=year)
        return tip

    def _colour(self, s: CaseSummary, role: int) -> QBrush | None:
        if s.paused:
            return QBrush(PAUSED_TEXT) if role == Qt.ItemDataRole.ForegroundRole else None
        colours = URGENCY_COLOURS.get(display.urgency(s.next_due_at, self._ctx.now()))
        if colours is None:
            return None
        background, text = colours
        return QBrush(background if role == Qt.ItemDataRole.BackgroundRole else text)

    # -- fetching
    def _request_ids(self) -> None:
        self._generation += 1
        generation = self._generation
        case_filter = self._filter

        def fetch(ctx: ServiceContext) -> Fetched:
            if generation != self._generation:
                return None  # a newer filter was asked for before this one ran
            names = {m.staff_no: m.name for m in staff.list_staff(ctx)}
            return worklists.case_ids(ctx, case_filter), names

        self._worker.run(
            fetch,
            on_done=lambda result: self._ids_arrived(generation, result),
            on_error=self._failed,
        )

    def _ids_arrived(self, generation: int, result: Fetched) -> None:
        if not shiboken6.isValid(self) or generation != self._generation or result is None:
            return
        ids, names = result
        self.beginResetModel()
        carried = {s.id: s for page in self._pages.values() for s in page.values()}
        if not carried and len(self._carried) <= self.max_pages * self.page_size:
            carried = self._carried  # nothing was fetched since the last refresh
        self._carried = carried
        self._pages.clear()
        self._pending.clear()
        self._ids = ids
        self._staff_names = names
        self._ids_generation = generation
        self.endResetModel()
        self.ids_loaded.emit()

    def _request_page(self, page_no: int) -> None:
        if page_no in self._pending:
            return
        self._pending.add(page_no)
        generation = self._ids_generation
        start = page_no * self.page_size
        ids = self._ids[start : start + self.page_size]

        def fetch(ctx: ServiceContext) -> list[CaseSummary] | None:
            if generation != self._ids_generation:
                return None  # the list was replaced while this waited
            return worklists.summaries(ctx, ids)

        def failed(error: DomainError) -> None:
            if shiboken6.isValid(self) and generation == self._ids_generation:
                self._pending.discard(page_no)  # a later paint may ask again
            self._failed(error)

        self._worker.run(
            fetch,
            on_done=lambda rows: self._page_arrived(generation, page_no, rows),
            on_error=failed,
        )

    def _page_arrived(self, generation: int, page_no: int, rows: list[CaseSummary] | None) -> None:
        if not shiboken6.isValid(self) or generation != self._ids_generation:
            return  # an answer about a list that is no longer shown
        self._pending.discard(page_no)
        if rows is None:
            return
        self._pages[page_no] = {s.id: s for s in rows}
        self._pages.move_to_end(page_no)
        while len(self._pages) > self.max_pages:
            self._pages.popitem(last=False)
        first = page_no * self.page_size
        last = min(first + self.page_size, len(self._ids)) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))
        self.page_loaded.emit(page_no)

    def _failed(self, error: DomainError) -> None:
        if shiboken6.isValid(self):
            self.load_failed.emit(error)

    def _language_changed(self, _lang: str) -> None:
        if shiboken6.isValid(self):
            self.retranslate()


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
