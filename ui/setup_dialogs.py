"""The dialogs before the workbench opens: setting up a branch on its first run, and
asking for the database passphrase on a computer without a secure keyring.

The rules for what may be entered live in the domain and services (branch code,
staff number, branch details); these dialogs call them and show each problem under
its field, keeping the dialog open until everything is right.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TypedDict

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from branchdesk.domain.case_numbers import validate_branch_code
from branchdesk.domain.errors import FieldError
from branchdesk.domain.identity import normalise_phone
from branchdesk.domain.validation import STAFF_MAX, clean_text, require_text
from branchdesk.i18n import field_label
from branchdesk.secrets import MIN_PASSPHRASE
from branchdesk.services.branch import validate_branch_details
from branchdesk.services.staff import validate_new_staff
from ui import i18n

#: The interface languages, each named in its own language so anyone can find theirs.
LANGUAGE_NAMES = (("zh_CN", "中文（简体）"), ("en", "English"))
ERROR_STYLE = "color: #b3261e;"


class FieldRow(QWidget):
    """An input with the message about it right underneath (hidden while all is well)."""

    def __init__(self, editor: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = editor
        self.error = QLabel(self)
        self.error.setObjectName("fieldError")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(editor)
        layout.addWidget(self.error)
        self.setFocusProxy(editor)

    def set_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))
        # Screen readers announce the problem with the field it belongs to.
        self.editor.setAccessibleDescription(text)


def grow_to_fit(window: QWidget) -> None:
    """Make `window` tall enough for its contents at its current width (messages shown
    under fields must not squeeze the fields)."""
    layout = window.layout()
    if layout is None:
        return
    layout.activate()
    needed = (
        layout.totalHeightForWidth(window.width())
        if layout.hasHeightForWidth()
        else layout.totalMinimumSize().height()
    )
    if needed > window.height():
        window.resize(window.width(), needed)


def language_combo(parent: QWidget | None = None) -> QComboBox:
    combo = QComboBox(parent)
    for code, name in LANGUAGE_NAMES:
        combo.addItem(name, code)
    combo.setCurrentIndex(max(0, combo.findData(i18n.current())))
    return combo


def show_field_errors(
    rows: dict[str, FieldRow], errors: Sequence[FieldError], general: QLabel
) -> None:
    """Each error under its field; errors of fields not on the form above them all.
    The first field in error gets the focus."""
    for row in rows.values():
        row.set_error("")
    messages: dict[str, list[str]] = {}
    others: list[FieldError] = []
    for error in errors:
        if error.field in rows:
            messages.setdefault(error.field, []).append(i18n.text(error.key, **error.params))
        else:
            others.append(error)
    for field, texts in messages.items():
        rows[field].set_error("\n".join(texts))
    general.setText(
        "\n".join(
            f"{field_label(e.field, i18n.current())}: {i18n.text(e.key, **e.params)}"
            if e.field
            else i18n.text(e.key, **e.params)
            for e in others
        )
    )
    general.setVisible(bool(others))
    grow_to_fit(general.window())
    first = next((row for field, row in rows.items() if field in messages), None)
    if first is not None:
        first.editor.setFocus(Qt.FocusReason.OtherFocusReason)


def _password_edit(parent: QWidget) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    # An input method would show the passphrase in its candidate window.
    edit.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
    return edit


class PassphraseFields(QWidget):
    """The passphrase (twice when choosing one) with why it is needed and what
    happens if it is lost."""

    def __init__(self, *, confirm: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.confirm = confirm
        self.explanation = QLabel(self)
        self.explanation.setWordWrap(True)
        self.passphrase = _password_edit(self)
        self.again = _password_edit(self)
        self.show_text = QCheckBox(self)
        self.show_text.toggled.connect(self._show_characters)
        self.passphrase_row = FieldRow(self.passphrase, self)
        self.again_row = FieldRow(self.again, self)
        self.passphrase_label = QLabel(self)
        self.passphrase_label.setBuddy(self.passphrase)
        self.again_label = QLabel(self)
        self.again_label.setBuddy(self.again)
        form = QFormLayout()
        form.addRow(self.passphrase_label, self.passphrase_row)
        if confirm:
            form.addRow(self.again_label, self.again_row)
        else:
            self.again_label.hide()
            self.again_row.hide()
        form.addRow("", self.show_text)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.explanation)
        layout.addLayout(form)
        self._checked = False
        self.retranslate()

    def _show_characters(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        self.passphrase.setEchoMode(mode)
        self.again.setEchoMode(mode)

    def retranslate(self) -> None:
        if self.confirm:
            self.explanation.setText(
                self.tr(
                    "This computer has no secure keyring, so the branch database is locked "
                    "with a passphrase instead. Choose one of at least %1 characters and keep "
                    "it somewhere safe: it is needed every time BranchDesk starts, and it "
                    "cannot be recovered. Without it nobody can open the data, not even "
                    "support."
                ).replace("%1", str(MIN_PASSPHRASE))
            )
        else:
            self.explanation.setText(
                self.tr(
                    "This computer has no secure keyring, so the branch database is locked "
                    "with a passphrase. Type it to open the branch's data."
                )
            )
        self.passphrase_label.setText(self.tr("&Passphrase:"))
        self.again_label.setText(self.tr("&Repeat passphrase:"))
        self.show_text.setText(self.tr("Sho&w the characters"))
        if self._checked:
            self.problems()

    def value(self) -> str:
        return self.passphrase.text()

    def problems(self) -> bool:
        """Check what was typed, showing each problem under its field. True if any."""
        self._checked = True
        first, second = self.passphrase.text(), self.again.text()
        short = (
            i18n.text("error.secret.passphrase_short", min=MIN_PASSPHRASE)
            if len(first) < MIN_PASSPHRASE
            else ""
        )
        differ = (
            self.tr("The two passphrases differ.")
            if self.confirm and not short and first != second
            else ""
        )
        self.passphrase_row.set_error(short)
        self.again_row.set_error(differ)
        if short:
            self.passphrase.setFocus(Qt.FocusReason.OtherFocusReason)
            self.passphrase.selectAll()
        elif differ:
            self.again.setFocus(Qt.FocusReason.OtherFocusReason)
            self.again.selectAll()
        grow_to_fit(self.window())
        return bool(short or differ)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


class PassphraseDialog(QDialog):
    """Asks for the database passphrase: to choose one (`confirm`) or to unlock."""

    def __init__(self, parent: QWidget | None = None, *, confirm: bool) -> None:
        super().__init__(parent)
        self.confirm = confirm
        self.fields = PassphraseFields(confirm=confirm, parent=self)
        self.buttons = QDialogButtonBox(self)
        self.ok_button = QPushButton(self)
        self.ok_button.setDefault(True)
        self.cancel_button = QPushButton(self)
        self.buttons.addButton(self.ok_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.fields)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)
        self.retranslate()
        self.fields.passphrase.setFocus()

    def retranslate(self) -> None:
        if self.confirm:
            self.setWindowTitle(self.tr("BranchDesk – choose the database passphrase"))
            self.ok_button.setText(self.tr("Use this passphrase (Enter)"))
        else:
            self.setWindowTitle(self.tr("BranchDesk – unlock the branch data"))
            self.ok_button.setText(self.tr("Unlock (Enter)"))
        self.cancel_button.setText(self.tr("Cancel (Esc)"))

    def passphrase(self) -> str:
        return self.fields.value()

    def accept(self) -> None:
        if not self.fields.problems():
            super().accept()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


def ask_passphrase(parent: QWidget | None, *, confirm: bool) -> str | None:
    """The database passphrase, typed twice and at least MIN_PASSPHRASE long when
    `confirm` (choosing one); None if the person cancelled."""
    dialog = PassphraseDialog(parent, confirm=confirm)
    try:
        if dialog.exec() == QDialog.DialogCode.Accepted:
            return dialog.passphrase()
        return None
    finally:
        dialog.deleteLater()


class SetupDetails(TypedDict):
    """The keyword arguments of `branchdesk.bootstrap.initialise` besides the data
    directory and the key store."""

    branch_code: str
    branch_name: str
    admin_no: str
    admin_name: str
    admin_password: str
    address: str
    phone: str
    language: str
    passphrase: str | None


class SetupDialog(QDialog):
    """First run on this computer: the branch, its first administrator with their own
    password, and (without a secure keyring) the database passphrase."""

    def __init__(
        self, parent: QWidget | None = None, *, data_dir: Path, secure_keyring: bool
    ) -> None:
        super().__init__(parent)
        self.data_dir = data_dir
        self.secure_keyring = secure_keyring
        self._errors: list[FieldError] = []

        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.data_dir_edit = QLineEdit(str(data_dir), self)
        self.data_dir_edit.setReadOnly(True)
        self.data_dir_label = QLabel(self)

        self.branch_box = QGroupBox(self)
        self.code = QLineEdit(self)
        self.code.setMaxLength(12)
        self.name = QLineEdit(self)
        self.address = QLineEdit(self)
        self.phone = QLineEdit(self)
        self.language = language_combo(self)
        self.language.currentIndexChanged.connect(self._language_chosen)
        self.admin_box = QGroupBox(self)
        self.admin_no = QLineEdit(self)
        self.admin_name = QLineEdit(self)
        self.rows: dict[str, FieldRow] = {
            "branch_code": FieldRow(self.code),
            "branch_name": FieldRow(self.name),
            "address": FieldRow(self.address),
            "phone": FieldRow(self.phone),
            "language": FieldRow(self.language),
            # validate_new_staff names the staff member's fields plainly.
            "staff_no": FieldRow(self.admin_no),
            "name": FieldRow(self.admin_name),
        }
        self.labels: dict[str, QLabel] = {}
        branch_form = QFormLayout(self.branch_box)
        for field in ("branch_code", "branch_name", "address", "phone", "language"):
            branch_form.addRow(self._label(field), self.rows[field])
        admin_form = QFormLayout(self.admin_box)
        for field in ("staff_no", "name"):
            admin_form.addRow(self._label(field), self.rows[field])
        # Their own password, chosen now: there is no default password anywhere. (A
        # late import: the password fields are built from this module's FieldRow.)
        from ui.passwords import NewPasswordFields

        self.admin_password = NewPasswordFields(
            lambda: (self.admin_no.text().strip(), self.admin_name.text()),
            self.admin_box,
            field="password",
        )
        admin_form.addRow(self.admin_password)

        self.key_box = QGroupBox(self)
        key_layout = QVBoxLayout(self.key_box)
        self.key_note = QLabel(self.key_box)
        self.key_note.setWordWrap(True)
        self.passphrase: PassphraseFields | None = None
        if secure_keyring:
            key_layout.addWidget(self.key_note)
        else:
            self.key_note.hide()
            self.passphrase = PassphraseFields(confirm=True, parent=self.key_box)
            key_layout.addWidget(self.passphrase)

        self.general_error = QLabel(self)
        self.general_error.setStyleSheet(ERROR_STYLE)
        self.general_error.setWordWrap(True)
        self.general_error.hide()
        self.create_button = QPushButton(self)
        self.create_button.setDefault(True)
        self.cancel_button = QPushButton(self)
        buttons = QDialogButtonBox(self)
        buttons.addButton(self.create_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        where = QFormLayout()
        where.addRow(self.data_dir_label, self.data_dir_edit)
        self.data_dir_label.setBuddy(self.data_dir_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(where)
        layout.addWidget(self.branch_box)
        layout.addWidget(self.admin_box)
        layout.addWidget(self.key_box)
        layout.addWidget(self.general_error)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.setMinimumWidth(600)
        self.retranslate()
        self.code.setFocus()

    def _label(self, field: str) -> QLabel:
        label = QLabel(self)
        label.setBuddy(self.rows[field].editor)
        self.labels[field] = label
        return label

    def _language_chosen(self) -> None:
        # The rest of the set-up is easier in the language the branch will use.
        i18n.set_language(str(self.language.currentData()))

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("BranchDesk – set up this branch"))
        self.intro.setText(
            self.tr(
                "There is no branch data on this computer yet. Enter the branch and its "
                "first administrator. The branch code is part of every case number and "
                "cannot be changed later."
            )
        )
        self.data_dir_label.setText(self.tr("&Data directory:"))
        self.branch_box.setTitle(self.tr("Branch"))
        self.admin_box.setTitle(self.tr("First administrator"))
        texts = {
            "branch_code": self.tr("Branch &code:"),
            "branch_name": self.tr("Branch &name:"),
            "address": self.tr("&Address:"),
            "phone": self.tr("P&hone:"),
            "language": self.tr("&Language:"),
            "staff_no": self.tr("&Staff number:"),
            "name": self.tr("Na&me:"),
        }
        for field, text in texts.items():
            self.labels[field].setText(text)
        self.code.setPlaceholderText(self.tr("two capital letters and four digits, e.g. GZ0012"))
        self.name.setPlaceholderText(self.tr("e.g. Guangzhou Tianhe branch"))
        self.phone.setPlaceholderText(self.tr("printed on receipts, e.g. 020-12345678"))
        self.admin_no.setPlaceholderText(self.tr("e.g. A001"))
        self.key_box.setTitle(self.tr("Database key"))
        self.key_note.setText(
            self.tr(
                "The branch database is encrypted. Its key is kept in this computer's "
                "secure keyring: nobody needs to type a passphrase."
            )
        )
        self.create_button.setText(self.tr("Create the branch (Enter)"))
        self.cancel_button.setText(self.tr("Cancel (Esc)"))
        if self._errors:
            show_field_errors(self.rows, self._errors, self.general_error)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def field_errors(self) -> list[FieldError]:
        """What the domain says about the form as it is now."""
        errors: list[FieldError] = list(validate_branch_code(self._code()))
        errors.extend(
            validate_branch_details(
                name=self.name.text(),
                address=self.address.text(),
                phone=self.phone.text(),
                language=str(self.language.currentData()),
            )
        )
        admin_no, admin_name = self.admin_no.text().strip(), self.admin_name.text()
        errors.extend(
            e
            for e in validate_new_staff(admin_no, admin_name, ("admin",))
            # The roles are fixed, and the name is checked below with a message that
            # says "required" for an empty name rather than "too long".
            if e.field == "staff_no"
        )
        errors.extend(require_text("name", admin_name, min_len=1, max_len=STAFF_MAX))
        return errors

    def _code(self) -> str:
        # Capitals are what is printed; typing them is not worth a refusal.
        return self.code.text().strip().upper()

    def details(self) -> SetupDetails:
        """The form as `initialise` keyword arguments (call after it was accepted)."""
        return SetupDetails(
            branch_code=self._code(),
            branch_name=clean_text(self.name.text()),
            admin_no=self.admin_no.text().strip(),
            admin_name=clean_text(self.admin_name.text()),
            admin_password=self.admin_password.value(),
            address=clean_text(self.address.text()),
            phone=normalise_phone(self.phone.text()) or "",
            language=str(self.language.currentData()),
            passphrase=None if self.passphrase is None else self.passphrase.value(),
        )

    def accept(self) -> None:
        self._errors = self.field_errors()
        show_field_errors(self.rows, self._errors, self.general_error)
        passphrase_bad = self.passphrase is not None and self.passphrase.problems()
        password_bad = self.admin_password.problems()
        if self._errors and (passphrase_bad or password_bad):
            # Fields are fixed from the top: the focus goes to the first one in error.
            first = next(f for f in self.rows if any(e.field == f for e in self._errors))
            self.rows[first].editor.setFocus(Qt.FocusReason.OtherFocusReason)
        if not self._errors and not passphrase_bad and not password_bad:
            super().accept()

    @classmethod
    def ask(
        cls, parent: QWidget | None, *, data_dir: Path, secure_keyring: bool
    ) -> SetupDetails | None:
        """The set-up details for `initialise(data_dir, use_keyring=secure_keyring,
        **details)`, or None if the person cancelled."""
        dialog = cls(parent, data_dir=data_dir, secure_keyring=secure_keyring)
        try:
            if dialog.exec() == QDialog.DialogCode.Accepted:
                return dialog.details()
            return None
        finally:
            dialog.deleteLater()
