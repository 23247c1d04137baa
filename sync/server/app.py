"""The HQ HTTP API (FastAPI). Routes:

    GET  /health                              liveness (no database)
    GET  /ready                               database reachable and migrated
    GET  /v1/protocol                         the protocol versions this HQ accepts
    POST /v1/enroll                           one-time code -> device token
    POST /v1/devices/{device_id}/batches      upload a batch of outbox events
    GET  /v1/branches/{code}/instructions     instructions after a cursor

Every /v1 call but /v1/protocol names its protocol version in a header; uploads and
pulls carry the device token as `Authorization: Bearer …`. Bodies are read with a
limit before and after decompression, on every route: a declared length over it is
refused (413) before anything is read, a chunked body when the count passes it. A
malformed device id or branch code in the path is a 422 before the database is
asked. Rate limits are kept in HQ's database, so every worker process shares them
(`ratelimit`): per device once authenticated; per caller address for enrollment,
`/ready` and `/v1/protocol`, and for refused credentials (an address that used up
its window is refused before its credential is looked at). Database work runs in
the thread pool. An unexpected error is answered with a bare 500 and logged by its
type and place, never its message (a database error's message may quote the row it
could not store). A database that cannot be reached is 503 with Retry-After; data
it refuses is never that (a branch would retry it for ever): a 422, and in an upload
the refused events are quarantined instead (`ingest`).
"""

from __future__ import annotations

import os
import time
import traceback
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import FastAPI, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    ProgrammingError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sync.protocol import (
    MAX_ENROLL_BYTES,
    MIN_PROTOCOL_VERSION,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
)
from sync.protocol.codec import BadEncoding, BodyTooLarge, decompress
from sync.protocol.messages import (
    BRANCH_CODE_PATTERN,
    DEVICE_ID_PATTERN,
    EnrollRequest,
    EnrollResponse,
    ErrorBody,
    InstructionPage,
    ProtocolInfo,
    UploadAck,
    UploadBatch,
    parse_upload,
)
from sync.server import admin
from sync.server.config import HqConfig
from sync.server.database import create_hq_engine, is_ready
from sync.server.ingest import Conflict, apply_batch
from sync.server.logs import log
from sync.server.ratelimit import RateLimiter


class Problem(Exception):
    """An error answer: HTTP status and the body every client understands."""

    def __init__(self, status: int, error: str, message: str = "", **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.body = ErrorBody(error=error, message=message, **extra)
        self.headers: dict[str, str] = {}


def _json(model: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        model.model_dump_json(exclude_none=True),
        status_code=status,
        media_type="application/json",
        headers=headers,
    )


def _protocol(request: Request) -> int:
    raw = request.headers.get(PROTOCOL_HEADER, "")
    version = int(raw) if raw.isdigit() and len(raw) <= 4 else 0
    if not MIN_PROTOCOL_VERSION <= version <= PROTOCOL_VERSION:
        raise Problem(
            426,
            "protocol_unsupported",
            f"protocol {raw or '(none)'} is not supported; this HQ speaks "
            f"{MIN_PROTOCOL_VERSION} to {PROTOCOL_VERSION}",
            min_protocol=MIN_PROTOCOL_VERSION,
            max_protocol=PROTOCOL_VERSION,
        )
    return version


def _token(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Problem(401, "unauthenticated", "missing device credential")
    return token.strip()


def _first_error(exc: ValidationError | RequestValidationError) -> str:
    """Where the first problem is and what it is (`events.3.seq: int_parsing`), never
    the value: that may be a customer's."""
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "body"
    return f"{where}: {first['type']}"


DeviceIdInPath = Annotated[str, Path(pattern=DEVICE_ID_PATTERN)]
BranchCodeInPath = Annotated[str, Path(pattern=BRANCH_CODE_PATTERN)]


class _Guard:
    """The outermost layer: the body limit on every route, and the last word on an
    unexpected error (so that neither it nor uvicorn logs a traceback's message)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def _answer(self, send: Send, status: int, body: ErrorBody) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    # The unread rest of a refused body is not worth reading.
                    (b"connection", b"close"),
                ],
            }
        )
        await send(
            {"type": "http.response.body", "body": body.model_dump_json(exclude_none=True).encode()}
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            too_large = ErrorBody(error="too_large", message=f"body over {self.limit} bytes")
            await self._answer(send, 413, too_large)
            # Before routing: no route template to name yet.
            log("request", method=scope["method"], route="?", status=413, declared=int(declared))
            return
        seen = 0
        started = False

        async def counting() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise Problem(413, "too_large", f"body over {self.limit} bytes")
            return message

        async def tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting, tracking)
        except Exception as exc:  # the last resort for a bug: logged without its message
            frames = traceback.extract_tb(exc.__traceback__)[-4:]
            log(
                "error",
                level="error",
                kind=type(exc).__name__,
                at=[f"{os.path.basename(f.filename)}:{f.lineno}:{f.name}" for f in frames],
                route=getattr(scope.get("route"), "path", "?"),
            )
            if not started:
                await self._answer(send, 500, ErrorBody(error="internal", message="server error"))


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise Problem(413, "too_large", f"body over {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise Problem(413, "too_large", f"body over {limit} bytes")
    return bytes(body)


def create_app(config: HqConfig | None = None, engine: Engine | None = None) -> FastAPI:
    config = config or HqConfig.from_env()
    engine = engine or create_hq_engine(
        config.db_url, pool_size=config.pool_size, application_name=config.application_name
    )
    limiter = RateLimiter(
        engine,
        config.rate_per_second,
        config.rate_burst,
        sweep_seconds=config.rate_sweep_seconds,
    )
    app = FastAPI(
        title="BranchDesk HQ",
        version=str(PROTOCOL_VERSION),
        description="Branch event upload and HQ instructions (see docs/SYNC.md).",
    )
    app.state.engine = engine

    async def db(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return await run_in_threadpool(fn, *args, **kwargs)

    def too_many(wait: float) -> Problem:
        problem = Problem(429, "rate_limited", "too many requests", retry_after=wait)
        problem.headers["Retry-After"] = str(max(1, round(wait)))
        return problem

    async def throttle(key: str) -> None:
        wait: float = await db(limiter.take, key)
        if wait > 0:
            raise too_many(wait)

    def address(request: Request) -> str:
        # The proxy's X-Forwarded-For when uvicorn trusts it (`--forwarded-allow-ips`).
        return request.client.host if request.client else "?"

    async def authenticated(
        request: Request, find: Callable[[str], admin.Device | None]
    ) -> admin.Device:
        """The device of the request's credential. Refused credentials are counted
        by the caller's address, and an address that used up its window is refused
        before its credential is looked at (so guessing tokens is limited too)."""
        key = f"auth:{address(request)}"
        wait: float = await db(limiter.waiting, key)
        if wait > 0:
            raise too_many(wait)
        try:
            token = _token(request)
            device: admin.Device | None = await db(find, token)
            if device is None:
                raise Problem(401, "unauthenticated", "unknown or revoked device credential")
            return device
        except Problem:
            await db(limiter.take, key)
            raise

    async def device_for(request: Request, device_id: str) -> admin.Device:
        def find(token: str) -> admin.Device | None:
            device = admin.authenticate(engine, device_id, token)
            if device is None and admin.device_of_token(engine, token) is not None:
                raise Problem(403, "forbidden", "this credential belongs to another device")
            return device

        return await authenticated(request, find)

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> Response:
        return _json(exc.body, exc.status, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        body = ErrorBody(error="invalid", message=f"malformed request ({_first_error(exc)})")
        return _json(body, 422)

    def unavailable() -> Response:
        body = ErrorBody(error="unavailable", message="database unavailable", retry_after=1)
        return _json(body, 503, {"Retry-After": "1"})

    @app.exception_handler(DBAPIError)
    async def _database(request: Request, exc: DBAPIError) -> Response:
        kind = type(exc.orig).__name__
        if isinstance(exc, OperationalError | InterfaceError) or exc.connection_invalidated:
            # Unreachable, restarting, out of connections, a deadlock: it heals by itself.
            log("database_error", level="warning", kind=kind)
            return unavailable()
        if isinstance(exc, DataError | IntegrityError | ProgrammingError):
            # The same request would be refused again: a retry would never end. (An
            # upload's events are quarantined instead, in `ingest`; this is the rest.)
            log("database_refused", level="warning", kind=kind)
            body = ErrorBody(error="database_refused", message=f"the database refused it ({kind})")
            return _json(body, 422)
        raise exc  # anything else is a bug: the bare 500 of `_Guard`

    @app.exception_handler(PoolTimeout)
    async def _pool(request: Request, exc: PoolTimeout) -> Response:
        log("database_error", level="warning", kind="PoolTimeout")
        return unavailable()

    @app.middleware("http")
    async def _access_log(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        log(
            "request",
            method=request.method,
            # The route's template, not the raw path: no ids or query strings.
            route=getattr(request.scope.get("route"), "path", "?"),
            status=response.status_code,
            ms=round((time.perf_counter() - started) * 1000, 1),
            # Which worker answered, when `serve --workers N` runs several.
            pid=os.getpid(),
        )
        return response

    # Added last, so outermost: around the access log and every route.
    app.add_middleware(_Guard, limit=config.max_compressed)

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/ready")
    async def ready(request: Request) -> Response:
        # Polled by load balancers, without a credential: limited by address.
        await throttle(f"open:{address(request)}")
        if await db(is_ready, engine):
            return _json(ErrorBody(error="", message="ready"))
        return _json(ErrorBody(error="not_ready", message="database not reachable"), 503)

    @app.get("/v1/protocol", response_model=ProtocolInfo)
    async def protocol(request: Request) -> ProtocolInfo:
        await throttle(f"open:{address(request)}")
        return ProtocolInfo(min_protocol=MIN_PROTOCOL_VERSION, max_protocol=PROTOCOL_VERSION)

    @app.post(
        "/v1/enroll",
        response_model=EnrollResponse,
        responses={s: {"model": ErrorBody} for s in (401, 403, 413, 422, 426, 429, 503)},
        openapi_extra={
            "requestBody": {
                "required": True,
                "description": f"An EnrollRequest as JSON, at most {MAX_ENROLL_BYTES} bytes.",
                "content": {"application/json": {"schema": EnrollRequest.model_json_schema()}},
            }
        },
    )
    async def enroll(request: Request) -> Response:
        _protocol(request)
        # No credential yet: the limit is the caller's address's (shared by workers).
        await throttle(f"enroll:{address(request)}")
        raw = await _read_body(request, min(MAX_ENROLL_BYTES, config.max_compressed))
        try:
            body = EnrollRequest.model_validate_json(raw)
        except ValidationError as exc:
            message = f"not a valid enrollment request ({_first_error(exc)})"
            raise Problem(422, "invalid", message) from None
        try:
            token = await db(admin.enroll, engine, body)
        except admin.Refused as exc:
            raise Problem(exc.status, exc.error, exc.message) from None
        log("enrolled", device=body.device_id, branch=body.branch_code)
        return _json(
            EnrollResponse(device_id=body.device_id, branch_code=body.branch_code, token=token)
        )

    @app.post(
        "/v1/devices/{device_id}/batches",
        response_model=UploadAck,
        responses={s: {"model": ErrorBody} for s in (401, 403, 409, 413, 415, 422, 426, 429, 503)},
        openapi_extra={
            "requestBody": {
                "required": True,
                "description": "An UploadBatch as JSON, compressed per Content-Encoding "
                "(zstd, gzip or identity).",
                "content": {"application/json": {"schema": UploadBatch.model_json_schema()}},
            }
        },
    )
    async def upload(device_id: DeviceIdInPath, request: Request) -> Response:
        version = _protocol(request)
        device = await device_for(request, device_id)
        await throttle(f"device:{device.id}")
        raw = await _read_body(request, config.max_compressed)
        encoding = request.headers.get("content-encoding", "identity")
        try:
            body = decompress(raw, encoding, limit=config.max_decompressed)
        except BodyTooLarge:
            raise Problem(413, "too_large", "body expands beyond the limit") from None
        except BadEncoding:
            raise Problem(415, "bad_encoding", "body does not decode as declared") from None
        try:
            batch = parse_upload(body)
        except ValidationError as exc:
            message = f"not a valid upload batch ({_first_error(exc)})"
            raise Problem(422, "invalid", message) from None
        if batch.device_id != device.id or batch.branch_code != device.branch_code:
            raise Problem(403, "forbidden", "a device may only upload its own branch's events")
        try:
            ack: UploadAck = await db(apply_batch, engine, batch, protocol=version)
        except Conflict as exc:
            log(
                "conflict",
                device=device.id,
                epoch=batch.epoch,
                error=exc.error,
                expected=exc.expected_seq,
                got=batch.events[0].seq,
            )
            raise Problem(409, exc.error, exc.message, expected_seq=exc.expected_seq) from None
        except ValueError as exc:
            raise Problem(422, "invalid", str(exc)) from None
        log(
            "batch",
            device=device.id,
            branch=device.branch_code,
            epoch=batch.epoch,
            first=batch.events[0].seq,
            last=batch.events[-1].seq,
            applied=ack.applied,
            duplicates=ack.duplicates,
            quarantined=len(ack.quarantined),
            bytes=len(raw),
            skew_s=round(ack.skew_seconds, 1),
        )
        return _json(ack)

    @app.get(
        "/v1/branches/{branch_code}/instructions",
        response_model=InstructionPage,
        responses={s: {"model": ErrorBody} for s in (401, 403, 422, 426, 429)},
    )
    async def pull(
        branch_code: BranchCodeInPath,
        request: Request,
        after: int = Query(0, ge=0, le=2**62),
        limit: int = Query(100, ge=1, le=500),
    ) -> Response:
        _protocol(request)
        device = await authenticated(request, lambda token: admin.device_of_token(engine, token))
        if device.branch_code != branch_code:
            raise Problem(403, "forbidden", "a device may only read its own branch's instructions")
        await throttle(f"device:{device.id}")
        page: InstructionPage = await db(
            admin.instructions_after, engine, branch_code, after, limit
        )
        return _json(page)

    return app
