"""FAQ articles headquarters withdrew: a withdrawal is a new current version marked
`withdrawn` (not shown, not searched), so a later upgrade's shipped text does not bring
the article back and the history keeps what was withdrawn when.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN: the table is not copied, so the search indexes' rowids
    # (the articles' ids) stay right.
    op.add_column(
        "faq_articles",
        sa.Column("withdrawn", sa.Boolean, nullable=False, server_default=sa.text("0")),
    )


def downgrade() -> None:
    raise RuntimeError("BranchDesk never downgrades a database; restore a backup instead")
