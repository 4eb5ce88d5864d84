"""The till window: sign-in and sale screens, status bar, scanners, printer, language."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal, qVersion
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
from ..core.money import format_money
from ..services.backup import backup_if_due, default_backup_dir
from ..services.staff import StaffView
from ..services.till import TillServices
from ..sync.state import SyncState
from .sale_screen import SaleScreen
from .scanner_bridge import ScannerBridge
from .settings import TillSettings
from .settings_dialog import SettingsDialog
from .signin import SignInScreen
from .sync_bridge import SyncBridge
from .translations import install_translator
from .wedge_filter import WedgeFilter
from .worker import DbWorker

if TYPE_CHECKING:  # loaded when first used: the till starts faster without them
    from ..devices.printer import ReceiptPrinter

STATUS_REFRESH_MS = 5000
SYNC_REFRESH_MS = 10_000   # the sync indicator; also after each sale and each sync attempt
OFFLINE_STYLE = "color: #ffffff; background: #b91c1c; font-weight: 700; padding: 0 6px;"
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
        self._start_sync()
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
        self.sale.sale_completed.connect(self._sale_recorded)
        self.sale.refund_completed.connect(self._sale_recorded)
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
        self.sync_indicator = QPushButton(self.tr("Sync: checking…"), self)
        self.sync_indicator.setObjectName("syncStatus")
        self.sync_indicator.setFlat(True)
        self.sync_indicator.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the scan field keeps it
        self.sync_indicator.clicked.connect(self.sync_now)
        self.clock_label = QLabel(self)
        for label in (self.cashier_label, self.scanner_label, self.sync_indicator):
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
        self.clock_label.setText(datetime.now().strftime("%Y-%m-%d %H:%M"))

    # -- sync with head office --------------------------------------------------------------

    def _start_sync(self) -> None:
        """The indicator is read on its own worker (never the GUI thread, never queued behind a
        sale); the relay starts on the first reading that finds the till registered."""
        self.sync_state: SyncState | None = None
        self._sync_reading = False
        self.sync_worker = DbWorker(self)
        self.sync_bridge = SyncBridge(self.services.ctx.db, self)
        self.sync_bridge.report.connect(self._sync_reported)
        self._sync_timer = QTimer(self)
        self._sync_timer.timeout.connect(self.refresh_sync)
        self._sync_timer.start(SYNC_REFRESH_MS)
        self.refresh_sync()

    def refresh_sync(self, *_changed: object) -> None:
        """GUI thread: read the sync state on the sync worker; one reading at a time."""
        if self._sync_reading:
            return
        self._sync_reading = True
        self.sync_worker.submit("sync state", self.services.sync_state, self._sync_read,
                                self._sync_read_failed)

    def _sync_read(self, state: SyncState) -> None:
        self._sync_reading = False
        self.sync_state = state
        if state.registered and not self.sync_bridge.running:
            self.sync_bridge.start()
        self.show_sync_state(state)

    def _sync_read_failed(self, error: Exception) -> None:
        self._sync_reading = False
        self.sync_indicator.setText(self.tr("Sync state unknown: {error}").format(error=error))

    def show_sync_state(self, state: SyncState) -> None:
        text, tip = self._sync_texts(state)
        self.sync_indicator.setText(text)
        self.sync_indicator.setToolTip(tip)
        self.sync_indicator.setProperty("state", "offline" if state.offline else
                                        "online" if state.registered else "standalone")
        self.sync_indicator.setStyleSheet(OFFLINE_STYLE if state.offline else "")

    def _sync_texts(self, state: SyncState) -> tuple[str, str]:
        """(indicator text, tooltip) for a sync state."""
        if not state.registered:
            return (self.tr("Not connected to head office"),
                    self.tr("This till works on its own: register it with head office to "
                            "share members and balances with the other tills."))
        waiting = state.pending_entries + state.pending_messages
        details = self.tr("{entries} ledger entries and {messages} records waiting to send. "
                          "Click to sync now.").format(entries=state.pending_entries,
                                                       messages=state.pending_messages)
        if state.last_error:
            details += "\n" + self.tr("Last error: {error}").format(error=state.last_error)
        if state.offline:
            cap = format_money(state.stored_value_cap, state.currency_symbol)
            if state.offline_for is None:
                text = self.tr("Never synced with head office — stored value limited to "
                               "{amount}").format(amount=cap)
            else:
                text = self.tr("Offline for {duration} — stored value limited to {amount}").format(
                    duration=self._duration(state.offline_for), amount=cap)
            left = format_money(state.stored_value_left, state.currency_symbol)
            return text, details + "\n" + self.tr("Stored value left to spend offline: "
                                                   "{amount}").format(amount=left)
        last = self._local_time(state.last_success_at)
        return (self.tr("Sync: {count} waiting · last {time}").format(count=waiting, time=last),
                details)

    def _duration(self, span: timedelta) -> str:
        minutes = int(span.total_seconds() // 60)
        hours, minutes = divmod(minutes, 60)
        if not hours:
            return self.tr("{minutes} min").format(minutes=minutes)
        return self.tr("{hours} h {minutes} min").format(hours=hours, minutes=minutes)

    @staticmethod
    def _local_time(moment: datetime | None) -> str:
        """Today: 14:03; another day: 2026-03-09 14:03 (the shop's local time)."""
        if moment is None:
            return "—"
        local = moment.astimezone()
        same_day = local.date() == datetime.now().astimezone().date()
        return local.strftime("%H:%M" if same_day else "%Y-%m-%d %H:%M")

    def sync_now(self) -> None:
        """GUI thread (the indicator was clicked): an attempt now, on the relay's thread."""
        state = self.sync_state
        if state is None or not state.registered:
            self.statusBar().showMessage(self.tr(
                "This till is not registered with head office (loyalty-pos register)."), 8000)
            return
        if not self.sync_bridge.running:
            self.sync_bridge.start()
        if self.sync_bridge.sync_now():
            self.sync_indicator.setText(self.tr("Syncing with head office…"))

    def _sale_recorded(self, _result: object) -> None:
        """A sale or refund went into the outbox: send it now while head office answers (when
        it does not, the relay's back-off decides, not the pace of the sales)."""
        if self.sync_state is not None and self.sync_state.registered \
                and not self.sync_state.offline:
            self.sync_bridge.sync_now()
        self.refresh_sync()

    def _sync_reported(self, report: object) -> None:
        """GUI thread: the relay finished an attempt (a SyncReport); what failed is shown."""
        error = getattr(report, "error", None)
        if error:
            self.statusBar().showMessage(self.tr("Sync: {error}").format(error=error), 15_000)
        self.refresh_sync()

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
        self._sync_timer.stop()
        self.sync_bridge.stop()
        self.scanner.stop()
        self.worker.stop()
        self.backup_worker.stop()
        self.sync_worker.stop()
        QApplication.instance().removeEventFilter(self.wedge)
        super().closeEvent(event)


def settings_path_for(db_path: Path) -> Path:
    return db_path.with_suffix(".ini")
