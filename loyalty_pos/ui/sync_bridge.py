"""The till's sync relay (loyalty_pos/sync/relay.py) on its own thread, with a Qt face.

Threads: `start`, `sync_now` and `stop` are called on the GUI thread. The relay runs its loop
(`run_forever(stop_event)`) on a Python thread of its own, never the GUI thread, and calls its
`on_report` callback there; `report` is emitted from that thread and Qt queues it to the
receivers on the GUI thread, so widgets are only ever touched there.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QObject, Signal

from ..db.engine import Database

log = logging.getLogger(__name__)
JOIN_TIMEOUT_S = 2.0  # closing waits this long at most; a request in flight holds no write
#                      transaction (sync/cycle.py), so a daemon thread left behind is harmless


class RelayLike(Protocol):
    """What the bridge needs of `loyalty_pos.sync.relay.Relay`."""

    def run_forever(self, stop_event: threading.Event) -> None: ...

    def sync_now(self) -> None: ...


RelayFactory = Callable[[Database, Callable[[Any], None]], RelayLike]


def make_relay(db: Database, on_report: Callable[[Any], None]) -> RelayLike:
    """The real relay: `sync_once(db)` every cycle (imported here: the till starts faster
    without httpx)."""
    from ..sync.cycle import sync_once
    from ..sync.relay import Relay

    return Relay(lambda: sync_once(db), on_report=on_report)


class SyncBridge(QObject):
    report = Signal(object)    # the relay's SyncReport of each attempt (GUI thread)
    stopped = Signal()         # the relay thread ended (after `stop`, or on a crash)

    def __init__(self, db: Database, parent: QObject | None = None,
                 factory: RelayFactory | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.factory = factory or make_relay
        self._relay: RelayLike | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> bool:
        """GUI thread. Start the relay once (the till is registered); True if it runs now."""
        if self.running:
            return True
        self._stop = threading.Event()
        try:
            self._relay = self.factory(self.db, self._deliver)
        except Exception:  # no relay (yet): the till works on, the indicator says offline
            log.exception("the sync relay could not be started")
            return False
        self._thread = threading.Thread(target=self._run, args=(self._relay, self._stop),
                                        name="sync-relay", daemon=True)
        self._thread.start()
        return True

    def sync_now(self) -> bool:
        """GUI thread. Ask the relay for an attempt now instead of at its next cycle."""
        if not self.running or self._relay is None:
            return False
        self._relay.sync_now()  # thread-safe: it only sets the relay's wake event
        return True

    def stop(self, timeout: float = JOIN_TIMEOUT_S) -> bool:
        """GUI thread (closing the till). True when the relay thread has ended."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("the sync relay did not stop within %.0f s", timeout)
                return False
        return True

    def _run(self, relay: RelayLike, stop: threading.Event) -> None:
        """Relay thread."""
        try:
            relay.run_forever(stop)
        except Exception:  # logged; the indicator shows the till going offline
            log.exception("the sync relay stopped with an error")
        finally:
            self._emit(self.stopped)

    def _deliver(self, report: Any) -> None:
        """Relay thread: the relay's `on_report`."""
        self._emit(self.report, report)

    @staticmethod
    def _emit(signal: Any, *args: Any) -> None:
        # RuntimeError: the window is gone; a relay that outlived `stop` reports to no one.
        with contextlib.suppress(RuntimeError):
            signal.emit(*args)
