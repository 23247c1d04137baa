"""The dashboard's building blocks: a figure page (a chart beside the table of the same
numbers) and the chart builders on Qt Charts. A bar, a point of a trend line and a
table row each carry the `Segment` of cases behind them; activating one emits `drill`
with it, and the dashboard opens those cases."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, QModelIndex, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QLabel,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from branchdesk.services.quality import Segment
from ui.followup_table import RowsModel

#: One colour per bar set / line, readable on white and in grey print.
PALETTE = ("#2f6db5", "#e07b39", "#3a9e5f", "#b8424c", "#7a5bb5", "#8c8c8c")


@dataclass(frozen=True)
class Bars:
    """Bar chart content: one label per category, one (name, values) per set, and the
    segment behind each bar (`segments[set][category]`, None: nothing to open)."""

    categories: Sequence[str]
    sets: Sequence[tuple[str, Sequence[float]]]
    segments: Sequence[Sequence[Segment | None]]
    horizontal: bool = False
    percent: bool = False  # values are 0..100, the axis says so


@dataclass(frozen=True)
class Lines:
    """A trend: x labels (weeks), one (name, values, segments per x) per line."""

    labels: Sequence[str]
    lines: Sequence[tuple[str, Sequence[float], Sequence[Segment | None]]]


@dataclass(frozen=True)
class TableRow:
    cells: tuple[str, ...]
    segment: Segment | None  # what the row opens
    title: str  # the case list's title when it is opened
    alarm: bool = False
    column_segments: tuple[tuple[int, Segment, str], ...] = ()  # a cell opening another list


class FigurePage(QWidget):
    """One figure: its chart(s), and beside them the table of the same numbers. Double-click
    or Enter on a row, or a click on a bar or point, emits `drill(segment, title)`."""

    drill = Signal(object, str)

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.model = RowsModel(lambda: self._headers, self)
        self._headers: list[str] = []
        self._rows: list[TableRow] = []
        self.charts = QWidget()
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.charts)
        self._chart_layout = QVBoxLayout(self.charts)
        self._chart_layout.setContentsMargins(0, 0, 0, 0)
        self.views: list[QChartView] = []
        self.empty = QLabel(self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.hide()
        self.table = QTableView(self)
        self.table.setObjectName(f"{name}_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.activated.connect(self._row_activated)  # Enter, double-click
        # Charts on the left, the same numbers beside them: both in full height.
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(scroll)
        split.addWidget(self.table)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([780, 460])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.empty)
        layout.addWidget(split, 1)
        self.setFocusProxy(self.table)

    # ----------------------------------------------------------------- content
    def set_table(self, headers: Sequence[str], rows: Sequence[TableRow]) -> None:
        self._headers = list(headers)
        self._rows = list(rows)
        self.model.set_rows([r.cells for r in rows], list(rows), [r.alarm for r in rows])
        self.table.resizeColumnsToContents()

    def table_content(self) -> tuple[list[str], list[tuple[str, ...]]]:
        """The table as shown (for export)."""
        return list(self._headers), [r.cells for r in self._rows]

    def set_charts(self, charts: Sequence[QChart], empty_text: str | None = None) -> None:
        for view in self.views:
            view.setParent(None)
            view.deleteLater()
        self.views = []
        for chart in charts:
            view = QChartView(chart, self.charts)
            view.setRenderHint(QPainter.RenderHint.Antialiasing)
            view.setMinimumHeight(int(chart.property("wanted_height") or 220))
            self._chart_layout.addWidget(view)
            self.views.append(view)
        self.empty.setText(empty_text or "")
        self.empty.setVisible(bool(empty_text))

    def row(self, index: int) -> TableRow | None:
        return self._rows[index] if 0 <= index < len(self._rows) else None

    def _row_activated(self, index: QModelIndex) -> None:
        row = self.row(index.row())
        if row is None:
            return
        for column, segment, title in row.column_segments:
            if column == index.column():
                self.drill.emit(segment, title)
                return
        if row.segment is not None:
            self.drill.emit(row.segment, row.title)

    # ------------------------------------------------------------------ charts
    def bar_chart(self, title: str, bars: Bars) -> QChart:
        chart = _chart(title)
        series = QHorizontalBarSeries() if bars.horizontal else QBarSeries()
        for i, (name, numbers) in enumerate(bars.sets):
            bar_set = QBarSet(name)
            bar_set.setColor(QColor(PALETTE[i % len(PALETTE)]))
            bar_set.append([float(v) for v in numbers])
            series.append(bar_set)
        series.setLabelsVisible(True)
        series.setLabelsPosition(QBarSeries.LabelsPosition.LabelsOutsideEnd)
        series.setLabelsFormat("@value%" if bars.percent else "@value")
        chart.addSeries(series)
        categories = QBarCategoryAxis()
        categories.append(list(bars.categories))
        values = QValueAxis()
        top = max((v for _n, vs in bars.sets for v in vs), default=0.0)
        values.setRange(0, 100 if bars.percent else max(4.0, top * 1.1))
        if not bars.percent:
            values.applyNiceNumbers()
        values.setLabelFormat("%d%%" if bars.percent else "%d")
        if bars.horizontal:
            chart.addAxis(categories, Qt.AlignmentFlag.AlignLeft)
            chart.addAxis(values, Qt.AlignmentFlag.AlignBottom)
        else:
            chart.addAxis(categories, Qt.AlignmentFlag.AlignBottom)
            chart.addAxis(values, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(categories)
        series.attachAxis(values)
        chart.legend().setVisible(len(bars.sets) > 1)
        # Horizontal bars need room for every label, else Qt elides them to "…".
        rows = len(bars.categories) * (len(bars.sets) if bars.horizontal else 0)
        chart.setProperty("wanted_height", max(220, 26 * rows + 90))
        sets = series.barSets()

        def clicked(index: int, bar_set: QBarSet) -> None:
            which = sets.index(bar_set) if bar_set in sets else -1
            if 0 <= which < len(bars.segments) and 0 <= index < len(bars.segments[which]):
                segment = bars.segments[which][index]
                if segment is not None:
                    label = bars.categories[index]
                    name = bars.sets[which][0]
                    self.drill.emit(segment, f"{title}: {label}" + (f" ({name})" if name else ""))

        series.clicked.connect(clicked)
        return chart

    def line_chart(self, title: str, lines: Lines) -> QChart:
        chart = _chart(title)
        axis_x = QBarCategoryAxis()
        axis_x.append(list(lines.labels))
        axis_y = QValueAxis()
        top = max((v for _n, vs, _s in lines.lines for v in vs), default=0.0)
        axis_y.setRange(0, max(4.0, top * 1.1))
        axis_y.applyNiceNumbers()
        axis_y.setLabelFormat("%d")
        chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        for i, (name, values, segments) in enumerate(lines.lines):
            series = QLineSeries()
            series.setName(name)
            series.setColor(QColor(PALETTE[i % len(PALETTE)]))
            series.setPointsVisible(True)
            # On a category axis, category k sits at x = k.
            series.append([QPointF(x, float(v)) for x, v in enumerate(values)])
            chart.addSeries(series)
            series.attachAxis(axis_x)
            series.attachAxis(axis_y)

            def clicked(
                point: QPointF, name: str = name, segments: Sequence[Segment | None] = segments
            ) -> None:
                x = round(point.x())
                if 0 <= x < len(segments) and segments[x] is not None:
                    self.drill.emit(segments[x], f"{title}: {name}, {lines.labels[x]}")

            series.clicked.connect(clicked)
        chart.legend().setVisible(True)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        return chart


def _chart(title: str) -> QChart:
    chart = QChart()
    chart.setTitle(title)
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.setBackgroundRoundness(0)
    return chart
