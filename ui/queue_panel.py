"""The work queues beside the case list (mine, due today, overdue, nearly due, waiting
for the customer, under supervision, all), each with how many cases it holds.

Counts are read on the database worker after every write and once a minute, because
deadlines pass without anyone writing anything.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from branchdesk.domain.errors import DomainError
from branchdesk.services import worklists
from branchdesk.services.context import ServiceContext
from branchdesk.services.worklists import QUEUES
from ui.session import UserSession
from ui.worker import DbWorker

# How often the counts are read again although nothing was written.
REFRESH_MS = 60_000
_QUEUE_ROLE = Qt.ItemDataRole.UserRole
_ALARM = QColor("#c0281c")


class QueuePanel(QWidget):
    """The list of queues with live counts; the overdue count is red when not zero."""

    queue_selected = Signal(str)  # a code of worklists.QUEUES
    counts_changed = Signal(object)  # dict[str, int], as `counts()`
    load_failed = Signal(object)  # DomainError from the count query

    def __init__(
        self,
        worker: DbWorker,
        session: UserSession,
        parent: QWidget | None = None,
        *,
        nearly_due_hours: int = 4,
    ) -> None:
        super().__init__(parent)
        self._worker = worker
        self._session = session
        self._nearly_due_hours = nearly_due_hours
        self._counts: dict[str, int] = {}
        self._generation = 0  # only the latest count request is shown

        self.list = QListWidget(self)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setUniformItemSizes(True)
        self.list.setSpacing(2)
        for queue in QUEUES:
            item = QListWidgetItem()
            item.setData(_QUEUE_ROLE, queue)
            self.list.addItem(item)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        self.setFocusProxy(self.list)
        self.list.currentRowChanged.connect(self._row_changed)

        self.refresh_timer = QTimer(self)
        self.refresh_timer.setInterval(REFRESH_MS)
        self.refresh_timer.timeout.connect(self.refresh)
        self.refresh_timer.start()
        worker.changed.connect(self.refresh)
        # "My cases" is someone else's after a change of user.
        session.changed.connect(self.refresh)
        self.retranslate()
        self.refresh()

    # -- public
    def select(self, queue: str) -> None:
        """Make `queue` current; `queue_selected` is emitted if that changes it."""
        self.list.setCurrentRow(QUEUES.index(queue))

    def current(self) -> str | None:
        item = self.list.currentItem()
        return None if item is None else str(item.data(_QUEUE_ROLE))

    def counts(self) -> dict[str, int]:
        """The last counts read (empty until the first answer)."""
        return dict(self._counts)

    @property
    def nearly_due_hours(self) -> int:
        """How close a deadline must be for the "nearly due" queue (the case list's
        filter should use the same number)."""
        return self._nearly_due_hours

    @nearly_due_hours.setter
    def nearly_due_hours(self, hours: int) -> None:
        self._nearly_due_hours = hours
        self.retranslate()
        self.refresh()

    def refresh(self) -> None:
        """Read the counts again on the worker."""
        self._generation += 1
        generation = self._generation
        me, hours = self._session.staff_no, self._nearly_due_hours

        def fetch(ctx: ServiceContext) -> dict[str, int]:
            return worklists.counts(ctx, me=me, nearly_due_hours=hours)

        self._worker.run(
            fetch,
            on_done=lambda counts: self._arrived(generation, counts),
            on_error=self._failed,
        )

    def retranslate(self) -> None:
        self.list.setAccessibleName(self.tr("Work queues"))
        for row in range(self.list.count()):
            self._show(self.list.item(row))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- inside
    def _name(self, queue: str) -> str:
        names = {
            "mine": self.tr("My cases"),
            "due_today": self.tr("Due today"),
            "overdue": self.tr("Overdue"),
            "nearly_due": self.tr("Nearly due"),
            "waiting": self.tr("Waiting for customer"),
            "supervised": self.tr("Under supervision"),
            "all": self.tr("All cases"),
        }
        return names[queue]

    def _tooltip(self, queue: str) -> str:
        tips = {
            "mine": self.tr("Open cases I handle"),
            "due_today": self.tr("Running deadlines that fall before midnight"),
            "overdue": self.tr("Running deadlines already passed"),
            "nearly_due": self.tr("Running deadlines within the next {hours} hours"),
            "waiting": self.tr("Open cases whose clock is paused for the customer"),
            "supervised": self.tr("Open cases escalated to a supervisor"),
            "all": self.tr("Every case of the branch"),
        }
        return tips[queue].format(hours=self._nearly_due_hours)

    def _show(self, item: QListWidgetItem) -> None:
        queue = str(item.data(_QUEUE_ROLE))
        count = self._counts.get(queue)
        name = self._name(queue)
        item.setText(name if count is None else f"{name} ({count})")
        item.setToolTip(self._tooltip(queue))
        alarm = queue == "overdue" and bool(count)
        font = item.font()
        font.setBold(alarm)
        item.setFont(font)
        # No foreground at all (not an empty brush) gives the theme's text colour back.
        item.setData(Qt.ItemDataRole.ForegroundRole, QBrush(_ALARM) if alarm else None)

    def _row_changed(self, row: int) -> None:
        if 0 <= row < len(QUEUES):
            self.queue_selected.emit(QUEUES[row])

    def _arrived(self, generation: int, counts: dict[str, int]) -> None:
        if not shiboken6.isValid(self) or generation != self._generation:
            return  # an older request answered after a newer one was made
        self._counts = dict(counts)
        for row in range(self.list.count()):
            self._show(self.list.item(row))
        self.counts_changed.emit(self.counts())

    def _failed(self, error: DomainError) -> None:
        if shiboken6.isValid(self):
            self.load_failed.emit(error)
