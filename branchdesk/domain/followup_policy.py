"""The follow-up rules as data (`resources/followup/policy.json`): how often a supervised
case reports progress, how soon customers must be told of an incident, which closed
cases get a return visit and by when. Parsed and checked here once; the rule modules
(`supervision`, `incidents`, `return_visits`) take the parsed values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from branchdesk.resources_access import read_json


class FollowupPolicyError(ValueError):
    """The policy file is malformed (a packaging or HQ-update bug)."""


@dataclass(frozen=True)
class SupervisionRules:
    #: Progress reports are due every this many working days (督办进展报告).
    interval_working_days: int = 2
    #: A supervisor is reminded of reports due within this many hours.
    remind_within_hours: int = 24


@dataclass(frozen=True)
class IncidentRules:
    #: Hours from the incident's start within which customers must be notified, per
    #: response level (§7.3: 2 h major, 4 h general).
    notify_hours: Mapping[int, int]


@dataclass(frozen=True)
class ReturnVisitRules:
    within_working_days: int
    kinds: frozenset[str]
    always_grades: frozenset[str]
    #: Per grade, the share (0–100) of closed cases sampled for a visit.
    sample_percent: Mapping[str, int]
    retry_after_working_days: int
    max_attempts: int


@dataclass(frozen=True)
class FollowupPolicy:
    supervision: SupervisionRules
    incidents: IncidentRules
    return_visits: ReturnVisitRules

    @classmethod
    def from_json(cls, data: Any) -> FollowupPolicy:
        try:
            if data["format"] != 1:
                raise FollowupPolicyError("followup policy: expected format 1")
            s, i, r = data["supervision"], data["incidents"], data["return_visits"]
            supervision = SupervisionRules(
                interval_working_days=_positive(s["progress_interval_working_days"]),
                remind_within_hours=_positive(s["remind_within_hours"]),
            )
            notify = {int(level): _positive(hours) for level, hours in i["notify_hours"].items()}
            if set(notify) != {1, 2, 3}:
                raise FollowupPolicyError("followup policy: notify_hours for levels 1, 2 and 3")
            sample = {str(g): int(p) for g, p in r["sample_percent"].items()}
            if any(not 0 <= p <= 100 for p in sample.values()):
                raise FollowupPolicyError("followup policy: sample_percent is 0 to 100")
            visits = ReturnVisitRules(
                within_working_days=_positive(r["within_working_days"]),
                kinds=frozenset(str(k) for k in r["kinds"]),
                always_grades=frozenset(str(g) for g in r["always_grades"]),
                sample_percent=sample,
                retry_after_working_days=_positive(r["retry_after_working_days"]),
                max_attempts=_positive(r["max_attempts"]),
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise FollowupPolicyError(f"followup policy: missing or bad entry {exc}") from None
        return cls(supervision, IncidentRules(notify), visits)


def _positive(value: Any) -> int:
    number = int(value)
    if number < 1:
        raise FollowupPolicyError(f"followup policy: {value!r} must be at least 1")
    return number


@cache
def load_default_followup_policy() -> FollowupPolicy:
    """The policy shipped with the application."""
    return FollowupPolicy.from_json(read_json("followup/policy.json"))
