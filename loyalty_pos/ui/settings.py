"""Till settings kept in an INI file beside the database (QSettings): scanner, printer, language.

Settings belong to the machine (which port the scanner is on), so they are not in the database
that head office syncs.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from ..devices.scanner import ScannerSettings

LANGUAGES = {"en": "English", "zh_CN": "简体中文"}


class TillSettings:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._qs = QSettings(str(path), QSettings.Format.IniFormat)

    def _get(self, key: str, default: str) -> str:
        return str(self._qs.value(key, default))

    def scanner(self) -> ScannerSettings | None:
        port = self._get("scanner/port", "")
        if not port:
            return None
        return ScannerSettings(
            port=port, baudrate=int(self._get("scanner/baudrate", "9600")),
            bytesize=int(self._get("scanner/bytesize", "8")),
            parity=self._get("scanner/parity", "N"),
            stopbits=float(self._get("scanner/stopbits", "1")),
            suffix=self._get("scanner/suffix", "CR"), prefix=self._get("scanner/prefix", ""))

    def set_scanner(self, settings: ScannerSettings | None) -> None:
        if settings is None:
            self._qs.setValue("scanner/port", "")
        else:
            settings.validate()
            for key in ("port", "baudrate", "bytesize", "parity", "stopbits", "suffix", "prefix"):
                self._qs.setValue(f"scanner/{key}", str(getattr(settings, key)))
        self._qs.sync()

    def printer(self) -> tuple[str, str]:
        return self._get("printer/kind", "pdf"), self._get("printer/target", "")

    def set_printer(self, kind: str, target: str) -> None:
        self._qs.setValue("printer/kind", kind)
        self._qs.setValue("printer/target", target)
        self._qs.sync()

    def language(self) -> str:
        language = self._get("ui/language", "en")
        return language if language in LANGUAGES else "en"

    def set_language(self, language: str) -> None:
        self._qs.setValue("ui/language", language if language in LANGUAGES else "en")
        self._qs.sync()

    def receipts_dir(self) -> Path:
        return Path(self._get("printer/pdf_dir", str(self.path.parent / "receipts")))
