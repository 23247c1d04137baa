"""The desktop's background sync: "sync now" sends what is pending, and the snapshot
the workbench reads shows it (pending, last success, no error)."""

from __future__ import annotations

import time

from sync.client.background import SyncRunner
from sync.client.engine import Backoff
from tests.sync.conftest import Enrolled, add_cases
from tests.sync.support import assert_exactly_once, branch_events, unsent


def test_the_background_runner_syncs_on_request_and_reports_it(enrolled: Enrolled) -> None:
    runner = SyncRunner(
        enrolled.ctx, store=enrolled.branch.store, interval=30, backoff=Backoff(base=0.05, cap=0.2)
    )
    runner.start()
    try:
        deadline = time.monotonic() + 30
        while runner.snapshot().last_success_at is None:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        add_cases(enrolled.branch, 6)
        runner.sync_now()
        while unsent(enrolled.ctx) or runner.snapshot().pending or runner.snapshot().error_key:
            assert time.monotonic() < deadline
            runner.sync_now()
            time.sleep(0.1)
    finally:
        runner.stop()
    assert runner.snapshot().enrolled
    assert_exactly_once(enrolled.hq.engine(), enrolled.device_id, branch_events(enrolled.ctx))
