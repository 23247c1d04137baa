"""How times, durations and deadlines read for a person, in a given language and time
zone. Shared by the command line and the desktop, so both say the same thing."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from branchdesk.i18n import translate

NEARLY_DUE = timedelta(hours=4)


def when(value: datetime | None, tz: ZoneInfo) -> str:
    """ "2026-11-29 14:03" in the branch's zone ("" for no time)."""
    return "" if value is None else value.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def duration(delta: timedelta, lang: str) -> str:
    """ "2天3小时" / "5 h 12 min": days and hours past a day, else hours and minutes."""
    minutes = int(abs(delta).total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    if hours >= 24:
        return translate("format.duration.days", lang, days=hours // 24, hours=hours % 24)
    return translate("format.duration.hours", lang, hours=hours, minutes=minutes)


def time_left(due: datetime | None, now: datetime, lang: str) -> str:
    """ "剩余 3小时5分" / "overdue by 2 d 1 h" ("" when there is no deadline)."""
    if due is None:
        return ""
    delta = due - now
    key = "format.overdue_by" if delta < timedelta(0) else "format.time_left"
    return translate(key, lang, duration=duration(delta, lang))


def urgency(due: datetime | None, now: datetime, *, paused: bool = False) -> str:
    """ "overdue", "nearly_due", "ok" or "none": how a deadline is coloured."""
    if due is None or paused:
        return "none"
    if due < now:
        return "overdue"
    if due - now <= NEARLY_DUE:
        return "nearly_due"
    return "ok"
