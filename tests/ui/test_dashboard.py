"""The quality dashboard desk on the hand-counted branch of the quality tests (four
complaints in November 2026: A and B closed by H201, C and D open and overdue with
A001): its tiles and tables, a bar and a row opening the cases behind them, a case
chosen there reaching the workbench, the filter, the language, and a refusal for a
person who may not see the figures."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from pypdf import PdfReader
from PySide6.QtCharts import QAbstractBarSeries
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.conftest import Branch
from tests.integration.test_quality import build_figures
from tests.ui.typing import SHOTS, drain
from ui import i18n
from ui.dashboard import DashboardPanel
from ui.dashboard_cases import SegmentCasesDialog
from ui.dashboard_charts import FigurePage
from ui.followup_table import ALARM_BACKGROUND

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def figures(branch: Branch) -> Branch:
    return build_figures(branch)


def settle(qtbot: QtBot, panel: DashboardPanel) -> None:
    """Wait for the figures (a request made meanwhile runs after the one under way)."""
    qtbot.waitUntil(lambda: not panel.working, timeout=20_000)
    drain(qtbot, panel.worker)


def shown(qtbot: QtBot, branch: Branch, staff_no: str = "M301") -> DashboardPanel:
    panel = DashboardPanel(branch.ctx, staff_no)
    qtbot.addWidget(panel)
    panel.resize(1280, 820)
    panel.show()
    settle(qtbot, panel)  # the desk reads on a database thread of its own
    return panel


def column(page: FigurePage, col: int) -> list[str]:
    model = page.model
    return [model.data(model.index(r, col)) for r in range(model.rowCount())]


def tile(panel: DashboardPanel, key: str) -> str:
    return panel.tiles[key].text().split("\n")[0]


def opened(qtbot: QtBot, panel: DashboardPanel) -> SegmentCasesDialog:
    assert panel.dialogs, "no case list opened"
    dialog = panel.dialogs[-1]
    qtbot.waitUntil(lambda: dialog.rows.model.rowCount() > 0 or dialog.count.text() != "")
    settle(qtbot, panel)
    return dialog


def numbers(dialog: SegmentCasesDialog) -> list[str]:
    model = dialog.rows.model
    return [model.data(model.index(r, 0)) for r in range(model.rowCount())]


def test_the_month_at_a_glance_with_who_needs_help_first(
    qtbot: QtBot,
    qtmodeltester: Any,
    figures: Branch,
) -> None:
    panel = shown(qtbot, figures)
    assert panel.period.currentData() == "this_month"
    assert panel.since_edit.date().toString("yyyy-MM-dd") == "2026-11-01"
    assert panel.until_edit.date().toString("yyyy-MM-dd") == "2026-11-30"
    assert (tile(panel, "complaints"), tile(panel, "overdue"), tile(panel, "repeat")) == (
        "4",
        "2",
        "2",
    )
    assert tile(panel, "satisfaction") == "3.67 / 5"  # scores 4, 2 and 5
    staff_page = panel.pages["staff"]
    qtmodeltester.check(staff_page.model)
    # A001 met none of the deadlines of C and D: at the top, in red; H201 met all.
    assert column(staff_page, 0)[0].startswith("A001")
    assert column(staff_page, 4) == ["0.0%", "100.0%"]
    assert staff_page.model.data(staff_page.model.index(0, 0), Qt.ItemDataRole.BackgroundRole)
    background = staff_page.model.data(staff_page.model.index(0, 0), Qt.ItemDataRole.BackgroundRole)
    assert background.color() == ALARM_BACKGROUND
    assert (
        staff_page.model.data(staff_page.model.index(1, 0), Qt.ItemDataRole.BackgroundRole) is None
    )
    times = panel.pages["times"]
    assert column(times, 1) == ["2", "2", "2"]
    assert column(times, 2) == ["1.5 h", "3.0 h", "5.5 h"]
    # Every figure page has its chart(s) beside its table.
    assert all(page.views for page in panel.pages.values())
    SHOTS.mkdir(exist_ok=True)
    panel.tabs.setCurrentWidget(staff_page)
    panel.grab().save(str(SHOTS / "dashboard_staff.png"))


def test_a_bar_and_a_row_open_their_cases_and_a_case_opens_in_the_workbench(
    qtbot: QtBot,
    figures: Branch,
) -> None:
    panel = shown(qtbot, figures)
    backlog = panel.pages["backlog"]
    assert column(backlog, 1) == ["0", "0", "1", "1", "0", "0", "2"]  # the last: overdue now
    (series,) = backlog.views[0].chart().series()
    assert isinstance(series, QAbstractBarSeries)
    series.clicked.emit(2, series.barSets()[0])  # the 3–7 days bar: C
    first = opened(qtbot, panel)
    assert first.count.text() == "1 个案件"
    (c_number,) = numbers(first)
    # The overdue row of the table, by keyboard: C and D, newest first.
    panel.tabs.setCurrentWidget(backlog)
    backlog.table.setFocus()
    backlog.table.setCurrentIndex(backlog.model.index(6, 0))
    qtbot.keyClick(backlog.table, Qt.Key.Key_Return)
    overdue = opened(qtbot, panel)
    assert overdue is not first
    assert numbers(overdue)[0] == c_number and len(numbers(overdue)) == 2
    # Phone numbers in the list are masked.
    assert all(
        "****" in p
        for p in [overdue.rows.model.data(overdue.rows.model.index(r, 6)) for r in range(2)]
    )
    with qtbot.waitSignal(panel.open_case) as chosen:
        overdue.rows.table.setCurrentIndex(overdue.rows.model.index(1, 0))
        qtbot.keyClick(overdue.rows.table, Qt.Key.Key_Return)
    assert chosen.args == [numbers(overdue)[1]]
    # A tile opens its cases too: the repeat complaints B and C.
    panel.tiles["repeat"].click()
    repeats = opened(qtbot, panel)
    assert c_number in numbers(repeats) and len(numbers(repeats)) == 2


def test_the_filter_and_the_period_narrow_every_figure(
    qtbot: QtBot,
    figures: Branch,
) -> None:
    panel = shown(qtbot, figures)
    panel.staff.setCurrentIndex(panel.staff.findData("H201"))
    settle(qtbot, panel)
    assert (tile(panel, "complaints"), tile(panel, "overdue")) == ("2", "0")
    assert column(panel.pages["staff"], 0) == [panel.figures.staff_name("H201")]
    panel.staff.setCurrentIndex(0)
    panel.period.setCurrentIndex(panel.period.findData("last_month"))
    settle(qtbot, panel)
    assert panel.since_edit.date().toString("yyyy-MM-dd") == "2026-10-01"
    assert tile(panel, "complaints") == "0"
    assert panel.pages["complaints"].empty.isVisibleTo(panel.pages["complaints"])
    # Dates typed by hand make the period "chosen dates".
    panel.since_edit.setDate(panel.since_edit.date().addDays(30))  # 2026-10-31
    panel.until_edit.setDate(panel.until_edit.date().addDays(30))  # 2026-11-30
    settle(qtbot, panel)
    assert panel.period.currentData() == "custom"
    assert tile(panel, "complaints") == "4"
    # A year: the complaint trend is per month.
    panel.period.setCurrentIndex(panel.period.findData("this_year"))
    settle(qtbot, panel)
    trend = panel.pages["complaints"].views[1].chart()
    labels = trend.axes(Qt.Orientation.Horizontal)[0].categories()  # type: ignore[attr-defined]
    assert labels[0] == "2026-01" and labels[-1] == "2026-12" and len(labels) == 12


def test_texts_follow_a_language_switch(qtbot: QtBot, figures: Branch) -> None:
    panel = shown(qtbot, figures)
    assert panel.tabs.tabText(0) == "按时率"
    assert panel.tiles["complaints"].text().endswith("收到投诉")
    assert column(panel.pages["times"], 0)[0] == "至确认"
    SHOTS.mkdir(exist_ok=True)
    panel.grab().save(str(SHOTS / "dashboard.zh_CN.png"))
    i18n.set_language("en")
    settle(qtbot, panel)
    assert panel.tabs.tabText(0) == "On time"
    assert panel.tiles["complaints"].text().endswith("Complaints received")
    assert column(panel.pages["times"], 0)[0] == "To acknowledge"
    assert panel.period.currentText() == "This month"


def test_changes_while_the_figures_are_worked_out_run_once_more_with_the_latest(
    qtbot: QtBot, figures: Branch, monkeypatch: Any
) -> None:
    from branchdesk.services import quality

    panel = shown(qtbot, figures)
    asked: list[str | None] = []
    real = quality.report

    def counted(ctx: Any, **kw: Any) -> Any:
        asked.append(kw["where"].staff)
        return real(ctx, **kw)

    monkeypatch.setattr(quality, "report", counted)
    for staff_no in ("H201", "A001", "M301", "H201"):
        panel.staff.setCurrentIndex(panel.staff.findData(staff_no))
    settle(qtbot, panel)
    # The first change runs; the three made meanwhile become one run, for the last.
    assert asked == ["H201", "H201"]
    assert (tile(panel, "complaints"), tile(panel, "overdue")) == ("2", "0")


def test_a_handler_is_told_who_may_see_the_figures(
    qtbot: QtBot,
    figures: Branch,
) -> None:
    panel = shown(qtbot, figures, staff_no="H201")
    assert panel.report is None
    assert i18n.word("label.Role", "manager") in panel.status.text()


def test_the_table_in_front_and_a_figures_cases_export_and_the_report_previews(
    qtbot: QtBot, figures: Branch, tmp_path: Path, monkeypatch: Any
) -> None:
    from ui import export_dialog
    from ui.export_dialog import ExportTarget
    from ui.printing import PrintPreviewDialog

    said: list[str] = []
    targets = iter(
        [ExportTarget(tmp_path / "staff.xlsx", "xlsx"), ExportTarget(tmp_path / "late.csv", "csv")]
    )
    monkeypatch.setattr(export_dialog, "ask_target", lambda *_a, **_k: next(targets))
    monkeypatch.setattr(export_dialog, "notify", lambda _p, _t, text, **_k: said.append(text))
    panel = shown(qtbot, figures)
    staff_page = panel.pages["staff"]
    panel.tabs.setCurrentWidget(staff_page)
    staff_page.table.setFocus()
    qtbot.keyClick(staff_page.table, Qt.Key.Key_E, CTRL_SHIFT)
    qtbot.waitUntil(lambda: len(said) == 1, timeout=10_000)
    sheet = openpyxl.load_workbook(tmp_path / "staff.xlsx").active
    assert sheet is not None
    values = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    headers, rows = staff_page.table_content()
    assert headers in values
    assert list(rows[0]) in [[str(v) for v in row] for row in values]
    # The late acknowledgements' cases, all of them, to CSV.
    milestones = panel.pages["milestones"]
    row = next(
        i
        for i in range(milestones.model.rowCount())
        if milestones.row(i).segment.key[1] == "acknowledge"
    )
    milestones.table.setCurrentIndex(milestones.model.index(row, 0))
    milestones.table.setFocus()
    qtbot.keyClick(milestones.table, Qt.Key.Key_Return)
    late = opened(qtbot, panel)
    late.export()
    qtbot.waitUntil(lambda: len(said) == 2, timeout=10_000)
    with (tmp_path / "late.csv").open(encoding="utf-8-sig") as f:
        lines = list(csv.reader(f))
    assert [line[0] for line in lines[1:]] == numbers(late)  # C and D
    # Ctrl+P: the report of the same month, in the preview.
    panel.print_report()
    qtbot.waitUntil(
        lambda: any(w.isVisible() for w in panel.findChildren(PrintPreviewDialog)), timeout=20_000
    )
    (preview,) = panel.findChildren(PrintPreviewDialog)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(preview.document.pdf)).pages)
    assert "服务质量报告" in text and "2026年11月1日 至 2026年11月30日" in text
    preview.close()
