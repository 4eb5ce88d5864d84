"""Smaller dialogs: find a member, top up stored value, manager approval, quantity."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core.errors import LoyaltyError
from ..core.money import parse_money
from ..services.till import TillServices
from ..services.views import MemberSummary
from .widgets import money


def _buttons(dialog: QDialog, ok_text: str) -> QDialogButtonBox:
    box = QDialogButtonBox(dialog)
    ok = box.addButton(ok_text, QDialogButtonBox.ButtonRole.AcceptRole)
    ok.setObjectName("okButton")
    ok.setMinimumHeight(48)
    box.addButton(QCoreApplication.translate("dialogs", "Cancel"),
                  QDialogButtonBox.ButtonRole.RejectRole)
    box.accepted.connect(dialog.accept)
    box.rejected.connect(dialog.reject)
    return box


class MemberSearchDialog(QDialog):
    """Results as you type: digits search phone prefixes, letters search names."""

    def __init__(self, parent: QWidget, services: TillServices) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Find member"))
        self.setMinimumSize(560, 420)
        self.services = services
        self.symbol = services.currency_symbol()
        self.chosen: MemberSummary | None = None
        self.query = QLineEdit(self)
        self.query.setObjectName("memberQuery")
        self.query.setPlaceholderText(self.tr("Phone number or part of the name"))
        self.query.textChanged.connect(self.search)
        self.query.returnPressed.connect(self.choose)
        self.results = QListWidget(self)
        self.results.setObjectName("memberResults")
        self.results.itemActivated.connect(lambda _item: self.choose())
        self.status = QLabel(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.query)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.status)
        layout.addWidget(_buttons(self, self.tr("Attach member")))

    def search(self, text: str) -> None:
        self.results.clear()
        if not text.strip():
            self.status.setText("")
            return
        try:
            found = self.services.finder.search(text, date.today())
        except LoyaltyError as exc:
            self.status.setText(str(exc))
            return
        for member in found:
            balance = money(member.stored_value_balance, self.symbol)
            item = QListWidgetItem(
                f"{member.name}   {member.phone or ''}   {member.tier_code}   "
                + self.tr("{points} pts").format(points=f"{member.points_balance:,}")
                + f"   {balance}")
            item.setData(Qt.ItemDataRole.UserRole, member)
            self.results.addItem(item)
        if found:
            self.results.setCurrentRow(0)
        self.status.setText(self.tr("{count} found").format(count=len(found)))

    def accept(self) -> None:
        self.choose()

    def choose(self) -> None:
        item = self.results.currentItem()
        if item is None:
            return
        self.chosen = item.data(Qt.ItemDataRole.UserRole)
        super().accept()


class TopUpDialog(QDialog):
    def __init__(self, parent: QWidget, member: MemberSummary, symbol: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Top up stored value"))
        self.amount_minor = 0
        form = QFormLayout(self)
        form.addRow(self.tr("Member"), QLabel(member.name, self))
        form.addRow(self.tr("Balance"), QLabel(money(member.stored_value_balance, symbol), self))
        self.amount = QLineEdit(self)
        self.amount.setObjectName("topUpAmount")
        self.amount.setPlaceholderText("0.00")
        self.method = QComboBox(self)
        self.method.setObjectName("topUpMethod")
        self.method.addItem(self.tr("Cash"), "cash")
        self.method.addItem(self.tr("Card terminal"), "card")
        self.reference = QLineEdit(self)
        self.reference.setObjectName("topUpReference")
        self.error = QLabel(self)
        form.addRow(self.tr("Amount"), self.amount)
        form.addRow(self.tr("Paid by"), self.method)
        form.addRow(self.tr("Card reference"), self.reference)
        form.addRow(self.error)
        form.addRow(_buttons(self, self.tr("Top up")))

    def accept(self) -> None:
        try:
            self.amount_minor = parse_money(self.amount.text())
        except LoyaltyError as exc:
            self.error.setText(str(exc))
            return
        if self.amount_minor <= 0:
            self.error.setText(self.tr("Enter an amount above zero."))
            return
        super().accept()


class ManagerPinDialog(QDialog):
    """A manager approves an action with their PIN (the lockout rules apply)."""

    def __init__(self, parent: QWidget, services: TillServices, action: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Manager approval"))
        self.services = services
        self.manager_id: int | None = None
        form = QFormLayout(self)
        form.addRow(QLabel(self.tr("A manager must approve: {action}").format(action=action),
                           self))
        self.who = QComboBox(self)
        self.who.setObjectName("managerChoice")
        for staff in services.staff.list_staff():
            if staff.is_manager and staff.active:
                self.who.addItem(staff.name, staff.id)
        self.pin = QLineEdit(self)
        self.pin.setObjectName("managerPin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = QLabel(self)
        form.addRow(self.tr("Manager"), self.who)
        form.addRow(self.tr("PIN"), self.pin)
        form.addRow(self.error)
        form.addRow(_buttons(self, self.tr("Approve")))

    def accept(self) -> None:
        try:
            staff = self.services.staff.approve_as_manager(self.who.currentData(),
                                                           self.pin.text())
        except LoyaltyError as exc:
            self.error.setText(str(exc))
            self.pin.clear()
            return
        self.manager_id = staff.id
        super().accept()


class AdjustPointsDialog(QDialog):
    def __init__(self, parent: QWidget, member: MemberSummary) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Adjust points"))
        form = QFormLayout(self)
        form.addRow(self.tr("Member"), QLabel(member.name, self))
        self.points = QLineEdit(self)
        self.points.setObjectName("adjustPoints")
        self.points.setPlaceholderText(self.tr("e.g. 200 or -50"))
        self.reason = QLineEdit(self)
        self.reason.setObjectName("adjustReason")
        self.error = QLabel(self)
        form.addRow(self.tr("Points"), self.points)
        form.addRow(self.tr("Reason"), self.reason)
        form.addRow(self.error)
        form.addRow(_buttons(self, self.tr("Adjust")))
        self.value = 0

    def accept(self) -> None:
        try:
            self.value = int(self.points.text().strip())
        except ValueError:
            self.error.setText(self.tr("Points must be a whole number."))
            return
        if not self.value or len(self.reason.text().strip()) < 3:
            self.error.setText(self.tr("Enter points other than 0 and a reason."))
            return
        super().accept()
