"""Long work (rebuilding the search index, generating demo data) on the database worker
with a progress dialog that can cancel it. The window stays responsive throughout:
progress travels from the worker thread to the dialog as a queued signal, and the
cancel button only sets a flag the work checks between steps."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from branchdesk.domain.errors import DomainError
from branchdesk.services.context import ServiceContext
from ui.worker import DbWorker

T = TypeVar("T")
Progress = Callable[[int, int], bool]


class _Relay(QObject):
    moved = Signal(int, int)


class LongWork(QObject):
    """One piece of long work. `finished(result)` or `failed(error)` ends it; a
    cancelled piece fails with the work's own cancellation error."""

    finished = Signal(object)
    failed = Signal(object)

    def __init__(
        self,
        worker: DbWorker,
        label: str,
        work: Callable[[ServiceContext, Progress], Any],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._cancel = threading.Event()
        self.dialog = QProgressDialog(label, self.tr("Cancel (Esc)"), 0, 0, parent)
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(0)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.canceled.connect(self._cancel.set)
        relay = _Relay(self)
        relay.moved.connect(self._moved)

        def progress(done: int, total: int) -> bool:
            relay.moved.emit(done, total)  # worker thread -> queued to the dialog
            return not self._cancel.is_set()

        self.dialog.show()
        worker.run(lambda ctx: work(ctx, progress), on_done=self._done, on_error=self._failed)

    def cancel(self) -> None:
        self._cancel.set()

    def _moved(self, done: int, total: int) -> None:
        self.dialog.setMaximum(total)
        self.dialog.setValue(done)

    def _done(self, result: object) -> None:
        self.dialog.close()
        self.finished.emit(result)

    def _failed(self, error: DomainError) -> None:
        self.dialog.close()
        self.failed.emit(error)
