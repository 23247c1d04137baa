"""The database worker: every service call runs here, one at a time, on a background
thread; its result (or error) comes back to the UI thread as a queued signal. The UI
thread never waits on the disk.

After a call that changed data, `changed` is emitted so that every view can refresh
what it shows (one change signal for all screens, as in Anki's collection ops).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, Qt, Signal, Slot

from branchdesk.domain.errors import DomainError
from branchdesk.services.context import ServiceContext

T = TypeVar("T")
log = logging.getLogger(__name__)

OnDone = Callable[[Any], None]
OnError = Callable[[DomainError], None]


class _Delivery(Generic[T]):
    """What travels back to the UI thread: the finished future and its callbacks."""

    def __init__(
        self, future: Future[T], on_done: OnDone | None, on_error: OnError | None, writes: bool
    ) -> None:
        self.future = future
        self.on_done = on_done
        self.on_error = on_error
        self.writes = writes


def _call_back(callback: Callable[[Any], None], value: Any) -> None:
    """Hand a result to whoever asked. A window closed while its call was running
    (a desk closed, a user switch) no longer exists: its result is simply dropped."""
    try:
        callback(value)
    except RuntimeError as exc:
        if "already deleted" not in str(exc):
            raise
        log.debug("result for a closed window dropped: %s", exc)


class DbWorker(QObject):
    """Runs `fn(ctx)` calls serially off the UI thread.

    Known problems (DomainError: validation, illegal action, wrong key …) go to the
    caller's `on_error`; anything else is a bug and goes to `unexpected`, which the
    application shows as a crash dialog with the log path.
    """

    delivered = Signal(object)
    changed = Signal()  # data changed: lists, counts and details should refresh
    busy = Signal(bool)
    unexpected = Signal(object)  # BaseException

    def __init__(self, ctx: ServiceContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="branchdesk-db")
        self._pending = 0
        self._lock = threading.Lock()
        # Always queued, even when a call finishes before run() returns: callbacks run
        # from the event loop, never inside the caller's own stack.
        self.delivered.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def run(
        self,
        fn: Callable[[ServiceContext], T],
        *,
        on_done: Callable[[T], None] | None = None,
        on_error: OnError | None = None,
        writes: bool = False,
    ) -> Future[T]:
        """Queue `fn(ctx)`. `on_done(result)` / `on_error(error)` run on the UI thread.
        `writes=True` emits `changed` after success."""
        with self._lock:
            self._pending += 1
            if self._pending == 1:
                self.busy.emit(True)
        future = self._pool.submit(fn, self.ctx)
        delivery = _Delivery(future, on_done, on_error, writes)
        # Emitted from the worker thread; Qt queues it to this object's (UI) thread.
        future.add_done_callback(lambda _f: self.delivered.emit(delivery))
        return future

    @Slot(object)
    def _deliver(self, delivery: _Delivery[Any]) -> None:
        with self._lock:
            self._pending -= 1
            if self._pending == 0:
                self.busy.emit(False)
        error = delivery.future.exception()
        if error is None:
            if delivery.writes:
                self.changed.emit()
            if delivery.on_done is not None:
                _call_back(delivery.on_done, delivery.future.result())
            return
        if isinstance(error, DomainError) and delivery.on_error is not None:
            _call_back(delivery.on_error, error)
            return
        log.error("service call failed", exc_info=error)
        self.unexpected.emit(error)

    def shutdown(self, *, wait: bool = True) -> None:
        """Finish what is queued, then stop (called when the window closes). With
        `wait=False` the call returns at once and the queue finishes in the background
        (its answers are dropped if their widgets are gone)."""
        self._pool.shutdown(wait=wait)
