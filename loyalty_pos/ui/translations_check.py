"""Reading and checking the till's Qt translation sources (.ts): used by the translation script
(resources/translations/update_translations.py) and the tests.

Qt-free apart from locating PySide6's lupdate/lrelease, and safe to import without a
QApplication. The code calls `.format(...)` on translated texts, so a translation must keep
exactly the {placeholders} of its English source, its line breaks, its edge spaces and any
function-key hints (F2, F12, Enter, Esc, Ctrl+L).
"""

from __future__ import annotations

import re
import string
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from ..paths import resources_dir

SOURCE_LANGUAGE = "en"
# F2, F12, Ctrl+L anywhere; Enter and Esc only as a hint in brackets: "(Enter)", "（Esc）".
KEY_HINT = re.compile(r"(?<![A-Za-z0-9])(?:F\d{1,2}|Ctrl\+[A-Za-z])(?![A-Za-z0-9])"
                      r"|(?<=[(（])(?:Enter|Esc)(?=[)）])")


@dataclass(frozen=True)
class TsMessage:
    context: str
    source: str
    translation: str
    finished: bool
    where: str  # "file:line" of the first location, for error messages

    @property
    def key(self) -> tuple[str, str]:
        return self.context, self.source


def translations_dir() -> Path:
    return resources_dir() / "translations"


def ts_path(language: str) -> Path:
    return translations_dir() / f"loyalty_pos_{language}.ts"


def qm_path(language: str) -> Path:
    return translations_dir() / f"loyalty_pos_{language}.qm"


def ui_source_dir() -> Path:
    return Path(__file__).resolve().parent


def qt_tool(name: str) -> Path:
    """PySide6's own copy of a Qt tool ("lupdate", "lrelease"), as pyside6-<name> runs it."""
    import PySide6

    suffix = ".exe" if sys.platform == "win32" else ""
    return Path(PySide6.__file__).resolve().parent / f"{name}{suffix}"


def read_ts(path: Path) -> list[TsMessage]:
    """The current messages of a .ts file (obsolete and vanished ones left out)."""
    messages = []
    for context in ET.parse(path).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            kind = translation.get("type", "") if translation is not None else "unfinished"
            if kind in ("obsolete", "vanished"):
                continue
            location = message.find("location")
            where = (f"{location.get('filename')}:{location.get('line')}"
                     if location is not None else name)
            text = (translation.text or "") if translation is not None else ""
            messages.append(TsMessage(name, message.findtext("source") or "", text,
                                      kind != "unfinished" and bool(text), where))
    return messages


def placeholders(text: str) -> list[str]:
    """The str.format field names in `text`, sorted; ValueError if it is not a valid format."""
    return sorted(field for _, field, _, _ in string.Formatter().parse(text) if field is not None)


def _edges(text: str) -> tuple[str, str]:
    return text[:len(text) - len(text.lstrip())], text[len(text.rstrip()):]


def problems(message: TsMessage) -> list[str]:
    """What is wrong with one translated message (empty list: fine)."""
    found = []
    if not message.finished:
        found.append("not translated (or still marked unfinished)")
        return found
    try:
        wanted = placeholders(message.source)
    except ValueError:
        wanted = None  # a source that is not a format string: only compare braces literally
    try:
        got = placeholders(message.translation)
    except ValueError as exc:
        found.append(f"translation is not a valid format string ({exc})")
        got = None
    if wanted is not None and got is not None and wanted != got:
        found.append(f"placeholders {wanted} in the source but {got} in the translation")
    if message.source.count("\n") != message.translation.count("\n"):
        found.append("a different number of line breaks")
    if _edges(message.source) != _edges(message.translation):
        found.append("different leading or trailing spaces")
    missing_keys = set(KEY_HINT.findall(message.source)) - set(
        KEY_HINT.findall(message.translation))
    if missing_keys:
        found.append(f"key hints {sorted(missing_keys)} missing from the translation")
    return found


def report(messages: list[TsMessage]) -> list[str]:
    """One line per problem over all messages: "where [context] 'source': problem"."""
    return [f"{m.where} [{m.context}] {m.source!r}: {problem}"
            for m in messages for problem in problems(m)]
