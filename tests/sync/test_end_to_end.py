"""End to end: a real branch database, a real `branchdesk-hq serve` on 127.0.0.1
(SQLite and PostgreSQL), the real `branchdesk sync` command."""

from __future__ import annotations

from sqlalchemy import func, select

from branchdesk.services import cases, sync_state
from sync.client import cli as sync_cli
from sync.server.tables import devices, events
from tests.sync.conftest import Enrolled, add_cases
from tests.sync.support import assert_exactly_once, branch_events, run_branch, unsent


def test_a_branch_pushes_everything_once_and_a_second_round_sends_nothing(
    enrolled: Enrolled,
) -> None:
    numbers = add_cases(enrolled.branch, 25)
    cases.act(enrolled.ctx, number=numbers[0], action="acknowledge", params={}, actor="A001")
    expected = branch_events(enrolled.ctx)
    assert len(expected) == 26

    done = run_branch(enrolled.branch.data_dir, enrolled.keyring_file, "sync", "--batch-size", "7")
    assert done.returncode == 0, done.stderr
    engine = enrolled.hq.engine()
    assert_exactly_once(engine, enrolled.device_id, expected)
    assert unsent(enrolled.ctx) == 0

    again = run_branch(enrolled.branch.data_dir, enrolled.keyring_file, "sync", "--json")
    assert again.returncode == 0, again.stderr
    assert '"pushed": 0' in again.stdout
    assert_exactly_once(engine, enrolled.device_id, expected)


def test_hq_records_the_audit_head_and_the_branch_anchors_it(enrolled: Enrolled) -> None:
    add_cases(enrolled.branch, 3)
    assert sync_cli.main(["--data-dir", str(enrolled.branch.data_dir), "sync"]) == 0
    with enrolled.ctx.db.read() as conn:
        from branchdesk.services.audit import audit_head

        head = audit_head(conn)
        from branchdesk.persistence.schema import audit_anchors

        anchors = conn.execute(select(audit_anchors.c.audit_id, audit_anchors.c.hash)).all()
    assert head is not None
    with enrolled.hq.engine().connect() as conn:
        stored = conn.execute(
            select(devices.c.audit_head_id, devices.c.audit_head_hash).where(
                devices.c.id == enrolled.device_id
            )
        ).one()
    # The head sent with the last batch: HQ keeps it, the branch anchors it.
    assert (stored.audit_head_id, stored.audit_head_hash) in {(a.audit_id, a.hash) for a in anchors}


def test_sync_status_and_branches_report_show_the_state(enrolled: Enrolled) -> None:
    add_cases(enrolled.branch, 4)
    before = sync_state.status(enrolled.ctx)
    assert (before.enrolled, before.pending, before.last_success_at) == (True, 4, None)
    assert sync_cli.main(["--data-dir", str(enrolled.branch.data_dir), "sync"]) == 0
    after = sync_state.status(enrolled.ctx)
    assert after.pending == 0 and after.last_success_at is not None and after.last_error is None
    report = enrolled.hq.cli("branches", "--json")
    assert '"events": 4' in report and '"branch": "GZ0012"' in report
    with enrolled.hq.engine().connect() as conn:
        assert conn.execute(select(func.count()).select_from(events)).scalar_one() == 4


def test_hq_logs_carry_no_personal_data_or_secrets(enrolled: Enrolled) -> None:
    add_cases(enrolled.branch, 3)
    assert sync_cli.main(["--data-dir", str(enrolled.branch.data_dir), "sync"]) == 0
    log = enrolled.hq.log_path.read_text(encoding="utf-8")
    assert '"event":"batch"' in log
    for secret in (enrolled.token, "张三", "13812345678", "KD0200012345", "信号"):
        assert secret not in log
