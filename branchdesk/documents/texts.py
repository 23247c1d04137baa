"""The words of the printed documents, in one language: the document tables
(`resources/documents/texts.<lang>.json`) first, then the application's message tables
for the labels of stored codes (states, channels, milestones …). Dates, times and
money are formatted here, per language, from patterns in the same tables."""

from __future__ import annotations

import json
import re
from collections import ChainMap
from collections.abc import Mapping
from datetime import date, datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from branchdesk import i18n
from branchdesk.resources_access import resource

_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")


@cache
def document_table(lang: str) -> Mapping[str, str]:
    """The document text table of a supported language."""
    text = resource(f"documents/texts.{lang}.json").read_text(encoding="utf-8")
    table = json.loads(text)
    if not isinstance(table, dict):
        raise ValueError(f"documents/texts.{lang}.json must be a JSON object")
    return table


def has_cjk(text: str) -> bool:
    return _CJK.search(text) is not None


class Texts:
    """Lookup and formatting in one language, in one time zone."""

    def __init__(self, lang: str, tz: ZoneInfo) -> None:
        self.lang = i18n.resolve_language(lang)
        self.zh = self.lang == "zh_CN"
        self.tz = tz
        self.table: Mapping[str, str] = ChainMap(
            dict(document_table(self.lang)), dict(i18n.messages(self.lang))
        )

    def __call__(self, key: str, /, **params: Any) -> str:
        template = self.table.get(key)
        if template is None:
            raise KeyError(f"no document text {key!r} in {self.lang}")
        return i18n.render(template, self.table, params)

    def word(self, prefix: str, code: object) -> str:
        """The label of a stored code ("label.Channel", "walk_in" -> "到店")."""
        if code is None or code == "":
            return ""
        return self.table.get(f"{prefix}.{code}", str(code))

    def pair(self, label: str, value: str) -> str:
        return self("doc.pair", label=label, value=value)

    def join(self, items: list[str]) -> str:
        return self.table["doc.list_separator"].join(items)

    def person(self, staff_no: str, names: Mapping[str, str]) -> str:
        name = names.get(staff_no)
        return self("doc.person", number=staff_no, name=name) if name else staff_no

    def date(self, value: date | None) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            value = value.astimezone(self.tz).date()
        return self(
            "doc.format.date",
            year=value.year,
            month=self(f"doc.month.{value.month}"),
            day=value.day,
        )

    def when(self, value: datetime | None) -> str:
        if value is None:
            return ""
        local = value.astimezone(self.tz)
        return self(
            "doc.format.datetime",
            date=self.date(local.date()),
            hour=f"{local.hour:02d}",
            minute=f"{local.minute:02d}",
        )

    def money(self, fen: int) -> str:
        """Fen to yuan: 12050 -> "120.50 元" / "CNY 120.50"."""
        yuan, cents = divmod(fen, 100)
        return self("doc.money", yuan=f"{yuan:,}.{cents:02d}")
