"""The printable service-quality report (服务质量报告, A4 portrait): the manager's
dashboard figures for one period on paper, in either language. First the answer to
"how did we do" in words and headline numbers, then each figure as a chart with its
table: on-time rate per deadline, response times, backlog by age, satisfaction,
complaints by category and week, the staff (lowest on-time rates shaded: who needs
help) and appointments. Figures in (`services.quality.report`), PDF bytes out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from math import ceil, floor, log10

from reportlab.graphics.charts.barcharts import (  # type: ignore[import-untyped]
    HorizontalBarChart,
    VerticalBarChart,
)
from reportlab.graphics.charts.legends import Legend  # type: ignore[import-untyped]
from reportlab.graphics.charts.linecharts import (  # type: ignore[import-untyped]
    HorizontalLineChart,
)
from reportlab.graphics.shapes import Drawing  # type: ignore[import-untyped]
from reportlab.graphics.widgets.markers import makeMarker  # type: ignore[import-untyped]
from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.pdfbase.pdfmetrics import stringWidth  # type: ignore[import-untyped]
from reportlab.platypus import (  # type: ignore[import-untyped]
    Flowable,
    KeepTogether,
    Spacer,
    Table,
    TableStyle,
)

from branchdesk.documents.followup_reports import GRID, ReportRequest, report_pdf
from branchdesk.documents.fonts import FONT, register_fonts
from branchdesk.documents.model import A4_SIZE, MM
from branchdesk.documents.pdf import (
    GREY,
    Rule,
    Styles,
    heading,
    logo,
    make_styles,
    para,
)
from branchdesk.documents.texts import Texts
from branchdesk.services.quality import Duration, QualityFilter, QualityReport, StaffFigures

MARGIN = 14 * MM
WIDTH = A4_SIZE[0] - 2 * MARGIN
#: Shading of the staff rows that need help (the ledger's overdue shade).
NEEDS_HELP_FILL = colors.HexColor("#f8d7d3")
GRID_LINE = colors.HexColor("#dddddd")
PALETTE = tuple(
    colors.HexColor(c) for c in ("#2f6db5", "#e07b39", "#3a9e5c", "#c0392b", "#8e6bbf", "#7f7f7f")
)
#: Lines of the weekly trend: the categories with the most complaints, the rest as one.
TREND_CATEGORIES = 5
#: At most this many staff are shaded as needing help.
HELP_ROWS = 3
CHART_FONT_SIZE = 7.5
NUMBERS = [("ALIGN", (1, 0), (-1, -1), "RIGHT"), ("FONTSIZE", (0, 0), (-1, -1), 8.5)]


@dataclass(frozen=True)
class QualityReportRequest(ReportRequest):
    """The follow-up reports' print request, plus what the figures were asked for."""

    where: QualityFilter = field(default_factory=QualityFilter)
    repeat_days: int = 30


def overall_rate(report: QualityReport) -> float | None:
    """Every deadline counted in the period, all kinds together: the share met on time."""
    counted = sum(m.counted for m in report.milestones)
    return sum(m.on_time for m in report.milestones) / counted if counted else None


def staff_rate(s: StaffFigures) -> float | None:
    return s.milestones_on_time / s.milestones_counted if s.milestones_counted else None


def needs_help(report: QualityReport) -> tuple[StaffFigures, ...]:
    """The staff with the lowest on-time rates below the branch's (at most HELP_ROWS),
    lowest first: the answer to "who needs help"."""
    branch = overall_rate(report)
    if branch is None:
        return ()
    below = [s for s in report.staff if (r := staff_rate(s)) is not None and r < branch]
    below.sort(key=lambda s: (staff_rate(s), s.staff))
    return tuple(below[:HELP_ROWS])


def received(report: QualityReport) -> int:
    """The cases received in the period (every case has an owner, so the staff's loads
    add up to it)."""
    return sum(s.owned for s in report.staff)


def backlog_total(report: QualityReport) -> int:
    return sum(n for _, n in report.backlog)


# --- words and numbers ------------------------------------------------------------------


class _Words:
    """The report's formats in one language."""

    def __init__(self, r: QualityReportRequest) -> None:
        self.r = r
        self.t: Texts = r.texts

    def no_data(self) -> str:
        return self.t("doc.quality.no_data")

    def pct(self, rate: float | None) -> str:
        return self.no_data() if rate is None else f"{rate * 100:.1f}%"

    def hours(self, value: float | None) -> str:
        return (
            self.no_data() if value is None else self.t("doc.quality.hours", hours=f"{value:.1f}")
        )

    def duration(self, d: Duration) -> str:
        if d.average_hours is None:
            return self.no_data()
        return self.t(
            "doc.quality.avg_p90", average=self.hours(d.average_hours), p90=self.hours(d.p90_hours)
        )

    def score(self, average: float | None, count: int) -> str:
        if average is None:
            return self.no_data()
        return self.t("doc.quality.score_count", score=f"{average:.2f}", count=f"{count:,}")

    def count_share(self, count: int, whole: int) -> str:
        return self.t(
            "doc.quality.count_share",
            count=f"{count:,}",
            share=self.pct(count / whole if whole else None),
        )

    def kind(self, code: str) -> str:
        return self.t.word("label.CaseKind", code)

    def milestone(self, code: str) -> str:
        return self.t.word("milestone", code)

    def category(self, code: str) -> str:
        return self.r.catalogue.label(code, self.t.lang)

    def person(self, staff_no: str) -> str:
        return self.r.person(staff_no) or staff_no

    def bucket(self, label: str) -> str:
        """ "1-3d" -> "1–3 天"; "30d+" -> "30 天以上"."""
        if label.endswith("d+"):
            return self.t("doc.quality.bucket_over", low=label[:-2])
        low, _, high = label.removesuffix("d").partition("-")
        return self.t("doc.quality.bucket", low=low, high=high)

    def week(self, day: date) -> str:
        return self.t("doc.quality.week", month=self.t(f"doc.month.{day.month}"), day=day.day)

    def period(self, since: datetime, until: datetime) -> str:
        """Whole days as dates (the last day included), otherwise the two instants."""
        t = self.t
        start, end = since.astimezone(t.tz), until.astimezone(t.tz)
        if start.time() == time(0) and end.time() == time(0):
            last = end.date() - timedelta(days=1)
            if last == start.date():
                return t.date(last)
            return t("doc.quality.period", start=t.date(start.date()), end=t.date(last))
        return t("doc.quality.period", start=t.when(start), end=t.when(end))

    def filter(self, where: QualityFilter) -> str:
        t, parts = self.t, []
        if where.kind:
            parts.append(t.pair(t("doc.field.kind"), self.kind(where.kind)))
        if where.category:
            parts.append(t.pair(t("doc.field.category"), self.category(where.category)))
        if where.grade:
            parts.append(t.pair(t("doc.field.grade"), t.word("label.Grade", where.grade)))
        if where.staff:
            parts.append(t.pair(t("doc.quality.filter.staff"), self.person(where.staff)))
        if not parts:
            return t("doc.quality.filter.all")
        return t("doc.quality.filter.separator").join(parts)


# --- charts ---------------------------------------------------------------------------


def _fit(text: str, width: float, size: float = CHART_FONT_SIZE) -> str:
    """`text` shortened with an ellipsis to fit `width` points."""
    if stringWidth(text, FONT, size) <= width:
        return text
    while text and stringWidth(text + "…", FONT, size) > width:
        text = text[:-1]
    return text + "…"


def _label_width(labels: Sequence[str], cap: float) -> float:
    widest = max(float(stringWidth(label, FONT, CHART_FONT_SIZE)) for label in labels)
    return min(widest + 8, cap)


def _scale(top: float) -> tuple[float, float]:
    """A whole-number axis from 0: (maximum, step) with about five steps."""
    if top <= 0:
        return 1, 1
    raw = top / 5
    power = 10 ** floor(log10(raw)) if raw >= 1 else 1
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return ceil(top / step) * step, step


def _style_axis_labels(axis: object) -> None:
    labels = axis.labels  # type: ignore[attr-defined]
    labels.fontName = FONT
    labels.fontSize = CHART_FONT_SIZE


def _value_axis(axis: object, top: float, fmt: Callable[[float], str] | None) -> None:
    maximum, step = (100, 20) if fmt is not None else _scale(top)
    axis.valueMin = 0  # type: ignore[attr-defined]
    axis.valueMax = maximum  # type: ignore[attr-defined]
    axis.valueStep = step  # type: ignore[attr-defined]
    axis.visibleGrid = 1  # type: ignore[attr-defined]
    axis.gridStrokeColor = GRID_LINE  # type: ignore[attr-defined]
    axis.gridStrokeWidth = 0.4  # type: ignore[attr-defined]
    axis.labelTextFormat = fmt or (lambda v: f"{v:,.0f}")  # type: ignore[attr-defined]
    _style_axis_labels(axis)


def _legend(pairs: Sequence[tuple[object, str]], x: float, y: float, *, across: bool) -> Legend:
    legend = Legend()
    legend.x, legend.y = x, y
    legend.fontName = FONT
    legend.fontSize = CHART_FONT_SIZE
    legend.alignment = "right"
    legend.dx = legend.dy = 7
    legend.deltay = 11
    legend.deltax = 12
    legend.boxAnchor = "nw"
    legend.columnMaximum = 1 if across else len(pairs)
    legend.colorNamePairs = list(pairs)
    legend.strokeColor = None
    return legend


def hbar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    value_text: Callable[[float], str],
    percent: bool = False,
) -> Drawing:
    """One horizontal bar per label, top to bottom, its value written at its end."""
    label_w = _label_width(labels, WIDTH * 0.42)
    row, axis_room, end_room = 15.0, 16.0, 44.0
    chart = HorizontalBarChart()
    chart.x, chart.y = label_w, axis_room
    chart.width = WIDTH - label_w - end_room
    chart.height = row * len(values)
    chart.data = [list(values)]
    chart.bars[0].fillColor = PALETTE[0]
    chart.bars.strokeColor = None
    chart.barSpacing, chart.groupSpacing = 0, 4
    axis = chart.categoryAxis
    axis.categoryNames = [_fit(label, label_w - 8) for label in labels]
    axis.reverseDirection = 1
    axis.labels.boxAnchor = "e"
    axis.labels.dx = -4
    axis.strokeColor = GREY
    _style_axis_labels(axis)
    _value_axis(chart.valueAxis, max(values), (lambda v: f"{v:.0f}%") if percent else None)
    chart.barLabelFormat = value_text
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = CHART_FONT_SIZE
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing = Drawing(WIDTH, chart.height + axis_room + 4)
    drawing.add(chart)
    return drawing


def vbar_chart(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    height: float = 130,
    width: float = WIDTH,
) -> Drawing:
    """Vertical bars per category, one colour per series (a legend above when there are
    several), the value over each bar."""
    legend_room = 16.0 if len(series) > 1 else 0.0
    chart = VerticalBarChart()
    chart.x, chart.y = 32, 18
    chart.width = width - chart.x - 8
    chart.height = height - chart.y - legend_room - 12
    chart.data = [list(values) for _, values in series]
    for i in range(len(series)):
        chart.bars[i].fillColor = PALETTE[i % len(PALETTE)]
    chart.bars.strokeColor = None
    chart.groupSpacing = 10
    step = chart.width / max(len(categories), 1)
    axis = chart.categoryAxis
    axis.categoryNames = [_fit(c, step - 4) for c in categories]
    axis.labels.boxAnchor = "n"
    axis.labels.dy = -3
    axis.strokeColor = GREY
    _style_axis_labels(axis)
    _value_axis(chart.valueAxis, max(max(v) for _, v in series), None)
    chart.barLabelFormat = lambda v: f"{v:,.0f}" if v else ""
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = CHART_FONT_SIZE - 0.5
    chart.barLabels.boxAnchor = "s"
    chart.barLabels.dy = 2
    drawing = Drawing(width, height)
    drawing.add(chart)
    if legend_room:
        pairs = [(PALETTE[i % len(PALETTE)], name) for i, (name, _) in enumerate(series)]
        drawing.add(_legend(pairs, chart.x, height - 2, across=True))
    return drawing


def line_chart(categories: Sequence[str], series: Sequence[tuple[str, Sequence[float]]]) -> Drawing:
    """One line per series over the categories (weeks), a legend at the right."""
    names = [name for name, _ in series]
    legend_w = _label_width(names, WIDTH * 0.34) + 14
    height = 150.0
    chart = HorizontalLineChart()
    chart.x, chart.y = 32, 18
    chart.width = WIDTH - chart.x - legend_w - 12
    chart.height = height - chart.y - 8
    chart.data = [list(values) for _, values in series]
    for i in range(len(series)):
        colour = PALETTE[i % len(PALETTE)]
        chart.lines[i].strokeColor = colour
        chart.lines[i].strokeWidth = 1.4
        chart.lines[i].symbol = makeMarker("FilledCircle", size=3.5, fillColor=colour)
    step = chart.width / max(len(categories), 1)
    axis = chart.categoryAxis
    axis.categoryNames = [_fit(c, step - 2) for c in categories]
    axis.labels.boxAnchor = "n"
    axis.labels.dy = -3
    axis.strokeColor = GREY
    _style_axis_labels(axis)
    _value_axis(chart.valueAxis, max(max(v) for _, v in series), None)
    drawing = Drawing(WIDTH, height)
    drawing.add(chart)
    pairs = [(PALETTE[i % len(PALETTE)], _fit(name, legend_w - 14)) for i, name in enumerate(names)]
    drawing.add(_legend(pairs, chart.x + chart.width + 16, height - 4, across=False))
    return drawing


def _lowest_rate_first(s: StaffFigures) -> tuple[bool, float, str]:
    rate = staff_rate(s)
    return rate is None, rate or 0.0, s.staff


# --- the document ---------------------------------------------------------------------


class _Report:
    def __init__(self, report: QualityReport, r: QualityReportRequest) -> None:
        self.q, self.r = report, r
        self.w = _Words(r)
        self.t = r.texts
        self.styles: Styles = make_styles(9)
        self.sections = 0

    # layout helpers

    def section(self, key: str) -> list[Flowable]:
        self.sections += 1
        numeral = self.t(f"doc.numeral.{self.sections}")
        return heading(f"{numeral} {self.t(f'doc.quality.section.{key}')}", self.styles)

    def table(
        self,
        head: Sequence[str],
        rows: Sequence[Sequence[str]],
        fractions: Sequence[float],
        extra: Sequence[tuple[object, ...]] = (),
    ) -> Table:
        s = self.styles
        cells: list[list[object]] = [[para(h, s.small) for h in head]]
        for row in rows:
            cells.append([para(row[0], s.body), *row[1:]])
        table = Table(
            cells,
            colWidths=[WIDTH * f for f in fractions],
            repeatRows=1,
            hAlign="LEFT",
        )
        table.setStyle(
            TableStyle([*GRID, *NUMBERS, ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), *extra])
        )
        return table

    def note(self, text: str) -> Flowable:
        return para(text, self.styles.small)

    def no_data(self) -> Flowable:
        return para(self.w.no_data(), self.styles.body)

    def gap(self) -> Flowable:
        return Spacer(1, 2 * MM)

    # the parts

    def head(self) -> list[Flowable]:
        t, b, s = self.t, self.r.branch, self.styles
        flow: list[Flowable] = []
        if b.logo_png is not None:
            image = logo(b.logo_png, 30 * MM, 14 * MM)
            image.hAlign = "LEFT"
            flow.append(image)
        flow.append(para(b.name, s.heading))
        if b.address:
            flow.append(para(t("doc.branch.address", address=b.address), s.body))
        if b.phone:
            flow.append(para(t("doc.branch.phone", phone=b.phone), s.body))
        flow += [Rule(), para(t("doc.quality.title"), s.title)]
        printed = t("doc.quality.printed", at=t.when(self.r.printed_at), by=self.r.printed_by)
        facts = (
            ("period", self.period()),
            ("filter", self.w.filter(self.r.where)),
            ("printed", printed),
        )
        rows = [[para(t(f"doc.quality.field.{k}"), s.small), para(v, s.body)] for k, v in facts]
        table = Table(rows, colWidths=[26 * MM, WIDTH - 26 * MM], hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 1),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ]
            )
        )
        flow.append(table)
        return flow

    def period(self) -> str:
        """The period, and when it reaches past the moment of printing, up to when the
        figures go (a month printed before its end)."""
        period = self.w.period(self.q.since, self.q.until)
        if self.q.until <= self.r.printed_at:
            return period
        return self.t(
            "doc.quality.period_so_far", period=period, now=self.t.when(self.r.printed_at)
        )

    def summary(self) -> list[Flowable]:
        q, w, t, s = self.q, self.w, self.t, self.styles
        rate = overall_rate(q)
        counted = sum(m.counted for m in q.milestones)
        backlog = backlog_total(q)
        lines = [
            t(
                "doc.quality.summary.cases",
                received=f"{received(q):,}",
                complaints=f"{q.complaints:,}",
            )
        ]
        if counted:
            lines.append(
                t(
                    "doc.quality.summary.on_time",
                    counted=f"{counted:,}",
                    on_time=f"{sum(m.on_time for m in q.milestones):,}",
                    rate=w.pct(rate),
                    overdue=f"{q.overdue_now:,}",
                    backlog=f"{backlog:,}",
                )
            )
        else:
            lines.append(
                t(
                    "doc.quality.summary.on_time_none",
                    overdue=f"{q.overdue_now:,}",
                    backlog=f"{backlog:,}",
                )
            )
        lines.append(
            t(
                "doc.quality.summary.times",
                acknowledge=w.hours(q.acknowledge.average_hours),
                first_reply=w.hours(q.first_reply.average_hours),
                close=w.hours(q.close.average_hours),
            )
        )
        lines.append(
            t(
                "doc.quality.summary.satisfaction",
                feedback=w.score(q.feedback.average, q.feedback.total),
                visits=w.score(q.return_visits.average, q.return_visits.total),
            )
        )
        lines.append(
            t(
                "doc.quality.summary.complaints",
                repeats=f"{q.repeat_complaints:,}",
                share=w.pct(q.incident_share),
            )
        )
        a = q.appointments
        if a.due or a.rescheduled:
            lines.append(
                t(
                    "doc.quality.summary.appointments",
                    due=f"{a.due:,}",
                    missed=f"{a.missed:,}",
                    rate=w.pct(a.missed_rate),
                    rescheduled=f"{a.rescheduled:,}",
                )
            )
        helped = needs_help(q)
        if helped:
            names = t.join([f"{w.person(h.staff)} {w.pct(staff_rate(h))}" for h in helped])
            lines.append(t("doc.quality.summary.help", names=names))
        elif rate is not None:
            lines.append(t("doc.quality.summary.no_help"))

        pairs = [
            ("received", f"{received(q):,}"),
            ("complaints", f"{q.complaints:,}"),
            ("on_time", w.pct(rate)),
            ("overdue", f"{q.overdue_now:,}"),
            ("acknowledge", w.duration(q.acknowledge)),
            ("first_reply", w.duration(q.first_reply)),
            ("close", w.duration(q.close)),
            ("backlog", f"{backlog:,}"),
            ("feedback", w.score(q.feedback.average, q.feedback.total)),
            ("return_visit", w.score(q.return_visits.average, q.return_visits.total)),
            ("repeats", w.count_share(q.repeat_complaints, q.complaints)),
            ("incident", w.count_share(q.incident_linked, q.complaints)),
            (
                "missed",
                t(
                    "doc.quality.part_of",
                    part=f"{a.missed:,}",
                    whole=f"{a.due:,}",
                    share=w.pct(a.missed_rate),
                )
                if a.due
                else w.no_data(),
            ),
        ]
        cells = [[para(t(f"doc.quality.key.{k}"), s.small), para(v, s.body)] for k, v in pairs]
        if len(cells) % 2:
            cells.append(["", ""])
        rows = [cells[i] + cells[i + 1] for i in range(0, len(cells), 2)]
        table = Table(rows, colWidths=[WIDTH * f for f in (0.2, 0.3, 0.2, 0.3)], hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    *GRID,
                    ("BACKGROUND", (0, 0), (-1, -1), colors.white),
                    ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f4f4f4")),
                    ("BACKGROUND", (2, 0), (2, -1), colors.HexColor("#f4f4f4")),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ]
            )
        )
        return [
            para(t("doc.quality.summary.heading"), s.heading),
            *(para(line, s.body) for line in lines),
            self.gap(),
            table,
        ]

    def on_time(self) -> list[Flowable]:
        q, w, t = self.q, self.w, self.t
        flow = self.section("on_time")
        if not q.milestones:
            return [*flow, self.no_data()]
        labels = [f"{w.kind(m.kind)} · {w.milestone(m.milestone)}" for m in q.milestones]
        values = [(m.rate or 0.0) * 100 for m in q.milestones]
        flow.append(hbar_chart(labels, values, value_text=lambda v: f"{v:.1f}%", percent=True))
        flow.append(self.gap())
        rows = [
            [
                w.kind(m.kind),
                w.milestone(m.milestone),
                f"{m.counted:,}",
                f"{m.on_time:,}",
                w.pct(m.rate),
            ]
            for m in q.milestones
        ]
        head = [
            t(f"doc.quality.col.{c}") for c in ("kind", "milestone", "counted", "on_time", "rate")
        ]
        table = self.table(head, rows, (0.16, 0.42, 0.14, 0.14, 0.14))
        table.setStyle(TableStyle([("ALIGN", (1, 0), (1, -1), "LEFT")]))
        flow.append(table)
        return flow

    def times(self) -> list[Flowable]:
        q, w, t = self.q, self.w, self.t
        flow = self.section("times")
        steps = (("acknowledge", q.acknowledge), ("first_reply", q.first_reply), ("close", q.close))
        rows = [
            [
                t(f"doc.quality.step.{name}"),
                f"{d.count:,}",
                w.hours(d.average_hours),
                w.hours(d.p90_hours),
            ]
            for name, d in steps
        ]
        head = [t(f"doc.quality.col.{c}") for c in ("step", "timed", "average", "p90")]
        table = self.table(head, rows, (0.34, 0.22, 0.22, 0.22))
        return [KeepTogether([*flow, table, self.note(t("doc.quality.times_note"))])]

    def backlog(self) -> list[Flowable]:
        q, w, t = self.q, self.w, self.t
        flow = self.section("backlog")
        total = backlog_total(q)
        flow.append(
            para(
                t("doc.quality.backlog_note", count=f"{total:,}", overdue=f"{q.overdue_now:,}"),
                self.styles.body,
            )
        )
        if not total:
            return [*flow, self.no_data()]
        buckets = [w.bucket(label) for label, _ in q.backlog]
        counts = [float(n) for _, n in q.backlog]
        chart = vbar_chart(buckets, [("", counts)], height=120, width=WIDTH * 0.6)
        rows = [[b, f"{n:,}"] for b, (_, n) in zip(buckets, q.backlog, strict=True)]
        rows.append([t("doc.quality.row.total"), f"{total:,}"])
        head = [t("doc.quality.col.age"), t("doc.quality.col.cases")]
        table = self.table(head, rows, (0.22, 0.14))
        flow.append(_beside(chart, table))
        return flow

    def satisfaction(self) -> list[Flowable]:
        q, t = self.q, self.t
        flow = self.section("satisfaction")
        sources = (q.feedback, q.return_visits)
        if not any(s.total for s in sources):
            return [*flow, self.no_data()]
        scores = [t("doc.quality.score", score=n) for n in range(1, 6)]
        series = [
            (t(f"doc.quality.source.{s.source}"), [float(c) for c in s.counts]) for s in sources
        ]
        chart = vbar_chart(scores, series, height=130, width=WIDTH * 0.6)
        rows = [
            [scores[i], f"{q.feedback.counts[i]:,}", f"{q.return_visits.counts[i]:,}"]
            for i in range(5)
        ]
        rows.append(
            [t("doc.quality.row.total"), f"{q.feedback.total:,}", f"{q.return_visits.total:,}"]
        )
        rows.append(
            [
                t("doc.quality.row.average"),
                self._average(q.feedback.average),
                self._average(q.return_visits.average),
            ]
        )
        head = [t("doc.quality.col.score"), *(name for name, _ in series)]
        table = self.table(head, rows, (0.12, 0.14, 0.14))
        flow.append(_beside(chart, table))
        return flow

    def _average(self, average: float | None) -> str:
        return self.w.no_data() if average is None else f"{average:.2f}"

    def complaints(self) -> list[Flowable]:
        q, w, t = self.q, self.w, self.t
        flow = self.section("complaints")
        flow.append(
            para(
                t(
                    "doc.quality.complaints_note",
                    count=f"{q.complaints:,}",
                    days=self.r.repeat_days,
                    repeats=f"{q.repeat_complaints:,}",
                    repeat_share=w.pct(
                        q.repeat_complaints / q.complaints if q.complaints else None
                    ),
                    linked=f"{q.incident_linked:,}",
                    incident_share=w.pct(q.incident_share),
                ),
                self.styles.body,
            )
        )
        if not q.complaints_by_category:
            return [*flow, self.no_data()]
        labels = [w.category(code) for code, _ in q.complaints_by_category]
        counts = [float(n) for _, n in q.complaints_by_category]
        flow.append(hbar_chart(labels, counts, value_text=lambda v: f"{v:,.0f}"))
        flow.append(self.gap())
        rows = [
            [label, f"{n:,}", w.pct(n / q.complaints if q.complaints else None)]
            for label, (_, n) in zip(labels, q.complaints_by_category, strict=True)
        ]
        head = [t(f"doc.quality.col.{c}") for c in ("category", "complaints", "share")]
        flow.append(self.table(head, rows, (0.58, 0.21, 0.21)))
        return flow

    def weeks(self) -> list[date]:
        """Every week (its Monday) that overlaps the period."""
        tz = self.t.tz
        first = self.q.since.astimezone(tz).date()
        monday = first - timedelta(days=first.weekday())
        out = []
        while datetime.combine(monday, time(0), tzinfo=tz) < self.q.until:
            out.append(monday)
            monday += timedelta(days=7)
        return out

    def partial(self, monday: date) -> bool:
        """Whether only part of the week of `monday` lies in the period."""
        start = datetime.combine(monday, time(0), tzinfo=self.t.tz)
        return start < self.q.since or start + timedelta(days=7) > self.q.until

    def trend(self) -> list[Flowable]:
        q, w, t = self.q, self.w, self.t
        flow = self.section("trend")
        if not q.complaints_by_week:
            return [*flow, self.no_data()]
        weeks = self.weeks()
        index = {day: i for i, day in enumerate(weeks)}
        top = [code for code, _ in q.complaints_by_category[:TREND_CATEGORIES]]
        lines: dict[str, list[float]] = {code: [0.0] * len(weeks) for code in top}
        other = [0.0] * len(weeks)
        for wc in q.complaints_by_week:
            i = index.get(wc.week_start)
            if i is None:
                continue
            lines.get(wc.category, other)[i] += wc.count
        series = [(w.category(code), lines[code]) for code in top]
        partial = [self.partial(day) for day in weeks]
        names = [
            w.week(day) + ("*" if cut else "") for day, cut in zip(weeks, partial, strict=True)
        ]
        # "Other" (every smaller category together) would dwarf the lines: table only.
        flow.append(line_chart(names, series))
        if any(other):
            series.append((t("doc.quality.other"), other))
            flow.append(self.note(t("doc.quality.trend_note", count=len(top))))
        if any(partial):
            flow.append(self.note(t("doc.quality.partial_week")))
        flow.append(self.gap())
        head = [
            t("doc.quality.col.week"),
            *(name for name, _ in series),
            t("doc.quality.row.total"),
        ]
        rows = [
            [
                names[i],
                *(f"{values[i]:,.0f}" for _, values in series),
                f"{sum(values[i] for _, values in series):,.0f}",
            ]
            for i in range(len(weeks))
        ]
        first = 0.16
        rest = (1 - first) / (len(series) + 1)
        flow.append(self.table(head, rows, (first, *([rest] * (len(series) + 1)))))
        return flow

    def staff(self) -> list[Flowable]:
        q, w, t = self.q, self.w, self.t
        flow = self.section("staff")
        if not q.staff:
            return [*flow, self.no_data()]
        people = sorted(q.staff, key=_lowest_rate_first)
        helped = needs_help(q)
        rows = [
            [
                w.person(s.staff),
                f"{s.owned:,}",
                f"{s.closed:,}",
                f"{s.milestones_counted:,}",
                f"{s.milestones_on_time:,}",
                w.pct(staff_rate(s)),
            ]
            for s in people
        ]
        shade = [
            ("BACKGROUND", (0, i), (-1, i), NEEDS_HELP_FILL)
            for i, s in enumerate(people, start=1)
            if s in helped
        ]
        head = [
            t(f"doc.quality.col.{c}")
            for c in ("staff", "owned", "closed", "milestones", "on_time", "rate")
        ]
        rate = w.pct(overall_rate(q))
        if helped:
            flow.append(self.note(t("doc.quality.staff_note", rate=rate, count=HELP_ROWS)))
        else:
            flow.append(self.note(t("doc.quality.staff_note_none", rate=rate)))
        flow.append(self.table(head, rows, (0.32, 0.12, 0.12, 0.14, 0.12, 0.18), shade))
        return flow

    def appointments(self) -> list[Flowable]:
        a, w, t = self.q.appointments, self.w, self.t
        flow = self.section("appointments")
        if not (a.due or a.missed or a.rescheduled):
            return [*flow, self.no_data()]
        head = [t(f"doc.quality.col.{c}") for c in ("due", "missed", "missed_rate", "rescheduled")]
        rows = [[f"{a.due:,}", f"{a.missed:,}", w.pct(a.missed_rate), f"{a.rescheduled:,}"]]
        table = Table(
            [[para(h, self.styles.small) for h in head], *rows],
            colWidths=[WIDTH * 0.25] * 4,
            hAlign="LEFT",
        )
        table.setStyle(TableStyle([*GRID, *NUMBERS, ("ALIGN", (0, 0), (-1, -1), "RIGHT")]))
        flow += [table, self.note(t("doc.quality.appointments_note"))]
        return flow

    def story(self) -> list[Flowable]:
        flow = [*self.head(), *self.summary()]
        for part in (
            self.on_time,
            self.times,
            self.backlog,
            self.satisfaction,
            self.complaints,
            self.trend,
            self.staff,
            self.appointments,
        ):
            flow.extend(part())
        return flow


def _beside(chart: Flowable, table: Flowable) -> Table:
    """A chart on the left 60 % of the page, its table on the right."""
    side = Table([[chart, table]], colWidths=[WIDTH * 0.6, WIDTH * 0.4], hAlign="LEFT")
    side.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return side


def render_quality_report(report: QualityReport, request: QualityReportRequest) -> bytes:
    """The quality report of `report`'s period as a PDF (A4 portrait, every page
    numbered, the title and who printed it in the footer)."""
    register_fonts()
    flow = _Report(report, request).story()
    return report_pdf(
        flow,
        A4_SIZE,
        title=request.texts("doc.quality.title"),
        texts=request.texts,
        printed_at=request.printed_at,
        printed_by=request.printed_by,
    )
