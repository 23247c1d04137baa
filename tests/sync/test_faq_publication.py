"""Headquarters publishes FAQ articles to branches: the HQ command checks the file with
the branches' own rules, the branch applies the instruction once, in order, in one
transaction with the cursor and the audit entry; HQ's versions replace the shipped
text, the branch's own articles are never touched, a withdrawal hides an article, and
a malformed publication is kept as refused without blocking what comes after it."""

from __future__ import annotations

import copy
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from branchdesk.domain.errors import NotFound
from branchdesk.domain.faq import ArticleDraft, Source
from branchdesk.persistence.schema import audit_log
from branchdesk.services import faq, sync_rules, sync_state
from branchdesk.services.context import ServiceContext
from sync.client import cli as sync_cli
from sync.server import admin
from sync.server import cli as hq_cli
from sync.server.database import create_hq_engine
from tests.conftest import Branch
from tests.sync.conftest import Enrolled

ROAMING = {
    "key": "hq-roaming",
    "version": 1,
    "category": "other",
    "zh_CN": {
        "title": "出境漫游怎么开通？",
        "body": "出境前请在营业厅或App开通国际漫游，并了解目的地的漫游资费和流量包。",
        "tags": ["漫游", "出境"],
    },
    "en": {
        "title": "How do I turn on roaming abroad?",
        "body": "Turn on international roaming at a branch or in the app before you travel.",
        "tags": ["roaming"],
    },
}
SIM = {
    "key": "sim-replacement",
    "version": 1,
    "category": "sim",
    "zh_CN": {
        "title": "补换卡办理指引（总部）",
        "body": "总部新规：补卡须本人持身份证到厅，刷脸核验后办理，原卡即时失效。",
        "tags": ["补卡", "刷脸"],
    },
}
PLAN = {
    "key": "plan-change",
    "version": 1,
    "category": "plans",
    "zh_CN": {
        "title": "套餐变更（总部口径）",
        "body": "总部统一口径：套餐变更次月生效，合约期内不可降档。",
    },
}


def publication(*articles: dict[str, Any], version: str = "2026-12") -> dict[str, Any]:
    return {"version": version, "document": {"format": 1, "articles": list(articles)}}


class Instructions:
    """Hands the branch HQ's instructions one after another, as the sync client does."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self.seq = 0

        self.last_id = ""

    def apply(self, type_: str, body: dict[str, Any], **kwargs: Any) -> str:
        self.seq += 1
        self.last_id = str(uuid.uuid4())
        instr = sync_rules.InstructionData(
            self.seq, self.last_id, type_, datetime(2026, 12, 1, 2, 0, tzinfo=UTC), body
        )
        return sync_rules.apply_instruction(self.ctx, instr, **kwargs)


def branch_article(ctx: ServiceContext) -> str:
    draft = ArticleDraft(
        "本厅营业时间", "本厅周一至周日9:00-18:00营业，节假日照常营业。", "other", ("营业时间",)
    )
    return faq.save_branch_article(ctx, draft, actor="M301").key


def keys(ctx: ServiceContext, query: str) -> list[str]:
    return [a.key for a in faq.search(ctx, query, actor="H201", language="zh_CN")]


def faq_audit(ctx: ServiceContext) -> list[tuple[str, dict[str, Any]]]:
    with ctx.db.read() as conn:
        rows = conn.execute(
            select(audit_log.c.actor, audit_log.c.detail).where(audit_log.c.action == "faq.publish")
        ).all()
    return [(str(a), dict(d)) for a, d in rows]


# ---------------------------------------------------------------- the apply step


def test_a_faq_publication_is_applied_once_as_hq_versions_and_audited(branch: Branch) -> None:
    ctx = branch.ctx
    local = branch_article(ctx)
    own = faq.get_article(ctx, "plan-change", actor="H201")
    faq.save_branch_article(
        ctx,
        ArticleDraft(own.title, own.body + "本厅可当场办理。", "plans", own.tags),
        actor="M301",
        key="plan-change",
    )
    hq = Instructions(ctx)
    body = publication(ROAMING, SIM, PLAN)
    assert hq.apply("faq", body) == "applied"

    sim = faq.get_article(ctx, "sim-replacement", actor="H201")
    assert (sim.source, sim.version) == (Source.HQ, 2)  # over the shipped version 1
    assert keys(ctx, "刷脸") == ["sim-replacement"]  # HQ's new words are searched…
    assert "sim-replacement" not in keys(ctx, "挂失")  # …the shipped ones no longer
    english = faq.get_article(ctx, "sim-replacement", actor="H201", language="en")
    assert english.source is Source.SHIPPED  # HQ sent no English text: it stays
    roaming = faq.get_article(ctx, "hq-roaming", actor="H201")
    assert (roaming.source, roaming.version) == (Source.HQ, 1)
    assert keys(ctx, "漫游")[0] == "hq-roaming"  # a two-character fragment
    assert keys(ctx, "国际漫游") == ["hq-roaming"]
    # The branch's own wording is never replaced.
    plan = faq.get_article(ctx, "plan-change", actor="H201")
    assert plan.source is Source.BRANCH and plan.body.endswith("本厅可当场办理。")
    assert faq.get_article(ctx, local, actor="H201").source is Source.BRANCH

    (entry,) = faq_audit(ctx)
    assert entry[0] == "HQ"
    assert entry[1]["publication"] == "2026-12"
    assert entry[1]["instruction"] == hq.last_id
    assert set(entry[1]["written"]) == {
        "hq-roaming/zh_CN",
        "hq-roaming/en",
        "sim-replacement/zh_CN",
    }
    assert entry[1]["kept_branch"] == ["plan-change/zh_CN"]
    with ctx.db.read() as conn:
        assert sync_state.cursor(conn) == 1

    # The same instruction again (a lost answer, a restart): nothing happens twice.
    again = sync_rules.InstructionData(1, "x", "faq", datetime.now(UTC), body)
    assert sync_rules.apply_instruction(ctx, again) == "already"
    assert faq.versions(ctx, "sim-replacement", actor="H201") == [1, 2]
    assert len(faq_audit(ctx)) == 1


def test_republishing_makes_a_new_version_and_withdrawing_hides_the_article(
    branch: Branch,
) -> None:
    ctx = branch.ctx
    hq = Instructions(ctx)
    assert hq.apply("faq", publication(ROAMING, SIM)) == "applied"
    # Publishing the same text again writes nothing; a changed text is a new version.
    assert hq.apply("faq", publication(ROAMING)) == "applied"
    assert faq.versions(ctx, "hq-roaming", actor="H201") == [1]
    changed = copy.deepcopy(ROAMING)
    changed["zh_CN"]["body"] = "出境前请开通国际漫游；总部推出全球通用日租包，每天25元。"
    assert hq.apply("faq", publication(changed, version="2026-12b")) == "applied"
    assert faq.versions(ctx, "hq-roaming", actor="H201") == [1, 2]
    assert keys(ctx, "日租包") == ["hq-roaming"]
    assert faq.get_article(ctx, "hq-roaming", actor="H201").version == 2
    assert keys(ctx, "流量包") == []  # the old wording is not searched

    withdrawal = [
        {"key": "hq-roaming", "withdrawn": True},
        {"key": "sim-replacement", "withdrawn": True},
    ]
    assert hq.apply("faq", publication(*withdrawal, version="w1")) == "applied"
    assert keys(ctx, "漫游") == [] and "sim-replacement" not in keys(ctx, "补卡")
    with pytest.raises(NotFound):
        faq.get_article(ctx, "hq-roaming", actor="H201")
    with pytest.raises(NotFound):
        faq.get_article(ctx, "sim-replacement", actor="H201", language="en")
    assert faq.versions(ctx, "hq-roaming", actor="H201") == [1, 2, 3]
    withdrawn = faq_audit(ctx)[-1][1]["withdrawn"]
    assert set(withdrawn) == {
        "hq-roaming/zh_CN",
        "hq-roaming/en",
        "sim-replacement/zh_CN",
        "sim-replacement/en",
    }
    # An upgrade bringing new shipped wording does not bring a withdrawn article back.
    with ctx.db.write() as conn:
        conn.execute(text("DELETE FROM settings WHERE key = 'faq.shipped'"))
    faq.ensure_shipped(ctx)
    assert "sim-replacement" not in keys(ctx, "补卡")
    # Published again later, it is back as a new version.
    assert hq.apply("faq", publication(changed, version="2027-01")) == "applied"
    assert keys(ctx, "日租包") == ["hq-roaming"]
    assert faq.versions(ctx, "hq-roaming", actor="H201") == [1, 2, 3, 4]


def test_hq_cannot_withdraw_the_branch_own_wording(branch: Branch) -> None:
    ctx = branch.ctx
    own = faq.get_article(ctx, "plan-change", actor="H201")
    faq.save_branch_article(
        ctx,
        ArticleDraft(own.title, own.body + "本厅可当场办理。", "plans", own.tags),
        actor="M301",
        key="plan-change",
    )
    hq = Instructions(ctx)
    assert hq.apply("faq", publication({"key": "plan-change", "withdrawn": True})) == "applied"
    # The Chinese text is the branch's own: it stays. The English one was shipped: gone.
    assert faq.get_article(ctx, "plan-change", actor="H201").source is Source.BRANCH
    assert "plan-change" in keys(ctx, "当场办理")
    with pytest.raises(NotFound):
        faq.get_article(ctx, "plan-change", actor="H201", language="en")
    ((_, detail),) = faq_audit(ctx)
    assert (detail["withdrawn"], detail["kept_branch"]) == (
        ["plan-change/en"],
        ["plan-change/zh_CN"],
    )


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"version": "1"}, "invalid_document"),
        ({"document": {"articles": [ROAMING]}}, "invalid_document"),
        (publication(), "invalid_document:articles"),
        (
            publication(ROAMING, {**SIM, "zh_CN": {"title": "补卡", "body": "太短"}}),
            "invalid_document:sim-replacement.zh_CN.body",
        ),
        (
            publication(ROAMING, {**SIM, "category": "nonsense"}),
            "invalid_document:sim-replacement.category",
        ),
        (publication({**ROAMING, "key": "Bad Key"}), "invalid_document:articles[0].key"),
        (publication(ROAMING, ROAMING), "invalid_document:hq-roaming.key"),
        (
            publication({"key": "hq-roaming", "withdrawn": "yes"}),
            "invalid_document:hq-roaming.withdrawn",
        ),
    ],
)
def test_a_malformed_publication_is_refused_whole_and_does_not_block(
    branch: Branch, body: dict[str, Any], reason: str
) -> None:
    ctx = branch.ctx
    hq = Instructions(ctx)
    assert hq.apply("faq", body) == "refused"
    assert hq.apply("notice", {"title": "通知", "text": "周六系统维护"}) == "applied"
    assert [(p["seq"], p["status"], p["reason"]) for p in sync_rules.parked_instructions(ctx)] == [
        (1, "refused", reason)
    ]
    assert keys(ctx, "漫游") == []  # nothing of it applied, not even the good article
    assert faq.get_article(ctx, "sim-replacement", actor="H201").source is Source.SHIPPED
    assert faq_audit(ctx) == []
    with ctx.db.read() as conn:
        assert sync_state.cursor(conn) == 2


def test_a_crash_before_the_cursor_commits_leaves_nothing_applied(branch: Branch) -> None:
    ctx = branch.ctx
    hq = Instructions(ctx)

    def crash() -> None:
        raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):
        hq.apply("faq", publication(ROAMING), hook=crash)
    assert keys(ctx, "漫游") == [] and faq_audit(ctx) == []
    with ctx.db.read() as conn:
        assert sync_state.cursor(conn) == 0
    hq.seq = 0  # HQ sends the same instruction again: applied once
    assert hq.apply("faq", publication(ROAMING)) == "applied"
    assert keys(ctx, "漫游") == ["hq-roaming"] and len(faq_audit(ctx)) == 1


# ---------------------------------------------------------------- HQ's command


def test_hq_refuses_a_bad_file_naming_the_article_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "hq.sqlite3")
    assert hq_cli.main(["--db", db, "enroll-branch", "GZ0012"]) == 0
    bad = {
        "articles": [
            ROAMING,
            {**SIM, "zh_CN": {"title": "补", "body": "总部新规：补卡须本人到厅。"}},
        ]
    }
    (tmp_path / "bad.json").write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    capsys.readouterr()
    assert hq_cli.main(["--db", db, "faq", "publish", str(tmp_path / "bad.json")]) == 2
    err = capsys.readouterr().err
    assert "sim-replacement.zh_CN.title: at least 2 characters needed" in err
    (tmp_path / "broken.json").write_text('{"articles": [', encoding="utf-8")
    assert hq_cli.main(["--db", db, "faq", "publish", str(tmp_path / "broken.json")]) == 2
    assert "not a UTF-8 JSON file" in capsys.readouterr().err
    assert hq_cli.main(["--db", db, "faq", "withdraw", "Not A Key"]) == 2
    assert "articles[0].key: not valid" in capsys.readouterr().err
    engine = create_hq_engine(db, pool_size=1)
    try:
        assert admin.instructions_after(engine, "GZ0012", 0, 10).instructions == []
        # A good file goes out as one `faq` instruction with the shipped format inside.
        (tmp_path / "good.json").write_text(
            json.dumps({"format": 1, "articles": [ROAMING]}), encoding="utf-8"
        )
        good = ["--db", db, "faq", "publish", str(tmp_path / "good.json"), "--version", "v7"]
        assert hq_cli.main(good) == 0
        assert "GZ0012  #1  faq" in capsys.readouterr().out
        (sent,) = admin.instructions_after(engine, "GZ0012", 0, 10).instructions
    finally:
        engine.dispose()
    assert sent.type == "faq" and sent.body["version"] == "v7"
    assert sent.body["document"]["articles"][0]["key"] == "hq-roaming"


# ---------------------------------------------------------------- end to end


def _sync(enrolled: Enrolled) -> None:
    assert sync_cli.main(["--data-dir", str(enrolled.branch.data_dir), "sync"]) == 0


def test_hq_publishes_republishes_and_withdraws_articles_through_sync(
    enrolled: Enrolled, tmp_path: Path
) -> None:
    ctx = enrolled.ctx
    local = branch_article(ctx)
    articles = tmp_path / "hq-faq.json"
    articles.write_text(
        json.dumps({"format": 1, "articles": [ROAMING, SIM]}, ensure_ascii=False), encoding="utf-8"
    )
    out = enrolled.hq.cli("faq", "publish", str(articles))
    assert "GZ0012  #1  faq" in out
    _sync(enrolled)
    assert keys(ctx, "漫游")[0] == "hq-roaming"
    assert keys(ctx, "刷脸核验") == ["sim-replacement"]
    assert faq.get_article(ctx, "hq-roaming", actor="H201").source is Source.HQ
    assert faq.versions(ctx, "hq-roaming", actor="H201") == [1]
    assert faq.versions(ctx, "sim-replacement", actor="H201") == [1, 2]
    assert faq.get_article(ctx, local, actor="H201").source is Source.BRANCH

    # HQ edits the file and publishes it again: the changed article only is a new version.
    changed = copy.deepcopy(ROAMING)
    changed["zh_CN"]["body"] = "出境前请开通国际漫游；总部推出全球通用日租包，每天25元。"
    articles.write_text(
        json.dumps({"format": 1, "articles": [changed, SIM]}, ensure_ascii=False), encoding="utf-8"
    )
    enrolled.hq.cli("faq", "publish", str(articles), "--branch", "GZ0012")
    _sync(enrolled)
    assert faq.versions(ctx, "hq-roaming", actor="H201") == [1, 2]
    assert faq.versions(ctx, "sim-replacement", actor="H201") == [1, 2]
    assert keys(ctx, "日租包") == ["hq-roaming"]

    enrolled.hq.cli("faq", "withdraw", "hq-roaming")
    _sync(enrolled)
    _sync(enrolled)  # a second round applies nothing again
    assert keys(ctx, "漫游") == [] and keys(ctx, "日租包") == []
    assert keys(ctx, "刷脸核验") == ["sim-replacement"]
    assert keys(ctx, "营业时间") == [local]
    entries = [d for _, d in faq_audit(ctx)]
    assert len(entries) == 3  # once per publication, however often the branch synced
    assert entries[2]["withdrawn"] == ["hq-roaming/zh_CN", "hq-roaming/en"]
    assert sync_rules.parked_instructions(ctx) == []
    report = json.loads(enrolled.hq.cli("branches", "--json"))
    assert report[0]["instructions_unapplied"] == 0
