"""An archived case as a self-contained record ("branchdesk.case-record", version 1):
plain JSON with every field named in words, the full event timeline, the SLA
milestones, the staff names it mentions and the PDFs (receipt, closure letter, case
record sheet) as base64. It is read back without the live database or this app's
schema: `ArchivedCase` is built from the record alone.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from branchdesk.documents import (
    DocumentError,
    DocumentKind,
    DocumentRequest,
    Letterhead,
    Paper,
    render_document,
)
from branchdesk.domain.catalogue import Catalogue
from branchdesk.services.cases import CaseView

RECORD_FORMAT = "branchdesk.case-record"
RECORD_VERSION = 1
#: The documents an archived case carries, in this order; those a case cannot carry
#: (a closure letter for a consultation that was only answered) are left out.
DOCUMENTS = (DocumentKind.RECEIPT, DocumentKind.CLOSURE_LETTER, DocumentKind.CASE_RECORD)


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def case_record(
    view: CaseView,
    *,
    branch_code: str,
    branch_name: str,
    staff: Mapping[str, str],
    archived_at: datetime,
    retention_until: date,
    documents: Sequence[tuple[str, bytes]],
) -> dict[str, Any]:
    """The record of `view` (an unmasked view: the archive keeps the full data)."""
    c = view.case
    named = {e.actor for e in view.events} | {c.receiving_clerk, c.owner}
    return {
        "format": RECORD_FORMAT,
        "version": RECORD_VERSION,
        "archive_no": c.archive_no,
        "branch": {"code": branch_code, "name": branch_name},
        "archived_at": _iso(archived_at),
        "retention_until": retention_until.isoformat(),
        "case": {
            "number": c.number,
            "kind": c.kind.value,
            "channel": c.channel,
            "category": c.category,
            "grade": c.grade,
            "state": c.state.value,
            "customer": {
                "name": c.customer_name,
                "phone": c.customer_phone,
                "id_number": c.customer_id_number,
                "service_number": c.service_number,
                "address": c.customer_address,
            },
            "summary": c.summary,
            "description": c.description,
            "remedy": c.remedy,
            "event_date": _iso(c.event_date),
            "event_place": c.event_place,
            "business": c.business,
            "received_at": _iso(c.received_at),
            "entered_at": _iso(c.entered_at),
            "receiving_clerk": c.receiving_clerk,
            "owner": c.owner,
            "responsibility": c.responsibility,
            "satisfied": c.satisfied,
            "satisfaction_score": c.satisfaction_score,
            "reopen_count": c.reopen_count,
        },
        "events": [
            {
                "seq": e.seq,
                "kind": e.kind,
                "at": _iso(e.at),
                "actor": e.actor,
                "payload": dict(e.payload),
            }
            for e in view.events
        ],
        "milestones": [
            {"id": m.id, "due_at": _iso(m.due_at), "met_at": _iso(m.met_at)}
            for m in view.milestones
        ],
        "staff": {no: staff[no] for no in sorted(named) if no in staff},
        "documents": [
            {
                "name": f"{kind}.pdf",
                "kind": kind,
                "media_type": "application/pdf",
                "sha256": hashlib.sha256(pdf).hexdigest(),
                "data": base64.b64encode(pdf).decode("ascii"),
            }
            for kind, pdf in documents
        ],
    }


@dataclass(frozen=True)
class ArchivedDocument:
    kind: str
    pdf: bytes


@dataclass(frozen=True)
class ArchivedEvent:
    seq: int
    kind: str
    at: datetime
    actor: str
    actor_name: str
    payload: Mapping[str, Any]


@dataclass(frozen=True)
class ArchivedCase:
    """An archived case read back from its record: what the read-only view shows."""

    archive_no: str
    number: str
    kind: str
    category: str
    grade: str
    state: str
    customer: Mapping[str, Any]
    summary: str
    description: str
    remedy: str
    received_at: datetime
    archived_at: datetime
    retention_until: date
    events: tuple[ArchivedEvent, ...]
    documents: tuple[ArchivedDocument, ...]
    record: Mapping[str, Any]

    def document(self, kind: str) -> bytes | None:
        return next((d.pdf for d in self.documents if d.kind == kind), None)


def read_record(record: Mapping[str, Any]) -> ArchivedCase:
    if record.get("format") != RECORD_FORMAT or record.get("version") != RECORD_VERSION:
        raise ValueError(f"not a case record of version {RECORD_VERSION}")
    case = record["case"]
    staff = record.get("staff", {})
    documents = []
    for d in record.get("documents", []):
        pdf = base64.b64decode(d["data"])
        if hashlib.sha256(pdf).hexdigest() != d["sha256"]:
            raise ValueError(f"document {d['kind']} does not match its checksum")
        documents.append(ArchivedDocument(d["kind"], pdf))
    return ArchivedCase(
        archive_no=str(record["archive_no"]),
        number=case["number"],
        kind=case["kind"],
        category=case["category"],
        grade=case["grade"],
        state=case["state"],
        customer=case["customer"],
        summary=case["summary"],
        description=case["description"],
        remedy=case["remedy"],
        received_at=datetime.fromisoformat(case["received_at"]),
        archived_at=datetime.fromisoformat(record["archived_at"]),
        retention_until=date.fromisoformat(record["retention_until"]),
        events=tuple(
            ArchivedEvent(
                e["seq"],
                e["kind"],
                datetime.fromisoformat(e["at"]),
                e["actor"],
                staff.get(e["actor"], e["actor"]),
                e["payload"],
            )
            for e in record["events"]
        ),
        documents=tuple(documents),
        record=record,
    )


# --------------------------------------------------------------------- documents


@dataclass(frozen=True)
class RenderSetup:
    """What rendering needs besides the case: the same for a whole volume."""

    letterhead: Letterhead
    lang: str
    catalogue: Catalogue
    tz: ZoneInfo
    staff: Mapping[str, str]
    printed_at: datetime
    printed_by: str


def render_archive_documents(view: CaseView, setup: RenderSetup) -> list[tuple[str, bytes]]:
    """The documents the case carries, as archived copies (copy number 1)."""
    out: list[tuple[str, bytes]] = []
    for kind in DOCUMENTS:
        paper = Paper.ROLL_80MM if kind is DocumentKind.RECEIPT else Paper.A4
        request = DocumentRequest(
            kind=kind,
            lang=setup.lang,
            paper=paper,
            printed_at=setup.printed_at,
            printed_by=setup.printed_by,
        )
        try:
            pdf = render_document(
                view,
                setup.letterhead,
                request,
                catalogue=setup.catalogue,
                tz=setup.tz,
                staff=setup.staff,
            )
        except DocumentError:
            continue  # the case cannot carry this document
        out.append((kind.value, pdf))
    return out


def _render_chunk(views: Sequence[CaseView], setup: RenderSetup) -> list[list[tuple[str, bytes]]]:
    return [render_archive_documents(v, setup) for v in views]


_SETUP: RenderSetup | None = None


def _init_worker(setup: RenderSetup) -> None:
    global _SETUP
    _SETUP = setup


def _render_in_worker(views: Sequence[CaseView]) -> list[list[tuple[str, bytes]]]:
    assert _SETUP is not None
    return _render_chunk(views, _SETUP)


#: Cases per task sent to a rendering process (fewer round trips, still balanced).
RENDER_CHUNK = 16


class Renderer:
    """Renders the archived documents of volume after volume on worker processes,
    ahead of the caller: `submit` one volume's cases, and the processes start on them
    while the caller encrypts and commits the previous volume; the returned callable
    waits for them. One run, one setup: the processes get the first one (letterhead,
    language, printing time) when they start, as it does not travel between processes
    cheaply. With one worker (or a handful of cases) it renders in this process."""

    def __init__(self, workers: int) -> None:
        self._workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def submit(
        self, views: Sequence[CaseView], setup: RenderSetup
    ) -> Callable[[], list[list[tuple[str, bytes]]]]:
        if self._workers < 2 or len(views) < 50:
            return lambda: _render_chunk(views, setup)
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self._workers, initializer=_init_worker, initargs=(setup,)
            )
        futures = [
            self._pool.submit(_render_in_worker, views[i : i + RENDER_CHUNK])
            for i in range(0, len(views), RENDER_CHUNK)
        ]
        return lambda: [docs for f in futures for docs in f.result()]

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    def __enter__(self) -> Renderer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def render_many(
    views: Sequence[CaseView], setup: RenderSetup, *, workers: int
) -> list[list[tuple[str, bytes]]]:
    """Documents for many cases; on several processes when there is enough work, since
    rendering (~14 ms a document) is most of the cost of archiving."""
    if workers < 2 or len(views) < 50:
        return _render_chunk(views, setup)
    with Renderer(workers) as renderer:
        return renderer.submit(views, setup)()
