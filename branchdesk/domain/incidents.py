"""Incidents (突发事件, ch. 7) as pure rules: what an incident record holds and how it is
checked, its customer-notification deadline (2 h for a major response level, 4 h for a
general one: the follow-up policy), and which new complaint it should be suggested for
at the counter (same service, same area).

Response levels follow the manual: level 1 (一级) is the most severe. Levels 1 and 2
count as major for the notification deadline, level 3 as general (policy data)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from branchdesk.domain.errors import FieldError, ValidationError
from branchdesk.domain.followup_policy import IncidentRules
from branchdesk.domain.validation import clean_text, require_text


class IncidentType(StrEnum):
    NETWORK_OUTAGE = "network_outage"  # 网络中断
    SERVICE_INTERRUPTION = "service_interruption"  # 业务中断
    BILLING_ERROR = "billing_error"  # 计费差错
    DATA_LEAK = "data_leak"  # 信息泄露
    OTHER = "other"  # 其他


class IncidentStatus(StrEnum):
    ACTIVE = "active"  # 处置中
    RESOLVED = "resolved"  # 已恢复/已处置


LEVELS = (1, 2, 3)


@dataclass(frozen=True)
class IncidentDraft:
    """An incident as a manager enters it; `check_incident` validates and cleans it."""

    type: str
    level: int
    started_at: datetime
    district: str
    services: Sequence[str]  # affected services: catalogue codes or business names
    scope: str  # estimate of who and how many are affected
    street: str = ""
    cell: str = ""  # cell or exchange (基站/局所)
    cause: str = ""  # preliminary cause
    measures: str = ""  # measures taken so far
    expected_recovery_at: datetime | None = None
    title: str = ""


@dataclass(frozen=True)
class Resolution:
    root_cause: str
    explanation: str  # what every linked customer is told (the letters' result)
    compensation_rule: str = ""
    compensation_fen: int = 0  # per linked case, 0 = none
    lessons: str = ""
    resolved_at: datetime | None = None


def _text(
    field_name: str,
    value: str,
    errors: list[FieldError],
    *,
    required: bool,
    max_len: int,
    min_len: int = 1,
) -> str:
    if not value or not value.strip():
        if required:
            errors.append(FieldError(field_name, "error.field.required"))
        return ""
    problems = require_text(field_name, value, min_len=min_len, max_len=max_len, multiline=True)
    errors.extend(problems)
    return clean_text(value, multiline=True) if not problems else ""


def check_incident(draft: IncidentDraft, *, now: datetime) -> IncidentDraft:
    """The draft cleaned, or ValidationError naming every bad field."""
    errors: list[FieldError] = []
    if draft.type not in {t.value for t in IncidentType}:
        errors.append(FieldError("type", "error.field.invalid_choice", {"value": draft.type}))
    if draft.level not in LEVELS:
        errors.append(FieldError("level", "error.field.invalid_choice", {"value": draft.level}))
    if draft.started_at.tzinfo is None:
        raise ValueError("incident times must be aware")
    if draft.started_at > now + timedelta(minutes=5):
        errors.append(FieldError("started_at", "error.incident.start_in_future"))
    if draft.expected_recovery_at is not None and draft.expected_recovery_at < draft.started_at:
        errors.append(FieldError("expected_recovery_at", "error.incident.recovery_before_start"))
    services = tuple(dict.fromkeys(s.strip() for s in draft.services if s and s.strip()))
    if not services:
        errors.append(FieldError("services", "error.field.required"))
    clean = IncidentDraft(
        type=draft.type,
        level=draft.level,
        started_at=draft.started_at,
        district=_text("district", draft.district, errors, required=True, max_len=100),
        street=_text("street", draft.street, errors, required=False, max_len=100),
        cell=_text("cell", draft.cell, errors, required=False, max_len=100),
        services=services,
        scope=_text("scope", draft.scope, errors, required=True, max_len=2000, min_len=2),
        cause=_text("cause", draft.cause, errors, required=False, max_len=4000),
        measures=_text("measures", draft.measures, errors, required=False, max_len=4000),
        expected_recovery_at=draft.expected_recovery_at,
        title=_text("title", draft.title, errors, required=False, max_len=200),
    )
    if errors:
        raise ValidationError(errors)
    return clean


def check_resolution(resolution: Resolution) -> Resolution:
    errors: list[FieldError] = []
    clean = Resolution(
        root_cause=_text(
            "root_cause", resolution.root_cause, errors, required=True, max_len=4000, min_len=2
        ),
        explanation=_text(
            "explanation", resolution.explanation, errors, required=True, max_len=4000, min_len=2
        ),
        compensation_rule=_text(
            "compensation_rule", resolution.compensation_rule, errors, required=False, max_len=2000
        ),
        compensation_fen=resolution.compensation_fen,
        lessons=_text("lessons", resolution.lessons, errors, required=False, max_len=4000),
        resolved_at=resolution.resolved_at,
    )
    if not 0 <= resolution.compensation_fen <= 100_000_000:
        errors.append(FieldError("compensation_fen", "error.field.too_large", {"max": 100_000_000}))
    if errors:
        raise ValidationError(errors)
    return clean


def is_major(level: int) -> bool:
    return level in (1, 2)


def notification_due(started_at: datetime, level: int, rules: IncidentRules) -> datetime:
    """When customers must have been told (§7.3): wall-clock hours from the start."""
    return started_at + timedelta(hours=rules.notify_hours[level])


def format_incident_number(branch_code: str, year: int, seq: int) -> str:
    """An incident number, e.g. GZ0012-I2026-0001."""
    return f"{branch_code}-I{year}-{seq:04d}"


def _norm(value: str) -> str:
    return "".join(value.split()).lower()


def service_matches(services: Iterable[str], category: str, business: str | None) -> bool:
    """An affected service names the complaint's category (or its parent: "technical"
    covers "technical/network"), or is the business concerned ("宽带")."""
    cat = _norm(category)
    biz = _norm(business or "")
    for service in services:
        s = _norm(service)
        if not s:
            continue
        if s == cat or cat.startswith(s + "/") or (biz and (s == biz or s in biz or biz in s)):
            return True
    return False


def area_matches(district: str, street: str, cell: str, places: Iterable[str]) -> bool:
    """The complaint happened in the incident's area: its district named in the place
    or address, and its street too when the incident is narrowed to one (a cell or
    exchange name, when given, matches on its own)."""
    texts = [_norm(p) for p in places if p]
    d, s, c = _norm(district), _norm(street), _norm(cell)
    for text in texts:
        if c and c in text:
            return True
        if d and d in text and (not s or s in text):
            return True
    return False
