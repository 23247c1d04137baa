"""HQ's rate limits, against a real `branchdesk-hq serve`: refused credentials are
counted by the caller's address and an address past its window is refused before
its credential is looked at; `/ready` and `/v1/protocol` are limited by address;
behind a reverse proxy the address is X-Forwarded-For's only when the proxy is
trusted (`--forwarded-allow-ips`); and the sweep of windows that are over runs in a
transaction of its own, never waiting for a row another process holds."""

from __future__ import annotations

import json
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, insert, select

from sync.server.database import create_hq_engine, migrate
from sync.server.ratelimit import RateLimiter
from sync.server.tables import rate_limits
from tests.sync.support import HqServer

PROTOCOL = {"BranchDesk-Protocol": "2"}
#: Three requests per window of 3000 s: nothing in a test outlives its window.
STRICT = ("--rate", "0.001", "--burst", "3")


def _enroll(server: HqServer, via: str) -> tuple[str, str]:
    code = server.cli("enroll-branch", "GZ0012").strip()
    device = str(uuid.uuid4())
    answer = httpx.post(
        f"{server.url}/v1/enroll",
        headers={**PROTOCOL, "X-Forwarded-For": via},
        json={"protocol": 2, "code": code, "branch_code": "GZ0012", "device_id": device},
    )
    assert answer.status_code == 200, answer.text
    return device, str(answer.json()["token"])


def _as(address: str, token: str = "wrong") -> dict[str, str]:
    return {**PROTOCOL, "Authorization": f"Bearer {token}", "X-Forwarded-For": address}


def test_wrong_credentials_are_limited_by_address_before_they_are_looked_at(
    hq_db: str, tmp_path: Path
) -> None:
    # uvicorn trusts X-Forwarded-For from 127.0.0.1 by default: each test "address"
    # below is a caller of its own.
    server = HqServer(hq_db, tmp_path / "hq.log", extra=STRICT).start()
    try:
        device, token = _enroll(server, "198.51.100.1")
        upload = f"{server.url}/v1/devices/{device}/batches"
        pull = f"{server.url}/v1/branches/GZ0012/instructions"
        # A stream of guesses: the address's window holds three refusals, then 429
        # (the guesses went on being looked up, without any limit).
        guesses = [httpx.post(upload, headers=_as("198.51.100.2"), content=b"{}") for _ in range(5)]
        assert [a.status_code for a in guesses] == [401, 401, 401, 429, 429]
        assert int(guesses[-1].headers["retry-after"]) > 0
        assert guesses[-1].json()["error"] == "rate_limited"
        # The same address's pulls are refused before their credential is looked at,
        # whatever it is; without one at all, too.
        assert httpx.get(pull, headers=_as("198.51.100.2")).status_code == 429
        assert httpx.get(pull, headers=_as("198.51.100.2", token)).status_code == 429
        missing = {**PROTOCOL, "X-Forwarded-For": "198.51.100.3"}
        assert [httpx.get(pull, headers=missing).status_code for _ in range(4)] == [401] * 3 + [429]
        # Another address is not affected; once authenticated, the device's own limit.
        pulls = [httpx.get(pull, headers=_as("198.51.100.4", token)) for _ in range(4)]
        assert [a.status_code for a in pulls] == [200, 200, 200, 429]
        # The endpoints without a credential are limited by address, together.
        open_ = [
            httpx.get(f"{server.url}{path}", headers=_as("198.51.100.5")).status_code
            for path in ("/ready", "/v1/protocol", "/ready", "/v1/protocol")
        ]
        assert open_ == [200, 200, 200, 429]
        assert httpx.get(f"{server.url}/health").status_code == 200  # no database
    finally:
        server.close()


@pytest.mark.parametrize(
    ("trusted", "separate"), [("127.0.0.1", True), ("192.0.2.1", False)], ids=["proxy", "other"]
)
def test_behind_a_trusted_proxy_the_forwarded_address_is_the_key(
    tmp_path: Path, trusted: str, separate: bool
) -> None:
    server = HqServer(
        str(tmp_path / "hq.sqlite3"),
        tmp_path / "hq.log",
        extra=(*STRICT, "--forwarded-allow-ips", trusted),
    ).start()
    try:
        url = f"{server.url}/v1/protocol"
        first = [httpx.get(url, headers=_as("203.0.113.1")).status_code for _ in range(3)]
        other = httpx.get(url, headers=_as("203.0.113.2")).status_code
    finally:
        server.close()
    assert first == [200, 200, 200]
    # Trusted: each caller has its own window. Not: every caller counts as the proxy.
    assert other == (200 if separate else 429)


@pytest.mark.postgres
def test_the_sweep_never_waits_for_a_row_another_process_holds(pg_url: str) -> None:
    engine = create_hq_engine(pg_url, pool_size=2)
    migrate(engine)
    limiter = RateLimiter(engine, rate=1000, burst=1, sweep_rows=50)
    try:
        with engine.begin() as conn:
            conn.execute(
                insert(rate_limits),
                [{"key": f"k{i}", "window_start": 0, "count": 1} for i in range(120)],
            )
        swept: list[int] = []
        taken: list[float] = []
        # Another process, counting a request of k0, holds its row.
        with engine.connect() as other, other.begin():
            other.execute(select(rate_limits).where(rate_limits.c.key == "k0").with_for_update())
            sweeper = threading.Thread(target=lambda: swept.append(limiter.sweep()))
            sweeper.start()
            sweeper.join(30)
            finished = not sweeper.is_alive()
            # A request of this process, its sweep due: answered, not held up either.
            due = RateLimiter(engine, rate=1000, burst=1, sweep_seconds=0, sweep_rows=50)
            counter = threading.Thread(target=lambda: taken.append(due.take("fresh")))
            counter.start()
            counter.join(30)
            counted = not counter.is_alive()
        sweeper.join()
        counter.join()
        assert finished, "the sweep waited for the locked row"
        assert swept == [50]  # bounded, and not the held row
        assert counted and taken == [0.0], "a request waited for the sweep"
        while limiter.sweep():
            pass
        with engine.connect() as conn:
            left = conn.execute(select(rate_limits.c.key)).scalars().all()
        assert left == []  # k0, held during the first sweep, went with a later one
    finally:
        engine.dispose()


@pytest.mark.slow
@pytest.mark.postgres
def test_two_workers_sweeping_at_every_request_answer_every_request(
    pg_url: str, tmp_path: Path
) -> None:
    # Windows of 1 ms, swept after every check by each worker: the sweep ran inside a
    # request's transaction, so two workers sweeping at once could deadlock (503).
    # (PostgreSQL only: SQLite has one writer, its sweeps cannot interleave.)
    server = HqServer(
        pg_url,
        tmp_path / "hq.log",
        extra=("--workers", "2", "--rate", "1000", "--burst", "1"),
        env={"BRANCHDESK_HQ_RATE_SWEEP": "0"},
    ).start()
    try:

        def call(i: int) -> int:
            # Its own connection, so that either worker may answer. Twenty addresses
            # in turn: each finds its row's window over, as the sweeps do.
            headers = {**PROTOCOL, "X-Forwarded-For": f"10.{i // 10_000}.{i % 20}.1"}
            body = {"protocol": 2, "code": "WRONG-CODE-000", "branch_code": "GZ0012"}
            return httpx.post(
                f"{server.url}/v1/enroll",
                headers=headers,
                json={**body, "device_id": str(uuid.uuid4())},
                timeout=30,
            ).status_code

        with ThreadPoolExecutor(12) as pool:
            statuses = list(pool.map(call, range(300)))
        time.sleep(0.01)  # let every window of 1 ms end
        assert call(10_000) == 401  # one more request (a new address), one more sweep
        with server.engine().connect() as conn:
            left = conn.execute(select(func.count()).select_from(rate_limits)).scalar_one()
    finally:
        server.close()
    # Every attempt is answered: a wrong code, or (two of one address within its
    # millisecond) 429; never 503.
    assert set(statuses) <= {401, 429} and statuses.count(401) > 150, sorted(set(statuses))
    # The ended windows were deleted as they went.
    assert left <= 5
    logged = (tmp_path / "hq.log").read_text(encoding="utf-8", errors="replace")
    assert "database_error" not in logged and "Traceback" not in logged
    answered_by = {
        json.loads(line)["pid"]
        for line in logged.splitlines()
        if line.startswith("{") and '"route":"/v1/enroll"' in line
    }
    assert len(answered_by) == 2, "the requests did not reach both workers"
