"""`branchdesk sync --status --json` is for scripts: numbers are numbers, flags are
true/false, times are ISO 8601 strings or null, and the last problem is the sentence a
person reads (in the branch language), with its key for a script to test."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest

from branchdesk.services import sync_state
from sync.client import cli as sync_cli
from sync.client.credentials import save_token
from tests.conftest import Branch
from tests.sync.conftest import add_cases


def status(branch: Branch, capsys: pytest.CaptureFixture[str], *lang: str) -> Any:
    capsys.readouterr()
    code = sync_cli.main(["--data-dir", str(branch.data_dir), *lang, "sync", "--status", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def test_before_enrolling_every_value_has_its_json_type(
    branch: Branch, capsys: pytest.CaptureFixture[str]
) -> None:
    add_cases(branch, 2)
    shown = status(branch, capsys)
    assert shown["enrolled"] is False
    assert shown["hq_url"] is None and shown["last_success_at"] is None
    assert shown["last_error"] is None and shown["last_error_at"] is None
    assert shown["pending"] == 2
    for count in ("quarantined", "parked", "unread_notices", "cursor"):
        assert shown[count] == 0 and type(shown[count]) is int, count


def test_the_last_problem_is_a_message_in_the_branch_language(
    branch: Branch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Enrolled with an HQ where nothing listens: the round fails and is recorded.
    me = sync_state.identity_of(branch.ctx)
    in_db = save_token(branch.ctx, device_id=me.device_id, token="t" * 40, store=branch.store)
    sync_state.save_enrollment(
        branch.ctx, hq_url="http://127.0.0.1:9", actor="A001", credential=in_db
    )
    add_cases(branch, 1)
    assert sync_cli.main(["--data-dir", str(branch.data_dir), "sync"]) == 1
    shown = status(branch, capsys)
    assert shown["enrolled"] is True and shown["hq_url"] == "http://127.0.0.1:9"
    assert shown["pending"] == 1
    assert shown["last_error_key"] == "sync.error.offline"
    assert "总部" in shown["last_error"] and "{" not in shown["last_error"]
    assert datetime.fromisoformat(shown["last_error_at"]).utcoffset() is not None
    assert datetime.fromisoformat(shown["last_attempt_at"]) == datetime.fromisoformat(
        shown["last_error_at"]
    )
    assert shown["last_success_at"] is None
    english = status(branch, capsys, "--lang", "en")
    assert "headquarters" in english["last_error"].lower()
