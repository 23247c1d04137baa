"""Quality figures through the real services on a branch database, each against a
value worked out by hand in the test: a paused case, a reopened case, a case open at
period end and a case received before the period."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from branchdesk.domain.model import Appointment, Customer
from branchdesk.domain.permissions import PermissionDenied
from branchdesk.domain.return_visits import Outcome
from branchdesk.persistence.schema import cases as cases_table
from branchdesk.services import appointments, cases, incidents, quality, return_visits
from branchdesk.services.quality import (
    Appointments,
    Duration,
    MilestoneRate,
    MonthCount,
    QualityFilter,
    Segment,
    StaffFigures,
)
from tests.conftest import TZ, Branch, complaint_form
from tests.integration.test_incidents import draft
from tests.integration.test_return_visits import closed_case, surveyor  # noqa: F401

HANDLER, MANAGER = "H201", "M301"
EVERYTHING = QualityFilter()
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
    return build_figures(branch)


def build_figures(branch: Branch) -> Branch:
    """Four complaints A-D, as the comments say (the dashboard tests use them too)."""
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
    assert r.complaints_by_month == (MonthCount("2026-11", "technical/network", 3),)
    assert r.repeat_complaints == 2  # B (service number), C (phone)
    assert (r.incident_linked, r.incident_share) == (0, 0.0)
    assert r.staff == (StaffFigures("A001", 1, 0, 2, 0), StaffFigures(HANDLER, 2, 2, 16, 16))
    assert r.appointments == Appointments(0, 0, 0)


def test_every_figure_opens_as_its_cases(figures: Branch) -> None:
    with figures.ctx.db.read() as conn:
        d, a, b, c = conn.execute(select(cases_table.c.id).order_by(cases_table.c.id)).scalars()

    def ids(figure: str, *key: str, where: QualityFilter = EVERYTHING) -> set[int]:
        found = quality.segment_case_ids(
            figures.ctx, Segment(figure, key), since=SINCE, until=UNTIL, actor=MANAGER, where=where
        )
        assert list(found) == sorted(found, reverse=True)  # newest first
        return set(found)

    assert ids("milestone", "complaint", "acknowledge", "late") == {c}
    assert ids("milestone", "complaint", "acknowledge", "on_time") == {a, b}
    assert ids("milestone", "complaint", "acknowledge", "all") == {a, b, c}
    assert ids("acknowledge") == ids("first_reply") == ids("close") == {a, b}
    assert ids("backlog", "1-3d") == {c}
    assert ids("backlog", "7-15d") == {d}
    assert ids("backlog", "0-1d") == set()
    assert ids("overdue") == {c, d}
    assert ids("feedback", "4") == {a}
    assert ids("feedback", "2") == ids("feedback", "5") == {b}
    assert ids("complaints") == ids("category", "technical/network") == {a, b, c}
    assert ids("week", "2026-11-23", "technical/network") == {a, b, c}
    assert ids("week", "2026-11-30", "technical/network") == set()
    assert ids("month", "2026-11", "technical/network") == {a, b, c}
    assert ids("month", "2026-10", "technical/network") == set()
    assert ids("repeat") == {b, c}
    assert ids("incident") == ids("missed") == ids("return_visit", "5") == set()
    assert ids("staff", HANDLER) == {a, b}
    assert ids("staff", "A001") == {c}  # D was received before the period
    assert ids("overdue", where=QualityFilter(staff=HANDLER)) == set()
    with pytest.raises(ValueError, match="backlog bucket"):
        ids("backlog", "2-4d")
    with pytest.raises(ValueError, match="unknown dashboard figure"):
        ids("everything")
    with pytest.raises(PermissionDenied):
        quality.segment_case_ids(
            figures.ctx, Segment("overdue"), since=SINCE, until=UNTIL, actor=HANDLER
        )


def service_request(branch: Branch, start: datetime) -> str:
    form = complaint_form(
        kind="service_request",
        category="service_request/broadband_install",
        remedy="",
        appointment=Appointment("宽带上门安装", start, start + timedelta(hours=1), staff="王师傅"),
    )
    return cases.intake(branch.ctx, form=form, actor="A001").case.number


def build_extras(branch: Branch, surveyor_no: str) -> dict[str, str]:
    """In the test week: a service request whose visit was missed then moved, one kept,
    one after the week; a complaint linked to an outage; a major complaint closed and
    its return visit scored 5 (the report tests use them too). Case numbers by role."""
    ctx = branch.ctx
    branch.clock.set(datetime(2026, 11, 24, 9, 0, tzinfo=TZ))
    # Missed on Wed, then rescheduled to Thu: due once, missed once, rescheduled once.
    missed = service_request(branch, datetime(2026, 11, 25, 9, 0, tzinfo=TZ))
    kept = service_request(branch, datetime(2026, 11, 27, 10, 0, tzinfo=TZ))
    service_request(branch, datetime(2026, 12, 2, 10, 0, tzinfo=TZ))  # after the period
    outage = incidents.create_incident(
        ctx, draft(started_at=ctx.now() - timedelta(minutes=20)), actor=MANAGER
    )
    linked = cases.intake(ctx, form=complaint_form(), actor="A001").case.number
    incidents.link_case(ctx, incident=outage.number, number=linked, actor="A001")
    branch.clock.set(datetime(2026, 11, 25, 11, 0, tzinfo=TZ))
    appointments.record_missed(ctx, number=missed, actor="A001", note="家中无人")
    appointments.reschedule(
        ctx,
        number=missed,
        start=datetime(2026, 11, 26, 14, 0, tzinfo=TZ),
        end=datetime(2026, 11, 26, 15, 0, tzinfo=TZ),
        reason="客户改约",
        actor="A001",
    )
    visited = closed_case(branch)  # a major complaint: its return visit is due
    (visit,) = return_visits.visits_of(ctx, visited, actor=surveyor_no)
    return_visits.record_outcome(
        ctx, visit_id=visit.id, outcome=Outcome(True, 5, True, "满意"), actor=surveyor_no
    )
    branch.clock.set(datetime(2026, 11, 30, 12, 0, tzinfo=TZ))
    return {"missed": missed, "kept": kept, "linked": linked, "visited": visited}


def test_appointments_incidents_and_return_visits(branch: Branch, surveyor: str) -> None:  # noqa: F811
    ctx = branch.ctx
    made = build_extras(branch, surveyor)
    missed, kept, linked, visited = made["missed"], made["kept"], made["linked"], made["visited"]

    r = quality.report(ctx, since=SINCE, until=UNTIL, actor=MANAGER)
    assert r.appointments == Appointments(due=2, missed=1, rescheduled=1)
    assert r.appointments.missed_rate == 0.5
    assert (r.complaints, r.incident_linked, r.incident_share) == (2, 1, 0.5)
    assert (r.return_visits.counts, r.return_visits.average) == ((0, 0, 0, 0, 1), 5.0)

    def numbers(figure: str, *key: str) -> set[str]:
        found = quality.segment_case_ids(
            ctx, Segment(figure, key), since=SINCE, until=UNTIL, actor=MANAGER
        )
        with ctx.db.read() as conn:
            rows = conn.execute(select(cases_table.c.number).where(cases_table.c.id.in_(found)))
            return set(rows.scalars())

    assert numbers("missed") == {missed}
    assert numbers("incident") == {linked}
    assert numbers("return_visit", "5") == {visited}
    assert kept not in numbers("missed")
    # Filtered to complaints, the book's figures are empty.
    narrow = quality.report(
        ctx, since=SINCE, until=UNTIL, actor=MANAGER, where=QualityFilter(kind="complaint")
    )
    assert narrow.appointments == Appointments(0, 0, 0)


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


def test_the_backlog_is_the_cases_open_at_the_period_end_whatever_happened_later(
    figures: Branch,
) -> None:
    with figures.ctx.db.read() as conn:
        d, a, b, _c = conn.execute(select(cases_table.c.id).order_by(cases_table.c.id)).scalars()

    def open_at(day: int, hour: int, minute: int = 0) -> set[int]:
        until = datetime(2026, 11, day, hour, minute, tzinfo=TZ)
        since = datetime(2026, 11, 16, tzinfo=TZ)
        found: set[int] = set()
        for bucket, _n in quality.report(
            figures.ctx, since=since, until=until, actor=MANAGER
        ).backlog:
            found |= set(
                quality.segment_case_ids(
                    figures.ctx,
                    Segment("backlog", (bucket,)),
                    since=since,
                    until=until,
                    actor=MANAGER,
                )
            )
        return found

    # A was received Wed 09:30 and closed 19:30, closed now: open at noon, not at 20:00.
    assert open_at(25, 12) == {a, d}
    assert open_at(25, 20) == {d}
    # B: closed Thu 12:00, reopened 13:00, closed again 15:00.
    assert open_at(26, 12, 30) == {d}
    assert open_at(26, 13, 30) == {b, d}
    assert open_at(26, 15, 30) == {d}
