"""The settings dialog: the interface language, the branch's details, where the data
lives and how it is locked, and what this installation is made of (versions of the
program, its libraries and its rule data) for the administrator and for support.

Changes are written through `branchdesk.services.branch.update_branch` on the database
worker; the language switches the whole interface at once, keeping what was typed.
"""

from __future__ import annotations

import platform
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from pathlib import Path

import PySide6
from PySide6.QtCore import QEvent, Qt, Signal, qVersion
from PySide6.QtGui import QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from branchdesk import __version__
from branchdesk.bootstrap import key_mode
from branchdesk.domain.errors import DomainError, ValidationError
from branchdesk.i18n import format_field_errors
from branchdesk.services import search_index
from branchdesk.services.branch import (
    IDLE_LOCK_RANGE,
    BranchInfo,
    branch_info,
    set_branch_logo,
    update_branch,
)
from branchdesk.services.context import ServiceContext
from ui import crash, i18n
from ui.long_work import LongWork
from ui.session import UserSession
from ui.setup_dialogs import ERROR_STYLE, FieldRow, language_combo, show_field_errors
from ui.worker import DbWorker


@dataclass(frozen=True)
class Installation:
    """What the settings dialog shows, read on the worker in one go."""

    branch: BranchInfo
    data_dir: str
    database: str
    key_mode: str  # "keyring" | "passphrase" | "" (configuration unreadable)


def read_installation(ctx: ServiceContext) -> Installation:
    try:
        mode = key_mode(ctx.db.path.parent)
    except DomainError:
        mode = ""
    return Installation(branch_info(ctx), str(ctx.db.path.parent), str(ctx.db.path), mode)


def year_spans(years: list[int]) -> str:
    """Consecutive years joined into spans: [2004, 2005, 2006, 2009] -> "2004–2006, 2009"."""
    spans: list[tuple[int, int]] = []
    for year in sorted(years):
        if spans and year == spans[-1][1] + 1:
            spans[-1] = (spans[-1][0], year)
        else:
            spans.append((year, year))
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in spans)


def _library_version(name: str) -> str:
    try:
        return package_version(name)
    except PackageNotFoundError:
        return "?"


def _sqlite_version() -> str:
    # The SQLite inside SQLCipher's binding, not the system library Python links to.
    import sqlcipher3.dbapi2

    return str(sqlcipher3.dbapi2.sqlite_version)


#: The rows of the About tab, in order.
ABOUT_ROWS = ("branchdesk", "python", "qt", "database", "calendar", "years", "policy", "catalogue")


def _read_only(parent: QWidget) -> QLineEdit:
    # A read-only line edit rather than a label: support can select and copy from it.
    edit = QLineEdit(parent)
    edit.setReadOnly(True)
    # The window's colour says "not for typing in" at a glance.
    palette = edit.palette()
    palette.setColor(QPalette.ColorRole.Base, palette.color(QPalette.ColorRole.Window))
    edit.setPalette(palette)
    return edit


class SettingsDialog(QDialog):
    """Language, branch details, data location and versions. Changes are made as the
    signed-in staff member (recorded in the audit log under their number); the pages
    and buttons their roles may not use are not shown."""

    loaded = Signal()
    branch_saved = Signal(object)  # BranchInfo
    language_saved = Signal(str)

    def __init__(
        self, worker: DbWorker, session: UserSession, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.worker = worker
        self.session = session
        self.me = session.staff_no
        self.info: Installation | None = None
        self._errors: list[DomainError] = []
        self._status_text: tuple[str, str] = ("", "")  # (which message, tab)

        self.tabs = QTabWidget(self)
        self._build_language_tab()
        self._build_branch_tab()
        self._build_data_tab()
        self._build_about_tab()
        self.tabs.currentChanged.connect(self._tab_changed)
        # Only what the services would accept from this person is offered.
        self.may_configure = session.allows("branch.settings")
        if not self.may_configure:
            self.tabs.removeTab(self.tabs.indexOf(self.branch_page))
        self.rebuild_button.setVisible(session.allows("branch.maintenance"))

        self.close_button = QPushButton(self)
        self.close_button.setAutoDefault(False)
        buttons = QDialogButtonBox(self)
        buttons.addButton(self.close_button, QDialogButtonBox.ButtonRole.RejectRole)
        buttons.rejected.connect(self.reject)
        # Ctrl+S acts on the tab in view: apply the language, or save the branch.
        self.save_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self)
        self.save_shortcut.activated.connect(self._save_current_tab)

        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)
        self.resize(640, 440)
        self.retranslate()
        self._tab_changed(self.tabs.currentIndex())
        self._set_loading(True)
        self.worker.run(read_installation, on_done=self._loaded, on_error=self._load_failed)

    # ------------------------------------------------------------------ building
    def _build_language_tab(self) -> None:
        page = QWidget(self)
        self.language = language_combo(page)
        self.language_label = QLabel(page)
        self.language_label.setBuddy(self.language)
        self.language_note = QLabel(page)
        self.language_note.setWordWrap(True)
        self.apply_language_button = QPushButton(page)
        self.apply_language_button.clicked.connect(self.apply_language)
        self.language_status = QLabel(page)
        self.language_status.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.language_label, self.language)
        layout = QVBoxLayout(page)
        layout.addLayout(form)
        layout.addWidget(self.language_note)
        layout.addWidget(self.apply_language_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.language_status)
        layout.addStretch(1)
        self.language_page = page
        self.tabs.addTab(page, "")

    def _build_branch_tab(self) -> None:
        page = QWidget(self)
        self.code = _read_only(page)
        self.name = QLineEdit(page)
        self.address = QLineEdit(page)
        self.phone = QLineEdit(page)
        self.idle_lock = QSpinBox(page)
        self.idle_lock.setRange(*IDLE_LOCK_RANGE)
        self.rows = {
            "branch_name": FieldRow(self.name, page),
            "address": FieldRow(self.address, page),
            "phone": FieldRow(self.phone, page),
            "idle_lock_minutes": FieldRow(self.idle_lock, page),
        }
        self.branch_labels = {field: QLabel(page) for field in ("code", *self.rows)}
        form = QFormLayout()
        form.addRow(self.branch_labels["code"], self.code)
        self.branch_labels["code"].setBuddy(self.code)
        for field, row in self.rows.items():
            form.addRow(self.branch_labels[field], row)
            self.branch_labels[field].setBuddy(row.editor)
        self.code_note = QLabel(page)
        self.code_note.setWordWrap(True)
        self.branch_error = QLabel(page)
        self.branch_error.setStyleSheet(ERROR_STYLE)
        self.branch_error.setWordWrap(True)
        self.branch_error.hide()
        self.save_button = QPushButton(page)
        self.save_button.clicked.connect(self.save_branch)
        self.branch_status = QLabel(page)
        layout = QVBoxLayout(page)
        layout.addLayout(form)
        layout.addWidget(self.code_note)
        layout.addWidget(self.branch_error)
        layout.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.branch_status)
        # The logo on the letterhead of printed documents.
        logo_row = QHBoxLayout()
        self.logo_button = QPushButton(page)
        self.logo_button.clicked.connect(self.choose_logo)
        self.remove_logo_button = QPushButton(page)
        self.remove_logo_button.clicked.connect(lambda: self._set_logo(None))
        logo_row.addWidget(self.logo_button)
        logo_row.addWidget(self.remove_logo_button)
        logo_row.addStretch(1)
        layout.addLayout(logo_row)
        self.logo_status = QLabel(page)
        self.logo_status.setWordWrap(True)
        layout.addWidget(self.logo_status)
        layout.addStretch(1)
        self.branch_page = page
        self.tabs.addTab(page, "")

    def _build_data_tab(self) -> None:
        page = QWidget(self)
        self.data_dir = _read_only(page)
        self.database = _read_only(page)
        self.key_mode = _read_only(page)
        self.log_file = _read_only(page)
        self.data_labels = [QLabel(page) for _ in range(4)]
        form = QFormLayout()
        for label, edit in zip(
            self.data_labels,
            (self.data_dir, self.database, self.key_mode, self.log_file),
            strict=True,
        ):
            label.setBuddy(edit)
            form.addRow(label, edit)
        self.key_note = QLabel(page)
        self.key_note.setWordWrap(True)
        self.rebuild_button = QPushButton(page)
        self.rebuild_button.clicked.connect(self.rebuild_search_index)
        self.rebuild_result = QLabel(page)
        self.rebuild_result.setWordWrap(True)
        self.rebuild_work: LongWork | None = None
        layout = QVBoxLayout(page)
        layout.addLayout(form)
        layout.addWidget(self.key_note)
        layout.addWidget(self.rebuild_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.rebuild_result)
        layout.addStretch(1)
        self.data_page = page
        self.tabs.addTab(page, "")

    def _build_about_tab(self) -> None:
        page = QWidget(self)
        ctx = self.worker.ctx
        calendar = ctx.calendar
        self.calendar_years = sorted(calendar.years)
        # Rule data and library versions are fixed for the session: read them once.
        self.versions = {
            "branchdesk": __version__,
            "python": platform.python_version(),
            "qt": f"Qt {qVersion()} · PySide6 {PySide6.__version__}",
            "database": f"SQLite {_sqlite_version()} · SQLCipher (sqlcipher3 "
            f"{_library_version('sqlcipher3')})",
            "calendar": f"{calendar.version} ({calendar.region})",
            "policy": ctx.policy.version,
            "catalogue": ctx.catalogue.version,
        }
        self.versions["years"] = year_spans(self.calendar_years)
        self.about_labels: dict[str, QLabel] = {}
        form = QFormLayout()
        for key in ABOUT_ROWS:
            label, value = QLabel(page), _read_only(page)
            value.setText(self.versions[key])
            label.setBuddy(value)
            self.about_labels[key] = label
            form.addRow(label, value)
        self.calendar_note = QLabel(page)
        self.calendar_note.setWordWrap(True)
        layout = QVBoxLayout(page)
        layout.addLayout(form)
        layout.addWidget(self.calendar_note)
        layout.addStretch(1)
        self.about_page = page
        self.tabs.addTab(page, "")

    # ------------------------------------------------------------------ language
    def choose_logo(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, self.tr("Letterhead logo"), "", self.tr("PNG images (*.png)")
        )
        if path:
            self._set_logo(Path(path).read_bytes())

    def _set_logo(self, png: bytes | None) -> None:
        me = self.me

        def done(_result: object) -> None:
            self.logo_status.setText(
                self.tr("The logo will be printed on the letterhead.")
                if png
                else self.tr("No logo is printed.")
            )

        def failed(error: DomainError) -> None:
            lines = (
                format_field_errors(error.errors, i18n.current())
                if isinstance(error, ValidationError)
                else [i18n.text(error.key, **error.params)]
            )
            self.logo_status.setText("\n".join(lines))

        self.worker.run(
            lambda ctx: set_branch_logo(ctx, png=png, actor=me),
            on_done=done,
            on_error=failed,
            writes=True,
        )

    def rebuild_search_index(self) -> None:
        """Long work with progress and cancel, on the database worker."""
        me = self.me

        def work(ctx: ServiceContext, progress: Callable[[int, int], bool]) -> int:
            return search_index.rebuild_search_index(ctx, actor=me, progress=progress)

        self.rebuild_button.setEnabled(False)
        self.rebuild_result.clear()
        self.rebuild_work = LongWork(
            self.worker, self.tr("Rebuilding the search index…"), work, self
        )
        self.rebuild_work.finished.connect(self._rebuilt)
        self.rebuild_work.failed.connect(self._rebuild_failed)

    def _rebuilt(self, count: object) -> None:
        self.rebuild_button.setEnabled(True)
        self.rebuild_result.setText(
            self.tr("The search index was rebuilt from %1 cases.").replace("%1", str(count))
        )

    def _rebuild_failed(self, error: object) -> None:
        self.rebuild_button.setEnabled(True)
        if isinstance(error, DomainError):
            self.rebuild_result.setText(i18n.text(error.key, **error.params))

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("BranchDesk – settings"))
        self.tabs.setTabText(self.tabs.indexOf(self.language_page), self.tr("&Language"))
        self.tabs.setTabText(self.tabs.indexOf(self.branch_page), self.tr("&Branch"))
        self.tabs.setTabText(self.tabs.indexOf(self.data_page), self.tr("&Data"))
        self.tabs.setTabText(self.tabs.indexOf(self.about_page), self.tr("Ab&out"))
        self.close_button.setText(self.tr("Close (Esc)"))

        self.language_label.setText(self.tr("Interface lan&guage:"))
        self.language_note.setText(
            self.tr(
                "Every open window switches at once; nothing you have typed is lost. "
                "The choice is saved as this branch's language, used whenever BranchDesk "
                "starts here."
            )
        )
        self.apply_language_button.setText(self.tr("Use this language (Ctrl+S)"))
        # Another window (Ctrl+L in the workbench) may have switched the language.
        self.language.blockSignals(True)
        self.language.setCurrentIndex(max(0, self.language.findData(i18n.current())))
        self.language.blockSignals(False)

        self.branch_labels["code"].setText(self.tr("Branch code:"))
        self.branch_labels["branch_name"].setText(self.tr("Branch &name:"))
        self.branch_labels["address"].setText(self.tr("&Address:"))
        self.branch_labels["phone"].setText(self.tr("P&hone:"))
        self.phone.setPlaceholderText(self.tr("printed on receipts, e.g. 020-12345678"))
        self.branch_labels["idle_lock_minutes"].setText(self.tr("&Lock after idle:"))
        self.idle_lock.setSuffix(self.tr(" min"))
        self.idle_lock.setToolTip(
            self.tr(
                "With no key pressed and no mouse moved for this long, the workbench locks; "
                "what was typed is kept for the same person."
            )
        )
        self.code_note.setText(
            self.tr(
                "The branch code is part of every case number and is known to headquarters, "
                "so it cannot be changed here."
            )
        )
        self.save_button.setText(self.tr("Save branch details (Ctrl+S)"))
        self.logo_button.setText(self.tr("Letterhead logo…"))
        self.remove_logo_button.setText(self.tr("Remove the logo"))
        if self._errors:
            self._show_errors()

        for label, text in zip(
            self.data_labels,
            (
                self.tr("Data directory:"),
                self.tr("Database file:"),
                self.tr("Database key:"),
                self.tr("Log file:"),
            ),
            strict=True,
        ):
            label.setText(text)
        self.log_file.setText(str(crash.log_file() or "—"))
        self.rebuild_button.setText(self.tr("Rebuild the search index…"))
        self.rebuild_button.setToolTip(
            self.tr(
                "Reads every case again and rebuilds the search from it. Cancelling "
                "leaves the search as it was."
            )
        )

        about = {
            "branchdesk": self.tr("BranchDesk:"),
            "python": self.tr("Python:"),
            "qt": self.tr("Interface toolkit:"),
            "database": self.tr("Database engine:"),
            "calendar": self.tr("Working-day calendar:"),
            "years": self.tr("Calendar years:"),
            "policy": self.tr("Time limit policy:"),
            "catalogue": self.tr("Case category catalogue:"),
        }
        for key, text in about.items():
            self.about_labels[key].setText(text)
        self._retranslate_loaded()

    def _retranslate_loaded(self) -> None:
        """The texts that depend on what was read from the installation."""
        modes = {
            "keyring": self.tr("System keyring"),
            "passphrase": self.tr("Passphrase (no secure keyring on this computer)"),
        }
        notes = {
            "keyring": self.tr(
                "The database is encrypted; its key is kept in this computer's secure "
                "keyring. A copy of the data directory cannot be opened on another computer."
            ),
            "passphrase": self.tr(
                "The database is encrypted with a key made from the passphrase typed at "
                "start. The passphrase cannot be recovered: keep it safe."
            ),
        }
        mode = self.info.key_mode if self.info is not None else ""
        self.key_mode.setText(modes.get(mode, "—" if self.info is not None else ""))
        self.key_note.setText(notes.get(mode, ""))
        next_year = self.worker.ctx.now().year + 1
        if next_year in self.calendar_years:
            self.calendar_note.setText("")
        else:
            self.calendar_note.setText(
                self.tr(
                    "The calendar does not know %1 yet. Until headquarters publishes it, "
                    "days in %1 count Monday to Friday and deadlines reaching into it are "
                    "provisional."
                ).replace("%1", str(next_year))
            )
        which, tab = self._status_text
        status = {
            "language": self.tr("Saved: BranchDesk starts in this language from now on."),
            "branch": self.tr("Branch details saved."),
        }.get(which, "")
        if tab == "language":
            self.language_status.setText(status)
        elif tab == "branch":
            self.branch_status.setText(status)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # ------------------------------------------------------------------ behaviour
    def _tab_changed(self, index: int) -> None:
        # Enter does what the tab in view is for.
        page = self.tabs.widget(index)
        self.apply_language_button.setDefault(page is self.language_page)
        self.save_button.setDefault(page is self.branch_page)

    def _save_current_tab(self) -> None:
        page = self.tabs.currentWidget()
        if page is self.language_page:
            self.apply_language()
        elif page is self.branch_page:
            self.save_branch()

    def _set_loading(self, loading: bool) -> None:
        for widget in (self.name, self.address, self.phone, self.idle_lock, self.save_button):
            widget.setEnabled(not loading)

    def _loaded(self, info: Installation) -> None:
        self.info = info
        self.code.setText(info.branch.code)
        self._show_branch(info.branch)
        self.data_dir.setText(info.data_dir)
        self.database.setText(info.database)
        self._set_loading(False)
        self._retranslate_loaded()
        self.loaded.emit()

    def _load_failed(self, error: DomainError) -> None:
        self.branch_error.setText(i18n.text(error.key, **error.params))
        self.branch_error.show()

    def _show_branch(self, branch: BranchInfo) -> None:
        self.name.setText(branch.name)
        self.address.setText(branch.address)
        self.phone.setText(branch.phone)
        self.idle_lock.setValue(branch.idle_lock_minutes)

    def apply_language(self) -> None:
        """Switch the interface now and keep the choice as the branch's language."""
        lang, me = str(self.language.currentData()), self.me
        if lang != i18n.current():
            i18n.set_language(lang)
        self._set_status("", "language")
        if not self.may_configure:
            # The branch's language is an administrator's setting: switch this session only.
            self.language_status.setText(
                self.tr("Switched for now; an administrator sets the branch's language.")
            )
            return
        self.worker.run(
            lambda ctx: update_branch(ctx, language=lang, actor=me),
            on_done=lambda _info: self._language_stored(lang),
            on_error=self._language_not_stored,
            writes=True,
        )

    def _language_stored(self, lang: str) -> None:
        self._set_status("language", "language")
        self.language_saved.emit(lang)

    def _language_not_stored(self, error: DomainError) -> None:
        self.language_status.setText(i18n.error_text(error))

    def save_branch(self) -> None:
        if self.info is None:
            return
        name, address, phone = self.name.text(), self.address.text(), self.phone.text()
        idle, me = self.idle_lock.value(), self.me
        self._set_status("", "branch")
        self.save_button.setEnabled(False)
        self.worker.run(
            lambda ctx: update_branch(
                ctx, name=name, address=address, phone=phone, idle_lock_minutes=idle, actor=me
            ),
            on_done=self._branch_stored,
            on_error=self._branch_not_stored,
            writes=True,
        )

    def _branch_stored(self, branch: BranchInfo) -> None:
        self.save_button.setEnabled(True)
        if self.info is not None:
            self.info = Installation(
                branch, self.info.data_dir, self.info.database, self.info.key_mode
            )
        # The stored form (trimmed text, the phone number written the standard way).
        self._show_branch(branch)
        self._errors = []
        self._show_errors()
        self._set_status("branch", "branch")
        self.branch_saved.emit(branch)

    def _branch_not_stored(self, error: DomainError) -> None:
        self.save_button.setEnabled(True)
        self._errors = [error]
        self._show_errors()

    def _show_errors(self) -> None:
        field_errors = [
            e for err in self._errors if isinstance(err, ValidationError) for e in err.errors
        ]
        show_field_errors(self.rows, field_errors, self.branch_error)
        others = [err for err in self._errors if not isinstance(err, ValidationError)]
        if others:
            self.branch_error.setText(i18n.error_text(others[0]))
            self.branch_error.show()

    def _set_status(self, which: str, tab: str) -> None:
        self._status_text = (which, tab)
        self.language_status.setText("")
        self.branch_status.setText("")
        self._retranslate_loaded()
