"""Changing the branch's details and language after set-up: validated like set-up,
written with an audit entry in the same transaction, kept across reopening."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from branchdesk.bootstrap import open_branch
from branchdesk.domain.errors import ValidationError
from branchdesk.persistence.schema import audit_log
from branchdesk.services.branch import branch_info, update_branch, validate_branch_details
from tests.conftest import Branch


def audit_entries(branch: Branch, action: str) -> list[dict[str, object]]:
    with branch.ctx.db.read() as conn:
        rows = conn.execute(
            select(audit_log.c.actor, audit_log.c.detail)
            .where(audit_log.c.action == action)
            .order_by(audit_log.c.id)
        ).all()
    return [{"actor": r.actor, "detail": r.detail} for r in rows]


def test_details_and_language_are_saved_and_audited(branch: Branch) -> None:
    info = update_branch(
        branch.ctx,
        name="  广州天河 营业厅 ",
        address="广州市天河区体育西路 100 号",
        phone="(020) 1234 5678",
        language="en",
        actor="A001",
    )
    assert (info.name, info.address, info.phone, info.language) == (
        "广州天河 营业厅",
        "广州市天河区体育西路 100 号",
        "020-12345678",
        "en",
    )
    assert info.code == "GZ0012"  # not editable
    [entry] = audit_entries(branch, "branch.update")
    assert entry["actor"] == "A001"
    assert entry["detail"] == {
        "name": {"from": "广州天河营业厅", "to": "广州天河 营业厅"},
        "address": {"from": "", "to": "广州市天河区体育西路 100 号"},
        "phone": {"from": "", "to": "020-12345678"},
        "language": {"from": "zh_CN", "to": "en"},
    }
    branch.ctx.db.close()
    reopened = open_branch(branch.data_dir, store=branch.store)
    try:
        again = branch_info(reopened)
        assert (again.name, again.phone, again.language) == (
            "广州天河 营业厅",
            "020-12345678",
            "en",
        )
    finally:
        reopened.db.close()


def test_only_what_is_passed_changes(branch: Branch) -> None:
    update_branch(branch.ctx, phone="020-87654321", actor="A001")
    info = update_branch(branch.ctx, language="en", actor="A001")
    assert (info.name, info.phone, info.language) == ("广州天河营业厅", "020-87654321", "en")
    entries = audit_entries(branch, "branch.update")
    assert [e["detail"] for e in entries] == [
        {"phone": {"from": "", "to": "020-87654321"}},
        {"language": {"from": "zh_CN", "to": "en"}},
    ]


def test_a_change_to_the_same_values_writes_nothing(branch: Branch) -> None:
    update_branch(branch.ctx, name="广州天河营业厅", language="zh_CN", actor="A001")
    assert audit_entries(branch, "branch.update") == []


def test_bad_values_are_refused_with_every_field_and_nothing_written(branch: Branch) -> None:
    with pytest.raises(ValidationError) as caught:
        update_branch(
            branch.ctx,
            name="   ",
            address="x" * 201,
            phone="12345",
            language="fr",
            actor="A001",
        )
    assert {(e.field, e.key) for e in caught.value.errors} == {
        ("branch_name", "error.field.required"),
        ("address", "error.field.too_long"),
        ("phone", "error.phone.invalid"),
        ("language", "error.field.invalid_choice"),
    }
    assert branch_info(branch.ctx).name == "广州天河营业厅"
    assert audit_entries(branch, "branch.update") == []


def test_an_unknown_actor_is_refused(branch: Branch) -> None:
    with pytest.raises(ValidationError) as caught:
        update_branch(branch.ctx, name="别的名字", actor="X999")
    assert [(e.field, e.key) for e in caught.value.errors] == [("actor", "error.staff.unknown")]
    assert branch_info(branch.ctx).name == "广州天河营业厅"


def test_empty_phone_and_address_are_allowed() -> None:
    assert validate_branch_details(name="营业厅", address="", phone="  ", language="zh_CN") == []
    assert [e.key for e in validate_branch_details(name="x" * 81)] == ["error.field.too_long"]
