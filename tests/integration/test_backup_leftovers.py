"""What a dead restore leaves beside its target (a hidden `.TARGET.restoring-…` folder,
a complete copy of a branch) is removed when the target is set up or opened, not only
by the next restore into it; never while a live restore holds the target's lock; never
at the cost of a live branch's keys; and whatever the copy does when opened. Two
restores into one target at the same time: the second is refused cleanly."""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, update

from branchdesk.archive.store import ENV_CRASH
from branchdesk.bootstrap import CONFIG_NAME, InstallConfig, is_initialised, open_branch
from branchdesk.cli import main
from branchdesk.cli_backup import restore
from branchdesk.cli_exit import exit_status
from branchdesk.cli_output import Printer
from branchdesk.persistence.schema import audit_log, settings
from branchdesk.secrets import KeyringSecretStore
from branchdesk.services import backup
from branchdesk.services import backup_leftovers as leftovers
from tests.conftest import PASSWORD, Branch
from tests.integration.conftest import INIT
from tests.support.backups import PASSPHRASE, ROOT, Prepared, cli_env, run_cli
from tests.support.fakes import MemoryKeyring


def swept_entries(data_dir: Path, **open_args: object) -> list[list[str]]:
    ctx = open_branch(data_dir, sweep=False, **open_args)  # type: ignore[arg-type]
    try:
        with ctx.db.read() as conn:
            rows = conn.execute(
                select(audit_log.c.detail).where(audit_log.c.action == leftovers.SWEPT)
            ).scalars()
            return [list(d["removed_leftovers"]) for d in rows]
    finally:
        ctx.db.close()


def dead_restore(folder: Path, target: Path, recovery: object, store: KeyringSecretStore) -> Path:
    """A restore's staging folder whose process is gone (no lock is held), made by the
    restore's own code in keyring mode, with its keyring entries."""
    staging = target.parent / f"{leftovers.staging_prefix(target)}5e5e5e5e"
    backup.restore_backup(
        folder,
        staging,
        recovery=recovery,  # type: ignore[arg-type]
        store=store,
        staging=True,
    )
    return staging


@pytest.mark.slow
def test_a_killed_restores_copy_goes_when_the_branch_is_opened(
    backup_made: tuple[Prepared, Path], tmp_path: Path
) -> None:
    """kill -9 of a real restore, then a plain command on that data folder (here the
    branch put there by other means): the copy is gone, and the audit trail says so."""
    prepared, folder = backup_made
    target = tmp_path / "new-pc"
    key = {"BRANCHDESK_RECOVERY_KEY": prepared.recovery.text()}
    killed = run_cli(
        *("backup", "restore", str(folder), "--data-dir", str(target), "--no-keyring"),
        env=cli_env(**key, **{ENV_CRASH: "restore_staged"}),
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    [staging] = tmp_path.glob(".new-pc.restoring-*")
    shutil.copytree(prepared.data_dir, target)
    done = run_cli("--data-dir", str(target), "audit", "verify", "--json", env=cli_env())
    assert done.returncode == 0, done.stderr
    assert not staging.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new-pc"]  # no copy, no lock
    assert swept_entries(target, passphrase=PASSPHRASE) == [[staging.name]]


def test_a_dead_restores_copy_goes_at_set_up_but_not_while_a_restore_runs(
    backup_made: tuple[Prepared, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    _isolated: MemoryKeyring,
) -> None:
    prepared, folder = backup_made
    store = KeyringSecretStore(_isolated)
    target = tmp_path / "new-pc"
    staging = dead_restore(folder, target, prepared.recovery, store)
    monkeypatch.setenv("BRANCHDESK_PASSWORD", PASSWORD)
    with leftovers.restore_lock(target):  # a live restore: its folder is in use
        assert leftovers.sweep_dead_restores(target, store) == []
        assert is_initialised(staging)
    made_for_it = set(_isolated.store)
    assert main(["--data-dir", str(target), *INIT]) == 0, capsys.readouterr().err
    assert not staging.exists()
    assert not made_for_it & set(_isolated.store)  # its keys went with it
    assert swept_entries(target) == [[staging.name]]


def test_a_copy_of_the_live_branch_under_a_staging_name_keeps_the_live_key(
    branch: Branch, tmp_path: Path
) -> None:
    """A folder named like a restore's copy but holding a copy of the live branch's
    folder (its configuration names the live database key): the sweep removes the
    folder, never the live branch's keys."""
    live = branch.data_dir
    branch.ctx.db.close()
    target = tmp_path / "new-pc"
    copy = target.parent / f"{leftovers.staging_prefix(target)}0a0a0a0a"
    shutil.copytree(live, copy)
    config = InstallConfig.from_json(json.loads((live / CONFIG_NAME).read_text("utf-8")))
    before = dict(branch.store._backend.store)  # type: ignore[attr-defined]
    assert leftovers.sweep_restores(target, branch.store) == [copy.name]
    assert not copy.exists()
    assert branch.store.get(config.secret_name) is not None
    assert branch.store._backend.store == before  # type: ignore[attr-defined]
    reopened = open_branch(live, store=branch.store)
    try:
        with reopened.db.read() as conn:
            assert conn.execute(select(settings.c.key)).first() is not None
    finally:
        reopened.db.close()


def test_a_copy_that_fails_oddly_when_opened_is_still_removed(
    backup_made: tuple[Prepared, Path],
    tmp_path: Path,
    _isolated: MemoryKeyring,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Opening the dead copy fails with an error of a kind nobody listed (its time
    zone is unknown: a KeyError): the sweep removes it all the same, so no later
    restore into the target crashes on it."""
    prepared, folder = backup_made
    store = KeyringSecretStore(_isolated)
    target = tmp_path / "new-pc"
    staging = dead_restore(folder, target, prepared.recovery, store)
    ctx = open_branch(staging, store=store, sweep=False)
    try:
        with ctx.db.write() as conn:
            conn.execute(
                update(settings)
                .where(settings.c.key == "branch.timezone")
                .values(value="Mars/Olympus_Mons")
            )
    finally:
        ctx.db.close()
    assert leftovers.sweep_restores(target, store) == [staging.name]
    assert not staging.exists()
    assert not [name for _, name in _isolated.store if name.startswith("db-key:")]
    assert "ZoneInfoNotFoundError" in caplog.text  # the kind of failure is logged


@pytest.mark.slow
def test_a_restore_that_finds_the_target_filled_under_the_lock_is_refused(
    backup_made: tuple[Prepared, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two restores into one target started together: this one passes the first
    emptiness check, then (while it asks for its passphrase) the other, a real
    command in its own process, restores the branch into the target and releases the
    lock. This one must refuse cleanly (exit status 2, the target named) under the
    lock, instead of crashing at the move with the other's branch in place."""
    prepared, folder = backup_made
    target = tmp_path / "new-pc"
    monkeypatch.setenv("BRANCHDESK_RECOVERY_KEY", prepared.recovery.text())
    key = {"BRANCHDESK_RECOVERY_KEY": prepared.recovery.text()}
    other: list[int] = []

    def passphrase() -> str:
        done = run_cli(
            *("backup", "restore", str(folder), "--data-dir", str(target), "--no-keyring"),
            env=cli_env(**key),
        )
        other.append(done.returncode)
        return PASSPHRASE

    args = argparse.Namespace(
        restore_dir=str(target),
        data_dir=None,
        folder=str(folder),
        recovery_key=None,
        no_keyring=True,
        json=True,
    )
    with pytest.raises(backup.BackupError) as caught:
        restore(
            args,
            Printer(lang="en", as_json=True),
            sign_in=lambda *_: pytest.fail("no sign-in: the target is taken"),
            passphrase=passphrase,
        )
    assert other == [0]
    assert caught.value.key == "error.backup.target_not_empty"
    assert exit_status(caught.value) == 2
    assert is_initialised(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new-pc"]


@pytest.mark.slow
def test_two_restores_into_one_target_started_together(
    backup_made: tuple[Prepared, Path], tmp_path: Path
) -> None:
    """Two real restores into one target, started at the same moment: one restores,
    the other is refused with a message and a status of the README's table (3 while
    the first holds the lock, 2 once the target is filled), never a traceback; only
    the restored branch is left."""
    prepared, folder = backup_made
    target = tmp_path / "new-pc"
    env = cli_env(BRANCHDESK_RECOVERY_KEY=prepared.recovery.text(), LANG="en_US.UTF-8")
    command = [sys.executable, "-m", "branchdesk.cli", "--lang", "en", "backup", "restore"]
    runs = [
        subprocess.Popen(
            [*command, str(folder), "--data-dir", str(target), "--no-keyring"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        results = [(run.wait(timeout=120), run.communicate()[1]) for run in runs]
    finally:
        for run in runs:
            run.kill()
    codes = sorted(code for code, _ in results)
    assert codes[0] == 0 and codes[1] in (2, 3), results
    [refused] = [err for code, err in results if code != 0]
    assert "Traceback" not in refused and str(target) in refused, refused
    assert is_initialised(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new-pc"]
