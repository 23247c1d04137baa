"""The counter's incident hint: while a complaint is being taken, an active incident of
the same service and area is offered ("体育西路光缆中断 — link this complaint"), and
the case is linked to it in the same save. A self-contained strip for the intake form:
the form calls `update_for(...)` as the category, business and place change, saves
the case with `chosen()` and then calls `announce_linked(...)`; `link_saved(number)`
links a case saved before."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QTimer, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QWidget

from branchdesk.domain.errors import DomainError
from branchdesk.services import incidents
from branchdesk.services.cases import CaseView
from branchdesk.services.context import ServiceContext
from branchdesk.services.incidents import Incident
from ui import i18n
from ui.worker import DbWorker

# Typing pause before the services are asked (the place is typed character by character).
DEBOUNCE_MS = 300


class IncidentSuggestion(QWidget):
    suggested = Signal(object)  # list[Incident]
    linked = Signal(str, str)  # case number, incident number
    failed = Signal(object)

    def __init__(
        self, ctx: ServiceContext, worker: DbWorker, staff_no: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._ctx, self._worker, self._me = ctx, worker, staff_no
        self._generation = 0
        self._query: tuple[str, str | None, tuple[str, ...]] = ("", None, ())
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.choice = QComboBox(self)
        self.link = QCheckBox(self)
        self.link.setChecked(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.choice)
        layout.addWidget(self.link)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._ask)
        self.retranslate()
        self.setVisible(False)

    def set_staff_no(self, staff_no: str) -> None:
        self._me = staff_no

    def update_for(self, category: str, business: str | None, places: Sequence[str]) -> None:
        """The form's current service and area; asked after a short typing pause."""
        self._query = (category, business, tuple(p for p in places if p))
        self._timer.start()

    def chosen(self) -> str | None:
        """The incident the saved case will be linked to, or None."""
        if not self.isVisible() or not self.link.isChecked() or self.choice.count() == 0:
            return None
        return str(self.choice.currentData())

    def link_saved(self, number: str) -> None:
        """Link the just-saved case `number` to the chosen incident (if any)."""
        incident = self.chosen()
        if incident is None:
            return
        me = self._me

        def go(ctx: ServiceContext) -> CaseView:
            return incidents.link_case(ctx, incident=incident, number=number, actor=me)

        self._worker.run(
            go,
            on_done=lambda _v: self.linked.emit(number, incident),
            on_error=self._failed,
            writes=True,
        )

    def announce_linked(self, number: str, incident: str) -> None:
        """Case `number` was saved linked to `incident` (the form's save did it)."""
        self.linked.emit(number, incident)

    def clear(self) -> None:
        self._generation += 1
        self.choice.clear()
        self.setVisible(False)

    def retranslate(self) -> None:
        self.link.setText(self.tr("Link this complaint to it"))
        self._show_message()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- private
    def _ask(self) -> None:
        self._generation += 1
        generation = self._generation
        category, business, places = self._query
        if not category or not places:
            self.clear()
            return

        def fetch(ctx: ServiceContext) -> list[Incident]:
            return incidents.suggest_incidents(
                ctx, category=category, business=business, places=places
            )

        self._worker.run(
            fetch, on_done=lambda r: self._arrived(generation, r), on_error=self._failed
        )

    def _arrived(self, generation: int, found: list[Incident]) -> None:
        if generation != self._generation:
            return
        self.choice.clear()
        for incident in found:
            area = " ".join(p for p in (incident.district, incident.street, incident.cell) if p)
            kind = i18n.word("label.IncidentType", incident.type)
            self.choice.addItem(f"{incident.number} {kind} {area}", incident.number)
        self.setVisible(bool(found))
        self._show_message()
        self.suggested.emit(found)

    def _show_message(self) -> None:
        self.message.setText(
            self.tr("An active incident matches this complaint's service and area.")
        )

    def _failed(self, error: DomainError) -> None:
        self.failed.emit(error)
