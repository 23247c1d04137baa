"""Full-text search over cases: an FTS5 trigram index (Chinese has no word breaks,
so substrings of 3+ characters are the unit), and beside it an index of the single
characters and character pairs of names and summaries, for the 1–2 character queries
trigrams cannot answer (a surname, a two-character name, "断网"). Both are filled from
the existing cases.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import itertools

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
    # Contentless: only the index is kept. The tokens are written by the application
    # (`branchdesk.services.recording.short_tokens`), space-separated.
    op.execute(
        "CREATE VIRTUAL TABLE case_grams USING fts5("
        "tokens, tokenize = 'unicode61', content = '', contentless_delete = 1)"
    )
    bind = op.get_bind()
    rows = bind.exec_driver_sql("SELECT id, customer_name, summary FROM cases").all()
    if rows:
        bind.exec_driver_sql(
            "INSERT INTO case_grams(rowid, tokens) VALUES (?, ?)",
            [(r[0], short_tokens(r[1], r[2])) for r in rows],
        )


def short_tokens(*texts: str) -> str:
    """A frozen copy of the tokenizer as it was when this migration was written."""
    tokens: set[str] = set()
    for value in texts:
        chars = [ch for ch in value if not ch.isspace()]
        tokens.update(chars)
        tokens.update(a + b for a, b in itertools.pairwise(chars))
    return " ".join(sorted(tokens))


def downgrade() -> None:
    raise RuntimeError("BranchDesk never downgrades a database; restore a backup instead")
