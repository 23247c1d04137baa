"""The sync commands run as a signed-in person like every other command: enrolling is
an administrator's job, and nothing reaches HQ before the sign-in and the role check."""

from __future__ import annotations

import pytest

from branchdesk.services import sync_state
from sync.client import cli as sync_cli
from tests.conftest import Branch


def run(branch: Branch, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = sync_cli.main(["--data-dir", str(branch.data_dir), "--lang", "en", *args])
    return code, capsys.readouterr().err


def test_a_handler_may_not_enroll_the_branch(
    branch: Branch, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRANCHDESK_STAFF", "H201")
    # Nothing listens there: the refusal must come before any attempt to reach HQ.
    code, err = run(branch, capsys, "enroll", "http://127.0.0.1:9", "ABCDE-FGHIJ")
    assert code == 6
    assert "administrator" in err
    assert sync_state.status(branch.ctx).hq_url is None


def test_a_wrong_password_syncs_nothing(
    branch: Branch, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRANCHDESK_PASSWORD", "Wrong#2026x")
    code, err = run(branch, capsys, "sync", "--status")
    assert code == 6
    assert "Wrong staff number or password" in err


def test_without_anyone_signed_in_it_says_how(
    branch: Branch, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BRANCHDESK_STAFF")
    code, err = run(branch, capsys, "sync")
    assert code == 6
    assert "BRANCHDESK_TOKEN" in err
