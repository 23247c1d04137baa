"""Case use cases: intake, every action of the process engine, and reading one case.
Each call is one transaction: the event, the case projection, milestones, search
index, audit entry and outbox row are written together or not at all."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import Connection, select, text

from branchdesk.domain import process
from branchdesk.domain.actions import ACTION_PARAMS, ParamType
from branchdesk.domain.case_numbers import format_case_number, parse_case_number
from branchdesk.domain.errors import FieldError, NotFound, ValidationError
from branchdesk.domain.model import IntakeForm
from branchdesk.domain.process import CaseEvent, CaseSnapshot
from branchdesk.domain.sla import MilestoneStatus
from branchdesk.domain.validation import validate_intake
from branchdesk.persistence.schema import case_events, cases
from branchdesk.services.access import (
    Principal,
    allows,
    authorize,
    mask_case,
    masked_events,
    principal,
)
from branchdesk.services.context import ServiceContext
from branchdesk.services.intake_keys import check_key, fingerprint, remember, saved_case
from branchdesk.services.recording import load_events, milestones_of, record, write_audit
from branchdesk.services.staff import require_active_staff


@dataclass(frozen=True)
class EventView:
    seq: int
    kind: str
    at: Any
    actor: str
    payload: Mapping[str, Any]


@dataclass(frozen=True)
class CaseView:
    """A case as a screen or a report shows it: snapshot, deadlines, history and the
    actions legal right now."""

    id: int
    case: CaseSnapshot
    milestones: tuple[MilestoneStatus, ...]
    events: tuple[EventView, ...]
    #: What the process allows now *and* the viewer's roles permit: what a screen offers.
    allowed_actions: tuple[str, ...]
    #: Phone, ID and phone-like service numbers are masked for this viewer; the full
    #: values are one explicit, audited `reveal` away.
    masked: bool = False


def _next_sequence(conn: Connection, name: str) -> int:
    value = conn.execute(
        text(
            "INSERT INTO counters(name, value) VALUES (:name, 1) "
            "ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value"
        ),
        {"name": name},
    ).scalar_one()
    return int(value)


def format_archive_no(branch_code: str, year: int, seq: int) -> str:
    """An archive number (归档编号), e.g. GZ0012-A2026-000123."""
    return f"{branch_code}-A{year}-{seq:06d}"


def next_case_number(conn: Connection, branch_code: str, day: date) -> str:
    seq = _next_sequence(conn, f"case:{day:%Y%m%d}")
    return format_case_number(branch_code, day, seq)


@dataclass(frozen=True)
class SavedIntake:
    """What an intake save did: the case, and whether it had already been saved by an
    earlier save of the same form (a retry), in which case nothing new was recorded."""

    view: CaseView
    already_saved: bool = False


def intake(
    ctx: ServiceContext,
    *,
    form: IntakeForm,
    actor: str,
    key: str | None = None,
    incident: str | None = None,
) -> CaseView:
    """Record a new case (see `save_intake`)."""
    return save_intake(ctx, form=form, actor=actor, key=key, incident=incident).view


def save_intake(
    ctx: ServiceContext,
    *,
    form: IntakeForm,
    actor: str,
    key: str | None = None,
    incident: str | None = None,
) -> SavedIntake:
    """Record a new case, linked to `incident` in the same transaction if one is given.
    Raises ValidationError (every bad field) and writes nothing if the form is not valid.

    `key` is the form's own id (`services.intake_keys`): saved with the case, so that
    the same form saved again returns the case already saved (`already_saved`) with no
    second case, event or sync record, only an audit note that the retry happened;
    the same key with different content is refused."""
    now = ctx.now()
    digest = None
    if key is not None:
        check_key(key)
        digest = fingerprint(form, actor=actor, incident=incident)
    with ctx.db.write() as conn:
        authorize(ctx, conn, actor, "case.intake")
        if key is not None and digest is not None:
            existing = saved_case(conn, key, digest)
            if existing is not None:
                view = view_in(ctx, conn, existing, viewer=actor)
                # The retry is someone's action (and a sign that an answer was lost),
                # so the trail shows it; the case itself is not touched.
                write_audit(
                    ctx,
                    conn,
                    actor=actor,
                    action="case.intake_repeated",
                    case_id=existing,
                    detail={"number": view.case.number, "key": key},
                )
                return SavedIntake(view, already_saved=True)
        clean = validate_intake(form, ctx.catalogue, now=now)
        if clean.received_at is not None:
            clean = replace(clean, received_at=clean.received_at.astimezone(ctx.tz))
        number = next_case_number(conn, ctx.branch_code, now.date())
        event = process.intake_event(clean, number=number, actor=actor, entered_at=now)
        done = record(ctx, conn, case_id=None, before=None, history=[], event=event)
        if incident is not None:
            _link_new_case(ctx, conn, done.case_id, done.case, event, incident, actor=actor)
        if key is not None and digest is not None:
            remember(ctx, conn, key=key, case_id=done.case_id, digest=digest)
        return SavedIntake(view_in(ctx, conn, done.case_id, viewer=actor))


def _link_new_case(
    ctx: ServiceContext,
    conn: Connection,
    case_id: int,
    case: CaseSnapshot,
    received: CaseEvent,
    incident: str,
    *,
    actor: str,
) -> None:
    """The incident link the clerk chose at intake, as the case's second event: a save
    cannot leave the case saved but not linked."""
    authorize(ctx, conn, actor, "case.link_incident", case=case)
    link = process.decide(case, "link_incident", {"incident": incident}, actor=actor, at=ctx.now())
    record(ctx, conn, case_id=case_id, before=case, history=[received], event=link)


def find_case_id(conn: Connection, number: str) -> int:
    canonical = parse_case_number(number).text
    case_id = conn.execute(select(cases.c.id).where(cases.c.number == canonical)).scalar()
    if case_id is None:
        raise NotFound("error.case.not_found", number=canonical)
    return int(case_id)


def _check_references(
    ctx: ServiceContext,
    conn: Connection,
    action: str,
    params: Mapping[str, Any],
    case: CaseSnapshot,
    history: list[CaseEvent],
) -> None:
    """Parameters that name other records: staff, milestones, catalogue entries."""
    errors: list[FieldError] = []
    for spec in ACTION_PARAMS[action]:
        value = params.get(spec.name)
        if value is None:
            continue
        if spec.type is ParamType.STAFF:
            try:
                require_active_staff(conn, value, field=spec.name)
            except ValidationError as exc:
                errors.extend(exc.errors)
        elif spec.type is ParamType.CATEGORY:
            entry = ctx.catalogue.get(value)
            if entry is None or entry.parent is None or case.kind.value not in entry.kinds:
                errors.append(FieldError(spec.name, "error.category.unknown", {"code": value}))
        elif spec.type is ParamType.MILESTONE:
            status = {m.id: m for m in milestones_of(ctx, case, history)}
            m = status.get(value)
            if m is None:
                errors.append(FieldError(spec.name, "error.milestone.unknown", {"id": value}))
            elif m.met_at is not None:
                errors.append(FieldError(spec.name, "error.milestone.already_met", {"id": value}))
    if errors:
        raise ValidationError(errors)


def act(
    ctx: ServiceContext, *, number: str, action: str, params: Mapping[str, Any], actor: str
) -> CaseView:
    """Take `action` on case `number`. Raises IllegalTransition or ValidationError and
    writes nothing when the action is not allowed or its parameters are wrong."""
    with ctx.db.write() as conn:
        case_id = find_case_id(conn, number)
        history = load_events(conn, case_id)
        before = process.replay(history)
        if action not in ACTION_PARAMS:
            process.check_allowed(before, action)  # an unknown action: says so
        authorize(ctx, conn, actor, f"case.{action}", case=before)
        event = process.decide(before, action, params, actor=actor, at=ctx.now())
        _check_references(ctx, conn, action, event.payload, before, history)
        if action == "archive":
            year = ctx.now().year
            seq = _next_sequence(conn, f"archive:{year}")
            archive_no = format_archive_no(ctx.branch_code, year, seq)
            event = replace(event, payload={**event.payload, "archive_no": archive_no})
        record(ctx, conn, case_id=case_id, before=before, history=history, event=event)
        return view_in(ctx, conn, case_id, viewer=actor)


def get_case(ctx: ServiceContext, number: str, *, viewer: str) -> CaseView:
    """Case `number` as `viewer` may see it (personal data masked unless they need it)."""
    with ctx.db.read() as conn:
        case_id = find_case_id(conn, number)
        authorize(ctx, conn, viewer, "case.read")
        return view_in(ctx, conn, case_id, viewer=viewer)


#: The personal data `reveal` can show in full.
REVEALABLE = ("phone", "id_number", "service_number")


def reveal(ctx: ServiceContext, *, number: str, actor: str) -> dict[str, str | None]:
    """The customer's full phone, ID and service numbers: an explicit action, written
    to the audit trail (who, which case, which fields) before the values are returned."""
    with ctx.db.write() as conn:
        case_id = find_case_id(conn, number)
        case = process.replay(load_events(conn, case_id))
        authorize(ctx, conn, actor, "pii.reveal", case=case)
        values = {
            "phone": case.customer_phone,
            "id_number": case.customer_id_number,
            "service_number": case.service_number,
        }
        write_audit(
            ctx,
            conn,
            actor=actor,
            action="pii.reveal",
            case_id=case_id,
            detail={"number": case.number, "fields": [k for k, v in values.items() if v]},
        )
        return values


def view_in(ctx: ServiceContext, conn: Connection, case_id: int, *, viewer: str | None) -> CaseView:
    """The case as a screen shows it, read inside the caller's transaction. With a
    `viewer`, personal data is masked unless their role needs it and the actions are
    those they may take; `viewer=None` is the unmasked internal view (documents)."""
    rows = (
        conn.execute(
            select(case_events).where(case_events.c.case_id == case_id).order_by(case_events.c.seq)
        )
        .mappings()
        .all()
    )
    events = [CaseEvent(r["kind"], r["at"], r["actor"], r["payload"]) for r in rows]
    case = process.replay(events)
    # Recomputed rather than read back: the live view (an open pause keeps moving its
    # deadline). The stored rows the queues use come from the same function.
    milestones = tuple(milestones_of(ctx, case, events))
    actions = tuple(process.allowed_actions(case))
    masked = False
    if viewer is not None:
        who = principal(conn, viewer)
        actions = tuple(a for a in actions if allows(ctx, who, f"case.{a}", case))
        masked = not _sees_personal_data(ctx, who, case)
        if masked:
            case = mask_case(case)
            events = masked_events(events)
    return CaseView(
        id=case_id,
        case=case,
        milestones=milestones,
        events=tuple(
            EventView(r["seq"], e.kind, e.at, e.actor, e.payload)
            for r, e in zip(rows, events, strict=True)
        ),
        allowed_actions=actions,
        masked=masked,
    )


def _sees_personal_data(ctx: ServiceContext, who: Principal, case: CaseSnapshot) -> bool:
    return allows(ctx, who, "pii.view", case)
