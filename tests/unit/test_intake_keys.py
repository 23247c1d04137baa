"""The intake form's digest and id format (`services.intake_keys`), without a database:
the same form gives the same digest however it was built, and any change to what it
says, who saves it or the incident gives another one."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from branchdesk.domain.errors import ValidationError
from branchdesk.domain.model import Appointment, Customer, IntakeForm
from branchdesk.services.intake_keys import check_key, fingerprint

TZ = ZoneInfo("Asia/Shanghai")
text = st.text(min_size=0, max_size=40)


def form(name: str, phone: str, summary: str, remedy: str) -> IntakeForm:
    return IntakeForm(
        kind="service_request",
        channel="walk_in",
        category="service/installation",
        customer=Customer(name=name, phone=phone),
        summary=summary,
        remedy=remedy,
        appointment=Appointment(
            service_type="宽带安装",
            start=datetime(2026, 11, 26, 14, 0, tzinfo=TZ),
            end=datetime(2026, 11, 26, 15, 0, tzinfo=TZ),
        ),
    )


@given(name=text, phone=text, summary=text, remedy=text)
def test_the_same_form_has_the_same_digest(
    name: str, phone: str, summary: str, remedy: str
) -> None:
    one = fingerprint(form(name, phone, summary, remedy), actor="C101", incident=None)
    two = fingerprint(form(name, phone, summary, remedy), actor="C101", incident=None)
    assert one == two and len(one) == 64


@given(name=text, summary=text, other=text)
def test_any_change_gives_another_digest(name: str, summary: str, other: str) -> None:
    base = form(name, "13812345678", summary, "")
    digest = fingerprint(base, actor="C101", incident=None)
    if other != summary:
        assert fingerprint(replace(base, summary=other), actor="C101", incident=None) != digest
    if other != name:
        changed = replace(base, customer=replace(base.customer, name=other))
        assert fingerprint(changed, actor="C101", incident=None) != digest
    assert fingerprint(base, actor="C102", incident=None) != digest
    assert fingerprint(base, actor="C101", incident="INC-1") != digest
    assert base.appointment is not None
    slot = replace(base.appointment, start=datetime(2026, 11, 26, 14, 30, tzinfo=TZ))
    later = replace(base, appointment=slot)
    assert fingerprint(later, actor="C101", incident=None) != digest


@pytest.mark.parametrize(
    "key", ["6f1c2a9e-3b7d-4e58-9a61-0c2f7d5e8b14", "counter-3-form-0001", "a" * 64, "x.y:z_1-2"]
)
def test_ids_a_caller_would_give_are_accepted(key: str) -> None:
    assert check_key(key) == key


@pytest.mark.parametrize(
    "key", ["", "1234567", "a" * 65, "-leading-dash", "with space", "表单-12345678"]
)
def test_other_ids_are_refused_naming_the_field(key: str) -> None:
    with pytest.raises(ValidationError) as refused:
        check_key(key)
    assert [(e.field, e.key) for e in refused.value.errors] == [
        ("idempotency_key", "error.intake_key.format")
    ]
