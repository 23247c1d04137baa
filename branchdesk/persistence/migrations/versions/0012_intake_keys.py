"""Intake forms' own ids (idempotency keys): a retried save of the same form finds the
case it already made instead of making a second one. One row per case saved with a
key: the key, the case, a fingerprint of what the form said (a retry with different
content under the same key is refused) and when it was saved.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Without a rowid: the key is the only way in, so the table is its own index and a
    # save pays for one B-tree insert, a retry for one lookup.
    op.create_table(
        "intake_keys",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("fingerprint", sa.Text, nullable=False),
        sa.Column("saved_at", sa.Integer, nullable=False),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    raise RuntimeError("BranchDesk never downgrades a database; restore a backup instead")
