"""Verifying the archive: every active volume's file checksum, every entry's
authentication tag, order and trailer, and that the index agrees with the volumes.
A problem names the volume file and the place (header, entry n at offset x, trailer)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select

from branchdesk.archive.master import ArchiveKeys
from branchdesk.archive.retention import volume_key
from branchdesk.archive.volume import VolumeError, verify_volume
from branchdesk.domain.errors import DomainError
from branchdesk.persistence.schema import archive_entries, archive_volumes
from branchdesk.services.context import ServiceContext

Progress = Callable[[int, int], bool]


@dataclass(frozen=True)
class Problem:
    volume: str
    key: str
    params: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class ArchiveReport:
    volumes: int
    entries: int
    bytes: int
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def file_sha256(path: object) -> str:
    h = hashlib.sha256()
    with open(str(path), "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def verify_volumes(
    ctx: ServiceContext, keys: ArchiveKeys, *, progress: Progress | None = None
) -> ArchiveReport:
    from branchdesk.archive.store import archive_dir

    folder = archive_dir(ctx)
    with ctx.db.read() as conn:
        volumes = (
            conn.execute(
                select(archive_volumes)
                .where(archive_volumes.c.status == "active")
                .order_by(archive_volumes.c.created_at)
            )
            .mappings()
            .all()
        )
        offsets: dict[str, set[int]] = {}
        for r in conn.execute(
            select(archive_entries.c.volume_id, archive_entries.c.entry_offset).where(
                archive_entries.c.volume_id.is_not(None)
            )
        ):
            offsets.setdefault(str(r.volume_id), set()).add(int(r.entry_offset))
        data_keys = {}
        problems: list[Problem] = []
        for v in volumes:
            try:
                data_keys[v["id"]] = volume_key(conn, keys, str(v["id"]))
            except DomainError as exc:
                problems.append(Problem(str(v["file"]), exc.key, exc.params))
    entries = total = 0
    for n, v in enumerate(volumes, start=1):
        path = folder / str(v["file"])
        if v["id"] not in data_keys:
            continue
        try:
            checked = verify_volume(path, data_keys[v["id"]])
        except VolumeError as exc:
            problems.append(Problem(path.name, exc.key, exc.params))
            continue
        entries += checked.entries
        total += checked.size
        if checked.entries != v["cases"] or not offsets.get(str(v["id"]), set()) <= set(
            checked.offsets
        ):
            problems.append(
                Problem(path.name, "error.archive.index_mismatch", {"volume": path.name})
            )
        if progress is not None and not progress(n, len(volumes)):
            break
    return ArchiveReport(len(volumes), entries, total, tuple(problems))
