"""The manager's quality dashboard: for a period and a filter (kind, category, grade,
staff), the headline numbers as tiles, then one tab per figure with its chart and its
table (on time per milestone, response times, backlog, satisfaction, complaints and
their weekly trend, staff, appointments). A tile, a bar, a point or a table row opens
the cases behind it; the report prints the same figures (Ctrl+P), and the table in
front exports to XLSX or CSV (Ctrl+Shift+E).

The figures come from `branchdesk.services.quality` (SQL), on the worker thread."""

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
from ui.dashboard_charts import Bars, FigurePage, Lines, TableRow
from ui.worker import DbWorker

#: Milestone on-time rates below this are shown in red: someone needs help there.
ALERT_RATE = 0.8
TOP_CATEGORIES = 5


@dataclass(frozen=True)
class Period:
    since: datetime
    until: datetime  # exclusive


def month_of(day: date) -> tuple[date, date]:
    """The first day of `day`'s month and the first day of the next."""
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following


def percent(part: int, whole: int) -> str:
    return "—" if not whole else f"{100 * part / whole:.1f}%"


def hours(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} h"


class DashboardPanel(QWidget):
    """The dashboard as `staff_no` (a manager) reads it."""

    open_case = Signal(str)  # a case number chosen from a figure's list
    loaded = Signal(object)  # QualityReport
    failed = Signal(object)  # DomainError

    PERIODS = ("this_month", "last_month", "this_year", "last_year", "custom")

    def __init__(
        self, ctx: ServiceContext, worker: DbWorker, staff_no: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._ctx, self._worker, self._me = ctx, worker, staff_no
        self._generation = 0
        self.report: QualityReport | None = None
        self._staff_names: dict[str, str] = {}
        self.dialogs: list[SegmentCasesDialog] = []

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

        self._fill_choices()
        self._set_period_dates()
        self.period.currentIndexChanged.connect(lambda _i: self._period_chosen())
        for edit in (self.since_edit, self.until_edit):
            edit.dateChanged.connect(lambda _d: self._dates_edited())
        for combo in (self.kind, self.category, self.grade, self.staff):
            combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.retranslate()
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
        blocked = [
            c.blockSignals(True)
            for c in (self.period, self.kind, self.category, self.grade, self.staff)
        ]
        del blocked
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
        self.staff.clear()
        self.staff.addItem(self.tr("Everyone"), None)
        self._staff_names = {m.staff_no: m.name for m in staff.list_staff(self._ctx)}
        for number, name in self._staff_names.items():
            self.staff.addItem(f"{number} {name}", number)
        for combo, value in keep.items():
            index = combo.findData(value)
            combo.setCurrentIndex(max(0, index))
            combo.blockSignals(False)

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

    def set_staff_no(self, staff_no: str) -> None:
        self._me = staff_no
        self.refresh()

    # ----------------------------------------------------------------- loading
    def refresh(self) -> None:
        period, where, me = self.current_period(), self.current_filter(), self._me
        if period.until <= period.since:
            self.status.setText(self.tr("The period must end on or after the day it starts."))
            return
        self._generation += 1
        generation = self._generation
        self.status.setText(self.tr("Working out the figures…"))

        def fetch(ctx: ServiceContext) -> QualityReport:
            return quality.report(
                ctx, since=period.since, until=period.until, actor=me, where=where
            )

        def arrived(report: QualityReport) -> None:
            if generation == self._generation:
                self.show_report(report)

        def failed(error: DomainError) -> None:
            if generation == self._generation:
                self.status.setText(i18n.error_text(error))
                self.failed.emit(error)

        self._worker.run(fetch, on_done=arrived, on_error=failed)

    def show_report(self, report: QualityReport) -> None:
        self.report = report
        self._show_tiles(report)
        self._show_milestones(report)
        self._show_times(report)
        self._show_backlog(report)
        self._show_satisfaction(report)
        self._show_complaints(report)
        self._show_staff(report)
        self._show_appointments(report)
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
    def _milestone_name(self, kind: str, milestone: str) -> str:
        return f"{i18n.word('label.CaseKind', kind)} · {i18n.word('milestone', milestone)}"

    def _show_milestones(self, r: QualityReport) -> None:
        page = self.pages["milestones"]
        rows, names, rates, late = [], [], [], []
        for m in r.milestones:
            name = self._milestone_name(m.kind, m.milestone)
            segment = Segment("milestone", (m.kind, m.milestone, "late"))
            rows.append(
                TableRow(
                    (
                        name,
                        str(m.counted),
                        str(m.on_time),
                        str(m.counted - m.on_time),
                        percent(m.on_time, m.counted),
                    ),
                    segment,
                    self.tr("Late: %1").replace("%1", name),
                    alarm=m.rate is not None and m.rate < ALERT_RATE,
                    column_segments=(
                        (
                            2,
                            Segment("milestone", (m.kind, m.milestone, "on_time")),
                            self.tr("On time: %1").replace("%1", name),
                        ),
                    ),
                )
            )
            names.append(name)
            rates.append(round(100 * (m.rate or 0.0), 1))
            late.append(segment)
        page.set_table(
            [
                self.tr("Deadline"),
                self.tr("Counted"),
                self.tr("On time"),
                self.tr("Late"),
                self.tr("On-time rate"),
            ],
            rows,
        )
        title = self.tr("On-time rate per deadline")
        chart = page.bar_chart(
            title,
            Bars(
                list(reversed(names)),
                [("", list(reversed(rates)))],
                [list(reversed(late))],
                horizontal=True,
                percent=True,
            ),
        )
        page.set_charts([chart], None if rows else self.tr("No deadline fell in this period."))

    def _show_times(self, r: QualityReport) -> None:
        page = self.pages["times"]
        steps = (
            ("acknowledge", self.tr("To acknowledge"), r.acknowledge),
            ("first_reply", self.tr("To first reply"), r.first_reply),
            ("close", self.tr("To close"), r.close),
        )
        rows = [
            TableRow(
                (label, str(d.count), hours(d.average_hours), hours(d.p90_hours)),
                Segment(key),
                label,
            )
            for key, label, d in steps
        ]
        page.set_table(
            [self.tr("Step"), self.tr("Cases"), self.tr("Average"), self.tr("90th percentile")],
            rows,
        )
        segments = [Segment(key) for key, _l, _d in steps]
        chart = page.bar_chart(
            self.tr("Hours from receipt (waiting for the customer not counted)"),
            Bars(
                [label for _k, label, _d in steps],
                [
                    (self.tr("Average"), [round(d.average_hours or 0, 1) for *_x, d in steps]),
                    (self.tr("90th percentile"), [round(d.p90_hours or 0, 1) for *_x, d in steps]),
                ],
                [segments, segments],
            ),
        )
        empty = not any(d.count for *_x, d in steps)
        page.set_charts([chart], self.tr("No case received in this period.") if empty else None)

    def _backlog_label(self, bucket: str) -> str:
        if bucket.endswith("d+"):
            return self.tr("%1 days or more").replace("%1", bucket[:-2])
        low, high = bucket[:-1].split("-")
        return self.tr("%1–%2 days").replace("%1", low).replace("%2", high)

    def _show_backlog(self, r: QualityReport) -> None:
        page = self.pages["backlog"]
        labels = [self._backlog_label(b) for b, _n in r.backlog]
        segments = [Segment("backlog", (b,)) for b, _n in r.backlog]
        rows = [
            TableRow((label, str(n)), segment, self.tr("Open for %1").replace("%1", label))
            for label, (_b, n), segment in zip(labels, r.backlog, segments, strict=True)
        ]
        rows.append(
            TableRow(
                (self.tr("Overdue now"), str(r.overdue_now)),
                Segment("overdue"),
                self.tr("Overdue now"),
                alarm=r.overdue_now > 0,
            )
        )
        page.set_table([self.tr("Open for"), self.tr("Cases")], rows)
        chart = page.bar_chart(
            self.tr("Open cases at the end of the period, by age"),
            Bars(labels, [("", [n for _b, n in r.backlog])], [segments]),
        )
        page.set_charts([chart])

    def _show_satisfaction(self, r: QualityReport) -> None:
        page = self.pages["satisfaction"]
        scores = [str(s) for s in range(1, 6)]
        feedback = [Segment("feedback", (s,)) for s in scores]
        visits = [Segment("return_visit", (s,)) for s in scores]
        rows = []
        for i, score in enumerate(scores):
            label = self.tr("Score %1").replace("%1", score)
            rows.append(
                TableRow(
                    (label, str(r.feedback.counts[i]), str(r.return_visits.counts[i])),
                    feedback[i],
                    self.tr("Feedback: %1").replace("%1", label),
                    column_segments=(
                        (2, visits[i], self.tr("Return visits: %1").replace("%1", label)),
                    ),
                )
            )
        averages = (
            self.tr("Average"),
            "—" if r.feedback.average is None else f"{r.feedback.average:.2f}",
            "—" if r.return_visits.average is None else f"{r.return_visits.average:.2f}",
        )
        rows.append(TableRow(averages, None, ""))
        page.set_table([self.tr("Score"), self.tr("Feedback"), self.tr("Return visits")], rows)
        chart = page.bar_chart(
            self.tr("Satisfaction scores (1 = very unhappy, 5 = very happy)"),
            Bars(
                scores,
                [
                    (self.tr("Feedback"), list(r.feedback.counts)),
                    (self.tr("Return visits"), list(r.return_visits.counts)),
                ],
                [feedback, visits],
            ),
        )
        empty = not (r.feedback.total or r.return_visits.total)
        page.set_charts([chart], self.tr("No score was given in this period.") if empty else None)

    def _category_name(self, code: str) -> str:
        return self._ctx.catalogue.label(code, i18n.current())

    def _show_complaints(self, r: QualityReport) -> None:
        page = self.pages["complaints"]
        rows = [
            TableRow(
                (self._category_name(code), str(n), percent(n, r.complaints)),
                Segment("category", (code,)),
                self._category_name(code),
            )
            for code, n in r.complaints_by_category
        ]
        rows.append(
            TableRow(
                (
                    self.tr("Repeat complaints"),
                    str(r.repeat_complaints),
                    percent(r.repeat_complaints, r.complaints),
                ),
                Segment("repeat"),
                self.tr("Repeat complaints"),
            )
        )
        rows.append(
            TableRow(
                (
                    self.tr("Linked to an incident"),
                    str(r.incident_linked),
                    percent(r.incident_linked, r.complaints),
                ),
                Segment("incident"),
                self.tr("Linked to an incident"),
            )
        )
        page.set_table([self.tr("Category"), self.tr("Complaints"), self.tr("Share")], rows)
        top = [code for code, _n in r.complaints_by_category[:TOP_CATEGORIES]]
        bars = page.bar_chart(
            self.tr("Complaints by category"),
            Bars(
                [self._category_name(c) for c in reversed(top)],
                [("", [n for _c, n in reversed(r.complaints_by_category[:TOP_CATEGORIES])])],
                [[Segment("category", (c,)) for c in reversed(top)]],
                horizontal=True,
            ),
        )
        trend = page.line_chart(
            self.tr("Complaints over time (top categories)"), self._trend(r, top)
        )
        page.set_charts(
            [bars, trend], None if r.complaints else self.tr("No complaint in this period.")
        )

    def _trend(self, r: QualityReport, top: list[str]) -> Lines:
        """Per week for a short period; per month beyond 14 weeks (a year's 52 weekly
        labels would not fit)."""
        weeks = sorted({w.week_start for w in r.complaints_by_week})
        span = (r.until - r.since).days
        counts: dict[tuple[str, str], int] = {}
        if span <= 14 * 7:
            steps = [w.isoformat() for w in weeks]
            labels = [w.strftime("%m-%d") for w in weeks]
            figure = "week"
            for w in r.complaints_by_week:
                counts[(w.week_start.isoformat(), w.category)] = w.count
        else:
            steps = []
            day = r.since.astimezone(self._ctx.tz).date().replace(day=1)
            while datetime.combine(day, time(0), tzinfo=self._ctx.tz) < r.until:
                steps.append(day.strftime("%Y-%m"))
                day = month_of(day)[1]
            labels = list(steps)
            figure = "month"
            for m in r.complaints_by_month:
                counts[(m.month, m.category)] = m.count
        return Lines(
            labels,
            [
                (
                    self._category_name(code),
                    [counts.get((step, code), 0) for step in steps],
                    [Segment(figure, (step, code)) for step in steps],
                )
                for code in top
            ],
        )

    def staff_name(self, number: str) -> str:
        name = self._staff_names.get(number)
        return f"{number} {name}" if name else number

    def _show_staff(self, r: QualityReport) -> None:
        page = self.pages["staff"]
        # Lowest on-time rate first: who needs help is at the top.
        ordered = sorted(
            r.staff,
            key=lambda s: (
                s.milestones_on_time / s.milestones_counted if s.milestones_counted else 2.0,
                s.staff,
            ),
        )
        rows = []
        for s in ordered:
            rate = s.milestones_on_time / s.milestones_counted if s.milestones_counted else None
            rows.append(
                TableRow(
                    (
                        self.staff_name(s.staff),
                        str(s.owned),
                        str(s.closed),
                        str(s.milestones_counted),
                        percent(s.milestones_on_time, s.milestones_counted),
                    ),
                    Segment("staff", (s.staff,)),
                    self.tr("Cases of %1").replace("%1", self.staff_name(s.staff)),
                    alarm=rate is not None and rate < ALERT_RATE,
                )
            )
        page.set_table(
            [
                self.tr("Staff"),
                self.tr("Cases received"),
                self.tr("Closed"),
                self.tr("Deadlines"),
                self.tr("On-time rate"),
            ],
            rows,
        )
        rated = [s for s in reversed(ordered) if s.milestones_counted]
        chart = page.bar_chart(
            self.tr("On-time rate per person"),
            Bars(
                [self.staff_name(s.staff) for s in rated],
                [
                    (
                        "",
                        [
                            round(100 * s.milestones_on_time / s.milestones_counted, 1)
                            for s in rated
                        ],
                    )
                ],
                [[Segment("staff", (s.staff,)) for s in rated]],
                horizontal=True,
                percent=True,
            ),
        )
        load = page.bar_chart(
            self.tr("Load per person"),
            Bars(
                [self.staff_name(s.staff) for s in ordered],
                [
                    (self.tr("Cases received"), [s.owned for s in ordered]),
                    (self.tr("Closed"), [s.closed for s in ordered]),
                ],
                [[Segment("staff", (s.staff,)) for s in ordered]] * 2,
            ),
        )
        page.set_charts(
            [chart, load], None if ordered else self.tr("Nobody had cases in this period.")
        )

    def _show_appointments(self, r: QualityReport) -> None:
        page = self.pages["appointments"]
        a = r.appointments
        rows = [
            TableRow((self.tr("Appointments in the period"), str(a.due)), None, ""),
            TableRow(
                (self.tr("Missed"), f"{a.missed} ({percent(a.missed, a.due)})"),
                Segment("missed"),
                self.tr("Missed appointments"),
                alarm=a.missed > 0,
            ),
            TableRow((self.tr("Rescheduled"), str(a.rescheduled)), None, ""),
        ]
        page.set_table([self.tr("Appointments"), self.tr("Count")], rows)
        chart = page.bar_chart(
            self.tr("Appointments kept and missed"),
            Bars(
                [self.tr("Kept or still to come"), self.tr("Missed")],
                [("", [a.due - a.missed, a.missed])],
                [[None, Segment("missed")]],
            ),
        )
        page.set_charts([chart], None if a.due else self.tr("No appointment in this period."))

    # ------------------------------------------------------------- drill down
    def show_cases(self, segment: Segment, title: str) -> SegmentCasesDialog:
        """Open the list of the cases behind `segment` (a bar, tile or row)."""
        period, where, me = self.current_period(), self.current_filter(), self._me

        def ids(ctx: ServiceContext) -> tuple[int, ...]:
            return quality.segment_case_ids(
                ctx, segment, since=period.since, until=period.until, actor=me, where=where
            )

        dialog = SegmentCasesDialog(self._ctx, self._worker, me, title, ids, self)
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
            self._worker,
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
