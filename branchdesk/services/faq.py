"""The FAQ knowledge base (常见问题解答): shipped default articles loaded on first use,
search by Chinese fragment (1–2 characters too), branch-local articles kept as new
versions, HQ publication, and answering a consultation with an article.

Search uses the same two indexes as cases: an FTS5 trigram index for 3+ character
terms and an index of single characters and pairs for shorter ones; the hits are then
ranked by `branchdesk.domain.faq.rank`."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Connection, func, insert, select, text, update

from branchdesk.domain.errors import NotFound
from branchdesk.domain.faq import (
    LANGUAGES,
    Article,
    ArticleDraft,
    ShippedArticle,
    Source,
    faq_ref,
    is_short_query,
    parse_articles,
    parse_publication,
    rank,
    validate_draft,
)
from branchdesk.domain.process import CaseEvent
from branchdesk.persistence.schema import faq_articles, faq_uses, settings
from branchdesk.resources_access import read_json, resource
from branchdesk.services import cases as case_services
from branchdesk.services.access import authorize
from branchdesk.services.cases import CaseView
from branchdesk.services.context import ServiceContext
from branchdesk.services.recording import short_tokens, write_audit

_LOADED_KEY = "faq.shipped"


def _shipped_files() -> list[str]:
    return sorted(f.name for f in resource("faq").iterdir() if f.name.endswith(".json"))


@cache  # read once per process: every search asks whether they are loaded
def _shipped() -> tuple[str, tuple[ShippedArticle, ...]]:
    raw = [read_json(f"faq/{name}") for name in _shipped_files()]
    digest = hashlib.sha256(json.dumps(raw, sort_keys=True).encode()).hexdigest()
    return digest, tuple(a for data in raw for a in parse_articles(data))


def ensure_shipped(ctx: ServiceContext) -> None:
    """Load the shipped articles into the branch database if this version of them is
    not there yet (first use, or after an upgrade). Articles the branch or HQ changed,
    and those HQ withdrew, are left as they are."""
    digest, _ = _shipped()
    with ctx.db.read() as conn:
        if _loaded(conn) == digest:
            return
    with ctx.db.write() as conn:
        _load_shipped(ctx, conn)


def _loaded(conn: Connection) -> Any:
    return conn.execute(select(settings.c.value).where(settings.c.key == _LOADED_KEY)).scalar()


def _load_shipped(ctx: ServiceContext, conn: Connection) -> None:
    """`ensure_shipped` inside the caller's transaction."""
    digest, articles = _shipped()
    if _loaded(conn) == digest:
        return
    for article in articles:
        for draft in article.drafts:
            old = _current(conn, article.key, draft.language)
            if old is not None and (old.source != Source.SHIPPED or old.version >= article.version):
                continue  # the branch's or HQ's wording stays; or already there
            _put(
                ctx,
                conn,
                article.key,
                draft,
                source=Source.SHIPPED,
                actor="system",
                version=article.version,
            )
    conn.execute(
        text(
            "INSERT INTO settings(key, value) VALUES (:k, json_quote(:v)) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value"
        ),
        {"k": _LOADED_KEY, "v": digest},
    )


def _current(conn: Connection, key: str, language: str) -> Any:
    return conn.execute(
        select(faq_articles).where(
            faq_articles.c.key == key, faq_articles.c.language == language, faq_articles.c.current
        )
    ).first()


def _put(
    ctx: ServiceContext,
    conn: Connection,
    key: str,
    draft: ArticleDraft,
    *,
    source: Source,
    actor: str,
    version: int | None = None,
    withdrawn: bool = False,
) -> int:
    """Write a new current version of (key, language) and re-index it (a withdrawn
    version is current but not indexed: neither shown nor found)."""
    old = _current(conn, key, draft.language)
    if old is not None:
        conn.execute(update(faq_articles).where(faq_articles.c.id == old.id).values(current=False))
        conn.execute(text("DELETE FROM faq_search WHERE rowid = :id"), {"id": old.id})
        conn.execute(text("DELETE FROM faq_grams WHERE rowid = :id"), {"id": old.id})
    number = version if version is not None else (old.version + 1 if old is not None else 1)
    if old is not None:
        number = max(number, old.version + 1)
    row_id = conn.execute(
        insert(faq_articles).values(
            key=key,
            language=draft.language,
            version=number,
            current=True,
            source=source.value,
            category=draft.category,
            title=draft.title,
            body=draft.body,
            tags=list(draft.tags),
            created_at=ctx.now(),
            created_by=actor,
            withdrawn=withdrawn,
        )
    ).inserted_primary_key
    assert row_id is not None
    new_id = int(row_id[0])
    if withdrawn:
        return new_id
    tags = " ".join(draft.tags)
    conn.execute(
        text("INSERT INTO faq_search(rowid, title, tags, body) VALUES (:id, :t, :g, :b)"),
        {"id": new_id, "t": draft.title, "g": tags, "b": draft.body},
    )
    conn.execute(
        text("INSERT INTO faq_grams(rowid, tokens) VALUES (:id, :tokens)"),
        {"id": new_id, "tokens": short_tokens(draft.title, tags, draft.body)},
    )
    return new_id


@dataclass(frozen=True)
class PublishResult:
    """What one HQ publication changed at this branch (article keys, by language)."""

    written: tuple[str, ...] = ()  # "sim-replacement/zh_CN": a new HQ version
    withdrawn: tuple[str, ...] = ()
    kept_branch: tuple[str, ...] = ()  # the branch's own wording, left as it is


def _same_text(row: Any, draft: ArticleDraft) -> bool:
    return not row.withdrawn and (row.title, row.body, row.category, tuple(row.tags)) == (
        draft.title,
        draft.body,
        draft.category,
        draft.tags,
    )


def publish_articles(
    ctx: ServiceContext,
    conn: Connection,
    document: Mapping[str, Any],
    *,
    actor: str = "HQ",
    publication: str = "",
    instruction: str = "",
) -> PublishResult:
    """Apply headquarters' FAQ publication (the shipped file's format, see
    `parse_publication`) in the caller's transaction, as the sync applier does.

    Each article's text becomes a new version marked `hq`, replacing the shipped text
    of the same key; a text equal to HQ's current one is left alone; an article marked
    `withdrawn` gets a withdrawn version (no longer shown or found). The branch's own
    wording (`branch`) is never replaced or withdrawn. A version number is at least the
    publication's. Raises ValidationError (nothing written) for a malformed document."""
    authorize(ctx, conn, actor, "faq.publish")
    articles = parse_publication(document)
    _load_shipped(ctx, conn)  # HQ's versions go over the shipped ones, never under
    written: list[str] = []
    withdrawn: list[str] = []
    kept: list[str] = []
    for article in articles:
        if article.withdrawn:
            for language in LANGUAGES:
                old = _current(conn, article.key, language)
                if old is None or old.withdrawn:
                    continue
                if old.source == Source.BRANCH.value:
                    kept.append(f"{article.key}/{language}")
                    continue
                draft = ArticleDraft(old.title, old.body, old.category, tuple(old.tags), language)
                _put(
                    ctx,
                    conn,
                    article.key,
                    draft,
                    source=Source.HQ,
                    actor=actor,
                    version=article.version,
                    withdrawn=True,
                )
                withdrawn.append(f"{article.key}/{language}")
            continue
        for draft in article.drafts:
            old = _current(conn, article.key, draft.language)
            if old is not None and old.source == Source.BRANCH.value:
                kept.append(f"{article.key}/{draft.language}")
                continue
            if old is not None and old.source == Source.HQ.value and _same_text(old, draft):
                continue  # published before: no new version
            _put(
                ctx,
                conn,
                article.key,
                draft,
                source=Source.HQ,
                actor=actor,
                version=article.version,
            )
            written.append(f"{article.key}/{draft.language}")
    result = PublishResult(tuple(written), tuple(withdrawn), tuple(kept))
    write_audit(
        ctx,
        conn,
        actor=actor,
        action="faq.publish",
        case_id=None,
        detail={
            "publication": publication,
            "instruction": instruction,
            "written": list(result.written),
            "withdrawn": list(result.withdrawn),
            "kept_branch": list(result.kept_branch),
        },
    )
    return result


def _article(row: Any, uses: int) -> Article:
    return Article(
        key=row.key,
        language=row.language,
        version=row.version,
        source=Source(row.source),
        category=row.category,
        title=row.title,
        body=row.body,
        tags=tuple(row.tags),
        uses=uses,
    )


def _quoted(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def search(
    ctx: ServiceContext, query: str, *, actor: str, language: str | None = None, limit: int = 20
) -> list[Article]:
    """Current articles matching every term of `query` (Chinese fragments of any
    length), best first."""
    ensure_shipped(ctx)
    terms = [t for t in query.split() if t]
    with ctx.db.read() as conn:
        authorize(ctx, conn, actor, "faq.read")
        if not terms:
            return []
        short_terms = [t for t in terms if is_short_query(t)]
        long_terms = [t for t in terms if not is_short_query(t)]
        ids: set[int] | None = None
        if long_terms:
            found = conn.execute(
                text("SELECT rowid FROM faq_search WHERE faq_search MATCH :q"),
                {"q": " AND ".join(_quoted(t) for t in long_terms)},
            )
            ids = {int(r[0]) for r in found}
        if short_terms:
            found = conn.execute(
                text("SELECT rowid FROM faq_grams WHERE faq_grams MATCH :q"),
                {"q": " AND ".join(_quoted(t) for t in short_terms)},
            )
            short_ids = {int(r[0]) for r in found}
            ids = short_ids if ids is None else ids & short_ids
        if not ids:
            return []
        conditions = [faq_articles.c.id.in_(ids), faq_articles.c.current]
        if language is not None:
            conditions.append(faq_articles.c.language == language)
        rows = conn.execute(
            select(faq_articles, func.coalesce(faq_uses.c.uses, 0).label("uses"))
            .outerjoin(faq_uses, faq_uses.c.key == faq_articles.c.key)
            .where(*conditions)
        ).all()
    return rank([_article(r, int(r.uses)) for r in rows], query)[:limit]


def get_article(ctx: ServiceContext, key: str, *, actor: str, language: str = "zh_CN") -> Article:
    """The current version of article `key` in `language`."""
    ensure_shipped(ctx)
    with ctx.db.read() as conn:
        authorize(ctx, conn, actor, "faq.read")
        return _get(conn, key, language)


def _get(conn: Connection, key: str, language: str) -> Article:
    row = conn.execute(
        select(faq_articles, func.coalesce(faq_uses.c.uses, 0).label("uses"))
        .outerjoin(faq_uses, faq_uses.c.key == faq_articles.c.key)
        .where(
            faq_articles.c.key == key,
            faq_articles.c.language == language,
            faq_articles.c.current,
            ~faq_articles.c.withdrawn,
        )
    ).first()
    if row is None:
        raise NotFound("error.faq.not_found", article=key)
    return _article(row, int(row.uses))


def versions(ctx: ServiceContext, key: str, *, actor: str, language: str = "zh_CN") -> list[int]:
    with ctx.db.read() as conn:
        authorize(ctx, conn, actor, "faq.read")
        found = conn.execute(
            select(faq_articles.c.version)
            .where(faq_articles.c.key == key, faq_articles.c.language == language)
            .order_by(faq_articles.c.version)
        )
        return [int(v) for v in found.scalars()]


def save_branch_article(
    ctx: ServiceContext, draft: ArticleDraft, *, actor: str, key: str | None = None
) -> Article:
    """Write a branch-local article: a new one (`key` None) or a new version of an
    existing one, marked as the branch's own."""
    clean = validate_draft(draft)
    ensure_shipped(ctx)
    with ctx.db.write() as conn:
        authorize(ctx, conn, actor, "faq.edit")
        if key is None:
            count = conn.execute(
                text(
                    "INSERT INTO counters(name, value) VALUES ('faq:branch', 1) "
                    "ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value"
                )
            ).scalar_one()
            key = f"{ctx.branch_code}-{int(count):04d}"
        elif (
            conn.execute(select(faq_articles.c.id).where(faq_articles.c.key == key)).first() is None
        ):
            raise NotFound("error.faq.not_found", article=key)
        _put(ctx, conn, key, clean, source=Source.BRANCH, actor=actor)
        write_audit(ctx, conn, actor=actor, action="faq.edit", case_id=None, detail={"key": key})
        return _get(conn, key, clean.language)


def answer_with_article(
    ctx: ServiceContext,
    *,
    number: str,
    article_id: str,
    actor: str,
    language: str = "zh_CN",
    answer: str | None = None,
) -> CaseView:
    """Answer consultation `number` with article `article_id`: the `answer` action,
    its text the article's (or the clerk's own `answer`), the article and version in
    `faq_ref`. The use is counted in the event's transaction (`count_use`)."""
    article = get_article(ctx, article_id, actor=actor, language=language)
    text_ = answer or f"{article.title}\n{article.body}"
    return case_services.act(
        ctx,
        number=number,
        action="answer",
        params={"answer": text_[:4000], "faq_ref": faq_ref(article.key, article.version)},
        actor=actor,
    )


def count_use(ctx: ServiceContext, conn: Connection, event: CaseEvent) -> None:
    """An answer that names an article counts one use of it (called for every
    `answer` event, in its transaction)."""
    ref = event.payload.get("faq_ref")
    if not ref:
        return
    key = str(ref).split("@v", 1)[0]
    conn.execute(
        text(
            "INSERT INTO faq_uses(key, uses, last_used_at) VALUES (:k, 1, :at) "
            "ON CONFLICT(key) DO UPDATE SET uses = uses + 1, last_used_at = excluded.last_used_at"
        ),
        {"k": key, "at": int(event.at.timestamp())},
    )


def most_used(ctx: ServiceContext, *, actor: str, limit: int = 10) -> list[tuple[str, int]]:
    """The articles used most often, with their counts."""
    with ctx.db.read() as conn:
        authorize(ctx, conn, actor, "faq.read")
        rows = conn.execute(
            select(faq_uses.c.key, faq_uses.c.uses)
            .order_by(faq_uses.c.uses.desc(), faq_uses.c.key)
            .limit(limit)
        ).all()
    return [(str(k), int(n)) for k, n in rows]


__all__: Sequence[str] = (
    "LANGUAGES",
    "PublishResult",
    "answer_with_article",
    "ensure_shipped",
    "get_article",
    "most_used",
    "publish_articles",
    "save_branch_article",
    "search",
    "versions",
)
