"""Keep the desktop's translations in step with its sources.

Every user-visible string in `ui/` goes through Qt's `tr()` with English as the source
language. This tool runs Qt's `lupdate` over every `ui/**/*.py` to refresh
`resources/i18n/ui_<lang>.ts` (new strings added, vanished ones dropped, no source
locations so the file only changes when a string does), then `lrelease` to build the
`ui_<lang>.qm` the application loads. `ui_zh_CN.ts` holds every string; `ui_en.ts`
only those with plural forms (`self.tr("%n case(s)", "", n)`), English being the
language the strings are written in. Translating means editing the `.ts` (Qt Linguist:
`pyside6-linguist resources/i18n/ui_zh_CN.ts`, or any editor) and running the tool again.

`--check` changes nothing and exits 1 when the `.ts` is not what `lupdate` would make
of the current sources, when a string has no finished translation, when a translation
loses a placeholder, shortcut or mnemonic of its source, when a translate call is
written in a way `lupdate` cannot read, or when the `.qm` is not built from the `.ts`.

Usage:
    .venv/bin/python tools/update_translations.py            # refresh .ts and .qm
    .venv/bin/python tools/update_translations.py --check    # for CI
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE_LANGUAGE = "en"
#: Languages with a translation file. English is the source language: its file holds
#: only the strings with plural forms ("%n case(s)" -> "1 case", "3 cases").
LANGUAGES = ("zh_CN", "en")

# Qt's `%1`…`%99` (also `%L1`) and `%n`; Python's `{name}`, `{0}`, `{}` with an optional
# format spec. Literal braces are written doubled and are not placeholders.
_PLACEHOLDER = re.compile(r"%L?[1-9][0-9]?|%n|(?<!\{)\{[A-Za-z_0-9]*(?:[:!][^{}]*)?\}(?!\})")
# Keys named in the text ("Save (Ctrl+S)", "F5", "Esc"): the translation must name them
# too, or the hint it gives the clerk is lost.
_SHORTCUT = re.compile(
    r"(?<![A-Za-z])(?:(?:Ctrl|Alt|Shift|Meta)\+)+(?:F1[0-2]|F[1-9]|[A-Za-z0-9]+|[,.;/=+\-])"
    r"|(?<![A-Za-z0-9])F(?:1[0-2]|[1-9])(?![A-Za-z0-9])|(?<![A-Za-z])Esc(?![A-Za-z])"
)
# A mnemonic is "&" before a character; "&&" is a literal ampersand.
_MNEMONIC = re.compile(r"&([^&\s])")
_APPLICATION_CLASSES = {"QCoreApplication", "QGuiApplication", "QApplication"}


@dataclass(frozen=True)
class Message:
    """One entry of a `.ts` file."""

    context: str
    source: str
    comment: str
    translations: tuple[str, ...]  # one text, or one per plural form
    kind: str  # "" (finished), "unfinished", "vanished" or "obsolete"
    numerus: bool

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.context, self.source, self.comment)

    def describe(self) -> str:
        where = f"[{self.context or '-'}] {self.source!r}"
        return f"{where} ({self.comment})" if self.comment else where


def ts_path(lang: str, root: Path = ROOT) -> Path:
    return root / "resources" / "i18n" / f"ui_{lang}.ts"


def qm_path(lang: str, root: Path = ROOT) -> Path:
    return root / "resources" / "i18n" / f"ui_{lang}.qm"


def ui_sources(root: Path = ROOT) -> list[Path]:
    """Every Python file of the desktop front end."""
    return sorted(p for p in (root / "ui").rglob("*.py") if "__pycache__" not in p.parts)


class ToolMissing(RuntimeError):
    """A Qt linguist tool is not installed beside this Python."""


def qt_tool(name: str) -> Path:
    """`pyside6-<name>` from PySide6-Essentials: beside the running interpreter in a venv
    (bin/ or Scripts\\), else on PATH."""
    exe = f"pyside6-{name}" + (".exe" if os.name == "nt" else "")
    beside = Path(sys.executable).parent / exe
    if beside.exists():
        return beside
    found = shutil.which(exe)
    if found is None:
        raise ToolMissing(f"{exe} not found beside {sys.executable} nor on PATH")
    return Path(found)


def _run(args: Sequence[str | Path]) -> None:
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, args))} failed:\n{result.stdout}{result.stderr}")


def run_lupdate(sources: Iterable[Path], ts: Path, lang: str) -> None:
    """Merge the strings of `sources` into `ts` (created if missing)."""
    plural_only = ["-pluralonly"] if lang == SOURCE_LANGUAGE else []
    _run(
        [
            qt_tool("lupdate"),
            "-silent",
            *plural_only,
            "-no-obsolete",
            "-locations",
            "none",
            "-source-language",
            SOURCE_LANGUAGE,
            "-target-language",
            lang,
            *sources,
            "-ts",
            ts,
        ]
    )


def run_lrelease(ts: Path, qm: Path) -> None:
    """Build `qm` from `ts`. Unfinished entries are left out: the source text shows
    instead of a half-done guess."""
    _run([qt_tool("lrelease"), "-silent", "-nounfinished", ts, "-qm", qm])


def read_ts(path: Path) -> list[Message]:
    messages: list[Message] = []
    for context in ET.parse(path).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            numerus = message.get("numerus") == "yes"
            if translation is None:
                texts: tuple[str, ...] = ()
                kind = "unfinished"
            else:
                kind = translation.get("type", "")
                forms = translation.findall("numerusform")
                texts = tuple(f.text or "" for f in forms) if numerus else (translation.text or "",)
            messages.append(
                Message(
                    context=name,
                    source=message.findtext("source") or "",
                    comment=message.findtext("comment") or "",
                    translations=texts,
                    kind=kind,
                    numerus=numerus,
                )
            )
    return messages


def placeholders(text: str) -> Counter[str]:
    return Counter(_PLACEHOLDER.findall(text))


def translation_problems(messages: Iterable[Message]) -> list[str]:
    """Why the translations are not ready to ship (empty when they are)."""
    problems: list[str] = []
    for m in messages:
        if m.kind in ("vanished", "obsolete"):
            problems.append(f"{m.describe()}: {m.kind} entry left in the file")
            continue
        if (
            m.kind == "unfinished"
            or not m.translations
            or not all(t.strip() for t in m.translations)
        ):
            problems.append(f"{m.describe()}: no finished translation")
            continue
        for text in m.translations:
            wanted = placeholders(m.source)
            if m.numerus:
                # A plural form may spell the count out instead of using %n.
                wanted.pop("%n", None)
                found = placeholders(text)
                found.pop("%n", None)
            else:
                found = placeholders(text)
            if wanted != found:
                problems.append(
                    f"{m.describe()}: placeholders differ: source {sorted(wanted.elements())}, "
                    f"translation {sorted(found.elements())} in {text!r}"
                )
            keys = Counter(_SHORTCUT.findall(m.source))
            if keys - Counter(_SHORTCUT.findall(text)):
                problems.append(f"{m.describe()}: translation {text!r} drops the key names")
            if _MNEMONIC.search(m.source) and not _MNEMONIC.search(text):
                problems.append(f"{m.describe()}: translation {text!r} has no & mnemonic")
    return problems


def _is_text(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _is_app_translate(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "translate"
        and isinstance(node.value, ast.Name)
        and node.value.id in _APPLICATION_CLASSES
    )


def _unreadable_in(tree: ast.AST) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and _is_app_translate(node.value):
            found.append(
                (
                    node.lineno,
                    "QCoreApplication.translate given another name; "
                    'call QCoreApplication.translate("Context", "text") itself',
                )
            )
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "tr":
            found.append(
                (
                    node.lineno,
                    "a bare tr(...) is read as tr(source, comment); "
                    'use self.tr("text") or QCoreApplication.translate("Context", "text")',
                )
            )
        elif isinstance(func, ast.Attribute) and func.attr == "tr":
            if not node.args or not _is_text(node.args[0]):
                found.append((node.lineno, "tr() needs a string literal"))
        elif _is_app_translate(func) and not (
            len(node.args) >= 2 and _is_text(node.args[0]) and _is_text(node.args[1])
        ):
            found.append((node.lineno, "translate() needs a literal context and text"))
    return sorted(found)


def unreadable_calls(sources: Iterable[Path], root: Path = ROOT) -> list[str]:
    """Translate calls that `lupdate` would miss or misread: it only sees string
    literals, and reads any call named `tr` as `tr(source, disambiguation)`."""
    problems: list[str] = []
    for path in sources:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        where = path.relative_to(root) if path.is_relative_to(root) else path
        problems.extend(f"{where}:{line}: {why}" for line, why in _unreadable_in(tree))
    return problems


def _keys(path: Path) -> set[tuple[str, str, str]]:
    return {m.key for m in read_ts(path)} if path.exists() else set()


def ts_out_of_date(lang: str, root: Path = ROOT) -> list[str]:
    """How the `.ts` differs from what `lupdate` makes of the current sources (empty if
    it does not): the file must be exactly the tool's output."""
    ts = ts_path(lang, root)
    if not ts.exists():
        return [f"{ts.relative_to(root)} is missing: run the tool"]
    with tempfile.TemporaryDirectory(prefix="branchdesk-i18n-") as tmp:
        fresh = Path(tmp) / ts.name
        shutil.copyfile(ts, fresh)
        run_lupdate(ui_sources(root), fresh, lang)
        if fresh.read_bytes() == ts.read_bytes():
            return []
        new, old = _keys(fresh), _keys(ts)
    detail = "".join(f"\n    new: {k}" for k in sorted(new - old))
    detail += "".join(f"\n    gone: {k}" for k in sorted(old - new))
    return [f"{ts.relative_to(root)} is out of date with ui/ (run the tool){detail}"]


def qm_out_of_date(lang: str, root: Path = ROOT) -> list[str]:
    """Whether the `.qm` is exactly what `lrelease` builds from the `.ts`."""
    ts, qm = ts_path(lang, root), qm_path(lang, root)
    if not ts.exists():
        return []  # reported by ts_out_of_date
    with tempfile.TemporaryDirectory(prefix="branchdesk-i18n-") as tmp:
        built = Path(tmp) / qm.name
        run_lrelease(ts, built)
        if qm.exists() and qm.read_bytes() == built.read_bytes():
            return []
    return [f"{qm.relative_to(root)} is not built from {ts.name} (run the tool)"]


def check(root: Path = ROOT, languages: Sequence[str] = LANGUAGES) -> list[str]:
    """Everything that keeps the translations from being current and complete."""
    problems = unreadable_calls(ui_sources(root), root)
    for lang in languages:
        problems.extend(ts_out_of_date(lang, root))
        if ts_path(lang, root).exists():
            problems.extend(
                f"{lang}: {p}" for p in translation_problems(read_ts(ts_path(lang, root)))
            )
        problems.extend(qm_out_of_date(lang, root))
    return problems


def update(root: Path = ROOT, languages: Sequence[str] = LANGUAGES) -> list[str]:
    """Refresh every `.ts` from the sources and rebuild its `.qm`; returns what is
    still to translate."""
    sources = ui_sources(root)
    todo = unreadable_calls(sources, root)
    for lang in languages:
        ts = ts_path(lang, root)
        ts.parent.mkdir(parents=True, exist_ok=True)
        run_lupdate(sources, ts, lang)
        run_lrelease(ts, qm_path(lang, root))
        todo.extend(f"{lang}: {p}" for p in translation_problems(read_ts(ts)))
    return todo


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if anything is stale"
    )
    args = parser.parse_args(argv)
    try:
        problems = check() if args.check else update()
    except ToolMissing as exc:
        print(f"error: {exc} (install PySide6-Essentials)", file=sys.stderr)
        return 2
    for problem in problems:
        print(problem, file=sys.stderr)
    if args.check:
        print("translations are current" if not problems else f"{len(problems)} problem(s)")
        return 1 if problems else 0
    print(f"updated {', '.join(LANGUAGES)}; {len(problems)} string(s) still to translate or fix")
    return 0


if __name__ == "__main__":
    sys.exit(main())
