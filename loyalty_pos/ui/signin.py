"""Sign-in screen: choose your name, type your PIN (keyboard or on-screen keypad)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..core.errors import LoyaltyError
from ..services.staff import StaffView
from ..services.till import TillServices


class SignInScreen(QWidget):
    signed_in = Signal(object)  # StaffView

    def __init__(self, parent: QWidget, services: TillServices) -> None:
        super().__init__(parent)
        self.services = services
        card = QFrame(self)
        card.setObjectName("signInCard")
        card.setFixedWidth(480)
        layout = QVBoxLayout(card)
        title = QLabel(services.store_line(), card)
        title.setObjectName("signInTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title.setWordWrap(True)
        layout.addWidget(title)
        layout.addWidget(QLabel(self.tr("Who is signing in?"), card))
        self.who = QComboBox(card)
        self.who.setObjectName("staffChoice")
        self.who.setMinimumHeight(44)
        layout.addWidget(self.who)
        self.pin = QLineEdit(card)
        self.pin.setObjectName("pinEntry")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setPlaceholderText(self.tr("PIN"))
        self.pin.setMinimumHeight(44)
        self.pin.returnPressed.connect(self.try_sign_in)
        layout.addWidget(self.pin)
        layout.addLayout(self._keypad(card))
        self.error = QLabel(card)
        self.error.setObjectName("signInError")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        outer = QGridLayout(self)
        outer.addWidget(card, 0, 0, Qt.AlignmentFlag.AlignCenter)
        self.reload_staff()

    def _keypad(self, parent: QWidget) -> QGridLayout:
        grid = QGridLayout()
        keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "⌫", "0", self.tr("OK")]
        for index, key in enumerate(keys):
            button = QPushButton(key, parent)
            button.setMinimumHeight(56)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setObjectName(f"key_{index}")
            button.clicked.connect(lambda _=False, k=key: self._key(k))
            grid.addWidget(button, index // 3, index % 3)
        return grid

    def _key(self, key: str) -> None:
        if key == self.tr("OK"):
            self.try_sign_in()
        elif key == "⌫":
            self.pin.backspace()
        else:
            self.pin.insert(key)

    def reload_staff(self) -> None:
        self.who.clear()
        for staff in self.services.staff.list_staff():
            if staff.active:
                role = self.tr("manager") if staff.is_manager else self.tr("cashier")
                self.who.addItem(f"{staff.name} ({role})", staff.id)

    def reset(self) -> None:
        self.pin.clear()
        self.error.clear()
        self.pin.setFocus()

    def try_sign_in(self) -> None:
        staff_id = self.who.currentData()
        try:
            staff: StaffView = self.services.staff.sign_in(staff_id, self.pin.text())
        except LoyaltyError as exc:
            self.error.setText(str(exc))
            self.pin.clear()
            return
        self.reset()
        self.signed_in.emit(staff)
