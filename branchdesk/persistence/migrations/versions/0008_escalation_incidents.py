"""Escalation follow-up: incidents (突发事件) with their timeline and linked cases, and
return visits (回访) scheduled at closure. Supervision needs no table of its own: the
ledger reads the supervised cases' events.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("number", sa.Text, nullable=False, unique=True),
        sa.Column("type", sa.Text, nullable=False),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("started_at", sa.Integer, nullable=False),
        sa.Column("district", sa.Text, nullable=False),
        sa.Column("street", sa.Text, nullable=False),
        sa.Column("cell", sa.Text, nullable=False),
        sa.Column("services", sa.JSON, nullable=False),
        sa.Column("scope", sa.Text, nullable=False),
        sa.Column("cause", sa.Text, nullable=False),
        sa.Column("measures", sa.Text, nullable=False),
        sa.Column("expected_recovery_at", sa.Integer),
        sa.Column("notify_due_at", sa.Integer, nullable=False),
        sa.Column("notified_at", sa.Integer),
        sa.Column("created_at", sa.Integer, nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("root_cause", sa.Text),
        sa.Column("explanation", sa.Text),
        sa.Column("compensation_rule", sa.Text),
        sa.Column("compensation_fen", sa.Integer),
        sa.Column("lessons", sa.Text),
        sa.Column("resolved_at", sa.Integer),
        sa.Column("resolved_by", sa.Text),
    )
    op.create_index(
        "ix_incidents_active",
        "incidents",
        ["started_at"],
        sqlite_where=sa.text("status = 'active'"),
    )
    op.create_table(
        "incident_updates",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("incident_id", sa.Integer, sa.ForeignKey("incidents.id"), nullable=False),
        sa.Column("at", sa.Integer, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("pushed", sa.Integer, nullable=False, server_default=sa.text("0")),
    )
    op.create_index("ix_incident_updates", "incident_updates", ["incident_id", "id"])
    op.create_table(
        "incident_cases",
        sa.Column("incident_id", sa.Integer, sa.ForeignKey("incidents.id"), primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), primary_key=True),
        sa.Column("linked_at", sa.Integer, nullable=False),
        sa.Column("linked_by", sa.Text, nullable=False),
        sa.Column("outcome", sa.Text),
        sa.Column("outcome_reason", sa.Text),
        sa.Column("done_at", sa.Integer),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_incident_cases_case", "incident_cases", ["case_id"])
    op.create_table(
        "return_visits",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("closed_seq", sa.Integer, nullable=False),
        sa.Column("closed_at", sa.Integer, nullable=False),
        sa.Column("due_at", sa.Integer, nullable=False),
        sa.Column("provisional", sa.Boolean, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("next_call_at", sa.Integer, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("surveyor", sa.Text),
        sa.Column("visited_at", sa.Integer),
        sa.Column("reached", sa.Boolean),
        sa.Column("score", sa.Integer),
        sa.Column("solved", sa.Boolean),
        sa.Column("comment", sa.Text),
        sa.Column("reopened_seq", sa.Integer),
        sa.UniqueConstraint("case_id", "closed_seq", name="uq_return_visits_closure"),
    )
    op.create_index(
        "ix_return_visits_calls",
        "return_visits",
        ["next_call_at"],
        sqlite_where=sa.text("status = 'pending'"),
    )
    op.create_index("ix_return_visits_case", "return_visits", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_return_visits_case", "return_visits")
    op.drop_index("ix_return_visits_calls", "return_visits")
    op.drop_table("return_visits")
    op.drop_index("ix_incident_cases_case", "incident_cases")
    op.drop_table("incident_cases")
    op.drop_index("ix_incident_updates", "incident_updates")
    op.drop_table("incident_updates")
    op.drop_index("ix_incidents_active", "incidents")
    op.drop_table("incidents")
