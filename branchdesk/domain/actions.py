"""The actions a person can take on a case, declared as data: their parameters and how
each parameter is checked. The CLI builds its options from these specs and the desktop
builds its dialogs from them, so a rule lives here once.

Which action is legal from which state is `branchdesk.domain.process`'s business.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from branchdesk.domain.errors import FieldError, ValidationError
from branchdesk.domain.model import (
    ContactChannel,
    EscalationReason,
    Grade,
    InvestigationMethod,
    InvestigationStage,
    Measure,
    Responsibility,
)
from branchdesk.domain.validation import clean_text, require_text


class ParamType(StrEnum):
    TEXT = "text"
    INT = "int"
    BOOL = "bool"
    CHOICE = "choice"  # one value of `choices`
    CHOICES = "choices"  # one or more values of `choices`
    STAFF = "staff"  # a staff number; existence is checked by the service
    MILESTONE = "milestone"  # a milestone id; checked against the case's SLA rules
    CATEGORY = "category"  # a catalogue code; checked by the service


@dataclass(frozen=True)
class ParamSpec:
    name: str
    type: ParamType
    required: bool = True
    choices: builtins.type[StrEnum] | None = None  # `type` is a field name here
    min_len: int = 0
    max_len: int = 2000
    minimum: int | None = None
    maximum: int | None = None


def _text(name: str, *, required: bool = True, min_len: int = 2, max_len: int = 2000) -> ParamSpec:
    return ParamSpec(
        name, ParamType.TEXT, required, min_len=min_len if required else 0, max_len=max_len
    )


def _choice(name: str, enum: type[StrEnum], *, required: bool = True) -> ParamSpec:
    return ParamSpec(name, ParamType.CHOICE, required, choices=enum)


REASON = _text("reason", max_len=500)

#: Every action and its parameters. Kinds and states are in `process.TRANSITIONS`.
ACTION_PARAMS: Mapping[str, tuple[ParamSpec, ...]] = {
    "acknowledge": (_text("note", required=False, max_len=500),),
    "assign": (ParamSpec("to", ParamType.STAFF), _text("note", required=False, max_len=500)),
    "record_investigation": (
        _choice("stage", InvestigationStage),
        ParamSpec("methods", ParamType.CHOICES, choices=InvestigationMethod),
        _text("findings", max_len=4000),
        _text("evidence", required=False, max_len=4000),
    ),
    "determine_responsibility": (
        _choice("party", Responsibility),
        _text("explanation", max_len=2000),
    ),
    "plan": (
        ParamSpec("measures", ParamType.CHOICES, choices=Measure),
        _text("detail", max_len=4000),
        ParamSpec(
            "compensation_fen", ParamType.INT, required=False, minimum=0, maximum=100_000_000
        ),
    ),
    "start_work": (_text("note", required=False, max_len=500),),
    "answer": (
        _text("answer", max_len=4000),
        _text("faq_ref", required=False, max_len=64),
    ),
    "reply_customer": (_choice("channel", ContactChannel), _text("summary", max_len=2000)),
    "resolve": (
        _text("result", max_len=4000),
        _text("cause_analysis", required=False, max_len=4000),
        ParamSpec("further_handling", ParamType.BOOL, required=False),
    ),
    "record_feedback": (
        ParamSpec("satisfied", ParamType.BOOL),
        ParamSpec("score", ParamType.INT, minimum=1, maximum=5),
        _choice("channel", ContactChannel, required=False),
        _text("comment", required=False, max_len=2000),
    ),
    "close": (_text("summary", required=False, max_len=2000),),
    "reopen": (
        REASON,
        # Set when the reopening follows a dissatisfied return visit (回访): the link.
        ParamSpec("return_visit", ParamType.INT, required=False, minimum=1),
    ),
    "archive": (_text("note", required=False, max_len=500),),
    "cancel": (REASON,),
    "request_escalation": (_choice("reason", EscalationReason), _text("detail", max_len=2000)),
    "approve_escalation": (
        ParamSpec("supervisor", ParamType.STAFF),
        _text("comment", required=False, max_len=2000),
        _text("departments", required=False, max_len=500),
    ),
    "reject_escalation": (_text("comment", max_len=2000),),
    # A supervision order from headquarters (督办, arriving through sync): the
    # supervisor is an HQ person, not branch staff; the order id makes it idempotent.
    "order_supervision": (
        _text("supervisor", min_len=1, max_len=64),
        REASON,
        _text("order_id", min_len=1, max_len=64),
    ),
    "report_progress": (_text("progress", max_len=4000),),
    "record_contribution": (
        _text("department", min_len=1, max_len=100),
        _text("contribution", max_len=4000),
    ),
    "conclude_supervision": (_text("result", max_len=4000),),
    "link_incident": (_text("incident", min_len=1, max_len=32),),
    # Resolution with the incident's explanation (bulk, from the incident): the same
    # result fields as `resolve`, plus the incident's compensation rule applied.
    "resolve_by_incident": (
        _text("incident", min_len=1, max_len=32),
        _text("result", max_len=4000),
        _text("cause_analysis", required=False, max_len=4000),
        ParamSpec(
            "compensation_fen", ParamType.INT, required=False, minimum=0, maximum=100_000_000
        ),
    ),
    "pause": (REASON,),
    "resume": (_text("note", required=False, max_len=500),),
    "extend": (
        ParamSpec("milestone", ParamType.MILESTONE),
        ParamSpec("amount", ParamType.INT, minimum=1, maximum=60),
        REASON,
    ),
    "add_note": (_text("text", min_len=1, max_len=4000),),
    "change_grade": (_choice("grade", Grade), REASON),
    "reclassify": (ParamSpec("category", ParamType.CATEGORY), REASON),
    # The appointment book (预约): a service request's appointment moved (or booked if
    # it had none), and a missed one recorded. Times are ISO 8601 with an offset; the
    # engine checks their order and length, the service checks the staff's diary.
    "reschedule_appointment": (
        _text("start", min_len=10, max_len=40),
        _text("end", min_len=10, max_len=40),
        _text("staff", required=False, min_len=1, max_len=50),
        REASON,
    ),
    "record_missed_appointment": (_text("note", required=False, max_len=500),),
}

_TRUE = {"1", "true", "yes", "y", "on", "是"}
_FALSE = {"0", "false", "no", "n", "off", "否"}


def _coerce(spec: ParamSpec, raw: Any) -> tuple[Any, FieldError | None]:
    """Turn a raw value (from a form, the CLI or JSON) into the typed value."""
    field = spec.name
    if spec.type in (ParamType.TEXT, ParamType.STAFF, ParamType.MILESTONE, ParamType.CATEGORY):
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            raw = str(raw)
        if not isinstance(raw, str):
            return None, FieldError(field, "error.field.invalid")
        # Free text keeps its line breaks (a reason or a finding may run over several
        # lines); codes are single words. The rules are the intake form's, so a text is
        # accepted or refused the same way everywhere.
        multiline = spec.type is ParamType.TEXT
        errors = require_text(
            field, raw, min_len=max(spec.min_len, 1), max_len=spec.max_len, multiline=multiline
        )
        if errors:
            return None, errors[0]
        return clean_text(raw, multiline=multiline), None
    if spec.type is ParamType.INT:
        try:
            if isinstance(raw, bool):  # bool is an int subclass; True is not a score
                raise ValueError(raw)
            number = raw if isinstance(raw, int) else int(str(raw).strip())
        except ValueError:
            return None, FieldError(field, "error.field.not_a_number")
        if spec.minimum is not None and number < spec.minimum:
            return None, FieldError(field, "error.field.too_small", {"min": spec.minimum})
        if spec.maximum is not None and number > spec.maximum:
            return None, FieldError(field, "error.field.too_large", {"max": spec.maximum})
        return number, None
    if spec.type is ParamType.BOOL:
        if isinstance(raw, bool):
            return raw, None
        word = str(raw).strip().lower()
        if word in _TRUE:
            return True, None
        if word in _FALSE:
            return False, None
        return None, FieldError(field, "error.field.not_yes_no")
    assert spec.choices is not None
    allowed = [c.value for c in spec.choices]
    if spec.type is ParamType.CHOICE:
        value = str(raw).strip()
        if value not in allowed:
            return None, FieldError(field, "error.field.invalid_choice", {"value": value})
        return value, None
    items = raw if isinstance(raw, list | tuple) else str(raw).split(",")
    values = [str(v).strip() for v in items if str(v).strip()]
    bad = [v for v in values if v not in allowed]
    if not values:
        return None, FieldError(field, "error.field.required")
    if bad:
        return None, FieldError(field, "error.field.invalid_choice", {"value": bad[0]})
    return sorted(set(values), key=allowed.index), None


def validate_params(action: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Check and type the parameters of `action`. Raises ValidationError listing every
    bad field; unknown parameter names are refused too (a typo must not vanish)."""
    specs = ACTION_PARAMS[action]
    errors: list[FieldError] = []
    clean: dict[str, Any] = {}
    known = {s.name for s in specs}
    for name in raw:
        if name not in known:
            errors.append(FieldError(name, "error.field.unknown"))
    for spec in specs:
        value = raw.get(spec.name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if spec.required:
                errors.append(FieldError(spec.name, "error.field.required"))
            continue
        typed, error = _coerce(spec, value)
        if error is not None:
            errors.append(error)
        else:
            clean[spec.name] = typed
    if errors:
        raise ValidationError(errors)
    return clean
