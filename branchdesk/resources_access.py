"""Where the shipped data files (`resources/`) are found.

Installed, they are the package data `branchdesk.resources`. In a source checkout the
checkout's own `branchdesk/` directory shadows the installed package (Python puts the
current directory first), so the sibling `resources/` directory is used directly.
"""

from __future__ import annotations

import importlib.resources
import json
from functools import cache
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any


@cache
def resources_root() -> Traversable:
    try:
        return importlib.resources.files("branchdesk.resources")
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "resources"


def resource(relative: str) -> Traversable:
    """The shipped data file at `relative` (a '/'-separated path below resources/)."""
    node = resources_root()
    for part in relative.split("/"):
        node = node / part
    return node


def read_json(relative: str) -> Any:
    """Parse a shipped JSON data file."""
    return json.loads(resource(relative).read_text(encoding="utf-8"))
