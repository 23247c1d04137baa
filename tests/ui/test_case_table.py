"""The case list: a lazy table model checked by qtmodeltester, paging from the worker
with a bounded cache, sorting in SQL by header clicks, queue and search filters,
stale answers dropped, keyboard selection and urgency colours."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future
from datetime import datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt, QTranslator
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from branchdesk import display
from branchdesk.domain.errors import DomainError
from branchdesk.services import cases, demo, worklists
from branchdesk.services.cases import CaseView
from branchdesk.services.context import ServiceContext
from branchdesk.services.queries import CaseSummary
from branchdesk.services.worklists import CaseFilter
from tests.conftest import TZ, Branch, complaint_form
from tests.ui.typing import SHOTS
from ui import i18n
from ui.case_table import (
    COLUMNS,
    PAUSED_TEXT,
    PLACEHOLDER,
    SUMMARY_ROLE,
    URGENCY_COLOURS,
    CaseTable,
    CaseTableModel,
)
from ui.worker import DbWorker


class HeldWorker(DbWorker):
    """A real worker whose calls wait until the test releases them, in any order, so
    that answers can be made to arrive late."""

    def __init__(self, ctx: ServiceContext) -> None:
        super().__init__(ctx)
        self.held: list[tuple[Callable[[ServiceContext], Any], Any, Any, bool]] = []
        self.finished = 0
        # Connected after DbWorker's own delivery slot, so it counts handled answers.
        # Queued like that slot: a call that finished before its done-callback was
        # added emits from this (UI) thread, and a direct connection would count it
        # before the answer was handled.
        self.delivered.connect(self._count, Qt.ConnectionType.QueuedConnection)

    def _count(self, _delivery: object) -> None:
        self.finished += 1

    def run(  # type: ignore[override]
        self,
        fn: Callable[[ServiceContext], Any],
        *,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[DomainError], None] | None = None,
        writes: bool = False,
    ) -> Future[Any]:
        self.held.append((fn, on_done, on_error, writes))
        return Future()

    def release(self, qtbot: QtBot, index: int) -> None:
        """Let held call `index` run and wait until its answer has been handled."""
        fn, on_done, on_error, writes = self.held.pop(index)
        target = self.finished + 1
        DbWorker.run(self, fn, on_done=on_done, on_error=on_error, writes=writes)
        qtbot.waitUntil(lambda: self.finished >= target)


@pytest.fixture
def held(branch: Branch) -> Iterator[HeldWorker]:
    w = HeldWorker(branch.ctx)
    yield w
    w.shutdown()


def with_demo(branch: Branch, count: int) -> None:
    """Exactly `count` cases (no week of appointments on top)."""
    demo.generate_demo(branch.ctx, cases=count, actor="A001", appointments=False)


def new_complaint(ctx: ServiceContext) -> CaseView:
    return cases.intake(ctx, form=complaint_form(), actor="A001")


def wait_ids(qtbot: QtBot, model: CaseTableModel) -> None:
    qtbot.waitUntil(lambda: not model.is_loading())


def all_summaries(qtbot: QtBot, model: CaseTableModel) -> list[CaseSummary]:
    """Every row's line, fetching pages as a scrolling view would."""
    found: list[CaseSummary] = []
    for row in range(model.rowCount()):
        model.summary_at(row)
        qtbot.waitUntil(lambda r=row: model.summary_at(r) is not None)  # type: ignore[misc]
        summary = model.summary_at(row)
        assert summary is not None
        found.append(summary)
    return found


def numbers(qtbot: QtBot, model: CaseTableModel) -> list[str]:
    return [s.number for s in all_summaries(qtbot, model)]


def shown_table(
    qtbot: QtBot, worker: DbWorker, *, selected: list[str] | None = None, **kwargs: Any
) -> CaseTable:
    """A table on screen with its ids loaded; `selected` collects case_selected from the
    start (showing the window may give the table focus, which picks the first row)."""
    table = CaseTable(worker, **kwargs)
    if selected is not None:
        table.case_selected.connect(selected.append)
    table.set_filter(CaseFilter())
    qtbot.addWidget(table)
    table.resize(1500, 420)
    table.show()
    qtbot.waitExposed(table)
    wait_ids(qtbot, table.model)
    return table


def test_model_passes_the_model_tester_on_demo_data(
    qtbot: QtBot, qtmodeltester: Any, branch: Branch, worker: DbWorker
) -> None:
    with_demo(branch, 150)
    table = shown_table(qtbot, worker)
    model = table.model
    assert model.rowCount() == 150
    assert model.columnCount() == len(COLUMNS)
    found = all_summaries(qtbot, model)
    expected = worklists.summaries(branch.ctx, worklists.case_ids(branch.ctx, CaseFilter()))
    assert found == expected
    assert model.data(model.index(0, 0)) == expected[0].number
    qtmodeltester.check(model, force_py=True)
    # The tester keeps watching while the list is refreshed after a write.
    worker.run(new_complaint, writes=True)
    qtbot.waitUntil(lambda: model.rowCount() == 151)
    all_summaries(qtbot, model)  # pages arriving: dataChanged, checked by the tester too


def test_only_looked_at_pages_are_fetched(qtbot: QtBot, branch: Branch, worker: DbWorker) -> None:
    with_demo(branch, 150)
    model = CaseTableModel(worker, page_size=20, max_pages=3)
    model.set_filter(CaseFilter(sort="number", descending=False))
    wait_ids(qtbot, model)
    ids = worklists.case_ids(branch.ctx, CaseFilter(sort="number", descending=False))
    assert model.rowCount() == len(ids) == 150
    assert model.cached_pages() == []

    assert model.data(model.index(45, 0)) == PLACEHOLDER
    assert model.data(model.index(45, 1)) == ""
    assert model.pending_pages() == {2}
    with qtbot.waitSignal(model.page_loaded) as loaded:
        pass
    assert loaded.args == [2]
    assert model.cached_pages() == [2]
    (case,) = worklists.summaries(branch.ctx, [ids[45]])
    assert model.data(model.index(45, 0)) == case.number
    assert model.data(model.index(45, 0), SUMMARY_ROLE) == case
    assert model.number_at(40) is not None
    assert model.data(model.index(40, 0)) == model.number_at(40)
    # Rows of other pages are still waiting for their first look.
    assert model.data(model.index(0, 0)) == PLACEHOLDER
    assert model.data(model.index(149, 0)) == PLACEHOLDER
    assert model.pending_pages() == {0, 7}


def test_a_page_is_requested_once_and_stale_answers_are_dropped(
    qtbot: QtBot, branch: Branch, held: HeldWorker
) -> None:
    with_demo(branch, 150)
    model = CaseTableModel(held, page_size=20)
    mine = CaseFilter(queue="mine", me="C101")
    ascending = CaseFilter(sort="number", descending=False)
    model.set_filter(mine)
    model.set_filter(ascending)
    assert len(held.held) == 2
    held.release(qtbot, 1)  # the newer list answers first …
    assert model.rowCount() == 150
    held.release(qtbot, 0)  # … and the older one, arriving late, changes nothing
    assert model.filter() == ascending
    assert model.rowCount() == 150
    assert not model.is_loading()

    for _ in range(3):
        for row in range(20):
            assert model.data(model.index(row, 0)) == PLACEHOLDER
    assert len(held.held) == 1  # one request for page 0, however often it is painted
    assert model.pending_pages() == {0}

    # The list is replaced while the page is still on its way: its answer is stale.
    model.set_filter(CaseFilter(sort="number", descending=True))
    held.release(qtbot, 1)
    held.release(qtbot, 0)
    assert model.cached_pages() == []
    assert model.data(model.index(0, 0)) == PLACEHOLDER
    held.release(qtbot, 0)
    every = worklists.summaries(branch.ctx, worklists.case_ids(branch.ctx, ascending))
    assert model.cached_pages() == [0]
    assert model.number_at(0) == max(s.number for s in every)


def test_the_page_cache_stays_bounded_while_scrolling(
    qtbot: QtBot, branch: Branch, worker: DbWorker
) -> None:
    with_demo(branch, 2000)
    table = CaseTable(worker, page_size=50, max_pages=5)
    qtbot.addWidget(table)
    model = table.model
    loaded: set[int] = set()
    model.page_loaded.connect(loaded.add)
    table.set_filter(CaseFilter())
    table.resize(1500, 420)
    table.show()
    wait_ids(qtbot, model)
    assert model.rowCount() == 2000
    selected: list[str] = []
    table.case_selected.connect(selected.append)
    table.select_first()
    table.view.setFocus()
    while table.view.currentIndex().row() < 1999:
        row = table.view.currentIndex().row()
        qtbot.keyClick(table.view, Qt.Key.Key_PageDown)
        assert table.view.currentIndex().row() > row
        qtbot.waitUntil(lambda: not model.pending_pages())
        assert len(model.cached_pages()) <= 5
    assert loaded == set(range(40))  # every page was fetched on the way down
    ids = worklists.case_ids(branch.ctx, CaseFilter())
    (last,) = worklists.summaries(branch.ctx, [ids[-1]])
    qtbot.waitUntil(lambda: table.current_number() == last.number)
    assert selected[-1] == last.number


def test_header_clicks_sort_in_sql(qtbot: QtBot, branch: Branch, worker: DbWorker) -> None:
    with_demo(branch, 150)
    table = shown_table(qtbot, worker)
    header = table.view.horizontalHeader()

    def click(key: str) -> None:
        column = COLUMNS.index(key)
        x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
        wait_ids(qtbot, table.model)

    click("number")
    assert (table.filter().sort, table.filter().descending) == ("number", False)
    shown = numbers(qtbot, table.model)
    assert shown == sorted(shown) and len(set(shown)) == 150
    assert header.sortIndicatorSection() == COLUMNS.index("number")
    assert header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder

    click("number")
    assert numbers(qtbot, table.model) == sorted(shown, reverse=True)
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder

    click("customer")
    names = [s.customer_name for s in all_summaries(qtbot, table.model)]
    assert names == sorted(names)

    click("received_at")  # the newest first on the first click
    times = [s.received_at for s in all_summaries(qtbot, table.model)]
    assert times == sorted(times, reverse=True)

    click("milestone")  # shown beside the deadline, sorts nothing
    assert table.filter().sort == "received_at"
    assert header.sortIndicatorSection() == COLUMNS.index("received_at")


def test_lists_follow_the_queue_and_the_search_text(
    qtbot: QtBot, branch: Branch, worker: DbWorker
) -> None:
    with_demo(branch, 150)
    table = shown_table(qtbot, worker)
    everything = all_summaries(qtbot, table.model)

    owner = next(s.owner for s in everything if s.state not in CLOSED)
    table.set_filter(CaseFilter(queue="mine", me=owner))
    wait_ids(qtbot, table.model)
    mine = all_summaries(qtbot, table.model)
    expected = {s.number for s in everything if s.owner == owner and s.state not in CLOSED}
    assert {s.number for s in mine} == expected and 0 < len(mine) < 150

    some = everything[17]
    table.set_filter(CaseFilter(text=some.number))
    wait_ids(qtbot, table.model)
    assert numbers(qtbot, table.model) == [some.number]

    table.set_filter(CaseFilter(text=some.customer_name))
    wait_ids(qtbot, table.model)
    found = numbers(qtbot, table.model)
    assert some.number in found and len(found) < 150


CLOSED = {"closed", "archived", "cancelled"}


def test_keyboard_moves_select_cases_and_enter_opens_one(
    qtbot: QtBot, branch: Branch, worker: DbWorker
) -> None:
    with_demo(branch, 150)
    selected: list[str] = []
    table = shown_table(qtbot, worker, page_size=50, selected=selected)
    expected = worklists.summaries(branch.ctx, worklists.case_ids(branch.ctx, CaseFilter()))
    table.view.setFocus()
    table.select_first()
    qtbot.waitUntil(lambda: selected == [expected[0].number])
    with qtbot.waitSignal(table.case_selected) as moved:
        qtbot.keyClick(table.view, Qt.Key.Key_Down)
    assert moved.args == [expected[1].number]
    # The last row's page has not been fetched: the number follows when it arrives.
    with qtbot.waitSignal(table.case_selected) as end:
        qtbot.keyClick(table.view, Qt.Key.Key_End)
    assert end.args == [expected[149].number]
    with qtbot.waitSignal(table.case_selected) as up:
        qtbot.keyClick(table.view, Qt.Key.Key_Up)
    assert up.args == [expected[148].number]
    with qtbot.waitSignal(table.case_selected) as home:
        qtbot.keyClick(table.view, Qt.Key.Key_Home)
    assert home.args == [expected[0].number]
    assert table.current_number() == expected[0].number

    with qtbot.waitSignal(table.case_activated) as opened:
        qtbot.keyClick(table.view, Qt.Key.Key_Return)
    assert opened.args == [expected[0].number]
    rect = table.view.visualRect(table.model.index(2, 1))
    # QTest sends the double click alone; the view wants the press of its first half.
    qtbot.mouseClick(table.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(table.case_activated) as clicked:
        qtbot.mouseDClick(table.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert clicked.args == [expected[2].number]


def test_the_selected_case_stays_selected_after_a_write(
    qtbot: QtBot, branch: Branch, worker: DbWorker
) -> None:
    with_demo(branch, 150)
    table = shown_table(qtbot, worker)
    table.select_first()
    qtbot.keyClick(table.view, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: table.current_number() != "")
    chosen = table.current_number()
    assert table.view.currentIndex().row() == 1
    selected: list[str] = []
    table.case_selected.connect(selected.append)

    # A new case arrives at the top of the newest-first list; ours moves down a row.
    worker.run(new_complaint, writes=True)
    qtbot.waitUntil(lambda: table.model.rowCount() == 151)
    assert table.view.currentIndex().row() == 2
    assert table.current_number() == chosen
    assert selected == []  # still the same case: nothing new to show

    # A list it is not on: nothing is current.
    table.set_filter(CaseFilter(text="GZ0012-20200101-0001X"))
    wait_ids(qtbot, table.model)
    assert table.model.rowCount() == 0
    assert table.current_number() == ""


def background(model: CaseTableModel, row: int, column: int = 0) -> QColor | None:
    brush = model.data(model.index(row, column), Qt.ItemDataRole.BackgroundRole)
    return brush.color() if isinstance(brush, QBrush) else None


def foreground(model: CaseTableModel, row: int, column: int = 0) -> QColor | None:
    brush = model.data(model.index(row, column), Qt.ItemDataRole.ForegroundRole)
    return brush.color() if isinstance(brush, QBrush) else None


def test_rows_are_coloured_by_urgency_as_the_clock_runs(
    qtbot: QtBot, branch: Branch, worker: DbWorker
) -> None:
    view = cases.intake(branch.ctx, form=complaint_form(), actor="A001")
    table = shown_table(qtbot, worker)
    model = table.model
    qtbot.waitUntil(lambda: model.summary_at(0) is not None)
    due = model.summary_at(0).next_due_at  # type: ignore[union-attr]
    assert due is not None and due - branch.ctx.now() == timedelta(hours=24)
    time_left = COLUMNS.index("next_due_at")
    assert background(model, 0) is None and foreground(model, 0) is None

    branch.clock.advance(hours=21)
    model.refresh_times()
    assert background(model, 0, time_left) == URGENCY_COLOURS["nearly_due"][0]
    assert foreground(model, 0, time_left) == URGENCY_COLOURS["nearly_due"][1]

    branch.clock.advance(hours=4)
    model.refresh_times()
    assert background(model, 0, 3) == URGENCY_COLOURS["overdue"][0]
    assert foreground(model, 0, 3) == URGENCY_COLOURS["overdue"][1]
    text = model.data(model.index(0, time_left))
    assert text == display.time_left(due, branch.ctx.now(), "zh_CN") and text
    tip = model.data(model.index(0, time_left), Qt.ItemDataRole.ToolTipRole)
    assert display.when(due, TZ) in tip

    def acknowledge_and_pause(ctx: ServiceContext) -> None:
        for action, params in (("acknowledge", {}), ("pause", {"reason": "等待用户提供账单"})):
            cases.act(ctx, number=view.case.number, action=action, params=params, actor="A001")

    worker.run(acknowledge_and_pause, writes=True)
    qtbot.waitUntil(lambda: bool(getattr(model.summary_at(0), "paused", False)))
    assert background(model, 0) is None
    assert foreground(model, 0) == PAUSED_TEXT
    state = model.data(model.index(0, COLUMNS.index("state")))
    assert state.startswith(i18n.word("label.CaseState", "acknowledged")) and len(state) > len(
        i18n.word("label.CaseState", "acknowledged")
    )


def test_provisional_deadlines_are_marked(qtbot: QtBot, branch: Branch, worker: DbWorker) -> None:
    # Late December: fifteen working days run into a year the calendar does not know.
    branch.clock.set(datetime(2026, 12, 24, 10, 0, tzinfo=TZ))
    form = complaint_form(kind="service_request", category="service_request/broadband_install")
    number = cases.intake(branch.ctx, form=form, actor="A001").case.number
    cases.act(branch.ctx, number=number, action="acknowledge", params={}, actor="A001")
    table = shown_table(qtbot, worker)
    model = table.model
    qtbot.waitUntil(lambda: model.summary_at(0) is not None)
    time_left = model.index(0, COLUMNS.index("next_due_at"))
    assert model.data(time_left).endswith("*")
    tip = model.data(time_left, Qt.ItemDataRole.ToolTipRole)
    assert i18n.text("sla.provisional", year=2027) in tip


class Marking(QTranslator):
    """A translation that brackets every string of the table, to see what is redone."""

    def translate(
        self, context: str, source: str, disambiguation: str | None = None, n: int = -1
    ) -> str:
        return f"[{source}]" if context == "CaseTableModel" else ""

    def isEmpty(self) -> bool:
        return False


def test_language_change_retranslates_headers_and_cells(
    qtbot: QtBot, qapp: QApplication, branch: Branch, worker: DbWorker
) -> None:
    cases.intake(branch.ctx, form=complaint_form(), actor="A001")
    table = shown_table(qtbot, worker)
    model = table.model
    qtbot.waitUntil(lambda: model.summary_at(0) is not None)
    kind = model.index(0, COLUMNS.index("kind"))
    assert model.data(kind) == "投诉"

    with qtbot.waitSignal(model.headerDataChanged), qtbot.waitSignal(model.dataChanged):
        i18n.set_language("en")
    assert model.data(kind) == "Complaint"
    assert model.data(model.index(0, COLUMNS.index("category"))) == (
        branch.ctx.catalogue.label("technical/network", "en")
    )
    header = model.headerData(0, Qt.Orientation.Horizontal)

    marking = Marking()
    with qtbot.waitSignal(model.headerDataChanged):
        qapp.installTranslator(marking)
    try:
        assert model.headerData(0, Qt.Orientation.Horizontal) == f"[{header}]"
    finally:
        qapp.removeTranslator(marking)
    assert model.headerData(0, Qt.Orientation.Horizontal) == header


def test_screenshot_of_the_case_list(qtbot: QtBot, branch: Branch, worker: DbWorker) -> None:
    with_demo(branch, 150)
    # Fresh cases whose deadlines will be past, near and paused when the shot is taken.
    new_complaint(branch.ctx)
    branch.clock.advance(hours=3)
    new_complaint(branch.ctx)
    branch.clock.advance(hours=22)
    paused = new_complaint(branch.ctx).case.number
    for action, params in (("acknowledge", {}), ("pause", {"reason": "等待用户提供账单"})):
        cases.act(branch.ctx, number=paused, action=action, params=params, actor="A001")
    table = shown_table(qtbot, worker)
    model = table.model
    shown = all_summaries(qtbot, model)
    urgencies = [display.urgency(s.next_due_at, branch.ctx.now(), paused=s.paused) for s in shown]
    assert {"overdue", "nearly_due", "ok"} <= set(urgencies)
    table.select_first()
    qtbot.waitUntil(lambda: table.current_number() == paused)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for lang in ("zh_CN", "en"):
        i18n.set_language(lang)
        path = SHOTS / f"case_table_{lang}.png"
        assert table.grab().save(str(path))
        assert path.stat().st_size > 0
