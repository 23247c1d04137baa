"""The command line as a named person: `init` with the first administrator's password,
signing in (password from the environment or typed at a terminal, or a token),
one-time codes for new colleagues, tokens for scripts, masked personal data with an
audited reveal, and refusals that say which role is needed (exit status 6)."""

from __future__ import annotations

import csv
import getpass
import io
import json
import re
import sys
from pathlib import Path

import pytest

from branchdesk.bootstrap import is_initialised
from branchdesk.cli import main
from tests.conftest import PASSWORD
from tests.integration.conftest import INIT, Cli

NEW_CASE = [
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
    "--id-number",
    "11010519491231002X",
    "--summary",
    "家中信号弱经常掉线",
    "--remedy",
    "尽快解决",
]
OWN = "Handler#2027"


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


class Terminal:
    """A person at a terminal: standard input is a tty, and each password prompt gets
    the next of `answers` (prompts are recorded, to check what was asked)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *answers: str) -> None:
        self.answers = list(answers)
        self.prompts: list[str] = []
        monkeypatch.setattr(sys, "stdin", _Tty())
        monkeypatch.setattr(getpass, "getpass", self._answer)

    def _answer(self, prompt: str = "Password: ", stream: object = None) -> str:
        self.prompts.append(prompt)
        if not self.answers:
            raise AssertionError(f"unexpected prompt {prompt!r}")
        return self.answers.pop(0)


@pytest.fixture
def script(monkeypatch: pytest.MonkeyPatch) -> None:
    """Standard input as a script has it: not a terminal."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))


def add_staff(cli: Cli, staff_no: str, roles: str) -> str:
    """Added by the administrator; the one-time code the command printed."""
    added = cli.json("staff", "add", "--staff-no", staff_no, "--name", "刘志强", "--roles", roles)
    assert added["staff_no"] == staff_no
    return str(added["one_time_code"])


def activate(cli: Cli, monkeypatch: pytest.MonkeyPatch, staff_no: str, roles: str) -> None:
    """Add a colleague, who signs in with the code and chooses OWN at the prompt."""
    code = add_staff(cli, staff_no, roles)
    with monkeypatch.context() as m:
        m.setenv("BRANCHDESK_PASSWORD", code)
        Terminal(m, OWN, OWN)
        status, _, err = cli("--user", staff_no, "staff", "list")
    assert status == 0, err


# --- init ---------------------------------------------------------------------------------


def test_init_takes_the_admin_password_from_the_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRANCHDESK_PASSWORD", "Chosen#2026x")
    run = Cli(tmp_path / "data", capsys)
    status, out, err = run(*INIT)
    assert status == 0, err
    assert "GZ0012" in out
    monkeypatch.setenv("BRANCHDESK_STAFF", "A001")
    assert run.json("staff", "list")[0]["staff_no"] == "A001"
    monkeypatch.setenv("BRANCHDESK_PASSWORD", PASSWORD)
    assert run("case", "list")[0] == 6


def test_init_asks_at_a_terminal_twice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal = Terminal(monkeypatch, "Typed#2026x", "Typed#2026x")
    run = Cli(tmp_path / "data", capsys)
    status, _, err = run("--lang", "en", *INIT)
    assert status == 0, err
    assert len(terminal.prompts) == 2
    monkeypatch.setenv("BRANCHDESK_STAFF", "A001")
    monkeypatch.setenv("BRANCHDESK_PASSWORD", "Typed#2026x")
    assert run("case", "list")[0] == 0


def test_init_refuses_two_different_entries(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    Terminal(monkeypatch, "Typed#2026x", "Typed#2026y")
    run = Cli(tmp_path / "data", capsys)
    status, _, err = run("--lang", "en", *INIT)
    assert status == 2
    assert "differ" in err
    assert not is_initialised(tmp_path / "data")


@pytest.mark.usefixtures("script")
def test_init_without_a_password_sets_nothing_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = Cli(tmp_path / "data", capsys)
    status, _, err = run("--lang", "en", *INIT)
    assert status != 0
    assert "BRANCHDESK_" in err
    assert not is_initialised(tmp_path / "data")


@pytest.mark.parametrize(
    ("password", "words"),
    [("short1#", "at least 8"), ("password123", "too common"), ("Desk#A001x", "staff number")],
)
def test_init_applies_the_password_policy(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    password: str,
    words: str,
) -> None:
    monkeypatch.setenv("BRANCHDESK_PASSWORD", password)
    run = Cli(tmp_path / "data", capsys)
    status, _, err = run("--lang", "en", *INIT)
    assert status == 2
    assert words in err
    assert not is_initialised(tmp_path / "data")


# --- signing in ---------------------------------------------------------------------------


@pytest.mark.usefixtures("script")
def test_commands_refuse_without_a_signed_in_person(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BRANCHDESK_STAFF")
    for command in (["case", "list"], ["search", "张三"], ["staff", "list"], ["audit", "list"]):
        status, out, err = cli("--lang", "en", *command)
        assert status == 6, command
        assert "Sign in first" in err and "BRANCHDESK_TOKEN" in err
        assert out == ""
    status, _, err = cli("--lang", "zh_CN", "case", "list")
    assert status == 6 and "请先登录" in err


def test_a_wrong_password_is_refused_with_the_tries_left(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRANCHDESK_PASSWORD", "Wrong#pass1")
    status, out, err = cli("--lang", "en", "case", "list")
    assert status == 6
    assert "Wrong staff number or password; 4 more wrong tries" in err
    assert out == ""
    for _ in range(3):
        cli("case", "list")
    status, _, err = cli("--lang", "en", "case", "list")
    assert status == 6 and "locked" in err and "try again after" in err
    monkeypatch.setenv("BRANCHDESK_PASSWORD", PASSWORD)
    assert cli("--lang", "en", "case", "list")[0] == 6


def test_an_unknown_staff_number_gets_the_answers_a_wrong_password_gets(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Try after try, the same exit status and the very same words, up to and during
    the lockout: the command line tells nobody which staff numbers exist."""
    monkeypatch.setenv("BRANCHDESK_PASSWORD", "Wrong#pass1")
    for _ in range(6):  # four tries left … one left, locked, still locked
        unknown = cli("--lang", "en", "--user", "Z999", "case", "list")
        wrong = cli("--lang", "en", "--user", "A001", "case", "list")
        assert unknown == wrong
    assert wrong[0] == 6 and "try again after" in wrong[2]


def test_a_token_is_refused_while_its_owner_is_locked_out(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = cli.json("token", "create", "--label", "nightly")["token"]
    monkeypatch.setenv("BRANCHDESK_PASSWORD", "Wrong#pass1")
    for _ in range(5):
        cli("case", "list")
    monkeypatch.setenv("BRANCHDESK_TOKEN", token)
    status, out, err = cli("--lang", "en", "case", "list")
    assert (status, out) == (6, "")
    assert "locked" in err and "try again after" in err


def test_the_password_can_be_typed_at_a_terminal(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BRANCHDESK_PASSWORD")
    terminal = Terminal(monkeypatch, PASSWORD)
    assert cli("--user", "A001", "case", "list")[0] == 0
    assert len(terminal.prompts) == 1


# --- new colleagues -----------------------------------------------------------------------


def test_staff_add_prints_a_one_time_code(cli: Cli) -> None:
    status, out, err = cli(
        "--lang", "en", "staff", "add", "--staff-no", "H201", "--name", "Liu", "--roles", "handler"
    )
    assert status == 0, err
    assert "H201" in out
    # The code on its own line, in the alphabet that cannot be misread off paper.
    codes = re.findall(r"\b[2-9a-hjkmnp-z]{10}$", out, flags=re.MULTILINE)
    assert len(codes) == 1
    assert "one-time code" in err and "24 hours" in err
    listed = {a["staff_no"]: a for a in cli.json("staff", "list")}
    assert listed["H201"]["must_change_password"] is True


@pytest.mark.usefixtures("script")
def test_the_code_works_once_and_a_script_cannot_replace_it(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = add_staff(cli, "H201", "handler")
    monkeypatch.setenv("BRANCHDESK_PASSWORD", code)
    status, out, err = cli("--lang", "en", "--user", "H201", "case", "list")
    assert status == 6
    assert "H201 must set their own new password first" in err
    assert out == ""
    # Nothing was changed: the account still waits for its own password.
    monkeypatch.setenv("BRANCHDESK_PASSWORD", PASSWORD)
    listed = {a["staff_no"]: a for a in cli.json("--user", "A001", "staff", "list")}
    assert listed["H201"]["must_change_password"] is True


def test_a_new_colleague_chooses_a_password_at_the_first_sign_in(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = add_staff(cli, "H201", "handler")
    with monkeypatch.context() as m:
        m.setenv("BRANCHDESK_PASSWORD", code)
        terminal = Terminal(m, OWN, OWN)
        status, _, err = cli("--lang", "en", "--user", "H201", "case", "list")
    assert status == 0, err
    assert "must set their own new password first" in err
    assert len(terminal.prompts) == 2
    monkeypatch.setenv("BRANCHDESK_PASSWORD", OWN)
    assert cli("--user", "H201", "case", "list")[0] == 0
    monkeypatch.setenv("BRANCHDESK_PASSWORD", code)
    assert cli("--user", "H201", "case", "list")[0] == 6


def test_a_new_password_against_the_policy_is_refused(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = add_staff(cli, "H201", "handler")
    monkeypatch.setenv("BRANCHDESK_PASSWORD", code)
    Terminal(monkeypatch, "h201h201h201", "h201h201h201")
    status, _, err = cli("--lang", "en", "--user", "H201", "case", "list")
    assert status == 2
    assert "new_password" in err or "new password" in err.lower()


def test_password_changes_ones_own_password(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    token = cli.json("token", "create", "--label", "nightly")["token"]
    Terminal(monkeypatch, PASSWORD, "Changed#2027", "Changed#2027")
    status, out, err = cli("--lang", "en", "password", "--json")
    assert status == 0 and json.loads(out) == {"staff_no": "A001", "password": "changed"}
    assert "Your command-line tokens have stopped working" in err
    assert cli("case", "list")[0] == 6
    monkeypatch.setenv("BRANCHDESK_PASSWORD", "Changed#2027")
    assert cli("case", "list")[0] == 0
    with monkeypatch.context() as m:  # the token made under the old password is gone too
        m.setenv("BRANCHDESK_TOKEN", token)
        assert cli("case", "list")[0] == 6


# --- tokens -------------------------------------------------------------------------------


def test_a_token_stands_for_its_owner(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    activate(cli, monkeypatch, "H201", "handler")
    monkeypatch.setenv("BRANCHDESK_PASSWORD", OWN)
    status, out, err = cli("--user", "H201", "token", "create", "--label", "nightly", "--json")
    assert status == 0, err
    token = json.loads(out)["token"]
    assert token.startswith("bdt_")
    assert "BRANCHDESK_TOKEN" in err
    monkeypatch.delenv("BRANCHDESK_STAFF")
    monkeypatch.delenv("BRANCHDESK_PASSWORD")
    monkeypatch.setenv("BRANCHDESK_TOKEN", token)
    assert cli("case", "list")[0] == 0
    (mine,) = cli.json("token", "list")
    assert (mine["staff_no"], mine["label"]) == ("H201", "nightly")
    assert mine["last_used_at"] is not None
    # A handler may not read the audit trail: the token acts as H201, not as more.
    status, _, err = cli("--lang", "en", "audit", "list")
    assert status == 6 and "branch manager" in err

    assert cli.json("token", "revoke", str(mine["id"])) == {"token": mine["id"], "revoked": True}
    status, _, err = cli("--lang", "en", "case", "list")
    assert status == 6 and "token is not valid or was revoked" in err


def test_an_administrators_reset_stops_the_persons_token(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """H201's password may be in someone else's hands: the reset takes back the
    tokens made with it too, and the administrator is told."""
    activate(cli, monkeypatch, "H201", "handler")
    with monkeypatch.context() as m:
        m.setenv("BRANCHDESK_PASSWORD", OWN)
        token = cli.json("--user", "H201", "token", "create", "--label", "nightly")["token"]
    status, out, err = cli("--lang", "en", "staff", "reset-password", "H201")
    assert status == 0 and "H201" in out, err
    assert "Every command-line token of H201 has stopped working" in err
    with monkeypatch.context() as m:
        m.delenv("BRANCHDESK_STAFF")
        m.delenv("BRANCHDESK_PASSWORD")
        m.setenv("BRANCHDESK_TOKEN", token)
        status, _, err = cli("--lang", "en", "case", "list")
    assert status == 6 and "token is not valid or was revoked" in err
    [revoked] = cli.json("audit", "list", "--action", "auth.token_revoked")
    assert revoked["staff_no"] == "A001"  # by the administrator who reset the password


def test_token_sign_ins_are_audited_as_such(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    token = cli.json("token", "create", "--label", "export")["token"]
    with monkeypatch.context() as m:
        m.setenv("BRANCHDESK_TOKEN", token)
        assert cli("case", "list")[0] == 0
    signed_in = cli.json("audit", "list", "--action", "auth.sign_in", "--limit", "5")
    # Newest first: this listing's own password sign-in, then the token's.
    assert [e["staff_no"] for e in signed_in[:2]] == ["A001", "A001"]
    with monkeypatch.context() as m:
        m.setenv("BRANCHDESK_TOKEN", token)
        export = cli.json("audit", "export", "--out", str(cli.data_dir.parent / "a.csv"))
    assert export["rows"] > 0
    with (cli.data_dir.parent / "a.csv").open(encoding="utf-8-sig", newline="") as f:
        methods = [
            json.loads(r["detail"]).get("method")
            for r in csv.DictReader(f)
            if r["action"] == "auth.sign_in"
        ]
    assert "token" in methods and "password" in methods


# --- personal data ------------------------------------------------------------------------


def test_a_non_owner_sees_the_phone_masked_and_reveal_is_audited(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    number = cli.json(*NEW_CASE)["case"]["number"]
    owner_view = cli.json("case", "show", number)["case"]
    assert owner_view["customer_phone"] == "13812345678"
    activate(cli, monkeypatch, "H201", "handler")
    with monkeypatch.context() as m:
        m.setenv("BRANCHDESK_STAFF", "H201")
        m.setenv("BRANCHDESK_PASSWORD", OWN)
        shown = cli.json("case", "show", number)["case"]
        assert shown["customer_phone"] == "138****5678"
        assert "13812345678" not in json.dumps(cli.json("case", "show", number), ensure_ascii=False)
        assert shown["customer_id_number"] != "11010519491231002X"
        revealed = cli.json("case", "reveal", number)
    assert revealed["phone"] == "13812345678"
    assert revealed["id_number"] == "11010519491231002X"
    (entry,) = cli.json("audit", "list", "--action", "pii.reveal")
    assert (entry["staff_no"], entry["case"]) == ("H201", number)


# --- roles --------------------------------------------------------------------------------


def test_a_clerk_may_not_add_staff_and_is_told_which_role_may(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    activate(cli, monkeypatch, "C101", "clerk")
    monkeypatch.setenv("BRANCHDESK_STAFF", "C101")
    monkeypatch.setenv("BRANCHDESK_PASSWORD", OWN)
    status, out, err = cli(
        "--lang", "en", "staff", "add", "--staff-no", "C102", "--name", "王", "--roles", "clerk"
    )
    assert status == 6
    assert "manage staff accounts" in err and "administrator" in err
    assert out == ""
    status, _, err = cli("--lang", "zh_CN", "staff", "reset-password", "A001")
    assert status == 6 and "管理员" in err
    # What a clerk may see of the staff list: names and roles, no sign-in status.
    listed = cli.json("staff", "list")
    assert {"staff_no", "name", "roles"} == set(listed[0])


def test_init_prints_the_archive_recovery_sheet_when_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The recovery key is printed at set-up: init writes its sheet, the key inside."""
    from pypdf import PdfReader

    monkeypatch.setenv("BRANCHDESK_PASSWORD", PASSWORD)
    sheet = tmp_path / "sheet.pdf"
    data = tmp_path / "fresh"
    code = main(["--data-dir", str(data), "--lang", "en", *INIT, "--recovery-sheet", str(sheet)])
    assert code == 0, capsys.readouterr().err
    text = "".join(page.extract_text() for page in PdfReader(sheet).pages)
    assert "BDRK" in text
    # Without the option, init says how to print it.
    code = main(["--data-dir", str(tmp_path / "other"), "--lang", "en", *INIT])
    assert code == 0
    assert "archive recovery-key" in capsys.readouterr().err
