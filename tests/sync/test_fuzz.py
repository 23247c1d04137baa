"""Bad input to the HQ API, generated (hypothesis) and sent to a real server: never
a 5xx, and nothing written by a request HQ refused."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from sync.protocol.codec import compress
from sync.server.tables import events, quarantine, streams
from tests.sync.conftest import Enrolled

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


def _batch_like(device_id: str) -> st.SearchStrategy[dict[str, Any]]:
    """Mostly-right batches with fields replaced by anything."""
    event = st.fixed_dictionaries(
        {
            "seq": st.integers(-5, 10) | json_values,
            "created_at": st.just("2026-11-25T09:30:00+08:00") | json_values,
            "event": json_values | st.just({"case_number": "GZ0012-20261125-0001G"}),
        }
    )
    return st.fixed_dictionaries(
        {
            "protocol": st.just(2) | json_values,
            "device_id": st.just(device_id) | json_values,
            "branch_code": st.just("GZ0012") | json_values,
            "epoch": st.integers(-2, 3) | json_values,
            "epoch_base": st.integers(-2, 3) | json_values,
            "sent_at": st.just("2026-11-25T09:30:00+08:00") | json_values,
            "events": st.lists(event, max_size=4) | json_values,
        }
    )


def _counts(e: Enrolled) -> tuple[int, ...]:
    with e.hq.engine().connect() as conn:
        return tuple(
            int(conn.execute(select(func.count()).select_from(t)).scalar_one())
            for t in (events, quarantine, streams)
        )


@pytest.mark.parametrize("hq_db", ["sqlite"], indirect=True)
def test_fuzzed_uploads_never_get_a_5xx_and_refusals_write_nothing(enrolled: Enrolled) -> None:
    url = f"{enrolled.hq.url}/v1/devices/{enrolled.device_id}/batches"
    headers = {"BranchDesk-Protocol": "2", "Authorization": f"Bearer {enrolled.token}"}
    http = httpx.Client(timeout=30)

    @settings(max_examples=150, suppress_health_check=list(HealthCheck))
    @given(
        body=_batch_like(enrolled.device_id),
        encoding=st.sampled_from(["zstd", "gzip", "identity", "br"]),
        mangle=st.booleans(),
    )
    def check(body: dict[str, Any], encoding: str, mangle: bool) -> None:
        before = _counts(enrolled)
        raw = json.dumps(body, default=str).encode()
        data = raw[: len(raw) // 2] if mangle else raw
        content = compress(data, encoding) if encoding != "br" else data
        answer = http.post(url, content=content, headers={**headers, "Content-Encoding": encoding})
        assert answer.status_code < 500, answer.text
        if answer.status_code != 200:
            assert _counts(enrolled) == before

    try:
        check()
    finally:
        http.close()


@pytest.mark.parametrize("hq_db", ["sqlite"], indirect=True)
def test_fuzzed_paths_headers_and_queries_never_get_a_5xx(enrolled: Enrolled) -> None:
    http = httpx.Client(timeout=30)

    @settings(max_examples=100, suppress_health_check=list(HealthCheck))
    @given(
        path=st.sampled_from(
            [
                "/v1/enroll",
                "/v1/branches/GZ0012/instructions",
                f"/v1/devices/{enrolled.device_id}/batches",
                "/v1/protocol",
                "/ready",
            ]
        ),
        method=st.sampled_from(["GET", "POST", "PUT"]),
        protocol=st.text(max_size=6).filter(lambda t: t.isprintable() and t.isascii()),
        auth=st.sampled_from(["", "Bearer", f"Bearer {enrolled.token}", "Basic x"]),
        query=st.dictionaries(
            st.sampled_from(["after", "limit", "x"]),
            st.text(max_size=12).filter(str.isascii),
            max_size=3,
        ),
        body=st.binary(max_size=200),
    )
    def check(
        path: str, method: str, protocol: str, auth: str, query: dict[str, str], body: bytes
    ) -> None:
        headers = {"BranchDesk-Protocol": protocol.strip()}
        if auth:
            headers["Authorization"] = auth
        answer = http.request(
            method, enrolled.hq.url + path, params=query, content=body, headers=headers
        )
        assert answer.status_code < 500, (path, answer.text)

    try:
        check()
    finally:
        http.close()
    assert _counts(enrolled)[0] == 0


@pytest.mark.parametrize(
    "hq_db", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_numbers_beyond_64_bits_are_refused_not_a_crash(enrolled: Enrolled) -> None:
    url = f"{enrolled.hq.url}/v1/devices/{enrolled.device_id}/batches"
    headers = {"BranchDesk-Protocol": "2", "Authorization": f"Bearer {enrolled.token}"}
    event = {"seq": 2**70, "created_at": "2026-11-25T09:30:00+08:00", "event": {}}
    body = {
        "protocol": 2,
        "device_id": enrolled.device_id,
        "branch_code": "GZ0012",
        "epoch": 1,
        "epoch_base": 2**70 - 1,
        "sent_at": "2026-11-25T09:30:00+08:00",
        "events": [event],
        "audit_head": {"audit_id": 2**70, "hash": "0" * 64},
    }
    answer = httpx.post(url, content=json.dumps(body), headers=headers)
    assert answer.status_code == 422
    assert _counts(enrolled) == (0, 0, 0)
