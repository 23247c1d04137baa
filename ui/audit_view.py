"""The audit trail in the workbench, for managers and administrators: every entry
(who, when, from which workstation, what, which case) filtered by period, staff
member, kind of action and case number; the detail of the chosen entry; an export to
CSV that Excel opens with its Chinese intact (UTF-8 with a byte order mark); and a
check of the whole hash chain that says in plain words whether it is intact and, if
not, which entry is the first one tampered with.

Reading, exporting and verifying are each checked and recorded by the services.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import shiboken6
from PySide6.QtCore import QEvent, QModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from branchdesk.domain.errors import DomainError
from branchdesk.services import audit, staff
from branchdesk.services.audit import AuditEntry, AuditFilter, BreakKind, VerifyReport
from branchdesk.services.context import ServiceContext
from branchdesk.services.private_files import private_file
from branchdesk.services.staff import StaffMember
from ui import i18n
from ui.audit_model import AuditModel
from ui.long_work import LongWork
from ui.session import UserSession
from ui.setup_dialogs import ERROR_STYLE
from ui.worker import DbWorker

PERIODS = ("all", "today", "7d", "30d", "year")
FAMILIES = ("", "auth", "case", "pii", "staff", "audit", "branch", "sync")
OK_STYLE = "color: #1b5e20; font-weight: bold;"


def period_start(period: str, now: datetime) -> datetime | None:
    """The first moment of `period` ending now, in the branch's zone (None: all time)."""
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    starts = {
        "today": midnight,
        "7d": midnight - timedelta(days=6),
        "30d": midnight - timedelta(days=29),
        "year": midnight.replace(month=1, day=1),
    }
    return starts.get(period)


class AuditView(QDialog):
    """The audit trail browser (a window of its own beside the workbench)."""

    verified = Signal(object)  # VerifyReport
    exported = Signal(int)  # rows

    def __init__(
        self, worker: DbWorker, session: UserSession, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.worker = worker
        self.session = session
        self.report: VerifyReport | None = None
        self.verify_work: LongWork | None = None
        self._result: tuple[str, str] = ("", "")  # (style, text) of the last outcome
        self.setObjectName("audit_view")

        self.period = QComboBox(self)
        self.staff = QComboBox(self)
        self.family = QComboBox(self)
        self.case_number = QLineEdit(self)
        self.case_number.setClearButtonEnabled(True)
        for code in PERIODS:
            self.period.addItem("", code)
        self.period.setCurrentIndex(PERIODS.index("30d"))
        self.staff.addItem("", "")
        for code in FAMILIES:
            self.family.addItem("", code)
        self.filter_labels = [QLabel(self) for _ in range(4)]
        filters = QHBoxLayout()
        for label, editor in zip(
            self.filter_labels,
            (self.period, self.staff, self.family, self.case_number),
            strict=True,
        ):
            label.setBuddy(editor)
            filters.addWidget(label)
            filters.addWidget(editor, 1)

        self.model = AuditModel(worker, session, self)
        self.table = QTableView(self)
        self.table.setObjectName("entries")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((150, 130, 120, 170, 190)):
            self.table.setColumnWidth(column, width)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.detail = QPlainTextEdit(self)
        self.detail.setObjectName("detail")
        self.detail.setReadOnly(True)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.table)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)

        self.count_label = QLabel(self)
        self.outcome = QLabel(self)
        self.outcome.setObjectName("result")
        self.outcome.setWordWrap(True)
        self.outcome.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.export_button = QPushButton(self)
        self.export_button.setObjectName("export")
        self.export_button.setAutoDefault(False)
        self.export_button.clicked.connect(self.choose_export_file)
        self.export_button.setVisible(session.allows("audit.export"))
        self.verify_button = QPushButton(self)
        self.verify_button.setObjectName("verify")
        self.verify_button.setAutoDefault(False)
        self.verify_button.clicked.connect(self.verify)
        self.verify_button.setVisible(session.allows("audit.verify"))
        self.close_button = QPushButton(self)
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)
        for keys, button in (("Ctrl+E", self.export_button), ("Ctrl+Shift+V", self.verify_button)):
            QShortcut(QKeySequence(keys), self).activated.connect(
                lambda b=button: b.click() if b.isVisible() and b.isEnabled() else None
            )
        buttons = QHBoxLayout()
        buttons.addWidget(self.count_label)
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.verify_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(split, 1)
        layout.addWidget(self.outcome)
        layout.addLayout(buttons)
        self.resize(1200, 760)

        self.model.loaded.connect(self._counted)
        self.model.load_failed.connect(self._show_error)
        for combo in (self.period, self.staff, self.family):
            combo.currentIndexChanged.connect(self.apply_filter)
        self.case_number.returnPressed.connect(self.apply_filter)
        self.case_number.editingFinished.connect(self._case_number_done)
        self._applied_case = ""
        i18n.notifier.changed.connect(self._language_changed)
        self.retranslate()
        worker.run(staff.list_staff, on_done=self._fill_staff)
        self.apply_filter()
        self.table.setFocus()

    @classmethod
    def show_for(cls, worker: DbWorker, session: UserSession, parent: QWidget) -> AuditView:
        view = cls(worker, session, parent)
        view.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        view.show()
        return view

    # -- language ---------------------------------------------------------------------
    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("BranchDesk – audit trail"))
        for label, text in zip(
            self.filter_labels,
            (self.tr("&Period:"), self.tr("&Staff:"), self.tr("&Kind:"), self.tr("&Case:")),
            strict=True,
        ):
            label.setText(text)
        periods = {
            "all": self.tr("All time"),
            "today": self.tr("Today"),
            "7d": self.tr("Last 7 days"),
            "30d": self.tr("Last 30 days"),
            "year": self.tr("This year"),
        }
        for row, code in enumerate(PERIODS):
            self.period.setItemText(row, periods[code])
        self.staff.setItemText(0, self.tr("Everyone"))
        families = {
            "": self.tr("Everything"),
            "auth": self.tr("Sign-ins and passwords"),
            "case": self.tr("Cases"),
            "pii": self.tr("Personal data shown"),
            "staff": self.tr("Staff accounts"),
            "audit": self.tr("Audit trail (exports, checks)"),
            "branch": self.tr("Branch settings"),
            "sync": self.tr("Headquarters sync"),
        }
        for row, code in enumerate(FAMILIES):
            self.family.setItemText(row, families[code])
        self.case_number.setPlaceholderText(self.tr("case number"))
        self.model.set_headers(
            (
                self.tr("Time"),
                self.tr("Staff"),
                self.tr("Workstation"),
                self.tr("Action"),
                self.tr("Case"),
                self.tr("Detail"),
            )
        )
        self.export_button.setText(self.tr("Export CSV… (Ctrl+E)"))
        self.verify_button.setText(self.tr("Verify chain (Ctrl+Shift+V)"))
        self.close_button.setText(self.tr("Close (Esc)"))
        self._counted(self.model.total)
        if self.report is not None:
            self._show_report(self.report)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _language_changed(self, _lang: str) -> None:
        if shiboken6.isValid(self):
            self.retranslate()

    # -- browsing ---------------------------------------------------------------------
    def _fill_staff(self, members: list[StaffMember]) -> None:
        if not shiboken6.isValid(self):
            return
        for m in members:
            self.staff.addItem(f"{m.staff_no} {m.name}", m.staff_no)

    def current_filter(self) -> AuditFilter:
        now = self.worker.ctx.now()
        return AuditFilter(
            since=period_start(str(self.period.currentData()), now),
            actor=str(self.staff.currentData() or "") or None,
            action=str(self.family.currentData() or "") or None,
            case_number=self.case_number.text().strip() or None,
        )

    def apply_filter(self) -> None:
        self._applied_case = self.case_number.text().strip()
        self.detail.clear()
        self.model.set_filter(self.current_filter())

    def _case_number_done(self) -> None:
        if self.case_number.text().strip() != self._applied_case:
            self.apply_filter()

    def _counted(self, total: int) -> None:
        self.count_label.setText(self.tr("Entries: %1").replace("%1", str(total)))

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        entry = self.model.entry(current.row())
        self.detail.setPlainText("" if entry is None else self.describe(entry))

    def describe(self, entry: AuditEntry) -> str:
        tz = self.worker.ctx.tz
        lines = [
            f"#{entry.id}  {entry.at.astimezone(tz).isoformat(timespec='seconds')}",
            self.tr("Staff: %1").replace("%1", f"{entry.actor} {entry.actor_name}".strip()),
            self.tr("Workstation: %1").replace("%1", entry.workstation),
            self.tr("Action: %1").replace("%1", entry.action),
        ]
        if entry.case_number:
            lines.append(self.tr("Case: %1").replace("%1", entry.case_number))
        lines.append(json.dumps(entry.detail, ensure_ascii=False, indent=2, sort_keys=True))
        lines.append(self.tr("Hash: %1").replace("%1", entry.hash))
        return "\n".join(lines)

    def _show_error(self, error: DomainError) -> None:
        if shiboken6.isValid(self):
            self._set_result(ERROR_STYLE, i18n.error_text(error))

    def _set_result(self, style: str, text: str) -> None:
        self._result = (style, text)
        self.outcome.setStyleSheet(style)
        self.outcome.setText(text)

    # -- export -----------------------------------------------------------------------
    def choose_export_file(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self,
            self.tr("Export the audit trail"),
            str(Path.home() / "audit.csv"),
            self.tr("CSV files (*.csv)"),
        )
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        """Write the entries of the current filter to `path` (on the worker)."""
        actor, wanted = self.session.staff_no, self.current_filter()

        def write(ctx: ServiceContext) -> int:
            # Owner-only, like exports: the trail names staff and customers' cases.
            with private_file(path) as f:
                # The BOM tells Excel the file is UTF-8: without it Chinese comes out garbled.
                out = io.TextIOWrapper(f, encoding="utf-8-sig", newline="")
                try:
                    rows = audit.export_csv(ctx, actor=actor, filter=wanted, out=out)
                    out.flush()
                finally:
                    out.detach()  # `private_file` closes the file it opened
            return rows

        def done(rows: int) -> None:
            if shiboken6.isValid(self):
                self._set_result(
                    "",
                    self.tr("%1 entries exported to %2")
                    .replace("%1", str(rows))
                    .replace("%2", str(path)),
                )
                self.exported.emit(rows)

        self.worker.run(write, on_done=done, on_error=self._show_error, writes=True)

    # -- verify -----------------------------------------------------------------------
    def verify(self) -> None:
        actor = self.session.staff_no

        def work(ctx: ServiceContext, progress: Callable[[int, int], bool]) -> VerifyReport:
            return audit.verify_chain(ctx, actor=actor, progress=progress)

        self.verify_button.setEnabled(False)
        self.verify_work = LongWork(self.worker, self.tr("Checking the audit trail…"), work, self)
        self.verify_work.finished.connect(self._verified)
        self.verify_work.failed.connect(self._verify_failed)

    def _verified(self, report: object) -> None:
        if not shiboken6.isValid(self):
            return
        assert isinstance(report, VerifyReport)
        self.verify_button.setEnabled(True)
        self.report = report
        self._show_report(report)
        self.worker.changed.emit()  # the check itself is an entry now
        self.model.set_filter(self.model.filter())
        self.verified.emit(report)

    def _verify_failed(self, error: object) -> None:
        if shiboken6.isValid(self):
            self.verify_button.setEnabled(True)
            if isinstance(error, DomainError):
                self._show_error(error)

    def _show_report(self, report: VerifyReport) -> None:
        if report.ok:
            if report.anchors_checked:
                text = self.tr(
                    "The audit trail is intact: all %1 entries are as they were written, and "
                    "the %2 confirmed by headquarters match."
                ).replace("%2", str(report.anchors_checked))
            else:
                text = self.tr(
                    "The audit trail is intact: all %1 entries are as they were written."
                )
            self._set_result(OK_STYLE, text.replace("%1", str(report.checked)))
            return
        lines = [self.tr("The audit trail has been tampered with.")]
        if any(b.kind is BreakKind.UNPROTECTED for b in report.breaks):
            lines.append(
                self.tr("The database's protection against changing entries has been removed.")
            )
        first = next((b for b in report.breaks if b.kind is not BreakKind.UNPROTECTED), None)
        if first is not None:
            reasons = {
                BreakKind.EDITED: self.tr("its content was changed after it was written"),
                BreakKind.LINK: self.tr(
                    "it does not follow entry #%1: entries were removed, inserted or reordered"
                ),
                BreakKind.GAP: self.tr("entries between #%1 and it are missing"),
                BreakKind.ANCHOR: self.tr(
                    "headquarters confirmed this entry, and it is now gone or different"
                ),
            }
            reason = reasons.get(first.kind, str(first.kind)).replace(
                "%1", str(first.previous_id or "")
            )
            when = (
                first.at.astimezone(self.worker.ctx.tz).strftime("%Y-%m-%d %H:%M:%S")
                if first.at
                else ""
            )
            about = " · ".join(x for x in (when, first.actor or "", first.action or "") if x)
            lines.append(
                self.tr("First broken entry: #%1 (%2): %3")
                .replace("%1", str(first.audit_id))
                .replace("%2", about)
                .replace("%3", reason)
            )
        lines.append(self.tr("%1 entries checked.").replace("%1", str(report.checked)))
        self._set_result(ERROR_STYLE, "\n".join(lines))
