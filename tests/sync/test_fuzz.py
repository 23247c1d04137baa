"""Bad input to the HQ API, generated (hypothesis) and sent to a real server: never
a 5xx, and nothing written by a request HQ refused. On PostgreSQL too, with what it
cannot store (U+0000, lone surrogates, NaN and Infinity) anywhere in a batch: such
an event is quarantined, the rest of its batch stored, and nothing of it logged."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from sync.protocol.codec import compress
from sync.protocol.messages import CaseEventBody
from sync.server.tables import events, quarantine, streams
from tests.sync.conftest import Enrolled

#: Text PostgreSQL refuses (U+0000; lone surrogates, which UTF-8 cannot encode), mixed
#: into ordinary text; st.text() alone never makes a surrogate.
awkward_text = st.lists(
    st.text(max_size=6) | st.sampled_from(["\x00", "\ud800", "\udfff", "\ud83d", "\\u0000"]),
    max_size=4,
).map("".join)
#: Any time at any offset Python allows (PostgreSQL allows up to 15:59 only).
_day = timedelta(hours=23, minutes=59)
any_time = st.builds(
    lambda moment, offset: moment.replace(tzinfo=timezone(offset)).isoformat(),
    st.datetimes(),
    st.timedeltas(min_value=-_day, max_value=_day).map(
        lambda d: timedelta(minutes=d // timedelta(minutes=1))
    ),
)
both_dbs = pytest.mark.parametrize(
    "hq_db", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats()
    | st.text(max_size=20)
    | awkward_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(awkward_text, inner, max_size=4),
    max_leaves=20,
)


def _case_event() -> st.SearchStrategy[dict[str, Any]]:
    """A case event HQ would store, but for awkward text or numbers anywhere in it."""
    return st.fixed_dictionaries(
        {
            "case_number": st.just("GZ0012-20261125-0001G") | awkward_text,
            "case_seq": st.just(1),
            "kind": st.just("received") | awkward_text,
            "at": st.just("2026-11-25T09:30:00+08:00") | any_time,
            "actor": st.just("A001") | awkward_text,
            "payload": st.dictionaries(awkward_text, json_values, max_size=4),
        }
    )


def _batch_like(device_id: str) -> st.SearchStrategy[dict[str, Any]]:
    """Mostly-right batches with fields replaced by anything."""
    event = st.fixed_dictionaries(
        {
            "seq": st.integers(-5, 10) | json_values,
            "created_at": st.just("2026-11-25T09:30:00+08:00") | any_time | json_values,
            "event": json_values
            | st.just({"case_number": "GZ0012-20261125-0001G"})
            | _case_event(),
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


@both_dbs
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


@both_dbs
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
        )
        # Anything in the path's own parameters, NUL and surrogates included.
        | awkward_text.map(
            lambda t: f"/v1/devices/{quote(t, safe='', errors='surrogatepass')}/batches"
        )
        | awkward_text.map(
            lambda t: f"/v1/branches/{quote(t, safe='', errors='surrogatepass')}/instructions"
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


@both_dbs
def test_fuzzed_path_parameters_get_a_4xx_whatever_the_credential(enrolled: Enrolled) -> None:
    """A device id or branch code in the path that cannot be one (NUL, surrogates,
    anything) is refused as malformed: a 4xx, never 'database unavailable'."""
    http = httpx.Client(timeout=30)

    @settings(max_examples=60, suppress_health_check=list(HealthCheck))
    @given(
        segment=awkward_text | st.text(max_size=40),
        upload=st.booleans(),
        token=st.sampled_from([enrolled.token, "wrong-token"]),
    )
    def check(segment: str, upload: bool, token: str) -> None:
        quoted = quote(segment, safe="", errors="surrogatepass")
        path = f"/v1/devices/{quoted}/batches" if upload else f"/v1/branches/{quoted}/instructions"
        answer = http.request(
            "POST" if upload else "GET",
            enrolled.hq.url + path,
            content=b"{}" if upload else None,
            headers={"BranchDesk-Protocol": "2", "Authorization": f"Bearer {token}"},
        )
        assert 400 <= answer.status_code < 500, (path, answer.text)

    try:
        check()
    finally:
        http.close()
    assert "database_error" not in enrolled.hq.log_path.read_text(encoding="utf-8")


@both_dbs
def test_fuzzed_case_events_are_stored_or_quarantined_and_the_queue_goes_on(
    enrolled: Enrolled,
) -> None:
    """Well-formed batches of case events with awkward text and numbers anywhere in
    them: always a 200, every event stored or quarantined (never a stuck batch), the
    unstorable ones quarantined, and none of their text in HQ's log."""
    url = f"{enrolled.hq.url}/v1/devices/{enrolled.device_id}/batches"
    headers = {"BranchDesk-Protocol": "1", "Authorization": f"Bearer {enrolled.token}"}
    http = httpx.Client(timeout=30)
    next_seq = [1]
    markers: list[str] = []

    @settings(max_examples=60, suppress_health_check=list(HealthCheck))
    @given(bodies=st.lists(_case_event(), min_size=1, max_size=5), marker=st.uuids())
    def check(bodies: list[dict[str, Any]], marker: Any) -> None:
        # A text of our own in every event, to look for in the log afterwards.
        bodies = [{**b, "payload": {**b["payload"], "m": f"M{marker.hex}"}} for b in bodies]
        markers.append(f"M{marker.hex}")
        first = next_seq[0]
        body = {
            "protocol": 1,
            "device_id": enrolled.device_id,
            "branch_code": "GZ0012",
            "epoch": 1,
            "epoch_base": 0,
            "sent_at": datetime.now(UTC).isoformat(),
            "events": [
                {"seq": first + i, "created_at": "2026-11-25T09:30:00+08:00", "event": b}
                for i, b in enumerate(bodies)
            ],
        }
        answer = http.post(url, content=json.dumps(body).encode(), headers=headers)
        assert answer.status_code == 200, answer.text
        ack = answer.json()
        assert (ack["through_seq"], ack["applied"]) == (first + len(bodies) - 1, len(bodies))
        quarantined = {q["seq"] for q in ack["quarantined"]}
        refused = {first + i for i, b in enumerate(bodies) if _postgresql_refuses(b)}
        assert refused <= quarantined
        assert quarantined == {first + i for i, b in enumerate(bodies) if not _acceptable(b)}
        next_seq[0] = first + len(bodies)

    try:
        check()
    finally:
        http.close()
    assert sum(_counts(enrolled)[:2]) == next_seq[0] - 1
    enrolled.hq.stop()
    logged = enrolled.hq.log_path.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in logged and '"status":500' not in logged
    assert not any(m in logged for m in markers)


def _postgresql_refuses(event: dict[str, Any]) -> bool:
    """What PostgreSQL's text and jsonb refuse, found without HQ's code."""
    try:
        text = json.dumps(event, ensure_ascii=False, allow_nan=False)
    except ValueError:  # NaN or Infinity
        return True
    return "\x00" in text or any(0xD800 <= ord(c) <= 0xDFFF for c in text)


def _acceptable(event: dict[str, Any]) -> bool:
    try:
        CaseEventBody.model_validate(event)
    except ValueError:
        return False
    return True
