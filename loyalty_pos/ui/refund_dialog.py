"""Refund from a receipt: choose lines and quantities, see what moves, confirm."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core.errors import LoyaltyError
from ..services.refunds import RefundPlan, SaleForRefund
from ..services.till import TillServices
from .widgets import TOUCH_HEIGHT, money


class RefundDialog(QDialog):
    """Reads only (sale lookup, preview); the refund itself is committed by the caller."""

    def __init__(self, parent: QWidget, services: TillServices, receipt: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Refund"))
        self.setMinimumSize(640, 480)
        self.services = services
        self.symbol = services.currency_symbol()
        self.sale: SaleForRefund | None = None
        self.plan: RefundPlan | None = None
        self.receipt = QLineEdit(self)
        self.receipt.setObjectName("refundReceipt")
        self.receipt.setPlaceholderText(self.tr("Scan or type the receipt number (R…)"))
        self.receipt.returnPressed.connect(self.load)
        load = QPushButton(self.tr("Open"), self)
        load.clicked.connect(self.load)
        top = QHBoxLayout()
        top.addWidget(self.receipt, 1)
        top.addWidget(load)
        self.table = QTableWidget(0, 4, self)
        self.table.setObjectName("refundLines")
        self.table.setHorizontalHeaderLabels(
            [self.tr("Item"), self.tr("Sold"), self.tr("Refundable"), self.tr("Refund qty")])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(44)
        self.preview_label = QLabel(self)
        self.preview_label.setObjectName("refundPreview")
        self.preview_label.setWordWrap(True)
        self.buttons = QDialogButtonBox(self)
        self.confirm = self.buttons.addButton(self.tr("Confirm refund"),
                                              QDialogButtonBox.ButtonRole.AcceptRole)
        self.confirm.setObjectName("confirmRefund")
        self.confirm.setMinimumHeight(TOUCH_HEIGHT)
        self.confirm.setEnabled(False)
        self.buttons.addButton(self.tr("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.preview_label)
        layout.addWidget(self.buttons)
        if receipt:
            self.receipt.setText(receipt)
            self.load()

    def load(self) -> None:
        try:
            self.sale = self.services.refunds.sale_for_refund(self.receipt.text())
        except LoyaltyError as exc:
            self.sale = None
            self.table.setRowCount(0)
            self._show_error(str(exc))
            return
        self.table.setRowCount(len(self.sale.lines))
        for row, (_, name, sold, left, _) in enumerate(self.sale.lines):
            self.table.setItem(row, 0, QTableWidgetItem(name))
            self.table.setItem(row, 1, QTableWidgetItem(str(sold)))
            self.table.setItem(row, 2, QTableWidgetItem(str(left)))
            spin = QSpinBox(self.table)
            spin.setRange(0, left)
            spin.setValue(left)
            spin.valueChanged.connect(self.update_preview)
            self.table.setCellWidget(row, 3, spin)
        self.update_preview()

    def quantities(self) -> dict[int, int]:
        assert self.sale is not None
        return {line[0]: self.table.cellWidget(row, 3).value()  # type: ignore[union-attr]
                for row, line in enumerate(self.sale.lines)}

    def update_preview(self) -> None:
        if self.sale is None:
            return
        try:
            self.plan = self.services.refunds.preview(self.sale.sale_id, self.quantities())
        except LoyaltyError as exc:
            self.plan = None
            self._show_error(str(exc))
            return
        p, s = self.plan, self.symbol
        self.preview_label.setText(self.tr(
            "Refund {amount}: cash {cash}, card {card}, stored value back {stored}.\n"
            "Points taken back: {taken}. Points given back: {given}.").format(
            amount=money(p.amount, s), cash=money(p.cash_back, s), card=money(p.card_back, s),
            stored=money(p.stored_value_given_back, s), taken=p.points_taken_back,
            given=p.points_given_back))
        self.confirm.setEnabled(True)

    def _show_error(self, text: str) -> None:
        self.preview_label.setText(text)
        self.confirm.setEnabled(False)
