"""HQ sync benchmarks: P8 (a branch pushes 10,000 pending events to an HQ on this
machine), P9 (HQ ingest end to end from many simulated branches at once on
PostgreSQL, against a raw COPY of the same rows in the same run) and the bytes on the
wire per event for zstd, gzip and no compression.

    .venv/bin/python benchmarks/sync_bench.py [--events 10000] [--branches 40] [--repeat 5]

Needs PostgreSQL at 127.0.0.1:5432 (database `test`); every run works in a schema of
its own and drops it afterwards. Events are real case events of the demo generator
(Chinese names, phone numbers, categories, histories), put in the outbox as the
services would.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import keyring
import psycopg
from keyring.backend import KeyringBackend
from sqlalchemy import insert, select, update

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from branchdesk.bootstrap import initialise
from branchdesk.persistence.schema import case_events, cases, outbox, settings
from branchdesk.secrets import KeyringSecretStore
from branchdesk.services import demo
from branchdesk.services.context import ServiceContext
from sync.client.engine import SyncEngine, encode_batch
from sync.client.transport import HqClient
from sync.protocol.codec import compress
from tests.sync.support import HqServer

PG = "postgresql://postgres@127.0.0.1:5432/test"
PASSWORD = "Bench-Passw0rd-2026!"


class _MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


def make_branch(root: Path, events: int) -> tuple[ServiceContext, _MemoryKeyring]:
    """A branch whose outbox holds `events` unsent real case events."""
    backend = _MemoryKeyring()
    keyring.set_keyring(backend)
    ctx, _ = initialise(
        root / "branch",
        branch_code="GZ0012",
        branch_name="广州天河营业厅",
        admin_no="A001",
        admin_name="管理员",
        admin_password=PASSWORD,
        store=KeyringSecretStore(backend),
    )
    demo.generate_demo(
        ctx, cases=max(500, events // 5), actor="A001", seed=7, staff_password=PASSWORD
    )
    with ctx.db.write() as conn:
        rows = conn.execute(
            select(
                case_events.c.id,
                case_events.c.seq,
                case_events.c.kind,
                case_events.c.at,
                case_events.c.actor,
                case_events.c.payload,
                cases.c.number,
            )
            .join(cases, cases.c.id == case_events.c.case_id)
            .order_by(case_events.c.id)
            .limit(events)
        ).all()
        assert len(rows) == events, f"only {len(rows)} demo events"
        now = datetime.now(UTC)
        conn.execute(
            insert(outbox),
            [
                {
                    "seq": i + 1,
                    "device_epoch": 1,
                    "event_id": r.id,
                    "created_at": now,
                    "payload": {
                        "case_number": r.number,
                        "case_seq": r.seq,
                        "kind": r.kind,
                        "at": r.at.isoformat(),
                        "actor": r.actor,
                        "payload": r.payload,
                    },
                }
                for i, r in enumerate(rows)
            ],
        )
    return ctx, backend


def fresh_schema() -> tuple[str, str]:
    schema = f"bd_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    return schema, f"{PG}?options=-csearch_path%3D{schema}"


def drop_schema(schema: str) -> None:
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


def enroll(server: HqServer, branch: str, device: str) -> str:
    code = server.cli("enroll-branch", branch).strip()
    answer = httpx.post(
        f"{server.url}/v1/enroll",
        headers={"BranchDesk-Protocol": "2"},
        json={"protocol": 2, "code": code, "branch_code": branch, "device_id": device},
    )
    answer.raise_for_status()
    return str(answer.json()["token"])


def bench_p8(
    root: Path, ctx: ServiceContext, db_url: str, repeat: int, rate: str = "0"
) -> dict[str, Any]:
    server = HqServer(
        db_url, root / f"p8-{uuid.uuid4().hex[:6]}.log", extra=("--rate", rate)
    ).start()
    try:
        with ctx.db.read() as conn:
            device = str(
                conn.execute(select(settings.c.value).where(settings.c.key == "device.id")).scalar()
            )
        token = enroll(server, "GZ0012", device)
        times, sent = [], 0
        for run in range(repeat):
            with ctx.db.write() as conn:  # a new epoch each run: HQ ingests everything anew
                conn.execute(update(outbox).values(sent_at=None, device_epoch=run + 1))
                conn.execute(
                    update(settings).where(settings.c.key == "device.epoch").values(value=run + 1)
                )
            client = HqClient(server.url, token=token)
            engine = SyncEngine(ctx, client, batch_size=500)
            started = time.perf_counter()
            result = engine.run_once()
            times.append(time.perf_counter() - started)
            client.close()
            sent = result.bytes_sent
            assert result.pushed > 0 and result.pending == 0
        return {
            "median_s": statistics.median(times),
            "runs_s": [round(t, 3) for t in times],
            "bytes_sent": sent,
        }
    finally:
        server.close()


def wire_sizes(ctx: ServiceContext) -> dict[str, Any]:
    from branchdesk.services import sync_state

    batch = sync_state.next_batch(ctx, max_events=500)
    assert batch is not None
    raw = encode_batch(batch, 2, datetime.now(UTC))
    out: dict[str, Any] = {"events": len(batch.events)}
    for encoding in ("identity", "gzip", "zstd"):
        started = time.perf_counter()
        for _ in range(20):
            body = compress(raw, encoding)
        out[encoding] = {
            "bytes_per_event": round(len(body) / len(batch.events), 1),
            "compress_ms": round((time.perf_counter() - started) / 20 * 1000, 2),
        }
    return out


def bench_p9(
    root: Path,
    ctx: ServiceContext,
    branches: int,
    batches: int,
    concurrency: int,
    workers: int,
    rate: str = "0",
) -> dict[str, Any]:
    from branchdesk.services import sync_state

    schema, url = fresh_schema()
    server = HqServer(
        url, root / "p9.log", extra=("--rate", rate, "--workers", str(workers))
    ).start()
    try:
        with ctx.db.write() as conn:
            conn.execute(update(outbox).values(sent_at=None, device_epoch=1))
            conn.execute(update(settings).where(settings.c.key == "device.epoch").values(value=1))
        template = sync_state.next_batch(ctx, max_events=500)
        assert template is not None
        plans = []
        for b in range(branches):
            code, device = f"GZ{b + 1:04d}", str(uuid.uuid4())
            token = enroll(server, code, device)
            for k in range(batches):
                body = json.loads(encode_batch(template, 2, datetime.now(UTC)))
                body.update(device_id=device, branch_code=code, epoch_base=0)
                for i, ev in enumerate(body["events"]):
                    ev["seq"] = k * len(template.events) + i + 1
                    ev["event"]["case_number"] = code + ev["event"]["case_number"][6:]
                    ev["digest"] = None
                plans.append(
                    (device, token, k, compress(json.dumps(body, ensure_ascii=False).encode()))
                )
        per_device: dict[str, list[tuple[str, bytes]]] = {}
        for device, token, _, body in plans:
            per_device.setdefault(device, []).append((token, body))

        def push_all(device: str) -> int:
            with httpx.Client(timeout=60) as http:
                for token, body in per_device[device]:
                    r = http.post(
                        f"{server.url}/v1/devices/{device}/batches",
                        content=body,
                        headers={
                            "BranchDesk-Protocol": "2",
                            "Content-Encoding": "zstd",
                            "Authorization": f"Bearer {token}",
                        },
                    )
                    r.raise_for_status()
            return len(per_device[device])

        total = branches * batches * len(template.events)
        started = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as pool:
            sent = sum(pool.map(push_all, list(per_device)))
        ingest_s = time.perf_counter() - started
        assert sent == branches * batches
        with psycopg.connect(url) as conn:
            held = conn.execute("SELECT count(*) FROM hq_events").fetchone()
            assert held is not None and held[0] == total, held
            rows = conn.execute(
                "SELECT device_id, epoch, seq, branch_code, case_number, case_seq, kind, "
                "occurred_at, actor, payload::text, digest, branch_time, received_at FROM hq_events"
            ).fetchall()
            conn.execute("CREATE TABLE copy_target (LIKE hq_events INCLUDING ALL)")
            conn.commit()
            started = time.perf_counter()
            with conn.cursor() as cur, cur.copy("COPY copy_target FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            conn.commit()
            copy_s = time.perf_counter() - started
        return {
            "events": total,
            "ingest_s": round(ingest_s, 3),
            "events_per_s": round(total / ingest_s),
            "raw_copy_s": round(copy_s, 3),
            "raw_copy_per_s": round(total / copy_s),
            "ratio": round(copy_s / ingest_s, 2),
            "branches": branches,
            "concurrency": concurrency,
            "workers": workers,
        }
    finally:
        server.close()
        drop_schema(schema)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--branches", type=int, default=40)
    parser.add_argument("--batches", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=5)
    # HQ's `serve --rate`: 0 (the figures in SYNC.md) measures ingest alone; the
    # default 20 adds the shared rate-limit checks a real HQ makes.
    parser.add_argument("--rate", default="0", help="HQ's --rate (0: no rate limits)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        ctx, _backend = make_branch(root, args.events)
        report: dict[str, Any] = {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "hq_rate": args.rate,
        }
        report["wire"] = wire_sizes(ctx)
        schema, url = fresh_schema()
        try:
            report["p8_postgres"] = bench_p8(root, ctx, url, args.repeat, args.rate)
        finally:
            drop_schema(schema)
        report["p8_sqlite"] = bench_p8(root, ctx, str(root / "hq.sqlite3"), args.repeat, args.rate)
        report["p9"] = [
            bench_p9(
                root, ctx, args.branches, args.batches, args.concurrency, args.workers, args.rate
            )
            for _ in range(3)
        ]
        ctx.db.close()
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
