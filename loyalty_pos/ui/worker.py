"""One worker thread for database writes and other slow work.

GUI thread: `submit()` queues a job and returns at once. Worker thread: runs the job's function.
GUI thread again: the result or the error arrives through a queued signal and the job's
callback runs there, so widgets are only ever touched on the GUI thread.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)


@dataclass
class Job:
    name: str
    run: Callable[[], Any]
    done: Callable[[Any], None] | None
    failed: Callable[[Exception], None] | None


class DbWorker(QObject):
    """Runs jobs one at a time, in submission order, on a single background thread."""

    job_finished = Signal(object, object)  # Job, result
    job_failed = Signal(object, object)    # Job, exception
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._jobs: queue.Queue[Job | None] = queue.Queue()
        self._pending = 0
        self.job_finished.connect(self._deliver_result)
        self.job_failed.connect(self._deliver_error)
        self._thread = threading.Thread(target=self._loop, name="db-worker", daemon=True)
        self._thread.start()

    @property
    def busy(self) -> bool:
        return self._pending > 0

    def submit(self, name: str, run: Callable[[], Any], done: Callable[[Any], None] | None = None,
               failed: Callable[[Exception], None] | None = None) -> None:
        """GUI thread. `done`/`failed` are called later on the GUI thread."""
        self._pending += 1
        if self._pending == 1:
            self.busy_changed.emit(True)
        self._jobs.put(Job(name, run, done, failed))

    def stop(self) -> None:
        self._jobs.put(None)
        self._thread.join(timeout=5)

    def _loop(self) -> None:
        """Worker thread."""
        while (job := self._jobs.get()) is not None:
            try:
                result = job.run()
            except Exception as exc:  # delivered to the GUI as a message, never lost
                if not hasattr(exc, "__module__") or "loyalty_pos" not in type(exc).__module__:
                    log.exception("job %s failed", job.name)
                self.job_failed.emit(job, exc)
            else:
                self.job_finished.emit(job, result)

    def _finish(self) -> None:
        self._pending -= 1
        if self._pending == 0:
            self.busy_changed.emit(False)

    def _deliver_result(self, job: Job, result: object) -> None:
        self._finish()
        if job.done:
            job.done(result)

    def _deliver_error(self, job: Job, error: Exception) -> None:
        self._finish()
        if job.failed:
            job.failed(error)
