"""The dashboard's figures: each tab's table and chart(s) from a `QualityReport`, in
the interface language. Rates under `ALERT_RATE` are shown in red: someone needs help
there."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta

from PySide6.QtCore import QObject

from branchdesk.services.context import ServiceContext
from branchdesk.services.quality import QualityReport, Segment
from ui import i18n
from ui.dashboard_charts import Bars, FigurePage, Lines, TableRow

ALERT_RATE = 0.8
TOP_CATEGORIES = 5


def percent(part: int, whole: int) -> str:
    return "—" if not whole else f"{100 * part / whole:.1f}%"


def hours(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} h"


def next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


class DashboardFigures(QObject):
    """Fills the figure pages (`pages`, by key) from a report."""

    def __init__(
        self, ctx: ServiceContext, staff_names: Mapping[str, str], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._staff_names = staff_names
        self.pages: dict[str, FigurePage] = {}

    def show(self, r: QualityReport) -> None:
        self._show_milestones(r)
        self._show_times(r)
        self._show_backlog(r)
        self._show_satisfaction(r)
        self._show_complaints(r)
        self._show_staff(r)
        self._show_appointments(r)

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
                day = next_month(day)
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
