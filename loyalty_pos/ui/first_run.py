"""First start on an empty database: set up this store and till, or create the demo store."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..core.errors import LoyaltyError
from ..db.engine import Database
from ..services.setup import TillSetup, setup_till
from .worker import DbWorker

DEMO_MEMBERS = 5000


class _Progress(QObject):
    line = Signal(str)


class FirstRunDialog(QDialog):
    def __init__(self, parent: QWidget | None, db_path: Path) -> None:
        super().__init__(parent)
        self.db_path = db_path
        self.setWindowTitle(self.tr("Set up this till"))
        self.setMinimumWidth(520)
        self.worker = DbWorker(self)
        self.progress_signal = _Progress(self)
        intro = QLabel(self.tr("This till has no store yet. Create the demo store to try the "
                               "till, or set up your own store and first manager."), self)
        intro.setWordWrap(True)
        self.demo_button = QPushButton(self.tr("Create the demo store"), self)
        self.demo_button.setObjectName("createDemo")
        self.demo_button.setMinimumHeight(56)
        self.demo_button.clicked.connect(self.create_demo)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)
        self.progress.hide()
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.progress_signal.line.connect(self.status.setText)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.demo_button)
        layout.addWidget(self.progress)
        layout.addWidget(self._own_store_form())
        layout.addWidget(self.status)

    def _own_store_form(self) -> QWidget:
        box = QWidget(self)
        form = QFormLayout(box)
        self.store_code = QLineEdit("S001", box)
        self.store_name = QLineEdit(box)
        self.till_number = QSpinBox(box)
        self.till_number.setRange(1, 999)
        self.manager_name = QLineEdit(box)
        self.manager_pin = QLineEdit(box)
        self.manager_pin.setEchoMode(QLineEdit.EchoMode.Password)
        for label, widget in ((self.tr("Store code"), self.store_code),
                              (self.tr("Store name"), self.store_name),
                              (self.tr("Till number (unique in the chain)"), self.till_number),
                              (self.tr("Manager name"), self.manager_name),
                              (self.tr("Manager PIN (4-8 digits)"), self.manager_pin)):
            form.addRow(label, widget)
        buttons = QHBoxLayout()
        create = QPushButton(self.tr("Set up my store"), box)
        create.clicked.connect(self.set_up_store)
        quit_button = QPushButton(self.tr("Quit"), box)
        quit_button.clicked.connect(self.reject)
        buttons.addWidget(create)
        buttons.addWidget(quit_button)
        form.addRow(buttons)
        return box

    def create_demo(self) -> None:
        from ..services.demo import create_demo

        self.demo_button.setEnabled(False)
        self.progress.show()
        path, emit = self.db_path, self.progress_signal.line.emit
        self.worker.submit("demo", lambda: create_demo(path, members=DEMO_MEMBERS,
                                                       progress=emit),
                           self._demo_done, self._failed)

    def _demo_done(self, summary: str) -> None:
        self.progress.hide()
        self.status.setText(summary)
        self.accept()

    def _failed(self, error: Exception) -> None:
        self.progress.hide()
        self.demo_button.setEnabled(True)
        self.status.setText(str(error))

    def set_up_store(self) -> None:
        spec = TillSetup(self.store_code.text().strip(), self.store_name.text().strip(),
                         self.till_number.value(), self.tr("Till {n}").format(
                             n=self.till_number.value()),
                         self.manager_name.text().strip(), self.manager_pin.text())
        if not spec.store_code or not spec.store_name or not spec.manager_name:
            self.status.setText(self.tr("Fill in the store and the manager."))
            return
        try:
            setup_till(Database.open(self.db_path), spec)
        except LoyaltyError as exc:
            self.status.setText(str(exc))
            return
        self.accept()

    def done(self, result: int) -> None:
        self.worker.stop()
        super().done(result)
