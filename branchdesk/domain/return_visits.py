"""Return visits (回访, §2.4, §5.1) as pure rules: which closed cases get one (every
major and urgent case, a fixed share of ordinary ones, sampled deterministically from
the case number so a rerun or a second machine picks the same cases), when it is due
(within N working days of closure, end of that day), what an outcome must hold, when a
customer who could not be reached is called again, and who may not take the survey
(anyone who handled the case)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from branchdesk.domain.errors import DomainError, FieldError, ValidationError
from branchdesk.domain.followup_policy import ReturnVisitRules
from branchdesk.domain.process import CaseEvent
from branchdesk.domain.supervision import END_OF_DAY, Calendar
from branchdesk.domain.validation import clean_text, require_text


class VisitStatus(StrEnum):
    PENDING = "pending"  # 待回访 (also after an unanswered call, until the attempts run out)
    DONE = "done"  # 已回访
    UNREACHABLE = "unreachable"  # 无法联系 (attempts exhausted)
    CANCELLED = "cancelled"  # 已取消 (the case was reopened before the visit)


class VisitReason(StrEnum):
    GRADE = "grade"  # every major / urgent case
    SAMPLE = "sample"  # the sampled share of ordinary ones


#: The events that show someone handled the case (the surveyor must be someone else).
HANDLING = frozenset(
    {
        "assign",
        "record_investigation",
        "determine_responsibility",
        "plan",
        "start_work",
        "answer",
        "resolve",
        "resolve_by_incident",
        "record_feedback",
        "reply_customer",
    }
)


def sample_bucket(number: str) -> int:
    """0–99, fixed for a case number: the same case is always in or out of a sample."""
    digest = hashlib.sha256(number.encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") % 100


def visit_reason(number: str, kind: str, grade: str, rules: ReturnVisitRules) -> VisitReason | None:
    """Why the closed case gets a return visit, or None when it does not."""
    if kind not in rules.kinds:
        return None
    if grade in rules.always_grades:
        return VisitReason.GRADE
    if sample_bucket(number) < rules.sample_percent.get(grade, 0):
        return VisitReason.SAMPLE
    return None


def due_at(closed_at: datetime, n: int, calendar: Calendar, tz: ZoneInfo) -> tuple[datetime, bool]:
    """End of the n-th working day after the day of closure (and provisional?)."""
    day, provisional = calendar.add_working_days(closed_at.astimezone(tz).date(), n)
    return datetime.combine(day, END_OF_DAY, tzinfo=tz), provisional


def handlers_of(owner: str, events: Iterable[CaseEvent]) -> frozenset[str]:
    """Everyone who handled the case: its owner, assignees and whoever recorded work."""
    people = {owner}
    for event in events:
        if event.kind in HANDLING:
            people.add(event.actor)
        if event.kind == "assign":
            people.add(str(event.payload.get("to")))
    return frozenset(people)


def check_surveyor(surveyor: str, handlers: frozenset[str]) -> None:
    """§5.1: the satisfaction survey is not taken by someone who handled the case."""
    if surveyor in handlers:
        raise DomainError("error.return_visit.own_case", staff_no=surveyor)


@dataclass(frozen=True)
class Outcome:
    """What a return-visit call found out."""

    reached: bool
    score: int | None = None  # 1–5, when reached
    solved: bool | None = None  # is the problem really solved?
    comment: str = ""

    @property
    def dissatisfied(self) -> bool:
        """Reached and unhappy: offer to reopen the case (§4.2.1)."""
        return self.reached and (
            (self.score is not None and self.score <= 2) or self.solved is False
        )


def check_outcome(outcome: Outcome) -> Outcome:
    errors: list[FieldError] = []
    comment = ""
    if outcome.comment:
        errors += require_text("comment", outcome.comment, min_len=0, max_len=2000, multiline=True)
        comment = clean_text(outcome.comment, multiline=True)
    if outcome.reached:
        if outcome.score is None:
            errors.append(FieldError("score", "error.field.required"))
        elif not 1 <= outcome.score <= 5:
            errors.append(
                FieldError("score", "error.field.invalid_choice", {"value": outcome.score})
            )
        if outcome.solved is None:
            errors.append(FieldError("solved", "error.field.required"))
    elif outcome.score is not None or outcome.solved is not None:
        errors.append(FieldError("score", "error.return_visit.not_reached_no_score"))
    if errors:
        raise ValidationError(errors)
    return Outcome(outcome.reached, outcome.score, outcome.solved, comment)


def next_attempt(
    attempts: int, at: datetime, rules: ReturnVisitRules, calendar: Calendar, tz: ZoneInfo
) -> datetime | None:
    """After `attempts` unanswered calls (the latest at `at`): when to call again, or
    None when the attempts are used up (the visit ends as unreachable)."""
    if attempts >= rules.max_attempts:
        return None
    return due_at(at, rules.retry_after_working_days, calendar, tz)[0]
