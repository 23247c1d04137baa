"""Shared by the backup tests that run the real command line in its own process: a
passphrase-mode branch (a subprocess cannot share the test's in-memory keyring) with
an archive volume and a recovery key, and the command line run as a script runs it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from branchdesk.archive.keys import RecoveryKey
from branchdesk.archive.master import archive_keys
from branchdesk.bootstrap import open_branch
from branchdesk.services import archiving, backup, staff
from tests.conftest import PASSWORD, activate
from tests.support.branches import passphrase_branch
from tests.unit.archive.support import acknowledge_outbox, closed_case

PASSPHRASE = "counter-passphrase-2026"
ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Prepared:
    data_dir: Path
    recovery: RecoveryKey


def prepare_branch(data_dir: Path, *, cases: int = 3) -> Prepared:
    """A branch with archivist R401, `cases` closed complaints of which two are sealed
    into a volume, and its recovery key."""
    ctx = passphrase_branch(data_dir, PASSPHRASE)
    try:
        for no, name, role in (("H201", "刘志强", "handler"), ("R401", "郑雅琴", "archivist")):
            new = staff.add_staff(ctx, staff_no=no, name=name, roles=(role,), actor="A001")
            activate(ctx, no, new.one_time_code)
        recovery = archiving.issue_recovery_key(ctx, actor="A001")
        numbers = [closed_case(ctx, name=f"李{i}") for i in range(cases)]
        keys = archive_keys(data_dir, passphrase=PASSPHRASE)
        archiving.approve(ctx, keys, numbers=numbers[:2], actor="A001", seal=False)
        acknowledge_outbox(ctx)
        assert archiving.seal_archived(ctx, keys, actor="A001").sealed == 2
    finally:
        ctx.db.close()
    return Prepared(data_dir, RecoveryKey.parse(recovery.text()))


def branch_and_backup(root: Path) -> tuple[Prepared, Path]:
    """A prepared branch that has never made a backup, and one backup of it (made from
    a copy of it). Tests copy whatever they change."""
    prepared = prepare_branch(root / "branch", cases=2)
    shutil.copytree(prepared.data_dir, root / "copy")
    ctx = open_branch(root / "copy", passphrase=PASSPHRASE)
    try:
        keys = archive_keys(root / "copy", passphrase=PASSPHRASE)
        done = backup.create_backup(ctx, keys, dest=root / "usb", actor="R401")
    finally:
        ctx.db.close()
    return prepared, done.path


def cli_env(**extra: str) -> dict[str, str]:
    """The environment of a script on a PC without a keyring: the branch passphrase,
    the archivist's sign-in, Chinese unless told otherwise."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRANCHDESK_")}
    env.update(
        BRANCHDESK_PASSPHRASE=PASSPHRASE,
        BRANCHDESK_STAFF="R401",
        BRANCHDESK_PASSWORD=PASSWORD,
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        PYTHONPATH=str(ROOT),
        LANG="zh_CN.UTF-8",
    )
    env.update(extra)
    return env


def run_cli(
    *args: str, env: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`branchdesk ARGS…` in a fresh process, as installed."""
    return subprocess.run(
        [sys.executable, "-m", "branchdesk.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
