"""The command line for the FAQ knowledge base and the appointment book, run as the
signed-in person: `faq search TEXT`, `faq show ID`, `case answer-with NUMBER
ARTICLE_ID` and `appointments day|week [--date D] [--staff NAME]`. Moving an
appointment or recording a missed one are case actions (`case act NUMBER
reschedule_appointment --start … --end … --reason …`)."""

from __future__ import annotations

import argparse
from datetime import date

from branchdesk.cli_output import Printer
from branchdesk.domain.faq import LANGUAGES
from branchdesk.services import appointments, faq
from branchdesk.services.auth import Session
from branchdesk.services.context import ServiceContext


def _json(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="machine-readable output")


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cmds = sub.add_parser("faq", help="the FAQ knowledge base (常见问题)").add_subparsers(
        dest="faq_command", required=True, metavar="FAQ_COMMAND"
    )
    p = cmds.add_parser("search", help="articles matching every word, best first")
    p.add_argument("text", help="a Chinese fragment (1 character or more) or words")
    p.add_argument("--language", choices=LANGUAGES, help="only articles in this language")
    p.add_argument("--limit", type=int, default=20)
    _json(p)
    p = cmds.add_parser("show", help="one article's current version")
    p.add_argument("id", help="the article's key, e.g. porting-conditions")
    p.add_argument("--language", choices=LANGUAGES, default="zh_CN")
    _json(p)

    p = sub.add_parser("appointments", help="the appointment book (预约)")
    p.add_argument("period", choices=("day", "week"))
    p.add_argument("--date", help="YYYY-MM-DD, branch time (default: today)")
    p.add_argument("--staff", help="only this staff member or technician")
    p.add_argument("--remind", action="store_true", help="day: only those still to be kept")
    _json(p)


def add_case_parsers(case: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = case.add_parser("answer-with", help="answer a consultation with an FAQ article")
    p.add_argument("number")
    p.add_argument("article_id")
    p.add_argument("--language", choices=LANGUAGES, default="zh_CN")
    _json(p)


def cmd_faq(args: argparse.Namespace, ctx: ServiceContext, me: Session, out: Printer) -> bool:
    if args.faq_command == "search":
        hits = faq.search(
            ctx, args.text, actor=me.staff_no, language=args.language, limit=args.limit
        )
        out.rows(
            [
                {
                    "id": a.key,
                    "language": a.language,
                    "title": a.title,
                    "category": a.category,
                    "source": a.source.value,
                    "uses": a.uses,
                }
                for a in hits
            ]
        )
        return False
    a = faq.get_article(ctx, args.id, actor=me.staff_no, language=args.language)
    out.mapping(
        {
            "id": a.key,
            "title": a.title,
            "language": a.language,
            "version": a.version,
            "source": a.source.value,
            "category": a.category,
            "tags": ", ".join(a.tags),
            "uses": a.uses,
            "body": a.body,
        }
    )
    return False


def cmd_appointments(
    args: argparse.Namespace, ctx: ServiceContext, me: Session, out: Printer
) -> bool:
    day = date.fromisoformat(args.date) if args.date else ctx.now().date()
    if args.period == "week":
        entries = appointments.week_book(ctx, day, actor=me.staff_no, staff=args.staff)
    elif args.remind:
        entries = [
            e
            for e in appointments.reminders(ctx, day, actor=me.staff_no)
            if args.staff is None or e.staff == args.staff
        ]
    else:
        entries = appointments.day_book(ctx, day, actor=me.staff_no, staff=args.staff)
    out.rows(
        [
            {
                "case": e.case_number,
                "start": out.when(e.start),
                "end": f"{e.end:%H:%M}",
                "staff": e.staff or "",
                "service": e.service_type or "",
                "customer": e.customer_name,
                "status": e.status,
            }
            for e in entries
        ]
    )
    return False


def answer_with(args: argparse.Namespace, ctx: ServiceContext, actor: str, out: Printer) -> None:
    view = faq.answer_with_article(
        ctx, number=args.number, article_id=args.article_id, actor=actor, language=args.language
    )
    out.case(view)
