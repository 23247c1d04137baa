"""Backups of a branch to a folder (e.g. removable media), their verification, and
restoring one onto a fresh installation (a new PC).

A backup is a folder `BranchDesk-<branch>-<time>/` holding:
- `branch.db`: a consistent copy of the live database made while the app runs
  (SQLCipher's export inside one read transaction), encrypted with a fresh backup key;
- `volumes/*.bdav`: the archive volumes as they are (already encrypted);
- `manifest.json`: what is there with sizes and SHA-256 checksums, the backup key
  sealed to the recovery key (and wrapped by the current archive master key), and an
  HMAC over all of it under a key derived from the backup key.

It is written as `<folder>.partial` and renamed when complete, inside the transaction
that writes its `backup.create` audit entry (see `backup_leftovers` for what a killed
run leaves and how the next one settles it). `verify` checks the manifest's structure,
every checksum, the manifest's MAC, the database and every volume without restoring;
`restore` does all of that first and writes nothing unless everything checks out.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hmac
import itertools
import json
import os
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from branchdesk.archive.keys import (
    ArchiveKeyError,
    RecoveryKey,
    new_data_key,
    open_sealed,
    seal_to_recovery,
    unwrap_key,
    wrap_key,
)
from branchdesk.archive.master import ArchiveKeys, archive_keys, current_master, recovery_public
from branchdesk.archive.store import archive_dir, archive_lock, crash_point
from branchdesk.archive.verify import file_sha256
from branchdesk.archive.volume import VolumeError, read_header, verify_volume
from branchdesk.bootstrap import CONFIG_NAME, DB_NAME, InstallConfig, is_initialised, open_branch
from branchdesk.persistence.schema import archive_master_keys, archive_volumes, settings
from branchdesk.secrets import KdfParams, SecretStore, default_secret_store, derive_key, new_key
from branchdesk.services import backup_leftovers as leftovers
from branchdesk.services.access import authorize
from branchdesk.services.backup_manifest import (
    FORMAT,
    MANIFEST,
    VERSION,
    BackupError,
    mac_of,
    read_manifest,
)
from branchdesk.services.context import ServiceContext
from branchdesk.services.private_files import make_private_dir
from branchdesk.services.recording import device_epoch, write_audit

__all__ = ["FORMAT", "MANIFEST", "VERSION", "BackupError"]

RESTORE_ACTOR = leftovers.RESTORE_ACTOR

Progress = Callable[[int, int], bool]


@dataclass(frozen=True)
class BackupResult:
    path: Path
    files: int
    bytes: int
    #: What killed runs had left, settled before this one (see backup_leftovers).
    settled: tuple[str, ...] = ()


def _export_db(ctx: ServiceContext, target: Path, key: bytes) -> None:
    """A transactionally consistent copy, re-encrypted under `key`, while others write."""
    raw = ctx.db.engine.raw_connection()
    try:
        cur = raw.cursor()
        path = str(target).replace("'", "''")
        cur.execute(f"ATTACH DATABASE '{path}' AS backup KEY \"x'{key.hex()}'\"")
        try:
            cur.execute("BEGIN")
            cur.execute("SELECT sqlcipher_export('backup')")
            cur.execute("COMMIT")
        finally:
            cur.execute("DETACH DATABASE backup")
    finally:
        raw.close()


def _fsync(path: Path) -> None:
    with open(path, "rb") as f:
        os.fsync(f.fileno())


def create_backup(
    ctx: ServiceContext,
    keys: ArchiveKeys,
    *,
    dest: Path,
    actor: str,
    progress: Progress | None = None,
) -> BackupResult:
    """Back the branch up into a new folder under `dest`. What an earlier, killed run
    left is settled first (`backup_leftovers.settle`)."""
    with ctx.db.read() as conn:
        authorize(ctx, conn, actor, "backup.run")
    with leftovers.create_lock(ctx):
        settled = tuple(leftovers.settle(ctx))
        done = _create(ctx, keys, dest=dest, actor=actor, progress=progress)
    return dataclasses.replace(done, settled=settled)


def _create(
    ctx: ServiceContext, keys: ArchiveKeys, *, dest: Path, actor: str, progress: Progress | None
) -> BackupResult:
    now = ctx.now()
    backup_id = str(uuid.uuid4())
    stem = name = f"BranchDesk-{ctx.branch_code}-{now:%Y%m%d-%H%M%S}"
    dest.mkdir(parents=True, exist_ok=True)
    for n in itertools.count(2):  # a second backup within the same second
        if not (dest / name).exists() and not (dest / (name + leftovers.PARTIAL)).exists():
            break
        name = f"{stem}-{n}"
    final = dest / name
    work = dest / (name + leftovers.PARTIAL)
    with ctx.db.write() as conn:
        authorize(ctx, conn, actor, "backup.run")
        rk = recovery_public(conn)
        if rk is None:
            raise ArchiveKeyError("error.archive.no_recovery_key")
        key_id, master = current_master(conn, keys)
        epoch = device_epoch(conn)
        db_id = json.loads((ctx.db.path.parent / CONFIG_NAME).read_text("utf-8"))["db_id"]
        # Entered before the folder exists, so that a killed run's folder is found.
        leftovers.begin(conn, backup_id=backup_id, work=work, final=final, actor=actor)
    crash_point("backup_pending")
    backup_key = new_data_key()
    files: list[dict[str, Any]] = []
    renamed = False
    try:
        work.mkdir(mode=0o700)  # the copy is encrypted; its folder is the owner's alone
        (work / "volumes").mkdir(mode=0o700)
        with archive_lock(ctx):  # no volume is sealed or retired meanwhile
            _export_db(ctx, work / DB_NAME, backup_key)
            crash_point("backup_db_exported")
            with ctx.db.read() as conn:
                volumes = (
                    conn.execute(
                        select(archive_volumes.c.file).where(archive_volumes.c.status == "active")
                    )
                    .scalars()
                    .all()
                )
            sources = [(work / DB_NAME, DB_NAME)]
            for n, file in enumerate(volumes, start=1):
                shutil.copyfile(archive_dir(ctx) / file, work / "volumes" / file)
                sources.append((work / "volumes" / file, f"volumes/{file}"))
                crash_point("backup_volume_copied")
                if progress is not None:
                    progress(n, len(volumes))
        for path, rel in sources:
            files.append({"path": rel, "bytes": path.stat().st_size, "sha256": file_sha256(path)})
            _fsync(path)
        body = {
            "format": FORMAT,
            "version": VERSION,
            "backup_id": backup_id,
            "created_at": now.isoformat(),
            "branch": ctx.branch_code,
            "source_db_id": db_id,
            "device_epoch": epoch,
            "files": files,
            "key_slots": [
                {
                    "type": "recovery",
                    **seal_to_recovery(rk[1], backup_key, context=f"backup:{backup_id}"),
                },
                {
                    "type": "master",
                    **wrap_key(master, key_id, backup_key, context=f"backup:{backup_id}"),
                },
            ],
        }
        (work / MANIFEST).write_text(
            json.dumps(
                {"manifest": body, "mac": mac_of(backup_key, body)}, ensure_ascii=False, indent=1
            ),
            "utf-8",
        )
        _fsync(work / MANIFEST)
        leftovers.fsync_dir(work / "volumes")
        leftovers.fsync_dir(work)
        crash_point("backup_manifest_written")
        detail = leftovers.created_detail(backup_id, name, files)
        # Finished = renamed and recorded, in one transaction: the rename is its last
        # step before the commit (a crash between the two is settled by the next run).
        with ctx.db.write() as conn:
            write_audit(ctx, conn, actor=actor, action="backup.create", case_id=None, detail=detail)
            leftovers.finish(conn, backup_id)
            os.replace(work, final)
            renamed = True
            leftovers.fsync_dir(dest)
            crash_point("backup_renamed")
    except BaseException:
        # Not recorded, so not a backup: nothing of it stays (a failure here leaves the
        # pending entry, and the next run removes the folder).
        shutil.rmtree(final if renamed else work, ignore_errors=True)
        with contextlib.suppress(SQLAlchemyError), ctx.db.write() as conn:
            leftovers.finish(conn, backup_id)
        raise
    crash_point("backup_committed")
    return BackupResult(final, len(files), int(detail["bytes"]))


# ------------------------------------------------------------------ verification


@dataclass(frozen=True)
class BackupReport:
    path: Path
    created_at: datetime | None
    branch: str | None
    files: int
    bytes: int
    cases: int
    volumes: int
    #: (file or "manifest", message key, params): empty when the backup is sound.
    problems: tuple[tuple[str, str, dict[str, Any]], ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def backup_key_of(
    outer: dict[str, Any],
    *,
    recovery: RecoveryKey | None = None,
    keys: ArchiveKeys | None = None,
    master_lookup: Callable[[str], bytes] | None = None,
) -> bytes:
    """The backup key from the recovery key, or from this PC's master key; the
    manifest's MAC is checked with it (a wrong key or edited manifest is refused)."""
    body = outer["manifest"]
    context = f"backup:{body['backup_id']}"
    slots = {s["type"]: s for s in body["key_slots"]}
    if recovery is not None:
        key = open_sealed(recovery, slots["recovery"], context=context)
    elif master_lookup is not None:
        slot = slots["master"]
        key = unwrap_key(master_lookup(str(slot["key_id"])), slot, context=context)
    else:
        raise ArchiveKeyError("error.backup.key_needed")
    if not hmac.compare_digest(mac_of(key, body), str(outer["mac"])):
        raise BackupError("error.backup.damaged", file=MANIFEST, detail="MAC")
    return key


def _open_copy(path: Path, key: bytes) -> Any:
    conn = sqlcipher.connect(f"file:{path}?mode=ro", uri=True)
    conn.execute("PRAGMA cipher_log_level = NONE")
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    return conn


def verify_backup(
    path: Path,
    *,
    recovery: RecoveryKey | None = None,
    master_lookup: Callable[[str], bytes] | None = None,
) -> BackupReport:
    """Everything a restore would rely on, checked without restoring anything."""
    outer = read_manifest(path)
    body = outer["manifest"]
    problems: list[tuple[str, str, dict[str, Any]]] = []
    key = backup_key_of(outer, recovery=recovery, master_lookup=master_lookup)
    listed = {f["path"] for f in body["files"]}
    for f in body["files"]:
        file = path / f["path"]
        if not file.is_file():
            problems.append((f["path"], "error.backup.file_missing", {"file": f["path"]}))
        elif file.stat().st_size != f["bytes"] or file_sha256(file) != f["sha256"]:
            problems.append(
                (f["path"], "error.backup.damaged", {"file": f["path"], "detail": "SHA-256"})
            )
    extra = [p for p in (path / "volumes").glob("*") if f"volumes/{p.name}" not in listed]
    problems += [(f"volumes/{p.name}", "error.backup.file_extra", {"file": p.name}) for p in extra]
    cases = volumes = 0
    if not problems:
        db = _open_copy(path / DB_NAME, key)
        try:
            if db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                problems.append(
                    (DB_NAME, "error.backup.damaged", {"file": DB_NAME, "detail": "quick_check"})
                )
            cases = int(db.execute("SELECT count(*) FROM cases").fetchone()[0])
            rows = db.execute(
                "SELECT id, file, master_slot FROM archive_volumes WHERE status = 'active'"
            ).fetchall()
        except sqlcipher.DatabaseError as exc:
            raise BackupError("error.backup.damaged", file=DB_NAME, detail=str(exc)) from exc
        finally:
            db.close()
        for volume_id, file, slot in rows:
            volumes += 1
            try:
                info = read_header(path / "volumes" / file)
                if recovery is not None:
                    dek = info.recovery_data_key(recovery)
                else:
                    assert master_lookup is not None
                    s = json.loads(slot)
                    dek = unwrap_key(master_lookup(s["key_id"]), s, context=f"volume:{volume_id}")
                verify_volume(path / "volumes" / file, dek)
            except (VolumeError, ArchiveKeyError) as exc:
                problems.append((f"volumes/{file}", exc.key, exc.params))
    created = datetime.fromisoformat(body["created_at"])
    return BackupReport(
        path,
        created,
        body.get("branch"),
        len(body["files"]),
        sum(int(f["bytes"]) for f in body["files"]),
        cases,
        volumes,
        tuple(problems),
    )


def verify_with_install(
    ctx: ServiceContext, keys: ArchiveKeys, path: Path, *, actor: str
) -> BackupReport:
    """Verify a backup of this installation with its own master keys (audited)."""
    with ctx.db.read() as conn:
        authorize(ctx, conn, actor, "backup.run")
        wrapped = dict(
            conn.execute(select(archive_master_keys.c.key_id, archive_master_keys.c.wrapped)).all()
        )

    def lookup(key_id: str) -> bytes:
        if key_id not in wrapped:
            raise ArchiveKeyError("error.archive.master_key_missing", key_id=key_id)
        return keys.load(key_id, wrapped[key_id])

    report = verify_backup(path, master_lookup=lookup)
    leftovers.settle_if_idle(ctx)  # after the checks: a refused verify writes nothing
    with ctx.db.write() as conn:
        write_audit(
            ctx,
            conn,
            actor=actor,
            action="backup.verify",
            case_id=None,
            detail={"folder": path.name, "problems": len(report.problems)},
        )
    return report


# ------------------------------------------------------------------------ restore


@dataclass(frozen=True)
class RestoreResult:
    data_dir: Path
    cases: int
    volumes: int
    epoch: int


def restore_backup(
    path: Path,
    data_dir: Path,
    *,
    recovery: RecoveryKey,
    store: SecretStore | None = None,
    passphrase: str | None = None,
    use_keyring: bool = True,
    removed: tuple[str, ...] = (),
    staging: bool = False,
) -> RestoreResult:
    """Restore backup `path` as a new installation in `data_dir` (which must not hold
    one). Everything is verified first; on any failure nothing is left behind. The
    restored branch gets a new database key, a new archive master key (every volume
    key re-wrapped under it) and a new device epoch for HQ sync. `removed` names what
    killed restores had left beside the target (recorded in the restore's entry).
    `staging`: `data_dir` is a restore's staging folder, and is marked as such
    (`backup_leftovers.mark_staging`) before any keyring entry is made for it."""
    if is_initialised(data_dir):
        raise BackupError("error.backup.target_not_empty", path=str(data_dir))
    report = verify_backup(path, recovery=recovery)
    if not report.ok:
        file, key, params = report.problems[0]
        raise BackupError(key, **{"file": file, **params})
    backup_key = backup_key_of(read_manifest(path), recovery=recovery)
    if use_keyring and store is None:
        store = default_secret_store()
    if store is not None and use_keyring:
        config = InstallConfig(db_id=str(uuid.uuid4()), key_mode="keyring")
        db_key = new_key()
    else:
        if passphrase is None:
            raise BackupError("error.setup.passphrase_required", env="BRANCHDESK_PASSPHRASE")
        config = InstallConfig(
            db_id=str(uuid.uuid4()), key_mode="passphrase", kdf=KdfParams.fresh()
        )
        assert config.kdf is not None
        db_key = derive_key(passphrase, config.kdf)
    created = not data_dir.exists()
    make_private_dir(data_dir)  # a branch's data folder, as `init` makes one
    try:
        # The configuration first: it names the keyring entry made next, so that what a
        # killed restore leaves can be found and removed (backup_leftovers).
        (data_dir / CONFIG_NAME).write_text(json.dumps(config.to_json(), indent=2), "utf-8")
        if staging:
            leftovers.mark_staging(data_dir, config.db_id)
        if config.key_mode == "keyring":
            assert store is not None
            store.set(config.secret_name, db_key)
        tmp = data_dir / (DB_NAME + ".restoring")
        shutil.copyfile(path / DB_NAME, tmp)
        crash_point("restore_db_copied")
        db = sqlcipher.connect(str(tmp))
        try:
            db.execute("PRAGMA cipher_log_level = NONE")
            db.execute(f"PRAGMA key = \"x'{backup_key.hex()}'\"")
            db.execute(f"PRAGMA rekey = \"x'{db_key.hex()}'\"")
        finally:
            db.close()
        os.replace(tmp, data_dir / DB_NAME)
        volumes_dir = data_dir / "archive"
        volumes_dir.mkdir(exist_ok=True)
        for volume in (path / "volumes").glob("*.bdav"):
            shutil.copyfile(volume, volumes_dir / volume.name)
        crash_point("restore_volumes_copied")
        ctx = open_branch(data_dir, passphrase=passphrase, store=store, sweep=False)
        try:
            keys = archive_keys(data_dir, passphrase=passphrase, store=store)
            epoch = _adopt(ctx, keys, recovery, report, removed)
        finally:
            ctx.db.close()
    except BaseException:
        if created:
            shutil.rmtree(data_dir, ignore_errors=True)
        else:
            for name in (
                DB_NAME,
                DB_NAME + "-wal",
                DB_NAME + "-shm",
                DB_NAME + ".restoring",
                CONFIG_NAME,
                leftovers.MARKER,
            ):
                (data_dir / name).unlink(missing_ok=True)
            shutil.rmtree(data_dir / "archive", ignore_errors=True)
        if store is not None and config.key_mode == "keyring":
            store.delete(config.secret_name)
        raise
    return RestoreResult(data_dir, report.cases, report.volumes, epoch)


def _adopt(
    ctx: ServiceContext,
    keys: ArchiveKeys,
    recovery: RecoveryKey,
    report: BackupReport,
    removed: tuple[str, ...],
) -> int:
    """Make the restored branch this PC's own: a new master key wrapping every volume's
    key (taken from the volume headers with the recovery key), and a new device epoch
    so that HQ keeps what it received from the lost PC apart from what comes next."""
    folder = archive_dir(ctx)
    with ctx.db.write() as conn:
        conn.execute(
            update(archive_master_keys)
            .where(archive_master_keys.c.retired_at.is_(None))
            .values(retired_at=ctx.now())
        )
        key_id, master = current_master(conn, keys)
        for v in conn.execute(
            select(archive_volumes.c.id, archive_volumes.c.file).where(
                archive_volumes.c.status == "active"
            )
        ).all():
            dek = read_header(folder / v.file).recovery_data_key(recovery)
            conn.execute(
                update(archive_volumes)
                .where(archive_volumes.c.id == v.id)
                .values(master_slot=wrap_key(master, key_id, dek, context=f"volume:{v.id}"))
            )
        epoch = device_epoch(conn) + 1
        leftovers.forget_all(conn)
        conn.execute(delete(settings).where(settings.c.key == "device.epoch"))
        conn.execute(insert(settings).values(key="device.epoch", value=epoch))
        write_audit(
            ctx,
            conn,
            actor=RESTORE_ACTOR,
            action="backup.restore",
            case_id=None,
            detail={
                "backup": report.path.name,
                "cases": report.cases,
                "volumes": report.volumes,
                "epoch": epoch,
                "archive_key": key_id,
                **({"removed_leftovers": list(removed)} if removed else {}),
            },
        )
    return epoch
