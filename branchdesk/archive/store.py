"""Moving approved (archived) cases out of the live database into sealed volumes, so
that at every instant each case is either live or archived, never lost and never both.

One volume at a time:
1. read the cases (unmasked), render their documents, write the volume to
   `<id>.bdav.partial`, fsync, rename to `<id>.bdav`, fsync the folder;
2. one database transaction: the volume row, an index row per case, an audit entry
   per case, and the case's live rows removed (events, milestones, search entries,
   outbox rows HQ has acknowledged); the `cases` row stays as a stub carrying the
   number and archive number, because the audit trail refers to it.

The commit is the single moment a case changes home. A crash before it leaves a
volume file no database row names: the next run deletes it, and the cases are still
live. A crash after it leaves the cases archived. A case is only moved when every one
of its outbox rows has been sent to HQ (sync must never lose an event); rows that
must stay for sync's sequence numbering are pruned by a later run.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select, text

from branchdesk.archive.keys import ArchiveKeyError, new_data_key, seal_to_recovery, wrap_key
from branchdesk.archive.master import ArchiveKeys, current_master, recovery_public
from branchdesk.archive.record import Renderer, RenderSetup, case_record, render_many
from branchdesk.archive.retention import retention_until
from branchdesk.archive.volume import FORMAT_NAME, SUFFIX, VolumeWriter
from branchdesk.documents import Letterhead
from branchdesk.i18n import resolve_language
from branchdesk.persistence.schema import archive_entries, archive_volumes, cases, staff
from branchdesk.services.branch import branch_logo, read_settings
from branchdesk.services.cases import CaseView, view_in
from branchdesk.services.context import ServiceContext
from branchdesk.services.recording import write_audit

#: Tests set this to a crash point's name: the process kills itself there (kill -9).
ENV_CRASH = "BRANCHDESK_ARCHIVE_CRASH_AT"
VOLUME_CASES = 1000

Progress = Callable[[int, int], bool]


def crash_point(name: str) -> None:
    if os.environ.get(ENV_CRASH) == name:
        os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))


def archive_dir(ctx: ServiceContext) -> Path:
    path = ctx.db.path.parent / "archive"
    path.mkdir(exist_ok=True)
    return path


@contextlib.contextmanager
def archive_lock(ctx: ServiceContext) -> Iterator[None]:
    """One archiving process at a time per installation (a second one waits)."""
    lock_path = archive_dir(ctx) / ".lock"
    with open(lock_path, "a+b") as f:
        if sys.platform == "win32":  # pragma: no cover - Windows
            import msvcrt

            msvcrt.locking(f.fileno(), msvcrt.LK_LOCK, 1)
        else:
            import fcntl

            fcntl.flock(f.fileno(), fcntl.LOCK_EX)
        yield


def remove_orphans(ctx: ServiceContext) -> list[str]:
    """Volume files no committed row names as active: written before a crash that came
    before the commit (their cases are still live), or replaced by a committed purge.
    Called under the lock."""
    folder = archive_dir(ctx)
    with ctx.db.read() as conn:
        known = set(
            conn.execute(
                select(archive_volumes.c.file).where(archive_volumes.c.status == "active")
            ).scalars()
        )
    removed = []
    for path in folder.iterdir():
        if path.name.endswith(".partial") or (path.suffix == SUFFIX and path.name not in known):
            path.unlink()
            removed.append(path.name)
    return removed


_UNSENT = (
    "SELECT 1 FROM outbox o JOIN case_events e ON e.id = o.event_id "
    "WHERE e.case_id = c.id AND o.sent_at IS NULL"
)


def sealable_ids(conn: Connection, limit: int | None = None) -> list[int]:
    """Archived cases still in the live database whose events HQ has all received."""
    sql = (
        "SELECT c.id FROM cases c WHERE c.state = 'archived' "
        "AND NOT EXISTS (SELECT 1 FROM archive_entries a WHERE a.case_id = c.id) "
        f"AND NOT EXISTS ({_UNSENT}) ORDER BY c.id"
    )
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return [int(x) for x in conn.exec_driver_sql(sql).scalars()]


def waiting_for_sync(conn: Connection) -> int:
    sql = (
        "SELECT count(*) FROM cases c WHERE c.state = 'archived' "
        "AND NOT EXISTS (SELECT 1 FROM archive_entries a WHERE a.case_id = c.id) "
        f"AND EXISTS ({_UNSENT})"
    )
    return int(conn.exec_driver_sql(sql).scalar_one())


def remove_live_rows(conn: Connection, case_id: int) -> None:
    """The case's live rows, once its index row exists (the events' delete guard lets
    them go only then). Outbox rows go only when sent, never the newest one (sync
    numbers the next event after it) and only in an epoch whose start HQ recorded."""
    p = {"id": case_id}
    conn.execute(text("DELETE FROM case_milestones WHERE case_id = :id"), p)
    conn.execute(text("DELETE FROM case_search WHERE rowid = :id"), p)
    conn.execute(text("DELETE FROM case_grams WHERE rowid = :id"), p)
    conn.execute(
        text(
            "DELETE FROM outbox WHERE event_id IN (SELECT id FROM case_events WHERE case_id = :id)"
            " AND sent_at IS NOT NULL AND seq < (SELECT max(seq) FROM outbox)"
            " AND device_epoch IN (SELECT epoch FROM sync_epochs)"
        ),
        p,
    )
    conn.execute(
        text(
            "DELETE FROM case_events WHERE case_id = :id"
            " AND id NOT IN (SELECT event_id FROM outbox)"
        ),
        p,
    )
    conn.execute(
        text(
            "UPDATE cases SET customer_name = '', customer_phone = '', customer_id_number = NULL,"
            " service_number = NULL, customer_address = NULL, summary = '', description = '',"
            " remedy = '', event_place = NULL, appointment = NULL, next_due_at = NULL,"
            " next_milestone = NULL WHERE id = :id"
        ),
        p,
    )


def prune_residue(ctx: ServiceContext) -> int:
    """Rows an earlier move had to leave for sync, removed now that they may go."""
    with ctx.db.write() as conn:
        ids = (
            conn.exec_driver_sql(
                "SELECT DISTINCT e.case_id FROM case_events e JOIN archive_entries a"
                " ON a.case_id = e.case_id"
            )
            .scalars()
            .all()
        )
        for case_id in ids:
            remove_live_rows(conn, int(case_id))
    return len(ids)


@dataclass(frozen=True)
class SealResult:
    sealed: int
    volumes: tuple[str, ...]
    skipped: int
    waiting_for_sync: int
    orphans_removed: int
    cancelled: bool = False


@dataclass(frozen=True)
class _Loaded:
    views: list[CaseView]
    versions: dict[int, int]
    closed_at: dict[int, datetime | None]
    setup: RenderSetup
    branch_name: str


def _load(ctx: ServiceContext, ids: list[int], actor_name: str) -> _Loaded:
    with ctx.db.read() as conn:
        s = read_settings(conn)
        names = {r.staff_no: r.name for r in conn.execute(select(staff.c.staff_no, staff.c.name))}
        views = [view_in(ctx, conn, i, viewer=None) for i in ids]
    letterhead = Letterhead(
        name=str(s.get("branch.name", "")),
        address=str(s.get("branch.address", "")),
        phone=str(s.get("branch.phone", "")),
        logo_png=branch_logo(s),
    )
    setup = RenderSetup(
        letterhead=letterhead,
        lang=resolve_language(str(s.get("branch.language", "zh_CN"))),
        catalogue=ctx.catalogue,
        tz=ctx.tz,
        staff=names,
        printed_at=ctx.now(),
        printed_by=actor_name,
    )
    closed = {v.id: max((e.at for e in v.events if e.kind == "close"), default=None) for v in views}
    return _Loaded(
        views, {v.id: v.case.version for v in views}, closed, setup, str(s.get("branch.name", ""))
    )


def _entry_row(
    view: CaseView,
    volume_id: str,
    written: Any,
    closed: datetime | None,
    archived_at: datetime,
    until: date,
) -> dict[str, Any]:
    c = view.case
    return {
        "case_id": view.id,
        "archive_no": c.archive_no,
        "case_number": c.number,
        "volume_id": volume_id,
        "entry_offset": written.offset,
        "entry_length": written.length,
        "kind": c.kind.value,
        "category": c.category,
        "business": c.business,
        "customer_name": c.customer_name,
        "customer_phone": c.customer_phone,
        "service_number": c.service_number,
        "received_at": c.received_at,
        "closed_at": closed,
        "archived_at": archived_at,
        "retention_until": until.isoformat(),
        "status": "stored",
    }


def seal_batch(
    ctx: ServiceContext,
    keys: ArchiveKeys,
    ids: list[int],
    *,
    actor: str,
    actor_name: str,
    workers: int = 1,
    prepared: tuple[_Loaded, Callable[[], list[list[tuple[str, bytes]]]]] | None = None,
) -> tuple[str | None, int, int]:
    """Seal cases `ids` into one new volume. Returns (volume id, sealed, skipped):
    cases that changed while the volume was written are left live for the next run.
    `prepared`: the cases already read and their documents under way (`seal_pending`
    renders the next volume while this one is written)."""
    with ctx.db.read() as conn:
        rk = recovery_public(conn)
        s = read_settings(conn)
    if rk is None:
        raise ArchiveKeyError("error.archive.no_recovery_key")
    rk_id, rk_public = rk
    if prepared is None:
        loaded = _load(ctx, ids, actor_name)
        documents = render_many(loaded.views, loaded.setup, workers=workers)
    else:
        loaded, rendered = prepared
        documents = rendered()
    volume_id = str(uuid.uuid4())
    dek = new_data_key()
    archived_at = ctx.now()
    header = {
        "format": FORMAT_NAME,
        "volume_id": volume_id,
        "branch": ctx.branch_code,
        "created_at": archived_at.isoformat(),
        "cipher": "AES-256-GCM",
        "compression": "zlib",
        "record_format": "branchdesk.case-record/1",
        "cases": len(ids),
        "key_slots": [
            {"type": "recovery", **seal_to_recovery(rk_public, dek, context=f"volume:{volume_id}")}
        ],
    }
    final = archive_dir(ctx) / f"{volume_id}{SUFFIX}"
    writer = VolumeWriter(final, header, dek)
    rows = []
    try:
        for view, docs in zip(loaded.views, documents, strict=True):
            until = retention_until(s, view.case.category, archived_at.astimezone(ctx.tz).date())
            record = case_record(
                view,
                branch_code=ctx.branch_code,
                branch_name=loaded.branch_name,
                staff=loaded.setup.staff,
                archived_at=archived_at,
                retention_until=until,
                documents=docs,
            )
            written = writer.add(record)
            rows.append(
                _entry_row(view, volume_id, written, loaded.closed_at[view.id], archived_at, until)
            )
        crash_point("volume_written")
        sealed = writer.finish()
    except BaseException:
        writer.abort()
        raise
    crash_point("volume_renamed")
    try:
        with ctx.db.write() as conn:
            changed = _changed(conn, loaded.versions)
            if changed:
                raise _Changed(len(changed))
            key_id, master = current_master(conn, keys)
            conn.execute(
                insert(archive_volumes).values(
                    id=volume_id,
                    file=final.name,
                    created_at=archived_at,
                    cases=len(rows),
                    bytes=sealed.size,
                    sha256=sealed.sha256,
                    master_slot=wrap_key(master, key_id, dek, context=f"volume:{volume_id}"),
                    recovery_key_id=rk_id,
                    status="active",
                )
            )
            conn.execute(insert(archive_entries), rows)
            for row in rows:
                remove_live_rows(conn, row["case_id"])
                write_audit(
                    ctx,
                    conn,
                    actor=actor,
                    action="archive.store",
                    case_id=row["case_id"],
                    detail={"archive_no": row["archive_no"], "volume": volume_id},
                )
            crash_point("before_commit")
    except _Changed as exc:
        final.unlink(missing_ok=True)
        return None, 0, exc.count
    except BaseException:
        # Not committed: the cases are live, the file must not stay behind.
        final.unlink(missing_ok=True)
        raise
    crash_point("committed")
    return volume_id, len(rows), 0


class _Changed(Exception):
    def __init__(self, count: int) -> None:
        super().__init__(count)
        self.count = count


def _changed(conn: Connection, versions: dict[int, int]) -> list[int]:
    """Cases that were written to (or moved, or got unsent events) since they were read."""
    ids = list(versions)
    current = {
        int(r.id): int(r.version)
        for r in conn.execute(select(cases.c.id, cases.c.version).where(cases.c.id.in_(ids)))
    }
    still = set(sealable_ids_among(conn, ids))
    return [i for i in ids if current.get(i) != versions[i] or i not in still]


def sealable_ids_among(conn: Connection, ids: list[int]) -> list[int]:
    placeholders = ",".join(str(int(i)) for i in ids) or "NULL"
    sql = (
        f"SELECT c.id FROM cases c WHERE c.id IN ({placeholders}) AND c.state = 'archived' "
        "AND NOT EXISTS (SELECT 1 FROM archive_entries a WHERE a.case_id = c.id) "
        f"AND NOT EXISTS ({_UNSENT})"
    )
    return [int(x) for x in conn.exec_driver_sql(sql).scalars()]


def seal_pending(
    ctx: ServiceContext,
    keys: ArchiveKeys,
    *,
    actor: str,
    actor_name: str,
    per_volume: int = VOLUME_CASES,
    workers: int | None = None,
    progress: Progress | None = None,
) -> SealResult:
    """Seal every archived case that may leave the live database, a volume at a time;
    `progress(done, total)` returning False stops after the current volume."""
    workers = workers if workers is not None else min(os.cpu_count() or 1, 4)
    with archive_lock(ctx), Renderer(workers) as renderer:
        orphans = remove_orphans(ctx)
        prune_residue(ctx)
        with ctx.db.read() as conn:
            todo = sealable_ids(conn)
            waiting = waiting_for_sync(conn)
        batches = [todo[i : i + per_volume] for i in range(0, len(todo), per_volume)]

        def prepare(ids: list[int]) -> tuple[_Loaded, Callable[[], list[Any]]]:
            loaded = _load(ctx, ids, actor_name)
            return loaded, renderer.submit(loaded.views, loaded.setup)

        volumes: list[str] = []
        done = skipped = 0
        cancelled = False
        upcoming = prepare(batches[0]) if batches else None
        for n, ids in enumerate(batches):
            assert upcoming is not None
            current = upcoming
            # The processes render the next volume while this one is encrypted and
            # committed (the reading happens here, before the wait on this volume).
            upcoming = prepare(batches[n + 1]) if n + 1 < len(batches) else None
            volume, sealed, changed = seal_batch(
                ctx, keys, ids, actor=actor, actor_name=actor_name, prepared=current
            )
            if volume:
                volumes.append(volume)
            done += sealed
            skipped += changed
            position = n * per_volume + sealed + changed
            if progress is not None and not progress(position, len(todo)):
                cancelled = n + 1 < len(batches)
                break
    return SealResult(done, tuple(volumes), skipped, waiting, len(orphans), cancelled)
