"""Bytes that are not UTF-8 on the command line (a script saved in GBK, a stray byte)
are refused for every command the same way: exit status 2, the argument named, in
the output language, and nothing written. The real installed command in a fresh
process, with the real bytes in its argv and environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from branchdesk.bootstrap import open_branch
from branchdesk.services import queries
from tests.conftest import PASSWORD
from tests.integration.conftest import Cli
from tests.integration.test_cli_exit_status import snapshot

PASSPHRASE = "correct horse 42"
COMMAND = str(Path(sys.executable).parent / "branchdesk")
BAD = b"\xff\xfe"  # never valid UTF-8
GBK = "张三".encode("gbk")  # what a script saved in the Chinese Windows code page sends


def run(env: dict[str, str], *args: str | bytes) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [COMMAND, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture(scope="module")
def branch_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A branch in passphrase mode (a fresh process has no test keyring), one case."""
    data_dir = tmp_path_factory.mktemp("text") / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRANCHDESK_")}
    env.update(
        BRANCHDESK_DATA_DIR=str(data_dir),
        BRANCHDESK_PASSPHRASE=PASSPHRASE,
        BRANCHDESK_STAFF="A001",
        BRANCHDESK_PASSWORD=PASSWORD,
        BRANCHDESK_LANG="en",
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    done = run(
        env,
        *("init", "--branch-code", "GZ0012", "--branch-name", "天河", "--no-keyring"),
        *("--admin-no", "A001", "--admin-name", "管理员"),
    )
    assert done.returncode == 0, done.stderr
    return env


def cases_in(env: dict[str, str]) -> int:
    ctx = open_branch(Path(env["BRANCHDESK_DATA_DIR"]), passphrase=PASSPHRASE)
    try:
        return len(queries.list_cases(ctx, limit=100))
    finally:
        ctx.db.close()


NEW = (
    *("case", "new", "--kind", "consultation", "--category", "technical/network"),
    *("--phone", "13812345678", "--summary", "问网速"),
)


#: Each command with the argument it gets wrong, run in a fresh process of the
#: installed command (the bytes reach Python exactly as a shell passes them).
NOT_TEXT: list[tuple[tuple[str | bytes, ...], str]] = [
    (("search", BAD), "query"),
    ((*NEW, "--name", GBK), "--name"),
    (("sync", "--status", "--batch-size", BAD), "--batch-size"),
    (("enroll", b"https://hq.example/" + BAD, "ABCDE"), "url"),
]
#: More of them in this process: Python decodes argv with surrogateescape, and
#: os.fsdecode does the same to the bytes.
NOT_TEXT_HERE: list[tuple[tuple[str | bytes, ...], str]] = [
    (("case", "list", b"--owner=" + BAD), "--owner"),
    (("case", "show", BAD), "number"),
    (("sla", "due-soon", "--hours", BAD), "--hours"),
    ((b"--user", BAD, "case", "list"), "--user"),
    (("staff", "add", "--staff-no", "C1", "--name", GBK, "--roles", "clerk"), "--name"),
    (("case", "act", "X", "acknowledge", "--note", BAD), "--note"),
]


def message(named: str) -> str:
    return (
        f"{named}: not valid text (the bytes given are not UTF-8). "
        "Type it again, or save the script as UTF-8."
    )


def test_an_argument_that_is_not_text_is_refused_by_name(branch_env: dict[str, str]) -> None:
    # Side by side: they are independent processes, and the machine has cores to spare.
    running = [
        subprocess.Popen(
            [COMMAND, *args], env=branch_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for args, _ in NOT_TEXT
    ]
    for (args, named), process in zip(NOT_TEXT, running, strict=True):
        out, err = process.communicate(timeout=120)
        assert process.returncode == 2, (args, err)
        assert err.decode().strip() == message(named), args
        assert out == b""
    assert cases_in(branch_env) == 0


@pytest.mark.parametrize(("args", "named"), NOT_TEXT_HERE)
def test_every_command_refuses_it_the_same_way(
    cli: Cli, args: tuple[str | bytes, ...], named: str
) -> None:
    before = snapshot(cli.data_dir)
    code, out, err = cli("--lang", "en", *(os.fsdecode(a) for a in args))
    assert (code, out, err.strip()) == (2, "", message(named))
    assert snapshot(cli.data_dir) == before


def test_the_refusal_is_in_the_chosen_language(branch_env: dict[str, str], cli: Cli) -> None:
    done = run({**branch_env, "BRANCHDESK_LANG": "zh_CN"}, "case", "list", "--owner", BAD)
    assert done.returncode == 2
    assert done.stderr.startswith("--owner：不是有效的文字")
    code, _, err = cli("--lang", "zh_CN", "search", os.fsdecode(GBK))
    assert code == 2 and err.startswith("query：不是有效的文字")


def test_a_sign_in_variable_that_is_not_text_is_refused_by_name(
    branch_env: dict[str, str],
) -> None:
    env = {k.encode(): v.encode() for k, v in branch_env.items()}
    env[b"BRANCHDESK_STAFF"] = b"A0" + BAD
    done = subprocess.run(
        [COMMAND, *NEW, "--name", "张三"],
        env=env,  # type: ignore[arg-type]  # bytes are what POSIX passes on
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == message("BRANCHDESK_STAFF")
    assert cases_in(branch_env) == 0


@pytest.mark.parametrize("variable", ["BRANCHDESK_PASSWORD", "BRANCHDESK_TOKEN"])
def test_the_other_sign_in_variables_too(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    before = snapshot(cli.data_dir)
    monkeypatch.setenv(variable, os.fsdecode(b"Counter#" + BAD))
    code, out, err = cli("--lang", "en", *NEW, "--name", "张三")
    assert (code, out, err.strip()) == (2, "", message(variable))
    assert snapshot(cli.data_dir) == before
