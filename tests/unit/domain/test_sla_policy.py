"""The SLA policy: the shipped default, overrides, validation messages naming the broken
entry, and the schema and message tables staying in step with the code."""

from __future__ import annotations

import copy
import re
import string
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from branchdesk.domain.actions import ACTION_PARAMS
from branchdesk.domain.model import CaseKind, Grade
from branchdesk.domain.sla import CLOCKS, Limit, Unit
from branchdesk.domain.sla_policy import PolicyError, SlaPolicy, load_default_policy, load_policy
from branchdesk.i18n import translate
from branchdesk.resources_access import read_json

REPO = Path(__file__).resolve().parents[3]
H, WD, CD = Unit.HOURS, Unit.WORKING_DAYS, Unit.CALENDAR_DAYS


def render(error: PolicyError, language: str = "en") -> str:
    """The message as the user reads it."""
    return translate(error.key, language, **error.params)


def default_data() -> dict[str, Any]:
    data: dict[str, Any] = copy.deepcopy(read_json("sla/policy.json"))
    return data


# --- the shipped default --------------------------------------------------------------------

EXPECTED = {
    "complaint": [
        ("acknowledge", 24, H, ("received",), ("acknowledge",), "sla"),
        ("initial_investigation", 24, H, ("received",), ("record_investigation",), "sla"),
        ("first_reply", 7, WD, ("received",), ("reply_customer", "resolve"), "sla"),
        ("detailed_investigation", 15, WD, ("received",), ("determine_responsibility",), "sla"),
        ("handling", 15, WD, ("received", "reopen"), ("resolve",), "sla"),
        ("closure", 30, WD, ("received", "reopen"), ("close",), "sla"),
        ("written_feedback", 2, WD, ("resolve",), ("reply_customer", "record_feedback"), "sla"),
        ("archive", 3, WD, ("close",), ("archive",), "sla"),
        ("regulator_appeal", 15, CD, ("received",), ("reply_customer", "resolve"), "regulator"),
    ],
    "service_request": [
        ("assessment", 24, H, ("received",), ("acknowledge",), "sla"),
        ("handling", 15, WD, ("received", "reopen"), ("resolve",), "sla"),
        ("closure", 30, WD, ("received", "reopen"), ("close",), "sla"),
        ("archive", 3, WD, ("close",), ("archive",), "sla"),
    ],
    "consultation": [
        ("answer", 24, H, ("received",), ("answer",), "sla"),
        ("closure", 7, WD, ("received",), ("close",), "sla"),
        ("archive", 3, WD, ("close",), ("archive",), "sla"),
    ],
}


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_default_policy_has_the_milestones_of_process_md(kind: str) -> None:
    rules = load_default_policy().milestones_for(kind, "ordinary", "quality/attitude")
    got = [(r.id, r.limit.amount, r.limit.unit, r.starts_on, r.met_by, r.clock) for r in rules]
    assert got == EXPECTED[kind]


def test_default_policy_covers_every_case_kind() -> None:
    policy = load_default_policy()
    assert set(policy.kinds) == {k.value for k in CaseKind}
    assert policy.version


def test_grade_overrides_in_the_default_policy() -> None:
    policy = load_default_policy()

    def limits(grade: str) -> dict[str, Limit]:
        return {r.id: r.limit for r in policy.milestones_for("complaint", grade, "technical")}

    assert limits("urgent")["acknowledge"] == Limit(2, H)
    assert limits("urgent")["initial_investigation"] == Limit(12, H)
    assert limits("major")["acknowledge"] == Limit(24, H)
    assert limits("major")["initial_investigation"] == Limit(12, H)
    assert limits("ordinary")["initial_investigation"] == Limit(24, H)
    assert limits("urgent")["handling"] == Limit(15, WD)
    # Overrides are for complaints only.
    service = policy.milestones_for("service_request", "urgent", "technical")
    assert service[0].limit == Limit(24, H)


def test_the_grade_overrides_are_marked_as_product_decisions() -> None:
    for override in default_data()["overrides"]:
        assert override["notes"].startswith("Product decision"), override
    assert all(o.notes.startswith("Product decision") for o in load_default_policy().overrides)


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(PolicyError) as caught:
        load_default_policy().milestones_for("complain", "ordinary", "quality")
    assert caught.value.params["entry"] == "kind"


# --- most specific override wins, per milestone -------------------------------------------


def _policy_with_layers() -> SlaPolicy:
    data = default_data()
    data["overrides"] = [
        {
            "kind": "complaint",
            "grade": "ordinary",
            "category": "technical/network",
            "milestones": {"acknowledge": {"amount": 6, "unit": "hours"}},
        },
        {
            "kind": "complaint",
            "grade": "ordinary",
            "milestones": {
                "acknowledge": {"amount": 10, "unit": "hours"},
                "handling": {"amount": 10, "unit": "working_days"},
            },
        },
        {
            "kind": "complaint",
            "grade": "ordinary",
            "category": "technical",
            "milestones": {"acknowledge": {"amount": 8, "unit": "hours"}},
        },
    ]
    return load_policy(data)


@pytest.mark.parametrize(
    ("category", "acknowledge"),
    [
        ("technical/network", 6),  # kind+grade+category/sub
        ("technical/equipment", 8),  # kind+grade+category
        ("technical", 8),
        ("quality/attitude", 10),  # kind+grade
        ("technicality/x", 10),  # a prefix of the name is not the category
    ],
)
def test_most_specific_override_wins(category: str, acknowledge: int) -> None:
    rules = {
        r.id: r for r in _policy_with_layers().milestones_for("complaint", "ordinary", category)
    }
    assert rules["acknowledge"].limit == Limit(acknowledge, H)
    # A less specific override still sets what a more specific one does not mention.
    assert rules["handling"].limit == Limit(10, WD)


def test_overrides_of_other_grades_do_not_apply() -> None:
    rules = _policy_with_layers().milestones_for("complaint", "major", "technical/network")
    assert {r.id: r.limit for r in rules}["acknowledge"] == Limit(24, H)


# --- broken policies ---------------------------------------------------------------------------

Mutation = Callable[[dict[str, Any]], None]


def _set(path: str, value: Any) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        node: Any = data
        parts = path.split(".")
        for part in parts[:-1]:
            node = node[int(part)] if isinstance(node, list) else node[part]
        last = parts[-1]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return mutate


def _delete(path: str) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        node: Any = data
        parts = path.split(".")
        for part in parts[:-1]:
            node = node[int(part)] if isinstance(node, list) else node[part]
        del node[parts[-1]]

    return mutate


def _add_override(override: dict[str, Any]) -> Mutation:
    return lambda data: data["overrides"].append(override)


BROKEN: list[tuple[str, Mutation, str, str]] = [
    (
        "unknown unit",
        _set("milestones.complaint.3.limit.unit", "weeks"),
        "error.policy.not_one_of",
        "milestones.complaint[3].limit.unit",
    ),
    (
        "negative amount",
        _set("milestones.complaint.4.limit.amount", -5),
        "error.policy.not_positive",
        "milestones.complaint[4].limit.amount",
    ),
    (
        "zero amount",
        _set("milestones.consultation.0.limit.amount", 0),
        "error.policy.not_positive",
        "milestones.consultation[0].limit.amount",
    ),
    (
        "amount as text",
        _set("milestones.complaint.0.limit.amount", "24"),
        "error.policy.not_integer",
        "milestones.complaint[0].limit.amount",
    ),
    (
        "amount as a boolean",
        _set("milestones.complaint.0.limit.amount", True),
        "error.policy.not_integer",
        "milestones.complaint[0].limit.amount",
    ),
    (
        "missing id",
        _delete("milestones.service_request.2.id"),
        "error.policy.missing",
        "milestones.service_request[2].id",
    ),
    (
        "duplicate id",
        _set("milestones.complaint.5.id", "handling"),
        "error.policy.duplicate_id",
        "milestones.complaint[5].id",
    ),
    (
        "unknown case kind",
        lambda d: d["milestones"].update(complain=d["milestones"]["complaint"]),
        "error.policy.not_one_of",
        "milestones.complain",
    ),
    (
        "a case kind missing",
        _delete("milestones.consultation"),
        "error.policy.missing",
        "milestones.consultation",
    ),
    (
        "override for an unknown kind",
        _set("overrides.1.kind", "enquiry"),
        "error.policy.not_one_of",
        "overrides[1].kind",
    ),
    (
        "override for an unknown milestone",
        _add_override(
            {
                "kind": "consultation",
                "grade": "urgent",
                "milestones": {"acknowledge": {"amount": 1, "unit": "hours"}},
            }
        ),
        "error.policy.unknown_milestone",
        "overrides[2].milestones.acknowledge",
    ),
    (
        "override for an unknown grade",
        _set("overrides.0.grade", "critical"),
        "error.policy.not_one_of",
        "overrides[0].grade",
    ),
    (
        "duplicate override",
        _add_override(
            {
                "kind": "complaint",
                "grade": "major",
                "milestones": {"handling": {"amount": 10, "unit": "working_days"}},
            }
        ),
        "error.policy.duplicate_override",
        "overrides[2]",
    ),
    (
        "bad category",
        _set("overrides.0.category", "a/b/c"),
        "error.policy.bad_category",
        "overrides[0].category",
    ),
    (
        "misspelt field",
        _set("milestones.complaint.2.met_on", ["resolve"]),
        "error.policy.unknown_field",
        "milestones.complaint[2].met_on",
    ),
    (
        "event kind that is not a name",
        _set("milestones.complaint.2.met_by", ["reply customer"]),
        "error.policy.bad_name",
        "milestones.complaint[2].met_by[0]",
    ),
    (
        "no event meets the milestone",
        _set("milestones.complaint.2.met_by", []),
        "error.policy.empty_list",
        "milestones.complaint[2].met_by",
    ),
    (
        "the same event starts and meets",
        _set("milestones.complaint.4.met_by", ["resolve", "reopen"]),
        "error.policy.start_is_met",
        "milestones.complaint[4].met_by[1]",
    ),
    (
        "unknown clock",
        _set("milestones.complaint.8.clock", "miit"),
        "error.policy.not_one_of",
        "milestones.complaint[8].clock",
    ),
    ("missing version", _delete("version"), "error.policy.missing", "version"),
    (
        "limit missing its unit",
        _delete("milestones.complaint.1.limit.unit"),
        "error.policy.missing",
        "milestones.complaint[1].limit.unit",
    ),
    ("overrides not a list", _set("overrides", {}), "error.policy.not_list", "overrides"),
]


@pytest.mark.parametrize(
    ("mutate", "key", "entry"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN]
)
def test_a_broken_policy_names_the_broken_entry(mutate: Mutation, key: str, entry: str) -> None:
    data = default_data()
    mutate(data)
    with pytest.raises(PolicyError) as caught:
        load_policy(data)
    assert caught.value.key == key
    assert caught.value.params["entry"] == entry
    for language in ("en", "zh_CN"):
        assert render(caught.value, language).startswith(entry)


def test_the_unknown_unit_message_reads_as_specified() -> None:
    data = default_data()
    data["milestones"]["complaint"][3]["limit"]["unit"] = "weeks"
    with pytest.raises(PolicyError) as caught:
        load_policy(data)
    assert render(caught.value) == (
        "milestones.complaint[3].limit.unit: 'weeks' is not one of "
        "hours, working_days, calendar_days"
    )


def test_a_policy_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(PolicyError) as caught:
        load_policy([])  # type: ignore[arg-type]
    assert caught.value.params["entry"] == "policy"


def test_every_event_kind_the_policy_uses_is_one_the_process_engine_records() -> None:
    kinds = load_default_policy().referenced_event_kinds()
    assert {"received", "reopen", "resolve", "close", "archive", "answer"} <= kinds
    # "received" is the intake event; every other kind is an action name.
    assert kinds - {"received"} <= set(ACTION_PARAMS)


# --- schema and message tables in step with the code ------------------------------------


def test_policy_schema_enumerations_match_the_code() -> None:
    schema = read_json("sla/policy.schema.json")
    defs = schema["$defs"]
    assert defs["limit"]["properties"]["unit"]["enum"] == [u.value for u in Unit]
    assert defs["milestone"]["properties"]["clock"]["enum"] == list(CLOCKS)
    assert set(defs["override"]["properties"]["kind"]["enum"]) == {k.value for k in CaseKind}
    assert set(defs["override"]["properties"]["grade"]["enum"]) == {g.value for g in Grade}
    assert set(schema["properties"]["milestones"]["required"]) == {k.value for k in CaseKind}
    # Every field the shipped file uses is one the schema declares.
    data = default_data()
    assert set(data) <= set(schema["properties"])
    for rules in data["milestones"].values():
        for rule in rules:
            assert set(rule) <= set(defs["milestone"]["properties"]), rule["id"]
    for override in data["overrides"]:
        assert set(override) <= set(defs["override"]["properties"])


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_message_tables_have_the_same_keys_and_placeholders() -> None:
    en = read_json("i18n/sla.en.json")
    zh = read_json("i18n/sla.zh_CN.json")
    assert set(en) == set(zh)
    for key in en:
        assert _placeholders(en[key]) == _placeholders(zh[key]), key


def test_every_message_key_the_code_raises_has_a_text() -> None:
    en = read_json("i18n/sla.en.json")
    sources = [REPO / "branchdesk" / "calendars.py", REPO / "branchdesk" / "domain" / "sla.py"]
    used = {
        key
        for source in sources
        for key in re.findall(r'"(error\.(?:policy|calendar)\.[a-z_]+)"', source.read_text("utf-8"))
    }
    assert used, "the pattern found no keys"
    assert used <= set(en)


def test_every_milestone_and_clock_has_a_label() -> None:
    en = read_json("i18n/sla.en.json")
    data = default_data()
    for rules in data["milestones"].values():
        for rule in rules:
            assert f"milestone.{rule['id']}" in en
    for clock in CLOCKS:
        assert f"clock.{clock}" in en
    for unit in Unit:
        assert f"unit.{unit.value}" in en
