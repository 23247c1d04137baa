"""Fixtures shared by every suite: a real branch installation (encrypted SQLite file
in a temporary directory, key in an in-memory keyring) with a controllable clock."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import keyring
import pytest
from hypothesis import settings

from branchdesk.bootstrap import initialise
from branchdesk.domain.model import Customer, IntakeForm
from branchdesk.secrets import KeyringSecretStore
from branchdesk.services.context import ServiceContext
from tests.support.fakes import Clock, MemoryKeyring

# Property tests check behaviour, not speed: no per-example deadline (a loaded CI
# machine must not fail them). In CI the examples are derived from the test itself, so
# a run is repeatable; locally they are random, to keep finding new cases.
settings.register_profile("branchdesk", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "branchdesk")

TZ = ZoneInfo("Asia/Shanghai")
#: A Wednesday morning at the counter, well inside a year the calendar knows.
START = datetime(2026, 11, 25, 9, 30, tzinfo=TZ)


#: The password every test account gets (it meets the policy).
PASSWORD = "Counter#2026"


@pytest.fixture(autouse=True)
def _fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id at its production cost takes 0.1 s per hash; tests sign in thousands
    of times. The parameters are checked once in test_auth; elsewhere a cheap hasher
    of the same algorithm keeps the suite fast."""
    from argon2 import PasswordHasher, Type

    from branchdesk.services import auth

    cheap = PasswordHasher(time_cost=1, memory_cost=256, parallelism=1, type=Type.ID)
    monkeypatch.setattr(auth, "HASHER", cheap)
    monkeypatch.setattr(auth, "_DUMMY_HASH", cheap.hash("not anyone's password"))


def activate(ctx: ServiceContext, staff_no: str, code: str, password: str = PASSWORD) -> None:
    """Do what a new colleague does at their first sign-in: replace the one-time code."""
    from branchdesk.services import auth

    auth.change_password(ctx, staff_no=staff_no, old=code, new=password)


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[MemoryKeyring]:
    """No test touches the real keyring, the real data directory or the caller's env."""
    backend = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    for name in (
        "BRANCHDESK_DATA_DIR",
        "BRANCHDESK_PASSPHRASE",
        "BRANCHDESK_STAFF",
        "BRANCHDESK_PASSWORD",
        "BRANCHDESK_TOKEN",
        "BRANCHDESK_LANG",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    yield backend
    keyring.set_keyring(previous)


@dataclass
class Branch:
    ctx: ServiceContext
    clock: Clock
    data_dir: Path
    store: KeyringSecretStore


@pytest.fixture
def branch(tmp_path: Path, _isolated: MemoryKeyring) -> Iterator[Branch]:
    """An initialised branch GZ0012: administrator A001 (who also holds the manager,
    clerk and handler roles, as the first account does), handler H201 and manager
    M301, all signed up with PASSWORD."""
    from branchdesk.services import staff

    store = KeyringSecretStore(_isolated)
    data_dir = tmp_path / "branch"
    ctx, _ = initialise(
        data_dir,
        branch_code="GZ0012",
        branch_name="广州天河营业厅",
        admin_no="A001",
        admin_name="管理员",
        admin_password=PASSWORD,
        store=store,
    )
    clock = Clock(START)
    ctx.clock = clock
    for staff_no, name, role in (("H201", "刘志强", "handler"), ("M301", "吴海涛", "manager")):
        new = staff.add_staff(ctx, staff_no=staff_no, name=name, roles=(role,), actor="A001")
        activate(ctx, staff_no, new.one_time_code)
    yield Branch(ctx, clock, data_dir, store)
    ctx.db.close()


def complaint_form(**changes: object) -> IntakeForm:
    """A valid walk-in complaint; override any field by keyword."""
    from dataclasses import replace

    form = IntakeForm(
        kind="complaint",
        channel="walk_in",
        category="technical/network",
        customer=Customer(
            name="张三",
            phone="13812345678",
            service_number="KD0200012345",
            address="天河区体育西路100号",
        ),
        summary="家中手机信号弱经常掉线",
        description="近一个月在家中室内信号只有一格。",
        remedy="尽快优化网络覆盖",
    )
    return replace(form, **changes)  # type: ignore[arg-type]
