"""Message tables: turning message keys and parameters into zh_CN or English text.

Domain code never builds sentences; it raises errors carrying a key and parameters
(`branchdesk.domain.errors`). This module looks the key up in the flat JSON tables
under `resources/i18n/` (`<area>.<lang>.json`, one file per area and language, merged)
and fills in the `{name}` placeholders.

A placeholder may name a key prefix after a colon, `{state:label.CaseState}`: the
parameter's value is then itself looked up as `label.CaseState.<value>`, so stored
codes read as words in either language. A bare placeholder whose value is a StrEnum
member is labelled the same way (`label.<EnumClass>.<value>`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from enum import StrEnum
from functools import cache
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType
from typing import Any

from branchdesk.domain.errors import FieldError
from branchdesk.resources_access import resource

LANGUAGES = ("zh_CN", "en")
FALLBACK_LANGUAGE = "en"

#: `{name}` or `{name:key.prefix}`. Anything else in braces is literal text.
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::([A-Za-z_][A-Za-z0-9_.]*))?\}")

_TABLE_DIR = "i18n"


class MessageTableError(ValueError):
    """A shipped message table is malformed. A packaging bug, not a user error."""


def resolve_language(lang: str) -> str:
    """The supported language closest to `lang` ("zh-CN", "zh_CN.UTF-8", "en_GB" …)."""
    code = lang.split(".", 1)[0].replace("-", "_")
    if code in LANGUAGES:
        return code
    lowered = code.lower()
    # Simplified-Chinese locales; Traditional ones (zh_TW, zh_HK) are not served by
    # our zh_CN text, so they fall back to English like any other unknown language.
    if lowered in {"zh", "zh_cn", "zh_sg", "zh_hans", "zh_hans_cn"}:
        return "zh_CN"
    return FALLBACK_LANGUAGE


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    table: dict[str, Any] = {}
    for key, value in pairs:
        if key in table:
            raise MessageTableError(f"duplicate key {key!r}")
        table[key] = value
    return table


def load_message_tables(folder: Traversable | Path, lang: str) -> dict[str, str]:
    """Merge every `*.<lang>.json` table in `folder`, in file-name order.

    A key defined by two area files is an error: one of them would silently win.
    """
    suffix = f".{lang}.json"
    files = sorted(
        (entry for entry in folder.iterdir() if entry.is_file() and entry.name.endswith(suffix)),
        key=lambda entry: entry.name,
    )
    merged: dict[str, str] = {}
    origin: dict[str, str] = {}
    for entry in files:
        try:
            data = json.loads(
                entry.read_text(encoding="utf-8"), object_pairs_hook=_reject_duplicates
            )
        except (json.JSONDecodeError, MessageTableError) as exc:
            raise MessageTableError(f"{entry.name}: {exc}") from exc
        if not isinstance(data, dict):
            raise MessageTableError(f"{entry.name}: the table must be a JSON object")
        for key, text in data.items():
            if not isinstance(text, str):
                raise MessageTableError(f"{entry.name}: {key!r} must map to a string")
            if key in merged:
                raise MessageTableError(
                    f"{entry.name}: {key!r} is already defined in {origin[key]}"
                )
            merged[key] = text
            origin[key] = entry.name
    return merged


@cache
def _cached_messages(lang: str) -> Mapping[str, str]:
    return MappingProxyType(load_message_tables(resource(_TABLE_DIR), lang))


def messages(lang: str) -> Mapping[str, str]:
    """The merged, read-only message table for `lang` (unknown languages get English)."""
    return _cached_messages(resolve_language(lang))


def _value_text(value: Any, prefix: str | None, table: Mapping[str, str]) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        # A list of codes ("roles: clerk, manager"), each rendered, joined the language's way.
        separator = table.get("list.separator", ", ")
        return separator.join(_value_text(item, prefix, table) for item in value)
    code = value.value if isinstance(value, StrEnum) else value
    if prefix is None and isinstance(value, StrEnum):
        prefix = f"label.{type(value).__name__}"
    if prefix is not None:
        text = table.get(f"{prefix}.{code}")
        if text is not None:
            return text
    return str(code)


def render(template: str, table: Mapping[str, str], params: Mapping[str, Any]) -> str:
    """Fill `template`'s placeholders from `params`; a missing parameter stays as written."""

    def substitute(match: re.Match[str]) -> str:
        name, prefix = match.group(1), match.group(2)
        if name not in params:
            return match.group(0)
        return _value_text(params[name], prefix, table)

    # An empty optional parameter at the end ("… {reason}") must not leave a dangling space.
    return PLACEHOLDER.sub(substitute, template).rstrip()


def translate(key: str, lang: str = "zh_CN", /, **params: Any) -> str:
    """The text for `key` in `lang`. Never raises for an unknown key (the key itself is
    returned, so a missing text is visible but harmless) or a missing parameter."""
    table = messages(lang)
    template = table.get(key)
    if template is None:
        return key
    return render(template, table, params)


def label(enum_value: StrEnum, lang: str) -> str:
    """The display name of an enum member (`label.<EnumClass>.<value>`); the code if none."""
    table = messages(lang)
    return table.get(f"label.{type(enum_value).__name__}.{enum_value.value}", enum_value.value)


def field_label(field: str, lang: str) -> str:
    """The display name of a form field (`field.<dotted.name>`); the name itself if none."""
    return messages(lang).get(f"field.{field}", field)


def format_field_errors(errors: Sequence[FieldError], lang: str) -> list[str]:
    """One line per error: the field's label, then the message ("联系电话：号码格式不正确")."""
    table = messages(lang)
    lines = []
    for error in errors:
        message = translate(error.key, lang, **dict(error.params))
        if not error.field:
            lines.append(message)
            continue
        lines.append(
            render(
                table.get("format.field_error", "{field}: {message}"),
                table,
                {"field": field_label(error.field, lang), "message": message},
            )
        )
    return lines
