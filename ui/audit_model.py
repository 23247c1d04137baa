"""The audit trail browser's table model: entries matching a filter, newest first,
fetched a page at a time on the database worker as the table scrolls (a branch writes
thousands of entries a month).

Entries written while someone browses (every sign-in and export writes one) push the
older ones down: pages are fetched by position and rows already shown are skipped by
their id, so nothing is shown twice or left out.
"""

from __future__ import annotations

import json
from typing import Any

import shiboken6
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from branchdesk.domain.errors import DomainError
from branchdesk.services import audit
from branchdesk.services.audit import AuditEntry, AuditFilter
from branchdesk.services.context import ServiceContext
from ui import i18n
from ui.session import UserSession
from ui.worker import DbWorker

PAGE_SIZE = 200
COLUMNS = ("at", "actor", "workstation", "action", "case", "detail")
_Index = QModelIndex | QPersistentModelIndex


def detail_text(entry: AuditEntry) -> str:
    """The entry's detail on one line ("staff_no=H201, reason=wrong_password")."""
    return ", ".join(
        f"{key}={value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)}"
        for key, value in sorted(entry.detail.items())
    )


class AuditModel(QAbstractTableModel):
    """`loaded(total)` when a filter's first page and count have arrived;
    `load_failed(error)` when the service refused (or the filter was wrong)."""

    loaded = Signal(int)
    load_failed = Signal(object)  # DomainError

    def __init__(
        self, worker: DbWorker, session: UserSession, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._worker = worker
        self._session = session
        self._filter = AuditFilter()
        self._entries: list[AuditEntry] = []
        self._offset = 0  # positions fetched so far (skipped repeats included)
        self._exhausted = True
        self._loading = False
        self._generation = 0
        self.total = 0
        self._headers: tuple[str, ...] = COLUMNS

    # -- Qt's model interface ---------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._entries)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._entries):
            return None
        entry = self._entries[index.row()]
        column = COLUMNS[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._text(entry, column)
        if role == Qt.ItemDataRole.UserRole:
            return entry.id
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self._headers)
        ):
            return self._headers[section]
        return None

    def canFetchMore(self, parent: _Index) -> bool:
        return not parent.isValid() and not self._exhausted and not self._loading

    def fetchMore(self, parent: _Index) -> None:
        if self.canFetchMore(parent):
            self._fetch()

    # -- ours -------------------------------------------------------------------------
    def set_headers(self, headers: tuple[str, ...]) -> None:
        self._headers = headers
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)

    def entry(self, row: int) -> AuditEntry | None:
        return self._entries[row] if 0 <= row < len(self._entries) else None

    def filter(self) -> AuditFilter:
        return self._filter

    def is_loading(self) -> bool:
        return self._loading

    def set_filter(self, wanted: AuditFilter) -> None:
        """Show the entries matching `wanted` from the newest on."""
        self._generation += 1
        self.beginResetModel()
        self._filter = wanted
        self._entries = []
        self._offset = 0
        self._exhausted = False
        self._loading = False
        self.endResetModel()
        generation, actor = self._generation, self._session.staff_no

        def first(ctx: ServiceContext) -> tuple[int, list[AuditEntry]]:
            total = audit.count(ctx, actor=actor, filter=wanted)
            page = audit.browse(ctx, actor=actor, filter=wanted, offset=0, limit=PAGE_SIZE)
            return total, page

        self._loading = True
        self._worker.run(
            first,
            on_done=lambda result: self._first(generation, result),
            on_error=lambda error: self._failed(generation, error),
        )

    def _first(self, generation: int, result: tuple[int, list[AuditEntry]]) -> None:
        if not shiboken6.isValid(self) or generation != self._generation:
            return
        self.total = result[0]
        self._arrived(generation, result[1])
        self.loaded.emit(self.total)

    def _fetch(self) -> None:
        self._loading = True
        generation, actor, wanted, offset = (
            self._generation,
            self._session.staff_no,
            self._filter,
            self._offset,
        )
        self._worker.run(
            lambda ctx: audit.browse(
                ctx, actor=actor, filter=wanted, offset=offset, limit=PAGE_SIZE
            ),
            on_done=lambda page: self._arrived(generation, page),
            on_error=lambda error: self._failed(generation, error),
        )

    def _arrived(self, generation: int, page: list[AuditEntry]) -> None:
        if not shiboken6.isValid(self) or generation != self._generation:
            return
        self._loading = False
        self._offset += len(page)
        self._exhausted = len(page) < PAGE_SIZE
        oldest = self._entries[-1].id if self._entries else None
        fresh = [e for e in page if oldest is None or e.id < oldest]
        if fresh:
            first = len(self._entries)
            self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
            self._entries.extend(fresh)
            self.endInsertRows()

    def _failed(self, generation: int, error: DomainError) -> None:
        if not shiboken6.isValid(self) or generation != self._generation:
            return
        self._loading = False
        self._exhausted = True
        self.load_failed.emit(error)

    def _text(self, entry: AuditEntry, column: str) -> str:
        if column == "at":
            # To the second: the order of events within a minute matters here.
            return entry.at.astimezone(self._worker.ctx.tz).strftime("%Y-%m-%d %H:%M:%S")
        if column == "actor":
            return f"{entry.actor} {entry.actor_name}".strip()
        if column == "workstation":
            return entry.workstation
        if column == "action":
            return action_label(entry.action)
        if column == "case":
            return entry.case_number or ""
        return detail_text(entry)


def action_label(action: str) -> str:
    """An audit action in words: a case event by its action's name ("确认受理"), the
    rest from their own table ("登录失败"); a code without words stays as it is."""
    own = i18n.word("label.AuditAction", action)
    if own == action and action.startswith("case."):
        return i18n.word("label.Action", action.removeprefix("case."))
    return own
