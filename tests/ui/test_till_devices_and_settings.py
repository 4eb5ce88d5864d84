"""Settings, scanner status, electronic cards, reprint and first start, through real widgets."""

from __future__ import annotations

import contextlib
import os
import tty
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from ui_helpers import CASHIER_PIN, ShopData, on_dialog, sign_in

from loyalty_pos.core.ecard import rotating_payload, static_payload
from loyalty_pos.db.engine import Database
from loyalty_pos.services.context import chain_secret
from loyalty_pos.ui.first_run import FirstRunDialog
from loyalty_pos.ui.settings_dialog import SettingsDialog


def scan_line(qtbot, win, code: str) -> None:
    from PySide6.QtCore import Qt

    qtbot.keyClicks(win.sale.scan, code)
    qtbot.keyClick(win.sale.scan, Qt.Key.Key_Return)


def secret_of(path: Path) -> bytes:
    db = Database.open(path)
    with db.transaction() as session:
        secret = chain_secret(session)
    db.close()
    return secret


def test_signed_electronic_card_attaches_and_a_forged_one_is_refused(qtbot, window,
                                                                      shop: ShopData) -> None:
    secret = secret_of(shop.path)
    sign_in(qtbot, window, shop.cashier_id, CASHIER_PIN)
    forged = static_payload(shop.card_number, b"not the chain secret")
    scan_line(qtbot, window, forged)
    assert window.sale.member is None
    assert "signature is not valid" in window.sale.message.text()
    import time

    scan_line(qtbot, window, rotating_payload(shop.card_number, secret, time.time()))
    assert window.sale.member is not None and window.sale.member.name == shop.member_name


def test_settings_dialog_saves_the_scanner_and_the_till_connects(qtbot, window,
                                                                  shop: ShopData) -> None:
    master, slave = os.openpty()
    tty.setraw(slave)
    port = os.ttyname(slave)
    sign_in(qtbot, window, shop.cashier_id, CASHIER_PIN)

    def configure(dialog: SettingsDialog) -> None:
        dialog.port.setText(port)
        dialog.baud.setCurrentIndex(dialog.baud.findData("115200"))
        dialog.suffix.setCurrentIndex(dialog.suffix.findData("TAB"))
        dialog.prefix.setText("]E0")
        dialog.accept()

    on_dialog(configure)
    window.open_settings()
    saved = window.settings.scanner()
    assert saved is not None and (saved.port, saved.baudrate, saved.suffix, saved.prefix) == (
        port, 115200, "TAB", "]E0")
    qtbot.waitUntil(lambda: window.scanner_label.property("state") == "connected", timeout=3000)
    os.write(master, b"]E06901234567892\t")
    qtbot.waitUntil(lambda: window.sale.table.rowCount() == 1, timeout=3000)
    os.close(master)                                            # the scanner is unplugged
    qtbot.waitUntil(lambda: window.scanner_label.property("state") == "disconnected",
                    timeout=5000)
    assert "DISCONNECTED" in window.scanner_label.text()
    with contextlib.suppress(OSError):
        os.close(slave)


def test_settings_dialog_refuses_bad_scanner_settings(qtbot, window, shop: ShopData) -> None:
    seen = {}

    def configure(dialog: SettingsDialog) -> None:
        dialog.port.setText("/dev/ttyUSB0")
        dialog.prefix.setText("\x07bell")
        dialog.accept()
        seen["error"] = dialog.error.text()
        seen["open"] = dialog.isVisible()
        dialog.reject()

    on_dialog(configure)
    window.open_settings()
    assert seen["open"] and seen["error"]
    assert window.settings.scanner() is None


def test_reprint_last_receipt(qtbot, window, shop: ShopData, tmp_path: Path) -> None:
    sign_in(qtbot, window, shop.cashier_id, CASHIER_PIN)
    scan_line(qtbot, window, "6903456789014")
    on_dialog(lambda d: (qtbot.keyClicks(d.cash, "5"), d.complete.click()))
    with qtbot.waitSignal(window.sale.sale_completed, timeout=5000) as done:
        window.sale.pay()
    with qtbot.waitSignal(window.sale.printed, timeout=10_000) as first:
        pass
    Path(first.args[0]).unlink()
    with qtbot.waitSignal(window.sale.printed, timeout=10_000) as again:
        window.sale.reprint_last()
    assert Path(again.args[0]).exists()
    assert done.args[0].receipt_code in Path(again.args[0]).name


@pytest.mark.slow
def test_first_start_offers_the_demo_store(qtbot, tmp_path: Path) -> None:
    dialog = FirstRunDialog(None, tmp_path / "new-till.sqlite")
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.finished, timeout=120_000) as finished:
        dialog.demo_button.click()
    assert finished.args[0] == QDialog.DialogCode.Accepted
    assert "PIN" in dialog.status.text()


def test_first_start_sets_up_an_own_store(qtbot, tmp_path: Path) -> None:
    path = tmp_path / "own.sqlite"
    dialog = FirstRunDialog(None, path)
    qtbot.addWidget(dialog)
    dialog.store_name.setText("Riverside")
    dialog.manager_name.setText("Rita")
    dialog.manager_pin.setText("12")                              # too short: refused
    dialog.set_up_store()
    assert "PIN" in dialog.status.text() and dialog.result() == 0
    dialog.manager_pin.setText("5566")
    dialog.till_number.setValue(7)
    dialog.set_up_store()
    assert dialog.result() == QDialog.DialogCode.Accepted
    from loyalty_pos.services.context import TillContext

    ctx = TillContext.open(Database.open(path))
    assert ctx.till_number == 7


def test_help_at_the_till_and_settings_changes_are_audited(qtbot, window, shop: ShopData,
                                                           tmp_path: Path) -> None:
    sign_in(qtbot, window, shop.cashier_id, CASHIER_PIN)
    seen = {}

    def look(dialog) -> None:
        qtbot.keyClicks(dialog.query, "refund")
        seen["topics"] = dialog.topics.count()
        seen["answer"] = dialog.answer.toPlainText()
        dialog.reject()

    on_dialog(look)
    qtbot.keyClick(window, Qt.Key.Key_F1)
    assert seen["topics"] >= 1 and "refund" in seen["answer"].lower()

    def configure(dialog: SettingsDialog) -> None:
        dialog.printer_target.setText("192.0.2.10:9100")
        dialog.printer_kind.setCurrentIndex(dialog.printer_kind.findData("network"))
        dialog.accept()

    on_dialog(configure)
    window.open_settings()
    qtbot.waitUntil(lambda: any(
        row.action == "till_settings_changed"
        for row in window.services.audit.entries()), timeout=5000)
    row = next(r for r in window.services.audit.entries() if r.action == "till_settings_changed")
    assert "192.0.2.10:9100" in str(row.details["printer"]["new"])
