"""The distribution carries everything the app reads at run time: every data file
under resources/ and the migration scripts, so an installed BranchDesk needs no
checkout and downloads nothing."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_contains_all_resources_and_migrations(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("branchdesk-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {
        "branchdesk/resources/" + p.relative_to(ROOT / "resources").as_posix()
        for p in (ROOT / "resources").rglob("*")
        if p.is_file()
    }
    assert shipped and shipped <= names, sorted(shipped - names)
    migrations = {
        "branchdesk/persistence/migrations/"
        + p.relative_to(ROOT / "branchdesk/persistence/migrations").as_posix()
        for p in (ROOT / "branchdesk/persistence/migrations").rglob("*")
        if p.is_file() and p.suffix in (".py", ".mako") and "__pycache__" not in p.parts
    }
    assert migrations <= names, sorted(migrations - names)
    assert "branchdesk/cli.py" in names and "ui/__init__.py" in names
