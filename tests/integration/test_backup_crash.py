"""kill -9 in the middle of `backup create` and `backup restore` (the real command in its
own process, crash points chosen by environment variable, one after each step): what
the killed run leaves is settled by the next run. Afterwards no `*.partial` folder and
no hidden `.TARGET.restoring-…` copy of the branch is left, every complete backup
verifies and has its `backup.create` audit entry, and the audit chain holds.

A live run's folders are never touched: the next run is refused while it holds its
lock."""

from __future__ import annotations

import shutil
import signal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from branchdesk.archive.master import archive_keys
from branchdesk.archive.store import ENV_CRASH
from branchdesk.bootstrap import is_initialised, open_branch
from branchdesk.cli import main
from branchdesk.persistence.schema import audit_log, settings
from branchdesk.secrets import KeyringSecretStore
from branchdesk.services import audit, backup
from branchdesk.services import backup_leftovers as leftovers
from tests.support.backups import PASSPHRASE, Prepared, cli_env, run_cli
from tests.support.fakes import MemoryKeyring

CREATE_POINTS = (
    "backup_pending",
    "backup_db_exported",
    "backup_volume_copied",
    "backup_manifest_written",
    "backup_renamed",
    "backup_committed",
)
RESTORE_POINTS = (
    "restore_db_copied",
    "restore_volumes_copied",
    "restore_staged",
    "restore_confirmed",
)


@pytest.fixture
def made(backup_made: tuple[Prepared, Path]) -> tuple[Prepared, Path]:
    return backup_made


def audit_of(data_dir: Path) -> list[tuple[str, dict[str, Any]]]:
    ctx = open_branch(data_dir, passphrase=PASSPHRASE)
    try:
        with ctx.db.read() as conn:
            return [
                (str(r.action), dict(r.detail))
                for r in conn.execute(select(audit_log.c.action, audit_log.c.detail))
            ]
    finally:
        ctx.db.close()


def pending(data_dir: Path) -> list[str]:
    ctx = open_branch(data_dir, passphrase=PASSPHRASE)
    try:
        with ctx.db.read() as conn:
            keys = conn.execute(select(settings.c.key)).scalars()
            return [k for k in keys if k.startswith(leftovers.PENDING)]
    finally:
        ctx.db.close()


def chain_ok(data_dir: Path) -> bool:
    ctx = open_branch(data_dir, passphrase=PASSPHRASE)
    try:
        return audit.verify_chain(ctx, actor="A001").ok
    finally:
        ctx.db.close()


@pytest.mark.slow
def test_kill_9_at_every_step_of_creating_a_backup(
    made: tuple[Prepared, Path], tmp_path: Path
) -> None:
    """One run killed after each step in turn (each next run first settling what the
    one before left), then a run that finishes."""
    prepared, _ = made
    data_dir = tmp_path / "branch"
    shutil.copytree(prepared.data_dir, data_dir)
    usb = tmp_path / "usb"
    create = ("--data-dir", str(data_dir), "backup", "create", "--to", str(usb), "--json")
    halves: list[str] = []
    for point in CREATE_POINTS:
        killed = run_cli(*create, env=cli_env(**{ENV_CRASH: point}))
        assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
        partial = [p.name for p in usb.iterdir() if p.name.endswith(".partial")]
        # What the run before left is gone; this run's half-made folder is there.
        assert len(partial) == (point in CREATE_POINTS[1:4]), (point, partial)
        halves += partial
        if point == "backup_renamed":
            # What the issue saw: a complete backup with no audit entry (yet).
            [whole] = [p.name for p in usb.iterdir()]
            assert whole not in {d.get("folder") for _, d in audit_of(data_dir)}
    done = run_cli(*create, env=cli_env())
    assert done.returncode == 0, done.stderr

    names = sorted(p.name for p in usb.iterdir())
    assert len(names) == 3 and not [n for n in names if n.endswith(".partial")]
    entries = audit_of(data_dir)
    recorded = {str(d["folder"]): d for a, d in entries if a == "backup.create"}
    assert sorted(recorded) == names  # every backup there has its entry, once
    for name in names:
        report = backup.verify_backup(usb / name, recovery=prepared.recovery)
        assert report.ok and report.cases == 2, report.problems
        manifest = backup.read_manifest(usb / name)["manifest"]
        assert recorded[name]["backup_id"] == manifest["backup_id"]
    assert [n for n, d in recorded.items() if d.get("recorded_after_restart")] == [whole]
    abandoned = [d for a, d in entries if a == "backup.abandoned"]
    assert [d["removed"] for d in abandoned] == [False, True, True, True]
    assert [d["folder"] for d in abandoned[1:]] == halves
    assert not pending(data_dir) and chain_ok(data_dir)


@pytest.mark.slow
def test_kill_9_at_every_step_of_restoring(made: tuple[Prepared, Path], tmp_path: Path) -> None:
    """One restore killed after each step in turn, then one that finishes: each run
    removes (and says so) the copy the killed one before it left."""
    prepared, folder = made
    target = tmp_path / "new-pc"
    restore = ("backup", "restore", str(folder), "--data-dir", str(target), "--no-keyring")
    key = {"BRANCHDESK_RECOVERY_KEY": prepared.recovery.text()}
    before: Path | None = None
    for point in RESTORE_POINTS:
        killed = run_cli(*restore, env=cli_env(**key, **{ENV_CRASH: point}))
        assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
        [staging] = tmp_path.glob(".new-pc.restoring-*")
        assert before is None or before.name in killed.stderr  # the removal is said
        assert not target.exists()
        if point == "restore_staged":
            # What the issue saw: a complete, openable copy of the branch, hidden.
            assert chain_ok(staging)
        before = staging
    done = run_cli(*restore, "--json", env=cli_env(**key))
    assert done.returncode == 0, done.stderr
    assert before is not None and before.name in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new-pc"]  # no copy, no lock
    assert is_initialised(target) and chain_ok(target)
    # The copy was taken while its own backup was pending: the new PC is not making it.
    assert not pending(target)
    [restored] = [d for a, d in audit_of(target) if a == "backup.restore"]
    assert restored["removed_leftovers"] == [before.name]  # the audit trail says it too


def test_a_live_restore_is_left_alone(
    made: tuple[Prepared, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """While a restore into the target runs (it holds the lock), another one is refused
    and removes nothing of it; once it is gone, its folder is swept."""
    prepared, folder = made
    monkeypatch.setenv("BRANCHDESK_RECOVERY_KEY", prepared.recovery.text())
    monkeypatch.setenv("BRANCHDESK_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("BRANCHDESK_STAFF", "R401")
    target = tmp_path / "new-pc"
    live = tmp_path / ".new-pc.restoring-0f0f0f0f"
    args = ["--lang", "en", "backup", "restore", str(folder), "--data-dir", str(target)]
    with leftovers.restore_lock(target):
        backup.restore_backup(
            folder, live, recovery=prepared.recovery, passphrase=PASSPHRASE, use_keyring=False
        )
        code = main([*args, "--no-keyring"])
        assert code == 3  # not now: the same command works once the other has finished
        assert "Another restore into" in capsys.readouterr().err
        assert is_initialised(live) and not target.exists()
    # Its process is gone (the lock with it): a killed restore's keyring entries go too.
    shutil.rmtree(live)
    store = KeyringSecretStore(MemoryKeyring())
    backup.restore_backup(folder, live, recovery=prepared.recovery, store=store, staging=True)
    entries = store._backend.store  # type: ignore[attr-defined]
    assert len(entries) == 2  # the database key and the new archive master key
    removed = leftovers.sweep_restores(target, store)
    assert removed == [live.name] and not live.exists() and not entries


def test_a_live_backup_is_left_alone(
    made: tuple[Prepared, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """While a backup runs, a second one is refused, and `backup verify` does not
    settle the first one's pending entry."""
    prepared, folder = made
    data_dir = tmp_path / "branch"
    shutil.copytree(prepared.data_dir, data_dir)
    ctx = open_branch(data_dir, passphrase=PASSPHRASE)
    try:
        keys = archive_keys(data_dir, passphrase=PASSPHRASE)
        work = tmp_path / "usb" / "BranchDesk-GZ0012-live.partial"
        work.mkdir(parents=True)
        with leftovers.create_lock(ctx):
            with ctx.db.write() as conn:
                leftovers.begin(
                    conn, backup_id="live", work=work, final=work.with_suffix(""), actor="R401"
                )
            with pytest.raises(backup.BackupError) as caught:
                backup.create_backup(ctx, keys, dest=tmp_path / "usb", actor="R401")
            assert caught.value.key == "error.backup.busy"
            assert backup.verify_with_install(ctx, keys, folder, actor="R401").ok
            assert work.is_dir()
        # Its run is over without finishing: the next backup removes its folder.
        done = backup.create_backup(ctx, keys, dest=tmp_path / "usb", actor="R401")
        assert done.settled == (work.name,) and not work.exists()
    finally:
        ctx.db.close()
    assert not pending(data_dir)
