"""The till window: sign-in and sale screens, status bar, scanners, printer, language."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal, qVersion
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QStackedWidget,
)

from .. import __version__
from ..services.backup import backup_if_due, default_backup_dir
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

if TYPE_CHECKING:  # loaded when first used: the till starts faster without them
    from ..devices.printer import ReceiptPrinter

STATUS_REFRESH_MS = 5000
BACKUP_CHECK_MS = 60 * 60 * 1000  # the daily backup: checked at start and then hourly


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
        # Its own worker: a backup of a big database takes seconds and must not queue in front
        # of a sale on self.worker. The copy is a read (SQLite online backup), so it is safe
        # beside the sale worker's writes.
        self.backup_worker = DbWorker(self)
        self._backup_timer = QTimer(self)
        self._backup_timer.timeout.connect(self.backup_if_due)
        self._backup_timer.start(BACKUP_CHECK_MS)
        self.backup_if_due()

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
        self.sale.manager_requested.connect(self.open_manager)
        self.manager_screen = None
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
        about = QPushButton(self.tr("About"), self)
        about.setObjectName("aboutButton")
        about.setFlat(True)
        about.clicked.connect(self.show_about)
        bar.addPermanentWidget(about)

    # -- shift -----------------------------------------------------------------------------

    def start_shift(self, staff: StaffView) -> None:
        self.staff = staff
        self.sale.start_shift(staff)
        self.stack.setCurrentWidget(self.sale)
        self.refresh_status()

    def open_manager(self) -> None:
        """Manager screens beside the till, for a manager who signed in with their PIN."""
        if self.staff is None or not self.staff.is_manager:
            return
        if self.manager_screen is None or self.manager_screen.manager != self.staff:
            if self.manager_screen is not None:
                self.manager_screen.deleteLater()
            from .manager.manager_screen import ManagerScreen

            self.manager_screen = ManagerScreen(self.stack, self.services, self.worker,
                                                self.staff)
            self.manager_screen.back_requested.connect(self.back_to_till)
            self.stack.addWidget(self.manager_screen)
        self.stack.setCurrentWidget(self.manager_screen)

    def back_to_till(self) -> None:
        self.stack.setCurrentWidget(self.sale)
        self.sale.scan.setFocus()

    def sign_out(self) -> None:
        """Sign out or switch cashier; the basket in progress stays for the next cashier."""
        if self.manager_screen is not None:
            self.manager_screen.deleteLater()
            self.manager_screen = None
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
            from ..devices.printer import make_printer

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

    def _settings_snapshot(self) -> dict[str, str]:
        return {"scanner": str(self.settings.scanner()), "printer": str(self.settings.printer()),
                "language": self.settings.language()}

    def open_settings(self) -> None:
        language, before = self.settings.language(), self._settings_snapshot()
        if SettingsDialog(self, self.settings).exec() != QDialog.DialogCode.Accepted:
            return
        after = self._settings_snapshot()
        changes = {key: {"old": before[key], "new": after[key]}
                   for key in after if after[key] != before[key]}
        if self.staff is not None and changes:
            staff_id = self.staff.id
            self.worker.submit("audit settings", lambda: self.services.audit.note_till_settings(
                staff_id, changes))
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

    def show_about(self) -> QMessageBox:
        """The About box: the installed version, and where the database and its backups are."""
        db_path = self.services.ctx.db.path
        box = QMessageBox(QMessageBox.Icon.Information, self.tr("About Loyalty POS"),
                          self.tr("Loyalty POS {version}\n\nTill database: {database}\n"
                                  "Backups: {backups}\nQt {qt}, Python {python}").format(
                              version=__version__, database=db_path,
                              backups=default_backup_dir(db_path), qt=qVersion(),
                              python=sys.version.split()[0]),
                          QMessageBox.StandardButton.Ok, self)
        box.setObjectName("aboutBox")
        box.open()
        return box

    def backup_if_due(self) -> None:
        """GUI thread: the daily backup (services/backup.py) runs on the backup worker."""
        path = self.services.ctx.db.path
        self.backup_worker.submit("daily backup", lambda: backup_if_due(path),
                                  failed=self._backup_failed)

    def _backup_failed(self, error: Exception) -> None:
        self.statusBar().showMessage(self.tr("Backup failed: {error}").format(error=error))

    def closeEvent(self, event) -> None:
        self.scanner.stop()
        self.worker.stop()
        self.backup_worker.stop()
        QApplication.instance().removeEventFilter(self.wedge)
        super().closeEvent(event)


def settings_path_for(db_path: Path) -> Path:
    return db_path.with_suffix(".ini")
