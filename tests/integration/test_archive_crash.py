"""kill -9 in the middle of archiving (a real subprocess, crash points chosen by
environment variable): every case is afterwards either live or archived, never lost
and never both, and the next run completes the work and leaves no stray volume."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, text

from branchdesk.archive.master import archive_keys
from branchdesk.archive.store import ENV_CRASH
from branchdesk.bootstrap import open_branch
from branchdesk.persistence.schema import archive_entries, cases
from branchdesk.services import archiving, staff
from tests.conftest import activate
from tests.support.branches import passphrase_branch
from tests.unit.archive.support import acknowledge_outbox, closed_case

PASSPHRASE = "counter-passphrase-2026"
ROOT = Path(__file__).resolve().parents[2]
SEAL = (
    "import sys\n"
    "from pathlib import Path\n"
    "from branchdesk.bootstrap import open_branch\n"
    "from branchdesk.archive.master import archive_keys\n"
    "from branchdesk.services import archiving\n"
    "d = Path(sys.argv[1])\n"
    "ctx = open_branch(d, passphrase=sys.argv[2])\n"
    "keys = archive_keys(d, passphrase=sys.argv[2])\n"
    "archiving.seal_archived(ctx, keys, actor='A001', workers=1)\n"
)
POINTS = ("volume_written", "volume_renamed", "before_commit", "committed")


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """A passphrase-mode branch (a subprocess cannot share the test's keyring) with
    approved cases whose events HQ has acknowledged."""
    data_dir = tmp_path_factory.mktemp("crash") / "branch"
    ctx = passphrase_branch(data_dir, PASSPHRASE)
    new = staff.add_staff(ctx, staff_no="H201", name="刘志强", roles=("handler",), actor="A001")
    activate(ctx, "H201", new.one_time_code)
    archiving.issue_recovery_key(ctx, actor="A001")
    numbers = [closed_case(ctx, name=f"赵{i}") for i in range(4)]
    keys = archive_keys(data_dir, passphrase=PASSPHRASE)
    archiving.approve(ctx, keys, numbers=numbers, actor="A001", seal=False)
    acknowledge_outbox(ctx)
    ctx.db.close()
    return data_dir, numbers


def homes(data_dir: Path, numbers: list[str]) -> dict[str, str]:
    """Where each case is: "live", "archived", "both" or "lost"."""
    ctx = open_branch(data_dir, passphrase=PASSPHRASE)
    keys = archive_keys(data_dir, passphrase=PASSPHRASE)
    out = {}
    try:
        with ctx.db.read() as conn:
            for number in numbers:
                case_id = conn.execute(
                    select(cases.c.id).where(cases.c.number == number)
                ).scalar_one()
                live = (
                    conn.execute(
                        text(
                            "SELECT count(*) FROM case_events"
                            " WHERE case_id = :id AND kind = 'received'"
                        ),
                        {"id": case_id},
                    ).scalar_one()
                    > 0
                )
                indexed = (
                    conn.execute(
                        select(archive_entries.c.case_id).where(
                            archive_entries.c.case_id == case_id
                        )
                    ).first()
                    is not None
                )
                out[number] = {
                    (True, False): "live",
                    (False, True): "archived",
                    (True, True): "both",
                    (False, False): "lost",
                }[(live, indexed)]
        for number, home in out.items():
            if home == "archived":  # the record really is in its volume
                assert archiving.open_archived(ctx, keys, ref=number, actor="A001").number == number
    finally:
        ctx.db.close()
    return out


@pytest.mark.slow
@pytest.mark.parametrize("point", POINTS)
def test_kill_9_while_archiving(
    prepared: tuple[Path, list[str]], tmp_path: Path, point: str
) -> None:
    source, numbers = prepared
    data_dir = tmp_path / "branch"
    shutil.copytree(source, data_dir)
    env = {**os.environ, ENV_CRASH: point, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", SEAL, str(data_dir), PASSPHRASE],
        env=env,
        cwd=ROOT,
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr.decode()[-2000:]
    after_crash = homes(data_dir, numbers)
    expected = "archived" if point == "committed" else "live"
    assert set(after_crash.values()) == {expected}
    # The next run finishes the job and removes what the crash left behind.
    env.pop(ENV_CRASH)
    subprocess.run(
        [sys.executable, "-c", SEAL, str(data_dir), PASSPHRASE],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert set(homes(data_dir, numbers).values()) == {"archived"}
    files = sorted(p.name for p in (data_dir / "archive").iterdir() if p.name != ".lock")
    ctx = open_branch(data_dir, passphrase=PASSPHRASE)
    try:
        keys = archive_keys(data_dir, passphrase=PASSPHRASE)
        report = archiving.verify(ctx, keys, actor="A001")
        assert report.ok and report.volumes == len(files) == 1
        assert all(name.endswith(".bdav") for name in files)
    finally:
        ctx.db.close()
