"""`loyalty-headoffice bench --db URL --entries N`: ledger-file import rate beside raw COPY, and
draining a till's backlog of N entries over loopback HTTP.

What it does, on scratch space so that the database's own data is never touched (PostgreSQL: a
schema `ho_bench_<random>` created for the run and dropped after it, with the head-office
tables made by the real migrations; SQLite: a new file in a temporary folder):

1. writes a synthetic ledger file of N entries of one till (realistic fields, a valid hash
   chain, signed) with the real writer — not timed as part of the import;
2. imports it with `import_ledger_file` (signature pass, chain verification, staging,
   INSERT ... ON CONFLICT DO NOTHING, gaps, chain head: everything) -> entries/s;
3. imports the same file again (every entry a verified duplicate) -> entries/s;
4. PostgreSQL only, the raw baseline in the same run: the same rows, dumped with COPY TO,
   are COPYed back (psycopg copy, 1 MB blocks: no client work per row) into a scratch table
   without any index -> rows/s; and into one with the same primary key.

5. the sync drain: a till database with at least N unsent ledger entries (the demo chain store,
   made with the till's own bulk writer, so every chain is valid; not timed), registered with
   a real `loyalty-headoffice serve` subprocess on a free loopback port against scratch space
   of the same database (PostgreSQL: one more `ho_bench_*` schema per run; SQLite: a new
   file), then drained over HTTP: (a) the ledger push alone (push.push_ledger: files of
   20,000 entries, each verified and imported by the service before it answers) and (b), on
   a fresh copy of the till and fresh scratch space, the whole `sync_once` (ledger, records,
   pull). The server process is started before the clock starts and stopped after.

It prints the figures; it asserts nothing (the targets, DESIGN.md: >= 150,000 entries/s from
file into PostgreSQL, a 100,000-entry backlog drained over loopback HTTP in <= 5 s, are for a
person to compare).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import math
import os
import random
import re
import secrets
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from sqlalchemy import URL, text

from ..core.chain import GENESIS_HASH
from ..db.engine import Database
from ..sync.ledger_file import (
    LedgerFileWriter,
    LedgerHeader,
    canonical_text,
    encode_line,
    iso_utc,
)
from . import importer
from .db import HeadOfficeDb, database_url
from .importer import import_ledger_file

TARGET = 150_000
DRAIN_TARGET_ENTRIES, DRAIN_TARGET_SECONDS = 100_000, 5.0
DEMO_ENTRIES_PER_MEMBER = 0.45  # the demo writes ~0.48 ledger entries per member
SERVE_START_TIMEOUT = 60.0
BENCH_TILL_NUMBER = 999_001
COPY_BLOCK = 1 << 20


@dataclass
class BenchResult:
    entries: int
    file_bytes: int
    write_seconds: float
    import_seconds: float
    reimport_seconds: float
    on_conflict_seconds: float | None = None  # import with INSERT ... ON CONFLICT every batch
    copy_seconds: float | None = None        # raw COPY, scratch table without index
    copy_pk_seconds: float | None = None     # raw COPY, scratch table with the primary key
    drain: DrainResult | None = None         # the sync drain over loopback HTTP

    @staticmethod
    def rate(count: int, seconds: float | None) -> str:
        return "n/a" if not seconds else f"{count / seconds:>12,.0f}/s"

    def lines(self, dialect: str) -> list[str]:
        n = self.entries
        rows = [
            f"ledger file: {n:,} entries, {self.file_bytes / 1e6:,.1f} MB gzip, written in "
            f"{self.write_seconds:.1f} s",
            f"{'import from file into ' + dialect + ' (as shipped)':<66}"
            f"{self.import_seconds:7.2f} s {self.rate(n, self.import_seconds)}",
        ]
        if self.on_conflict_seconds is not None:
            rows.append(f"{'import, every batch by INSERT ... ON CONFLICT DO NOTHING':<66}"
                        f"{self.on_conflict_seconds:7.2f} s "
                        f"{self.rate(n, self.on_conflict_seconds)}")
        rows.append(f"{'same file again (every entry a verified duplicate)':<66}"
                    f"{self.reimport_seconds:7.2f} s {self.rate(n, self.reimport_seconds)}")
        if self.copy_seconds is not None:
            rows += [
                f"{'raw COPY of the same rows, scratch table without index':<66}"
                f"{self.copy_seconds:7.2f} s {self.rate(n, self.copy_seconds)}",
                f"{'raw COPY of the same rows, scratch table with the primary key':<66}"
                f"{self.copy_pk_seconds or 0:7.2f} s {self.rate(n, self.copy_pk_seconds)}",
                f"import as shipped / raw COPY without index: "
                f"{self.copy_seconds / self.import_seconds:.0%}",
            ]
        rows.append(f"target: >= {TARGET:,} entries/s from file into PostgreSQL "
                    f"({'met' if n / self.import_seconds >= TARGET else 'NOT met'} here)")
        if self.drain is not None:
            rows += self.drain.lines(dialect)
        return rows


@dataclass
class DrainResult:
    """Draining a till's backlog of unsent entries over loopback HTTP (module docstring, 5)."""
    entries: int                 # unsent ledger entries at the till
    make_seconds: float          # making the till database (demo data; not part of a figure)
    ledger_seconds: float        # push.push_ledger alone
    sync_seconds: float          # the whole sync_once, on a fresh copy and fresh head office
    ledger_files: int = 0        # POST /v1/ledger requests of the ledger push
    export_seconds: float = 0.0  # the till alone writing the same files (no HTTP, no import)
    sync_summary: str = ""
    notes: list[str] = field(default_factory=list)

    def lines(self, dialect: str) -> list[str]:
        n, rate = self.entries, BenchResult.rate
        rows = [
            f"sync drain: a till with {n:,} unsent ledger entries (demo data, made in "
            f"{self.make_seconds:.1f} s), loyalty-headoffice serve on loopback HTTP into "
            f"{dialect}",
            f"{f'ledger push over HTTP ({self.ledger_files} signed file(s), each imported)':<66}"
            f"{self.ledger_seconds:7.2f} s {rate(n, self.ledger_seconds)}",
            f"{'whole sync_once: ledger, records, pull (fresh copies)':<66}"
            f"{self.sync_seconds:7.2f} s {rate(n, self.sync_seconds)}",
            f"{'  of which the till alone writes the files (export_ledger)':<66}"
            f"{self.export_seconds:7.2f} s {rate(n, self.export_seconds)}",
        ]
        if n != DRAIN_TARGET_ENTRIES:
            per = self.sync_seconds * DRAIN_TARGET_ENTRIES / n
            rows.append(f"  whole sync_once per {DRAIN_TARGET_ENTRIES:,} entries at this rate: "
                        f"{per:.2f} s")
        rows += [f"  {note}" for note in self.notes]
        if n >= DRAIN_TARGET_ENTRIES:
            verdict = "met" if self.sync_seconds <= DRAIN_TARGET_SECONDS else "NOT met"
            verdict += " here"
        else:
            verdict = f"compare with --entries {DRAIN_TARGET_ENTRIES}"
        rows.append(f"target: drain a {DRAIN_TARGET_ENTRIES:,}-entry backlog over loopback HTTP "
                    f"in <= {DRAIN_TARGET_SECONDS:g} s ({verdict})")
        return rows


def synthetic_entries(count: int, seed: int = 1) -> Iterator[dict[str, object]]:
    """`count` chained entries of till 1 / store 1 with the mix of a busy till."""
    rng = random.Random(seed)
    members = [_uuid(rng) for _ in range(min(10_000, max(count // 20, 1)))]
    prev = GENESIS_HASH
    moment = 1_767_225_600  # 2026-01-01
    for seq in range(1, count + 1):
        moment += rng.randint(1, 20)
        roll = rng.random()
        sale = _uuid(rng)
        if roll < 0.55:
            ledger, kind, amount, expires = "points", "earn", rng.randint(1, 900), "2027-06-30"
        elif roll < 0.75:
            ledger, kind, amount, expires = "points", "redeem", -rng.randint(100, 5000), None
        elif roll < 0.85:
            ledger, kind, amount, expires = "stored_value", "top_up", 10_000, None
            sale = None
        else:
            ledger, kind, amount, expires = "stored_value", "pay", -rng.randint(100, 9000), None
        entry: dict[str, object] = {
            "id": _uuid(rng), "store_id": 1, "till_id": 1, "seq": seq,
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(moment))
            + f".{rng.randint(0, 999_999):06d}Z",
            "ledger": ledger, "kind": kind, "member_id": rng.choice(members), "amount": amount,
            "sale_id": sale, "refund_id": None, "staff_id": rng.randint(1, 6),
            "reason": "card:T85167417" if kind == "top_up" else None, "expires_on": expires,
            "ref_entry_id": None, "prev_hash": prev}
        prev = hashlib.sha256((prev + canonical_text(entry)).encode()).hexdigest()
        entry["hash"] = prev
        yield entry


def _uuid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def write_synthetic_file(path: Path, count: int, secret: bytes) -> int:
    """Write a signed ledger file of `count` synthetic entries; return its size in bytes."""
    # the header needs the last hash: the entries go to a scratch file first
    scratch = path.with_name(path.name + ".entries")
    last = GENESIS_HASH
    try:
        with open(scratch, "wb") as sink:
            for entry in synthetic_entries(count):
                sink.write(encode_line(entry))
                last = str(entry["hash"])
        header = LedgerHeader(1, "BENCH", 1, BENCH_TILL_NUMBER, 1, count, count, GENESIS_HASH,
                              last, iso_utc(datetime(2026, 1, 1, tzinfo=UTC)))
        with LedgerFileWriter(path, header, secret) as writer, open(scratch, "rb") as source:
            for line in source:
                writer.write_entry(json.loads(line))
    finally:
        scratch.unlink(missing_ok=True)
    return path.stat().st_size


def run_bench(db_url: str | None, entries: int, out: TextIO | None = None,
              drain_entries: int | None = None) -> BenchResult:
    """Both benchmarks; `drain_entries` (default: `entries`) sizes the sync drain, 0 skips it."""
    out = out or sys.stdout
    drain_entries = entries if drain_entries is None else drain_entries
    url = database_url(db_url)
    secret = secrets.token_bytes(32)
    with tempfile.TemporaryDirectory(prefix="ho-bench-") as folder:
        work = Path(folder)
        ledger = work / "bench-ledger.jsonl.gz"
        print(f"writing a synthetic ledger file of {entries:,} entries ...", file=out, flush=True)
        started = time.perf_counter()
        size = write_synthetic_file(ledger, entries, secret)
        written = time.perf_counter() - started
        if url.get_backend_name() == "postgresql":
            result = _bench_postgresql(url, ledger, secret, entries, out)
        else:
            result = _bench_import(work / "bench-headoffice.sqlite", ledger, secret, entries,
                                   out)
        result.file_bytes, result.write_seconds = size, written
        if drain_entries > 0:
            result.drain = run_drain_bench(url, drain_entries, work, out)
    for line in result.lines(url.get_backend_name()):
        print(line, file=out)
    return result


def _bench_import(target: str | Path | URL, ledger: Path, secret: bytes, entries: int,
                  out: TextIO) -> BenchResult:
    db = HeadOfficeDb.open(target)
    try:
        print("importing ...", file=out, flush=True)
        started = time.perf_counter()
        first = import_ledger_file(db, ledger, secret)
        imported = time.perf_counter() - started
        assert first.new == entries, first.summary()
        print("importing the same file again ...", file=out, flush=True)
        started = time.perf_counter()
        again = import_ledger_file(db, ledger, secret)
        reimported = time.perf_counter() - started
        assert again.new == 0 and again.duplicate == entries, again.summary()
        return BenchResult(entries, 0, 0.0, imported, reimported)
    finally:
        db.close()


def _bench_postgresql(url: URL, ledger: Path, secret: bytes, entries: int, out: TextIO
                      ) -> BenchResult:
    admin = HeadOfficeDb.open(url, upgrade=False)
    schemas = [f"ho_bench_{os.getpid()}_{secrets.token_hex(3)}" for _ in range(2)]
    try:
        scoped = []
        for schema in schemas:
            with admin.engine.begin() as connection:
                connection.execute(text(f'CREATE SCHEMA "{schema}"'))
            scoped.append(url.update_query_dict({"options": f"-csearch_path={schema}"}))
        result = _bench_import(scoped[0], ledger, secret, entries, out)
        print("importing with INSERT ... ON CONFLICT for every batch ...", file=out, flush=True)
        result.on_conflict_seconds = _timed_import_on_conflict(scoped[1], ledger, secret)
        print("raw COPY of the same rows ...", file=out, flush=True)
        result.copy_seconds, result.copy_pk_seconds = _raw_copy(scoped[0], ledger.parent)
        return result
    finally:
        with admin.engine.begin() as connection:
            for schema in schemas:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.close()


def _timed_import_on_conflict(target: URL, ledger: Path, secret: bytes) -> float:
    db = HeadOfficeDb.open(target)
    saved = importer.COPY_NEW_BATCHES
    importer.COPY_NEW_BATCHES = False
    try:
        started = time.perf_counter()
        import_ledger_file(db, ledger, secret)
        return time.perf_counter() - started
    finally:
        importer.COPY_NEW_BATCHES = saved
        db.close()


def _raw_copy(url: URL, folder: Path) -> tuple[float, float]:
    """Dump the imported rows with COPY TO (untimed), then time COPY FROM of those bytes into
    a scratch table without index, and into one with the same primary key."""
    dump = folder / "rows.copy"
    db = HeadOfficeDb.open(url, upgrade=False)
    try:
        raw = db.engine.raw_connection()
        try:
            connection = raw.driver_connection
            with connection.cursor() as cursor, open(dump, "wb") as sink:
                with cursor.copy("COPY ho_ledger_entries TO STDOUT") as copy:
                    for block in copy:
                        sink.write(block)
                cursor.execute("CREATE TABLE bench_copy_plain (LIKE ho_ledger_entries)")
                cursor.execute("CREATE TABLE bench_copy_pk (LIKE ho_ledger_entries "
                               "INCLUDING INDEXES)")
            connection.commit()
            timings = []
            for table in ("bench_copy_plain", "bench_copy_pk"):
                started = time.perf_counter()
                with (connection.cursor() as cursor, open(dump, "rb") as source,
                      cursor.copy(f"COPY {table} FROM STDIN") as copy):
                    while block := source.read(COPY_BLOCK):
                        copy.write(block)
                connection.commit()
                timings.append(time.perf_counter() - started)
            return timings[0], timings[1]
        finally:
            raw.close()
    finally:
        db.close()


# -- the sync drain over loopback HTTP -----------------------------------------------------------


def run_drain_bench(url: URL, entries: int, work: Path, out: TextIO) -> DrainResult:
    """See the module docstring (5). `work` is a scratch folder."""
    from ..sync.cycle import register_till, sync_once
    from ..sync.push import LEDGER_BATCH

    print(f"making a till with at least {entries:,} unsent ledger entries (demo data) ...",
          file=out, flush=True)
    started = time.perf_counter()
    template = work / "drain-till.sqlite"
    count = make_backlog_till(template, entries)
    made = time.perf_counter() - started
    timings: list[float] = []
    summaries: list[str] = []
    for run in ("ledger", "sync"):
        till_path = work / f"drain-till-{run}.sqlite"
        _copy_sqlite(template, till_path)
        with _scratch_database(url, work / f"drain-headoffice-{run}.sqlite") as target, \
                _serving(target, work / f"drain-serve-{run}") as base:
            number, store = _till_identity(till_path)
            code = add_till_code(target, store, number)
            db = Database.open(till_path)
            try:
                register_till(db, base, code, queue_old_history=False)
                print(f"draining over HTTP ({'ledger push' if run == 'ledger' else 'sync_once'})"
                      " ...", file=out, flush=True)
                if run == "ledger":
                    seconds, pushed = _timed_ledger_push(db, base, number)
                    if pushed != count:
                        raise RuntimeError(f"the ledger push sent {pushed} of {count} entries")
                else:
                    started = time.perf_counter()
                    report = sync_once(db, server=base)
                    seconds = time.perf_counter() - started
                    if not report.ok or report.pending_entries:
                        raise RuntimeError(f"the sync did not drain: {report.summary()}")
                    summaries.append(report.summary())
            finally:
                db.close()
            held = _held_entries(target)
            if held != count:
                raise RuntimeError(f"head office holds {held} of the till's {count} entries")
            timings.append(seconds)
    return DrainResult(count, made, timings[0], timings[1],
                       ledger_files=math.ceil(count / LEDGER_BATCH),
                       export_seconds=_timed_export(template, count, LEDGER_BATCH, work),
                       sync_summary=summaries[0], notes=[f"sync_once: {summaries[0]}"])


def make_backlog_till(path: Path, entries: int) -> int:
    """A demo till database with at least `entries` ledger entries, none sent; their count."""
    from ..services.demo import create_demo

    members = max(50, math.ceil(entries / DEMO_ENTRIES_PER_MEMBER))
    while True:
        for name in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            name.unlink(missing_ok=True)
        create_demo(path, members=members, seed=11, progress=lambda _: None)
        with contextlib.closing(sqlite3.connect(path)) as connection:
            count = int(connection.execute("SELECT COUNT(*) FROM ledger_entries").fetchone()[0])
        if count >= entries:
            return count
        members = math.ceil(members * entries / max(count, 1) * 1.05)


def _copy_sqlite(source: Path, target: Path) -> None:
    with contextlib.closing(sqlite3.connect(source)) as src, \
            contextlib.closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def _till_identity(path: Path) -> tuple[int, str]:
    with contextlib.closing(sqlite3.connect(path)) as connection:
        number, store = connection.execute(
            "SELECT t.number, s.code FROM tills t JOIN stores s ON s.id = t.store_id "
            "WHERE t.id = (SELECT CAST(value AS INTEGER) FROM settings "
            "WHERE key = 'this_till_id')").fetchone()
        return int(number), str(store)


@contextmanager
def _scratch_database(url: URL, sqlite_path: Path) -> Iterator[URL]:
    """PostgreSQL: a new `ho_bench_*` schema of `url` (dropped after); SQLite: a new file."""
    if url.get_backend_name() != "postgresql":
        yield database_url(sqlite_path)
        return
    admin = HeadOfficeDb.open(url, upgrade=False)
    schema = f"ho_bench_{os.getpid()}_{secrets.token_hex(3)}"
    try:
        with admin.engine.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        scoped = url.update_query_dict({"options": f"-csearch_path={schema}"})
        HeadOfficeDb.open(scoped).close()  # migrated before the server starts
        yield scoped
    finally:
        with admin.engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.close()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _serving(url: URL, folder: Path) -> Iterator[str]:
    """`loyalty-headoffice serve` in a subprocess on a free loopback port; its base URL once
    /v1/health answers. Terminated on the way out."""
    import httpx

    folder.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    command = [sys.executable, "-m", "loyalty_pos.headoffice.cli", "serve", "--db",
               url.render_as_string(hide_password=False), "--host", "127.0.0.1", "--port",
               str(port), "--key-file", str(folder / "headoffice.key")]
    base = f"http://127.0.0.1:{port}"
    log_path = folder / "serve.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + SERVE_START_TIMEOUT
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"loyalty-headoffice serve exited ({process.returncode}):\n"
                                   + log_path.read_text(errors="replace")[-3000:])
            try:
                if httpx.get(base + "/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("loyalty-headoffice serve did not answer /v1/health:\n"
                                   + log_path.read_text(errors="replace")[-3000:])
            time.sleep(0.05)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


CODE_PATTERN = re.compile(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}\b")


def add_till_code(url: URL, store_code: str, number: int) -> str:
    """`loyalty-headoffice add-till`, run in this process; the registration code it printed."""
    from .cli import main

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        status = main(["add-till", "--db", url.render_as_string(hide_password=False),
                       "--store", store_code, "--number", str(number)])
    found = CODE_PATTERN.search(printed.getvalue())
    if status != 0 or found is None:
        raise RuntimeError(f"add-till failed ({status}): {printed.getvalue()}")
    return found.group(0)


def _timed_ledger_push(db: Database, base: str, number: int) -> tuple[float, int]:
    from ..sync.client import SyncClient
    from ..sync.push import push_ledger
    from ..sync.state import TILL_KEY_KEY, read_sync_settings

    with db.sessions() as session:
        key = read_sync_settings(session)[TILL_KEY_KEY]
    with SyncClient(base, number, key) as client:
        started = time.perf_counter()
        pushed = push_ledger(db, client, lambda: datetime.now(UTC))
        return time.perf_counter() - started, pushed.entries_pushed


def _timed_export(till: Path, count: int, batch: int, work: Path) -> float:
    """The till's share of a push: its entries written as signed files of `batch` entries."""
    from ..sync.ledger_file import export_ledger

    secret = secrets.token_bytes(32)
    out = work / "drain-export.jsonl.gz"
    started = time.perf_counter()
    for since in range(0, count, batch):
        export_ledger(till, out, secret, since=since, until=min(since + batch, count))
    seconds = time.perf_counter() - started
    out.unlink(missing_ok=True)
    return seconds


def _held_entries(url: URL) -> int:
    db = HeadOfficeDb.open(url, upgrade=False)
    try:
        with db.engine.connect() as connection:
            return int(connection.execute(text("SELECT COUNT(*) FROM ho_ledger_entries"))
                       .scalar_one())
    finally:
        db.close()
