"""A branch from before sign-in (schemas 0002 to 0005: nobody had a password) can be
used after the upgrade: its administrator chooses a password at the first sign-in, as
the first administrator does at `init`; from then on it is an ordinary password, and
nobody else can claim an account that way. Run through the real command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.upgrades.snapshot import ADMIN_NO, PASSPHRASE
from tests.upgrades.test_upgrade_matrix import copy_fixture

ROOT = Path(__file__).resolve().parents[2]
CHOSEN = "Chosen#Upgrade2026"


def cli(data_dir: Path, user: str, password: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRANCHDESK_")}
    env.update(
        PYTHONPATH=str(ROOT),
        BRANCHDESK_PASSPHRASE=PASSPHRASE,
        BRANCHDESK_PASSWORD=password,
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    command = ["--data-dir", str(data_dir), "--lang", "en", "--user", user, *args]
    return subprocess.run(
        [sys.executable, "-m", "branchdesk.cli", *command],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_administrator_of_a_branch_from_before_sign_in_chooses_a_password(
    tmp_path: Path,
) -> None:
    data_dir, _ = copy_fixture("0004", tmp_path)
    # A clerk cannot claim an account: only an administrator sets the first password.
    clerk = cli(data_dir, "C101", CHOSEN, "case", "list")
    assert clerk.returncode == 6, clerk.stderr
    # A password the policy refuses is refused, naming the field, and sets nothing.
    weak = cli(data_dir, ADMIN_NO, "short", "case", "list")
    assert weak.returncode == 2, weak.stderr
    assert "password" in weak.stderr.lower()

    first = cli(data_dir, ADMIN_NO, CHOSEN, "case", "list", "--json")
    assert first.returncode == 0, first.stderr
    assert "张三" in first.stdout
    # Now it is the administrator's password: another one is wrong.
    other = cli(data_dir, ADMIN_NO, "Another#Upgrade2026", "case", "list")
    assert other.returncode == 6, other.stderr
    again = cli(data_dir, ADMIN_NO, CHOSEN, "audit", "verify")
    assert again.returncode == 0, again.stderr
