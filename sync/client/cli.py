"""`branchdesk enroll` and `branchdesk sync`: the sync client on the command line
(for cron jobs and scripts; the desktop runs the same engine in the background).

    branchdesk [--data-dir D] enroll https://hq.example.com:8470 ABCDE-FGHIJ-…
    branchdesk [--data-dir D] sync                 one round: push, then pull
    branchdesk [--data-dir D] sync --watch         keep syncing (backoff when offline)
    branchdesk [--data-dir D] sync --status        what is pending, last success/error

Like every command, these run as a signed-in person (`--user` and a password, or a
per-user token in $BRANCHDESK_TOKEN: see `branchdesk.cli_accounts`); enrolling is an
administrator's job.

Exit status: 0 done, 1 HQ unreachable or busy (try again later), 2 bad usage,
5 something a person must fix (enrollment, app version), 6 sign-in refused or the
person's roles do not allow it.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import os
import signal
import sys
import threading
from collections.abc import Sequence

from branchdesk import cli_accounts
from branchdesk.bootstrap import (
    ENV_PASSPHRASE,
    is_initialised,
    key_mode,
    open_branch,
    resolve_data_dir,
)
from branchdesk.cli_exit import INVALID_INPUT, UsageError, exit_status
from branchdesk.cli_output import Printer, jsonable
from branchdesk.cli_parser import Parser
from branchdesk.domain.errors import DomainError
from branchdesk.i18n import resolve_language, translate
from branchdesk.services import sync_state
from branchdesk.services.auth import Session
from branchdesk.services.branch import read_settings
from branchdesk.services.context import ServiceContext
from sync.client.credentials import load_token, save_token
from sync.client.engine import DEFAULT_BATCH, RoundResult, SyncEngine, run_forever
from sync.client.transport import HqClient, SyncFailure
from sync.protocol import PROTOCOL_VERSION
from sync.protocol.codec import ENCODINGS
from sync.protocol.messages import EnrollRequest


def _parser() -> argparse.ArgumentParser:
    parser = Parser(prog="branchdesk", description="BranchDesk sync with HQ")
    parser.add_argument("--data-dir")
    parser.add_argument("--lang")
    parser.add_argument("--user", "--as", dest="actor")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("enroll", help="enroll this branch with HQ (once)")
    p.add_argument("url", help="HQ address, e.g. https://hq.example.com:8470")
    p.add_argument("code", help="the one-time enrollment code from HQ")
    p = sub.add_parser("sync", help="push events to HQ and apply HQ's instructions")
    p.add_argument("--watch", action="store_true", help="keep running, sync every --interval")
    p.add_argument("--interval", type=float, default=30.0)
    p.add_argument("--status", action="store_true", help="show the sync state and exit")
    p.add_argument("--json", action="store_true")
    p.add_argument("--batch-size", type=int, default=DEFAULT_BATCH)
    p.add_argument("--encoding", choices=ENCODINGS[:2], default="zstd")
    # For compatibility checks: speak an older protocol version.
    p.add_argument("--protocol-version", type=int, default=PROTOCOL_VERSION, help=argparse.SUPPRESS)
    return parser


def _open(args: argparse.Namespace) -> ServiceContext:
    data_dir = resolve_data_dir(args.data_dir)
    if not is_initialised(data_dir):
        raise DomainError("error.setup.not_initialised", path=str(data_dir))
    passphrase = None
    if key_mode(data_dir) == "passphrase":
        passphrase = os.environ.get(ENV_PASSPHRASE) or (
            getpass.getpass("Passphrase / 口令: ") if sys.stdin.isatty() else None
        )
    # open_branch already puts what HQ published into the context.
    return open_branch(data_dir, passphrase=passphrase)


def _language(args: argparse.Namespace, ctx: ServiceContext | None) -> str:
    chosen = args.lang or os.environ.get("BRANCHDESK_LANG")
    if chosen:
        return resolve_language(chosen)
    if ctx is not None:
        with ctx.db.read() as conn:
            return str(read_settings(conn).get("branch.language", "zh_CN"))
    return resolve_language(os.environ.get("LANG") or "zh_CN")


def _signed_in(
    args: argparse.Namespace, ctx: ServiceContext, lang: str, permission: str
) -> Session:
    """Sign in as the core command line does, then check the person may do this."""
    session = cli_accounts.sign_in(args, ctx, Printer(lang=lang, as_json=False))
    refusal = ctx.permissions.refusal(permission, actor=session.staff_no, roles=session.roles)
    if refusal is not None:
        raise refusal
    return session


def _enroll(args: argparse.Namespace, ctx: ServiceContext, lang: str) -> int:
    session = _signed_in(args, ctx, lang, "sync.enroll")
    me = sync_state.identity_of(ctx)
    client = HqClient(args.url, protocol=PROTOCOL_VERSION)
    try:
        answer = client.enroll(
            EnrollRequest(
                protocol=PROTOCOL_VERSION,
                code=args.code,
                branch_code=me.branch_code,
                device_id=me.device_id,
            )
        )
    finally:
        client.close()
    in_db = save_token(ctx, device_id=me.device_id, token=answer.token, store=None)
    sync_state.save_enrollment(ctx, hq_url=args.url, actor=session.staff_no, credential=in_db)
    print(translate("sync.enrolled", lang, url=args.url, branch=me.branch_code))
    return 0


def _status_lines(status: sync_state.SyncStatus, lang: str) -> list[str]:
    lines = [
        translate("sync.status.pending", lang, count=status.pending),
        translate(
            "sync.status.last_success",
            lang,
            at=status.last_success_at.isoformat(timespec="seconds")
            if status.last_success_at
            else "—",
        ),
    ]
    if status.last_error is not None:
        lines.append(translate(status.last_error.key, lang, **status.last_error.params))
    if status.parked:
        lines.append(translate("sync.status.parked", lang, count=status.parked))
    if status.quarantined:
        lines.append(translate("sync.status.quarantined", lang, count=status.quarantined))
    return lines


def _status_json(status: sync_state.SyncStatus, ctx: ServiceContext, lang: str) -> str:
    """The sync state for scripts: numbers as numbers, flags as true/false, times as
    ISO 8601 in the branch's zone (null when never), the last problem in words."""
    error = status.last_error
    values = {
        "enrolled": status.enrolled,
        "hq_url": status.hq_url,
        "pending": status.pending,
        "last_success_at": status.last_success_at,
        "last_attempt_at": status.last_attempt_at,
        "last_error": translate(error.key, lang, **error.params) if error else None,
        "last_error_key": error.key if error else None,
        "last_error_at": error.at if error else None,
        "quarantined": status.quarantined,
        "parked": status.parked,
        "unread_notices": status.unread_notices,
        "cursor": status.cursor,
    }
    return json.dumps(jsonable(values, ctx.tz), ensure_ascii=False)


def _report(result: RoundResult, lang: str, as_json: bool) -> None:
    if as_json:
        print(json.dumps(result.__dict__, ensure_ascii=False))
        return
    print(
        translate(
            "sync.done",
            lang,
            pushed=result.pushed,
            batches=result.batches,
            pending=result.pending,
            instructions=sum(result.instructions.values()),
        )
    )


def _sync(args: argparse.Namespace, ctx: ServiceContext, lang: str) -> int:
    _signed_in(args, ctx, lang, "sync.run")
    status = sync_state.status(ctx)
    if args.status:
        if args.json:
            print(_status_json(status, ctx, lang))
        else:
            print("\n".join(_status_lines(status, lang)))
        return 0
    if not status.hq_url:
        print(translate("sync.error.not_enrolled", lang), file=sys.stderr)
        return 5
    me = sync_state.identity_of(ctx)
    token = load_token(ctx, device_id=me.device_id, store=None)
    if token is None:
        print(translate("sync.error.no_credential", lang), file=sys.stderr)
        return 5
    client = HqClient(status.hq_url, token=token, protocol=args.protocol_version)
    engine = SyncEngine(ctx, client, batch_size=args.batch_size, encoding=args.encoding)
    if args.watch:
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())

        def on_round(result: RoundResult | None, failure: SyncFailure | None) -> None:
            if result is not None and (result.pushed or result.instructions):
                _report(result, lang, args.json)
            if failure is not None:
                print(translate(failure.key, lang, **failure.params), file=sys.stderr, flush=True)

        with contextlib.suppress(KeyboardInterrupt):  # Ctrl+C is how a person stops it
            run_forever(engine, stop, interval=args.interval, on_round=on_round)
        return 0
    try:
        result = engine.run_once()
    except SyncFailure as failure:
        print(translate(failure.key, lang, **failure.params), file=sys.stderr)
        return 1 if failure.retryable else 5
    finally:
        client.close()
    _report(result, lang, args.json)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
    except UsageError as exc:  # an argument that is not text
        lang = resolve_language(os.environ.get("BRANCHDESK_LANG") or os.environ.get("LANG") or "")
        print(translate(exc.key, lang, **exc.params), file=sys.stderr)
        return INVALID_INPUT
    lang = _language(args, None)
    ctx: ServiceContext | None = None
    try:
        ctx = _open(args)
        lang = _language(args, ctx)
        if args.command == "enroll":
            return _enroll(args, ctx, lang)
        return _sync(args, ctx, lang)
    except SyncFailure as failure:
        print(translate(failure.key, lang, **failure.params), file=sys.stderr)
        return 1 if failure.retryable else 5
    except (DomainError, UsageError) as exc:
        print(translate(exc.key, lang, **exc.params), file=sys.stderr)
        status = exit_status(exc)
        assert status is not None
        return status
    finally:
        if ctx is not None:
            ctx.db.close()
