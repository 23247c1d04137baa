"""Alembic environment: migrations always run on a connection BranchDesk opened itself
(the key is already applied), passed in as `config.attributes["connection"]`."""

from __future__ import annotations

from alembic import context

from branchdesk.persistence.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,  # SQLite alters tables by copy-and-rename
    transaction_per_migration=False,
)
with context.begin_transaction():
    context.run_migrations()
