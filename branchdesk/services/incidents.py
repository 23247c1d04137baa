"""Incidents (突发事件, ch. 7) at the branch: recording one (notification deadline
tracked), suggesting it at intake for a complaint of the same service and area,
linking cases (the `link_incident` case action), progress updates pushed as notes onto
the linked cases, the resolution (root cause, compensation rule) and the bulk
resolution of the linked cases with the incident's explanation.

The bulk resolution of the linked cases is in `incident_bulk`, their closure letters
in `incident_letters`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from branchdesk.domain import process
from branchdesk.domain.errors import DomainError, FieldError, NotFound, ValidationError
from branchdesk.domain.incidents import (
    IncidentDraft,
    IncidentStatus,
    Resolution,
    area_matches,
    check_incident,
    check_resolution,
    format_incident_number,
    notification_due,
    service_matches,
)
from branchdesk.domain.process import CaseEvent
from branchdesk.persistence.schema import cases, incident_cases, incident_updates, incidents
from branchdesk.services import cases as case_service
from branchdesk.services.access import authorize
from branchdesk.services.context import ServiceContext
from branchdesk.services.recording import load_events, record, write_audit
from branchdesk.services.supervision import policy_of

#: (done, total) -> keep going? Called after each step of a long run.
Progress = Callable[[int, int], bool]


@dataclass(frozen=True)
class Incident:
    id: int
    number: str
    type: str
    level: int
    title: str
    status: str
    started_at: datetime
    district: str
    street: str
    cell: str
    services: tuple[str, ...]
    scope: str
    cause: str
    measures: str
    expected_recovery_at: datetime | None
    notify_due_at: datetime
    notified_at: datetime | None
    created_by: str
    root_cause: str | None
    explanation: str | None
    compensation_rule: str | None
    compensation_fen: int | None
    lessons: str | None
    resolved_at: datetime | None
    linked: int = 0

    def notification_overdue(self, now: datetime) -> bool:
        return self.notified_at is None and self.notify_due_at < now

    @property
    def notified_late(self) -> bool:
        return self.notified_at is not None and self.notified_at > self.notify_due_at


@dataclass(frozen=True)
class Update:
    at: datetime
    actor: str
    kind: str
    text: str
    pushed: int


@dataclass(frozen=True)
class LinkedCase:
    number: str
    state: str
    summary: str
    customer_name: str
    linked_at: datetime
    outcome: str | None
    outcome_reason: str | None


@dataclass(frozen=True)
class IncidentDetail:
    incident: Incident
    updates: tuple[Update, ...]
    cases: tuple[LinkedCase, ...]

    def count_by_state(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for c in self.cases:
            counts[c.state] = counts.get(c.state, 0) + 1
        return counts


def _incident(row: Any, linked: int = 0) -> Incident:
    return Incident(
        id=row.id,
        number=row.number,
        type=row.type,
        level=row.level,
        title=row.title,
        status=row.status,
        started_at=row.started_at,
        district=row.district,
        street=row.street,
        cell=row.cell,
        services=tuple(row.services),
        scope=row.scope,
        cause=row.cause,
        measures=row.measures,
        expected_recovery_at=row.expected_recovery_at,
        notify_due_at=row.notify_due_at,
        notified_at=row.notified_at,
        created_by=row.created_by,
        root_cause=row.root_cause,
        explanation=row.explanation,
        compensation_rule=row.compensation_rule,
        compensation_fen=row.compensation_fen,
        lessons=row.lessons,
        resolved_at=row.resolved_at,
        linked=linked,
    )


def incident_row(conn: Connection, number: str) -> Any:
    row = conn.execute(select(incidents).where(incidents.c.number == number.strip())).first()
    if row is None:
        raise NotFound("error.incident.not_found", number=number)
    return row


def note(
    conn: Connection,
    ctx: ServiceContext,
    incident_id: int,
    actor: str,
    kind: str,
    text: str,
    pushed: int = 0,
) -> None:
    conn.execute(
        insert(incident_updates).values(
            incident_id=incident_id, at=ctx.now(), actor=actor, kind=kind, text=text, pushed=pushed
        )
    )


def create_incident(ctx: ServiceContext, draft: IncidentDraft, *, actor: str) -> Incident:
    now = ctx.now()
    clean = check_incident(draft, now=now)
    rules = policy_of(ctx).incidents
    with ctx.db.write() as conn:
        authorize(ctx, conn, actor, "incident.manage")
        seq = case_service._next_sequence(conn, f"incident:{now.year}")
        number = format_incident_number(ctx.branch_code, now.year, seq)
        incident_id = conn.execute(
            insert(incidents).values(
                number=number,
                type=clean.type,
                level=clean.level,
                title=clean.title,
                status=IncidentStatus.ACTIVE.value,
                started_at=clean.started_at,
                district=clean.district,
                street=clean.street,
                cell=clean.cell,
                services=list(clean.services),
                scope=clean.scope,
                cause=clean.cause,
                measures=clean.measures,
                expected_recovery_at=clean.expected_recovery_at,
                notify_due_at=notification_due(clean.started_at, clean.level, rules),
                created_at=now,
                created_by=actor,
            )
        ).inserted_primary_key[0]  # type: ignore[index]
        note(conn, ctx, int(incident_id), actor, "created", clean.scope)
        write_audit(
            ctx,
            conn,
            actor=actor,
            action="incident.create",
            case_id=None,
            detail={"incident": number, "level": clean.level, "type": clean.type},
        )
        return _incident(incident_row(conn, number))


def list_incidents(ctx: ServiceContext, *, actor: str, active_only: bool = False) -> list[Incident]:
    with ctx.db.read() as conn:
        authorize(ctx, conn, actor, "incident.read")
        counts = (
            select(incident_cases.c.incident_id, func.count().label("n"))
            .group_by(incident_cases.c.incident_id)
            .subquery()
        )
        query = select(incidents, func.coalesce(counts.c.n, 0).label("linked")).outerjoin(
            counts, counts.c.incident_id == incidents.c.id
        )
        if active_only:
            query = query.where(incidents.c.status == "active")
        rows = conn.execute(query.order_by(incidents.c.started_at.desc())).all()
    return [_incident(r, r.linked) for r in rows]


def get_incident(ctx: ServiceContext, number: str, *, actor: str) -> IncidentDetail:
    with ctx.db.read() as conn:
        authorize(ctx, conn, actor, "incident.read")
        return detail_in(conn, number)


def detail_in(conn: Connection, number: str) -> IncidentDetail:
    row = incident_row(conn, number)
    updates = tuple(
        Update(u.at, u.actor, u.kind, u.text, u.pushed)
        for u in conn.execute(
            select(incident_updates)
            .where(incident_updates.c.incident_id == row.id)
            .order_by(incident_updates.c.id)
        )
    )
    linked = tuple(
        LinkedCase(
            r.number, r.state, r.summary, r.customer_name, r.linked_at, r.outcome, r.outcome_reason
        )
        for r in conn.execute(
            select(
                cases.c.number,
                cases.c.state,
                cases.c.summary,
                cases.c.customer_name,
                incident_cases.c.linked_at,
                incident_cases.c.outcome,
                incident_cases.c.outcome_reason,
            )
            .join(cases, cases.c.id == incident_cases.c.case_id)
            .where(incident_cases.c.incident_id == row.id)
            .order_by(incident_cases.c.case_id)
        )
    )
    return IncidentDetail(_incident(row, len(linked)), updates, linked)


def suggest_incidents(
    ctx: ServiceContext,
    *,
    category: str,
    business: str | None = None,
    places: Sequence[str] = (),
) -> list[Incident]:
    """Active incidents a new complaint should be linked to: same service (category or
    business) and same area (event place or customer address). For the intake form,
    while it is being filled in: no permission beyond taking intake is needed."""
    with ctx.db.read() as conn:
        rows = conn.execute(select(incidents).where(incidents.c.status == "active")).all()
    return [
        _incident(r)
        for r in rows
        if service_matches(r.services, category, business)
        and area_matches(r.district, r.street, r.cell, places)
    ]


def link_case(
    ctx: ServiceContext, *, incident: str, number: str, actor: str
) -> case_service.CaseView:
    """Link case `number` to `incident` (one action; recorded as the case's event)."""
    return case_service.act(
        ctx, number=number, action="link_incident", params={"incident": incident}, actor=actor
    )


def attach_on_link(
    ctx: ServiceContext, conn: Connection, *, case_id: int, event: CaseEvent
) -> None:
    """While a `link_incident` event is recorded: the incident must exist and be
    active; the case joins its list."""
    number = str(event.payload["incident"])
    row = conn.execute(
        select(incidents.c.id, incidents.c.status).where(incidents.c.number == number)
    ).first()
    if row is None:
        raise ValidationError(
            [FieldError("incident", "error.incident.not_found", {"number": number})]
        )
    if row.status != "active":
        raise ValidationError(
            [FieldError("incident", "error.incident.not_active", {"number": number})]
        )
    conn.execute(
        insert(incident_cases).values(
            incident_id=row.id, case_id=case_id, linked_at=event.at, linked_by=event.actor
        )
    )


def linked_ids(conn: Connection, incident_id: int, *, pending_only: bool = False) -> list[int]:
    query = select(incident_cases.c.case_id).where(incident_cases.c.incident_id == incident_id)
    if pending_only:
        query = query.where(incident_cases.c.outcome.is_(None))
    return [int(r[0]) for r in conn.execute(query.order_by(incident_cases.c.case_id))]


def record_progress(
    ctx: ServiceContext, number: str, *, text: str, actor: str, push: bool = True
) -> int:
    """A progress update on the incident; with `push`, also a note on every linked case
    that can still take one (all in one transaction). Returns the cases noted."""
    clean = text.strip()
    if len(clean) < 2:
        raise ValidationError([FieldError("text", "error.field.required")])
    with ctx.db.write() as conn:
        authorize(ctx, conn, actor, "incident.manage")
        row = incident_row(conn, number)
        pushed = 0
        if push:
            line = f"[{row.number}] {clean}"
            for case_id in linked_ids(conn, row.id):
                history = load_events(conn, case_id)
                case = process.replay(history)
                if "add_note" not in process.allowed_actions(case):
                    continue
                event = process.decide(case, "add_note", {"text": line}, actor=actor, at=ctx.now())
                record(ctx, conn, case_id=case_id, before=case, history=history, event=event)
                pushed += 1
        note(conn, ctx, row.id, actor, "progress", clean, pushed)
        return pushed


def mark_notified(ctx: ServiceContext, number: str, *, actor: str, text: str = "") -> Incident:
    """Customers were told (SMS, notice at the counter …): the deadline is met or late."""
    with ctx.db.write() as conn:
        authorize(ctx, conn, actor, "incident.manage")
        row = incident_row(conn, number)
        if row.notified_at is not None:
            raise DomainError("error.incident.already_notified", number=row.number)
        now = ctx.now()
        conn.execute(update(incidents).where(incidents.c.id == row.id).values(notified_at=now))
        note(conn, ctx, row.id, actor, "notified", text.strip() or "-")
        return _incident(incident_row(conn, number))


def resolve_incident(
    ctx: ServiceContext, number: str, resolution: Resolution, *, actor: str
) -> Incident:
    """Record the recovery: root cause, the explanation customers get, compensation."""
    clean = check_resolution(resolution)
    with ctx.db.write() as conn:
        authorize(ctx, conn, actor, "incident.manage")
        row = incident_row(conn, number)
        if row.status != "active":
            raise DomainError("error.incident.not_active", number=row.number)
        conn.execute(
            update(incidents)
            .where(incidents.c.id == row.id)
            .values(
                status=IncidentStatus.RESOLVED.value,
                root_cause=clean.root_cause,
                explanation=clean.explanation,
                compensation_rule=clean.compensation_rule,
                compensation_fen=clean.compensation_fen,
                lessons=clean.lessons,
                resolved_at=clean.resolved_at or ctx.now(),
                resolved_by=actor,
            )
        )
        note(conn, ctx, row.id, actor, "resolved", clean.root_cause)
        write_audit(
            ctx,
            conn,
            actor=actor,
            action="incident.resolve",
            case_id=None,
            detail={"incident": row.number},
        )
        return _incident(incident_row(conn, number))
