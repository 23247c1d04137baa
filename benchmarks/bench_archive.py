"""P7: archive and encrypt closed cases; verify an archive; volume size per 1,000 cases.

A fresh passphrase-mode demo branch (the demo generator's realistic cases; most of
them reach "archived" with their archive number, i.e. approved and waiting to be
sealed) in a temporary folder. Measured, once each (a run is minutes long):
- sealing approved cases into volumes (`seal_pending`): records, the three documents
  rendered per case on every core, the next volume's while this one is written,
  AES-256-GCM, fsync, and the commit that moves them out of the
  live database; and separately the same work without rendering (documents reused);
- `verify` over all volumes (every entry authenticated), as MB/s;
- bytes of volume per 1,000 cases.

    .venv/bin/python benchmarks/bench_archive.py [cases]     # default 10,000 sealed
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from branchdesk.archive import record as archive_record
from branchdesk.archive.master import archive_keys
from branchdesk.archive.verify import verify_volumes
from branchdesk.bootstrap import initialise
from branchdesk.services import archiving, demo

PASSPHRASE = "bench-passphrase-2026"


def main() -> None:
    target = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "branch"
        ctx, _ = initialise(
            data_dir,
            branch_code="GZ0012",
            branch_name="广州天河营业厅",
            admin_no="A001",
            admin_name="管理员",
            admin_password="Counter#2026",
            passphrase=PASSPHRASE,
            use_keyring=False,
        )
        archiving.issue_recovery_key(ctx, actor="A001")
        keys = archive_keys(data_dir, passphrase=PASSPHRASE)
        # Roughly 80% of demo cases end archived; generate until there are enough.
        start = time.perf_counter()
        demo.generate_demo(
            ctx, cases=int(target * 1.3), actor="A001", staff_password="Counter#2026"
        )
        with ctx.db.read() as conn:
            approved = conn.exec_driver_sql(
                "SELECT count(*) FROM cases WHERE state = 'archived'"
            ).scalar_one()
        print(f"demo: {approved:,} approved cases in {time.perf_counter() - start:.1f} s")
        per_volume = 1000
        half = min(approved, target) // 2 // per_volume * per_volume or min(approved, target) // 2

        # 1. With documents rendered (the real thing), on every core.
        from branchdesk.archive import store

        with ctx.db.read() as conn:
            ids = store.sealable_ids(conn, limit=half)
        # The real path (seal_pending: documents of the next volume rendered on the
        # worker processes while this one is encrypted and committed), on `half` cases.
        every = store.sealable_ids
        store.sealable_ids = lambda conn, limit=None: every(conn, limit=half)  # type: ignore[assignment]
        t0 = time.perf_counter()
        result = store.seal_pending(
            ctx,
            keys,
            actor="A001",
            actor_name="管理员",
            per_volume=per_volume,
            workers=os.cpu_count() or 1,
        )
        store.sealable_ids = every  # type: ignore[assignment]
        assert result.sealed == len(ids), result
        full = time.perf_counter() - t0
        print(
            f"seal with documents: {len(ids):,} cases in {full:.1f} s "
            f"({full / len(ids) * 1000:.1f} ms/case;"
            f" 10,000 cases ≈ {full / len(ids) * 10000:.0f} s)"
        )

        # 2. Without rendering: one set of documents reused, to separate the cost.
        sample = archive_record.render_archive_documents
        cached: list[tuple[str, bytes]] = []

        def reuse(view, setup):  # type: ignore[no-untyped-def]
            if not cached:
                cached.extend(sample(view, setup))
            return list(cached)

        archive_record.render_archive_documents = reuse  # type: ignore[assignment]
        archive_record.render_many = lambda views, setup, workers: [reuse(v, setup) for v in views]  # type: ignore[assignment]
        store.render_many = archive_record.render_many  # type: ignore[attr-defined]
        with ctx.db.read() as conn:
            ids2 = store.sealable_ids(conn, limit=min(approved, target) - len(ids))
        t0 = time.perf_counter()
        for s in range(0, len(ids2), per_volume):
            store.seal_batch(
                ctx, keys, ids2[s : s + per_volume], actor="A001", actor_name="管理员", workers=1
            )
        bare = time.perf_counter() - t0
        print(
            f"seal without rendering: {len(ids2):,} cases in {bare:.1f} s "
            f"({bare / max(1, len(ids2)) * 1000:.2f} ms/case)"
        )

        folder = data_dir / "archive"
        sizes = [p.stat().st_size for p in folder.glob("*.bdav")]
        with ctx.db.read() as conn:
            rows = conn.exec_driver_sql("SELECT cases, bytes FROM archive_volumes").all()
        first = [b / c * 1000 for c, b in rows[: max(1, len(ids) // per_volume)]]
        print(
            f"volumes: {len(sizes)}, {sum(sizes) / 1e6:.1f} MB; "
            f"with documents {sum(first) / len(first) / 1e6:.1f} MB per 1,000 cases"
        )
        t0 = time.perf_counter()
        report = verify_volumes(ctx, keys)
        took = time.perf_counter() - t0
        assert report.ok, report.problems
        print(
            f"verify: {report.bytes / 1e6:.1f} MB, {report.entries:,} entries in {took:.2f} s "
            f"= {report.bytes / 1e6 / took:.0f} MB/s"
        )
        ctx.db.close()


if __name__ == "__main__":
    main()
