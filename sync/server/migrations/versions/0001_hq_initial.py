"""HQ's first schema: branches, devices, enrollment codes, per-device streams with
their high-water marks, received events, quarantine and instructions.

Revision ID: hq0001
Revises:
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "hq0001"
down_revision = None
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(JSONB(), "postgresql")
Time = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "hq_branches",
        sa.Column("code", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("last_instruction_seq", sa.BigInteger, nullable=False),
        sa.Column("delivered_seq", sa.BigInteger, nullable=False),
        sa.Column("last_pull_at", Time),
    )
    op.create_table(
        "hq_devices",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("branch_code", sa.Text, nullable=False),
        sa.Column("token_hash", sa.Text, nullable=False),
        sa.Column("enrolled_at", Time, nullable=False),
        sa.Column("revoked_at", Time),
        sa.Column("last_upload_at", Time),
        sa.Column("protocol", sa.Integer),
        sa.Column("skew_seconds", sa.Float),
        sa.Column("pending_reported", sa.BigInteger),
        sa.Column("parked_reported", sa.BigInteger),
        sa.Column("audit_head_id", sa.BigInteger),
        sa.Column("audit_head_hash", sa.Text),
    )
    op.create_index("ix_hq_devices_branch", "hq_devices", ["branch_code"])
    op.create_table(
        "hq_enrollment_codes",
        sa.Column("code_hash", sa.Text, primary_key=True),
        sa.Column("branch_code", sa.Text, nullable=False),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("expires_at", Time, nullable=False),
        sa.Column("used_at", Time),
        sa.Column("used_by", sa.Text),
    )
    op.create_table(
        "hq_streams",
        sa.Column("device_id", sa.Text, primary_key=True),
        sa.Column("epoch", sa.Integer, primary_key=True),
        sa.Column("base_seq", sa.BigInteger, nullable=False),
        sa.Column("hwm", sa.BigInteger, nullable=False),
        sa.Column("updated_at", Time, nullable=False),
    )
    op.create_table(
        "hq_events",
        sa.Column("device_id", sa.Text, primary_key=True),
        sa.Column("epoch", sa.Integer, primary_key=True),
        sa.Column("seq", sa.BigInteger, primary_key=True),
        sa.Column("branch_code", sa.Text, nullable=False),
        sa.Column("case_number", sa.Text, nullable=False),
        sa.Column("case_seq", sa.Integer, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("occurred_at", Time, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("payload", Json, nullable=False),
        sa.Column("digest", sa.Text, nullable=False),
        sa.Column("branch_time", Time, nullable=False),
        sa.Column("received_at", Time, nullable=False),
    )
    op.create_table(
        "hq_quarantine",
        sa.Column("device_id", sa.Text, primary_key=True),
        sa.Column("epoch", sa.Integer, primary_key=True),
        sa.Column("seq", sa.BigInteger, primary_key=True),
        sa.Column("branch_code", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("event", Json, nullable=False),
        sa.Column("digest", sa.Text, nullable=False),
        sa.Column("received_at", Time, nullable=False),
        sa.Column("resolved_at", Time),
    )
    op.create_index("ix_hq_quarantine_branch", "hq_quarantine", ["branch_code"])
    op.create_table(
        "hq_instructions",
        sa.Column("branch_code", sa.Text, primary_key=True),
        sa.Column("seq", sa.BigInteger, primary_key=True),
        sa.Column("id", sa.Text, nullable=False, unique=True),
        sa.Column("type", sa.Text, nullable=False),
        sa.Column("body", Json, nullable=False),
        sa.Column("issued_at", Time, nullable=False),
        sa.Column("issued_by", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for name in (
        "hq_instructions",
        "hq_quarantine",
        "hq_events",
        "hq_streams",
        "hq_enrollment_codes",
        "hq_devices",
        "hq_branches",
    ):
        op.drop_table(name)
