"""Sync in the background of the desktop app: a thread running sync rounds (every
half minute, sooner on "sync now", backing off while HQ is unreachable) and a
snapshot of the state a screen can read at any time without touching disk or network.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from branchdesk.secrets import SecretStore
from branchdesk.services import sync_state
from branchdesk.services.context import ServiceContext
from sync.client.credentials import load_token
from sync.client.engine import Backoff, RoundResult, SyncEngine, run_forever
from sync.client.transport import HqClient, SyncFailure


@dataclass(frozen=True)
class SyncSnapshot:
    """What the workbench shows: pending events, last success, last error (as a
    message key and parameters, put into words in the UI language), and whether a
    round is running now."""

    enrolled: bool
    pending: int
    last_success_at: datetime | None
    error_key: str | None
    error_params: dict[str, Any]
    syncing: bool = False
    parked: int = 0
    quarantined: int = 0
    unread_notices: int = 0


def snapshot_of(status: sync_state.SyncStatus, *, syncing: bool = False) -> SyncSnapshot:
    error = status.last_error
    key: str | None = None
    params: dict[str, Any] = {}
    if not status.enrolled:
        key = "sync.error.not_enrolled"
    elif error is not None:
        key, params = error.key, dict(error.params)
    return SyncSnapshot(
        enrolled=status.enrolled,
        pending=status.pending,
        last_success_at=status.last_success_at,
        error_key=key,
        error_params=params,
        syncing=syncing,
        parked=status.parked,
        quarantined=status.quarantined,
        unread_notices=status.unread_notices,
    )


class SyncRunner:
    def __init__(
        self,
        ctx: ServiceContext,
        *,
        store: SecretStore | None = None,
        interval: float = 30.0,
        backoff: Backoff | None = None,
        on_change: Callable[[SyncSnapshot], None] = lambda s: None,
    ) -> None:
        self.ctx = ctx
        self.store = store
        self.interval = interval
        self.backoff = backoff or Backoff()
        self.on_change = on_change
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._snapshot = SyncSnapshot(False, 0, None, None, {})

    def snapshot(self) -> SyncSnapshot:
        with self._lock:
            return self._snapshot

    def _publish(self, snapshot: SyncSnapshot) -> None:
        with self._lock:
            self._snapshot = snapshot
        self.on_change(snapshot)

    def _refresh(self, *, syncing: bool = False) -> None:
        self._publish(snapshot_of(sync_state.status(self.ctx), syncing=syncing))

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="branchdesk-sync", daemon=True)
            self._thread.start()

    def sync_now(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            self._refresh()
            status = sync_state.status(self.ctx)
            me = sync_state.identity_of(self.ctx)
            token = load_token(self.ctx, device_id=me.device_id, store=self.store)
            if not status.hq_url or token is None:
                # Not enrolled yet: nothing to do until someone enrolls and asks again.
                self._wake.wait(self.interval)
                self._wake.clear()
                continue
            engine = SyncEngine(self.ctx, HqClient(status.hq_url, token=token))

            def on_round(result: RoundResult | None, failure: SyncFailure | None) -> None:
                self._refresh()

            self._publish(snapshot_of(status, syncing=True))
            run_forever(
                engine,
                self._stop,
                interval=self.interval,
                wake=self._wake,
                on_round=on_round,
                backoff=self.backoff,
            )
