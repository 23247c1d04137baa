"""The encrypted branch database: SQLAlchemy 2 over SQLCipher (`sqlcipher3`).

Every connection is keyed with the raw 256-bit key before anything else is read.
Write transactions start with BEGIN IMMEDIATE so that a read-then-write never fails
half-way on a lock upgrade; reads use plain deferred transactions and, under WAL, never
block the writer.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DatabaseError as SADatabaseError
from sqlalchemy.pool import QueuePool

from branchdesk.domain.errors import DomainError


class DatabaseError(DomainError):
    """The database cannot be opened (wrong key, not a BranchDesk database, too new…)."""


def _configure(dbapi_conn: Any, key: bytes) -> None:
    cur = dbapi_conn.cursor()
    try:
        # A wrong key is reported to the person by us; SQLCipher's own log line on
        # stderr would only alarm them.
        cur.execute("PRAGMA cipher_log_level = NONE")
        cur.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        # Reading the schema is the first access that needs the key: a wrong key fails
        # here with "file is not a database", before any other statement runs.
        cur.execute("SELECT count(*) FROM sqlite_master")
        cur.execute("PRAGMA journal_mode = WAL")
        # FULL: every commit is fsynced, in WAL mode too. A branch PC can lose power
        # mid-queue; a case the clerk saw saved must survive that. NORMAL would only
        # survive an application crash. The cost is measured in docs/PERFORMANCE.md.
        cur.execute("PRAGMA synchronous = FULL")
        cur.execute("PRAGMA foreign_keys = ON")
        # Checkpoints are the upkeep step's job, in idle moments (persistence.maintenance);
        # this is only a safety cap on the log's size should that not run for a while.
        cur.execute("PRAGMA wal_autocheckpoint = 10000")
        cur.execute("PRAGMA busy_timeout = 5000")
        cur.execute("PRAGMA temp_store = MEMORY")
    finally:
        cur.close()


def create_db_engine(path: Path, key: bytes) -> Engine:
    """An engine on the SQLCipher file at `path`, keyed with the raw `key`."""

    def connect() -> Any:
        conn = sqlcipher.connect(str(path), check_same_thread=False, isolation_level=None)
        try:
            _configure(conn, key)
        except sqlcipher.DatabaseError:
            conn.close()
            raise
        return conn

    engine = create_engine(
        "sqlite+pysqlite://",
        module=sqlcipher,
        creator=connect,
        poolclass=QueuePool,
        # Chinese text stays readable (and a third of the size) in JSON columns.
        json_serializer=lambda obj: json.dumps(obj, ensure_ascii=False, separators=(",", ":")),
        pool_size=4,
        max_overflow=4,
    )

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        mode = "IMMEDIATE" if conn.get_execution_options().get("write") else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


class Database:
    """An open branch database. `write()` and `read()` give one transaction each."""

    def __init__(self, path: Path, key: bytes) -> None:
        self.path = path
        self.engine = create_db_engine(path, key)
        try:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
        except SADatabaseError as exc:
            self.engine.dispose()
            if "not a database" in str(exc.orig):
                raise DatabaseError("error.db.wrong_key", path=str(path)) from exc
            raise DatabaseError(
                "error.db.cannot_open", path=str(path), detail=str(exc.orig)
            ) from exc

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction: commits on success, rolls back on any exception."""
        with self.engine.connect().execution_options(write=True) as conn, conn.begin():
            yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    def close(self) -> None:
        self.engine.dispose()


def is_plain_sqlite(path: Path) -> bool:
    """True if `path` opens as an unencrypted SQLite file (used by tests and checks)."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return True
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return False
