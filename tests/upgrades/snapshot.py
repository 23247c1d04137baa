"""What an upgrade must keep: the rows of a branch database's record (cases, their
events, their milestones, the audit trail) read straight from the encrypted file, so the
fixture maker can write them down when a fixture is made by its own revision's code and
the upgrade matrix can compare them after the upgrade to head.

Values are kept as JSON can hold them (bytes as hex); rows are keyed by their rowid or
primary key so a later migration may add columns, never change or lose a kept one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import sqlcipher3.dbapi2 as sqlcipher

from branchdesk.secrets import KdfParams, derive_key

#: The passphrase every upgrade fixture's key is derived from (branchdesk.json keeps
#: the salt and argon2id parameters, as a passphrase-mode branch does).
PASSPHRASE = "upgrade-fixture-passphrase"
#: The staff account and password of every fixture's first administrator.
ADMIN_NO = "A001"
ADMIN_PASSWORD = "Upgrade#Fixture2026"

#: (table, key expression): the record an upgrade must carry over intact.
KEPT_TABLES = (
    ("cases", "id"),
    ("case_events", "id"),
    ("case_milestones", "case_id || '/' || milestone"),
    ("audit_log", "id"),
    ("staff", "id"),
    ("settings", "key"),
    ("outbox", "seq"),
    ("archive_entries", "case_id"),
    ("archive_volumes", "id"),
)


def fixture_key(data_dir: Path) -> bytes:
    config = json.loads((data_dir / "branchdesk.json").read_text(encoding="utf-8"))
    return derive_key(PASSPHRASE, KdfParams.from_json(config["kdf"]))


def _plain(value: Any) -> Any:
    return value.hex() if isinstance(value, bytes) else value


def _tables(cur: Any) -> set[str]:
    cur.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {str(row[0]) for row in cur.fetchall()}


def take(db_path: Path, key: bytes) -> dict[str, Any]:
    """Revision, every table's row count, and the kept tables' rows by key."""
    conn = sqlcipher.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        cur = conn.cursor()
        cur.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        tables = _tables(cur)
        cur.execute("SELECT version_num FROM alembic_version")
        revision = str(cur.fetchone()[0])
        counts: dict[str, int] = {}
        for name in sorted(tables):
            if name.startswith("sqlite_") or (
                "_" in name
                and name.rsplit("_", 1)[1]
                in (
                    "data",
                    "idx",
                    "docsize",
                    "config",
                    "content",
                )
            ):
                continue  # FTS5 shadow tables: internal to the index
            cur.execute(f'SELECT count(*) FROM "{name}"')
            counts[name] = int(cur.fetchone()[0])
        rows: dict[str, dict[str, dict[str, Any]]] = {}
        for table, key_expr in KEPT_TABLES:
            if table not in tables:
                continue
            cur.execute(f'SELECT {key_expr} AS k, * FROM "{table}" ORDER BY 1')
            names = [d[0] for d in cur.description][1:]
            rows[table] = {
                str(row[0]): {n: _plain(v) for n, v in zip(names, row[1:], strict=True)}
                for row in cur.fetchall()
            }
        return {"revision": revision, "counts": counts, "rows": rows}
    finally:
        conn.close()


#: (table, column) -> values that mean the same there. A case's missing appointment:
#: `case new` stored the JSON text 'null', the upgrade of a branch below 0009 makes it
#: SQL NULL (migrations/repairs.py); the code reads both as no appointment.
SAME = {("cases", "appointment"): {"null", None}}


def _same(table: str, column: str, old: Any, new: Any) -> bool:
    alike = SAME.get((table, column), set())
    return old == new or (old in alike and new in alike)


def lost_or_changed(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Every kept row or value of `before` that `after` lacks or holds differently."""
    problems: list[str] = []
    for table, rows in before["rows"].items():
        now = after["rows"].get(table)
        if now is None:
            problems.append(f"{table}: table gone")
            continue
        for key, row in rows.items():
            if key not in now:
                problems.append(f"{table}[{key}]: row lost")
                continue
            for column, value in row.items():
                if column not in now[key]:
                    problems.append(f"{table}[{key}].{column}: column gone")
                elif not _same(table, column, value, now[key][column]):
                    problems.append(
                        f"{table}[{key}].{column}: {value!r} became {now[key][column]!r}"
                    )
    return problems
