"""Schema migrations on open: an older database is upgraded in one transaction, a
newer one (made by a later BranchDesk) is refused with a clear message, never touched.

Opening an up-to-date database (every start but the first after an upgrade) only reads
its version row: Alembic, which costs a noticeable part of a cold start to import, is
loaded only when there is something to migrate.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, text
from sqlalchemy.exc import OperationalError

from branchdesk.persistence.database import Database, DatabaseError

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: The newest revision in migrations/versions. A test checks it against Alembic's view,
#: so adding a migration without updating it fails the suite.
SCHEMA_HEAD = "0011"


def _config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(conn: Connection) -> str | None:
    try:
        value = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except OperationalError:  # no version table: a database nothing was ever written to
        return None
    return None if value is None else str(value)


def _known(scripts: ScriptDirectory, revision: str) -> bool:
    from alembic.util import CommandError

    try:
        return scripts.get_revision(revision) is not None
    except CommandError:
        return False


def migrate(db: Database, *, target: str = "head") -> None:
    """Bring the schema to `target` (normally the newest), or refuse a newer database."""
    with db.read() as conn:
        if target == "head" and current_revision(conn) == SCHEMA_HEAD:
            return
    from alembic import command
    from alembic.script import ScriptDirectory

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
