"""Signing in: passwords (argon2id), the password policy, lockout after repeated
failures, one-time codes when an administrator resets a password, and per-user
tokens so the command line acts as a named person too.

Every sign-in, failed sign-in, lockout, password change and token use is written to
the audit trail in the same transaction as the change it goes with. There is no
default password anywhere: the first administrator chooses theirs at set-up, and
every other account starts with a one-time code that must be replaced on first use.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, delete, insert, select, update

from branchdesk.domain.errors import DomainError, FieldError, ValidationError
from branchdesk.domain.password_policy import check_password
from branchdesk.domain.permissions import Role
from branchdesk.persistence.schema import api_tokens, audit_log, settings, staff
from branchdesk.services.access import authorize
from branchdesk.services.context import ServiceContext
from branchdesk.services.recording import write_audit

#: RFC 9106's second recommended argon2id setting (t=3, 64 MiB, 4 lanes): about
#: 0.1 s per sign-in on a two-core branch PC, 64 MiB per guess for an attacker with a
#: copy of the (encrypted) database. Stored in each hash, so it can be raised later;
#: older hashes are upgraded at the next successful sign-in.
ARGON2_PARAMETERS: Final = {"time_cost": 3, "memory_cost": 65536, "parallelism": 4, "hash_len": 32}
HASHER = PasswordHasher(
    time_cost=ARGON2_PARAMETERS["time_cost"],
    memory_cost=ARGON2_PARAMETERS["memory_cost"],
    parallelism=ARGON2_PARAMETERS["parallelism"],
    hash_len=ARGON2_PARAMETERS["hash_len"],
    type=Type.ID,
)

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
ONE_TIME_CODE_LIFETIME = timedelta(hours=24)
#: Characters of one-time codes: no 0/O, 1/l/I to misread off a slip of paper.
_CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
TOKEN_PREFIX = "bdt_"

# A hash to verify against when the staff number does not exist, so that a wrong
# number takes as long as a wrong password (no account discovery by timing).
_DUMMY_HASH = HASHER.hash(secrets.token_hex(16))


class SignInError(DomainError):
    """Sign-in refused: wrong number or password, locked, disabled, expired code."""


@dataclass(frozen=True)
class Session:
    """A signed-in staff member."""

    staff_no: str
    name: str
    roles: tuple[Role, ...]
    signed_in_at: datetime
    #: Signed in with a one-time code: the password must be changed before anything else.
    must_change_password: bool = False
    method: str = "password"


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def one_time_code() -> str:
    """A 10-character code (about 50 bits) to hand over on paper."""
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))


def _verify(stored: str | None, password: str) -> bool:
    try:
        return HASHER.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def _clock_time(ctx: ServiceContext, at: datetime) -> str:
    """A lockout's end as the clerk reads the wall clock ("10:45", or with the date if
    it is not today)."""
    local = at.astimezone(ctx.tz)
    if local.date() == ctx.now().date():
        return local.strftime("%H:%M")
    return local.strftime("%Y-%m-%d %H:%M")


def _row(conn: Connection, staff_no: str) -> object | None:
    return conn.execute(select(staff).where(staff.c.staff_no == staff_no)).first()


def _session(row: object, at: datetime, *, method: str) -> Session:
    r = row._mapping  # type: ignore[attr-defined]
    return Session(
        staff_no=r["staff_no"],
        name=r["name"],
        roles=tuple(Role(x) for x in str(r["roles"]).split(",") if x),
        signed_in_at=at,
        must_change_password=bool(r["must_change_password"]),
        method=method,
    )


def _audit_failure(
    ctx: ServiceContext, conn: Connection, staff_no: str, reason: str, **more: object
) -> None:
    write_audit(
        ctx,
        conn,
        actor=_actor(staff_no),
        action="auth.sign_in_failed",
        case_id=None,
        detail={"staff_no": staff_no[:40], "reason": reason, **more},
    )


def _actor(staff_no: str) -> str:
    return staff_no[:40] or "?"


def _counter(conn: Connection, staff_no: str, row: object | None) -> tuple[int, datetime | None]:
    """Failed tries so far and the end of a lockout. An account keeps them on its row;
    a staff number nobody has is counted from its own failed sign-ins on the audit
    trail (no account is made for it), so that it is answered exactly as a wrong
    password is: the same tries left, the same lockout."""
    if row is not None:
        return int(row.failed_attempts), row.locked_until  # type: ignore[attr-defined]
    last = conn.execute(
        select(audit_log.c.detail)
        .where(audit_log.c.actor == _actor(staff_no))
        .where(audit_log.c.action == "auth.sign_in_failed")
        .order_by(audit_log.c.id.desc())
        .limit(1)
    ).scalar()
    if not isinstance(last, dict):
        return 0, None
    if last.get("locked_until"):
        return 0, datetime.fromisoformat(str(last["locked_until"]))
    return int(last.get("failures", 0)), None


def _wrong(
    ctx: ServiceContext,
    conn: Connection,
    staff_no: str,
    row: object | None,
    failures: int,
    reason: str,
) -> SignInError:
    """Count one more wrong try (locking at the limit), audited; the refusal to give."""
    failures += 1
    values: dict[str, object] = {"failed_attempts": failures}
    more: dict[str, object] = {"failures": failures}
    if failures >= MAX_FAILURES:
        until = ctx.now() + LOCKOUT
        values = {"failed_attempts": 0, "locked_until": until}
        more["locked_until"] = until.isoformat()
        error = SignInError("error.auth.locked", until=_clock_time(ctx, until))
    else:
        error = SignInError("error.auth.wrong_password_left", left=MAX_FAILURES - failures)
    if row is not None:
        conn.execute(update(staff).where(staff.c.staff_no == staff_no).values(**values))
    _audit_failure(ctx, conn, staff_no, reason, **more)
    return error


#: The setting migration 0013 writes at the upgrade of a branch from before sign-in
#: (accounts, none with a password or a one-time code); the first password deletes it.
UNCLAIMED = "auth.unclaimed"
#: Refusal of a first password typed once: it is asked for again (`sign_in(again=…)`).
FIRST_PASSWORD_AGAIN = "error.auth.first_password_again"


def _claimable(conn: Connection, row: Any) -> bool:
    """An active administrator without a password, of a branch marked at its upgrade
    as being from before sign-in (schemas 0002 to 0005), while nobody has a password:
    where the branch came from, not only the state its accounts are in."""
    if row.password_hash is not None or not row.active or "admin" not in row.roles.split(","):
        return False
    marked = conn.execute(select(settings.c.key).where(settings.c.key == UNCLAIMED)).first()
    if marked is None:
        return False
    anyone = conn.execute(
        select(staff.c.staff_no).where(staff.c.password_hash.is_not(None)).limit(1)
    ).first()
    return anyone is None


def _first_password(
    ctx: ServiceContext, conn: Connection, row: Any, password: str, again: str | None, now: datetime
) -> None:
    """The administrator of an upgraded branch from before sign-in chooses a password at
    the first sign-in, typed twice, as the first administrator does at set-up
    (policy-checked, in the sign-in's transaction, which deletes the branch's mark:
    nobody can claim an account this way again). Before sign-in, whoever opened the
    branch could act as anyone."""
    if again is None:
        raise SignInError(FIRST_PASSWORD_AGAIN, staff_no=str(row.staff_no))
    errors = check_password(
        password, staff_no=str(row.staff_no), name=str(row.name), field="password"
    )
    if again != password:
        errors.append(FieldError("password_again", "error.password.mismatch"))
    if errors:
        raise ValidationError(errors)
    set_initial_password(
        conn, staff_no=str(row.staff_no), password=password, name=str(row.name), at=now
    )
    conn.execute(delete(settings).where(settings.c.key == UNCLAIMED))
    write_audit(
        ctx,
        conn,
        actor=str(row.staff_no),
        action="auth.first_password",
        case_id=None,
        detail={"reason": "branch_from_before_sign_in"},
    )


def sign_in(
    ctx: ServiceContext,
    *,
    staff_no: str,
    password: str,
    purpose: str = "sign_in",
    again: str | None = None,
) -> Session:
    """Check `password` for `staff_no`; on success return the session (audited as
    `purpose`: "sign_in" or "unlock"). Raises SignInError with a message that says
    what to do; failures are counted and audited, also when they are refused.

    The administrator of a branch from before sign-in (see `_claimable`) chooses the
    password here: without `again` this is refused with FIRST_PASSWORD_AGAIN and
    nothing is written; with it, both must match and meet the policy.

    Whoever does not know the password learns nothing about the number: an unknown
    number, a disabled account and a wrong password get the same answers (the same
    tries left, the same lockout) and take the same time (a dummy hash is checked)."""
    staff_no = staff_no.strip()
    now = ctx.now()
    refusal: SignInError | None = None
    with ctx.db.write() as conn:
        row = _row(conn, staff_no)
        if row is not None and _claimable(conn, row):
            _first_password(ctx, conn, row, password, again, now)
            row = _row(conn, staff_no)
        ok = _verify(row.password_hash if row is not None else None, password)  # type: ignore[attr-defined]
        failures, locked_until = _counter(conn, staff_no, row)
        if locked_until is not None and locked_until > now:
            _audit_failure(
                ctx,
                conn,
                staff_no,
                "locked",
                **({} if row else {"locked_until": locked_until.isoformat()}),
            )
            refusal = SignInError("error.auth.locked", until=_clock_time(ctx, locked_until))
        elif row is None or not ok:
            reason = (
                "unknown_staff"
                if row is None
                else "wrong_password"
                if row.active  # type: ignore[attr-defined]
                else "disabled"
            )
            refusal = _wrong(ctx, conn, staff_no, row, failures, reason)
        elif not row.active:  # type: ignore[attr-defined]
            # Said only to whoever knows the password.
            _audit_failure(ctx, conn, staff_no, "disabled")
            refusal = SignInError("error.auth.disabled", staff_no=staff_no)
        elif row.must_change_password and (  # type: ignore[attr-defined]
            row.reset_expires_at is None or row.reset_expires_at <= now  # type: ignore[attr-defined]
        ):
            _audit_failure(ctx, conn, staff_no, "code_expired")
            refusal = SignInError("error.auth.code_expired", staff_no=staff_no)
        else:
            values: dict[str, object] = {
                "failed_attempts": 0,
                "locked_until": None,
                "last_sign_in_at": now,
            }
            if HASHER.check_needs_rehash(row.password_hash):  # type: ignore[attr-defined]
                values["password_hash"] = hash_password(password)
            conn.execute(update(staff).where(staff.c.staff_no == staff_no).values(**values))
            write_audit(
                ctx,
                conn,
                actor=staff_no,
                action=f"auth.{purpose}",
                case_id=None,
                detail={"method": "password"},
            )
            return _session(row, now, method="password")
    raise refusal


def change_password(ctx: ServiceContext, *, staff_no: str, old: str, new: str) -> Session:
    """Replace a password (or a one-time code) after checking the old one. The new
    one must meet the policy; errors name the field ("new_password"). The person's
    command-line tokens are revoked with it (see `revoke_all_tokens`)."""
    session = _check_for_change(ctx, staff_no, old)
    errors = check_password(new, staff_no=staff_no, name=session.name)
    if new == old:
        errors.append(FieldError("new_password", "error.password.same_as_old"))
    if errors:
        raise ValidationError(errors)
    new_hash = hash_password(new)
    with ctx.db.write() as conn:
        conn.execute(
            update(staff)
            .where(staff.c.staff_no == staff_no)
            .values(
                password_hash=new_hash,
                password_set_at=ctx.now(),
                must_change_password=False,
                reset_expires_at=None,
            )
        )
        write_audit(
            ctx, conn, actor=staff_no, action="auth.password_changed", case_id=None, detail={}
        )
        revoke_all_tokens(ctx, conn, staff_no, actor=staff_no, reason="password_changed")
    return Session(
        session.staff_no, session.name, session.roles, ctx.now(), must_change_password=False
    )


def _check_for_change(ctx: ServiceContext, staff_no: str, old: str) -> Session:
    try:
        return sign_in(ctx, staff_no=staff_no, password=old, purpose="reauthenticate")
    except SignInError as exc:
        if exc.key in ("error.auth.wrong_credentials", "error.auth.wrong_password_left"):
            raise ValidationError(
                [FieldError("old_password", "error.password.wrong_old", dict(exc.params))]
            ) from None
        raise


def set_initial_password(
    conn: Connection, *, staff_no: str, password: str, name: str, at: datetime
) -> None:
    """The first administrator's own password, chosen at set-up (policy-checked)."""
    errors = check_password(password, staff_no=staff_no, name=name, field="password")
    if errors:
        raise ValidationError(errors)
    conn.execute(
        update(staff)
        .where(staff.c.staff_no == staff_no)
        .values(password_hash=hash_password(password), password_set_at=at)
    )


def issue_one_time_code(ctx: ServiceContext, conn: Connection, staff_no: str) -> str:
    """Give `staff_no` a fresh one-time code (inside the caller's transaction): it
    replaces the password, expires after a day and must be changed at first use. The
    administrator hands it over; nobody ever sees the person's real password."""
    code = one_time_code()
    conn.execute(
        update(staff)
        .where(staff.c.staff_no == staff_no)
        .values(
            password_hash=hash_password(code),
            password_set_at=ctx.now(),
            must_change_password=True,
            reset_expires_at=ctx.now() + ONE_TIME_CODE_LIFETIME,
            failed_attempts=0,
            locked_until=None,
        )
    )
    return code


def reset_password(ctx: ServiceContext, *, staff_no: str, actor: str) -> str:
    """An administrator's reset: returns the one-time code to hand over. Also lifts
    a lockout and revokes the person's command-line tokens (see `revoke_all_tokens`).
    Audited (without the code)."""
    with ctx.db.write() as conn:
        authorize(ctx, conn, actor, "staff.manage")
        if _row(conn, staff_no) is None:
            raise ValidationError(
                [FieldError("staff_no", "error.staff.unknown", {"staff_no": staff_no})]
            )
        code = issue_one_time_code(ctx, conn, staff_no)
        write_audit(
            ctx,
            conn,
            actor=actor,
            action="staff.password_reset",
            case_id=None,
            detail={"staff_no": staff_no},
        )
        revoke_all_tokens(ctx, conn, staff_no, actor=actor, reason="password_reset")
        return code


# --- tokens for the command line -------------------------------------------------


@dataclass(frozen=True)
class TokenInfo:
    id: int
    staff_no: str
    label: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def _token_hash(token: str) -> str:
    # Tokens are 256 random bits: a plain SHA-256 is enough (nothing to brute-force).
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(ctx: ServiceContext, *, label: str, actor: str) -> str:
    """A new token that acts as `actor`; shown once, stored only as a hash."""
    label = label.strip()
    if not label or len(label) > 60:
        raise ValidationError([FieldError("label", "error.field.required")])
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with ctx.db.write() as conn:
        authorize(ctx, conn, actor, "token.own")
        conn.execute(
            insert(api_tokens).values(
                staff_no=actor,
                label=label,
                token_hash=_token_hash(token),
                created_at=ctx.now(),
                created_by=actor,
            )
        )
        write_audit(
            ctx,
            conn,
            actor=actor,
            action="auth.token_created",
            case_id=None,
            detail={"label": label},
        )
    return token


def list_tokens(ctx: ServiceContext, *, actor: str) -> list[TokenInfo]:
    """`actor`'s own tokens; an administrator sees everyone's."""
    with ctx.db.read() as conn:
        who = authorize(ctx, conn, actor, "token.own")
        q = select(api_tokens).order_by(api_tokens.c.id)
        if Role.ADMIN not in who.roles:
            q = q.where(api_tokens.c.staff_no == actor)
        return [
            TokenInfo(r.id, r.staff_no, r.label, r.created_at, r.last_used_at, r.revoked_at)
            for r in conn.execute(q)
        ]


def revoke_token(ctx: ServiceContext, *, token_id: int, actor: str) -> None:
    with ctx.db.write() as conn:
        who = authorize(ctx, conn, actor, "token.own")
        row = conn.execute(select(api_tokens).where(api_tokens.c.id == token_id)).first()
        if row is None or (row.staff_no != actor and Role.ADMIN not in who.roles):
            raise ValidationError([FieldError("token", "error.token.unknown", {"id": token_id})])
        conn.execute(
            update(api_tokens).where(api_tokens.c.id == token_id).values(revoked_at=ctx.now())
        )
        write_audit(
            ctx,
            conn,
            actor=actor,
            action="auth.token_revoked",
            case_id=None,
            detail={"token_id": token_id, "owner": row.staff_no},
        )


def revoke_all_tokens(
    ctx: ServiceContext, conn: Connection, staff_no: str, *, actor: str, reason: str
) -> list[int]:
    """Revoke every live token of `staff_no` (inside the caller's transaction), each
    audited with `reason`; returns their ids. A password reset or change is how an
    account that may be in someone else's hands is taken back, and anyone who had the
    password could have made a token with it: a token must not outlive the password
    it was made under. The person makes new ones with the new password."""
    live = list(
        conn.execute(
            select(api_tokens.c.id)
            .where(api_tokens.c.staff_no == staff_no, api_tokens.c.revoked_at.is_(None))
            .order_by(api_tokens.c.id)
        ).scalars()
    )
    if not live:
        return []
    conn.execute(update(api_tokens).where(api_tokens.c.id.in_(live)).values(revoked_at=ctx.now()))
    for token_id in live:
        write_audit(
            ctx,
            conn,
            actor=actor,
            action="auth.token_revoked",
            case_id=None,
            detail={"token_id": token_id, "owner": staff_no, "reason": reason},
        )
    return live


def sign_in_with_token(ctx: ServiceContext, token: str) -> Session:
    """The session a script's token stands for (audited). Revoked tokens and tokens
    of disabled staff are refused, and so are tokens of staff locked out by wrong
    passwords, until the lockout passes or an administrator resets the password."""
    now = ctx.now()
    with ctx.db.write() as conn:
        row = conn.execute(
            select(api_tokens).where(api_tokens.c.token_hash == _token_hash(token.strip()))
        ).first()
        member = _row(conn, row.staff_no) if row is not None else None
        if row is None or row.revoked_at is not None or member is None or not member.active:  # type: ignore[attr-defined]
            write_audit(
                ctx,
                conn,
                actor="?",
                action="auth.sign_in_failed",
                case_id=None,
                detail={"reason": "bad_token"},
            )
            refusal = SignInError("error.auth.bad_token")
        elif member.locked_until is not None and member.locked_until > now:  # type: ignore[attr-defined]
            # Someone is guessing the password: a token made earlier is no way round it.
            _audit_failure(ctx, conn, row.staff_no, "locked", token_id=row.id)
            refusal = SignInError(
                "error.auth.locked",
                until=_clock_time(ctx, member.locked_until),  # type: ignore[attr-defined]
            )
        else:
            conn.execute(
                update(api_tokens).where(api_tokens.c.id == row.id).values(last_used_at=now)
            )
            write_audit(
                ctx,
                conn,
                actor=row.staff_no,
                action="auth.sign_in",
                case_id=None,
                detail={"method": "token", "token_id": row.id},
            )
            return _session(member, now, method="token")
    raise refusal
