"""A real `loyalty-headoffice serve` in a subprocess for the end-to-end and fault tests (and the
drain benchmark's way of starting one is the same): a free loopback port, a SQLite file or a
database in the test PostgreSQL cluster, wait for /v1/health, stop (SIGTERM), kill (SIGKILL),
start again on the same port. Plus the tills of a small chain: copies of the session's till
template (tests/conftest.py) with their own till number and store code.

The server's output goes to a log file beside the database (never a pipe: a full pipe would
block the server); `log()` reads it for failure messages.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from loyalty_pos.headoffice.db import HeadOfficeDb

CODE_PATTERN = re.compile(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}\b")
START_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(condition, timeout: float, what: str, interval: float = 0.02):  # type: ignore[no-untyped-def]
    """Poll `condition()` until it returns something true; that value, or TimeoutError."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


@dataclass
class HeadOfficeServer:
    """One `loyalty-headoffice serve` subprocess (see the module docstring)."""
    db_url: str
    folder: Path
    port: int = field(default_factory=free_port)
    host: str = "127.0.0.1"
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    db: HeadOfficeDb | None = None  # the test's own handle on the same database

    @property
    def key_file(self) -> Path:
        return self.folder / "headoffice.key"

    @property
    def log_path(self) -> Path:
        return self.folder / "serve.log"

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def command(self) -> list[str]:
        return [sys.executable, "-m", "loyalty_pos.headoffice.cli", "serve", "--db", self.db_url,
                "--host", self.host, "--port", str(self.port), "--key-file", str(self.key_file)]

    def start(self, timeout: float = START_TIMEOUT) -> HeadOfficeServer:
        assert self.process is None or self.process.poll() is not None, "already running"
        self.folder.mkdir(parents=True, exist_ok=True)
        env = {key: value for key, value in os.environ.items()
               if not key.startswith("LOYALTY_HEADOFFICE_")}
        env["PYTHONUNBUFFERED"] = "1"
        with open(self.log_path, "ab") as log:
            log.write(f"\n--- start {self.starts + 1}: {' '.join(self.command())}\n".encode())
            log.flush()
            self.process = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, env=env)
        self.starts += 1
        self.wait_healthy(timeout)
        return self

    def health(self) -> dict[str, object] | None:
        try:
            answer = httpx.get(self.url + "/v1/health", timeout=2)
        except httpx.TransportError:
            return None
        return answer.json() if answer.status_code == 200 else None

    def wait_healthy(self, timeout: float = START_TIMEOUT) -> dict[str, object]:
        def ready() -> dict[str, object] | None:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"loyalty-headoffice serve exited with status "
                                   f"{self.process.returncode}:\n{self.log()}")
            return self.health()

        try:
            return wait_until(ready, timeout, f"{self.url}/v1/health")  # type: ignore[no-any-return]
        except TimeoutError as exc:
            raise TimeoutError(f"{exc}\n{self.log()}") from None

    def stop(self) -> int | None:
        """SIGTERM and wait (SIGKILL after 15 s); the exit status."""
        if self.process is None or self.process.poll() is not None:
            return None if self.process is None else self.process.returncode
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            return self.kill()

    def kill(self) -> int:
        """SIGKILL now (no clean-up of any kind, like a power cut of the server process)."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        return self.process.wait(timeout=15)

    def restart(self, timeout: float = START_TIMEOUT) -> HeadOfficeServer:
        """Start again on the same port, database and key file."""
        if self.process is not None and self.process.poll() is None:
            self.stop()
        return self.start(timeout)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-6000:] if self.log_path.exists() else ""


def add_till(db_url: str, store_code: str, number: int) -> str:
    """`loyalty-headoffice add-till` (in this process); the registration code it printed."""
    from loyalty_pos.headoffice.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["add-till", "--db", db_url, "--store", store_code,
                       "--number", str(number)])
    found = CODE_PATTERN.search(out.getvalue())
    assert status == 0 and found, (f"add-till failed ({status}):\n{out.getvalue()}\n"
                                   f"{err.getvalue()}")
    return found.group(0)


def copy_till_database(template: Path, path: Path, number: int, store_code: str) -> Path:
    """A copy of a till database file made into till `number` of store `store_code`."""
    shutil.copy(template, path)
    connection = sqlite3.connect(path)
    with connection:
        connection.execute("UPDATE tills SET number = ? WHERE id = "
                           "(SELECT CAST(value AS INTEGER) FROM settings "
                           "WHERE key = 'this_till_id')", (number,))
        connection.execute("UPDATE stores SET code = ? WHERE id = "
                           "(SELECT store_id FROM tills WHERE number = ?)", (store_code, number))
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return path
