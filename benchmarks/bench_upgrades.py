"""Upgrade time of every upgrade fixture (tests/upgrades/fixtures) to today's head:
the median of N fresh copies, timing only `migrate()` on the open encrypted file (the
passphrase's argon2id and Python's imports, Alembic's included, are left out). "first"
is the warm-up run of each fixture (cold page cache), not in the median.

    python benchmarks/bench_upgrades.py [--runs 5]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from branchdesk.bootstrap import DB_NAME  # noqa: E402  (after the path set-up)
from branchdesk.persistence.database import Database  # noqa: E402
from branchdesk.persistence.migrate import current_revision, head_revision, migrate  # noqa: E402
from tests.upgrades.snapshot import fixture_key  # noqa: E402

FIXTURES = ROOT / "tests" / "upgrades" / "fixtures"


def one(fixture: Path, key: bytes, scratch: Path) -> tuple[float, str | None, int]:
    target = scratch / fixture.name
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(fixture, target)
    db = Database(target / DB_NAME, key)
    try:
        with db.read() as conn:
            start_rev = current_revision(conn)
            cases = int(conn.exec_driver_sql("SELECT count(*) FROM cases").scalar_one())
        began = time.perf_counter()
        migrate(db)
        took = time.perf_counter() - began
    finally:
        db.close()
    return took, start_rev, cases


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"upgrade to head {head_revision()}, median of {args.runs} fresh copies")
    print(
        f"{'fixture':<15} {'from':>5} {'cases':>6} {'median ms':>10} {'min ms':>8} {'first ms':>9}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        for fixture in sorted(p for p in FIXTURES.iterdir() if (p / DB_NAME).exists()):
            key = fixture_key(fixture)
            first, _, _ = one(fixture, key, scratch)  # warms Alembic's import, the cache
            runs = [one(fixture, key, scratch) for _ in range(args.runs)]
            times = [t * 1000 for t, _, _ in runs]
            _, rev, cases = runs[0]
            print(
                f"{fixture.name:<15} {rev:>5} {cases:>6} "
                f"{statistics.median(times):>10.0f} {min(times):>8.0f} {first * 1000:>9.0f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
