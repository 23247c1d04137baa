"""Action parameters: what each action requires, and how every parameter type is
checked and typed by `validate_params` (text, whole numbers, yes/no, one choice, several
choices, staff numbers, milestones and catalogue codes)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from branchdesk.domain.actions import ACTION_PARAMS, ParamType, validate_params
from branchdesk.domain.errors import ValidationError
from branchdesk.domain.model import InvestigationMethod, Measure
from branchdesk.domain.validation import clean_text


def errors_of(action: str, raw: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """Every (field, message key, parameters) refused; empty when all is accepted."""
    try:
        validate_params(action, raw)
    except ValidationError as exc:
        assert exc.params["count"] == len(exc.errors)
        return [(e.field, e.key, dict(e.params)) for e in exc.errors]
    return []


def only_error(action: str, raw: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
    errors = errors_of(action, raw)
    assert len(errors) == 1, errors
    return errors[0]


# --- what each action needs ----------------------------------------------------------

#: Required parameters of every action, written out from PROCESS.md.
REQUIRED: dict[str, list[str]] = {
    "acknowledge": [],
    "assign": ["to"],
    "record_investigation": ["stage", "methods", "findings"],
    "determine_responsibility": ["party", "explanation"],
    "plan": ["measures", "detail"],
    "start_work": [],
    "answer": ["answer"],
    "reply_customer": ["channel", "summary"],
    "resolve": ["result"],
    "record_feedback": ["satisfied", "score"],
    "close": [],
    "reopen": ["reason"],
    "archive": [],
    "cancel": ["reason"],
    "request_escalation": ["reason", "detail"],
    "approve_escalation": ["supervisor"],
    "reject_escalation": ["comment"],
    "pause": ["reason"],
    "resume": [],
    "extend": ["milestone", "amount", "reason"],
    "add_note": ["text"],
    "change_grade": ["grade", "reason"],
    "reclassify": ["category", "reason"],
    "order_supervision": ["supervisor", "reason", "order_id"],
    "report_progress": ["progress"],
    "record_contribution": ["department", "contribution"],
    "conclude_supervision": ["result"],
    "link_incident": ["incident"],
    "resolve_by_incident": ["incident", "result"],
    "reschedule_appointment": ["start", "end", "reason"],
    "record_missed_appointment": [],
}

#: One full, valid set of raw parameters per action, and the typed result expected.
FULL: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "acknowledge": ({"note": " 已当面确认 "}, {"note": "已当面确认"}),
    "assign": ({"to": "H201", "note": "交接"}, {"to": "H201", "note": "交接"}),
    "record_investigation": (
        {
            "stage": "detailed",
            "methods": "third_party, on_site",
            "findings": "第三方检测报告",
            "evidence": "报告编号 2026-118",
        },
        {
            "stage": "detailed",
            "methods": ["on_site", "third_party"],
            "findings": "第三方检测报告",
            "evidence": "报告编号 2026-118",
        },
    ),
    "determine_responsibility": (
        {"party": "third_party", "explanation": "施工挖断光缆"},
        {"party": "third_party", "explanation": "施工挖断光缆"},
    ),
    "plan": (
        {"measures": ["written_explanation"], "detail": "书面说明", "compensation_fen": "0"},
        {"measures": ["written_explanation"], "detail": "书面说明", "compensation_fen": 0},
    ),
    "start_work": ({}, {}),
    "answer": (
        {"answer": "可在营业厅办理", "faq_ref": "FAQ-007"},
        {"answer": "可在营业厅办理", "faq_ref": "FAQ-007"},
    ),
    "reply_customer": (
        {"channel": "letter", "summary": "寄出处理结果告知书"},
        {"channel": "letter", "summary": "寄出处理结果告知书"},
    ),
    "resolve": (
        {"result": "已修复", "cause_analysis": "光猫老化", "further_handling": "no"},
        {"result": "已修复", "cause_analysis": "光猫老化", "further_handling": False},
    ),
    "record_feedback": (
        {"satisfied": "是", "score": "5", "channel": "phone", "comment": "满意"},
        {"satisfied": True, "score": 5, "channel": "phone", "comment": "满意"},
    ),
    "close": ({"summary": "结案"}, {"summary": "结案"}),
    "reopen": (
        {"reason": "仍然断线", "return_visit": "12"},
        {"reason": "仍然断线", "return_visit": 12},
    ),
    "archive": ({"note": "审核通过"}, {"note": "审核通过"}),
    "cancel": ({"reason": "用户撤销"}, {"reason": "用户撤销"}),
    "request_escalation": (
        {"reason": "multi_department", "detail": "需网络部协同"},
        {"reason": "multi_department", "detail": "需网络部协同"},
    ),
    "approve_escalation": (
        {"supervisor": "M301", "comment": "同意", "departments": "网络部,市场部"},
        {"supervisor": "M301", "comment": "同意", "departments": "网络部,市场部"},
    ),
    "reject_escalation": ({"comment": "本厅处理"}, {"comment": "本厅处理"}),
    "order_supervision": (
        {"supervisor": " 总部 王督办 ", "reason": "重复投诉", "order_id": "o-1"},
        {"supervisor": "总部 王督办", "reason": "重复投诉", "order_id": "o-1"},
    ),
    "pause": ({"reason": "等待材料"}, {"reason": "等待材料"}),
    "resume": ({"note": "材料已到"}, {"note": "材料已到"}),
    "extend": (
        {"milestone": "handling", "amount": "60", "reason": "第三方检测"},
        {"milestone": "handling", "amount": 60, "reason": "第三方检测"},
    ),
    "add_note": ({"text": "好"}, {"text": "好"}),
    "change_grade": (
        {"grade": "urgent", "reason": "网络中断"},
        {"grade": "urgent", "reason": "网络中断"},
    ),
    "reclassify": (
        {"category": "policy/tariff", "reason": "资费问题"},
        {"category": "policy/tariff", "reason": "资费问题"},
    ),
    "report_progress": ({"progress": " 已协调网络部 "}, {"progress": "已协调网络部"}),
    "record_contribution": (
        {"department": "网络部", "contribution": "更换板卡"},
        {"department": "网络部", "contribution": "更换板卡"},
    ),
    "conclude_supervision": ({"result": "已解决"}, {"result": "已解决"}),
    "link_incident": ({"incident": " GZ0012-I2026-0001 "}, {"incident": "GZ0012-I2026-0001"}),
    "resolve_by_incident": (
        {
            "incident": "GZ0012-I2026-0001",
            "result": "已恢复",
            "cause_analysis": "光缆中断",
            "compensation_fen": "1500",
        },
        {
            "incident": "GZ0012-I2026-0001",
            "result": "已恢复",
            "cause_analysis": "光缆中断",
            "compensation_fen": 1500,
        },
    ),
    "reschedule_appointment": (
        {
            "start": " 2026-12-01T09:00:00+08:00",
            "end": "2026-12-01T10:00:00+08:00",
            "staff": " 王师傅 ",
            "reason": "用户改约",
        },
        {
            "start": "2026-12-01T09:00:00+08:00",
            "end": "2026-12-01T10:00:00+08:00",
            "staff": "王师傅",
            "reason": "用户改约",
        },
    ),
    "record_missed_appointment": ({"note": "家中无人"}, {"note": "家中无人"}),
}


def test_every_action_is_specified_here() -> None:
    assert set(ACTION_PARAMS) == set(REQUIRED) == set(FULL)


@pytest.mark.parametrize("action", sorted(REQUIRED))
def test_missing_required_parameters_are_all_reported(action: str) -> None:
    if not REQUIRED[action]:
        assert validate_params(action, {}) == {}
        return
    assert errors_of(action, {}) == [
        (name, "error.field.required", {}) for name in REQUIRED[action]
    ]


@pytest.mark.parametrize("action", sorted(FULL))
def test_full_valid_parameters_are_typed(action: str) -> None:
    raw, typed = FULL[action]
    before = copy.deepcopy(raw)
    assert validate_params(action, raw) == typed
    assert raw == before


@pytest.mark.parametrize("action", sorted(FULL))
def test_a_misspelt_parameter_is_refused_not_dropped(action: str) -> None:
    raw = {**FULL[action][0], "reasn": "x"}
    assert errors_of(action, raw) == [("reasn", "error.field.unknown", {})]


def test_every_bad_field_is_reported_at_once() -> None:
    raw = {"satisfied": "maybe", "score": "9", "channel": "fax", "coment": "x", "comment": "\x07"}
    assert errors_of("record_feedback", raw) == [
        ("coment", "error.field.unknown", {}),
        ("satisfied", "error.field.not_yes_no", {}),
        ("score", "error.field.too_large", {"max": 5}),
        ("channel", "error.field.invalid_choice", {"value": "fax"}),
        ("comment", "error.field.control_chars", {}),
    ]


# --- text ----------------------------------------------------------------------------


@pytest.mark.parametrize("blank", [None, "", "   ", "\n\t ", "\u3000"])
def test_blank_required_text_is_missing(blank: str | None) -> None:
    assert only_error("reopen", {"reason": blank}) == ("reason", "error.field.required", {})


@pytest.mark.parametrize("blank", [None, "", "  "])
def test_blank_optional_text_is_left_out(blank: str | None) -> None:
    assert validate_params("close", {"summary": blank}) == {}


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  用户不满意  ", "用户不满意"),
        ("\u3000全角空格\u3000", "全角空格"),  # an input method's full-width space
        ("第一行\n第二行\t备注", "第一行\n第二行\t备注"),
        (12345, "12345"),
    ],
)
def test_text_is_stripped_and_keeps_line_breaks(raw: object, clean: str) -> None:
    assert validate_params("reopen", {"reason": raw}) == {"reason": clean}


@pytest.mark.parametrize(
    ("action", "name", "others", "min_len", "max_len"),
    [
        ("reopen", "reason", {}, 2, 500),
        ("add_note", "text", {}, 1, 4000),
        ("record_investigation", "findings", {"stage": "initial", "methods": "interview"}, 2, 4000),
        ("answer", "faq_ref", {"answer": "已解答"}, 0, 64),
        ("acknowledge", "note", {}, 0, 500),
        ("reject_escalation", "comment", {}, 2, 2000),
    ],
)
def test_text_length_bounds(
    action: str, name: str, others: dict[str, Any], min_len: int, max_len: int
) -> None:
    longest = "长" * max_len
    assert validate_params(action, {**others, name: longest})[name] == longest
    assert only_error(action, {**others, name: longest + "长"}) == (
        name,
        "error.field.too_long",
        {"max": max_len},
    )
    if min_len > 1:
        shortest = "短" * min_len
        assert validate_params(action, {**others, name: shortest})[name] == shortest
        assert only_error(action, {**others, name: "短" * (min_len - 1)}) == (
            name,
            "error.field.too_short",
            {"min": min_len},
        )
    else:
        assert validate_params(action, {**others, name: "短"})[name] == "短"


def test_length_is_counted_after_stripping() -> None:
    assert only_error("reopen", {"reason": "  差  "}) == (
        "reason",
        "error.field.too_short",
        {"min": 2},
    )
    assert validate_params("reopen", {"reason": " " + "长" * 500 + " "}) == {"reason": "长" * 500}


@pytest.mark.parametrize("raw", ["ab\x00cd", "ab\x1bcd", "ab\x08cd", "a\x0bb", "\x07响铃"])
def test_control_characters_are_refused(raw: str) -> None:
    assert only_error("add_note", {"text": raw}) == ("text", "error.field.control_chars", {})


def test_windows_line_breaks_are_accepted() -> None:
    raw = {"text": "第一行\r\n第二行"}
    assert errors_of("add_note", raw) == []
    assert validate_params("add_note", raw)["text"].splitlines() == ["第一行", "第二行"]


def test_delete_character_is_refused() -> None:
    assert errors_of("add_note", {"text": "ab\x7fcd"}) == [
        ("text", "error.field.control_chars", {})
    ]


@pytest.mark.parametrize(
    ("action", "name", "others"),
    [
        ("assign", "to", {}),
        ("extend", "milestone", {"amount": 1, "reason": "等待"}),
        ("reclassify", "category", {"reason": "归类有误"}),
    ],
)
def test_reference_parameters_are_checked_as_text(
    action: str, name: str, others: dict[str, Any]
) -> None:
    # Whether the staff member, milestone or catalogue code exists is the service's check.
    assert validate_params(action, {**others, name: " X9 "})[name] == "X9"
    assert only_error(action, {**others, name: ""}) == (name, "error.field.required", {})
    assert only_error(action, {**others, name: "X\x009"}) == (
        name,
        "error.field.control_chars",
        {},
    )
    assert only_error(action, {**others, name: "x" * 2001}) == (
        name,
        "error.field.too_long",
        {"max": 2000},
    )


@given(
    st.text(
        alphabet=st.characters(exclude_categories=["Cs", "Cc", "Cf"], include_characters="\n\t"),
        max_size=520,
    )
)
def test_any_text_without_control_characters_round_trips_cleaned(raw: str) -> None:
    """Action texts follow the intake form's text rules (`clean_text`, multi-line): the
    same input is accepted or refused the same way everywhere."""
    cleaned = clean_text(raw, multiline=True)
    if not cleaned:
        assert only_error("reopen", {"reason": raw}) == ("reason", "error.field.required", {})
    elif len(cleaned) < 2:
        assert only_error("reopen", {"reason": raw})[1] == "error.field.too_short"
    elif len(cleaned) > 500:
        assert only_error("reopen", {"reason": raw})[1] == "error.field.too_long"
    else:
        assert validate_params("reopen", {"reason": raw}) == {"reason": cleaned}
        assert cleaned == cleaned.strip()


@given(
    st.text(min_size=1, max_size=20),
    # Carriage returns are line breaks (normalised to "\n"), not stray control codes.
    st.sampled_from([chr(i) for i in (*range(32), 127) if chr(i) not in "\t\n\r"]),
    st.text(min_size=1, max_size=20),
)
def test_a_control_character_inside_text_is_always_refused(
    head: str, control: str, tail: str
) -> None:
    raw = "x" + head + control + tail + "x"
    assert only_error("add_note", {"text": raw}) == ("text", "error.field.control_chars", {})


# --- whole numbers -------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "number"), [(3, 3), ("3", 3), (" 4 ", 4), ("+5", 5), ("３", 3)])
def test_whole_numbers_are_parsed(raw: object, number: int) -> None:
    assert validate_params("record_feedback", {"satisfied": "yes", "score": raw})["score"] == number


@pytest.mark.parametrize("raw", ["abc", "4.5", "4.0", 4.0, "四", "1e2", "--1"])
def test_not_a_whole_number(raw: object) -> None:
    assert only_error("record_feedback", {"satisfied": "yes", "score": raw}) == (
        "score",
        "error.field.not_a_number",
        {},
    )


@pytest.mark.parametrize(
    ("action", "name", "others", "low", "high"),
    [
        ("record_feedback", "score", {"satisfied": "yes"}, 1, 5),
        ("extend", "amount", {"milestone": "handling", "reason": "等待"}, 1, 60),
        (
            "plan",
            "compensation_fen",
            {"measures": "compensation", "detail": "补偿"},
            0,
            100_000_000,
        ),
    ],
)
def test_whole_number_bounds(
    action: str, name: str, others: dict[str, Any], low: int, high: int
) -> None:
    assert validate_params(action, {**others, name: low})[name] == low
    assert validate_params(action, {**others, name: str(high)})[name] == high
    assert only_error(action, {**others, name: low - 1}) == (
        name,
        "error.field.too_small",
        {"min": low},
    )
    assert only_error(action, {**others, name: str(high + 1)}) == (
        name,
        "error.field.too_large",
        {"max": high},
    )


def test_optional_whole_number_may_be_left_out() -> None:
    assert "compensation_fen" not in validate_params(
        "plan", {"measures": "rectification", "detail": "整改", "compensation_fen": ""}
    )


def test_a_boolean_is_not_a_whole_number() -> None:
    assert only_error("record_feedback", {"satisfied": True, "score": True}) == (
        "score",
        "error.field.not_a_number",
        {},
    )


@given(st.integers(min_value=-(10**12), max_value=10**12), st.booleans())
def test_whole_numbers_are_accepted_exactly_within_bounds(number: int, as_text: bool) -> None:
    raw: object = str(number) if as_text else number
    params = {"milestone": "closure", "amount": raw, "reason": "需协调"}
    if 1 <= number <= 60:
        assert validate_params("extend", params)["amount"] == number
    elif number < 1:
        assert only_error("extend", params) == ("amount", "error.field.too_small", {"min": 1})
    else:
        assert only_error("extend", params) == ("amount", "error.field.too_large", {"max": 60})


# --- yes / no ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("yes", True),
        ("YES", True),
        ("y", True),
        ("true", True),
        ("True", True),
        ("1", True),
        ("on", True),
        ("是", True),
        (" 是 ", True),
        (True, True),
        (1, True),
        ("no", False),
        ("No", False),
        ("n", False),
        ("false", False),
        ("0", False),
        ("off", False),
        ("否", False),
        (False, False),
        (0, False),
    ],
)
def test_yes_no_words(raw: object, value: bool) -> None:
    clean = validate_params("record_feedback", {"satisfied": raw, "score": 3})
    assert clean["satisfied"] is value


@pytest.mark.parametrize("raw", ["maybe", "2", 2, "满意", "yess", "t"])
def test_not_a_yes_no_word(raw: object) -> None:
    assert only_error("record_feedback", {"satisfied": raw, "score": 3}) == (
        "satisfied",
        "error.field.not_yes_no",
        {},
    )


def test_optional_yes_no() -> None:
    assert "further_handling" not in validate_params("resolve", {"result": "已处理"})
    clean = validate_params("resolve", {"result": "已处理", "further_handling": "是"})
    assert clean["further_handling"] is True


# --- one choice ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "name", "others", "good", "bad"),
    [
        ("determine_responsibility", "party", {"explanation": "核实"}, "customer", "用户"),
        (
            "record_investigation",
            "stage",
            {"methods": "on_site", "findings": "核实"},
            "initial",
            "final",
        ),
        ("reply_customer", "channel", {"summary": "已电话告知"}, "sms", "wechat"),
        ("request_escalation", "reason", {"detail": "多次投诉"}, "major_policy", "angry"),
        ("change_grade", "grade", {"reason": "影响扩大"}, "urgent", "Urgent"),
    ],
)
def test_single_choice(action: str, name: str, others: dict[str, Any], good: str, bad: str) -> None:
    assert validate_params(action, {**others, name: f" {good} "})[name] == good
    assert only_error(action, {**others, name: bad}) == (
        name,
        "error.field.invalid_choice",
        {"value": bad},
    )


def test_optional_choice_left_out_or_checked() -> None:
    assert "channel" not in validate_params("record_feedback", {"satisfied": "y", "score": 4})
    assert only_error("record_feedback", {"satisfied": "y", "score": 4, "channel": "fax"}) == (
        "channel",
        "error.field.invalid_choice",
        {"value": "fax"},
    )


# --- several choices -----------------------------------------------------------------


def investigation(methods: object) -> dict[str, Any]:
    return {"stage": "initial", "methods": methods, "findings": "已核实"}


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("on_site", ["on_site"]),
        ("system_data,on_site", ["on_site", "system_data"]),
        (" interview , third_party ,", ["interview", "third_party"]),
        ("on_site,on_site", ["on_site"]),
        (["third_party", "on_site", "third_party"], ["on_site", "third_party"]),
        (("interview",), ["interview"]),
        ([" system_data ", ""], ["system_data"]),
    ],
)
def test_several_choices(raw: object, clean: list[str]) -> None:
    assert validate_params("record_investigation", investigation(raw))["methods"] == clean


@pytest.mark.parametrize(
    ("raw", "bad"),
    [
        ("on_site,teleport", "teleport"),
        (["现场调查"], "现场调查"),
        ("on_site;interview", "on_site;interview"),
    ],
)
def test_unknown_value_among_several_choices(raw: object, bad: str) -> None:
    assert only_error("record_investigation", investigation(raw)) == (
        "methods",
        "error.field.invalid_choice",
        {"value": bad},
    )


@pytest.mark.parametrize("raw", [[], ",", " , ", ["", " "]])
def test_several_choices_need_at_least_one(raw: object) -> None:
    assert only_error("record_investigation", investigation(raw)) == (
        "methods",
        "error.field.required",
        {},
    )


@given(st.lists(st.sampled_from([m.value for m in Measure]), min_size=1, max_size=8), st.booleans())
def test_several_choices_collapse_to_the_distinct_values(chosen: list[str], as_text: bool) -> None:
    raw: object = ",".join(chosen) if as_text else chosen
    clean = validate_params("plan", {"measures": raw, "detail": "方案"})["measures"]
    # Canonical: each value once, in the catalogue's order, whatever order was typed.
    assert clean == [m.value for m in Measure if m.value in chosen]


def test_parameter_types_cover_the_declared_types() -> None:
    used = {spec.type for specs in ACTION_PARAMS.values() for spec in specs}
    assert used == set(ParamType)
    methods = next(s for s in ACTION_PARAMS["record_investigation"] if s.name == "methods")
    assert methods.choices is InvestigationMethod


def test_a_control_character_at_the_end_of_a_line_is_refused_too() -> None:
    """Trimming each line must not quietly drop a vertical tab before a line break."""
    assert only_error("add_note", {"text": "x0\x0b\nx"}) == (
        "text",
        "error.field.control_chars",
        {},
    )
