"""Checking and normalising what a person typed: intake forms, phone numbers, resident
ID numbers, and the small text/choice checks the process engine reuses for actions.

Every check reports a `FieldError` (field name, message key, parameters), never a
sentence; `validate_intake` reports every bad field at once, one error per field, so
the clerk fixes the whole form in one pass.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar

from branchdesk.domain.catalogue import Catalogue
from branchdesk.domain.errors import FieldError, ValidationError
from branchdesk.domain.identity import check_resident_id, normalise_phone
from branchdesk.domain.model import (
    Appointment,
    CaseKind,
    Channel,
    Customer,
    Grade,
    IntakeForm,
)

#: Clocks of the branch PC and of a phone log can differ a little.
CLOCK_SLACK = timedelta(minutes=1)
#: Product decision: a case may be recorded up to 90 days after it was received (a
#: letter found late, a phone log typed up later). Older ones are new cases, received now.
RECEIVED_AT_MAX_AGE = timedelta(days=90)
#: An appointment being recorded after the fact may have started up to a day ago.
APPOINTMENT_PAST_SLACK = timedelta(days=1)
APPOINTMENT_MAX_LENGTH = timedelta(hours=8)
MAX_EXTRA_ENTRIES = 50

# Longest accepted text per field, in characters (a CJK character counts as one).
NAME_MAX = 40
ADDRESS_MAX = 200
SUMMARY_MIN, SUMMARY_MAX = 2, 200
DESCRIPTION_MAX = 4000
REMEDY_MAX = 1000
EVENT_PLACE_MAX = 200
BUSINESS_MAX = 100
SERVICE_TYPE_MAX = 50
STAFF_MAX = 40
APPOINTMENT_CONTENT_MAX = 500
EXTRA_KEY_MAX = 64
EXTRA_VALUE_MAX = 1000

_E = TypeVar("_E", bound=StrEnum)

_SERVICE_NUMBER = re.compile(r"[0-9A-Za-z-]{5,32}")
_EXTRA_KEY = re.compile(r"[A-Za-z0-9_.-]+")
# Invisible characters that copy-and-paste brings along and a person cannot see to delete.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u2060\ufeff"))
# Direction overrides make text display differently from what is stored.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


# --- text and choices --------------------------------------------------------------


def clean_text(value: str, *, multiline: bool = False) -> str:
    """Canonical form of typed text: NFC, invisible characters dropped, trimmed; single
    lines have runs of whitespace (line breaks included) collapsed to one space,
    multi-line text keeps its lines with "\\n" endings."""
    text = unicodedata.normalize("NFC", value).translate(_INVISIBLE)
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        return "\n".join(line.rstrip() for line in text.split("\n")).strip()
    return " ".join(text.split())


def _bad_character(ch: str, multiline: bool) -> bool:
    category = unicodedata.category(ch)
    if category == "Cc":
        return not (multiline and ch in "\n\t")
    if category == "Cs":  # a lone surrogate cannot even be stored as UTF-8
        return True
    if category == "Cf":
        # Joiners belong in emoji and some scripts in prose; a name or a code has no use
        # for any format character.
        return not multiline or ch in _BIDI_CONTROLS
    return False


def require_text(
    field: str, value: Any, *, min_len: int, max_len: int, multiline: bool = False
) -> list[FieldError]:
    """Check a text field as `clean_text` would store it: `min_len` 0 makes it optional.
    At most one error is returned."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        return [FieldError(field, "error.field.invalid")]
    text = clean_text(value, multiline=multiline)
    if not text:
        return [FieldError(field, "error.field.required")] if min_len > 0 else []
    # Multi-line text is checked as typed (line breaks normalised): trimming each line
    # must not quietly drop a control character that stood at a line's end.
    typed = value.replace("\r\n", "\n").replace("\r", "\n") if multiline else text
    if any(_bad_character(ch, multiline) for ch in typed):
        return [FieldError(field, "error.field.control_chars")]
    if len(text) < min_len:
        return [FieldError(field, "error.field.too_short", {"min": min_len})]
    if len(text) > max_len:
        return [FieldError(field, "error.field.too_long", {"max": max_len})]
    return []


def _optional_text(value: str | None, *, multiline: bool = False) -> str | None:
    text = clean_text(value, multiline=multiline) if value else ""
    return text or None


def choice_value(value: Any, enum_cls: type[_E]) -> _E | None:
    """The member of `enum_cls` that `value` names (surrounding spaces and letter case
    forgiven), or None."""
    if not isinstance(value, str):
        return None
    code = value.strip()
    for candidate in (code, code.lower()):
        try:
            return enum_cls(candidate)
        except ValueError:
            continue
    return None


def validate_choice(field: str, value: Any, enum_cls: type[StrEnum]) -> list[FieldError]:
    """`value` must be one of `enum_cls`'s codes. At most one error is returned."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return [FieldError(field, "error.field.required")]
    if choice_value(value, enum_cls) is None:
        return [FieldError(field, "error.field.invalid_choice", {"value": str(value)[:40]})]
    return []


# --- intake --------------------------------------------------------------------------


def _aligned(value: datetime, now: datetime) -> datetime | None:
    """`value` made comparable with `now`: a wall-clock time typed at the branch takes
    `now`'s zone; an aware time cannot be compared with a naive `now`."""
    value_aware = value.utcoffset() is not None
    now_aware = now.utcoffset() is not None
    if value_aware == now_aware:
        return value
    if now_aware:
        return value.replace(tzinfo=now.tzinfo)
    return None


def _check_category(
    value: Any, kind: CaseKind | None, catalogue: Catalogue
) -> tuple[str, list[FieldError]]:
    if not isinstance(value, str) or not value.strip():
        return "", [FieldError("category", "error.field.required")]
    code = value.strip()
    category = catalogue.get(code)
    if category is None:
        return code, [FieldError("category", "error.category.unknown")]
    if not category.is_leaf:
        return code, [FieldError("category", "error.category.not_leaf")]
    if kind is not None and kind not in category.kinds:
        return code, [FieldError("category", "error.category.wrong_kind", {"kind": kind.value})]
    parent = catalogue.get(category.parent or "")
    if not category.active or (parent is not None and not parent.active):
        return code, [FieldError("category", "error.category.retired")]
    return code, []


def _check_customer(customer: Any, today: date, errors: list[FieldError]) -> Customer | None:
    if not isinstance(customer, Customer):
        errors.append(FieldError("customer", "error.field.invalid"))
        return None
    errors.extend(require_text("customer.name", customer.name, min_len=1, max_len=NAME_MAX))

    phone: str | None = None
    if not isinstance(customer.phone, str) or not customer.phone.strip():
        errors.append(FieldError("customer.phone", "error.field.required"))
    else:
        phone = normalise_phone(customer.phone)
        if phone is None:
            errors.append(FieldError("customer.phone", "error.phone.invalid"))

    id_number: str | None = None
    if customer.id_number is not None and not isinstance(customer.id_number, str):
        errors.append(FieldError("customer.id_number", "error.field.invalid"))
    elif customer.id_number and customer.id_number.strip():
        id_number, problem = check_resident_id(customer.id_number, today)
        if problem is not None:
            errors.append(FieldError("customer.id_number", problem))

    service_number: str | None = None
    if customer.service_number is not None and not isinstance(customer.service_number, str):
        errors.append(FieldError("customer.service_number", "error.field.invalid"))
    elif customer.service_number and customer.service_number.strip():
        # People group long account numbers with spaces; the number itself has none.
        service_number = "".join(unicodedata.normalize("NFKC", customer.service_number).split())
        if not _SERVICE_NUMBER.fullmatch(service_number):
            errors.append(FieldError("customer.service_number", "error.service_number.invalid"))

    errors.extend(
        require_text("customer.address", customer.address, min_len=0, max_len=ADDRESS_MAX)
    )
    if not isinstance(customer.name, str) or phone is None:
        return None
    return Customer(
        name=clean_text(customer.name),
        phone=phone,
        id_number=id_number,
        service_number=service_number,
        address=_optional_text(customer.address) if isinstance(customer.address, str) else None,
    )


def _check_datetime(
    field: str, value: Any, now: datetime
) -> tuple[datetime | None, list[FieldError]]:
    if not isinstance(value, datetime):
        return None, [FieldError(field, "error.field.invalid")]
    aligned = _aligned(value, now)
    if aligned is None:
        return None, [FieldError(field, "error.field.invalid")]
    return aligned, []


def _check_appointment(
    appointment: Any, kind: CaseKind | None, now: datetime, errors: list[FieldError]
) -> Appointment | None:
    if appointment is None:
        return None
    if not isinstance(appointment, Appointment):
        errors.append(FieldError("appointment", "error.field.invalid"))
        return None
    if kind is not None and kind is not CaseKind.SERVICE_REQUEST:
        errors.append(
            FieldError("appointment", "error.appointment.not_allowed", {"kind": kind.value})
        )
        return None
    errors.extend(
        require_text(
            "appointment.service_type",
            appointment.service_type,
            min_len=1,
            max_len=SERVICE_TYPE_MAX,
        )
    )
    errors.extend(
        require_text("appointment.staff", appointment.staff, min_len=0, max_len=STAFF_MAX)
    )
    errors.extend(
        require_text(
            "appointment.content",
            appointment.content,
            min_len=0,
            max_len=APPOINTMENT_CONTENT_MAX,
            multiline=True,
        )
    )
    start, start_errors = _check_datetime("appointment.start", appointment.start, now)
    end, end_errors = _check_datetime("appointment.end", appointment.end, now)
    if start is not None and start < now - APPOINTMENT_PAST_SLACK:
        start_errors.append(FieldError("appointment.start", "error.appointment.start_past"))
    if start is not None and end is not None:
        if end <= start:
            end_errors.append(FieldError("appointment.end", "error.appointment.end_before_start"))
        elif end - start > APPOINTMENT_MAX_LENGTH:
            hours = APPOINTMENT_MAX_LENGTH // timedelta(hours=1)
            end_errors.append(
                FieldError("appointment.end", "error.appointment.too_long", {"hours": hours})
            )
    errors.extend(start_errors + end_errors)
    if start is None or end is None or not isinstance(appointment.service_type, str):
        return None
    return Appointment(
        service_type=clean_text(appointment.service_type),
        start=start,
        end=end,
        staff=_optional_text(appointment.staff) if isinstance(appointment.staff, str) else None,
        content=(
            _optional_text(appointment.content, multiline=True)
            if isinstance(appointment.content, str)
            else None
        ),
    )


def _check_extra(extra: Any, errors: list[FieldError]) -> dict[str, str]:
    if extra is None:
        return {}
    if not isinstance(extra, dict):
        errors.append(FieldError("extra", "error.field.invalid"))
        return {}
    if len(extra) > MAX_EXTRA_ENTRIES:
        errors.append(FieldError("extra", "error.field.too_many", {"max": MAX_EXTRA_ENTRIES}))
        return {}
    cleaned: dict[str, str] = {}
    for key, value in extra.items():
        if not isinstance(key, str) or not _EXTRA_KEY.fullmatch(key) or len(key) > EXTRA_KEY_MAX:
            errors.append(FieldError("extra", "error.field.invalid"))
            continue
        problems = require_text(
            f"extra.{key}", value, min_len=0, max_len=EXTRA_VALUE_MAX, multiline=True
        )
        errors.extend(problems)
        if not problems and value:
            cleaned[key] = clean_text(value, multiline=True)
    return cleaned


def validate_intake(form: IntakeForm, catalogue: Catalogue, *, now: datetime) -> IntakeForm:
    """Check every field of `form` and return it normalised: trimmed text, canonical
    phone and ID numbers, enum members for codes, `received_at` defaulted to `now`.

    Raises ValidationError listing every bad field (one error per field). `now` is the
    branch's current time; naive times in the form are read in `now`'s zone.
    """
    errors: list[FieldError] = []
    today = now.date()

    kind = choice_value(form.kind, CaseKind)
    errors.extend(validate_choice("kind", form.kind, CaseKind))
    channel = choice_value(form.channel, Channel)
    errors.extend(validate_choice("channel", form.channel, Channel))
    grade = choice_value(form.grade, Grade)
    grade_errors = validate_choice("grade", form.grade, Grade)
    # Major and urgent grades set the supervision path of a complaint (§4.2.2); requests
    # and consultations have no such path.
    if grade not in (None, Grade.ORDINARY) and kind not in (None, CaseKind.COMPLAINT):
        grade_errors.append(FieldError("grade", "error.grade.complaint_only"))
    errors.extend(grade_errors)

    category, category_errors = _check_category(form.category, kind, catalogue)
    errors.extend(category_errors)

    customer = _check_customer(form.customer, today, errors)

    errors.extend(require_text("summary", form.summary, min_len=SUMMARY_MIN, max_len=SUMMARY_MAX))
    errors.extend(
        require_text(
            "description", form.description, min_len=0, max_len=DESCRIPTION_MAX, multiline=True
        )
    )
    errors.extend(
        require_text(
            "remedy",
            form.remedy,
            min_len=1 if kind is CaseKind.COMPLAINT else 0,
            max_len=REMEDY_MAX,
            multiline=True,
        )
    )
    errors.extend(require_text("event_place", form.event_place, min_len=0, max_len=EVENT_PLACE_MAX))
    errors.extend(require_text("business", form.business, min_len=0, max_len=BUSINESS_MAX))

    event_date: date | None = None
    if form.event_date is not None:
        if not isinstance(form.event_date, date):
            errors.append(FieldError("event_date", "error.field.invalid"))
        else:
            event_date = (
                form.event_date.date() if isinstance(form.event_date, datetime) else form.event_date
            )
            if event_date > today:
                errors.append(FieldError("event_date", "error.date.future"))

    received_at: datetime | None = now
    if form.received_at is not None:
        received_at, received_errors = _check_datetime("received_at", form.received_at, now)
        if received_at is not None:
            if received_at > now + CLOCK_SLACK:
                received_errors.append(FieldError("received_at", "error.received_at.future"))
            elif received_at < now - RECEIVED_AT_MAX_AGE:
                received_errors.append(
                    FieldError(
                        "received_at",
                        "error.received_at.too_old",
                        {"days": RECEIVED_AT_MAX_AGE.days},
                    )
                )
        errors.extend(received_errors)

    appointment = _check_appointment(form.appointment, kind, now, errors)
    extra = _check_extra(form.extra, errors)

    if errors:
        raise ValidationError(errors)
    # Every field checked out, so the narrowed values below are all present.
    assert kind is not None and channel is not None and grade is not None
    assert customer is not None and received_at is not None
    return replace(
        form,
        kind=kind,
        channel=channel,
        grade=grade,
        category=category,
        customer=customer,
        summary=clean_text(form.summary),
        description=clean_text(form.description or "", multiline=True),
        remedy=clean_text(form.remedy or "", multiline=True),
        event_date=event_date,
        event_place=_optional_text(form.event_place),
        business=_optional_text(form.business),
        received_at=received_at,
        appointment=appointment,
        extra=extra,
    )
