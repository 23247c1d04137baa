"""`case new` retried: with the same --idempotency-key it prints the case already saved
(exit 0) instead of recording a second one; without one, the key it made is on stderr
before the save. The kill tests run the real command line in its own process and kill
it with SIGKILL right at the commit (just before it, just after it), then run the
same command again, as a script retrying a command that never answered would."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import select

from branchdesk.bootstrap import open_branch
from branchdesk.persistence.schema import cases
from tests.conftest import PASSWORD
from tests.integration.conftest import Cli
from tests.integration.test_cli import NEW, NEW_OUTAGE
from tests.support.branches import passphrase_branch

KEY = "6f1c2a9e-3b7d-4e58-9a61-0c2f7d5e8b14"


def test_the_same_key_prints_the_case_already_saved(cli: Cli) -> None:
    first = cli.json(*NEW, "--idempotency-key", KEY)
    assert first["already_saved"] is False
    number = first["case"]["number"]
    code, out, err = cli(*NEW, "--idempotency-key", KEY)
    assert code == 0, err
    assert f"此表单已保存，受理编号 {number}" in out and "已受理，受理编号" not in out
    code, out, _ = cli("--lang", "en", *NEW, "--form-id", KEY)
    assert code == 0 and f"Already saved as case {number}" in out
    again = cli.json(*NEW, "--idempotency-key", KEY)
    assert again["already_saved"] is True and again["case"]["number"] == number
    assert [c["number"] for c in cli.json("case", "list")] == [number]


def test_the_same_key_with_other_content_is_refused(cli: Cli) -> None:
    number = cli.json(*NEW, "--idempotency-key", KEY)["case"]["number"]
    changed = [*NEW[:-1], "尽快解决并赔偿"]
    code, out, err = cli(*changed, "--idempotency-key", KEY)
    assert code == 2 and out == ""
    assert "表单标识" in err and number in err and "内容不同" in err
    code, _, err = cli("--lang", "en", *changed, "--idempotency-key", KEY)
    assert code == 2 and "Form id" in err and "different content" in err
    code, _, err = cli(*NEW, "--idempotency-key", "bad key")
    assert code == 2 and "表单标识" in err and "UUID" in err
    assert [c["number"] for c in cli.json("case", "list")] == [number]


def test_without_a_key_one_is_made_and_shown_before_the_save(cli: Cli) -> None:
    code, out, err = cli("--lang", "en", *NEW)
    assert code == 0
    made = re.search(r"--idempotency-key (\S+)", err)
    assert made is not None, err
    number = re.search(r"Recorded as case (\S+)", out)
    assert number is not None
    again = cli.json(*NEW, "--idempotency-key", made.group(1))
    assert again["already_saved"] is True and again["case"]["number"] == number.group(1)
    # Two runs without a key are two forms: two cases.
    cli.json(*NEW)
    assert len(cli.json("case", "list")) == 2


def test_the_incident_is_linked_in_the_same_save(cli: Cli) -> None:
    incident = cli.json(*NEW_OUTAGE)["number"]
    saved = cli.json(*NEW, "--incident", incident, "--idempotency-key", KEY)
    assert [e["kind"] for e in saved["events"]] == ["received", "link_incident"]
    again = cli.json(*NEW, "--incident", incident, "--idempotency-key", KEY)
    assert again["already_saved"] is True and len(again["events"]) == 2
    # An incident that cannot be linked refuses the whole save: no case without its link.
    code, out, err = cli(*NEW, "--incident", "INC-NONE")
    assert code == 2 and out == "" and "突发事件" in err
    assert [c["number"] for c in cli.json("case", "list")] == [saved["case"]["number"]]


PASSPHRASE = "kill test passphrase"

# The real command line, in a process of its own that SIGKILLs itself at the commit of
# the transaction that stores the form's id: `before` the COMMIT reaches SQLite (the
# save is lost) or `after` it returned (the save is kept, but its answer never printed).
KILLED_AT_COMMIT = textwrap.dedent(
    """
    import os, signal, sys
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
    from branchdesk import cli

    when = sys.argv[1]
    storing = []

    @event.listens_for(Engine, "before_cursor_execute")
    def watch(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("INSERT INTO intake_keys"):
            storing.append(True)

    commit = SQLiteDialect_pysqlite.do_commit

    def do_commit(self, dbapi_connection):
        if storing and when == "before":
            os.kill(os.getpid(), signal.SIGKILL)
        commit(self, dbapi_connection)
        if storing and when == "after":
            os.kill(os.getpid(), signal.SIGKILL)

    SQLiteDialect_pysqlite.do_commit = do_commit
    sys.exit(cli.main(sys.argv[2:]))
    """
)


@pytest.fixture
def branch_dir(tmp_path: Path) -> Path:
    data_dir = tmp_path / "branch"
    ctx = passphrase_branch(data_dir, PASSPHRASE, branch_name="断电测试")
    ctx.db.close()
    return data_dir


def run(data_dir: Path, *args: str, killed: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRANCHDESK_")}
    env.update(
        BRANCHDESK_PASSPHRASE=PASSPHRASE,
        BRANCHDESK_STAFF="A001",
        BRANCHDESK_PASSWORD=PASSWORD,
        BRANCHDESK_LANG="en",
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    command = ["-c", KILLED_AT_COMMIT, killed] if killed else ["-m", "branchdesk.cli"]
    return subprocess.run(
        [sys.executable, *command, "--data-dir", str(data_dir), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def numbers(data_dir: Path) -> list[str]:
    """The cases in the branch's database file, read directly."""
    ctx = open_branch(data_dir, passphrase=PASSPHRASE)
    try:
        with ctx.db.read() as conn:
            return list(conn.execute(select(cases.c.number).order_by(cases.c.id)).scalars())
    finally:
        ctx.db.close()


@pytest.mark.slow
def test_killed_just_after_the_commit_the_retry_returns_the_same_case(branch_dir: Path) -> None:
    """The case is saved but the command died before printing its number; the caller
    runs it again with the key it printed first: the same case, no second one."""
    killed = run(branch_dir, *NEW, "--json", killed="after")
    assert killed.returncode == -9
    assert killed.stdout == ""  # the number was never printed
    made = re.search(r"--idempotency-key (\S+)", killed.stderr)
    assert made is not None, killed.stderr
    (saved,) = numbers(branch_dir)
    retry = run(branch_dir, *NEW, "--json", "--idempotency-key", made.group(1))
    assert retry.returncode == 0, retry.stderr
    answer = json.loads(retry.stdout)
    assert answer["already_saved"] is True and answer["case"]["number"] == saved
    assert numbers(branch_dir) == [saved]


@pytest.mark.slow
def test_killed_just_before_the_commit_the_retry_saves_it_once(branch_dir: Path) -> None:
    killed = run(branch_dir, *NEW, "--idempotency-key", KEY, killed="before")
    assert killed.returncode == -9 and killed.stdout == ""
    assert numbers(branch_dir) == []
    retry = run(branch_dir, *NEW, "--idempotency-key", KEY)
    assert retry.returncode == 0, retry.stderr
    saved = re.search(r"Recorded as case (\S+)", retry.stdout)
    assert saved is not None, retry.stdout
    assert numbers(branch_dir) == [saved.group(1)]
