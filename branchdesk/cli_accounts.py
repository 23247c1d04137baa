"""The command line as a named person: signing in (a per-user token for scripts, or a
staff number and password), and the commands for accounts, tokens and the audit
trail. Every command but `init` runs only after a successful sign-in, so everything
a script does is on the audit trail under a real name."""

from __future__ import annotations

import argparse
import getpass
import io
import os
import sys
from datetime import datetime, timedelta
from pathlib import Path

from branchdesk.cli_exit import ChainBroken, check_text
from branchdesk.cli_output import Printer
from branchdesk.domain.errors import DomainError, FieldError, ValidationError
from branchdesk.i18n import translate
from branchdesk.services import audit, auth, staff
from branchdesk.services.auth import Session
from branchdesk.services.context import ServiceContext
from branchdesk.services.private_files import private_file

ENV_STAFF = "BRANCHDESK_STAFF"
ENV_PASSWORD = "BRANCHDESK_PASSWORD"
ENV_TOKEN = "BRANCHDESK_TOKEN"


def ask_password(prompt_key: str, out: Printer, *, confirm: bool = False, env: bool = True) -> str:
    """From $BRANCHDESK_PASSWORD (scripts) or typed at a terminal, never echoed."""
    value = os.environ.get(ENV_PASSWORD) if env else None
    if value:
        return check_text(value, ENV_PASSWORD)
    if not sys.stdin.isatty():
        # A script: nobody can type it. Say which variable would have given it.
        field = prompt_key.removeprefix("field.")
        if env:
            raise DomainError("error.auth.password_needed", field=field, env=ENV_PASSWORD)
        raise DomainError("error.auth.password_needed_terminal", field=field)
    first = getpass.getpass(translate(prompt_key, out.lang) + ": ")
    if confirm and getpass.getpass(translate("field.password_again", out.lang) + ": ") != first:
        raise ValidationError([FieldError("password_again", "error.password.mismatch")])
    return first


def sign_in(args: argparse.Namespace, ctx: ServiceContext, out: Printer) -> Session:
    """The person this command runs as: $BRANCHDESK_TOKEN, else --user (or
    $BRANCHDESK_STAFF) with a password. A one-time code must be replaced first."""
    token = os.environ.get(ENV_TOKEN)
    if token:
        return auth.sign_in_with_token(ctx, check_text(token, ENV_TOKEN))
    user = getattr(args, "actor", None) or check_text(os.environ.get(ENV_STAFF, ""), ENV_STAFF)
    if not user:
        raise DomainError("error.auth.not_signed_in", env=ENV_TOKEN)
    given = getattr(args, "password", None) or os.environ.get(ENV_PASSWORD)
    password = getattr(args, "password", None) or ask_password("field.password", out)
    try:
        session = auth.sign_in(ctx, staff_no=str(user), password=password)
    except auth.SignInError as exc:
        if exc.key != auth.FIRST_PASSWORD_AGAIN:
            raise
        # The first password of a branch from before sign-in: typed twice at a
        # terminal; one given by a script ($BRANCHDESK_PASSWORD) counts as confirmed,
        # as at `init`: nobody typed it there to mistype it.
        again = password
        if not given:
            out.note(translate(exc.key, out.lang, **exc.params))
            again = ask_password("field.password_again", out, env=False)
        session = auth.sign_in(ctx, staff_no=str(user), password=password, again=again)
    if session.must_change_password:
        out.note(translate("error.auth.must_change_password", out.lang, staff_no=user))
        new = ask_password("field.new_password", out, confirm=True, env=False)
        session = auth.change_password(ctx, staff_no=str(user), old=password, new=new)
    return session


def cmd_password(args: argparse.Namespace, ctx: ServiceContext, me: Session, out: Printer) -> bool:
    old = ask_password("field.old_password", out, env=False)
    new = ask_password("field.new_password", out, confirm=True, env=False)
    auth.change_password(ctx, staff_no=me.staff_no, old=old, new=new)
    out.mapping({"staff_no": me.staff_no, "password": "changed"})
    out.note(translate("cli.password.tokens_note", out.lang))
    return True


def _code(out: Printer, staff_no: str, code: str) -> None:
    out.mapping({"staff_no": staff_no, "one_time_code": code})
    out.note(translate("cli.staff.code_note", out.lang, hours=24))


def cmd_staff(args: argparse.Namespace, ctx: ServiceContext, me: Session, out: Printer) -> bool:
    command = args.staff_command
    if command == "add":
        roles = tuple(r.strip() for r in args.roles.split(",") if r.strip())
        new = staff.add_staff(
            ctx, staff_no=args.staff_no, name=args.name, roles=roles, actor=me.staff_no
        )
        _code(out, new.member.staff_no, new.one_time_code)
        return True
    if command == "reset-password":
        _code(
            out, args.staff_no, auth.reset_password(ctx, staff_no=args.staff_no, actor=me.staff_no)
        )
        out.note(translate("cli.staff.tokens_note", out.lang, staff_no=args.staff_no))
        return True
    if command == "roles":
        roles = tuple(r.strip() for r in args.roles.split(",") if r.strip())
        member = staff.set_roles(ctx, staff_no=args.staff_no, roles=roles, actor=me.staff_no)
        out.mapping({"staff_no": member.staff_no, "roles": ",".join(member.roles)})
        return True
    if command in ("disable", "enable"):
        member = staff.set_active(
            ctx, staff_no=args.staff_no, active=command == "enable", actor=me.staff_no
        )
        out.mapping({"staff_no": member.staff_no, "active": member.active})
        return True
    if ctx.permissions.allows("staff.manage", actor=me.staff_no, roles=me.roles):
        out.rows(
            [
                {
                    "staff_no": a.staff_no,
                    "name": a.name,
                    "roles": ",".join(a.roles),
                    "active": a.active,
                    "must_change_password": a.must_change_password,
                    "locked_until": a.locked_until,
                    "last_sign_in_at": a.last_sign_in_at,
                }
                for a in staff.staff_accounts(ctx, actor=me.staff_no)
            ]
        )
    else:
        out.rows(
            [
                {"staff_no": m.staff_no, "name": m.name, "roles": ",".join(m.roles)}
                for m in staff.list_staff(ctx)
                if m.active
            ]
        )
    return False


def cmd_token(args: argparse.Namespace, ctx: ServiceContext, me: Session, out: Printer) -> bool:
    if args.token_command == "create":
        token = auth.create_token(ctx, label=args.label, actor=me.staff_no)
        out.mapping({"staff_no": me.staff_no, "token": token})
        out.note(translate("cli.token.note", out.lang, env=ENV_TOKEN))
        return True
    if args.token_command == "revoke":
        auth.revoke_token(ctx, token_id=args.id, actor=me.staff_no)
        out.mapping({"token": args.id, "revoked": True})
        return True
    out.rows(
        [
            {
                "id": t.id,
                "staff_no": t.staff_no,
                "label": t.label,
                "created_at": t.created_at,
                "last_used_at": t.last_used_at,
                "revoked_at": t.revoked_at,
            }
            for t in auth.list_tokens(ctx, actor=me.staff_no)
        ]
    )
    return False


def _local_day(ctx: ServiceContext, value: str | None, *, end: bool) -> datetime | None:
    if not value:
        return None
    day = datetime.fromisoformat(value).replace(tzinfo=ctx.tz)
    return day + timedelta(days=1) if end else day


def _filter(ctx: ServiceContext, args: argparse.Namespace) -> audit.AuditFilter:
    return audit.AuditFilter(
        since=_local_day(ctx, args.since, end=False),
        until=_local_day(ctx, args.until, end=True),
        actor=args.staff,
        action=args.action_family,
        case_number=args.case,
    )


def cmd_audit(args: argparse.Namespace, ctx: ServiceContext, me: Session, out: Printer) -> bool:
    if args.audit_command == "verify":
        report = audit.verify_chain(ctx, actor=me.staff_no, progress=_progress(out))
        _print_report(report, out)
        if not report.ok:
            raise ChainBroken()
        return True
    if args.audit_command == "export":
        # Names staff, customers' cases and workstations: for the person alone.
        with private_file(Path(args.out)) as f:
            buffer = io.StringIO()
            rows = audit.export_csv(ctx, actor=me.staff_no, filter=_filter(ctx, args), out=buffer)
            # UTF-8 with a byte-order mark: what spreadsheet programs need to read Chinese.
            f.write(buffer.getvalue().encode("utf-8-sig"))
        out.mapping({"file": args.out, "rows": rows})
        return True
    entries = audit.browse(ctx, actor=me.staff_no, filter=_filter(ctx, args), limit=args.limit)
    out.rows(
        [
            {
                "id": e.id,
                "at": e.at,
                "staff_no": e.actor,
                "name": e.actor_name,
                "action": e.action,
                "case": e.case_number or "",
                "workstation": e.workstation,
            }
            for e in entries
        ]
    )
    return False


def _progress(out: Printer) -> audit.Progress:
    def report(done: int, total: int) -> bool:
        out.progress(done, total)
        return True

    return report


def _print_report(report: audit.VerifyReport, out: Printer) -> None:
    first = report.first_break
    out.mapping(
        {
            "checked": report.checked,
            "anchors_checked": report.anchors_checked,
            "head_id": report.head.audit_id if report.head else None,
            "head_hash": report.head.hash if report.head else None,
            "ok": report.ok,
            "breaks": len(report.breaks),
            "first_break": first.audit_id if first else None,
            "first_break_kind": str(first.kind) if first else None,
        }
    )
    if first is not None:
        out.error(
            translate(
                f"cli.audit.break.{first.kind}",
                out.lang,
                id=first.audit_id,
                previous=first.previous_id if first.previous_id is not None else "-",
                at=out.when(first.at) if first.at else "",
                action=first.action or "",
                actor=first.actor or "",
            )
        )
