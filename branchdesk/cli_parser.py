"""The command line's grammar: every command, option and help text. The actions'
options are generated from `branchdesk.domain.actions.ACTION_PARAMS`, so the CLI offers
exactly what the process engine accepts."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from branchdesk import (
    __version__,
    cli_archive,
    cli_backup,
    cli_export,
    cli_faq,
    cli_followup,
    cli_report,
)
from branchdesk.cli_exit import check_text
from branchdesk.domain.actions import ACTION_PARAMS, ParamType
from branchdesk.domain.model import CaseKind, Channel, Grade
from branchdesk.i18n import translate
from branchdesk.services import staff

ENV_STAFF = "BRANCHDESK_STAFF"
ENV_TOKEN = "BRANCHDESK_TOKEN"
ENV_PASSWORD = "BRANCHDESK_PASSWORD"


def _parse_datetime(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date-time (YYYY-MM-DD HH:MM): {value!r}") from None


def _parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


class Parser(argparse.ArgumentParser):
    """argparse that refuses an argument which is not text (bytes that are not UTF-8,
    e.g. from a script in another encoding) with `UsageError` naming the argument,
    for every option and argument of every command. Sub-commands' parsers are of this
    class too (argparse makes them of their parent's class)."""

    def add_argument(self, *names: Any, **kwargs: Any) -> argparse.Action:
        action = super().add_argument(*names, **kwargs)
        if action.nargs != 0:  # flags take no value
            action.type = _text_first(
                action.type, action.option_strings[0] if action.option_strings else action.dest
            )
        return action


def _text_first(convert: Any, name: str) -> Callable[[str], Any]:
    def checked(value: str) -> Any:
        check_text(value, name)
        return value if convert is None else convert(value)

    # argparse names the converter in its own messages ("invalid int value").
    checked.__name__ = getattr(convert, "__name__", "str")
    return checked


def _add_json(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="machine-readable output")


def build_parser() -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = Parser(
        prog="branchdesk",
        description="BranchDesk: service and complaint desk for telecom branch offices.",
    )
    parser.add_argument("--version", action="version", version=f"branchdesk {__version__}")
    parser.add_argument(
        "--data-dir",
        help="data directory (default: $BRANCHDESK_DATA_DIR or the platform's user data directory)",
    )
    parser.add_argument("--lang", help="output language: zh_CN or en (default: branch setting)")
    parser.add_argument(
        "--user",
        "--as",
        dest="actor",
        help=f"sign in as this staff number (or ${ENV_STAFF}); the password is asked for, "
        f"or read from ${ENV_PASSWORD}. Scripts: a token in ${ENV_TOKEN} instead",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("init", help="set up this branch: database, key, first administrator")
    p.add_argument("--branch-code", required=True, help="e.g. GZ0012")
    p.add_argument("--branch-name", required=True)
    p.add_argument("--admin-no", required=True, help="staff number of the first administrator")
    p.add_argument("--admin-name", required=True)
    p.add_argument("--address", default="")
    p.add_argument("--phone", default="")
    p.add_argument("--language", default="zh_CN", choices=("zh_CN", "en"))
    p.add_argument(
        "--no-keyring",
        action="store_true",
        help="derive the database key from a passphrase even if a keyring exists",
    )
    p.add_argument(
        "--recovery-sheet",
        metavar="FILE.pdf",
        help="write the archive recovery key's sheet here, to print and keep in the safe",
    )

    p = sub.add_parser(
        "start", help="open the branch (a demo branch on first run) and show today's queues"
    )
    p.add_argument(
        "--demo-cases",
        type=int,
        default=3000,
        help="demo cases to generate on first run (default 3000)",
    )

    case = sub.add_parser("case", help="record and work on cases").add_subparsers(
        dest="case_command", required=True, metavar="CASE_COMMAND"
    )
    p = case.add_parser("new", help="record a new service request, consultation or complaint")
    p.add_argument("--kind", required=True, choices=[k.value for k in CaseKind])
    p.add_argument("--channel", default=Channel.WALK_IN.value, choices=[c.value for c in Channel])
    p.add_argument("--category", required=True, help="catalogue code, e.g. technical/network")
    p.add_argument("--grade", default=Grade.ORDINARY.value, choices=[g.value for g in Grade])
    p.add_argument("--name", required=True, help="customer name")
    p.add_argument("--phone", required=True, help="contact phone")
    p.add_argument("--id-number", help="18-digit resident ID (optional)")
    p.add_argument("--service-number", help="the service or account number concerned")
    p.add_argument("--address")
    p.add_argument("--summary", required=True, help="what happened, in a line")
    p.add_argument("--description", default="")
    p.add_argument("--remedy", default="", help="what the customer wants (complaints)")
    p.add_argument("--event-date", type=_parse_date, help="when the disputed event happened")
    p.add_argument("--event-place")
    p.add_argument("--business", help="the business concerned")
    p.add_argument(
        "--received-at",
        type=_parse_datetime,
        help="real receipt time of a letter/phone complaint (branch local time)",
    )
    p.add_argument("--appointment-type", help="service requests: appointment service type")
    p.add_argument("--appointment-start", type=_parse_datetime)
    p.add_argument("--appointment-end", type=_parse_datetime)
    p.add_argument("--appointment-staff")
    p.add_argument(
        "--incident",
        metavar="INCIDENT_NO",
        help="complaints: link the new case to this active incident in the same save",
    )
    p.add_argument(
        "--idempotency-key",
        "--form-id",
        dest="idempotency_key",
        metavar="KEY",
        help="this form's own id (8-64 letters, digits, . _ : -; a UUID is best): run again"
        " with the same key and the same content, it prints the case already saved"
        " instead of recording a second one. Without it, one is made and printed on stderr"
        " before the save",
    )
    _add_json(p)

    p = case.add_parser("show", help="one case with its deadlines and history")
    p.add_argument("number")
    _add_json(p)

    p = case.add_parser(
        "reveal", help="the customer's full phone, ID and service numbers (audited)"
    )
    p.add_argument("number")
    _add_json(p)

    p = case.add_parser("list", help="cases, newest first")
    p.add_argument("--state")
    p.add_argument("--kind", choices=[k.value for k in CaseKind])
    p.add_argument("--owner")
    p.add_argument("--open", action="store_true", help="open cases only")
    p.add_argument("--limit", type=int, default=20)
    _add_json(p)

    p = case.add_parser("print", help="print a case document to a PDF file (recorded)")
    p.add_argument("number")
    p.add_argument(
        "--document",
        required=True,
        choices=("receipt", "closure_letter", "case_record", "appointment_confirmation"),
    )
    p.add_argument("--out", required=True, help="the PDF file to write")
    p.add_argument("--paper", choices=("80mm", "a4"), help="receipts: 80mm roll (default) or a4")
    p.add_argument(
        "--document-lang",
        choices=("zh_CN", "en"),
        help="the document's language (default: the branch's)",
    )
    _add_json(p)

    p = case.add_parser("act", help="take an action on a case")
    p.add_argument("number")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, specs in ACTION_PARAMS.items():
        ap = actions.add_parser(name, help=translate(f"label.Action.{name}", "en"))
        for spec in specs:
            flag = "--" + spec.name.replace("_", "-")
            parts = [translate(f"field.{spec.name}", "en")]
            if spec.choices is not None:
                many = spec.type is ParamType.CHOICES
                parts.append(
                    ("comma-separated: " if many else "one of: ")
                    + ", ".join(c.value for c in spec.choices)
                )
            elif spec.type is ParamType.BOOL:
                parts.append("yes or no")
            elif spec.type is ParamType.INT:
                parts.append(f"a whole number from {spec.minimum} to {spec.maximum}")
            # Required-ness is checked by the domain (one message for every bad field),
            # not by argparse, so the help only says it.
            parts.append("required" if spec.required else "optional")
            ap.add_argument(
                flag,
                dest=f"p_{spec.name}",
                metavar=spec.name.upper(),
                required=False,
                help="; ".join(parts),
            )
        _add_json(ap)

    p = sub.add_parser("search", help="find cases by text fragment, number, phone, service no.")
    p.add_argument("query", nargs="+")
    p.add_argument("--limit", type=int, default=20)
    _add_json(p)

    p = sub.add_parser("sla", help="the deadline queues")
    p.add_argument("queue", choices=("overdue", "due-today", "due-soon", "counts"))
    p.add_argument("--hours", type=int, default=4, help="due-soon window (default 4 h)")
    p.add_argument("--owner")
    p.add_argument("--limit", type=int, default=20)
    _add_json(p)

    p = sub.add_parser("demo", help="add realistic demo cases")
    p.add_argument("--cases", type=int, required=True)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--days", type=int, default=365, help="spread over the last N days")
    _add_json(p)

    cli_faq.add_case_parsers(case)

    p = sub.add_parser("logo", help="the logo on the letterhead of printed documents")
    p.add_argument("logo_command", choices=("set", "clear"))
    p.add_argument("file", nargs="?", help="set: a PNG image of at most 256 KB")
    _add_json(p)

    _accounts(sub)
    cli_followup.add_parsers(sub)
    cli_faq.add_parsers(sub)
    cli_archive.add_parsers(sub)
    cli_backup.add_parsers(sub)
    cli_export.add_parsers(sub)
    cli_report.add_parsers(sub)
    return parser


def _audit_filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--since", help="from this day (YYYY-MM-DD, branch time)")
    p.add_argument("--until", help="up to and including this day")
    p.add_argument("--staff", help="entries by this staff number")
    p.add_argument(
        "--action", dest="action_family", help="an action or family: case, auth, pii.reveal, …"
    )
    p.add_argument("--case", help="entries about this case number")


def _accounts(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    st = sub.add_parser("staff", help="staff accounts (administrators)").add_subparsers(
        dest="staff_command", required=True, metavar="STAFF_COMMAND"
    )
    p = st.add_parser("add", help="add an account; prints its one-time code")
    p.add_argument("--staff-no", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--roles", required=True, help="comma-separated: " + ", ".join(staff.ROLES))
    _add_json(p)
    p = st.add_parser("reset-password", help="a new one-time code (lifts a lockout)")
    p.add_argument("staff_no")
    _add_json(p)
    p = st.add_parser("roles", help="set an account's roles")
    p.add_argument("staff_no")
    p.add_argument("--roles", required=True, help="comma-separated: " + ", ".join(staff.ROLES))
    _add_json(p)
    for name in ("disable", "enable"):
        p = st.add_parser(name, help=f"{name} an account")
        p.add_argument("staff_no")
        _add_json(p)
    p = st.add_parser("list", help="accounts (with sign-in status for administrators)")
    _add_json(p)

    p = sub.add_parser("password", help="change your own password")
    _add_json(p)

    tk = sub.add_parser("token", help=f"your tokens for scripts (${ENV_TOKEN})").add_subparsers(
        dest="token_command", required=True, metavar="TOKEN_COMMAND"
    )
    p = tk.add_parser("create", help="a new token acting as you; shown once")
    p.add_argument("--label", required=True, help="what it is for, e.g. nightly export")
    _add_json(p)
    p = tk.add_parser("revoke")
    p.add_argument("id", type=int)
    _add_json(p)
    p = tk.add_parser("list")
    _add_json(p)

    au = sub.add_parser("audit", help="the audit trail").add_subparsers(
        dest="audit_command", required=True, metavar="AUDIT_COMMAND"
    )
    p = au.add_parser(
        "verify", help="check the hash chain; names the first edited/removed/inserted entry"
    )
    _add_json(p)
    p = au.add_parser("list", help="entries, newest first")
    _audit_filters(p)
    p.add_argument("--limit", type=int, default=50)
    _add_json(p)
    p = au.add_parser("export", help="entries to a CSV file (audited)")
    _audit_filters(p)
    p.add_argument("--out", required=True, help="the CSV file to write")
    _add_json(p)
