"""HQ's instructions reach the right branch once and are applied there: supervision
orders as case events, notices, published catalogue / SLA policy / calendar (open
deadlines recomputed and recorded), unknown types parked and reported."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from sqlalchemy import select

from branchdesk.persistence.schema import audit_log
from branchdesk.persistence.schema import cases as cases_table
from branchdesk.services import cases, sync_rules, sync_state
from sync.client import cli as sync_cli
from sync.client.engine import SyncEngine
from sync.client.transport import HqClient
from tests.sync.conftest import Enrolled, add_cases
from tests.sync.support import assert_exactly_once, branch_events


def _sync(enrolled: Enrolled) -> None:
    assert sync_cli.main(["--data-dir", str(enrolled.branch.data_dir), "sync"]) == 0


def test_a_supervision_order_becomes_a_case_event_once_and_goes_back_to_hq(
    enrolled: Enrolled,
) -> None:
    (number,) = add_cases(enrolled.branch, 1)
    cases.act(
        enrolled.ctx, number=number, action="pause", params={"reason": "等用户资料"}, actor="A001"
    )
    out = enrolled.hq.cli(
        "issue-instruction",
        "supervision",
        "--branch",
        "GZ0012",
        "--case",
        number,
        "--supervisor",
        "总部 王督办",
        "--reason",
        "同一问题多次投诉",
    )
    assert "supervision_order" in out
    _sync(enrolled)
    _sync(enrolled)  # a second round applies nothing again
    view = cases.get_case(enrolled.ctx, number, viewer="A001")
    orders = [e for e in view.events if e.kind == "order_supervision"]
    assert len(orders) == 1 and orders[0].actor == "HQ"
    assert view.case.escalation == "supervised" and view.case.supervisor == "总部 王督办"
    with enrolled.ctx.db.read() as conn:
        supervised = (
            conn.execute(
                select(cases_table.c.number).where(cases_table.c.escalation == "supervised")
            )
            .scalars()
            .all()
        )
    assert supervised == [number]  # in the branch's supervision queue
    # The order's case event is itself synced back to HQ, exactly once.
    _sync(enrolled)
    assert_exactly_once(enrolled.hq.engine(), enrolled.device_id, branch_events(enrolled.ctx))
    report = json.loads(enrolled.hq.cli("branches", "--json"))
    assert report[0]["instructions_unapplied"] == 0


def test_an_order_the_branch_cannot_carry_out_is_kept_as_refused_not_dropped(
    enrolled: Enrolled,
) -> None:
    enrolled.hq.cli(
        "issue-instruction",
        "supervision",
        "--branch",
        "GZ0012",
        "--case",
        "GZ0012-20261125-9999F",
        "--supervisor",
        "总部",
        "--reason",
        "核查此单",
    )
    enrolled.hq.cli(
        "issue-instruction",
        "notice",
        "--branch",
        "GZ0012",
        "--title",
        "通知",
        "--text",
        "本周六系统维护",
    )
    _sync(enrolled)
    parked = sync_rules.parked_instructions(enrolled.ctx)
    assert [(p["seq"], p["status"], p["reason"]) for p in parked] == [
        (1, "refused", "case_not_found")
    ]
    # …and it did not block the notice behind it.
    assert [n["title"] for n in sync_rules.notices(enrolled.ctx)] == ["通知"]
    assert sync_state.status(enrolled.ctx).cursor == 2


def test_unknown_instruction_types_are_parked_reported_and_do_not_block(
    enrolled: Enrolled,
) -> None:
    enrolled.hq.cli(
        "issue-instruction",
        "raw",
        "--branch",
        "GZ0012",
        "--type",
        "faq_update",
        "--body",
        '{"entries": []}',
    )
    enrolled.hq.cli(
        "issue-instruction",
        "notice",
        "--branch",
        "GZ0012",
        "--title",
        "第二条",
        "--text",
        "正文",
        "--important",
    )
    _sync(enrolled)
    parked = sync_rules.parked_instructions(enrolled.ctx)
    assert [(p["type"], p["status"]) for p in parked] == [("faq_update", "parked")]
    assert sync_state.status(enrolled.ctx).parked == 1
    # Reported to HQ with the next batch.
    add_cases(enrolled.branch, 1)
    _sync(enrolled)
    report = json.loads(enrolled.hq.cli("branches", "--json"))
    assert report[0]["parked_at_branch"] == 1


def test_instructions_reach_only_their_branch(enrolled: Enrolled) -> None:
    enrolled.hq.cli("enroll-branch", "SZ0001")
    enrolled.hq.cli(
        "issue-instruction", "notice", "--branch", "SZ0001", "--title", "深圳", "--text", "只给深圳"
    )
    enrolled.hq.cli(
        "issue-instruction",
        "notice",
        "--branch",
        "all",
        "--title",
        "全体",
        "--text",
        "给所有营业厅",
    )
    _sync(enrolled)
    assert [n["title"] for n in sync_rules.notices(enrolled.ctx)] == ["全体"]


def test_a_published_calendar_recomputes_open_deadlines_and_records_it(
    enrolled: Enrolled, tmp_path: Path
) -> None:
    # A case received late in the year runs into 2027, which the shipped calendar does
    # not know: its working-day deadlines are provisional (Monday-Friday fallback).
    enrolled.branch.clock.set(enrolled.branch.clock.now.replace(year=2026, month=12, day=24))
    (number,) = add_cases(enrolled.branch, 1)
    before = cases.get_case(enrolled.ctx, number, viewer="A001").milestones
    assert any(m.provisional for m in before)
    year = {"holidays": ["2027-01-01", "2027-01-04", "2027-01-05"], "workdays": []}
    (tmp_path / "y.json").write_text(json.dumps(year), encoding="utf-8")
    enrolled.hq.cli(
        "issue-instruction",
        "calendar",
        "--branch",
        "GZ0012",
        "--year",
        "2027",
        "--file",
        str(tmp_path / "y.json"),
        "--version",
        "国务院办公厅2027",
    )
    # In this process: the running context takes the new calendar at once.
    client = HqClient(enrolled.hq.url, token=enrolled.token)
    SyncEngine(enrolled.ctx, client).run_once()
    client.close()
    assert enrolled.ctx.calendar.is_working_day(date(2027, 1, 4)) is False
    after = cases.get_case(enrolled.ctx, number, viewer="A001").milestones
    assert not any(m.provisional for m in after)
    assert {m.id: m.due_at for m in after} != {m.id: m.due_at for m in before}
    with enrolled.ctx.db.read() as conn:
        actions = conn.execute(select(audit_log.c.action, audit_log.c.detail)).all()
    recomputed = [d for a, d in actions if a == "sla.recomputed"]
    assert [d["number"] for d in recomputed] == [number]
    assert "sync.publish.calendar" in {a for a, _ in actions}
    # Reopening the branch uses the published year from then on (open_branch applies it).
    from branchdesk.bootstrap import open_branch

    reopened = open_branch(enrolled.branch.data_dir, store=enrolled.branch.store)
    try:
        assert reopened.calendar.is_working_day(date(2027, 1, 4)) is False
    finally:
        reopened.db.close()


def test_a_broken_publication_is_refused_and_the_rules_stay(
    enrolled: Enrolled, tmp_path: Path
) -> None:
    (tmp_path / "bad.json").write_text('{"version": "x", "categories": "nope"}', encoding="utf-8")
    enrolled.hq.cli(
        "issue-instruction", "catalogue", "--branch", "GZ0012", "--file", str(tmp_path / "bad.json")
    )
    shipped = enrolled.ctx.catalogue
    _sync(enrolled)
    assert [p["status"] for p in sync_rules.parked_instructions(enrolled.ctx)] == ["refused"]
    assert enrolled.ctx.catalogue is shipped
