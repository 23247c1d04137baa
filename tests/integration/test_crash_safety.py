"""Crash safety (TARGETS R1, intake part): a BranchDesk process killed with SIGKILL at
a random moment while recording cases loses no case it reported saved, leaves no half
case behind, and the database stays intact."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from branchdesk.bootstrap import open_branch
from tests.support.branches import passphrase_branch

PASSPHRASE = "crash test passphrase"

WORKER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from branchdesk.bootstrap import open_branch
    from branchdesk.domain.model import Customer, IntakeForm
    from branchdesk.services import cases

    ctx = open_branch(Path(sys.argv[1]), passphrase=sys.argv[2])
    i = 0
    while True:
        i += 1
        form = IntakeForm(kind="complaint", channel="walk_in", category="technical/network",
                          customer=Customer(name="压力测试", phone=f"138{i % 10**8:08d}"),
                          summary=f"第{i}次断电测试", remedy="恢复")
        view = cases.intake(ctx, form=form, actor="A001")
        if i % 3 == 0:
            cases.act(ctx, number=view.case.number, action="acknowledge", params={},
                      actor="A001")
        # Printed only after the commit returned: this case is promised to be kept.
        print(view.case.number, flush=True)
    """
)


@pytest.mark.slow
def test_kill_during_intake_loses_nothing_committed(tmp_path: Path) -> None:
    data_dir = tmp_path / "branch"
    ctx = passphrase_branch(data_dir, PASSPHRASE, branch_name="断电测试")
    ctx.db.close()
    rng = random.Random(20261129)
    promised: set[str] = set()
    for _trial in range(12):
        proc = subprocess.Popen(
            [sys.executable, "-c", WORKER, str(data_dir), PASSPHRASE],
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        assert proc.stdout is not None
        # Let it get past start-up (key derivation, migrations) and write for a while.
        first = proc.stdout.readline().strip()
        assert first, "the worker saved nothing"
        promised.add(first)
        time.sleep(rng.uniform(0.05, 0.6))
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate(timeout=30)
        promised.update(line.strip() for line in out.splitlines() if line.strip())

    ctx = open_branch(data_dir, passphrase=PASSPHRASE)
    with ctx.db.read() as conn:
        assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        stored = set(conn.execute(text("SELECT number FROM cases")).scalars())
        assert promised <= stored, sorted(promised - stored)[:5]
        # No half-written case: every case has all its events, milestones, search
        # entries, and every event its outbox row and audit entry.
        mismatched = conn.execute(
            text(
                "SELECT count(*) FROM cases c WHERE c.version != "
                "(SELECT count(*) FROM case_events e WHERE e.case_id = c.id)"
            )
        ).scalar()
        assert mismatched == 0
        counts = {
            t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar()
            for t in ("cases", "case_events", "outbox", "case_search")
        }
        assert counts["case_events"] == counts["outbox"]
        assert counts["case_search"] == counts["cases"]
        no_clock = conn.execute(
            text(
                "SELECT count(*) FROM cases c WHERE NOT EXISTS "
                "(SELECT 1 FROM case_milestones m WHERE m.case_id = c.id)"
            )
        ).scalar()
        assert no_clock == 0
        audited = conn.execute(
            text("SELECT count(*) FROM audit_log WHERE action LIKE 'case.%'")
        ).scalar()
        assert audited == counts["case_events"]
        seqs = conn.execute(text("SELECT seq FROM outbox ORDER BY seq")).scalars().all()
        assert seqs == list(range(1, len(seqs) + 1))  # still gapless
    ctx.db.close()
    assert len(promised) > 12
