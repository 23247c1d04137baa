"""Intake idempotency on a real encrypted branch database: a form saved again under its
own id (a retry after a lost answer) returns the case already saved and records
nothing new but an audit note; the same id with other content is refused; two
connections racing with one id make one case; the incident chosen at intake is linked
in the same save."""

from __future__ import annotations

import threading
import uuid
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, text

from branchdesk.bootstrap import open_branch
from branchdesk.domain.errors import DomainError, ValidationError
from branchdesk.domain.model import Customer
from branchdesk.persistence.schema import audit_log, intake_keys
from branchdesk.services import cases, incidents
from branchdesk.services.context import ServiceContext
from tests.conftest import Branch, complaint_form
from tests.integration.test_incidents import draft

TABLES = ("cases", "case_events", "case_milestones", "outbox", "counters", "case_search")


def counts(ctx: ServiceContext) -> dict[str, Any]:
    with ctx.db.read() as conn:
        found: dict[str, Any] = {
            t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in TABLES
        }
        found["audit_log"] = conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one()
        found["intake_keys"] = conn.execute(text("SELECT count(*) FROM intake_keys")).scalar_one()
    return found


def last_audit(ctx: ServiceContext) -> Any:
    with ctx.db.read() as conn:
        return conn.execute(select(audit_log).order_by(audit_log.c.id.desc()).limit(1)).one()


def test_the_same_form_saved_again_returns_the_case_already_saved(branch: Branch) -> None:
    ctx, key = branch.ctx, str(uuid.uuid4())
    first = cases.save_intake(ctx, form=complaint_form(), actor="A001", key=key)
    assert not first.already_saved
    after_first = counts(ctx)
    # The answer was lost; the clerk (or the script) saves the same form again later.
    branch.clock.advance(minutes=3)
    again = cases.save_intake(ctx, form=complaint_form(), actor="A001", key=key)
    assert again.already_saved
    assert again.view.case.number == first.view.case.number
    assert again.view.id == first.view.id
    after_again = counts(ctx)
    # No second case, event, deadline, search entry, case number or sync record ...
    assert {t: after_again[t] for t in TABLES} == {t: after_first[t] for t in TABLES}
    assert after_again["intake_keys"] == 1
    # ... only the trail's note that the same form came back.
    assert after_again["audit_log"] == after_first["audit_log"] + 1
    note = last_audit(ctx)
    assert note.action == "case.intake_repeated"
    assert note.case_id == first.view.id
    assert note.detail == {"number": first.view.case.number, "key": key}
    # A new form (a new id) with the very same content is a new case.
    other = cases.save_intake(ctx, form=complaint_form(), actor="A001", key=str(uuid.uuid4()))
    assert not other.already_saved and other.view.case.number != first.view.case.number


@pytest.mark.parametrize(
    ("changes", "actor"),
    [
        ({"summary": "家中宽带每晚断线"}, "A001"),
        ({"customer": Customer(name="张三", phone="13812345679")}, "A001"),
        ({}, "M301"),  # the same form under someone else's name is not their retry
    ],
    ids=["summary", "phone", "actor"],
)
def test_the_same_key_with_different_content_is_refused(
    branch: Branch, changes: dict[str, Any], actor: str
) -> None:
    ctx, key = branch.ctx, "counter-3-form-0001"
    saved = cases.intake(ctx, form=complaint_form(), actor="A001", key=key)
    before = counts(ctx)
    with pytest.raises(ValidationError) as refused:
        cases.intake(ctx, form=complaint_form(**changes), actor=actor, key=key)
    (error,) = refused.value.errors
    assert error.field == "idempotency_key"
    assert error.key == "error.intake_key.reused"
    assert error.params == {"number": saved.case.number}
    assert counts(ctx) == before
    assert "different content" in str(refused.value)


@pytest.mark.parametrize("key", ["", "short", "has space in it", "x" * 65, "表单编号12345678"])
def test_a_malformed_key_is_refused_before_anything_is_written(branch: Branch, key: str) -> None:
    before = counts(branch.ctx)
    with pytest.raises(ValidationError) as refused:
        cases.intake(branch.ctx, form=complaint_form(), actor="A001", key=key)
    assert [(e.field, e.key) for e in refused.value.errors] == [
        ("idempotency_key", "error.intake_key.format")
    ]
    assert counts(branch.ctx) == before


def test_an_invalid_form_does_not_use_up_its_key(branch: Branch) -> None:
    """A refused save stores nothing, so the corrected form saves under the same id."""
    key = str(uuid.uuid4())
    with pytest.raises(ValidationError):
        cases.intake(branch.ctx, form=complaint_form(remedy=""), actor="A001", key=key)
    assert counts(branch.ctx)["intake_keys"] == 0
    saved = cases.save_intake(branch.ctx, form=complaint_form(), actor="A001", key=key)
    assert not saved.already_saved
    with branch.ctx.db.read() as conn:
        stored = conn.execute(select(intake_keys.c.case_id).where(intake_keys.c.key == key))
        assert stored.scalar_one() == saved.view.id


def test_two_connections_racing_with_one_key_make_one_case(branch: Branch) -> None:
    """Two saves of one form at the same moment on two connections of their own (two
    windows, or a retry while the first is still running): one case, both answers
    name it, and exactly one of them says it was saved before."""
    contexts = []
    for _ in range(2):
        ctx = open_branch(branch.data_dir, store=branch.store)
        ctx.clock = branch.clock
        contexts.append(ctx)
    key = str(uuid.uuid4())
    start = threading.Barrier(2)
    results: list[cases.SavedIntake] = []
    failures: list[BaseException] = []

    def save(ctx: ServiceContext) -> None:
        start.wait()
        try:
            results.append(cases.save_intake(ctx, form=complaint_form(), actor="A001", key=key))
        except BaseException as exc:  # reported below, with the thread's own error
            failures.append(exc)

    threads = [threading.Thread(target=save, args=(ctx,)) for ctx in contexts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for ctx in contexts:
        ctx.db.close()
    assert failures == []
    assert sorted(r.already_saved for r in results) == [False, True]
    assert len({r.view.case.number for r in results}) == 1
    found = counts(branch.ctx)
    assert found["cases"] == 1 and found["outbox"] == 1 and found["intake_keys"] == 1


def open_incident(branch: Branch) -> incidents.Incident:
    started = branch.ctx.now() - timedelta(minutes=20)
    return incidents.create_incident(branch.ctx, draft(started_at=started), actor="M301")


def test_the_incident_chosen_at_intake_is_linked_in_the_same_save(branch: Branch) -> None:
    incident = open_incident(branch)
    key = str(uuid.uuid4())
    saved = cases.save_intake(
        branch.ctx, form=complaint_form(), actor="A001", key=key, incident=incident.number
    )
    assert [e.kind for e in saved.view.events] == ["received", "link_incident"]
    assert saved.view.case.incident == incident.number
    # The retry neither links it twice nor fails because it is already linked.
    again = cases.save_intake(
        branch.ctx, form=complaint_form(), actor="A001", key=key, incident=incident.number
    )
    assert again.already_saved and [e.kind for e in again.view.events] == [
        "received",
        "link_incident",
    ]
    detail = incidents.get_incident(branch.ctx, incident.number, actor="M301")
    assert [c.number for c in detail.cases] == [saved.view.case.number]
    # Saved linked, then retried without the link (or with another one): not a retry.
    with pytest.raises(ValidationError):
        cases.intake(branch.ctx, form=complaint_form(), actor="A001", key=key)


def test_a_link_that_cannot_be_made_saves_nothing(branch: Branch) -> None:
    """The case and its link are one save: an incident that does not exist (or is no
    longer active) refuses the whole intake, instead of leaving a case unlinked."""
    before = counts(branch.ctx)
    with pytest.raises(DomainError) as refused:
        cases.intake(
            branch.ctx,
            form=complaint_form(),
            actor="A001",
            key=str(uuid.uuid4()),
            incident="INC-NONE",
        )
    assert isinstance(refused.value, ValidationError)
    assert [e.field for e in refused.value.errors] == ["incident"]
    assert counts(branch.ctx) == before


def test_saves_without_a_key_are_unchanged(branch: Branch) -> None:
    """Callers that pass no key (demo generation, imports) get a new case every time."""
    one = cases.intake(branch.ctx, form=complaint_form(), actor="A001")
    two = cases.intake(branch.ctx, form=replace(complaint_form()), actor="A001")
    assert one.case.number != two.case.number
    assert counts(branch.ctx)["intake_keys"] == 0
