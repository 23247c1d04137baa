"""The generic action dialog: one form per action, built from its parameter specs,
that sends what was typed to the service and shows every refusal beside its field."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDialog, QLineEdit, QListWidget, QPlainTextEdit, QSpinBox
from pytestqt.qtbot import QtBot

from branchdesk.domain.actions import ACTION_PARAMS, ParamType
from branchdesk.domain.model import CaseState, InvestigationMethod
from branchdesk.domain.permissions import Role
from branchdesk.services import cases
from branchdesk.services.cases import CaseView
from tests.conftest import Branch, complaint_form
from tests.ui.signing import signed_in
from tests.ui.typing import drain, type_text
from ui import i18n
from ui.action_dialog import ActionDialog
from ui.worker import DbWorker

EDITORS = {
    ParamType.INT: QSpinBox,
    ParamType.BOOL: QComboBox,
    ParamType.CHOICE: QComboBox,
    ParamType.CHOICES: QListWidget,
    ParamType.STAFF: QComboBox,
    ParamType.MILESTONE: QComboBox,
    ParamType.CATEGORY: QComboBox,
}


def complaint(branch: Branch) -> CaseView:
    return cases.intake(branch.ctx, form=complaint_form(), actor="A001")


def opened(
    qtbot: QtBot, worker: DbWorker, view: CaseView, action: str, me: str = "H201"
) -> ActionDialog:
    dialog = ActionDialog.open_for(worker, signed_in(worker.ctx, me), view, action, None)
    qtbot.addWidget(dialog)
    return dialog


@pytest.mark.parametrize("action", sorted(ACTION_PARAMS))
def test_every_action_gets_one_labelled_editor_per_parameter(
    qtbot: QtBot, branch: Branch, worker: DbWorker, action: str
) -> None:
    view = complaint(branch)
    dialog = opened(qtbot, worker, view, action)
    specs = ACTION_PARAMS[action]
    assert list(dialog.fields) == [s.name for s in specs]
    for spec in specs:
        field = dialog.fields[spec.name]
        if spec.type is ParamType.TEXT:
            wanted: type = QPlainTextEdit if spec.max_len > 500 else QLineEdit
        else:
            wanted = EDITORS[spec.type]
        assert isinstance(field.editor, wanted), spec
        assert field.label.text().startswith(i18n.text(f"field.{spec.name}"))
        assert field.label.text().endswith(" *") == spec.required
        assert field.label.buddy() is field.editor
    assert dialog.windowTitle() == f"{i18n.word('label.Action', action)} — {view.case.number}"
    assert dialog.params() == {}  # nothing is chosen for the clerk
    drain(qtbot, worker)


def test_choices_are_labelled_and_numbers_bounded(
    qtbot: QtBot, branch: Branch, worker: DbWorker
) -> None:
    view = complaint(branch)
    feedback = opened(qtbot, worker, view, "record_feedback")
    satisfied = feedback.fields["satisfied"].editor
    assert isinstance(satisfied, QComboBox)
    assert [satisfied.itemData(i) for i in range(satisfied.count())] == [None, True, False]
    score = feedback.fields["score"].editor
    assert isinstance(score, QSpinBox)
    assert (score.minimum() + 1, score.maximum()) == (1, 5)
    assert score.text() == "—"  # below the range: not given
    channel = feedback.fields["channel"].editor
    assert isinstance(channel, QComboBox)
    assert channel.itemText(1) == "电话" and channel.itemData(1) == "phone"

    investigation = opened(qtbot, worker, view, "record_investigation")
    methods = investigation.fields["methods"].editor
    assert isinstance(methods, QListWidget)
    assert [methods.item(i).text() for i in range(methods.count())] == [
        i18n.word("label.InvestigationMethod", m.value) for m in InvestigationMethod
    ]
    stage = investigation.fields["stage"].editor
    assert isinstance(stage, QComboBox)
    assert stage.itemText(1) == "初步核实"


def test_staff_milestone_and_category_lists(qtbot: QtBot, branch: Branch, worker: DbWorker) -> None:
    view = complaint(branch)
    number = view.case.number
    view = cases.act(branch.ctx, number=number, action="acknowledge", params={}, actor="H201")

    assign = opened(qtbot, worker, view, "assign")
    staff_box = assign.fields["to"].editor
    assert isinstance(staff_box, QComboBox) and staff_box.isEditable()
    qtbot.waitUntil(lambda: staff_box.count() == 3)
    assert [staff_box.itemText(i) for i in range(3)] == [
        "A001 管理员",
        "H201 刘志强",
        "M301 吴海涛",
    ]
    assert assign.params() == {}
    staff_box.setCurrentIndex(2)
    assert assign.params() == {"to": "M301"}
    staff_box.setEditText("h201")  # typed by hand: passed on, the service checks it
    assert assign.params() == {"to": "h201"}

    extend = opened(qtbot, worker, view, "extend")
    milestone = extend.fields["milestone"].editor
    assert isinstance(milestone, QComboBox)
    offered = [milestone.itemData(i) for i in range(1, milestone.count())]
    assert "acknowledge" not in offered  # met: cannot be extended
    assert offered == [m.id for m in view.milestones if m.met_at is None]
    first = next(m for m in view.milestones if m.met_at is None)
    assert milestone.itemText(1).startswith(i18n.word("milestone", first.id))

    reclassify = opened(qtbot, worker, view, "reclassify")
    category = reclassify.fields["category"].editor
    assert isinstance(category, QComboBox)
    leaves = branch.ctx.catalogue.for_kind("complaint")
    assert [category.itemData(i) for i in range(1, category.count())] == [c.code for c in leaves]
    assert category.itemText(1) == branch.ctx.catalogue.label(leaves[0].code, "zh_CN")
    drain(qtbot, worker)


def test_escape_cancels_and_writes_nothing(qtbot: QtBot, branch: Branch, worker: DbWorker) -> None:
    view = complaint(branch)
    dialog = opened(qtbot, worker, view, "cancel")
    reason = dialog.fields["reason"].editor
    type_text(reason, "客户撤回")
    with qtbot.waitSignal(dialog.finished) as finished:
        qtbot.keyClick(reason, Qt.Key.Key_Escape)
    assert finished.args == [QDialog.DialogCode.Rejected]
    drain(qtbot, worker)
    assert (
        cases.get_case(branch.ctx, view.case.number, viewer="A001").case.state is CaseState.RECEIVED
    )


def test_enter_breaks_a_line_in_long_text_and_ctrl_enter_confirms(
    qtbot: QtBot, branch: Branch, worker: DbWorker
) -> None:
    view = complaint(branch)
    dialog = opened(qtbot, worker, view, "add_note")
    text = dialog.fields["text"].editor
    assert isinstance(text, QPlainTextEdit)
    type_text(text, "第一行")
    qtbot.keyClick(text, Qt.Key.Key_Return)
    type_text(text, "第二行")
    assert not dialog.pending
    assert text.toPlainText() == "第一行\n第二行"
    with qtbot.waitSignal(dialog.acted) as acted:
        qtbot.keyClick(text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    recorded = acted.args[0]
    assert isinstance(recorded, CaseView)
    assert recorded.events[-1].kind == "add_note"
    assert recorded.events[-1].payload == {"text": "第一行\n第二行"}
    assert dialog.result_view is recorded


def test_a_second_enter_while_recording_is_ignored(
    qtbot: QtBot, branch: Branch, worker: DbWorker
) -> None:
    view = complaint(branch)
    dialog = opened(qtbot, worker, view, "acknowledge")
    note = dialog.fields["note"].editor
    qtbot.keyClicks(note, "ok")
    acted: list[object] = []
    dialog.acted.connect(acted.append)
    dialog.submit()
    assert dialog.pending and not dialog.ok_button.isEnabled()
    qtbot.keyClick(note, Qt.Key.Key_Return)
    qtbot.keyClick(note, Qt.Key.Key_Escape)  # the outcome is not known yet: stays open
    qtbot.waitUntil(lambda: bool(acted))
    drain(qtbot, worker)
    assert len(acted) == 1
    assert len(cases.get_case(branch.ctx, view.case.number, viewer="A001").events) == 2


def test_refusals_of_no_field_of_the_dialog_are_shown_above_and_retranslated(
    qtbot: QtBot, branch: Branch, worker: DbWorker
) -> None:
    view = complaint(branch)
    # Extending a time limit is a manager's decision: a handler is told who may.
    dialog = opened(qtbot, worker, view, "extend", me="H201")
    milestone = dialog.fields["milestone"].editor
    assert isinstance(milestone, QComboBox)
    milestone.setCurrentIndex(milestone.findData("acknowledge"))
    type_text(dialog.fields["reason"].editor, "等待客户提供账单")
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.general_error.isVisibleTo(dialog))
    zh = dialog.general_error.text()
    assert zh == i18n.text(
        "error.permission.denied", permission="case.extend", roles=[Role.MANAGER]
    )
    assert "营业厅经理" in zh
    assert dialog.field_error("reason") == ""

    i18n.set_language("en")
    qtbot.waitUntil(lambda: dialog.general_error.text() != zh)
    assert dialog.general_error.text() == (
        "To extend a time limit you need one of these roles: branch manager"
    )
    reason = dialog.fields["reason"].editor
    assert isinstance(reason, QLineEdit) and reason.text() == "等待客户提供账单"
    assert len(cases.get_case(branch.ctx, view.case.number, viewer="A001").events) == 1


def test_a_bad_value_is_explained_under_its_field_in_either_language(
    qtbot: QtBot, branch: Branch, worker: DbWorker
) -> None:
    view = complaint(branch)
    number = view.case.number
    cases.act(branch.ctx, number=number, action="acknowledge", params={}, actor="H201")
    view = cases.get_case(branch.ctx, number, viewer="A001")
    dialog = opened(qtbot, worker, view, "assign", me="A001")
    staff_box = dialog.fields["to"].editor
    assert isinstance(staff_box, QComboBox)
    qtbot.waitUntil(lambda: staff_box.count() == 3)
    staff_box.setFocus()
    qtbot.keyClicks(staff_box, "Z404")
    qtbot.keyClick(staff_box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.field_error("to") != "")
    assert dialog.field_error("to") == i18n.text("error.staff.unknown", staff_no="Z404")
    i18n.set_language("en")
    qtbot.waitUntil(lambda: "does not exist" in dialog.field_error("to"))
    assert staff_box.currentText() == "Z404"
    assert cases.get_case(branch.ctx, number, viewer="A001").case.state is CaseState.ACKNOWLEDGED


def test_extension_pause_and_escalation_show_in_the_case(
    qtbot: QtBot, branch: Branch, worker: DbWorker
) -> None:
    from ui.case_detail import URGENCY_ROLE, CaseDetail

    view = complaint(branch)
    detail = CaseDetail(worker, signed_in(worker.ctx, "M301"))  # extending: a manager
    qtbot.addWidget(detail)
    detail.show_case(view.case.number)
    qtbot.waitUntil(lambda: detail.view is not None)

    dialog = detail.open_action("extend")
    assert dialog is not None
    milestone = dialog.fields["milestone"].editor
    assert isinstance(milestone, QComboBox)
    milestone.setCurrentIndex(milestone.findData("acknowledge"))
    amount = dialog.fields["amount"].editor
    assert isinstance(amount, QSpinBox)
    amount.setValue(12)
    type_text(dialog.fields["reason"].editor, "客户出差，下周回复")
    dialog.submit()
    qtbot.waitUntil(lambda: len(detail.timeline_entries) == 2)
    assert "延长时限：确认投诉内容 +12小时 — 客户出差，下周回复" in detail.timeline_entries[0]
    row = next(
        r
        for r in range(detail.milestones.rowCount())
        if detail.milestones.item(r, 0).text() == "确认投诉内容"
    )
    assert detail.milestones.item(row, 1).text() == "2026-11-26 21:30"

    dialog = detail.open_action("pause")
    assert dialog is not None
    type_text(dialog.fields["reason"].editor, "等待客户提供账单")
    dialog.submit()
    qtbot.waitUntil(lambda: detail.badges["paused"].isVisibleTo(detail))
    assert "resume" in detail.buttons and "pause" not in detail.buttons
    status = detail.milestones.item(row, 2).text()
    assert status.startswith(detail.tr("paused — {left}").format(left=""))
    assert detail.milestones.item(row, 2).data(URGENCY_ROLE) == "none"

    dialog = detail.open_action("request_escalation")
    assert dialog is not None
    reason = dialog.fields["reason"].editor
    assert isinstance(reason, QComboBox)
    reason.setCurrentIndex(reason.findData("repeated"))
    type_text(dialog.fields["detail"].editor, "一个月内第三次投诉")
    dialog.submit()
    qtbot.waitUntil(lambda: detail.badges["escalation"].isVisibleTo(detail))
    assert detail.badges["escalation"].text() == "升级申请中"
    assert "申请升级：重复投诉 — 一个月内第三次投诉" in detail.timeline_entries[0]
    drain(qtbot, worker)
