"""Case numbers: shape, round trip, and that typos are caught by the check character."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from branchdesk.domain.case_numbers import (
    ALPHABET,
    QUASIGROUP,
    CaseNumber,
    check_character,
    format_case_number,
    is_valid_case_number,
    parse_case_number,
    validate_branch_code,
)
from branchdesk.domain.errors import FieldError, ValidationError

branch_codes = st.builds(
    lambda letters, digits: letters + digits,
    st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2),
    st.text("0123456789", min_size=4, max_size=4),
)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
sequences = st.one_of(st.integers(1, 9999), st.integers(1, 999_999))
numbers = st.builds(format_case_number, branch_codes, days, sequences)


def _error_key(text: str) -> str:
    with pytest.raises(ValidationError) as caught:
        parse_case_number(text)
    [error] = caught.value.errors
    assert error.field == "case_number"
    return error.key


def test_example_shape() -> None:
    assert format_case_number("GZ0012", date(2026, 11, 29), 7) == "GZ0012-20261129-0007K"


def test_sequence_widens_past_9999() -> None:
    number = format_case_number("GZ0012", date(2026, 11, 29), 10000)
    assert number.startswith("GZ0012-20261129-10000") and len(number) == 22
    assert parse_case_number(number).seq == 10000


@given(branch_codes, days, sequences)
def test_round_trip(branch: str, day: date, seq: int) -> None:
    text = format_case_number(branch, day, seq)
    assert parse_case_number(text) == CaseNumber(branch, day, seq, text)
    assert is_valid_case_number(text)


@given(numbers)
def test_lower_case_spaces_and_full_width_are_accepted(text: str) -> None:
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in text)  # what a Chinese IME types
    for variant in (text.lower(), f"  {text}\t", full_width):
        assert parse_case_number(variant).text == text


SUBSTITUTES = ALPHABET + "-"


@settings(max_examples=300)
@given(numbers)
def test_every_single_substitution_is_detected(text: str) -> None:
    for i, original in enumerate(text):
        for replacement in SUBSTITUTES:
            if replacement != original:
                typo = text[:i] + replacement + text[i + 1 :]
                assert not is_valid_case_number(typo), typo


@settings(max_examples=300)
@given(numbers)
def test_every_adjacent_transposition_is_detected(text: str) -> None:
    for i in range(len(text) - 1):
        if text[i] != text[i + 1]:
            typo = text[:i] + text[i + 1] + text[i] + text[i + 2 :]
            assert not is_valid_case_number(typo), typo


def test_transposition_with_the_check_character_is_detected() -> None:
    # Sequence 80 is where ISO 7064 MOD 37,36 lets GZ0012-20261129-00801 pass as …-00810.
    text = format_case_number("GZ0012", date(2026, 11, 29), 80)
    swapped = text[:-2] + text[-1] + text[-2]
    assert text != swapped
    assert not is_valid_case_number(swapped)


def test_quasigroup_is_totally_anti_symmetric_with_zero_diagonal() -> None:
    size = len(ALPHABET)
    everything = list(range(size))
    for x in range(size):
        assert sorted(QUASIGROUP[x]) == everything  # rows are permutations
        assert sorted(QUASIGROUP[y][x] for y in range(size)) == everything  # and columns
        assert QUASIGROUP[x][x] == 0
    for c in range(size):
        row = QUASIGROUP[c]
        for x in range(size):
            for y in range(x + 1, size):
                assert QUASIGROUP[row[x]][y] != QUASIGROUP[row[y]][x], (c, x, y)


def test_check_character_ignores_separators() -> None:
    assert check_character("GZ0012-20261129-0007") == check_character("GZ0012202611290007")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "GZ0012-20261129-0007",  # no check character
        "GZ001-20261129-0007K",
        "G20012-20261129-0007K",
        "GZ0012-2026112-0007K",
        "GZ0012-20261129-007K",
        "GZ0012-20261129-1234567K",
        "GZ001220261129-0007K",
        "GZ0012_20261129_0007K",
        "GZ0012-20261129-0007-K",
        "GZ0012-20261129-0007K-",
        "GZ0012 - 20261129 - 0007K",
    ],
)
def test_malformed_numbers(text: str) -> None:
    assert _error_key(text) == "error.case_number.format"


def test_padded_wide_sequence_is_not_a_second_spelling() -> None:
    body = "GZ0012-20261129-00007"
    assert _error_key(body + check_character(body)) == "error.case_number.format"


def test_sequence_zero_is_refused() -> None:
    body = "GZ0012-20261129-0000"
    assert _error_key(body + check_character(body)) == "error.case_number.format"


def test_wrong_check_character() -> None:
    assert _error_key("GZ0012-20261129-0007J") == "error.case_number.check"


@pytest.mark.parametrize("digits", ["20261131", "20250229", "20261300", "00000000"])
def test_impossible_day(digits: str) -> None:
    body = f"GZ0012-{digits}-0001"
    assert _error_key(body + check_character(body)) == "error.case_number.date"


def test_leap_day_is_a_real_day() -> None:
    text = format_case_number("SZ0001", date(2028, 2, 29), 1)
    assert parse_case_number(text).day == date(2028, 2, 29)


@pytest.mark.parametrize("value", [None, 20261129])
def test_non_text_is_malformed(value: object) -> None:
    assert not is_valid_case_number(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("code", ["GZ0012", "BJ0000", "SZ9999"])
def test_valid_branch_codes(code: str) -> None:
    assert validate_branch_code(code) == []


@pytest.mark.parametrize("code", ["gz0012", "GZ012", "GZ00123", "G00012", "GZ001A", " GZ0012", ""])
def test_invalid_branch_codes(code: str) -> None:
    assert validate_branch_code(code) == [FieldError("branch_code", "error.branch_code.format")]


@pytest.mark.parametrize(
    ("branch", "seq"), [("gz0012", 1), ("GZ12", 1), ("GZ0012", 0), ("GZ0012", 1_000_000)]
)
def test_format_refuses_what_it_cannot_write(branch: str, seq: int) -> None:
    with pytest.raises(ValueError, match=branch if seq == 1 else str(seq)):
        format_case_number(branch, date(2026, 11, 29), seq)
