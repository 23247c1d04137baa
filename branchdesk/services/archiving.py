"""The archive duty (manual §3.5.3: archive within 3 working days of closure, after a
manager's review) and reading the archive:

- the queue: closed cases awaiting review, with their "archive" SLA milestone;
- review: what a case lacks before it may be archived (events, documents given);
- approve: the archive event (archive number, 归档编号) for each complete case, then
  the move into encrypted volumes (`branchdesk.archive.store`);
- find by archive number, case number, customer, service type, category and date from
  the index, without decrypting any volume; open one case read-only and reprint its
  archived documents (both audited);
- verify every volume.

Holds, purges and keys are in `branchdesk.archive.custody`, re-exported here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, and_, or_, select, text

from branchdesk.archive import store
from branchdesk.archive.custody import (  # noqa: F401 (the archive's one entry point)
    approve_purge,
    issue_recovery_key,
    place_hold,
    release_hold,
    request_purge,
    rotate_master_key,
)
from branchdesk.archive.master import ArchiveKeys
from branchdesk.archive.record import ArchivedCase, read_record
from branchdesk.archive.retention import volume_key
from branchdesk.archive.verify import ArchiveReport, verify_volumes
from branchdesk.archive.volume import read_entry
from branchdesk.domain import process
from branchdesk.domain.errors import DomainError, NotFound
from branchdesk.domain.identity import mask_id, mask_phone
from branchdesk.domain.process import CaseEvent
from branchdesk.persistence.schema import archive_entries, case_milestones, cases, staff
from branchdesk.services.access import authorize
from branchdesk.services.cases import find_case_id, format_archive_no
from branchdesk.services.context import ServiceContext
from branchdesk.services.recording import load_events, record, write_audit
from branchdesk.services.return_visits import pending_visit

#: Events a closed case must have to be archived, by kind; each inner tuple is "one
#: of these". The keys name what is missing in the review.
REQUIRED_EVENTS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "complaint": (
        ("acknowledge", ("acknowledge",)),
        ("investigation", ("record_investigation",)),
        ("resolution", ("resolve", "resolve_by_incident")),
        ("feedback", ("record_feedback", "reply_customer")),
        ("close", ("close",)),
    ),
    "service_request": (("resolution", ("resolve",)), ("close", ("close",))),
    "consultation": (("answer", ("answer", "resolve_by_incident")), ("close", ("close",))),
}
#: Documents the customer should have been given (a print recorded); the archive
#: carries fresh copies of them either way, so a gap is shown but does not block.
GIVEN_DOCUMENTS: dict[str, tuple[str, ...]] = {
    "complaint": ("receipt", "closure_letter"),
    "service_request": ("receipt",),
    "consultation": (),
}
APPROVE_CHUNK = 200


@dataclass(frozen=True)
class QueueItem:
    number: str
    kind: str
    category: str
    customer: str
    closed_at: datetime | None
    archive_due: datetime | None
    overdue: bool


@dataclass(frozen=True)
class ArchiveQueue:
    items: tuple[QueueItem, ...]
    #: Approved (archive number given) but still in the live database: HQ has not yet
    #: confirmed all their events, so they wait to be sealed.
    waiting_for_sync: int
    approved_unsealed: int


def archive_queue(ctx: ServiceContext, *, actor: str, limit: int = 1000) -> ArchiveQueue:
    """Closed cases awaiting the archive review, the earliest archive deadline first."""
    now = ctx.now()
    with ctx.db.read() as conn:
        authorize(ctx, conn, actor, "archive.read")
        m = case_milestones
        rows = conn.execute(
            select(
                cases.c.number,
                cases.c.kind,
                cases.c.category,
                cases.c.customer_name,
                m.c.started_at,
                m.c.due_at,
            )
            .select_from(
                cases.outerjoin(m, and_(m.c.case_id == cases.c.id, m.c.milestone == "archive"))
            )
            .where(cases.c.state == "closed")
            .order_by(m.c.due_at.is_(None), m.c.due_at, cases.c.id)
            .limit(limit)
        ).all()
        waiting = store.waiting_for_sync(conn)
        unsealed = len(store.sealable_ids(conn)) + waiting
    items = tuple(
        QueueItem(
            r.number,
            r.kind,
            r.category,
            r.customer_name,
            r.started_at,
            r.due_at,
            r.due_at is not None and r.due_at < now,
        )
        for r in rows
    )
    return ArchiveQueue(items, waiting, unsealed)


@dataclass(frozen=True)
class ReviewResult:
    number: str
    state: str
    #: Message-key suffixes of what blocks archiving ("event.investigation", "state").
    missing: tuple[str, ...]
    #: Documents never recorded as given to the customer ("document.receipt").
    warnings: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.missing


def review_events(kind: str, state: str, events: Sequence[CaseEvent]) -> ReviewResult:
    """The completeness check itself, over a case's events (pure)."""
    kinds = {e.kind for e in events}
    missing = [] if state == "closed" else ["state"]
    for name, any_of in REQUIRED_EVENTS.get(kind, ()):
        if not kinds & set(any_of):
            missing.append(f"event.{name}")
    printed = {e.payload.get("document") for e in events if e.kind == "printed"}
    warnings = [f"document.{d}" for d in GIVEN_DOCUMENTS.get(kind, ()) if d not in printed]
    number = str(events[0].payload.get("number", "")) if events else ""
    return ReviewResult(number, state, tuple(missing), tuple(warnings))


def _review_in(conn: Connection, case_id: int) -> tuple[ReviewResult, list[CaseEvent]]:
    events = load_events(conn, case_id)
    case = process.replay(events)
    result = review_events(case.kind.value, case.state.value, events)
    if pending_visit(conn, case_id):
        # The archive should hold the return visit's outcome (manual §3.5): the
        # reviewing manager is told it is still to come (a visit made after sealing is
        # still recorded, outside the volume).
        result = replace(result, warnings=(*result.warnings, "return_visit"))
    return replace(result, number=case.number), events


def review(ctx: ServiceContext, *, numbers: Sequence[str], actor: str) -> list[ReviewResult]:
    """The manager's archive review (归档审核) of `numbers`, recorded on the audit trail."""
    with ctx.db.write() as conn:
        authorize(ctx, conn, actor, "archive.review")
        results = [_review_in(conn, find_case_id(conn, n))[0] for n in numbers]
        write_audit(
            ctx,
            conn,
            actor=actor,
            action="archive.review",
            case_id=None,
            detail={
                "cases": len(results),
                "incomplete": [r.number for r in results if not r.complete][:50],
            },
        )
    return results


@dataclass(frozen=True)
class ApproveResult:
    approved: tuple[tuple[str, str], ...]  # (case number, archive number)
    refused: tuple[ReviewResult, ...]
    seal: store.SealResult | None


def _next_archive_no(ctx: ServiceContext, conn: Connection) -> str:
    year = ctx.now().year
    seq = conn.execute(
        text(
            "INSERT INTO counters(name, value) VALUES (:n, 1) "
            "ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value"
        ),
        {"n": f"archive:{year}"},
    ).scalar_one()
    return format_archive_no(ctx.branch_code, year, int(seq))


def approve(
    ctx: ServiceContext,
    keys: ArchiveKeys,
    *,
    numbers: Sequence[str],
    actor: str,
    note: str | None = None,
    seal: bool = True,
    progress: store.Progress | None = None,
) -> ApproveResult:
    """Approve the archiving of `numbers`: each complete case gets its archive event
    and number (in transactions of a few hundred), incomplete ones are refused with
    what they lack. Then every case that may leave the live database is sealed."""
    approved: list[tuple[str, str]] = []
    refused: list[ReviewResult] = []
    total = len(numbers)
    with ctx.db.read() as conn:
        who = authorize(ctx, conn, actor, "archive.review")
    for start in range(0, total, APPROVE_CHUNK):
        with ctx.db.write() as conn:
            authorize(ctx, conn, actor, "archive.review")
            for number in numbers[start : start + APPROVE_CHUNK]:
                case_id = find_case_id(conn, number)
                result, events = _review_in(conn, case_id)
                if not result.complete:
                    refused.append(result)
                    continue
                before = process.replay(events)
                authorize(ctx, conn, actor, "case.archive", case=before)
                params = {"note": note} if note else {}
                event = process.decide(before, "archive", params, actor=actor, at=ctx.now())
                archive_no = _next_archive_no(ctx, conn)
                event = replace(event, payload={**event.payload, "archive_no": archive_no})
                record(ctx, conn, case_id=case_id, before=before, history=events, event=event)
                approved.append((before.number, archive_no))
        if progress is not None and not progress(min(start + APPROVE_CHUNK, total), total):
            break
    sealed = seal_archived(ctx, keys, actor=actor, actor_name=who.name) if seal else None
    return ApproveResult(tuple(approved), tuple(refused), sealed)


def seal_archived(
    ctx: ServiceContext,
    keys: ArchiveKeys,
    *,
    actor: str,
    actor_name: str | None = None,
    progress: store.Progress | None = None,
    workers: int | None = None,
) -> store.SealResult:
    """Move every approved case HQ has fully received into sealed volumes."""
    with ctx.db.read() as conn:
        who = authorize(ctx, conn, actor, "archive.store")
    return store.seal_pending(
        ctx,
        keys,
        actor=actor,
        actor_name=actor_name or who.name,
        progress=progress,
        workers=workers,
    )


@dataclass(frozen=True)
class IndexEntry:
    archive_no: str
    number: str
    kind: str
    category: str
    business: str | None
    customer: str | None
    phone: str | None  # masked
    received_at: datetime
    closed_at: datetime | None
    archived_at: datetime
    retention_until: date
    hold: str | None
    status: str


def _entry(r: Any) -> IndexEntry:
    return IndexEntry(
        r.archive_no,
        r.case_number,
        r.kind,
        r.category,
        r.business,
        r.customer_name,
        mask_phone(r.customer_phone) if r.customer_phone else None,
        r.received_at,
        r.closed_at,
        r.archived_at,
        date.fromisoformat(r.retention_until),
        r.hold_reason,
        r.status,
    )


def find(
    ctx: ServiceContext,
    *,
    actor: str,
    archive_no: str | None = None,
    number: str | None = None,
    customer: str | None = None,
    kind: str | None = None,
    business: str | None = None,
    category: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 200,
) -> list[IndexEntry]:
    """Archived cases from the index. `customer` matches a name (prefix), a phone or
    a service number; `category` also matches its sub-categories; the dates bound the
    receipt time. Tombstones are found too (status "purged")."""
    a = archive_entries
    q = select(a)
    if archive_no:
        q = q.where(a.c.archive_no == archive_no.strip().upper())
    if number:
        q = q.where(a.c.case_number == number.strip().upper())
    if customer:
        value = customer.strip()
        q = q.where(
            or_(
                a.c.customer_name.startswith(value, autoescape=True),
                a.c.customer_phone == value,
                a.c.service_number == value,
            )
        )
    if kind:
        q = q.where(a.c.kind == kind)
    if business:
        q = q.where(a.c.business == business)
    if category:
        q = q.where(or_(a.c.category == category, a.c.category.startswith(category + "/")))
    if since:
        q = q.where(a.c.received_at >= since)
    if until:
        q = q.where(a.c.received_at < until)
    with ctx.db.read() as conn:
        authorize(ctx, conn, actor, "archive.read")
        rows = conn.execute(q.order_by(a.c.received_at.desc()).limit(limit)).all()
    return [_entry(r) for r in rows]


def _locate(conn: Connection, ref: str) -> Any:
    value = ref.strip().upper()
    row = conn.execute(
        select(archive_entries).where(
            or_(archive_entries.c.archive_no == value, archive_entries.c.case_number == value)
        )
    ).first()
    if row is None:
        raise NotFound("error.archive.not_found", ref=value)
    return row


def _masked(case: ArchivedCase) -> ArchivedCase:
    c = dict(case.customer)
    if c.get("phone"):
        c["phone"] = mask_phone(str(c["phone"]))
    if c.get("id_number"):
        c["id_number"] = mask_id(str(c["id_number"]))
    return replace(case, customer=c)


def open_archived(
    ctx: ServiceContext, keys: ArchiveKeys, *, ref: str, actor: str, reveal: bool = False
) -> ArchivedCase:
    """The archived case `ref` (archive or case number), decrypted from its volume
    alone, read-only; personal numbers masked unless `reveal` (both audited)."""
    with ctx.db.write() as conn:
        authorize(ctx, conn, actor, "archive.read")
        if reveal:
            authorize(ctx, conn, actor, "pii.reveal")
        row = _locate(conn, ref)
        if row.status == "purged" or row.volume_id is None:
            raise DomainError("error.archive.purged", archive_no=row.archive_no)
        key = volume_key(conn, keys, row.volume_id)
        path = store.archive_dir(ctx) / _volume_file(conn, row.volume_id)
        case = read_record(read_entry(path, key, int(row.entry_offset)))
        write_audit(
            ctx,
            conn,
            actor=actor,
            action="archive.open",
            case_id=row.case_id,
            detail={"archive_no": row.archive_no, "reveal": reveal},
        )
    return case if reveal else _masked(case)


def _volume_file(conn: Connection, volume_id: str) -> str:
    return str(
        conn.exec_driver_sql(
            "SELECT file FROM archive_volumes WHERE id = ?", (volume_id,)
        ).scalar_one()
    )


def reprint(ctx: ServiceContext, keys: ArchiveKeys, *, ref: str, kind: str, actor: str) -> bytes:
    """The archived copy of document `kind` (receipt, closure_letter, case_record),
    exactly as archived; the reprint is recorded on the audit trail."""
    with ctx.db.write() as conn:
        authorize(ctx, conn, actor, "archive.reprint")
        row = _locate(conn, ref)
        if row.status != "stored" or row.volume_id is None:
            raise DomainError("error.archive.purged", archive_no=row.archive_no)
        key = volume_key(conn, keys, row.volume_id)
        path = store.archive_dir(ctx) / _volume_file(conn, row.volume_id)
        case = read_record(read_entry(path, key, int(row.entry_offset)))
        pdf = case.document(kind)
        if pdf is None:
            raise DomainError("error.archive.no_document", archive_no=row.archive_no, kind=kind)
        name = conn.execute(select(staff.c.name).where(staff.c.staff_no == actor)).scalar()
        write_audit(
            ctx,
            conn,
            actor=actor,
            action="archive.reprint",
            case_id=row.case_id,
            detail={"archive_no": row.archive_no, "document": kind, "by": name},
        )
    return pdf


def verify(
    ctx: ServiceContext, keys: ArchiveKeys, *, actor: str, progress: store.Progress | None = None
) -> ArchiveReport:
    """Check every active volume (file checksum, every entry's authentication, order,
    trailer, and that the index agrees); the outcome is audited."""
    with ctx.db.read() as conn:
        authorize(ctx, conn, actor, "archive.verify")
    report = verify_volumes(ctx, keys, progress=progress)
    with ctx.db.write() as conn:
        write_audit(
            ctx,
            conn,
            actor=actor,
            action="archive.verify",
            case_id=None,
            detail={
                "volumes": report.volumes,
                "bytes": report.bytes,
                "problems": len(report.problems),
            },
        )
    return report


def case_id_of(ctx: ServiceContext, number: str) -> int:
    with ctx.db.read() as conn:
        return find_case_id(conn, number)
