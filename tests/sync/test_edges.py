"""HQ's edges, against a real `branchdesk-hq serve`: body limits on the endpoint that
needs no token (413 before the body is read), rate limits shared by worker processes,
input PostgreSQL cannot store (quarantined with a reason, never a 5xx, never in a
log line), and a malformed device id in the path (a 4xx without the database)."""

from __future__ import annotations

import asyncio
import json
import math
import re
import socket
import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from branchdesk.persistence.schema import outbox
from branchdesk.services import sync_state
from sync.client.engine import SyncEngine
from sync.client.transport import HqClient
from sync.server.tables import events, instructions, quarantine
from tests.sync.conftest import Enrolled, add_cases
from tests.sync.support import HqServer, assert_exactly_once, branch_events, child_env

CUSTOMER = "欧阳娜娜"
PHONE = "13912345678"
PROTOCOL = {"BranchDesk-Protocol": "2"}


def _raw_http(port: int, head: str, body: bytes = b"", timeout: float = 10) -> str:
    """One request over a plain socket (to control exactly what is sent and when),
    returning the status line HQ answered with."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(head.encode("latin-1") + body)
        answer = b""
        while b"\r\n" not in answer:
            piece = s.recv(4096)
            if not piece:
                break
            answer += piece
    return answer.split(b"\r\n", 1)[0].decode("latin-1")


def _enroll_head(extra: str) -> str:
    return (
        "POST /v1/enroll HTTP/1.1\r\nHost: hq\r\nBranchDesk-Protocol: 2\r\n"
        f"Content-Type: application/json\r\n{extra}\r\n"
    )


def test_an_enroll_body_over_the_limit_gets_413_before_it_is_read(hq: HqServer) -> None:
    # 400 MB declared, a few bytes sent: HQ answers from the header alone (it used to
    # wait for all of it, and then hold it in memory to answer 422).
    status = _raw_http(hq.port, _enroll_head(f"Content-Length: {400 * 1024 * 1024}\r\n"), b"{")
    assert status == "HTTP/1.1 413 Request Entity Too Large"
    # Chunked, without a length: HQ stops counting at the limit.
    chunk = b"x" * 16384
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(8)) + b"0\r\n\r\n"
    assert len(chunks) > 64 * 1024  # sync.protocol.MAX_ENROLL_BYTES
    status = _raw_http(hq.port, _enroll_head("Transfer-Encoding: chunked\r\n"), chunks)
    assert status == "HTTP/1.1 413 Request Entity Too Large"
    # A body within the limit is read and judged as before.
    small = httpx.post(f"{hq.url}/v1/enroll", headers=PROTOCOL, content=b'{"protocol": 2}')
    assert small.status_code == 422 and small.json()["error"] == "invalid"


def _worker_pids(log: Path) -> set[int]:
    """The processes that answered a pull (HQ logs the pid of each request's)."""
    pids = set()
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("{"):
            record = json.loads(line)
            if record.get("route") == "/v1/branches/{branch_code}/instructions":
                pids.add(int(record["pid"]))
    return pids


@pytest.mark.slow
def test_rate_limits_hold_across_worker_processes(tmp_path: Path, hq_db: str) -> None:
    log = tmp_path / "hq.log"
    server = HqServer(
        hq_db, log, extra=("--workers", "2", "--rate", "0.001", "--burst", "3")
    ).start()
    try:
        code = server.cli("enroll-branch", "GZ0012").strip()
        device = str(uuid.uuid4())
        enrolled = httpx.post(
            f"{server.url}/v1/enroll",
            headers=PROTOCOL,
            json={"protocol": 2, "code": code, "branch_code": "GZ0012", "device_id": device},
        )
        assert enrolled.status_code == 200
        headers = {**PROTOCOL, "Authorization": f"Bearer {enrolled.json()['token']}"}

        def pull(_: int) -> int:
            # A connection of its own each time, so that either worker may take it.
            url = f"{server.url}/v1/branches/GZ0012/instructions"
            return httpx.get(url, headers=headers).status_code

        statuses: list[int] = []
        with ThreadPoolExecutor(8) as pool:
            while len(_worker_pids(log)) < 2 and len(statuses) < 400:
                statuses += pool.map(pull, range(16))
        assert len(_worker_pids(log)) == 2, "the requests never reached both workers"
        # Three in the window, whichever process answered: not three per process.
        assert statuses.count(200) == 3 and set(statuses) == {200, 429}

        # The endpoint without a token is limited by client address, the same way.
        def enroll(_: int) -> int:
            body = {"protocol": 2, "code": "WRONG-CODE-000", "branch_code": "GZ0012"}
            return httpx.post(
                f"{server.url}/v1/enroll",
                headers=PROTOCOL,
                json={**body, "device_id": str(uuid.uuid4())},
            ).status_code

        with ThreadPoolExecutor(8) as pool:
            tries = list(pool.map(enroll, range(16)))
        # The successful enrollment above took one of the address's three.
        assert sorted(tries) == [401, 401] + [429] * 14
    finally:
        server.close()


def _event(seq: int, *, digest: bool = True, **changes: Any) -> dict[str, Any]:
    from sync.protocol.messages import event_digest

    event = {
        "case_number": f"GZ0012-20261125-{seq:04d}G",
        "case_seq": 1,
        "kind": "received",
        "at": "2026-11-25T09:30:00+08:00",
        "actor": "A001",
        "payload": {"customer": {"name": CUSTOMER, "phone": PHONE}, "summary": "信号弱"},
        **changes,
    }
    wire: dict[str, Any] = {"seq": seq, "created_at": "2026-11-25T09:30:00+08:00", "event": event}
    if digest:
        wire["digest"] = event_digest(event)
    return wire


def _upload(e: Enrolled, wire_events: list[dict[str, Any]], *, protocol: int = 2) -> httpx.Response:
    body = {
        "protocol": protocol,
        "device_id": e.device_id,
        "branch_code": "GZ0012",
        "epoch": 1,
        "epoch_base": 0,
        "sent_at": datetime.now(UTC).isoformat(),
        "events": wire_events,
    }
    # json.dumps writes a lone surrogate as its \\ud800 escape, as any JSON encoder
    # that is not strict about UTF-8 would, and NaN and Infinity as bare words.
    return httpx.post(
        f"{e.hq.url}/v1/devices/{e.device_id}/batches",
        content=json.dumps(body).encode(),
        headers={
            "BranchDesk-Protocol": str(protocol),
            "Authorization": f"Bearer {e.token}",
            "Content-Type": "application/json",
        },
        timeout=30,
    )


def _surrogates(changes: dict[str, Any]) -> bool:
    """Whether the event holds a lone surrogate (which a strict encoder cannot write,
    so such an event goes without a digest: HQ computes it, as for version 1)."""
    return any(0xD800 <= ord(c) <= 0xDFFF for c in json.dumps(changes, ensure_ascii=False))


def _name(text: str) -> dict[str, Any]:
    return {"customer": {"name": text, "phone": PHONE}}


#: What PostgreSQL cannot store (text and jsonb refuse U+0000 and lone surrogates,
#: jsonb refuses NaN and Infinity), in a value, a key, deep inside, or a plain field.
UNSTORABLE: list[tuple[dict[str, Any], str]] = [
    ({"payload": _name(CUSTOMER + "\x00")}, "invalid:payload:unstorable_text"),
    (
        {"payload": {"customer": {"na\x00me": CUSTOMER, "phone": PHONE}}},
        "invalid:payload:unstorable_text",
    ),
    ({"payload": {"history": [[{"note": f"{PHONE}\x00"}]]}}, "invalid:payload:unstorable_text"),
    ({"payload": _name(CUSTOMER + "\ud800")}, "invalid:payload:unstorable_text"),
    ({"payload": _name("\udfff" + CUSTOMER)}, "invalid:payload:unstorable_text"),
    ({"payload": {"amount": math.nan, "phone": PHONE}}, "invalid:payload:unstorable_number"),
    ({"payload": {"amount": -math.inf, "phone": PHONE}}, "invalid:payload:unstorable_number"),
    ({"actor": "A0\x0001"}, "invalid:actor:unstorable_text"),
    # pydantic's own check of a str field comes first, with its own code.
    ({"kind": "received\ud83d"}, "invalid:kind:string_unicode"),
]


@pytest.mark.parametrize("protocol", [1, 2])
def test_input_postgresql_cannot_store_is_quarantined_and_never_logged(
    enrolled: Enrolled, protocol: int
) -> None:
    bad = [
        _event(2 + i, digest=protocol == 2 and not _surrogates(c), **c)
        for i, (c, _) in enumerate(UNSTORABLE)
    ]
    last = 2 + len(bad)
    batch = [_event(1, digest=protocol == 2), *bad, _event(last, digest=protocol == 2)]
    answer = _upload(enrolled, batch, protocol=protocol)
    assert answer.status_code == 200, answer.text
    ack = answer.json()
    assert (ack["through_seq"], ack["applied"]) == (last, last)
    assert [(q["seq"], q["reason"]) for q in ack["quarantined"]] == [
        (2 + i, reason) for i, (_, reason) in enumerate(UNSTORABLE)
    ]
    with enrolled.hq.engine().connect() as conn:
        assert conn.execute(select(events.c.seq).order_by(events.c.seq)).scalars().all() == [
            1,
            last,
        ]
        held = conn.execute(select(quarantine.c.event).order_by(quarantine.c.seq)).scalars().all()
    # The quarantine keeps what arrived, with the unstorable characters spelled out.
    assert held[0]["payload"]["customer"]["name"] == CUSTOMER + "\\u0000"
    assert held[3]["payload"]["customer"]["name"] == CUSTOMER + "\\ud800"
    assert held[5]["payload"]["amount"] == "NaN"
    listed = json.loads(enrolled.hq.cli("quarantine"))
    assert [q["reason"] for q in listed] == [reason for _, reason in UNSTORABLE]
    # The same batch again is answered as the first time; the next batch goes on.
    again = _upload(enrolled, batch, protocol=protocol)
    assert again.status_code == 200 and again.json()["quarantined"] == ack["quarantined"]
    after = _upload(enrolled, [_event(last + 1, digest=protocol == 2)], protocol=protocol)
    assert after.status_code == 200 and after.json()["applied"] == 1
    enrolled.hq.stop()  # so that everything it logged is in the file
    logged = enrolled.hq.log_path.read_text(encoding="utf-8", errors="replace")
    assert '"status":500' not in logged and "Traceback" not in logged
    assert CUSTOMER not in logged and PHONE not in logged
    assert not re.search(r"\\u6b27|\\u0000", logged)  # not even escaped


def test_times_are_stored_in_utc_and_one_without_a_utc_form_is_quarantined(
    enrolled: Enrolled,
) -> None:
    # Python takes offsets up to 23:59, PostgreSQL only to 15:59: this was a 500 there.
    wire = [
        _event(1, at="2026-11-25T09:30:00+23:59"),
        _event(2, at="0001-01-01T00:00:00+01:00"),  # before year 1 in UTC
        _event(3),
    ]
    wire[0]["created_at"] = "2026-11-25T09:30:00-23:59"
    answer = _upload(enrolled, wire)
    assert answer.status_code == 200, answer.text
    assert [(q["seq"], q["reason"]) for q in answer.json()["quarantined"]] == [
        (2, "invalid:at:unstorable_time")
    ]
    with enrolled.hq.engine().connect() as conn:
        row = conn.execute(
            select(events.c.occurred_at, events.c.branch_time).where(events.c.seq == 1)
        ).one()
    stored = [t.replace(tzinfo=t.tzinfo or UTC) for t in row]
    assert stored == [
        datetime(2026, 11, 24, 9, 31, tzinfo=UTC),
        datetime(2026, 11, 26, 9, 29, tzinfo=UTC),
    ]


def test_a_branch_with_a_quarantined_event_keeps_syncing(enrolled: Enrolled) -> None:
    add_cases(enrolled.branch, 2)
    with enrolled.ctx.db.write() as conn:  # an event with a NUL in a customer's name
        row = conn.execute(select(outbox).order_by(outbox.c.seq.desc())).first()
        assert row is not None
        payload = {**row.payload, "payload": {**row.payload["payload"], "name": CUSTOMER + "\x00"}}
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
    client = HqClient(enrolled.hq.url, token=enrolled.token)
    first = SyncEngine(enrolled.ctx, client, batch_size=2).run_once()
    assert (first.pushed, first.quarantined) == (5, 1)
    assert sync_state.status(enrolled.ctx).pending == 0  # the queue moved on past it
    add_cases(enrolled.branch, 1)  # and later events still go
    second = SyncEngine(enrolled.ctx, client, batch_size=2).run_once()
    client.close()
    assert (second.pushed, second.quarantined) == (1, 0)
    assert sync_state.status(enrolled.ctx).quarantined == 1
    listed = json.loads(enrolled.hq.cli("quarantine"))
    assert [(q["seq"], q["reason"]) for q in listed] == [(3, "invalid:payload:unstorable_text")]
    assert_exactly_once(enrolled.hq.engine(), enrolled.device_id, branch_events(enrolled.ctx))


def test_a_malformed_device_id_in_the_path_is_a_4xx_before_the_database(
    enrolled: Enrolled,
) -> None:
    # A NUL reached PostgreSQL, which refused it: 503 "database unavailable".
    for device in ("%00", "ab%00cd", "x" * 36, "%ff%fe", "A" * 5000):
        for token in ("wrong", enrolled.token):
            answer = httpx.post(
                f"{enrolled.hq.url}/v1/devices/{device}/batches",
                content=b"{}",
                headers={**PROTOCOL, "Authorization": f"Bearer {token}"},
            )
            assert answer.status_code == 422, (device, answer.text)
            assert answer.json() == {
                "error": "invalid",
                "message": "malformed request (path.device_id: string_pattern_mismatch)",
            }
    for code in ("GZ%0012", "gz0012"):
        answer = httpx.get(
            f"{enrolled.hq.url}/v1/branches/{code}/instructions",
            headers={**PROTOCOL, "Authorization": "Bearer wrong"},
        )
        assert answer.status_code == 422, answer.text
    assert "database_error" not in enrolled.hq.log_path.read_text(encoding="utf-8")


def test_an_unexpected_error_is_a_bare_500_logged_without_its_message(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    from sync.server.app import create_app
    from sync.server.config import HqConfig
    from sync.server.database import create_hq_engine, migrate

    engine = create_hq_engine(str(tmp_path / "hq.sqlite3"))
    migrate(engine)
    app = create_app(HqConfig(db_url=str(tmp_path / "hq.sqlite3"), rate_per_second=0), engine)

    def broken() -> None:  # a database error's message quotes the row it refused
        raise RuntimeError(f'COPY hq_events, line 1: "{{"name": "{CUSTOMER}", "{PHONE}"}}"')

    app.add_api_route("/v1/broken", broken)
    # raise_app_exceptions: an error that escaped HQ's own handling would raise here.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=True)

    async def get() -> httpx.Response:
        async with httpx.AsyncClient(transport=transport, base_url="http://hq") as client:
            return await client.get("/v1/broken")

    try:
        answer = asyncio.run(get())
    finally:
        engine.dispose()
    assert answer.status_code == 500
    assert answer.json() == {"error": "internal", "message": "server error"}
    logged = capfd.readouterr().err
    assert '"event":"error"' in logged and '"kind":"RuntimeError"' in logged
    assert CUSTOMER not in logged and PHONE not in logged and "Traceback" not in logged


def test_an_instruction_the_database_cannot_store_is_refused_by_name(
    hq: HqServer, tmp_path: Path
) -> None:
    hq.cli("enroll-branch", "GZ0012")
    document = tmp_path / "catalogue.json"
    document.write_text('{"version": "v2", "categories": [{"name": "网络\\u0000"}]}')
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "sync.server.cli",
            "--db",
            hq.db_url,
            "issue-instruction",
            "catalogue",
            "--branch",
            "GZ0012",
            "--file",
            str(document),
        ],
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert "NUL character (U+0000)" in done.stderr and "nothing was issued" in done.stderr
    assert "Traceback" not in done.stderr
    with hq.engine().connect() as conn:
        assert conn.execute(select(instructions)).all() == []
