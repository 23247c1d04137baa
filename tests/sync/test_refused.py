"""What the database refuses although HQ's checks let it through: an upload's
refused events are quarantined (`database_refused:<type>`) and the rest stored, so a
branch's queue is never stuck behind them; any other refused request is a 4xx the
branch does not retry; only a database that cannot be reached is 503 "retry".

The checks leave nothing PostgreSQL refuses that a branch can send (test_edges.py
tries it all), so these tests take the event check out of `ingest` in-process and
let the real database refuse real values: a NUL in a text column (PostgreSQL) and a
missing NOT NULL value (both databases)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import Engine, insert, select, text

from branchdesk.persistence.schema import outbox
from branchdesk.services import sync_state
from sync.client.engine import SyncEngine
from sync.client.transport import HqClient, failure_for
from sync.protocol.messages import CaseEventBody, parse_upload
from sync.server import ingest
from sync.server.app import create_app
from sync.server.config import HqConfig
from sync.server.database import create_hq_engine, migrate
from sync.server.tables import branches, events, quarantine
from tests.sync.conftest import Enrolled, add_cases
from tests.sync.support import assert_exactly_once, branch_events, free_port
from tests.sync.test_edges import CUSTOMER, PHONE, _event

_TEXT = ("kind", "actor")


class _Unchecked(CaseEventBody):
    """The check of the event's text fields taken out: whatever arrives in them goes
    to the database (the rest is checked and converted as before)."""

    @classmethod
    def model_validate(cls, obj: Any, **kwargs: Any) -> Any:
        checked = CaseEventBody.model_validate({**obj, **dict.fromkeys(_TEXT, "A001")}, **kwargs)
        return cls.model_construct(**{**dict(checked), **{k: obj[k] for k in _TEXT}})


@pytest.fixture
def unchecked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest, "CaseEventBody", _Unchecked)


def _batch(device: str, wire: list[dict[str, Any]]) -> Any:
    import json

    body = {
        "protocol": 2,
        "device_id": device,
        "branch_code": "GZ0012",
        "epoch": 1,
        "epoch_base": 0,
        "sent_at": "2026-11-25T09:30:00+08:00",
        "events": wire,
    }
    return parse_upload(json.dumps(body).encode())


def _migrated(url: str) -> Engine:
    engine = create_hq_engine(url, pool_size=2)
    migrate(engine)
    return engine


@pytest.mark.usefixtures("unchecked")
def test_events_the_database_refuses_are_quarantined_and_the_rest_stored(hq_db: str) -> None:
    engine = _migrated(hq_db)
    postgres = engine.dialect.name == "postgresql"
    device = "5b0f3c1e-0000-4000-8000-000000000001"
    wire = [
        _event(1),
        _event(2, actor=None),  # NOT NULL: refused by both databases
        _event(3),
        _event(4, kind="rece\x00ived"),  # a NUL in a text column: PostgreSQL refuses it
        _event(5),
    ]
    try:
        # It was a DataError or IntegrityError out of the request: 503, retried for ever.
        ack = ingest.apply_batch(engine, _batch(device, wire), protocol=2)
        refused = [2, 4] if postgres else [2]
        assert (ack.through_seq, ack.applied, ack.duplicates) == (5, 5, 0)
        assert [q.seq for q in ack.quarantined] == refused
        assert all(q.reason.startswith("database_refused:") for q in ack.quarantined)
        reasons = {q.seq: q.reason for q in ack.quarantined}
        assert reasons[2] == (
            "database_refused:NotNullViolation" if postgres else "database_refused:IntegrityError"
        )
        if postgres:
            assert reasons[4] == "database_refused:DataError"
        with engine.connect() as conn:
            stored = conn.execute(select(events.c.seq).order_by(events.c.seq)).scalars().all()
            held = conn.execute(
                select(quarantine.c.seq, quarantine.c.event).order_by(quarantine.c.seq)
            ).all()
        assert stored == [s for s in range(1, 6) if s not in refused]
        # Kept as it arrived, what the database cannot store spelled out.
        assert [s for s, _ in held] == refused
        assert held[0].event["actor"] is None
        if postgres:
            assert held[1].event["kind"] == "rece\\u0000ived"
        # The same batch again is answered as the first time, and the stream goes on.
        again = ingest.apply_batch(engine, _batch(device, wire), protocol=2)
        assert (again.applied, again.duplicates) == (0, 5)
        assert [(q.seq, q.reason) for q in again.quarantined] == [
            (q.seq, q.reason) for q in ack.quarantined
        ]
        after = ingest.apply_batch(engine, _batch(device, [_event(6)]), protocol=2)
        assert (after.applied, after.quarantined) == (1, [])
    finally:
        engine.dispose()


@contextmanager
def _serving(url: str) -> Iterator[str]:
    """HQ's app in this process (so that the event check is out), served by uvicorn."""
    engine = _migrated(url)
    app = create_app(HqConfig(db_url=url, rate_per_second=0), engine)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            assert thread.is_alive(), "HQ did not start"
            thread.join(0.05)
        yield f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(30)
        engine.dispose()


@pytest.mark.usefixtures("unchecked")
def test_a_branch_whose_event_the_database_refuses_keeps_syncing(
    enrolled: Enrolled, capfd: pytest.CaptureFixture[str]
) -> None:
    add_cases(enrolled.branch, 2)
    with enrolled.ctx.db.write() as conn:  # an event without its actor
        row = conn.execute(select(outbox).order_by(outbox.c.seq.desc())).first()
        assert row is not None
        payload = {
            **row.payload,
            "actor": None,
            "payload": {"customer": {"name": CUSTOMER, "phone": PHONE}},
        }
        conn.execute(
            outbox.insert().values(
                seq=row.seq + 1,
                device_epoch=1,
                event_id=row.event_id,
                created_at=row.created_at,
                payload=payload,
            )
        )
    add_cases(enrolled.branch, 2)
    enrolled.hq.stop()
    with _serving(enrolled.hq.db_url) as url:
        client = HqClient(url, token=enrolled.token)
        first = SyncEngine(enrolled.ctx, client, batch_size=2).run_once()
        assert (first.pushed, first.quarantined) == (5, 1)
        assert sync_state.status(enrolled.ctx).pending == 0  # the queue moved on past it
        add_cases(enrolled.branch, 1)
        second = SyncEngine(enrolled.ctx, client, batch_size=2).run_once()
        client.close()
    assert (second.pushed, second.quarantined) == (1, 0)
    engine = create_hq_engine(enrolled.hq.db_url, pool_size=1)
    try:
        with engine.connect() as conn:
            listed = conn.execute(select(quarantine.c.seq, quarantine.c.reason)).all()
        assert [tuple(r) for r in listed] == [
            (3, "database_refused:NotNullViolation")
            if engine.dialect.name == "postgresql"
            else (3, "database_refused:IntegrityError")
        ]
        assert_exactly_once(engine, enrolled.device_id, branch_events(enrolled.ctx))
    finally:
        engine.dispose()
    logged = capfd.readouterr().err
    assert '"event":"database_refused"' in logged
    assert CUSTOMER not in logged and PHONE not in logged and "Traceback" not in logged


def test_a_refused_request_is_a_4xx_and_only_an_unreachable_database_503(
    hq_db: str, capfd: pytest.CaptureFixture[str]
) -> None:
    engine = _migrated(hq_db)
    app = create_app(HqConfig(db_url=hq_db, rate_per_second=0), engine)
    nowhere = create_hq_engine(f"postgresql://postgres@127.0.0.1:{free_port()}/test")

    def refused() -> None:  # a branch without its name: NOT NULL, on both databases
        with engine.begin() as conn:
            conn.execute(insert(branches).values(code="GZ0099", name=None, created_at=None))

    def cast() -> None:  # PostgreSQL: invalid input syntax for type integer
        with engine.begin() as conn:
            conn.execute(text("SELECT CAST(:v AS integer)"), {"v": CUSTOMER})

    def unreachable() -> None:
        with nowhere.connect():
            pass

    app.add_api_route("/v1/refused", refused)
    app.add_api_route("/v1/cast", cast)
    app.add_api_route("/v1/unreachable", unreachable)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=True)

    async def get(path: str) -> httpx.Response:
        async with httpx.AsyncClient(transport=transport, base_url="http://hq") as client:
            return await client.get(path)

    try:
        paths = ["/v1/refused", "/v1/unreachable"]
        if engine.dialect.name == "postgresql":
            paths.append("/v1/cast")
        answers = {p: asyncio.run(get(p)) for p in paths}
    finally:
        engine.dispose()
        nowhere.dispose()
    for path in set(paths) - {"/v1/unreachable"}:
        answer = answers[path]
        assert answer.status_code == 422, (path, answer.text)
        assert answer.json()["error"] == "database_refused"
        assert "retry-after" not in answer.headers
        assert failure_for(answer, 2).retryable is False  # the branch does not retry it
    down = answers["/v1/unreachable"]
    assert down.status_code == 503 and down.headers["retry-after"] == "1"
    assert failure_for(down, 2).retryable is True
    logged = capfd.readouterr().err
    assert CUSTOMER not in logged
