"""Keep index upkeep out of the clerk's save, and list cases of one state by id.

- The full-text indexes stop merging their segments inside the inserting transaction
  (FTS5 `automerge` 0): about one save in thirty paid 40 ms for it. The merging is done
  by `branchdesk.persistence.maintenance` in idle moments instead.
- `ix_cases_state` becomes (state, id), the order the lists use, so a list of one state
  needs no sort.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for index in ("case_search", "case_grams"):
        op.execute(f"INSERT INTO {index}({index}, rank) VALUES ('automerge', 0)")
    op.drop_index("ix_cases_state", table_name="cases")
    op.create_index("ix_cases_state", "cases", ["state", "id"])


def downgrade() -> None:
    raise RuntimeError("BranchDesk never downgrades a database; restore a backup instead")
