"""The command line for the manager's printed reports, run as the signed-in person:
`report quality (--month 2026-11 | --since D --until D) [--kind K] [--category C]
[--grade G] [--staff NO] [--lang zh_CN|en] --pdf FILE` writes the service-quality
report of a month, or of the days from --since to --until (both included, branch
time), to FILE."""

from __future__ import annotations

import argparse
import re
from datetime import date, datetime, timedelta
from pathlib import Path

from branchdesk.cli_output import Printer
from branchdesk.domain.errors import FieldError, ValidationError
from branchdesk.domain.model import CaseKind, Grade
from branchdesk.services.auth import Session
from branchdesk.services.context import ServiceContext
from branchdesk.services.private_files import private_file
from branchdesk.services.quality import QualityFilter
from branchdesk.services.quality_reports import month_period, quality_report_pdf

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    reports = sub.add_parser("report", help="printed reports for managers").add_subparsers(
        dest="report_command", required=True, metavar="REPORT_COMMAND"
    )
    p = reports.add_parser(
        "quality", help="the service-quality report (服务质量报告) of a month or period, as PDF"
    )
    period = p.add_mutually_exclusive_group()
    period.add_argument("--month", help="YYYY-MM, e.g. 2026-11")
    period.add_argument("--since", help="first day, YYYY-MM-DD (branch time)")
    p.add_argument("--until", help="last day, included (YYYY-MM-DD); with --since")
    p.add_argument("--kind", choices=[k.value for k in CaseKind], help="only this case type")
    p.add_argument("--category", help="only this category, e.g. technical or technical/network")
    p.add_argument("--grade", choices=[g.value for g in Grade], help="only this grade")
    p.add_argument("--staff", help="only the cases this staff number owns")
    p.add_argument(
        "--lang",
        dest="report_lang",
        choices=("zh_CN", "en"),
        help="the report's language (default: the branch's)",
    )
    p.add_argument("--pdf", required=True, metavar="FILE", help="the PDF file to write")
    p.add_argument("--json", action="store_true", help="machine-readable output")


def _day(field: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError([FieldError(field, "error.quality.date_format")]) from None


def period_of(args: argparse.Namespace, ctx: ServiceContext) -> tuple[datetime, datetime]:
    """[since, until) from --month, or from --since and --until (the last day included)."""
    if args.month:
        found = _MONTH.match(args.month)
        if found is None:
            raise ValidationError([FieldError("quality_month", "error.quality.month_format")])
        return month_period(ctx, int(found.group(1)), int(found.group(2)))
    missing = [
        FieldError(field, "error.field.required")
        for field, value in (("quality_since", args.since), ("quality_until", args.until))
        if not value
    ]
    if len(missing) == 2:
        raise ValidationError([FieldError("", "error.quality.period_missing")])
    if missing:
        raise ValidationError(missing)
    first, last = _day("quality_since", args.since), _day("quality_until", args.until)
    if last < first:
        raise ValidationError([FieldError("quality_until", "error.quality.until_before_since")])
    since = datetime.combine(first, datetime.min.time(), tzinfo=ctx.tz)
    until = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=ctx.tz)
    return since, until


def cmd_report(args: argparse.Namespace, ctx: ServiceContext, me: Session, out: Printer) -> bool:
    since, until = period_of(args, ctx)
    where = QualityFilter(
        kind=args.kind, category=args.category, grade=args.grade, staff=args.staff
    )
    # Names staff and their figures: for the person alone, as exports are.
    with private_file(Path(args.pdf)) as f:
        pdf = quality_report_pdf(
            ctx,
            actor=me.staff_no,
            since=since,
            until=until,
            where=where,
            lang=args.report_lang or args.lang,
        )
        f.write(pdf)
    out.mapping(
        {
            "file": args.pdf,
            "since": out.when(since),
            "until": out.when(until),
            "bytes": len(pdf),
        }
    )
    return True
