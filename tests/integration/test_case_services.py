"""Case services on a real encrypted database: every change is one transaction of
event + projection + milestones + search + audit + outbox, and a refused change
writes nothing at all."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from branchdesk.domain import process
from branchdesk.domain.case_numbers import is_valid_case_number
from branchdesk.domain.errors import IllegalTransition, NotFound, ValidationError
from branchdesk.domain.model import Customer
from branchdesk.services import cases
from branchdesk.services.access import mask_case
from branchdesk.services.recording import GENESIS_HASH, audit_hash, load_events
from tests.conftest import TZ, Branch, complaint_form

TABLES = (
    "cases",
    "case_events",
    "case_milestones",
    "audit_log",
    "outbox",
    "counters",
    "case_search",
)


def counts(branch: Branch) -> dict[str, Any]:
    with branch.ctx.db.read() as conn:
        result: dict[str, Any] = {
            t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in TABLES
        }
        result["counter_values"] = conn.execute(
            text("SELECT group_concat(name || '=' || value) FROM counters")
        ).scalar()
        result["case_rows"] = conn.execute(text("SELECT * FROM cases ORDER BY id")).all()
    return result


def act(branch: Branch, number: str, action: str, actor: str = "A001", **params: Any) -> Any:
    return cases.act(branch.ctx, number=number, action=action, params=params, actor=actor)


def test_intake_writes_everything_in_one_transaction(branch: Branch) -> None:
    before = counts(branch)
    view = cases.intake(branch.ctx, form=complaint_form(), actor="A001")
    after = counts(branch)
    assert is_valid_case_number(view.case.number)
    assert view.case.number.startswith("GZ0012-20261125-0001")
    assert after["cases"] == before["cases"] + 1
    assert after["case_events"] == before["case_events"] + 1
    assert after["case_milestones"] == before["case_milestones"] + 9  # complaint milestones
    assert after["audit_log"] == before["audit_log"] + 1
    assert after["outbox"] == before["outbox"] + 1
    assert after["case_search"] == before["case_search"] + 1
    assert view.case.receiving_clerk == view.case.owner == "A001"  # first responder owns it
    assert view.case.customer_phone == "13812345678"
    with branch.ctx.db.read() as conn:
        wire = conn.execute(text("SELECT payload FROM outbox")).scalar()
    assert json.loads(wire)["case_number"] == view.case.number


def test_rejected_intake_writes_nothing(branch: Branch) -> None:
    cases.intake(branch.ctx, form=complaint_form(), actor="A001")
    before = counts(branch)
    bad = complaint_form(customer=Customer(name="", phone="123"), summary="", remedy="")
    with pytest.raises(ValidationError) as caught:
        cases.intake(branch.ctx, form=bad, actor="A001")
    fields = {e.field for e in caught.value.errors}
    assert {"customer.name", "customer.phone", "summary", "remedy"} <= fields
    assert counts(branch) == before  # not even the daily sequence moved


def test_unknown_actor_is_refused_and_nothing_written(branch: Branch) -> None:
    before = counts(branch)
    with pytest.raises(ValidationError) as caught:
        cases.intake(branch.ctx, form=complaint_form(), actor="NOBODY")
    assert caught.value.errors[0].field == "actor"
    assert counts(branch) == before


def test_daily_sequence_numbers(branch: Branch) -> None:
    numbers = [
        cases.intake(branch.ctx, form=complaint_form(), actor="A001").case.number for _ in range(3)
    ]
    assert [n[16:20] for n in numbers] == ["0001", "0002", "0003"]
    branch.clock.advance(days=1)
    tomorrow = cases.intake(branch.ctx, form=complaint_form(), actor="A001").case.number
    assert tomorrow.startswith("GZ0012-20261126-0001")


def test_full_complaint_lifecycle(branch: Branch) -> None:
    n = cases.intake(branch.ctx, form=complaint_form(), actor="A001").case.number
    steps: list[tuple[str, dict[str, Any]]] = [
        ("acknowledge", {}),
        ("assign", {"to": "H201"}),
        (
            "record_investigation",
            {
                "stage": "initial",
                "methods": "system_data,interview",
                "findings": "基站故障导致覆盖变差",
            },
        ),
        ("determine_responsibility", {"party": "carrier", "explanation": "基站故障"}),
        (
            "plan",
            {
                "measures": "compensation,rectification",
                "detail": "修复基站并减免月租",
                "compensation_fen": "3000",
            },
        ),
        ("resolve", {"result": "基站已修复", "cause_analysis": "设备老化"}),
        ("record_feedback", {"satisfied": "no", "score": "2"}),
        ("reopen", {"reason": "用户认为仍有掉线"}),
        (
            "record_investigation",
            {"stage": "detailed", "methods": "on_site", "findings": "室内覆盖仍弱"},
        ),
        ("determine_responsibility", {"party": "carrier", "explanation": "室分缺失"}),
        ("plan", {"measures": "rectification", "detail": "加装室分"}),
        ("resolve", {"result": "已加装室分"}),
        ("record_feedback", {"satisfied": "yes", "score": "5"}),
        ("close", {"summary": "用户满意"}),
        ("archive", {}),
    ]
    for action, params in steps:
        branch.clock.advance(hours=5)
        view = act(branch, n, action, **params)
    case = view.case
    assert case.state.value == "archived"
    assert case.reopen_count == 1 and case.satisfied is True and case.satisfaction_score == 5
    assert case.owner == "H201" and case.responsibility == "carrier"
    assert case.archive_no == "GZ0012-A2026-000001"
    assert view.events[0].kind == "received"
    assert len(view.events) == len(steps) + 1
    with branch.ctx.db.read() as conn:
        row = conn.execute(text("SELECT * FROM cases WHERE number = :n"), {"n": n}).mappings().one()
        replayed = process.replay(load_events(conn, row["id"]))
    # The row is a projection of its events; the archiving manager, who does not own
    # the case, sees the customer's numbers masked.
    assert view.masked and mask_case(replayed) == case
    assert row["state"] == "archived" and row["is_open"] == 0 and row["next_due_at"] is None
    met = {m.id: m.met_at is not None for m in view.milestones}
    assert all(met.values()), met


def test_illegal_transition_names_action_and_state_and_writes_nothing(branch: Branch) -> None:
    n = cases.intake(branch.ctx, form=complaint_form(), actor="A001").case.number
    before = counts(branch)
    with pytest.raises(IllegalTransition) as caught:
        act(branch, n, "resolve", result="x" * 5)
    assert caught.value.action == "resolve" and caught.value.state == "received"
    from branchdesk.i18n import translate

    message = translate(caught.value.key, "zh_CN", **caught.value.params)
    assert "完成处理" in message and "已受理" in message
    assert counts(branch) == before


def test_bad_action_parameters_write_nothing(branch: Branch) -> None:
    n = cases.intake(branch.ctx, form=complaint_form(), actor="A001").case.number
    act(branch, n, "acknowledge")
    before = counts(branch)
    with pytest.raises(ValidationError) as caught:
        act(branch, n, "assign", to="GHOST")
    assert caught.value.errors[0].field == "to"
    with pytest.raises(ValidationError):
        act(branch, n, "extend", milestone="no_such", amount="2", reason="客户要求")
    assert counts(branch) == before


def test_unknown_case_number(branch: Branch) -> None:
    from datetime import date

    from branchdesk.domain.case_numbers import format_case_number

    with pytest.raises(NotFound):
        number = format_case_number("GZ0012", date(2026, 1, 5), 42)
        cases.get_case(branch.ctx, number, viewer="A001")
    with pytest.raises(ValidationError):
        cases.get_case(branch.ctx, "GZ0012-20260105-0042", viewer="A001")  # no check character


def due(view: Any, milestone: str) -> datetime:
    status = {m.id: m for m in view.milestones}[milestone]
    assert status.due_at is not None
    return status.due_at.astimezone(TZ)


def test_backdated_letter_starts_the_clock_at_receipt(branch: Branch) -> None:
    received = datetime(2026, 11, 20, 16, 0, tzinfo=TZ)  # a Friday, five days ago
    view = cases.intake(
        branch.ctx, form=complaint_form(channel="letter", received_at=received), actor="A001"
    )
    assert view.case.received_at == received
    assert view.events[0].payload["backdated"] is True
    assert due(view, "acknowledge") == received + timedelta(hours=24)
    # 7 working days after Fri 2026-11-20: Mon 23 … Tue 01 December.
    assert due(view, "first_reply") == datetime(2026, 12, 1, 23, 59, 59, tzinfo=TZ)
    assert {m.id for m in view.milestones if m.overdue(branch.ctx.now())} == {
        "acknowledge",
        "initial_investigation",
    }


def test_pause_extension_grade_change_recompute_deadlines(branch: Branch) -> None:
    view = cases.intake(branch.ctx, form=complaint_form(), actor="A001")
    n = view.case.number
    # 15 WD after Wed 2026-11-25 is Wed 2026-12-16; three more working days skip the
    # weekend: Thu 17, Fri 18, Mon 21.
    assert due(view, "handling") == datetime(2026, 12, 16, 23, 59, 59, tzinfo=TZ)
    view = act(branch, n, "extend", milestone="handling", amount="3", reason="需第三方检测")
    assert due(view, "handling") == datetime(2026, 12, 21, 23, 59, 59, tzinfo=TZ)
    acknowledge = due(view, "acknowledge")
    view = act(branch, n, "change_grade", grade="urgent", reason="涉及多名用户")
    assert due(view, "acknowledge") == view.case.received_at.astimezone(TZ) + timedelta(hours=2)
    assert due(view, "acknowledge") < acknowledge
    view = act(branch, n, "pause", reason="等待用户提供材料")
    assert view.case.paused
    with pytest.raises(IllegalTransition) as caught:
        act(branch, n, "acknowledge")
    assert caught.value.params["reason"] == "paused"
    with branch.ctx.db.read() as conn:
        row = conn.execute(text("SELECT paused FROM cases")).scalar()
    assert row == 1


def test_audit_chain_and_outbox_sequence(branch: Branch) -> None:
    n = cases.intake(branch.ctx, form=complaint_form(), actor="A001").case.number
    act(branch, n, "acknowledge")
    act(branch, n, "add_note", text="客户来电补充说明")
    with branch.ctx.db.read() as conn:
        entries = conn.execute(text("SELECT * FROM audit_log ORDER BY id")).mappings().all()
        seqs = conn.execute(text("SELECT seq FROM outbox ORDER BY seq")).scalars().all()
    prev = GENESIS_HASH
    for e in entries:
        body = {
            "at": e["at"],
            "actor": e["actor"],
            "workstation": e["workstation"],
            "action": e["action"],
            "case_id": e["case_id"],
            "detail": json.loads(e["detail"]),
        }
        assert e["prev_hash"] == prev
        assert e["hash"] == audit_hash(prev, body)
        prev = e["hash"]
    assert [e["action"] for e in entries][-3:] == [
        "case.received",
        "case.acknowledge",
        "case.add_note",
    ]
    assert seqs == [1, 2, 3]  # gapless per device


def test_notes_become_searchable(branch: Branch) -> None:
    from branchdesk.services import queries

    n = cases.intake(branch.ctx, form=complaint_form(), actor="A001").case.number
    assert queries.search(branch.ctx, "光猫指示灯") == []
    act(branch, n, "add_note", text="上门发现光猫指示灯异常")
    assert [c.number for c in queries.search(branch.ctx, "光猫指示灯")] == [n]
