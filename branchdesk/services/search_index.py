"""Rebuilding the full-text search indexes from the cases themselves: for an index
damaged by a disk problem or left behind by an interrupted restore. One transaction:
cancelled or failed, the old indexes stay exactly as they were."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, text

from branchdesk.domain.errors import DomainError
from branchdesk.services.access import authorize
from branchdesk.services.context import ServiceContext
from branchdesk.services.recording import short_tokens, write_audit

CHUNK = 5000

Progress = Callable[[int, int], bool]  # (done, total) -> keep going?


class Cancelled(DomainError):
    """The person stopped the work; nothing was changed."""


def _notes(conn: Connection, first: int, last: int) -> dict[int, list[str]]:
    """The note texts of cases first..last, in the order they were written."""
    found: dict[int, list[str]] = defaultdict(list)
    rows = conn.execute(
        text(
            "SELECT case_id, json_extract(payload, '$.text') FROM case_events "
            "WHERE kind = 'add_note' AND case_id BETWEEN :first AND :last "
            "ORDER BY case_id, seq"
        ),
        {"first": first, "last": last},
    )
    for case_id, note in rows:
        found[int(case_id)].append(str(note))
    return found


def rebuild_search_index(
    ctx: ServiceContext, *, actor: str, progress: Progress | None = None
) -> int:
    """Fill both search indexes anew from every case (and its notes), as the services
    would have written them. Returns the number of cases indexed; raises Cancelled if
    `progress` returned False (nothing changed then)."""
    with ctx.db.write() as conn:
        authorize(ctx, conn, actor, "branch.maintenance")
        total = int(conn.execute(text("SELECT count(*) FROM cases")).scalar_one())
        conn.execute(text("DELETE FROM case_search"))
        conn.execute(text("INSERT INTO case_grams(case_grams) VALUES ('delete-all')"))
        done = 0
        last_id = 0
        while True:
            rows: Sequence[Any] = conn.execute(
                text(
                    "SELECT id, number, customer_name, customer_phone, service_number, summary,"
                    " description, remedy, event_place FROM cases WHERE id > :after"
                    " ORDER BY id LIMIT :n"
                ),
                {"after": last_id, "n": CHUNK},
            ).all()
            if not rows:
                break
            notes = _notes(conn, rows[0].id, rows[-1].id)
            search_rows = []
            gram_rows = []
            for r in rows:
                body = " ".join(
                    part
                    for part in (
                        r.summary,
                        r.description,
                        r.remedy,
                        r.event_place,
                        *notes.get(r.id, ()),
                    )
                    if part
                )
                phones = f"{r.customer_phone} {r.service_number or ''}".strip()
                search_rows.append(
                    {
                        "id": r.id,
                        "number": r.number,
                        "customer": r.customer_name,
                        "phones": phones,
                        "body": body,
                    }
                )
                gram_rows.append({"id": r.id, "tokens": short_tokens(r.customer_name, r.summary)})
            conn.execute(
                text(
                    "INSERT INTO case_search(rowid, number, customer, phones, body)"
                    " VALUES (:id, :number, :customer, :phones, :body)"
                ),
                search_rows,
            )
            conn.execute(
                text("INSERT INTO case_grams(rowid, tokens) VALUES (:id, :tokens)"), gram_rows
            )
            done += len(rows)
            last_id = rows[-1].id
            if progress is not None and not progress(done, total):
                raise Cancelled("error.cancelled")
        conn.execute(text("INSERT INTO case_search(case_search) VALUES ('optimize')"))
        conn.execute(text("INSERT INTO case_grams(case_grams) VALUES ('optimize')"))
        write_audit(
            ctx, conn, actor=actor, action="search.rebuild", case_id=None, detail={"cases": done}
        )
    return done
