"""The HQ API's contract, spoken to directly: exactly-once rules (resend, gap,
divergence), quarantine, version negotiation, credentials (401/403), body limits
(413, decompression bombs), rate limits (429), health and OpenAPI."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from branchdesk.services import sync_state
from sync.client.engine import SyncEngine
from sync.client.transport import HqClient
from sync.protocol.codec import compress
from sync.protocol.messages import event_digest
from sync.server.tables import events, quarantine
from tests.sync.conftest import Enrolled, add_cases
from tests.sync.support import HqServer


def _event(seq: int, number: str = "GZ0012-20261125-0001G", **changes: Any) -> dict[str, Any]:
    event = {
        "case_number": number,
        "case_seq": 1,
        "kind": "received",
        "at": "2026-11-25T09:30:00+08:00",
        "actor": "A001",
        "payload": {"summary": "x"},
        **changes,
    }
    return {
        "seq": seq,
        "created_at": "2026-11-25T09:30:00+08:00",
        "digest": event_digest(event),
        "event": event,
    }


def _batch(
    device_id: str, seqs: range, *, epoch: int = 1, base: int = 0, **kw: Any
) -> dict[str, Any]:
    return {
        "protocol": 2,
        "device_id": device_id,
        "branch_code": "GZ0012",
        "epoch": epoch,
        "epoch_base": base,
        "sent_at": datetime.now(UTC).isoformat(),
        "events": [kw.get("event", _event)(s) for s in seqs],
    }


def _post(
    e: Enrolled,
    body: Any,
    *,
    token: str | None = None,
    device: str | None = None,
    encoding: str = "zstd",
    protocol: str = "2",
    raw: bytes | None = None,
) -> httpx.Response:
    data = raw if raw is not None else compress(json.dumps(body).encode(), encoding)
    headers = {"BranchDesk-Protocol": protocol, "Content-Encoding": encoding}
    if token != "":
        headers["Authorization"] = f"Bearer {token or e.token}"
    return httpx.post(
        f"{e.hq.url}/v1/devices/{device or e.device_id}/batches",
        content=data,
        headers=headers,
        timeout=30,
    )


def _count(e: Enrolled, table: Any) -> int:
    with e.hq.engine().connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_resend_is_acknowledged_without_applying_again_and_a_gap_gets_409(
    enrolled: Enrolled,
) -> None:
    first = _post(enrolled, _batch(enrolled.device_id, range(1, 11)))
    assert first.status_code == 200, first.text
    assert first.json()["through_seq"] == 10 and first.json()["applied"] == 10
    again = _post(enrolled, _batch(enrolled.device_id, range(5, 13)))
    assert again.status_code == 200
    assert (again.json()["applied"], again.json()["duplicates"]) == (2, 6)
    gap = _post(enrolled, _batch(enrolled.device_id, range(20, 22)))
    assert gap.status_code == 409
    assert gap.json()["error"] == "gap" and gap.json()["expected_seq"] == 13
    assert _count(enrolled, events) == 12


def test_a_different_event_under_a_number_hq_holds_is_a_divergence(enrolled: Enrolled) -> None:
    assert _post(enrolled, _batch(enrolled.device_id, range(1, 4))).status_code == 200
    other = _batch(enrolled.device_id, range(3, 5), event=lambda s: _event(s, case_seq=2))
    answer = _post(enrolled, other)
    assert answer.status_code == 409
    assert answer.json()["error"] == "divergent" and answer.json()["expected_seq"] == 3
    assert _count(enrolled, events) == 3  # nothing of the refused batch was written


def test_events_hq_cannot_accept_are_quarantined_acknowledged_and_seen_at_the_branch(
    enrolled: Enrolled,
) -> None:
    add_cases(enrolled.branch, 2)
    with enrolled.ctx.db.write() as conn:  # a foreign branch's case in the outbox
        from branchdesk.persistence.schema import outbox

        row = conn.execute(select(outbox).order_by(outbox.c.seq.desc())).first()
        assert row is not None
        conn.execute(
            outbox.insert().values(
                seq=row.seq + 1,
                device_epoch=1,
                event_id=row.event_id,
                created_at=row.created_at,
                payload={**row.payload, "case_number": "SZ0001-20261125-0001E"},
            )
        )
    add_cases(enrolled.branch, 1)
    client = HqClient(enrolled.hq.url, token=enrolled.token)
    result = SyncEngine(enrolled.ctx, client).run_once()
    client.close()
    assert (result.pushed, result.quarantined) == (4, 1)
    assert sync_state.status(enrolled.ctx).quarantined == 1
    assert sync_state.status(enrolled.ctx).pending == 0  # the queue moved on past it
    listed = json.loads(enrolled.hq.cli("quarantine"))
    assert [(q["seq"], q["reason"]) for q in listed] == [(3, "foreign_case")]
    assert _count(enrolled, events) == 3


def test_credentials_401_and_other_devices_data_403(enrolled: Enrolled) -> None:
    body = _batch(enrolled.device_id, range(1, 2))
    assert _post(enrolled, body, token="").status_code == 401
    assert _post(enrolled, body, token="not-a-token").status_code == 401
    # A second branch's device, with its own valid credential, on the first's data.
    code = enrolled.hq.cli("enroll-branch", "SZ0001").strip()
    other_id = str(uuid.uuid4())
    enrolled_other = httpx.post(
        f"{enrolled.hq.url}/v1/enroll",
        headers={"BranchDesk-Protocol": "2"},
        json={"protocol": 2, "code": code, "branch_code": "SZ0001", "device_id": other_id},
    )
    assert enrolled_other.status_code == 200
    other_token = enrolled_other.json()["token"]
    assert _post(enrolled, body, token=other_token).status_code == 403
    assert _post(enrolled, {**body, "device_id": other_id}).status_code == 403
    pull = httpx.get(
        f"{enrolled.hq.url}/v1/branches/GZ0012/instructions",
        headers={"BranchDesk-Protocol": "2", "Authorization": f"Bearer {other_token}"},
    )
    assert pull.status_code == 403
    # A code is good once, and only for its branch.
    again = httpx.post(
        f"{enrolled.hq.url}/v1/enroll",
        headers={"BranchDesk-Protocol": "2"},
        json={"protocol": 2, "code": code, "branch_code": "SZ0001", "device_id": str(uuid.uuid4())},
    )
    assert again.status_code == 401
    assert _count(enrolled, events) == 0


def test_oversized_bodies_and_decompression_bombs_get_413(tmp_path: Path, hq_db: str) -> None:
    server = HqServer(
        hq_db,
        tmp_path / "hq.log",
        extra=("--rate", "0", "--max-compressed", "65536", "--max-decompressed", "1048576"),
    ).start()
    try:
        code = server.cli("enroll-branch", "GZ0012").strip()
        device = str(uuid.uuid4())
        token = httpx.post(
            f"{server.url}/v1/enroll",
            headers={"BranchDesk-Protocol": "2"},
            json={"protocol": 2, "code": code, "branch_code": "GZ0012", "device_id": device},
        ).json()["token"]
        url = f"{server.url}/v1/devices/{device}/batches"
        headers = {"BranchDesk-Protocol": "2", "Authorization": f"Bearer {token}"}
        big = httpx.post(url, content=b"x" * 70000, headers=headers)
        assert big.status_code == 413
        for encoding in ("zstd", "gzip"):
            bomb = compress(b"{" + b" " * 50_000_000, encoding)
            assert len(bomb) < 65536
            answer = httpx.post(
                url, content=bomb, headers={**headers, "Content-Encoding": encoding}
            )
            assert answer.status_code == 413, encoding
        garbage = httpx.post(
            url,
            content=b"\x28\xb5\x2f\xfd garbage",
            headers={**headers, "Content-Encoding": "zstd"},
        )
        assert garbage.status_code == 415
    finally:
        server.close()


def test_unsupported_protocol_versions_get_a_clear_refusal(enrolled: Enrolled) -> None:
    answer = _post(enrolled, _batch(enrolled.device_id, range(1, 2)), protocol="99")
    assert answer.status_code == 426
    assert (answer.json()["min_protocol"], answer.json()["max_protocol"]) == (1, 2)
    info = httpx.get(f"{enrolled.hq.url}/v1/protocol").json()
    assert (info["min_protocol"], info["max_protocol"]) == (1, 2)


def test_unknown_fields_are_ignored(enrolled: Enrolled) -> None:
    body = _batch(enrolled.device_id, range(1, 3))
    body["from_the_future"] = {"x": 1}
    body["events"][0]["also_new"] = True
    assert _post(enrolled, body).status_code == 200


def test_a_device_over_its_rate_gets_429_with_retry_after(tmp_path: Path) -> None:
    server = HqServer(
        str(tmp_path / "hq.sqlite3"), tmp_path / "hq.log", extra=("--rate", "0.5", "--burst", "3")
    ).start()
    try:
        code = server.cli("enroll-branch", "GZ0012").strip()
        device = str(uuid.uuid4())
        token = httpx.post(
            f"{server.url}/v1/enroll",
            headers={"BranchDesk-Protocol": "2"},
            json={"protocol": 2, "code": code, "branch_code": "GZ0012", "device_id": device},
        ).json()["token"]
        headers = {"BranchDesk-Protocol": "2", "Authorization": f"Bearer {token}"}
        statuses = [
            httpx.get(f"{server.url}/v1/branches/GZ0012/instructions", headers=headers)
            for _ in range(5)
        ]
        assert [r.status_code for r in statuses][:3] == [200, 200, 200]
        assert statuses[-1].status_code == 429 and int(statuses[-1].headers["retry-after"]) >= 1
    finally:
        server.close()


def test_health_readiness_and_openapi(hq: HqServer) -> None:
    assert httpx.get(hq.url + "/health").json() == {"status": "ok"}
    assert httpx.get(hq.url + "/ready").status_code == 200
    spec = httpx.get(hq.url + "/openapi.json").json()
    assert "/v1/devices/{device_id}/batches" in spec["paths"]
    assert "requestBody" in spec["paths"]["/v1/devices/{device_id}/batches"]["post"]


@pytest.mark.parametrize("protocol", [1, 2])
def test_a_previous_protocol_version_client_syncs_with_the_new_server(
    enrolled: Enrolled, protocol: int
) -> None:
    add_cases(enrolled.branch, 5)
    client = HqClient(enrolled.hq.url, token=enrolled.token, protocol=protocol)
    result = SyncEngine(enrolled.ctx, client).run_once()
    client.close()
    assert result.pushed == 5
    with enrolled.hq.engine().connect() as conn:
        held = conn.execute(select(events.c.digest)).scalars().all()
    assert len(held) == 5 and all(len(d) == 64 for d in held)  # HQ computed v1's digests
    assert _count(enrolled, quarantine) == 0
