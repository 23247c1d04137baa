"""The command line for backups: `backup create --to DIR` and `backup verify DIR` run
signed in on the branch's own PC; `backup verify DIR --recovery-key …` (away from the
branch) and `backup restore DIR --data-dir NEW` (onto a new PC) run before anyone can
sign in, because there is no branch yet.

What proves that the person may restore: holding the printed recovery key is what
opens the backup at all; then an archivist or administrator of the restored branch
must sign in with their own password. The restored branch is built in a folder beside
the target and moved into place only after that sign-in and a check of every archive
volume under the new keys; otherwise it is removed with the keys made for it."""

from __future__ import annotations

import argparse
import os
import uuid
from collections.abc import Callable
from pathlib import Path

from branchdesk.archive.keys import RecoveryKey
from branchdesk.archive.master import archive_keys
from branchdesk.archive.store import crash_point
from branchdesk.bootstrap import is_initialised, open_branch, resolve_data_dir
from branchdesk.cli_accounts import sign_in
from branchdesk.cli_archive import (
    ENV_RECOVERY_KEY,
    Runner,
    archive_report,
    json_option,
    keys_for,
    recovery_key,
    recovery_option,
    shown,
)
from branchdesk.cli_output import Printer
from branchdesk.domain.errors import DomainError
from branchdesk.secrets import SecretStore, default_secret_store
from branchdesk.services import archiving, backup
from branchdesk.services import backup_leftovers as leftovers
from branchdesk.services.auth import Session
from branchdesk.services.backup_manifest import read_manifest
from branchdesk.services.context import ServiceContext


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    bk = sub.add_parser("backup", help="encrypted backups and restoring them").add_subparsers(
        dest="backup_command", required=True, metavar="BACKUP_COMMAND"
    )
    p = bk.add_parser("create", help="back the branch up into a new folder under DIR")
    p.add_argument("--to", required=True, metavar="DIR")
    json_option(p)
    p = bk.add_parser("verify", help="check a backup without restoring it")
    p.add_argument("folder", metavar="DIR")
    recovery_option(p)
    json_option(p)
    p = bk.add_parser("restore", help="restore a backup onto a new PC (an empty data directory)")
    p.add_argument("folder", metavar="DIR")
    p.add_argument(
        "--data-dir", dest="restore_dir", help="where to restore (default: the global --data-dir)"
    )
    recovery_option(p)
    p.add_argument("--no-keyring", action="store_true", help="protect it with a passphrase")
    json_option(p)


def _backup_report(out: Printer, report: backup.BackupReport) -> None:
    out.mapping(
        {
            "folder": report.path.name,
            "branch": report.branch,
            "created_at": out.when(report.created_at),
            "files": report.files,
            "bytes": report.bytes,
            "cases": report.cases,
            "volumes": report.volumes,
            "ok": report.ok,
        }
    )
    for file, key, params in report.problems:
        out.error(f"{file}: {out.t(key, **params)}")
    if not report.ok:
        raise DomainError("error.backup.verify_failed", count=len(report.problems))


def cmd_backup(args: argparse.Namespace, ctx: ServiceContext, me: Session, out: Printer) -> bool:
    """`backup create` and `backup verify` on this branch's own PC (signed in)."""
    if args.backup_command == "create":
        done = backup.create_backup(
            ctx, keys_for(args, ctx), dest=Path(args.to), actor=me.staff_no, progress=shown(out)
        )
        if done.settled:
            out.note(out.t("cli.backup.settled", folders=", ".join(done.settled)))
        out.mapping({"folder": str(done.path), "files": done.files, "bytes": done.bytes})
        return True
    report = backup.verify_with_install(
        ctx, keys_for(args, ctx), Path(args.folder), actor=me.staff_no
    )
    _backup_report(out, report)
    return True


def verify_with_recovery_key(args: argparse.Namespace, out: Printer) -> int:
    """`backup verify DIR --recovery-key …`: away from the branch, the key is the proof."""
    report = backup.verify_backup(Path(args.folder), recovery=recovery_key(args, out))
    _backup_report(out, report)
    return 0


def restore(
    args: argparse.Namespace,
    out: Printer,
    *,
    sign_in: Callable[[argparse.Namespace, ServiceContext, Printer], Session],
    passphrase: Callable[[], str | None],
) -> int:
    """Restore onto a new PC. The recovery key opens the backup; the restored branch is
    first made in a folder beside the target, an archivist or administrator of the
    restored branch signs in there with their own password, the archive is verified
    under the new keys, and only then is the folder moved into place. A refused
    sign-in, or a person whose role may not restore, leaves nothing behind. One
    restore into a target at a time; what killed ones left beside it goes first."""
    target = resolve_data_dir(args.restore_dir or args.data_dir)
    _refuse_unless_empty(target)
    read_manifest(Path(args.folder))  # a spoiled one is refused before any write
    key = recovery_key(args, out)
    store = None if args.no_keyring else default_secret_store()
    secret = passphrase() if store is None else None
    target.parent.mkdir(parents=True, exist_ok=True)
    with leftovers.restore_lock(target):
        # Checked again under the lock: a restore started at the same time may have
        # filled the target since the check above (it held the lock meanwhile).
        _refuse_unless_empty(target)
        # Under the lock no live restore uses a folder beside the target: any there is
        # a killed one's, a copy of a branch nobody confirmed.
        removed = leftovers.sweep_restores(
            target, store or default_secret_store(), keep=_installations(args)
        )
        if removed:
            out.note(out.t("cli.backup.leftovers_removed", folders=", ".join(removed)))
        return _restore_into(args, out, target, key, store, secret, sign_in, tuple(removed))


def _refuse_unless_empty(target: Path) -> None:
    if is_initialised(target) or (target.exists() and any(target.iterdir())):
        raise backup.BackupError("error.backup.target_not_empty", path=str(target))


def _installations(args: argparse.Namespace) -> tuple[Path, ...]:
    """The installations whose keys a sweep must never remove besides the target's:
    the data directory this command line would otherwise open."""
    return (resolve_data_dir(args.data_dir),)


def _restore_into(
    args: argparse.Namespace,
    out: Printer,
    target: Path,
    key: RecoveryKey,
    store: SecretStore | None,
    secret: str | None,
    sign_in: Callable[[argparse.Namespace, ServiceContext, Printer], Session],
    removed: tuple[str, ...],
) -> int:
    """The restore itself, under the target's lock: staged, confirmed, moved."""
    staging = target.parent / f"{leftovers.staging_prefix(target)}{uuid.uuid4().hex[:8]}"
    result = backup.restore_backup(
        Path(args.folder),
        staging,
        recovery=key,
        store=store,
        passphrase=secret,
        use_keyring=store is not None,
        removed=removed,
        staging=True,
    )
    moved = False
    try:
        crash_point("restore_staged")
        ctx = open_branch(staging, passphrase=secret, store=store, sweep=False)
        try:
            out.use_branch(ctx)
            session = sign_in(args, ctx, out)
            refusal = ctx.permissions.refusal(
                "backup.run", actor=session.staff_no, roles=session.roles
            )
            if refusal is not None:
                raise refusal
            keys = archive_keys(staging, passphrase=secret, store=store)
            report = archiving.verify(ctx, keys, actor=session.staff_no)
        finally:
            ctx.db.close()
        if not report.ok:
            archive_report(out, report)
        crash_point("restore_confirmed")
        if target.exists():
            target.rmdir()  # empty, checked under the lock
        os.replace(staging, target)
        moved = True
        leftovers.unmark(target)
    finally:
        if not moved:
            leftovers.discard_restore(staging, store, secret, keep=(target, *_installations(args)))
    out.mapping(
        {
            "data_dir": str(target),
            "cases": result.cases,
            "volumes": result.volumes,
            "device_epoch": result.epoch,
            "restored_by": session.staff_no,
        }
    )
    return 0


def backup_entry(signed_in: Runner, passphrase: Callable[[], str | None]) -> Runner:
    """`backup …`: `restore` and `verify --recovery-key` run before any sign-in is
    possible (the key is the proof, and a restore then needs a sign-in); the rest signed
    in on this branch."""

    def run(args: argparse.Namespace, out: Printer) -> int:
        if args.backup_command == "restore":
            return restore(args, out, sign_in=sign_in, passphrase=passphrase)
        if args.backup_command == "verify" and (
            args.recovery_key or os.environ.get(ENV_RECOVERY_KEY)
        ):
            return verify_with_recovery_key(args, out)
        return signed_in(args, out)

    return run
