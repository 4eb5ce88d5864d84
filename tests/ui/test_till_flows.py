"""A cashier's shift through the real window: pytest-qt clicks real widgets, offscreen."""

from __future__ import annotations

import contextlib
import os
import tty
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from ui_helpers import CASHIER_PIN, MANAGER_PIN, ShopData, on_dialog, pdf_text, sign_in

from loyalty_pos.devices.scanner import ScannerSettings
from loyalty_pos.ui.payment import PaymentDialog
from loyalty_pos.ui.refund_dialog import RefundDialog


@pytest.fixture
def scanner_port():
    """A pseudo-terminal: the test writes to `master` as the scanner would."""
    master, slave = os.openpty()
    tty.setraw(slave)
    yield master, os.ttyname(slave)
    for fd in (master, slave):
        with contextlib.suppress(OSError):
            os.close(fd)


def scan_line(qtbot, win, code: str) -> None:
    qtbot.keyClicks(win.sale.scan, code)
    qtbot.keyClick(win.sale.scan, Qt.Key.Key_Return)


def test_cashier_sale_with_serial_scanner_points_and_split_payment(qtbot, window, shop: ShopData,
                                                                   scanner_port) -> None:
    master, port = scanner_port
    window.scanner.start(ScannerSettings(port=port, baudrate=9600))
    qtbot.waitUntil(lambda: window.scanner_label.property("state") == "connected", timeout=3000)
    sign_in(qtbot, window, shop.cashier_id, CASHIER_PIN)
    assert window.stack.currentWidget() is window.sale

    os.write(master, f"{shop.card_number}\r".encode())
    qtbot.waitUntil(lambda: window.sale.member is not None, timeout=3000)
    assert window.sale.member_panel.title.text() == shop.member_name
    assert window.sale.member_panel.values["points"].text() == "1,000"

    scan_line(qtbot, window, "6901234567892")                  # rice, by barcode
    os.write(master, b"6902345678903\r")                         # milk, through the serial port
    qtbot.waitUntil(lambda: window.sale.table.rowCount() == 2, timeout=3000)
    scan_line(qtbot, window, "6901234567892")                  # rice again: quantity 2
    assert window.sale.table.item(0, 1).text() == "2"
    assert window.sale.total.text() == "¥112.55"                # 2 x 49.90 + 12.75

    def pay(dialog: PaymentDialog) -> None:
        dialog.points.setValue(500)                              # 5.00 paid with points
        qtbot.keyClicks(dialog.stored, "50.00")
        qtbot.keyClicks(dialog.cash, "60")
        assert dialog.due_label.text() == "¥57.55"
        assert dialog.change_label.text() == "¥2.45"
        qtbot.mouseClick(dialog.complete, Qt.MouseButton.LeftButton)

    on_dialog(pay)
    with qtbot.waitSignal(window.sale.sale_completed, timeout=5000) as done:
        qtbot.mouseClick(window.sale.buttons["F12"], Qt.MouseButton.LeftButton)
    result = done.args[0]
    # 107.55 earns 107 base points; member balance 1000 - 500 + 107 = 607
    assert result.points_redeemed == 500
    assert result.member.points_balance == 1000 - 500 + result.points_earned
    assert result.member.stored_value_balance == 10_000 - 5_000
    with qtbot.waitSignal(window.sale.printed, timeout=10_000) as printed:
        pass
    text = pdf_text(Path(printed.args[0]))
    assert result.receipt_code in text
    assert "112.55" in text and "57.55" in text
    assert f"{result.member.points_balance}" in text and "50.00" in text
    assert window.sale.basket.empty and window.sale.member is None


def test_refund_from_receipt_shows_points_and_gives_back(qtbot, window, shop: ShopData) -> None:
    sign_in(qtbot, window, shop.cashier_id, CASHIER_PIN)
    scan_line(qtbot, window, shop.card_number)
    scan_line(qtbot, window, "6903456789014")
    scan_line(qtbot, window, "6903456789014")
    on_dialog(lambda d: (qtbot.keyClicks(d.cash, "7"), d.complete.click()))
    with qtbot.waitSignal(window.sale.sale_completed, timeout=5000) as done:
        window.sale.pay()
    sale = done.args[0]
    qtbot.waitSignal(window.sale.printed, timeout=10_000)

    seen = {}

    def refund(dialog: RefundDialog) -> None:
        dialog.table.cellWidget(0, 3).setValue(1)             # return one of the two apples
        seen["preview"] = dialog.preview_label.text()
        dialog.confirm.click()

    on_dialog(refund)
    with qtbot.waitSignal(window.sale.refund_completed, timeout=5000) as refunded:
        scan_line(qtbot, window, sale.receipt_code)             # scanning a receipt opens it
    result = refunded.args[0]
    assert "3.50" in seen["preview"]
    assert result.amount == 350 and result.cash_back == 350
    assert sale.points_earned == 7
    assert result.points_taken_back == 4            # half of 7, rounded half up
    assert result.member.points_balance == sale.member.points_balance - 4


def test_top_up_stored_value(qtbot, window, shop: ShopData) -> None:
    sign_in(qtbot, window, shop.cashier_id, CASHIER_PIN)
    scan_line(qtbot, window, shop.card_number)

    def top_up(dialog) -> None:
        qtbot.keyClicks(dialog.amount, "200")
        dialog.method.setCurrentIndex(dialog.method.findData("card"))
        qtbot.keyClicks(dialog.reference, "TERM-0042")
        dialog.accept()

    on_dialog(top_up)
    window.sale.top_up()
    qtbot.waitUntil(lambda: window.sale.member_panel.values["stored"].text() == "¥300.00",
                    timeout=5000)


def test_keyboard_wedge_scan_wherever_the_focus_is(qtbot, window, shop: ShopData) -> None:
    sign_in(qtbot, window, shop.cashier_id, CASHIER_PIN)
    window.sale.table.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    window.sale.table.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.sale.table)
    qtbot.keyClicks(window.sale.table, "6903456789014")        # a burst, as a USB scanner types
    qtbot.keyClick(window.sale.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.sale.table.rowCount() == 1, timeout=2000)
    assert window.sale.table.item(0, 0).text() == "Apple"


def test_noisy_serial_input_is_discarded_and_the_next_scan_works(qtbot, window, shop: ShopData,
                                                                 scanner_port) -> None:
    master, port = scanner_port
    window.scanner.start(ScannerSettings(port=port, baudrate=115200))
    sign_in(qtbot, window, shop.cashier_id, CASHIER_PIN)
    os.write(master, b"\x00\xff\x1b[2J\x07garbage\x01\r")       # line noise and control bytes
    os.write(master, b"x" * 2000)                               # an over-long frame, no suffix
    os.write(master, b"\r6901234567892\r")
    qtbot.waitUntil(lambda: window.sale.table.rowCount() == 1, timeout=3000)
    assert window.sale.table.item(0, 0).text() == "Rice 5 kg"


def test_unknown_code_is_a_message_and_changes_nothing(qtbot, window, shop: ShopData) -> None:
    sign_in(qtbot, window, shop.cashier_id, CASHIER_PIN)
    scan_line(qtbot, window, "6903456789014")
    scan_line(qtbot, window, "0000000000000")
    assert window.sale.table.rowCount() == 1
    assert "Unknown code" in window.sale.message.text()
    scan_line(qtbot, window, "2900100000018")                   # a card number, bad check digit
    assert "check digit" in window.sale.message.text()
    assert window.sale.member is None


def test_blocked_card_warns_and_is_not_attached(qtbot, window, shop: ShopData) -> None:
    sign_in(qtbot, window, shop.cashier_id, CASHIER_PIN)
    scan_line(qtbot, window, shop.blocked_member_card)
    assert window.sale.member is None
    assert window.sale.member_panel.warning.isVisible()
    assert "BLOCKED" in window.sale.member_panel.warning.text()


def test_wrong_pins_lock_the_cashier_out(qtbot, window, shop: ShopData) -> None:
    for _ in range(5):
        sign_in(qtbot, window, shop.cashier_id, "0000")
    assert "locked out" in window.signin.error.text()
    sign_in(qtbot, window, shop.cashier_id, CASHIER_PIN)       # even the right PIN waits now
    assert window.stack.currentWidget() is window.signin
    assert "locked out" in window.signin.error.text()
    sign_in(qtbot, window, shop.manager_id, MANAGER_PIN)       # others are not affected
    assert window.stack.currentWidget() is window.sale


def test_void_line_cancel_sale_and_sign_out(qtbot, window, shop: ShopData) -> None:
    sign_in(qtbot, window, shop.cashier_id, CASHIER_PIN)
    for code in ("6903456789014", "6901234567892"):
        scan_line(qtbot, window, code)
    window.sale.table.selectRow(0)
    qtbot.keyClick(window, Qt.Key.Key_F4)
    assert window.sale.table.rowCount() == 1
    assert window.sale.table.item(0, 0).text() == "Rice 5 kg"
    qtbot.keyClick(window, Qt.Key.Key_F9)
    assert window.sale.table.rowCount() == 0
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.stack.currentWidget() is window.signin


def test_manager_override_for_points_adjustment(qtbot, window, shop: ShopData) -> None:
    sign_in(qtbot, window, shop.cashier_id, CASHIER_PIN)
    scan_line(qtbot, window, shop.card_number)

    def adjust(dialog) -> None:
        qtbot.keyClicks(dialog.points, "250")
        qtbot.keyClicks(dialog.reason, "missed points on receipt R0010000009")
        dialog.accept()
        on_dialog(approve)

    def approve(dialog) -> None:
        dialog.who.setCurrentIndex(dialog.who.findData(shop.manager_id))
        qtbot.keyClicks(dialog.pin, MANAGER_PIN)
        dialog.accept()

    on_dialog(adjust)
    window.sale.adjust_points()
    qtbot.waitUntil(lambda: window.sale.member_panel.values["points"].text() == "1,250",
                    timeout=5000)
