"""Schema migrations on open: an older database is upgraded in one transaction, a
newer one (made by a later BranchDesk) is refused with a clear message, never touched.
An upgrade that fails rolls back whole (the file keeps its old schema and content) and
is reported as `error.db.upgrade_failed`, naming the revision that failed, the kind of
error and where (never its message, which can quote a row's contents).

Opening an up-to-date database (every start but the first after an upgrade) only reads
its version row (and, at a revision that was edited in place, looks up one schema entry:
`migrations/repairs.py`): Alembic, which costs a noticeable part of a cold start to
import, is loaded only when there is something to migrate or repair.
"""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, text
from sqlalchemy.exc import OperationalError

from branchdesk.persistence.database import Database, DatabaseError
from branchdesk.persistence.migrations import repairs

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import Script, ScriptDirectory

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: The newest revision in migrations/versions. A test checks it against Alembic's view,
#: so adding a migration without updating it fails the suite.
SCHEMA_HEAD = "0013"


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


def _path(scripts: ScriptDirectory, current: str | None, wanted: str) -> list[str]:
    """The revisions after `current` up to `wanted`, oldest first (history is linear)."""
    path: list[str] = []
    revision: Script | None = scripts.get_revision(wanted)
    while revision is not None and revision.revision != current:
        path.append(revision.revision)
        down = revision.down_revision
        revision = scripts.get_revision(down) if isinstance(down, str) else None
    return path[::-1]


def _reason(exc: BaseException) -> str:
    """The kind of error and where in the migrations it happened ("ValueError,
    0009_faq_appointments.py:89"), never its message: that can quote what a row holds
    (a customer's details), and the reason is shown on screen and kept in logs."""
    cause = getattr(exc, "orig", None) or exc
    reason = type(cause).__name__
    frames = [
        f
        for f in traceback.extract_tb(exc.__traceback__)
        if Path(f.filename).resolve().is_relative_to(MIGRATIONS)
    ]
    if frames:
        reason += f", {Path(frames[-1].filename).name}:{frames[-1].lineno}"
    return reason


def migrate(db: Database, *, target: str = "head") -> None:
    """Bring the schema to `target` (normally the newest), or refuse a newer database."""
    with db.read() as conn:
        current = current_revision(conn)
        if target == "head" and current == SCHEMA_HEAD and not repairs.needed(conn, current):
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
        assert wanted is not None
        cfg.attributes["connection"] = conn
        applied: list[str] = cfg.attributes.setdefault("applied", [])
        try:
            repairs.before_upgrade(conn, current)
            if current != wanted:
                command.upgrade(cfg, target)
        except Exception as exc:
            # Leaving db.write() by this exception rolls the whole upgrade back.
            path = _path(scripts, current, wanted)
            failed = path[len(applied)] if len(applied) < len(path) else wanted
            raise DatabaseError(
                "error.db.upgrade_failed",
                path=str(db.path),
                revision=failed,
                current=current or "-",
                detail=_reason(exc),
            ) from None  # the cause's message may quote a row: not chained, not logged
