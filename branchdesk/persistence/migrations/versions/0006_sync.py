"""Headquarters sync at the branch: its own state (enrollment, cursor, last result),
each epoch's first sequence number, events HQ quarantined, every instruction received
(applied, parked or refused), notices, and the rules HQ published (catalogue, SLA
policy, calendar years).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_meta",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("value", sa.JSON, nullable=False),
    )
    op.create_table(
        "sync_epochs",
        sa.Column("epoch", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("base_seq", sa.Integer, nullable=False),
    )
    op.create_table(
        "sync_quarantine",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("epoch", sa.Integer, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("reported_at", sa.Integer, nullable=False),
    )
    op.create_table(
        "sync_instructions",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("id", sa.Text, nullable=False, unique=True),
        sa.Column("type", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("body", sa.JSON, nullable=False),
        sa.Column("issued_at", sa.Integer, nullable=False),
        sa.Column("received_at", sa.Integer, nullable=False),
    )
    op.create_index("ix_sync_instructions_status", "sync_instructions", ["status"])
    op.create_table(
        "sync_notices",
        sa.Column("instruction_id", sa.Text, primary_key=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("severity", sa.Text, nullable=False),
        sa.Column("issued_at", sa.Integer, nullable=False),
        sa.Column("read_at", sa.Integer),
    )
    op.create_table(
        "sync_publications",
        sa.Column("kind", sa.Text, primary_key=True),
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("version", sa.Text, nullable=False),
        sa.Column("document", sa.JSON, nullable=False),
        sa.Column("published_at", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    for name in (
        "sync_publications",
        "sync_notices",
        "sync_instructions",
        "sync_quarantine",
        "sync_epochs",
        "sync_meta",
    ):
        op.drop_table(name)
