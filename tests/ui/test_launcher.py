"""The `branchdesk` command as installed: without a subcommand it starts the desktop
(here offscreen, quitting when the list is ready), with one it is the command line
and does not even load Qt."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ui.launcher import _is_gui

PASSWORD = "Demo#Counter2026"


def run(
    *args: str, data_dir: Path, staff: str | None = "A001", password: str = PASSWORD
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRANCHDESK_")}
    env.update(
        QT_QPA_PLATFORM="offscreen",
        BRANCHDESK_PASSPHRASE="launcher test 2026",
        BRANCHDESK_EXIT_WHEN_READY="1",
        # The smoke path signs in without the screen (and names the demo's password).
        BRANCHDESK_PASSWORD=password,
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        BRANCHDESK_DATA_DIR=str(data_dir),
    )
    if staff is not None:
        env["BRANCHDESK_STAFF"] = staff
    return subprocess.run(
        [sys.executable, "-m", "ui.launcher", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_desktop_starts_with_demo_data_then_opens_again(tmp_path: Path) -> None:
    first = run("--demo", "--demo-cases", "200", data_dir=tmp_path / "d")
    assert first.returncode == 0, first.stderr
    assert (tmp_path / "d" / "branch.db").exists()
    again = run(data_dir=tmp_path / "d")
    assert again.returncode == 0, again.stderr
    # Every demo colleague signs in with the password chosen for the demo.
    clerk = run(data_dir=tmp_path / "d", staff="C101")
    assert clerk.returncode == 0, clerk.stderr
    # Nobody signed in: ready is the sign-in screen; a wrong password gets no workbench.
    assert run(data_dir=tmp_path / "d", staff=None).returncode == 0
    wrong = run(data_dir=tmp_path / "d", password="Wrong#2026")
    assert wrong.returncode == 3 and "4" in wrong.stderr
    listed = run("case", "list", "--json", "--limit", "5", data_dir=tmp_path / "d")
    assert listed.returncode == 0 and listed.stdout.startswith("[")


def test_the_command_line_does_not_load_qt(tmp_path: Path) -> None:
    code = (
        "import sys; from ui.launcher import main\n"
        "try:\n    main(['--data-dir', sys.argv[1], 'case', 'list'])\n"
        "except SystemExit:\n    pass\n"
        "print('PySide6' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "none")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.stdout.strip().splitlines()[-1] == "False"


def test_which_arguments_mean_the_desktop() -> None:
    assert _is_gui([])
    assert _is_gui(["--demo"])
    assert _is_gui(["--data-dir", "/x", "--lang", "en", "--demo"])
    assert _is_gui(["--data-dir=/x"])
    assert not _is_gui(["case", "list"])
    assert not _is_gui(["--data-dir", "/x", "search", "张三"])
    assert not _is_gui(["--help"])


def test_no_display_gets_a_clear_message_not_a_qt_abort(tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    env["BRANCHDESK_DATA_DIR"] = str(tmp_path / "d")
    done = subprocess.run(
        [sys.executable, "-m", "ui.launcher"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if sys.platform.startswith("linux"):
        assert done.returncode == 2
        assert "branchdesk start" in done.stderr and "图形桌面" in done.stderr
    assert not (tmp_path / "d").exists()  # nothing was created
