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
import itertools
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from headoffice_helpers import renumber_till
from sqlalchemy import func, select

from loyalty_pos.db.engine import Database
from loyalty_pos.headoffice.db import HeadOfficeDb
from loyalty_pos.headoffice.models import HOChainHead, HOGap, HOLedgerEntry, HOMessage, HOTill
from loyalty_pos.services.checkout import PaymentRequest, SaleRequest
from loyalty_pos.services.members import Enrolment, current_agreement
from loyalty_pos.services.refunds import RefundRequest
from loyalty_pos.services.till import TillServices
from loyalty_pos.services.views import MemberDetails, MemberSummary, RefundResult, SaleResult

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
        renumber_till(connection, number, store_code)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return path


# -- the tills of a small chain ------------------------------------------------------------------


@dataclass
class ChainTill:
    """A till database of the chain (a copy of the session's till template with its own number
    and store), open with the till's own services, as the till program runs them."""
    path: Path
    number: int
    store_code: str
    cashier_id: int
    services: TillServices
    phones: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @classmethod
    def create(cls, template: Path, folder: Path, number: int, store_code: str,
               cashier_id: int) -> ChainTill:
        path = copy_till_database(template, folder / f"till{number}.sqlite", number, store_code)
        return cls(path, number, store_code, cashier_id, TillServices.open(path))

    @property
    def db(self) -> Database:
        return self.services.ctx.db

    def close(self) -> None:
        self.services.finder.connection.close()
        self.db.close()

    def enrol(self, name: str) -> MemberDetails:
        with self.db.sessions() as session:
            agreement = current_agreement(session, "member_agreement").sha256
            privacy = current_agreement(session, "privacy").sha256
        phone = f"139{self.number:04d}{next(self.phones):04d}"
        return self.services.members.enrol(Enrolment(
            name=name, phone=phone, email=None, birthday=None, staff_id=self.cashier_id,
            accepted_agreement_sha256=agreement, accepted_privacy_sha256=privacy))

    def sell(self, items: list[tuple[str, int]], member_id: int | None, *, points: int = 0,
             stored_value: int = 0) -> SaleResult:
        """A sale: `points` redeemed, `stored_value` paid from the member's balance, the rest
        in cash."""
        due = self.services.checkout.quote(items, member_id, points).due_after_points
        payments = [PaymentRequest("stored_value", stored_value)] if stored_value else []
        if due - stored_value:
            payments.append(PaymentRequest("cash", due - stored_value))
        return self.services.checkout.complete_sale(SaleRequest(
            str(uuid.uuid4()), self.cashier_id, items, member_id, points, payments))

    def refund(self, sale_id: str) -> RefundResult:
        return self.services.refunds.refund(RefundRequest(str(uuid.uuid4()), sale_id,
                                                          self.cashier_id))

    def top_up(self, member_id: int, amount: int) -> None:
        self.services.balances.top_up(member_id, amount, "cash", self.cashier_id)

    def member(self, member_id: int) -> MemberSummary:
        return self.services.finder.by_card(
            self.services.finder.connection.execute(
                "SELECT number FROM cards WHERE member_id = ? AND status = 'active'",
                (member_id,)).fetchone()[0], self.services.ctx.today())


def till_entry_keys(path: Path, number: int) -> set[tuple[int, int, str]]:
    """(till number, seq, hash) of every ledger entry in a till database file."""
    with contextlib.closing(sqlite3.connect(path)) as connection:
        return {(number, seq, digest) for seq, digest in
                connection.execute("SELECT seq, hash FROM ledger_entries")}


def till_own_totals(path: Path) -> Counter[tuple[str, str]]:
    """Sum of a till's own entries (remote_sync left out) by (member uuid, ledger)."""
    with contextlib.closing(sqlite3.connect(path)) as connection:
        rows = connection.execute(
            "SELECT member_uuid, ledger, SUM(amount) FROM ledger_entries "
            "WHERE kind != 'remote_sync' GROUP BY member_uuid, ledger").fetchall()
    return Counter({(member, ledger): int(total) for member, ledger, total in rows})


def pending(path: Path) -> tuple[int, int]:
    """(ledger entries above sync.pushed_seq, unacknowledged outbox messages) of a till."""
    with contextlib.closing(sqlite3.connect(path)) as connection:
        pushed = connection.execute("SELECT value FROM settings WHERE key = 'sync.pushed_seq'"
                                    ).fetchone()
        entries = connection.execute("SELECT COUNT(*) FROM ledger_entries WHERE seq > ?",
                                     (int(pushed[0]) if pushed else 0,)).fetchone()[0]
        messages = connection.execute("SELECT COUNT(*) FROM outbox WHERE acked_at IS NULL"
                                      ).fetchone()[0]
    return int(entries), int(messages)


def till_message_keys(path: Path, number: int) -> set[tuple[int, int]]:
    """(till number, outbox id) of every outbox message of a till database file."""
    with contextlib.closing(sqlite3.connect(path)) as connection:
        return {(number, message_id) for (message_id,) in
                connection.execute("SELECT id FROM outbox")}


# -- what head office holds ----------------------------------------------------------------------


def headoffice_entry_keys(db: HeadOfficeDb) -> list[tuple[int, int, str]]:
    """(till number, seq, hash) of every entry head office holds (a list: repeats would show)."""
    e = HOLedgerEntry
    with db.sessions() as session:
        return [(int(n), int(s), str(h)) for n, s, h in session.execute(
            select(HOTill.number, e.seq, e.hash).join(HOTill, HOTill.id == e.till_id))]


def headoffice_chain_totals(db: HeadOfficeDb) -> Counter[tuple[str, str]]:
    """Chain-wide sums by (member uuid, ledger), remote_sync left out, zeros left out."""
    e = HOLedgerEntry
    with db.sessions() as session:
        rows = session.execute(select(e.member_uuid, e.ledger, func.sum(e.amount))
                               .where(e.kind != "remote_sync")
                               .group_by(e.member_uuid, e.ledger)).all()
    return Counter({(m, ledger): int(total) for m, ledger, total in rows if total})


def headoffice_message_keys(db: HeadOfficeDb) -> list[tuple[int, int]]:
    with db.sessions() as session:
        return [(int(n), int(i)) for n, i in session.execute(
            select(HOTill.number, HOMessage.message_id)
            .join(HOTill, HOTill.id == HOMessage.till_id))]


def open_gaps(db: HeadOfficeDb) -> list[tuple[int, int, int]]:
    with db.sessions() as session:
        return [(int(n), int(a), int(b)) for n, a, b in session.execute(
            select(HOTill.number, HOGap.from_seq, HOGap.to_seq)
            .join(HOTill, HOTill.id == HOGap.till_id).where(HOGap.resolved_at.is_(None)))]


def chain_heads(db: HeadOfficeDb) -> dict[int, int]:
    with db.sessions() as session:
        return {int(n): int(s) for n, s in session.execute(
            select(HOTill.number, HOChainHead.last_seq)
            .join(HOTill, HOTill.id == HOChainHead.till_id))}
