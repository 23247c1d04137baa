"""The FAQ knowledge base through the services on a real branch database: shipped
articles, Chinese search (1–2 characters too), branch versions, HQ publication,
answering a consultation with an article, and who may do what."""

from __future__ import annotations

import pytest

from branchdesk.domain.errors import IllegalTransition, NotFound, ValidationError
from branchdesk.domain.faq import ArticleDraft, Source
from branchdesk.domain.permissions import PermissionDenied
from branchdesk.services import cases, faq, staff
from tests.conftest import Branch, activate, complaint_form


def consultation(branch: Branch) -> str:
    form = complaint_form(kind="consultation", category="consultation/roaming", remedy="")
    return cases.intake(branch.ctx, form=form, actor="A001").case.number


def test_shipped_articles_are_loaded_once_in_both_languages(branch: Branch) -> None:
    ctx = branch.ctx
    article = faq.get_article(ctx, "porting-conditions", actor="H201")
    assert article.source is Source.SHIPPED and article.version == 1
    assert "授权码" in article.body
    english = faq.get_article(ctx, "porting-conditions", actor="H201", language="en")
    assert "authorisation code" in english.body
    faq.ensure_shipped(ctx)  # a second load adds no versions
    assert faq.versions(ctx, "porting-conditions", actor="H201") == [1]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("携号转网", "porting-conditions"),  # 4 characters: trigram index
        ("补卡", "sim-replacement"),  # 2 characters: the short-gram index
        ("光猫", "broadband-no-connection"),
        ("断网", "broadband-no-connection"),
        ("账单", "billing-query"),
        ("网速慢", "broadband-slow"),
    ],
)
def test_chinese_search_finds_the_best_article_first(
    branch: Branch, query: str, expected: str
) -> None:
    hits = faq.search(branch.ctx, query, actor="H201", language="zh_CN")
    assert hits and hits[0].key == expected, [h.key for h in hits]
    assert all(query in f"{h.title}{h.body}{''.join(h.tags)}" for h in hits)


def test_one_character_and_several_terms(branch: Branch) -> None:
    ctx = branch.ctx
    one = {h.key for h in faq.search(ctx, "卡", actor="H201", language="zh_CN")}
    assert {"sim-replacement", "sim-esim-upgrade"} <= one
    both = faq.search(ctx, "宽带 预约", actor="H201", language="zh_CN")
    # Both terms in the title and tags rank above a body that mentions a visit once.
    assert [h.key for h in both] == ["broadband-repair-appointment", "broadband-no-connection"]
    assert faq.search(ctx, "卫星电话", actor="H201") == []
    english = faq.search(ctx, "porting", actor="H201", language="en")
    assert english[0].key in ("porting-conditions", "porting-process")


def test_branch_articles_are_versioned_and_marked(branch: Branch) -> None:
    ctx = branch.ctx
    draft = ArticleDraft(
        title="本厅营业时间",
        body="本厅周一至周日9:00-18:00营业，节假日照常营业。",
        category="other",
        tags=("营业时间",),
    )
    new = faq.save_branch_article(ctx, draft, actor="M301")
    assert new.key == "GZ0012-0001" and new.source is Source.BRANCH and new.version == 1
    edited = faq.save_branch_article(
        ctx,
        ArticleDraft(**{**draft.__dict__, "body": "本厅周一至周五9:00-18:00营业。"}),
        actor="M301",
        key=new.key,
    )
    assert edited.version == 2
    hits = faq.search(ctx, "营业", actor="H201")
    assert [h.body for h in hits if h.key == new.key] == ["本厅周一至周五9:00-18:00营业。"]
    assert faq.search(ctx, "周日", actor="H201") == []  # the old version is not searched
    # Editing a shipped article makes the branch's own version of it.
    shipped = faq.get_article(ctx, "plan-change", actor="H201")
    local = faq.save_branch_article(
        ctx,
        ArticleDraft(shipped.title, shipped.body + "本厅可当场办理。", "plans", shipped.tags),
        actor="M301",
        key="plan-change",
    )
    assert local.version == 2 and local.source is Source.BRANCH
    with pytest.raises(ValidationError) as bad:
        faq.save_branch_article(ctx, ArticleDraft("x", "短", "nonsense"), actor="M301")
    assert {e.field for e in bad.value.errors} == {"title", "body", "category"}
    with pytest.raises(NotFound):
        faq.save_branch_article(ctx, draft, actor="M301", key="no-such-article")


def test_only_managers_edit_and_only_hq_publishes(branch: Branch) -> None:
    ctx = branch.ctx
    new = staff.add_staff(ctx, staff_no="R901", name="档案员", roles=("archivist",), actor="A001")
    activate(ctx, "R901", new.one_time_code)
    draft = ArticleDraft("本厅停车", "本厅门前可免费停车30分钟。", "other")
    for reader in ("H201", "R901", "A001"):
        assert faq.search(ctx, "套餐", actor=reader)
    for refused in ("H201", "R901"):
        with pytest.raises(PermissionDenied):
            faq.save_branch_article(ctx, draft, actor=refused)
    with pytest.raises(PermissionDenied), ctx.db.write() as conn:
        faq.publish_articles(ctx, conn, {"articles": []}, actor="M301")


def test_hq_publication_replaces_shipped_wording_and_keeps_the_branch_own(
    branch: Branch,
) -> None:
    ctx = branch.ctx
    faq.save_branch_article(
        ctx,
        ArticleDraft("补换卡须知", "补卡请带身份证到营业厅办理。", "sim", ("补卡",)),
        actor="M301",
        key="sim-replacement",
    )
    published = {
        "articles": [
            {
                "key": "sim-replacement",
                "version": 5,
                "category": "sim",
                "zh_CN": {
                    "title": "补换卡办理指引",
                    "body": "总部新规：补卡须现场人像比对，原卡即时失效。",
                },
            },
            {
                "key": "hq-roaming",
                "version": 1,
                "category": "other",
                "zh_CN": {"title": "出境漫游", "body": "出境前请开通国际漫游并了解资费。"},
            },
        ]
    }
    with ctx.db.write() as conn:
        result = faq.publish_articles(ctx, conn, published)
    assert result.written == ("hq-roaming/zh_CN",)
    assert result.kept_branch == ("sim-replacement/zh_CN",)
    article = faq.get_article(ctx, "sim-replacement", actor="H201")
    assert article.source is Source.BRANCH and "身份证" in article.body
    assert faq.search(ctx, "漫游", actor="H201")[0].key == "hq-roaming"
    # The English shipped text of the same key had no branch wording: HQ's replaces it.
    published["articles"][0]["en"] = {
        "title": "Replacing a SIM card",
        "body": "New HQ rule: a photo check at the counter; the old card stops at once.",
    }
    with ctx.db.write() as conn:
        again = faq.publish_articles(ctx, conn, published)
    assert again.written == ("sim-replacement/en",)  # hq-roaming unchanged: no new version
    english = faq.get_article(ctx, "sim-replacement", actor="H201", language="en")
    assert (english.source, english.version) == (Source.HQ, 5)
    assert faq.versions(ctx, "hq-roaming", actor="H201") == [1]


def test_answering_with_an_article_records_it_and_counts_the_use(branch: Branch) -> None:
    ctx = branch.ctx
    first, second = consultation(branch), consultation(branch)
    view = faq.answer_with_article(ctx, number=first, article_id="billing-dispute", actor="A001")
    assert view.case.state == "resolved"
    payload = view.events[-1].payload
    assert (view.events[-1].kind, payload["faq_ref"]) == ("answer", "billing-dispute@v1")
    assert "话费" in payload["answer"]
    faq.answer_with_article(ctx, number=second, article_id="billing-dispute", actor="A001")
    assert faq.get_article(ctx, "billing-dispute", actor="H201").uses == 2
    assert faq.most_used(ctx, actor="H201")[0] == ("billing-dispute", 2)
    with pytest.raises(NotFound):
        faq.answer_with_article(ctx, number=first, article_id="nope", actor="A001")
    # A refused answer (already answered) counts nothing.
    with pytest.raises(IllegalTransition):
        faq.answer_with_article(ctx, number=first, article_id="billing-dispute", actor="A001")
    assert faq.get_article(ctx, "billing-dispute", actor="H201").uses == 2
