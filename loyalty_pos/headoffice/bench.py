"""`loyalty-headoffice bench --db URL --entries N`: ledger-file import rate beside raw COPY.

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

It prints the figures; it asserts nothing (the target, DESIGN.md: >= 150,000 entries/s from
file into PostgreSQL, is for a person to compare).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import secrets
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from sqlalchemy import URL, text

from ..core.chain import GENESIS_HASH
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


def run_bench(db_url: str | None, entries: int, out: TextIO | None = None) -> BenchResult:
    out = out or sys.stdout
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
