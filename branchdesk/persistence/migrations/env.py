"""Alembic environment: migrations always run on a connection BranchDesk opened itself
(the key is already applied), passed in as `config.attributes["connection"]`, inside
that connection's one transaction. Each revision applied is appended to
`config.attributes["applied"]`, so a failure can be told by the revision that failed."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from alembic import context
from alembic.migration import MigrationContext, MigrationInfo

from branchdesk.persistence.schema import metadata

connection = context.config.attributes["connection"]
applied: list[str] = context.config.attributes.setdefault("applied", [])


def _applied(
    ctx: MigrationContext, step: MigrationInfo, heads: Collection[Any], run_args: Mapping[str, Any]
) -> None:
    applied.append(str(step.up_revision_id))


context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,  # SQLite alters tables by copy-and-rename
    transaction_per_migration=False,
    on_version_apply=_applied,
)
with context.begin_transaction():
    context.run_migrations()
