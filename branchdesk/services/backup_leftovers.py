"""What a killed `backup create` or `backup restore` leaves behind, and removing it the
next time, without ever touching what a live run is using.

A half-made backup folder (`*.partial`) or a half-made restore (the hidden
`.TARGET.restoring-…` folder beside the target, a complete and openable copy of the
branch once the restore's checks are done) holds customer data: removing it matters
for privacy as much as for tidiness.

- **Creating.** One backup at a time per installation, under a lock file in the data
  directory. Before its folder exists, a backup is entered in the database as pending
  (`backup.pending:<id>`: where its `.partial` folder and its final folder are). It is
  finished by one transaction that writes its `backup.create` audit entry and removes
  the pending entry, and the folder is renamed to its final name inside that
  transaction, just before the commit. So a backup folder under its final name either
  has its audit entry, or its pending entry is still there and the next run (under the
  lock, so no live run's entry) writes the audit entry then. A pending entry without a
  final folder is a killed run: its `.partial` folder is removed and `backup.abandoned`
  says so.
- **Restoring.** One restore at a time per target folder, under a lock file beside the
  target. Under it, no live restore can be using a `.TARGET.restoring-…` folder, so
  every one found is a dead restore's: it is removed with the keyring entries made for
  it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, delete, insert, select
from sqlalchemy.exc import SQLAlchemyError

from branchdesk.archive.master import ArchiveKeys
from branchdesk.bootstrap import CONFIG_NAME, InstallConfig, open_branch
from branchdesk.domain.errors import DomainError
from branchdesk.persistence.schema import archive_master_keys, settings
from branchdesk.secrets import SecretStore
from branchdesk.services.backup_manifest import BackupError, read_manifest
from branchdesk.services.context import ServiceContext
from branchdesk.services.recording import write_audit

PENDING = "backup.pending:"
LOCK_NAME = "backup.lock"
PARTIAL = ".partial"


def _try_lock(f: IO[bytes]) -> bool:
    """Take the file's lock without waiting; False when another process holds it."""
    try:
        if sys.platform == "win32":  # pragma: no cover - Windows
            import msvcrt

            msvcrt.locking(f.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


@contextlib.contextmanager
def _held(lock_path: Path, busy: DomainError | None, *, remove: bool = False) -> Iterator[bool]:
    """The lock at `lock_path` held for the block. When another process holds it:
    `busy` is raised, or (busy None) the block runs with False. With `remove`, the lock
    file is deleted at the end (a process that opened it meanwhile finds it was
    replaced and counts as refused, so two never both hold the lock)."""
    with open(lock_path, "a+b") as f:
        got = _try_lock(f)
        if got:
            try:
                got = os.stat(lock_path).st_ino == os.fstat(f.fileno()).st_ino
            except FileNotFoundError:
                got = False
        if not got and busy is not None:
            raise busy
        try:
            yield got
        finally:
            if got and remove:
                with contextlib.suppress(OSError):  # Windows: cannot delete an open file
                    lock_path.unlink()
        # The lock goes with the file's closing (and with a killed process).


# ----------------------------------------------------------------------- creating


def create_lock(ctx: ServiceContext) -> contextlib.AbstractContextManager[bool]:
    """One backup at a time on this installation; a second one is refused."""
    return _held(ctx.db.path.parent / LOCK_NAME, BackupError("error.backup.busy"))


def begin(conn: Connection, *, backup_id: str, work: Path, final: Path, actor: str) -> None:
    """Enter a backup as pending, before its folder is made."""
    conn.execute(
        insert(settings).values(
            key=PENDING + backup_id,
            value={"work": str(work), "final": str(final), "actor": actor},
        )
    )


def finish(conn: Connection, backup_id: str) -> None:
    conn.execute(delete(settings).where(settings.c.key == PENDING + backup_id))


def forget_all(conn: Connection) -> None:
    """A restored branch did not make the backups its source was making."""
    conn.execute(delete(settings).where(settings.c.key.startswith(PENDING, autoescape=True)))


def _manifest_id(folder: Path) -> str | None:
    try:
        return str(read_manifest(folder)["manifest"]["backup_id"])
    except BackupError:
        return None


def created_detail(backup_id: str, folder: str, files: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "backup_id": backup_id,
        "folder": folder,
        "files": len(files),
        "bytes": sum(int(f["bytes"]) for f in files),
    }


def settle(ctx: ServiceContext) -> list[str]:
    """Finish the record of every pending backup (call under `create_lock`, so none of
    them is a live run's): the audit entry of one that was renamed but not committed,
    the removal of one that was not complete. Returns the folders concerned. Entries
    whose medium is not there (a USB stick not plugged in) wait for a later run."""
    done: list[str] = []
    query = select(settings.c.key, settings.c.value).where(
        settings.c.key.startswith(PENDING, autoescape=True)
    )
    with ctx.db.read() as conn:
        if conn.execute(query).first() is None:
            return done  # the usual case: no write transaction for nothing
    with ctx.db.write() as conn:
        pending = conn.execute(query).all()
        for key, value in pending:
            backup_id = key[len(PENDING) :]
            work, final = Path(value["work"]), Path(value["final"])
            if not work.parent.is_dir():
                continue  # the medium is elsewhere; nothing can be said yet
            if not work.exists() and final.is_dir() and _manifest_id(final) == backup_id:
                body = read_manifest(final)["manifest"]
                detail = created_detail(backup_id, final.name, body["files"])
                write_audit(
                    ctx,
                    conn,
                    actor=str(value["actor"]),
                    action="backup.create",
                    case_id=None,
                    detail={**detail, "recorded_after_restart": True},
                )
                done.append(final.name)
            else:
                removed = work.name.endswith(PARTIAL) and work.exists()
                if removed:
                    try:
                        shutil.rmtree(work)
                    except OSError:
                        continue  # a read-only medium, say: the entry waits for a later run
                write_audit(
                    ctx,
                    conn,
                    actor=str(value["actor"]),
                    action="backup.abandoned",
                    case_id=None,
                    detail={"backup_id": backup_id, "folder": work.name, "removed": removed},
                )
                done.append(work.name)
            finish(conn, backup_id)
    return done


def settle_if_idle(ctx: ServiceContext) -> list[str]:
    """`settle`, unless a backup is being made right now (then the next run does it)."""
    with _held(ctx.db.path.parent / LOCK_NAME, None) as idle:
        return settle(ctx) if idle else []


# ---------------------------------------------------------------------- restoring


def staging_prefix(target: Path) -> str:
    return f".{target.name}.restoring-"


def restore_lock(target: Path) -> contextlib.AbstractContextManager[bool]:
    """One restore at a time into `target`; a second one is refused."""
    return _held(
        target.parent / f".{target.name}.restore-lock",
        BackupError("error.backup.restore_busy", path=str(target)),
        remove=True,
    )


def discard_restore(staging: Path, store: SecretStore | None, secret: str | None) -> None:
    """Remove a restore that was not confirmed (or whose process died): its keyring
    entries (the database key, the archive master key made for it) and its folder."""
    try:
        config: InstallConfig | None = InstallConfig.from_json(
            json.loads((staging / CONFIG_NAME).read_text("utf-8"))
        )
    except (OSError, ValueError, KeyError, TypeError):
        config = None
    if config is not None and config.key_mode == "keyring" and store is not None:
        with contextlib.suppress(DomainError, OSError, SQLAlchemyError):
            ctx = open_branch(staging, passphrase=secret, store=store)
            keys = ArchiveKeys(config.db_id, "keyring", store=store)
            try:
                with ctx.db.read() as conn:
                    ids = conn.execute(
                        select(archive_master_keys.c.key_id).where(
                            archive_master_keys.c.retired_at.is_(None)
                        )
                    ).scalars()
                    for key_id in ids:
                        keys.forget(str(key_id))
            finally:
                ctx.db.close()
        store.delete(config.secret_name)
    shutil.rmtree(staging, ignore_errors=True)


def sweep_restores(target: Path, store: SecretStore | None) -> list[str]:
    """Every `.TARGET.restoring-…` folder beside `target` (call under `restore_lock`:
    then each is a dead restore's). Returns their names."""
    if not target.parent.is_dir():
        return []
    found = sorted(
        p
        for p in target.parent.iterdir()
        if p.name.startswith(staging_prefix(target)) and p.is_dir() and not p.is_symlink()
    )
    for staging in found:
        discard_restore(staging, store, None)
    return [p.name for p in found]


def fsync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable (a no-op where folders cannot be opened)."""
    if sys.platform == "win32":  # pragma: no cover - Windows
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
