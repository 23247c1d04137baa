"""The archive duty in the workbench (manual §3.5.3: archive within 3 working days of
closure, after a manager's review), and reading the archive.

- The queue: closed cases awaiting the review, the earliest archive deadline first,
  overdue ones highlighted; how many approved cases still wait for HQ's sync.
- Review (Ctrl+R): what each selected case lacks, in words; approve (Ctrl+Enter):
  archive numbers, then the move into encrypted volumes, as long work with progress
  and cancel on the database worker.
- Find (Ctrl+F) archived cases by the index (archive number, case number, customer,
  kind, category, date received) without decrypting any volume; open one read-only
  (its record and timeline, decrypted from its volume alone) and reprint its archived
  documents through the print preview; legal holds.

What a person may not do is hidden (the services refuse it anyway). The panel reads
`session.staff_no` at every call and follows `session.changed`. The archive keys
(`ArchiveKeys`, or a callable giving them) are built once when the branch is opened.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QEvent, QRegularExpression, Qt, Signal
from PySide6.QtGui import QKeySequence, QRegularExpressionValidator, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from branchdesk.archive import custody
from branchdesk.archive.master import ArchiveKeys
from branchdesk.archive.record import ArchivedCase
from branchdesk.domain.errors import DomainError
from branchdesk.services import archiving
from branchdesk.services.context import ServiceContext
from ui import i18n
from ui.archived_case import ArchivedCaseDialog, table
from ui.followup_table import RowsModel
from ui.long_work import LongWork, Progress
from ui.session import UserSession
from ui.worker import DbWorker

KeySource = ArchiveKeys | Callable[[], ArchiveKeys]
KINDS = ("complaint", "service_request", "consultation")


class ArchivePanel(QWidget):
    loaded = Signal(int)  # queue rows
    reviewed = Signal(object)  # list[ReviewResult]
    archived = Signal(object)  # (ApproveResult, SealResult | None)
    found = Signal(int)
    opened = Signal(object)  # ArchivedCaseDialog
    failed = Signal(object)  # DomainError

    def __init__(
        self,
        ctx: ServiceContext,
        worker: DbWorker,
        session: UserSession,
        keys: KeySource,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx, self._worker, self._session, self._key_source = ctx, worker, session, keys
        self._generation = 0
        self.work: LongWork | None = None
        self.dialog: ArchivedCaseDialog | None = None
        self.tabs = QTabWidget(self)

        # -- the queue
        queue = QWidget(self)
        self.queue_model = RowsModel(self._queue_headers, self)
        self.queue_table = table(self.queue_model, queue, many=True)
        self.queue_note = QLabel(queue)
        self.review_button = QPushButton(queue)
        self.approve_button = QPushButton(queue)
        self.seal_button = QPushButton(queue)
        self.review_model = RowsModel(self._review_headers, self)
        self.review_table = table(self.review_model, queue)
        buttons = QHBoxLayout()
        for b in (self.review_button, self.approve_button, self.seal_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        box = QVBoxLayout(queue)
        box.addWidget(self.queue_table, 3)
        box.addWidget(self.queue_note)
        box.addLayout(buttons)
        box.addWidget(self.review_table, 1)

        # -- finding
        find = QWidget(self)
        self.archive_no = QLineEdit(find)
        self.case_no = QLineEdit(find)
        self.customer = QLineEdit(find)
        self.kind = QComboBox(find)
        self.category = QLineEdit(find)
        day = QRegularExpressionValidator(QRegularExpression(r"\d{4}-\d{2}-\d{2}"), self)
        self.since, self.until = QLineEdit(find), QLineEdit(find)
        for edit in (self.since, self.until):
            edit.setValidator(day)
            edit.setPlaceholderText("YYYY-MM-DD")
        self.find_form = QFormLayout()
        self._find_labels = [QLabel(find) for _ in range(7)]
        fields = (
            self.archive_no,
            self.case_no,
            self.customer,
            self.kind,
            self.category,
            self.since,
            self.until,
        )
        for label, widget in zip(self._find_labels, fields, strict=True):
            label.setBuddy(widget)
            self.find_form.addRow(label, widget)
            if isinstance(widget, QLineEdit):
                widget.returnPressed.connect(self.find_cases)
        self.find_button = QPushButton(find)
        self.results_model = RowsModel(self._result_headers, self)
        self.results_table = table(self.results_model, find)
        self.open_button = QPushButton(find)
        self.hold_reason = QLineEdit(find)
        self.hold_button = QPushButton(find)
        self.release_button = QPushButton(find)
        actions = QHBoxLayout()
        actions.addWidget(self.find_button)
        actions.addWidget(self.open_button)
        actions.addStretch(1)
        actions.addWidget(self.hold_reason, 1)
        actions.addWidget(self.hold_button)
        actions.addWidget(self.release_button)
        layout = QVBoxLayout(find)
        layout.addLayout(self.find_form)
        layout.addLayout(actions)
        layout.addWidget(self.results_table, 1)

        self.tabs.addTab(queue, "")
        self.tabs.addTab(find, "")
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #8a1c12;")
        outer = QVBoxLayout(self)
        outer.addWidget(self.tabs)
        outer.addWidget(self.error)
        self.setFocusProxy(self.queue_table)

        self.review_button.clicked.connect(self.review)
        self.approve_button.clicked.connect(self.approve)
        self.seal_button.clicked.connect(self.seal)
        self.find_button.clicked.connect(self.find_cases)
        self.open_button.clicked.connect(self.open_selected)
        self.results_table.activated.connect(lambda _i: self.open_selected())
        self.hold_button.clicked.connect(lambda: self.set_hold(True))
        self.release_button.clicked.connect(lambda: self.set_hold(False))
        # QShortcuts rather than the buttons' own: setText() would replace those.
        for sequence, slot in (
            ("Ctrl+R", self.review),
            ("Ctrl+Return", self.approve),
            ("Ctrl+F", self.focus_find),
        ):
            shortcut = QShortcut(QKeySequence(sequence), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        worker.changed.connect(self.refresh)
        session.changed.connect(self._person_changed)
        self.retranslate()
        self._apply_permissions()
        self.refresh()

    # -- public
    def keys(self) -> ArchiveKeys:
        return self._key_source if isinstance(self._key_source, ArchiveKeys) else self._key_source()

    def refresh(self) -> None:
        """Reload the queue (the find results stay as they are until the next search)."""
        if not self._session.allows("archive.read"):
            self.queue_model.set_rows([], [], [])
            return
        self._generation += 1
        generation, me = self._generation, self._session.staff_no

        def fetch(ctx: ServiceContext) -> archiving.ArchiveQueue:
            return archiving.archive_queue(ctx, actor=me)

        self._worker.run(
            fetch, on_done=lambda q: self._queue_arrived(generation, q), on_error=self._failed
        )

    def selected_numbers(self) -> list[str]:
        rows = sorted(i.row() for i in self.queue_table.selectionModel().selectedRows())
        return [self.queue_model.record(r).number for r in rows]

    def review(self) -> None:
        numbers, me = self.selected_numbers(), self._session.staff_no
        if not numbers or not self._session.allows("archive.review"):
            return

        def go(ctx: ServiceContext) -> list[archiving.ReviewResult]:
            return archiving.review(ctx, numbers=numbers, actor=me)

        self._worker.run(go, on_done=self._reviewed, on_error=self._failed)

    def approve(self) -> None:
        """Approve the selected cases and seal what may leave the live database, as long
        work: progress per chunk of approvals, then per volume; cancel stops between."""
        numbers, me = self.selected_numbers(), self._session.staff_no
        if not numbers or not self._session.allows("archive.review") or self.work is not None:
            return
        keys = self.keys()

        def work(ctx: ServiceContext, progress: Progress) -> Any:
            stopped: list[bool] = []

            def step(done: int, total: int) -> bool:
                going = progress(done, total)
                if not going:
                    stopped.append(True)
                return going

            approved = archiving.approve(
                ctx, keys, numbers=numbers, actor=me, seal=False, progress=step
            )
            sealed = None
            if not stopped:
                sealed = archiving.seal_archived(ctx, keys, actor=me, progress=step)
            return approved, sealed

        self._long(self.tr("Archiving %n case(s)…", "", len(numbers)), work)

    def seal(self) -> None:
        """Seal approved cases HQ has meanwhile received (the queue note counts them)."""
        if not self._session.allows("archive.store") or self.work is not None:
            return
        me, keys = self._session.staff_no, self.keys()

        def work(ctx: ServiceContext, progress: Progress) -> Any:
            return None, archiving.seal_archived(ctx, keys, actor=me, progress=progress)

        self._long(self.tr("Sealing approved cases…"), work)

    def focus_find(self) -> None:
        self.tabs.setCurrentIndex(1)
        self.customer.setFocus()

    def find_cases(self) -> None:
        me = self._session.staff_no
        since, until = self._day(self.since), self._day(self.until)
        criteria = {
            "archive_no": self.archive_no.text().strip() or None,
            "number": self.case_no.text().strip() or None,
            "customer": self.customer.text().strip() or None,
            "kind": self.kind.currentData(),
            "category": self.category.text().strip() or None,
            "since": since,
            "until": until + timedelta(days=1) if until else None,
        }

        def go(ctx: ServiceContext) -> list[archiving.IndexEntry]:
            return archiving.find(ctx, actor=me, **criteria)

        self._worker.run(go, on_done=self._found, on_error=self._failed)

    def selected_entry(self) -> archiving.IndexEntry | None:
        index = self.results_table.currentIndex()
        entry = self.results_model.record(index.row()) if index.isValid() else None
        return entry if isinstance(entry, archiving.IndexEntry) else None

    def open_selected(self) -> None:
        entry, me = self.selected_entry(), self._session.staff_no
        if entry is None:
            return
        keys, ref = self.keys(), entry.archive_no

        def go(ctx: ServiceContext) -> ArchivedCase:
            return archiving.open_archived(ctx, keys, ref=ref, actor=me)

        self._worker.run(go, on_done=self._opened, on_error=self._failed)

    def set_hold(self, hold: bool) -> None:
        entry, me, reason = self.selected_entry(), self._session.staff_no, self.hold_reason.text()
        if entry is None or not self._session.allows("archive.hold"):
            return
        archive_no = entry.archive_no

        def go(ctx: ServiceContext) -> None:
            if hold:
                custody.place_hold(ctx, archive_no=archive_no, reason=reason, actor=me)
            else:
                custody.release_hold(ctx, archive_no=archive_no, actor=me)

        self._worker.run(go, on_done=lambda _r: self.find_cases(), on_error=self._failed)

    def retranslate(self) -> None:
        self.tabs.setTabText(0, self.tr("Archive queue"))
        self.tabs.setTabText(1, self.tr("Find archived cases (Ctrl+F)"))
        self.queue_table.setAccessibleName(self.tr("Closed cases awaiting the archive review"))
        self.review_table.setAccessibleName(self.tr("Review result"))
        self.results_table.setAccessibleName(self.tr("Archived cases found"))
        self.review_button.setText(self.tr("Review selected (Ctrl+R)"))
        self.approve_button.setText(self.tr("Approve and archive (Ctrl+Enter)"))
        self.seal_button.setText(self.tr("Seal what HQ has received"))
        self.find_button.setText(self.tr("Find (Enter)"))
        self.open_button.setText(self.tr("Open read-only (Enter)"))
        self.hold_reason.setPlaceholderText(self.tr("Reason for the legal hold"))
        self.hold_button.setText(self.tr("Place legal hold"))
        self.release_button.setText(self.tr("Release hold"))
        labels = (
            self.tr("&Archive number"),
            self.tr("Case &number"),
            self.tr("&Customer (name, phone or service number)"),
            self.tr("&Kind"),
            self.tr("Ca&tegory"),
            self.tr("Received &from"),
            self.tr("Received &until"),
        )
        for label, text in zip(self._find_labels, labels, strict=True):
            label.setText(text)
        chosen = self.kind.currentData()
        self.kind.clear()
        self.kind.addItem(self.tr("Any kind"), None)
        for kind in KINDS:
            self.kind.addItem(i18n.word("label.CaseKind", kind), kind)
        self.kind.setCurrentIndex(max(0, self.kind.findData(chosen)))
        for model in (self.queue_model, self.review_model, self.results_model):
            model.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- private
    def _apply_permissions(self) -> None:
        allows = self._session.allows
        self.review_button.setVisible(allows("archive.review"))
        self.approve_button.setVisible(allows("archive.review"))
        self.seal_button.setVisible(allows("archive.store"))
        for widget in (self.hold_reason, self.hold_button, self.release_button):
            widget.setVisible(allows("archive.hold"))
        self.tabs.setEnabled(allows("archive.read"))
        if not allows("archive.read"):
            self.error.setText(self.tr("Your role does not give access to the archive."))

    def _person_changed(self) -> None:
        self.error.clear()
        self.review_model.set_rows([], [], [])
        self.results_model.set_rows([], [], [])
        self._apply_permissions()
        self.refresh()

    def _when(self, value: datetime | None) -> str:
        return value.astimezone(self._ctx.tz).strftime("%Y-%m-%d %H:%M") if value else ""

    def _day(self, edit: QLineEdit) -> datetime | None:
        text = edit.text().strip()
        if not edit.hasAcceptableInput():
            return None
        try:
            return datetime.fromisoformat(text).replace(tzinfo=self._ctx.tz)
        except ValueError:
            return None

    def _queue_headers(self) -> list[str]:
        return [
            self.tr("Case"),
            self.tr("Kind"),
            self.tr("Customer"),
            self.tr("Closed"),
            self.tr("Archive due"),
            self.tr("Status"),
        ]

    def _review_headers(self) -> list[str]:
        return [self.tr("Case"), self.tr("Result"), self.tr("Missing"), self.tr("Not given")]

    def _result_headers(self) -> list[str]:
        return [
            self.tr("Archive number"),
            self.tr("Case"),
            self.tr("Kind"),
            self.tr("Customer"),
            self.tr("Phone"),
            self.tr("Received"),
            self.tr("Archived"),
            self.tr("Keep until"),
            self.tr("Legal hold"),
        ]

    def _queue_arrived(self, generation: int, queue: archiving.ArchiveQueue) -> None:
        if generation != self._generation:
            return
        rows = [
            (
                i.number,
                i18n.word("label.CaseKind", i.kind),
                i.customer,
                self._when(i.closed_at),
                self._when(i.archive_due),
                self.tr("Overdue") if i.overdue else "",
            )
            for i in queue.items
        ]
        self.queue_model.set_rows(rows, queue.items, [i.overdue for i in queue.items])
        self.queue_table.resizeColumnsToContents()
        self.queue_note.setText(
            self.tr("Approved, not yet sealed: %1 (waiting for HQ sync: %2)")
            .replace("%1", str(queue.approved_unsealed))
            .replace("%2", str(queue.waiting_for_sync))
        )
        if self.queue_model.rowCount() and not self.queue_table.currentIndex().isValid():
            self.queue_table.setCurrentIndex(self.queue_model.index(0, 0))
        self.loaded.emit(len(rows))

    def _reviewed(self, results: Sequence[archiving.ReviewResult]) -> None:
        def words(codes: Sequence[str]) -> str:
            return "; ".join(i18n.text(f"archive.review.{c}") for c in codes)

        rows = [
            (
                r.number,
                self.tr("Complete") if r.complete else self.tr("Incomplete"),
                words(r.missing),
                words(r.warnings),
            )
            for r in results
        ]
        self.review_model.set_rows(rows, list(results), [not r.complete for r in results])
        self.review_table.resizeColumnsToContents()
        self.reviewed.emit(list(results))

    def _long(self, label: str, work: Callable[[ServiceContext, Progress], Any]) -> None:
        self.error.clear()
        self.work = LongWork(self._worker, label, work, self)
        self.work.finished.connect(self._archived)
        self.work.failed.connect(self._long_failed)

    def _archived(self, result: tuple[Any, Any]) -> None:
        self.work = None
        approved, sealed = result
        parts = []
        if approved is not None:
            parts.append(self.tr("Approved: %n", "", len(approved.approved)))
            if approved.refused:
                parts.append(self.tr("Refused (see the review): %n", "", len(approved.refused)))
        if sealed is not None:
            parts.append(self.tr("Sealed: %n", "", sealed.sealed))
        else:
            parts.append(self.tr("Cancelled before sealing"))
        self.queue_note.setText("; ".join(parts))
        self._worker.changed.emit()  # the queues elsewhere lost these cases
        self.archived.emit(result)

    def _long_failed(self, error: DomainError) -> None:
        self.work = None
        self._failed(error)

    def _found(self, entries: Sequence[archiving.IndexEntry]) -> None:
        rows = [
            (
                e.archive_no,
                e.number,
                i18n.word("label.CaseKind", e.kind),
                e.customer or "",
                e.phone or "",
                self._when(e.received_at),
                self._when(e.archived_at),
                e.retention_until.isoformat(),
                e.hold or (self.tr("Purged") if e.status == "purged" else ""),
            )
            for e in entries
        ]
        self.results_model.set_rows(rows, list(entries), [bool(e.hold) for e in entries])
        self.results_table.resizeColumnsToContents()
        if rows:
            self.results_table.setCurrentIndex(self.results_model.index(0, 0))
        self.found.emit(len(rows))

    def _opened(self, case: ArchivedCase) -> None:
        self.dialog = ArchivedCaseDialog(
            case, self._ctx, self._worker, self._session, self.keys(), self
        )
        self.dialog.show()
        self.opened.emit(self.dialog)

    def _failed(self, error: DomainError) -> None:
        self.error.setText(i18n.error_text(error))
        self.failed.emit(error)
