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
  every one found is a dead restore's: it is removed, by the next restore into the
  target and whenever the target is set up or opened (`sweep_dead_restores`). The
  keyring entries made for it go too, but only those it names in its own marker file
  (written when the restore starts, naming the folder and its fresh database id) and
  that no installation beside it uses: a copy of a live branch's folder under such a
  name must not cost the live branch its database key.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import shutil
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, delete, insert, select

from branchdesk.archive.master import ArchiveKeys
from branchdesk.bootstrap import CONFIG_NAME, InstallConfig, open_branch
from branchdesk.domain.errors import DomainError
from branchdesk.persistence.schema import archive_master_keys, settings
from branchdesk.secrets import SecretStore, default_secret_store
from branchdesk.services.backup_manifest import BackupError, read_manifest
from branchdesk.services.context import ServiceContext
from branchdesk.services.recording import write_audit

PENDING = "backup.pending:"
LOCK_NAME = "backup.lock"
PARTIAL = ".partial"
#: In a restore's staging folder: which folder it is and the database id made for it.
MARKER = "restoring.json"

#: Who removes a dead restore's folder in the audit trail (no person asked for it).
RESTORE_ACTOR = "RESTORE"
SWEPT = "backup.restore_leftovers_removed"

log = logging.getLogger(__name__)


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


def mark_staging(staging: Path, db_id: str) -> None:
    """Written into a restore's staging folder before any keyring entry is made for it:
    what `discard_restore` may remove is what this names."""
    (staging / MARKER).write_text(
        json.dumps({"folder": staging.name, "db_id": db_id}), encoding="utf-8"
    )


def unmark(data_dir: Path) -> None:
    """A confirmed restore is an installation, no longer a staging folder (a marker
    left behind is harmless: an installation's own keys are never removed)."""
    with contextlib.suppress(OSError):
        (data_dir / MARKER).unlink(missing_ok=True)


def _config_of(folder: Path) -> InstallConfig | None:
    try:
        return InstallConfig.from_json(json.loads((folder / CONFIG_NAME).read_text("utf-8")))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _own_db_id(staging: Path, config: InstallConfig) -> bool:
    """The staging folder's configuration is the one its restore made for it (and not
    a copied installation's): its marker names this folder and this database id."""
    try:
        marker = json.loads((staging / MARKER).read_text("utf-8"))
    except (OSError, ValueError):
        return False
    return (
        isinstance(marker, dict)
        and marker.get("folder") == staging.name
        and marker.get("db_id") == config.db_id
    )


def discard_restore(
    staging: Path,
    store: SecretStore | None,
    secret: str | None,
    *,
    keep: Iterable[Path] = (),
) -> None:
    """Remove a restore that was not confirmed (or whose process died): its keyring
    entries (the database key, the archive master key made for it) and its folder.
    Keys are removed only when the folder's marker says they were made for it, and
    never those of an installation in `keep` (the target, the data directory)."""
    config = _config_of(staging)
    in_use = {c.db_id for c in map(_config_of, keep) if c is not None}
    if (
        config is not None
        and config.key_mode == "keyring"
        and store is not None
        and _own_db_id(staging, config)
        and config.db_id not in in_use
    ):
        try:
            ctx = open_branch(staging, passphrase=secret, store=store, sweep=False)
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
        except Exception as exc:  # any failure to open it: the folder still goes
            # Whatever a half-made copy does when opened, it must not stop every later
            # restore into this target; its archive key entry may be left behind.
            log.warning("opening the dead restore %s failed: %s", staging.name, type(exc).__name__)
        try:
            store.delete(config.secret_name)
        except Exception as exc:  # a keyring refusing: the folder still goes
            log.warning("the dead restore %s kept its key: %s", staging.name, type(exc).__name__)
    shutil.rmtree(staging, ignore_errors=True)


def _dead_restores(target: Path) -> list[Path]:
    try:
        return sorted(
            p
            for p in target.parent.iterdir()
            if p.name.startswith(staging_prefix(target)) and p.is_dir() and not p.is_symlink()
        )
    except OSError:
        return []


def sweep_restores(
    target: Path, store: SecretStore | None, *, keep: Iterable[Path] = ()
) -> list[str]:
    """Every `.TARGET.restoring-…` folder beside `target` (call under `restore_lock`:
    then each is a dead restore's). Returns their names. The keys of `target` and of
    any installation in `keep` are never removed."""
    found = _dead_restores(target)
    for staging in found:
        discard_restore(staging, store, None, keep=(target, *keep))
    if found:
        log.info("removed what dead restores left: %s", ", ".join(p.name for p in found))
    return [p.name for p in found]


def has_dead_restores(data_dir: Path) -> bool:
    """Whether any `.TARGET.restoring-…` folder lies beside `data_dir` (one listing)."""
    return bool(_dead_restores(data_dir))


def sweep_dead_restores(data_dir: Path, store: SecretStore | None) -> list[str]:
    """`sweep_restores` for a data directory being set up or opened: only when there is
    something to remove (no lock file is made for nothing, and a parent folder that
    cannot be written does not stop the branch opening), and never while a live
    restore into it holds the lock (that one's folder is in use). Without a `store`
    the platform's keyring is asked for, and only then: in the usual case, nothing to
    remove, no keyring is touched."""
    if not has_dead_restores(data_dir):
        return []
    try:
        with _held(data_dir.parent / f".{data_dir.name}.restore-lock", None, remove=True) as idle:
            if not idle:
                return []
            return sweep_restores(data_dir, store if store is not None else default_secret_store())
    except OSError:
        return []


def record_swept(ctx: ServiceContext, removed: list[str]) -> None:
    """The removal of dead restores' copies of a branch, on the record of the branch
    they lay beside."""
    if removed:
        with ctx.db.write() as conn:
            write_audit(
                ctx,
                conn,
                actor=RESTORE_ACTOR,
                action=SWEPT,
                case_id=None,
                detail={"removed_leftovers": removed},
            )


_NO_DIR_FSYNC = frozenset({errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EBADF})


def fsync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable where the filesystem can. Windows cannot open a
    folder to flush it, and some network and FUSE mounts refuse to flush one (EINVAL,
    ENOTSUP, EBADF): as SQLite does, that is taken as "nothing more to do" rather than
    discarding a backup that is fully written. Any other error is a real one."""
    if sys.platform == "win32":  # pragma: no cover - Windows
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in _NO_DIR_FSYNC:
            raise
    finally:
        os.close(fd)
