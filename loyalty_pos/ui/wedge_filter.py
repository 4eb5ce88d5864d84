"""Keyboard-wedge scanners: a burst of keystrokes ending in Enter, wherever the focus is.

The filter holds printable keys for a moment (a few tens of milliseconds): if more keys follow
faster than a person types and Enter ends the burst, the whole burst is a scan and the keys never
reach the focused widget. If the burst stops, the held keys are replayed to the widget they were
meant for, so typing by hand still works everywhere. The scan line itself handles its own Enter,
so keys typed there are not intercepted; neither are keys in an open dialog.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

from ..devices.wedge import KeyboardWedgeDetector


class WedgeFilter(QObject):
    scanned = Signal(str)

    def __init__(self, parent: QObject, skip: QWidget | None = None,
                 detector: KeyboardWedgeDetector | None = None,
                 active: Callable[[], bool] = lambda: True) -> None:
        super().__init__(parent)
        self.active = active
        self.detector = detector or KeyboardWedgeDetector()
        self.skip = skip
        self._held: list[tuple[QObject, QKeyEvent]] = []
        self._replaying = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._replay)

    def eventFilter(self, target: QObject, event: QEvent) -> bool:
        if self._replaying or event.type() != QEvent.Type.KeyPress:
            return False
        focus = QApplication.focusWidget()
        # In a dialog a scanner simply types into the focused field (a receipt number field,
        # say), so only the main window's widgets are watched.
        if (focus is None or focus is self.skip or target is not focus
                or QApplication.activeModalWidget() is not None or not self.active()):
            return False
        assert isinstance(event, QKeyEvent)
        return self._key(focus, event)

    def _key(self, focus: QWidget, event: QKeyEvent) -> bool:
        now = time.monotonic() * 1000
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            code = self.detector.feed("\n", now)
            if code:
                self._timer.stop()
                self._held.clear()
                self.scanned.emit(code)
                return True
            self._replay()
            return False
        text = event.text()
        if len(text) != 1 or not text.isprintable() or event.modifiers() & (
                Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier):
            self._replay()
            return False
        self.detector.feed(text, now)
        self._held.append((focus, QKeyEvent(event.type(), event.key(), event.modifiers(), text)))
        self._timer.start(int(self.detector.max_gap_ms) + 5)
        return True

    def _replay(self) -> None:
        """The burst was a person typing: give the held keys to their widget, in order."""
        self._timer.stop()
        held, self._held = self._held, []
        self.detector.reset()
        self._replaying = True
        try:
            for widget, event in held:
                QApplication.sendEvent(widget, event)
        finally:
            self._replaying = False
