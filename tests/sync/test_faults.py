"""Network and process faults between branch and HQ (R1, R2). After every fault the
set check holds: every event committed at the branch is at HQ exactly once (lost = ∅,
duplicates = ∅, unexpected = ∅), each stream gapless, and sync resumes by itself."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from branchdesk.services import cases, sync_state
from sync.client.engine import Backoff, RoundResult, SyncEngine, run_forever
from sync.client.transport import HqClient, SyncFailure
from tests.sync.conftest import Enrolled, add_cases
from tests.sync.faultproxy import FaultProxy
from tests.sync.support import (
    HqServer,
    assert_exactly_once,
    branch_events,
    run_branch,
    unsent,
)


@pytest.fixture
def proxy(enrolled: Enrolled) -> Iterator[FaultProxy]:
    p = FaultProxy(enrolled.hq.port)
    yield p
    p.close()


def _engine(enrolled: Enrolled, url: str, batch: int = 5) -> SyncEngine:
    return SyncEngine(
        enrolled.ctx, HqClient(url, token=enrolled.token, timeout=5), batch_size=batch
    )


def _until(condition: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "did not converge"
        time.sleep(0.05)


def _sync_until_done(engine: SyncEngine, attempts: int = 5) -> list[str]:
    failures = []
    for _ in range(attempts):
        try:
            engine.run_once()
            return failures
        except SyncFailure as failure:
            assert failure.retryable, failure.key
            failures.append(failure.key)
    raise AssertionError(f"no success after {failures}")


@pytest.mark.parametrize(
    "fault", ["drop_request", "drop_response", "duplicate", "slow", "partial", "reset"]
)
def test_a_network_fault_on_a_push_loses_and_duplicates_nothing(
    enrolled: Enrolled, proxy: FaultProxy, fault: str
) -> None:
    add_cases(enrolled.branch, 12)
    proxy.script("pass", fault)  # the second batch meets the fault
    engine = _engine(enrolled, proxy.url)
    failures = _sync_until_done(engine)
    engine.client.close()
    assert fault in proxy.seen
    if fault in ("drop_request", "drop_response", "partial", "reset"):
        assert failures  # the branch noticed, and recovered on its own
    assert unsent(enrolled.ctx) == 0
    assert_exactly_once(enrolled.hq.engine(), enrolled.device_id, branch_events(enrolled.ctx))


def test_a_fault_on_an_instruction_pull_applies_it_once(
    enrolled: Enrolled, proxy: FaultProxy
) -> None:
    (number,) = add_cases(enrolled.branch, 1)
    enrolled.hq.cli(
        "issue-instruction",
        "supervision",
        "--branch",
        "GZ0012",
        "--case",
        number,
        "--supervisor",
        "总部",
        "--reason",
        "督办此单",
    )
    proxy.script("pass", "drop_response", "duplicate")
    engine = _engine(enrolled, proxy.url)
    _sync_until_done(engine)
    _sync_until_done(engine)
    engine.client.close()
    view = cases.get_case(enrolled.ctx, number, viewer="A001")
    assert [e.kind for e in view.events].count("order_supervision") == 1


@pytest.mark.slow
def test_a_long_partition_heals_and_sync_resumes_by_itself(
    enrolled: Enrolled, proxy: FaultProxy
) -> None:
    engine = _engine(enrolled, proxy.url)
    stop, wake = threading.Event(), threading.Event()
    rounds: list[RoundResult | SyncFailure] = []
    proxy.partition()
    worker = threading.Thread(
        target=run_forever,
        args=(engine, stop),
        kwargs={
            "interval": 0.1,
            "wake": wake,
            "backoff": Backoff(base=0.05, cap=0.3),
            "on_round": lambda r, f: rounds.append(r or f),
        },  # type: ignore[arg-type]
        daemon=True,
    )
    worker.start()
    try:
        for _ in range(4):  # a week of work, in miniature, while offline
            add_cases(enrolled.branch, 5)
            enrolled.branch.clock.advance(days=2)
            time.sleep(0.2)
        _until(lambda: sum(isinstance(r, SyncFailure) for r in rounds) >= 3)
        status = sync_state.status(enrolled.ctx)
        assert status.pending == 20 and status.last_error is not None
        assert status.last_error.key in ("sync.error.offline", "sync.error.timeout")
        proxy.heal()
        _until(lambda: unsent(enrolled.ctx) == 0)
        _until(lambda: sync_state.status(enrolled.ctx).last_error is None)
    finally:
        stop.set()
        wake.set()
        worker.join(30)
    assert_exactly_once(enrolled.hq.engine(), enrolled.device_id, branch_events(enrolled.ctx))


@pytest.mark.slow
def test_hq_killed_and_restarted_mid_sync(enrolled: Enrolled) -> None:
    add_cases(enrolled.branch, 40)
    engine = _engine(enrolled, enrolled.hq.url, batch=2)
    killer = threading.Timer(0.3, enrolled.hq.kill)
    killer.start()
    try:
        engine.run_once()
    except SyncFailure as failure:
        assert failure.retryable
    killer.join()
    enrolled.hq.start()  # same port, same database
    _sync_until_done(engine)
    engine.client.close()
    assert unsent(enrolled.ctx) == 0
    assert_exactly_once(enrolled.hq.engine(), enrolled.device_id, branch_events(enrolled.ctx))


@pytest.mark.postgres
@pytest.mark.parametrize("hq_db", ["postgres"], indirect=True)
def test_postgresql_connections_lost_mid_sync(enrolled: Enrolled) -> None:
    from sqlalchemy import text

    add_cases(enrolled.branch, 10)
    engine = _engine(enrolled, enrolled.hq.url, batch=3)
    _sync_until_done(engine)
    add_cases(enrolled.branch, 10)
    with enrolled.hq.engine().connect() as conn:  # what a PostgreSQL restart does to HQ
        killed = conn.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = :name"
            ),
            {"name": enrolled.hq.app_name},
        ).scalar_one()
        conn.commit()
    assert killed >= 1
    _sync_until_done(engine)
    engine.client.close()
    assert unsent(enrolled.ctx) == 0
    assert_exactly_once(enrolled.hq.engine(), enrolled.device_id, branch_events(enrolled.ctx))


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.parametrize("hq_db", ["postgres"], indirect=True)
def test_two_hq_processes_receiving_the_same_batch_store_it_once(
    enrolled: Enrolled, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from sync.client.engine import encode_batch
    from sync.protocol.codec import compress

    second = HqServer(enrolled.hq.db_url, tmp_path / "hq2.log", extra=("--rate", "0")).start()
    try:
        add_cases(enrolled.branch, 30)
        batch = sync_state.next_batch(enrolled.ctx, max_events=30)
        assert batch is not None
        from datetime import UTC, datetime

        body = compress(encode_batch(batch, 2, datetime.now(UTC)))
        answers: list[httpx.Response] = []
        gate = threading.Barrier(2)

        def send(url: str) -> None:
            gate.wait()
            answers.append(
                httpx.post(
                    f"{url}/v1/devices/{enrolled.device_id}/batches",
                    content=body,
                    timeout=30,
                    headers={
                        "BranchDesk-Protocol": "2",
                        "Content-Encoding": "zstd",
                        "Authorization": f"Bearer {enrolled.token}",
                    },
                )
            )

        threads = [threading.Thread(target=send, args=(u,)) for u in (enrolled.hq.url, second.url)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert [a.status_code for a in answers] == [200, 200]
        assert sorted(a.json()["applied"] for a in answers) == [0, 30]
        assert sorted(a.json()["duplicates"] for a in answers) == [0, 30]
        assert_exactly_once(enrolled.hq.engine(), enrolled.device_id, branch_events(enrolled.ctx))
    finally:
        second.close()


@pytest.mark.slow
@pytest.mark.parametrize(
    "point", ["before_push", "mid_push", "after_hq_commit", "after_ack", "mid_apply"]
)
def test_kill_9_of_the_branch_sync_at_every_step_converges(enrolled: Enrolled, point: str) -> None:
    numbers = add_cases(enrolled.branch, 12)
    enrolled.hq.cli(
        "issue-instruction",
        "supervision",
        "--branch",
        "GZ0012",
        "--case",
        numbers[0],
        "--supervisor",
        "总部",
        "--reason",
        "督办此单",
    )
    enrolled.hq.cli(
        "issue-instruction", "notice", "--branch", "GZ0012", "--title", "通知", "--text", "正文"
    )
    crash = f"{point}:2" if point in ("before_push", "after_hq_commit", "after_ack") else point
    died = run_branch(
        enrolled.branch.data_dir, enrolled.keyring_file, "sync", "--batch-size", "5", crash=crash
    )
    assert died.returncode == -9, died.stderr
    done = run_branch(enrolled.branch.data_dir, enrolled.keyring_file, "sync", "--batch-size", "5")
    assert done.returncode == 0, done.stderr
    again = run_branch(enrolled.branch.data_dir, enrolled.keyring_file, "sync")  # the order's event
    assert again.returncode == 0, again.stderr
    assert unsent(enrolled.ctx) == 0
    assert_exactly_once(enrolled.hq.engine(), enrolled.device_id, branch_events(enrolled.ctx))
    view = cases.get_case(enrolled.ctx, numbers[0], viewer="A001")
    assert [e.kind for e in view.events].count("order_supervision") == 1
    assert sync_state.status(enrolled.ctx).cursor == 2
    with enrolled.ctx.db.read() as conn:
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
