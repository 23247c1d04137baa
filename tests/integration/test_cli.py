"""The command line as a script or an administrator uses it: real database files,
JSON output for reads, field-level errors on stderr, exit codes, nothing half-written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from branchdesk.cli import main
from tests.integration.conftest import Cli

INIT = [
    "init",
    "--branch-code",
    "GZ0012",
    "--branch-name",
    "广州天河营业厅",
    "--admin-no",
    "A001",
    "--admin-name",
    "管理员",
]
NEW = [
    "case",
    "new",
    "--kind",
    "complaint",
    "--category",
    "technical/network",
    "--name",
    "张三",
    "--phone",
    "13812345678",
    "--summary",
    "家中信号弱经常掉线",
    "--remedy",
    "尽快解决",
]

#: A level-2 network outage along one street: the incident the follow-up tests start from.
NEW_OUTAGE = [
    "incident",
    "create",
    "--type",
    "network_outage",
    "--level",
    "2",
    "--district",
    "天河区",
    "--street",
    "体育西路",
    "--services",
    "technical/network",
    "--scope",
    "体育西路沿线移动网络中断",
]


def test_init_new_show_act_search(cli: Cli) -> None:
    created = cli.json(*NEW)
    number = created["case"]["number"]
    assert created["case"]["state"] == "received"
    assert "acknowledge" in created["allowed_actions"]
    shown = cli.json("case", "show", number)
    assert shown["case"]["customer_name"] == "张三"
    assert {m["id"] for m in shown["milestones"]} >= {"acknowledge", "handling", "closure"}
    acted = cli.json("case", "act", number, "acknowledge")
    assert acted["case"]["state"] == "acknowledged"
    acted = cli.json("--as", "A001", "case", "act", number, "assign", "--to", "A001")
    assert acted["events"][-1]["actor"] == "A001"
    found = cli.json("search", "信号弱")
    assert [c["number"] for c in found] == [number]
    listed = cli.json("case", "list", "--open")
    assert listed[0]["phone_masked"] == "138****5678"
    assert cli.json("sla", "counts") == {"overdue": 0, "due_today": 0}


def test_human_output_is_in_the_branch_language(cli: Cli) -> None:
    code, out, _ = cli(*NEW)
    assert code == 0
    assert "已受理，受理编号" in out and "确认投诉内容" in out and "138****5678" in out
    code, out, _ = cli("--lang", "en", "case", "list")
    assert "Complaint" in out and "Received" in out


def test_field_level_errors_on_stderr_and_nothing_written(cli: Cli) -> None:
    code, out, err = cli(
        "case",
        "new",
        "--kind",
        "complaint",
        "--category",
        "technical",
        "--name",
        "张三",
        "--phone",
        "12345",
        "--summary",
        "掉线",
        "--id-number",
        "110105194912310021",
    )
    assert code == 2 and out == ""
    assert "联系电话" in err and "分类" in err and "身份证号码" in err and "客户诉求" in err
    assert cli.json("case", "list") == []


def test_illegal_action_and_unknown_case(cli: Cli) -> None:
    number = cli.json(*NEW)["case"]["number"]
    code, _, err = cli("case", "act", number, "close")
    assert code == 3 and "结案" in err and "已受理" in err
    cli.json("case", "act", number, "acknowledge")
    code, _, err = cli("case", "act", number, "assign", "--to", "NOBODY")
    assert code == 2 and "NOBODY" in err
    code, _, err = cli("case", "show", number[:-1] + ("A" if number[-1] != "A" else "B"))
    assert code == 2 and "受理编号" in err
    from datetime import date

    from branchdesk.domain.case_numbers import format_case_number

    code, _, err = cli("case", "show", format_case_number("GZ0012", date(2020, 1, 2), 9))
    assert code == 4
    events = cli.json("case", "show", number)["events"]
    assert [e["kind"] for e in events] == ["received", "acknowledge"]


def test_backdated_intake_from_the_command_line(cli: Cli) -> None:
    """A letter received five days ago, typed in branch local time."""
    local = datetime.now(ZoneInfo("Asia/Shanghai")).replace(second=0, microsecond=0)
    received = (local - timedelta(days=5)).replace(tzinfo=None)
    created = cli.json(*NEW, "--channel", "letter", "--received-at", received.isoformat(" "))
    assert created["case"]["received_at"] == received.isoformat() + "+08:00"
    assert created["events"][0]["payload"]["backdated"] is True
    code, _, err = cli(*NEW, "--received-at", (received + timedelta(days=9)).isoformat(" "))
    assert code == 2 and "受理时间" in err


def test_not_initialised_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--data-dir", str(tmp_path / "empty"), "--lang", "en", "case", "list"])
    err = capsys.readouterr().err
    assert code == 5 and "branchdesk init" in err


def test_demo_and_queues(cli: Cli) -> None:
    result = cli.json("demo", "--cases", "300", "--days", "60")
    assert result["cases"] == 300 and result["events"] > 300
    counts = cli.json("sla", "counts")
    overdue = cli.json("sla", "overdue", "--limit", "500")
    assert len(overdue) == counts["overdue"]
    assert all(c["next_due_at"] for c in overdue)
    assert cli.json("staff", "list")[0]["staff_no"] == "A001"


def test_installed_command_runs_in_passphrase_mode(tmp_path: Path) -> None:
    """The real entry point in a fresh process with no keyring at all: the key is
    derived from the passphrase given in the environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRANCHDESK_")}
    env.update(
        BRANCHDESK_DATA_DIR=str(tmp_path / "pp"),
        BRANCHDESK_PASSPHRASE="correct horse 42",
        # The password chosen for the demo accounts; later commands sign in with it.
        BRANCHDESK_PASSWORD="Counter#2026",
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        BRANCHDESK_LANG="en",
    )

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "branchdesk.cli", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    done = run("start", "--demo-cases", "50")
    assert done.returncode == 0, done.stderr
    assert "passphrase" in done.stderr and "overdue" in done.stdout
    config = json.loads((tmp_path / "pp" / "branchdesk.json").read_text())
    assert config["key_mode"] == "passphrase"
    env["BRANCHDESK_PASSPHRASE"] = "wrong horse 42"
    wrong = run("case", "list")
    assert wrong.returncode == 5 and "passphrase is wrong" in wrong.stderr
