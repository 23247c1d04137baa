"""Schema migrations on open: an older database is upgraded in one transaction, a
newer one (made by a later BranchDesk) is refused with a clear message, never touched."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection

from branchdesk.persistence.database import Database, DatabaseError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def _known(scripts: ScriptDirectory, revision: str) -> bool:
    try:
        return scripts.get_revision(revision) is not None
    except CommandError:
        return False


def migrate(db: Database, *, target: str = "head") -> None:
    """Bring the schema to `target` (normally the newest), or refuse a newer database."""
    cfg = _config()
    scripts = ScriptDirectory.from_config(cfg)
    with db.write() as conn:
        current = current_revision(conn)
        if current is not None and not _known(scripts, current):
            raise DatabaseError("error.db.too_new", revision=current)
        wanted = scripts.get_current_head() if target == "head" else target
        if current == wanted:
            return
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, target)
