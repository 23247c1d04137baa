"""The audit trail: reading, browsing and verifying the hash-chained log that every
service writes through `recording.write_audit`, and anchoring its head when
headquarters confirms having received it."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TextIO

from sqlalchemy import Connection, Select, func, insert, or_, select

from branchdesk.persistence.schema import audit_anchors, audit_log, cases, staff
from branchdesk.services.access import authorize
from branchdesk.services.context import ServiceContext
from branchdesk.services.recording import GENESIS_HASH, audit_hash, write_audit


@dataclass(frozen=True)
class ChainHead:
    """The newest audit entry: what the branch sends to HQ with every batch."""

    audit_id: int
    hash: str


def audit_head(conn: Connection) -> ChainHead | None:
    row = conn.execute(
        select(audit_log.c.id, audit_log.c.hash).order_by(audit_log.c.id.desc()).limit(1)
    ).first()
    return ChainHead(int(row.id), str(row.hash)) if row else None


def record_anchor(
    ctx: ServiceContext, conn: Connection, head: ChainHead, *, source: str = "hq"
) -> None:
    """Remember that `source` confirmed `head`: from now on `verify` checks the local
    chain still contains exactly this entry. Idempotent."""
    exists = conn.execute(
        select(audit_anchors.c.audit_id).where(audit_anchors.c.audit_id == head.audit_id)
    ).first()
    if exists is None:
        at: datetime = ctx.now()
        conn.execute(
            insert(audit_anchors).values(
                audit_id=head.audit_id, hash=head.hash, anchored_at=at, source=source
            )
        )


# --- verifying the chain ---------------------------------------------------------


class BreakKind(StrEnum):
    EDITED = "edited"  # the entry's content no longer matches its own hash
    LINK = "link"  # it does not follow the entry before it (removed, inserted, reordered)
    GAP = "gap"  # entry numbers jump: entries were removed
    ANCHOR = "anchor"  # an entry headquarters confirmed is gone or different
    UNPROTECTED = "unprotected"  # the database's append-only guard was removed


@dataclass(frozen=True)
class ChainBreak:
    kind: BreakKind
    audit_id: int
    #: The entry before it in the file (LINK, GAP), if any.
    previous_id: int | None = None
    at: datetime | None = None
    action: str | None = None
    actor: str | None = None


@dataclass(frozen=True)
class VerifyReport:
    checked: int
    anchors_checked: int
    head: ChainHead | None
    breaks: tuple[ChainBreak, ...]

    @property
    def ok(self) -> bool:
        return not self.breaks

    @property
    def first_break(self) -> ChainBreak | None:
        return self.breaks[0] if self.breaks else None


_TRIGGERS = ("audit_log_no_update", "audit_log_no_delete")
Progress = Callable[[int, int], bool]


def verify_chain(
    ctx: ServiceContext,
    *,
    actor: str,
    progress: Progress | None = None,
    max_breaks: int = 20,
) -> VerifyReport:
    """Recompute the whole chain from the first entry: every entry's hash from its
    content and the previous entry's hash, entry numbers without gaps, every
    HQ-confirmed anchor still in place, and the append-only triggers present.
    Reports the breaks in file order (the first is where tampering starts). Writes an
    audit entry with the outcome."""
    with ctx.db.read() as conn:
        authorize(ctx, conn, actor, "audit.verify")
        total = int(conn.exec_driver_sql("SELECT count(*) FROM audit_log").scalar_one())
        breaks: list[ChainBreak] = []
        present = {
            str(name)
            for name in conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'"
            ).scalars()
        }
        if not set(_TRIGGERS) <= present:
            breaks.append(ChainBreak(BreakKind.UNPROTECTED, 0))
        checked, head = _walk(conn, breaks, total, progress, max_breaks)
        anchors = conn.execute(select(audit_anchors.c.audit_id, audit_anchors.c.hash)).all()
        hashes = {
            int(r.id): str(r.hash)
            for r in conn.execute(
                select(audit_log.c.id, audit_log.c.hash).where(
                    audit_log.c.id.in_([a.audit_id for a in anchors])
                )
            )
        }
        for anchor in anchors:
            if hashes.get(anchor.audit_id) != anchor.hash:
                breaks.append(ChainBreak(BreakKind.ANCHOR, int(anchor.audit_id)))
    report = VerifyReport(checked, len(anchors), head, tuple(breaks))
    with ctx.db.write() as conn:
        write_audit(
            ctx,
            conn,
            actor=actor,
            action="audit.verify",
            case_id=None,
            detail={
                "checked": checked,
                "ok": report.ok,
                "first_break": (
                    {"kind": str(report.breaks[0].kind), "id": report.breaks[0].audit_id}
                    if report.breaks
                    else None
                ),
            },
        )
    return report


def _walk(
    conn: Connection,
    breaks: list[ChainBreak],
    total: int,
    progress: Progress | None,
    max_breaks: int,
) -> tuple[int, ChainHead | None]:
    """Stream the chain in id order (raw rows: a million entries take seconds, and the
    canonical form must be rebuilt from exactly what is stored)."""
    expected_prev = GENESIS_HASH
    previous_id: int | None = None
    checked = 0
    head: ChainHead | None = None
    rows = conn.exec_driver_sql(
        "SELECT id, at, actor, workstation, action, case_id, detail, prev_hash, hash "
        "FROM audit_log ORDER BY id"
    )
    for row in rows:
        audit_id, at, who, workstation, action, case_id, detail, prev_hash, stored = row
        entry = {
            "at": at,
            "actor": who,
            "workstation": workstation,
            "action": action,
            "case_id": case_id,
            "detail": json.loads(detail) if isinstance(detail, str | bytes) else detail,
        }

        kinds: list[BreakKind] = []
        if previous_id is not None and audit_id != previous_id + 1:
            kinds.append(BreakKind.GAP)
        elif prev_hash != expected_prev:
            kinds.append(BreakKind.LINK)
        if audit_hash(str(prev_hash), entry) != stored:
            kinds.append(BreakKind.EDITED)
        when = datetime.fromtimestamp(int(at), UTC) if isinstance(at, int) else None
        breaks.extend(
            ChainBreak(kind, int(audit_id), previous_id, when, str(action), str(who))
            for kind in kinds
        )
        expected_prev = str(stored)
        previous_id = int(audit_id)
        head = ChainHead(int(audit_id), str(stored))
        checked += 1
        if len(breaks) >= max_breaks:
            break
        if progress is not None and checked % 20_000 == 0 and not progress(checked, total):
            break
    return checked, head


# --- browsing and export ---------------------------------------------------------


@dataclass(frozen=True)
class AuditFilter:
    since: datetime | None = None
    until: datetime | None = None  # exclusive
    actor: str | None = None
    #: An action or a family of them: "case" matches every "case.*" entry.
    action: str | None = None
    case_number: str | None = None


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    actor_name: str
    workstation: str
    action: str
    case_number: str | None
    detail: dict[str, Any]
    hash: str


def _filtered(query: Select[Any], f: AuditFilter) -> Select[Any]:
    if f.since is not None:
        query = query.where(audit_log.c.at >= f.since)
    if f.until is not None:
        query = query.where(audit_log.c.at < f.until)
    if f.actor:
        query = query.where(audit_log.c.actor == f.actor.strip())
    if f.action:
        family = f.action.strip().rstrip(".")
        query = query.where(
            or_(audit_log.c.action == family, audit_log.c.action.startswith(family + "."))
        )
    if f.case_number:
        query = query.where(
            audit_log.c.case_id.in_(
                select(cases.c.id).where(cases.c.number == f.case_number.strip().upper())
            )
        )
    return query


def browse(
    ctx: ServiceContext, *, actor: str, filter: AuditFilter, offset: int = 0, limit: int = 200
) -> list[AuditEntry]:
    """A page of entries matching `filter`, newest first."""
    with ctx.db.read() as conn:
        authorize(ctx, conn, actor, "audit.read")
        return _entries(conn, filter, offset=offset, limit=max(1, min(limit, 1000)))


def count(ctx: ServiceContext, *, actor: str, filter: AuditFilter) -> int:
    with ctx.db.read() as conn:
        authorize(ctx, conn, actor, "audit.read")
        q = _filtered(select(func.count()).select_from(audit_log), filter)
        return int(conn.execute(q).scalar_one())


def _entries(
    conn: Connection, f: AuditFilter, *, offset: int, limit: int | None
) -> list[AuditEntry]:
    q = _filtered(
        select(
            audit_log,
            cases.c.number.label("case_number"),
            staff.c.name.label("actor_name"),
        )
        .outerjoin(cases, cases.c.id == audit_log.c.case_id)
        .outerjoin(staff, staff.c.staff_no == audit_log.c.actor),
        f,
    ).order_by(audit_log.c.id.desc())
    if limit is not None:
        q = q.limit(limit).offset(max(0, offset))
    return [
        AuditEntry(
            id=r.id,
            at=r.at,
            actor=r.actor,
            actor_name=r.actor_name or "",
            workstation=r.workstation,
            action=r.action,
            case_number=r.case_number,
            detail=dict(r.detail),
            hash=r.hash,
        )
        for r in conn.execute(q)
    ]


EXPORT_COLUMNS = (
    "id",
    "time",
    "staff_no",
    "name",
    "workstation",
    "action",
    "case",
    "detail",
    "hash",
)


def export_csv(ctx: ServiceContext, *, actor: str, filter: AuditFilter, out: TextIO) -> int:
    """Write the matching entries (oldest first) as CSV to `out` (UTF-8 with a BOM is
    the caller's choice of file); the export itself is audited with its filter and
    row count. Returns the number of rows."""
    with ctx.db.write() as conn:
        authorize(ctx, conn, actor, "audit.export")
        rows = _entries(conn, filter, offset=0, limit=None)
        writer = csv.writer(out)
        writer.writerow(EXPORT_COLUMNS)
        for e in reversed(rows):
            writer.writerow(
                (
                    e.id,
                    e.at.astimezone(ctx.tz).isoformat(timespec="seconds"),
                    e.actor,
                    e.actor_name,
                    e.workstation,
                    e.action,
                    e.case_number or "",
                    json.dumps(e.detail, ensure_ascii=False, sort_keys=True),
                    e.hash,
                )
            )
        write_audit(
            ctx,
            conn,
            actor=actor,
            action="audit.export",
            case_id=None,
            detail={
                "rows": len(rows),
                "filter": {k: str(v) for k, v in vars(filter).items() if v is not None},
            },
        )
        return len(rows)
