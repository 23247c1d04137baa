"""Rate-limit counters in the database, shared by every HQ process (they were kept
in each process's memory, so N workers allowed N times the limit).

Revision ID: hq0002
Revises: hq0001
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "hq0002"
down_revision = "hq0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hq_rate_limits",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("window_start", sa.Float, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("hq_rate_limits")
