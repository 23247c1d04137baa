"""Incidents through the services on a real branch database: recording one, the
notification deadline, suggestions at intake (same service and area only), linking,
progress pushed as notes, resolution, and the bulk resolution of linked cases: one
transaction per case, resumable after a crash or a cancel, letters in one batch."""

from __future__ import annotations

import multiprocessing
import os
import signal
from datetime import timedelta
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from sqlalchemy import func, select

from branchdesk.domain.errors import DomainError, IllegalTransition, ValidationError
from branchdesk.domain.incidents import IncidentDraft, Resolution
from branchdesk.domain.model import Customer
from branchdesk.domain.permissions import PermissionDenied
from branchdesk.persistence.schema import case_events, incident_cases
from branchdesk.services import cases, incident_bulk, incidents
from branchdesk.services.incident_letters import closure_letters
from tests.conftest import Branch, complaint_form

MANAGER, CLERK = "M301", "A001"


def draft(**changes: object) -> IncidentDraft:
    base = dict(
        type="network_outage",
        level=2,
        started_at=None,
        district="天河区",
        street="体育西路",
        services=["technical/network", "宽带"],
        scope="体育西路沿线移动和宽带中断，约两千户",
        cause="光缆被施工挖断",
        measures="抢修队已到场",
    )
    base.update(changes)
    return IncidentDraft(**base)  # type: ignore[arg-type]


def open_incident(branch: Branch, **changes: object) -> incidents.Incident:
    started = branch.ctx.now() - timedelta(minutes=20)
    return incidents.create_incident(
        branch.ctx, draft(started_at=started, **changes), actor=MANAGER
    )


def walk_in(branch: Branch, address: str = "天河区体育西路100号", **form: object) -> str:
    customer = Customer(name="李四", phone="13912345678", address=address)
    return cases.intake(
        branch.ctx, form=complaint_form(customer=customer, **form), actor=CLERK
    ).case.number


def test_recording_an_incident_tracks_its_notification_deadline(branch: Branch) -> None:
    major = open_incident(branch)
    assert major.number == "GZ0012-I2026-0001"
    assert major.notify_due_at == major.started_at + timedelta(hours=2)
    general = open_incident(branch, level=3)
    assert general.notify_due_at == general.started_at + timedelta(hours=4)
    branch.clock.advance(hours=2)
    assert major.notification_overdue(branch.ctx.now())
    notified = incidents.mark_notified(branch.ctx, general.number, actor=MANAGER, text="短信通知")
    assert notified.notified_at is not None and not notified.notified_late
    detail = incidents.get_incident(branch.ctx, general.number, actor=CLERK)
    assert [u.kind for u in detail.updates] == ["created", "notified"]


def test_only_managers_record_incidents(branch: Branch) -> None:
    with pytest.raises(PermissionDenied):
        incidents.create_incident(branch.ctx, draft(started_at=branch.ctx.now()), actor="H201")
    with pytest.raises(ValidationError):
        incidents.create_incident(
            branch.ctx, draft(started_at=branch.ctx.now(), district=""), actor=MANAGER
        )


def test_intake_suggests_incidents_of_the_same_service_and_area(branch: Branch) -> None:
    outage = open_incident(branch)
    open_incident(
        branch, type="billing_error", services=["policy/tariff"], district="越秀区", street=""
    )
    ctx = branch.ctx

    def suggested(category: str, *places: str, business: str | None = None) -> list[str]:
        found = incidents.suggest_incidents(
            ctx, category=category, business=business, places=places
        )
        return [i.number for i in found]

    assert suggested("technical/network", "天河区体育西路1号") == [outage.number]
    assert suggested("technical/equipment", "家中", "天河区体育西路3号", business="宽带") == [
        outage.number
    ]
    assert suggested("technical/network", "天河区天河北路8号") == []  # other street
    assert suggested("policy/tariff", "天河区体育西路1号") == []  # other service
    assert suggested("policy/tariff", "越秀区北京路") != []
    incidents.resolve_incident(
        ctx, outage.number, Resolution(root_cause="光缆挖断", explanation="已修复"), actor=MANAGER
    )
    assert suggested("technical/network", "天河区体育西路1号") == []  # not active any more


def test_linking_is_one_action_and_the_incident_lists_its_cases(branch: Branch) -> None:
    outage = open_incident(branch)
    ctx = branch.ctx
    numbers = [walk_in(branch) for _ in range(3)]
    for number in numbers:
        view = incidents.link_case(ctx, incident=outage.number, number=number, actor=CLERK)
        assert view.events[-1].kind == "link_incident"
    with pytest.raises(IllegalTransition):
        incidents.link_case(ctx, incident=outage.number, number=numbers[0], actor=CLERK)
    other = walk_in(branch)
    with pytest.raises(ValidationError):  # no such incident: nothing recorded
        incidents.link_case(ctx, incident="GZ0012-I2026-0099", number=other, actor=CLERK)
    assert [e.kind for e in cases.get_case(ctx, other, viewer=CLERK).events] == ["received"]
    detail = incidents.get_incident(ctx, outage.number, actor=CLERK)
    assert [c.number for c in detail.cases] == numbers
    assert detail.count_by_state() == {"received": 3}
    assert incidents.list_incidents(ctx, actor=CLERK)[0].linked == 3


def test_progress_is_pushed_as_a_note_onto_every_linked_case(branch: Branch) -> None:
    outage = open_incident(branch)
    ctx = branch.ctx
    numbers = [walk_in(branch) for _ in range(3)]
    for number in numbers:
        incidents.link_case(ctx, incident=outage.number, number=number, actor=CLERK)
    cases.act(ctx, number=numbers[2], action="cancel", params={"reason": "用户撤销"}, actor=CLERK)
    pushed = incidents.record_progress(ctx, outage.number, text="预计今晚22点恢复", actor=MANAGER)
    assert pushed == 3  # a cancelled case still takes a note
    for number in numbers:
        last = cases.get_case(ctx, number, viewer=MANAGER).events[-1]
        assert (last.kind, last.payload["text"]) == (
            "add_note",
            f"[{outage.number}] 预计今晚22点恢复",
        )
    assert (
        incidents.record_progress(ctx, outage.number, text="内部记录", actor=MANAGER, push=False)
        == 0
    )


def linked_outage(branch: Branch, n: int) -> tuple[incidents.Incident, list[str]]:
    outage = open_incident(branch)
    numbers = [walk_in(branch) for _ in range(n)]
    for number in numbers:
        incidents.link_case(branch.ctx, incident=outage.number, number=number, actor=CLERK)
    incidents.resolve_incident(
        branch.ctx,
        outage.number,
        Resolution(
            root_cause="市政施工挖断主干光缆",
            explanation="光缆已于当晚熔接修复，网络与宽带服务已全部恢复。",
            compensation_rule="受影响用户每户减免3天月租",
            compensation_fen=1500,
            lessons="与市政建立施工报备联动",
        ),
        actor=MANAGER,
    )
    return outage, numbers


def test_bulk_resolution_resolves_each_linked_case_once(branch: Branch) -> None:
    ctx = branch.ctx
    outage, numbers = linked_outage(branch, 5)
    cases.act(ctx, number=numbers[1], action="pause", params={"reason": "等用户"}, actor=CLERK)
    with pytest.raises(PermissionDenied):
        incident_bulk.bulk_resolve(ctx, outage.number, actor="H201")
    seen: list[tuple[int, int]] = []
    result = incident_bulk.bulk_resolve(
        ctx, outage.number, actor=MANAGER, progress=lambda d, t: seen.append((d, t)) or True
    )
    assert (result.resolved, result.skipped, result.remaining) == (4, 1, 0)
    assert seen == [(i, 5) for i in range(1, 6)]
    view = cases.get_case(ctx, numbers[0], viewer=MANAGER)
    assert view.case.state.value == "resolved"
    last = view.events[-1]
    assert last.kind == "resolve_by_incident"
    assert last.payload["cause_analysis"] == "市政施工挖断主干光缆"
    assert last.payload["compensation_fen"] == 1500
    # Each case still gets its own feedback, and can be reopened.
    cases.act(
        ctx,
        number=numbers[0],
        action="record_feedback",
        params={"satisfied": "no", "score": 2},
        actor=MANAGER,
    )
    cases.act(ctx, number=numbers[0], action="reopen", params={"reason": "仍有断线"}, actor=MANAGER)
    detail = incidents.get_incident(ctx, outage.number, actor=MANAGER)
    skipped = [c for c in detail.cases if c.outcome == "skipped"]
    assert [(c.number, c.outcome_reason) for c in skipped] == [(numbers[1], "paused")]
    # A rerun has nothing left to do.
    assert incident_bulk.bulk_resolve(ctx, outage.number, actor=MANAGER).resolved == 0


def test_bulk_resolution_needs_the_incident_resolved_first(branch: Branch) -> None:
    outage = open_incident(branch)
    with pytest.raises(DomainError) as refused:
        incident_bulk.bulk_resolve(branch.ctx, outage.number, actor=MANAGER)
    assert refused.value.key == "error.incident.not_resolved"


def test_a_cancelled_bulk_run_resumes_where_it_stopped(branch: Branch) -> None:
    ctx = branch.ctx
    outage, _ = linked_outage(branch, 6)
    first = incident_bulk.bulk_resolve(
        ctx, outage.number, actor=MANAGER, progress=lambda d, t: d < 2
    )
    assert (first.resolved, first.remaining) == (2, 4)
    second = incident_bulk.bulk_resolve(ctx, outage.number, actor=MANAGER)
    assert (second.resolved, second.remaining) == (4, 0)
    with ctx.db.read() as conn:
        resolutions = conn.execute(
            select(func.count()).where(case_events.c.kind == "resolve_by_incident")
        ).scalar()
    assert resolutions == 6


def _crash_during_bulk(data_dir: str, number: str, after: int) -> None:
    """In a child process: open the branch and kill itself mid-run (no cleanup)."""
    from branchdesk.bootstrap import open_branch
    from tests.conftest import START
    from tests.support.fakes import Clock

    ctx = open_branch(Path(data_dir))
    ctx.clock = Clock(START + timedelta(hours=1))

    def progress(done: int, total: int) -> bool:
        if done == after:
            os.kill(os.getpid(), signal.SIGKILL)
        return True

    incident_bulk.bulk_resolve(ctx, number, actor=MANAGER, progress=progress)


def _consistent(branch: Branch) -> tuple[int, int]:
    """Cases with a resolution event, and cases marked done: every case's event and its
    line in incident_cases were committed together (or neither)."""
    with branch.ctx.db.read() as conn:
        resolved = {
            r[0]
            for r in conn.execute(
                select(case_events.c.case_id).where(case_events.c.kind == "resolve_by_incident")
            )
        }
        done = {
            r[0]
            for r in conn.execute(
                select(incident_cases.c.case_id).where(incident_cases.c.outcome == "resolved")
            )
        }
    assert resolved == done
    return len(resolved), len(done)


def crash_and_resume(branch: Branch, n: int, kill_after: int) -> None:
    outage, _ = linked_outage(branch, n)
    spawn = multiprocessing.get_context("fork")
    child = spawn.Process(
        target=_crash_during_bulk, args=(str(branch.data_dir), outage.number, kill_after)
    )
    child.start()
    child.join(600)
    assert child.exitcode == -signal.SIGKILL
    assert _consistent(branch) == (kill_after, kill_after)
    result = incident_bulk.bulk_resolve(branch.ctx, outage.number, actor=MANAGER)
    assert (result.resolved, result.skipped) == (n - kill_after, 0)
    with branch.ctx.db.read() as conn:
        per_case = conn.execute(
            select(case_events.c.case_id, func.count())
            .where(case_events.c.kind == "resolve_by_incident")
            .group_by(case_events.c.case_id)
        ).all()
    assert len(per_case) == n and all(count == 1 for _, count in per_case)
    assert _consistent(branch) == (n, n)


def test_bulk_resolution_resumes_after_a_crash(branch: Branch) -> None:
    crash_and_resume(branch, 8, 3)


@pytest.mark.slow
def test_bulk_resolution_of_1000_cases_resumes_after_a_crash(branch: Branch) -> None:
    crash_and_resume(branch, 1000, 437)


def test_closure_letters_in_one_batch(branch: Branch) -> None:
    ctx = branch.ctx
    outage, numbers = linked_outage(branch, 3)
    incident_bulk.bulk_resolve(ctx, outage.number, actor=MANAGER)
    batch = closure_letters(ctx, outage.number, actor=MANAGER)
    assert batch.numbers == tuple(numbers)
    document = pdfium.PdfDocument(batch.pdf)
    try:
        text = "".join(page.get_textpage().get_text_range() for page in document)
        assert len(document) >= 3
    finally:
        document.close()
    assert text.count("处理结果告知书") >= 3
    assert "光缆已于当晚熔接修复" in text and "15.00" in text
    for number in numbers:
        assert number in text
        assert cases.get_case(ctx, number, viewer=MANAGER).events[-1].kind == "printed"
