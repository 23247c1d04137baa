"""The process engine: the state machines of the three case kinds, and the projection
of a case's append-only events onto its current snapshot.

`decide` checks that an action is legal now and turns it into an event; `apply` folds
an event into the snapshot. The stored case row is `apply` over every event, so the
same code both writes a case and rebuilds it from its history.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from branchdesk.domain.actions import ACTION_PARAMS, validate_params
from branchdesk.domain.errors import FieldError, IllegalTransition, ValidationError
from branchdesk.domain.model import (
    TERMINAL_STATES,
    CaseKind,
    CaseState,
    EscalationState,
    IntakeForm,
)

S = CaseState
_OPEN_COMPLAINT = frozenset(
    {
        S.RECEIVED,
        S.ACKNOWLEDGED,
        S.ASSIGNED,
        S.INVESTIGATING,
        S.RESPONSIBILITY_DETERMINED,
        S.PLANNED,
        S.RESOLVED,
        S.FEEDBACK_RECEIVED,
    }
)
_OPEN_SERVICE = frozenset(
    {S.RECEIVED, S.ACKNOWLEDGED, S.ASSIGNED, S.IN_PROGRESS, S.RESOLVED, S.FEEDBACK_RECEIVED}
)
_OPEN_CONSULTATION = frozenset({S.RECEIVED, S.RESOLVED, S.FEEDBACK_RECEIVED})
_BEFORE_RESULT = frozenset(
    {
        S.RECEIVED,
        S.ACKNOWLEDGED,
        S.ASSIGNED,
        S.INVESTIGATING,
        S.RESPONSIBILITY_DETERMINED,
        S.PLANNED,
        S.IN_PROGRESS,
    }
)


@dataclass(frozen=True)
class Transition:
    """An action is legal from `sources`; `moves` says where it takes the case from
    each source state (a source not in `moves` keeps its state)."""

    sources: frozenset[CaseState]
    moves: Mapping[CaseState, CaseState] = field(default_factory=dict)

    def target(self, state: CaseState) -> CaseState:
        return self.moves.get(state, state)


def _t(sources: Iterable[CaseState], target: CaseState | None = None) -> Transition:
    frozen = frozenset(sources)
    return Transition(frozen, {s: target for s in frozen} if target else {})


def _handover(sources: Iterable[CaseState]) -> Transition:
    """Assignment: the first one moves an acknowledged case to "assigned"; a later
    handover keeps the work done so far (investigation, responsibility, plan)."""
    return Transition(frozenset(sources), {S.ACKNOWLEDGED: S.ASSIGNED})


def _common(open_states: frozenset[CaseState]) -> dict[str, Transition]:
    """Actions every kind shares: notes, contact, pauses, extensions, cancelling."""
    return {
        # Closure feedback and return visits (§2.4, §3.5.2) reach the customer after closing.
        "reply_customer": _t(open_states | {S.CLOSED}),
        "add_note": _t(open_states | {S.CLOSED, S.CANCELLED}),
        "pause": _t(open_states),
        "resume": _t(open_states),
        "extend": _t(open_states),
        "reclassify": _t(open_states & _BEFORE_RESULT),
        "cancel": _t(open_states & _BEFORE_RESULT, S.CANCELLED),
        "archive": _t({S.CLOSED}, S.ARCHIVED),
        "order_supervision": _t(open_states),
        # Supervision (督办, §3.4): progress reports at the set interval, each involved
        # department's contribution to the joint handling, and the result fed back.
        "report_progress": _t(open_states),
        "record_contribution": _t(open_states),
        "conclude_supervision": _t(open_states),
        # Incidents (ch. 7): a case is linked to one incident while it is being worked
        # on, and may then be resolved with the incident's explanation.
        "link_incident": _t(open_states & _BEFORE_RESULT),
        "resolve_by_incident": _t(open_states & _BEFORE_RESULT, S.RESOLVED),
    }


TRANSITIONS: Mapping[CaseKind, Mapping[str, Transition]] = {
    CaseKind.COMPLAINT: {
        "acknowledge": _t({S.RECEIVED}, S.ACKNOWLEDGED),
        "assign": _handover(_OPEN_COMPLAINT - {S.RECEIVED}),
        "record_investigation": _t({S.ASSIGNED, S.INVESTIGATING}, S.INVESTIGATING),
        "determine_responsibility": _t({S.INVESTIGATING}, S.RESPONSIBILITY_DETERMINED),
        "plan": _t({S.RESPONSIBILITY_DETERMINED, S.PLANNED}, S.PLANNED),
        "resolve": _t({S.PLANNED}, S.RESOLVED),
        "record_feedback": _t({S.RESOLVED}, S.FEEDBACK_RECEIVED),
        "close": _t({S.FEEDBACK_RECEIVED}, S.CLOSED),
        "reopen": _t({S.FEEDBACK_RECEIVED, S.CLOSED}, S.INVESTIGATING),
        "request_escalation": _t(_OPEN_COMPLAINT & _BEFORE_RESULT),
        "approve_escalation": _t(_OPEN_COMPLAINT),
        "reject_escalation": _t(_OPEN_COMPLAINT),
        "change_grade": _t(_OPEN_COMPLAINT & _BEFORE_RESULT),
        **_common(_OPEN_COMPLAINT),
    },
    CaseKind.SERVICE_REQUEST: {
        "acknowledge": _t({S.RECEIVED}, S.ACKNOWLEDGED),
        "assign": _handover(_OPEN_SERVICE - {S.RECEIVED}),
        "start_work": _t({S.ASSIGNED}, S.IN_PROGRESS),
        "resolve": _t({S.IN_PROGRESS}, S.RESOLVED),
        "record_feedback": _t({S.RESOLVED}, S.FEEDBACK_RECEIVED),
        "close": _t({S.RESOLVED, S.FEEDBACK_RECEIVED}, S.CLOSED),
        "reopen": _t({S.FEEDBACK_RECEIVED, S.CLOSED}, S.IN_PROGRESS),
        # The appointment book: moved or missed while the work is still to be done.
        "reschedule_appointment": _t(_OPEN_SERVICE & _BEFORE_RESULT),
        "record_missed_appointment": _t(_OPEN_SERVICE & _BEFORE_RESULT),
        **_common(_OPEN_SERVICE),
    },
    CaseKind.CONSULTATION: {
        "assign": _handover(_OPEN_CONSULTATION),
        "answer": _t({S.RECEIVED}, S.RESOLVED),
        "record_feedback": _t({S.RESOLVED}, S.FEEDBACK_RECEIVED),
        "close": _t({S.RESOLVED, S.FEEDBACK_RECEIVED}, S.CLOSED),
        "reopen": _t({S.FEEDBACK_RECEIVED, S.CLOSED}, S.RECEIVED),
        **_common(_OPEN_CONSULTATION),
    },
}

#: While the SLA clock is paused (waiting for the customer) only these may happen.
ALLOWED_WHILE_PAUSED = frozenset(
    {
        "resume",
        "add_note",
        "cancel",
        "reply_customer",
        "extend",
        "assign",
        "request_escalation",
        "approve_escalation",
        "reject_escalation",
        "order_supervision",
        "report_progress",
        "record_contribution",
        "conclude_supervision",
        "link_incident",
    }
)

# The escalation sub-machine runs beside the main states (a supervised case still
# progresses); its legal moves are checked here.
_ESCALATION_FROM: Mapping[str, frozenset[EscalationState]] = {
    "request_escalation": frozenset(
        {EscalationState.NONE, EscalationState.REJECTED, EscalationState.CONCLUDED}
    ),
    "approve_escalation": frozenset({EscalationState.REQUESTED}),
    "reject_escalation": frozenset({EscalationState.REQUESTED}),
    "report_progress": frozenset({EscalationState.SUPERVISED}),
    "record_contribution": frozenset({EscalationState.SUPERVISED}),
    "conclude_supervision": frozenset({EscalationState.SUPERVISED}),
}


@dataclass(frozen=True)
class CaseEvent:
    """One entry of a case's append-only history."""

    kind: str  # "received" for the intake, else an action name
    at: datetime  # when it happened (aware); for "received": the real receipt time
    actor: str  # staff number
    payload: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CaseSnapshot:
    """The current state of a case: a pure fold of its events."""

    number: str
    kind: CaseKind
    channel: str
    category: str
    grade: str
    state: CaseState
    customer_name: str
    customer_phone: str
    customer_id_number: str | None
    service_number: str | None
    customer_address: str | None
    summary: str
    description: str
    remedy: str
    event_date: date | None
    event_place: str | None
    business: str | None
    received_at: datetime
    entered_at: datetime
    receiving_clerk: str
    owner: str
    escalation: EscalationState = EscalationState.NONE
    supervisor: str | None = None
    paused: bool = False
    responsibility: str | None = None
    satisfied: bool | None = None
    satisfaction_score: int | None = None
    reopen_count: int = 0
    investigations: int = 0
    archive_no: str | None = None
    incident: str | None = None  # the incident number the case is linked to
    appointment: Mapping[str, Any] | None = None
    updated_at: datetime | None = None
    version: int = 0  # number of events folded in

    @property
    def is_open(self) -> bool:
        return self.state not in TERMINAL_STATES


def intake_event(form: IntakeForm, *, number: str, actor: str, entered_at: datetime) -> CaseEvent:
    """The first event of a case, from a validated intake form."""
    received = form.received_at or entered_at
    c = form.customer
    payload: dict[str, Any] = {
        "number": number,
        "kind": str(form.kind),
        "channel": str(form.channel),
        "category": form.category,
        "grade": str(form.grade),
        "customer": {
            "name": c.name,
            "phone": c.phone,
            "id_number": c.id_number,
            "service_number": c.service_number,
            "address": c.address,
        },
        "summary": form.summary,
        "description": form.description,
        "remedy": form.remedy,
        "event_date": form.event_date.isoformat() if form.event_date else None,
        "event_place": form.event_place,
        "business": form.business,
        "entered_at": entered_at.isoformat(),
    }
    if received < entered_at:
        # Back-dated intake (a letter or phone complaint received earlier): the clock
        # starts at `received`, and the entry time stays on record beside it.
        payload["backdated"] = True
    if form.appointment is not None:
        a = form.appointment
        payload["appointment"] = {
            "service_type": a.service_type,
            "start": a.start.isoformat(),
            "end": a.end.isoformat(),
            "staff": a.staff,
            "content": a.content,
        }
    return CaseEvent("received", received, actor, payload)


def allowed_actions(case: CaseSnapshot) -> list[str]:
    """Every action legal on `case` right now, in declaration order."""
    return [a for a in TRANSITIONS[case.kind] if _refusal(case, a) is None]


def _refusal(case: CaseSnapshot, action: str) -> str | None:
    """Why `action` is not allowed now (a message key suffix), or None if it is."""
    transition = TRANSITIONS[case.kind].get(action)
    if transition is None:
        return "kind"
    if case.state not in transition.sources:
        return "state"
    if action == "pause" and case.paused:
        return "already_paused"
    if action == "resume" and not case.paused:
        return "not_paused"
    if case.paused and action not in ALLOWED_WHILE_PAUSED:
        return "paused"
    escalation_from = _ESCALATION_FROM.get(action)
    if escalation_from is not None and case.escalation not in escalation_from:
        return "escalation"
    if action == "determine_responsibility" and case.investigations == 0:
        return "no_investigation"
    if action == "link_incident" and case.incident is not None:
        return "already_linked"
    if action == "resolve_by_incident" and case.incident is None:
        return "no_incident"
    if action == "record_missed_appointment" and not _appointment_pending(case):
        return "no_appointment"
    return None


def _appointment_pending(case: CaseSnapshot) -> bool:
    """An appointment is on the book and not already recorded as missed."""
    return case.appointment is not None and case.appointment.get("status") != "missed"


def decide(
    case: CaseSnapshot, action: str, params: Mapping[str, Any], *, actor: str, at: datetime
) -> CaseEvent:
    """Check `action` against the state machine and its parameters; return the event
    to record. Raises IllegalTransition or ValidationError; nothing is written."""
    check_allowed(case, action)
    payload = validate_params(action, params)
    if action == "resolve_by_incident" and payload["incident"] != case.incident:
        # The explanation of one incident must not close a case linked to another.
        raise ValidationError(
            [FieldError("incident", "error.incident.not_linked", {"incident": payload["incident"]})]
        )
    if action == "reschedule_appointment":
        payload = _checked_slot(case, payload)
    if action == "record_missed_appointment":
        assert case.appointment is not None
        payload = {**payload, "start": case.appointment["start"], "end": case.appointment["end"]}
    return CaseEvent(action, at, actor, payload)


#: An appointment slot is at most this long (the intake form's rule too).
_SLOT_MAX_SECONDS = 8 * 3600


def _checked_slot(case: CaseSnapshot, payload: Mapping[str, Any]) -> dict[str, Any]:
    """The new slot's times, parsed and in order; the previous slot kept on record."""
    errors: list[FieldError] = []
    times: dict[str, datetime] = {}
    for name in ("start", "end"):
        try:
            value = datetime.fromisoformat(payload[name])
        except ValueError:
            errors.append(FieldError(name, "error.field.invalid"))
            continue
        if value.tzinfo is None:
            errors.append(FieldError(name, "error.appointment.no_offset"))
            continue
        times[name] = value
    if not errors:
        seconds = (times["end"] - times["start"]).total_seconds()
        if seconds <= 0:
            errors.append(FieldError("end", "error.appointment.end_before_start"))
        elif seconds > _SLOT_MAX_SECONDS:
            errors.append(FieldError("end", "error.appointment.too_long", {"hours": 8}))
    if errors:
        raise ValidationError(errors)
    previous = case.appointment or {}
    return {
        **payload,
        "start": times["start"].isoformat(),
        "end": times["end"].isoformat(),
        "staff": payload.get("staff", previous.get("staff")),
        "previous": {"start": previous.get("start"), "end": previous.get("end")}
        if previous
        else None,
    }


def check_allowed(case: CaseSnapshot, action: str) -> None:
    """Raise IllegalTransition unless the state machine allows `action` on `case` now."""
    if action not in ACTION_PARAMS:
        raise IllegalTransition(action, case.state.value, "unknown")
    refusal = _refusal(case, action)
    if refusal is not None:
        raise IllegalTransition(action, case.state.value, refusal)


def apply(case: CaseSnapshot | None, event: CaseEvent) -> CaseSnapshot:
    """Fold one event into the snapshot (None before the intake event)."""
    if event.kind == "received":
        return _from_intake(event)
    if case is None:
        raise ValueError("the first event of a case must be its intake")
    transition = TRANSITIONS[case.kind].get(event.kind)
    changes: dict[str, Any] = {"version": case.version + 1, "updated_at": event.at}
    if transition is not None:
        changes["state"] = transition.target(case.state)
    p = event.payload
    match event.kind:
        case "assign":
            changes["owner"] = p["to"]
        case "record_investigation":
            changes["investigations"] = case.investigations + 1
        case "determine_responsibility":
            changes["responsibility"] = p["party"]
        case "record_feedback":
            changes["satisfied"] = p["satisfied"]
            changes["satisfaction_score"] = p["score"]
        case "reopen":
            changes["reopen_count"] = case.reopen_count + 1
            changes["satisfied"] = None
            changes["satisfaction_score"] = None
        case "archive":
            changes["archive_no"] = p.get("archive_no")
        case "request_escalation":
            changes["escalation"] = EscalationState.REQUESTED
        case "approve_escalation":
            changes["escalation"] = EscalationState.SUPERVISED
            changes["supervisor"] = p["supervisor"]
        case "reject_escalation":
            changes["escalation"] = EscalationState.REJECTED
        case "order_supervision":
            changes["escalation"] = EscalationState.SUPERVISED
            changes["supervisor"] = p["supervisor"]
        case "conclude_supervision":
            changes["escalation"] = EscalationState.CONCLUDED
        case "link_incident":
            changes["incident"] = p["incident"]
        case "pause":
            changes["paused"] = True
        case "resume":
            changes["paused"] = False
        case "change_grade":
            changes["grade"] = p["grade"]
        case "reclassify":
            changes["category"] = p["category"]
        case "cancel":
            changes["paused"] = False
        case "reschedule_appointment":
            previous = dict(case.appointment or {})
            previous.pop("status", None)
            changes["appointment"] = {
                "service_type": previous.get("service_type"),
                "content": previous.get("content"),
                **previous,
                "start": p["start"],
                "end": p["end"],
                "staff": p.get("staff"),
            }
        case "record_missed_appointment":
            changes["appointment"] = {**(case.appointment or {}), "status": "missed"}
    # dataclasses.replace re-runs __init__ for every field; a case folds in many
    # events (demo data: millions), so copy the instance dict instead. Same result.
    updated = object.__new__(CaseSnapshot)
    updated.__dict__.update(case.__dict__)
    updated.__dict__.update(changes)
    return updated


def replay(events: Iterable[CaseEvent]) -> CaseSnapshot:
    """Rebuild a case from its whole history."""
    case: CaseSnapshot | None = None
    for event in events:
        case = apply(case, event)
    if case is None:
        raise ValueError("a case has at least its intake event")
    return case


def _from_intake(event: CaseEvent) -> CaseSnapshot:
    p = event.payload
    c = p["customer"]
    return CaseSnapshot(
        number=p["number"],
        kind=CaseKind(p["kind"]),
        channel=p["channel"],
        category=p["category"],
        grade=p["grade"],
        state=CaseState.RECEIVED,
        customer_name=c["name"],
        customer_phone=c["phone"],
        customer_id_number=c.get("id_number"),
        service_number=c.get("service_number"),
        customer_address=c.get("address"),
        summary=p["summary"],
        description=p.get("description", ""),
        remedy=p.get("remedy", ""),
        event_date=date.fromisoformat(p["event_date"]) if p.get("event_date") else None,
        event_place=p.get("event_place"),
        business=p.get("business"),
        received_at=event.at,
        entered_at=datetime.fromisoformat(p["entered_at"]),
        receiving_clerk=event.actor,
        # First-responder responsibility (首问负责制): whoever receives the customer owns
        # the case until an explicit, recorded assignment hands it over.
        owner=event.actor,
        appointment=p.get("appointment"),
        updated_at=datetime.fromisoformat(p["entered_at"]),
        version=1,
    )
