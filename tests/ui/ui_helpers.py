"""Shared by the UI tests (imported by name: the tests folders are not packages)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pdf_helpers import pdf_text  # noqa: F401  (the UI tests import it from here)
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

MANAGER_PIN = "1234"
CASHIER_PIN = "2468"
PRODUCTS = [("RICE5", "6901234567892", "Rice 5 kg", "grocery", 4990),
            ("MILK1", "6902345678903", "Fresh milk 1 L", "dairy", 1275),
            ("APPLE", "6903456789014", "Apple", "fruit", 350)]


@dataclass
class ShopData:
    path: Path
    manager_id: int
    cashier_id: int
    member_id: int
    member_name: str
    card_number: str
    blocked_member_card: str


def sign_in(qtbot, win, staff_id: int, pin: str) -> None:
    win.signin.who.setCurrentIndex(win.signin.who.findData(staff_id))
    qtbot.keyClicks(win.signin.pin, pin)
    win.signin.try_sign_in()


def on_dialog(handler: Callable[[QWidget], None], timeout_ms: int = 5000) -> None:
    """Run `handler(dialog)` as soon as a modal dialog is up (the test is blocked in exec())."""
    waited = [0]

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is not None:
            handler(dialog)
        elif waited[0] < timeout_ms:
            waited[0] += 20
            QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)
