"""Fixtures for the sync tests: HQ databases (a SQLite file, and a fresh schema on
the PostgreSQL at 127.0.0.1:5432), a running HQ, and an enrolled branch.

Without PostgreSQL the postgres-marked tests skip, saying why; with $CI set they fail
instead, so CI can never pass without having run them."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from branchdesk.domain.model import IntakeForm
from branchdesk.services import cases, sync_state
from sync.client import cli as sync_cli
from sync.client.credentials import load_token
from tests.conftest import PASSWORD, Branch, complaint_form
from tests.support.fakes import MemoryKeyring
from tests.sync.support import HqServer

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


def _postgres_reachable() -> str | None:
    import psycopg

    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        return f"PostgreSQL at 127.0.0.1:5432 is not reachable: {exc}".splitlines()[0]
    return None


@pytest.fixture(autouse=True)
def _signed_in_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    """`branchdesk enroll` and `sync` run as a signed-in person: the administrator."""
    monkeypatch.setenv("BRANCHDESK_STAFF", "A001")
    monkeypatch.setenv("BRANCHDESK_PASSWORD", PASSWORD)


@pytest.fixture(scope="session")
def postgres_server() -> str:
    problem = _postgres_reachable()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(problem + " (CI must run the PostgreSQL tests)")
        pytest.skip(problem)
    return PG_ADMIN


@pytest.fixture
def pg_url(postgres_server: str) -> Iterator[str]:
    """A URL on a fresh schema of its own: tests and parallel runs never collide."""
    import psycopg

    schema = f"bd_sync_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    yield f"{postgres_server}?options=-csearch_path%3D{schema}"
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def hq_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "hq.sqlite3")
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def hq(hq_db: str, tmp_path: Path) -> Iterator[HqServer]:
    server = HqServer(hq_db, tmp_path / "hq.log", extra=("--rate", "0")).start()
    yield server
    server.close()


@dataclass
class Enrolled:
    branch: Branch
    hq: HqServer
    keyring_file: Path
    device_id: str
    token: str

    @property
    def ctx(self):  # type: ignore[no-untyped-def]
        return self.branch.ctx


def enroll(branch: Branch, hq: HqServer, memory: MemoryKeyring, tmp_path: Path) -> Enrolled:
    """Enroll the test branch with `hq` through the real commands, and mirror its
    keyring into a file a branch process can read."""
    code = hq.cli("enroll-branch", "GZ0012", "--name", "广州天河营业厅").strip()
    assert sync_cli.main(["--data-dir", str(branch.data_dir), "enroll", hq.url, code]) == 0
    keyring_file = tmp_path / "keyring.json"
    keyring_file.write_text(
        json.dumps({f"{s}\n{u}": p for (s, u), p in memory.store.items()}), encoding="utf-8"
    )
    me = sync_state.identity_of(branch.ctx)
    token = load_token(branch.ctx, device_id=me.device_id, store=branch.store)
    assert token
    return Enrolled(branch, hq, keyring_file, me.device_id, token)


@pytest.fixture
def enrolled(branch: Branch, hq: HqServer, _isolated: MemoryKeyring, tmp_path: Path) -> Enrolled:
    return enroll(branch, hq, _isolated, tmp_path)


def add_cases(branch: Branch, count: int, **changes: object) -> list[str]:
    numbers = []
    for i in range(count):
        form: IntakeForm = complaint_form(summary=f"家中手机信号弱第{i}次掉线", **changes)
        numbers.append(cases.intake(branch.ctx, form=form, actor="A001").case.number)
        branch.clock.advance(seconds=7)
    return numbers
