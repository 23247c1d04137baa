"""Return-visit rules: who gets one (all major and urgent, a deterministic sample of
ordinary ones), when it is due (working days of the calendar), what an outcome holds,
retries, and that no one surveys a case they handled."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from branchdesk.calendars import load_default_calendar
from branchdesk.domain.errors import DomainError, ValidationError
from branchdesk.domain.followup_policy import load_default_followup_policy
from branchdesk.domain.process import CaseEvent
from branchdesk.domain.return_visits import (
    Outcome,
    VisitReason,
    check_outcome,
    check_surveyor,
    due_at,
    handlers_of,
    next_attempt,
    sample_bucket,
    visit_reason,
)

SH = ZoneInfo("Asia/Shanghai")
CAL = load_default_calendar()
RULES = load_default_followup_policy().return_visits


def numbers(n: int) -> list[str]:
    return [f"GZ0012-20261125-{i:04d}" for i in range(1, n + 1)]


@pytest.mark.parametrize("grade", ["major", "urgent"])
def test_every_major_and_urgent_case_is_visited(grade: str) -> None:
    assert all(
        visit_reason(n, "complaint", grade, RULES) is VisitReason.GRADE for n in numbers(200)
    )


def test_ordinary_cases_are_sampled_deterministically_at_the_policy_share() -> None:
    picked = [n for n in numbers(5000) if visit_reason(n, "complaint", "ordinary", RULES)]
    assert 0.17 < len(picked) / 5000 < 0.23  # 20 % by policy
    again = [n for n in numbers(5000) if visit_reason(n, "complaint", "ordinary", RULES)]
    assert picked == again
    assert all(sample_bucket(n) < 20 for n in picked)


def test_consultations_are_not_visited() -> None:
    assert visit_reason("GZ0012-20261125-0001", "consultation", "major", RULES) is None


def test_sample_share_zero_and_hundred() -> None:
    none = replace(RULES, sample_percent={"ordinary": 0})
    every = replace(RULES, sample_percent={"ordinary": 100})
    assert not any(visit_reason(n, "complaint", "ordinary", none) for n in numbers(300))
    assert all(visit_reason(n, "complaint", "ordinary", every) for n in numbers(300))


@pytest.mark.parametrize(
    ("closed", "due"),
    [
        ("2026-11-25T10:00", date(2026, 11, 30)),  # Wed -> Thu, Fri, Mon
        ("2026-11-28T10:00", date(2026, 12, 2)),  # closed on a Saturday: Mon, Tue, Wed
        ("2026-09-30T10:00", date(2026, 10, 10)),  # holiday to Oct 7; Oct 10 is a make-up Sat
    ],
)
def test_due_within_three_working_days(closed: str, due: date) -> None:
    when = datetime.fromisoformat(closed).replace(tzinfo=SH)
    got, provisional = due_at(when, RULES.within_working_days, CAL, SH)
    assert got.date() == due and (got.hour, got.minute) == (23, 59)
    assert not provisional


def test_due_date_over_an_unknown_year_is_provisional() -> None:
    _, provisional = due_at(datetime(2026, 12, 30, 10, 0, tzinfo=SH), 3, CAL, SH)
    assert provisional


def test_outcome_rules() -> None:
    assert check_outcome(Outcome(True, 4, True, "  很好 ")).comment == "很好"
    with pytest.raises(ValidationError):
        check_outcome(Outcome(True, None, True))
    with pytest.raises(ValidationError):
        check_outcome(Outcome(True, 6, True))
    with pytest.raises(ValidationError):
        check_outcome(Outcome(True, 3, None))
    with pytest.raises(ValidationError):
        check_outcome(Outcome(False, 3, None))
    check_outcome(Outcome(False, comment="无人接听"))


@pytest.mark.parametrize(
    ("outcome", "dissatisfied"),
    [
        (Outcome(True, 5, True), False),
        (Outcome(True, 3, True), False),
        (Outcome(True, 2, True), True),
        (Outcome(True, 5, False), True),  # happy with the staff, problem not solved
        (Outcome(False), False),
    ],
)
def test_dissatisfied(outcome: Outcome, dissatisfied: bool) -> None:
    assert outcome.dissatisfied is dissatisfied


def test_retries_until_the_attempts_run_out() -> None:
    friday = datetime(2026, 11, 27, 15, 0, tzinfo=SH)
    retry = next_attempt(1, friday, RULES, CAL, SH)
    assert retry is not None and retry.date() == date(2026, 11, 30)
    assert next_attempt(RULES.max_attempts, friday, RULES, CAL, SH) is None


def test_no_survey_by_anyone_who_handled_the_case() -> None:
    t = datetime(2026, 11, 25, 9, 0, tzinfo=SH)
    events = [
        CaseEvent("received", t, "C101"),
        CaseEvent("assign", t, "C101", {"to": "H201"}),
        CaseEvent("resolve", t, "H202", {"result": "ok"}),
        CaseEvent("add_note", t, "C102", {"text": "来电"}),
    ]
    handlers = handlers_of("H201", events)
    assert handlers == {"C101", "H201", "H202"}
    for person in handlers:
        with pytest.raises(DomainError):
            check_surveyor(person, handlers)
    check_surveyor("C102", handlers)  # a note is not handling
