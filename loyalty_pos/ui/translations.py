"""Loading the till's translations (Qt .qm files in resources/translations)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from ..paths import resources_dir

_installed: list[QTranslator] = []


def install_translator(app: QCoreApplication, language: str) -> bool:
    """Replace the active translation. English is the source language: nothing to load."""
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    if language == "en":
        return True
    ours = QTranslator(app)
    loaded = ours.load(str(resources_dir() / "translations" / f"loyalty_pos_{language}.qm"))
    if loaded:
        app.installTranslator(ours)
        _installed.append(ours)
    qt_base = QTranslator(app)  # standard buttons and dialogs of Qt itself
    if qt_base.load(QLocale(language), "qtbase", "_",
                    QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt_base)
        _installed.append(qt_base)
    return loaded
