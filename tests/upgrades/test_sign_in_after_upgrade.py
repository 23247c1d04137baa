"""A branch from before sign-in (schemas 0002 to 0005: nobody had a password) can be
used after the upgrade: its administrator chooses a password at the first sign-in,
typed twice, as the first administrator does at `init`; from then on it is an ordinary
password, and nobody else can claim an account that way. Only a branch marked at its
upgrade (migration 0013) can be claimed, not one whose accounts merely have no
password now. Through the real command line, and the services on the real files."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path
from select import select as readable

import pytest
from sqlalchemy import select, update

from branchdesk.bootstrap import open_branch
from branchdesk.domain.errors import ValidationError
from branchdesk.persistence.schema import audit_log, settings, staff
from branchdesk.services import auth
from branchdesk.services.context import ServiceContext
from tests.upgrades.snapshot import ADMIN_NO, PASSPHRASE
from tests.upgrades.test_upgrade_matrix import copy_fixture

ROOT = Path(__file__).resolve().parents[2]
CHOSEN = "Chosen#Upgrade2026"
OTHER = "Another#Upgrade2026"


def cli(data_dir: Path, user: str, password: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRANCHDESK_")}
    env.update(
        PYTHONPATH=str(ROOT),
        BRANCHDESK_PASSPHRASE=PASSPHRASE,
        BRANCHDESK_PASSWORD=password,
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    command = ["--data-dir", str(data_dir), "--lang", "en", "--user", user, *args]
    return subprocess.run(
        [sys.executable, "-m", "branchdesk.cli", *command],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_administrator_of_a_branch_from_before_sign_in_chooses_a_password(
    tmp_path: Path,
) -> None:
    data_dir, _ = copy_fixture("0004", tmp_path)
    # A clerk cannot claim an account: only an administrator sets the first password.
    clerk = cli(data_dir, "C101", CHOSEN, "case", "list")
    assert clerk.returncode == 6, clerk.stderr
    # A password the policy refuses is refused, naming the field, and sets nothing.
    weak = cli(data_dir, ADMIN_NO, "short", "case", "list")
    assert weak.returncode == 2, weak.stderr
    assert "password" in weak.stderr.lower()

    first = cli(data_dir, ADMIN_NO, CHOSEN, "case", "list", "--json")
    assert first.returncode == 0, first.stderr
    assert "张三" in first.stdout
    # Now it is the administrator's password: another one is wrong.
    other = cli(data_dir, ADMIN_NO, "Another#Upgrade2026", "case", "list")
    assert other.returncode == 6, other.stderr
    again = cli(data_dir, ADMIN_NO, CHOSEN, "audit", "verify")
    assert again.returncode == 0, again.stderr


# -- the services: who may choose the first password, and that it is typed twice ----
def opened(name: str, tmp_path: Path) -> ServiceContext:
    data_dir, _ = copy_fixture(name, tmp_path)
    return open_branch(data_dir, passphrase=PASSPHRASE)


def marked(ctx: ServiceContext) -> bool:
    with ctx.db.read() as conn:
        key = conn.execute(select(settings.c.key).where(settings.c.key == auth.UNCLAIMED))
        return key.first() is not None


def password_of(ctx: ServiceContext, staff_no: str) -> str | None:
    with ctx.db.read() as conn:
        value = conn.execute(
            select(staff.c.password_hash).where(staff.c.staff_no == staff_no)
        ).scalar()
    return None if value is None else str(value)


def first_passwords(ctx: ServiceContext) -> list[str]:
    with ctx.db.read() as conn:
        return [
            str(a)
            for a in conn.execute(
                select(audit_log.c.actor).where(audit_log.c.action == "auth.first_password")
            ).scalars()
        ]


def test_the_first_password_is_typed_twice_and_the_claim_unmarks_the_branch(
    tmp_path: Path,
) -> None:
    ctx = opened("0005", tmp_path)
    try:
        assert marked(ctx)
        # Typed once: asked again, nothing written.
        with pytest.raises(auth.SignInError) as once:
            auth.sign_in(ctx, staff_no=ADMIN_NO, password=CHOSEN)
        assert once.value.key == auth.FIRST_PASSWORD_AGAIN
        # Typed differently the second time: refused naming the field, nothing written.
        with pytest.raises(ValidationError) as mismatch:
            auth.sign_in(ctx, staff_no=ADMIN_NO, password=CHOSEN, again=CHOSEN + "x")
        assert [(e.field, e.key) for e in mismatch.value.errors] == [
            ("password_again", "error.password.mismatch")
        ]
        assert password_of(ctx, ADMIN_NO) is None and marked(ctx)
        assert first_passwords(ctx) == []

        session = auth.sign_in(ctx, staff_no=ADMIN_NO, password=CHOSEN, again=CHOSEN)
        assert session.staff_no == ADMIN_NO
        # The mark went with the claim (one transaction), which is on the audit trail.
        assert not marked(ctx)
        assert first_passwords(ctx) == [ADMIN_NO]
        assert password_of(ctx, ADMIN_NO) is not None
    finally:
        ctx.db.close()


@pytest.mark.parametrize("others", ["none", "one_time_codes"])  # what every account has
def test_a_current_branch_without_passwords_cannot_be_claimed(tmp_path: Path, others: str) -> None:
    # A branch of the last schema before the mark: its administrator had a password.
    # Should every account be left with no password (or only one-time codes), nobody
    # can take the branch over by choosing one: it does not come from before sign-in.
    ctx = opened("0012", tmp_path)
    try:
        assert not marked(ctx)
        with ctx.db.write() as conn:
            everyone = list(conn.execute(select(staff.c.staff_no)).scalars())
            if others == "one_time_codes":  # the administrator's included
                for staff_no in everyone:
                    auth.issue_one_time_code(ctx, conn, staff_no)
            else:
                conn.execute(update(staff).values(password_hash=None))
        with pytest.raises(auth.SignInError) as refused:
            auth.sign_in(ctx, staff_no=ADMIN_NO, password=CHOSEN, again=CHOSEN)
        assert refused.value.key == "error.auth.wrong_password_left"
        assert (password_of(ctx, ADMIN_NO) is None) == (others == "none")
        assert first_passwords(ctx) == []
    finally:
        ctx.db.close()


def test_a_second_administrator_cannot_claim_after_the_first(tmp_path: Path) -> None:
    ctx = opened("0004", tmp_path)
    try:
        with ctx.db.write() as conn:  # a second administrator, from before sign-in too
            conn.execute(
                update(staff).where(staff.c.staff_no == "M301").values(roles="manager,admin")
            )
        auth.sign_in(ctx, staff_no=ADMIN_NO, password=CHOSEN, again=CHOSEN)
        with pytest.raises(auth.SignInError) as refused:
            auth.sign_in(ctx, staff_no="M301", password=OTHER, again=OTHER)
        assert refused.value.key == "error.auth.wrong_password_left"
        assert password_of(ctx, "M301") is None
        assert first_passwords(ctx) == [ADMIN_NO]
    finally:
        ctx.db.close()


def test_a_disabled_administrator_cannot_claim(tmp_path: Path) -> None:
    ctx = opened("0004", tmp_path)
    try:
        with ctx.db.write() as conn:
            conn.execute(update(staff).where(staff.c.staff_no == ADMIN_NO).values(active=False))
        with pytest.raises(auth.SignInError) as refused:
            auth.sign_in(ctx, staff_no=ADMIN_NO, password=CHOSEN, again=CHOSEN)
        assert refused.value.key == "error.auth.wrong_password_left"
        assert password_of(ctx, ADMIN_NO) is None
        assert marked(ctx)  # still the branch's to claim, by an active administrator
    finally:
        ctx.db.close()


def typed(data_dir: Path, *answers: str) -> tuple[int, str]:
    """The command line at a terminal (a pseudo-terminal): each answer is typed when its
    prompt appears (the prompt turns echo off, which drops what was typed before).
    Returns the exit status and what was written to the terminal."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRANCHDESK_")}
    env.update(
        PYTHONPATH=str(ROOT),
        BRANCHDESK_PASSPHRASE=PASSPHRASE,
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    command = ["--data-dir", str(data_dir), "--lang", "en", "--user", ADMIN_NO, "case", "list"]
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "branchdesk.cli", *command],
        env=env,
        stdin=follower,
        stdout=follower,
        stderr=follower,
        start_new_session=True,
    )
    os.close(follower)
    seen = b""
    answered = 0  # how much of `seen` had been written when the last answer was typed
    pending = list(answers)
    try:
        while True:
            ready, _, _ = readable([leader], [], [], 60)
            if not ready:
                raise AssertionError(f"no answer from the command line: {seen!r}")
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the command ended and closed the terminal
                break
            if not chunk:
                break
            seen += chunk
            if pending and seen[answered:].rstrip().endswith(b":"):  # a new prompt
                os.write(leader, pending.pop(0).encode() + b"\n")
                answered = len(seen)
        return process.wait(timeout=60), seen.decode(errors="replace")
    finally:
        os.close(leader)
        if process.poll() is None:
            process.kill()
            process.wait()


def test_at_a_terminal_the_first_password_is_asked_for_twice(tmp_path: Path) -> None:
    data_dir, _ = copy_fixture("0004", tmp_path)
    status, screen = typed(data_dir, CHOSEN, CHOSEN + "x")
    assert status == 2, screen
    assert "Type it again" in screen and "Password again:" in screen
    assert "the two entries differ" in screen
    assert CHOSEN not in screen  # typed without echo, both times
    status, screen = typed(data_dir, CHOSEN, CHOSEN)
    assert status == 0, screen
    assert "张三" in screen
    # Chosen: the next sign-in asks for it once, as for anyone.
    assert cli(data_dir, ADMIN_NO, CHOSEN, "audit", "verify").returncode == 0
