"""The command line for escalation follow-up, run as the signed-in person: the
supervision ledger (`ledger`), incidents (`incident create|list|show|suggest|link|
progress|notified|resolve|bulk-resolve|letters|report`) and return visits (`visits
list|record|reopen`). The supervision steps themselves are case actions:
`case act NUMBER report_progress --progress …` and the like."""

from __future__ import annotations

import argparse
from datetime import date, datetime
from pathlib import Path
from typing import Any

from branchdesk.cli_output import Printer
from branchdesk.domain.errors import FieldError, ValidationError
from branchdesk.domain.incidents import IncidentDraft, IncidentType, Resolution
from branchdesk.domain.return_visits import Outcome
from branchdesk.services import incident_bulk, incidents, return_visits, supervision
from branchdesk.services.auth import Session
from branchdesk.services.context import ServiceContext
from branchdesk.services.followup_reports import incident_report_pdf, ledger_pdf
from branchdesk.services.incident_letters import closure_letters
from branchdesk.services.private_files import private_file

_YES = {"yes", "y", "1", "true", "是"}
_NO = {"no", "n", "0", "false", "否"}


def _json(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="machine-readable output")


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("ledger", help="the supervision ledger (督办台账)")
    p.add_argument("--mine", action="store_true", help="only what I supervise")
    p.add_argument("--remind", action="store_true", help="only reports overdue or due soon")
    p.add_argument("--pdf", help="write the printable ledger to this file")
    _json(p)

    inc = sub.add_parser("incident", help="incidents (突发事件)").add_subparsers(
        dest="incident_command", required=True, metavar="INCIDENT_COMMAND"
    )
    p = inc.add_parser("create", help="record an incident (managers)")
    p.add_argument("--type", required=True, choices=[t.value for t in IncidentType])
    p.add_argument("--level", required=True, type=int, choices=(1, 2, 3))
    p.add_argument("--started", help="YYYY-MM-DDTHH:MM, branch time (default: now)")
    p.add_argument("--district", required=True)
    p.add_argument("--street", default="")
    p.add_argument("--cell", default="", help="cell or exchange")
    p.add_argument("--services", required=True, help="comma-separated categories or businesses")
    p.add_argument("--scope", required=True)
    p.add_argument("--cause", default="")
    p.add_argument("--measures", default="")
    p.add_argument("--expected-recovery", help="YYYY-MM-DDTHH:MM, branch time")
    p.add_argument("--title", default="")
    _json(p)
    p = inc.add_parser("list", help="incidents, newest first")
    p.add_argument("--active", action="store_true")
    _json(p)
    p = inc.add_parser("show", help="one incident with its timeline and cases")
    p.add_argument("number")
    _json(p)
    p = inc.add_parser("suggest", help="active incidents matching a complaint's service and area")
    p.add_argument("--category", required=True)
    p.add_argument("--business")
    p.add_argument("--place", action="append", default=[], help="event place or address")
    _json(p)
    p = inc.add_parser("link", help="link a case to the incident")
    p.add_argument("number")
    p.add_argument("case")
    _json(p)
    p = inc.add_parser("progress", help="a progress update, pushed as a note to linked cases")
    p.add_argument("number")
    p.add_argument("text")
    p.add_argument("--no-push", action="store_true", help="do not note it on the cases")
    _json(p)
    p = inc.add_parser("notified", help="customers were told")
    p.add_argument("number")
    p.add_argument("--text", default="")
    _json(p)
    p = inc.add_parser("resolve", help="record root cause, explanation and compensation")
    p.add_argument("number")
    p.add_argument("--root-cause", required=True)
    p.add_argument("--explanation", required=True, help="what every linked customer is told")
    p.add_argument("--compensation-rule", default="")
    p.add_argument("--compensation-fen", type=int, default=0)
    p.add_argument("--lessons", default="")
    _json(p)
    p = inc.add_parser("bulk-resolve", help="resolve every linked case (resumable)")
    p.add_argument("number")
    _json(p)
    p = inc.add_parser("letters", help="the closure letters of the resolved cases, one PDF")
    p.add_argument("number")
    p.add_argument("--out", required=True)
    _json(p)
    p = inc.add_parser("report", help="the incident summary report PDF")
    p.add_argument("number")
    p.add_argument("--out", required=True)
    _json(p)

    vi = sub.add_parser("visits", help="return visits (回访)").add_subparsers(
        dest="visits_command", required=True, metavar="VISITS_COMMAND"
    )
    p = vi.add_parser("list", help="the call list for a day (default today)")
    p.add_argument("--day", help="YYYY-MM-DD")
    _json(p)
    p = vi.add_parser("record", help="the outcome of a call")
    p.add_argument("id", type=int)
    p.add_argument("--reached", required=True, help="yes or no")
    p.add_argument("--score", type=int, help="1-5, when reached")
    p.add_argument("--solved", help="yes or no, when reached")
    p.add_argument("--comment", default="")
    _json(p)
    p = vi.add_parser(
        "schedule-missing", help="visits for cases closed lately without one (after an upgrade)"
    )
    p.add_argument("--days", type=int, default=5)
    _json(p)
    p = vi.add_parser("reopen", help="reopen the case after a dissatisfied visit")
    p.add_argument("id", type=int)
    p.add_argument("--reason", required=True)
    _json(p)


def _yes_no(field: str, value: str | None) -> bool | None:
    if value is None:
        return None
    word = value.strip().lower()
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise ValidationError([FieldError(field, "error.field.not_yes_no")])


def _shown(out: Printer) -> incidents.Progress:
    """Progress on standard error, never stopping the run."""

    def show(done: int, total: int) -> bool:
        if done == total or done % 50 == 0:
            out.progress(done, total)
        return True

    return show


def _when(ctx: ServiceContext, field: str, value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError([FieldError(field, "error.field.invalid")]) from None
    return parsed.replace(tzinfo=ctx.tz) if parsed.tzinfo is None else parsed


def _incident_row(out: Printer, i: incidents.Incident) -> dict[str, Any]:
    return {
        "number": i.number,
        "type": out.word("label.IncidentType", i.type),
        "level": i.level,
        "status": out.word("label.IncidentStatus", i.status),
        "started_at": out.when(i.started_at),
        "area": " ".join(p for p in (i.district, i.street, i.cell) if p),
        "notify_due_at": out.when(i.notify_due_at),
        "notified_at": out.when(i.notified_at),
        "linked": i.linked,
    }


def cmd_ledger(args: argparse.Namespace, ctx: ServiceContext, me: Session, out: Printer) -> bool:
    if args.pdf:
        who = me.staff_no if args.mine else None
        # Names customers and their cases: for the person alone, as exports are.
        with private_file(Path(args.pdf)) as f:
            f.write(ledger_pdf(ctx, actor=me.staff_no, supervisor=who))
        out.mapping({"file": args.pdf})
        return True
    if args.remind:
        entries = supervision.reminders(ctx, actor=me.staff_no)
    else:
        mine = me.staff_no if args.mine else None
        entries = supervision.ledger(ctx, actor=me.staff_no, supervisor=mine)
    out.rows(
        [
            {
                "number": e.number,
                "supervisor": e.supervision.supervisor,
                "since": out.when(e.supervision.started_at),
                "latest": e.supervision.latest.text if e.supervision.latest else "",
                "next_due": out.when(e.supervision.next_due_at),
                "overdue": "!" if e.overdue else "",
                "missed": e.missed_count,
            }
            for e in entries
        ]
    )
    return False


def cmd_incident(args: argparse.Namespace, ctx: ServiceContext, me: Session, out: Printer) -> bool:
    command, actor = args.incident_command, me.staff_no
    if command == "create":
        draft = IncidentDraft(
            type=args.type,
            level=args.level,
            started_at=_when(ctx, "started_at", args.started) or ctx.now(),
            district=args.district,
            street=args.street,
            cell=args.cell,
            services=[s for s in args.services.split(",")],
            scope=args.scope,
            cause=args.cause,
            measures=args.measures,
            expected_recovery_at=_when(ctx, "expected_recovery_at", args.expected_recovery),
            title=args.title,
        )
        out.mapping(_incident_row(out, incidents.create_incident(ctx, draft, actor=actor)))
        return True
    if command == "list":
        found = incidents.list_incidents(ctx, actor=actor, active_only=args.active)
        out.rows([_incident_row(out, i) for i in found])
        return False
    if command == "show":
        detail = incidents.get_incident(ctx, args.number, actor=actor)
        if out.as_json:
            out.emit_json(detail)
            return False
        out.mapping(_incident_row(out, detail.incident))
        out.line()
        out.rows(
            [
                {"at": out.when(u.at), "who": u.actor, "kind": u.kind, "text": u.text}
                for u in detail.updates
            ]
        )
        out.line()
        out.rows(
            [
                {
                    "case": c.number,
                    "state": out.word("label.CaseState", c.state),
                    "summary": c.summary,
                    "outcome": c.outcome or "",
                }
                for c in detail.cases
            ]
        )
        return False
    if command == "suggest":
        found = incidents.suggest_incidents(
            ctx, category=args.category, business=args.business, places=args.place
        )
        out.rows([_incident_row(out, i) for i in found])
        return False
    if command == "link":
        view = incidents.link_case(ctx, incident=args.number, number=args.case, actor=actor)
        out.mapping({"case": view.case.number, "incident": view.case.incident})
        return True
    if command == "progress":
        pushed = incidents.record_progress(
            ctx, args.number, text=args.text, actor=actor, push=not args.no_push
        )
        out.mapping({"incident": args.number, "cases_noted": pushed})
        return True
    if command == "notified":
        out.mapping(
            _incident_row(
                out, incidents.mark_notified(ctx, args.number, actor=actor, text=args.text)
            )
        )
        return True
    if command == "resolve":
        resolution = Resolution(
            root_cause=args.root_cause,
            explanation=args.explanation,
            compensation_rule=args.compensation_rule,
            compensation_fen=args.compensation_fen,
            lessons=args.lessons,
        )
        out.mapping(
            _incident_row(
                out, incidents.resolve_incident(ctx, args.number, resolution, actor=actor)
            )
        )
        return True
    if command == "bulk-resolve":
        result = incident_bulk.bulk_resolve(ctx, args.number, actor=actor, progress=_shown(out))
        out.mapping(
            {"resolved": result.resolved, "skipped": result.skipped, "remaining": result.remaining}
        )
        return True
    if command == "letters":
        with private_file(Path(args.out)) as f:  # customers' letters
            batch = closure_letters(ctx, args.number, actor=actor, progress=_shown(out))
            f.write(batch.pdf)
        out.mapping({"file": args.out, "letters": len(batch.numbers), "pages": batch.pages})
        return True
    with private_file(Path(args.out)) as f:  # the affected customers' cases
        f.write(incident_report_pdf(ctx, args.number, actor=actor))
    out.mapping({"file": args.out})
    return True


def cmd_visits(args: argparse.Namespace, ctx: ServiceContext, me: Session, out: Printer) -> bool:
    command, actor = args.visits_command, me.staff_no
    if command == "list":
        day = date.fromisoformat(args.day) if args.day else None
        visits = return_visits.call_list(ctx, actor=actor, day=day)
        out.rows(
            [
                {
                    "id": v.id,
                    "case": v.number,
                    "customer": v.customer_name,
                    "phone": v.phone_masked,
                    "due": out.when(v.due_at),
                    "attempts": v.attempts,
                    "overdue": "!" if v.overdue else "",
                }
                for v in visits
            ]
        )
        return False
    if command == "record":
        reached = bool(_yes_no("reached", args.reached))
        outcome = Outcome(reached, args.score, _yes_no("solved", args.solved), args.comment)
        visit = return_visits.record_outcome(ctx, visit_id=args.id, outcome=outcome, actor=actor)
        out.mapping(
            {
                "id": visit.id,
                "case": visit.number,
                "status": out.word("label.VisitStatus", visit.status),
                "attempts": visit.attempts,
                "dissatisfied": visit.dissatisfied,
            }
        )
        return True
    if command == "schedule-missing":
        made = return_visits.schedule_missing(ctx, actor=actor, days=args.days)
        out.mapping({"scheduled": made})
        return True
    seq = return_visits.reopen_from_visit(ctx, visit_id=args.id, reason=args.reason, actor=actor)
    out.mapping({"id": args.id, "reopen_event": seq})
    return True
