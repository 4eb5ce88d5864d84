"""The till window: sign-in and sale screens, status bar, scanners, printer, language."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QMainWindow, QStackedWidget

from .. import __version__
from ..devices.printer import ReceiptPrinter, make_printer
from ..services.staff import StaffView
from ..services.till import TillServices
from .sale_screen import SaleScreen
from .scanner_bridge import ScannerBridge
from .settings import TillSettings
from .settings_dialog import SettingsDialog
from .signin import SignInScreen
from .translations import install_translator
from .wedge_filter import WedgeFilter
from .worker import DbWorker

STATUS_REFRESH_MS = 5000


class TillWindow(QMainWindow):
    language_changed = Signal(str)

    def __init__(self, services: TillServices, settings: TillSettings) -> None:
        super().__init__()
        self.services, self.settings = services, settings
        self.worker = DbWorker(self)
        self.scanner = ScannerBridge(self)
        self.staff: StaffView | None = None
        self._printer: ReceiptPrinter | None = None
        self.setMinimumSize(1024, 768)
        self._build_status_bar()
        self.build_screens()
        self.scanner.scanned.connect(self._scanned)
        self.scanner.status_changed.connect(self._scanner_status)
        self.scanner.start(settings.scanner())
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.refresh_status)
        self._timer.start(STATUS_REFRESH_MS)
        self.refresh_status()

    def build_screens(self) -> None:
        """(Re)create the screens, e.g. after the language changed. Keeps the signed-in staff."""
        old = self.centralWidget()
        self.stack = QStackedWidget(self)
        self.signin = SignInScreen(self.stack, self.services)
        self.sale = SaleScreen(self.stack, self.services, self.worker, self.printer)
        self.stack.addWidget(self.signin)
        self.stack.addWidget(self.sale)
        self.setCentralWidget(self.stack)
        if old is not None:
            old.setParent(None)  # out of the window at once: its shortcuts stop competing
            old.deleteLater()
        self.signin.signed_in.connect(self.start_shift)
        self.sale.sign_out_requested.connect(self.sign_out)
        self.sale.settings_requested.connect(self.open_settings)
        if getattr(self, "wedge", None) is not None:
            QApplication.instance().removeEventFilter(self.wedge)
            self.wedge.deleteLater()
        self.wedge = WedgeFilter(self, skip=self.sale.scan,
                                 active=lambda: self.stack.currentWidget() is self.sale)
        QApplication.instance().installEventFilter(self.wedge)
        self.wedge.scanned.connect(self._scanned)
        self.setWindowTitle(self.tr("Loyalty POS {version} — {store}").format(
            version=__version__, store=self.services.store_line()))
        if self.staff:
            self.sale.start_shift(self.staff)
            self.stack.setCurrentWidget(self.sale)
        else:
            self.signin.reset()

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.cashier_label = QLabel(self)
        self.scanner_label = QLabel(self)
        self.scanner_label.setObjectName("scannerStatus")
        self.sync_label = QLabel(self)
        self.sync_label.setObjectName("syncStatus")
        self.clock_label = QLabel(self)
        for label in (self.cashier_label, self.scanner_label, self.sync_label):
            bar.addWidget(label)
        bar.addPermanentWidget(self.clock_label)

    # -- shift -----------------------------------------------------------------------------

    def start_shift(self, staff: StaffView) -> None:
        self.staff = staff
        self.sale.start_shift(staff)
        self.stack.setCurrentWidget(self.sale)
        self.refresh_status()

    def sign_out(self) -> None:
        """Sign out or switch cashier; the basket in progress stays for the next cashier."""
        self.staff = None
        self.sale.staff = None
        self.signin.reset()
        self.stack.setCurrentWidget(self.signin)
        self.refresh_status()

    # -- devices ---------------------------------------------------------------------------

    def printer(self) -> ReceiptPrinter:
        """Worker thread (called by print jobs). Built lazily from the settings."""
        if self._printer is None:
            kind, target = self.settings.printer()
            self._printer = make_printer(kind, target, self.settings.receipts_dir())
        return self._printer

    def _scanned(self, code: str) -> None:
        if self.stack.currentWidget() is self.sale and QApplication.activeModalWidget() is None:
            self.sale.handle_code(code)

    def _scanner_status(self, state: str, detail: str) -> None:
        text = {"connected": self.tr("Scanner connected"),
                "disconnected": self.tr("Scanner DISCONNECTED — reconnecting"),
                "stopped": self.tr("Scanner stopped"),
                "none": self.tr("No serial scanner (keyboard scanners work)")}.get(state, state)
        self.scanner_label.setText(f"{text} {detail}".strip())
        self.scanner_label.setProperty("state", state)

    # -- settings --------------------------------------------------------------------------

    def open_settings(self) -> None:
        language = self.settings.language()
        if SettingsDialog(self, self.settings).exec() != QDialog.DialogCode.Accepted:
            return
        self._printer = None
        if self.settings.language() != language:
            install_translator(QApplication.instance(), self.settings.language())
            self.build_screens()
            self.language_changed.emit(self.settings.language())
        self.scanner.start(self.settings.scanner())
        self.refresh_status()
        self.activateWindow()  # the function keys belong to this window again

    def refresh_status(self) -> None:
        self.cashier_label.setText(self.tr("Cashier: {name}").format(name=self.staff.name)
                                   if self.staff else self.tr("Signed out"))
        pending = self.services.pending_outbox()
        self.sync_label.setText(self.tr("Sync: {count} waiting to send").format(count=pending))
        self.clock_label.setText(datetime.now().strftime("%Y-%m-%d %H:%M"))

    def closeEvent(self, event) -> None:
        self.scanner.stop()
        self.worker.stop()
        QApplication.instance().removeEventFilter(self.wedge)
        super().closeEvent(event)


def settings_path_for(db_path: Path) -> Path:
    return db_path.with_suffix(".ini")
