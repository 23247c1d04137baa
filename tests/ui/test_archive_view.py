"""The archive panel, driven from the keyboard as a manager would: the queue with its
deadlines (overdue highlighted), the review naming what is missing, approving with
progress and cancel, sealing once HQ has the events, finding an archived case, opening
it read-only and reprinting its documents; and what a clerk is not shown.

All its tables are one model class (RowsModel): qtmodeltester checks one instance per
test, since its teardown detaches only the last model it checked."""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from branchdesk.services import archiving, audit, auth
from tests.conftest import PASSWORD, Branch
from tests.ui.typing import SHOTS, drain, type_text
from tests.unit.archive.support import acknowledge_outbox, closed_case, keys_of
from ui.archive_view import ArchivePanel
from ui.archived_case import ArchivedCaseDialog
from ui.session import UserSession
from ui.worker import DbWorker


def session_of(branch: Branch, staff_no: str) -> UserSession:
    return UserSession(
        branch.ctx.permissions, auth.sign_in(branch.ctx, staff_no=staff_no, password=PASSWORD)
    )


def panel_for(qtbot: QtBot, branch: Branch, worker: DbWorker, session: UserSession) -> ArchivePanel:
    panel = ArchivePanel(branch.ctx, worker, session, lambda: keys_of(branch))
    qtbot.addWidget(panel)
    panel.resize(1100, 700)
    panel.show()
    drain(qtbot, worker)
    return panel


def test_review_then_approve_with_progress_then_seal(
    qtbot: QtBot, qtmodeltester: Any, branch: Branch, worker: DbWorker
) -> None:
    archiving.issue_recovery_key(branch.ctx, actor="A001")
    printed = closed_case(branch.ctx, name="王一明")
    unprinted = closed_case(branch.ctx, name="王二明", print_documents=False)
    panel = panel_for(qtbot, branch, worker, session_of(branch, "M301"))
    model = panel.queue_model
    assert model.rowCount() == 2
    assert {model.data(model.index(r, 0)) for r in range(2)} == {printed, unprinted}
    assert model.data(model.index(0, 5)) == ""  # not overdue yet
    qtmodeltester.check(model, force_py=True)
    branch.clock.advance(days=10)
    panel.refresh()
    drain(qtbot, worker)
    assert model.data(model.index(0, 5)) == "已超时"
    assert model.data(model.index(0, 0), Qt.ItemDataRole.BackgroundRole) is not None

    panel.queue_table.setFocus()
    qtbot.keyClick(panel.queue_table, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    with qtbot.waitSignal(panel.reviewed, timeout=5000):
        qtbot.keyClick(panel.queue_table, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    review = panel.review_model
    rows = {review.data(review.index(r, 0)): r for r in range(review.rowCount())}
    assert review.data(review.index(rows[printed], 1)) == "完整"
    assert review.data(review.index(rows[unprinted], 3)) == (
        "从未为用户打印受理回执; 从未为用户打印处理结果告知书"
    )

    with qtbot.waitSignal(panel.archived, timeout=20000) as got:
        qtbot.keyClick(panel.queue_table, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    approved, sealed = got.args[0]
    assert {n for n, _ in approved.approved} == {printed, unprinted}
    assert sealed.sealed == 0 and sealed.waiting_for_sync == 2  # HQ has not got them yet
    drain(qtbot, worker)
    assert model.rowCount() == 0
    assert "2" in panel.queue_note.text()

    acknowledge_outbox(branch.ctx)
    with qtbot.waitSignal(panel.archived, timeout=20000) as got:
        panel.seal_button.click()
    assert got.args[0][1].sealed == 2
    SHOTS.mkdir(exist_ok=True)
    panel.grab().save(str(SHOTS / "archive_queue.png"))


def test_cancel_stops_before_sealing(qtbot: QtBot, branch: Branch, worker: DbWorker) -> None:
    archiving.issue_recovery_key(branch.ctx, actor="A001")
    number = closed_case(branch.ctx)
    panel = panel_for(qtbot, branch, worker, session_of(branch, "M301"))
    gate = threading.Event()
    worker.run(lambda _ctx: gate.wait(10))  # the worker is busy: the work waits its turn
    panel.queue_table.selectAll()
    panel.approve()
    assert panel.work is not None
    panel.work.dialog.findChild(QPushButton).click()  # Cancel
    with qtbot.waitSignal(panel.archived, timeout=20000) as got:
        gate.set()
    approved, sealed = got.args[0]
    # Approvals go in chunks; the one under way finishes, then nothing more is done.
    assert [n for n, _ in approved.approved] == [number] and sealed is None
    assert archiving.find(branch.ctx, actor="M301", number=number) == []


def test_find_open_read_only_and_reprint(
    qtbot: QtBot, qtmodeltester: Any, branch: Branch, worker: DbWorker
) -> None:
    ctx = branch.ctx
    archiving.issue_recovery_key(ctx, actor="A001")
    numbers = [closed_case(ctx, name=n) for n in ("王一明", "李四")]
    archiving.approve(ctx, keys_of(branch), numbers=numbers, actor="M301")
    acknowledge_outbox(ctx)
    archiving.seal_archived(ctx, keys_of(branch), actor="M301")
    panel = panel_for(qtbot, branch, worker, session_of(branch, "M301"))

    qtbot.keyClick(panel.queue_table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert panel.tabs.currentIndex() == 1 and panel.customer.hasFocus()
    type_text(panel.customer, "王一")
    with qtbot.waitSignal(panel.found, timeout=5000) as found:
        qtbot.keyClick(panel.customer, Qt.Key.Key_Return)
    assert found.args == [1]
    results = panel.results_model
    qtmodeltester.check(results, force_py=True)
    assert results.data(results.index(0, 1)) == numbers[0]
    assert results.data(results.index(0, 4)) == "138****5678"

    panel.results_table.setFocus()
    with qtbot.waitSignal(panel.opened, timeout=5000) as opened:
        qtbot.keyClick(panel.results_table, Qt.Key.Key_Return)
    dialog = opened.args[0]
    assert isinstance(dialog, ArchivedCaseDialog)
    assert dialog.case.number == numbers[0]
    assert dialog.case.customer["phone"] == "138****5678"  # masked unless revealed
    timeline = dialog.timeline_model
    assert timeline.rowCount() == len(dialog.case.events)
    assert timeline.data(timeline.index(timeline.rowCount() - 1, 3)) == "归档"
    assert set(dialog.document_buttons) == {"receipt", "closure_letter", "case_record"}
    SHOTS.mkdir(exist_ok=True)
    dialog.grab().save(str(SHOTS / "archived_case.png"))

    with qtbot.waitSignal(dialog.reprinted, timeout=5000) as reprinted:
        qtbot.keyClick(dialog, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
    document = reprinted.args[0]
    assert (document.kind, document.number) == ("closure_letter", numbers[0])
    assert dialog.preview is not None and dialog.preview.isVisible()
    dialog.preview.close()
    entries = audit.browse(ctx, actor="A001", filter=audit.AuditFilter(action="archive"), limit=20)
    assert {"archive.open", "archive.reprint"} <= {e.action for e in entries}

    # A legal hold, typed and placed from the keyboard, shows in the results.
    dialog.close()
    panel.results_table.setFocus()
    type_text(panel.hold_reason, "诉讼中")
    with qtbot.waitSignal(panel.found, timeout=5000):
        panel.hold_button.click()
    assert results.data(results.index(0, 8)) == "诉讼中"
    assert results.data(results.index(0, 0), Qt.ItemDataRole.BackgroundRole) is not None


def test_a_clerk_is_shown_nothing_until_a_manager_signs_in(
    qtbot: QtBot, branch: Branch, worker: DbWorker
) -> None:
    closed_case(branch.ctx)
    session = session_of(branch, "H201")
    panel = panel_for(qtbot, branch, worker, session)
    assert not panel.tabs.isEnabled() and panel.queue_model.rowCount() == 0
    assert not panel.approve_button.isVisibleTo(panel)
    assert not panel.hold_button.isVisibleTo(panel)
    panel.approve()  # the shortcut does nothing either
    assert panel.work is None
    manager = auth.sign_in(branch.ctx, staff_no="M301", password=PASSWORD)
    with qtbot.waitSignal(panel.loaded, timeout=5000) as loaded:
        session.start(manager)
    assert loaded.args == [1]
    assert panel.tabs.isEnabled() and panel.approve_button.isVisibleTo(panel)
