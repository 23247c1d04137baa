"""The desktop's translations: every `tr()` string of the current `ui/` sources has a
finished zh_CN translation with the same placeholders, shortcuts and mnemonics, the
`.ts` and `.qm` are what `tools/update_translations.py` makes of the sources, and the
application really loads them. The checks themselves are tested on made-up files.

Refresh after changing strings: `.venv/bin/python tools/update_translations.py`.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication

from ui import i18n

REPO = Path(__file__).resolve().parents[2]
FIX = "run: .venv/bin/python tools/update_translations.py, then translate in the .ts"


def _load_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "update_translations", REPO / "tools" / "update_translations.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


tool = _load_tool()


def test_every_translate_call_is_readable_by_lupdate() -> None:
    assert tool.unreadable_calls(tool.ui_sources()) == []


@pytest.mark.parametrize("lang", tool.LANGUAGES)
def test_ts_file_is_current_with_the_ui_sources(lang: str) -> None:
    assert tool.ts_out_of_date(lang) == [], FIX


@pytest.mark.parametrize("lang", tool.LANGUAGES)
def test_every_string_has_a_finished_translation_with_matching_placeholders(
    lang: str,
) -> None:
    messages = tool.read_ts(tool.ts_path(lang))
    assert messages, "no strings found: is lupdate reading ui/?"
    assert tool.translation_problems(messages) == [], FIX


@pytest.mark.parametrize("lang", tool.LANGUAGES)
def test_qm_file_is_built_from_the_ts_file(lang: str) -> None:
    assert tool.qm_out_of_date(lang) == [], FIX


def test_set_language_loads_the_built_translations(qapp: QApplication) -> None:
    def close_text() -> str:
        return QCoreApplication.translate("SettingsDialog", "Close (Esc)")

    i18n.set_language("zh_CN")
    assert close_text() == "关闭 (Esc)"
    i18n.set_language("en")
    assert close_text() == "Close (Esc)"
    i18n.set_language("zh-CN")
    assert close_text() == "关闭 (Esc)"


def test_qts_own_words_follow_the_language(qapp: QApplication) -> None:
    """Message-box buttons and the file dialog are Qt's words: Chinese with the rest."""
    from PySide6.QtWidgets import QMessageBox

    def cancel_button() -> str:
        box = QMessageBox(QMessageBox.Icon.Question, "", "", QMessageBox.StandardButton.Cancel)
        button = box.button(QMessageBox.StandardButton.Cancel)
        text = button.text() if button is not None else ""
        box.deleteLater()
        return text

    i18n.set_language("zh_CN")
    assert cancel_button() == "取消"
    i18n.set_language("en")
    assert cancel_button() == "Cancel"


# --- the checks catch what they are for ------------------------------------------------

SAMPLE_TS = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>Sample</name>
    <message>
        <source>Saved as %1</source>
        <translation>已保存为 %1</translation>
    </message>
    <message>
        <source>{count} cases for {name}</source>
        <translation>{name} 的 {count} 个工单</translation>
    </message>
    <message>
        <source>Not done yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Guessed</source>
        <translation type="unfinished">猜的</translation>
    </message>
    <message>
        <source>%1 overdue, %2 nearly due</source>
        <translation>%1 个已超时</translation>
    </message>
    <message>
        <source>Hello {name}</source>
        <translation>你好 {nmae}</translation>
    </message>
    <message>
        <source>Save (Ctrl+S)</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>&amp;Branch</source>
        <translation>营业厅</translation>
    </message>
    <message>
        <source>Gone</source>
        <translation type="vanished">没了</translation>
    </message>
    <message numerus="yes">
        <source>%n case(s)</source>
        <translation>
            <numerusform>%n 个工单</numerusform>
        </translation>
    </message>
</context>
</TS>
"""


def test_translation_problems_are_found(tmp_path: Path) -> None:
    ts = tmp_path / "ui_zh_CN.ts"
    ts.write_text(SAMPLE_TS, encoding="utf-8")
    problems = tool.translation_problems(tool.read_ts(ts))
    flagged = sorted({p.split("'")[1] for p in problems})
    assert flagged == [
        "%1 overdue, %2 nearly due",
        "&Branch",
        "Gone",
        "Guessed",
        "Hello {name}",
        "Not done yet",
        "Save (Ctrl+S)",
    ]
    assert any("placeholders differ" in p and "%2" in p for p in problems)
    assert any("drops the key names" in p for p in problems)
    assert any("no & mnemonic" in p for p in problems)


def test_placeholders_of_both_styles_are_recognised() -> None:
    assert tool.placeholders("%1 of %2, %L3 {name} {0} {} {amount:.2f}") == {
        "%1": 1,
        "%2": 1,
        "%L3": 1,
        "{name}": 1,
        "{0}": 1,
        "{}": 1,
        "{amount:.2f}": 1,
    }
    assert tool.placeholders("100% sure, {{literal}}") == {}


def test_translate_calls_lupdate_cannot_read_are_found(tmp_path: Path) -> None:
    source = tmp_path / "sample.py"
    source.write_text(
        "from PySide6.QtCore import QCoreApplication\n"
        "class W:\n"
        "    def ok(self):\n"
        '        self.tr("Fine")\n'
        '        QCoreApplication.translate("W", "Also fine")\n'
        '        "a b c".translate({})\n'
        "    def bad(self, text):\n"
        "        self.tr(text)\n"
        '        QCoreApplication.translate("W", text)\n'
        "        tr = QCoreApplication.translate\n"
        '        tr("W", "Misread")\n',
        encoding="utf-8",
    )
    problems = tool.unreadable_calls([source], tmp_path)
    assert [p.split(":")[1] for p in problems] == ["8", "9", "10", "11"]


def test_stale_files_are_found_and_the_tool_brings_them_up_to_date(tmp_path: Path) -> None:
    """A string added to ui/ makes the check fail until the tool is run and the
    string translated; the .qm follows the .ts."""
    (tmp_path / "ui").mkdir()
    i18n_dir = tmp_path / "resources" / "i18n"
    i18n_dir.mkdir(parents=True)
    source = tmp_path / "ui" / "sample.py"
    source.write_text(
        "from PySide6.QtWidgets import QLabel\n"
        "class Sample(QLabel):\n"
        "    def retranslate(self) -> None:\n"
        '        self.setText(self.tr("Queue"))\n',
        encoding="utf-8",
    )
    assert tool.check(tmp_path) == [
        "resources/i18n/ui_zh_CN.ts is missing: run the tool",
        "resources/i18n/ui_en.ts is missing: run the tool",
    ]

    todo = tool.update(tmp_path)
    assert todo == ["zh_CN: [Sample] 'Queue': no finished translation"]
    ts = tool.ts_path("zh_CN", tmp_path)
    ts.write_text(
        ts.read_text(encoding="utf-8").replace(
            '<translation type="unfinished"></translation>', "<translation>队列</translation>"
        ),
        encoding="utf-8",
    )
    problems = tool.check(tmp_path)
    assert len(problems) == 1 and "is not built from" in problems[0]
    assert tool.update(tmp_path) == []
    assert tool.check(tmp_path) == []

    source.write_text(
        source.read_text(encoding="utf-8") + '        self.setToolTip(self.tr("Overdue"))\n',
        encoding="utf-8",
    )
    [stale] = tool.ts_out_of_date("zh_CN", tmp_path)
    assert "out of date" in stale and "new: ('Sample', 'Overdue', '')" in stale
    shutil.copyfile(source, tmp_path / "ui" / "copy.py")  # rglob: every file counts
    assert tool.update(tmp_path) == [
        "zh_CN: [Sample] 'Overdue': no finished translation",
    ]
    # The translated string survives the update; nothing obsolete is kept.
    assert [m.source for m in tool.read_ts(ts)] == ["Queue", "Overdue"]


def test_the_english_file_holds_only_plural_forms(tmp_path: Path) -> None:
    (tmp_path / "ui").mkdir()
    (tmp_path / "ui" / "sample.py").write_text(
        "from PySide6.QtWidgets import QLabel\n"
        "class Sample(QLabel):\n"
        "    def show_count(self, n: int) -> None:\n"
        '        self.setText(self.tr("%n case(s)", "", n))\n'
        '        self.setToolTip(self.tr("Queue"))\n',
        encoding="utf-8",
    )
    assert tool.update(tmp_path, ["en"]) == [
        "en: [Sample] '%n case(s)': no finished translation",
    ]
    ts = tool.ts_path("en", tmp_path)
    [plural] = tool.read_ts(ts)
    assert plural.numerus and plural.source == "%n case(s)"
    text = ts.read_text(encoding="utf-8")
    text = text.replace("<numerusform></numerusform>", "<numerusform>%n case</numerusform>", 1)
    text = text.replace("<numerusform></numerusform>", "<numerusform>%n cases</numerusform>", 1)
    ts.write_text(text.replace(' type="unfinished"', ""), encoding="utf-8")
    assert tool.update(tmp_path, ["en"]) == []
    assert tool.check(tmp_path, ["en"]) == []
