"""`branchdesk report quality` as a manager's script runs it: a month or a span of days,
a filter, the report's language; mistakes in the period are named; a handler is
refused."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.conftest import TZ
from tests.integration.conftest import Cli
from tests.integration.test_cli import NEW
from tests.integration.test_cli_accounts import OWN, activate


def text_of(pdf: Path) -> str:
    return re.sub(r"\s", "", "".join(p.extract_text() for p in PdfReader(pdf).pages))


def test_a_month_and_a_span_of_days(cli: Cli, tmp_path: Path) -> None:
    cli.json(*NEW)
    today = datetime.now(TZ).date()
    pdf = tmp_path / "month.pdf"
    done = cli.json("report", "quality", "--month", f"{today:%Y-%m}", "--pdf", str(pdf))
    assert done["file"] == str(pdf)
    text = text_of(pdf)
    assert "服务质量报告" in text
    assert f"{today.year}年{today.month}月1日至" in text
    assert "（截至" in text  # the month is not over yet
    assert "本期共受理案件1件，其中投诉1件。" in text
    assert "统计范围全部案件" in text

    pdf = tmp_path / "days.pdf"
    first, last = today - timedelta(days=6), today
    cli.json(
        "report",
        "quality",
        "--since",
        first.isoformat(),
        "--until",
        last.isoformat(),
        "--kind",
        "complaint",
        "--category",
        "technical",
        "--lang",
        "en",
        "--pdf",
        str(pdf),
    )
    text = text_of(pdf)
    assert "Servicequalityreport" in text
    assert f"Period{first:%-d%b%Y}to{last:%-d%b%Y}" in text
    # The last day is included: the case received today is counted.
    assert "1casesreceivedintheperiod,1ofthemcomplaints." in text
    assert "CasescountedType:Complaint;Category:Technical" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--month", "2026-13"], "Month"),
        (["--month", "November"], "Month: write it as YYYY-MM"),
        (["--since", "2026-11-01"], "To: required"),
        (["--since", "2026-11-30", "--until", "2026-11-01"], "To: must come after the start"),
        (["--since", "1.11.2026", "--until", "2026-11-30"], "From: write it as YYYY-MM-DD"),
        ([], "Give a month (--month) or a period (--since and --until)"),
        (["--month", "2026-11", "--category", "nonsense"], "“nonsense” is not one of the choices"),
    ],
)
def test_the_period_and_filter_mistakes_are_named(
    cli: Cli, tmp_path: Path, args: list[str], message: str
) -> None:
    pdf = tmp_path / "r.pdf"
    code, _, err = cli("--lang", "en", "report", "quality", *args, "--pdf", str(pdf))
    assert code == 2
    assert message in err
    assert not pdf.exists()


def test_a_handler_may_not_print_it(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    activate(cli, monkeypatch, "H201", "handler")
    monkeypatch.setenv("BRANCHDESK_STAFF", "H201")
    monkeypatch.setenv("BRANCHDESK_PASSWORD", OWN)
    pdf = tmp_path / "r.pdf"
    code, _, err = cli("report", "quality", "--month", "2026-11", "--pdf", str(pdf))
    assert code == 6, err
    assert "查看服务质量指标" in err
    assert not pdf.exists()
