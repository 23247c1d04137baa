"""Migrations are history: a migration that has been on `main` is never edited (the
next change is a new migration), and every migration is in the released list: the
branch database's and headquarters'.

A new migration is listed with `python tools/migration_checksums.py --write` in the
commit that puts it on `main`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tools import migration_checksums as checksums


def test_every_migration_is_listed_and_none_was_edited_after_release() -> None:
    changed, unlisted = checksums.problems()
    assert changed == [], "write a new migration instead of editing a released one"
    assert unlisted == [], "list it: python tools/migration_checksums.py --write"


def test_the_list_holds_every_schema_since_the_first() -> None:
    names = sorted(checksums.listed())
    assert names[0] == "branch/0001_initial.py"
    assert len([n for n in names if n.startswith("branch/")]) >= 12
    assert "hq/0001_hq_initial.py" in names


@pytest.fixture
def versions_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The check pointed at copies of the migration folders and the list, to change
    them freely; returns the branch schema's copy."""
    listed = checksums.listed()
    copies = {}
    for label, folder in checksums.DIRS.items():
        copy = tmp_path / label
        shutil.copytree(folder, copy, ignore=shutil.ignore_patterns("__pycache__"))
        for path in copy.glob("[0-9]*.py"):  # one being written now is not the subject
            if f"{label}/{path.name}" not in listed:
                path.unlink()
        copies[label] = copy
    listing = tmp_path / "released.sha256"
    shutil.copy2(checksums.LIST, listing)
    monkeypatch.setattr(checksums, "DIRS", copies)
    monkeypatch.setattr(checksums, "LIST", listing)
    return copies["branch"]


def test_an_edited_released_migration_is_caught(versions_copy: Path) -> None:
    path = versions_copy / "0003_quiet_writes.py"
    path.write_text(path.read_text(encoding="utf-8") + "\n# a quiet fix\n", encoding="utf-8")
    changed, _ = checksums.problems()
    assert changed == ["branch/0003_quiet_writes.py: edited after release (checksum differs)"]
    assert checksums.main(["--check"]) == 1
    assert checksums.main(["--write"]) == 1  # --write never blesses an edit


def test_an_edited_hq_migration_is_caught_too(versions_copy: Path) -> None:
    path = checksums.DIRS["hq"] / "0001_hq_initial.py"
    path.write_text(path.read_text(encoding="utf-8").replace("\n", "\n\n", 1), encoding="utf-8")
    assert checksums.problems()[0] == [
        "hq/0001_hq_initial.py: edited after release (checksum differs)"
    ]


def test_a_new_migration_must_be_listed_and_write_lists_it(versions_copy: Path) -> None:
    (versions_copy / "0099_next.py").write_text('revision = "0099"\n', encoding="utf-8")
    assert checksums.problems()[1] == ["branch/0099_next.py"]
    assert checksums.main(["--check"]) == 1
    assert checksums.main(["--write"]) == 0
    assert checksums.problems() == ([], [])
    assert "branch/0099_next.py" in checksums.listed()


def test_a_windows_checkout_with_crlf_line_endings_passes_the_check(versions_copy: Path) -> None:
    # git's autocrlf gives every text file CRLF: the same migrations, the same checksums.
    for path in versions_copy.glob("[0-9]*.py"):
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert checksums.problems() == ([], [])
    assert checksums.main(["--check"]) == 0


def test_0009_is_listed_as_released() -> None:
    # The bytes of 0009 as released (e63a6b4): the 'null' appointments it stopped on are
    # handled by a repair before the upgrade (migrations/repairs.py), not by an edit.
    listed = checksums.listed()["branch/0009_faq_appointments.py"]
    assert listed == "7b8d3205e355ddb00242ab6b7c298f7538cd1fa0e7ebb862da5e0b346531e896"
