"""Settings: scanner (port, speed, framing, suffix, prefix), receipt printer, language."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ..core.errors import LoyaltyError
from ..devices.scanner import SUFFIXES, ScannerSettings
from .settings import LANGUAGES, TillSettings

BAUD_RATES = ("1200", "2400", "4800", "9600", "19200", "38400", "57600", "115200")


def _combo(parent: QWidget, name: str, items: list[tuple[str, str]], current: str) -> QComboBox:
    combo = QComboBox(parent)
    combo.setObjectName(name)
    for label, value in items:
        combo.addItem(label, value)
    index = combo.findData(current)
    combo.setCurrentIndex(max(index, 0))
    return combo


class SettingsDialog(QDialog):
    def __init__(self, parent: QWidget, settings: TillSettings) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Settings"))
        self.setMinimumWidth(480)
        self.settings = settings
        scanner = settings.scanner() or ScannerSettings(port="")
        layout = QVBoxLayout(self)
        layout.addWidget(self._scanner_box(scanner))
        layout.addWidget(self._printer_box())
        layout.addWidget(self._language_box())
        self.error = QLabel(self)
        self.error.setObjectName("settingsError")
        layout.addWidget(self.error)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                               | QDialogButtonBox.StandardButton.Cancel, self)
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        layout.addWidget(box)

    def _scanner_box(self, scanner: ScannerSettings) -> QGroupBox:
        box = QGroupBox(self.tr("Barcode scanner (serial port)"), self)
        form = QFormLayout(box)
        self.port = QLineEdit(scanner.port, box)
        self.port.setObjectName("scannerPort")
        self.port.setPlaceholderText(self.tr("e.g. /dev/ttyUSB0 or COM3; empty = none"))
        self.baud = _combo(box, "scannerBaud", [(b, b) for b in BAUD_RATES],
                           str(scanner.baudrate))
        self.bytesize = _combo(box, "scannerBytesize", [(b, b) for b in ("7", "8")],
                               str(scanner.bytesize))
        self.parity = _combo(box, "scannerParity", [(self.tr("None"), "N"), (self.tr("Even"), "E"),
                                                    (self.tr("Odd"), "O")], scanner.parity)
        self.stopbits = _combo(box, "scannerStopbits", [("1", "1"), ("2", "2")],
                               str(int(scanner.stopbits)))
        self.suffix = _combo(box, "scannerSuffix", [(s, s) for s in SUFFIXES], scanner.suffix)
        self.prefix = QLineEdit(scanner.prefix, box)
        self.prefix.setObjectName("scannerPrefix")
        for label, widget in ((self.tr("Port"), self.port), (self.tr("Baud rate"), self.baud),
                              (self.tr("Data bits"), self.bytesize),
                              (self.tr("Parity"), self.parity),
                              (self.tr("Stop bits"), self.stopbits),
                              (self.tr("Suffix"), self.suffix), (self.tr("Prefix"), self.prefix)):
            form.addRow(label, widget)
        return box

    def _printer_box(self) -> QGroupBox:
        kind, target = self.settings.printer()
        box = QGroupBox(self.tr("Receipt printer"), self)
        form = QFormLayout(box)
        self.printer_kind = _combo(box, "printerKind", [
            (self.tr("PDF file (no printer)"), "pdf"),
            (self.tr("ESC/POS on serial port"), "serial"),
            (self.tr("ESC/POS on network"), "network")], kind)
        self.printer_target = QLineEdit(target, box)
        self.printer_target.setObjectName("printerTarget")
        self.printer_target.setPlaceholderText(self.tr("/dev/ttyS0@19200 or 192.168.1.50:9100"))
        form.addRow(self.tr("Printer"), self.printer_kind)
        form.addRow(self.tr("Device or address"), self.printer_target)
        return box

    def _language_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Language"), self)
        form = QFormLayout(box)
        self.language = _combo(box, "language", [(v, k) for k, v in LANGUAGES.items()],
                               self.settings.language())
        form.addRow(self.tr("Language"), self.language)
        return box

    def scanner_settings(self) -> ScannerSettings | None:
        if not self.port.text().strip():
            return None
        return ScannerSettings(
            port=self.port.text().strip(), baudrate=int(self.baud.currentData()),
            bytesize=int(self.bytesize.currentData()), parity=self.parity.currentData(),
            stopbits=float(self.stopbits.currentData()), suffix=self.suffix.currentData(),
            prefix=self.prefix.text())

    def accept(self) -> None:
        try:
            self.settings.set_scanner(self.scanner_settings())
        except LoyaltyError as exc:
            self.error.setText(str(exc))
            return
        self.settings.set_printer(self.printer_kind.currentData(),
                                  self.printer_target.text().strip())
        self.settings.set_language(self.language.currentData())
        super().accept()
