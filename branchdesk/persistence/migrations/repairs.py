"""Repairs for databases made by a migration that was later edited in place.

Migrations are history and are never edited once on `main` (a checksum list in
`tests/upgrades` holds them). Before that rule, two were:

- the first release's 0001 and 0002 were changed after branches had used them. A
  database made by the first release says it is at 0002 but lacks what the edited 0002
  created, so 0003 failed on it ("no such table: case_grams");
- 0011 gained an index of each case's steps and wider phone and service-number indexes
  after it had been on `main`. A database that ran the first 0011 says it is at 0011,
  and the quality figures, which name that index, failed on it ("no such index").

Such a database is brought to the shape the edited migration gives, in the upgrade's
own transaction, before any later migration runs (for 0011, the head when this was
written, also at open without any migration). A database that ran the edited migration
is recognised by what that migration made and is never touched here: what an
already-upgraded database sees does not change.

One repair is of data, not of an edited migration: `case new` before 0009 stored a
case's missing appointment as the JSON text 'null', which the released 0009 reads as an
appointment and stops on (AttributeError). A database below 0009 has those made SQL
NULL before the upgrade; both mean "no appointment" to the code that reads them (the
JSON column reads either as None), and a case of such a branch already holds either.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection


def _has_table(conn: Connection, name: str) -> bool:
    row = conn.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
    ).first()
    return row is not None


def short_tokens(*texts: str) -> str:
    """0002's frozen copy of the tokenizer (`short_tokens` there), copied again: a
    migration script is loaded by Alembic from its file, not imported as a module."""
    tokens: set[str] = set()
    for value in texts:
        chars = [ch for ch in value if not ch.isspace()]
        tokens.update(chars)
        tokens.update(a + b for a, b in itertools.pairwise(chars))
    return " ".join(sorted(tokens))


def _without_rowid(conn: Connection, name: str) -> bool:
    sql = conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
    ).scalar()
    return "WITHOUT ROWID" in str(sql).upper()


def _first_release_0002(conn: Connection) -> None:
    """The first release's 0002 to the edited 0002: the character/pair index of names
    and summaries, filled with 0002's own frozen tokenizer (what the edited 0002 would
    have written), and 0001's milestones clustered by case (WITHOUT ROWID)."""
    if _has_table(conn, "case_grams"):
        return
    conn.exec_driver_sql(
        "CREATE VIRTUAL TABLE case_grams USING fts5("
        "tokens, tokenize = 'unicode61', content = '', contentless_delete = 1)"
    )
    rows = conn.exec_driver_sql("SELECT id, customer_name, summary FROM cases").all()
    if rows:
        conn.exec_driver_sql(
            "INSERT INTO case_grams(rowid, tokens) VALUES (?, ?)",
            [(r[0], short_tokens(r[1], r[2])) for r in rows],
        )
    if not _without_rowid(conn, "case_milestones"):
        _cluster_milestones(conn)


def _cluster_milestones(conn: Connection) -> None:
    # The first release's own table definition, clustered: the edited 0001 differs
    # from it only by WITHOUT ROWID. Nothing references the table.
    sql = str(
        conn.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'case_milestones'"
        ).scalar()
    )
    indexes = conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'case_milestones'"
        " AND sql IS NOT NULL"
    ).all()
    conn.exec_driver_sql("ALTER TABLE case_milestones RENAME TO case_milestones_rowid")
    # Created under its own name, so its schema text is the edited 0001's to the letter.
    conn.exec_driver_sql(f"{sql} WITHOUT ROWID")
    conn.exec_driver_sql("INSERT INTO case_milestones SELECT * FROM case_milestones_rowid")
    conn.exec_driver_sql("DROP TABLE case_milestones_rowid")
    for (index_sql,) in indexes:
        conn.exec_driver_sql(str(index_sql))


def _index_sql(conn: Connection, name: str) -> str | None:
    sql = conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", (name,)
    ).scalar()
    return None if sql is None else str(sql)


def _first_0011_missing(conn: Connection) -> bool:
    return _index_sql(conn, "ix_events_case_steps") is None


def _first_0011(conn: Connection) -> None:
    """The first 0011 to the edited 0011: its step index, and phone and service-number
    indexes that hold kind and time (the edited 0011's own definitions)."""
    if not _first_0011_missing(conn):
        return
    for name, column in (
        ("ix_cases_phone", "customer_phone"),
        ("ix_cases_service_number", "service_number"),
    ):
        conn.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")
        conn.exec_driver_sql(f"CREATE INDEX {name} ON cases ({column}, kind, received_at)")
    conn.exec_driver_sql(
        "CREATE INDEX ix_events_case_steps ON case_events (case_id, kind, at, seq) WHERE "
        "kind IN ('acknowledge', 'reply_customer', 'answer', 'resolve', 'resolve_by_incident',"
        " 'pause', 'resume', 'close', 'cancel', 'reopen')"
    )


def _first_release_0002_missing(conn: Connection) -> bool:
    return not _has_table(conn, "case_grams")


@dataclass(frozen=True)
class Repair:
    needed: Callable[[Connection], bool]
    apply: Callable[[Connection], None]


#: revision the database says it is at -> the repair that makes it so.
REPAIRS: dict[str, Repair] = {
    "0002": Repair(_first_release_0002_missing, _first_release_0002),
    "0011": Repair(_first_0011_missing, _first_0011),
}


def needed(conn: Connection, current: str | None) -> bool:
    """Whether a database at `current` lacks what `current` really means (one look at
    the schema for the repaired revisions, nothing for any other)."""
    repair = REPAIRS.get(current or "")
    return repair is not None and repair.needed(conn)


#: The first revision whose migration reads cases' appointments ('null' stops it).
_READS_APPOINTMENTS = "0009"


def _null_appointments(conn: Connection) -> None:
    """A 'null' appointment (`case new` before 0009) made SQL NULL: no appointment."""
    conn.exec_driver_sql("UPDATE cases SET appointment = NULL WHERE appointment = 'null'")


def before_upgrade(conn: Connection, current: str | None) -> None:
    """Bring a database that claims `current` to what `current` really means, and one
    below 0009 to data the released 0009 reads (in the upgrade's transaction)."""
    repair = REPAIRS.get(current or "")
    if repair is not None and repair.needed(conn):
        repair.apply(conn)
    if current is not None and current < _READS_APPOINTMENTS:
        _null_appointments(conn)
