"""Quality figures through the real services on a branch database, each against a
value worked out by hand in the test: a paused case, a reopened case, a case open at
period end and a case received before the period."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from branchdesk.domain.model import Customer
from branchdesk.domain.permissions import PermissionDenied
from branchdesk.services import cases, quality
from branchdesk.services.quality import Duration, MilestoneRate, QualityFilter, StaffFigures
from tests.conftest import TZ, Branch, complaint_form

HANDLER, MANAGER = "H201", "M301"
SINCE = datetime(2026, 11, 23, 0, 0, tzinfo=TZ)  # Monday
UNTIL = datetime(2026, 11, 30, 0, 0, tzinfo=TZ)
WORK = (
    ("assign", {"to": HANDLER}),
    ("record_investigation", {"stage": "initial", "methods": "system_data", "findings": "信号弱"}),
    ("determine_responsibility", {"party": "carrier", "explanation": "基站覆盖不足"}),
    ("plan", {"measures": ["rectification"], "detail": "增设室分"}),
)


def _act(branch: Branch, number: str, action: str, params: dict[str, Any] | None = None) -> None:
    actor = MANAGER if action in ("close", "reopen") else "A001"
    cases.act(branch.ctx, number=number, action=action, params=params or {}, actor=actor)


def _intake(branch: Branch, at: datetime, phone: str, service_number: str) -> str:
    branch.clock.set(at)
    customer = Customer(name="张三", phone=phone, service_number=service_number)
    form = complaint_form(customer=customer)
    return cases.intake(branch.ctx, form=form, actor="A001").case.number


@pytest.fixture
def figures(branch: Branch) -> Branch:
    # D: before the period, never acknowledged, still open (backlog 9d14h, overdue).
    _intake(branch, datetime(2026, 11, 20, 10, 0, tzinfo=TZ), "13700000000", "KD0300000000")
    # A: Wed 09:30; ack +2h; paused 12:30-17:30; reply 18:30 (9h - 5h paused = 4h);
    # feedback 4; closed 19:30 (10h - 5h = 5h).
    a = _intake(branch, datetime(2026, 11, 25, 9, 30, tzinfo=TZ), "13812345678", "KD0200012345")
    branch.clock.advance(hours=2)
    _act(branch, a, "acknowledge")
    branch.clock.advance(hours=1)
    _act(branch, a, "pause", {"reason": "等待客户提供资料"})
    branch.clock.advance(hours=5)
    _act(branch, a, "resume")
    branch.clock.advance(hours=1)
    for action, params in WORK:
        _act(branch, a, action, params)
    _act(branch, a, "reply_customer", {"channel": "phone", "summary": "已告知处理进展"})
    _act(branch, a, "resolve", {"result": "已增设室内分布系统"})
    _act(branch, a, "record_feedback", {"satisfied": "yes", "score": 4})
    branch.clock.advance(hours=1)
    _act(branch, a, "close")
    # B (same service number as A: a repeat): Thu 09:00; ack 1h; resolved 2h (first
    # reply); feedback 2; closed 12:00; reopened 13:00; resolved 14:00, feedback 5;
    # closed again 15:00: time to close 6h.
    b = _intake(branch, datetime(2026, 11, 26, 9, 0, tzinfo=TZ), "13900001111", "KD0200012345")
    branch.clock.advance(hours=1)
    _act(branch, b, "acknowledge")
    branch.clock.advance(hours=1)
    for action, params in WORK:
        _act(branch, b, action, params)
    _act(branch, b, "resolve", {"result": "已优化"})
    _act(branch, b, "record_feedback", {"satisfied": "no", "score": 2})
    branch.clock.advance(hours=1)
    _act(branch, b, "close")
    branch.clock.advance(hours=1)
    _act(branch, b, "reopen", {"reason": "客户仍反映信号弱"})
    branch.clock.advance(hours=1)
    for action, params in WORK[2:]:
        _act(branch, b, action, params)
    _act(branch, b, "resolve", {"result": "再次优化后恢复"})
    _act(branch, b, "record_feedback", {"satisfied": "yes", "score": 5})
    branch.clock.advance(hours=1)
    _act(branch, b, "close")
    # C (same phone as A: a repeat): Fri 10:00, untouched, open at period end; its
    # acknowledge and initial investigation fell due Sat 10:00, in the period.
    _intake(branch, datetime(2026, 11, 27, 10, 0, tzinfo=TZ), "13812345678", "KD0200099999")
    branch.clock.set(datetime(2026, 11, 30, 12, 0, tzinfo=TZ))
    return branch


def test_every_figure_matches_the_hand_count(figures: Branch) -> None:
    r = quality.report(figures.ctx, since=SINCE, until=UNTIL, actor=MANAGER)
    # A and B: every milestone due or met in the period on time (archive falls due after
    # the period); C: acknowledge and initial investigation late; D: nothing in period.
    both = ("closure", "detailed_investigation", "first_reply", "handling")
    expected = [MilestoneRate("complaint", "acknowledge", 3, 2)]
    expected += [MilestoneRate("complaint", m, 2, 2) for m in both]
    expected += [MilestoneRate("complaint", "initial_investigation", 3, 2)]
    expected += [
        MilestoneRate("complaint", m, 2, 2) for m in ("regulator_appeal", "written_feedback")
    ]
    assert list(r.milestones) == expected
    assert r.acknowledge == Duration(2, 1.5, 2.0)  # A 2h, B 1h
    assert r.first_reply == Duration(2, 3.0, 4.0)  # A 4h (paused 5h), B 2h
    assert r.close == Duration(2, 5.5, 6.0)  # A 5h, B 6h (after its reopening)
    assert r.backlog == (
        ("0-1d", 0),
        ("1-3d", 1),
        ("3-7d", 0),
        ("7-15d", 1),
        ("15-30d", 0),
        ("30d+", 0),
    )  # C 2d14h, D 9d14h
    assert r.overdue_now == 2  # C and D
    assert r.feedback.counts == (0, 1, 0, 1, 1)
    assert r.feedback.average == pytest.approx(11 / 3)
    assert r.return_visits.total == 0  # none made yet
    assert r.complaints == 3
    assert r.complaints_by_category == (("technical/network", 3),)
    assert [(w.week_start, w.count) for w in r.complaints_by_week] == [(date(2026, 11, 23), 3)]
    assert r.repeat_complaints == 2  # B (service number), C (phone)
    assert (r.incident_linked, r.incident_share) == (0, 0.0)
    assert r.staff == (StaffFigures("A001", 1, 0, 2, 0), StaffFigures(HANDLER, 2, 2, 16, 16))


def test_the_filter_narrows_every_figure(figures: Branch) -> None:
    r = quality.report(
        figures.ctx, since=SINCE, until=UNTIL, actor=MANAGER, where=QualityFilter(staff="A001")
    )
    assert [(m.milestone, m.counted, m.on_time) for m in r.milestones] == [
        ("acknowledge", 1, 0),
        ("initial_investigation", 1, 0),
    ]
    assert (r.complaints, r.repeat_complaints, r.overdue_now) == (1, 1, 2)
    assert r.acknowledge == Duration(0, None, None)
    assert r.feedback.total == 0


def test_a_shorter_repeat_window_and_an_earlier_period(figures: Branch) -> None:
    r = quality.report(figures.ctx, since=SINCE, until=UNTIL, actor=MANAGER, repeat_days=1)
    assert r.repeat_complaints == 1  # B came 23.5 h after A; C two days after A
    early = datetime(2026, 11, 16, tzinfo=TZ)
    r = quality.report(figures.ctx, since=early, until=SINCE, actor=MANAGER)
    # Only D, received Fri 20 10:00: open at Mon 23 00:00 (2d14h), never acknowledged.
    assert (r.complaints, r.backlog[1], r.acknowledge.count) == (1, ("1-3d", 1), 0)


def test_only_managers_and_administrators_see_the_figures(figures: Branch) -> None:
    with pytest.raises(PermissionDenied):
        quality.report(figures.ctx, since=SINCE, until=UNTIL, actor=HANDLER)
