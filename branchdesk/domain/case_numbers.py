"""Case numbers: unique across all branches without a network round trip.

Shape: branch code, intake date, daily sequence, check character, e.g.
``GZ0012-20261129-0007K``. The branch code makes numbers unique between branches,
the date and the branch's own daily counter within one branch; the check character
lets a clerk's typo (one wrong character, two neighbours swapped) be caught at the
counter instead of finding the wrong case.

Check character: the Damm algorithm over an order-36 totally anti-symmetric
quasigroup, on the number's letters and digits ([0-9A-Z], values 0–35). The ISO 7064
hybrid system MOD 37,36 was considered first; it misses some adjacent transpositions
(both GZ0012-20261129-00801 and its transposition GZ0012-20261129-00810 pass it), and
the pure system MOD 37-2 needs a 37th check symbol ("*"), which does not survive
search boxes and file names. This scheme catches every single-character
substitution and every adjacent transposition, with a check character from [0-9A-Z].
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from branchdesk.domain.errors import FieldError, ValidationError

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
BRANCH_CODE = re.compile(r"[A-Z]{2}[0-9]{4}")
#: The sequence is at least four digits, zero-padded; wider numbers carry no padding,
#: so each case has exactly one written form. A million cases a day is out of reach.
MAX_SEQUENCE = 999_999
_NUMBER = re.compile(r"([A-Z]{2}[0-9]{4})-([0-9]{8})-([0-9]{4,6})([0-9A-Z])")
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}


def _gf4_times_omega(x: int) -> int:
    # GF(4) as bit pairs (b1·ω + b0) with ω² = ω + 1: ω·(b1·ω + b0) = (b1⊕b0)·ω + b1.
    high, low = x >> 1, x & 1
    return ((high ^ low) << 1) | high


def _operation(x: int, y: int) -> int:
    """x ∘ y on 36 = 4 × 3 × 3 symbols, componentwise: ω·(x + y) in GF(4) and y − x in
    Z3 twice. Each component is totally anti-symmetric with x ∘ x = 0, hence so is the
    product, which is what Damm's error detection rests on."""
    gf_x, rest_x = x % 4, x // 4
    gf_y, rest_y = y % 4, y // 4
    gf = _gf4_times_omega(gf_x ^ gf_y)
    z3_low = (rest_y % 3 - rest_x % 3) % 3
    z3_high = (rest_y // 3 - rest_x // 3) % 3
    return gf + 4 * (z3_low + 3 * z3_high)


#: QUASIGROUP[x][y] = x ∘ y.
QUASIGROUP: tuple[tuple[int, ...], ...] = tuple(
    tuple(_operation(x, y) for y in range(36)) for x in range(36)
)


def _interim(symbols: str) -> int:
    state = 0
    for ch in symbols:
        state = QUASIGROUP[state][_VALUE[ch]]
    return state


def check_character(body: str) -> str:
    """The check character for the letters and digits of `body` (other characters are
    separators and do not count)."""
    # x ∘ x = 0, so the character that brings the running value back to 0 is the value itself.
    return ALPHABET[_interim("".join(ch for ch in body if ch in _VALUE))]


@dataclass(frozen=True)
class CaseNumber:
    branch_code: str
    day: date
    seq: int
    text: str

    def __str__(self) -> str:
        return self.text


def validate_branch_code(code: str) -> list[FieldError]:
    """Two capital letters and four digits ("GZ0012"), exactly as printed."""
    if not isinstance(code, str) or not BRANCH_CODE.fullmatch(code):
        return [FieldError("branch_code", "error.branch_code.format")]
    return []


def format_case_number(branch_code: str, day: date, seq: int) -> str:
    """The number for the `seq`-th case of `day` at the branch. The branch code is
    checked when it is configured (`validate_branch_code`); a bad one here is a bug."""
    if validate_branch_code(branch_code):
        raise ValueError(f"invalid branch code {branch_code!r}")
    if not 1 <= seq <= MAX_SEQUENCE:
        raise ValueError(f"sequence {seq} outside 1..{MAX_SEQUENCE}")
    body = f"{branch_code}-{day:%Y%m%d}-{seq:04d}"
    return body + check_character(body)


def _canonical_input(text: str) -> str:
    # Full-width letters, digits and dashes come from Chinese input methods.
    return unicodedata.normalize("NFKC", text).strip().upper()


def parse_case_number(text: str) -> CaseNumber:
    """Read a case number as a person typed or scanned it (any case, surrounding spaces).

    Raises ValidationError on field "case_number": `error.case_number.format` (shape),
    `error.case_number.check` (a typo caught by the check character) or
    `error.case_number.date` (no such day).
    """
    candidate = _canonical_input(text) if isinstance(text, str) else ""
    match = _NUMBER.fullmatch(candidate)
    if match is None:
        raise ValidationError([FieldError("case_number", "error.case_number.format")])
    branch_code, digits, seq_text, _check = match.groups()
    if len(seq_text) > 4 and seq_text.startswith("0"):
        raise ValidationError([FieldError("case_number", "error.case_number.format")])
    if _interim("".join(ch for ch in candidate if ch in _VALUE)) != 0:
        raise ValidationError([FieldError("case_number", "error.case_number.check")])
    try:
        day = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise ValidationError([FieldError("case_number", "error.case_number.date")]) from None
    seq = int(seq_text)
    if seq < 1:
        raise ValidationError([FieldError("case_number", "error.case_number.format")])
    return CaseNumber(branch_code, day, seq, candidate)


def is_valid_case_number(text: str) -> bool:
    try:
        parse_case_number(text)
    except ValidationError:
        return False
    return True
