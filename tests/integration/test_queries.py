"""The SLA queues and search, on a real database with a clock the test controls."""

from __future__ import annotations

from datetime import timedelta

from branchdesk.domain.model import Customer
from branchdesk.services import cases, queries
from tests.conftest import Branch, complaint_form


def test_overdue_due_today_and_nearly_due(branch: Branch) -> None:
    first = cases.intake(branch.ctx, form=complaint_form(), actor="A001").case.number
    branch.clock.advance(hours=3)
    second = cases.intake(branch.ctx, form=complaint_form(), actor="A001").case.number
    # Both unacknowledged: acknowledge is due 24 h after intake.
    assert queries.overdue(branch.ctx) == []
    assert queries.due_today(branch.ctx) == []
    assert [c.number for c in queries.due_within(branch.ctx, hours=25)] == [first, second]
    branch.clock.advance(hours=22)  # 25 h after the first, 22 h after the second
    assert [c.number for c in queries.overdue(branch.ctx)] == [first]
    assert [c.number for c in queries.due_within(branch.ctx, hours=4)] == [second]
    assert queries.queue_counts(branch.ctx) == {"overdue": 1, "due_today": 1}
    # Acknowledging moves the first to its next deadline (initial investigation, also
    # 24 h: still overdue) — investigating it clears it.
    cases.act(branch.ctx, number=first, action="acknowledge", params={}, actor="A001")
    assert [c.number for c in queries.overdue(branch.ctx)] == [first]
    assert queries.overdue(branch.ctx)[0].next_milestone == "initial_investigation"


def test_queues_per_owner_and_paused_cases_leave_them(branch: Branch) -> None:
    n = cases.intake(branch.ctx, form=complaint_form(), actor="A001").case.number
    cases.act(branch.ctx, number=n, action="acknowledge", params={}, actor="A001")
    cases.act(branch.ctx, number=n, action="assign", params={"to": "H201"}, actor="A001")
    branch.clock.advance(days=2)
    assert [c.number for c in queries.overdue(branch.ctx, owner="H201")] == [n]
    assert queries.overdue(branch.ctx, owner="A001") == []
    cases.act(branch.ctx, number=n, action="pause", params={"reason": "等待用户"}, actor="H201")
    assert queries.overdue(branch.ctx) == []


def test_search_by_fragment_number_phone_and_service_number(branch: Branch) -> None:
    a = cases.intake(branch.ctx, form=complaint_form(), actor="A001").case
    b = cases.intake(
        branch.ctx,
        form=complaint_form(
            customer=Customer(name="李小龙", phone="020-87654321", service_number="KD0999"),
            summary="宽带每天晚上断网",
            category="technical/equipment",
        ),
        actor="A001",
    ).case

    def found(q: str) -> list[str]:
        return [c.number for c in queries.search(branch.ctx, q)]

    assert found("信号弱") == [a.number]
    assert found("晚上断网") == [b.number]
    assert found("断网") == [b.number]  # two characters: the instr() fallback
    assert found("龙") == [b.number]  # one character
    assert found(a.number) == [a.number]
    assert found(a.number.lower()) == [a.number]
    assert found("138 1234 5678") == [a.number]  # typed with spaces
    assert found("+86 138 1234 5678") == [a.number]  # and a country code
    assert found("+86 13812345678") == [a.number]
    assert found("宽带每天 李") == [b.number]  # a phrase and a surname
    assert found("宽带每天 张") == []
    assert found("12345678") == [a.number]  # a fragment of the phone
    assert found("87654321") == [b.number]
    assert found("KD0999") == [b.number]
    assert found("李小龙 断网") == [b.number]  # every word must match
    assert found("李小龙 信号弱") == []
    assert found("   ") == []
    assert found('"引号') == []  # FTS syntax characters are just text
    assert found("张三") == [a.number]
    summaries = queries.search(branch.ctx, "张三")
    assert summaries[0].phone_masked == "138****5678"  # lists never show the whole phone


def test_customer_history_by_phone_or_service_number(branch: Branch) -> None:
    first = cases.intake(branch.ctx, form=complaint_form(), actor="A001").case.number
    branch.clock.advance(days=1)
    second = cases.intake(branch.ctx, form=complaint_form(), actor="A001").case.number
    history = queries.customer_cases(branch.ctx, phone="+86 138-1234-5678")
    assert [c.number for c in history] == [second, first]
    assert [
        c.number for c in queries.customer_cases(branch.ctx, service_number="KD0200012345")
    ] == [second, first]
    assert queries.customer_cases(branch.ctx) == []


def test_list_filters(branch: Branch) -> None:
    n = cases.intake(branch.ctx, form=complaint_form(), actor="A001").case.number
    cases.act(branch.ctx, number=n, action="acknowledge", params={}, actor="A001")
    m = cases.intake(branch.ctx, form=complaint_form(), actor="A001").case.number
    assert [c.number for c in queries.list_cases(branch.ctx)] == [m, n]
    assert [c.number for c in queries.list_cases(branch.ctx, state="acknowledged")] == [n]
    assert [c.number for c in queries.list_cases(branch.ctx, limit=1, offset=1)] == [n]
    assert queries.list_cases(branch.ctx, kind="consultation") == []
    assert branch.clock() - queries.list_cases(branch.ctx)[0].received_at < timedelta(seconds=1)
