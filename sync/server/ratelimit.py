"""Request rate limits, kept in HQ's database so that every HQ process shares them:
the worker processes of `serve --workers N`, and several machines behind a load
balancer on one PostgreSQL. (They were kept per process, so N workers let a client
make N times its limit.)

A key (a device, or the address of a caller without a credential yet) may make
`burst` requests in a window of `burst / rate` seconds, which starts at its first
request after the previous window ended: 60 requests per 3 s by default, 20/s on
average. Each check is one atomic statement (INSERT … ON CONFLICT DO UPDATE …
RETURNING: PostgreSQL locks the row, SQLite has one writer), so two processes never
both take the last request of a window.

The windows that are over are deleted by each process at most every
`sweep_seconds`, in a short transaction of its own, a bounded number at a time: on
PostgreSQL only rows nobody holds (`FOR UPDATE SKIP LOCKED`), so two processes
sweeping at once never wait for each other. (The sweep ran inside a request's own
transaction, holding that request's row: two sweeping processes could deadlock.)"""

from __future__ import annotations

import threading
import time

from sqlalchemy import Engine, case, delete, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from sync.server.tables import rate_limits

#: How often (at most) a process deletes the windows that are over, and how many
#: rows one sweep deletes at most.
SWEEP_SECONDS = 60.0
SWEEP_ROWS = 1000


class RateLimiter:
    def __init__(
        self,
        engine: Engine,
        rate: float,
        burst: float,
        *,
        sweep_seconds: float = SWEEP_SECONDS,
        sweep_rows: int = SWEEP_ROWS,
    ) -> None:
        self.engine = engine
        self.rate = rate
        self.limit = max(1, int(burst))
        self.window = self.limit / rate if rate > 0 else 0.0
        self.sweep_seconds = sweep_seconds
        self.sweep_rows = sweep_rows
        self._swept_at = time.monotonic()
        self._sweeping = threading.Lock()

    def waiting(self, key: str) -> float:
        """Like `take`, without counting a request: 0 if the key has requests left in
        its window, else the seconds until the window ends. (For failures counted
        only when they happen: a wrong credential, by the caller's address.)"""
        if self.rate <= 0:
            return 0.0
        now = time.time()
        with self.engine.connect() as conn:
            row = conn.execute(
                select(rate_limits.c.count, rate_limits.c.window_start).where(
                    rate_limits.c.key == key
                )
            ).first()
        if row is None:
            return 0.0
        count, start = int(row[0]), float(row[1])
        if count < self.limit or start <= now - self.window:
            return 0.0
        return max(0.001, start + self.window - now)

    def take(self, key: str) -> float:
        """0 if the request may go ahead, else the seconds to wait before retrying."""
        if self.rate <= 0:
            return 0.0
        now = time.time()
        over = rate_limits.c.window_start <= now - self.window
        insert = pg_insert if self.engine.dialect.name == "postgresql" else sqlite_insert
        statement = (
            insert(rate_limits)
            .values(key=key, window_start=now, count=1)
            .on_conflict_do_update(
                index_elements=[rate_limits.c.key],
                # Both expressions read the row as it was before this statement.
                set_={
                    "count": case((over, 1), else_=rate_limits.c.count + 1),
                    "window_start": case((over, now), else_=rate_limits.c.window_start),
                },
            )
            .returning(rate_limits.c.count, rate_limits.c.window_start)
        )
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # A count lost in a crash costs nothing: do not wait for the WAL flush.
                conn.execute(text("SET LOCAL synchronous_commit TO OFF"))
            count, start = conn.execute(statement).one()
        self._sweep_if_due()
        if count <= self.limit:
            return 0.0
        return max(0.001, float(start) + self.window - now)

    def _sweep_if_due(self) -> None:
        if time.monotonic() - self._swept_at < self.sweep_seconds:
            return
        if not self._sweeping.acquire(blocking=False):
            return  # another thread of this process is sweeping
        try:
            self._swept_at = time.monotonic()
            self.sweep()
        finally:
            self._sweeping.release()

    def sweep(self) -> int:
        """Delete up to `sweep_rows` windows that are over; the number deleted."""
        over = rate_limits.c.window_start <= time.time() - self.window
        with self.engine.begin() as conn:
            keys = select(rate_limits.c.key).where(over).limit(self.sweep_rows)
            if conn.dialect.name == "postgresql":
                conn.execute(text("SET LOCAL synchronous_commit TO OFF"))
                # Rows another process holds (counting a request) are left for later.
                keys = keys.with_for_update(skip_locked=True)
            # The row is judged again: a request may have started a new window since.
            done = conn.execute(delete(rate_limits).where(rate_limits.c.key.in_(keys), over))
        return int(done.rowcount)
