"""Small shared widgets: big touch buttons with their function key, money text, message bar."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from ..core.money import format_money

TOUCH_HEIGHT = 56


def money(minor: int, symbol: str = "") -> str:
    return format_money(minor, symbol)


class ActionButton(QPushButton):
    """A touch-sized button showing its keyboard shortcut, which works anywhere in the window."""

    def __init__(self, text: str, key: str, parent: QWidget, *, role: str = "") -> None:
        super().__init__(f"{text}\n{key}" if key else text, parent)
        self.setMinimumHeight(TOUCH_HEIGHT)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the scan line keeps the focus
        if role:
            self.setProperty("role", role)
        if key:
            # Owned by the screen, so rebuilding the screens (language change) removes it too.
            shortcut = QShortcut(QKeySequence(key), parent)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(self._shortcut)
            self.shortcut = shortcut

    def _shortcut(self) -> None:
        if self.isEnabled() and self.isVisible():
            self.click()


class MessageBar(QLabel):
    """A non-blocking message line: errors stay until the next action, info fades after a while."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("messageBar")
        self.setWordWrap(True)
        self.setMinimumHeight(32)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.clear_message)

    def info(self, text: str) -> None:
        self._show(text, "info")
        self._timer.start(6000)

    def error(self, text: str) -> None:
        self._timer.stop()
        self._show(text, "error")

    def _show(self, text: str, kind: str) -> None:
        self.setProperty("kind", kind)
        self.style().unpolish(self)
        self.style().polish(self)
        self.setText(text)

    def clear_message(self) -> None:
        self._show("", "")
