"""The customer lookup beside the intake form: the customer's earlier cases (newest
first) and a repeat-complaint flag, looked up by phone or service number on the
database worker while the clerk types."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QEvent, Qt, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from branchdesk import i18n as messages
from branchdesk.domain.errors import DomainError
from branchdesk.services import queries, worklists
from branchdesk.services.context import ServiceContext
from branchdesk.services.queries import CaseSummary
from ui import i18n
from ui.worker import DbWorker

LOOKUP_DELAY_MS = 300
REPEAT_WINDOW_DAYS = 30
ERROR_COLOUR = "#c62828"

_W = TypeVar("_W", bound=QWidget)


def named(widget: _W, name: str) -> _W:
    """`widget` with its object name set (tests and the form find fields by name)."""
    widget.setObjectName(name)
    return widget


class CustomerLookup(QWidget):
    """The customer's earlier cases (newest first) and the repeat-complaint flag, looked
    up by phone or service number on the database worker while the clerk types."""

    def __init__(self, worker: DbWorker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("customer_lookup")
        self._worker = worker
        self._key: tuple[str, str] = ("", "")
        self._generation = 0
        self._earlier: list[CaseSummary] = []
        self._repeats = 0

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        heading = QHBoxLayout()
        self._status = named(QLabel(), "lookup_status")
        self._repeat_flag = named(QLabel(), "repeat_flag")
        self._repeat_flag.setStyleSheet(
            f"background: {ERROR_COLOUR}; color: white; font-weight: bold;"
            " padding: 2px 8px; border-radius: 3px;"
        )
        heading.addWidget(self._status)
        heading.addWidget(self._repeat_flag)
        heading.addStretch(1)
        layout.addLayout(heading)
        self._list = named(QTreeWidget(), "earlier_cases")
        self._list.setColumnCount(5)
        self._list.setRootIsDecorated(False)
        self._list.setUniformRowHeights(True)
        # Read at a glance; Tab stays on the fields of the conversation.
        self._list.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self._list.setMaximumHeight(self.fontMetrics().height() * 8)
        layout.addWidget(self._list)
        self.copy_name = named(QPushButton(autoDefault=True), "copy_name")
        self.copy_name.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # F2 on the form reaches it
        copy_row = QHBoxLayout()
        copy_row.addWidget(self.copy_name)
        copy_row.addStretch(1)
        layout.addLayout(copy_row)
        worker.changed.connect(self._refresh)
        self.retranslate()

    def look_up(self, phone: str, service_number: str, *, force: bool = False) -> None:
        """Ask for the cases of this phone / service number (nothing if unchanged)."""
        key = (phone.strip(), service_number.strip())
        if key == self._key and not force:
            return
        self._key = key
        self._generation += 1
        generation = self._generation
        if not any(key):
            self._earlier, self._repeats = [], 0
            self._show()
            return
        phone_or_none, number_or_none = key[0] or None, key[1] or None

        def fetch(ctx: ServiceContext) -> tuple[list[CaseSummary], int]:
            earlier = queries.customer_cases(
                ctx, phone=phone_or_none, service_number=number_or_none
            )
            repeats = worklists.repeat_complaints(
                ctx, phone=phone_or_none, service_number=number_or_none, days=REPEAT_WINDOW_DAYS
            )
            return earlier, repeats

        def done(result: tuple[list[CaseSummary], int]) -> None:
            if generation == self._generation:  # not an older answer arriving late
                self._earlier, self._repeats = result
                self._show()

        def failed(error: DomainError) -> None:
            if generation == self._generation:
                self._earlier, self._repeats = [], 0
                self._show()
                self._status.setText(i18n.text(error.key, **error.params))

        self._worker.run(fetch, on_done=done, on_error=failed)

    def reset(self) -> None:
        self.look_up("", "")

    def latest_name(self) -> str:
        """The customer name on the newest earlier case ("" if there is none)."""
        return self._earlier[0].customer_name if self._earlier and any(self._key) else ""

    def retranslate(self) -> None:
        lang = i18n.current()
        self._list.setHeaderLabels(
            [
                messages.field_label("case_number", lang),
                messages.field_label("received_at", lang),
                messages.field_label("kind", lang),
                self.tr("State"),
                messages.field_label("summary", lang),
            ]
        )
        self._show()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    @Slot()
    def _refresh(self) -> None:
        # A case was saved somewhere: this customer's list may have grown.
        if any(self._key):
            self.look_up(*self._key, force=True)

    def _show(self) -> None:
        self.setVisible(any(self._key))
        self._list.clear()
        tz = self._worker.ctx.tz
        for case in self._earlier:
            item = QTreeWidgetItem(
                [
                    case.number,
                    case.received_at.astimezone(tz).date().isoformat(),
                    i18n.word("label.CaseKind", case.kind),
                    i18n.word("label.CaseState", case.state),
                    case.summary,
                ]
            )
            self._list.addTopLevelItem(item)
        for column in range(4):
            self._list.resizeColumnToContents(column)
        self._list.setVisible(bool(self._earlier))
        if self._earlier:
            self._status.setText(self.tr("Earlier cases: %n", "", len(self._earlier)))
        else:
            self._status.setText(self.tr("No earlier cases for this customer"))
        self._repeat_flag.setText(
            self.tr(
                "Repeat complaint: %n complaint(s) in the last %1 days", "", self._repeats
            ).replace("%1", str(REPEAT_WINDOW_DAYS))
        )
        self._repeat_flag.setVisible(self._repeats > 0)
        latest = self.latest_name()
        self.copy_name.setText(self.tr("Use the name %1 (F2)").replace("%1", f"“{latest}”"))
        self.copy_name.setVisible(bool(latest))
