"""The headless command line: the same services the desktop uses, for administrators,
scripts and tests.

Every read has `--json`. Errors go to stderr in the chosen language, naming the field
and the problem, with a non-zero exit status:
2 invalid input, 3 action not allowed now, 4 not found, 5 set-up or database problem,
6 sign-in refused or the role does not allow it, 7 the audit trail is broken.

Every command but `init` signs in first (`--user` and a password, or a per-user token
in $BRANCHDESK_TOKEN): see `cli_accounts`.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from branchdesk import (
    cli_accounts,
    cli_archive,
    cli_backup,
    cli_export,
    cli_faq,
    cli_followup,
    cli_report,
)
from branchdesk.bootstrap import (
    ENV_PASSPHRASE,
    SetupError,
    initialise,
    is_initialised,
    key_mode,
    open_branch,
    resolve_data_dir,
)
from branchdesk.cli_accounts import ask_password
from branchdesk.cli_exit import INVALID_INPUT, ChainBroken, UsageError, check_text, exit_status
from branchdesk.cli_output import Printer
from branchdesk.cli_parser import build_parser
from branchdesk.domain.errors import DomainError, ValidationError
from branchdesk.domain.model import Appointment, Customer, IntakeForm
from branchdesk.i18n import format_field_errors, resolve_language, translate
from branchdesk.persistence import maintenance
from branchdesk.secrets import default_secret_store
from branchdesk.services import cases, demo, printing, queries
from branchdesk.services.auth import Session
from branchdesk.services.branch import branch_info, set_branch_logo
from branchdesk.services.context import ServiceContext
from branchdesk.services.private_files import private_file, write_private

ENV_LANG = "BRANCHDESK_LANG"


# --------------------------------------------------------------------------- commands


def _passphrase(*, confirm: bool) -> str | None:
    value = os.environ.get(ENV_PASSPHRASE)
    if value:
        return check_text(value, ENV_PASSPHRASE)
    if not sys.stdin.isatty():
        return None
    first = getpass.getpass("Passphrase / 口令: ")
    if confirm and getpass.getpass("Again / 再次输入: ") != first:
        raise UsageError("error.cli.passphrase_mismatch")
    return first


def _open(args: argparse.Namespace, out: Printer) -> ServiceContext:
    data_dir = resolve_data_dir(args.data_dir)
    if not is_initialised(data_dir):
        raise SetupError("error.setup.not_initialised", path=str(data_dir))
    passphrase = _passphrase(confirm=False) if key_mode(data_dir) == "passphrase" else None
    ctx = open_branch(data_dir, passphrase=passphrase)
    args.branch_passphrase = passphrase  # the archive keys of passphrase mode need it too
    out.use_branch(ctx)
    try:
        args.session = cli_accounts.sign_in(args, ctx, out)
    except BaseException:
        ctx.db.close()
        raise
    return ctx


def _actor(args: argparse.Namespace, ctx: ServiceContext) -> str:
    """The signed-in person (`_open` signed them in)."""
    return str(args.session.staff_no)


def _close(ctx: ServiceContext, *, wrote: bool) -> None:
    """Close the branch; after a write, first the index and log upkeep a clerk's save
    does not wait for (a few milliseconds)."""
    try:
        if wrote:
            maintenance.maintain(ctx.db)
    finally:
        ctx.db.close()


def cmd_init(args: argparse.Namespace, out: Printer) -> int:
    data_dir = resolve_data_dir(args.data_dir)
    use_keyring = not args.no_keyring and default_secret_store() is not None
    passphrase = None
    if not use_keyring:
        out.note(translate("cli.init.passphrase_mode", out.lang))
        passphrase = _passphrase(confirm=True)
    password = getattr(args, "password", None) or ask_password(
        "field.admin_password", out, confirm=True
    )
    ctx, info = initialise(
        data_dir,
        branch_code=args.branch_code,
        branch_name=args.branch_name,
        admin_no=args.admin_no,
        admin_name=args.admin_name,
        admin_password=password,
        address=args.address,
        phone=args.phone,
        language=args.language,
        passphrase=passphrase,
        use_keyring=use_keyring,
    )
    sheet_path = getattr(args, "recovery_sheet", None)
    try:
        if sheet_path:
            # The archive recovery key, printed at set-up for the day this PC dies.
            # Owner-only from its creation (the key is in it), made before the key is.
            with private_file(Path(sheet_path)) as f:
                sheet, _key_id = printing.print_recovery_sheet(ctx, actor=args.admin_no)
                f.write(sheet.pdf)
            out.note(translate("cli.archive.recovery_sheet_note", out.lang, file=sheet_path))
        else:
            out.note(translate("cli.init.recovery_hint", out.lang, admin=args.admin_no))
    finally:
        ctx.db.close()
    out.line(
        translate(
            "cli.init.done",
            out.lang,
            code=info.code,
            name=info.name,
            path=str(data_dir),
            mode=key_mode(data_dir),
        )
    )
    return 0


def _intake_form(args: argparse.Namespace) -> IntakeForm:
    appointment = None
    if args.appointment_type or args.appointment_start or args.appointment_end:
        if not (args.appointment_type and args.appointment_start and args.appointment_end):
            raise UsageError("error.cli.appointment_incomplete")
        appointment = Appointment(
            service_type=args.appointment_type,
            start=args.appointment_start,
            end=args.appointment_end,
            staff=args.appointment_staff,
        )
    return IntakeForm(
        kind=args.kind,
        channel=args.channel,
        category=args.category,
        grade=args.grade,
        customer=Customer(
            name=args.name,
            phone=args.phone,
            id_number=args.id_number,
            service_number=args.service_number,
            address=args.address,
        ),
        summary=args.summary,
        description=args.description,
        remedy=args.remedy,
        event_date=args.event_date,
        event_place=args.event_place,
        business=args.business,
        received_at=args.received_at,
        appointment=appointment,
    )


def _localise(ctx: ServiceContext, form: IntakeForm) -> IntakeForm:
    """Times typed at the command line are branch local time."""

    def local(value: datetime | None) -> datetime | None:
        if value is None or value.tzinfo is not None:
            return value
        return value.replace(tzinfo=ctx.tz)

    appointment = form.appointment
    if appointment is not None:
        start, end = local(appointment.start), local(appointment.end)
        assert start is not None and end is not None
        appointment = replace(appointment, start=start, end=end)
    return replace(form, received_at=local(form.received_at), appointment=appointment)


def _case_new(args: argparse.Namespace, ctx: ServiceContext, out: Printer) -> None:
    """`case new`: the save carries the form's id, given or made here. A made one is
    on stderr before anything is saved, so that a caller whose command was killed
    before it could answer can run it again with that id and get the same case."""
    form = _localise(ctx, _intake_form(args))
    actor = _actor(args, ctx)
    key = args.idempotency_key
    if key is None:
        key = str(uuid.uuid4())
        out.error(translate("cli.case.form_id", out.lang, key=key))
    saved = cases.save_intake(ctx, form=form, actor=actor, key=key, incident=args.incident)
    out.case(saved.view, created=True, already_saved=saved.already_saved)


def cmd_case(args: argparse.Namespace, out: Printer) -> int:
    ctx = _open(args, out)
    try:
        if args.case_command == "new":
            _case_new(args, ctx, out)
        elif args.case_command == "show":
            out.case(cases.get_case(ctx, args.number, viewer=_actor(args, ctx)))
        elif args.case_command == "reveal":
            out.mapping(
                {
                    "number": args.number,
                    **cases.reveal(ctx, number=args.number, actor=_actor(args, ctx)),
                }
            )
        elif args.case_command == "list":
            out.summaries(
                queries.list_cases(
                    ctx,
                    state=args.state,
                    kind=args.kind,
                    owner=args.owner,
                    open_only=args.open,
                    limit=args.limit,
                )
            )
        elif args.case_command == "answer-with":
            cli_faq.answer_with(args, ctx, _actor(args, ctx), out)
        elif args.case_command == "print":
            done = printing.print_document(
                ctx,
                number=args.number,
                kind=args.document,
                actor=_actor(args, ctx),
                lang=args.document_lang,
                paper=args.paper,
            )
            write_private(Path(args.out), done.pdf)  # a customer's document
            out.mapping(
                {
                    "number": done.number,
                    "document": done.kind,
                    "copy_no": done.copy_no,
                    "file": args.out,
                    "bytes": len(done.pdf),
                }
            )
        else:
            params = {
                k[2:]: v for k, v in vars(args).items() if k.startswith("p_") and v is not None
            }
            view = cases.act(
                ctx, number=args.number, action=args.action, params=params, actor=_actor(args, ctx)
            )
            out.case(view)
    finally:
        _close(ctx, wrote=args.case_command in ("new", "act", "print", "reveal", "answer-with"))
    return 0


def cmd_search(args: argparse.Namespace, out: Printer) -> int:
    ctx = _open(args, out)
    try:
        out.summaries(queries.search(ctx, " ".join(args.query), limit=args.limit))
    finally:
        ctx.db.close()
    return 0


def cmd_sla(args: argparse.Namespace, out: Printer) -> int:
    ctx = _open(args, out)
    try:
        if args.queue == "counts":
            out.mapping(queries.queue_counts(ctx, owner=args.owner))
        elif args.queue == "overdue":
            out.summaries(queries.overdue(ctx, owner=args.owner, limit=args.limit))
        elif args.queue == "due-today":
            out.summaries(queries.due_today(ctx, owner=args.owner, limit=args.limit))
        else:
            out.summaries(
                queries.due_within(ctx, hours=args.hours, owner=args.owner, limit=args.limit)
            )
    finally:
        ctx.db.close()
    return 0


def _progress(out: Printer) -> Callable[[int, int], bool]:
    def report(done: int, total: int) -> bool:
        out.progress(done, total)
        return True

    return report


def cmd_demo(args: argparse.Namespace, out: Printer) -> int:
    if args.cases < 1:
        raise UsageError("error.cli.positive", option="--cases")
    ctx = _open(args, out)
    try:
        result = demo.generate_demo(
            ctx,
            cases=args.cases,
            actor=_actor(args, ctx),
            seed=args.seed,
            days=args.days,
            progress=_progress(out),
        )
    finally:
        _close(ctx, wrote=True)
    out.mapping({"cases": result.cases, "events": result.events})
    return 0


def _signed_in(
    command: Callable[[argparse.Namespace, ServiceContext, Session, Printer], bool],
) -> Callable[[argparse.Namespace, Printer], int]:
    """A command of `cli_accounts` run on the open branch as the signed-in person."""

    def run(args: argparse.Namespace, out: Printer) -> int:
        ctx = _open(args, out)
        wrote = False
        try:
            wrote = command(args, ctx, args.session, out)
        finally:
            _close(ctx, wrote=wrote)
        return 0

    return run


def cmd_logo(args: argparse.Namespace, out: Printer) -> int:
    if args.logo_command == "set" and not args.file:
        raise UsageError("error.cli.logo_file")
    png = Path(args.file).read_bytes() if args.logo_command == "set" else None
    ctx = _open(args, out)
    try:
        set_branch_logo(ctx, png=png, actor=_actor(args, ctx))
    finally:
        _close(ctx, wrote=True)
    out.mapping({"logo": args.file if png else "-"})
    return 0


def cmd_start(args: argparse.Namespace, out: Printer) -> int:
    """First run: a demo branch with demo data. Every run: the day's queues."""
    data_dir = resolve_data_dir(args.data_dir)
    if not is_initialised(data_dir):
        out.line(translate("cli.start.creating", out.lang, path=str(data_dir)))
        # No default password, even for a demo: the person chooses one for every demo
        # account (the administrator and the demo colleagues).
        out.note(translate("cli.start.demo_password", out.lang))
        args.password = ask_password("field.password", out, confirm=True)
        init_args = argparse.Namespace(
            data_dir=args.data_dir,
            language=out.lang,
            no_keyring=False,
            password=args.password,
            **demo.DEMO_BRANCH,
        )
        cmd_init(init_args, out)
        args.actor = args.actor or demo.DEMO_BRANCH["admin_no"]
        ctx = _open(args, out)
        try:
            demo.generate_demo(
                ctx,
                cases=max(1, args.demo_cases),
                actor=_actor(args, ctx),
                progress=_progress(out),
                staff_password=args.password,
            )
        finally:
            ctx.db.close()
    ctx = _open(args, out)
    try:
        info = branch_info(ctx)
        out.overview(
            info,
            queries.queue_counts(ctx),
            queries.overdue(ctx, limit=5),
            queries.due_today(ctx, limit=5),
            queries.list_cases(ctx, limit=5),
        )
    finally:
        ctx.db.close()
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace, Printer], int]] = {
    "init": cmd_init,
    "start": cmd_start,
    "case": cmd_case,
    "search": cmd_search,
    "sla": cmd_sla,
    "demo": cmd_demo,
    "staff": _signed_in(cli_accounts.cmd_staff),
    "password": _signed_in(cli_accounts.cmd_password),
    "token": _signed_in(cli_accounts.cmd_token),
    "audit": _signed_in(cli_accounts.cmd_audit),
    "ledger": _signed_in(cli_followup.cmd_ledger),
    "incident": _signed_in(cli_followup.cmd_incident),
    "visits": _signed_in(cli_followup.cmd_visits),
    "faq": _signed_in(cli_faq.cmd_faq),
    "appointments": _signed_in(cli_faq.cmd_appointments),
    "export": _signed_in(cli_export.cmd_export),
    "report": _signed_in(cli_report.cmd_report),
    "logo": cmd_logo,
    "archive": cli_archive.archive_entry(_signed_in(cli_archive.cmd_archive)),
    "backup": cli_backup.backup_entry(
        _signed_in(cli_backup.cmd_backup), lambda: _passphrase(confirm=True)
    ),
}


def _explicit_language(args: argparse.Namespace) -> str | None:
    chosen = args.lang or os.environ.get(ENV_LANG)
    return resolve_language(chosen) if chosen else None


def _guessed_language(words: Sequence[str]) -> str:
    """The output language when the command line itself is refused: its `--lang` if
    that much was readable, else $BRANCHDESK_LANG, else the locale."""
    chosen = os.environ.get(ENV_LANG) or os.environ.get("LANG") or "zh_CN"
    for i, word in enumerate(words):
        if word == "--lang" and i + 1 < len(words):
            chosen = words[i + 1]
        elif word.startswith("--lang="):
            chosen = word.removeprefix("--lang=")
    return resolve_language(chosen)


def main(argv: Sequence[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else list(argv)
    try:
        args = build_parser().parse_args(words)
    except UsageError as exc:  # an argument that is not text, whatever the command
        report_refusal(exc, Printer(lang=_guessed_language(words), as_json=False))
        return INVALID_INPUT
    explicit = _explicit_language(args)
    # Until a branch is open (its language setting decides) the locale is the guess.
    out = Printer(
        lang=explicit or resolve_language(os.environ.get("LANG") or "zh_CN"),
        as_json=bool(getattr(args, "json", False)),
    )
    out.fixed_language = explicit is not None
    try:
        return COMMANDS[args.command](args, out)
    except (DomainError, UsageError, ChainBroken) as exc:
        report_refusal(exc, out)
        status = exit_status(exc)
        assert status is not None
        return status


def report_refusal(exc: DomainError | UsageError | ChainBroken, out: Printer) -> None:
    """The refusal on stderr in the output language, naming each bad field."""
    if isinstance(exc, ValidationError):
        out.error(translate("error.validation", out.lang, count=len(exc.errors)))
        for line in format_field_errors(exc.errors, out.lang):
            out.error("  " + line)
    elif not isinstance(exc, ChainBroken):  # its report is already printed
        out.error(translate(exc.key, out.lang, **exc.params))


def entry() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry()
