"""A branch set up before sign-in existed (schemas 0002 to 0005) is marked so at its
upgrade: the setting `auth.unclaimed`, written only when the branch has accounts and
none of them has a password or a one-time code. That is what such a branch looks like
(nobody could sign in to it, so none was ever set, whatever schemas it went through),
and what no branch set up since can look like: set-up gives its administrator a
password, and a fresh database has no accounts when its migrations run. Its
administrator chooses a password at the first sign-in while the mark is there, and
that sign-in deletes it (`branchdesk.services.auth`). A branch whose accounts lose
their passwords after this upgrade is not marked: the mark says where the branch came
from, not the state its accounts are in.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.get_bind().exec_driver_sql(
        "INSERT INTO settings(key, value) SELECT 'auth.unclaimed', ?"
        " WHERE EXISTS (SELECT 1 FROM staff)"
        " AND NOT EXISTS (SELECT 1 FROM staff WHERE password_hash IS NOT NULL)",
        ('{"reason": "branch_from_before_sign_in"}',),
    )


def downgrade() -> None:
    raise RuntimeError("BranchDesk never downgrades a database; restore a backup instead")
