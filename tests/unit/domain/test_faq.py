"""FAQ rules: drafts, the shipped data file and ranking."""

from __future__ import annotations

import pytest

from branchdesk.domain.errors import ValidationError
from branchdesk.domain.faq import (
    Article,
    ArticleDraft,
    Source,
    faq_ref,
    is_short_query,
    parse_articles,
    rank,
    validate_draft,
)
from branchdesk.resources_access import read_json


def article(key: str, title: str, body: str, tags: tuple[str, ...] = (), uses: int = 0) -> Article:
    return Article(key, "zh_CN", 1, Source.SHIPPED, "other", title, body, tags, uses)


def test_a_draft_is_cleaned_and_every_bad_field_named() -> None:
    clean = validate_draft(
        ArticleDraft("  补卡 须知 ", "补卡请带身份证到营业厅。", "sim", (" 补卡 ", "补卡", ""))
    )
    assert clean.title == "补卡 须知" and clean.tags == ("补卡",)
    with pytest.raises(ValidationError) as bad:
        validate_draft(ArticleDraft("", "短", "weather", ("x" * 31,), language="fr"))
    assert {e.field for e in bad.value.errors} == {"title", "body", "category", "language", "tags"}


def test_the_shipped_articles_cover_the_common_questions_in_both_languages() -> None:
    shipped = parse_articles(read_json("faq/telecom.json"))
    assert len(shipped) >= 12
    categories = {d.category for a in shipped for d in a.drafts}
    assert {"plans", "billing", "broadband", "porting", "sim"} <= categories
    assert all({d.language for d in a.drafts} == {"zh_CN", "en"} for a in shipped)


def test_a_key_twice_in_one_file_is_refused() -> None:
    one = {
        "key": "a",
        "category": "other",
        "zh_CN": {"title": "标题", "body": "这是一段足够长的正文内容。"},
    }
    with pytest.raises(ValueError, match="twice"):
        parse_articles({"articles": [one, one]})


def test_title_hits_rank_above_body_hits_and_every_term_must_match() -> None:
    in_body = article("b", "宽带报修", "光猫灯不亮请报修，宽带断网。")
    in_title = article("a", "宽带断网怎么办", "请检查光猫。")
    other = article("c", "套餐变更", "次月生效。")
    assert [a.key for a in rank([in_body, in_title, other], "断网")] == ["a", "b"]
    assert [a.key for a in rank([in_body, in_title, other], "断网 报修")] == ["b"]
    assert rank([in_body], "") == []


def test_use_breaks_ties_and_case_does_not_matter() -> None:
    used = article("z", "SIM card", "Replace a lost SIM.", uses=7)
    unused = article("a", "SIM card", "Replace a lost SIM.")
    assert [a.key for a in rank([unused, used], "sim")] == ["z", "a"]


def test_short_queries_and_references() -> None:
    assert is_short_query("卡") and is_short_query(" 补卡 ") and not is_short_query("携号转网")
    assert faq_ref("billing-dispute", 3) == "billing-dispute@v3"
