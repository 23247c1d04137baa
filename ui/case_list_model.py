"""The case list's model: one work list (a queue, narrowed by a search text, sorted by
a column), lazy enough for a million cases.

It keeps the list's ids (8 bytes a row) and a few pages of list lines, fetched
on the database worker when a row is first painted. Sorting happens in SQL: a header
click changes the filter's sort column and reloads the ids.
"""

from __future__ import annotations

from array import array
from collections import OrderedDict
from dataclasses import replace
from typing import Any, TypeAlias

import shiboken6
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor

from branchdesk import display
from branchdesk.domain.errors import DomainError
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
