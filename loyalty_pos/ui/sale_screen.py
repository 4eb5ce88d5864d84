"""The main sale screen: scan line, basket, totals, member panel and the cashier's actions.

Reads (lookups, quotes) run on the GUI thread: they take microseconds to a few milliseconds.
Writes (sale, refund, top-up, adjustment) and printing go to the worker thread.
"""

from __future__ import annotations

import uuid
from datetime import date

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core.basket import Basket
from ..core.errors import LoyaltyError, NotFound
from ..core.promotions import Quote
from ..core.scans import ScanKind, classify_scan
from ..services.checkout import SaleRequest
from ..services.refunds import RefundRequest
from ..services.staff import StaffView
from ..services.till import TillServices
from ..services.views import MemberSummary, RefundResult, SaleResult
from .dialogs import AdjustPointsDialog, ManagerPinDialog, MemberSearchDialog, TopUpDialog
from .help_dialog import HelpDialog
from .member_panel import MemberPanel
from .payment import PaymentDialog
from .refund_dialog import RefundDialog
from .widgets import ActionButton, MessageBar, money
from .worker import DbWorker

COLUMNS = 5


class SaleScreen(QWidget):
    sale_completed = Signal(object)    # SaleResult
    refund_completed = Signal(object)  # RefundResult
    member_changed = Signal(object)    # MemberSummary | None
    printed = Signal(str)              # where the receipt went
    sign_out_requested = Signal()
    manager_requested = Signal()
    settings_requested = Signal()

    def __init__(self, parent: QWidget, services: TillServices, worker: DbWorker,
                 printer_provider) -> None:
        super().__init__(parent)
        self.services, self.worker, self.printer_provider = services, worker, printer_provider
        self.rules = services.rules()
        self.symbol = self.rules.currency_symbol
        self.basket = Basket()
        self.sale_id = str(uuid.uuid4())
        self.member: MemberSummary | None = None
        self.quote: Quote | None = None
        self.staff: StaffView | None = None
        self._build()
        self.refresh()

    # -- layout ----------------------------------------------------------------------------

    def _build(self) -> None:
        self.scan = QLineEdit(self)
        self.scan.setObjectName("scanLine")
        self.scan.setPlaceholderText(self.tr("Scan or type a barcode, card or receipt number"))
        self.scan.setMinimumHeight(48)
        self.scan.returnPressed.connect(self._scan_entered)
        self.table = QTableWidget(0, COLUMNS, self)
        self.table.setObjectName("basketTable")
        self.table.setHorizontalHeaderLabels([self.tr("Item"), self.tr("Qty"), self.tr("Price"),
                                              self.tr("Discount"), self.tr("Amount")])
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.message = MessageBar(self)
        left = QVBoxLayout()
        left.addWidget(self.scan)
        left.addWidget(self.table, 1)
        left.addWidget(self._totals_box())
        left.addWidget(self.message)
        self.member_panel = MemberPanel(self, self.symbol)
        self.promotions = QLabel(self)
        self.promotions.setObjectName("promotionsApplied")
        self.promotions.setWordWrap(True)
        right = QVBoxLayout()
        right.addWidget(self.member_panel, 1)
        right.addWidget(self.promotions)
        right.addLayout(self._buttons())
        layout = QHBoxLayout(self)
        layout.addLayout(left, 3)
        layout.addLayout(right, 2)

    def _totals_box(self) -> QFrame:
        box = QFrame(self)
        box.setObjectName("totalsBox")
        grid = QGridLayout(box)
        self.subtotal = QLabel(box)
        self.discounts = QLabel(box)
        self.total = QLabel(box)
        self.total.setObjectName("totalAmount")
        self.points_to_earn = QLabel(box)
        self.points_to_earn.setObjectName("pointsToEarn")
        self.points_to_earn.setWordWrap(True)
        for row, (text, label) in enumerate(((self.tr("Subtotal"), self.subtotal),
                                             (self.tr("Discounts"), self.discounts),
                                             (self.tr("Total"), self.total))):
            grid.addWidget(QLabel(text, box), row, 0)
            label.setAlignment(Qt.AlignmentFlag.AlignRight)
            grid.addWidget(label, row, 1)
        grid.addWidget(self.points_to_earn, 3, 0, 1, 2)
        return box

    def _buttons(self) -> QGridLayout:
        grid = QGridLayout()
        actions = [
            (self.tr("Help"), "F1", self.show_help, ""),
            (self.tr("Find member"), "F2", self.find_member, ""),
            (self.tr("Quantity"), "F3", self.change_quantity, ""),
            (self.tr("Void line"), "F4", self.void_line, ""),
            (self.tr("Detach member"), "F5", self.detach_member, ""),
            (self.tr("Top up"), "F6", self.top_up, ""),
            (self.tr("Refund"), "F7", lambda: self.open_refund(""), ""),
            (self.tr("Reprint"), "F8", self.reprint_last, ""),
            (self.tr("Cancel sale"), "F9", self.cancel_sale, "danger"),
            (self.tr("Adjust points"), "F11", self.adjust_points, ""),
            (self.tr("Settings"), "F10", self.settings_requested.emit, ""),
            (self.tr("Sign out"), "Ctrl+L", self.sign_out_requested.emit, ""),
            (self.tr("Manager"), "Ctrl+M", self.manager_requested.emit, ""),
            (self.tr("Pay"), "F12", self.pay, "primary"),
        ]
        self.buttons: dict[str, ActionButton] = {}
        for index, (text, key, slot, role) in enumerate(actions):
            button = ActionButton(text, key, self, role=role)
            button.setObjectName(f"action_{key.replace('+', '_')}")
            button.clicked.connect(slot)
            if index == len(actions) - 1:  # Pay: a whole row of its own, at the bottom
                grid.addWidget(button, (index + 2) // 3, 0, 1, 3)
            else:
                grid.addWidget(button, index // 3, index % 3)
            self.buttons[key] = button
        return grid

    # -- state -----------------------------------------------------------------------------

    def start_shift(self, staff: StaffView) -> None:
        self.staff = staff
        self.buttons["Ctrl+M"].setVisible(staff.is_manager)
        self.message.info(self.tr("Signed in as {name}.").format(name=staff.name))
        self.scan.setFocus()

    def refresh(self) -> None:
        """Re-quote the basket and redraw everything from the quote."""
        try:
            self.quote = (self.services.checkout.quote(self.basket.as_items(),
                                                       self.basket.member_id)
                          if not self.basket.empty else None)
        except LoyaltyError as exc:
            self.message.error(str(exc))
            self.quote = None
        self._draw_basket()
        self._draw_totals()
        self.buttons["F12"].setEnabled(self.quote is not None)

    def _draw_basket(self) -> None:
        lines = self.quote.lines if self.quote else []
        self.table.setRowCount(len(lines))
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        for row, quoted in enumerate(lines):
            cells = (quoted.line.name, str(quoted.line.quantity),
                     money(quoted.line.unit_price, self.symbol),
                     money(-quoted.discount, self.symbol) if quoted.discount else "",
                     money(quoted.net, self.symbol))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column:
                    item.setTextAlignment(right)
                self.table.setItem(row, column, item)

    def _draw_totals(self) -> None:
        q = self.quote
        self.subtotal.setText(money(q.subtotal if q else 0, self.symbol))
        self.discounts.setText(money(-q.discount_total if q else 0, self.symbol))
        self.total.setText(money(q.total if q else 0, self.symbol))
        if q and self.member:
            self.points_to_earn.setText(self.tr("Points to earn: {points} ({why})").format(
                points=q.points_earned, why="; ".join(q.points_explanation)))
        else:
            self.points_to_earn.setText("")
        applied = q.applied if q else []
        self.promotions.setText("\n".join(f"✓ {o.name}: {o.explanation}" for o in applied))

    # -- scanning --------------------------------------------------------------------------

    def _scan_entered(self) -> None:
        code = self.scan.text()
        self.scan.clear()
        if code.strip():
            self.handle_code(code)

    def handle_code(self, code: str) -> None:
        """Every scanned or typed code arrives here, whatever scanner it came from."""
        if self.staff is None:
            return
        try:
            kind = classify_scan(code)
            if kind in (ScanKind.MEMBER_CARD, ScanKind.E_CARD):
                self.attach_member(self.services.finder.by_scan(code, date.today()))
            elif kind is ScanKind.RECEIPT:
                self.open_refund(code.strip())
            else:
                self.add_product(code.strip())
        except NotFound:
            self.message.error(self.tr("Unknown code {code}: nothing was changed.").format(
                code=code.strip()[:40]))
        except LoyaltyError as exc:
            self.message.error(str(exc))

    def add_product(self, code: str) -> None:
        product = self.services.catalog.product(code)
        self.basket.add(product.sku)
        self.refresh()
        self.message.info(self.tr("{name} added.").format(name=product.name))

    def attach_member(self, summary: MemberSummary) -> None:
        """Show the member at once (name, points, stored value, warnings come with the scan);
        tier explanation, consents and the re-quote follow on the next turn of the event loop,
        so the cashier sees who it is within milliseconds of the scan."""
        self.member_panel.show_member(summary, None)
        self.member_panel.repaint()
        usable = not summary.card_blocked and summary.status == "active"
        if usable:
            self.member = summary
            self.basket.member_id = summary.id
            self.message.info(self.tr("Member {name} attached.").format(name=summary.name))
        else:
            self.message.error(self.tr("This card cannot be used: see the member panel."))
        self.member_changed.emit(summary)
        QTimer.singleShot(0, lambda: self._complete_member(summary, usable))

    def _complete_member(self, summary: MemberSummary, usable: bool) -> None:
        if self.member is not None and self.member.id != summary.id:
            return  # another member was scanned in the meantime
        self.member_panel.show_member(summary, self.services.members.details(summary.id))
        if usable:
            self.refresh()

    def detach_member(self) -> None:
        self.member = None
        self.basket.member_id = None
        self.member_panel.show_none()
        self.refresh()
        self.member_changed.emit(None)

    # -- basket actions --------------------------------------------------------------------

    def _selected_row(self) -> int:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else len(self.basket.items) - 1

    def change_quantity(self) -> None:
        if self.basket.empty:
            return
        row = self._selected_row()
        current = self.basket.items[row].quantity
        quantity, ok = QInputDialog.getInt(self, self.tr("Quantity"), self.tr("New quantity"),
                                           current, 1, 9999)
        if ok:
            self.basket.set_quantity(row, quantity)
            self.refresh()

    def void_line(self) -> None:
        if self.basket.empty:
            return
        self.basket.void(self._selected_row())
        self.refresh()
        self.message.info(self.tr("Line voided."))

    def cancel_sale(self) -> None:
        self.basket.clear()
        self.sale_id = str(uuid.uuid4())
        self.detach_member()
        self.message.info(self.tr("Sale cancelled: nothing was recorded."))

    def show_help(self) -> None:
        HelpDialog(self, self.services).exec()

    def find_member(self) -> None:
        dialog = MemberSearchDialog(self, self.services)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.chosen:
            self.attach_member(dialog.chosen)

    # -- payment ---------------------------------------------------------------------------

    def pay(self) -> None:
        if self.quote is None or self.staff is None:
            return
        dialog = PaymentDialog(self, self.quote, self.member, self.rules, self._requote)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        request = SaleRequest(self.sale_id, self.staff.id, self.basket.as_items(),
                              self.basket.member_id, dialog.points.value(), dialog.payments)
        self.set_busy(True)
        self.worker.submit("complete sale", lambda: self.services.checkout.complete_sale(request),
                           self._sale_done, self._failed)

    def _requote(self, points: int) -> Quote:
        return self.services.checkout.quote(self.basket.as_items(), self.basket.member_id, points)

    def _sale_done(self, result: SaleResult) -> None:
        self.set_busy(False)
        self.basket.clear()
        self.sale_id = str(uuid.uuid4())
        self.member = None
        self.member_panel.show_none()
        self.refresh()
        text = self.tr("Sale {receipt} complete. Change {change}.").format(
            receipt=result.receipt_code, change=money(result.change_due, self.symbol))
        if result.member:
            text += " " + self.tr("{name}: +{earned} points, balance {points}.").format(
                name=result.member.name, earned=result.points_earned,
                points=result.member.points_balance)
        self.message.info(text)
        self.sale_completed.emit(result)
        self._print(lambda: self.services.receipts.sale_receipt(result.sale_id))

    def _failed(self, error: Exception) -> None:
        self.set_busy(False)
        self.message.error(str(error) if isinstance(error, LoyaltyError)
                           else self.tr("Unexpected error: {error}").format(error=error))

    def set_busy(self, busy: bool) -> None:
        for button in self.buttons.values():
            button.setEnabled(not busy)
        self.scan.setEnabled(not busy)
        if not busy:
            self.buttons["F12"].setEnabled(self.quote is not None)
            self.scan.setFocus()

    # -- receipts --------------------------------------------------------------------------

    def _print(self, receipt) -> None:
        def job() -> str:
            return self.printer_provider().print_receipt(receipt())

        self.worker.submit("print receipt", job, self._printed, self._print_failed)

    def _printed(self, where: str) -> None:
        self.printed.emit(where)

    def _print_failed(self, error: Exception) -> None:
        self.message.error(self.tr("The receipt could not be printed ({error}); the sale is "
                                   "saved. Use Reprint (F8).").format(error=error))

    def reprint_last(self) -> None:
        def job() -> str:
            receipt = self.services.receipts.last_receipt()
            if receipt is None:
                raise NotFound(self.tr("No receipt to reprint yet."))
            return self.printer_provider().print_receipt(receipt)

        self.worker.submit("reprint", job, self._printed, self._failed)

    # -- refunds, top-ups, adjustments ------------------------------------------------------

    def open_refund(self, receipt: str) -> None:
        if self.staff is None:
            return
        dialog = RefundDialog(self, self.services, receipt)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.sale is None:
            return
        request = RefundRequest(str(uuid.uuid4()), dialog.sale.sale_id, self.staff.id,
                                dialog.quantities())
        self.set_busy(True)
        self.worker.submit("refund", lambda: self.services.refunds.refund(request),
                           self._refund_done, self._failed)

    def _refund_done(self, result: RefundResult) -> None:
        self.set_busy(False)
        self.message.info(self.tr(
            "Refund {receipt}: pay back {cash} cash, {card} to card; stored value +{stored}; "
            "points -{taken} / +{given}.").format(
            receipt=result.receipt_code, cash=money(result.cash_back, self.symbol),
            card=money(result.card_back, self.symbol),
            stored=money(result.stored_value_given_back, self.symbol),
            taken=result.points_taken_back, given=result.points_given_back))
        self.refund_completed.emit(result)
        self._print(lambda: self.services.receipts.refund_receipt(result.refund_id))

    def top_up(self) -> None:
        if self.member is None or self.staff is None:
            self.message.error(self.tr("Attach a member first (scan the card or press F2)."))
            return
        dialog = TopUpDialog(self, self.member, self.symbol)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        member_id, staff_id = self.member.id, self.staff.id
        amount, method = dialog.amount_minor, dialog.method.currentData()
        reference = dialog.reference.text()
        self.set_busy(True)
        self.worker.submit(
            "top up", lambda: self.services.balances.top_up(member_id, amount, method, staff_id,
                                                            reference),
            self._balance_changed, self._failed)

    def adjust_points(self) -> None:
        if self.member is None:
            self.message.error(self.tr("Attach a member first (scan the card or press F2)."))
            return
        dialog = AdjustPointsDialog(self, self.member)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        approval = ManagerPinDialog(self, self.services, self.tr("adjust points"))
        if approval.exec() != QDialog.DialogCode.Accepted or approval.manager_id is None:
            return
        member_id, manager_id = self.member.id, approval.manager_id
        points, reason = dialog.value, dialog.reason.text()
        self.set_busy(True)
        self.worker.submit(
            "adjust points",
            lambda: self.services.balances.adjust_points(member_id, points, reason, manager_id),
            self._balance_changed, self._failed)

    def _balance_changed(self, summary: MemberSummary) -> None:
        self.set_busy(False)
        self.attach_member(summary)
