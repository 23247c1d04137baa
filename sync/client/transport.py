"""HTTP to HQ (httpx): the three calls the client makes, and every failure turned
into a `SyncFailure` with a message key a clerk can read."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
from pydantic import ValidationError

from sync.client.crash import armed, crash_point
from sync.protocol import PROTOCOL_HEADER, PROTOCOL_VERSION
from sync.protocol.messages import (
    EnrollRequest,
    EnrollResponse,
    ErrorBody,
    InstructionPage,
    UploadAck,
)


class SyncFailure(Exception):
    """A sync step failed. `retryable` failures heal by themselves (network, HQ busy);
    the others need a person (enroll again, update the app)."""

    def __init__(
        self,
        key: str,
        *,
        retryable: bool,
        retry_after: float | None = None,
        error: ErrorBody | None = None,
        **params: Any,
    ) -> None:
        super().__init__(key)
        self.key = key
        self.retryable = retryable
        self.retry_after = retry_after
        self.error = error
        self.params = params


def _error_body(response: httpx.Response) -> ErrorBody:
    try:
        return ErrorBody.model_validate_json(response.content)
    except ValidationError:
        return ErrorBody(error=f"http_{response.status_code}")


def failure_for(response: httpx.Response, protocol: int) -> SyncFailure:
    body = _error_body(response)
    status = response.status_code
    retry_after = body.retry_after
    header = response.headers.get("retry-after", "")
    if header.replace(".", "", 1).isdigit():
        retry_after = float(header)
    if status == 401:
        return SyncFailure("sync.error.unauthorized", retryable=False, error=body)
    if status == 403:
        return SyncFailure("sync.error.forbidden", retryable=False, error=body)
    if status == 426:
        return SyncFailure(
            "sync.error.protocol",
            retryable=False,
            error=body,
            version=protocol,
            min=body.min_protocol,
            max=body.max_protocol,
        )
    if status == 429:
        return SyncFailure("sync.error.busy", retryable=True, retry_after=retry_after, error=body)
    if status == 409:
        return SyncFailure(
            f"sync.error.{body.error}",
            retryable=body.error == "gap",
            error=body,
            seq=body.expected_seq,
        )
    if status >= 500:
        return SyncFailure(
            "sync.error.server", retryable=True, retry_after=retry_after, error=body, status=status
        )
    return SyncFailure(
        "sync.error.refused", retryable=False, error=body, status=status, detail=body.error
    )


class HqClient:
    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        protocol: int = PROTOCOL_VERSION,
        timeout: float = 30.0,
    ) -> None:
        self.protocol = protocol
        headers = {PROTOCOL_HEADER: str(protocol), "User-Agent": f"branchdesk-sync/{protocol}"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers=headers,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
        )

    def close(self) -> None:
        self._http.close()

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, url, **kwargs)
        except httpx.TimeoutException as exc:
            raise SyncFailure(
                "sync.error.timeout", retryable=True, detail=type(exc).__name__
            ) from exc
        except httpx.TransportError as exc:
            raise SyncFailure(
                "sync.error.offline", retryable=True, detail=type(exc).__name__
            ) from exc
        if response.status_code >= 300:
            raise failure_for(response, self.protocol)
        return response

    def enroll(self, request: EnrollRequest) -> EnrollResponse:
        response = self._send(
            "POST",
            "/v1/enroll",
            content=request.model_dump_json(),
            headers={"Content-Type": "application/json"},
        )
        return EnrollResponse.model_validate_json(response.content)

    def push(self, device_id: str, body: bytes, encoding: str) -> UploadAck:
        content: bytes | Iterator[bytes] = body
        if armed("mid_push"):
            content = _half_then_crash(body)
        response = self._send(
            "POST",
            f"/v1/devices/{device_id}/batches",
            content=content,
            headers={"Content-Type": "application/json", "Content-Encoding": encoding},
        )
        try:
            return UploadAck.model_validate_json(response.content)
        except ValidationError as exc:
            raise SyncFailure("sync.error.bad_answer", retryable=True) from exc

    def pull(self, branch_code: str, after: int, limit: int = 100) -> InstructionPage:
        response = self._send(
            "GET",
            f"/v1/branches/{branch_code}/instructions",
            params={"after": after, "limit": limit},
        )
        try:
            return InstructionPage.model_validate_json(response.content)
        except ValidationError as exc:
            raise SyncFailure("sync.error.bad_answer", retryable=True) from exc


def _half_then_crash(body: bytes) -> Iterator[bytes]:
    """The body in two pieces with a crash between them: HQ sees half a request."""
    yield body[: len(body) // 2]
    crash_point("mid_push")
    yield body[len(body) // 2 :]
