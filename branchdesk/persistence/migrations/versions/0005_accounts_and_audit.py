"""Staff sign-in and an audit trail the database itself protects.

- staff: an argon2id password hash, forced change after an administrator's reset,
  failed-attempt counter and lockout time.
- api_tokens: per-user tokens so scripts using the command line act as a named person.
- audit_log: append-only (triggers refuse UPDATE and DELETE, as for case events) and
  indexed for browsing by time, person and case.
- audit_anchors: chain heads confirmed by headquarters; verify checks the local chain
  still contains each of them, so history cannot be rewritten after it was synced.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff") as batch:
        batch.add_column(sa.Column("password_hash", sa.Text))
        batch.add_column(sa.Column("password_set_at", sa.Integer))
        batch.add_column(
            sa.Column(
                "must_change_password", sa.Boolean, nullable=False, server_default=sa.text("0")
            )
        )
        batch.add_column(sa.Column("reset_expires_at", sa.Integer))
        batch.add_column(
            sa.Column("failed_attempts", sa.Integer, nullable=False, server_default=sa.text("0"))
        )
        batch.add_column(sa.Column("locked_until", sa.Integer))
        batch.add_column(sa.Column("last_sign_in_at", sa.Integer))
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("staff_no", sa.Text, nullable=False),
        sa.Column("label", sa.Text, nullable=False),
        sa.Column("token_hash", sa.Text, nullable=False, unique=True),
        sa.Column("created_at", sa.Integer, nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("last_used_at", sa.Integer),
        sa.Column("revoked_at", sa.Integer),
    )
    op.create_table(
        "audit_anchors",
        sa.Column("audit_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("hash", sa.Text, nullable=False),
        sa.Column("anchored_at", sa.Integer, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
    )
    op.create_index("ix_audit_at", "audit_log", ["at"])
    op.create_index("ix_audit_actor", "audit_log", ["actor", "at"])
    op.create_index("ix_audit_case", "audit_log", ["case_id"])
    op.execute(
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"
    )
    op.execute(
        "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"
    )


def downgrade() -> None:
    raise RuntimeError("BranchDesk never downgrades a database; restore a backup instead")
