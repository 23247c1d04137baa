"""The SLA policy: which milestones each case kind has, their limits, what starts and
what meets each clock, and headquarters' overrides per kind, grade and category.

It is data (`resources/sla/policy.json`, described by `policy.schema.json`), checked
here by `load_policy` with messages that name the broken entry, e.g.
"milestones.complaint[3].limit.unit".
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from branchdesk.domain.errors import DomainError
from branchdesk.domain.model import CaseKind, Grade
from branchdesk.domain.sla import CLOCKS, Limit, MilestoneRule, Unit
from branchdesk.resources_access import read_json

__all__ = [
    "PolicyError",
    "PolicyOverride",
    "SlaPolicy",
    "load_default_policy",
    "load_policy",
]


class PolicyError(DomainError):
    """The SLA policy data is broken, or asked for something it does not have.

    `params["entry"]` names where, e.g. "milestones.complaint[3].limit.unit".
    """


@dataclass(frozen=True)
class PolicyOverride:
    """Replaces the limits of some milestones of one kind for one grade, optionally only
    for one category ("technical") or sub-category ("technical/network")."""

    kind: str
    grade: str
    category: str | None
    limits: tuple[tuple[str, Limit], ...]
    notes: str = ""

    @property
    def specificity(self) -> int:
        return 0 if self.category is None else self.category.count("/") + 1

    def applies_to(self, kind: str, grade: str, category: str) -> bool:
        if self.kind != kind or self.grade != grade:
            return False
        if self.category is None or self.category == category:
            return True
        return "/" not in self.category and category.startswith(self.category + "/")


class SlaPolicy:
    """The milestones of each case kind, with headquarters' overrides. Build it with
    `load_policy`, which checks the data."""

    def __init__(
        self,
        version: str,
        milestones: Mapping[str, Sequence[MilestoneRule]],
        overrides: Sequence[PolicyOverride] = (),
    ) -> None:
        self.version = version
        self._milestones = {kind: tuple(rules) for kind, rules in milestones.items()}
        # Least specific first, so that applying them in order lets the most specific
        # override of a milestone win.
        self._overrides = tuple(sorted(overrides, key=lambda o: o.specificity))
        self._cache: dict[tuple[str, str, str], tuple[MilestoneRule, ...]] = {}

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(self._milestones)

    @property
    def overrides(self) -> tuple[PolicyOverride, ...]:
        return self._overrides

    def milestones_for(self, kind: str, grade: str, category: str) -> tuple[MilestoneRule, ...]:
        """The milestones of a case of this kind, grade and "category/sub" code."""
        key = (kind, grade, category)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        base = self._milestones.get(kind)
        if base is None:
            raise PolicyError(
                "error.policy.not_one_of",
                entry="kind",
                value=kind,
                allowed=", ".join(self._milestones),
            )
        limits: dict[str, Limit] = {}
        for override in self._overrides:
            if override.applies_to(kind, grade, category):
                limits.update(override.limits)
        rules = tuple(
            dataclasses.replace(rule, limit=limits[rule.id]) if rule.id in limits else rule
            for rule in base
        )
        self._cache[key] = rules
        return rules

    def referenced_event_kinds(self) -> frozenset[str]:
        """Every event kind the policy starts or meets a clock on, so that a test of the
        process engine can check each one is an action it really records."""
        return frozenset(
            kind
            for rules in self._milestones.values()
            for rule in rules
            for kind in (*rule.starts_on, *rule.met_by)
        )


_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_CATEGORY = re.compile(r"^[^/\s]+(/[^/\s]+)?$")
_TOP_FIELDS = ("$schema", "version", "notes", "milestones", "overrides")
_MILESTONE_FIELDS = ("id", "limit", "starts_on", "met_by", "clock", "clause", "notes")
_OVERRIDE_FIELDS = ("kind", "grade", "category", "milestones", "notes")
_LIMIT_FIELDS = ("amount", "unit")


def _fail(key: str, entry: str, **params: Any) -> PolicyError:
    return PolicyError(key, entry=entry, **params)


def _object(value: Any, entry: str, fields: Sequence[str]) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _fail("error.policy.not_object", entry or "policy")
    for name in value:
        if name not in fields:
            raise _fail("error.policy.unknown_field", f"{entry}.{name}" if entry else str(name))
    return value


def _text(value: Mapping[str, Any], name: str, entry: str, *, required: bool = True) -> str:
    where = f"{entry}.{name}" if entry else name
    if name not in value:
        if required:
            raise _fail("error.policy.missing", where)
        return ""
    text = value[name]
    if not isinstance(text, str) or (required and not text.strip()):
        raise _fail("error.policy.not_text", where)
    return text


def _one_of(value: Any, entry: str, allowed: Sequence[str]) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise _fail("error.policy.not_one_of", entry, value=str(value), allowed=", ".join(allowed))
    return value


def _limit(value: Any, entry: str) -> Limit:
    raw = _object(value, entry, _LIMIT_FIELDS)
    for name in _LIMIT_FIELDS:
        if name not in raw:
            raise _fail("error.policy.missing", f"{entry}.{name}")
    amount = raw["amount"]
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise _fail("error.policy.not_integer", f"{entry}.amount", value=str(amount))
    if amount < 1:
        raise _fail("error.policy.not_positive", f"{entry}.amount", value=str(amount))
    unit = _one_of(raw["unit"], f"{entry}.unit", [u.value for u in Unit])
    return Limit(amount, Unit(unit))


def _names(value: Mapping[str, Any], name: str, entry: str) -> tuple[str, ...]:
    where = f"{entry}.{name}"
    if name not in value:
        raise _fail("error.policy.missing", where)
    items = value[name]
    if not isinstance(items, list):
        raise _fail("error.policy.not_list", where)
    if not items:
        raise _fail("error.policy.empty_list", where)
    for index, item in enumerate(items):
        if not isinstance(item, str) or not _NAME.match(item):
            raise _fail("error.policy.bad_name", f"{where}[{index}]", value=str(item))
    return tuple(items)


def _milestone(value: Any, entry: str) -> MilestoneRule:
    raw = _object(value, entry, _MILESTONE_FIELDS)
    rule_id = _text(raw, "id", entry)
    if not _NAME.match(rule_id):
        raise _fail("error.policy.bad_name", f"{entry}.id", value=rule_id)
    if "limit" not in raw:
        raise _fail("error.policy.missing", f"{entry}.limit")
    limit = _limit(raw["limit"], f"{entry}.limit")
    starts_on = _names(raw, "starts_on", entry)
    met_by = _names(raw, "met_by", entry)
    for index, kind in enumerate(met_by):
        if kind in starts_on:
            # The start is the latest such event and "met" must come after it: a kind in
            # both lists would restart the clock instead of meeting it.
            raise _fail("error.policy.start_is_met", f"{entry}.met_by[{index}]", value=kind)
    clock = _one_of(raw.get("clock", CLOCKS[0]), f"{entry}.clock", CLOCKS)
    clause = _text(raw, "clause", entry, required=False)
    _text(raw, "notes", entry, required=False)
    return MilestoneRule(rule_id, limit, starts_on, met_by, clock, clause)


def _override(
    value: Any, entry: str, milestones: Mapping[str, tuple[MilestoneRule, ...]]
) -> PolicyOverride:
    raw = _object(value, entry, _OVERRIDE_FIELDS)
    for name in ("kind", "grade", "milestones"):
        if name not in raw:
            raise _fail("error.policy.missing", f"{entry}.{name}")
    kind = _one_of(raw["kind"], f"{entry}.kind", list(milestones))
    grade = _one_of(raw["grade"], f"{entry}.grade", [g.value for g in Grade])
    category: str | None = None
    if "category" in raw:
        category = raw["category"]
        if not isinstance(category, str) or not _CATEGORY.match(category):
            raise _fail("error.policy.bad_category", f"{entry}.category", value=str(category))
    raw_limits = raw["milestones"]
    if not isinstance(raw_limits, Mapping):
        raise _fail("error.policy.not_object", f"{entry}.milestones")
    if not raw_limits:
        raise _fail("error.policy.empty_list", f"{entry}.milestones")
    known = {rule.id for rule in milestones[kind]}
    limits: list[tuple[str, Limit]] = []
    for rule_id, raw_limit in raw_limits.items():
        where = f"{entry}.milestones.{rule_id}"
        if rule_id not in known:
            raise _fail("error.policy.unknown_milestone", where, value=str(rule_id), kind=kind)
        limits.append((rule_id, _limit(raw_limit, where)))
    notes = _text(raw, "notes", entry, required=False)
    return PolicyOverride(kind, grade, category, tuple(limits), notes)


def load_policy(data: Mapping[str, Any]) -> SlaPolicy:
    """Check and build an SLA policy from its JSON document.

    Raises PolicyError at the first problem, naming the entry, e.g.
    "milestones.complaint[3].limit.unit".
    """
    raw = _object(data, "", _TOP_FIELDS)
    version = _text(raw, "version", "")
    _text(raw, "notes", "", required=False)
    if "milestones" not in raw:
        raise _fail("error.policy.missing", "milestones")
    raw_kinds = raw["milestones"]
    if not isinstance(raw_kinds, Mapping):
        raise _fail("error.policy.not_object", "milestones")
    kinds = [k.value for k in CaseKind]
    milestones: dict[str, tuple[MilestoneRule, ...]] = {}
    for kind, raw_rules in raw_kinds.items():
        entry = f"milestones.{kind}"
        _one_of(kind, entry, kinds)
        if not isinstance(raw_rules, list):
            raise _fail("error.policy.not_list", entry)
        if not raw_rules:
            raise _fail("error.policy.empty_list", entry)
        rules: list[MilestoneRule] = []
        seen: dict[str, int] = {}
        for index, raw_rule in enumerate(raw_rules):
            rule = _milestone(raw_rule, f"{entry}[{index}]")
            if rule.id in seen:
                raise _fail(
                    "error.policy.duplicate_id",
                    f"{entry}[{index}].id",
                    value=rule.id,
                    other=f"{entry}[{seen[rule.id]}]",
                )
            seen[rule.id] = index
            rules.append(rule)
        milestones[kind] = tuple(rules)
    for kind in kinds:
        if kind not in milestones:
            # A kind without milestones would give its cases no deadlines at all.
            raise _fail("error.policy.missing", f"milestones.{kind}")

    raw_overrides = raw.get("overrides", [])
    if not isinstance(raw_overrides, list):
        raise _fail("error.policy.not_list", "overrides")
    overrides: list[PolicyOverride] = []
    scopes: dict[tuple[str, str, str | None], int] = {}
    for index, raw_override in enumerate(raw_overrides):
        entry = f"overrides[{index}]"
        override = _override(raw_override, entry, milestones)
        scope = (override.kind, override.grade, override.category)
        if scope in scopes:
            raise _fail(
                "error.policy.duplicate_override", entry, other=f"overrides[{scopes[scope]}]"
            )
        scopes[scope] = index
        overrides.append(override)
    return SlaPolicy(version, milestones, overrides)


@cache
def load_default_policy() -> SlaPolicy:
    """The shipped default policy (cached: parsed once per process)."""
    return load_policy(read_json("sla/policy.json"))
