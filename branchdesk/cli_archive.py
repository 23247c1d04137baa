"""The command line for the archive duty, run as the signed-in person: `archive queue|
review|approve|seal|find|show|reprint|hold|release|purge-request|anonymise|
purge-approve|verify|rotate-key|recovery-key`. One exception: `archive verify FILE`
checks a single volume file with the printed recovery key alone, without a branch or
a sign-in, as anyone must be able to years later. Backups are in `cli_backup`."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from branchdesk.archive import custody
from branchdesk.archive.keys import RecoveryKey
from branchdesk.archive.master import ArchiveKeys, archive_keys
from branchdesk.archive.volume import read_header, verify_volume
from branchdesk.bootstrap import (
    ENV_PASSPHRASE,
)
from branchdesk.cli_output import Printer
from branchdesk.domain.errors import DomainError, FieldError, ValidationError
from branchdesk.i18n import translate
from branchdesk.secrets import default_secret_store
from branchdesk.services import archiving, printing
from branchdesk.services.auth import Session
from branchdesk.services.context import ServiceContext
from branchdesk.services.private_files import private_file, write_private

ENV_RECOVERY_KEY = "BRANCHDESK_RECOVERY_KEY"
DOCUMENTS = ("receipt", "closure_letter", "case_record")
Progress = Callable[[int, int], bool]


def json_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="machine-readable output")


def recovery_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--recovery-key",
        help=f"the printed key BDRK-… (or ${ENV_RECOVERY_KEY}; asked for at a terminal)",
    )


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    ar = sub.add_parser(
        "archive", help="the archive duty (归档), retention and keys"
    ).add_subparsers(dest="archive_command", required=True, metavar="ARCHIVE_COMMAND")
    p = ar.add_parser("queue", help="closed cases awaiting review, earliest archive deadline first")
    p.add_argument("--limit", type=int, default=200)
    json_option(p)
    p = ar.add_parser("review", help="the archive review (归档审核): what each case lacks")
    p.add_argument("numbers", nargs="+", metavar="NUMBER")
    json_option(p)
    p = ar.add_parser("approve", help="approve archiving: archive numbers, then seal (managers)")
    p.add_argument("numbers", nargs="+", metavar="NUMBER")
    p.add_argument("--note")
    p.add_argument("--no-seal", action="store_true", help="only approve; seal later")
    json_option(p)
    p = ar.add_parser("seal", help="move every approved case HQ has received into volumes")
    json_option(p)
    p = ar.add_parser("find", help="archived cases from the index (no volume is decrypted)")
    p.add_argument("--archive-no")
    p.add_argument("--case", help="case number")
    p.add_argument("--customer", help="name (prefix), phone or service number")
    p.add_argument("--kind", choices=("complaint", "service_request", "consultation"))
    p.add_argument("--business")
    p.add_argument("--category", help="a category and its sub-categories")
    p.add_argument("--since", help="received from this day (YYYY-MM-DD, branch time)")
    p.add_argument("--until", help="received up to and including this day")
    p.add_argument("--limit", type=int, default=50)
    json_option(p)
    p = ar.add_parser("show", help="one archived case, read-only, from its volume (audited)")
    p.add_argument("ref", metavar="ARCHIVE_NO", help="archive number or case number")
    p.add_argument("--reveal", action="store_true", help="full phone and ID numbers (audited)")
    json_option(p)
    p = ar.add_parser("reprint", help="an archived document exactly as archived (recorded)")
    p.add_argument("ref", metavar="ARCHIVE_NO")
    p.add_argument("--document", required=True, choices=DOCUMENTS)
    p.add_argument("--out", required=True, help="the PDF file to write")
    json_option(p)
    p = ar.add_parser("hold", help="place a legal hold: the case cannot be purged")
    p.add_argument("archive_no")
    p.add_argument("--reason", required=True)
    json_option(p)
    p = ar.add_parser("release", help="release a legal hold")
    p.add_argument("archive_no")
    json_option(p)
    for name, text in (
        ("purge-request", "ask for cases past retention to be purged (archivists)"),
        ("anonymise", "ask for cases past retention to be anonymised instead (archivists)"),
    ):
        p = ar.add_parser(name, help=text)
        p.add_argument("archive_nos", nargs="+", metavar="ARCHIVE_NO")
        p.add_argument("--reason", required=True)
        json_option(p)
    p = ar.add_parser("purge-approve", help="approve a purge request (a manager, not the asker)")
    p.add_argument("request_id", type=int)
    json_option(p)
    p = ar.add_parser(
        "verify", help="check every volume; or one volume FILE alone with the recovery key"
    )
    p.add_argument("volume", nargs="?", metavar="VOLUME", help="a .bdav file (needs the key)")
    recovery_option(p)
    json_option(p)
    p = ar.add_parser("rotate-key", help="a new archive master key (administrators)")
    json_option(p)
    p = ar.add_parser("recovery-key", help="issue the recovery key and write its sheet (admins)")
    p.add_argument("--out", required=True, help="the PDF sheet to write and print")
    p.add_argument("--sheet-lang", choices=("zh_CN", "en"), help="default: the branch's")
    json_option(p)


# ------------------------------------------------------------------------ helpers


def keys_for(args: argparse.Namespace, ctx: ServiceContext) -> ArchiveKeys:
    """This installation's archive keys: the keyring, or the passphrase the branch was
    opened with (never asked for twice)."""
    return archive_keys(
        ctx.db.path.parent,
        passphrase=getattr(args, "branch_passphrase", None) or os.environ.get(ENV_PASSPHRASE),
        store=default_secret_store(),
    )


def recovery_key(args: argparse.Namespace, out: Printer) -> RecoveryKey:
    """From --recovery-key, $BRANCHDESK_RECOVERY_KEY or typed at a terminal (hidden)."""
    text = args.recovery_key or os.environ.get(ENV_RECOVERY_KEY)
    if not text:
        if not sys.stdin.isatty():
            raise DomainError("error.archive.recovery_key_needed", env=ENV_RECOVERY_KEY)
        text = getpass.getpass(translate("field.recovery_key", out.lang) + ": ")
    return RecoveryKey.parse(text)


def shown(out: Printer) -> Progress:
    def show(done: int, total: int) -> bool:
        out.progress(done, total)
        return True

    return show


def _day(ctx: ServiceContext, field: str, value: str | None, *, end: bool) -> datetime | None:
    if not value:
        return None
    try:
        day = datetime.fromisoformat(value).replace(tzinfo=ctx.tz)
    except ValueError:
        raise ValidationError([FieldError(field, "error.field.invalid")]) from None
    return day + timedelta(days=1) if end else day


def _review_text(out: Printer, codes: tuple[str, ...]) -> str:
    return "; ".join(out.t(f"archive.review.{c}") for c in codes)


def _entry_row(out: Printer, e: archiving.IndexEntry) -> dict[str, Any]:
    return {
        "archive_no": e.archive_no,
        "case": e.number,
        "kind": out.word("label.CaseKind", e.kind),
        "category": e.category,
        "customer": e.customer or "",
        "phone": e.phone or "",
        "received_at": out.when(e.received_at),
        "archived_at": out.when(e.archived_at),
        "retention_until": e.retention_until.isoformat(),
        "hold": e.hold or "",
        "status": e.status,
    }


def archive_report(out: Printer, report: Any) -> None:
    out.mapping(
        {
            "volumes": report.volumes,
            "entries": report.entries,
            "bytes": report.bytes,
            "ok": report.ok,
            "problems": len(report.problems),
        }
    )
    for p in report.problems:
        out.error(f"{p.volume}: {out.t(p.key, **p.params)}")
    if not report.ok:
        raise DomainError("error.archive.verify_failed", count=len(report.problems))


# ------------------------------------------------------------------------ archive


def cmd_archive(args: argparse.Namespace, ctx: ServiceContext, me: Session, out: Printer) -> bool:
    command, actor = args.archive_command, me.staff_no
    if command == "queue":
        queue = archiving.archive_queue(ctx, actor=actor, limit=args.limit)
        if out.as_json:
            out.emit_json(queue)
            return False
        out.rows(
            [
                {
                    "case": i.number,
                    "kind": out.word("label.CaseKind", i.kind),
                    "customer": i.customer,
                    "closed_at": out.when(i.closed_at),
                    "archive_due": out.when(i.archive_due),
                    "overdue": "!" if i.overdue else "",
                }
                for i in queue.items
            ]
        )
        out.note(
            out.t(
                "cli.archive.unsealed",
                approved=queue.approved_unsealed,
                waiting=queue.waiting_for_sync,
            )
        )
        return False
    if command == "review":
        results = archiving.review(ctx, numbers=args.numbers, actor=actor)
        out.rows(
            [
                {
                    "case": r.number,
                    "complete": r.complete,
                    "missing": _review_text(out, r.missing),
                    "warnings": _review_text(out, r.warnings),
                }
                for r in results
            ]
        )
        return True
    if command == "approve":
        keys = keys_for(args, ctx)
        result = archiving.approve(
            ctx, keys, numbers=args.numbers, actor=actor, note=args.note, seal=not args.no_seal
        )
        seal = result.seal
        out.mapping(
            {
                "approved": [{"case": n, "archive_no": a} for n, a in result.approved]
                if out.as_json
                else ", ".join(f"{n} → {a}" for n, a in result.approved) or "-",
                "refused": [{"case": r.number, "missing": list(r.missing)} for r in result.refused]
                if out.as_json
                else "; ".join(
                    f"{r.number}: {_review_text(out, r.missing)}" for r in result.refused
                )
                or "-",
                "sealed": seal.sealed if seal else 0,
                "waiting_for_sync": seal.waiting_for_sync if seal else 0,
            }
        )
        return True
    if command == "seal":
        seal = archiving.seal_archived(ctx, keys_for(args, ctx), actor=actor, progress=shown(out))
        out.mapping(
            {
                "sealed": seal.sealed,
                "volumes": len(seal.volumes),
                "skipped": seal.skipped,
                "waiting_for_sync": seal.waiting_for_sync,
            }
        )
        return True
    if command == "find":
        found = archiving.find(
            ctx,
            actor=actor,
            archive_no=args.archive_no,
            number=args.case,
            customer=args.customer,
            kind=args.kind,
            business=args.business,
            category=args.category,
            since=_day(ctx, "since", args.since, end=False),
            until=_day(ctx, "until", args.until, end=True),
            limit=args.limit,
        )
        out.rows([_entry_row(out, e) for e in found])
        return False
    if command == "show":
        case = archiving.open_archived(
            ctx, keys_for(args, ctx), ref=args.ref, actor=actor, reveal=args.reveal
        )
        if out.as_json:
            out.emit_json(
                {
                    **dict(case.record),
                    "customer": dict(case.customer),
                    "documents": [d.kind for d in case.documents],
                }
            )
            return True
        out.mapping(
            {
                "archive_no": case.archive_no,
                "case": case.number,
                "kind": out.word("label.CaseKind", case.kind),
                "category": case.category,
                "customer": case.customer.get("name", ""),
                "phone": case.customer.get("phone", ""),
                "summary": case.summary,
                "received_at": out.when(case.received_at),
                "archived_at": out.when(case.archived_at),
                "retention_until": case.retention_until.isoformat(),
                "documents": ", ".join(d.kind for d in case.documents),
            }
        )
        out.line()
        out.rows(
            [
                {
                    "seq": e.seq,
                    "at": out.when(e.at),
                    "who": e.actor_name,
                    "event": out.t("cli.event.received")
                    if e.kind == "received"
                    else out.word("label.Action", e.kind),
                }
                for e in case.events
            ]
        )
        return True
    if command == "reprint":
        pdf = archiving.reprint(
            ctx, keys_for(args, ctx), ref=args.ref, kind=args.document, actor=actor
        )
        write_private(Path(args.out), pdf)  # a customer's case: for the person alone
        out.mapping({"archive_no": args.ref, "document": args.document, "file": args.out})
        return True
    if command in ("hold", "release"):
        if command == "hold":
            custody.place_hold(ctx, archive_no=args.archive_no, reason=args.reason, actor=actor)
        else:
            custody.release_hold(ctx, archive_no=args.archive_no, actor=actor)
        out.mapping(
            {"archive_no": args.archive_no, "hold": args.reason if command == "hold" else ""}
        )
        return True
    if command in ("purge-request", "anonymise"):
        mode = "purge" if command == "purge-request" else "anonymise"
        request_id = custody.request_purge(
            ctx, archive_nos=args.archive_nos, mode=mode, reason=args.reason, actor=actor
        )
        out.mapping({"request": request_id, "mode": mode, "cases": len(args.archive_nos)})
        return True
    if command == "purge-approve":
        done = custody.approve_purge(
            ctx, keys_for(args, ctx), request_id=args.request_id, actor=actor
        )
        out.mapping(
            {
                "request": done.request_id,
                "mode": done.mode,
                "cases": done.cases,
                "volumes_rewritten": done.volumes_rewritten,
            }
        )
        return True
    if command == "verify":
        report = archiving.verify(ctx, keys_for(args, ctx), actor=actor, progress=shown(out))
        archive_report(out, report)
        return True
    if command == "rotate-key":
        key_id, volumes = custody.rotate_master_key(ctx, keys_for(args, ctx), actor=actor)
        out.mapping({"key_id": key_id, "volumes": volumes})
        return True
    return _issue_recovery_key(args, ctx, me, out)


def _verify_one(args: argparse.Namespace, out: Printer) -> None:
    """One volume file on its own, opened with the recovery key (no database needed)."""
    from branchdesk.archive.volume import VolumeError

    path = Path(args.volume)
    key = recovery_key(args, out)
    try:
        header = read_header(path)
        checked = verify_volume(path, header.recovery_data_key(key))
    except VolumeError as exc:
        out.error(f"{path.name}: {out.t(exc.key, **exc.params)}")
        raise DomainError("error.archive.verify_failed", count=1) from exc
    out.mapping(
        {"volume": path.name, "entries": checked.entries, "bytes": checked.size, "ok": True}
    )


def _issue_recovery_key(
    args: argparse.Namespace, ctx: ServiceContext, me: Session, out: Printer
) -> bool:
    """A new recovery key, written straight into its sheet; the key is never shown on
    screen or kept (only its public half and fingerprint stay on this PC)."""
    target = Path(args.out)
    # The file (owner-only, like the key it holds) is made before the key is issued:
    # a folder that cannot be written is refused with no key issued for nothing.
    with private_file(target) as f:
        sheet, key_id = printing.print_recovery_sheet(ctx, actor=me.staff_no, lang=args.sheet_lang)
        f.write(sheet.pdf)
    out.mapping({"key_id": key_id, "file": str(target)})
    out.note(out.t("cli.archive.recovery_sheet_note", file=str(target)))
    return True


# ------------------------------------------------------------------------ wiring


Runner = Callable[[argparse.Namespace, Printer], int]


def archive_entry(signed_in: Runner) -> Runner:
    """`archive …`: signed in, except checking one volume file with the recovery key
    (a volume must stay readable from the printed key alone)."""

    def run(args: argparse.Namespace, out: Printer) -> int:
        if args.archive_command == "verify" and args.volume:
            _verify_one(args, out)
            return 0
        return signed_in(args, out)

    return run
