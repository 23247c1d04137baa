"""What one rate-limit check costs HQ (`sync.server.ratelimit`): the median and 90th
percentile of `RateLimiter.take` over 500 checks for 40 devices, on PostgreSQL (a
schema of its own at 127.0.0.1:5432, dropped afterwards) and on a SQLite file.

    .venv/bin/python benchmarks/hq_rate_limit.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sync.server.database import create_hq_engine, migrate
from sync.server.ratelimit import RateLimiter

ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
CHECKS = 500


def measure(url: str) -> str:
    engine = create_hq_engine(url, pool_size=2)
    try:
        migrate(engine)
        limiter = RateLimiter(engine, 20, 60)
        times = []
        for i in range(CHECKS):
            started = time.perf_counter()
            limiter.take(f"device:{i % 40}")
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        return (
            f"{engine.dialect.name}: median {statistics.median(times):.2f} ms, "
            f"p90 {times[int(CHECKS * 0.9)]:.2f} ms"
        )
    finally:
        engine.dispose()


def main() -> None:
    schema = f"bd_rl_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        print(measure(f"{ADMIN}?options=-csearch_path%3D{schema}"))
    finally:
        with psycopg.connect(ADMIN, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
    with tempfile.TemporaryDirectory() as tmp:
        print(measure(str(Path(tmp) / "hq.sqlite3")))


if __name__ == "__main__":
    main()
