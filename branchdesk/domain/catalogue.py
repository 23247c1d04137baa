"""The two-level case category catalogue (category -> sub-category, PROCESS.md §3.1.2).

Intake and reclassification pick a leaf (`"technical/network"`); reports group by the
top level. The catalogue is data (`resources/catalogue/categories.json`), versioned,
and headquarters publishes new versions: `Catalogue.from_json` checks a document
entry by entry and names the first bad entry, so a broken publication is refused
instead of half-applied.

Document shape::

    {"version": "2026.1",
     "categories": [
       {"code": "technical", "names": {"zh_CN": "服务技术", "en": "Technical"},
        "kinds": ["complaint"],
        "children": [{"code": "network", "names": {...}}, ...]}]}

A child inherits its parent's `kinds` unless it lists a subset of them. `"active":
false` retires an entry: old cases still show its name, new cases cannot use it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Any

from branchdesk.domain.errors import DomainError
from branchdesk.domain.model import CaseKind
from branchdesk.resources_access import read_json

NAME_LANGUAGES = ("zh_CN", "en")
_CODE = re.compile(r"[a-z][a-z0-9_]{0,39}")
_KINDS = frozenset(kind.value for kind in CaseKind)
_MAX_NAME = 40


@dataclass(frozen=True)
class Category:
    """One catalogue entry. `code` is the full code ("technical/network"); top-level
    entries have `parent` None and are never chosen for a case themselves."""

    code: str
    parent: str | None
    names: Mapping[str, str]
    kinds: frozenset[str]
    active: bool = True

    def __hash__(self) -> int:  # `names` is a read-only mapping, which cannot be hashed
        return hash((self.code, self.parent, self.kinds, self.active))

    @property
    def is_leaf(self) -> bool:
        return self.parent is not None


class CatalogueError(DomainError):
    """A catalogue document is malformed. `entry` says where ("technical/network",
    "categories[3]"), `problem` is a code with text at `error.catalogue.problem.<code>`."""

    def __init__(self, entry: str, problem: str) -> None:
        super().__init__("error.catalogue.invalid", entry=entry, problem=problem)
        self.entry = entry
        self.problem = problem


class Catalogue:
    """A validated catalogue version. Entries keep the document's order."""

    def __init__(self, version: str, categories: Iterable[Category]) -> None:
        self.version = version
        self._by_code: dict[str, Category] = {}
        for category in categories:
            if category.code in self._by_code:
                raise CatalogueError(category.code, "duplicate_code")
            if category.parent is not None and category.parent not in self._by_code:
                raise CatalogueError(category.code, "unknown_parent")
            self._by_code[category.code] = category

    @property
    def categories(self) -> tuple[Category, ...]:
        return tuple(self._by_code.values())

    def get(self, code: str) -> Category | None:
        """The entry with full code `code` ("technical/network" or "technical")."""
        return self._by_code.get(code.strip())

    def children(self, code: str) -> list[Category]:
        return [c for c in self._by_code.values() if c.parent == code]

    def for_kind(self, kind: str) -> list[Category]:
        """Active leaf categories a new case of `kind` may be filed under."""
        return [
            c
            for c in self._by_code.values()
            if c.is_leaf and c.active and kind in c.kinds and self._by_code[c.parent or ""].active
        ]

    def label(self, code: str, lang: str) -> str:
        """ "服务技术 / 网络" for a leaf, "服务技术" for a top level, the code if unknown."""
        category = self.get(code)
        if category is None:
            return code
        name = _name(category, lang)
        if category.parent is None:
            return name
        return f"{_name(self._by_code[category.parent], lang)} / {name}"

    def to_json(self) -> dict[str, Any]:
        """The document form, as `from_json` reads it (to store a published version)."""
        entries: list[dict[str, Any]] = []
        for top in (c for c in self._by_code.values() if c.parent is None):
            entry = _entry_json(top, None)
            entry["children"] = [_entry_json(child, top) for child in self.children(top.code)]
            entries.append(entry)
        return {"version": self.version, "categories": entries}

    @classmethod
    def from_json(cls, data: Any) -> Catalogue:
        """Build and check a catalogue from a parsed document (or its JSON text)."""
        if isinstance(data, (str, bytes)):
            try:
                data = json.loads(data)
            except ValueError as exc:
                raise CatalogueError("(document)", "not_json") from exc
        if not isinstance(data, Mapping):
            raise CatalogueError("(document)", "not_object")
        version = data.get("version")
        if not isinstance(version, str) or not version.strip() or len(version) > 40:
            raise CatalogueError("version", "bad_version")
        entries = data.get("categories")
        if not isinstance(entries, list) or not entries:
            raise CatalogueError("categories", "no_entries")
        categories: list[Category] = []
        seen: set[str] = set()
        for index, raw in enumerate(entries):
            top = _parse_entry(raw, f"categories[{index}]", None)
            if top.code in seen:
                raise CatalogueError(top.code, "duplicate_code")
            seen.add(top.code)
            children = raw.get("children")
            if not isinstance(children, list) or not children:
                raise CatalogueError(top.code, "no_children")
            categories.append(top)
            for child_index, raw_child in enumerate(children):
                child = _parse_entry(raw_child, f"{top.code}.children[{child_index}]", top)
                if child.code in seen:
                    raise CatalogueError(child.code, "duplicate_code")
                seen.add(child.code)
                categories.append(child)
        return cls(version.strip(), categories)


def _name(category: Category, lang: str) -> str:
    return category.names.get(lang) or category.names.get("en") or category.code


def _entry_json(category: Category, parent: Category | None) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "code": category.code.rsplit("/", 1)[-1],
        "names": dict(category.names),
    }
    if parent is None or category.kinds != parent.kinds:
        entry["kinds"] = sorted(category.kinds)
    if not category.active:
        entry["active"] = False
    return entry


def _parse_entry(raw: Any, where: str, parent: Category | None) -> Category:
    if not isinstance(raw, Mapping):
        raise CatalogueError(where, "not_object")
    code = raw.get("code")
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise CatalogueError(where, "bad_code")
    full_code = code if parent is None else f"{parent.code}/{code}"
    if parent is not None and "children" in raw:
        raise CatalogueError(full_code, "too_deep")
    names = raw.get("names")
    if not isinstance(names, Mapping):
        raise CatalogueError(full_code, "missing_name")
    for lang in NAME_LANGUAGES:
        name = names.get(lang)
        if not isinstance(name, str) or not name.strip() or len(name) > _MAX_NAME:
            raise CatalogueError(full_code, "missing_name")
    kinds_raw = raw.get("kinds")
    if kinds_raw is None and parent is not None:
        kinds = parent.kinds
    else:
        if (
            not isinstance(kinds_raw, list)
            or not kinds_raw
            or not all(isinstance(k, str) and k in _KINDS for k in kinds_raw)
        ):
            raise CatalogueError(full_code, "bad_kinds")
        kinds = frozenset(kinds_raw)
        if parent is not None and not kinds <= parent.kinds:
            raise CatalogueError(full_code, "kinds_not_in_parent")
    active = raw.get("active", True)
    if not isinstance(active, bool):
        raise CatalogueError(full_code, "bad_active")
    return Category(
        code=full_code,
        parent=None if parent is None else parent.code,
        names=MappingProxyType({lang: str(names[lang]).strip() for lang in NAME_LANGUAGES}),
        kinds=kinds,
        active=active,
    )


@cache
def load_default_catalogue() -> Catalogue:
    """The catalogue shipped with the application."""
    return Catalogue.from_json(read_json("catalogue/categories.json"))
