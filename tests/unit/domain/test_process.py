"""The process engine, transition by transition: every (case kind, state, action) is
checked against a table written out by hand from PROCESS.md and the service manual,
never read from `process.TRANSITIONS`.

Where the table and the engine once disagreed, the engine was changed to follow the
manual: a handover keeps the work done so far, a case can be handed over until it is
closed, and the customer can be contacted after closure (closure feedback, return visits).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from branchdesk.domain.actions import ACTION_PARAMS
from branchdesk.domain.errors import IllegalTransition, ValidationError
from branchdesk.domain.model import (
    Appointment,
    CaseKind,
    CaseState,
    Channel,
    Customer,
    EscalationState,
    Grade,
    IntakeForm,
)
from branchdesk.domain.process import (
    CaseEvent,
    CaseSnapshot,
    allowed_actions,
    apply,
    decide,
    intake_event,
    replay,
)

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 30, 9, 0, tzinfo=SH)  # a Monday morning at the counter
CLERK, HANDLER, HANDLER_2, MANAGER = "C101", "H201", "H202", "M301"
INCIDENT = "GZ0012-I2026-0001"  # the first incident a branch records in 2026
#: Actions of a supervised case (the escalation sub-machine in "supervised").
SUPERVISING = ("report_progress", "record_contribution", "conclude_supervision")

COMPLAINT, SERVICE, CONSULTATION = (
    CaseKind.COMPLAINT,
    CaseKind.SERVICE_REQUEST,
    CaseKind.CONSULTATION,
)
R = CaseState.RECEIVED
ACK = CaseState.ACKNOWLEDGED
ASG = CaseState.ASSIGNED
IP = CaseState.IN_PROGRESS
INV = CaseState.INVESTIGATING
RD = CaseState.RESPONSIBILITY_DETERMINED
PL = CaseState.PLANNED
RES = CaseState.RESOLVED
FB = CaseState.FEEDBACK_RECEIVED
CL = CaseState.CLOSED
AR = CaseState.ARCHIVED
CA = CaseState.CANCELLED

ALL_STATES = tuple(CaseState)

# --- the expected state machines, written out by hand --------------------------------
#
# Each kind maps action -> {source state: target state}. An action missing from a
# kind is refused with reason "kind"; a state missing under an action with "state".

#: Complaint states in which work is still going on (before a result is recorded).
COMPLAINT_WORKING = (R, ACK, ASG, INV, RD, PL)
#: Complaint states that are neither closed, archived nor cancelled.
COMPLAINT_OPEN = (*COMPLAINT_WORKING, RES, FB)
SERVICE_WORKING = (R, ACK, ASG, IP)
SERVICE_OPEN = (*SERVICE_WORKING, RES, FB)
CONSULTATION_WORKING = (R,)
CONSULTATION_OPEN = (R, RES, FB)


def stay(*states: CaseState) -> dict[CaseState, CaseState]:
    """An action that records something without moving the case."""
    return {s: s for s in states}


def to(target: CaseState, *states: CaseState) -> dict[CaseState, CaseState]:
    return {s: target for s in states}


EXPECTED: dict[CaseKind, dict[str, dict[CaseState, CaseState]]] = {
    COMPLAINT: {
        # §4.2.1: the clerk confirms the complaint content (10 minutes, 24 h at the latest).
        "acknowledge": {R: ACK},
        # 首问负责制: the owner changes only by an explicit assignment. A handover passes
        # the work on where it stands; it must not throw investigation, responsibility
        # or plan away, and it must stay possible while the customer's feedback is due.
        "assign": {ACK: ASG, ASG: ASG, **stay(INV, RD, PL, RES, FB)},
        # §3.2: initial verification, then in-depth investigation (repeatable).
        "record_investigation": {ASG: INV, INV: INV},
        "determine_responsibility": {INV: RD},
        # §3.3.2: confirm the problem -> plan (may be revised) -> execute.
        "plan": {RD: PL, PL: PL},
        "resolve": {PL: RES},
        # §3.3.2 step 5: satisfaction evaluation after the result is fed back.
        "record_feedback": {RES: FB},
        # A complaint is closed only after the customer's satisfaction is recorded.
        "close": {FB: CL},
        # §4.2.1: an unsatisfied customer may ask for further handling, also after
        # closure (a repeat complaint); the case is investigated again.
        "reopen": to(INV, FB, CL),
        "archive": {CL: AR},
        # The customer may withdraw while the complaint is being worked on.
        "cancel": to(CA, *COMPLAINT_WORKING),
        # §3.4: escalation is asked for while handling; the higher level may decide a
        # pending request at any time the case is open.
        "request_escalation": stay(*COMPLAINT_WORKING),
        "approve_escalation": stay(*COMPLAINT_OPEN),
        "reject_escalation": stay(*COMPLAINT_OPEN),
        # §4.2.2: the grade is part of classification, settled before the result.
        "change_grade": stay(*COMPLAINT_WORKING),
        "reclassify": stay(*COMPLAINT_WORKING),
        # §3.5.2: closure confirmed -> closure feedback to the customer -> archive, so a
        # contact with the customer is still recorded after closing.
        "reply_customer": stay(*COMPLAINT_OPEN, CL),
        "add_note": stay(*COMPLAINT_OPEN, CL, CA),
        "pause": stay(*COMPLAINT_OPEN),
        "resume": stay(*COMPLAINT_OPEN),
        "extend": stay(*COMPLAINT_OPEN),
        # A supervision order from headquarters may come at any time the case is open.
        "order_supervision": stay(*COMPLAINT_OPEN),
        # §3.4: while supervised, progress is reported, departments' contributions are
        # recorded and the result is fed back, for as long as the case is open.
        "report_progress": stay(*COMPLAINT_OPEN),
        "record_contribution": stay(*COMPLAINT_OPEN),
        "conclude_supervision": stay(*COMPLAINT_OPEN),
        # Ch. 7: a complaint caused by an incident is linked while it is worked on and
        # can be resolved with the incident's explanation (many answered together).
        "link_incident": stay(*COMPLAINT_WORKING),
        "resolve_by_incident": to(RES, *COMPLAINT_WORKING),
    },
    SERVICE: {
        # §2.3: receipt -> initial assessment -> handling -> feedback -> closed loop.
        "acknowledge": {R: ACK},
        "assign": {ACK: ASG, ASG: ASG, **stay(IP, RES, FB)},
        "start_work": {ASG: IP},
        "resolve": {IP: RES},
        "record_feedback": {RES: FB},
        # The customer's feedback is welcome but a service request may close without it.
        "close": to(CL, RES, FB),
        "reopen": to(IP, FB, CL),
        "archive": {CL: AR},
        "cancel": to(CA, *SERVICE_WORKING),
        "reclassify": stay(*SERVICE_WORKING),
        "reply_customer": stay(*SERVICE_OPEN, CL),
        "add_note": stay(*SERVICE_OPEN, CL, CA),
        "pause": stay(*SERVICE_OPEN),
        "resume": stay(*SERVICE_OPEN),
        "extend": stay(*SERVICE_OPEN),
        "order_supervision": stay(*SERVICE_OPEN),
        "report_progress": stay(*SERVICE_OPEN),
        "record_contribution": stay(*SERVICE_OPEN),
        "conclude_supervision": stay(*SERVICE_OPEN),
        "link_incident": stay(*SERVICE_WORKING),
        "resolve_by_incident": to(RES, *SERVICE_WORKING),
        # The appointment book: moved or missed while the work is still to be done.
        "reschedule_appointment": stay(*SERVICE_WORKING),
        "record_missed_appointment": stay(*SERVICE_WORKING),
    },
    CONSULTATION: {
        # §2.2: a question answered from the FAQ base; no acknowledgement step.
        "assign": stay(*CONSULTATION_OPEN),
        "answer": {R: RES},
        "record_feedback": {RES: FB},
        "close": to(CL, RES, FB),
        # A reopened consultation is a question to be answered again.
        "reopen": to(R, FB, CL),
        "archive": {CL: AR},
        "cancel": to(CA, *CONSULTATION_WORKING),
        "reclassify": stay(*CONSULTATION_WORKING),
        "reply_customer": stay(*CONSULTATION_OPEN, CL),
        "add_note": stay(*CONSULTATION_OPEN, CL, CA),
        "pause": stay(*CONSULTATION_OPEN),
        "resume": stay(*CONSULTATION_OPEN),
        "extend": stay(*CONSULTATION_OPEN),
        "order_supervision": stay(*CONSULTATION_OPEN),
        "report_progress": stay(*CONSULTATION_OPEN),
        "record_contribution": stay(*CONSULTATION_OPEN),
        "conclude_supervision": stay(*CONSULTATION_OPEN),
        "link_incident": stay(*CONSULTATION_WORKING),
        "resolve_by_incident": to(RES, *CONSULTATION_WORKING),
    },
}

#: Every action a person can take, listed by hand.
ALL_ACTIONS = (
    "acknowledge",
    "assign",
    "record_investigation",
    "determine_responsibility",
    "plan",
    "start_work",
    "answer",
    "reply_customer",
    "resolve",
    "record_feedback",
    "close",
    "reopen",
    "archive",
    "cancel",
    "request_escalation",
    "approve_escalation",
    "reject_escalation",
    "pause",
    "resume",
    "extend",
    "add_note",
    "change_grade",
    "reclassify",
    "order_supervision",
    "report_progress",
    "record_contribution",
    "conclude_supervision",
    "link_incident",
    "resolve_by_incident",
    "reschedule_appointment",
    "record_missed_appointment",
)

#: While the clock is paused for the customer: contact, notes, handovers, deadline and
#: escalation decisions, withdrawal, and resuming. Nothing that moves the work on.
WHILE_PAUSED = frozenset(
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

#: Parameters that pass validation for each action.
VALID: dict[str, dict[str, Any]] = {
    "acknowledge": {},
    "assign": {"to": HANDLER_2},
    "record_investigation": {
        "stage": "initial",
        "methods": "system_data",
        "findings": "计费系统显示十一月重复扣费两次",
    },
    "determine_responsibility": {"party": "carrier", "explanation": "计费规则配置错误"},
    "plan": {"measures": ["compensation"], "detail": "退还重复扣费", "compensation_fen": 3000},
    "start_work": {},
    "answer": {"answer": "国际漫游资费按目的地分区计费"},
    "reply_customer": {"channel": "phone", "summary": "电话告知处理进展"},
    "resolve": {"result": "已退还重复扣费30元"},
    "record_feedback": {"satisfied": "yes", "score": 5},
    "close": {},
    "reopen": {"reason": "用户对处理结果不满意"},
    "archive": {},
    "cancel": {"reason": "用户撤销申请"},
    "request_escalation": {"reason": "repeated", "detail": "同一问题第三次投诉"},
    "approve_escalation": {"supervisor": MANAGER},
    "reject_escalation": {"comment": "本厅可以处理"},
    "order_supervision": {"supervisor": "总部 王督办", "reason": "重复投诉", "order_id": "o-1"},
    "pause": {"reason": "等待用户提供缴费凭证"},
    "resume": {},
    "extend": {"milestone": "handling", "amount": 3, "reason": "需第三方检测"},
    "add_note": {"text": "用户来电询问进度"},
    "change_grade": {"grade": "major", "reason": "涉及多名用户"},
    "reclassify": {"category": "policy/tariff", "reason": "实为资费问题"},
    "report_progress": {"progress": "网络部已更换故障板卡，观察中"},
    "record_contribution": {"department": "网络部", "contribution": "现场更换基站板卡"},
    "conclude_supervision": {"result": "故障已修复，用户认可处理结果"},
    "link_incident": {"incident": INCIDENT},
    "resolve_by_incident": {"incident": INCIDENT, "result": "光缆中断已修复，服务已恢复"},
    "reschedule_appointment": {
        "start": "2026-12-01T09:00:00+08:00",
        "end": "2026-12-01T10:30:00+08:00",
        "reason": "用户要求改到周二上午",
    },
    "record_missed_appointment": {"note": "师傅上门时家中无人"},
}

CATEGORY = {
    COMPLAINT: "technical/network",
    SERVICE: "service_request/broadband_install",
    CONSULTATION: "consultation/roaming",
}

#: How each reachable state is reached from the intake, by the engine itself.
PATHS: dict[CaseKind, dict[CaseState, tuple[str, ...]]] = {
    COMPLAINT: {
        R: (),
        ACK: ("acknowledge",),
        ASG: ("acknowledge", "assign"),
        INV: ("acknowledge", "assign", "record_investigation"),
        RD: ("acknowledge", "assign", "record_investigation", "determine_responsibility"),
        PL: ("acknowledge", "assign", "record_investigation", "determine_responsibility", "plan"),
        RES: (
            "acknowledge",
            "assign",
            "record_investigation",
            "determine_responsibility",
            "plan",
            "resolve",
        ),
        FB: (
            "acknowledge",
            "assign",
            "record_investigation",
            "determine_responsibility",
            "plan",
            "resolve",
            "record_feedback",
        ),
        CL: (
            "acknowledge",
            "assign",
            "record_investigation",
            "determine_responsibility",
            "plan",
            "resolve",
            "record_feedback",
            "close",
        ),
        AR: (
            "acknowledge",
            "assign",
            "record_investigation",
            "determine_responsibility",
            "plan",
            "resolve",
            "record_feedback",
            "close",
            "archive",
        ),
        CA: ("cancel",),
    },
    SERVICE: {
        R: (),
        ACK: ("acknowledge",),
        ASG: ("acknowledge", "assign"),
        IP: ("acknowledge", "assign", "start_work"),
        RES: ("acknowledge", "assign", "start_work", "resolve"),
        FB: ("acknowledge", "assign", "start_work", "resolve", "record_feedback"),
        CL: ("acknowledge", "assign", "start_work", "resolve", "record_feedback", "close"),
        AR: ("acknowledge", "assign", "start_work", "resolve", "close", "archive"),
        CA: ("acknowledge", "cancel"),
    },
    CONSULTATION: {
        R: (),
        RES: ("answer",),
        FB: ("answer", "record_feedback"),
        CL: ("answer", "close"),
        AR: ("answer", "record_feedback", "close", "archive"),
        CA: ("cancel",),
    },
}

#: An appointment on the book, for the actions that need one.
BOOKED = {
    "service_type": "宽带上门维修",
    "start": "2026-11-30T14:00:00+08:00",
    "end": "2026-11-30T16:00:00+08:00",
    "staff": "王师傅",
    "content": None,
}

Outcome = tuple[str, str]  # ("moves_to", state) or ("refused", reason)


def expected_outcome(kind: CaseKind, state: CaseState, action: str) -> Outcome:
    table = EXPECTED[kind]
    if action not in table:
        return ("refused", "kind")
    target = table[action].get(state)
    if target is None:
        return ("refused", "state")
    return ("moves_to", target.value)


def expected_while_paused(kind: CaseKind, state: CaseState, action: str) -> Outcome:
    base = expected_outcome(kind, state, action)
    if base[0] == "refused" or action in WHILE_PAUSED:
        return base
    return ("refused", "paused")


# --- building cases ------------------------------------------------------------------


def intake_form(kind: CaseKind, **changes: Any) -> IntakeForm:
    form = IntakeForm(
        kind=kind,
        channel=Channel.WALK_IN,
        category=CATEGORY[kind],
        customer=Customer(
            name="张三",
            phone="13812345678",
            id_number=None,
            service_number="02012345678",
            address="广州市天河区体育西路1号",
        ),
        summary="宽带每晚断线",
        description="连续一周每晚八点后断线",
        remedy="修复并减免当月费用",
        grade=Grade.ORDINARY,
        event_date=date(2026, 11, 23),
        event_place="家中",
        business="宽带",
    )
    return replace(form, **changes)


@dataclass
class Story:
    """One case driven through the engine, event by event, as a service would."""

    case: CaseSnapshot
    events: list[CaseEvent]
    now: datetime
    steps: list[CaseSnapshot] = field(default_factory=list)

    @classmethod
    def start(cls, kind: CaseKind, **form_changes: Any) -> Story:
        event = intake_event(
            intake_form(kind, **form_changes),
            number="GZ0012-20261130-0001",
            actor=CLERK,
            entered_at=T0,
        )
        case = apply(None, event)
        return cls(case, [event], T0, [case])

    def act(
        self, action: str, params: Mapping[str, Any] | None = None, *, actor: str = HANDLER
    ) -> CaseSnapshot:
        self.now += timedelta(hours=1)
        chosen = VALID[action] if params is None else params
        event = decide(self.case, action, chosen, actor=actor, at=self.now)
        self.case = apply(self.case, event)
        self.events.append(event)
        self.steps.append(self.case)
        return self.case


@cache
def snapshot_in(kind: CaseKind, state: CaseState) -> CaseSnapshot:
    """A case of `kind` in `state`: driven there when the kind can reach it, else built."""
    story = Story.start(kind)
    path = PATHS[kind].get(state)
    if path is None:
        return replace(story.case, state=state)
    for action in path:
        story.act(action)
    assert story.case.state is state
    return story.case


def prepared(kind: CaseKind, state: CaseState, action: str) -> CaseSnapshot:
    """The case in `state` with what `action` needs besides the state: a pending
    escalation request to decide on, a pause to resume."""
    case = snapshot_in(kind, state)
    if action in ("approve_escalation", "reject_escalation"):
        case = replace(case, escalation=EscalationState.REQUESTED)
    if action in SUPERVISING:
        case = replace(case, escalation=EscalationState.SUPERVISED, supervisor=MANAGER)
    if action == "resolve_by_incident":
        case = replace(case, incident=INCIDENT)
    if action == "resume":
        case = replace(case, paused=True)
    if action == "record_missed_appointment":
        case = replace(case, appointment=BOOKED)
    return case


def attempt(case: CaseSnapshot, action: str) -> Outcome:
    """What the engine does with `action` on `case`, with valid parameters."""
    try:
        event = decide(case, action, VALID[action], actor=HANDLER, at=T0 + timedelta(days=1))
    except IllegalTransition as exc:
        return ("refused", str(exc.params["reason"]))
    return ("moves_to", apply(case, event).state.value)


def reason_of(case: CaseSnapshot, action: str, params: Mapping[str, Any] | None = None) -> str:
    with pytest.raises(IllegalTransition) as caught:
        decide(
            case, action, VALID.get(action, {}) if params is None else params, actor=HANDLER, at=T0
        )
    return str(caught.value.params["reason"])


def _params(
    rows: list[tuple[CaseKind, CaseState, str, Outcome]],
) -> list[Any]:
    out = []
    for kind, state, action, expected in rows:
        out.append(pytest.param(kind, state, action, expected, id=f"{kind}-{state}-{action}"))
    return out


TABLE = _params(
    [
        (kind, state, action, expected_outcome(kind, state, action))
        for kind in CaseKind
        for state in ALL_STATES
        for action in ALL_ACTIONS
    ]
)
PAUSED_TABLE = _params(
    [
        (kind, state, action, expected_while_paused(kind, state, action))
        for kind in CaseKind
        for state in EXPECTED[kind]["pause"]
        for action in ALL_ACTIONS
        if action != "pause"
    ]
)


# --- the tables ----------------------------------------------------------------------


def test_the_hand_table_covers_every_declared_action() -> None:
    assert set(ACTION_PARAMS) == set(ALL_ACTIONS)
    used = {action for table in EXPECTED.values() for action in table}
    assert used == set(ALL_ACTIONS)


@pytest.mark.parametrize(("kind", "state", "action", "expected"), TABLE)
def test_transition(kind: CaseKind, state: CaseState, action: str, expected: Outcome) -> None:
    case = prepared(kind, state, action)
    before = copy.deepcopy(case)
    params_before = copy.deepcopy(VALID[action])
    assert attempt(case, action) == expected
    # decide and apply work on copies: the snapshot and the parameters are untouched.
    assert case == before
    assert VALID[action] == params_before


@pytest.mark.parametrize(("kind", "state", "action", "expected"), PAUSED_TABLE)
def test_transition_while_paused(
    kind: CaseKind, state: CaseState, action: str, expected: Outcome
) -> None:
    story = Story.start(kind)
    for step in PATHS[kind][state]:
        story.act(step)
    paused = story.act("pause")
    assert paused.paused
    case = paused
    if action in ("approve_escalation", "reject_escalation"):
        case = replace(case, escalation=EscalationState.REQUESTED)
    if action in SUPERVISING:
        case = replace(case, escalation=EscalationState.SUPERVISED, supervisor=MANAGER)
    if action == "resolve_by_incident":
        case = replace(case, incident=INCIDENT)
    assert attempt(case, action) == expected


@pytest.mark.parametrize(("kind", "state"), [(k, s) for k in CaseKind for s in ALL_STATES], ids=str)
@pytest.mark.parametrize("paused", [False, True], ids=["running", "paused"])
def test_allowed_actions_lists_exactly_what_decide_accepts(
    kind: CaseKind, state: CaseState, paused: bool
) -> None:
    case = replace(snapshot_in(kind, state), paused=paused)
    allowed = allowed_actions(case)
    assert len(allowed) == len(set(allowed))
    accepted = {a for a in ALL_ACTIONS if attempt(case, a)[0] == "moves_to"}
    assert set(allowed) == accepted


@pytest.mark.parametrize(
    ("kind", "state", "expected"),
    [
        (
            COMPLAINT,
            R,
            {
                "acknowledge",
                "request_escalation",
                "change_grade",
                "reply_customer",
                "add_note",
                "pause",
                "extend",
                "reclassify",
                "cancel",
                "order_supervision",
                "link_incident",
            },
        ),
        (
            COMPLAINT,
            PL,
            {
                "assign",
                "plan",
                "resolve",
                "request_escalation",
                "change_grade",
                "reply_customer",
                "add_note",
                "pause",
                "extend",
                "reclassify",
                "cancel",
                "order_supervision",
                "link_incident",
            },
        ),
        (
            SERVICE,
            ASG,
            {
                "assign",
                "start_work",
                "reply_customer",
                "add_note",
                "pause",
                "extend",
                "reclassify",
                "cancel",
                "order_supervision",
                "link_incident",
                # No appointment on this case: one may be booked, none can be missed.
                "reschedule_appointment",
            },
        ),
        (CONSULTATION, CA, {"add_note"}),
        (COMPLAINT, AR, set()),
        (SERVICE, AR, set()),
        (CONSULTATION, AR, set()),
    ],
    ids=str,
)
def test_allowed_actions_on_typical_cases(
    kind: CaseKind, state: CaseState, expected: set[str]
) -> None:
    assert set(allowed_actions(snapshot_in(kind, state))) == expected


# --- refusal reasons -----------------------------------------------------------------


def test_refusal_names_action_and_state() -> None:
    case = snapshot_in(COMPLAINT, R)
    with pytest.raises(IllegalTransition) as caught:
        decide(case, "resolve", VALID["resolve"], actor=HANDLER, at=T0)
    exc = caught.value
    assert exc.key == "error.illegal_transition"
    assert (exc.action, exc.state) == ("resolve", "received")
    assert exc.params == {"action": "resolve", "state": "received", "reason": "state"}


@pytest.mark.parametrize("action", ["teleport", "received", "", "Assign"])
def test_unknown_action_is_refused_as_unknown(action: str) -> None:
    # "received" is the intake event, never an action a person takes.
    assert reason_of(snapshot_in(COMPLAINT, ACK), action, {}) == "unknown"


def test_action_of_another_kind_is_refused_as_kind_before_state() -> None:
    assert reason_of(snapshot_in(CONSULTATION, R), "start_work") == "kind"
    assert reason_of(snapshot_in(SERVICE, ASG), "record_investigation") == "kind"
    assert reason_of(snapshot_in(SERVICE, IP), "request_escalation") == "kind"
    assert reason_of(snapshot_in(CONSULTATION, CL), "acknowledge") == "kind"


def test_state_is_checked_before_the_pause() -> None:
    paused = replace(snapshot_in(COMPLAINT, ACK), paused=True)
    assert reason_of(paused, "resolve") == "state"
    assert reason_of(paused, "record_investigation") == "state"


@pytest.mark.parametrize("kind", list(CaseKind), ids=str)
def test_resume_when_not_paused_is_refused(kind: CaseKind) -> None:
    assert reason_of(snapshot_in(kind, R), "resume") == "not_paused"


@pytest.mark.parametrize("kind", list(CaseKind), ids=str)
def test_pause_twice_is_refused_as_already_paused(kind: CaseKind) -> None:
    story = Story.start(kind)
    story.act("pause")
    assert reason_of(story.case, "pause") == "already_paused"


@pytest.mark.parametrize("kind", list(CaseKind), ids=str)
def test_pause_twice_is_refused(kind: CaseKind) -> None:
    story = Story.start(kind)
    story.act("pause")
    assert reason_of(story.case, "pause") in {"paused", "already_paused"}
    story.act("resume")
    assert not story.case.paused
    assert story.act("pause").paused


def test_paused_case_refuses_work_until_resumed() -> None:
    story = Story.start(COMPLAINT)
    story.act("acknowledge")
    story.act("pause")
    expected = {
        "change_grade": "paused",
        "reclassify": "paused",
        "acknowledge": "state",
        "record_investigation": "state",
    }
    assert {action: reason_of(story.case, action) for action in expected} == expected
    # A handover is fine while waiting for the customer; the work itself waits.
    story.act("assign")
    assert reason_of(story.case, "record_investigation") == "paused"
    story.act("resume")
    assert story.act("record_investigation").state is INV


def test_escalation_requires_the_right_sub_state() -> None:
    story = Story.start(COMPLAINT)
    story.act("acknowledge")
    assert story.case.escalation is EscalationState.NONE
    assert reason_of(story.case, "approve_escalation") == "escalation"
    assert reason_of(story.case, "reject_escalation") == "escalation"
    story.act("request_escalation")
    assert reason_of(story.case, "request_escalation") == "escalation"
    story.act("approve_escalation", actor=MANAGER)
    for action in ("request_escalation", "approve_escalation", "reject_escalation"):
        assert reason_of(story.case, action) == "escalation"


def test_determine_responsibility_needs_an_investigation() -> None:
    investigating = snapshot_in(COMPLAINT, INV)
    assert investigating.investigations == 1
    never_investigated = replace(investigating, investigations=0)
    assert reason_of(never_investigated, "determine_responsibility") == "no_investigation"
    event = decide(
        investigating,
        "determine_responsibility",
        VALID["determine_responsibility"],
        actor=HANDLER,
        at=T0,
    )
    assert apply(investigating, event).state is RD


def test_illegal_action_is_refused_before_its_parameters_are_checked() -> None:
    with pytest.raises(IllegalTransition):
        decide(snapshot_in(COMPLAINT, R), "resolve", {"bogus": ""}, actor=HANDLER, at=T0)


def test_legal_action_with_bad_parameters_is_a_validation_error() -> None:
    case = snapshot_in(COMPLAINT, ACK)
    before = copy.deepcopy(case)
    with pytest.raises(ValidationError) as caught:
        decide(case, "assign", {"to": "", "note": "x" * 501}, actor=HANDLER, at=T0)
    assert [(e.field, e.key) for e in caught.value.errors] == [
        ("to", "error.field.required"),
        ("note", "error.field.too_long"),
    ]
    assert case == before


def test_decide_returns_the_event_to_record_with_typed_parameters() -> None:
    case = snapshot_in(COMPLAINT, RES)
    at = T0 + timedelta(days=2)
    raw = {"satisfied": " 否 ", "score": " 2 ", "channel": "sms", "comment": "  还是断线 "}
    event = decide(case, "record_feedback", raw, actor=CLERK, at=at)
    assert event == CaseEvent(
        "record_feedback",
        at,
        CLERK,
        {"satisfied": False, "score": 2, "channel": "sms", "comment": "还是断线"},
    )


# --- what each transition changes ----------------------------------------------------


def test_every_event_bumps_version_and_updated_at() -> None:
    story = Story.start(COMPLAINT)
    assert (story.case.version, story.case.updated_at) == (1, T0)
    for n, action in enumerate(("acknowledge", "add_note", "reply_customer"), start=2):
        case = story.act(action)
        assert case.version == n
        assert case.updated_at == story.now


def test_apply_leaves_the_earlier_snapshot_alone() -> None:
    story = Story.start(COMPLAINT)
    first = story.case
    copied = copy.deepcopy(first)
    story.act("acknowledge")
    story.act("assign")
    assert first == copied
    assert first.state is R
    assert first.owner == CLERK


@pytest.mark.parametrize(
    ("kind", "state", "after"),
    [
        (COMPLAINT, ACK, ASG),
        (SERVICE, ACK, ASG),
        (CONSULTATION, R, R),
    ],
    ids=str,
)
def test_assign_hands_the_case_over(kind: CaseKind, state: CaseState, after: CaseState) -> None:
    case = snapshot_in(kind, state)
    # First-responder responsibility: the receiving clerk owns it until handed over.
    assert case.owner == CLERK
    assert case.receiving_clerk == CLERK
    event = decide(case, "assign", {"to": " H777 ", "note": "调休交接"}, actor=MANAGER, at=T0)
    handed = apply(case, event)
    assert handed.owner == "H777"
    assert handed.receiving_clerk == CLERK
    assert handed.state is after


def test_investigations_are_counted() -> None:
    story = Story.start(COMPLAINT)
    story.act("acknowledge")
    story.act("assign")
    assert story.case.investigations == 0
    story.act("record_investigation")
    story.act(
        "record_investigation",
        {"stage": "detailed", "methods": "on_site,interview", "findings": "现场测速正常"},
    )
    assert (story.case.state, story.case.investigations) == (INV, 2)


@pytest.mark.parametrize("party", ["customer", "carrier", "third_party"])
def test_responsibility_is_recorded(party: str) -> None:
    case = snapshot_in(COMPLAINT, INV)
    assert case.responsibility is None
    event = decide(
        case,
        "determine_responsibility",
        {"party": party, "explanation": "核实后认定"},
        actor=HANDLER,
        at=T0,
    )
    assert apply(case, event).responsibility == party


@pytest.mark.parametrize(("raw", "satisfied"), [("yes", True), ("否", False), (True, True)])
def test_feedback_records_satisfaction(raw: object, satisfied: bool) -> None:
    case = snapshot_in(COMPLAINT, RES)
    event = decide(case, "record_feedback", {"satisfied": raw, "score": "4"}, actor=CLERK, at=T0)
    after = apply(case, event)
    assert (after.state, after.satisfied, after.satisfaction_score) == (FB, satisfied, 4)


@pytest.mark.parametrize(
    ("kind", "state", "after"),
    [
        (COMPLAINT, FB, INV),
        (COMPLAINT, CL, INV),
        (SERVICE, FB, IP),
        (SERVICE, CL, IP),
        (CONSULTATION, FB, R),
        (CONSULTATION, CL, R),
    ],
    ids=str,
)
def test_reopen_counts_and_clears_satisfaction(
    kind: CaseKind, state: CaseState, after: CaseState
) -> None:
    story = Story.start(kind)
    for action in PATHS[kind][state]:
        params = {"satisfied": "no", "score": 1} if action == "record_feedback" else None
        story.act(action, params)
    before = story.case
    story.act("reopen")
    reopened = story.case
    assert reopened.state is after
    assert reopened.reopen_count == before.reopen_count + 1 == 1
    assert (reopened.satisfied, reopened.satisfaction_score) == (None, None)
    # The investigations already done stay on record.
    assert reopened.investigations == before.investigations


def test_escalation_sub_states() -> None:
    story = Story.start(COMPLAINT)
    story.act("acknowledge")
    story.act("request_escalation")
    assert (story.case.state, story.case.escalation) == (ACK, EscalationState.REQUESTED)
    rejected = story.act("reject_escalation", actor=MANAGER)
    assert (rejected.escalation, rejected.supervisor) == (EscalationState.REJECTED, None)
    again = story.act("request_escalation", {"reason": "regulator_threat", "detail": "扬言投诉"})
    assert again.escalation is EscalationState.REQUESTED
    approved = story.act(
        "approve_escalation", {"supervisor": "M302", "departments": "网络部"}, actor=MANAGER
    )
    assert (approved.escalation, approved.supervisor) == (EscalationState.SUPERVISED, "M302")
    # A supervised case still progresses (the sub-machine runs beside the states).
    story.act("assign")
    story.act("record_investigation")
    assert (story.case.state, story.case.escalation) == (INV, EscalationState.SUPERVISED)


def test_a_pending_escalation_can_be_decided_after_the_result() -> None:
    story = Story.start(COMPLAINT)
    for action in PATHS[COMPLAINT][PL]:
        story.act(action)
    story.act("request_escalation")
    story.act("resolve")
    assert reason_of(story.case, "request_escalation") == "state"
    story.act("approve_escalation", actor=MANAGER)
    assert (story.case.state, story.case.escalation) == (RES, EscalationState.SUPERVISED)


def test_pause_and_resume_flip_the_flag_only() -> None:
    story = Story.start(SERVICE)
    story.act("acknowledge")
    paused = story.act("pause")
    assert (paused.state, paused.paused) == (ACK, True)
    resumed = story.act("resume", {"note": "用户已补交材料"})
    assert (resumed.state, resumed.paused) == (ACK, False)


def test_cancel_while_paused_ends_the_pause() -> None:
    story = Story.start(COMPLAINT)
    story.act("pause")
    cancelled = story.act("cancel")
    assert (cancelled.state, cancelled.paused, cancelled.is_open) == (CA, False, False)
    assert set(allowed_actions(cancelled)) == {"add_note"}


@pytest.mark.parametrize("grade", ["ordinary", "major", "urgent"])
def test_change_grade(grade: str) -> None:
    case = snapshot_in(COMPLAINT, ASG)
    event = decide(
        case, "change_grade", {"grade": grade, "reason": "影响范围扩大"}, actor=MANAGER, at=T0
    )
    after = apply(case, event)
    assert (after.grade, after.state) == (grade, ASG)


@pytest.mark.parametrize("kind", list(CaseKind), ids=str)
def test_reclassify_changes_the_category_only(kind: CaseKind) -> None:
    case = snapshot_in(kind, R)
    event = decide(
        case, "reclassify", {"category": "x/y", "reason": "归类有误"}, actor=HANDLER, at=T0
    )
    after = apply(case, event)
    assert (after.category, after.state, after.grade) == ("x/y", R, case.grade)


def test_archive_takes_its_number_from_the_payload() -> None:
    case = snapshot_in(COMPLAINT, CL)
    assert case.archive_no is None
    event = decide(case, "archive", {}, actor=MANAGER, at=T0)
    # The archive number is drawn by the service, which adds it to the decided event.
    numbered = CaseEvent(event.kind, event.at, event.actor, {"archive_no": "GZ0012-A2026-000123"})
    archived = apply(case, numbered)
    assert (archived.state, archived.archive_no) == (AR, "GZ0012-A2026-000123")
    assert apply(case, event).archive_no is None


def test_archive_number_is_not_a_parameter_a_person_supplies() -> None:
    with pytest.raises(ValidationError) as caught:
        decide(snapshot_in(COMPLAINT, CL), "archive", {"archive_no": "X-1"}, actor=MANAGER, at=T0)
    assert [(e.field, e.key) for e in caught.value.errors] == [
        ("archive_no", "error.field.unknown")
    ]


@pytest.mark.parametrize("action", ["reply_customer", "add_note", "extend"])
def test_recording_actions_leave_the_case_as_it_is(action: str) -> None:
    case = snapshot_in(COMPLAINT, PL)
    event = decide(case, action, VALID[action], actor=HANDLER, at=T0 + timedelta(hours=5))
    after = apply(case, event)
    assert replace(after, version=case.version, updated_at=case.updated_at) == case


def test_apply_needs_the_intake_first() -> None:
    with pytest.raises(ValueError):
        apply(None, CaseEvent("acknowledge", T0, CLERK, {}))
    with pytest.raises(ValueError):
        replay([])


# --- whole lifecycles ----------------------------------------------------------------


def assert_projection_is_the_fold(story: Story) -> None:
    assert replay(story.events) == story.case
    for n, step in enumerate(story.steps, start=1):
        assert replay(story.events[:n]) == step
        assert step.version == n


def test_complaint_lifecycle_with_unsatisfied_customer() -> None:
    story = Story.start(COMPLAINT, grade=Grade.MAJOR, channel=Channel.PHONE)
    assert (story.case.state, story.case.owner, story.case.grade) == (R, CLERK, "major")
    assert story.act("acknowledge", actor=CLERK).state is ACK
    assert story.act("assign", {"to": HANDLER}, actor=MANAGER).state is ASG
    assert story.case.owner == HANDLER
    assert story.act("record_investigation").state is INV
    story.act(
        "record_investigation",
        {"stage": "detailed", "methods": ["on_site", "system_data"], "findings": "基站故障"},
    )
    assert story.act("determine_responsibility").state is RD
    assert story.case.responsibility == "carrier"
    assert story.act("plan").state is PL
    story.act("reply_customer")
    assert story.act("resolve").state is RES
    story.act("record_feedback", {"satisfied": "否", "score": 2, "comment": "仍有断线"})
    assert (story.case.state, story.case.satisfied, story.case.satisfaction_score) == (
        FB,
        False,
        2,
    )
    # Not satisfied: reopened, never edited in place.
    assert story.act("reopen").state is INV
    assert (story.case.reopen_count, story.case.satisfied) == (1, None)
    story.act(
        "record_investigation",
        {"stage": "detailed", "methods": "third_party", "findings": "第三方复测确认"},
    )
    assert story.act("determine_responsibility").state is RD
    replanned = story.act("plan", {"measures": "rectification,compensation", "detail": "整改"})
    assert replanned.state is PL
    assert story.act("resolve", {"result": "更换设备后稳定"}).state is RES
    story.act("record_feedback", {"satisfied": "是", "score": 5})
    assert story.act("close", {"summary": "用户满意，结案"}, actor=MANAGER).state is CL
    assert not story.case.is_open
    assert story.act("add_note", {"text": "结案函已寄出"}).state is CL
    story.now += timedelta(days=1)
    event = decide(story.case, "archive", {}, actor=MANAGER, at=story.now)
    event = CaseEvent(event.kind, event.at, event.actor, {"archive_no": "GZ0012-A2026-000001"})
    story.case = apply(story.case, event)
    story.events.append(event)
    story.steps.append(story.case)

    final = story.case
    assert final.state is AR
    assert final.archive_no == "GZ0012-A2026-000001"
    assert (final.reopen_count, final.investigations) == (1, 3)
    assert (final.satisfied, final.satisfaction_score) == (True, 5)
    assert (final.owner, final.receiving_clerk) == (HANDLER, CLERK)
    assert allowed_actions(final) == []
    assert_projection_is_the_fold(story)


def test_service_request_lifecycle() -> None:
    appointment = Appointment(
        service_type="宽带安装",
        start=datetime(2026, 12, 2, 9, 0, tzinfo=SH),
        end=datetime(2026, 12, 2, 11, 0, tzinfo=SH),
        staff="T501",
        content="上门安装光猫",
    )
    story = Story.start(SERVICE, appointment=appointment, remedy="")
    assert story.case.appointment == {
        "service_type": "宽带安装",
        "start": "2026-12-02T09:00:00+08:00",
        "end": "2026-12-02T11:00:00+08:00",
        "staff": "T501",
        "content": "上门安装光猫",
    }
    assert story.act("acknowledge", actor=CLERK).state is ACK
    moved = story.act("reclassify", {"category": "service_request/relocation", "reason": "移机"})
    assert moved.state is ACK
    assert story.act("assign", {"to": "T501"}, actor=MANAGER).state is ASG
    assert story.act("start_work").state is IP
    assert story.act("pause").paused
    assert not story.act("resume").paused
    assert story.act("resolve").state is RES
    story.act("record_feedback", {"satisfied": "no", "score": 2})
    assert story.act("reopen").state is IP
    assert story.act("resolve").state is RES
    # Closed without waiting for a second feedback.
    assert story.act("close").state is CL
    assert story.act("archive", actor=MANAGER).state is AR
    final = story.case
    assert (final.category, final.owner, final.reopen_count) == (
        "service_request/relocation",
        "T501",
        1,
    )
    assert (final.satisfied, final.paused, final.investigations) == (None, False, 0)
    assert_projection_is_the_fold(story)


def test_consultation_lifecycle() -> None:
    story = Story.start(CONSULTATION, remedy="", event_date=None, event_place=None)
    assert story.act("assign", {"to": HANDLER}, actor=MANAGER).state is R
    assert story.act("answer").state is RES
    story.act("record_feedback", {"satisfied": "false", "score": 3})
    assert story.act("reopen").state is R
    again = story.act("answer", {"answer": "补充说明：日套餐按自然日计", "faq_ref": "FAQ-021"})
    assert again.state is RES
    assert story.act("close").state is CL
    assert story.act("archive", actor=MANAGER).state is AR
    final = story.case
    assert (final.owner, final.reopen_count, final.satisfied) == (HANDLER, 1, None)
    assert final.event_date is None
    assert_projection_is_the_fold(story)


def test_escalated_complaint_cancelled_by_the_customer() -> None:
    story = Story.start(COMPLAINT)
    story.act("acknowledge")
    story.act("request_escalation")
    story.act("approve_escalation", actor=MANAGER)
    story.act("change_grade")
    story.act("pause")
    assert story.act("cancel").state is CA
    final = story.case
    assert (final.grade, final.escalation, final.supervisor) == (
        "major",
        EscalationState.SUPERVISED,
        MANAGER,
    )
    assert_projection_is_the_fold(story)


# --- intake --------------------------------------------------------------------------


def test_intake_event_carries_the_form() -> None:
    form = intake_form(COMPLAINT, received_at=None)
    event = intake_event(form, number="GZ0012-20261130-0007", actor=CLERK, entered_at=T0)
    assert (event.kind, event.at, event.actor) == ("received", T0, CLERK)
    assert "backdated" not in event.payload
    case = apply(None, event)
    assert case.number == "GZ0012-20261130-0007"
    assert (case.kind, case.channel, case.category, case.grade) == (
        COMPLAINT,
        "walk_in",
        "technical/network",
        "ordinary",
    )
    assert (case.customer_name, case.customer_phone, case.service_number) == (
        "张三",
        "13812345678",
        "02012345678",
    )
    assert (case.customer_id_number, case.customer_address) == (None, "广州市天河区体育西路1号")
    assert (case.summary, case.description, case.remedy) == (
        "宽带每晚断线",
        "连续一周每晚八点后断线",
        "修复并减免当月费用",
    )
    assert (case.event_date, case.event_place) == (date(2026, 11, 23), "家中")
    assert case.business == "宽带"
    assert (case.received_at, case.entered_at, case.updated_at) == (T0, T0, T0)
    assert (case.state, case.owner, case.receiving_clerk, case.version) == (R, CLERK, CLERK, 1)
    assert (case.escalation, case.paused, case.appointment) == (EscalationState.NONE, False, None)
    assert replay([event]) == case


def test_backdated_intake_starts_the_clock_at_receipt() -> None:
    received = T0 - timedelta(days=3, hours=2)  # a letter that arrived last week
    form = intake_form(COMPLAINT, channel=Channel.LETTER, received_at=received)
    event = intake_event(form, number="GZ0012-20261130-0002", actor=CLERK, entered_at=T0)
    assert event.at == received
    assert event.payload["backdated"] is True
    case = apply(None, event)
    assert (case.received_at, case.entered_at) == (received, T0)


def test_receipt_at_the_entry_instant_is_not_backdated() -> None:
    same_instant = T0.astimezone(ZoneInfo("UTC"))
    form = intake_form(COMPLAINT, received_at=same_instant)
    event = intake_event(form, number="GZ0012-20261130-0003", actor=CLERK, entered_at=T0)
    assert "backdated" not in event.payload
    assert apply(None, event).received_at == T0


def test_receipt_slightly_after_entry_is_not_backdated() -> None:
    form = intake_form(COMPLAINT, received_at=T0 + timedelta(seconds=30))
    event = intake_event(form, number="GZ0012-20261130-0004", actor=CLERK, entered_at=T0)
    assert "backdated" not in event.payload
