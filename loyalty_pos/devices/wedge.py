"""Keyboard-wedge scanners: telling a scanner's burst of keystrokes from a person typing.

A USB scanner in keyboard mode types the code as keystrokes a few milliseconds apart and presses
Enter; a fast typist still leaves 60 ms or more between keys. So a run of at least `min_length`
characters whose gaps are all under `max_gap_ms`, ended by Enter, is a scan.

Plain Python, no Qt, no threads: the UI's key-event filter calls it on the GUI thread with the
event's timestamp, and decides from `pending` whether to swallow the key.
"""

from __future__ import annotations

import itertools

ENTER_KEYS = ("\n", "\r")  # Qt gives "\r" for Return and Enter; terminals give "\n"


def looks_like_scan(chars_with_times: list[tuple[str, float]], min_length: int = 6,
                    max_gap_ms: float = 35.0) -> bool:
    """True when these (character, time in ms) pairs look typed by a scanner, not a person.

    A trailing Enter, if present, counts for timing but not for length.
    """
    chars = [char for char, _ in chars_with_times if char not in ENTER_KEYS]
    if len(chars) < min_length:
        return False
    times = [moment for _, moment in chars_with_times]
    return all(later - earlier < max_gap_ms for earlier, later in itertools.pairwise(times))


class KeyboardWedgeDetector:
    """Keyboard-wedge USB scanners type the code as a burst of keystrokes ending in Enter, far
    faster than a person types. Feed every printable key and Enter with a timestamp (ms); returns
    the code when Enter ends a burst of at least min_length characters whose gaps were all below
    max_gap_ms; otherwise None. `pending` tells whether a burst is in progress (so the UI can
    swallow those keys instead of typing them into a field).

    `pending` becomes True from the second key of a fast run: a single key cannot be told apart
    from a person typing, so the first character of a scan reaches the focused field, and the UI
    removes it when `feed` returns the code. Call it on the GUI thread only (not thread-safe).
    """

    def __init__(self, min_length: int = 6, max_gap_ms: float = 35.0) -> None:
        self.min_length = min_length
        self.max_gap_ms = max_gap_ms
        self._chars: list[str] = []
        self._last_ms = 0.0

    @property
    def pending(self) -> bool:
        """True while at least two characters have arrived faster than a person types."""
        return len(self._chars) >= 2

    def buffered(self) -> str:
        """The characters of the burst so far (for the UI to type back if it was not a scan)."""
        return "".join(self._chars)

    def feed(self, key: str, now_ms: float) -> str | None:
        """Take one key: a printable character, or "\\n"/"\\r" for Enter. Returns the code or None.

        A key with no text (a Shift press) is ignored; any other non-printable key ends the burst.
        """
        if key == "":
            return None
        fast = bool(self._chars) and now_ms - self._last_ms < self.max_gap_ms
        if key in ENTER_KEYS:
            code = self.buffered() if fast and len(self._chars) >= self.min_length else None
            self.reset()
            return code
        if len(key) != 1 or not key.isprintable():
            self.reset()
            return None
        if not fast:
            self._chars.clear()  # too slow after the previous key: a new run starts here
        self._chars.append(key)
        self._last_ms = now_ms
        return None

    def reset(self) -> None:
        """Forget the burst in progress (the window lost focus, a dialog opened, ...)."""
        self._chars.clear()
        self._last_ms = 0.0
