"""Regenerate `resources/calendars/cn.json`, the official China working-day calendar.

The data comes from the `chinesecalendar` package (a development dependency only: the app
reads the generated JSON and never imports it). Every day of every year the package knows
is asked through its public API, so the file agrees with it day by day:

- a day off that is not a plain weekend (a weekday holiday or bridge day), or any day the
  package names as a statutory holiday, goes to `holidays`;
- a Saturday or Sunday that is a working day (调休上班) goes to `workdays`.

Usage:
    python tools/build_calendar.py            # write resources/calendars/cn.json
    python tools/build_calendar.py --check    # exit 1 if the file is out of date
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import chinese_calendar

DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "resources" / "calendars" / "cn.json"
FIRST_YEAR = 2004  # the first year chinesecalendar has data for


def known_years(first: int = FIRST_YEAR) -> list[int]:
    """The consecutive years from `first` that chinesecalendar has data for."""
    years: list[int] = []
    year = first
    while True:
        try:
            chinese_calendar.is_workday(date(year, 1, 1))
        except NotImplementedError:
            return years
        years.append(year)
        year += 1


def year_entry(year: int) -> dict[str, list[str]]:
    holidays: list[str] = []
    workdays: list[str] = []
    day = date(year, 1, 1)
    while day.year == year:
        working = chinese_calendar.is_workday(day)
        _, holiday_name = chinese_calendar.get_holiday_detail(day)
        weekend = day.weekday() >= 5
        if working and weekend:
            workdays.append(day.isoformat())
        elif not working and (not weekend or holiday_name is not None):
            holidays.append(day.isoformat())
        day += timedelta(days=1)
    return {"holidays": holidays, "workdays": workdays}


def build(years: list[int]) -> dict[str, Any]:
    version = f"chinesecalendar-{chinese_calendar.__version__}"
    return {
        "region": "CN",
        "version": version,
        "years": {str(year): year_entry(year) for year in years},
    }


def render(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--first", type=int, default=FIRST_YEAR, help="first year to include")
    parser.add_argument("--last", type=int, default=None, help="last year (default: all known)")
    parser.add_argument("--check", action="store_true", help="only compare with --output")
    args = parser.parse_args(argv)

    years = [y for y in known_years(args.first) if args.last is None or y <= args.last]
    if not years:
        print(f"chinesecalendar has no data for {args.first}", file=sys.stderr)
        return 2
    text = render(build(years))
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is out of date: run tools/build_calendar.py", file=sys.stderr)
            return 1
        print(f"{args.output} is up to date ({years[0]}-{years[-1]})")
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output} ({years[0]}-{years[-1]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
