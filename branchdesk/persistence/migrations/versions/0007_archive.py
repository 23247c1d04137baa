"""Encrypted archive: the archive master keys (ids; wrapped only in passphrase mode),
the volumes, the index of archived cases (find without decrypting, retention, legal
holds, tombstones after a purge) and purge requests awaiting a manager's approval.

The case events' delete guard is relaxed for exactly one situation: a case whose
record is committed in an archive volume (its index row exists) may leave the live
database. Every other delete is still refused.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "archive_master_keys",
        sa.Column("key_id", sa.Text, primary_key=True),
        sa.Column("created_at", sa.Integer, nullable=False),
        sa.Column("retired_at", sa.Integer),
        sa.Column("wrapped", sa.JSON),
    )
    op.create_table(
        "archive_volumes",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("file", sa.Text, nullable=False, unique=True),
        sa.Column("created_at", sa.Integer, nullable=False),
        sa.Column("cases", sa.Integer, nullable=False),
        sa.Column("bytes", sa.Integer, nullable=False),
        sa.Column("sha256", sa.Text, nullable=False),
        sa.Column("master_slot", sa.JSON, nullable=False),
        sa.Column("recovery_key_id", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("retired_at", sa.Integer),
    )
    op.create_table(
        "archive_entries",
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), primary_key=True),
        sa.Column("archive_no", sa.Text, nullable=False, unique=True),
        sa.Column("case_number", sa.Text, nullable=False, unique=True),
        sa.Column("volume_id", sa.Text, sa.ForeignKey("archive_volumes.id")),
        sa.Column("entry_offset", sa.Integer),
        sa.Column("entry_length", sa.Integer),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("category", sa.Text, nullable=False),
        sa.Column("business", sa.Text),
        sa.Column("customer_name", sa.Text),
        sa.Column("customer_phone", sa.Text),
        sa.Column("service_number", sa.Text),
        sa.Column("received_at", sa.Integer, nullable=False),
        sa.Column("closed_at", sa.Integer),
        sa.Column("archived_at", sa.Integer, nullable=False),
        sa.Column("retention_until", sa.Text, nullable=False),
        sa.Column("hold_reason", sa.Text),
        sa.Column("hold_by", sa.Text),
        sa.Column("hold_at", sa.Integer),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("purged_at", sa.Integer),
        sa.Column("purged_by", sa.Text),
        sa.Column("purge_approved_by", sa.Text),
    )
    op.create_index("ix_archive_customer", "archive_entries", ["customer_name"])
    op.create_index("ix_archive_phone", "archive_entries", ["customer_phone"])
    op.create_index("ix_archive_service_number", "archive_entries", ["service_number"])
    op.create_index("ix_archive_received", "archive_entries", ["received_at"])
    op.create_index("ix_archive_category", "archive_entries", ["category", "received_at"])
    op.create_index("ix_archive_volume", "archive_entries", ["volume_id"])
    op.create_index("ix_archive_retention", "archive_entries", ["retention_until"])
    op.create_table(
        "archive_purge_requests",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("created_at", sa.Integer, nullable=False),
        sa.Column("requested_by", sa.Text, nullable=False),
        sa.Column("mode", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("archive_nos", sa.JSON, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("decided_by", sa.Text),
        sa.Column("decided_at", sa.Integer),
    )
    op.execute("DROP TRIGGER case_events_no_delete")
    op.execute(
        "CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events "
        "WHEN NOT EXISTS (SELECT 1 FROM archive_entries a WHERE a.case_id = OLD.case_id) "
        "BEGIN SELECT RAISE(ABORT, 'case events are append-only'); END"
    )


def downgrade() -> None:
    raise RuntimeError("BranchDesk never downgrades a database; restore a backup instead")
