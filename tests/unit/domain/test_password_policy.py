"""The password policy: every rule on its own, the field the errors name, and the
properties that must hold for any input (it never raises, width and case tricks do
not get around it)."""

from __future__ import annotations

import random
import unicodedata

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from branchdesk.domain.errors import FieldError
from branchdesk.domain.password_policy import (
    MAX_LENGTH,
    MIN_LENGTH,
    check_password,
    common_passwords,
)

GOOD = "Counter#2026"
STAFF_NO = "C101"
NAME = "Wang"


def keys(password: str, *, staff_no: str = STAFF_NO, name: str = NAME) -> list[str]:
    return [e.key for e in check_password(password, staff_no=staff_no, name=name)]


def test_a_good_password_passes() -> None:
    assert check_password(GOOD, staff_no=STAFF_NO, name=NAME) == []


def test_the_errors_name_the_field_asked_for() -> None:
    errors = check_password("short", staff_no=STAFF_NO, field="password")
    assert errors and {e.field for e in errors} == {"password"}
    assert {e.field for e in check_password("short", staff_no=STAFF_NO)} == {"new_password"}


# --- length ----------------------------------------------------------------------------


def test_too_short_says_the_minimum() -> None:
    errors = check_password("Ab#1234", staff_no=STAFF_NO)
    assert errors == [FieldError("new_password", "error.password.too_short", {"min": MIN_LENGTH})]
    assert keys("Ab#12345") == []


def test_too_long_says_the_maximum() -> None:
    at_limit = ("Ab#1" * 40)[:MAX_LENGTH]
    assert keys(at_limit) == []
    errors = check_password(at_limit + "x", staff_no=STAFF_NO)
    assert errors == [FieldError("new_password", "error.password.too_long", {"max": MAX_LENGTH})]


def test_empty_is_too_short() -> None:
    assert "error.password.too_short" in keys("")


def test_length_counts_characters_not_bytes() -> None:
    # Eight Chinese characters and a digit: 9 characters (27 bytes in UTF-8).
    assert "error.password.too_short" not in keys("营业厅服务台密码9")
    assert keys("营业厅服务9") == ["error.password.too_short"]


# --- control characters ----------------------------------------------------------------


@pytest.mark.parametrize("ch", ["\x00", "\n", "\t", "\x7f", "\u200b", "\u202e"])
def test_control_and_invisible_format_characters_are_refused(ch: str) -> None:
    assert "error.field.control_chars" in keys("Counter" + ch + "#2026")


# --- character kinds --------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    ["Countersign", "73915284", "#$%&*!@^~", "营业厅服务台柜台密码"],
)
def test_one_kind_of_character_is_not_enough(password: str) -> None:
    assert "error.password.one_kind" in keys(password)


@pytest.mark.parametrize("password", ["counter2026", "counter#desk", "7391#5284", "营业厅柜台2026"])
def test_two_kinds_are_enough(password: str) -> None:
    assert keys(password) == []


# --- guessable -------------------------------------------------------------------------


@pytest.mark.parametrize("password", ["password123", "P@ssw0rd", "Aa123456", "ADMIN@123"])
def test_common_passwords_are_refused_in_any_case(password: str) -> None:
    assert "error.password.common" in keys(password)


def test_the_common_list_is_shipped_and_lower_cased() -> None:
    listed = common_passwords()
    assert len(listed) > 50
    assert all(p == p.lower() for p in listed)
    assert "woaini1314" in listed


@pytest.mark.parametrize("password", ["aaaaaaaa1", "a1a1a1a1", "#1#1#1#1#1"])
def test_two_or_fewer_distinct_characters_count_as_common(password: str) -> None:
    assert "error.password.common" in keys(password)


def test_three_distinct_characters_are_not_common_by_that_rule() -> None:
    assert "error.password.common" not in keys("ab1ab1ab1")


# --- the person's own details -----------------------------------------------------------


def test_the_staff_number_in_any_case_is_refused() -> None:
    assert keys("desk-c101-x") == ["error.password.contains_staff_no"]
    assert keys("DESK#C101") == ["error.password.contains_staff_no"]


def test_the_name_in_any_case_is_refused() -> None:
    assert keys("wang#2026x") == ["error.password.contains_name"]
    assert keys("2026-WANG!") == ["error.password.contains_name"]
    assert keys("张伟#20261", name="张伟") == ["error.password.contains_name"]


def test_a_blank_name_or_staff_number_is_not_matched_everywhere() -> None:
    assert keys(GOOD, name="   ") == []
    assert keys(GOOD, staff_no="") == []


# --- properties ---------------------------------------------------------------------------


@given(st.text(max_size=200), st.text(max_size=30), st.text(max_size=30))
def test_it_never_raises_and_every_error_is_on_the_field(
    password: str, staff_no: str, name: str
) -> None:
    errors = check_password(password, staff_no=staff_no, name=name, field="pw")
    assert all(isinstance(e, FieldError) and e.field == "pw" for e in errors)
    assert all(e.key.startswith(("error.password.", "error.field.")) for e in errors)


@given(st.text(max_size=MIN_LENGTH - 1))
def test_anything_shorter_than_the_minimum_is_refused(password: str) -> None:
    assume(len(unicodedata.normalize("NFKC", password)) < MIN_LENGTH)
    assert "error.password.too_short" in keys(password)


@given(st.text(st.characters(categories=["L"]), min_size=MIN_LENGTH, max_size=40))
def test_letters_alone_never_pass(password: str) -> None:
    # Judged after NFKC, which turns some letters into letters and punctuation
    # ("Ŀ" is "L·"): those are two kinds, fairly.
    assume(unicodedata.normalize("NFKC", password).isalpha())
    assert check_password(password, staff_no=STAFF_NO) != []


@given(st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=40))
def test_full_width_forms_are_judged_as_their_ascii_twins(password: str) -> None:
    # Full-width ASCII (Ａ, ＃, ２…) is what a Chinese input method types by default;
    # NFKC folds it, so "Ｐａｓｓｗｏｒｄ" is as common as "Password".
    wide = "".join(chr(ord(ch) + 0xFEE0) for ch in password)
    assert keys(wide) == keys(password)


@given(
    st.text(st.characters(categories=["Ll", "Lu", "Nd"], max_codepoint=0x7F), min_size=3),
    st.text(st.characters(categories=["Ll", "Lu", "Nd"], max_codepoint=0x7F), max_size=10),
    st.text(st.characters(categories=["Ll", "Lu", "Nd"], max_codepoint=0x7F), max_size=10),
)
def test_a_password_holding_the_staff_number_never_passes(
    staff_no: str, before: str, after: str
) -> None:
    password = before + staff_no.swapcase() + "#" + after + "2026x"
    assert check_password(password, staff_no=staff_no) != []


# Long, mixed, and built from characters no shipped common password or test identity uses.
_SAFE_PART = st.text(
    st.characters(whitelist_categories=["Lo"], max_codepoint=0x9FFF, min_codepoint=0x4E00),
    min_size=MIN_LENGTH - 2,
    max_size=40,
)


@given(_SAFE_PART, st.integers(min_value=0, max_value=10**6))
def test_long_mixed_passwords_pass(letters: str, digits: int) -> None:
    assume(len(set(letters)) >= 2)
    password = f"{letters}#{digits}"
    assume(len(password) <= MAX_LENGTH)
    assert check_password(password, staff_no=STAFF_NO, name=NAME) == []


@given(st.sampled_from(sorted(common_passwords())), st.randoms())
def test_every_common_password_is_refused_whatever_its_case(
    password: str, rnd: random.Random
) -> None:
    mixed = "".join(ch.upper() if rnd.random() < 0.5 else ch for ch in password)
    assert "error.password.common" in keys(mixed, staff_no="", name="")
