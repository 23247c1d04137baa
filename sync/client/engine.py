"""One sync round: push every unsent outbox event to HQ in batches, then pull and
apply HQ's instructions. Every step is safe to repeat after a crash or a lost
answer: HQ acknowledges a resent batch without applying it twice, and the branch
marks a batch sent only after HQ's acknowledgement (which HQ sends after its commit).

`run_forever` repeats rounds with exponential backoff and full jitter after a
failure, so thousands of branches coming back online together do not stampede HQ.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pydantic_core

from branchdesk.services import sync_rules, sync_state
from branchdesk.services.context import ServiceContext
from sync.client.crash import crash_point
from sync.client.transport import HqClient, SyncFailure
from sync.protocol import MAX_BATCH_EVENTS, MAX_COMPRESSED_BYTES
from sync.protocol.codec import DEFAULT_ENCODING, compress
from sync.protocol.messages import event_digest

DEFAULT_BATCH = 500


@dataclass
class RoundResult:
    pushed: int = 0
    duplicates: int = 0
    quarantined: int = 0
    batches: int = 0
    bytes_sent: int = 0
    instructions: dict[str, int] = field(default_factory=dict)
    pending: int = 0


def encode_batch(batch: sync_state.PendingBatch, protocol: int, sent_at: datetime) -> bytes:
    """The UploadBatch JSON. Built as plain dicts (what pydantic would emit) because
    serialising thousands of events through models costs more than the network."""
    events = []
    for ev in batch.events:
        item: dict[str, object] = {
            "seq": ev.seq,
            "created_at": ev.created_at.isoformat(),
            "event": ev.payload,
        }
        if protocol >= 2:
            item["digest"] = event_digest(ev.payload)
        events.append(item)
    body: dict[str, object] = {
        "protocol": protocol,
        "device_id": batch.identity.device_id,
        "branch_code": batch.identity.branch_code,
        "epoch": batch.epoch,
        "epoch_base": batch.epoch_base,
        "sent_at": sent_at.isoformat(),
        "audit_head": {"audit_id": batch.head.audit_id, "hash": batch.head.hash}
        if batch.head
        else None,
        "events": events,
    }
    if protocol >= 2:
        body["status"] = {"pending": batch.pending_total, "parked_instructions": batch.parked}
    return pydantic_core.to_json(body)


class SyncEngine:
    def __init__(
        self,
        ctx: ServiceContext,
        client: HqClient,
        *,
        batch_size: int = DEFAULT_BATCH,
        encoding: str = DEFAULT_ENCODING,
    ) -> None:
        self.ctx = ctx
        self.client = client
        self.batch_size = min(batch_size, MAX_BATCH_EVENTS)
        self.encoding = encoding

    @property
    def protocol(self) -> int:
        return self.client.protocol

    def push(self, result: RoundResult) -> None:
        size = self.batch_size
        while True:
            batch = sync_state.next_batch(self.ctx, max_events=size)
            if batch is None:
                return
            body = compress(encode_batch(batch, self.protocol, datetime.now(UTC)), self.encoding)
            if len(body) > MAX_COMPRESSED_BYTES and len(batch.events) > 1:
                size = max(1, len(batch.events) // 2)  # a batch of huge events: smaller
                continue
            crash_point("before_push")
            try:
                ack = self.client.push(batch.identity.device_id, body, self.encoding)
            except SyncFailure as failure:
                if failure.error is not None and failure.error.error == "gap":
                    self._rewind(batch, failure)
                    continue
                if failure.error is not None and failure.error.error == "divergent":
                    sync_state.note_divergence(self.ctx, int(failure.error.expected_seq or 0))
                raise
            crash_point("after_hq_commit")
            sync_state.mark_acked(
                self.ctx,
                batch,
                through_seq=ack.through_seq,
                quarantined=[(q.seq, q.reason) for q in ack.quarantined],
            )
            crash_point("after_ack")
            result.batches += 1
            result.pushed += ack.applied
            result.duplicates += ack.duplicates
            result.quarantined += len(ack.quarantined)
            result.bytes_sent += len(body)
            size = self.batch_size

    def _rewind(self, batch: sync_state.PendingBatch, failure: SyncFailure) -> None:
        """HQ is missing events this branch thinks were sent (HQ restored from a
        backup): send them again from where HQ stands."""
        expected = int(failure.error.expected_seq or 0) if failure.error else 0
        if not 0 < expected < batch.events[0].seq:
            raise failure
        sync_state.rewind(self.ctx, epoch=batch.epoch, from_seq=expected)

    def pull(self, result: RoundResult) -> None:
        code = sync_state.identity_of(self.ctx).branch_code
        while True:
            after = sync_state.current_cursor(self.ctx)
            page = self.client.pull(code, after)
            for instr in page.instructions:
                outcome = sync_rules.apply_instruction(
                    self.ctx,
                    sync_rules.InstructionData(
                        instr.seq, instr.id, instr.type, instr.issued_at, instr.body
                    ),
                    hook=lambda: crash_point("mid_apply"),
                )
                result.instructions[outcome] = result.instructions.get(outcome, 0) + 1
            if not page.more or not page.instructions:
                return

    def run_once(self) -> RoundResult:
        """Push everything, then pull everything. Records the outcome for the status
        display; raises SyncFailure on failure (after recording it)."""
        result = RoundResult()
        try:
            self.push(result)
            self.pull(result)
        except SyncFailure as failure:
            sync_state.record_attempt(self.ctx, error_key=failure.key, **failure.params)
            raise
        sync_state.record_attempt(self.ctx, error_key=None)
        result.pending = sync_state.status(self.ctx).pending
        return result


@dataclass
class Backoff:
    """Exponential backoff with full jitter: wait a random time up to base·2ⁿ."""

    base: float = 1.0
    cap: float = 300.0
    failures: int = 0
    rng: random.Random = field(default_factory=random.Random)

    def next_delay(self, retry_after: float | None = None) -> float:
        self.failures += 1
        ceiling = min(self.cap, self.base * 2 ** min(self.failures, 20))
        delay = self.rng.uniform(0, ceiling)
        return max(delay, retry_after or 0.0)

    def reset(self) -> None:
        self.failures = 0


def run_forever(
    engine: SyncEngine,
    stop: threading.Event,
    *,
    interval: float = 30.0,
    wake: threading.Event | None = None,
    on_round: Callable[[RoundResult | None, SyncFailure | None], None] = lambda r, f: None,
    backoff: Backoff | None = None,
) -> None:
    """Sync rounds until `stop` is set: every `interval` seconds when healthy, sooner
    when `wake` is set ("sync now"), with backoff after failures. A failure a person
    must fix (enrollment, protocol) is retried at the slowest pace."""
    backoff = backoff or Backoff()
    wake = wake or threading.Event()
    while not stop.is_set():
        try:
            result = engine.run_once()
        except SyncFailure as failure:
            on_round(None, failure)
            delay = backoff.next_delay(failure.retry_after) if failure.retryable else backoff.cap
        else:
            on_round(result, None)
            backoff.reset()
            delay = interval
        wake.clear()
        if wake.wait(delay):
            continue
    engine.client.close()
