"""Full-text search over cases: an FTS5 trigram index (Chinese has no word breaks,
so substrings of 3+ characters are the unit), filled from the existing cases.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # rowid = cases.id. The index keeps its own copy of the text: an external-content
    # table would need triggers that fire on every case update, most of which do not
    # touch searchable text.
    op.execute(
        "CREATE VIRTUAL TABLE case_search USING fts5("
        "number, customer, phones, body, tokenize = 'trigram')"
    )
    op.execute(
        "INSERT INTO case_search(rowid, number, customer, phones, body) "
        "SELECT id, number, customer_name, "
        "customer_phone || ' ' || coalesce(service_number, ''), "
        "summary || ' ' || description || ' ' || remedy || ' ' || coalesce(event_place, '') "
        "FROM cases"
    )


def downgrade() -> None:
    raise RuntimeError("BranchDesk never downgrades a database; restore a backup instead")
