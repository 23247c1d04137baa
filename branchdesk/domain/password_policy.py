"""The password policy: long enough, not guessable from the person or from the
lists attackers try first, and a mix of character kinds (the rule Chinese operators'
own systems ask for, so staff expect it). Pure: returns field errors, never raises."""

from __future__ import annotations

import unicodedata
from functools import cache

from branchdesk.domain.errors import FieldError
from branchdesk.resources_access import read_json

MIN_LENGTH = 8
MAX_LENGTH = 128


@cache
def common_passwords() -> frozenset[str]:
    """Passwords tried first by anyone guessing (shipped as data, lower-cased)."""
    return frozenset(p.lower() for p in read_json("permissions/common_passwords.json"))


def _kinds(password: str) -> int:
    letters = any(ch.isalpha() for ch in password)
    digits = any(ch.isdigit() for ch in password)
    others = any(not ch.isalnum() for ch in password)
    return letters + digits + others


def check_password(
    password: str, *, staff_no: str, name: str = "", field: str = "new_password"
) -> list[FieldError]:
    """Every way `password` breaks the policy, as errors on `field`."""
    text = unicodedata.normalize("NFKC", password)
    errors: list[FieldError] = []
    if len(text) < MIN_LENGTH:
        errors.append(FieldError(field, "error.password.too_short", {"min": MIN_LENGTH}))
    elif len(text) > MAX_LENGTH:
        errors.append(FieldError(field, "error.password.too_long", {"max": MAX_LENGTH}))
    if any(unicodedata.category(ch).startswith("C") for ch in text):
        errors.append(FieldError(field, "error.field.control_chars"))
    if text and _kinds(text) < 2:
        errors.append(FieldError(field, "error.password.one_kind"))
    lowered = text.lower()
    if lowered in common_passwords() or len(set(lowered)) <= 2:
        errors.append(FieldError(field, "error.password.common"))
    elif staff_no and staff_no.lower() in lowered:
        errors.append(FieldError(field, "error.password.contains_staff_no"))
    elif name.strip() and name.strip().lower() in lowered:
        errors.append(FieldError(field, "error.password.contains_name"))
    return errors
