"""`import_ledger_file`: bring a till's ledger file into the head-office database.

The file is read in ONE pass (sync/ledger_file.LedgerFileReader): a reading thread inflates
it and computes the HMAC while the importing thread checks and stores the entries, and the
signature is checked when the file ends, before COMMIT. In this order, and nothing is
committed unless all of it holds:

1. the header line: known format and version, every field valid (checked, not yet
   authenticated); a push (`expect_till`) must come from the till it names;
2. in ONE transaction: the till is found by its number (or registered on its first file) and
   its row locked, so imports of one till take turns; the file must link to what head office
   already holds around its range (stored entry first_seq-1 has the header's prev_hash,
   stored entry last_seq+1 links to the header's last_hash);
3. the entries stream in batches of 5,000, each checked (fields, types, contiguous seq,
   prev_hash links, hash recomputes) and compared with the stored entries of the same
   (till, seq): the same hash is a duplicate, another hash refuses the whole file naming the
   till and seq; the others are inserted idempotently (below);
4. the end of the file: the gzip stream is whole, the last line is the signature trailer and
   the HMAC over every byte before it matches the chain secret, the number of entry lines is
   the header's count, the entries end on the header's last seq and hash, the file did not
   change while it was read;
5. the balances, gaps, the chain head and the import log (with the file's sha256) are brought
   up to date, then COMMIT.

Any failure rolls the transaction back: the database is as it was. A tampered file thus costs
some work rolled back but writes nothing. The refusal reported keeps the precedence of
checking the signature first: when something fails before the end (steps 1-3), the file is
checked once more in full (ledger_file.verify_file) and, if it is not authentic, that refusal
is raised instead (LedgerFileReader.refusal_first) — the same error as when the signature was
checked in a pass of its own before the import.

Gaps. Head office keeps, per till, the invariant "stored seqs = 1..max(seq) minus the open
gaps". A file starting beyond max+1 opens the gap max+1..first_seq-1 (reported, and the
till's chain head stays below it: nothing is papered over). A file covering part of an open
gap resolves that gap row (resolved_at, resolved_by_import_id) and opens rows for what is
still missing on either side, keeping the original found_at. The links at both ends of every
stored run are checked when the run is completed, so a filled gap is chain-verified too.

Writing rows. SQLite: an executemany of the dialect's INSERT ... ON CONFLICT (till_id, seq)
DO NOTHING per batch. PostgreSQL: every batch travels as COPY text; a batch none of whose keys
is held goes by COPY straight into ho_ledger_entries, a batch with held keys goes through a
temporary staging table and the dialect's INSERT ... SELECT ... ON CONFLICT (till_id, seq)
DO NOTHING. Both are exact because the till's row is locked for the whole import (every
writer of a till's entries takes that lock); the primary key refuses anything else. Measured
on 2 cores, 1,000,000 entries (bench.py): ~134k entries/s as shipped, ~119k/s with ON CONFLICT
for every batch; executemany of these 22-column rows managed ~40-90k/s. Reading the file once
(one inflate, the HMAC on the reading thread, the block lane of ledger_file) instead of twice
took the importing process's CPU for those 1,000,000 entries from ~8.0 s to ~5.0 s; what
remains is ~1 s of balance aggregation after the last COPY (record_imported_balances: right
after COPY the planner has no statistics and sorts 1,000,000 rows on disk) and the server's
COPY itself.
"""

from __future__ import annotations

import queue
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Column, Connection, MetaData, Table, func, select, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.schema import CreateTable

from ..core.chain import GENESIS_HASH
from ..core.errors import Conflict, PermissionDenied
from ..sync.ledger_file import (
    BATCH,
    ENTRY_FIELDS,
    FIELD_INDEX,
    INTEGER_FIELDS,
    EntryBatch,
    LedgerFileReader,
    LedgerHeader,
)
from .balances import record_imported_balances
from .db import HeadOfficeDb
from .models import SOURCE_FILE, HOChainHead, HOGap, HOImport, HOLedgerEntry, HOStore, HOTill

Progress = Callable[[int, int], object]  # (entries done, entries in the file)

ENTRIES = HOLedgerEntry.__table__


class ImportConflict(Conflict):
    """The file is authentic but contradicts what head office holds; nothing was written."""


class WrongTill(PermissionDenied):
    """An authentic file of another till than the one pushing it (HTTP 403)."""


@dataclass
class ImportResult:
    file_name: str
    sha256: str
    store_code: str
    till_number: int
    first_seq: int
    last_seq: int
    count: int
    new: int = 0
    duplicate: int = 0
    import_id: int = 0
    till_registered: bool = False
    gaps_found: list[tuple[int, int]] = field(default_factory=list)
    gaps_filled: list[tuple[int, int]] = field(default_factory=list)
    open_gaps: list[tuple[int, int]] = field(default_factory=list)
    chain_head: int = 0  # every seq 1..chain_head of the till is stored and linked

    def summary(self) -> str:
        span = (f"seq {self.first_seq}-{self.last_seq}" if self.count
                else f"no entries after seq {self.first_seq - 1}")
        lines = [f"{self.file_name}: till {self.till_number} (store {self.store_code}) "
                 f"{span}: {self.new:,} new, {self.duplicate:,} already held; chain complete "
                 f"to seq {self.chain_head:,}"
                 + (" (till registered)" if self.till_registered else "")]
        lines += [f"  gap filled: seq {a}-{b}" for a, b in self.gaps_filled]
        lines += [f"  GAP: seq {a}-{b} missing (at the till: loyalty-pos export-ledger "
                  f"--since {a - 1} --until {b})" for a, b in self.open_gaps]
        return "\n".join(lines)


def import_ledger_file(target: HeadOfficeDb | Session, path: str | Path | bytes, secret: bytes,
                       progress: Progress | None = None, *,
                       clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                       source: str = SOURCE_FILE,
                       expect_till: int | None = None) -> ImportResult:
    """Verify and import one ledger file (see the module docstring). Returns what happened;
    raises LedgerFileError (refused file) or ImportConflict (contradicts stored data), and
    then nothing was written.

    `path` is the file, or its bytes (a push: spooled to a temporary file, since the reading
    streams from a file). `source` goes into every new row (SOURCE_FILE or SOURCE_PUSH).
    `expect_till`: the till number the file must be from (a push: the authenticated till);
    another number raises WrongTill before any database work (LedgerFileError instead when
    the file is not authentic).

    `target` is a HeadOfficeDb (the import commits its own transaction) or a Session: inside
    an open transaction the import runs in a SAVEPOINT and the caller commits; otherwise it
    begins and commits one. Thread: the caller's; it blocks for the whole import.
    """
    if isinstance(path, bytes):
        with tempfile.TemporaryDirectory(prefix="ho-push-") as folder:
            spooled = Path(folder) / "pushed.ledger.gz"
            spooled.write_bytes(path)
            return import_ledger_file(target, spooled, secret, progress, clock=clock,
                                      source=source, expect_till=expect_till)
    reading = LedgerFileReader(path, secret, BATCH)
    try:
        header = reading.header  # checked, not yet authenticated (see the module docstring)
        if expect_till is not None and header.till_number != expect_till:
            raise WrongTill(f"this ledger file is from till {header.till_number}, not "
                            f"from till {expect_till}: a till pushes only its own entries")
        now = clock().astimezone(UTC).replace(tzinfo=None)
        if isinstance(target, HeadOfficeDb):
            with target.transaction() as session:
                return _import(session, reading, progress, now, source)
        with _own_transaction(target):
            return _import(target, reading, progress, now, source)
    except Exception as error:
        # rolled back by now; a file that is not authentic is refused as such, whatever
        # went wrong first (the precedence of checking the signature before anything else)
        reading.refusal_first(error)
        raise
    finally:
        reading.close()


@contextmanager
def _own_transaction(session: Session) -> Iterator[None]:
    if session.in_transaction():
        with session.begin_nested():
            yield
    else:
        with session.begin():
            yield


def _import(session: Session, reading: LedgerFileReader, progress: Progress | None,
            now: datetime, source: str) -> ImportResult:
    header = reading.header
    # the file's sha256 is known when the reading ends: filled in then
    result = ImportResult(reading.path.name, "", header.store_code,
                          header.till_number, header.first_seq, header.last_seq, header.count)
    till = _till_for(session, header, now, result)
    stored_max = session.scalar(select(func.max(HOLedgerEntry.seq))
                                .where(HOLedgerEntry.till_id == till.id)) or 0
    _check_neighbours(session, till, header)
    overlap = session.scalar(select(func.count()).select_from(HOLedgerEntry).where(
        HOLedgerEntry.till_id == till.id,
        HOLedgerEntry.seq.between(header.first_seq, header.last_seq))) or 0
    log = HOImport(file_name=reading.path.name[:255], sha256="", till_id=till.id,
                   first_seq=header.first_seq, last_seq=header.last_seq, entries_new=0,
                   entries_duplicate=0, imported_at=now)
    session.add(log)
    session.flush()
    result.import_id = log.id
    store = _store_for(session, till, log.id, now, check_held=overlap > 0, source=source)
    # From here until the store is closed only the store touches the database (on PostgreSQL
    # from its own thread, while this one reads and verifies the file).
    try:
        if progress:
            progress(0, header.count)
        for batch in reading.batches():
            store.put(batch)
            if progress:
                progress(batch.last_seq - header.first_seq + 1, header.count)
    except BaseException:
        store.abort()
        raise
    store.close()
    if not reading.authentic:  # batches() ends only after the end-of-file checks
        raise RuntimeError("the ledger file was not read to its end")
    result.sha256 = log.sha256 = reading.sha256
    result.new, result.duplicate = store.new, store.duplicate
    log.entries_new, log.entries_duplicate = result.new, result.duplicate
    if result.new:
        record_imported_balances(session, till.id, header.first_seq, header.last_seq, log.id,
                                 now)
    _update_gaps(session, till, header, stored_max, log.id, now, result)
    _update_chain_head(session, till, max(stored_max, header.last_seq), now, result)
    session.flush()
    return result


def _till_for(session: Session, header: LedgerHeader, now: datetime, result: ImportResult
              ) -> HOTill:
    """The till of the file, locked for this transaction; registered on its first file."""
    till = session.scalar(select(HOTill).where(HOTill.number == header.till_number)
                          .with_for_update())
    if till is None:
        store = session.scalar(select(HOStore).where(HOStore.code == header.store_code))
        if store is None:
            store = HOStore(code=header.store_code, name="", created_at=now)
            session.add(store)
            session.flush()
        till = HOTill(number=header.till_number, store_id=store.id,
                      origin_till_id=header.till_id, origin_store_id=header.store_id,
                      registered_at=now)
        session.add(till)
        session.flush()
        session.add(HOChainHead(till_id=till.id, last_seq=0, last_hash=GENESIS_HASH,
                                updated_at=now))
        result.till_registered = True
        return till
    store_code = session.scalar(select(HOStore.code).where(HOStore.id == till.store_id))
    if store_code != header.store_code:
        raise ImportConflict(f"till {till.number} belongs to store {store_code} at head office "
                             f"but the file says store {header.store_code}")
    if till.origin_till_id is None:  # made by add-till; this is the till's first word
        till.origin_till_id, till.origin_store_id = header.till_id, header.store_id
    if (till.origin_till_id, till.origin_store_id) != (header.till_id, header.store_id):
        raise ImportConflict(
            f"till {till.number} is registered at head office with till id "
            f"{till.origin_till_id} / store id {till.origin_store_id} in its database, but "
            f"this file comes from a database where they are {header.till_id} / "
            f"{header.store_id}: another till database using the same till number")
    return till


def _check_neighbours(session: Session, till: HOTill, header: LedgerHeader) -> None:
    """The file must link to the stored entries just before and just after its range."""
    if header.first_seq > 1:
        before = session.scalar(select(HOLedgerEntry.hash).where(
            HOLedgerEntry.till_id == till.id, HOLedgerEntry.seq == header.first_seq - 1))
        if before is not None and before != header.prev_hash:
            raise ImportConflict(
                f"till {till.number} seq {header.first_seq}: the file does not link to entry "
                f"{header.first_seq - 1} held at head office (its prev_hash differs): the "
                "till's ledger is not the one head office holds")
    after = session.scalar(select(HOLedgerEntry.prev_hash).where(
        HOLedgerEntry.till_id == till.id, HOLedgerEntry.seq == header.last_seq + 1))
    if after is not None and after != header.last_hash:
        raise ImportConflict(
            f"till {till.number} seq {header.last_seq}: entry {header.last_seq + 1} held at "
            "head office does not link to the file's last entry: the till's ledger is not "
            "the one head office holds")


def _update_gaps(session: Session, till: HOTill, header: LedgerHeader, stored_max: int,
                 import_id: int, now: datetime, result: ImportResult) -> None:
    if header.count:
        first, last = header.first_seq, header.last_seq
        covered = session.scalars(select(HOGap).where(
            HOGap.till_id == till.id, HOGap.resolved_at.is_(None), HOGap.from_seq <= last,
            HOGap.to_seq >= first).order_by(HOGap.from_seq)).all()
        for gap in covered:
            gap.resolved_at, gap.resolved_by_import_id = now, import_id
            result.gaps_filled.append((max(gap.from_seq, first), min(gap.to_seq, last)))
            for low, high in ((gap.from_seq, first - 1), (last + 1, gap.to_seq)):
                if low <= high:  # still missing: a new open row, found when the gap was
                    session.add(HOGap(till_id=till.id, from_seq=low, to_seq=high,
                                      found_at=gap.found_at,
                                      found_by_import_id=gap.found_by_import_id))
        if first > stored_max + 1:
            session.add(HOGap(till_id=till.id, from_seq=stored_max + 1, to_seq=first - 1,
                              found_at=now, found_by_import_id=import_id))
            result.gaps_found.append((stored_max + 1, first - 1))
        session.flush()
    result.open_gaps = [(a, b) for a, b in session.execute(
        select(HOGap.from_seq, HOGap.to_seq).where(
            HOGap.till_id == till.id, HOGap.resolved_at.is_(None)).order_by(HOGap.from_seq))]


def _update_chain_head(session: Session, till: HOTill, stored_max: int, now: datetime,
                       result: ImportResult) -> None:
    head_seq = result.open_gaps[0][0] - 1 if result.open_gaps else stored_max
    head_hash = GENESIS_HASH if head_seq == 0 else session.scalar(
        select(HOLedgerEntry.hash).where(HOLedgerEntry.till_id == till.id,
                                         HOLedgerEntry.seq == head_seq))
    head = session.get(HOChainHead, till.id)
    if head is None:
        head = HOChainHead(till_id=till.id)
        session.add(head)
    head.last_seq, head.last_hash, head.updated_at = head_seq, head_hash, now
    result.chain_head = head_seq


# -- storing batches, per dialect ----------------------------------------------------------------

# On PostgreSQL a batch none of whose keys head office holds is COPYed straight into
# ho_ledger_entries; batches with held keys go through INSERT ... ON CONFLICT DO NOTHING. Both
# are exact under the till's row lock (see _PostgresqlStore). False: every batch goes through
# INSERT ... ON CONFLICT (bench.py measures both).
COPY_NEW_BATCHES = True

# ho_ledger_entries column of each field of a row (ENTRY_FIELDS order); renamed chained fields
_RENAMED = {"id": "entry_id", "member_id": "member_uuid", "store_id": "origin_store_id",
            "till_id": "origin_till_id"}
_ROW_COLUMNS = tuple(_RENAMED.get(name, name) for name in ENTRY_FIELDS)
_CONSTANT_COLUMNS = ("till_id", "store_id", "received_at", "source", "import_id")
_COLUMNS = (*_ROW_COLUMNS, *_CONSTANT_COLUMNS)
_INTEGER_AT = frozenset(FIELD_INDEX[name] for name in INTEGER_FIELDS)


class _BatchStore:
    """Stores the verified batches of one file for one till: leaves out the entries head office
    already holds (after checking they are the same entries), inserts the others, counts both.
    """

    def __init__(self, connection: Connection, till: HOTill, import_id: int, now: datetime,
                 check_held: bool, source: str = SOURCE_FILE) -> None:
        self.connection = connection
        self.till = till
        self.check_held = check_held  # False: head office holds none of the file's keys
        self.constants = (till.id, till.store_id, now, source, import_id)
        self.new = self.duplicate = 0

    def put(self, batch: EntryBatch) -> None:
        self._store(batch, None)

    def close(self) -> None:
        pass

    def abort(self) -> None:
        pass

    def _store(self, batch: EntryBatch, prepared: _Copy | None) -> None:
        """`prepared`: the batch in the form the store sends it in (PostgreSQL: COPY text)."""
        keep = self._not_held(batch) if self.check_held else None
        if keep is None:  # no key of the batch is held
            self._insert(batch, None, prepared)
            stored = len(batch)
        else:
            if keep:
                self._insert(batch, keep, prepared)
            stored = len(keep)
        self.new += stored
        self.duplicate += len(batch) - stored

    def _not_held(self, batch: EntryBatch) -> list[int] | None:
        """The positions of the batch's entries head office does not hold (None: it holds none
        of them). A held entry must have the same hash — hence the same content and chain —
        any other hash refuses the whole file."""
        held = dict(self.connection.execute(
            select(HOLedgerEntry.seq, HOLedgerEntry.hash).where(
                HOLedgerEntry.till_id == self.till.id,
                HOLedgerEntry.seq.between(batch.first_seq, batch.last_seq))).all())
        if not held:
            return None
        keep = []
        for position, digest in enumerate(batch.hashes):
            seq = batch.first_seq + position
            stored = held.get(seq)
            if stored is None:
                keep.append(position)
            elif stored.encode() != digest:
                raise ImportConflict(
                    f"till {self.till.number} seq {seq}: head office already holds a different "
                    f"entry under this key (hash {stored[:12]}… there, "
                    f"{digest.decode()[:12]}… in the file); nothing was imported")
        return keep

    def _insert(self, batch: EntryBatch, keep: list[int] | None, prepared: _Copy | None
                ) -> None:
        """Insert the rows at positions `keep` (all when None) of the batch."""
        raise NotImplementedError


class _SqliteStore(_BatchStore):
    """executemany of the dialect's INSERT ... ON CONFLICT (till_id, seq) DO NOTHING."""

    statement = sqlite_insert(ENTRIES).on_conflict_do_nothing(index_elements=["till_id", "seq"])

    def _insert(self, batch: EntryBatch, keep: list[int] | None, prepared: _Copy | None
                ) -> None:
        rows = batch.rows if keep is None else [batch.rows[at] for at in keep]
        constants = dict(zip(_CONSTANT_COLUMNS, self.constants, strict=True))
        values = [dict(zip(_ROW_COLUMNS, (
            None if value is None else int(value) if at in _INTEGER_AT else value.decode()
            for at, value in enumerate(row)), strict=True)) | constants for row in rows]
        self.connection.execute(self.statement, values)


# The staging table of the PostgreSQL store: the columns of ho_ledger_entries, no constraints,
# gone at the end of the transaction.
_STAGE = Table(
    "ho_import_stage", MetaData(),
    *(Column(column, ENTRIES.c[column].type) for column in _COLUMNS),
    prefixes=["TEMPORARY"], postgresql_on_commit="DROP",
)
_COLUMN_LIST = ", ".join(_COLUMNS)
_QUEUED_BATCHES = 2
_SWITCH_INTERVAL = 0.0005  # seconds; Python's default is 0.005


class _PostgresqlStore(_BatchStore):
    """Every batch goes to the server as COPY text. A batch none of whose keys head office
    holds is COPYed straight into ho_ledger_entries; otherwise its rows that are not held go
    into a temporary staging table and on with the dialect's
    INSERT INTO ho_ledger_entries SELECT ... FROM stage ON CONFLICT (till_id, seq) DO NOTHING.
    Both are exact: the importer holds the till's row lock (SELECT ... FOR UPDATE) for the
    whole transaction, as every writer of a till's entries must, so no key can appear
    meanwhile; were one to appear anyway, the primary key refuses the COPY and the import rolls
    back — it never stores an entry twice. COPY skips the per-row conflict arbitration, which
    costs more than the rest of the insert (bench.py shows both figures).

    PostgreSQL stores batch n while the importing thread verifies batch n+1: `put` turns the
    batch into COPY text (the work that needs the GIL stays on the importing thread; when keys
    may be held, only what is not held is turned, by the store) and hands it to the store's
    own thread, which mostly waits on the server with the GIL released. That
    thread is the only user of the connection until close/abort returns; at most two batches
    wait in between. The interpreter's thread switch interval is 0.5 ms meanwhile (5 ms
    otherwise): the store's thread takes the GIL back a few dozen times per batch while handing
    data to libpq, and at 5 ms a time that waiting would cost more than the batch.
    """

    def __init__(self, connection: Connection, till: HOTill, import_id: int, now: datetime,
                 check_held: bool, source: str = SOURCE_FILE) -> None:
        super().__init__(connection, till, import_id, now, check_held, source)
        connection.execute(CreateTable(_STAGE, if_not_exists=True))
        connection.execute(text("TRUNCATE ho_import_stage"))
        self.statement = postgresql_insert(ENTRIES).from_select(
            _COLUMNS, select(_STAGE)).on_conflict_do_nothing(index_elements=["till_id", "seq"])
        till_id, store_id, received_at, source, import_id = self.constants
        self.suffix = (f"\t{till_id}\t{store_id}\t{received_at.isoformat(sep=' ')}\t{source}"
                       f"\t{import_id}\n").encode()
        self.queue: queue.Queue[tuple[EntryBatch, _Copy | None] | None] = queue.Queue(
            _QUEUED_BATCHES)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._work, name="headoffice-import-store",
                                       daemon=True)
        _fast_thread_switches(True)
        self.thread.start()

    def put(self, batch: EntryBatch) -> None:
        if self.error is None:
            # COPY text made here, unless keys may be held: then only for what is not held
            prepared = None if self.check_held else _copy_text(batch, self.suffix)
            self.queue.put((batch, prepared))
        if self.error is not None:
            raise self.error

    def close(self) -> None:
        self._finish()
        if self.error is not None:
            raise self.error

    def abort(self) -> None:
        self._finish()

    def _finish(self) -> None:
        if self.thread.is_alive():
            self.queue.put(None)
            self.thread.join()
            _fast_thread_switches(False)

    def _work(self) -> None:
        try:
            while (item := self.queue.get()) is not None:
                self._store(*item)
        except BaseException as exc:  # handed to the importing thread by put/close
            self.error = exc
            while self.queue.get() is not None:  # let put() return until the end is sent
                pass

    def _insert(self, batch: EntryBatch, keep: list[int] | None, prepared: _Copy | None
                ) -> None:
        payload, empty_is_null = (prepared if prepared is not None
                                  else _copy_text(batch, self.suffix))
        if keep is None and COPY_NEW_BATCHES:
            self._copy("ho_ledger_entries", payload, empty_is_null)
            return
        if keep is not None:  # one line per row: COPY text has no raw newline in a value
            lines = payload.split(b"\n")
            payload = b"".join(lines[at] + b"\n" for at in keep)
        self._copy("ho_import_stage", payload, empty_is_null)
        self.connection.execute(self.statement)
        self.connection.execute(text("TRUNCATE ho_import_stage"))

    def _copy(self, table: str, payload: bytes, empty_is_null: bool) -> None:
        driver = self.connection.connection.driver_connection
        assert driver is not None
        options = " (NULL '')" if empty_is_null else ""
        with (driver.cursor() as cursor,
              cursor.copy(f"COPY {table} ({_COLUMN_LIST}) FROM STDIN{options}") as copy):
            copy.write(payload)


_switches = {"users": 0, "saved": 0.005}
_switches_lock = threading.Lock()


def _fast_thread_switches(on: bool) -> None:
    """Lower the thread switch interval while at least one PostgreSQL store is working."""
    with _switches_lock:
        if on:
            if _switches["users"] == 0:
                _switches["saved"] = sys.getswitchinterval()
                sys.setswitchinterval(_SWITCH_INTERVAL)
            _switches["users"] += 1
        else:
            _switches["users"] -= 1
            if _switches["users"] == 0:
                sys.setswitchinterval(_switches["saved"])


_COPY_ESCAPES = {ord("\\"): "\\\\", ord("\t"): "\\t", ord("\n"): "\\n", ord("\r"): "\\r"}
_Copy = tuple[bytes, bool]  # COPY text, and whether an empty value is null (NULL '')


def _copy_text(batch: EntryBatch, suffix: bytes) -> _Copy:
    """The rows as PostgreSQL COPY text, each line ending in `suffix` (the constant columns and
    the newline), tab-separated. A plain batch goes as the reader found it, with NULL '' (an
    empty value is null: a plain batch holds no empty text; see EntryBatch.plain); any other
    with its values escaped and \\N for null."""
    plain = batch.tab_separated(suffix)
    if plain is not None:
        return plain, True
    return b"".join(b"\t".join(b"\\N" if value is None else
                               value.decode().translate(_COPY_ESCAPES).encode()
                               for value in row) + suffix for row in batch.rows), False


def _store_for(session: Session, till: HOTill, import_id: int, now: datetime,
               check_held: bool, source: str = SOURCE_FILE) -> _BatchStore:
    connection = session.connection()
    dialect = connection.dialect.name
    if dialect == "postgresql":
        return _PostgresqlStore(connection, till, import_id, now, check_held, source)
    if dialect == "sqlite":
        return _SqliteStore(connection, till, import_id, now, check_held, source)
    raise ValueError(f"head office runs on SQLite or PostgreSQL, not {dialect}")
