"""The messages of the sync protocol (pydantic v2). Unknown fields are ignored in
every message (a newer peer may add some); missing required ones are a 422.

An uploaded event is two layers: the envelope (`WireEvent`: sequence number, branch
time, digest) which must be well-formed for the batch to be accepted at all, and the
case event inside it (`CaseEventBody`) which HQ checks one by one: an event HQ cannot
accept is quarantined and acknowledged, never blocking the queue.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from sync.protocol import MAX_BATCH_EVENTS


class Wire(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


DeviceId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f-]{36}$")]
BranchCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}[0-9]{4}$")]
#: A case number as the branch prints it: branch code, date, daily sequence.
CaseNumber = Annotated[
    str, StringConstraints(pattern=r"^[A-Z]{2}[0-9]{4}-[0-9]{8}-[0-9]{4,6}[0-9A-Z]$")
]
Hash = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=64)]


def event_digest(event: Any) -> str:
    """SHA-256 of the event's canonical JSON: the same bytes on both sides."""
    canonical = json.dumps(event, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


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
    created_at: AwareDatetime
    digest: Hash | None = None  # v2; HQ computes it for v1 clients
    event: dict[str, Any]


class CaseEventBody(Wire):
    """What HQ requires of a case event to store it (else: quarantine)."""

    case_number: CaseNumber
    case_seq: int = Field(ge=1, le=1_000_000)
    kind: ShortText
    at: AwareDatetime
    actor: ShortText
    payload: dict[str, Any]


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
