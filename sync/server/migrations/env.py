"""Alembic environment for HQ's database: runs on the connection the server hands
over (`config.attributes["connection"]`), PostgreSQL or SQLite."""

from __future__ import annotations

from alembic import context

from sync.server.tables import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    version_table="hq_alembic_version",
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
