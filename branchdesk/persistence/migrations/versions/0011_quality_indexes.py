"""Indexes for the quality dashboard, which otherwise reads every event and every
milestone of the branch for one month's figures (about a minute at a million cases):
the few event kinds it counts by time (closing, cancelling and reopening; feedback;
appointments rescheduled and missed), each a small partial index, and the milestones
by when they were met and when they fall due.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

#: (index, columns, partial condition) — the same text as in schema.py, and as the
#: quality queries write it, so that SQLite sees the index applies.
EVENT_INDEXES = (
    ("ix_events_ending", ["at", "case_id"], "kind IN ('close', 'cancel', 'reopen')"),
    ("ix_events_feedback", ["at"], "kind = 'record_feedback'"),
    ("ix_events_rescheduled", ["at"], "kind = 'reschedule_appointment'"),
    ("ix_events_missed", ["at"], "kind = 'record_missed_appointment'"),
)


def upgrade() -> None:
    for name, columns, where in EVENT_INDEXES:
        op.create_index(name, "case_events", columns, sqlite_where=sa.text(where))
    op.create_index(
        "ix_milestones_met",
        "case_milestones",
        ["met_at"],
        sqlite_where=sa.text("met_at IS NOT NULL"),
    )
    op.create_index(
        "ix_milestones_due",
        "case_milestones",
        ["due_at"],
        sqlite_where=sa.text("due_at IS NOT NULL"),
    )


def downgrade() -> None:
    raise RuntimeError("BranchDesk never downgrades a database; restore a backup instead")
