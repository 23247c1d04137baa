"""Upkeep the database needs but a clerk's save should not wait for: merging the
full-text index segments (automatic merging is off, migration 0003) and checkpointing
the write-ahead log. Run in small steps when the application is idle (the desktop does
it every half minute on its database worker; the command line after each write
command), each step bounded so it never holds the writer for long.
"""

from __future__ import annotations

import time

from branchdesk.persistence.database import Database

FTS_INDEXES = ("case_search", "case_grams")
#: Pages one merge step may write; a few milliseconds of work.
MERGE_PAGES = 200


def merge_indexes(db: Database, *, budget_s: float = 0.05) -> int:
    """Merge full-text segments in small steps until there is nothing left to merge or
    the time budget is spent. Returns the number of steps taken."""
    steps = 0
    deadline = time.perf_counter() + budget_s
    for index in FTS_INDEXES:
        while time.perf_counter() < deadline:
            with db.write() as conn:
                before = conn.exec_driver_sql("SELECT total_changes()").scalar_one()
                conn.exec_driver_sql(
                    f"INSERT INTO {index}({index}, rank) VALUES ('merge', {MERGE_PAGES})"
                )
                written = conn.exec_driver_sql("SELECT total_changes()").scalar_one() - before
            steps += 1
            # 'merge' reports work done through the change counter: a step that changed
            # (almost) nothing means the index is merged as far as it goes.
            if written <= 1:
                break
    return steps


def checkpoint(db: Database) -> None:
    """Copy the write-ahead log into the database without waiting for readers."""
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")


def maintain(db: Database, *, budget_s: float = 0.05) -> None:
    merge_indexes(db, budget_s=budget_s)
    checkpoint(db)
