"""The appointment book's pure rules: diaries, overlaps and the listed periods."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from branchdesk.domain.appointments import (
    Slot,
    day_bounds,
    find_conflict,
    overlaps,
    staff_key,
    week_bounds,
)

TZ = ZoneInfo("Asia/Shanghai")


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 26, hour, minute, tzinfo=TZ)


def test_staff_names_compare_without_spacing_or_case() -> None:
    assert staff_key(" 王  师傅 ") == staff_key("王 师傅")
    assert staff_key("Tech A") == staff_key("tech a")
    assert staff_key(None) is None and staff_key("   ") is None


def test_overlap_is_shared_time_and_back_to_back_is_not() -> None:
    assert overlaps(at(9), at(10), at(9, 30), at(11))
    assert overlaps(at(9), at(12), at(10), at(11))  # one inside the other
    assert not overlaps(at(9), at(10), at(10), at(11))
    assert not overlaps(at(11), at(12), at(9), at(10))


def test_conflict_is_the_earliest_clash_of_the_same_person_on_another_case() -> None:
    booked = [
        Slot("C-3", "王师傅", at(10), at(11)),
        Slot("C-2", "王师傅", at(9), at(10)),
        Slot("C-4", "李师傅", at(9), at(12)),
    ]
    new = Slot("C-9", "王师傅", at(9, 30), at(10, 30))
    clash = find_conflict(new, booked)
    assert clash is not None and clash.case_number == "C-2"
    assert find_conflict(Slot("C-2", "王师傅", at(9), at(10)), booked[1:2]) is None
    assert find_conflict(Slot("C-9", None, at(9), at(12)), booked) is None
    assert find_conflict(Slot("C-9", "王师傅", at(11), at(12)), booked) is None


def test_day_and_week_are_branch_local() -> None:
    start, end = day_bounds(date(2026, 11, 26), TZ)
    assert (start, end) == (datetime(2026, 11, 26, tzinfo=TZ), datetime(2026, 11, 27, tzinfo=TZ))
    monday, next_monday = week_bounds(date(2026, 11, 29), TZ)  # a Sunday
    assert monday == datetime(2026, 11, 23, tzinfo=TZ)
    assert next_monday == datetime(2026, 11, 30, tzinfo=TZ)
