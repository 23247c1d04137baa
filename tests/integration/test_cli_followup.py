"""The follow-up commands on a fresh branch, as a script runs them: an outage from
first report to closure letters, the ledger, and the call list."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader

from tests.integration.conftest import Cli
from tests.integration.test_cli import NEW, NEW_OUTAGE


def test_an_outage_from_first_report_to_closure_letters(cli: Cli, tmp_path: Path) -> None:
    created = cli.json(*NEW_OUTAGE)
    number = created["number"]
    assert created["linked"] == 0
    case = cli.json(*NEW)["case"]["number"]
    suggested = cli.json(
        "incident", "suggest", "--category", "technical/network", "--place", "天河区体育西路100号"
    )
    assert [i["number"] for i in suggested] == [number]
    assert cli.json("incident", "link", number, case)["incident"] == number
    assert cli.json("incident", "progress", number, "抢修中")["cases_noted"] == 1
    code, _, err = cli("incident", "bulk-resolve", number)
    assert code == 3 and "根本原因" in err  # resolve the incident first
    cli.json(
        "incident",
        "resolve",
        number,
        "--root-cause",
        "光缆被挖断",
        "--explanation",
        "网络已恢复",
        "--compensation-fen",
        "1000",
    )
    assert cli.json("incident", "bulk-resolve", number) == {
        "resolved": 1,
        "skipped": 0,
        "remaining": 0,
    }
    letters = tmp_path / "letters.pdf"
    assert cli.json("incident", "letters", number, "--out", str(letters))["letters"] == 1
    assert case in "".join(p.extract_text() for p in PdfReader(letters).pages)
    report = tmp_path / "report.pdf"
    cli.json("incident", "report", number, "--out", str(report))
    assert "突发事件处理报告" in PdfReader(report).pages[0].extract_text()
    shown = cli.json("incident", "show", number)
    assert shown["cases"][0]["number"] == case


def test_ledger_and_call_list(cli: Cli, tmp_path: Path) -> None:
    case = cli.json(*NEW)["case"]["number"]
    cli.json(
        "case", "act", case, "request_escalation", "--reason", "repeated", "--detail", "重复投诉"
    )
    cli.json("case", "act", case, "approve_escalation", "--supervisor", "A001")
    cli.json("case", "act", case, "report_progress", "--progress", "已联系网络部")
    (row,) = cli.json("ledger", "--mine")
    assert (row["number"], row["latest"], row["missed"]) == (case, "已联系网络部", 0)
    pdf = tmp_path / "ledger.pdf"
    cli.json("ledger", "--pdf", str(pdf))
    assert "督办台账" in PdfReader(pdf).pages[0].extract_text()
    assert cli.json("visits", "list") == []
    assert cli.json("visits", "schedule-missing") == {"scheduled": 0}
    code, _, err = cli("visits", "record", "99", "--reached", "perhaps")
    assert code == 2 and "reached" in err
