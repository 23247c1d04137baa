"""Message tables: both languages complete and consistent, and the lookup rules."""

from __future__ import annotations

import dataclasses
import inspect
import json
import re
from collections import defaultdict
from enum import StrEnum
from pathlib import Path
from typing import Any

import pytest

from branchdesk import i18n
from branchdesk.domain import case_numbers, catalogue, model, validation
from branchdesk.domain.errors import FieldError, IllegalTransition, ValidationError
from branchdesk.i18n import (
    LANGUAGES,
    MessageTableError,
    format_field_errors,
    label,
    load_message_tables,
    messages,
    resolve_language,
    translate,
)
from branchdesk.resources_access import resource

TABLE_FILE = re.compile(r"(?P<area>[a-z0-9_]+)\.(?P<lang>zh_CN|en)\.json")
ANY_PLACEHOLDER = re.compile(r"\{[^{}]*\}")

ACTIONS = (
    "acknowledge",
    "assign",
    "record_investigation",
    "determine_responsibility",
    "plan",
    "start_work",
    "answer",
    "reply_customer",
    "resolve",
    "record_feedback",
    "close",
    "reopen",
    "archive",
    "cancel",
    "request_escalation",
    "approve_escalation",
    "reject_escalation",
    "pause",
    "resume",
    "extend",
    "add_note",
    "change_grade",
    "reclassify",
)


def _area_tables() -> dict[str, dict[str, dict[str, str]]]:
    """area -> lang -> table, for every table file shipped."""
    tables: dict[str, dict[str, dict[str, str]]] = defaultdict(dict)
    for entry in resource("i18n").iterdir():
        match = TABLE_FILE.fullmatch(entry.name)
        if match:
            tables[match["area"]][match["lang"]] = json.loads(entry.read_text(encoding="utf-8"))
    return tables


def test_core_tables_are_shipped() -> None:
    assert set(_area_tables()["core"]) == set(LANGUAGES)


def test_every_area_has_both_languages_with_the_same_keys() -> None:
    for area, by_lang in _area_tables().items():
        assert set(by_lang) == set(LANGUAGES), f"{area}: languages {sorted(by_lang)}"
        zh, en = by_lang["zh_CN"], by_lang["en"]
        assert set(zh) - set(en) == set(), f"{area}: only in zh_CN"
        assert set(en) - set(zh) == set(), f"{area}: only in en"


def test_merged_tables_have_the_same_keys() -> None:
    assert set(messages("zh_CN")) == set(messages("en"))


def test_placeholders_match_between_languages() -> None:
    zh, en = messages("zh_CN"), messages("en")
    mismatched = {
        key: (
            sorted(set(ANY_PLACEHOLDER.findall(zh[key]))),
            sorted(set(ANY_PLACEHOLDER.findall(en[key]))),
        )
        for key in zh.keys() & en.keys()
        if set(ANY_PLACEHOLDER.findall(zh[key])) != set(ANY_PLACEHOLDER.findall(en[key]))
    }
    assert mismatched == {}


def test_core_texts_are_not_empty() -> None:
    # Other areas may map a key to "" on purpose (a reason code with nothing to add).
    for lang, table in _area_tables()["core"].items():
        assert [key for key, text in table.items() if not text.strip()] == [], lang


def _model_enums() -> list[type[StrEnum]]:
    return [
        obj
        for _, obj in inspect.getmembers(model, inspect.isclass)
        if issubclass(obj, StrEnum) and obj is not StrEnum and obj.__module__ == model.__name__
    ]


def test_every_model_enum_value_has_a_label_in_both_languages() -> None:
    enums = _model_enums()
    assert {e.__name__ for e in enums} >= {"CaseKind", "Channel", "Grade", "CaseState"}
    missing = [
        f"label.{enum.__name__}.{member.value} ({lang})"
        for enum in enums
        for member in enum
        for lang in LANGUAGES
        if f"label.{enum.__name__}.{member.value}" not in messages(lang)
    ]
    assert missing == []


def test_every_action_has_a_label() -> None:
    for lang in LANGUAGES:
        assert [a for a in ACTIONS if f"label.Action.{a}" not in messages(lang)] == []


def _field_names(cls: type[Any], prefix: str = "") -> list[str]:
    names = []
    nested = {"customer": model.Customer, "appointment": model.Appointment}
    for field in dataclasses.fields(cls):
        name = prefix + field.name
        names.append(name)
        if not prefix and field.name in nested:
            names.extend(_field_names(nested[field.name], name + "."))
    return names


def test_every_intake_field_has_a_label() -> None:
    fields = _field_names(model.IntakeForm)
    assert "customer.phone" in fields and "appointment.end" in fields
    for lang in LANGUAGES:
        assert [f for f in fields if f"field.{f}" not in messages(lang)] == []


def test_every_error_key_raised_by_these_modules_has_text() -> None:
    keys: set[str] = set()
    for module in (validation, case_numbers, catalogue):
        keys |= set(re.findall(r'"(error\.[a-z_]+(?:\.[a-z_]+)+)"', inspect.getsource(module)))
    assert "error.phone.invalid" in keys and "error.case_number.check" in keys
    keys |= {"error.validation", "error.illegal_transition", "error.not_found"}
    for lang in LANGUAGES:
        assert sorted(k for k in keys if k not in messages(lang)) == []


def test_every_catalogue_problem_has_text() -> None:
    problems = set(
        re.findall(r'CatalogueError\([^()]*?"([a-z_]+)"\)', inspect.getsource(catalogue))
    )
    assert {"duplicate_code", "missing_name", "bad_kinds"} <= problems
    for lang in LANGUAGES:
        table = messages(lang)
        assert sorted(p for p in problems if f"error.catalogue.problem.{p}" not in table) == []


# --- lookup rules ---------------------------------------------------------------------


def test_unknown_key_returns_the_key() -> None:
    assert translate("error.no.such.key", "en", x=1) == "error.no.such.key"


def test_unknown_language_falls_back_to_english() -> None:
    assert translate("error.phone.invalid", "fr") == translate("error.phone.invalid", "en")
    assert translate("error.phone.invalid", "en") != translate("error.phone.invalid", "zh_CN")


def test_default_language_is_chinese() -> None:
    assert translate("error.phone.invalid") == messages("zh_CN")["error.phone.invalid"]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("zh_CN", "zh_CN"),
        ("zh-CN", "zh_CN"),
        ("zh_CN.UTF-8", "zh_CN"),
        ("zh", "zh_CN"),
        ("zh-Hans", "zh_CN"),
        ("zh_TW", "en"),
        ("en", "en"),
        ("en_GB", "en"),
        ("de", "en"),
        ("", "en"),
    ],
)
def test_resolve_language(given: str, expected: str) -> None:
    assert resolve_language(given) == expected


def test_parameters_are_filled_in() -> None:
    assert translate("error.field.too_long", "en", max=40) == "at most 40 characters"
    assert translate("error.field.too_long", "zh_CN", max=40) == "不能超过 40 个字"


def test_missing_parameter_is_left_as_written() -> None:
    assert translate("error.field.too_long", "en") == "at most {max} characters"


def test_parameter_values_are_not_read_as_placeholders() -> None:
    text = translate("error.field.invalid_choice", "en", value="{max} {value:label.Grade}")
    assert text == "“{max} {value:label.Grade}” is not one of the choices"


def test_qualified_placeholder_labels_codes() -> None:
    text = translate("error.category.wrong_kind", "zh_CN", kind="complaint")
    assert text == "该分类不适用于“投诉”"


def test_qualified_placeholder_keeps_unknown_codes() -> None:
    text = translate("error.category.wrong_kind", "en", kind="no_such_kind")
    assert text == "not used for “no_such_kind” cases"


def test_enum_parameters_are_labelled() -> None:
    text = translate("error.field.invalid_choice", "zh_CN", value=model.Grade.URGENT)
    assert text == "“紧急”不是可选的值"


def test_illegal_transition_reads_as_a_sentence() -> None:
    error = IllegalTransition("close", model.CaseState.RECEIVED)
    assert translate(error.key, "zh_CN", **error.params) == "不能在“已受理”状态下执行“结案”。"
    assert (
        translate(error.key, "en", **error.params)
        == "“Close” is not allowed while the case is “Received”."
    )


def test_illegal_transition_shows_a_free_text_reason() -> None:
    text = translate(
        "error.illegal_transition", "en", action="archive", state="closed", reason="Not reviewed."
    )
    assert text == "“Archive” is not allowed while the case is “Closed”. Not reviewed."


def test_label() -> None:
    assert label(model.CaseState.RECEIVED, "zh_CN") == "已受理"
    assert label(model.CaseKind.COMPLAINT, "en") == "Complaint"


def test_label_of_an_unlabelled_enum_is_its_code() -> None:
    class Colour(StrEnum):
        RED = "red"

    assert label(Colour.RED, "en") == "red"


def test_format_field_errors() -> None:
    errors = [
        FieldError("customer.phone", "error.phone.invalid"),
        FieldError("summary", "error.field.too_short", {"min": 2}),
        FieldError("extra.colour", "error.field.required"),
        FieldError("", "error.not_found"),
    ]
    assert format_field_errors(errors, "zh_CN") == [
        "联系电话：号码格式不正确",
        "事由摘要：至少需要 2 个字",
        "extra.colour：必须填写",
        "找不到该记录",
    ]
    assert format_field_errors(errors[:2], "en") == [
        "Contact phone: not a valid phone number",
        "Summary: at least 2 characters needed",
    ]


def test_domain_errors_print_in_english() -> None:
    error = ValidationError([FieldError("customer.phone", "error.phone.invalid")])
    assert str(error) == "customer.phone: not a valid phone number"
    assert translate(error.key, "en", **error.params) == "1 field(s) need attention"


def test_messages_are_read_only() -> None:
    table = messages("en")
    with pytest.raises(TypeError):
        table["error.phone.invalid"] = "changed"  # type: ignore[index]


# --- loading ------------------------------------------------------------------------------


def _write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


def test_tables_of_all_areas_are_merged(tmp_path: Path) -> None:
    _write(tmp_path, "core.en.json", '{"a": "A"}')
    _write(tmp_path, "sla.en.json", '{"b": "B {n}"}')
    _write(tmp_path, "core.zh_CN.json", '{"a": "甲"}')
    _write(tmp_path, "notes.txt", "not a table")
    assert load_message_tables(tmp_path, "en") == {"a": "A", "b": "B {n}"}
    assert load_message_tables(tmp_path, "zh_CN") == {"a": "甲"}


def test_a_key_in_two_areas_is_refused(tmp_path: Path) -> None:
    _write(tmp_path, "core.en.json", '{"a": "A"}')
    _write(tmp_path, "sla.en.json", '{"a": "other A"}')
    with pytest.raises(MessageTableError, match=r"sla\.en\.json.*'a'.*core\.en\.json"):
        load_message_tables(tmp_path, "en")


def test_a_key_twice_in_one_file_is_refused(tmp_path: Path) -> None:
    _write(tmp_path, "core.en.json", '{"a": "A", "a": "again"}')
    with pytest.raises(MessageTableError, match="duplicate key 'a'"):
        load_message_tables(tmp_path, "en")


@pytest.mark.parametrize("text", ['["a"]', '{"a": 1}', '{"a": "A",}'])
def test_malformed_tables_are_refused(tmp_path: Path, text: str) -> None:
    _write(tmp_path, "core.en.json", text)
    with pytest.raises(MessageTableError, match=r"core\.en\.json"):
        load_message_tables(tmp_path, "en")


def test_render_uses_the_given_table() -> None:
    table = {"label.Grade.major": "MAJOR"}
    assert i18n.render("{g:label.Grade} / {g}", table, {"g": "major"}) == "MAJOR / major"
