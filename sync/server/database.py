"""HQ's database connection: PostgreSQL through psycopg 3 in production, a SQLite
file for a one-machine demo, and the schema migrations run on start."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
HQ_HEAD = "hq0002"
# Any fixed number: the lock that keeps two starting HQ processes from migrating at once.
_MIGRATION_LOCK = 0x42444851


def normalise_url(url: str) -> str:
    """Accept the usual spellings: `postgresql://…` means psycopg 3, a bare path SQLite."""
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return url


def create_hq_engine(url: str, *, pool_size: int = 8, application_name: str = "") -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "isolation_level": None})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = FULL")
            cur.execute("PRAGMA busy_timeout = 30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            # SQLite's one writer: take the write lock up front so a read-then-write
            # transaction never fails half-way on a lock upgrade.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    connect_args: dict[str, Any] = {}
    if application_name:
        connect_args["application_name"] = application_name
    # pre_ping: a connection PostgreSQL dropped (restart, failover) is replaced rather
    # than failing the next request.
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        pool_recycle=1800,
        connect_args=connect_args,
    )


def current_revision(conn: Connection) -> str | None:
    from sqlalchemy import inspect

    if not inspect(conn).has_table("hq_alembic_version"):
        return None
    value = conn.execute(text("SELECT version_num FROM hq_alembic_version")).scalar()
    return None if value is None else str(value)


def migrate(engine: Engine) -> None:
    """Bring HQ's schema to the newest revision (a no-op when it is there)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
        if current_revision(conn) == HQ_HEAD:
            return
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def is_ready(engine: Engine) -> bool:
    try:
        with engine.connect() as conn:
            return current_revision(conn) == HQ_HEAD
    except Exception:  # any failure to reach the database means "not ready"
        return False
