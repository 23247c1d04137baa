"""The interface language: Qt translators for the widgets' own strings (`tr()`, from
`resources/i18n/ui_<lang>.qm`), and the domain's message tables for codes (states,
kinds, milestones). Switching language re-translates every open window in place, so
nothing typed is lost."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QObject, QTranslator, Signal

from branchdesk import i18n as messages
from branchdesk.domain.errors import DomainError, ValidationError
from branchdesk.resources_access import resource

LANGUAGES = messages.LANGUAGES  # ("zh_CN", "en")
_current = "zh_CN"
_translator: QTranslator | None = None
_qt_translator: QTranslator | None = None  # Qt's own words


class _Notifier(QObject):
    changed = Signal(str)


notifier = _Notifier()


def qm_path(lang: str) -> Path:
    return Path(str(resource(f"i18n/ui_{lang}.qm")))


def current() -> str:
    return _current


def set_language(lang: str) -> None:
    """Use `lang` for every window from now on (QEvent.LanguageChange reaches each one)."""
    global _current, _translator, _qt_translator
    app = QCoreApplication.instance()
    lang = messages.resolve_language(lang)
    if app is not None:
        for old in (_translator, _qt_translator):
            if old is not None:
                app.removeTranslator(old)
        _translator = _qt_translator = None
        # English is the source language; its file only carries plural forms.
        translator = QTranslator(app)
        if translator.load(str(qm_path(lang))):
            app.installTranslator(translator)
            _translator = translator
        # Qt's own words (message-box buttons, the file dialog), shipped with PySide6.
        qt_words = QTranslator(app)
        folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        if lang != "en" and qt_words.load(f"qtbase_{lang}", folder):
            app.installTranslator(qt_words)
            _qt_translator = qt_words
    _current = lang
    if lang == "zh_CN":
        QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    else:
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))
    notifier.changed.emit(lang)


def text(key: str, **params: Any) -> str:
    """A domain message (labels of codes, error texts) in the current language."""
    return messages.translate(key, _current, **params)


def word(prefix: str, code: str | None) -> str:
    """The label of a stored code, e.g. word("label.CaseState", "received") -> "已受理"."""
    if code is None:
        return ""
    return messages.messages(_current).get(f"{prefix}.{code}", code)


def error_text(error: DomainError) -> str:
    """A refusal in words: each invalid field by its label and problem ("联系电话：号码格式
    不正确"), else the message itself (a role that is needed, a state that forbids it)."""
    if isinstance(error, ValidationError):
        return "\n".join(messages.format_field_errors(error.errors, _current))
    return text(error.key, **error.params)
