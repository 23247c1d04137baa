"""The desktop's log is its owner's alone: a log can carry a customer's or a
colleague's details, so the folder is 0700 and every log file 0600, a new one, one
written before logs were owner-only, and the files rotation makes."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from logging.handlers import RotatingFileHandler
from pathlib import Path

import pytest

from tests.support.files import mode, usual_umask
from ui import crash


@pytest.fixture
def installed() -> Iterator[None]:
    """What `crash.install` adds to the process (a root handler, the excepthook),
    taken away again."""
    root, hook, before = logging.getLogger(), sys.excepthook, logging.getLogger().handlers[:]
    level = root.level
    yield
    for handler in root.handlers[:]:
        if handler not in before:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)
    sys.excepthook = hook


def the_handler() -> RotatingFileHandler:
    [handler] = [h for h in logging.getLogger().handlers if isinstance(h, RotatingFileHandler)]
    return handler


def test_a_new_log_is_for_its_owner_alone(installed: None, tmp_path: Path) -> None:
    with usual_umask():
        log = crash.install(tmp_path / "data" / "logs")
        logging.getLogger("branchdesk").warning("case GZ-20261208-0001 for 张三")
        the_handler().doRollover()
        logging.getLogger("branchdesk").warning("after the rotation")
    assert mode(log.parent) == mode(log.parent.parent) == 0o700  # the data folder too
    assert "张三" in log.with_name("branchdesk.log.1").read_text(encoding="utf-8")
    assert {p.name: oct(mode(p)) for p in log.parent.iterdir()} == {
        "branchdesk.log": oct(0o600),
        "branchdesk.log.1": oct(0o600),
    }


def test_a_log_written_before_is_made_owner_only(installed: None, tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir(mode=0o755)
    for name in ("branchdesk.log", "branchdesk.log.1"):
        (logs / name).write_text("an earlier line\n", encoding="utf-8")
        (logs / name).chmod(0o644)
    with usual_umask():
        log = crash.install(logs)
        logging.getLogger("branchdesk").warning("a new line")
    assert log.read_text(encoding="utf-8").startswith("an earlier line\n")  # appended
    assert mode(logs) == 0o700
    assert {p.name: oct(mode(p)) for p in logs.iterdir()} == {
        "branchdesk.log": oct(0o600),
        "branchdesk.log.1": oct(0o600),
    }
