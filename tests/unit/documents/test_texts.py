"""The document text tables: both languages complete and consistent, every key the
code asks for present, the error texts mirrored for the desktop, and the formats."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from branchdesk.documents import DocumentError, DocumentKind, DocumentRequest, Paper, page_size
from branchdesk.documents.texts import Texts, document_table
from branchdesk.i18n import LANGUAGES, messages, translate

ROOT = Path(__file__).resolve().parents[3]
TZ = ZoneInfo("Asia/Shanghai")
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
KEY_LITERAL = re.compile(r'"((?:doc|error\.document)\.[a-z_0-9.]+[a-z_0-9])"')


def test_both_languages_have_the_same_keys_and_placeholders() -> None:
    zh, en = document_table("zh_CN"), document_table("en")
    assert set(zh) == set(en)
    for key in zh:
        assert sorted(PLACEHOLDER.findall(zh[key])) == sorted(PLACEHOLDER.findall(en[key])), key
        assert zh[key].strip() and en[key].strip(), key


def test_every_literal_key_in_the_code_has_text() -> None:
    keys: set[str] = set()
    for path in (ROOT / "branchdesk" / "documents").glob("*.py"):
        keys |= set(KEY_LITERAL.findall(path.read_text(encoding="utf-8")))
    assert "doc.title.receipt" in keys and "error.document.not_resolved" in keys
    for lang in LANGUAGES:
        missing = sorted(k for k in keys if k not in document_table(lang))
        assert missing == [], lang


def test_error_texts_reach_the_application_tables() -> None:
    for lang in LANGUAGES:
        area = json.loads(
            (ROOT / "resources" / "i18n" / f"documents.{lang}.json").read_text("utf-8")
        )
        for key, text in area.items():
            assert document_table(lang)[key] == text
            assert messages(lang)[key] == text
    message = translate("error.document.paper", "en", kind="closure_letter", paper="80mm")
    assert message == "A closure letter cannot be printed on 80 mm roll paper."


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("zh_CN", ("2027年1月5日", "2027年1月5日 08:07", "1,234.05 元")),
        ("en", ("5 Jan 2027", "5 Jan 2027, 08:07", "CNY 1,234.05")),
    ],
)
def test_dates_times_and_money_per_language(lang: str, expected: tuple[str, str, str]) -> None:
    t = Texts(lang, TZ)
    moment = datetime(2027, 1, 5, 0, 7, tzinfo=ZoneInfo("UTC"))  # 08:07 in Shanghai
    assert (t.date(date(2027, 1, 5)), t.when(moment), t.money(123405)) == expected
    assert t.money(5) == ("0.05 元" if lang == "zh_CN" else "CNY 0.05")
    assert t.date(None) == t.when(None) == ""


def test_a_missing_text_is_a_loud_error() -> None:
    with pytest.raises(KeyError):
        Texts("en", TZ)("doc.no_such_text")


def test_unknown_language_prints_english() -> None:
    assert Texts("fr_FR", TZ)("doc.title.receipt") == "Acceptance Receipt"
    assert Texts("zh-CN", TZ)("doc.title.receipt") == "受理回执"


def test_page_sizes_for_the_printer() -> None:
    mm = 72 / 25.4
    assert page_size(DocumentKind.CLOSURE_LETTER, Paper.A4) == pytest.approx((210 * mm, 297 * mm))
    assert page_size(DocumentKind.CASE_RECORD, Paper.A4) == pytest.approx((210 * mm, 297 * mm))
    width, _ = page_size(DocumentKind.RECEIPT, Paper.ROLL_80MM)
    assert width == pytest.approx(80 * mm)
    with pytest.raises(DocumentError) as caught:
        page_size(DocumentKind.CASE_RECORD, Paper.ROLL_80MM)
    assert caught.value.params == {"kind": "case_record", "paper": "80mm"}


def test_a_request_needs_an_aware_time_and_a_real_copy_number() -> None:
    aware = datetime(2026, 12, 8, 9, 0, tzinfo=TZ)
    request = DocumentRequest(
        kind=DocumentKind.RECEIPT, lang="en", printed_at=aware, printed_by="C101", copy_no=3
    )
    assert request.reprint == 2 and request.paper is Paper.A4
    with pytest.raises(ValueError, match="aware"):
        DocumentRequest(
            kind=DocumentKind.RECEIPT, lang="en", printed_at=datetime(2026, 12, 8), printed_by="x"
        )
    with pytest.raises(ValueError, match="copy_no"):
        DocumentRequest(
            kind=DocumentKind.RECEIPT, lang="en", printed_at=aware, printed_by="x", copy_no=0
        )
