"""Escalation and supervision through the services on a real branch database: the
request → approval (or rejection) → joint handling → progress reports → result flow,
who may take each step, and the supervision ledger (督办台账) with its due and missed
progress reports counted over the branch's working days."""

from __future__ import annotations

from datetime import datetime

import pytest

from branchdesk.domain.errors import IllegalTransition
from branchdesk.domain.permissions import PermissionDenied
from branchdesk.services import cases, supervision
from tests.conftest import TZ, Branch, complaint_form

MANAGER, HANDLER = "M301", "H201"


def end_of(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T23:59:59").replace(tzinfo=TZ)


def working_case(branch: Branch, **form: object) -> str:
    """A complaint acknowledged and assigned to the handler (Wed 2026-11-25, 09:30)."""
    number = cases.intake(branch.ctx, form=complaint_form(**form), actor="A001").case.number
    cases.act(branch.ctx, number=number, action="acknowledge", params={}, actor="A001")
    cases.act(branch.ctx, number=number, action="assign", params={"to": HANDLER}, actor="A001")
    return number


def supervised(branch: Branch, departments: str = "网络部、计费中心") -> str:
    number = working_case(branch)
    supervision.request_escalation(
        branch.ctx,
        number,
        reason="multi_department",
        detail="需网络部和计费中心协同",
        actor=HANDLER,
    )
    supervision.approve(
        branch.ctx, number, supervisor=MANAGER, departments=departments, actor=MANAGER
    )
    return number


def test_the_whole_flow_is_recorded_on_the_case(branch: Branch) -> None:
    ctx = branch.ctx
    number = supervised(branch)
    branch.clock.advance(hours=3)
    supervision.record_contribution(
        ctx, number, department="网络部", contribution="更换故障光模块", actor=HANDLER
    )
    supervision.record_contribution(
        ctx, number, department="客服部", contribution="安抚用户并说明进度", actor=HANDLER
    )
    supervision.report_progress(ctx, number, progress="故障点已定位，今晚割接", actor=HANDLER)
    found = supervision.supervision_of(ctx, number, actor=MANAGER)
    assert found is not None
    assert (found.source, found.supervisor, found.reason) == (
        "escalation",
        MANAGER,
        "multi_department",
    )
    # Departments named at approval first, then those that joined by contributing.
    assert found.departments == ("网络部", "计费中心", "客服部")
    assert [c.department for c in found.contributions] == ["网络部", "客服部"]
    assert found.latest is not None and found.latest.text == "故障点已定位，今晚割接"
    view = supervision.conclude(ctx, number, result="割接完成，网络恢复", actor=MANAGER)
    assert view.case.escalation.value == "concluded"
    assert number not in [e.number for e in supervision.ledger(ctx, actor=MANAGER)]
    concluded = supervision.supervision_of(ctx, number, actor=MANAGER)
    assert concluded is not None and concluded.result == "割接完成，网络恢复"
    # The reports are case events: they go to HQ with the others.
    kinds = [e.kind for e in cases.get_case(ctx, number, viewer=MANAGER).events]
    assert kinds[-6:] == [
        "request_escalation",
        "approve_escalation",
        "record_contribution",
        "record_contribution",
        "report_progress",
        "conclude_supervision",
    ]


def test_a_rejected_escalation_is_not_in_the_ledger_and_can_be_asked_again(branch: Branch) -> None:
    ctx = branch.ctx
    number = working_case(branch)
    supervision.request_escalation(
        ctx, number, reason="repeated", detail="第三次投诉", actor=HANDLER
    )
    view = supervision.reject(ctx, number, comment="本厅可以处理", actor=MANAGER)
    assert view.case.escalation.value == "rejected"
    assert supervision.ledger(ctx, actor=MANAGER) == []
    with pytest.raises(IllegalTransition):
        supervision.report_progress(ctx, number, progress="不在督办中", actor=HANDLER)
    supervision.request_escalation(
        ctx, number, reason="regulator_threat", detail="扬言投诉", actor=HANDLER
    )


def test_only_managers_approve_conclude_and_read_beyond_their_cases(branch: Branch) -> None:
    ctx = branch.ctx
    number = working_case(branch)
    supervision.request_escalation(ctx, number, reason="repeated", detail="重复", actor=HANDLER)
    with pytest.raises(PermissionDenied):
        supervision.approve(ctx, number, supervisor=HANDLER, actor=HANDLER)
    supervision.approve(ctx, number, supervisor=MANAGER, actor=MANAGER)
    with pytest.raises(PermissionDenied):
        supervision.conclude(ctx, number, result="自己办结", actor=HANDLER)
    # The handler owns the case: they report progress; the ledger is theirs to read too.
    supervision.report_progress(ctx, number, progress="已联系用户", actor=HANDLER)
    assert [e.number for e in supervision.ledger(ctx, actor=HANDLER)] == [number]


def test_ledger_counts_due_and_missed_reports_over_working_days(branch: Branch) -> None:
    ctx = branch.ctx
    number = supervised(branch)  # approved Wed 2026-11-25
    entry = supervision.ledger(ctx, actor=MANAGER)[0]
    # Every 2 working days: Thu 26, Fri 27 -> due at the end of Friday.
    assert entry.supervision.next_due_at == end_of("2026-11-27")
    assert not entry.overdue and entry.missed_count == 0
    # Friday's report moves the next due date over the weekend: Mon 30, Tue 1.
    branch.clock.set(datetime(2026, 11, 27, 16, 0, tzinfo=TZ))
    supervision.report_progress(ctx, number, progress="协调会已召开", actor=HANDLER)
    entry = supervision.ledger(ctx, actor=MANAGER)[0]
    assert entry.supervision.next_due_at == end_of("2026-12-01")
    # Nobody reports: on Thursday Dec 3 the Tuesday report is missed and overdue.
    branch.clock.set(datetime(2026, 12, 3, 9, 0, tzinfo=TZ))
    entry = supervision.ledger(ctx, actor=MANAGER)[0]
    assert entry.overdue
    assert entry.supervision.next_due_at == end_of("2026-12-01")
    assert entry.supervision.missed == (end_of("2026-12-01"),)
    # A late report clears the overdue state but the missed one stays on record.
    supervision.report_progress(ctx, number, progress="补报进展", actor=HANDLER)
    entry = supervision.ledger(ctx, actor=MANAGER)[0]
    assert not entry.overdue and entry.missed_count == 1
    assert entry.supervision.next_due_at == end_of("2026-12-07")


def test_overdue_cases_come_first_and_reminders_go_to_their_supervisor(branch: Branch) -> None:
    ctx = branch.ctx
    early = supervised(branch)
    branch.clock.set(datetime(2026, 11, 27, 10, 0, tzinfo=TZ))
    late = supervised(branch)  # due Tue Dec 1
    branch.clock.set(datetime(2026, 11, 30, 10, 0, tzinfo=TZ))
    entries = supervision.ledger(ctx, actor=MANAGER)
    assert [e.number for e in entries] == [early, late]
    assert entries[0].overdue and not entries[1].overdue
    reminded = supervision.reminders(ctx, actor=MANAGER)
    # Overdue, and due within 24 h (Tue 23:59:59 is more than 24 h away on Mon 10:00).
    assert [e.number for e in reminded] == [early]
    branch.clock.advance(hours=15)
    assert [e.number for e in supervision.reminders(ctx, actor=MANAGER)] == [early, late]
    assert supervision.reminders(ctx, actor=HANDLER) == []


def test_a_headquarters_order_appears_in_the_ledger(branch: Branch) -> None:
    ctx = branch.ctx
    number = working_case(branch)
    order = {"supervisor": "总部 王督办", "reason": "用户向管局投诉", "order_id": "hq-77"}
    cases.act(ctx, number=number, action="order_supervision", params=order, actor="HQ")
    (entry,) = supervision.ledger(ctx, actor=MANAGER)
    assert (entry.number, entry.supervision.source) == (number, "hq_order")
    assert entry.supervision.supervisor == "总部 王督办"
    assert entry.supervision.order_id == "hq-77"
    assert entry.supervision.next_due_at == end_of("2026-11-27")
    # The branch's own manager may open one too.
    other = working_case(branch)
    supervision.order_locally(
        ctx,
        other,
        supervisor=MANAGER,
        reason="重点关注",
        actor=MANAGER,
        today=ctx.now().date(),
    )
    assert {e.number for e in supervision.ledger(ctx, actor=MANAGER)} == {number, other}
