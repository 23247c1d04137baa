"""Indexes for the quality dashboard, which otherwise reads every event and every
milestone of the branch for one month's figures (about a minute at a million cases):
the few event kinds it counts by time (closing, cancelling and reopening; feedback;
appointments rescheduled and missed) and each case's steps (acknowledged, replied,
paused, resumed, closed, reopened), each a partial index of those events only, and
the milestones by when they were met and when they fall due; the phone and service
number indexes also hold the case kind and time (repeat complaints).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

#: (index, columns, partial condition) — the same text as in schema.py, and as the
#: quality queries write it, so that SQLite sees the index applies.
EVENT_INDEXES: tuple[tuple[str, Sequence[str | sa.TextClause], str], ...] = (
    ("ix_events_ending", ["at", "case_id"], "kind IN ('close', 'cancel', 'reopen')"),
    # A case's steps (acknowledged, first reply, paused and resumed, closed and reopened)
    # by case, without reading its events.
    (
        "ix_events_case_steps",
        ["case_id", "kind", "at", "seq"],
        "kind IN ('acknowledge', 'reply_customer', 'answer', 'resolve', 'resolve_by_incident',"
        " 'pause', 'resume', 'close', 'cancel', 'reopen')",
    ),
    ("ix_events_feedback", ["at"], "kind = 'record_feedback'"),
    ("ix_events_rescheduled", ["at"], "kind = 'reschedule_appointment'"),
    ("ix_events_missed", ["at"], "kind = 'record_missed_appointment'"),
)


def upgrade() -> None:
    # A repeat complaint is found by phone or service number, then kind and time: with
    # those in the index, finding one reads no case (the old indexes were a prefix).
    for column in ("customer_phone", "service_number"):
        name = "ix_cases_phone" if column == "customer_phone" else "ix_cases_service_number"
        op.drop_index(name, table_name="cases")
        op.create_index(name, "cases", [column, "kind", "received_at"])
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
