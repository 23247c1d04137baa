"""Signing in through the services on a real branch database: passwords, lockout,
disabled accounts, one-time codes, an administrator's reset, the last administrator,
reserved staff numbers, command-line tokens, the audit entry each of these writes,
and the production argon2id parameters."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher, Type, extract_parameters
from sqlalchemy import select

from branchdesk.domain.errors import DomainError, ValidationError
from branchdesk.domain.permissions import PermissionDenied
from branchdesk.i18n import translate
from branchdesk.persistence.schema import api_tokens, audit_log, staff
from branchdesk.services import auth, cases
from branchdesk.services import staff as staff_service
from branchdesk.services.auth import SignInError
from tests.conftest import PASSWORD, Branch, activate, complaint_form

WRONG = "Wrong#pass1"


def audit_rows(branch: Branch, action: str | None = None) -> list[Any]:
    with branch.ctx.db.read() as conn:
        q = select(audit_log).order_by(audit_log.c.id)
        if action is not None:
            q = q.where(audit_log.c.action == action)
        return list(conn.execute(q))


def staff_row(branch: Branch, staff_no: str) -> Any:
    with branch.ctx.db.read() as conn:
        return conn.execute(select(staff).where(staff.c.staff_no == staff_no)).one()


def refused(branch: Branch, staff_no: str, password: str) -> SignInError:
    with pytest.raises(SignInError) as caught:
        auth.sign_in(branch.ctx, staff_no=staff_no, password=password)
    return caught.value


def lock(branch: Branch, staff_no: str) -> SignInError:
    for _ in range(auth.MAX_FAILURES - 1):
        refused(branch, staff_no, WRONG)
    return refused(branch, staff_no, WRONG)


def new_colleague(
    branch: Branch, staff_no: str = "C101", roles: tuple[str, ...] = ("clerk",)
) -> str:
    """Add an account as the administrator; its one-time code."""
    new = staff_service.add_staff(
        branch.ctx, staff_no=staff_no, name="陈小梅", roles=roles, actor="A001"
    )
    return new.one_time_code


# --- passwords ---------------------------------------------------------------------------


def test_sign_in_with_the_right_password(branch: Branch) -> None:
    session = auth.sign_in(branch.ctx, staff_no="H201", password=PASSWORD)
    assert session.staff_no == "H201"
    assert session.name == "刘志强"
    assert [r.value for r in session.roles] == ["handler"]
    assert session.method == "password"
    assert not session.must_change_password
    assert staff_row(branch, "H201").last_sign_in_at == branch.clock()
    entry = audit_rows(branch)[-1]
    assert (entry.action, entry.actor, entry.detail) == (
        "auth.sign_in",
        "H201",
        {"method": "password"},
    )


def test_the_staff_number_is_taken_without_surrounding_blanks(branch: Branch) -> None:
    assert auth.sign_in(branch.ctx, staff_no="  H201 ", password=PASSWORD).staff_no == "H201"


def test_a_wrong_password_says_how_many_tries_are_left(branch: Branch) -> None:
    error = refused(branch, "H201", WRONG)
    assert error.key == "error.auth.wrong_password_left"
    assert error.params == {"left": auth.MAX_FAILURES - 1}
    assert "4" in translate(error.key, "en", **error.params)
    assert "4" in translate(error.key, "zh_CN", **error.params)
    assert refused(branch, "H201", WRONG).params == {"left": auth.MAX_FAILURES - 2}
    failed = audit_rows(branch, "auth.sign_in_failed")
    assert [(e.actor, e.detail["reason"], e.detail["failures"]) for e in failed] == [
        ("H201", "wrong_password", 1),
        ("H201", "wrong_password", 2),
    ]
    assert staff_row(branch, "H201").failed_attempts == 2


def test_passwords_are_case_sensitive(branch: Branch) -> None:
    assert refused(branch, "H201", PASSWORD.lower()).key == "error.auth.wrong_password_left"


def test_an_unknown_staff_number_is_answered_as_a_wrong_password_is(branch: Branch) -> None:
    """Same words, same tries left, same lockout at the same time: nothing tells a
    number that does not exist from one that does."""
    with branch.ctx.db.read() as conn:
        accounts = conn.execute(select(staff.c.staff_no)).scalars().all()
    for _ in range(auth.MAX_FAILURES):
        unknown, wrong = refused(branch, "Z999", PASSWORD), refused(branch, "H201", WRONG)
        assert (unknown.key, unknown.params) == (wrong.key, wrong.params)
    assert wrong.key == "error.auth.locked"
    # Locked alike, whatever password is tried, for the same fifteen minutes.
    branch.clock.advance(minutes=14, seconds=59)
    unknown, locked = refused(branch, "Z999", PASSWORD), refused(branch, "H201", PASSWORD)
    assert (unknown.key, unknown.params) == (locked.key, locked.params)
    branch.clock.advance(seconds=1)
    unknown, wrong = refused(branch, "Z999", WRONG), refused(branch, "H201", WRONG)
    assert (unknown.key, unknown.params) == (wrong.key, wrong.params)
    assert wrong.params == {"left": auth.MAX_FAILURES - 1}
    for lang in ("en", "zh_CN"):
        assert "Z999" not in translate(unknown.key, lang, **unknown.params)
    # Counted on the audit trail, where an administrator sees what it was: no account
    # is made for the number.
    entries = [e for e in audit_rows(branch, "auth.sign_in_failed") if e.actor == "Z999"]
    assert [(e.detail["reason"], e.detail.get("failures")) for e in entries] == [
        *[("unknown_staff", n) for n in range(1, auth.MAX_FAILURES + 1)],
        ("locked", None),
        ("unknown_staff", 1),
    ]
    with branch.ctx.db.read() as conn:
        assert conn.execute(select(staff.c.staff_no)).scalars().all() == accounts


def test_a_disabled_account_is_answered_as_an_active_one_to_a_wrong_password(
    branch: Branch,
) -> None:
    staff_service.set_active(branch.ctx, staff_no="H201", active=False, actor="A001")
    for _ in range(auth.MAX_FAILURES):
        disabled, active = refused(branch, "H201", WRONG), refused(branch, "M301", WRONG)
        assert (disabled.key, disabled.params) == (active.key, active.params)
    assert active.key == "error.auth.locked"


def test_a_success_resets_the_count_of_failures(branch: Branch) -> None:
    for _ in range(auth.MAX_FAILURES - 1):
        refused(branch, "H201", WRONG)
    auth.sign_in(branch.ctx, staff_no="H201", password=PASSWORD)
    assert staff_row(branch, "H201").failed_attempts == 0
    assert refused(branch, "H201", WRONG).params == {"left": auth.MAX_FAILURES - 1}


# --- lockout -------------------------------------------------------------------------------


def test_five_failures_lock_the_account_until_a_time_the_message_shows(branch: Branch) -> None:
    error = lock(branch, "H201")
    # The branch fixture's clock stands at 09:30 Beijing time: locked for 15 minutes.
    assert error.key == "error.auth.locked"
    assert error.params == {"until": "09:45"}
    assert "09:45" in translate(error.key, "en", **error.params)
    assert "09:45" in translate(error.key, "zh_CN", **error.params)
    row = staff_row(branch, "H201")
    assert row.locked_until == branch.clock() + auth.LOCKOUT
    locked = audit_rows(branch, "auth.sign_in_failed")[-1]
    until = datetime.fromisoformat(locked.detail["locked_until"])
    assert until == branch.clock() + auth.LOCKOUT


def test_a_locked_account_refuses_even_the_right_password(branch: Branch) -> None:
    lock(branch, "H201")
    branch.clock.advance(minutes=14, seconds=59)
    error = refused(branch, "H201", PASSWORD)
    assert (error.key, error.params) == ("error.auth.locked", {"until": "09:45"})
    assert audit_rows(branch)[-1].detail["reason"] == "locked"


def test_the_lockout_passes_by_itself(branch: Branch) -> None:
    lock(branch, "H201")
    branch.clock.advance(minutes=15)
    session = auth.sign_in(branch.ctx, staff_no="H201", password=PASSWORD)
    assert session.staff_no == "H201"
    row = staff_row(branch, "H201")
    assert (row.locked_until, row.failed_attempts) == (None, 0)


def test_after_the_lockout_a_wrong_password_counts_from_the_start(branch: Branch) -> None:
    lock(branch, "H201")
    branch.clock.advance(minutes=16)
    assert refused(branch, "H201", WRONG).params == {"left": auth.MAX_FAILURES - 1}


def test_a_lockout_ending_on_another_day_shows_the_date(branch: Branch) -> None:
    branch.clock.advance(hours=14, minutes=20)  # 23:50
    error = lock(branch, "H201")
    assert error.params == {"until": "2026-11-26 00:05"}


# --- disabled accounts ---------------------------------------------------------------------


def test_a_disabled_account_cannot_sign_in(branch: Branch) -> None:
    staff_service.set_active(branch.ctx, staff_no="H201", active=False, actor="A001")
    error = refused(branch, "H201", PASSWORD)
    assert (error.key, error.params) == ("error.auth.disabled", {"staff_no": "H201"})
    assert audit_rows(branch)[-1].detail == {"staff_no": "H201", "reason": "disabled"}
    # Nor act under their name.
    with pytest.raises(ValidationError) as caught:
        cases.intake(branch.ctx, form=complaint_form(), actor="H201")
    assert caught.value.errors[0].key == "error.staff.unknown"
    staff_service.set_active(branch.ctx, staff_no="H201", active=True, actor="A001")
    assert auth.sign_in(branch.ctx, staff_no="H201", password=PASSWORD).staff_no == "H201"


# --- one-time codes ------------------------------------------------------------------------


def test_a_new_colleague_signs_in_with_the_code_and_must_change_it(branch: Branch) -> None:
    code = new_colleague(branch)
    assert len(code) == 10
    session = auth.sign_in(branch.ctx, staff_no="C101", password=code)
    assert session.must_change_password
    with pytest.raises(DomainError) as caught:
        cases.intake(branch.ctx, form=complaint_form(), actor="C101")
    assert caught.value.key == "error.auth.must_change_password"
    with pytest.raises(DomainError) as caught:
        auth.create_token(branch.ctx, label="script", actor="C101")
    assert caught.value.key == "error.auth.must_change_password"

    changed = auth.change_password(branch.ctx, staff_no="C101", old=code, new=PASSWORD)
    assert not changed.must_change_password
    assert cases.intake(branch.ctx, form=complaint_form(), actor="C101").case.owner == "C101"
    row = staff_row(branch, "C101")
    assert (row.must_change_password, row.reset_expires_at) == (False, None)
    with pytest.raises(SignInError):
        auth.sign_in(branch.ctx, staff_no="C101", password=code)


def test_a_one_time_code_expires_after_a_day(branch: Branch) -> None:
    code = new_colleague(branch)
    branch.clock.advance(hours=23, minutes=59)
    assert auth.sign_in(branch.ctx, staff_no="C101", password=code).must_change_password
    branch.clock.advance(minutes=1)
    error = refused(branch, "C101", code)
    assert (error.key, error.params) == ("error.auth.code_expired", {"staff_no": "C101"})
    assert audit_rows(branch)[-1].detail["reason"] == "code_expired"
    with pytest.raises(SignInError) as caught:
        auth.change_password(branch.ctx, staff_no="C101", old=code, new=PASSWORD)
    assert caught.value.key == "error.auth.code_expired"


def test_a_new_password_must_meet_the_policy(branch: Branch) -> None:
    with pytest.raises(ValidationError) as caught:
        auth.change_password(branch.ctx, staff_no="H201", old=PASSWORD, new="short")
    fields = {(e.field, e.key) for e in caught.value.errors}
    assert ("new_password", "error.password.too_short") in fields
    assert {e.field for e in caught.value.errors} == {"new_password"}

    with pytest.raises(ValidationError) as caught:
        auth.change_password(branch.ctx, staff_no="H201", old=PASSWORD, new=PASSWORD)
    assert ("new_password", "error.password.same_as_old") in {
        (e.field, e.key) for e in caught.value.errors
    }
    with pytest.raises(ValidationError) as caught:
        auth.change_password(branch.ctx, staff_no="H201", old=PASSWORD, new="Desk#H201x")
    assert [e.key for e in caught.value.errors] == ["error.password.contains_staff_no"]
    # Still the old password.
    auth.sign_in(branch.ctx, staff_no="H201", password=PASSWORD)


def test_a_wrong_old_password_is_an_error_on_that_field(branch: Branch) -> None:
    with pytest.raises(ValidationError) as caught:
        auth.change_password(branch.ctx, staff_no="H201", old=WRONG, new="Another#2027")
    assert [(e.field, e.key) for e in caught.value.errors] == [
        ("old_password", "error.password.wrong_old")
    ]
    # It counts as a failed sign-in (no guessing the old password without limit).
    assert staff_row(branch, "H201").failed_attempts == 1
    auth.sign_in(branch.ctx, staff_no="H201", password=PASSWORD)


def test_a_changed_password_works_and_the_old_one_does_not(branch: Branch) -> None:
    auth.change_password(branch.ctx, staff_no="H201", old=PASSWORD, new="Another#2027")
    auth.sign_in(branch.ctx, staff_no="H201", password="Another#2027")
    assert refused(branch, "H201", PASSWORD).key == "error.auth.wrong_password_left"
    changed = audit_rows(branch, "auth.password_changed")
    assert [(e.actor, e.detail) for e in changed][-1] == ("H201", {})


# --- an administrator's reset --------------------------------------------------------------


def test_a_reset_lifts_a_lockout_and_gives_a_fresh_code(branch: Branch) -> None:
    lock(branch, "H201")
    before = staff_row(branch, "H201").password_hash
    code = auth.reset_password(branch.ctx, staff_no="H201", actor="A001")
    assert code != PASSWORD
    row = staff_row(branch, "H201")
    assert (row.locked_until, row.failed_attempts, row.must_change_password) == (None, 0, True)
    # The old password is gone, not kept anywhere: neither returned nor stored.
    assert row.password_hash != before
    assert PASSWORD not in row.password_hash
    with pytest.raises(Exception):  # noqa: B017 - argon2's own mismatch error
        PasswordHasher().verify(row.password_hash, PASSWORD)
    assert refused(branch, "H201", PASSWORD).key == "error.auth.wrong_password_left"
    assert auth.sign_in(branch.ctx, staff_no="H201", password=code).must_change_password
    activate(branch.ctx, "H201", code, "Renewed#2027")
    auth.sign_in(branch.ctx, staff_no="H201", password="Renewed#2027")


def test_a_reset_is_audited_without_the_code(branch: Branch) -> None:
    code = auth.reset_password(branch.ctx, staff_no="H201", actor="A001")
    entry = audit_rows(branch, "staff.password_reset")[-1]
    assert (entry.actor, entry.detail) == ("A001", {"staff_no": "H201"})
    every_detail = json.dumps([e.detail for e in audit_rows(branch)], ensure_ascii=False)
    assert code not in every_detail
    assert PASSWORD not in every_detail


def test_only_an_administrator_resets_and_says_so(branch: Branch) -> None:
    with pytest.raises(PermissionDenied) as caught:
        auth.reset_password(branch.ctx, staff_no="H201", actor="M301")
    assert caught.value.params["roles"] == ["admin"]
    with pytest.raises(ValidationError) as unknown:
        auth.reset_password(branch.ctx, staff_no="Z999", actor="A001")
    assert unknown.value.errors[0].key == "error.staff.unknown"


# --- the last administrator ------------------------------------------------------------------


def test_the_last_administrator_cannot_be_disabled_or_lose_the_role(branch: Branch) -> None:
    with pytest.raises(DomainError) as caught:
        staff_service.set_active(branch.ctx, staff_no="A001", active=False, actor="A001")
    assert (caught.value.key, caught.value.params) == (
        "error.staff.last_admin",
        {"staff_no": "A001"},
    )
    with pytest.raises(DomainError) as caught:
        staff_service.set_roles(branch.ctx, staff_no="A001", roles=("manager",), actor="A001")
    assert caught.value.key == "error.staff.last_admin"
    assert staff_row(branch, "A001").active
    assert "admin" in staff_row(branch, "A001").roles


def test_with_a_second_administrator_the_first_may_step_down(branch: Branch) -> None:
    code = new_colleague(branch, "A002", ("admin",))
    activate(branch.ctx, "A002", code)
    staff_service.set_active(branch.ctx, staff_no="A002", active=False, actor="A001")
    # A disabled administrator does not count.
    with pytest.raises(DomainError):
        staff_service.set_roles(branch.ctx, staff_no="A001", roles=("manager",), actor="A001")
    staff_service.set_active(branch.ctx, staff_no="A002", active=True, actor="A001")
    member = staff_service.set_roles(branch.ctx, staff_no="A001", roles=("manager",), actor="A001")
    assert member.roles == ("manager",)
    with pytest.raises(DomainError):
        staff_service.set_active(branch.ctx, staff_no="A002", active=False, actor="A002")


def test_an_administrator_who_never_signed_in_does_not_count(branch: Branch) -> None:
    """A second administrator still holding a one-time code could let it expire: the
    branch would have nobody able to manage staff."""
    new_colleague(branch, "A002", ("admin",))
    with pytest.raises(DomainError) as caught:
        staff_service.set_roles(branch.ctx, staff_no="A001", roles=("manager",), actor="A001")
    assert caught.value.key == "error.staff.last_admin"


def test_a_disabled_account_is_named_only_to_whoever_knows_its_password(branch: Branch) -> None:
    staff_service.set_active(branch.ctx, staff_no="H201", active=False, actor="A001")
    with pytest.raises(auth.SignInError) as wrong:
        auth.sign_in(branch.ctx, staff_no="H201", password="Wrong#2026x")
    assert wrong.value.key != "error.auth.disabled"
    with pytest.raises(auth.SignInError) as right:
        auth.sign_in(branch.ctx, staff_no="H201", password=PASSWORD)
    assert right.value.key == "error.auth.disabled"


# --- reserved staff numbers ----------------------------------------------------------------


@pytest.mark.parametrize("number", ["HQ", "hq", "Hq"])
def test_hq_is_not_a_staff_number(branch: Branch, number: str) -> None:
    with pytest.raises(ValidationError) as caught:
        new_colleague(branch, number)
    assert [(e.field, e.key) for e in caught.value.errors] == [("staff_no", "error.staff.reserved")]


def test_hq_cannot_sign_in_or_manage_staff(branch: Branch) -> None:
    assert refused(branch, "HQ", PASSWORD).key == refused(branch, "H201", WRONG).key
    with pytest.raises(PermissionDenied) as caught:
        staff_service.add_staff(
            branch.ctx, staff_no="C102", name="王", roles=("clerk",), actor="HQ"
        )
    assert caught.value.key == "error.permission.system"


# --- tokens ----------------------------------------------------------------------------------


def test_a_token_signs_in_as_its_owner(branch: Branch) -> None:
    token = auth.create_token(branch.ctx, label="nightly export", actor="H201")
    assert token.startswith(auth.TOKEN_PREFIX)
    with branch.ctx.db.read() as conn:
        stored = conn.execute(select(api_tokens)).one()
    assert stored.token_hash != token and token not in stored.token_hash
    assert stored.staff_no == "H201"
    created = audit_rows(branch, "auth.token_created")[-1]
    assert (created.actor, created.detail) == ("H201", {"label": "nightly export"})

    branch.clock.advance(hours=1)
    session = auth.sign_in_with_token(branch.ctx, token)
    assert (session.staff_no, session.method) == ("H201", "token")
    entry = audit_rows(branch)[-1]
    assert (entry.action, entry.actor) == ("auth.sign_in", "H201")
    assert entry.detail == {"method": "token", "token_id": stored.id}
    assert auth.list_tokens(branch.ctx, actor="H201")[0].last_used_at == branch.clock()


def test_a_revoked_token_is_refused(branch: Branch) -> None:
    token = auth.create_token(branch.ctx, label="cron", actor="H201")
    (info,) = auth.list_tokens(branch.ctx, actor="H201")
    auth.revoke_token(branch.ctx, token_id=info.id, actor="H201")
    revoked = audit_rows(branch, "auth.token_revoked")[-1]
    assert revoked.detail == {"token_id": info.id, "owner": "H201"}
    with pytest.raises(SignInError) as caught:
        auth.sign_in_with_token(branch.ctx, token)
    assert caught.value.key == "error.auth.bad_token"
    failed = audit_rows(branch)[-1]
    assert (failed.action, failed.detail) == ("auth.sign_in_failed", {"reason": "bad_token"})


def test_a_made_up_token_is_refused(branch: Branch) -> None:
    with pytest.raises(SignInError) as caught:
        auth.sign_in_with_token(branch.ctx, auth.TOKEN_PREFIX + "x" * 43)
    assert caught.value.key == "error.auth.bad_token"


def test_a_token_does_not_work_while_its_owner_is_locked_out(branch: Branch) -> None:
    """Someone is guessing the password: the lockout stops the person's tokens too
    (a token made before it must not be a way round it), until the lockout passes."""
    token = auth.create_token(branch.ctx, label="cron", actor="H201")
    lock(branch, "H201")
    with pytest.raises(SignInError) as caught:
        auth.sign_in_with_token(branch.ctx, token)
    assert (caught.value.key, caught.value.params) == ("error.auth.locked", {"until": "09:45"})
    failed = audit_rows(branch)[-1]
    assert (failed.action, failed.actor) == ("auth.sign_in_failed", "H201")
    assert failed.detail["reason"] == "locked"
    branch.clock.advance(minutes=15)
    assert auth.sign_in_with_token(branch.ctx, token).staff_no == "H201"


def test_an_administrators_reset_revokes_the_persons_tokens(branch: Branch) -> None:
    """A reset is what an administrator does for an account that may be in someone
    else's hands: the tokens made with it (by anyone who had the password) stop too,
    audited one by one; other people's tokens keep working."""
    token = auth.create_token(branch.ctx, label="cron", actor="H201")
    second = auth.create_token(branch.ctx, label="report", actor="H201")
    theirs = auth.create_token(branch.ctx, label="cron", actor="M301")
    (first_id, second_id) = [t.id for t in auth.list_tokens(branch.ctx, actor="H201")]
    auth.revoke_token(branch.ctx, token_id=second_id, actor="H201")  # already revoked
    lock(branch, "H201")
    start = len(audit_rows(branch))
    auth.reset_password(branch.ctx, staff_no="H201", actor="A001")
    for stopped in (token, second):
        with pytest.raises(SignInError) as caught:
            auth.sign_in_with_token(branch.ctx, stopped)
        assert caught.value.key == "error.auth.bad_token"
    assert auth.sign_in_with_token(branch.ctx, theirs).staff_no == "M301"
    trail = [(e.action, e.actor, e.detail) for e in audit_rows(branch)[start : start + 2]]
    assert trail == [
        ("staff.password_reset", "A001", {"staff_no": "H201"}),
        (
            "auth.token_revoked",
            "A001",
            {"token_id": first_id, "owner": "H201", "reason": "password_reset"},
        ),
    ]
    infos = {t.id: t.revoked_at for t in auth.list_tokens(branch.ctx, actor="A001")}
    assert infos[first_id] == branch.clock() and infos[second_id] is not None


def test_a_changed_password_revokes_the_persons_tokens(branch: Branch) -> None:
    """A person who changes a password that may have leaked: a token made by whoever
    had it must not outlive it."""
    token = auth.create_token(branch.ctx, label="cron", actor="H201")
    (info,) = auth.list_tokens(branch.ctx, actor="H201")
    auth.change_password(branch.ctx, staff_no="H201", old=PASSWORD, new="Another#2027")
    with pytest.raises(SignInError) as caught:
        auth.sign_in_with_token(branch.ctx, token)
    assert caught.value.key == "error.auth.bad_token"
    revoked = audit_rows(branch, "auth.token_revoked")[-1]
    assert (revoked.actor, revoked.detail) == (
        "H201",
        {"token_id": info.id, "owner": "H201", "reason": "password_changed"},
    )
    fresh = auth.create_token(branch.ctx, label="cron", actor="H201")
    assert auth.sign_in_with_token(branch.ctx, fresh).staff_no == "H201"


def test_a_disabled_persons_token_is_refused(branch: Branch) -> None:
    token = auth.create_token(branch.ctx, label="cron", actor="H201")
    staff_service.set_active(branch.ctx, staff_no="H201", active=False, actor="A001")
    with pytest.raises(SignInError) as caught:
        auth.sign_in_with_token(branch.ctx, token)
    assert caught.value.key == "error.auth.bad_token"


def test_tokens_are_listed_to_their_owner_and_to_administrators(branch: Branch) -> None:
    auth.create_token(branch.ctx, label="mine", actor="H201")
    auth.create_token(branch.ctx, label="theirs", actor="M301")
    assert [t.label for t in auth.list_tokens(branch.ctx, actor="H201")] == ["mine"]
    assert [t.label for t in auth.list_tokens(branch.ctx, actor="M301")] == ["theirs"]
    every = auth.list_tokens(branch.ctx, actor="A001")
    assert [(t.staff_no, t.label) for t in every] == [("H201", "mine"), ("M301", "theirs")]


def test_only_the_owner_or_an_administrator_revokes_a_token(branch: Branch) -> None:
    token = auth.create_token(branch.ctx, label="mine", actor="H201")
    (info,) = auth.list_tokens(branch.ctx, actor="H201")
    with pytest.raises(ValidationError) as caught:
        auth.revoke_token(branch.ctx, token_id=info.id, actor="M301")
    assert caught.value.errors[0].key == "error.token.unknown"
    assert auth.sign_in_with_token(branch.ctx, token).staff_no == "H201"
    auth.revoke_token(branch.ctx, token_id=info.id, actor="A001")
    assert audit_rows(branch)[-1].detail == {"token_id": info.id, "owner": "H201"}
    with pytest.raises(SignInError):
        auth.sign_in_with_token(branch.ctx, token)


@pytest.mark.parametrize("label", ["", "   ", "x" * 61])
def test_a_token_needs_a_label(branch: Branch, label: str) -> None:
    with pytest.raises(ValidationError) as caught:
        auth.create_token(branch.ctx, label=label, actor="H201")
    assert caught.value.errors[0].field == "label"


# --- the audit trail of signing in -----------------------------------------------------------


def test_every_sign_in_event_is_on_the_audit_trail(branch: Branch) -> None:
    start = len(audit_rows(branch))
    auth.sign_in(branch.ctx, staff_no="H201", password=PASSWORD)
    refused(branch, "H201", WRONG)
    refused(branch, "nobody", WRONG)
    auth.change_password(branch.ctx, staff_no="H201", old=PASSWORD, new="Another#2027")
    code = auth.reset_password(branch.ctx, staff_no="H201", actor="A001")
    activate(branch.ctx, "H201", code)
    token = auth.create_token(branch.ctx, label="cron", actor="H201")
    auth.sign_in_with_token(branch.ctx, token)
    auth.revoke_token(
        branch.ctx, token_id=auth.list_tokens(branch.ctx, actor="H201")[0].id, actor="H201"
    )
    with pytest.raises(SignInError):
        auth.sign_in_with_token(branch.ctx, token)
    trail = [(e.action, e.actor) for e in audit_rows(branch)[start:]]
    assert trail == [
        ("auth.sign_in", "H201"),
        ("auth.sign_in_failed", "H201"),
        ("auth.sign_in_failed", "nobody"),
        ("auth.reauthenticate", "H201"),
        ("auth.password_changed", "H201"),
        ("staff.password_reset", "A001"),
        ("auth.reauthenticate", "H201"),
        ("auth.password_changed", "H201"),
        ("auth.token_created", "H201"),
        ("auth.sign_in", "H201"),
        ("auth.token_revoked", "H201"),
        ("auth.sign_in_failed", "?"),
    ]
    assert all(e.workstation == branch.ctx.workstation for e in audit_rows(branch)[start:])


# --- the production cost of a password hash --------------------------------------------------


def test_production_argon2_parameters_are_not_weakened() -> None:
    """The suite swaps `auth.HASHER` for a cheap one (tests/conftest.py); the
    production parameters are the module's constant, and hashes made with them say so."""
    args = auth.ARGON2_PARAMETERS
    assert args["time_cost"] >= 3
    assert args["memory_cost"] >= 64 * 1024  # KiB: 64 MiB
    assert args["parallelism"] >= 1
    assert args["hash_len"] >= 32
    made = extract_parameters(PasswordHasher(**args, type=Type.ID).hash("Counter#2026"))
    assert (made.type, made.time_cost, made.memory_cost, made.parallelism) == (
        Type.ID,
        args["time_cost"],
        args["memory_cost"],
        args["parallelism"],
    )


def test_hashes_made_cheaper_are_upgraded_at_the_next_sign_in(
    branch: Branch, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The branch's accounts were hashed with the suite's cheap hasher; sign in once
    # with the production one in place and the stored hash carries its parameters.
    production = PasswordHasher(**auth.ARGON2_PARAMETERS, type=Type.ID)
    monkeypatch.setattr(auth, "HASHER", production)
    assert extract_parameters(staff_row(branch, "H201").password_hash).memory_cost < 65536
    auth.sign_in(branch.ctx, staff_no="H201", password=PASSWORD)
    stored = extract_parameters(staff_row(branch, "H201").password_hash)
    assert (stored.type, stored.time_cost, stored.memory_cost) == (
        Type.ID,
        production.time_cost,
        production.memory_cost,
    )
    assert auth.sign_in(branch.ctx, staff_no="H201", password=PASSWORD).staff_no == "H201"
    assert refused(branch, "H201", WRONG).key == "error.auth.wrong_password_left"
    assert timedelta(0) <= branch.clock() - staff_row(branch, "H201").last_sign_in_at


def test_disabling_an_account_revokes_its_tokens_for_good(branch: Branch) -> None:
    """Disabling is how a branch stops someone who left or whose account is in other
    hands: their tokens stop then (audited), and enabling the account again does not
    bring them back: the person makes new ones."""
    token = auth.create_token(branch.ctx, label="cron", actor="H201")
    theirs = auth.create_token(branch.ctx, label="cron", actor="M301")
    [token_id] = [t.id for t in auth.list_tokens(branch.ctx, actor="H201")]
    start = len(audit_rows(branch))
    staff_service.set_active(branch.ctx, staff_no="H201", active=False, actor="A001")
    trail = [(e.action, e.actor, e.detail) for e in audit_rows(branch)[start:]]
    assert trail == [
        ("staff.disable", "A001", {"staff_no": "H201"}),
        (
            "auth.token_revoked",
            "A001",
            {"token_id": token_id, "owner": "H201", "reason": "disabled"},
        ),
    ]
    staff_service.set_active(branch.ctx, staff_no="H201", active=True, actor="A001")
    with pytest.raises(SignInError) as caught:
        auth.sign_in_with_token(branch.ctx, token)
    assert caught.value.key == "error.auth.bad_token"
    assert auth.sign_in_with_token(branch.ctx, theirs).staff_no == "M301"
