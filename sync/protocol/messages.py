"""The messages of the sync protocol (pydantic v2). Unknown fields are ignored in
every message (a newer peer may add some); missing required ones are a 422.

An uploaded event is two layers: the envelope (`WireEvent`: sequence number, branch
time, digest) which must be well-formed for the batch to be accepted at all, and the
case event inside it (`CaseEventBody`) which HQ checks one by one: an event HQ cannot
accept is quarantined and acknowledged, never blocking the queue. That includes
what PostgreSQL cannot store (`unstorable`): text holding U+0000 or a lone
surrogate, and NaN or Infinity in JSON, wherever they are in the event; times are
converted to UTC (PostgreSQL refuses offsets past 15:59, which Python allows).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)
from pydantic_core import PydanticCustomError

from sync.protocol import MAX_BATCH_EVENTS


class Wire(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


DEVICE_ID_PATTERN = r"^[0-9a-f-]{36}$"
BRANCH_CODE_PATTERN = r"^[A-Z]{2}[0-9]{4}$"
DeviceId = Annotated[str, StringConstraints(pattern=DEVICE_ID_PATTERN)]
BranchCode = Annotated[str, StringConstraints(pattern=BRANCH_CODE_PATTERN)]
#: A case number as the branch prints it: branch code, date, daily sequence.
CaseNumber = Annotated[
    str, StringConstraints(pattern=r"^[A-Z]{2}[0-9]{4}-[0-9]{8}-[0-9]{4,6}[0-9A-Z]$")
]
Hash = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]

#: Nesting deeper than this is refused; pydantic's JSON reader stops at about 200.
MAX_DEPTH = 64
_UNSTORABLE_TEXT = re.compile("[\x00\ud800-\udfff]")
_T = TypeVar("_T")


def unstorable(value: Any) -> str | None:
    """Why PostgreSQL could not store `value` (JSON: keys and values, at any depth),
    or None. Its text and jsonb types hold no U+0000, its UTF-8 has no lone
    surrogates (a half of a pair, which Python's str may hold), and jsonb has no NaN
    or Infinity. (Times are made storable by `StorableTime` instead.) The answer is
    a code, never the value: it goes into logs."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if _UNSTORABLE_TEXT.search(item):
                return "unstorable_text"
        elif isinstance(item, float):
            if not math.isfinite(item):
                return "unstorable_number"
        elif isinstance(item, dict | list):
            if depth >= MAX_DEPTH:
                return "too_deep"
            if isinstance(item, dict):
                if any(not isinstance(k, str) or _UNSTORABLE_TEXT.search(k) for k in item):
                    return "unstorable_text"
                stack.extend((v, depth + 1) for v in item.values())
            else:
                stack.extend((v, depth + 1) for v in item)
    return None


def _storable(value: _T) -> _T:
    problem = unstorable(value)
    if problem:
        raise PydanticCustomError(problem, "the database cannot store this value")
    return value


def _in_utc(value: datetime) -> datetime:
    """PostgreSQL takes UTC offsets only up to 15:59 (Python up to 23:59), and SQLite
    keeps no offset at all: HQ stores times in UTC. A time that has no UTC form within
    years 1 to 9999 (0001-01-01 at +01:00) is refused."""
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise PydanticCustomError("unstorable_time", "the time is out of range in UTC") from None


ShortText = Annotated[str, StringConstraints(min_length=1, max_length=64)]
StorableTime = Annotated[AwareDatetime, AfterValidator(_in_utc)]
#: Text and JSON as HQ stores them: `unstorable` finds nothing in them.
StorableText = Annotated[ShortText, AfterValidator(_storable)]
StorableObject = Annotated[dict[str, Any], AfterValidator(_storable)]


def event_digest(event: Any) -> str:
    """SHA-256 of the event's canonical JSON: the same bytes on both sides. A lone
    surrogate, which strict UTF-8 cannot encode, is encoded as itself (surrogatepass)
    so that HQ can still name, and quarantine, an event holding one."""
    canonical = json.dumps(event, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


class AuditHead(Wire):
    audit_id: int = Field(ge=1, le=2**62)
    hash: Hash


class ClientStatus(Wire):
    """The branch's view of its own queue, for HQ's `branches` report (v2)."""

    pending: int = Field(ge=0, le=2**62)
    parked_instructions: int = Field(ge=0, le=2**62, default=0)


#: Sequence numbers fit a signed 64-bit column with room to spare.
MAX_SEQ = 2**62


class WireEvent(Wire):
    seq: int = Field(ge=1, le=MAX_SEQ)
    #: Branch wall time when the event was committed locally (clocks may disagree:
    #: HQ records its own receive time beside it and reports the skew).
    created_at: StorableTime
    digest: Hash | None = None  # v2; HQ computes it for v1 clients
    event: dict[str, Any]


class CaseEventBody(Wire):
    """What HQ requires of a case event to store it (else: quarantine)."""

    case_number: CaseNumber
    case_seq: int = Field(ge=1, le=1_000_000)
    kind: StorableText
    at: StorableTime
    actor: StorableText
    payload: StorableObject


class UploadBatch(Wire):
    protocol: int
    device_id: DeviceId
    branch_code: BranchCode
    epoch: int = Field(ge=1, le=1_000_000)
    #: The sequence number just before this epoch's first event: HQ starts a new
    #: epoch's stream there (only the first time it sees the epoch).
    epoch_base: int = Field(ge=0, le=MAX_SEQ)
    sent_at: AwareDatetime
    audit_head: AuditHead | None = None
    status: ClientStatus | None = None
    events: list[WireEvent] = Field(min_length=1, max_length=MAX_BATCH_EVENTS)


def _deeper_than(value: Any, limit: int) -> bool:
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth >= limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((v, depth + 1) for v in children)
    return False


def parse_upload(body: bytes) -> UploadBatch:
    """The batch in `body`, or pydantic's ValidationError.

    pydantic's JSON reader refuses the escape of a lone surrogate (`"\\ud800"`),
    which makes the whole batch invalid, every time the branch sends it: its queue
    would be stuck behind that one event. Python's reader takes it, so the batch is
    read that way instead and the one event is quarantined (as `unstorable_text`)."""
    try:
        return UploadBatch.model_validate_json(body)
    except ValidationError as exc:
        if any(e["type"] != "json_invalid" for e in exc.errors()):
            raise
        first = exc
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise first from None
    if _deeper_than(data, 4 * MAX_DEPTH):
        raise first
    return UploadBatch.model_validate(data)


class Quarantined(Wire):
    seq: int
    reason: str


class UploadAck(Wire):
    """Sent only after HQ committed: every event through `through_seq` of `epoch` is
    stored (or quarantined) at HQ exactly once."""

    epoch: int
    through_seq: int
    applied: int
    duplicates: int
    quarantined: list[Quarantined] = []
    hq_time: datetime
    skew_seconds: float


class ErrorBody(Wire):
    """Every 4xx/5xx answer: a stable code for programs, English text for logs."""

    error: str
    message: str = ""
    expected_seq: int | None = None  # 409 gap / divergent
    min_protocol: int | None = None  # 426
    max_protocol: int | None = None
    retry_after: float | None = None  # 429


class ProtocolInfo(Wire):
    min_protocol: int
    max_protocol: int
    server: str = "branchdesk-hq"


class EnrollRequest(Wire):
    protocol: int
    code: Annotated[str, StringConstraints(min_length=8, max_length=64)]
    branch_code: BranchCode
    device_id: DeviceId


class EnrollResponse(Wire):
    device_id: str
    branch_code: str
    token: str


InstructionType = Literal[
    "supervision_order", "notice", "catalogue", "sla_policy", "calendar", "faq"
]
#: The instruction types this version applies; anything else is parked at the branch.
KNOWN_INSTRUCTIONS: tuple[str, ...] = (
    "supervision_order",
    "notice",
    "catalogue",
    "sla_policy",
    "calendar",
    "faq",
)


class Instruction(Wire):
    seq: int = Field(ge=1)
    id: str
    #: Free text on purpose: a type this branch does not know is parked, not refused.
    type: str
    issued_at: datetime
    body: dict[str, Any]


class InstructionPage(Wire):
    instructions: list[Instruction]
    more: bool


class SupervisionOrder(Wire):
    case_number: CaseNumber
    supervisor: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    reason: Annotated[str, StringConstraints(min_length=2, max_length=500)]


class Notice(Wire):
    title: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    text: Annotated[str, StringConstraints(min_length=1, max_length=4000)]
    severity: Literal["info", "important"] = "info"


class Publication(Wire):
    """A catalogue, SLA policy, calendar year or set of FAQ articles: the document in
    the shipped format (FAQ articles may also say `"withdrawn": true`)."""

    version: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    document: dict[str, Any]
