"""Shared fixtures of the integration tests: the command line on a fresh branch."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from branchdesk.cli import main
from tests.conftest import PASSWORD
from tests.support.backups import Prepared, branch_and_backup

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


class Cli:
    def __init__(self, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.data_dir = data_dir
        self.capsys = capsys

    def __call__(self, *args: str) -> tuple[int, str, str]:
        self.capsys.readouterr()
        code = main(["--data-dir", str(self.data_dir), *args])
        out, err = self.capsys.readouterr()
        return code, out, err

    def json(self, *args: str) -> Any:
        code, out, err = self(*args, "--json")
        assert code == 0, err
        return json.loads(out)


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    """A fresh branch; commands run as its administrator A001 (signed in with the
    password from the environment, as a script would)."""
    monkeypatch.setenv("BRANCHDESK_STAFF", "A001")
    monkeypatch.setenv("BRANCHDESK_PASSWORD", PASSWORD)
    run = Cli(tmp_path / "data", capsys)
    code, _, err = run(*INIT)
    assert code == 0, err
    return run


@pytest.fixture(scope="session")
def backup_made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Prepared, Path]:
    """A passphrase-mode branch with an archive volume that has never made a backup,
    and one backup of it, shared by the backup tests (each copies what it changes)."""
    return branch_and_backup(tmp_path_factory.mktemp("backup"))
