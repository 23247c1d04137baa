"""BranchDesk core: domain rules, services, persistence, SLA clock and the CLI.

This package runs headless. It never imports the desktop front end (`ui`), the
sync code (`sync`), PySide6, FastAPI or httpx; `tests/test_architecture.py` and
the import-linter contract in CI keep it that way.
"""

__version__ = "0.1.0"
