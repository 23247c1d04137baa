"""The manager's quality dashboard: for a period and a filter (kind, category, grade,
staff), the headline numbers as tiles, then one tab per figure with its chart and its
table (on time per milestone, response times, backlog, satisfaction, complaints and
their weekly trend, staff, appointments). A tile, a bar, a point or a table row opens
the cases behind it; the report prints the same figures (Ctrl+P), and the table in
front exports to XLSX or CSV (Ctrl+Shift+E).

The figures come from `branchdesk.services.quality` (SQL), on a database thread of its own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from PySide6.QtCore import QDate, QEvent, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from branchdesk.domain.errors import DomainError
from branchdesk.domain.model import CaseKind, Grade
from branchdesk.services import quality, staff
from branchdesk.services.context import ServiceContext
from branchdesk.services.quality import QualityFilter, QualityReport, Segment
from ui import i18n
from ui.dashboard_cases import SegmentCasesDialog
from ui.dashboard_charts import FigurePage
from ui.dashboard_figures import DashboardFigures, hours, percent
from ui.worker import DbWorker


@dataclass(frozen=True)
class Period:
    since: datetime
    until: datetime  # exclusive


def month_of(day: date) -> tuple[date, date]:
    """The first day of `day`'s month and the first day of the next."""
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following


class DashboardPanel(QWidget):
    """The dashboard as `staff_no` (a manager) reads it."""

    open_case = Signal(str)  # a case number chosen from a figure's list
    loaded = Signal(object)  # QualityReport
    failed = Signal(object)  # DomainError

    PERIODS = ("this_month", "last_month", "this_year", "last_year", "custom")

    def __init__(self, ctx: ServiceContext, staff_no: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx, self._me = ctx, staff_no
        # Its own database thread: a year of figures at a million cases takes a minute
        # and more, and the workbench's lists and saves must not wait behind it (reads
        # run beside writes in WAL mode). Closing the desk does not wait for it either.
        self.worker = DbWorker(ctx)
        self.destroyed.connect(lambda *_a, w=self.worker: w.shutdown(wait=False))
        self._busy = False  # figures being worked out
        self._again = False  # asked for again meanwhile: one more run, the latest
        self._generation = 0
        self.report: QualityReport | None = None
        self._staff_names: dict[str, str] = {}
        self.dialogs: list[SegmentCasesDialog] = []
        self.figures = DashboardFigures(ctx, self._staff_names, self)

        # --- filter bar
        self.period = QComboBox(self)
        self.period.setObjectName("period")
        self.since_edit = QDateEdit(self)
        self.until_edit = QDateEdit(self)
        for edit in (self.since_edit, self.until_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.kind = QComboBox(self)
        self.category = QComboBox(self)
        self.grade = QComboBox(self)
        self.staff = QComboBox(self)
        for name, combo in (
            ("kind", self.kind),
            ("category", self.category),
            ("grade", self.grade),
            ("staff", self.staff),
        ):
            combo.setObjectName(name)
            # Long category labels must not push the bar wider than the window.
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(8)
        self.refresh_button = QPushButton(self)
        self.print_button = QPushButton(self)
        self.export_button = QPushButton(self)
        self.status = QLabel(self)
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        self._labels: dict[str, QLabel] = {}
        bar = QHBoxLayout()
        for key, widget in (
            ("period", self.period),
            ("from", self.since_edit),
            ("to", self.until_edit),
            ("kind", self.kind),
            ("category", self.category),
            ("grade", self.grade),
            ("staff", self.staff),
        ):
            label = QLabel(self)
            label.setBuddy(widget)
            self._labels[key] = label
            bar.addWidget(label)
            bar.addWidget(widget)
        bar.addStretch(1)
        for button in (self.refresh_button, self.print_button, self.export_button):
            bar.addWidget(button)

        # --- headline tiles
        self.tiles: dict[str, QPushButton] = {}
        tiles = QGridLayout()
        for i, key in enumerate(
            (
                "complaints",
                "on_time",
                "close",
                "overdue",
                "satisfaction",
                "repeat",
                "incident",
                "missed",
            )
        ):
            tile = QPushButton(self)
            tile.setObjectName(f"tile_{key}")
            tile.setFlat(True)
            tile.setMinimumHeight(58)
            tile.setStyleSheet(
                "QPushButton { text-align: left; padding: 4px 10px; border: 1px solid #c9ced6;"
                " border-radius: 4px; background: #f6f8fb; }"
                " QPushButton:focus { border: 2px solid #2f6db5; }"
            )
            tile.clicked.connect(lambda _=False, k=key: self._tile_clicked(k))
            tiles.addWidget(tile, 0, i)
            self.tiles[key] = tile

        # --- figure pages
        self.tabs = QTabWidget(self)
        self.pages: dict[str, FigurePage] = {}
        for key in (
            "milestones",
            "times",
            "backlog",
            "satisfaction",
            "complaints",
            "staff",
            "appointments",
        ):
            page = FigurePage(key, self.tabs)
            page.drill.connect(self.show_cases)
            self.pages[key] = page
            self.figures.pages[key] = page
            self.tabs.addTab(page, "")

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addLayout(tiles)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.status)

        for keys, slot in (
            ("F5", self.refresh),
            ("Ctrl+P", self.print_report),
            ("Ctrl+Shift+E", self.export_table),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        self.refresh_button.clicked.connect(self.refresh)
        self.print_button.clicked.connect(self.print_report)
        self.export_button.clicked.connect(self.export_table)

        self.retranslate()  # the texts and the filter's choices
        self._set_period_dates()
        self.period.currentIndexChanged.connect(lambda _i: self._period_chosen())
        for edit in (self.since_edit, self.until_edit):
            edit.dateChanged.connect(lambda _d: self._dates_edited())
        for combo in (self.kind, self.category, self.grade, self.staff):
            combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.worker.run(
            lambda c: {m.staff_no: m.name for m in staff.list_staff(c)},
            on_done=self._staff_arrived,
        )
        self.refresh()

    # ----------------------------------------------------------------- choices
    def _today(self) -> date:
        return self._ctx.now().astimezone(self._ctx.tz).date()

    def _fill_choices(self) -> None:
        lang = i18n.current()
        keep = {
            combo: combo.currentData()
            for combo in (self.period, self.kind, self.category, self.grade, self.staff)
        }
        for combo in keep:
            combo.blockSignals(True)
        self.period.clear()
        for code in self.PERIODS:
            self.period.addItem(self._period_name(code), code)
        for combo, codes, prefix in (
            (self.kind, [k.value for k in CaseKind], "label.CaseKind"),
            (self.grade, [g.value for g in Grade], "label.Grade"),
        ):
            combo.clear()
            combo.addItem(self.tr("All"), None)
            for code in codes:
                combo.addItem(i18n.word(prefix, code), code)
        self.category.clear()
        self.category.addItem(self.tr("All"), None)
        catalogue = self._ctx.catalogue
        for category in catalogue.categories:
            indent = "" if category.parent is None else "    "
            self.category.addItem(indent + catalogue.label(category.code, lang), category.code)
        self._fill_staff()
        for combo, value in keep.items():
            index = combo.findData(value)
            combo.setCurrentIndex(max(0, index))
            combo.blockSignals(False)

    def _fill_staff(self) -> None:
        self.staff.clear()
        self.staff.addItem(self.tr("Everyone"), None)
        for number, name in self._staff_names.items():
            self.staff.addItem(f"{number} {name}", number)

    def _staff_arrived(self, names: dict[str, str]) -> None:
        """Colleagues' names, read on the desk's database thread (not the UI's)."""
        self._staff_names.clear()
        self._staff_names.update(names)
        chosen = self.staff.currentData()
        self.staff.blockSignals(True)
        self._fill_staff()
        self.staff.setCurrentIndex(max(0, self.staff.findData(chosen)))
        self.staff.blockSignals(False)
        if self.report is not None:
            self.figures.show(self.report)  # the staff tab with names

    def _period_name(self, code: str) -> str:
        return {
            "this_month": self.tr("This month"),
            "last_month": self.tr("Last month"),
            "this_year": self.tr("This year"),
            "last_year": self.tr("Last year"),
            "custom": self.tr("Chosen dates"),
        }[code]

    def _period_chosen(self) -> None:
        self._set_period_dates()
        self.refresh()

    def _set_period_dates(self) -> None:
        code = self.period.currentData()
        today = self._today()
        if code == "this_month":
            first, following = month_of(today)
            last = following - timedelta(days=1)
        elif code == "last_month":
            first, _ = month_of(today.replace(day=1) - timedelta(days=1))
            last = today.replace(day=1) - timedelta(days=1)
        elif code == "this_year":
            first, last = date(today.year, 1, 1), date(today.year, 12, 31)
        elif code == "last_year":
            first, last = date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
        else:
            return
        for edit, day in ((self.since_edit, first), (self.until_edit, last)):
            edit.blockSignals(True)
            edit.setDate(QDate(day.year, day.month, day.day))
            edit.blockSignals(False)

    def _dates_edited(self) -> None:
        custom = self.period.findData("custom")
        if self.period.currentIndex() != custom:
            self.period.blockSignals(True)
            self.period.setCurrentIndex(custom)
            self.period.blockSignals(False)
        self.refresh()

    def current_period(self) -> Period:
        """From the first day's midnight to the midnight after the last day."""
        first = self.since_edit.date().toPython()
        last = self.until_edit.date().toPython()
        assert isinstance(first, date) and isinstance(last, date)
        tz = self._ctx.tz
        return Period(
            datetime.combine(first, time(0), tzinfo=tz),
            datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz),
        )

    def current_filter(self) -> QualityFilter:
        return QualityFilter(
            kind=self.kind.currentData(),
            category=self.category.currentData(),
            grade=self.grade.currentData(),
            staff=self.staff.currentData(),
        )

    @property
    def working(self) -> bool:
        """Figures are being worked out (or will be again, for a later request)."""
        return self._busy or self._again

    def set_staff_no(self, staff_no: str) -> None:
        self._me = staff_no
        self.refresh()

    # ----------------------------------------------------------------- loading
    def refresh(self) -> None:
        period, where, me = self.current_period(), self.current_filter(), self._me
        if period.until <= period.since:
            self.status.setText(self.tr("The period must end on or after the day it starts."))
            return
        self.status.setText(self.tr("Working out the figures…"))
        if self._busy:  # the running one finishes first; then only the latest request
            self._again = True
            return
        self._busy = True
        self._generation += 1
        generation = self._generation

        def fetch(ctx: ServiceContext) -> QualityReport:
            return quality.report(
                ctx, since=period.since, until=period.until, actor=me, where=where
            )

        def finished() -> bool:
            """True when this answer is still the one to show."""
            self._busy = False
            if self._again:
                self._again = False
                self.refresh()
                return False
            return generation == self._generation

        def arrived(report: QualityReport) -> None:
            if finished():
                self.show_report(report)

        def failed(error: DomainError) -> None:
            if finished():
                self.status.setText(i18n.error_text(error))
                self.failed.emit(error)

        self.worker.run(fetch, on_done=arrived, on_error=failed)

    def show_report(self, report: QualityReport) -> None:
        self.report = report
        self._show_tiles(report)
        self.figures.show(report)
        first = report.since.astimezone(self._ctx.tz).date()
        last = (report.until.astimezone(self._ctx.tz) - timedelta(seconds=1)).date()
        self.status.setText(
            self.tr("Figures for %1 to %2. Click a bar, a tile or a row to see its cases.")
            .replace("%1", first.isoformat())
            .replace("%2", last.isoformat())
        )
        self.loaded.emit(report)

    # ------------------------------------------------------------------- tiles
    def _show_tiles(self, r: QualityReport) -> None:
        counted = sum(m.counted for m in r.milestones)
        on_time = sum(m.on_time for m in r.milestones)
        average = r.feedback.average
        texts = {
            "complaints": (str(r.complaints), self.tr("Complaints received")),
            "on_time": (percent(on_time, counted), self.tr("Deadlines met on time")),
            "close": (hours(r.close.average_hours), self.tr("Average time to close")),
            "overdue": (str(r.overdue_now), self.tr("Overdue now")),
            "satisfaction": (
                "—" if average is None else f"{average:.2f} / 5",
                self.tr("Satisfaction (%n answer(s))", "", r.feedback.total),
            ),
            "repeat": (str(r.repeat_complaints), self.tr("Repeat complaints")),
            "incident": (
                percent(r.incident_linked, r.complaints),
                self.tr("Complaints from incidents"),
            ),
            "missed": (
                f"{r.appointments.missed} / {r.appointments.due}",
                self.tr("Missed appointments"),
            ),
        }
        for key, (value, caption) in texts.items():
            self.tiles[key].setText(f"{value}\n{caption}")
            opens = key in self._tile_segments()
            self.tiles[key].setToolTip(self.tr("Click to see these cases") if opens else "")

    def _tile_segments(self) -> dict[str, Segment]:
        return {
            "complaints": Segment("complaints"),
            "close": Segment("close"),
            "overdue": Segment("overdue"),
            "repeat": Segment("repeat"),
            "incident": Segment("incident"),
            "missed": Segment("missed"),
        }

    def _tile_clicked(self, key: str) -> None:
        segment = self._tile_segments().get(key)
        if segment is not None:
            caption = self.tiles[key].text().split("\n")[-1]
            self.show_cases(segment, caption)

    # ----------------------------------------------------------------- figures
    # ------------------------------------------------------------- drill down
    def show_cases(self, segment: Segment, title: str) -> SegmentCasesDialog:
        """Open the list of the cases behind `segment` (a bar, tile or row)."""
        period, where, me = self.current_period(), self.current_filter(), self._me

        def ids(ctx: ServiceContext) -> tuple[int, ...]:
            return quality.segment_case_ids(
                ctx, segment, since=period.since, until=period.until, actor=me, where=where
            )

        dialog = SegmentCasesDialog(self._ctx, self.worker, me, title, ids, self)
        dialog.open_case.connect(self.open_case)
        dialog.finished.connect(lambda _r, d=dialog: self._forget(d))
        self.dialogs.append(dialog)
        dialog.show()
        return dialog

    def _forget(self, dialog: SegmentCasesDialog) -> None:
        if dialog in self.dialogs:
            self.dialogs.remove(dialog)

    # ------------------------------------------------------- print and export
    def print_report(self) -> None:
        """The printable report of the same period and filter, in a preview."""
        from ui.dashboard_cases import preview_quality_report

        period = self.current_period()
        preview_quality_report(
            self,
            self._ctx,
            self.worker,
            self._me,
            period.since,
            period.until,
            self.current_filter(),
            self._failed,
        )

    def export_table(self) -> None:
        """The table of the tab in front, to XLSX or CSV."""
        from ui.export_dialog import export_table_interactively

        page = self.tabs.currentWidget()
        if not isinstance(page, FigurePage):
            return
        headers, rows = page.table_content()
        title = self.tabs.tabText(self.tabs.currentIndex())
        first = self.current_period().since.date().isoformat()
        export_table_interactively(
            self, self._ctx, self._me, title, headers, rows, f"{title}-{first}"
        )

    def _failed(self, error: DomainError) -> None:
        self.status.setText(i18n.error_text(error))
        self.failed.emit(error)

    # ------------------------------------------------------------------- texts
    def retranslate(self) -> None:
        labels = {
            "period": self.tr("&Period"),
            "from": self.tr("From"),
            "to": self.tr("to"),
            "kind": self.tr("&Kind"),
            "category": self.tr("Ca&tegory"),
            "grade": self.tr("&Grade"),
            "staff": self.tr("&Staff"),
        }
        for key, text in labels.items():
            self._labels[key].setText(text)
        self.refresh_button.setText(self.tr("Refresh (F5)"))
        self.print_button.setText(self.tr("Print report (Ctrl+P)"))
        self.export_button.setText(self.tr("Export table (Ctrl+Shift+E)"))
        titles = {
            "milestones": self.tr("On time"),
            "times": self.tr("Response times"),
            "backlog": self.tr("Backlog"),
            "satisfaction": self.tr("Satisfaction"),
            "complaints": self.tr("Complaints"),
            "staff": self.tr("Staff"),
            "appointments": self.tr("Appointments"),
        }
        for i, key in enumerate(self.pages):
            self.tabs.setTabText(i, titles[key])
        self._fill_choices()
        if self.report is not None:
            self.show_report(self.report)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
