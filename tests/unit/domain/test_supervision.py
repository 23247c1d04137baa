"""Supervision read from a case's events: start (approval or HQ order), reason, joint
handling, progress reports due every N working days of the branch calendar, missed
reports kept on record, and the conclusion. Dates are checked against the 2026
official calendar (the National Day holiday and its make-up Saturday 2026-10-10)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from branchdesk.calendars import load_default_calendar
from branchdesk.domain.process import CaseEvent
from branchdesk.domain.supervision import read_supervision, split_departments

SH = ZoneInfo("Asia/Shanghai")
CAL = load_default_calendar()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


def ev(kind: str, when: str, actor: str = "H201", **payload: Any) -> CaseEvent:
    return CaseEvent(kind, at(when), actor, payload)


def start(when: str = "2026-11-25T10:00", **extra: Any) -> list[CaseEvent]:
    return [
        ev("received", "2026-11-24T09:00", "C101"),
        ev("request_escalation", "2026-11-24T15:00", reason="major_quality", detail="小区断网"),
        ev("approve_escalation", when, "M301", supervisor="M301", departments="网络部", **extra),
    ]


def read(events: list[CaseEvent], now: str, interval: int = 2) -> Any:
    return read_supervision(events, interval=interval, calendar=CAL, tz=SH, now=at(now))


def test_never_supervised_is_none() -> None:
    assert read([ev("received", "2026-11-24T09:00")], "2026-11-30T09:00") is None


def test_escalation_start_reason_and_first_due_date() -> None:
    found = read(start(), "2026-11-25T11:00")
    assert (found.source, found.reason, found.detail) == ("escalation", "major_quality", "小区断网")
    assert found.approved_by == "M301" and found.departments == ("网络部",)
    # Approved Wednesday: Thursday and Friday are the two working days.
    assert found.next_due_at == at("2026-11-27T23:59:59")
    assert found.missed == () and not found.overdue(at("2026-11-27T23:00"))
    assert found.overdue(at("2026-11-28T00:00"))


def test_due_dates_skip_holidays_and_count_make_up_days() -> None:
    # Approved Tue 2026-09-29: Wed 30 is a working day, Oct 1-7 are the holiday, and
    # Thu 8 is the next working day: due at the end of Oct 8.
    found = read(start("2026-09-29T10:00"), "2026-09-30T10:00")
    assert found.next_due_at == at("2026-10-08T23:59:59")
    # A report on Fri Oct 9: the make-up Saturday Oct 10 counts, Sunday does not.
    events = [*start("2026-09-29T10:00"), ev("report_progress", "2026-10-09T10:00", progress="p")]
    assert read(events, "2026-10-09T11:00").next_due_at == at("2026-10-12T23:59:59")


@pytest.mark.parametrize("interval", [1, 2, 3, 5])
def test_next_due_is_n_working_days_after_the_latest_report(interval: int) -> None:
    events = [*start(), ev("report_progress", "2026-11-26T17:00", progress="进展一")]
    found = read(events, "2026-11-26T18:00", interval)
    expected, _ = CAL.add_working_days(date(2026, 11, 26), interval)
    assert found.next_due_at.date() == expected
    assert found.latest.text == "进展一"


def test_missed_reports_stay_visible_after_a_late_report() -> None:
    events = start()  # due Fri 27
    # Nothing until Wed Dec 2: Fri 27 missed, then Tue Dec 1 missed too.
    found = read(events, "2026-12-02T09:00")
    assert found.overdue(at("2026-12-02T09:00"))
    assert found.next_due_at == at("2026-11-27T23:59:59")
    assert found.missed == (at("2026-11-27T23:59:59"), at("2026-12-01T23:59:59"))
    events.append(ev("report_progress", "2026-12-02T10:00", progress="补报"))
    found = read(events, "2026-12-02T11:00")
    assert found.missed == (at("2026-11-27T23:59:59"), at("2026-12-01T23:59:59"))
    assert found.next_due_at == at("2026-12-04T23:59:59")
    assert not found.overdue(at("2026-12-02T11:00"))


def test_reports_on_time_miss_nothing() -> None:
    events = start()
    day = date(2026, 11, 25)
    for _ in range(10):
        day, _ = CAL.add_working_days(day, 2)
        events.append(ev("report_progress", f"{day.isoformat()}T16:00", progress="按时"))
    found = read(events, f"{day.isoformat()}T17:00")
    assert found.missed == () and len(found.reports) == 10


def test_a_later_supervision_replaces_the_earlier_one() -> None:
    events = [
        *start(),
        ev("report_progress", "2026-11-26T10:00", progress="旧"),
        ev("conclude_supervision", "2026-11-27T10:00", "M301", result="办结"),
        ev(
            "order_supervision",
            "2026-12-01T09:00",
            "HQ",
            supervisor="总部 王",
            reason="管局转办",
            order_id="o9",
        ),
    ]
    found = read(events, "2026-12-01T10:00")
    assert (found.source, found.supervisor, found.reason) == ("hq_order", "总部 王", "管局转办")
    assert found.reports == () and found.concluded_at is None
    assert found.next_due_at == at("2026-12-03T23:59:59")


def test_conclusion_stops_the_clock() -> None:
    events = [*start(), ev("conclude_supervision", "2026-11-26T10:00", "M301", result="已解决")]
    found = read(events, "2027-03-01T10:00")
    assert found.result == "已解决" and found.missed == ()
    assert not found.overdue(at("2027-03-01T10:00"))
    assert not found.needs_reminder(at("2027-03-01T10:00"), timedelta(hours=24))


def test_reminder_window() -> None:
    found = read(start(), "2026-11-26T10:00")
    assert not found.needs_reminder(at("2026-11-26T23:00"), timedelta(hours=24))
    assert found.needs_reminder(at("2026-11-27T00:00"), timedelta(hours=24))


def test_contributing_departments_join_the_list_once() -> None:
    events = [
        *start(),
        ev(
            "record_contribution",
            "2026-11-26T10:00",
            department="计费中心",
            contribution="核对账单",
        ),
        ev("record_contribution", "2026-11-26T11:00", department="网络部", contribution="抢修"),
        ev("record_contribution", "2026-11-26T12:00", department="计费中心", contribution="退费"),
    ]
    found = read(events, "2026-11-26T13:00")
    assert found.departments == ("网络部", "计费中心")
    assert len(found.contributions) == 3


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("网络部、计费中心，客服部", ("网络部", "计费中心", "客服部")),
        ("a, b; a", ("a", "b")),
        ("", ()),
        (None, ()),
    ],
)
def test_split_departments(text: str | None, names: tuple[str, ...]) -> None:
    assert split_departments(text) == names
