"""Qt bridge for the serial scanner: reader-thread callbacks become GUI-thread signals."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from ..devices.scanner import ScannerSettings, SerialScanner


class ScannerBridge(QObject):
    scanned = Signal(str)
    status_changed = Signal(str, str)  # state, detail

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.reader: SerialScanner | None = None

    def start(self, settings: ScannerSettings | None) -> None:
        """GUI thread. Replaces any running reader; None means no serial scanner configured."""
        self.stop()
        if settings is None:
            self.status_changed.emit("none", "")
            return
        # Signals emitted from the reader thread are queued to this object's (GUI) thread.
        self.reader = SerialScanner(settings, self.scanned.emit, self.status_changed.emit)
        self.reader.start()

    def stop(self) -> None:
        if self.reader is not None:
            self.reader.stop()
            self.reader = None
