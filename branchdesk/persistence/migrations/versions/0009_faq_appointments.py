"""The FAQ knowledge base (常见问题解答) with its search indexes and use counts, and
the appointment book (预约): one row per service request's appointment, kept by the
services in each event's transaction, filled here from the cases that have one.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

import json
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "faq_articles",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("language", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("current", sa.Boolean, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("category", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("created_at", sa.Integer, nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.UniqueConstraint("key", "language", "version", name="uq_faq_version"),
    )
    op.create_index(
        "ix_faq_current",
        "faq_articles",
        ["key", "language"],
        unique=True,
        sqlite_where=sa.text("current"),
    )
    op.create_table(
        "faq_uses",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("uses", sa.Integer, nullable=False),
        sa.Column("last_used_at", sa.Integer, nullable=False),
    )
    # rowid = faq_articles.id of a current version; the same two indexes as cases.
    op.execute(
        "CREATE VIRTUAL TABLE faq_search USING fts5(title, tags, body, tokenize = 'trigram')"
    )
    op.execute(
        "CREATE VIRTUAL TABLE faq_grams USING fts5("
        "tokens, tokenize = 'unicode61', content = '', contentless_delete = 1)"
    )
    op.create_table(
        "appointments",
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), primary_key=True),
        sa.Column("staff", sa.Text),
        sa.Column("staff_key", sa.Text),
        sa.Column("start_at", sa.Integer, nullable=False),
        sa.Column("end_at", sa.Integer, nullable=False),
        sa.Column("service_type", sa.Text),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("reschedules", sa.Integer, nullable=False, server_default=sa.text("0")),
    )
    op.create_index("ix_appointments_start", "appointments", ["start_at"])
    op.create_index("ix_appointments_staff", "appointments", ["staff_key", "start_at"])
    bind = op.get_bind()
    rows = bind.exec_driver_sql(
        "SELECT id, appointment, is_open FROM cases WHERE appointment IS NOT NULL"
    ).all()
    for case_id, raw, is_open in rows:
        slot = json.loads(raw) if isinstance(raw, str) else raw
        staff = slot.get("staff")
        bind.exec_driver_sql(
            "INSERT INTO appointments(case_id, staff, staff_key, start_at, end_at, service_type,"
            " status) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                case_id,
                staff,
                " ".join(staff.split()).casefold() if staff else None,
                int(datetime.fromisoformat(slot["start"]).timestamp()),
                int(datetime.fromisoformat(slot["end"]).timestamp()),
                slot.get("service_type"),
                "booked" if is_open else "done",
            ),
        )


def downgrade() -> None:
    raise RuntimeError("BranchDesk never downgrades a database; restore a backup instead")
