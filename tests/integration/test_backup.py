"""Backup → verify → restore on a fresh data directory: the same cases, the same audit
chain, the archive readable with the new PC's keys; tampering named; a wrong or
missing key refused with nothing written."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import select

from branchdesk.archive.keys import ArchiveKeyError, RecoveryKey
from branchdesk.archive.master import archive_keys
from branchdesk.bootstrap import open_branch
from branchdesk.persistence.schema import audit_log, cases, settings
from branchdesk.secrets import KeyringSecretStore
from branchdesk.services import archiving, audit, backup, staff
from tests.conftest import Branch, activate
from tests.support.fakes import MemoryKeyring
from tests.support.files import mode, usual_umask
from tests.unit.archive.support import acknowledge_outbox, closed_case, keys_of


@pytest.fixture
def backed_up(branch: Branch, tmp_path: Path) -> tuple[Branch, RecoveryKey, Path, list[str]]:
    ctx = branch.ctx
    new = staff.add_staff(ctx, staff_no="R401", name="郑雅琴", roles=("archivist",), actor="A001")
    activate(ctx, "R401", new.one_time_code)
    recovery = archiving.issue_recovery_key(ctx, actor="A001")
    numbers = [closed_case(ctx, name=f"李{i}") for i in range(3)]
    archiving.approve(ctx, keys_of(branch), numbers=numbers[:2], actor="M301")
    acknowledge_outbox(ctx)
    assert archiving.seal_archived(ctx, keys_of(branch), actor="R401").sealed == 2
    result = backup.create_backup(ctx, keys_of(branch), dest=tmp_path / "usb", actor="R401")
    return branch, RecoveryKey.parse(recovery.text()), result.path, numbers


def rows(ctx: object, table: object) -> list[tuple[object, ...]]:
    with ctx.db.read() as conn:  # type: ignore[attr-defined]
        return [tuple(r) for r in conn.execute(select(table))]  # type: ignore[call-overload]


def test_restore_on_a_fresh_data_dir_gives_the_same_branch(backed_up, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    branch, recovery, path, numbers = backed_up
    assert backup.verify_with_install(branch.ctx, keys_of(branch), path, actor="R401").ok
    new_pc = MemoryKeyring()  # the new PC's keyring knows nothing of the old one
    store = KeyringSecretStore(new_pc)
    target = tmp_path / "new-pc" / "BranchDesk"
    with usual_umask():
        result = backup.restore_backup(path, target, recovery=recovery, store=store)
    assert result.cases == 3 and result.volumes == 1
    assert mode(target) == 0o700  # a data folder, as `init` makes one
    restored = open_branch(target, store=store)
    try:
        assert rows(restored, cases) == rows(branch.ctx, cases)
        old_chain = rows(branch.ctx, audit_log)
        new_chain = rows(restored, audit_log)
        # The backup holds the chain up to its own creation entry, unchanged.
        cut = [r[4] for r in old_chain].index("backup.create")
        assert new_chain[:cut] == old_chain[:cut]
        assert new_chain[cut][4] == "backup.restore"
        assert audit.verify_chain(restored, actor="A001").ok
        keys = archive_keys(target, store=store)
        case = archiving.open_archived(restored, keys, ref=numbers[0], actor="R401")
        assert case.number == numbers[0]
        assert archiving.verify(restored, keys, actor="R401").ok
        with restored.db.read() as conn:
            epoch = conn.execute(
                select(settings.c.value).where(settings.c.key == "device.epoch")
            ).scalar()
        assert int(epoch) == 2  # HQ keeps the lost PC's events apart from what comes next
        # The live case that was not archived is still workable.
        assert archiving.review(restored, numbers=[numbers[2]], actor="M301")[0].complete
    finally:
        restored.db.close()


@pytest.mark.parametrize("victim", ["manifest.json", "branch.db", "volume"])
def test_a_flipped_byte_anywhere_is_named(backed_up, victim: str) -> None:  # type: ignore[no-untyped-def]
    _, recovery, path, _ = backed_up
    file = next((path / "volumes").glob("*.bdav")) if victim == "volume" else path / victim
    data = bytearray(file.read_bytes())
    data[len(data) // 3] ^= 0x01
    file.write_bytes(bytes(data))
    try:
        report = backup.verify_backup(path, recovery=recovery)
    except backup.BackupError as exc:
        assert victim == "manifest.json" and exc.params["file"] == "manifest.json"
        return
    assert victim != "manifest.json"
    [problem] = report.problems
    assert problem[0].endswith(file.name)


def test_every_byte_of_a_small_volume_in_a_backup_counts(backed_up) -> None:  # type: ignore[no-untyped-def]
    _, recovery, path, _ = backed_up
    volume = next((path / "volumes").glob("*.bdav"))
    original = volume.read_bytes()
    for i in range(0, len(original), max(1, len(original) // 300)):
        data = bytearray(original)
        data[i] ^= 0x80
        volume.write_bytes(bytes(data))
        assert not backup.verify_backup(path, recovery=recovery).ok
    volume.write_bytes(original)
    assert backup.verify_backup(path, recovery=recovery).ok


def test_wrong_key_or_damage_leaves_nothing_behind(backed_up, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, _, path, _ = backed_up
    target = tmp_path / "target"
    store = KeyringSecretStore(MemoryKeyring())
    with pytest.raises(ArchiveKeyError) as caught:
        backup.restore_backup(path, target, recovery=RecoveryKey.generate(), store=store)
    assert caught.value.key == "error.archive.other_recovery_key"
    assert not target.exists()
    with pytest.raises(ArchiveKeyError):
        backup.verify_backup(path)  # no key at all


def test_the_backup_folder_is_for_its_owner_alone(backed_up) -> None:  # type: ignore[no-untyped-def]
    """Its files are encrypted, but who made it need not share even that with others."""
    _, _, path, _ = backed_up
    assert stat.S_IMODE(path.stat().st_mode) == 0o700
    assert stat.S_IMODE((path / "volumes").stat().st_mode) == 0o700


def test_damaged_backup_is_not_restored(backed_up, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, recovery, path, _ = backed_up
    db = path / "branch.db"
    data = bytearray(db.read_bytes())
    data[-100] ^= 0x01
    db.write_bytes(bytes(data))
    target = tmp_path / "target"
    store = KeyringSecretStore(MemoryKeyring())
    with pytest.raises(backup.BackupError) as caught:
        backup.restore_backup(path, target, recovery=recovery, store=store)
    assert caught.value.params["file"] == "branch.db"
    assert not target.exists() and not store._backend.store  # type: ignore[attr-defined]


@pytest.mark.parametrize("refusal", [errno.EINVAL, errno.ENOTSUP, errno.EBADF])
def test_a_filesystem_that_cannot_flush_a_folder_keeps_the_backup(  # type: ignore[no-untyped-def]
    backed_up, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, refusal: int
) -> None:
    """Some network and FUSE mounts refuse to flush a folder (as SQLite, a backup takes
    that as done). No filesystem here refuses it, so the refusal is faked at the
    os.fsync boundary, for folders only: files are still flushed for real."""
    branch, recovery, _, _ = backed_up
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            raise OSError(refusal, os.strerror(refusal))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    usb = tmp_path / "network-share"
    done = backup.create_backup(branch.ctx, keys_of(branch), dest=usb, actor="R401")
    assert [p.name for p in usb.iterdir()] == [done.path.name]
    assert backup.verify_backup(done.path, recovery=recovery).ok


def test_a_folder_flush_that_fails_for_real_still_fails_the_backup(  # type: ignore[no-untyped-def]
    backed_up, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A disk error is not a refusal: that backup is not kept (faked as above)."""
    branch, _, _, _ = backed_up
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    usb = tmp_path / "usb-stick"
    with pytest.raises(OSError):
        backup.create_backup(branch.ctx, keys_of(branch), dest=usb, actor="R401")
    assert list(usb.iterdir()) == []
