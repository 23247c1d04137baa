"""Intake validation, phone numbers, resident ID numbers and the reusable field checks."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from branchdesk.domain.catalogue import Catalogue, load_default_catalogue
from branchdesk.domain.errors import FieldError, ValidationError
from branchdesk.domain.identity import (
    mask_id,
    mask_phone,
    normalise_phone,
    validate_resident_id,
)
from branchdesk.domain.model import (
    Appointment,
    CaseKind,
    Channel,
    Customer,
    Grade,
    IntakeForm,
)
from branchdesk.domain.validation import (
    clean_text,
    require_text,
    validate_choice,
    validate_intake,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 29, 10, 30, tzinfo=SHANGHAI)
CATALOGUE = load_default_catalogue()


# --- phone numbers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("13812345678", "13812345678"),
        (" 138 1234 5678 ", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("+8613812345678", "13812345678"),
        ("+86-138-1234-5678", "13812345678"),
        ("0086 13812345678", "13812345678"),
        ("8613812345678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),  # full-width digits from an IME
        ("19912345678", "19912345678"),
        ("15000000000", "15000000000"),
        ("020-12345678", "020-12345678"),
        ("020 1234 5678", "020-12345678"),
        ("02012345678", "020-12345678"),
        ("(020) 12345678", "020-12345678"),
        ("（020）12345678", "020-12345678"),  # full-width brackets
        ("010-87654321", "010-87654321"),
        ("(0755) 8765 4321", "0755-87654321"),
        ("0755-8765-4321", "0755-87654321"),
        ("0571-8765432", "0571-8765432"),
        ("0571 876 5432", "0571-8765432"),
        ("0755-87654321-123", "0755-87654321-123"),
        ("0571-8765432-1", "0571-8765432-1"),
        ("020-12345678-123456", "020-12345678-123456"),
        ("020-12345678转123", "020-12345678-123"),
        ("020-12345678 转 8", "020-12345678-8"),
        ("020-12345678 ext. 12", "020-12345678-12"),
        ("020-12345678x9", "020-12345678-9"),
        ("+86 20 1234 5678", "020-12345678"),
        ("+86 (0)20 1234 5678", "020-12345678"),
        ("+86 755 8765 4321", "0755-87654321"),
        ("400-123-4567", "4001234567"),
        ("4001234567", "4001234567"),
        ("800 123 4567", "8001234567"),
        ("400 8888 666", "4008888666"),
    ],
)
def test_valid_phone_numbers(raw: str, canonical: str) -> None:
    assert normalise_phone(raw) == canonical
    assert normalise_phone(canonical) == canonical


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "abc",
        "12812345678",  # no mobile prefix 12x
        "11012345678",
        "1381234567",  # 10 digits
        "138123456789",  # 12 digits
        "23812345678",
        "+1 415 555 1234",  # not mainland
        "+852 9123 4567",
        "+86 138 1234 567",
        "008613812345",
        "++8613812345678",
        "138+12345678",
        "13812345678-12",  # mobiles have no extension
        "13812345678转12",
        "020-1234567",  # 2-digit area codes have 8-digit local numbers
        "010-123456789",
        "0755-123456",
        "0755-123456789",
        "011-12345678",  # no such area code
        "001-12345678",
        "0755-02345678",  # local numbers do not start with 0
        "87654321",  # no area code
        "020-12345678-1234567",  # extension too long
        "020-12345678转",
        "020-12345678转12转3",
        "(020 12345678",
        "020) 12345678(",
        "020-1234a678",
        "400-123-456",
        "401-123-4567",
        "+86 400 123 4567",
        "1" * 41,
    ],
)
def test_invalid_phone_numbers(raw: str) -> None:
    assert normalise_phone(raw) is None


@given(
    st.sampled_from(["13", "14", "15", "16", "17", "18", "19"]),
    st.text("0123456789", min_size=9, max_size=9),
    st.sampled_from(["", "+86", "+86 ", "0086", "0086-", "86"]),
    st.sampled_from(["", " ", "-"]),
)
def test_any_mobile_written_any_way_normalises(
    prefix: str, rest: str, country: str, sep: str
) -> None:
    number = prefix + rest
    written = country + sep.join([number[:3], number[3:7], number[7:]])
    assert normalise_phone(written) == number


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812341234", "138****1234"),
        ("+86 138 1234 5678", "138****5678"),
        ("020-12345678", "020-****5678"),
        ("0755-87654321-123", "0755-****4321"),
        ("0571-8765432", "0571-***5432"),
        ("4001234567", "400***4567"),
        ("not a phone 99", "**********e 99"),
        ("12", "****"),
    ],
)
def test_mask_phone(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


# --- resident ID numbers ---------------------------------------------------------------


def _check_char(first17: str) -> str:
    """GB 11643 check character, written out independently of the code under test."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]


@pytest.mark.parametrize(
    "published",
    [
        "11010519491231002X",  # GB 11643-1999's example
        "440524188001010014",  # GB 11643-1999's example, born 1880
    ],
)
def test_published_resident_ids_are_valid(published: str) -> None:
    assert validate_resident_id(published) == published
    assert _check_char(published[:17]) == published[17]


@pytest.mark.parametrize(
    "first17",
    [
        "44030619900307123",
        "31010119851231456",
        "65010220000229987",  # leap day
        "81000019701010001",  # Hong Kong residence permit
        "91100020100101001",  # foreigner's permanent residence card (starts with 9)
        "11010520261129000",  # born today
    ],
)
def test_computed_resident_ids_are_valid(first17: str) -> None:
    full = first17 + _check_char(first17)
    assert validate_resident_id(full, today=NOW.date()) == full


def test_resident_id_is_canonicalised() -> None:
    assert validate_resident_id(" 11010519491231002x ") == "11010519491231002X"
    assert validate_resident_id("110105 19491231 002X") == "11010519491231002X"
    assert validate_resident_id("１１０１０５１９４９１２３１００２Ｘ") == "11010519491231002X"


def _with_check(first17: str) -> str:
    return first17 + _check_char(first17)


@pytest.mark.parametrize(
    "raw",
    [
        "110105194912310021",  # wrong check character
        "11010519491231002Y",
        "11010519491231002",  # 17 characters
        "11010519491231002X1",
        "X10105194912310021",
        "1101051949123100X2",
        _with_check("11010519490230002"),  # 30 February
        _with_check("11010519491301002"),  # month 13
        _with_check("11010520261130002"),  # born tomorrow
        _with_check("11010518001231002"),  # before any living person
        _with_check("00010519491231002"),  # no such province
        _with_check("99010519491231002"),
        "",
    ],
)
def test_invalid_resident_ids(raw: str) -> None:
    assert validate_resident_id(raw, today=NOW.date()) is None


def test_every_single_digit_change_fails_the_checksum() -> None:
    valid = "11010519491231002X"
    for i in range(17):
        for digit in "0123456789":
            if digit != valid[i]:
                changed = valid[:i] + digit + valid[i + 1 :]
                assert validate_resident_id(changed) is None, changed


def test_mask_id() -> None:
    assert mask_id("11010519491231002X") == "1101**********002X"
    assert mask_id("1234") == "****"


# --- text and choices ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "min_len", "max_len", "multiline", "expected"),
    [
        (None, 0, 10, False, []),
        ("", 0, 10, False, []),
        (None, 1, 10, False, [FieldError("f", "error.field.required")]),
        ("  \n ", 1, 10, False, [FieldError("f", "error.field.required")]),
        ("\u200b", 1, 10, False, [FieldError("f", "error.field.required")]),
        (42, 0, 10, False, [FieldError("f", "error.field.invalid")]),
        ("a", 2, 10, False, [FieldError("f", "error.field.too_short", {"min": 2})]),
        ("断网", 2, 10, False, []),
        ("一二三四五六七八九十", 1, 10, False, []),
        (
            "一二三四五六七八九十一",
            1,
            10,
            False,
            [FieldError("f", "error.field.too_long", {"max": 10})],
        ),
        ("a\x00b", 0, 10, False, [FieldError("f", "error.field.control_chars")]),
        ("a\x1bb", 0, 10, True, [FieldError("f", "error.field.control_chars")]),
        ("a\u202eb", 0, 10, True, [FieldError("f", "error.field.control_chars")]),
        ("a\u200db", 0, 10, False, [FieldError("f", "error.field.control_chars")]),
        ("a\u200db", 0, 10, True, []),  # joiners belong in emoji sequences
        ("a\nb\tc", 0, 10, True, []),
        ("a\nb", 0, 10, False, []),  # single line: the break becomes a space
        ("\ud800", 0, 10, True, [FieldError("f", "error.field.control_chars")]),
    ],
)
def test_require_text(
    value: Any, min_len: int, max_len: int, multiline: bool, expected: list[FieldError]
) -> None:
    result = require_text("f", value, min_len=min_len, max_len=max_len, multiline=multiline)
    assert result == expected


def test_clean_text() -> None:
    assert clean_text("  张  三\n ") == "张 三"
    assert clean_text("\ufeffname\u200b") == "name"
    assert clean_text(" first  \r\nsecond \rthird\n\n", multiline=True) == "first\nsecond\nthird"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("complaint", []),
        (" Complaint ", []),
        (CaseKind.COMPLAINT, []),
        ("", [FieldError("kind", "error.field.required")]),
        (None, [FieldError("kind", "error.field.required")]),
        ("gossip", [FieldError("kind", "error.field.invalid_choice", {"value": "gossip"})]),
        (3, [FieldError("kind", "error.field.invalid_choice", {"value": "3"})]),
    ],
)
def test_validate_choice(value: Any, expected: list[FieldError]) -> None:
    assert validate_choice("kind", value, CaseKind) == expected


# --- intake ---------------------------------------------------------------------------------


def _form(**changes: Any) -> IntakeForm:
    form = IntakeForm(
        kind="complaint",
        channel="walk_in",
        category="technical/network",
        customer=Customer(name="张三", phone="13812345678"),
        summary="宽带频繁断网",
        remedy="尽快修复并减免当月费用",
    )
    return replace(form, **changes)


def _customer(**changes: Any) -> Customer:
    return replace(Customer(name="张三", phone="13812345678"), **changes)


def _errors(
    form: IntakeForm, catalogue: Catalogue = CATALOGUE, now: datetime = NOW
) -> list[FieldError]:
    with pytest.raises(ValidationError) as caught:
        validate_intake(form, catalogue, now=now)
    assert caught.value.key == "error.validation"
    assert caught.value.params == {"count": len(caught.value.errors)}
    return list(caught.value.errors)


def _appointment(start: datetime, hours: float = 2, **changes: Any) -> Appointment:
    return replace(
        Appointment(service_type="宽带新装", start=start, end=start + timedelta(hours=hours)),
        **changes,
    )


def test_valid_form_comes_back_normalised() -> None:
    form = _form(
        kind=" Complaint ",
        channel="walk_in",
        category=" technical/network ",
        customer=Customer(
            name="  张三 ",
            phone="+86 138-1234-5678",
            id_number="11010519491231002x",
            service_number=" 0755 8765 4321 ",
            address="  深圳市  南山区 ",
        ),
        summary="  宽带\n频繁断网 ",
        description="第一行  \r\n第二行\n",
        remedy=" 尽快修复 ",
        event_date=date(2026, 11, 28),
        event_place="  ",
        business=" 宽带 ",
    )
    result = validate_intake(form, CATALOGUE, now=NOW)
    assert result.kind is CaseKind.COMPLAINT
    assert result.channel is Channel.WALK_IN
    assert result.grade is Grade.ORDINARY
    assert result.category == "technical/network"
    assert result.customer == Customer(
        name="张三",
        phone="13812345678",
        id_number="11010519491231002X",
        service_number="075587654321",
        address="深圳市 南山区",
    )
    assert result.summary == "宽带 频繁断网"
    assert result.description == "第一行\n第二行"
    assert result.remedy == "尽快修复"
    assert result.event_date == date(2026, 11, 28)
    assert result.event_place is None
    assert result.business == "宽带"
    assert result.received_at == NOW
    assert result.appointment is None


def test_every_field_wrong_at_once_gives_one_error_per_field() -> None:
    form = IntakeForm(
        kind="gossip",
        channel="pigeon",
        category="no/such",
        customer=Customer(
            name="",
            phone="12345",
            id_number="110105194912310021",
            service_number="ab",
            address="址" * 201,
        ),
        summary="短",
        description="述" * 4001,
        remedy="求" * 1001,
        grade="enormous",
        event_date=date(2026, 11, 30),
        event_place="地" * 201,
        business="bad\x00",
        received_at=NOW + timedelta(hours=1),
        appointment=Appointment(
            service_type="",
            start=NOW - timedelta(days=3),
            end=NOW - timedelta(days=4),
            staff="员" * 41,
            content="容\x07",
        ),
        extra={"note": "x\x00"},
    )
    errors = _errors(form)
    fields = [e.field for e in errors]
    assert sorted(fields) == sorted(
        [
            "kind",
            "channel",
            "category",
            "grade",
            "customer.name",
            "customer.phone",
            "customer.id_number",
            "customer.service_number",
            "customer.address",
            "summary",
            "description",
            "remedy",
            "event_date",
            "event_place",
            "business",
            "received_at",
            "appointment.service_type",
            "appointment.start",
            "appointment.end",
            "appointment.staff",
            "appointment.content",
            "extra.note",
        ]
    )
    by_field = {e.field: e for e in errors}
    assert by_field["customer.id_number"].key == "error.id_number.checksum"
    assert by_field["customer.phone"].key == "error.phone.invalid"
    assert by_field["summary"] == FieldError("summary", "error.field.too_short", {"min": 2})
    assert by_field["appointment.end"].key == "error.appointment.end_before_start"
    assert by_field["received_at"].key == "error.received_at.future"


def test_required_fields_missing() -> None:
    form = _form(customer=_customer(name=" ", phone=""), summary="", category="", remedy="")
    assert _errors(form) == [
        FieldError("category", "error.field.required"),
        FieldError("customer.name", "error.field.required"),
        FieldError("customer.phone", "error.field.required"),
        FieldError("summary", "error.field.required"),
        FieldError("remedy", "error.field.required"),
    ]


def test_remedy_is_optional_outside_complaints() -> None:
    form = _form(kind="consultation", category="consultation/billing", remedy="")
    assert validate_intake(form, CATALOGUE, now=NOW).remedy == ""


@pytest.mark.parametrize(
    ("category", "key", "params"),
    [
        ("technical", "error.category.not_leaf", {}),
        ("technical/teleportation", "error.category.unknown", {}),
        ("service_request/relocation", "error.category.wrong_kind", {"kind": "complaint"}),
    ],
)
def test_category_rules(category: str, key: str, params: dict[str, Any]) -> None:
    assert _errors(_form(category=category)) == [FieldError("category", key, params)]


def test_retired_category_is_refused_for_new_cases() -> None:
    catalogue = Catalogue.from_json(
        {
            "version": "t",
            "categories": [
                {
                    "code": "technical",
                    "names": {"zh_CN": "服务技术", "en": "Technical"},
                    "kinds": ["complaint"],
                    "children": [
                        {"code": "network", "names": {"zh_CN": "网络", "en": "Network"}},
                        {
                            "code": "pager",
                            "names": {"zh_CN": "寻呼", "en": "Pager"},
                            "active": False,
                        },
                    ],
                }
            ],
        }
    )
    assert validate_intake(_form(), catalogue, now=NOW).category == "technical/network"
    assert _errors(_form(category="technical/pager"), catalogue) == [
        FieldError("category", "error.category.retired")
    ]


@pytest.mark.parametrize(
    ("kind", "category"),
    [("consultation", "consultation/plans"), ("service_request", "service_request/fault_repair")],
)
@pytest.mark.parametrize("grade", ["major", "urgent"])
def test_only_complaints_are_major_or_urgent(kind: str, category: str, grade: str) -> None:
    form = _form(kind=kind, category=category, grade=grade)
    assert _errors(form) == [FieldError("grade", "error.grade.complaint_only")]


@pytest.mark.parametrize("grade", ["major", "urgent", "ordinary"])
def test_complaints_take_every_grade(grade: str) -> None:
    assert validate_intake(_form(grade=grade), CATALOGUE, now=NOW).grade == grade


@pytest.mark.parametrize(
    ("id_number", "key"),
    [
        ("123", "error.id_number.format"),
        (_with_check("00010519491231002"), "error.id_number.region"),
        (_with_check("11010519490230002"), "error.id_number.birth_date"),
        (_with_check("11010520261130002"), "error.id_number.birth_date"),  # born tomorrow
        ("110105194912310021", "error.id_number.checksum"),
    ],
)
def test_id_number_problems_are_told_apart(id_number: str, key: str) -> None:
    form = _form(customer=_customer(id_number=id_number))
    assert _errors(form) == [FieldError("customer.id_number", key)]


@pytest.mark.parametrize("service_number", ["1234", "a" * 33, "ab_cd1", "账号12345"])
def test_bad_service_numbers(service_number: str) -> None:
    form = _form(customer=_customer(service_number=service_number))
    assert _errors(form) == [FieldError("customer.service_number", "error.service_number.invalid")]


def test_optional_customer_fields_may_be_blank() -> None:
    form = _form(customer=_customer(id_number=" ", service_number="", address=" "))
    customer = validate_intake(form, CATALOGUE, now=NOW).customer
    assert (customer.id_number, customer.service_number, customer.address) == (None, None, None)


@pytest.mark.parametrize("name", ["张" * 40, "Zhang San", "阿卜杜·热合曼", "X"])
def test_names_that_are_fine(name: str) -> None:
    form = _form(customer=_customer(name=name))
    assert validate_intake(form, CATALOGUE, now=NOW).customer.name == name


def test_name_too_long() -> None:
    form = _form(customer=_customer(name="张" * 41))
    assert _errors(form) == [FieldError("customer.name", "error.field.too_long", {"max": 40})]


def test_event_date_today_is_fine_tomorrow_is_not() -> None:
    assert (
        validate_intake(_form(event_date=NOW.date()), CATALOGUE, now=NOW).event_date == NOW.date()
    )
    assert _errors(_form(event_date=date(2026, 11, 30))) == [
        FieldError("event_date", "error.date.future")
    ]


def test_event_date_given_as_datetime_is_kept_as_a_day() -> None:
    form = _form(event_date=datetime(2026, 11, 1, 9, 0))
    assert validate_intake(form, CATALOGUE, now=NOW).event_date == date(2026, 11, 1)


@pytest.mark.parametrize(
    "offset",
    [timedelta(seconds=59), timedelta(0), -timedelta(days=90), -timedelta(days=3)],
)
def test_received_at_within_range(offset: timedelta) -> None:
    form = _form(received_at=NOW + offset)
    assert validate_intake(form, CATALOGUE, now=NOW).received_at == NOW + offset


def test_received_at_in_the_future() -> None:
    form = _form(received_at=NOW + timedelta(seconds=61))
    assert _errors(form) == [FieldError("received_at", "error.received_at.future")]


def test_received_at_too_long_ago() -> None:
    form = _form(received_at=NOW - timedelta(days=90, seconds=1))
    assert _errors(form) == [FieldError("received_at", "error.received_at.too_old", {"days": 90})]


def test_naive_received_at_is_read_in_the_branch_zone() -> None:
    form = _form(received_at=datetime(2026, 11, 29, 9, 0))
    expected = datetime(2026, 11, 29, 9, 0, tzinfo=SHANGHAI)
    assert validate_intake(form, CATALOGUE, now=NOW).received_at == expected


def test_aware_received_at_with_naive_now_is_refused() -> None:
    form = _form(received_at=NOW - timedelta(hours=1))
    naive_now = NOW.replace(tzinfo=None)
    assert _errors(form, now=naive_now) == [FieldError("received_at", "error.field.invalid")]


def _request(**changes: Any) -> IntakeForm:
    return _form(kind="service_request", category="service_request/broadband_install", **changes)


def test_appointment_for_a_service_request() -> None:
    start = NOW + timedelta(days=1)
    appointment = _appointment(start, hours=8, staff=" 李师傅 ", content=" 上门安装 \n")
    result = validate_intake(_request(appointment=appointment), CATALOGUE, now=NOW)
    assert result.appointment == Appointment(
        service_type="宽带新装",
        start=start,
        end=start + timedelta(hours=8),
        staff="李师傅",
        content="上门安装",
    )


@pytest.mark.parametrize(
    "kind, category",
    [("complaint", "technical/network"), ("consultation", "consultation/broadband")],
)
def test_appointment_only_for_service_requests(kind: str, category: str) -> None:
    form = _form(kind=kind, category=category, appointment=_appointment(NOW + timedelta(days=1)))
    assert _errors(form) == [
        FieldError("appointment", "error.appointment.not_allowed", {"kind": kind})
    ]


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        (NOW - timedelta(hours=23), 1, []),
        (
            NOW - timedelta(hours=25),
            1,
            [FieldError("appointment.start", "error.appointment.start_past")],
        ),
        (NOW, 0, [FieldError("appointment.end", "error.appointment.end_before_start")]),
        (NOW, -1, [FieldError("appointment.end", "error.appointment.end_before_start")]),
        (NOW, 8.02, [FieldError("appointment.end", "error.appointment.too_long", {"hours": 8})]),
    ],
)
def test_appointment_times(start: datetime, hours: float, expected: list[FieldError]) -> None:
    form = _request(appointment=_appointment(start, hours=hours))
    if expected:
        assert _errors(form) == expected
    else:
        assert validate_intake(form, CATALOGUE, now=NOW).appointment is not None


def test_appointment_needs_a_service_type() -> None:
    form = _request(appointment=_appointment(NOW + timedelta(hours=2), service_type=" "))
    assert _errors(form) == [FieldError("appointment.service_type", "error.field.required")]


def test_extra_entries() -> None:
    form = _form(extra={"queue_ticket": " A017 ", "empty": ""})
    assert validate_intake(form, CATALOGUE, now=NOW).extra == {"queue_ticket": "A017"}
    assert _errors(_form(extra={"bad key!": "x"})) == [FieldError("extra", "error.field.invalid")]
    too_many = {f"k{i}": "v" for i in range(51)}
    assert _errors(_form(extra=too_many)) == [
        FieldError("extra", "error.field.too_many", {"max": 50})
    ]


def test_wrongly_typed_values_are_reported_not_crashed_on() -> None:
    form = _form(
        customer="张三",
        event_date="yesterday",
        received_at="now",
        appointment="tomorrow",
        extra=["x"],
        summary=None,
    )
    assert {e.field: e.key for e in _errors(form)} == {
        "customer": "error.field.invalid",
        "event_date": "error.field.invalid",
        "received_at": "error.field.invalid",
        "appointment": "error.field.invalid",
        "extra": "error.field.invalid",
        "summary": "error.field.required",
    }


texts = st.text(max_size=60) | st.sampled_from(["", " ", "13812345678", "宽带断网", "\x00"])


@given(
    kind=st.sampled_from([*CaseKind, "x", ""]),
    channel=st.sampled_from([*Channel, "x"]),
    grade=st.sampled_from([*Grade, "x"]),
    category=st.sampled_from([c.code for c in CATALOGUE.categories] + ["x"]),
    name=texts,
    phone=texts,
    id_number=st.none() | texts,
    service_number=st.none() | texts,
    summary=texts,
    remedy=texts,
    received=st.none() | st.datetimes(timezones=st.just(SHANGHAI)) | st.datetimes(),
)
def test_any_input_gives_a_form_or_field_errors(
    kind: str,
    channel: str,
    grade: str,
    category: str,
    name: str,
    phone: str,
    id_number: str | None,
    service_number: str | None,
    summary: str,
    remedy: str,
    received: datetime | None,
) -> None:
    form = IntakeForm(
        kind=kind,
        channel=channel,
        grade=grade,
        category=category,
        customer=Customer(
            name=name, phone=phone, id_number=id_number, service_number=service_number
        ),
        summary=summary,
        remedy=remedy,
        received_at=received,
    )
    try:
        result = validate_intake(form, CATALOGUE, now=NOW)
    except ValidationError as error:
        fields = [e.field for e in error.errors]
        assert len(fields) == len(set(fields))  # one error per field
        assert error.errors
    else:
        assert result.customer.phone == normalise_phone(phone)
        assert result.received_at is not None
