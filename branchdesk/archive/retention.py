"""Retention: how long an archived case is kept (at least three years, per category),
and carrying out an approved purge or anonymisation.

Volumes are never edited in place. A purge rewrites each affected volume without the
purged records (anonymised records are rewritten without personal data and
documents) under a fresh data key, then commits in one transaction: the new volume,
the index rows moved to it, the tombstones, the old volume retired. The old file is
deleted after the commit; a crash before it leaves the old file (still named, as
retired) for the next run to delete, a crash before the commit leaves a new file no
row names, removed the same way.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select, update

from branchdesk.archive.keys import new_data_key, seal_to_recovery, unwrap_key, wrap_key
from branchdesk.archive.master import ArchiveKeys, current_master, master_by_id, recovery_public
from branchdesk.archive.volume import FORMAT_NAME, SUFFIX, VolumeWriter, read_entry
from branchdesk.domain.errors import DomainError
from branchdesk.persistence.schema import archive_entries, archive_volumes

#: The manual's floor (§2.5, §4.4.2): never less, whatever a setting says.
MIN_YEARS = 3
SETTING = "archive.retention_years"


def years_for(settings: Mapping[str, Any], category: str) -> int:
    """Years for `category` ("technical/network"): its own entry, else its parent's,
    else the default; never below the manual's three years."""
    table = settings.get(SETTING) or {}
    parent = category.split("/", 1)[0]
    value = table.get(category, table.get(parent, table.get("default", MIN_YEARS)))
    return max(MIN_YEARS, int(value))


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def retention_until(settings: Mapping[str, Any], category: str, archived_on: date) -> date:
    return add_years(archived_on, years_for(settings, category))


def volume_key(conn: Connection, keys: ArchiveKeys, volume_id: str) -> bytes:
    """A volume's data key through the master key that currently wraps it."""
    slot = conn.execute(
        select(archive_volumes.c.master_slot).where(archive_volumes.c.id == volume_id)
    ).scalar()
    if slot is None:
        raise DomainError("error.archive.volume_unknown", volume=volume_id)
    master = master_by_id(conn, keys, str(slot["key_id"]))
    return unwrap_key(master, slot, context=f"volume:{volume_id}")


def anonymised(record: Mapping[str, Any]) -> dict[str, Any]:
    """The record without the customer's identity, free text or documents: what is
    left serves statistics (kind, category, dates, the course of the case)."""
    case = dict(record["case"])
    case["customer"] = {
        "name": None,
        "phone": None,
        "id_number": None,
        "service_number": None,
        "address": None,
    }
    for name in ("description", "remedy", "event_place"):
        case[name] = None
    events = []
    for e in record["events"]:
        payload = {k: v for k, v in e["payload"].items() if k not in ("customer", "description")}
        events.append({**e, "payload": payload})
    return {**record, "case": case, "events": events, "documents": [], "anonymised": True}


def rewrite_volume(
    ctx_now: datetime,
    conn: Connection,
    keys: ArchiveKeys,
    folder: Path,
    volume_id: str,
    changes: Mapping[int, str],
    *,
    branch: str,
) -> tuple[str | None, Path, list[dict[str, Any]]]:
    """Write the replacement of `volume_id` with `changes` (case id → "purge" |
    "anonymise") applied. Returns the new volume id (None when nothing remains), the
    old file, and the index updates to commit. Reads inside `conn` (a write
    transaction, so nothing moves meanwhile)."""
    old = (
        conn.execute(select(archive_volumes).where(archive_volumes.c.id == volume_id))
        .mappings()
        .one()
    )
    old_key = volume_key(conn, keys, volume_id)
    old_path = folder / str(old["file"])
    entries = conn.execute(
        select(archive_entries.c.case_id, archive_entries.c.entry_offset)
        .where(archive_entries.c.volume_id == volume_id)
        .order_by(archive_entries.c.entry_offset)
    ).all()
    keep = [
        (int(e.case_id), int(e.entry_offset))
        for e in entries
        if changes.get(int(e.case_id)) != "purge"
    ]
    if not keep:
        return None, old_path, []
    rk = recovery_public(conn)
    assert rk is not None
    new_id = str(uuid.uuid4())
    dek = new_data_key()
    header = {
        "format": FORMAT_NAME,
        "volume_id": new_id,
        "branch": branch,
        "created_at": ctx_now.isoformat(),
        "cipher": "AES-256-GCM",
        "compression": "zlib",
        "record_format": "branchdesk.case-record/1",
        "cases": len(keep),
        "replaces": volume_id,
        "key_slots": [
            {"type": "recovery", **seal_to_recovery(rk[1], dek, context=f"volume:{new_id}")}
        ],
    }
    final = folder / f"{new_id}{SUFFIX}"
    writer = VolumeWriter(final, header, dek)
    updates = []
    try:
        for case_id, offset in keep:
            record = read_entry(old_path, old_key, offset)
            if changes.get(case_id) == "anonymise":
                record = anonymised(record)
            written = writer.add(record)
            updates.append(
                {
                    "case_id": case_id,
                    "volume_id": new_id,
                    "entry_offset": written.offset,
                    "entry_length": written.length,
                }
            )
        sealed = writer.finish()
    except BaseException:
        writer.abort()
        raise
    key_id, master = current_master(conn, keys)
    conn.execute(
        insert(archive_volumes).values(
            id=new_id,
            file=final.name,
            created_at=ctx_now,
            cases=len(keep),
            bytes=sealed.size,
            sha256=sealed.sha256,
            master_slot=wrap_key(master, key_id, dek, context=f"volume:{new_id}"),
            recovery_key_id=rk[0],
            status="active",
        )
    )
    return new_id, old_path, updates


def retire(conn: Connection, volume_id: str, at: datetime) -> None:
    conn.execute(
        update(archive_volumes)
        .where(archive_volumes.c.id == volume_id)
        .values(status="retired", retired_at=at)
    )


def apply_updates(conn: Connection, updates: list[dict[str, Any]]) -> None:
    for u in updates:
        conn.execute(
            update(archive_entries)
            .where(archive_entries.c.case_id == u["case_id"])
            .values(
                volume_id=u["volume_id"],
                entry_offset=u["entry_offset"],
                entry_length=u["entry_length"],
            )
        )
