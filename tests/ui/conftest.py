"""Fixtures for the desktop tests: offscreen Qt with the shipped CJK font, and a
database worker on a real encrypted branch (see tests/conftest.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from tests.conftest import Branch
from ui import i18n
from ui.app import install_fonts
from ui.worker import DbWorker


@pytest.fixture(autouse=True)
def _ui_language(qapp: QApplication) -> Iterator[None]:
    """Every UI test starts in Simplified Chinese with the shipped font."""
    install_fonts(qapp)
    i18n.set_language("zh_CN")
    yield
    i18n.set_language("zh_CN")


@pytest.fixture(autouse=True)
def _workstation_settings(tmp_path: Path) -> Iterator[None]:
    """The workstation's remembered settings (last staff number) in a temp folder."""
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qs"))
    yield


@pytest.fixture
def worker(branch: Branch) -> Iterator[DbWorker]:
    w = DbWorker(branch.ctx)
    yield w
    w.shutdown()
