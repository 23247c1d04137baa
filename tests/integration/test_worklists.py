"""The desktop's work lists: queues, search inside a queue, sorting, id snapshots and
pages, queue counts and the repeat-complaint flag."""

from __future__ import annotations

from branchdesk.domain.model import Customer
from branchdesk.services import cases, worklists
from branchdesk.services.worklists import CaseFilter
from tests.conftest import Branch, complaint_form


def numbers(branch: Branch, f: CaseFilter) -> list[str]:
    ids = worklists.case_ids(branch.ctx, f)
    return [s.number for s in worklists.summaries(branch.ctx, ids)]


def act(branch: Branch, number: str, action: str, **params: str) -> None:
    cases.act(branch.ctx, number=number, action=action, params=params, actor="A001")


def test_queues_sorting_and_search(branch: Branch) -> None:
    a = cases.intake(branch.ctx, form=complaint_form(), actor="A001").case.number
    branch.clock.advance(hours=2)
    b = cases.intake(
        branch.ctx,
        form=complaint_form(
            customer=Customer(name="李四", phone="13900001111"), summary="宽带晚上断网"
        ),
        actor="A001",
    ).case.number
    branch.clock.advance(hours=2)
    c = cases.intake(branch.ctx, form=complaint_form(), actor="A001").case.number
    act(branch, c, "acknowledge")
    act(branch, c, "assign", to="H201")
    act(branch, b, "acknowledge")
    act(branch, b, "pause", reason="等待用户提供账单")
    act(branch, a, "acknowledge")
    act(branch, a, "request_escalation", reason="repeated", detail="第三次投诉")
    act(branch, a, "approve_escalation", supervisor="M301")

    assert numbers(branch, CaseFilter()) == [c, b, a]
    assert numbers(branch, CaseFilter(descending=False)) == [a, b, c]
    assert numbers(branch, CaseFilter(queue="mine", me="A001")) == [b, a]
    assert numbers(branch, CaseFilter(queue="mine", me="H201")) == [c]
    assert numbers(branch, CaseFilter(queue="waiting")) == [b]
    assert numbers(branch, CaseFilter(queue="supervised")) == [a]
    assert numbers(branch, CaseFilter(text="断网")) == [b]
    assert numbers(branch, CaseFilter(text="信号弱", sort="number", descending=False)) == [a, c]
    assert numbers(branch, CaseFilter(queue="mine", me="H201", text="信号弱")) == [c]
    branch.clock.advance(hours=21)  # a is 25 h old: its initial investigation is overdue
    assert numbers(branch, CaseFilter(queue="overdue")) == [a]
    assert numbers(branch, CaseFilter(queue="nearly_due", nearly_due_hours=4)) == [c]
    counts = worklists.counts(branch.ctx, me="A001")
    assert counts == {
        "mine": 2,
        "due_today": 1,
        "overdue": 1,
        "nearly_due": 1,
        "waiting": 1,
        "supervised": 1,
        "all": 3,
    }


def test_summaries_keep_the_order_given(branch: Branch) -> None:
    made = [cases.intake(branch.ctx, form=complaint_form(), actor="A001").case for _ in range(4)]
    ids = worklists.case_ids(branch.ctx, CaseFilter(sort="number", descending=False))
    assert list(ids) == sorted(ids)
    picked = [ids[2], ids[0], 99999]
    assert [s.number for s in worklists.summaries(branch.ctx, picked)] == [
        made[2].number,
        made[0].number,
    ]


def test_repeat_complaints(branch: Branch) -> None:
    assert worklists.repeat_complaints(branch.ctx, phone="13812345678", service_number=None) == 0
    cases.intake(branch.ctx, form=complaint_form(), actor="A001")
    assert worklists.repeat_complaints(branch.ctx, phone="138 1234 5678", service_number=None) == 1
    assert worklists.repeat_complaints(branch.ctx, phone=None, service_number="KD0200012345") == 1
    branch.clock.advance(days=31)
    assert worklists.repeat_complaints(branch.ctx, phone="13812345678", service_number=None) == 0
