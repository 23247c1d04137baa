"""`branchdesk export cases` on a fresh branch, as a script runs it."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pytest

from tests.integration.conftest import Cli
from tests.integration.test_cli import NEW
from tests.integration.test_cli_accounts import OWN, activate


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def test_export_cases_to_csv_and_xlsx(cli: Cli, tmp_path: Path) -> None:
    first = cli.json(*NEW)["case"]["number"]
    consultation = [*NEW]
    consultation[consultation.index("complaint")] = "consultation"
    consultation[consultation.index("technical/network")] = "consultation/roaming"
    second = cli.json(*consultation)["case"]["number"]

    target = tmp_path / "all.csv"
    done = cli.json("export", "cases", "--format", "csv", "--out", str(target))
    assert done == {"file": str(target), "rows": 2, "format": "csv", "masked": True}
    header, *rows = _rows(target)
    assert header[0] == "工单编号"  # the branch's language
    assert [r[0] for r in rows] == [second, first]
    assert rows[0][10] == "138****5678"

    target = tmp_path / "complaints.xlsx"
    code, _, err = cli(
        "--lang",
        "en",
        "export",
        "cases",
        "--format",
        "xlsx",
        "--out",
        str(target),
        "--kind",
        "complaint",
        "--category",
        "technical",
        "--since",
        "2000-01-01",
        "--until",
        "2999-12-31",
    )
    assert code == 0, err
    assert "exported 1 / 1" in err  # progress on stderr
    sheet = openpyxl.load_workbook(target).active
    assert [c.value for c in sheet[1]][:2] == ["Case no.", "Kind"]
    assert sheet.cell(2, 1).value == first and sheet.max_row == 2

    trail = tmp_path / "audit.csv"
    cli.json("audit", "export", "--action", "cases.export", "--out", str(trail))
    details = [json.loads(row[7]) for row in _rows(trail)[1:]]
    assert [d["rows"] for d in details] == [2, 1]
    assert details[1]["selection"] == (
        "command line: kind=complaint, category=technical, since 2000-01-01, until 2999-12-31"
    )
    assert details[1]["filters"]["kind"] == "complaint"


def test_full_personal_data_only_with_the_right(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli.json(*NEW)
    target = tmp_path / "full.csv"
    # A001 holds the manager role: allowed.
    done = cli.json("export", "cases", "--format", "csv", "--out", str(target), "--unmasked")
    assert done["masked"] is False
    assert _rows(target)[1][10] == "13812345678"
    target.unlink()

    activate(cli, monkeypatch, "D901", "admin")  # an administrator, nothing else
    monkeypatch.setenv("BRANCHDESK_PASSWORD", OWN)
    code, _, err = cli(
        "--as", "D901", "export", "cases", "--format", "csv", "--out", str(target), "--unmasked"
    )
    assert code == 6 and "营业厅经理" in err
    assert not target.exists()
    code, out, err = cli(
        "--as", "D901", "export", "cases", "--format", "csv", "--out", str(target), "--json"
    )
    assert code == 0, err
    assert json.loads(out)["masked"] is True


def test_bad_input_is_named(cli: Cli, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Caught by the command line's grammar (argparse exits with status 2).
    with pytest.raises(SystemExit) as stopped:
        cli("export", "cases", "--format", "pdf", "--out", str(tmp_path / "x.pdf"))
    assert stopped.value.code == 2 and "'pdf'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stopped:
        cli("export", "cases", "--format", "csv", "--out", str(tmp_path / "x"), "--since", "May")
    assert stopped.value.code == 2 and "YYYY-MM-DD" in capsys.readouterr().err
    code, _, err = cli(
        "export", "cases", "--format", "xlsx", "--out", str(tmp_path / "no" / "x.xlsx")
    )
    assert code == 2 and "文件" in err and "不存在" in err
    code, _, err = cli("export", "cases", "--format", "xlsx", "--out", str(tmp_path / "x.csv"))
    assert code == 2 and ".xlsx" in err
    code, _, err = cli(
        "export",
        "cases",
        "--format",
        "csv",
        "--out",
        str(tmp_path / "x.csv"),
        "--since",
        "2026-12-01",
        "--until",
        "2026-11-01",
    )
    assert code == 2 and "受理时间截止" in err
    assert list(tmp_path.iterdir()) == [tmp_path / "data"]
