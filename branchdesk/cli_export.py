"""The command line for exports, run as the signed-in person:

    branchdesk export cases --format xlsx|csv --out FILE
        [--state S] [--kind K] [--owner STAFF_NO] [--grade G] [--category C] [--open]
        [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--unmasked]

Cases newest first, labels in the output language, personal data masked unless
`--unmasked` (which needs the permission `cases.export_personal`: refused with exit
status 6 otherwise, never quietly masked). The export is audited; Ctrl+C leaves no file.
"""

from __future__ import annotations

import argparse
from datetime import date, datetime, time, timedelta
from pathlib import Path

from branchdesk.cli_output import Printer
from branchdesk.domain.model import CaseKind, Grade
from branchdesk.i18n import translate
from branchdesk.services import exports
from branchdesk.services.auth import Session
from branchdesk.services.context import ServiceContext


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    commands = sub.add_parser(
        "export", help="cases to a spreadsheet file, XLSX or CSV (audited)"
    ).add_subparsers(dest="export_command", required=True, metavar="EXPORT_COMMAND")
    p = commands.add_parser(
        "cases", help="cases, newest first; phone, ID and service numbers masked"
    )
    p.add_argument("--format", dest="export_format", required=True, choices=exports.FORMATS)
    p.add_argument("--out", required=True, help="the file to write (.xlsx or .csv)")
    p.add_argument("--state", help="a state code, e.g. received, closed")
    p.add_argument("--kind", choices=[k.value for k in CaseKind])
    p.add_argument("--owner", help="cases of this staff number")
    p.add_argument("--grade", choices=[g.value for g in Grade])
    p.add_argument(
        "--category", help="a catalogue code; a top level (technical) includes its leaves"
    )
    p.add_argument("--open", action="store_true", help="open cases only")
    p.add_argument("--since", type=_day, help="received on or after this day (branch time)")
    p.add_argument("--until", type=_day, help="received up to and including this day")
    p.add_argument(
        "--unmasked",
        action="store_true",
        help="full phone, ID and service numbers (needs cases.export_personal)",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")


def _selection(args: argparse.Namespace, ctx: ServiceContext) -> exports.CaseSelection:
    def midnight(day: date | None, *, after: bool) -> datetime | None:
        if day is None:
            return None
        start = datetime.combine(day, time(0), tzinfo=ctx.tz)
        return start + timedelta(days=1) if after else start

    chosen = {
        name: getattr(args, name)
        for name in ("state", "kind", "owner", "grade", "category")
        if getattr(args, name)
    }
    words = [f"{k}={v}" for k, v in chosen.items()]
    if args.open:
        words.append("open")
    if args.since:
        words.append(f"since {args.since}")
    if args.until:
        words.append(f"until {args.until}")
    return exports.CaseSelection(
        **chosen,
        open_only=args.open,
        received_since=midnight(args.since, after=False),
        received_until=midnight(args.until, after=True),
        description="command line: " + (", ".join(words) or "all cases"),
    )


def cmd_export(args: argparse.Namespace, ctx: ServiceContext, me: Session, out: Printer) -> bool:
    shown = [-1]  # the last tenth reported

    def progress(done: int, total: int) -> None:
        tenth = 10 * done // total if total else 10
        if not out.as_json and tenth > shown[0]:
            shown[0] = tenth
            out.note(translate("cli.export.progress", out.lang, done=done, total=total))

    result = exports.export_cases(
        ctx,
        actor=me.staff_no,
        selection=_selection(args, ctx),
        path=Path(args.out),
        fmt=args.export_format,
        lang=out.lang,
        unmasked=args.unmasked,
        progress=progress,
    )
    out.mapping(
        {
            "file": str(result.path),
            "rows": result.rows,
            "format": result.format,
            "masked": result.masked,
        }
    )
    return True
