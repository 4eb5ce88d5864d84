"""`loyalty-pos bench`: this till's hot paths, each beside raw sqlite3 measured in the same run.

Figures (microseconds, p50 and p99 over random real data of the given database):
- member lookup by card number: MemberFinder.by_card beside a raw indexed SELECT;
- member search by phone prefix (7 digits) and by name substring (3 characters of a real name):
  MemberFinder.search beside the raw SQL it stands for, and for names beside naive LIKE '%x%';
- durable checkout commit of a typical sale: CheckoutService.complete_sale beside the smallest
  WAL + synchronous=FULL commit there is. This part runs on a copy of the database (sqlite3
  backup API) next to the original, deleted afterwards: a shop's real database never gets
  benchmark sales;
- the disk's fsync rate in the database's folder (what every durable commit waits for).

The targets are DESIGN.md's "Numbers we hold ourselves to". Nothing here asserts a time: the
bench measures and prints, so a slow machine is a finding, not a failure.
"""

from __future__ import annotations

import json
import math
import os
import random
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .core.errors import NotFound
from .db.engine import Database
from .services.checkout import CheckoutService, PaymentRequest, SaleRequest
from .services.context import CHAIN_SECRET_KEY, TillContext
from .services.lookup import SEARCH_LIMIT, MemberFinder

WARMUP = 50                  # first lookups of each kind, not counted (cold caches)
LIKE_SAMPLES = 20            # naive LIKE '%x%' scans the whole table: a few are enough
CHECKOUT_SAMPLES = 500       # each one is a real fsync'ed commit
FSYNC_SECONDS = 1.0
PHONE_PREFIX = 7
NAME_PART = 3

# figure -> (what, statistic the target is on, target in µs)
TARGETS = {
    "card_lookup": ("member lookup by card number", "p99", 100),
    "phone_search": (f"member search by phone prefix ({PHONE_PREFIX} digits)", "p99", 2_000),
    "name_search": (f"member search by name substring ({NAME_PART} chars)", "p99", 2_000),
    "checkout": ("durable checkout commit of a typical sale", "p50", 2_000),
}
FIGURE_KEYS = (
    "card_lookup_p50_us", "card_lookup_p99_us", "card_lookup_raw_p50_us",
    "card_lookup_raw_p99_us",
    "phone_search_p50_us", "phone_search_p99_us", "phone_search_raw_p50_us",
    "phone_search_raw_p99_us",
    "name_search_p50_us", "name_search_p99_us", "name_search_raw_fts_p50_us",
    "name_search_raw_fts_p99_us", "name_search_like_p50_us", "name_search_like_p99_us",
    "checkout_p50_us", "checkout_p99_us", "raw_commit_p50_us", "raw_commit_p99_us",
    "fsync_per_s",
)

_RAW_MEMBER_SQL = ("SELECT id, uuid, name, phone, tier_code, points_balance, "
                   "stored_value_balance, status FROM members")
_RAW_CARD_SQL = "SELECT member_id FROM cards WHERE number = ?"
_RAW_PHONE_SQL = f"{_RAW_MEMBER_SQL} WHERE phone >= ? AND phone < ? ORDER BY phone LIMIT ?"
_RAW_FTS_SQL = (f"{_RAW_MEMBER_SQL} WHERE id IN (SELECT rowid FROM member_search "
                "WHERE member_search MATCH ? LIMIT ?)")
_RAW_LIKE_SQL = f"{_RAW_MEMBER_SQL} WHERE name LIKE ? LIMIT ?"


def run_bench(path: str | Path, samples: int = 2000, as_json: bool = False,
              till: dict[str, dict[str, float]] | None = None) -> int:
    """Measure, then print a table (or one JSON object). Returns the exit code.

    `till` holds the till window's own figures (scan to member shown, cold start), measured by
    `python -m loyalty_pos.ui.bench_ui` in a process of its own; they are printed alongside."""
    path = Path(path)
    samples = max(10, int(samples))
    rng = random.Random(samples)
    figures: dict[str, float] = {}
    members = _measure_lookups(path, samples, rng, figures)
    _measure_checkout(path, min(samples, CHECKOUT_SAMPLES), rng, figures)
    figures["fsync_per_s"] = fsync_rate(path.parent)
    if as_json:
        print(json.dumps({"database": str(path), "members": members, "samples": samples,
                          **figures, **({"till": till} if till else {})}, indent=2))
    else:
        print(report_table(path, members, samples, figures))
        if till:
            print(till_table(till))
    return 0


def _progress(message: str) -> None:
    """To stderr, so that --json keeps stdout to the one JSON object."""
    print(message, file=sys.stderr, flush=True)


# -- statistics ---------------------------------------------------------------------------------

def percentile(values_ns: list[int], fraction: float) -> float:
    """Nearest-rank percentile, in microseconds."""
    ordered = sorted(values_ns)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return round(ordered[rank - 1] / 1000, 1)


def _record(figures: dict[str, float], name: str, values_ns: list[int]) -> None:
    """p50 and p99 of a figure; none when the database gave nothing to measure it on."""
    if values_ns:
        figures[f"{name}_p50_us"] = percentile(values_ns, 0.50)
        figures[f"{name}_p99_us"] = percentile(values_ns, 0.99)


def timed_pairs(inputs: list[object], ours: Callable[[object], object],
                raw: Callable[[object], object]) -> tuple[list[int], list[int]]:
    """Time ours and raw on the same inputs, alternating which goes first (shared caches)."""
    for item in inputs[:WARMUP]:
        ours(item)
        raw(item)
    ours_ns: list[int] = []
    raw_ns: list[int] = []
    clock = time.perf_counter_ns
    pairs = ((ours, ours_ns), (raw, raw_ns))
    for i, item in enumerate(inputs):
        for action, out in pairs if i % 2 else pairs[::-1]:
            started = clock()
            action(item)
            out.append(clock() - started)
    return ours_ns, raw_ns


def _timed(inputs: list[object], action: Callable[[object], object]) -> list[int]:
    out: list[int] = []
    for item in inputs:
        started = time.perf_counter_ns()
        action(item)
        out.append(time.perf_counter_ns() - started)
    return out


# -- lookups and searches -------------------------------------------------------------------------

def _measure_lookups(path: Path, samples: int, rng: random.Random,
                     figures: dict[str, float]) -> int:
    db = Database.open(path, upgrade=False)
    try:
        with closing(db.raw_connection()) as raw, closing(db.raw_connection()) as own:
            members = raw.execute("SELECT COUNT(*) FROM members").fetchone()[0]
            if not members:
                raise NotFound(f"{path} has no members: create one with `loyalty-pos demo`")
            finder = MemberFinder(own, _chain_secret(raw))
            today = datetime.now(UTC).date()
            _progress(f"lookups: {samples:,} random cards, phones and names of "
                      f"{members:,} members")
            _measure_cards(raw, finder, today, _sample_cards(raw, rng, samples), figures)
            _measure_phones(raw, finder, today, _sample_phones(raw, rng, samples), figures)
            _measure_names(raw, finder, today, _sample_names(raw, rng, samples), figures)
            return int(members)
    finally:
        db.close()


def _chain_secret(connection: sqlite3.Connection) -> bytes:
    row = connection.execute("SELECT value FROM settings WHERE key = ?",
                             (CHAIN_SECRET_KEY,)).fetchone()
    return bytes.fromhex(row[0]) if row else b""


def _random_rows(connection: sqlite3.Connection, table: str, columns: str, where: str,
                 rng: random.Random, count: int) -> list[tuple[object, ...]]:
    """Up to `count` rows picked at random by id (no ORDER BY random() over a million rows)."""
    top = connection.execute(f"SELECT MAX(id) FROM {table}").fetchone()[0] or 0
    if not top:
        return []
    rows: list[tuple[object, ...]] = []
    for _ in range(4):  # ids can have gaps and rows can fail `where`: draw again
        ids = [rng.randint(1, top) for _ in range(count - len(rows))]
        marks = ", ".join("?" for _ in ids)
        rows += connection.execute(
            f"SELECT {columns} FROM {table} WHERE id IN ({marks}) AND {where}", ids).fetchall()
        if len(rows) >= count:
            break
    rng.shuffle(rows)
    return rows[:count]


def _sample_cards(connection: sqlite3.Connection, rng: random.Random, count: int) -> list[str]:
    return [r[0] for r in _random_rows(connection, "cards", "number", "1", rng, count)]


def _sample_phones(connection: sqlite3.Connection, rng: random.Random, count: int
                   ) -> list[str]:
    rows = _random_rows(connection, "members", "phone", "phone IS NOT NULL", rng, count)
    return [str(r[0])[:PHONE_PREFIX] for r in rows]


def _sample_names(connection: sqlite3.Connection, rng: random.Random, count: int) -> list[str]:
    """Three consecutive characters of real names (the shortest query the FTS index serves)."""
    rows = _random_rows(connection, "members", "name", f"length(name) >= {NAME_PART}", rng,
                        count)
    parts = []
    for (name,) in rows:
        start = rng.randrange(len(name) - NAME_PART + 1)
        part = str(name)[start:start + NAME_PART]
        if part.strip() == part:  # the finder trims spaces; keep the query what we time
            parts.append(part)
    return parts


def _measure_cards(raw: sqlite3.Connection, finder: MemberFinder, today: object,
                   cards: list[str], figures: dict[str, float]) -> None:
    def by_raw(number: object) -> object:
        member_id = raw.execute(_RAW_CARD_SQL, (number,)).fetchone()[0]
        return raw.execute(f"{_RAW_MEMBER_SQL} WHERE id = ?", (member_id,)).fetchone()

    ours, base = timed_pairs(list(cards), lambda n: finder.by_card(str(n), today), by_raw)
    _record(figures, "card_lookup", ours)
    _record(figures, "card_lookup_raw", base)


def _measure_phones(raw: sqlite3.Connection, finder: MemberFinder, today: object,
                    prefixes: list[str], figures: dict[str, float]) -> None:
    def by_raw(prefix: object) -> object:
        return raw.execute(_RAW_PHONE_SQL, (prefix, f"{prefix}:", SEARCH_LIMIT)).fetchall()

    ours, base = timed_pairs(list(prefixes), lambda p: finder.search(str(p), today), by_raw)
    _record(figures, "phone_search", ours)
    _record(figures, "phone_search_raw", base)


def _measure_names(raw: sqlite3.Connection, finder: MemberFinder, today: object,
                   parts: list[str], figures: dict[str, float]) -> None:
    def by_fts(part: object) -> object:
        phrase = '"' + str(part).replace('"', '""') + '"'
        return raw.execute(_RAW_FTS_SQL, (phrase, SEARCH_LIMIT)).fetchall()

    def by_like(part: object) -> object:
        return raw.execute(_RAW_LIKE_SQL, (f"%{part}%", SEARCH_LIMIT)).fetchall()

    ours, base = timed_pairs(list(parts), lambda p: finder.search(str(p), today), by_fts)
    _record(figures, "name_search", ours)
    _record(figures, "name_search_raw_fts", base)
    # LIKE reads the table until it has 20 matches (all of it for a rare part): a few will do.
    _record(figures, "name_search_like", _timed(list(parts[:LIKE_SAMPLES]), by_like))


# -- checkout on a copy -------------------------------------------------------------------------

@contextmanager
def database_copy(path: Path) -> Iterator[Path]:
    """A consistent copy next to the original (same disk), removed afterwards whatever happens."""
    handle, name = tempfile.mkstemp(prefix=f".{path.stem}-bench-", suffix=".sqlite",
                                    dir=path.parent)
    os.close(handle)
    copy = Path(name)
    try:
        with closing(sqlite3.connect(path)) as source, closing(sqlite3.connect(copy)) as target:
            source.backup(target)
        yield copy
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)


@dataclass(frozen=True)
class Shopper:
    member_id: int
    stored_value: int


def _measure_checkout(path: Path, count: int, rng: random.Random,
                      figures: dict[str, float]) -> None:
    _progress(f"checkout: copying {path.name} next to it (the original is not touched)")
    with database_copy(path) as copy:
        db = Database.open(copy, upgrade=False)
        try:
            ctx = TillContext.open(db)
            with closing(db.raw_connection()) as connection:
                staff_id, codes = _till_staff_and_codes(connection)
                shoppers = _shoppers(connection, rng, count)
                _progress(f"checkout: {count:,} sales with a member, 3-5 lines, cash")
                _record(figures, "checkout",
                        _timed_sales(ctx, connection, staff_id, codes, shoppers, rng))
        finally:
            db.close()
    _record(figures, "raw_commit", raw_commits(path.parent, count))


def _till_staff_and_codes(connection: sqlite3.Connection) -> tuple[int, list[str]]:
    staff = connection.execute("SELECT id FROM staff WHERE active = 1 "
                               "ORDER BY role = 'cashier' DESC, id LIMIT 1").fetchone()
    codes = [r[0] for r in connection.execute(
        "SELECT COALESCE(barcode, sku) FROM products WHERE active = 1 AND price > 0")]
    if staff is None or not codes:
        raise NotFound("the checkout benchmark needs staff and products (run demo first)")
    return int(staff[0]), codes


def _shoppers(connection: sqlite3.Connection, rng: random.Random, count: int
              ) -> list[Shopper]:
    rows = _random_rows(connection, "members", "id, stored_value_balance",
                        "status = 'active'", rng, count)
    if not rows:
        raise NotFound("the checkout benchmark needs active members (run demo first)")
    return [Shopper(int(r[0]), int(r[1])) for r in rows]


def _timed_sales(ctx: TillContext, connection: sqlite3.Connection, staff_id: int,
                 codes: list[str], shoppers: list[Shopper], rng: random.Random) -> list[int]:
    """Quote (not timed), then complete the sale (timed): what the cashier's Pay key does."""
    checkout = CheckoutService(ctx)
    timings = []
    for shopper in shoppers:
        items = [(code, rng.choice((1, 1, 1, 2))) for code in rng.sample(codes, rng.randint(3, 5))]
        due = checkout.quote(items, shopper.member_id).due_after_points
        balance = connection.execute("SELECT stored_value_balance FROM members WHERE id = ?",
                                     (shopper.member_id,)).fetchone()[0]
        payments = _payments(due, balance, rng)
        request = SaleRequest(str(uuid.uuid4()), staff_id, items, shopper.member_id,
                              payments=payments)
        started = time.perf_counter_ns()
        checkout.complete_sale(request)
        timings.append(time.perf_counter_ns() - started)
    return timings


def _payments(due: int, stored_value: int, rng: random.Random) -> list[PaymentRequest]:
    """Cash, with part paid from stored value now and then (when the member has some)."""
    payments = []
    part = min(stored_value, due // 2) if rng.random() < 0.3 else 0
    if part > 0:
        payments.append(PaymentRequest("stored_value", part))
    cash = due - part
    if cash > 0:
        payments.append(PaymentRequest("cash", cash, tendered=-(-cash // 1000) * 1000))
    return payments


def raw_commits(folder: Path, count: int) -> list[int]:
    """The floor under any durable commit: one tiny INSERT + COMMIT in WAL with FULL sync."""
    handle, name = tempfile.mkstemp(prefix=".bench-commit-", suffix=".sqlite", dir=folder)
    os.close(handle)
    try:
        with closing(sqlite3.connect(name, isolation_level=None)) as connection:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=FULL")
            connection.execute("CREATE TABLE scratch (id INTEGER PRIMARY KEY, note TEXT)")
            timings = []
            for i in range(count):
                started = time.perf_counter_ns()
                connection.execute("BEGIN")
                connection.execute("INSERT INTO scratch (note) VALUES (?)", (f"sale {i}",))
                connection.execute("COMMIT")
                timings.append(time.perf_counter_ns() - started)
            return timings
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{name}{suffix}").unlink(missing_ok=True)


def fsync_rate(folder: Path, seconds: float = FSYNC_SECONDS) -> float:
    """Small write + fsync, as fast as the disk allows, for about `seconds`: fsyncs per second."""
    handle, name = tempfile.mkstemp(prefix=".bench-fsync-", dir=folder)
    try:
        block = b"x" * 512
        done = 0
        started = time.perf_counter()
        while time.perf_counter() - started < seconds:
            os.pwrite(handle, block, 0)
            os.fsync(handle)
            done += 1
        return round(done / (time.perf_counter() - started), 1)
    finally:
        os.close(handle)
        Path(name).unlink(missing_ok=True)


# -- report -------------------------------------------------------------------------------------

def report_table(path: Path, members: int, samples: int, figures: dict[str, float]) -> str:
    def figure(label: str, name: str) -> str:
        if f"{name}_p50_us" not in figures:
            return f"{label:<46}{'n/a':>10}{'n/a':>10}   (nothing in the database to measure)"
        return (f"{label:<46}{figures[f'{name}_p50_us']:>10,.1f}"
                f"{figures[f'{name}_p99_us']:>10,.1f}")

    def ours(name: str) -> str:
        what, stat, target = TARGETS[name]
        value = figures.get(f"{name}_{stat}_us")
        verdict = "" if value is None else "meets" if value <= target else "MISSES"
        return f"{figure(what, name)}   {stat} <= {target:,} µs: {verdict}"

    return "\n".join([
        f"loyalty-pos bench: {path} ({members:,} members, {samples:,} samples)",
        f"{'figure (µs)':<46}{'p50':>10}{'p99':>10}   target (DESIGN.md)",
        ours("card_lookup"),
        figure("  raw sqlite3: card, then member row", "card_lookup_raw"),
        ours("phone_search"),
        figure("  raw sqlite3: phone range, member rows", "phone_search_raw"),
        ours("name_search"),
        figure("  raw sqlite3: FTS5 trigram MATCH, member rows", "name_search_raw_fts"),
        figure(f"  naive LIKE '%x%' ({LIKE_SAMPLES} samples)", "name_search_like"),
        ours("checkout"),
        figure("  raw sqlite3: minimal WAL+FULL commit", "raw_commit"),
        f"disk fsync rate in {path.parent}: {figures['fsync_per_s']:,.0f} fsyncs/s",
    ])


def till_table(till: dict[str, dict[str, float]]) -> str:
    """The till window's figures: scan to member shown beside the wire time, and cold start."""
    rows = ["", f"{'till window (ms)':<52}{'p50':>10}{'p99':>10}   target (DESIGN.md)"]
    for key, label in (("scan_ean13_9600", "scan EAN-13 card at 9600 baud"),
                       ("scan_ean13_115200", "scan EAN-13 card at 115200 baud"),
                       ("scan_qr_9600", "scan e-card QR at 9600 baud"),
                       ("scan_qr_115200", "scan e-card QR at 115200 baud")):
        f = till.get(key)
        if not f:
            continue
        verdict = "meets" if f["scan_to_shown_p99_ms"] <= f["target_p99_ms"] else "MISSES"
        rows.append(f"{label + ' to member shown':<52}{f['scan_to_shown_p50_ms']:>10,.2f}"
                    f"{f['scan_to_shown_p99_ms']:>10,.2f}   p99 <= wire + 5 ms "
                    f"({f['target_p99_ms']:.1f}): {verdict}")
        rows.append(f"{'  of which wire time (computed)':<52}{f['wire_ms']:>10,.2f}"
                    f"{f['wire_ms']:>10,.2f}")
    cold = till.get("cold_start")
    if cold:
        rows.append(f"till cold start to ready window: {cold['till_cold_start_s']:.2f} s, "
                    f"{cold['till_rss_mb']:.0f} MB resident (target <= 1.0 s / 200 MB); "
                    f"Qt hello world {cold['qt_hello_cold_start_s']:.2f} s, "
                    f"{cold['qt_hello_rss_mb']:.0f} MB")
    return "\n".join(rows)
