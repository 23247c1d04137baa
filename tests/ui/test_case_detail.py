"""The case detail pane, driven as a clerk would: read a case, take every step of a
complaint from the keyboard, see deadlines turn red, switch language mid-dialog."""

from __future__ import annotations

import itertools
from datetime import datetime

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QSpinBox,
    QWidget,
)
from pytestqt.qtbot import QtBot

from branchdesk.domain.errors import DomainError
from branchdesk.domain.model import CaseState
from branchdesk.services import cases
from branchdesk.services.cases import CaseView
from tests.conftest import TZ, Branch, complaint_form
from tests.ui.signing import signed_in
from tests.ui.typing import SHOTS, drain, type_text
from ui import i18n
from ui.action_dialog import ActionDialog
from ui.case_detail import MET_LATE, NEARLY_DUE, OVERDUE, URGENCY_ROLE, CaseDetail
from ui.worker import DbWorker


def ui(text: str) -> str:
    """The pane's own wording of `text` in the current language (from the .qm)."""
    return QCoreApplication.translate("CaseDetail", text)


def new_complaint(branch: Branch) -> CaseView:
    return cases.intake(branch.ctx, form=complaint_form(), actor="A001")


def shown(qtbot: QtBot, worker: DbWorker, number: str, me: str = "A001") -> CaseDetail:
    detail = CaseDetail(worker, signed_in(worker.ctx, me))
    qtbot.addWidget(detail)
    detail.resize(760, 900)
    detail.show()
    detail.show_case(number)
    qtbot.waitUntil(lambda: detail.view is not None)
    return detail


def milestone_row(detail: CaseDetail, milestone: str) -> int:
    wanted = i18n.word("milestone", milestone)
    table = detail.milestones
    return next(r for r in range(table.rowCount()) if table.item(r, 0).text() == wanted)


def test_fresh_complaint_shows_header_deadlines_history_and_its_actions(
    qtbot: QtBot, branch: Branch, worker: DbWorker
) -> None:
    number = new_complaint(branch).case.number
    # A handler who does not own the case: personal data masked, no owner's actions.
    detail = shown(qtbot, worker, number, me="H201")
    view = cases.get_case(branch.ctx, number, viewer="H201")
    assert view.masked

    assert detail.number_label.text() == view.case.number
    assert detail.kind_line.text() == "投诉 · 已受理 · 普通"
    facts = {name: value.text() for name, (_, value) in detail.fact_labels.items()}
    assert facts["customer"] == "张三  138****5678"  # masked: the full number is not shown
    texts = [label.text() for label in detail.findChildren(QLabel)]
    assert not any("13812345678" in t for t in [*texts, detail.timeline.toPlainText()])
    assert facts["category"] == branch.ctx.catalogue.label("technical/network", "zh_CN")
    assert facts["channel"] == "到店"
    assert facts["received_at"] == "2026-11-25 09:30"
    assert facts["owner"] == "A001 管理员"
    assert facts["receiving_clerk"] == "A001 管理员"
    assert not detail.badges["paused"].isVisibleTo(detail)
    assert not detail.badges["escalation"].isVisibleTo(detail)

    row = milestone_row(detail, "acknowledge")
    assert detail.milestones.item(row, 1).text() == "2026-11-26 09:30"  # 24 h after receipt
    assert detail.milestones.item(row, 2).text() == "剩余 1天0小时"
    assert detail.milestones.rowCount() == len(view.milestones)
    not_started = milestone_row(detail, "written_feedback")
    assert detail.milestones.item(not_started, 2).text() == ui("not started")
    closure = milestone_row(detail, "closure")  # runs into 2027, a year not published yet
    assert detail.milestones.item(closure, 1).text().endswith(" *")
    assert "2027" in detail.milestones.item(closure, 1).toolTip()

    assert len(detail.timeline_entries) == 1
    # Told in the same words as the printed case record (branchdesk.documents.story).
    assert "受理登记（到店）：家中手机信号弱经常掉线" in detail.timeline_entries[0]
    assert "A001 管理员" in detail.timeline_entries[0]

    assert set(detail.buttons) == set(view.allowed_actions)
    assert list(detail.buttons)[:1] == ["acknowledge"]  # the next step of the process first
    assert detail.buttons["acknowledge"].text() == "确认受理"
    assert detail.buttons["acknowledge"].toolTip() == "确认受理 (Alt+1)"
    assert "cancel" not in detail.buttons  # the owner's (or a manager's) decision


def test_show_full_reveals_personal_data_once_asked_and_records_it(
    qtbot: QtBot, branch: Branch, worker: DbWorker
) -> None:
    from branchdesk.services import audit
    from branchdesk.services.audit import AuditFilter

    number = new_complaint(branch).case.number
    owner = shown(qtbot, worker, number, me="A001")  # the owner sees it all, no button
    assert owner.fact_labels["customer"][1].text() == "张三  13812345678"
    assert not owner.reveal_button.isVisibleTo(owner)

    detail = shown(qtbot, worker, number, me="H201")
    assert detail.fact_labels["customer"][1].text() == "张三  138****5678"
    assert detail.reveal_button.isVisibleTo(detail)
    assert detail.reveal_button.text() == ui("Show full")
    detail.reveal_button.setFocus()
    qtbot.keyClick(detail.reveal_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: detail.revealed is not None)
    assert detail.fact_labels["customer"][1].text() == "张三  13812345678"
    assert detail.fact_labels["service_number"][1].text() == "KD0200012345"
    assert not detail.reveal_button.isVisibleTo(detail)
    entries = audit.browse(branch.ctx, actor="A001", filter=AuditFilter(action="pii"))
    assert [(e.actor, e.action, e.case_number) for e in entries] == [("H201", "pii.reveal", number)]
    # Another case (or person) starts masked again.
    detail.show_case(number)
    qtbot.waitUntil(lambda: detail.view is not None)
    assert detail.fact_labels["customer"][1].text() == "张三  138****5678"


def test_back_dated_intake_says_when_it_was_entered(
    qtbot: QtBot, branch: Branch, worker: DbWorker
) -> None:
    letter = complaint_form(channel="letter", received_at=datetime(2026, 11, 24, 16, 0, tzinfo=TZ))
    view = cases.intake(branch.ctx, form=letter, actor="A001")
    detail = shown(qtbot, worker, view.case.number)
    received = detail.fact_labels["received_at"][1].text()
    assert received == "2026-11-24 16:00" + detail.tr(" (back-dated; entered {entered})").format(
        entered="2026-11-25 09:30"
    )
    assert "补录：实际较早收到，2026年11月25日 09:30 录入" in detail.timeline_entries[0]
    # The clock runs from the receipt, not from the entry.
    row = milestone_row(detail, "acknowledge")
    assert detail.milestones.item(row, 1).text() == "2026-11-25 16:00"


def test_nothing_shown_and_unknown_case(qtbot: QtBot, branch: Branch, worker: DbWorker) -> None:
    detail = CaseDetail(worker, signed_in(worker.ctx, "H201"))
    qtbot.addWidget(detail)
    detail.show_case(None)
    assert detail.view is None and not detail.buttons
    assert detail.placeholder.isVisibleTo(detail)
    assert detail.placeholder.text() == "Choose a case to see its details." or (
        detail.placeholder.text() != ""
    )

    missing = "GZ0012-20261125-0099"
    with pytest.raises(DomainError) as refused:
        cases.get_case(branch.ctx, missing, viewer="A001")
    detail.show_case(missing)
    expected = i18n.text(refused.value.key, **refused.value.params)
    qtbot.waitUntil(lambda: detail.placeholder.text() == expected)
    assert detail.view is None and not detail.buttons


def press_action(qtbot: QtBot, detail: CaseDetail, action: str) -> ActionDialog:
    """Focus the action's button and press Space, as from the keyboard."""
    button = detail.buttons[action]
    button.setFocus()
    qtbot.keyClick(button, Qt.Key.Key_Space)
    assert detail.dialog is not None and detail.dialog.action == action
    return detail.dialog


def editor(dialog: ActionDialog, name: str) -> QWidget:
    return dialog.fields[name].editor


def confirm(qtbot: QtBot, widget: QWidget, *, multiline: bool = False) -> None:
    modifier = Qt.KeyboardModifier.ControlModifier if multiline else Qt.KeyboardModifier.NoModifier
    qtbot.keyClick(widget, Qt.Key.Key_Return, modifier)


def choose(qtbot: QtBot, combo: QWidget, steps: int) -> None:
    """Pick the `steps`-th entry of a combo below its empty first line with the arrow keys."""
    assert isinstance(combo, QComboBox)
    combo.setFocus()
    for _ in range(steps):
        qtbot.keyClick(combo, Qt.Key.Key_Down)


def tick(qtbot: QtBot, box: QWidget, *rows: int) -> None:
    assert isinstance(box, QListWidget)
    box.setFocus()
    for row in rows:
        box.setCurrentRow(row)
        qtbot.keyClick(box, Qt.Key.Key_Space)


def after(
    qtbot: QtBot, detail: CaseDetail, worker: DbWorker, state: CaseState, events: int
) -> None:
    qtbot.waitUntil(lambda: detail.dialog is None)
    qtbot.waitUntil(
        lambda: (
            detail.view is not None
            and detail.view.case.state is state
            and len(detail.timeline_entries) == events
        )
    )
    drain(qtbot, worker)
    assert detail.view is not None
    assert set(detail.buttons) == set(detail.view.allowed_actions)


def test_whole_complaint_from_the_keyboard(qtbot: QtBot, branch: Branch, worker: DbWorker) -> None:
    view = new_complaint(branch)
    number = view.case.number
    detail = shown(qtbot, worker, number)
    changed: list[str] = []
    detail.case_changed.connect(changed.append)

    dialog = press_action(qtbot, detail, "acknowledge")
    assert dialog.windowTitle() == f"确认受理 — {number}"
    confirm(qtbot, editor(dialog, "note"))
    after(qtbot, detail, worker, CaseState.ACKNOWLEDGED, 2)
    assert changed == [number]
    assert "assign" in detail.buttons and "acknowledge" not in detail.buttons
    acknowledged = detail.milestones.item(milestone_row(detail, "acknowledge"), 2)
    assert acknowledged.text() == ui("met {at}").format(at="2026-11-25 09:30")

    dialog = press_action(qtbot, detail, "assign")
    staff_box = editor(dialog, "to")
    assert isinstance(staff_box, QComboBox)
    qtbot.waitUntil(lambda: staff_box.findText("H201 刘志强") >= 0)  # the active staff
    staff_box.setFocus()
    qtbot.keyClicks(staff_box, "H201")
    confirm(qtbot, staff_box)
    after(qtbot, detail, worker, CaseState.ASSIGNED, 3)
    assert detail.timeline_entries[0].splitlines()[0].endswith("分派给 H201 刘志强")
    assert detail.fact_labels["owner"][1].text() == "H201 刘志强"

    dialog = press_action(qtbot, detail, "record_investigation")
    choose(qtbot, editor(dialog, "stage"), 1)  # 初步核实
    tick(qtbot, editor(dialog, "methods"), 1)  # 系统数据查询
    type_text(editor(dialog, "findings"), "核查基站记录，室内覆盖不足")
    confirm(qtbot, editor(dialog, "findings"), multiline=True)
    after(qtbot, detail, worker, CaseState.INVESTIGATING, 4)
    assert (
        "记录调查（初步核实）：系统数据查询 — 核查基站记录，室内覆盖不足"
        in (detail.timeline_entries[0])
    )

    dialog = press_action(qtbot, detail, "determine_responsibility")
    choose(qtbot, editor(dialog, "party"), 2)  # 电信企业
    type_text(editor(dialog, "explanation"), "基站覆盖不足")
    confirm(qtbot, editor(dialog, "explanation"), multiline=True)
    after(qtbot, detail, worker, CaseState.RESPONSIBILITY_DETERMINED, 5)
    assert "认定责任：电信企业 — 基站覆盖不足" in detail.timeline_entries[0]

    dialog = press_action(qtbot, detail, "plan")
    tick(qtbot, editor(dialog, "measures"), 0, 1)  # 补偿, 整改
    type_text(editor(dialog, "detail"), "增设室内分布系统并赠送流量")
    spin = editor(dialog, "compensation_fen")
    assert isinstance(spin, QSpinBox)
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, "5000")
    confirm(qtbot, spin)
    after(qtbot, detail, worker, CaseState.PLANNED, 6)
    assert "制定处理方案：补偿、整改 — 增设室内分布系统并赠送流量" in detail.timeline_entries[0]
    assert "补偿金额：50.00 元" in detail.timeline_entries[0]  # fen shown as yuan

    dialog = press_action(qtbot, detail, "resolve")
    type_text(editor(dialog, "result"), "已开通室内分布，信号恢复")
    confirm(qtbot, editor(dialog, "result"), multiline=True)
    after(qtbot, detail, worker, CaseState.RESOLVED, 7)

    dialog = press_action(qtbot, detail, "record_feedback")
    choose(qtbot, editor(dialog, "satisfied"), 1)  # 是
    score = editor(dialog, "score")
    assert isinstance(score, QSpinBox)
    score.setFocus()
    score.selectAll()
    qtbot.keyClicks(score, "5")
    confirm(qtbot, score)
    after(qtbot, detail, worker, CaseState.FEEDBACK_RECEIVED, 8)
    assert "记录客户反馈：满意 · 评分 5/5" in detail.timeline_entries[0]

    dialog = press_action(qtbot, detail, "close")
    qtbot.keyClick(dialog.ok_button, Qt.Key.Key_Return)
    after(qtbot, detail, worker, CaseState.CLOSED, 9)
    assert set(detail.buttons) == {"reply_customer", "add_note", "archive", "reopen"}

    # What the pane showed is what was stored.
    stored = cases.get_case(branch.ctx, number, viewer="A001")
    assert stored.case.state is CaseState.CLOSED
    assert [e.kind for e in stored.events] == [
        "received",
        "acknowledge",
        "assign",
        "record_investigation",
        "determine_responsibility",
        "plan",
        "resolve",
        "record_feedback",
        "close",
    ]
    assert stored.case.owner == "H201"
    assert stored.case.responsibility == "carrier"
    assert stored.case.satisfaction_score == 5 and stored.case.satisfied is True
    assert stored.events[3].payload == {
        "stage": "initial",
        "methods": ["system_data"],
        "findings": "核查基站记录，室内覆盖不足",
    }
    assert stored.events[5].payload["compensation_fen"] == 5000
    assert all(e.actor == "A001" for e in stored.events[1:])
    assert stored.allowed_actions == tuple(detail.view.allowed_actions)
    assert len(changed) == 8


def test_enter_on_a_focused_button_and_alt_digit_open_the_dialog(
    qtbot: QtBot, branch: Branch, worker: DbWorker
) -> None:
    view = new_complaint(branch)
    detail = shown(qtbot, worker, view.case.number)
    button = detail.buttons["add_note"]
    button.setFocus()
    qtbot.keyClick(button, Qt.Key.Key_Return)
    assert detail.dialog is not None and detail.dialog.action == "add_note"
    qtbot.keyClick(detail.dialog.fields["text"].editor, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: detail.dialog is None)

    # Tab walks the buttons in their order.
    order = list(detail.buttons.values())
    for here, there in itertools.pairwise(order):
        assert here.nextInFocusChain() is there
    assert order[-1].nextInFocusChain() is detail.timeline
    assert detail.focusProxy() is order[0]

    detail.activateWindow()
    qtbot.waitUntil(lambda: detail.isActiveWindow())
    detail.buttons["cancel"].setFocus()
    qtbot.keyClick(detail.buttons["cancel"], Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)
    assert detail.dialog is not None and detail.dialog.action == "acknowledge"


def test_missing_required_field_is_shown_under_it_and_nothing_changes(
    qtbot: QtBot, branch: Branch, worker: DbWorker
) -> None:
    view = new_complaint(branch)
    number = view.case.number
    cases.act(branch.ctx, number=number, action="acknowledge", params={}, actor="A001")
    cases.act(branch.ctx, number=number, action="assign", params={"to": "H201"}, actor="A001")
    detail = shown(qtbot, worker, number)

    dialog = press_action(qtbot, detail, "record_investigation")
    type_text(editor(dialog, "findings"), "已核查")
    choose(qtbot, editor(dialog, "stage"), 1)
    confirm(qtbot, editor(dialog, "stage"))
    qtbot.waitUntil(lambda: dialog.field_error("methods") != "")
    assert dialog.isVisible()
    assert dialog.field_error("methods") == i18n.text("error.field.required") == "必须填写"
    assert dialog.field_error("stage") == ""
    assert dialog.field_error("findings") == ""
    assert dialog.fields["methods"].editor.hasFocus() or dialog.focusWidget() is (
        dialog.fields["methods"].editor
    )
    drain(qtbot, worker)
    stored = cases.get_case(branch.ctx, number, viewer="A001")
    assert stored.case.state is CaseState.ASSIGNED and len(stored.events) == 3
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert dialog.grab().save(str(SHOTS / "action_dialog_error_zh_CN.png"))

    # Fixing the field and confirming again records it and closes the dialog.
    closed: list[int] = []
    dialog.finished.connect(closed.append)
    tick(qtbot, editor(dialog, "methods"), 2)
    confirm(qtbot, editor(dialog, "methods"))
    after(qtbot, detail, worker, CaseState.INVESTIGATING, 4)
    assert closed == [QDialog.DialogCode.Accepted]


def test_an_action_taken_meanwhile_elsewhere_is_refused_with_its_message(
    qtbot: QtBot, branch: Branch, worker: DbWorker
) -> None:
    view = new_complaint(branch)
    number = view.case.number
    detail = shown(qtbot, worker, number)
    dialog = press_action(qtbot, detail, "acknowledge")
    # Another workstation acknowledges the case first.
    cases.act(branch.ctx, number=number, action="acknowledge", params={}, actor="A001")
    confirm(qtbot, editor(dialog, "note"))
    qtbot.waitUntil(lambda: dialog.general_error.isVisibleTo(dialog))
    assert "不能在“已确认”状态下执行“确认受理”" in dialog.general_error.text()
    assert dialog.isVisible()
    assert len(cases.get_case(branch.ctx, number, viewer="A001").events) == 2


def test_overdue_deadline_turns_red_and_nearly_due_amber(
    qtbot: QtBot, branch: Branch, worker: DbWorker
) -> None:
    view = new_complaint(branch)
    detail = shown(qtbot, worker, view.case.number)
    row = milestone_row(detail, "acknowledge")
    assert detail.milestones.item(row, 2).data(URGENCY_ROLE) == "ok"

    branch.clock.advance(hours=21)
    detail.refresh()
    qtbot.waitUntil(lambda: detail.milestones.item(row, 2).data(URGENCY_ROLE) == "nearly_due")
    assert detail.milestones.item(row, 2).foreground().color() == NEARLY_DUE

    branch.clock.advance(hours=4)
    detail.refresh()
    qtbot.waitUntil(lambda: detail.milestones.item(row, 2).data(URGENCY_ROLE) == "overdue")
    item = detail.milestones.item(row, 2)
    assert item.foreground().color() == OVERDUE
    assert item.text() == "已超时 1小时0分"
    assert detail.milestones.item(row, 0).foreground().color() == OVERDUE
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert detail.grab().save(str(SHOTS / "case_detail_overdue_zh_CN.png"))
    first_reply = milestone_row(detail, "first_reply")
    assert detail.milestones.item(first_reply, 2).foreground().color() != OVERDUE


def test_language_switch_relabels_and_keeps_what_was_typed(
    qtbot: QtBot, branch: Branch, worker: DbWorker
) -> None:
    view = new_complaint(branch)
    detail = shown(qtbot, worker, view.case.number)
    dialog = press_action(qtbot, detail, "cancel")
    reason = editor(dialog, "reason")
    assert isinstance(reason, QLineEdit)
    type_text(reason, "客户撤回投诉")
    assert dialog.fields["reason"].label.text() == "原因 *"

    i18n.set_language("en")
    qtbot.waitUntil(lambda: detail.buttons["acknowledge"].text() == "Acknowledge")
    qtbot.waitUntil(lambda: dialog.windowTitle() == f"Cancel — {view.case.number}")
    assert detail.kind_line.text() == "Complaint · Received · Ordinary"
    assert dialog.fields["reason"].label.text() == "Reason *"
    assert detail.fact_labels["channel"][1].text() == "Walk-in" or (
        detail.fact_labels["channel"][1].text() == i18n.word("label.Channel", "walk_in")
    )
    assert detail.milestones.horizontalHeaderItem(0).text() == "Milestone"
    assert "Case received" in detail.timeline_entries[0]
    assert reason.text() == "客户撤回投诉"
    assert detail.dialog is dialog and dialog.isVisible()

    i18n.set_language("zh_CN")
    qtbot.waitUntil(lambda: detail.buttons["acknowledge"].text() == "确认受理")
    assert reason.text() == "客户撤回投诉"


def mid_life_case(branch: Branch) -> CaseView:
    """A complaint two days in: acknowledged late, assigned, investigated, replied to."""
    view = new_complaint(branch)
    number = view.case.number
    ctx = branch.ctx
    branch.clock.advance(hours=30)
    cases.act(
        ctx, number=number, action="acknowledge", params={"note": "客户来电催促"}, actor="A001"
    )
    cases.act(
        ctx, number=number, action="assign", params={"to": "H201", "note": "网络问题"}, actor="A001"
    )
    branch.clock.advance(hours=3)
    cases.act(
        ctx,
        number=number,
        action="record_investigation",
        actor="H201",
        params={
            "stage": "initial",
            "methods": ["system_data", "on_site"],
            "findings": "核查基站告警记录：11月20日起室内覆盖弱，现场测试RSRP -115dBm。",
        },
    )
    cases.act(
        ctx,
        number=number,
        action="reply_customer",
        actor="H201",
        params={"channel": "phone", "summary": "已告知调查进展，预计一周内完成优化。"},
    )
    branch.clock.advance(hours=2)
    cases.act(
        ctx,
        number=number,
        action="request_escalation",
        actor="H201",
        params={"reason": "regulator_threat", "detail": "客户表示若本周未解决将向管局投诉。"},
    )
    branch.clock.set(datetime(2026, 11, 27, 10, 0, tzinfo=TZ))
    return cases.get_case(ctx, number, viewer="A001")


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_screenshot_of_a_case_in_the_middle_of_its_life(
    qtbot: QtBot, branch: Branch, worker: DbWorker, lang: str
) -> None:
    view = mid_life_case(branch)
    i18n.set_language(lang)
    detail = shown(qtbot, worker, view.case.number)
    qtbot.waitUntil(lambda: len(detail.timeline_entries) == 6)
    row = milestone_row(detail, "acknowledge")
    met_late = ui("met late {at}").format(at="2026-11-26 15:30")
    assert detail.milestones.item(row, 2).text() == met_late
    assert detail.milestones.item(row, 2).foreground().color() == MET_LATE
    assert detail.badges["escalation"].isVisibleTo(detail)
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"case_detail_{lang}.png"
    assert detail.grab().save(str(path))
    assert path.stat().st_size > 10_000

    dialog = press_action(qtbot, detail, "determine_responsibility")
    path = SHOTS / f"action_dialog_{lang}.png"
    assert dialog.grab().save(str(path))
    assert path.exists()
