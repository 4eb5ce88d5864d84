"""Staff tab: add staff, enable or disable, change roles, reset PINs."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...services.admin import StaffRow
from ...services.staff import StaffView
from ...services.till import TillServices
from ..widgets import MessageBar
from ..worker import DbWorker


class StaffTab(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget, services: TillServices, worker: DbWorker,
                 manager: StaffView) -> None:
        super().__init__(parent)
        self.services, self.worker, self.manager = services, worker, manager
        self.rows: list[StaffRow] = []
        self.table = QTableWidget(0, 4, self)
        self.table.setObjectName("staffTable")
        self.table.setHorizontalHeaderLabels([self.tr("Name"), self.tr("Role"),
                                              self.tr("Active"), self.tr("Locked out")])
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.message = MessageBar(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(self._selected_actions())
        layout.addLayout(self._add_form())
        layout.addWidget(self.message)
        self.refresh()

    def _selected_actions(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.toggle_button = QPushButton(self.tr("Enable / disable"), self)
        self.toggle_button.setObjectName("staffToggle")
        self.toggle_button.clicked.connect(self.toggle_active)
        self.role_button = QPushButton(self.tr("Switch role"), self)
        self.role_button.setObjectName("staffRole")
        self.role_button.clicked.connect(self.switch_role)
        self.new_pin = QLineEdit(self)
        self.new_pin.setObjectName("staffNewPin")
        self.new_pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.new_pin.setPlaceholderText(self.tr("new PIN"))
        self.pin_button = QPushButton(self.tr("Reset PIN"), self)
        self.pin_button.setObjectName("staffResetPin")
        self.pin_button.clicked.connect(self.reset_pin)
        for widget in (self.toggle_button, self.role_button, self.new_pin, self.pin_button):
            row.addWidget(widget)
        return row

    def _add_form(self) -> QFormLayout:
        form = QFormLayout()
        self.add_name = QLineEdit(self)
        self.add_name.setObjectName("staffAddName")
        self.add_role = QComboBox(self)
        self.add_role.setObjectName("staffAddRole")
        self.add_role.addItem(self.tr("cashier"), "cashier")
        self.add_role.addItem(self.tr("manager"), "manager")
        self.add_pin = QLineEdit(self)
        self.add_pin.setObjectName("staffAddPin")
        self.add_pin.setEchoMode(QLineEdit.EchoMode.Password)
        add = QPushButton(self.tr("Add staff member"), self)
        add.setObjectName("staffAdd")
        add.clicked.connect(self.add)
        form.addRow(self.tr("Name"), self.add_name)
        form.addRow(self.tr("Role"), self.add_role)
        form.addRow(self.tr("PIN (4-8 digits)"), self.add_pin)
        form.addRow(add)
        return form

    def refresh(self) -> None:
        self.rows = self.services.staff_admin.staff()
        self.table.setRowCount(len(self.rows))
        for index, row in enumerate(self.rows):
            role = self.tr("manager") if row.role == "manager" else self.tr("cashier")
            cells = (row.name, role, self.tr("yes") if row.active else self.tr("no"),
                     row.locked_until.strftime("%H:%M") if row.locked_until else "")
            for column, text in enumerate(cells):
                self.table.setItem(index, column, QTableWidgetItem(text))

    def selected(self) -> StaffRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.rows[rows[0].row()] if rows else None

    def _run(self, name: str, job, done_text: str) -> None:
        def done(_result: object) -> None:
            self.refresh()
            self.message.info(done_text)
            self.changed.emit()

        self.worker.submit(name, job, done, lambda e: self.message.error(str(e)))

    def toggle_active(self) -> None:
        row = self.selected()
        if row is None:
            return
        manager = self.manager.id
        self._run("staff active", lambda: self.services.staff_admin.set_active(
            manager, row.id, not row.active), self.tr("{name} updated.").format(name=row.name))

    def switch_role(self) -> None:
        row = self.selected()
        if row is None:
            return
        role = "cashier" if row.role == "manager" else "manager"
        manager = self.manager.id
        self._run("staff role", lambda: self.services.staff_admin.set_role(
            manager, row.id, role), self.tr("{name} updated.").format(name=row.name))

    def reset_pin(self) -> None:
        row = self.selected()
        if row is None:
            return
        pin, manager = self.new_pin.text(), self.manager.id
        self.new_pin.clear()
        self._run("reset pin", lambda: self.services.staff_admin.reset_pin(manager, row.id, pin),
                  self.tr("PIN of {name} reset.").format(name=row.name))

    def add(self) -> None:
        name, role, pin = self.add_name.text(), self.add_role.currentData(), self.add_pin.text()
        manager = self.manager.id
        self.add_pin.clear()
        self._run("add staff", lambda: self.services.staff_admin.add_staff(
            manager, name, role, pin), self.tr("{name} added.").format(name=name))
