"""The relay: runs a sync every 30 s on a thread of its own, backing off after failures.

Qt-free: the till's UI runs `Relay.run_forever` on a worker thread and turns `on_report`
calls into a signal (the callback runs on the relay's thread, not the GUI's).

Schedule (docs/sync-protocol.md, "Till side"):

- after a success, the next sync comes after the regular interval (30 s);
- after head office could not be reached, retry after `next_delay(failures)` =
  min(300, 2 ** failures) * uniform(0.5, 1.5) seconds, at most MAX_ATTEMPTS attempts in a row;
  after that, wait for the next regular cycle and start again;
- after a refusal (4xx) or a local failure, wait for the next regular cycle: it will not change
  by itself, and it is shown (sync.last_error, the report).

`sync_now()` cuts the current wait short (a manager's "sync now", the end of a sale).
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable

from .cycle import UNREACHABLE, SyncReport

log = logging.getLogger(__name__)

REGULAR_INTERVAL = 30.0   # seconds between syncs when all is well
MAX_DELAY = 300.0         # the longest back-off
MAX_ATTEMPTS = 8          # retries in a row before falling back to the regular cycle
WAIT_SLICE = 0.5          # how often a wait looks at the stop event


def next_delay(failures: int, rng: random.Random) -> float:
    """Seconds before retry number `failures` (1, 2, ...): exponential with jitter."""
    return min(MAX_DELAY, 2.0 ** failures) * rng.uniform(0.5, 1.5)


class Relay:
    """Calls `sync()` (usually `lambda: sync_once(db)`) forever, on the thread that runs
    `run_forever`.

    `wait(seconds, stop_event)` waits up to `seconds` or until stopped; tests pass a fake
    that records the delays instead of sleeping.
    """

    def __init__(self, sync: Callable[[], SyncReport], *,
                 on_report: Callable[[SyncReport], None] | None = None,
                 interval: float = REGULAR_INTERVAL, max_attempts: int = MAX_ATTEMPTS,
                 rng: random.Random | None = None,
                 wait: Callable[[float, threading.Event], None] | None = None) -> None:
        self.sync = sync
        self.on_report = on_report
        self.interval = interval
        self.max_attempts = max_attempts
        self.rng = rng or random.Random()
        self.failures = 0          # unreachable attempts in a row
        self._wake = threading.Event()
        self._wait = wait or self._wait_or_wake

    def sync_now(self) -> None:
        """Any thread: end the current wait and sync at once."""
        self._wake.set()

    def delay_after(self, report: SyncReport) -> float:
        """The wait before the next sync, given this one's report (updates the failure count)."""
        if report.outcome != UNREACHABLE:
            self.failures = 0
            return self.interval
        self.failures += 1
        if self.failures >= self.max_attempts:
            self.failures = 0
            return self.interval
        return next_delay(self.failures, self.rng)

    def run_once(self) -> float:
        """One sync, its report handed to `on_report`; returns the delay before the next."""
        try:
            report = self.sync()
        except Exception as exc:  # the relay must outlive any bug of a sync
            log.exception("sync failed unexpectedly")
            report = SyncReport(error=f"unexpected: {exc}", outcome=UNREACHABLE)
        if self.on_report is not None:
            try:
                self.on_report(report)
            except Exception:
                log.exception("the sync report callback failed")
        return self.delay_after(report)

    def run_forever(self, stop_event: threading.Event) -> None:
        """Sync, wait, repeat until `stop_event` is set. Run it on a thread of its own."""
        while not stop_event.is_set():
            delay = self.run_once()
            if stop_event.is_set():
                return
            self._wait(delay, stop_event)

    def _wait_or_wake(self, seconds: float, stop_event: threading.Event) -> None:
        remaining = seconds
        while remaining > 0 and not stop_event.is_set():
            if self._wake.wait(min(WAIT_SLICE, remaining)):
                self._wake.clear()
                return
            remaining -= WAIT_SLICE
