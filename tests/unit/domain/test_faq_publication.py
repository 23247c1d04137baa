"""Reading HQ's FAQ publication: the shipped format plus `withdrawn`, every problem
named by article, language and field, all of them at once."""

from __future__ import annotations

import pytest

from branchdesk.domain.errors import ValidationError
from branchdesk.domain.faq import parse_publication

GOOD = {
    "key": "hq-roaming",
    "version": 3,
    "category": "other",
    "zh_CN": {"title": "出境漫游", "body": "出境前请开通国际漫游并了解资费。", "tags": ["漫游"]},
    "en": {"title": "Roaming", "body": "Turn roaming on before you travel."},
}


def test_articles_and_withdrawals_are_read() -> None:
    (article, gone) = parse_publication(
        {"format": 1, "articles": [GOOD, {"key": "old-offer", "withdrawn": True}]}
    )
    assert (article.key, article.version, article.withdrawn) == ("hq-roaming", 3, False)
    assert [d.language for d in article.drafts] == ["zh_CN", "en"]
    assert article.drafts[0].tags == ("漫游",)
    assert (gone.key, gone.version, gone.withdrawn, gone.drafts) == ("old-offer", 1, True, ())


def test_every_problem_is_named_by_article_language_and_field() -> None:
    bad = [
        GOOD,
        {**GOOD, "key": "a-1", "zh_CN": {"title": "好", "body": 42}, "en": "text"},
        {**GOOD, "key": "a-2", "category": "weather"},
        {
            **GOOD,
            "key": "a-3",
            "zh_CN": {"title": "标题", "body": "正文足够长的内容啊啊", "tags": [1]},
        },
        {"category": "other"},
        {**GOOD, "key": "a-4", "version": "2"},
        {"key": "a-5", "category": "sim"},
        GOOD,
        "nonsense",
    ]
    with pytest.raises(ValidationError) as refused:
        parse_publication({"articles": bad})
    assert [e.field for e in refused.value.errors] == [
        "a-1.zh_CN.title",
        "a-1.zh_CN.body",
        "a-1.en",
        "a-2.category",
        "a-3.zh_CN.tags",
        "articles[4].key",
        "a-4.version",
        "a-5.zh_CN",
        "hq-roaming.key",
        "articles[8]",
    ]
    assert "a-1.zh_CN.title: at least 2 characters needed" in str(refused.value)
    assert "hq-roaming appears twice" in str(refused.value)


@pytest.mark.parametrize("document", [[], {}, {"articles": []}, {"articles": {"k": 1}}])
def test_a_document_without_articles_is_refused(document: object) -> None:
    with pytest.raises(ValidationError) as refused:
        parse_publication(document)
    assert [e.field for e in refused.value.errors] == ["articles"]
