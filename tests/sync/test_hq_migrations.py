"""HQ's own schema history: a database made by an earlier HQ revision is brought to
the newest by `migrate` (as `serve` does on start) with nothing lost."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from alembic.config import Config
from sqlalchemy import insert, inspect, select

from sync.server.database import HQ_HEAD, MIGRATIONS, create_hq_engine, current_revision, migrate
from sync.server.ratelimit import RateLimiter
from sync.server.tables import branches


def test_a_database_of_the_first_revision_upgrades_with_nothing_lost(hq_db: str) -> None:
    engine = create_hq_engine(hq_db, pool_size=1)
    try:
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "hq0001")
            conn.execute(
                insert(branches).values(
                    code="GZ0012",
                    name="广州天河营业厅",
                    created_at=datetime(2026, 11, 30, tzinfo=UTC),
                    last_instruction_seq=3,
                    delivered_seq=2,
                )
            )
        with engine.connect() as conn:
            assert current_revision(conn) == "hq0001"
            assert not inspect(conn).has_table("hq_rate_limits")
        migrate(engine)
        with engine.connect() as conn:
            assert current_revision(conn) == HQ_HEAD == "hq0002"
            kept = conn.execute(select(branches.c.code, branches.c.name, branches.c.delivered_seq))
            assert kept.all() == [("GZ0012", "广州天河营业厅", 2)]
        limiter = RateLimiter(engine, rate=0.001, burst=2)  # 2 per 2,000 s
        assert [limiter.take("device:x") > 0 for _ in range(3)] == [False, False, True]
    finally:
        engine.dispose()
