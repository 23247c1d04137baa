"""A small read-only table model for the follow-up views (ledger, incidents, call
list): rows of display texts with the record behind each row, and a highlight for
rows that need attention (overdue). The lists are short (what is under supervision,
today's calls), so they are loaded whole rather than paged."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QTableView, QWidget

from branchdesk.services.context import ServiceContext
from ui.worker import DbWorker

_ROOT = QModelIndex()
ALARM_BACKGROUND = QColor("#f8d7d3")
ALARM_TEXT = QColor("#8a1c12")


class RowsModel(QAbstractTableModel):
    """Display rows; `record(row)` is the object a row shows."""

    def __init__(self, headers: Callable[[], Sequence[str]], parent: Any = None) -> None:
        super().__init__(parent)
        self._headers = headers
        self._rows: list[tuple[str, ...]] = []
        self._alarm: list[bool] = []
        self._records: list[Any] = []

    def set_rows(
        self, rows: Sequence[tuple[str, ...]], records: Sequence[Any], alarm: Sequence[bool]
    ) -> None:
        self.beginResetModel()
        self._rows = [tuple(r) for r in rows]
        self._records = list(records)
        self._alarm = list(alarm)
        self.endResetModel()

    def record(self, row: int) -> Any:
        return self._records[row] if 0 <= row < len(self._records) else None

    def is_alarm(self, row: int) -> bool:
        return self._alarm[row] if 0 <= row < len(self._alarm) else False

    def retranslate(self) -> None:
        if self.columnCount():
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.columnCount() - 1)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._headers())

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            headers = self._headers()
            return headers[section] if 0 <= section < len(headers) else None
        return section + 1

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            row = self._rows[index.row()]
            return row[index.column()] if index.column() < len(row) else None
        if self._alarm[index.row()]:
            if role == Qt.ItemDataRole.BackgroundRole:
                return QBrush(ALARM_BACKGROUND)
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(ALARM_TEXT)
        return None


class RowsPanel(QWidget):
    """A desk built around one such list, for the signed-in `staff_no`: the model (its
    column titles from `headers`) and its read-only, one-row-at-a-time table, local
    times as the branch reads them, and texts that follow a language switch. Each desk
    gives `refresh` (load the list again, on the worker) and its own `retranslate`."""

    refresh: Callable[[], None]

    def __init__(
        self,
        ctx: ServiceContext,
        worker: DbWorker,
        staff_no: str,
        headers: Callable[[], Sequence[str]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx, self._worker, self._me = ctx, worker, staff_no
        # Bumped by every load, so a late answer to an older one is ignored.
        self._generation = 0
        self.model = RowsModel(headers, self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)

    def retranslate(self) -> None:
        """The column titles in the new language (desks add their own texts)."""
        self.model.retranslate()

    def set_staff_no(self, staff_no: str) -> None:
        """Another person signed in at this desk: act and read as them from now on."""
        self._me = staff_no
        self.refresh()

    def selected_record(self) -> Any:
        """The record behind the current row, if any."""
        index = self.table.currentIndex()
        return self.model.record(index.row()) if index.isValid() else None

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)
        self.table.setCurrentIndex(self.model.index(row, 0))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _when(self, value: datetime | None) -> str:
        return "" if value is None else value.astimezone(self._ctx.tz).strftime("%Y-%m-%d %H:%M")
