"""Sync through a hostile network and a crashing head office, and requests that were tampered
with: what head office holds must still be exactly what the tills wrote, each thing once.

- Three small tills trade and sync through the fault proxy (fault_proxy.py: dropped requests,
  lost responses after the server committed, concurrent duplicates, delays, stale copies
  overtaken by newer ones; every fault scripted once on each push, then a seeded schedule) to
  a real `loyalty-headoffice serve` subprocess, selling between rounds, until a round pushes
  and writes nothing: head office then holds the union of the tills' ledgers, each entry once,
  no gap open, every outbox message once, and the sums add up.
- A till with a backlog of ~23,000 demo entries pushes; the server is SIGKILLed while it
  imports the first 20,000-entry file (polled: its write transaction is open), started again on
  the same port, and the till drains through the hostile network: a whole file or none was
  kept, and then exactly the till's ledger. (A separate test: the small tills' pulls would
  otherwise each apply ~9,000 balances of the big till's members, seconds per till.)
- A captured signed request with another body (signature kept) is refused with 401; altered
  content for an entry or message head office already holds, signed properly with the till's
  key, is refused with 422 and nothing changes.
- A tampered ledger file given to `loyalty-headoffice import` is refused and nothing is written.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from fault_proxy import Fault, FaultProxy, RawRequest, SeededFaults, summary
from headoffice_helpers import held_entries, row_counts
from serve_helpers import (
    ChainTill,
    HeadOfficeServer,
    add_till,
    chain_heads,
    copy_till_database,
    headoffice_chain_totals,
    headoffice_entry_keys,
    headoffice_message_keys,
    open_gaps,
    pending,
    till_entry_keys,
    till_message_keys,
    till_own_totals,
    wait_until,
)
from sqlalchemy import text

from loyalty_pos.cli import main as till_cli
from loyalty_pos.core.chain import entry_hash
from loyalty_pos.core.signing import sign_request
from loyalty_pos.db.engine import Database
from loyalty_pos.headoffice.cli import main as headoffice_cli
from loyalty_pos.services.context import chain_secret
from loyalty_pos.services.demo import create_demo
from loyalty_pos.sync.cycle import register_till, sync_once
from loyalty_pos.sync.ledger_file import encode_line, sign
from loyalty_pos.sync.state import TILL_KEY_KEY, read_sync_settings

SMALL_TILLS = ((41, "S041"), (42, "S042"), (43, "S043"))
BIG_TILL = (44, "S044")
BIG_MEMBERS = 45_000          # ~22,000 ledger entries: a 20,000-entry file and a small one
FIRST_FILE = 20_000
MAX_ROUNDS = 40
SEED = 20261125


class FirstThenSeeded:
    """Every fault at least once on each push (and a lost answer of a pull) first, in this
    order; then a seeded random schedule on every request but the health check."""

    def __init__(self) -> None:
        self.scripts = {
            ("POST", "/v1/ledger"): [Fault.DROP_RESPONSE, Fault.DUPLICATE, Fault.REORDER,
                                     Fault.DROP, Fault.DELAY],
            ("POST", "/v1/records"): [Fault.DROP_RESPONSE, Fault.DUPLICATE, Fault.REORDER],
            ("GET", "/v1/changes"): [Fault.DROP_RESPONSE],
        }
        self.seeded = SeededFaults(SEED, rate=0.25,
                                   only=lambda request: request.path != "/v1/health")
        self.enabled = False

    def __call__(self, request: RawRequest) -> Fault:
        if not self.enabled:
            return Fault.PASS
        script = self.scripts.get((request.method, request.path))
        if script:
            return script.pop(0)
        return self.seeded(request)


@pytest.fixture(scope="session")
def big_till_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big-till") / "demo.sqlite"
    create_demo(path, members=BIG_MEMBERS, seed=5, progress=lambda _: None)
    return path


@pytest.fixture
def small_tills(till_template, tmp_path: Path) -> Iterator[list[ChainTill]]:  # type: ignore[no-untyped-def]
    tills = [ChainTill.create(till_template.path, tmp_path, number, code,
                              till_template.cashier_id) for number, code in SMALL_TILLS]
    yield tills
    for till in tills:
        till.close()


def trade(till: ChainTill, round_number: int) -> None:
    """A little business: a new member who tops up, buys earning points, redeems some, pays
    with stored value, and gets one sale refunded."""
    member = till.enrol(f"Member {round_number} of till {till.number}").summary.id
    till.top_up(member, 10_000)
    till.sell([("TV", 1)], member)
    redeemed = till.sell([("BREAD", 3)], member, points=200, stored_value=500)
    till.refund(redeemed.sale_id)


def writing_now(server: HeadOfficeServer) -> Callable[[], bool]:
    """True while a transaction of the server has written something (it is importing)."""
    assert server.db is not None
    if server.db.dialect == "postgresql":
        engine = server.db.engine

        def postgresql() -> bool:
            with engine.connect() as connection:
                return bool(connection.execute(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL")).scalar_one())
        return postgresql

    path = server.db.url.database
    assert path

    def sqlite() -> bool:  # the server holds the write lock
        with contextlib.closing(sqlite3.connect(path, timeout=0, isolation_level=None)) as probe:
            try:
                probe.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                return "locked" in str(exc)
            probe.execute("ROLLBACK")
            return False
    return sqlite


class KillMidImport(threading.Thread):
    """Waits until the big till's first ledger file has reached the server and the server is
    writing it, then SIGKILLs the server."""

    def __init__(self, server: HeadOfficeServer, proxy: FaultProxy, number: int) -> None:
        super().__init__(daemon=True)
        self.server, self.proxy, self.number = server, proxy, number
        self.writing = writing_now(server)
        self.killed_while_writing = False
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            wait_until(lambda: any(r.path == "/v1/ledger"
                                   and r.header("X-Loyalty-Till") == str(self.number)
                                   for r in list(self.proxy.captured)), 120,
                       "the big till's ledger push", interval=0.002)
            wait_until(self.writing, 60, "the server writing the import", interval=0.002)
            self.server.kill()
            self.killed_while_writing = True
        except BaseException as exc:  # handed to the test by join()
            self.error = exc

    def join(self, timeout: float | None = None) -> None:
        super().join(timeout)
        if self.error is not None:
            raise self.error


def ho_count(server: HeadOfficeServer, number: int) -> int:
    assert server.db is not None
    return sum(1 for n, _, _ in headoffice_entry_keys(server.db) if n == number)


Synced = tuple[Path, int, Database]  # a till's file, number and open database


def sync_until_settled(tills: list[Synced], proxy: FaultProxy,
                       trade_rounds: Callable[[int], object] = lambda _: None) -> int:
    """Rounds of sync_once at every till (after `trade_rounds(round)`) until a round that went
    through without an error pushed nothing and wrote nothing anywhere, with nothing pending:
    then every till pulled after every push. The number of that round."""
    for round_number in range(1, MAX_ROUNDS + 1):
        trade_rounds(round_number)
        before = [till_entry_keys(path, number) for path, number, _ in tills]
        reports = [sync_once(db) for _, _, db in tills]
        after = [till_entry_keys(path, number) for path, number, _ in tills]
        if (all(r.ok for r in reports) and before == after
                and not any(r.entries_pushed or r.messages_pushed for r in reports)
                and all(pending(path) == (0, 0) for path, _, _ in tills)):
            return round_number
    raise AssertionError(f"not settled after {MAX_ROUNDS} rounds; faults "
                         f"{summary(proxy.exchanges)}; pending "
                         f"{[pending(path) for path, _, _ in tills]}")


def check_headoffice_holds_the_union(server: HeadOfficeServer, tills: list[Synced]) -> None:
    """Exactly the tills' entries, each once, no gap, every outbox message once, and the
    chain-wide sums of the tills' own entries."""
    assert server.db is not None
    held = headoffice_entry_keys(server.db)
    assert len(held) == len(set(held)), "an entry is held twice"
    assert set(held) == set().union(*(till_entry_keys(path, n) for path, n, _ in tills))
    assert open_gaps(server.db) == []
    assert chain_heads(server.db) == {n: len(till_entry_keys(path, n)) for path, n, _ in tills}
    messages = headoffice_message_keys(server.db)
    assert len(messages) == len(set(messages)), "an outbox message is held twice"
    assert set(messages) == set().union(*(till_message_keys(path, n) for path, n, _ in tills))
    expected: dict[tuple[str, str], int] = {}
    for path, _, _ in tills:
        for key, amount in till_own_totals(path).items():
            expected[key] = expected.get(key, 0) + amount
    assert headoffice_chain_totals(server.db) == {k: v for k, v in expected.items() if v}
    for path, _, _ in tills:
        assert till_cli(["verify", "--db", str(path)]) == 0


def test_tills_trading_and_syncing_through_a_hostile_network(
        dialect: str, serve_headoffice, small_tills: list[ChainTill]  # type: ignore[no-untyped-def]
        ) -> None:
    server: HeadOfficeServer = serve_headoffice(dialect)
    schedule = FirstThenSeeded()
    with FaultProxy(server.port, schedule, delay=0.15) as proxy:
        for till in small_tills:  # through the proxy, its faults still off
            register_till(till.db, proxy.url, add_till(server.db_url, till.store_code,
                                                       till.number))
            assert till_cli(["sync", "--db", str(till.path)]) == 0
        schedule.enabled = True

        def trade_rounds(round_number: int) -> None:  # the tills keep selling meanwhile
            if round_number <= 3:
                for till in small_tills:
                    trade(till, round_number)

        tills = [(t.path, t.number, t.db) for t in small_tills]
        assert sync_until_settled(tills, proxy, trade_rounds) > 3
        proxy.release_held()  # stale copies still held arrive last: duplicates too
        proxy.wait_idle()

    # every fault happened, and lost answers hid work the server had done
    faults = summary(proxy.exchanges)
    assert set(faults) == {fault.value for fault in Fault}, faults
    lost = proxy.faults(Fault.DROP_RESPONSE)
    assert any(x.path == "/v1/ledger" and x.statuses == [200] for x in lost)
    assert any(x.path == "/v1/records" and x.statuses == [200] for x in lost)
    assert any(x.statuses == [200, 200] for x in proxy.faults(Fault.DUPLICATE, "/v1/ledger"))
    assert any(x.statuses == [200, 200] for x in proxy.faults(Fault.DUPLICATE, "/v1/records"))
    assert any(x.released_after is not None for x in proxy.faults(Fault.REORDER, "/v1/ledger"))
    check_headoffice_holds_the_union(server, tills)


def test_server_killed_mid_import_and_restarted(
        dialect: str, serve_headoffice, big_till_template: Path,  # type: ignore[no-untyped-def]
        tmp_path: Path) -> None:
    server: HeadOfficeServer = serve_headoffice(dialect)
    path = copy_till_database(big_till_template, tmp_path / "till44.sqlite", *BIG_TILL)
    db = Database.open(path)
    schedule = FirstThenSeeded()
    try:
        with FaultProxy(server.port, schedule, delay=0.15) as proxy:
            register_till(db, proxy.url, add_till(server.db_url, *BIG_TILL[::-1]))
            entries = len(till_entry_keys(path, BIG_TILL[0]))
            assert entries > FIRST_FILE

            # the server dies while it imports the till's first file of 20,000 entries
            killer = KillMidImport(server, proxy, BIG_TILL[0])
            killer.start()
            report = sync_once(db)
            killer.join(timeout=120)
            assert killer.killed_while_writing
            assert report.outcome == "unreachable", report.summary()
            assert pending(path)[0] == entries  # the till knows nothing was confirmed
            server.restart()
            assert ho_count(server, BIG_TILL[0]) in (0, FIRST_FILE)  # a whole file or none

            schedule.enabled = True  # and back through the hostile network
            sync_until_settled([(path, BIG_TILL[0], db)], proxy)
            proxy.release_held()
            proxy.wait_idle()
        check_headoffice_holds_the_union(server, [(path, BIG_TILL[0], db)])
        assert any(x.statuses == [200] for x in proxy.faults(Fault.DROP_RESPONSE,
                                                             "/v1/ledger"))
    finally:
        db.close()


# -- tampered requests and files -------------------------------------------------------------


def _ledger_lines(body: bytes) -> list[bytes]:
    return gzip.decompress(body).splitlines(keepends=True)


def rechained(body: bytes, secret: bytes, change: Callable[[dict[str, object]], None],
              at: int = 0) -> bytes:
    """The ledger file `body` with entry number `at` changed by `change`, the chain recomputed
    from there on, the header's last_hash set and the file signed again with the chain secret:
    a file that verifies on its own, as someone rewriting the till's history would make it."""
    lines = _ledger_lines(body)
    header = json.loads(lines[0])
    entries = [json.loads(line) for line in lines[1:-1]]
    change(entries[at])
    prev = str(header["prev_hash"])
    for entry in entries:
        entry["prev_hash"] = prev
        entry["hash"] = prev = entry_hash(prev, entry)
    header["last_hash"] = prev
    content = b"".join([encode_line(header), *(encode_line(e) for e in entries)])
    return gzip.compress(content + encode_line({"signature": sign(secret, content)}))


def signed(request: RawRequest, key: bytes, body: bytes) -> dict[str, str]:
    """The request's headers for `body`, signed now with the till's key."""
    now = int(time.time())
    headers = {k: v for k, v in request.headers if k.lower() not in (
        "content-length", "host", "x-loyalty-timestamp", "x-loyalty-signature")}
    headers["X-Loyalty-Timestamp"] = str(now)
    headers["X-Loyalty-Signature"] = sign_request(key, request.method, request.target, now, body)
    return headers


def replay(server: HeadOfficeServer, request: RawRequest, body: bytes,
           headers: dict[str, str] | None = None) -> httpx.Response:
    if headers is None:
        headers = {k: v for k, v in request.headers
                   if k.lower() not in ("content-length", "host")}
    return httpx.request(request.method, server.url + request.target, content=body,
                         headers=headers, timeout=30)


def test_altered_requests_are_refused_and_change_nothing(
        dialect: str, serve_headoffice, small_tills: list[ChainTill],  # type: ignore[no-untyped-def]
        tmp_path: Path) -> None:
    server: HeadOfficeServer = serve_headoffice(dialect)
    assert server.db is not None
    till = small_tills[0]
    with FaultProxy(server.port) as proxy:  # passes everything, keeps a copy
        register_till(till.db, server.url, add_till(server.db_url, till.store_code,
                                                    till.number))
        trade(till, 1)
        assert sync_once(till.db, server=proxy.url).ok
    ledger = next(r for r in proxy.captured if r.path == "/v1/ledger")
    records = next(r for r in proxy.captured if r.path == "/v1/records")
    with till.db.sessions() as session:
        key = bytes.fromhex(read_sync_settings(session)[TILL_KEY_KEY])
        secret = chain_secret(session)
    # replaying the request exactly as it was is harmless: everything in it is a duplicate
    answer = replay(server, ledger, ledger.body)
    assert answer.status_code == 200 and answer.json()["new"] == 0, answer.text
    entries_before, counts_before = held_entries(server.db), row_counts(server.db)

    # the same signature on another body: 401, whatever the body says
    more_points = rechained(ledger.body, secret, lambda e: e.update(amount=999_999))
    answer = replay(server, ledger, more_points)
    assert answer.status_code == 401, answer.text
    messages = json.loads(records.body)
    assert messages["messages"], "the records push carried the sale's messages"
    messages["messages"][0]["payload"] = {"forged": True}
    forged_records = json.dumps(messages).encode()
    answer = replay(server, records, forged_records)
    assert answer.status_code == 401, answer.text
    assert row_counts(server.db) == counts_before

    # properly signed with the till's key, but other content for keys head office holds: 422
    answer = replay(server, ledger, more_points, signed(ledger, key, more_points))
    assert answer.status_code == 422, answer.text
    answer = replay(server, records, forged_records, signed(records, key, forged_records))
    assert answer.status_code == 422, answer.text
    assert held_entries(server.db) == entries_before
    counts_after = row_counts(server.db)
    assert counts_after["sync_refusals"] == counts_before["sync_refusals"] + 2  # both logged
    assert {**counts_after, "sync_refusals": 0} == {**counts_before, "sync_refusals": 0}

    # a tampered ledger file through loyalty-headoffice import: refused, nothing written
    secret_file = tmp_path / "chain-secret.hex"
    secret_file.write_text(secret.hex())
    export = tmp_path / "till.jsonl.gz"
    assert till_cli(["export-ledger", "--db", str(till.path), "--out", str(export)]) == 0
    edited = tmp_path / "edited.jsonl.gz"   # one amount changed, nothing re-signed
    lines = _ledger_lines(export.read_bytes())
    entry = json.loads(lines[2])
    entry["amount"] = int(entry["amount"]) + 1000
    edited.write_bytes(gzip.compress(b"".join([*lines[:2], encode_line(entry), *lines[3:]])))
    rewritten = tmp_path / "rewritten.jsonl.gz"  # history rewritten and signed again
    rewritten.write_bytes(rechained(export.read_bytes(), secret,
                                    lambda e: e.update(amount=int(str(e["amount"])) + 1000),
                                    at=1))
    counts_before = row_counts(server.db)
    for spoiled in (edited, rewritten):
        assert headoffice_cli(["import", "--db", server.db_url, "--secret-file",
                               str(secret_file), str(spoiled)]) == 1
    assert row_counts(server.db) == counts_before
    assert held_entries(server.db) == entries_before
