"""FAQ knowledge base rules (常见问题解答), pure: what an article is, how a draft is
checked, how the shipped data file and HQ's publications are read, and how search hits
are ranked."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from branchdesk.domain.errors import FieldError, ValidationError
from branchdesk.domain.validation import clean_text, require_text

LANGUAGES = ("zh_CN", "en")
CATEGORIES = ("plans", "billing", "broadband", "porting", "sim", "other")
MAX_TAGS = 12


class Source(StrEnum):
    SHIPPED = "shipped"  # came with BranchDesk
    HQ = "hq"  # published by headquarters
    BRANCH = "branch"  # written at this branch


@dataclass(frozen=True)
class ArticleDraft:
    """An article's text in one language, as a person (or HQ) wrote it."""

    title: str
    body: str
    category: str
    tags: tuple[str, ...] = ()
    language: str = "zh_CN"


@dataclass(frozen=True)
class Article:
    key: str
    language: str
    version: int
    source: Source
    category: str
    title: str
    body: str
    tags: tuple[str, ...]
    uses: int = 0


def validate_draft(draft: ArticleDraft) -> ArticleDraft:
    """The draft cleaned, or ValidationError naming every bad field."""
    errors = [
        *require_text("title", draft.title, min_len=2, max_len=120),
        *require_text("body", draft.body, min_len=10, max_len=8000, multiline=True),
    ]
    if draft.category not in CATEGORIES:
        errors.append(
            FieldError("category", "error.field.invalid_choice", {"value": draft.category})
        )
    if draft.language not in LANGUAGES:
        errors.append(
            FieldError("language", "error.field.invalid_choice", {"value": draft.language})
        )
    tags = tuple(dict.fromkeys(t.strip() for t in draft.tags if t.strip()))
    if len(tags) > MAX_TAGS or any(len(t) > 30 for t in tags):
        errors.append(FieldError("tags", "error.faq.tags", {"max": MAX_TAGS}))
    if errors:
        raise ValidationError(errors)
    return ArticleDraft(
        title=clean_text(draft.title),
        body=clean_text(draft.body, multiline=True),
        category=draft.category,
        tags=tags,
        language=draft.language,
    )


@dataclass(frozen=True)
class ShippedArticle:
    key: str
    version: int
    drafts: tuple[ArticleDraft, ...]  # one per language
    withdrawn: bool = False  # HQ takes the article back (publications only)


def parse_articles(data: Mapping[str, Any]) -> list[ShippedArticle]:
    """The articles of a shipped (or HQ-published) data file; every text checked."""
    out: list[ShippedArticle] = []
    seen: set[str] = set()
    for raw in data["articles"]:
        key = str(raw["key"])
        if key in seen:
            raise ValueError(f"FAQ article {key!r} appears twice")
        seen.add(key)
        drafts = tuple(
            validate_draft(
                ArticleDraft(
                    title=raw[lang]["title"],
                    body=raw[lang]["body"],
                    category=raw["category"],
                    tags=tuple(raw[lang].get("tags", ())),
                    language=lang,
                )
            )
            for lang in LANGUAGES
            if lang in raw
        )
        out.append(ShippedArticle(key, int(raw.get("version", 1)), drafts))
    return out


#: An article key HQ may publish: lower-case words joined by hyphens ("sim-replacement").
#: Branch-local keys ("GZ0012-0001") are upper case, so the two never collide.
PUBLISHED_KEY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_PUBLISHED = 1000


def parse_publication(data: Any) -> list[ShippedArticle]:
    """HQ's FAQ publication (the shipped file's format; an article may say
    `"withdrawn": true` and then needs no text), every article checked. Raises
    ValidationError naming each bad field as `<article key>.<language>.<field>`
    (`articles[<n>].<field>` while the key itself is missing or bad)."""
    if not isinstance(data, Mapping):
        raise ValidationError([FieldError("articles", "error.field.invalid")])
    raw_articles = data.get("articles")
    if not isinstance(raw_articles, list) or not raw_articles:
        raise ValidationError([FieldError("articles", "error.field.required")])
    if len(raw_articles) > MAX_PUBLISHED:
        raise ValidationError(
            [FieldError("articles", "error.field.too_many", {"max": MAX_PUBLISHED})]
        )
    errors: list[FieldError] = []
    out: list[ShippedArticle] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_articles):
        where = f"articles[{index}]"
        if not isinstance(raw, Mapping):
            errors.append(FieldError(where, "error.field.invalid"))
            continue
        key = raw.get("key")
        if not isinstance(key, str) or not key:
            errors.append(FieldError(f"{where}.key", "error.field.required"))
            continue
        if len(key) > 64 or not PUBLISHED_KEY.match(key):
            errors.append(FieldError(f"{where}.key", "error.field.invalid"))
            continue
        if key in seen:
            errors.append(FieldError(f"{key}.key", "error.faq.duplicate", {"article": key}))
            continue
        seen.add(key)
        version = raw.get("version", 1)
        if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version < 2**31:
            errors.append(FieldError(f"{key}.version", "error.field.invalid"))
            continue
        withdrawn = raw.get("withdrawn", False)
        if not isinstance(withdrawn, bool):
            errors.append(FieldError(f"{key}.withdrawn", "error.field.invalid"))
            continue
        if withdrawn:
            out.append(ShippedArticle(key, version, (), withdrawn=True))
            continue
        drafts, problems = _published_drafts(key, raw)
        errors.extend(problems)
        if not problems:
            out.append(ShippedArticle(key, version, drafts))
    if errors:
        raise ValidationError(errors)
    return out


def _published_drafts(
    key: str, raw: Mapping[str, Any]
) -> tuple[tuple[ArticleDraft, ...], list[FieldError]]:
    category = raw.get("category")
    if category not in CATEGORIES:
        shown = str(category)[:40] if category is not None else ""
        return (), [FieldError(f"{key}.category", "error.field.invalid_choice", {"value": shown})]
    languages = [lang for lang in LANGUAGES if lang in raw]
    if not languages:
        return (), [FieldError(f"{key}.{LANGUAGES[0]}", "error.field.required")]
    drafts: list[ArticleDraft] = []
    errors: list[FieldError] = []
    for lang in languages:
        text = raw[lang]
        if not isinstance(text, Mapping):
            errors.append(FieldError(f"{key}.{lang}", "error.field.invalid"))
            continue
        tags = text.get("tags", [])
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            errors.append(FieldError(f"{key}.{lang}.tags", "error.field.invalid"))
            continue
        try:
            drafts.append(
                validate_draft(
                    ArticleDraft(
                        # not text (or missing): refused by validate_draft
                        title=text.get("title", ""),
                        body=text.get("body", ""),
                        category=category,
                        tags=tuple(tags),
                        language=lang,
                    )
                )
            )
        except ValidationError as exc:
            errors.extend(
                FieldError(f"{key}.{lang}.{e.field}", e.key, e.params) for e in exc.errors
            )
    return tuple(drafts), errors


def is_short_query(query: str) -> bool:
    """One or two characters: too short for the trigram index."""
    return len("".join(query.split())) < 3


def score(article: Article, terms: Sequence[str]) -> float:
    """How well `article` answers `terms`: a title hit counts most, then a tag, then
    each occurrence in the body; use by colleagues breaks near-ties."""
    title, tags, body = _folded(article)
    total = 0.0
    for term in (t.casefold() for t in terms):
        total += 10.0 * title.count(term)
        total += 5.0 * tags.count(term)
        total += 1.0 * min(body.count(term), 5)
    return total + min(article.uses, 100) / 100.0


def _folded(article: Article) -> tuple[str, str, str]:
    return article.title.casefold(), " ".join(article.tags).casefold(), article.body.casefold()


def matches(article: Article, terms: Sequence[str]) -> bool:
    """Every term is in the title, a tag or the body (case does not matter)."""
    text = " ".join(_folded(article))
    return bool(terms) and all(t.casefold() in text for t in terms)


def rank(articles: Sequence[Article], query: str) -> list[Article]:
    """The articles matching every term of `query`, best first (ties: by key)."""
    terms = query.split()
    hits = [a for a in articles if matches(a, terms)]
    return sorted(hits, key=lambda a: (-score(a, terms), a.key))


def faq_ref(key: str, version: int) -> str:
    """What an answered consultation records: the article and the version used."""
    return f"{key}@v{version}"
