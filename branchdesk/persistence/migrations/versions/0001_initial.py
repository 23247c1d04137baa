"""The first schema: settings, staff, cases with their events and SLA milestones,
the audit log and the sync outbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

OPEN_CLOCK = sa.text("next_due_at IS NOT NULL AND paused = 0")


def upgrade() -> None:
    op.create_table(
        "settings",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("value", sa.JSON, nullable=False),
    )
    op.create_table(
        "staff",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("staff_no", sa.Text, nullable=False, unique=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("roles", sa.Text, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.text("1")),
        sa.Column("created_at", sa.Integer, nullable=False),
    )
    op.create_table(
        "counters",
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("value", sa.Integer, nullable=False),
    )
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("number", sa.Text, nullable=False, unique=True),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("channel", sa.Text, nullable=False),
        sa.Column("category", sa.Text, nullable=False),
        sa.Column("grade", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("is_open", sa.Boolean, nullable=False),
        sa.Column("escalation", sa.Text, nullable=False),
        sa.Column("supervisor", sa.Text),
        sa.Column("paused", sa.Boolean, nullable=False),
        sa.Column("customer_name", sa.Text, nullable=False),
        sa.Column("customer_phone", sa.Text, nullable=False),
        sa.Column("customer_id_number", sa.Text),
        sa.Column("service_number", sa.Text),
        sa.Column("customer_address", sa.Text),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("remedy", sa.Text, nullable=False),
        sa.Column("event_date", sa.Text),
        sa.Column("event_place", sa.Text),
        sa.Column("business", sa.Text),
        sa.Column("received_at", sa.Integer, nullable=False),
        sa.Column("entered_at", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.Integer, nullable=False),
        sa.Column("receiving_clerk", sa.Text, nullable=False),
        sa.Column("owner", sa.Text, nullable=False),
        sa.Column("responsibility", sa.Text),
        sa.Column("satisfied", sa.Boolean),
        sa.Column("satisfaction_score", sa.Integer),
        sa.Column("reopen_count", sa.Integer, nullable=False),
        sa.Column("investigations", sa.Integer, nullable=False),
        sa.Column("archive_no", sa.Text),
        sa.Column("appointment", sa.JSON),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("next_due_at", sa.Integer),
        sa.Column("next_milestone", sa.Text),
        sa.Column("provisional", sa.Boolean, nullable=False),
    )
    op.create_index("ix_cases_phone", "cases", ["customer_phone"])
    op.create_index("ix_cases_service_number", "cases", ["service_number"])
    op.create_index("ix_cases_received", "cases", ["received_at"])
    op.create_index("ix_cases_state", "cases", ["state", "received_at"])
    op.create_index("ix_cases_due", "cases", ["next_due_at"], sqlite_where=OPEN_CLOCK)
    op.create_index(
        "ix_cases_owner_due", "cases", ["owner", "next_due_at"], sqlite_where=OPEN_CLOCK
    )
    op.create_index(
        "ix_cases_owner_open",
        "cases",
        ["owner", "received_at"],
        sqlite_where=sa.text("is_open = 1"),
    )
    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("at", sa.Integer, nullable=False),
        sa.Column("recorded_at", sa.Integer, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.UniqueConstraint("case_id", "seq", name="uq_case_events_case_seq"),
    )
    op.create_table(
        "case_milestones",
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), primary_key=True),
        sa.Column("milestone", sa.Text, primary_key=True),
        sa.Column("clock", sa.Text, nullable=False),
        sa.Column("started_at", sa.Integer),
        sa.Column("due_at", sa.Integer),
        sa.Column("met_at", sa.Integer),
        sa.Column("provisional", sa.Boolean, nullable=False),
        sa.Column("extension", sa.Integer, nullable=False),
        # Clustered on (case_id, milestone): one b-tree instead of a table plus its
        # primary-key index; rows are always read by case.
        sqlite_with_rowid=False,
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.Integer, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("workstation", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id")),
        sa.Column("detail", sa.JSON, nullable=False),
        sa.Column("prev_hash", sa.Text, nullable=False),
        sa.Column("hash", sa.Text, nullable=False),
    )
    op.create_table(
        "outbox",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("device_epoch", sa.Integer, nullable=False),
        sa.Column("event_id", sa.Integer, sa.ForeignKey("case_events.id"), nullable=False),
        sa.Column("created_at", sa.Integer, nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("sent_at", sa.Integer),
    )
    op.create_index("ix_outbox_unsent", "outbox", ["seq"], sqlite_where=sa.text("sent_at IS NULL"))
    # History is append-only: the database itself refuses to edit or delete events.
    op.execute(
        "CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events "
        "BEGIN SELECT RAISE(ABORT, 'case events are append-only'); END"
    )
    op.execute(
        "CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events "
        "BEGIN SELECT RAISE(ABORT, 'case events are append-only'); END"
    )


def downgrade() -> None:
    raise RuntimeError("BranchDesk never downgrades a database; restore a backup instead")
