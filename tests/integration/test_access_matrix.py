"""The whole role × action matrix, through the services on a real branch database.

POLICY below states who may do what, written out independently of the data file the
services read (`resources/permissions/permissions.json`): a change to either that is
not made to both fails here. Each cell is tried for real: a case is brought to a state
where the process allows the action, owned (or not) by a single-role colleague, who
then tries it. Allowed means it is recorded; refused means PermissionDenied naming the
roles that may, and nothing written."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from branchdesk.domain.actions import ACTION_PARAMS
from branchdesk.domain.incidents import IncidentDraft
from branchdesk.domain.permissions import PermissionDenied
from branchdesk.i18n import translate
from branchdesk.services import audit, cases, incidents, printing, staff
from branchdesk.services.branch import update_branch
from branchdesk.services.cases import CaseView
from tests.conftest import Branch, activate, complaint_form
from tests.unit.domain.test_process import INCIDENT, VALID

ANY, OWN, NO = "any", "own", "no"
ROLES = ("clerk", "handler", "manager", "archivist", "admin")
#: One colleague per role, holding only that role.
PERSON = {
    "clerk": "C901",
    "handler": "H901",
    "manager": "M901",
    "archivist": "R901",
    "admin": "D901",
}
ROLE_NAME_EN = {
    "clerk": "counter clerk",
    "handler": "handler",
    "manager": "branch manager",
    "archivist": "archivist",
    "admin": "administrator",
}


def row(clerk: str, handler: str, manager: str, archivist: str, admin: str) -> dict[str, str]:
    return dict(zip(ROLES, (clerk, handler, manager, archivist, admin), strict=True))


#: Who may take each case action: on any case, only on cases they own, or not at all.
#: (Closing a major or urgent case is further restricted to managers: see below.)
POLICY: dict[str, dict[str, str]] = {
    "acknowledge": row(OWN, ANY, ANY, NO, NO),
    "assign": row(OWN, OWN, ANY, NO, NO),
    "record_investigation": row(OWN, OWN, ANY, NO, NO),
    "determine_responsibility": row(NO, OWN, ANY, NO, NO),
    "plan": row(NO, OWN, ANY, NO, NO),
    "start_work": row(OWN, OWN, ANY, NO, NO),
    "answer": row(OWN, OWN, ANY, NO, NO),
    "resolve": row(OWN, OWN, ANY, NO, NO),
    "record_feedback": row(OWN, OWN, ANY, NO, NO),
    "reply_customer": row(ANY, ANY, ANY, NO, NO),
    "add_note": row(ANY, ANY, ANY, ANY, NO),
    "close": row(OWN, OWN, ANY, NO, NO),
    "reopen": row(NO, OWN, ANY, NO, NO),
    "pause": row(OWN, OWN, ANY, NO, NO),
    "resume": row(OWN, OWN, ANY, NO, NO),
    "extend": row(NO, NO, ANY, NO, NO),
    "reclassify": row(OWN, OWN, ANY, NO, NO),
    "change_grade": row(NO, OWN, ANY, NO, NO),
    "cancel": row(OWN, OWN, ANY, NO, NO),
    "request_escalation": row(OWN, OWN, ANY, NO, NO),
    "approve_escalation": row(NO, NO, ANY, NO, NO),
    "reject_escalation": row(NO, NO, ANY, NO, NO),
    "order_supervision": row(NO, NO, ANY, NO, NO),
    "archive": row(NO, NO, ANY, ANY, NO),
    "report_progress": row(OWN, OWN, ANY, NO, NO),
    "record_contribution": row(OWN, OWN, ANY, NO, NO),
    "conclude_supervision": row(NO, NO, ANY, NO, NO),
    "link_incident": row(ANY, ANY, ANY, NO, NO),
    "resolve_by_incident": row(NO, NO, ANY, NO, NO),
    "reschedule_appointment": row(OWN, OWN, ANY, NO, NO),
    "record_missed_appointment": row(OWN, OWN, ANY, NO, NO),
}

WORKING = ("acknowledge", "assign")
INVESTIGATED = (*WORKING, "record_investigation")
PLANNED = (*INVESTIGATED, "determine_responsibility", "plan")
FEEDBACK = (*PLANNED, "resolve", "record_feedback")
SUPERVISED = (*WORKING, "request_escalation", "approve_escalation")
#: (case kind, the steps that bring a new case to where the action is allowed).
SETUP: dict[str, tuple[str, tuple[str, ...]]] = {
    "acknowledge": ("complaint", ()),
    "assign": ("complaint", ("acknowledge",)),
    "record_investigation": ("complaint", WORKING),
    "determine_responsibility": ("complaint", INVESTIGATED),
    "plan": ("complaint", (*INVESTIGATED, "determine_responsibility")),
    "start_work": ("service_request", WORKING),
    "answer": ("consultation", ()),
    "resolve": ("complaint", PLANNED),
    "record_feedback": ("complaint", (*PLANNED, "resolve")),
    "reply_customer": ("complaint", WORKING),
    "add_note": ("complaint", WORKING),
    "close": ("complaint", FEEDBACK),
    "reopen": ("complaint", FEEDBACK),
    "pause": ("complaint", WORKING),
    "resume": ("complaint", (*WORKING, "pause")),
    "extend": ("complaint", WORKING),
    "reclassify": ("complaint", WORKING),
    "change_grade": ("complaint", WORKING),
    "cancel": ("complaint", WORKING),
    "request_escalation": ("complaint", WORKING),
    "approve_escalation": ("complaint", (*WORKING, "request_escalation")),
    "reject_escalation": ("complaint", (*WORKING, "request_escalation")),
    "order_supervision": ("complaint", WORKING),
    "archive": ("complaint", (*FEEDBACK, "close")),
    "report_progress": ("complaint", SUPERVISED),
    "record_contribution": ("complaint", SUPERVISED),
    "conclude_supervision": ("complaint", SUPERVISED),
    "link_incident": ("complaint", WORKING),
    "resolve_by_incident": ("complaint", (*WORKING, "link_incident")),
    "reschedule_appointment": ("service_request", WORKING),
    "record_missed_appointment": ("service_request", (*WORKING, "reschedule_appointment")),
}

FORMS: dict[str, dict[str, Any]] = {
    "complaint": {},
    "service_request": {"kind": "service_request", "category": "service_request/broadband_install"},
    "consultation": {"kind": "consultation", "category": "consultation/roaming", "remedy": ""},
}
INTAKE_ROLES = ("clerk", "handler", "manager")


def params(action: str, *, assignee: str) -> dict[str, Any]:
    chosen = dict(VALID[action])
    if action == "assign":
        chosen["to"] = assignee
    if action == "approve_escalation":
        chosen["supervisor"] = "M301"
    return chosen


@pytest.fixture
def people(branch: Branch) -> Branch:
    for role, staff_no in PERSON.items():
        new = staff.add_staff(
            branch.ctx, staff_no=staff_no, name=f"测试{role}", roles=(role,), actor="A001"
        )
        activate(branch.ctx, staff_no, new.one_time_code)
    # The incident VALID's link_incident / resolve_by_incident name.
    draft = IncidentDraft(
        type="network_outage",
        level=2,
        started_at=branch.ctx.now(),
        district="天河区",
        services=["technical/network"],
        scope="体育西路一带移动网络中断",
    )
    assert incidents.create_incident(branch.ctx, draft, actor="A001").number == INCIDENT
    return branch


def prepare(branch: Branch, action: str, *, owner: str | None, grade: str = "ordinary") -> CaseView:
    """A new case where `action` is allowed now, owned by `owner` (else by someone
    who is none of the tested people)."""
    kind, steps = SETUP[action]
    taker = owner if owner is not None and "assign" not in steps else "A001"
    view = cases.intake(branch.ctx, form=complaint_form(**FORMS[kind], grade=grade), actor=taker)
    for step in steps:
        view = cases.act(
            branch.ctx,
            number=view.case.number,
            action=step,
            params=params(step, assignee=owner or "H201"),
            actor="A001",
        )
    assert action in cases.get_case(branch.ctx, view.case.number, viewer="A001").allowed_actions
    return view


def cells() -> Iterator[Any]:
    for action in POLICY:
        for role in ROLES:
            for owns in (False, True):
                _, steps = SETUP[action]
                if owns and "assign" not in steps and role not in INTAKE_ROLES:
                    continue  # cannot own a case before it can be assigned to them
                yield pytest.param(
                    action, role, owns, id=f"{action}-{role}-{'own' if owns else 'other'}"
                )


def test_every_action_has_a_decision_here_and_in_the_data() -> None:
    assert set(POLICY) == set(ACTION_PARAMS)
    assert set(POLICY) == set(SETUP)


@pytest.mark.parametrize(("action", "role", "owns"), list(cells()))
def test_role_action_matrix(people: Branch, action: str, role: str, owns: bool) -> None:
    me = PERSON[role]
    view = prepare(people, action, owner=me if owns else None)
    number = view.case.number
    rule = POLICY[action][role]
    allowed = rule == ANY or (rule == OWN and owns)
    before = len(cases.get_case(people.ctx, number, viewer="A001").events)
    mine = cases.get_case(people.ctx, number, viewer=me)
    # The screen offers exactly what the service would accept.
    assert (action in mine.allowed_actions) is allowed
    attempt = params(action, assignee="H201")
    if allowed:
        cases.act(people.ctx, number=number, action=action, params=attempt, actor=me)
        assert len(cases.get_case(people.ctx, number, viewer="A001").events) == before + 1
        return
    with pytest.raises(PermissionDenied) as refused:
        cases.act(people.ctx, number=number, action=action, params=attempt, actor=me)
    assert len(cases.get_case(people.ctx, number, viewer="A001").events) == before
    message = translate(refused.value.key, "en", **refused.value.params)
    for other, cell in POLICY[action].items():
        if cell == ANY:
            assert ROLE_NAME_EN[other] in message, message
    if rule == OWN:
        assert "only on cases you own" in message


@pytest.mark.parametrize("role", ["clerk", "handler"])
def test_closing_a_major_complaint_is_for_managers_even_for_its_owner(
    people: Branch, role: str
) -> None:
    me = PERSON[role]
    number = prepare(people, "close", owner=me, grade="major").case.number
    assert "close" not in cases.get_case(people.ctx, number, viewer=me).allowed_actions
    with pytest.raises(PermissionDenied) as refused:
        cases.act(people.ctx, number=number, action="close", params={}, actor=me)
    message = translate(refused.value.key, "zh_CN", **refused.value.params)
    assert "重大" in message and "营业厅经理" in message
    cases.act(people.ctx, number=number, action="close", params={}, actor=PERSON["manager"])


def test_headquarters_may_only_send_what_the_matrix_gives_it(people: Branch) -> None:
    number = prepare(people, "order_supervision", owner=None).case.number
    order = {"supervisor": "总部 王督办", "reason": "重复投诉", "order_id": "o-1"}
    cases.act(people.ctx, number=number, action="order_supervision", params=order, actor="HQ")
    with pytest.raises(PermissionDenied) as refused:
        cases.act(people.ctx, number=number, action="pause", params=VALID["pause"], actor="HQ")
    assert refused.value.key == "error.permission.system"


def test_staff_management_and_settings_are_for_administrators(people: Branch) -> None:
    ctx = people.ctx
    for role, staff_no in PERSON.items():
        if role == "admin":
            staff.staff_accounts(ctx, actor=staff_no)
            update_branch(ctx, idle_lock_minutes=7, actor=staff_no)
            continue
        with pytest.raises(PermissionDenied) as refused:
            staff.add_staff(ctx, staff_no="X1", name="新人", roles=("clerk",), actor=staff_no)
        assert "administrator" in translate(refused.value.key, "en", **refused.value.params)
        with pytest.raises(PermissionDenied):
            update_branch(ctx, idle_lock_minutes=7, actor=staff_no)
    assert "X1" not in {m.staff_no for m in staff.list_staff(ctx)}


def test_audit_trail_is_read_by_managers_and_administrators(people: Branch) -> None:
    for role, staff_no in PERSON.items():
        if role in ("manager", "admin"):
            assert audit.browse(people.ctx, actor=staff_no, filter=audit.AuditFilter())
        else:
            with pytest.raises(PermissionDenied):
                audit.browse(people.ctx, actor=staff_no, filter=audit.AuditFilter())


def test_intake_printing_and_reveal_by_role(people: Branch) -> None:
    ctx = people.ctx
    number = prepare(people, "acknowledge", owner=None).case.number
    for role, staff_no in PERSON.items():
        if role in INTAKE_ROLES:
            cases.intake(ctx, form=complaint_form(), actor=staff_no)
        else:
            with pytest.raises(PermissionDenied):
                cases.intake(ctx, form=complaint_form(), actor=staff_no)
        if role == "admin":
            with pytest.raises(PermissionDenied):
                printing.print_document(ctx, number=number, kind="receipt", actor=staff_no)
            with pytest.raises(PermissionDenied):
                cases.reveal(ctx, number=number, actor=staff_no)
        else:
            printing.print_document(ctx, number=number, kind="receipt", actor=staff_no)
            assert cases.reveal(ctx, number=number, actor=staff_no)["phone"] == "13812345678"


def test_personal_data_is_masked_unless_the_case_is_yours(people: Branch) -> None:
    ctx = people.ctx
    view = prepare(people, "record_investigation", owner=PERSON["handler"])
    number = view.case.number
    own = cases.get_case(ctx, number, viewer=PERSON["handler"])
    assert not own.masked and own.case.customer_phone == "13812345678"
    for role in ("clerk", "manager", "archivist", "admin"):
        other = cases.get_case(ctx, number, viewer=PERSON[role])
        assert other.masked and other.case.customer_phone == "138****5678"
        intake_payload = other.events[0].payload["customer"]
        assert intake_payload["phone"] == "138****5678"
    before = audit.count(ctx, actor="A001", filter=audit.AuditFilter(action="pii.reveal"))
    full = cases.reveal(ctx, number=number, actor=PERSON["manager"])
    assert full["phone"] == "13812345678"
    entries = audit.browse(ctx, actor="A001", filter=audit.AuditFilter(action="pii.reveal"))
    assert len(entries) == before + 1
    assert entries[0].actor == PERSON["manager"] and entries[0].case_number == number
    assert "13812345678" not in str(entries[0].detail)


def test_a_disabled_colleague_can_do_nothing(people: Branch) -> None:
    staff.set_active(people.ctx, staff_no=PERSON["clerk"], active=False, actor="A001")
    with pytest.raises(Exception) as refused:
        cases.intake(people.ctx, form=complaint_form(), actor=PERSON["clerk"])
    assert "C901" in str(refused.value)
