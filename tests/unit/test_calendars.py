"""Working-day calendars: the shipped data against chinesecalendar, the arithmetic against
brute force, unknown years, publishing a year, and broken data."""

from __future__ import annotations

import importlib.util
import json
from datetime import date, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from branchdesk.calendars import (
    CalendarError,
    CalendarYear,
    WorkingCalendar,
    load_default_calendar,
)
from branchdesk.resources_access import read_json

REPO = Path(__file__).resolve().parents[2]


def _load_build_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_calendar", REPO / "tools" / "build_calendar.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return load_default_calendar()


# --- the shipped data ----------------------------------------------------------------


def test_shipped_file_agrees_with_chinesecalendar_every_day(cal: WorkingCalendar) -> None:
    for day in _days(date(2004, 1, 1), date(2026, 12, 31)):
        assert cal.is_working_day(day) == chinese_calendar.is_workday(day), day


def test_shipped_holidays_are_exactly_the_days_off_that_are_not_plain_weekends(
    cal: WorkingCalendar,
) -> None:
    for number, year in cal.years.items():
        expected_holidays = set()
        expected_workdays = set()
        for day in _days(date(number, 1, 1), date(number, 12, 31)):
            working = chinese_calendar.is_workday(day)
            named = chinese_calendar.get_holiday_detail(day)[1] is not None
            if working and day.weekday() >= 5:
                expected_workdays.add(day)
            if not working and (day.weekday() < 5 or named):
                expected_holidays.add(day)
        assert year.holidays == expected_holidays, number
        assert year.workdays == expected_workdays, number


def test_shipped_file_covers_every_year_chinesecalendar_knows(cal: WorkingCalendar) -> None:
    tool = _load_build_tool()
    years = tool.known_years()
    assert years[0] == 2004 and years[-1] >= 2026
    assert sorted(cal.years) == years
    # Regenerating gives byte for byte the committed file.
    committed = (REPO / "resources" / "calendars" / "cn.json").read_text(encoding="utf-8")
    assert tool.render(tool.build(years)) == committed


def test_2027_is_unknown(cal: WorkingCalendar) -> None:
    assert cal.knows(2026)
    assert not cal.knows(2027)
    assert not cal.knows(2003)


def test_facts_of_the_2025_national_day_holiday(cal: WorkingCalendar) -> None:
    # From chinesecalendar: 2025-10-01..08 off, Sunday 09-28 and Saturday 10-11 worked.
    assert cal.is_working_day(date(2025, 9, 28))  # make-up Sunday
    assert cal.is_working_day(date(2025, 10, 11))  # make-up Saturday
    assert not any(cal.is_working_day(d) for d in _days(date(2025, 10, 1), date(2025, 10, 8)))
    assert not cal.is_working_day(date(2025, 10, 12))  # a plain Sunday


def test_add_working_days_over_national_day_2025(cal: WorkingCalendar) -> None:
    # 09-30 (Tue) is the last working day before the holiday. After it: 10-09 Thu,
    # 10-10 Fri, 10-11 Sat (make-up), 10-13 Mon …
    assert cal.add_working_days(date(2025, 9, 30), 1) == (date(2025, 10, 9), False)
    assert cal.add_working_days(date(2025, 9, 30), 3) == (date(2025, 10, 11), False)
    assert cal.add_working_days(date(2025, 9, 30), 4) == (date(2025, 10, 13), False)
    # Saturday 09-27: the next working day is the make-up Sunday.
    assert cal.add_working_days(date(2025, 9, 27), 1) == (date(2025, 9, 28), False)


def test_add_working_days_over_spring_festival_2026(cal: WorkingCalendar) -> None:
    # 2026-02-15..23 off; Saturdays 02-14 and 02-28 worked.
    start = date(2026, 2, 13)  # Friday
    assert cal.add_working_days(start, 1) == (date(2026, 2, 14), False)
    assert cal.add_working_days(start, 2) == (date(2026, 2, 24), False)
    assert cal.add_working_days(start, 6) == (date(2026, 2, 28), False)
    assert cal.add_working_days(start, 7) == (date(2026, 3, 2), False)


def test_add_working_days_matches_brute_force_on_chinesecalendar(cal: WorkingCalendar) -> None:
    def brute(day: date, n: int) -> date:
        while n:
            day += timedelta(days=1)
            if chinese_calendar.is_workday(day):
                n -= 1
        return day

    for day in _days(date(2004, 1, 1), date(2026, 11, 30)):
        for n in (1, 15):
            assert cal.add_working_days(day, n) == (brute(day, n), False), (day, n)


def test_running_into_an_unknown_year_falls_back_to_monday_to_friday(
    cal: WorkingCalendar,
) -> None:
    # 2027-01-01 is a Friday: unknown, so it counts as a working day.
    assert cal.is_working_day(date(2027, 1, 1))
    assert not cal.is_working_day(date(2027, 1, 2))
    assert cal.add_working_days(date(2026, 12, 31), 1) == (date(2027, 1, 1), True)
    assert cal.add_working_days(date(2026, 12, 30), 1) == (date(2026, 12, 31), False)
    assert cal.add_working_days(date(2026, 12, 10), 30) == (date(2027, 1, 21), True)
    # Before the first known year too: 2003-12-26 (Fri) counts, 2004-01-01 is a holiday.
    assert cal.add_working_days(date(2003, 12, 25), 5) == (date(2004, 1, 2), True)


def test_working_days_between(cal: WorkingCalendar) -> None:
    assert cal.working_days_between(date(2025, 10, 1), date(2025, 10, 8)) == 0
    # 09-28 (make-up Sunday), 09-29, 09-30, 10-09, 10-10, 10-11 (make-up Saturday).
    assert cal.working_days_between(date(2025, 9, 28), date(2025, 10, 11)) == 6
    assert cal.working_days_between(date(2025, 10, 9), date(2025, 10, 9)) == 1
    assert cal.working_days_between(date(2025, 10, 9), date(2025, 10, 8)) == 0
    # Across the end of the data: 2026-12-31 (Thu) and 2027-01-01 (Fri, assumed).
    assert cal.working_days_between(date(2026, 12, 31), date(2027, 1, 3)) == 2


def test_add_working_days_rejects_a_count_below_one(cal: WorkingCalendar) -> None:
    with pytest.raises(ValueError, match="n must be >= 1"):
        cal.add_working_days(date(2025, 1, 1), 0)


# --- arithmetic properties, on a calendar with a gap year ---------------------------


def _gapped() -> WorkingCalendar:
    full = load_default_calendar()
    years = {n: y for n, y in full.years.items() if n != 2015}
    return WorkingCalendar(years, version="gap-test")


GAPPED = _gapped()


@settings(max_examples=400, deadline=None)
@given(
    day=st.dates(min_value=date(2001, 1, 1), max_value=date(2029, 12, 31)),
    n=st.integers(min_value=1, max_value=400),
)
def test_add_working_days_properties(day: date, n: int) -> None:
    result, provisional = GAPPED.add_working_days(day, n)
    assert result > day
    assert GAPPED.is_working_day(result)
    assert GAPPED.working_days_between(day + timedelta(days=1), result) == n
    years = range((day + timedelta(days=1)).year, result.year + 1)
    assert provisional == any(not GAPPED.knows(y) for y in years)


@settings(max_examples=300, deadline=None)
@given(
    first=st.dates(min_value=date(2001, 1, 1), max_value=date(2029, 12, 31)),
    length=st.integers(min_value=0, max_value=120),
)
def test_working_days_between_counts_day_by_day(first: date, length: int) -> None:
    last = first + timedelta(days=length)
    expected = sum(GAPPED.is_working_day(d) for d in _days(first, last))
    assert GAPPED.working_days_between(first, last) == expected


def test_an_empty_calendar_is_monday_to_friday_and_always_provisional() -> None:
    empty = WorkingCalendar({}, version="none")
    assert empty.add_working_days(date(2025, 9, 30), 1) == (date(2025, 10, 1), True)
    assert empty.add_working_days(date(2025, 10, 3), 1) == (date(2025, 10, 6), True)
    assert empty.add_working_days(date(2025, 10, 4), 5) == (date(2025, 10, 10), True)
    assert empty.working_days_between(date(2025, 10, 1), date(2025, 10, 31)) == 23


# --- publishing a year and JSON -------------------------------------------------------


def test_with_year_makes_a_year_known(cal: WorkingCalendar) -> None:
    # A hypothetical 2027 publication: New Year's Day off, Saturday 01-09 worked.
    y2027 = CalendarYear.of(2027, [date(2027, 1, 1)], [date(2027, 1, 9)])
    newer = cal.with_year(y2027, version="hq-2027.1")
    assert newer.knows(2027) and not cal.knows(2027)
    assert newer.version == "hq-2027.1" and newer.region == "CN"
    assert not newer.is_working_day(date(2027, 1, 1))
    assert newer.is_working_day(date(2027, 1, 9))
    assert newer.add_working_days(date(2026, 12, 31), 1) == (date(2027, 1, 4), False)
    # 2026-12-10 + 30: Dec gives 15, then Jan 4-8, 9 (Sat), 11-15, 18-21.
    assert newer.add_working_days(date(2026, 12, 10), 30) == (date(2027, 1, 21), False)
    assert newer.add_working_days(date(2026, 12, 10), 31) == (date(2027, 1, 22), False)
    assert cal.add_working_days(date(2026, 12, 10), 31) == (date(2027, 1, 22), True)


def test_with_year_replaces_a_corrected_year(cal: WorkingCalendar) -> None:
    corrected = CalendarYear.of(2026, cal.years[2026].holidays | {date(2026, 12, 31)}, [])
    newer = cal.with_year(corrected, version="hq-2026.2")
    assert not newer.is_working_day(date(2026, 12, 31))
    assert not newer.is_working_day(date(2026, 2, 14))  # its make-up Saturday was dropped
    assert newer.years[2026] == corrected
    assert newer.add_working_days(date(2026, 12, 30), 1) == (date(2027, 1, 1), True)


def test_knows_range(cal: WorkingCalendar) -> None:
    assert cal.knows_range(date(2004, 1, 1), date(2026, 12, 31))
    assert not cal.knows_range(date(2026, 12, 1), date(2027, 1, 1))
    assert not cal.knows_range(date(2003, 12, 31), date(2004, 1, 1))


def test_a_year_filed_under_the_wrong_number_is_refused() -> None:
    y2025 = CalendarYear.of(2025, [], [])
    with pytest.raises(CalendarError) as caught:
        WorkingCalendar({2026: y2025}, version="v")
    assert caught.value.key == "error.calendar.year_mismatch"
    assert caught.value.params["entry"] == "years.2026"


def test_json_round_trip(cal: WorkingCalendar) -> None:
    data = cal.to_json()
    assert data == read_json("calendars/cn.json")
    again = WorkingCalendar.from_json(json.loads(json.dumps(data)))
    assert again == cal
    assert again.to_json() == data
    newer = cal.with_year(CalendarYear.of(2027, [date(2027, 1, 1)], []), version="v2")
    assert WorkingCalendar.from_json(newer.to_json()) == newer
    assert newer != cal


def _broken(mutate: Any) -> dict[str, Any]:
    data = {
        "region": "CN",
        "version": "t",
        "years": {"2025": {"holidays": ["2025-10-01"], "workdays": ["2025-09-28"]}},
    }
    mutate(data)
    return data


@pytest.mark.parametrize(
    ("mutate", "key", "entry"),
    [
        (lambda d: d.pop("version"), "error.calendar.missing", "version"),
        (lambda d: d.update(extra=1), "error.calendar.unknown_field", "extra"),
        (
            lambda d: d["years"].update({"25": d["years"]["2025"]}),
            "error.calendar.bad_year",
            "years.25",
        ),
        (
            lambda d: d["years"]["2025"]["holidays"].append("2025-13-01"),
            "error.calendar.bad_date",
            "years.2025.holidays[1]",
        ),
        (
            lambda d: d["years"]["2025"]["holidays"].append("2024-10-01"),
            "error.calendar.date_outside_year",
            "years.2025.holidays[1]",
        ),
        (
            lambda d: d["years"]["2025"]["workdays"].append("2025-09-29"),
            "error.calendar.workday_not_weekend",
            "years.2025.workdays[1]",
        ),
        (
            lambda d: d["years"]["2025"]["holidays"].append("2025-10-01"),
            "error.calendar.duplicate_date",
            "years.2025.holidays[1]",
        ),
        (
            lambda d: d["years"]["2025"]["holidays"].append("2025-09-28"),
            "error.calendar.holiday_and_workday",
            "years.2025",
        ),
        (
            lambda d: d["years"]["2025"].pop("workdays"),
            "error.calendar.not_list",
            "years.2025.workdays",
        ),
    ],
)
def test_broken_calendar_data_names_the_entry(mutate: Any, key: str, entry: str) -> None:
    with pytest.raises(CalendarError) as caught:
        WorkingCalendar.from_json(_broken(mutate))
    assert caught.value.key == key
    assert caught.value.params["entry"] == entry


def test_calendar_year_checks_its_own_dates() -> None:
    with pytest.raises(CalendarError) as caught:
        CalendarYear.of(2025, [], [date(2025, 9, 29)])  # a Monday
    assert caught.value.key == "error.calendar.workday_not_weekend"
    with pytest.raises(CalendarError) as caught:
        CalendarYear.of(2025, [date(2026, 1, 1)], [])
    assert caught.value.key == "error.calendar.date_outside_year"


def test_schema_matches_the_data_format(cal: WorkingCalendar) -> None:
    schema = read_json("calendars/calendar.schema.json")
    assert set(schema["required"]) == set(cal.to_json())
    year_schema = schema["$defs"]["year"]
    assert set(year_schema["required"]) == set(cal.to_json()["years"]["2025"])
