"""The payment dialog: points to redeem, stored value, card terminal and cash, split freely."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..core.errors import LoyaltyError
from ..core.money import parse_money
from ..core.points import max_redeemable_points, redeem_step, redemption_value
from ..core.program import ProgramRules
from ..core.promotions import Quote
from ..services.checkout import PaymentRequest
from ..services.views import MemberSummary
from .widgets import TOUCH_HEIGHT, money


def _amount(field: QLineEdit) -> int:
    text = field.text().strip()
    return parse_money(text) if text else 0


class PaymentDialog(QDialog):
    """Collects the tender. `requote(points)` gives the quote for a number of points redeemed."""

    def __init__(self, parent: QWidget, quote: Quote, member: MemberSummary | None,
                 rules: ProgramRules, requote) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Payment"))
        self.setMinimumWidth(520)
        self.quote, self.member, self.rules, self.requote = quote, member, rules, requote
        self.symbol = rules.currency_symbol
        form = QFormLayout()
        self.total_label = QLabel(self)
        self.total_label.setObjectName("payTotal")
        form.addRow(self.tr("Total"), self.total_label)
        self.points = QSpinBox(self)
        self.points.setObjectName("pointsToRedeem")
        self._limit_points()
        self.points_value = QLabel(self)
        form.addRow(self.tr("Points to redeem"), self.points)
        form.addRow(self.tr("Points pay"), self.points_value)
        self.stored = self._money_field("storedValue", form, self.tr("Stored value"))
        self.card = self._money_field("cardAmount", form, self.tr("Card terminal"))
        self.card_ref = QLineEdit(self)
        self.card_ref.setObjectName("cardReference")
        self.card_ref.setPlaceholderText(self.tr("terminal reference"))
        form.addRow(self.tr("Card reference"), self.card_ref)
        self.cash = self._money_field("cashTendered", form, self.tr("Cash tendered"))
        self.due_label = QLabel(self)
        self.due_label.setObjectName("cashDue")
        self.change_label = QLabel(self)
        self.change_label.setObjectName("changeDue")
        self.earn_label = QLabel(self)
        self.earn_label.setWordWrap(True)
        form.addRow(self.tr("Cash due"), self.due_label)
        form.addRow(self.tr("Change"), self.change_label)
        form.addRow(self.tr("Points to earn"), self.earn_label)
        self.error = QLabel(self)
        self.error.setObjectName("payError")
        self.buttons = QDialogButtonBox(self)
        self.complete = self.buttons.addButton(self.tr("Complete sale (Enter)"),
                                               QDialogButtonBox.ButtonRole.AcceptRole)
        self.complete.setObjectName("completeSale")
        self.complete.setMinimumHeight(TOUCH_HEIGHT)
        self.buttons.addButton(self.tr("Back (Esc)"), QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.points.valueChanged.connect(self._points_changed)
        for field in (self.stored, self.card, self.cash):
            field.textChanged.connect(self._update)
        self.payments: list[PaymentRequest] = []
        self._update()
        self.cash.setFocus()

    def _money_field(self, name: str, form: QFormLayout, label: str) -> QLineEdit:
        field = QLineEdit(self)
        field.setObjectName(name)
        field.setPlaceholderText("0.00")
        field.setMinimumHeight(40)
        form.addRow(label, field)
        return field

    def _limit_points(self) -> None:
        balance = self.member.points_balance if self.member else 0
        limit = max_redeemable_points(balance, self.quote.total, self.rules) if self.member else 0
        self.points.setRange(0, limit)
        self.points.setSingleStep(redeem_step(self.rules))
        self.points.setEnabled(limit > 0)
        self.points.setSuffix(self.tr(" of {limit} allowed").format(limit=limit))

    def _points_changed(self, points: int) -> None:
        try:
            self.quote = self.requote(points)
        except LoyaltyError as exc:
            self.error.setText(str(exc))
            return
        self._update()

    def _tender(self) -> tuple[int, int, int, int]:
        """(stored value, card, cash tendered, cash due) from the fields."""
        stored, card, tendered = (_amount(self.stored), _amount(self.card), _amount(self.cash))
        return stored, card, tendered, self.quote.due_after_points - stored - card

    def _update(self) -> None:
        self.total_label.setText(money(self.quote.total, self.symbol))
        value = redemption_value(self.points.value(), self.rules) if self.points.value() else 0
        self.points_value.setText(money(value, self.symbol))
        self.earn_label.setText(f"{self.quote.points_earned} — "
                                + "; ".join(self.quote.points_explanation))
        try:
            stored, card, tendered, cash_due = self._tender()
        except LoyaltyError as exc:
            self._block(str(exc))
            return
        self.due_label.setText(money(max(cash_due, 0), self.symbol))
        self.change_label.setText(money(max(tendered - cash_due, 0), self.symbol)
                                  if cash_due >= 0 else "—")
        problem = self._problem(stored, card, tendered, cash_due)
        self._block(problem) if problem else self._allow()

    def _problem(self, stored: int, card: int, tendered: int, cash_due: int) -> str:
        balance = self.member.stored_value_balance if self.member else 0
        if stored and not self.member:
            return self.tr("Stored value needs a member.")
        if stored > balance:
            return self.tr("Stored value balance is only {amount}.").format(
                amount=money(balance, self.symbol))
        if cash_due < 0:
            return self.tr("Stored value and card pay more than is due.")
        if card and not self.card_ref.text().strip():
            return self.tr("Enter the card terminal's reference.")
        if tendered < cash_due:
            return self.tr("Cash tendered is short by {amount}.").format(
                amount=money(cash_due - tendered, self.symbol))
        return ""

    def _block(self, text: str) -> None:
        self.error.setText(text)
        self.complete.setEnabled(False)

    def _allow(self) -> None:
        self.error.setText("")
        self.complete.setEnabled(True)

    def _accept(self) -> None:
        self._update()
        if not self.complete.isEnabled():
            return
        stored, card, tendered, cash_due = self._tender()
        payments = []
        if stored:
            payments.append(PaymentRequest("stored_value", stored))
        if card:
            payments.append(PaymentRequest("card", card, self.card_ref.text().strip()))
        if cash_due:
            payments.append(PaymentRequest("cash", cash_due, tendered=tendered))
        self.payments = payments
        self.accept()

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._accept()
            return
        super().keyPressEvent(event)

