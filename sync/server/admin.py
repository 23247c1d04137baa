"""HQ's operations on its own database: branches and enrollment, device
authentication, instructions for branches, and the operator's reports."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, update

from sync.protocol.messages import EnrollRequest, Instruction, InstructionPage
from sync.server.tables import (
    branches,
    devices,
    enrollment_codes,
    events,
    instructions,
    quarantine,
    streams,
)

ENROLLMENT_TTL = timedelta(days=7)


class Refused(Exception):
    """An operation refused for a reason the caller reports (status and code)."""

    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


def aware(value: datetime) -> datetime:
    """SQLite hands back naive datetimes (stored as UTC); PostgreSQL aware ones."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def ensure_branch(conn: Connection, code: str, name: str = "") -> None:
    exists = conn.execute(select(branches.c.code).where(branches.c.code == code)).first()
    if exists is None:
        conn.execute(
            insert(branches).values(
                code=code,
                name=name or code,
                created_at=_now(),
                last_instruction_seq=0,
                delivered_seq=0,
            )
        )
    elif name:
        conn.execute(update(branches).where(branches.c.code == code).values(name=name))


def new_enrollment_code(engine: Engine, branch_code: str, *, name: str = "") -> str:
    """A one-time code for the branch to enroll one device with (valid 7 days)."""
    # Grouped for reading aloud over the phone; 100 bits of randomness.
    raw = secrets.token_hex(13).upper()[:25]
    code = "-".join(raw[i : i + 5] for i in range(0, 25, 5))
    with engine.begin() as conn:
        ensure_branch(conn, branch_code, name)
        conn.execute(
            insert(enrollment_codes).values(
                code_hash=_hash(code),
                branch_code=branch_code,
                created_at=_now(),
                expires_at=_now() + ENROLLMENT_TTL,
            )
        )
    return code


def enroll(engine: Engine, request: EnrollRequest) -> str:
    """Trade a one-time code for a device token. Re-enrolling a known device (a
    reinstalled or restored branch PC) replaces its token."""
    token = secrets.token_urlsafe(32)
    now = _now()
    with engine.begin() as conn:
        query = select(enrollment_codes).where(
            enrollment_codes.c.code_hash == _hash(request.code.strip().upper())
        )
        if conn.dialect.name == "postgresql":
            query = query.with_for_update()
        row = conn.execute(query).first()
        if row is None or row.used_at is not None or aware(row.expires_at) < now:
            raise Refused(401, "bad_enrollment_code", "unknown, used or expired enrollment code")
        if row.branch_code != request.branch_code:
            raise Refused(403, "wrong_branch", "the code was issued for another branch")
        owner = conn.execute(
            select(devices.c.branch_code).where(devices.c.id == request.device_id)
        ).scalar()
        if owner is not None and owner != request.branch_code:
            raise Refused(403, "wrong_branch", "this device belongs to another branch")
        if owner is None:
            conn.execute(
                insert(devices).values(
                    id=request.device_id,
                    branch_code=request.branch_code,
                    token_hash=_hash(token),
                    enrolled_at=now,
                    protocol=request.protocol,
                )
            )
        else:
            conn.execute(
                update(devices)
                .where(devices.c.id == request.device_id)
                .values(token_hash=_hash(token), enrolled_at=now, revoked_at=None)
            )
        conn.execute(
            update(enrollment_codes)
            .where(enrollment_codes.c.code_hash == row.code_hash)
            .values(used_at=now, used_by=request.device_id)
        )
    return token


@dataclass(frozen=True)
class Device:
    id: str
    branch_code: str


def authenticate(engine: Engine, device_id: str, token: str) -> Device | None:
    with engine.connect() as conn:
        row = conn.execute(
            select(devices.c.id, devices.c.branch_code, devices.c.token_hash).where(
                devices.c.id == device_id, devices.c.revoked_at.is_(None)
            )
        ).first()
    if row is None or not hmac.compare_digest(str(row.token_hash), _hash(token)):
        return None
    return Device(str(row.id), str(row.branch_code))


def device_of_token(engine: Engine, token: str) -> Device | None:
    """The device a token belongs to, whatever device the request names (to tell a
    wrong credential, 401, from a right one used on another's data, 403)."""
    with engine.connect() as conn:
        row = conn.execute(
            select(devices.c.id, devices.c.branch_code).where(
                devices.c.token_hash == _hash(token), devices.c.revoked_at.is_(None)
            )
        ).first()
    return Device(str(row.id), str(row.branch_code)) if row else None


def issue_instruction(
    engine: Engine, branch_codes: list[str], type_: str, body: dict[str, Any], *, issued_by: str
) -> list[tuple[str, int, str]]:
    """Queue one instruction for each branch, numbered in that branch's sequence."""
    issued: list[tuple[str, int, str]] = []
    with engine.begin() as conn:
        for code in branch_codes:
            ensure_branch(conn, code)
            # The counter row is the lock: two operators issuing at once get 1 and 2.
            seq = conn.execute(
                update(branches)
                .where(branches.c.code == code)
                .values(last_instruction_seq=branches.c.last_instruction_seq + 1)
                .returning(branches.c.last_instruction_seq)
            ).scalar_one()
            instruction_id = str(uuid.uuid4())
            conn.execute(
                insert(instructions).values(
                    branch_code=code,
                    seq=seq,
                    id=instruction_id,
                    type=type_,
                    body=body,
                    issued_at=_now(),
                    issued_by=issued_by,
                )
            )
            issued.append((code, int(seq), instruction_id))
    return issued


def all_branch_codes(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return [
            str(c)
            for c in conn.execute(select(branches.c.code).order_by(branches.c.code)).scalars()
        ]


def instructions_after(engine: Engine, branch_code: str, after: int, limit: int) -> InstructionPage:
    with engine.begin() as conn:
        rows = conn.execute(
            select(instructions)
            .where(instructions.c.branch_code == branch_code, instructions.c.seq > after)
            .order_by(instructions.c.seq)
            .limit(limit + 1)
        ).all()
        # Asking for what comes after N says everything through N has been applied.
        conn.execute(
            update(branches)
            .where(branches.c.code == branch_code, branches.c.delivered_seq < after)
            .values(delivered_seq=after)
        )
        conn.execute(
            update(branches).where(branches.c.code == branch_code).values(last_pull_at=_now())
        )
    return InstructionPage(
        instructions=[
            Instruction(
                seq=int(r.seq),
                id=str(r.id),
                type=str(r.type),
                issued_at=aware(r.issued_at),
                body=r.body,
            )
            for r in rows[:limit]
        ],
        more=len(rows) > limit,
    )


def branches_report(engine: Engine) -> list[dict[str, Any]]:
    """Per branch: last upload, events held, the branch's own pending count (its lag),
    instructions not yet applied, quarantined events, clock skew."""
    with engine.connect() as conn:
        held: dict[str, int] = dict(
            conn.execute(
                select(events.c.branch_code, func.count()).group_by(events.c.branch_code)
            ).all()
        )
        quarantined: dict[str, int] = dict(
            conn.execute(
                select(quarantine.c.branch_code, func.count())
                .where(quarantine.c.resolved_at.is_(None))
                .group_by(quarantine.c.branch_code)
            ).all()
        )
        device_rows = conn.execute(select(devices).order_by(devices.c.branch_code)).all()
        hwm: dict[str, int] = dict(
            conn.execute(
                select(streams.c.device_id, func.max(streams.c.hwm)).group_by(streams.c.device_id)
            ).all()
        )
        report = []
        for b in conn.execute(select(branches).order_by(branches.c.code)):
            own = [d for d in device_rows if d.branch_code == b.code]
            last = max((d.last_upload_at for d in own if d.last_upload_at), default=None)
            report.append(
                {
                    "branch": b.code,
                    "name": b.name,
                    "devices": len(own),
                    "last_upload_at": aware(last).isoformat() if last else None,
                    "events": int(held.get(b.code, 0)),
                    "high_water": {d.id: int(hwm.get(d.id, 0)) for d in own},
                    "pending_at_branch": sum(int(d.pending_reported or 0) for d in own),
                    "instructions_issued": int(b.last_instruction_seq),
                    "instructions_unapplied": int(b.last_instruction_seq - b.delivered_seq),
                    "parked_at_branch": sum(int(d.parked_reported or 0) for d in own),
                    "quarantined": int(quarantined.get(b.code, 0)),
                    "skew_seconds": max((abs(d.skew_seconds or 0) for d in own), default=0.0),
                }
            )
    return report


def quarantine_list(engine: Engine, branch_code: str | None = None) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        query = select(
            quarantine.c.branch_code,
            quarantine.c.device_id,
            quarantine.c.epoch,
            quarantine.c.seq,
            quarantine.c.reason,
            quarantine.c.received_at,
        ).where(quarantine.c.resolved_at.is_(None))
        if branch_code:
            query = query.where(quarantine.c.branch_code == branch_code)
        return [
            {**r._asdict(), "received_at": aware(r.received_at).isoformat()}
            for r in conn.execute(query.order_by(quarantine.c.branch_code, quarantine.c.seq))
        ]
