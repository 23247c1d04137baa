"""Recording a new incident (突发事件): type, response level, start, area, affected
services, scope, preliminary cause, measures and expected recovery. The dialog only
collects the entry; the incidents panel hands it to the services, which check it."""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import QDateTime
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from branchdesk.domain.incidents import IncidentDraft, IncidentType
from ui import i18n


class IncidentDialog(QDialog):
    """Record a new incident; `draft()` is what was entered."""

    def __init__(self, now: datetime, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Record an incident"))
        self.type = QComboBox(self)
        for t in IncidentType:
            self.type.addItem(i18n.word("label.IncidentType", t.value), t.value)
        self.level = QSpinBox(self)
        self.level.setRange(1, 3)
        self.level.setValue(2)
        local = now.replace(tzinfo=None)
        self.started = QDateTimeEdit(self)
        self.started.setDateTime(
            QDateTime.fromString(local.strftime("%Y-%m-%d %H:%M"), "yyyy-MM-dd HH:mm")
        )
        self.district = QLineEdit(self)
        self.street = QLineEdit(self)
        self.cell = QLineEdit(self)
        self.services = QLineEdit(self)
        self.services.setPlaceholderText(self.tr("e.g. technical/network, 宽带"))
        self.scope = QLineEdit(self)
        self.cause = QLineEdit(self)
        self.measures = QLineEdit(self)
        self.recovery_hours = QSpinBox(self)
        self.recovery_hours.setRange(0, 240)
        self.recovery_hours.setSuffix(" h")
        self._tz = now.tzinfo
        form = QFormLayout(self)
        form.addRow(self.tr("Type"), self.type)
        form.addRow(self.tr("Response level (1 = most severe)"), self.level)
        form.addRow(self.tr("Started"), self.started)
        form.addRow(self.tr("District"), self.district)
        form.addRow(self.tr("Street"), self.street)
        form.addRow(self.tr("Cell or exchange"), self.cell)
        form.addRow(self.tr("Affected services"), self.services)
        form.addRow(self.tr("Scope of impact"), self.scope)
        form.addRow(self.tr("Preliminary cause"), self.cause)
        form.addRow(self.tr("Measures taken"), self.measures)
        form.addRow(self.tr("Expected recovery in"), self.recovery_hours)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def draft(self) -> IncidentDraft:
        shown = self.started.dateTime().toString("yyyy-MM-dd HH:mm")
        started = datetime.strptime(shown, "%Y-%m-%d %H:%M").replace(tzinfo=self._tz)
        hours = self.recovery_hours.value()
        return IncidentDraft(
            type=str(self.type.currentData()),
            level=self.level.value(),
            started_at=started,
            district=self.district.text(),
            street=self.street.text(),
            cell=self.cell.text(),
            services=[s for s in self.services.text().replace("，", ",").split(",")],
            scope=self.scope.text(),
            cause=self.cause.text(),
            measures=self.measures.text(),
            expected_recovery_at=started + timedelta(hours=hours) if hours else None,
        )
