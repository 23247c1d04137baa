"""A backup whose manifest.json lacks a field, or holds one of the wrong shape, is
refused by `backup verify` and `backup restore` with the field named in the user's
language (exit status 5), before any key is tried and with nothing written; never a
Python traceback. Every field the commands rely on is taken away or spoiled in turn."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from branchdesk.cli import main
from tests.support.backups import PASSPHRASE, Prepared, cli_env, run_cli

Outer = dict[str, Any]


@pytest.fixture
def made(backup_made: tuple[Prepared, Path]) -> tuple[Prepared, Path]:
    """A branch and one sound backup of it (copied by each test before spoiling it)."""
    return backup_made


def spoiled(made: tuple[Prepared, Path], tmp_path: Path, change: Callable[[Outer], None]) -> Path:
    folder = tmp_path / made[1].name
    shutil.copytree(made[1], folder)
    manifest = folder / "manifest.json"
    outer = json.loads(manifest.read_text("utf-8"))
    change(outer)
    manifest.write_text(json.dumps(outer, ensure_ascii=False), "utf-8")
    return folder


def body(outer: Outer) -> dict[str, Any]:
    return outer["manifest"]  # type: ignore[no-any-return]


def slot(kind: str) -> Callable[[Outer], dict[str, Any]]:
    return lambda outer: next(s for s in body(outer)["key_slots"] if s.get("type") == kind)


def drop(where: Callable[[Outer], dict[str, Any]], name: str) -> Callable[[Outer], None]:
    return lambda outer: where(outer).pop(name)


def put(
    where: Callable[[Outer], dict[str, Any]], name: str, value: object
) -> Callable[[Outer], None]:
    return lambda outer: where(outer).__setitem__(name, value)


RECOVERY, MASTER = slot("recovery"), slot("master")
FIRST_FILE: Callable[[Outer], dict[str, Any]] = lambda outer: body(outer)["files"][0]  # noqa: E731
MISSING = [
    ("key_slots[0].type", drop(RECOVERY, "type")),
    ("key_slots[1].type", drop(MASTER, "type")),
    *[
        (f"key_slots[0].{f}", drop(RECOVERY, f))
        for f in ("alg", "key_id", "epk", "nonce", "wrapped")
    ],
    *[(f"key_slots[1].{f}", drop(MASTER, f)) for f in ("alg", "key_id", "nonce", "wrapped")],
    ("key_slots[type=recovery]", lambda o: body(o)["key_slots"].pop(0)),
    ("key_slots[type=master]", lambda o: body(o)["key_slots"].pop(1)),
    *[
        (f, drop(body, f))
        for f in ("format", "version", "backup_id", "created_at", "branch", "source_db_id")
    ],
    *[(f, drop(body, f)) for f in ("device_epoch", "files", "key_slots")],
    *[(f"files[0].{f}", drop(FIRST_FILE, f)) for f in ("path", "bytes", "sha256")],
    ("files[path=branch.db]", lambda o: body(o)["files"].pop(0)),
    ("mac", lambda o: o.pop("mac")),
    ("manifest", lambda o: o.pop("manifest")),
]
INVALID = [
    ("key_slots[0].type", put(RECOVERY, "type", "keyring")),
    ("key_slots[1].type", put(MASTER, "type", "recovery")),  # two recovery slots
    ("key_slots[0].type", put(RECOVERY, "type", None)),
    ("key_slots[0].alg", put(RECOVERY, "alg", "ROT13")),
    ("key_slots[0].epk", put(RECOVERY, "epk", "not base64!")),
    ("key_slots[0].nonce", put(RECOVERY, "nonce", "AAAA")),  # 3 bytes, not 12
    ("key_slots[0].wrapped", put(RECOVERY, "wrapped", 42)),
    ("key_slots[0].key_id", put(RECOVERY, "key_id", "")),
    ("key_slots[1].key_id", put(MASTER, "key_id", ["amk-1"])),
    ("key_slots[1].wrapped", put(MASTER, "wrapped", "")),
    ("key_slots[1]", lambda o: body(o)["key_slots"].__setitem__(1, "master")),
    ("key_slots", put(body, "key_slots", {"type": "recovery"})),
    ("key_slots", put(body, "key_slots", [])),
    ("files", put(body, "files", "branch.db")),
    ("files[0].path", put(FIRST_FILE, "path", "../../etc/passwd")),
    ("files[0].bytes", put(FIRST_FILE, "bytes", -1)),
    ("files[0].bytes", put(FIRST_FILE, "bytes", "1024")),
    ("files[0].sha256", put(FIRST_FILE, "sha256", "abc")),
    ("files[2].path", lambda o: body(o)["files"].append(dict(body(o)["files"][0]))),
    ("format", put(body, "format", "zip")),
    ("backup_id", put(body, "backup_id", "b1")),
    ("created_at", put(body, "created_at", "yesterday")),
    ("device_epoch", put(body, "device_epoch", 0)),
    ("branch", put(body, "branch", None)),
    ("mac", lambda o: o.__setitem__("mac", 12345)),
    ("manifest", lambda o: o.__setitem__("manifest", [1, 2])),
]


@pytest.mark.parametrize(
    ("field", "change"), MISSING + INVALID, ids=lambda v: v if isinstance(v, str) else ""
)
def test_a_spoiled_manifest_is_refused_naming_the_field(
    made: tuple[Prepared, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    field: str,
    change: Callable[[Outer], None],
) -> None:
    prepared, _ = made
    folder = spoiled(made, tmp_path, change)
    monkeypatch.setenv("BRANCHDESK_RECOVERY_KEY", prepared.recovery.text())
    monkeypatch.setenv("BRANCHDESK_PASSPHRASE", PASSPHRASE)
    wording = "缺少字段" if (field, change) in MISSING else "无效"
    target = tmp_path / "new-pc"
    for args in (
        ["backup", "verify", str(folder)],
        ["backup", "restore", str(folder), "--data-dir", str(target), "--no-keyring"],
    ):
        capsys.readouterr()
        code = main(["--lang", "zh_CN", *args])
        err = capsys.readouterr().err
        assert code == 5, err
        assert f"字段 {field}" in err and wording in err and "manifest.json" in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == [folder.name]  # nothing written


def test_the_refusal_is_in_english_too(
    made: tuple[Prepared, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prepared, _ = made
    folder = spoiled(made, tmp_path, drop(MASTER, "type"))
    code = main(
        [
            "--lang",
            "en",
            "backup",
            "verify",
            str(folder),
            "--recovery-key",
            prepared.recovery.text(),
        ]
    )
    err = capsys.readouterr().err
    assert code == 5
    assert "lacks the field key_slots[1].type" in err and "not used" in err, err


def test_the_installed_command_refuses_a_slot_without_its_type(
    made: tuple[Prepared, Path], tmp_path: Path
) -> None:
    """The reported crash, as reported: `backup verify` and `backup restore` of a real
    process on a manifest whose key slot has no "type" (it was a KeyError traceback),
    and `backup verify` signed in on the branch's own PC."""
    prepared, _ = made
    folder = spoiled(made, tmp_path, drop(RECOVERY, "type"))
    env = cli_env(BRANCHDESK_RECOVERY_KEY=prepared.recovery.text(), BRANCHDESK_LANG="en")
    target = tmp_path / "new-pc"
    for args in (
        ["backup", "verify", str(folder)],
        ["backup", "restore", str(folder), "--data-dir", str(target), "--no-keyring"],
    ):
        done = run_cli(*args, env=env)
        assert done.returncode == 5, done.stderr
        assert "Traceback" not in done.stderr
        assert "lacks the field key_slots[0].type" in done.stderr
    assert not target.exists()
    env.pop("BRANCHDESK_RECOVERY_KEY")
    branch = tmp_path / "branch"  # signing in is recorded: the shared branch stays as it is
    shutil.copytree(prepared.data_dir, branch)
    done = run_cli("--data-dir", str(branch), "backup", "verify", str(folder), env=env)
    assert done.returncode == 5 and "Traceback" not in done.stderr, done.stderr
    assert "lacks the field key_slots[0].type" in done.stderr


def test_an_unspoiled_backup_still_verifies(
    made: tuple[Prepared, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """The checks refuse only what is wrong: the sound backup passes them."""
    prepared, folder = made
    code = main(["backup", "verify", str(folder), "--recovery-key", prepared.recovery.text()])
    assert code == 0, capsys.readouterr().err
