"""Request rate limits, kept in HQ's database so that every HQ process shares them:
the worker processes of `serve --workers N`, and several machines behind a load
balancer on one PostgreSQL. (They were kept per process, so N workers let a client
make N times its limit.)

A key (a device, or the address of a caller without a credential yet) may make
`burst` requests in a window of `burst / rate` seconds, which starts at its first
request after the previous window ended: 60 requests per 3 s by default, 20/s on
average. Each check is one atomic statement (INSERT … ON CONFLICT DO UPDATE …
RETURNING: PostgreSQL locks the row, SQLite has one writer), so two processes never
both take the last request of a window."""

from __future__ import annotations

import itertools
import time

from sqlalchemy import Engine, case, delete, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from sync.server.tables import rate_limits

#: Every this many checks a process deletes the windows that are over.
_SWEEP_EVERY = 1000


class RateLimiter:
    def __init__(self, engine: Engine, rate: float, burst: float) -> None:
        self.engine = engine
        self.rate = rate
        self.limit = max(1, int(burst))
        self.window = self.limit / rate if rate > 0 else 0.0
        self._checks = itertools.count(1)

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
            if next(self._checks) % _SWEEP_EVERY == 0:
                conn.execute(delete(rate_limits).where(over))
        if count <= self.limit:
            return 0.0
        return max(0.001, float(start) + self.window - now)
