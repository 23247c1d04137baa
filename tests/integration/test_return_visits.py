"""Return visits through the services on a real branch database: scheduled in the
closing transaction against the working-day calendar, the day's call list, outcomes
and retries, the surveyor who must not have handled the case, and reopening after a
dissatisfied visit (a new event linked to the visit)."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from branchdesk.domain.errors import DomainError, IllegalTransition, ValidationError
from branchdesk.domain.permissions import PermissionDenied
from branchdesk.domain.return_visits import Outcome, sample_bucket
from branchdesk.persistence.schema import return_visits as visits_table
from branchdesk.services import audit, cases, printing, return_visits, staff
from tests.conftest import TZ, Branch, activate, complaint_form

HANDLER, MANAGER, SURVEYOR = "H201", "M301", "C401"
FEEDBACK = (
    ("acknowledge", {}),
    ("assign", {"to": HANDLER}),
    ("record_investigation", {"stage": "initial", "methods": "system_data", "findings": "信号弱"}),
    ("determine_responsibility", {"party": "carrier", "explanation": "基站覆盖不足"}),
    ("plan", {"measures": ["rectification"], "detail": "增设室分"}),
    ("resolve", {"result": "已增设室内分布系统"}),
    ("record_feedback", {"satisfied": "yes", "score": 4}),
)


@pytest.fixture
def surveyor(branch: Branch) -> str:
    new = staff.add_staff(
        branch.ctx, staff_no=SURVEYOR, name="回访员", roles=("clerk",), actor="A001"
    )
    activate(branch.ctx, SURVEYOR, new.one_time_code)
    return SURVEYOR


def closed_case(branch: Branch, grade: str = "major") -> str:
    number = cases.intake(branch.ctx, form=complaint_form(grade=grade), actor="A001").case.number
    for action, params in FEEDBACK:
        cases.act(branch.ctx, number=number, action=action, params=params, actor="A001")
    cases.act(branch.ctx, number=number, action="close", params={}, actor=MANAGER)
    return number


def test_closing_a_major_case_schedules_a_visit_within_three_working_days(
    branch: Branch, surveyor: str
) -> None:
    number = closed_case(branch)  # closed Wed 2026-11-25
    (visit,) = return_visits.visits_of(branch.ctx, number, actor=surveyor)
    assert (visit.status, visit.reason) == ("pending", "grade")
    assert visit.due_at == datetime(2026, 11, 30, 23, 59, 59, tzinfo=TZ)  # Thu, Fri, Mon
    assert [v.number for v in return_visits.call_list(branch.ctx, actor=surveyor)] == [number]


def test_closing_on_a_friday_skips_the_weekend(branch: Branch, surveyor: str) -> None:
    branch.clock.set(datetime(2026, 11, 27, 17, 0, tzinfo=TZ))
    number = closed_case(branch, grade="urgent")
    (visit,) = return_visits.visits_of(branch.ctx, number, actor=surveyor)
    assert visit.due_at.date() == date(2026, 12, 2)  # Mon, Tue, Wed


def test_ordinary_cases_follow_the_sample(branch: Branch, surveyor: str) -> None:
    numbers = [closed_case(branch, grade="ordinary") for _ in range(12)]
    with branch.ctx.db.read() as conn:
        scheduled = conn.execute(select(func.count()).select_from(visits_table)).scalar()
    assert scheduled == sum(1 for n in numbers if sample_bucket(n) < 20)


def test_the_handler_may_not_survey_their_own_case(branch: Branch, surveyor: str) -> None:
    number = closed_case(branch)
    (visit,) = return_visits.visits_of(branch.ctx, number, actor=surveyor)
    for person in (HANDLER, "A001"):  # assigned to / recorded the work
        with pytest.raises(DomainError) as refused:
            return_visits.record_outcome(
                branch.ctx, visit_id=visit.id, outcome=Outcome(True, 5, True), actor=person
            )
        assert refused.value.key == "error.return_visit.own_case"
    done = return_visits.record_outcome(
        branch.ctx, visit_id=visit.id, outcome=Outcome(True, 5, True, "满意"), actor=surveyor
    )
    assert (done.status, done.surveyor, done.score) == ("done", surveyor, 5)
    last = cases.get_case(branch.ctx, number, viewer=MANAGER).events[-1]
    assert (last.kind, last.actor, last.payload["score"]) == ("return_visit", surveyor, 5)
    # The case's history tells it in words (desktop timeline and printed record).
    record = printing.print_document(branch.ctx, number=number, kind="case_record", actor=MANAGER)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(record.pdf)).pages)
    assert "回访" in text and "评分 5/5 · 问题已解决" in re.sub(r"\s+", " ", text)
    assert return_visits.call_list(branch.ctx, actor=surveyor) == []


def test_not_reached_is_called_again_on_the_next_working_day(branch: Branch, surveyor: str) -> None:
    ctx = branch.ctx
    branch.clock.set(datetime(2026, 11, 27, 10, 0, tzinfo=TZ))  # a Friday
    number = closed_case(branch)
    (visit,) = return_visits.visits_of(ctx, number, actor=surveyor)
    with pytest.raises(ValidationError):
        return_visits.record_outcome(
            ctx, visit_id=visit.id, outcome=Outcome(False, 3), actor=surveyor
        )
    again = return_visits.record_outcome(
        ctx, visit_id=visit.id, outcome=Outcome(False, comment="无人接听"), actor=surveyor
    )
    assert (again.status, again.attempts) == ("pending", 1)
    assert again.next_call_at.astimezone(TZ).date() == date(2026, 11, 30)
    assert return_visits.call_list(ctx, actor=surveyor) == []  # not today any more
    monday = return_visits.call_list(ctx, actor=surveyor, day=date(2026, 11, 30))
    assert [v.id for v in monday] == [visit.id]
    for _ in range(2):
        last = return_visits.record_outcome(
            ctx, visit_id=visit.id, outcome=Outcome(False), actor=surveyor
        )
    assert (last.status, last.attempts) == ("unreachable", 3)


def test_dissatisfied_customer_gets_the_case_reopened_linked_to_the_visit(
    branch: Branch, surveyor: str
) -> None:
    ctx = branch.ctx
    number = closed_case(branch)
    (visit,) = return_visits.visits_of(ctx, number, actor=surveyor)
    done = return_visits.record_outcome(
        ctx, visit_id=visit.id, outcome=Outcome(True, 4, False, "信号仍然很差"), actor=surveyor
    )
    assert done.dissatisfied
    seq = return_visits.reopen_from_visit(
        ctx, visit_id=visit.id, reason="回访用户表示问题未解决", actor=MANAGER
    )
    view = cases.get_case(ctx, number, viewer=MANAGER)
    assert view.case.state.value == "investigating" and view.case.reopen_count == 1
    reopen = view.events[-1]
    assert (reopen.seq, reopen.kind, reopen.payload["return_visit"]) == (seq, "reopen", visit.id)
    (linked,) = return_visits.visits_of(ctx, number, actor=surveyor)
    assert linked.reopened_seq == seq
    # Not twice: the case is being handled again, and the visit is already followed up.
    with pytest.raises(IllegalTransition):
        return_visits.reopen_from_visit(ctx, visit_id=visit.id, reason="再次处理", actor=MANAGER)


def test_a_satisfied_visit_does_not_reopen(branch: Branch, surveyor: str) -> None:
    number = closed_case(branch)
    (visit,) = return_visits.visits_of(branch.ctx, number, actor=surveyor)
    return_visits.record_outcome(
        branch.ctx, visit_id=visit.id, outcome=Outcome(True, 5, True), actor=surveyor
    )
    with pytest.raises(ValidationError) as refused:
        return_visits.reopen_from_visit(
            branch.ctx, visit_id=visit.id, reason="用户要求重新处理", actor=MANAGER
        )
    assert refused.value.errors[0].key == "error.return_visit.not_dissatisfied"
    assert cases.get_case(branch.ctx, number, viewer=MANAGER).case.state.value == "closed"


def test_reopening_before_the_visit_cancels_it_and_the_next_closure_schedules_anew(
    branch: Branch, surveyor: str
) -> None:
    ctx = branch.ctx
    number = closed_case(branch)
    cases.act(ctx, number=number, action="reopen", params={"reason": "用户来电不满"}, actor=MANAGER)
    assert return_visits.call_list(ctx, actor=surveyor) == []
    cases.act(
        ctx,
        number=number,
        action="determine_responsibility",
        params={"party": "carrier", "explanation": "覆盖不足"},
        actor=MANAGER,
    )
    for action, params in FEEDBACK[4:]:
        cases.act(ctx, number=number, action=action, params=params, actor=MANAGER)
    cases.act(ctx, number=number, action="close", params={}, actor=MANAGER)
    statuses = [v.status for v in return_visits.visits_of(ctx, number, actor=surveyor)]
    assert statuses == ["cancelled", "pending"]


def test_a_visit_to_an_archived_case_is_kept_on_the_visit_and_the_audit_trail(
    branch: Branch, surveyor: str
) -> None:
    ctx = branch.ctx
    number = closed_case(branch)
    cases.act(ctx, number=number, action="archive", params={}, actor=MANAGER)
    (visit,) = return_visits.visits_of(ctx, number, actor=surveyor)
    with ctx.db.read() as conn:
        case_id = cases.find_case_id(conn, number)
        assert return_visits.pending_visit(conn, case_id)
    # Who handled it is read from the audit trail (the events may be sealed away).
    with pytest.raises(DomainError):
        return_visits.record_outcome(
            ctx, visit_id=visit.id, outcome=Outcome(True, 5, True), actor=HANDLER
        )
    before = len(cases.get_case(ctx, number, viewer=MANAGER).events)
    done = return_visits.record_outcome(
        ctx, visit_id=visit.id, outcome=Outcome(True, 4, True), actor=surveyor
    )
    assert done.status == "done"
    assert len(cases.get_case(ctx, number, viewer=MANAGER).events) == before
    entries = audit.browse(ctx, actor="A001", filter=audit.AuditFilter(action="return_visit"))
    assert entries[0].actor == surveyor and entries[0].detail["score"] == 4
    with ctx.db.read() as conn:
        assert not return_visits.pending_visit(conn, case_id)


def test_cases_closed_before_the_upgrade_get_their_visits(branch: Branch, surveyor: str) -> None:
    from branchdesk.domain.return_visits import visit_reason
    from branchdesk.services import demo
    from branchdesk.services.supervision import policy_of

    ctx = branch.ctx
    # Bulk-written cases skip closing's own scheduling; the generator then schedules
    # what is missing, as an upgraded branch does with `visits schedule-missing`.
    demo.generate_demo(ctx, cases=400, actor="A001", days=20)
    rules = policy_of(ctx).return_visits
    with ctx.db.read() as conn:
        since = int((ctx.now() - timedelta(days=5)).timestamp())
        recent = conn.exec_driver_sql(
            "SELECT number, kind, grade FROM cases WHERE state = 'closed' AND updated_at >= ?",
            (since,),
        ).all()
    expected = sum(1 for n, k, g in recent if visit_reason(n, k, g, rules) is not None)
    assert expected > 0
    with ctx.db.read() as conn:
        scheduled = conn.execute(select(func.count()).select_from(visits_table)).scalar_one()
    assert scheduled == expected
    with pytest.raises(PermissionDenied):
        return_visits.schedule_missing(ctx, actor=surveyor, days=5)
    assert return_visits.schedule_missing(ctx, actor="A001", days=5) == 0  # once only


def test_the_archive_review_says_when_the_visit_is_still_to_come(
    branch: Branch, surveyor: str
) -> None:
    from branchdesk.services import archiving

    number = closed_case(branch)
    (before,) = archiving.review(branch.ctx, numbers=[number], actor=MANAGER)
    assert "return_visit" in before.warnings and before.complete
    (visit,) = return_visits.visits_of(branch.ctx, number, actor=surveyor)
    return_visits.record_outcome(
        branch.ctx, visit_id=visit.id, outcome=Outcome(True, 5, solved=True), actor=surveyor
    )
    (after,) = archiving.review(branch.ctx, numbers=[number], actor=MANAGER)
    assert "return_visit" not in after.warnings
