"""HQ's tables (SQLAlchemy Core), the same on PostgreSQL and SQLite. Alembic
migrations in `sync/server/migrations` create them; this module is what the code
reads and writes through. Nothing here holds a secret in clear: device tokens and
enrollment codes are stored as SHA-256 hashes."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()
Json = JSON().with_variant(JSONB(), "postgresql")
Time = DateTime(timezone=True)

branches = Table(
    "hq_branches",
    metadata,
    Column("code", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("created_at", Time, nullable=False),
    # Instructions for the branch are numbered 1, 2, … in this counter's order.
    Column("last_instruction_seq", BigInteger, nullable=False, default=0),
    # How far the branch has fetched (the `after` of its latest pull).
    Column("delivered_seq", BigInteger, nullable=False, default=0),
    Column("last_pull_at", Time),
)

devices = Table(
    "hq_devices",
    metadata,
    Column("id", Text, primary_key=True),
    Column("branch_code", Text, nullable=False),
    Column("token_hash", Text, nullable=False),
    Column("enrolled_at", Time, nullable=False),
    Column("revoked_at", Time),
    Column("last_upload_at", Time),
    Column("protocol", Integer),
    Column("skew_seconds", Float),
    Column("pending_reported", BigInteger),
    Column("parked_reported", BigInteger),
    # The branch audit chain head sent with its latest acknowledged batch.
    Column("audit_head_id", BigInteger),
    Column("audit_head_hash", Text),
)
Index("ix_hq_devices_branch", devices.c.branch_code)

enrollment_codes = Table(
    "hq_enrollment_codes",
    metadata,
    Column("code_hash", Text, primary_key=True),
    Column("branch_code", Text, nullable=False),
    Column("created_at", Time, nullable=False),
    Column("expires_at", Time, nullable=False),
    Column("used_at", Time),
    Column("used_by", Text),
)

#: One row per (device, epoch): the high-water mark HQ locks while applying a batch.
streams = Table(
    "hq_streams",
    metadata,
    Column("device_id", Text, primary_key=True),
    Column("epoch", Integer, primary_key=True),
    Column("base_seq", BigInteger, nullable=False),
    Column("hwm", BigInteger, nullable=False),
    Column("updated_at", Time, nullable=False),
)

events = Table(
    "hq_events",
    metadata,
    Column("device_id", Text, primary_key=True),
    Column("epoch", Integer, primary_key=True),
    Column("seq", BigInteger, primary_key=True),
    Column("branch_code", Text, nullable=False),
    Column("case_number", Text, nullable=False),
    Column("case_seq", Integer, nullable=False),
    Column("kind", Text, nullable=False),
    Column("occurred_at", Time, nullable=False),
    Column("actor", Text, nullable=False),
    Column("payload", Json, nullable=False),
    Column("digest", Text, nullable=False),
    Column("branch_time", Time, nullable=False),
    Column("received_at", Time, nullable=False),
)
EVENT_COLUMNS = tuple(c.name for c in events.columns)

quarantine = Table(
    "hq_quarantine",
    metadata,
    Column("device_id", Text, primary_key=True),
    Column("epoch", Integer, primary_key=True),
    Column("seq", BigInteger, primary_key=True),
    Column("branch_code", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("event", Json, nullable=False),
    Column("digest", Text, nullable=False),
    Column("received_at", Time, nullable=False),
    Column("resolved_at", Time),
)
Index("ix_hq_quarantine_branch", quarantine.c.branch_code)

instructions = Table(
    "hq_instructions",
    metadata,
    Column("branch_code", Text, primary_key=True),
    Column("seq", BigInteger, primary_key=True),
    Column("id", Text, nullable=False, unique=True),
    Column("type", Text, nullable=False),
    Column("body", Json, nullable=False),
    Column("issued_at", Time, nullable=False),
    Column("issued_by", Text, nullable=False),
)

#: Request counts per key (a device, or a caller's address) in its current window,
#: shared by every HQ process (`ratelimit`).
rate_limits = Table(
    "hq_rate_limits",
    metadata,
    Column("key", Text, primary_key=True),
    # Seconds since 1970 (UTC) when the key's current window began.
    Column("window_start", Float, nullable=False),
    Column("count", Integer, nullable=False),
)
