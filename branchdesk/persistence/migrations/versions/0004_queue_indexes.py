"""Indexes for the desktop's "waiting for the customer" and "under supervision" queues,
which otherwise read every case to count a few hundred (3 s at a million cases).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_cases_waiting",
        "cases",
        ["received_at"],
        sqlite_where=sa.text("paused = 1 AND is_open = 1"),
    )
    op.create_index(
        "ix_cases_supervised",
        "cases",
        ["received_at"],
        sqlite_where=sa.text("escalation = 'supervised' AND is_open = 1"),
    )


def downgrade() -> None:
    raise RuntimeError("BranchDesk never downgrades a database; restore a backup instead")
