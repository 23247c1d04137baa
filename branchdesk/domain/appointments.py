"""The appointment book's rules, pure: whose diary a slot is in, when two slots clash,
and which days a day or week listing covers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Slot:
    """One booked appointment as the book sees it."""

    case_number: str
    staff: str | None
    start: datetime
    end: datetime


def staff_key(name: str | None) -> str | None:
    """The staff member or technician a slot belongs to, for comparing: "王师傅" and
    " 王师傅 " are the same diary; a slot with no one named belongs to no diary."""
    if name is None:
        return None
    key = " ".join(name.split()).casefold()
    return key or None


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Whether two slots share any time. Back-to-back slots (one ends as the next
    starts) do not: a technician may go from one visit straight to the next."""
    return a_start < b_end and b_start < a_end


def find_conflict(new: Slot, booked: Iterable[Slot]) -> Slot | None:
    """The first booked slot (earliest start) of the same person that overlaps `new`,
    other than `new`'s own case; None if the slot is free."""
    key = staff_key(new.staff)
    if key is None:
        return None
    clashes = [
        s
        for s in booked
        if s.case_number != new.case_number
        and staff_key(s.staff) == key
        and overlaps(new.start, new.end, s.start, s.end)
    ]
    return min(clashes, key=lambda s: s.start, default=None)


def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The branch-local day as [start, end)."""
    start = datetime.combine(day, time(), tz)
    return start, datetime.combine(day + timedelta(days=1), time(), tz)


def week_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The branch-local week (Monday to Sunday) holding `day`, as [start, end)."""
    monday = day - timedelta(days=day.weekday())
    start = datetime.combine(monday, time(), tz)
    return start, datetime.combine(monday + timedelta(days=7), time(), tz)
