"""Which Qt plugins and Qt translations the frozen till takes (used by the hooks beside it).

PyInstaller's own PySide6 hooks collect every plugin of every type a module may use (wayland,
eglfs, the GTK theme, GL integrations, ...) and then bundle all the system libraries those
plugins link to (GTK, cairo, pango ...). Filtering in the hooks, before that dependency
analysis, keeps those libraries out of the bundle.
"""

from __future__ import annotations

from pathlib import Path

# platforms: xcb (X11, also under XWayland) and offscreen (smoke test, CI); windows on Windows.
# platforminputcontexts: compose (dead keys) and ibus (Chinese input methods on Linux).
# imageformats: PNG is built into QtGui; ico and jpeg for icons and pictures.
# styles: the native Windows styles.
KEEP_PLUGINS = {
    "platforms": {"qxcb", "qoffscreen", "qwindows"},
    "platforminputcontexts": {"composeplatforminputcontextplugin",
                              "ibusplatforminputcontextplugin"},
    "imageformats": {"qico", "qjpeg"},
    "styles": {"qmodernwindowsstyle", "qwindowsvistastyle"},
}
# Qt's own translations (standard buttons and dialogs): only the till's languages.
TRANSLATION_BASES = ("qt", "qtbase")


def till_languages(root: Path) -> list[str]:
    folder = root / "resources" / "translations"
    return sorted(p.stem.removeprefix("loyalty_pos_") for p in folder.glob("loyalty_pos_*.qm"))


def keep_plugin(dest_dir: str, filename: str) -> bool:
    """`dest_dir` like PySide6/Qt/plugins/platforms; `filename` like libqxcb.so / qxcb.dll."""
    parts = Path(dest_dir).as_posix().split("/")
    if "plugins" not in parts or parts.index("plugins") + 1 >= len(parts):
        return True
    kind = parts[parts.index("plugins") + 1]
    stem = Path(filename).name.split(".")[0]
    return stem.removeprefix("lib") in KEEP_PLUGINS.get(kind, set())


def keep_translation(filename: str, languages: list[str]) -> bool:
    return Path(filename).name in {f"{base}_{lang}.qm" for base in TRANSLATION_BASES
                                   for lang in languages}


def select(binaries: list, datas: list, root: Path) -> tuple[list, list]:
    languages = till_languages(root)
    binaries = [(src, dest) for src, dest in binaries if keep_plugin(dest, src)]
    datas = [(src, dest) for src, dest in datas
             if not str(src).endswith(".qm") or keep_translation(src, languages)]
    return binaries, datas
