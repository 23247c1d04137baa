"""Test helpers for sync: a real `branchdesk-hq serve` process, the branch's sync
command as a process, and the set check (every committed event at HQ exactly once)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, select

from branchdesk.persistence.schema import outbox
from branchdesk.services.context import ServiceContext
from sync.protocol.messages import event_digest
from sync.server.database import create_hq_engine
from sync.server.tables import events, quarantine, streams
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def child_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRANCHDESK_")}
    env["PYTHONPATH"] = str(ROOT)
    # The branch's commands run signed in, as its administrator (tests/conftest.py).
    env["BRANCHDESK_STAFF"] = "A001"
    env["BRANCHDESK_PASSWORD"] = PASSWORD
    env.update(extra)
    return env


@dataclass
class HqServer:
    """`branchdesk-hq serve` on 127.0.0.1, started and killed like the real thing."""

    db_url: str
    log_path: Path
    port: int = field(default_factory=free_port)
    extra: Sequence[str] = ()
    #: Environment variables for the server beyond `child_env`'s.
    env: dict[str, str] = field(default_factory=dict)
    app_name: str = "branchdesk-hq-test"
    proc: subprocess.Popen[bytes] | None = None
    _engine: Engine | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cli(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "sync.server.cli", "--db", self.db_url, *args],
            env=child_env(),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def _spawn(self, log: Any) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sync.server.cli",
                "--db",
                self.db_url,
                "serve",
                "--port",
                str(self.port),
                "--app-name",
                self.app_name,
                *self.extra,
            ],
            env=child_env(**self.env),
            stdout=log,
            stderr=log,
        )

    def start(self) -> HqServer:
        with self.log_path.open("ab") as log:
            self.proc = self._spawn(log)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log_path.read_text(errors="replace")
            try:
                if httpx.get(self.url + "/health", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.05)
        raise AssertionError("HQ did not start")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def engine(self) -> Engine:
        """An engine on HQ's database, for the test's own checks (disposed by close)."""
        if self._engine is None:
            self._engine = create_hq_engine(self.db_url, pool_size=1)
        return self._engine

    def close(self) -> None:
        self.stop()
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def run_branch(
    data_dir: Path, keyring_file: Path, *args: str, crash: str | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`branchdesk --data-dir D <args>` as its own process (keys from `keyring_file`)."""
    extra = {
        "PYTHON_KEYRING_BACKEND": "tests.sync.filekeyring.FileKeyring",
        "BRANCHDESK_TEST_KEYRING": str(keyring_file),
        "QT_QPA_PLATFORM": "offscreen",
    }
    if crash:
        extra["BRANCHDESK_SYNC_CRASH"] = crash
    return subprocess.run(
        [sys.executable, "-m", "ui.launcher", "--data-dir", str(data_dir), *args],
        env=child_env(**extra),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def branch_events(ctx: ServiceContext) -> dict[tuple[int, int], str]:
    """Every committed outbox event of the branch: (epoch, seq) -> digest."""
    with ctx.db.read() as conn:
        rows = conn.execute(select(outbox.c.device_epoch, outbox.c.seq, outbox.c.payload)).all()
    return {(int(r.device_epoch), int(r.seq)): event_digest(r.payload) for r in rows}


def unsent(ctx: ServiceContext) -> int:
    with ctx.db.read() as conn:
        return len(conn.execute(select(outbox.c.seq).where(outbox.c.sent_at.is_(None))).all())


def assert_exactly_once(
    engine: Engine, device_id: str, expected: dict[tuple[int, int], str]
) -> None:
    """lost = ∅, duplicates = ∅, unexpected = ∅, and each stream gapless."""
    with engine.connect() as conn:
        held = [
            (int(r.epoch), int(r.seq), str(r.digest))
            for table in (events, quarantine)
            for r in conn.execute(
                select(table.c.epoch, table.c.seq, table.c.digest).where(
                    table.c.device_id == device_id
                )
            )
        ]
        marks = {
            int(r.epoch): (int(r.base_seq), int(r.hwm))
            for r in conn.execute(select(streams).where(streams.c.device_id == device_id))
        }
    keys = [(e, s) for e, s, _ in held]
    duplicates = {k for k in keys if keys.count(k) > 1}
    lost = set(expected) - set(keys)
    unexpected = set(keys) - set(expected)
    assert (lost, duplicates, unexpected) == (set(), set(), set())
    assert {(e, s): d for e, s, d in held} == expected, "HQ holds different events"
    for epoch, (base, hwm) in marks.items():
        seqs = sorted(s for e, s in keys if e == epoch)
        assert seqs == list(range(base + 1, hwm + 1)), f"epoch {epoch} not gapless"
