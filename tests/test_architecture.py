"""The layer rules of ARCHITECTURE.md, checked on the source itself (import-linter
checks the same in CI): the core is headless and the domain is pure."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

RULES = {
    "branchdesk": {"ui", "sync", "PySide6", "fastapi", "httpx", "starlette", "uvicorn"},
    "branchdesk/domain": {
        "branchdesk.persistence",
        "branchdesk.services",
        "branchdesk.cli",
        "sqlalchemy",
        "sqlcipher3",
        "keyring",
    },
    "sync": {"ui", "PySide6"},
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def violations(folder: str, forbidden: set[str]) -> list[str]:
    bad = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        for module in imported_modules(path):
            if any(module == f or module.startswith(f + ".") for f in forbidden):
                bad.append(f"{path.relative_to(ROOT)} imports {module}")
    return bad


@pytest.mark.parametrize("folder", sorted(RULES))
def test_layer_rules(folder: str) -> None:
    assert violations(folder, RULES[folder]) == []


def test_the_check_sees_a_violation(tmp_path: Path) -> None:
    sample = tmp_path / "bad.py"
    sample.write_text("import PySide6.QtWidgets\nfrom sync.client import push\n")
    assert imported_modules(sample) == {"PySide6.QtWidgets", "sync.client"}
