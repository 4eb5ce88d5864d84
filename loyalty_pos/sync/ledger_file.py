"""Ledger files: a till's hash-chained ledger as a signed, gzip-compressed JSON Lines file.

The file fallback of sync (docs/ledger-file-format.md describes the format exactly)::

    line 1     header   {"count":..,"created_at":..,"first_seq":..,"format":"loyalty-ledger",
                         "last_hash":..,"last_seq":..,"prev_hash":..,"store":{"code":..,"id":..},
                         "till":{"id":..,"number":..},"version":1}
    line 2..   entries  one per ledger entry in seq order: the chained fields
                        (core/chain.CHAIN_FIELDS, member_id = the member's uuid), prev_hash, hash
    last line  trailer  {"signature": HMAC-SHA256 hex of every byte before this line}

Every line is JSON with sorted keys, no spaces, UTF-8 (not ASCII-escaped), ending in "\\n"; the
gzip header carries no name and no time. The same entries, header time and secret give the
same bytes.

Writing (`export_ledger`, `LedgerFileWriter`) runs on the till; reading is what head office
runs as it stores: `LedgerFileReader` in one pass (the entries checked as they stream, the
signature when the file ends, before the importer commits), or `verify_file` then
`iter_verified_entries` in two (the signature checked before anything else is read). All of
them stream: memory stays constant whatever the number of entries. Qt-free and free of
head-office code.
"""

from __future__ import annotations

import gzip
import hashlib
import hmac
import itertools
import json
import operator
import os
import queue
import re
import sqlite3
import threading
import zlib
from binascii import hexlify, unhexlify
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from json.encoder import encode_basestring  # the C encoder json.dumps uses (ensure_ascii=False)
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from ..core.chain import CHAIN_FIELDS, GENESIS_HASH, canonical
from ..core.errors import IntegrityViolation, InvalidInput, NotFound

FORMAT = "loyalty-ledger"
VERSION = 1
ENTRY_FIELDS = tuple(sorted((*CHAIN_FIELDS, "prev_hash", "hash")))
HEADER_FIELDS = ("count", "created_at", "first_seq", "format", "last_hash", "last_seq",
                 "prev_hash", "store", "till", "version")
GZIP_LEVEL = 6                 # zlib's default balance of size and speed
READ_CHUNK = 256 << 10         # compressed bytes read at a time
MAX_INFLATE = 1 << 20          # decompressed bytes produced at a time (bounds memory)
MAX_LINE = 1 << 20             # no header, entry or trailer line is anywhere near this long
BATCH = 5000                   # entries per batch handed to the importer
WRITE_LINES = 1000             # entry lines joined per write to the gzip stream

_ENTRY_KEYS = frozenset(ENTRY_FIELDS)


class LedgerFileError(IntegrityViolation):
    """The ledger file is refused: damaged, truncated, tampered with or not a ledger file."""


def encode_line(obj: Mapping[str, Any]) -> bytes:
    """One line of the file: JSON, sorted keys, no spaces, UTF-8, ending in a newline."""
    return (json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            + "\n").encode()


def sign(secret: bytes, data: bytes) -> str:
    return hmac.new(secret, data, hashlib.sha256).hexdigest()


def iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- the header --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerHeader:
    """What the first line says: whose entries, which range, and the chain around it."""
    store_id: int
    store_code: str
    till_id: int
    till_number: int
    first_seq: int
    last_seq: int
    count: int
    prev_hash: str   # hash of entry first_seq - 1 (GENESIS_HASH when first_seq is 1)
    last_hash: str   # hash of entry last_seq (prev_hash when the file holds no entry)
    created_at: str

    def as_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "version": VERSION,
                "store": {"id": self.store_id, "code": self.store_code},
                "till": {"id": self.till_id, "number": self.till_number},
                "first_seq": self.first_seq, "last_seq": self.last_seq, "count": self.count,
                "prev_hash": self.prev_hash, "last_hash": self.last_hash,
                "created_at": self.created_at}

    @classmethod
    def from_json(cls, value: object) -> LedgerHeader:
        """Check format, version and every field; raise LedgerFileError naming what is wrong."""
        if not isinstance(value, dict) or value.get("format") != FORMAT:
            raise LedgerFileError("this is not a loyalty ledger file (its header does not say "
                                  f"format {FORMAT!r})")
        version = value.get("version")
        if version != VERSION:
            raise LedgerFileError(f"ledger file format version {version!r} is not supported "
                                  f"(this program reads version {VERSION})")
        if set(value) != set(HEADER_FIELDS):
            raise LedgerFileError("the header does not have exactly the fields of version "
                                  f"{VERSION}: {sorted(set(value) ^ set(HEADER_FIELDS))}")
        store, till = value["store"], value["till"]
        if not (isinstance(store, dict) and set(store) == {"id", "code"}
                and _is_int(store["id"]) and isinstance(store["code"], str)
                and isinstance(till, dict) and set(till) == {"id", "number"}
                and _is_int(till["id"]) and _is_int(till["number"])):
            raise LedgerFileError("the header's store or till is malformed")
        for name in ("first_seq", "last_seq", "count"):
            if not _is_int(value[name]) or value[name] < 0:
                raise LedgerFileError(f"the header's {name} is not a whole number")
        for name in ("prev_hash", "last_hash"):
            if not _is_hash(value[name]):
                raise LedgerFileError(f"the header's {name} is not a SHA-256 hex digest")
        if not isinstance(value["created_at"], str):
            raise LedgerFileError("the header's created_at is not a text")
        header = cls(store["id"], store["code"], till["id"], till["number"],
                     value["first_seq"], value["last_seq"], value["count"],
                     value["prev_hash"], value["last_hash"], value["created_at"])
        if header.first_seq < 1 or header.last_seq - header.first_seq + 1 != header.count:
            raise LedgerFileError(
                f"the header's range seq {header.first_seq}-{header.last_seq} does not hold "
                f"{header.count} entries")
        if header.first_seq == 1 and header.prev_hash != GENESIS_HASH:
            raise LedgerFileError("the header starts at seq 1 but its prev_hash is not the "
                                  "genesis hash")
        if header.count == 0 and header.last_hash != header.prev_hash:
            raise LedgerFileError("an empty range must end on the hash it starts from")
        return header


def _is_int(value: object) -> bool:
    return type(value) is int


def _is_hash(value: object) -> bool:
    return (isinstance(value, str) and len(value) == 64
            and all(c in "0123456789abcdef" for c in value))


# -- writing -----------------------------------------------------------------------------------


class LedgerFileWriter:
    """Write one ledger file: the header now, entries as they come, the signed trailer on close.

    The file is written as `<out>.part` and renamed into place only when complete, so a crash
    never leaves a file that looks whole. Entries must match the header (count, range, chain
    ends); otherwise `close` raises and removes the partial file.
    """

    def __init__(self, out: str | Path, header: LedgerHeader, secret: bytes,
                 compresslevel: int = GZIP_LEVEL) -> None:
        self.out = Path(out)
        self.header = header
        self.partial = self.out.with_name(self.out.name + ".part")
        self._raw = open(self.partial, "wb")  # noqa: SIM115 (closed in close/abort)
        # no file name and mtime 0 in the gzip header: the same content gives the same bytes
        self._gzip = gzip.GzipFile(filename="", mode="wb", fileobj=self._raw,
                                   compresslevel=compresslevel, mtime=0)
        self._mac = hmac.new(secret, digestmod=hashlib.sha256)
        self._pending: list[bytes] = []
        self._next_seq = header.first_seq
        self._last_hash = header.prev_hash
        self._write(encode_line(header.as_json()))

    def _write(self, data: bytes) -> None:
        self._mac.update(data)
        self._gzip.write(data)

    def write_entry(self, entry: Mapping[str, Any]) -> None:
        """Append one entry (a mapping with every field of ENTRY_FIELDS)."""
        if entry["seq"] != self._next_seq or entry["prev_hash"] != self._last_hash:
            raise IntegrityViolation(
                f"entry seq {entry['seq']} does not follow seq {self._next_seq - 1} of the "
                "ledger (the till's own chain is broken; run loyalty-pos verify)")
        self._pending.append(encode_line({name: entry[name] for name in ENTRY_FIELDS}))
        self._next_seq += 1
        self._last_hash = str(entry["hash"])
        if len(self._pending) >= WRITE_LINES:
            self._flush_entries()

    def _flush_entries(self) -> None:
        if self._pending:
            self._write(b"".join(self._pending))
            self._pending.clear()

    def close(self) -> Path:
        """Write the trailer, finish the gzip stream, fsync and move the file into place."""
        try:
            self._flush_entries()
            written = self._next_seq - self.header.first_seq
            if written != self.header.count or self._last_hash != self.header.last_hash:
                raise IntegrityViolation(
                    f"the header announces {self.header.count} entries ending on "
                    f"{self.header.last_hash[:12]}…, but {written} were written ending on "
                    f"{self._last_hash[:12]}…")
            self._gzip.write(encode_line({"signature": self._mac.hexdigest()}))
            self._gzip.close()
            self._raw.flush()
            os.fsync(self._raw.fileno())
            self._raw.close()
            os.replace(self.partial, self.out)
            return self.out
        except BaseException:
            self.abort()
            raise

    def abort(self) -> None:
        self._gzip.close()
        self._raw.close()
        self.partial.unlink(missing_ok=True)

    def __enter__(self) -> LedgerFileWriter:
        return self

    def __exit__(self, kind: object, error: object, traceback: object) -> None:
        if error is None:
            self.close()
        else:
            self.abort()


@dataclass(frozen=True)
class ExportResult:
    path: Path
    header: LedgerHeader
    size: int


_EXPORT_COLUMNS = ("id, store_id, till_id, seq, created_at, ledger, kind, member_uuid, amount, "
                   "sale_id, refund_id, staff_id, reason, expires_on, ref_entry_id, prev_hash, "
                   "hash")


def till_chain_secret(db_path: str | Path) -> bytes:
    """The chain secret of the till database (services/context.chain_secret)."""
    from ..db.engine import Database
    from ..services.context import chain_secret

    db = Database.open(db_path, upgrade=False)
    try:
        with db.transaction() as session:
            return chain_secret(session)
    finally:
        db.close()


def export_ledger(db_path: str | Path, out: str | Path, secret: bytes | None = None, *,
                  since: int = 0,
                  until: int | None = None,
                  clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> ExportResult:
    """Write this till's ledger entries with since < seq <= until (all after `since` when
    `until` is None) to `out` as a ledger file signed with `secret` (default: the database's
    chain secret).

    Reads one consistent snapshot of the till database (a read transaction; the till may keep
    selling meanwhile) through a plain sqlite3 connection, streaming rows to the file.
    Thread: any; it only reads the database.
    """
    if since < 0 or (until is not None and until < since):
        raise InvalidInput("--since must be 0 or more and --until not below it")
    path = Path(db_path)
    if not path.exists():
        raise NotFound(f"{path} does not exist")
    if secret is None:
        secret = till_chain_secret(path)
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA busy_timeout=5000")
        connection.execute("BEGIN")  # one snapshot for the header and the entries
        header = _export_header(connection, since, until, clock())
        with LedgerFileWriter(out, header, secret) as writer:
            names = [n.strip() for n in _EXPORT_COLUMNS.split(",")]
            rows = connection.execute(
                f"SELECT {_EXPORT_COLUMNS} FROM ledger_entries "
                "WHERE till_id = ? AND seq BETWEEN ? AND ? ORDER BY seq",
                (header.till_id, header.first_seq, header.last_seq))
            for row in rows:
                entry = dict(zip(names, row, strict=True))
                entry["member_id"] = entry.pop("member_uuid")
                writer.write_entry(entry)
        connection.execute("COMMIT")
    finally:
        connection.close()
    out = Path(out)
    return ExportResult(out, header, out.stat().st_size)


def _export_header(connection: sqlite3.Connection, since: int, until: int | None,
                   now: datetime) -> LedgerHeader:
    setting = connection.execute(
        "SELECT value FROM settings WHERE key = 'this_till_id'").fetchone()
    if setting is None:
        raise NotFound("this database has no till set up yet (run setup or demo)")
    till = connection.execute(
        "SELECT t.id, t.number, t.last_seq, t.last_hash, s.id, s.code "
        "FROM tills t JOIN stores s ON s.id = t.store_id WHERE t.id = ?",
        (int(setting[0]),)).fetchone()
    if till is None:
        raise NotFound(f"till {setting[0]} named in the settings does not exist")
    till_id, number, head_seq, head_hash, store_id, store_code = till
    last = head_seq if until is None else min(until, head_seq)
    if since > head_seq:
        raise InvalidInput(f"--since {since} is beyond this till's last entry (seq {head_seq})")
    first = since + 1
    count, low, high = connection.execute(
        "SELECT count(*), min(seq), max(seq) FROM ledger_entries "
        "WHERE till_id = ? AND seq BETWEEN ? AND ?", (till_id, first, last)).fetchone()
    if count != last - first + 1 or (count and (low, high) != (first, last)):
        raise IntegrityViolation(
            f"this till's ledger is not gapless between seq {first} and {last} ({count} "
            "entries); run loyalty-pos verify")
    prev_hash = GENESIS_HASH if since == 0 else _hash_at(connection, till_id, since)
    last_hash = prev_hash if count == 0 else (
        head_hash if last == head_seq else _hash_at(connection, till_id, last))
    return LedgerHeader(store_id, store_code, till_id, number, first, last, count, prev_hash,
                        last_hash, iso_utc(now))


def _hash_at(connection: sqlite3.Connection, till_id: int, seq: int) -> str:
    row = connection.execute("SELECT hash FROM ledger_entries WHERE till_id = ? AND seq = ?",
                             (till_id, seq)).fetchone()
    if row is None:
        raise IntegrityViolation(f"entry seq {seq} of this till is missing; run loyalty-pos "
                                 "verify")
    return str(row[0])


# -- reading -----------------------------------------------------------------------------------
#
# Head office reads a file in ONE pass (`LedgerFileReader`): a reading thread inflates it and
# computes the HMAC over every line but the last, while the caller's thread checks and hands
# on the entries batch by batch; the trailer, the signature and the line count are checked
# when the file ends. The caller stores the batches inside one transaction and commits only
# once the pass has ended without error, so a file refused at its end has had its entries
# checked (and perhaps stored, then rolled back) but never leaves anything behind. Errors keep
# the precedence of checking the signature first: a refusal found before the end (a header or
# an entry that does not hold, or a conflict the caller finds) is replaced by the refusal of
# `verify_file` when the file is not authentic (`LedgerFileReader.refusal_first`).
#
# `verify_file` (pass 1) and `iter_verified_entries` (pass 2) are the same checks in two
# passes, for callers who want the signature checked before anything else is read.


@dataclass(frozen=True)
class VerifiedFile:
    """A file whose signature, gzip stream, header and line count were checked (pass 1)."""
    path: Path
    header: LedgerHeader
    sha256: str   # of the file's bytes as stored (compressed)
    size: int


def _inflate(path: Path, on_raw: Callable[[bytes], object]) -> Iterator[bytes]:
    """The decompressed bytes of a one-member gzip file, in bounded pieces. Raises
    LedgerFileError when the stream is damaged, cut short or followed by other data."""
    with open(path, "rb") as stream:
        yield from _inflate_stream(stream, on_raw)


def _inflate_stream(stream: BinaryIO, on_raw: Callable[[bytes], object]) -> Iterator[bytes]:
    inflater = zlib.decompressobj(wbits=31)  # gzip wrapper, checks the CRC and length
    try:
        while chunk := stream.read(READ_CHUNK):
            on_raw(chunk)
            if inflater.eof:
                raise LedgerFileError("there is data after the end of the gzip stream")
            data = chunk
            while data:
                piece = inflater.decompress(data, MAX_INFLATE)
                if piece:
                    yield piece
                if inflater.eof:
                    if inflater.unused_data:
                        raise LedgerFileError("there is data after the end of the gzip "
                                              "stream")
                    break
                data = inflater.unconsumed_tail
        if not inflater.eof:  # output zlib may still hold back for want of room
            rest = inflater.flush()
            if rest:
                yield rest
            if inflater.unused_data:
                raise LedgerFileError("there is data after the end of the gzip stream")
        if not inflater.eof:
            raise LedgerFileError("the file is truncated (its gzip stream does not end)")
    except zlib.error as exc:
        raise LedgerFileError(f"the file is not gzip or is damaged ({exc})") from exc


_AHEAD = 4  # decompressed pieces a reading thread may hold ready
_T = TypeVar("_T")


def _read_ahead(pieces: Iterator[_T]) -> Iterator[_T]:
    """The items of `pieces`, produced by a thread of their own: zlib, file reads and hashing
    of large buffers release the GIL, so that work runs on another core while this thread
    checks entries. Exceptions of the producer are raised here; stopping early stops the
    producer."""
    handoff: queue.Queue[tuple[_T | None, BaseException | None]] = queue.Queue(_AHEAD)
    stop = threading.Event()

    def offer(item: tuple[_T | None, BaseException | None]) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False  # the consumer is gone

    def produce() -> None:
        try:
            for piece in pieces:
                if not offer((piece, None)):
                    return
            offer((None, None))
        except BaseException as exc:  # handed over to the consumer
            offer((None, exc))
        finally:
            close = getattr(pieces, "close", None)
            if close is not None:
                close()

    producer = threading.Thread(target=produce, name="ledger-file-reader", daemon=True)
    producer.start()
    try:
        while True:
            piece, error = handoff.get()
            if error is not None:
                raise error
            if piece is None:
                return
            yield piece
    finally:
        stop.set()
        producer.join()


# Bytes a "clean" block holds none of: control characters but the line feed, and the
# backslash (which only an escape in a JSON text needs).
_UNCLEAN = bytes(code for code in range(0x20) if code != 0x0A) + b"\\"


@dataclass(frozen=True)
class _Block:
    """Whole lines of the decompressed file: data[start:end], each ending in "\\n", with
    data[start - 1] a "\\n" too (the block lane anchors every line on the newline before it).
    `clean`: they hold no byte of _UNCLEAN and are valid UTF-8."""
    data: bytes
    start: int
    end: int
    clean: bool


def _blocks(pieces: Iterator[bytes], mac: Any, last_line: list[bytes]) -> Iterator[_Block]:
    """The decompressed stream as blocks of whole lines, holding back the last line: at the
    end `last_line` gets it (the trailer when the file is whole). `mac` (or None) is fed every
    byte before that last line. Runs on the reading thread (see _read_ahead)."""
    pending = b""  # the bytes after the last newline that is known not to end the file
    for piece in pieces:
        data = b"".join((b"\n", pending, piece))
        cut = data.rfind(b"\n", 1, len(data) - 1) + 1  # keep the last line back
        if cut:
            if mac is not None:
                mac.update(memoryview(data)[1:cut])
            clean = (len(data.translate(None, _UNCLEAN)) == len(data)
                     and (data.isascii() or _is_utf8(data[1:cut])))
            yield _Block(data, 1, cut, clean)
            pending = data[cut:]
        else:
            pending = data[1:]
        if len(pending) > MAX_LINE:
            raise LedgerFileError("a line of the file is far too long: not a ledger file")
    last_line.append(pending)


def _header_line(block: _Block) -> tuple[bytes, _Block]:
    """The first line of the file (from its first block) and the rest of the block."""
    newline = block.data.index(b"\n", block.start)
    return (block.data[block.start:newline],
            _Block(block.data, newline + 1, block.end, block.clean))


def _parse_header(line: bytes | None) -> LedgerHeader:
    if line is None:
        raise LedgerFileError("the file is truncated: its last line is not the signature "
                              "trailer")
    try:
        value = json.loads(line)
    except (ValueError, RecursionError) as exc:
        raise LedgerFileError("the first line is not a JSON header") from exc
    return LedgerHeader.from_json(value)


def verify_file(path: str | Path, secret: bytes) -> VerifiedFile:
    """Pass 1, before anything is parsed or stored: the gzip stream is whole, the last line is
    a signature trailer, the HMAC over every earlier byte matches `secret`, then the header
    (format, version, fields) and the number of entry lines."""
    path = Path(path)
    digest = hashlib.sha256()
    size = 0

    def on_raw(chunk: bytes) -> None:
        nonlocal size
        digest.update(chunk)
        size += len(chunk)

    mac = hmac.new(secret, digestmod=hashlib.sha256)
    pending = b""        # bytes after the last newline that is known not to end the file
    lines = 0            # complete lines before `pending` (header + entries)
    first_line: bytes | None = None
    for piece in _read_ahead(_inflate(path, on_raw)):
        data = pending + piece
        cut = data.rfind(b"\n", 0, len(data) - 1) + 1  # keep the last line back
        if cut:
            signed = data[:cut]
            mac.update(signed)
            lines += signed.count(b"\n")
            if first_line is None:
                first_line = signed[:signed.index(b"\n")]
        pending = data[cut:]
        if len(pending) > MAX_LINE:
            raise LedgerFileError("a line of the file is far too long: not a ledger file")
    _check_signature(first_line, pending, mac)
    header = _parse_header(first_line)
    _check_count(header, lines - 1)
    return VerifiedFile(path, header, digest.hexdigest(), size)


def _check_signature(first_line: bytes | None, last_line: bytes, mac: Any) -> None:
    trailer = _parse_trailer(last_line)
    if first_line is None or trailer is None:
        raise LedgerFileError("the file is truncated: its last line is not the signature "
                              "trailer")
    if not hmac.compare_digest(mac.hexdigest(), trailer):
        raise LedgerFileError(
            "the signature does not match: the file was changed after the till wrote it, or "
            "it was signed with another chain secret")


def _check_count(header: LedgerHeader, entry_lines: int) -> None:
    if entry_lines != header.count:
        raise LedgerFileError(f"the header announces {header.count} entries but the file "
                              f"holds {entry_lines}")


def _parse_trailer(line: bytes) -> str | None:
    if not line.endswith(b"\n"):
        return None
    try:
        trailer = json.loads(line)
    except ValueError:
        return None
    if not isinstance(trailer, dict) or set(trailer) != {"signature"}:
        return None
    signature = trailer["signature"]
    return signature if _is_hash(signature) else None


FIELD_INDEX = {name: index for index, name in enumerate(ENTRY_FIELDS)}
INTEGER_FIELDS = frozenset(("amount", "seq", "staff_id", "store_id", "till_id"))

Row = tuple[bytes | None, ...]


class EntryBatch:
    """Consecutive verified entries: seq first_seq, first_seq + 1, ...

    `rows`: each entry as a tuple in ENTRY_FIELDS order (the order of the keys in a line) of
    bytes: texts in UTF-8, integers in decimal, None for null — ready to be sent on
    (PostgreSQL COPY). `entry_from_row` gives a plain mapping. `hashes`: each entry's hash.

    `plain`: every entry was read by the block lane, so every value is a non-empty text free
    of backslashes and control characters, an integer or a hash, and `tab_separated` gives
    the batch as it is sent on, with nothing to escape. Such a batch keeps the values as the
    block lane found them and makes `rows` only when asked.
    """

    __slots__ = ("_found", "_rows", "first_seq", "plain")

    def __init__(self, first_seq: int, rows: list[Row] | None = None, plain: bool = False,
                 *, found: list[tuple[bytes, ...]] | None = None) -> None:
        self.first_seq = first_seq
        self.plain = plain
        self._rows = rows
        self._found = found  # block lane matches (_BLOCK_LINE groups); plain batches only

    def __len__(self) -> int:
        return len(self._found if self._found is not None else self._rows or ())

    @property
    def last_seq(self) -> int:
        return self.first_seq + len(self) - 1

    @property
    def rows(self) -> list[Row]:
        if self._rows is None:
            self._rows = _rows_of(self._found or [])
        return self._rows

    @property
    def hashes(self) -> list[bytes]:
        if self._found is not None:
            return list(map(_HASH_OF, self._found))
        return [row[_HASH_AT] or b"" for row in self.rows]

    def tab_separated(self, suffix: bytes) -> bytes | None:
        """A plain batch as lines of its values in ENTRY_FIELDS order, separated by tabs, an
        empty value for null, each line ending in `suffix` (PostgreSQL COPY text format with
        NULL ''); None when the batch is not plain."""
        if not self.plain:
            return None
        if self._found is not None:
            return suffix.join(map(b"\t".join, map(_VALUES, self._found))) + suffix
        return suffix.join([b"\t".join([value or b"" for value in row])
                            for row in self.rows]) + suffix


def _rows_of(found: list[tuple[bytes, ...]]) -> list[Row]:
    # a block lane value is never empty: an empty group is a null
    return [tuple([value or None for value in values]) for values in map(_VALUES, found)]


def entry_from_row(row: Row) -> dict[str, Any]:
    """A row of an EntryBatch as {field: value}: texts as str, integers as int."""
    return {name: None if value is None else int(value) if name in INTEGER_FIELDS
            else value.decode() for name, value in zip(ENTRY_FIELDS, row, strict=True)}


class LedgerFileReader:
    """One pass over a ledger file (head office's import): `header`, then `batches()`.

    A reading thread inflates the file and computes the HMAC over every line before the last
    while this thread checks the entries. `header` is the first line, checked for format and
    fields but NOT authenticated; `batches()` yields the entries in batches of `batch`, each
    checked as by `iter_verified_entries`, and when the file ends checks, in this order: the
    gzip stream is whole, the last line is a signature trailer, the HMAC matches `secret`,
    the number of entry lines is the header's count, the entries end on the header's last
    seq and hash, and the file was not changed while it was read. Only once `batches()` has
    run to its end without error is the file `authentic`: its entries are authentic and
    complete only then, so the caller stores them inside a transaction it commits after that.

    A refusal before the end takes second place to the file's authenticity, as in two passes:
    `batches()` raises the refusal of `verify_file` instead when the file is not authentic,
    and a caller that fails before the end calls `refusal_first(error)` likewise.

    Memory stays constant. Thread: the caller's (plus the reading thread it starts);
    `close()` (or a with block) stops the reading thread.
    """

    def __init__(self, path: str | Path, secret: bytes, batch: int = BATCH) -> None:
        self.path = Path(path)
        self.batch = batch
        self.authentic = False
        self._secret = secret
        self._digest = hashlib.sha256()
        self._size = 0
        self._mac = hmac.new(secret, digestmod=hashlib.sha256)
        self._last_line: list[bytes] = []
        self._stream = open(self.path, "rb")  # noqa: SIM115 (closed in close)
        self._opened = os.fstat(self._stream.fileno())
        self._blocks = _read_ahead(_blocks(_inflate_stream(self._stream, self._on_raw),
                                           self._mac, self._last_line))
        self._header: LedgerHeader | None = None
        self._rest: _Block | None = None  # the first block after the header line
        self._first_line: bytes | None = None
        self._refusal_checked = False

    def _on_raw(self, chunk: bytes) -> None:  # reading thread
        self._digest.update(chunk)
        self._size += len(chunk)

    @property
    def header(self) -> LedgerHeader:
        """The header line, checked (LedgerFileError) but not yet authenticated."""
        if self._header is None:
            block = next(self._blocks, None)
            if block is not None:
                self._first_line, self._rest = _header_line(block)
            self._header = _parse_header(self._first_line)
        return self._header

    @property
    def sha256(self) -> str:
        """Of the file's bytes as stored (compressed); known once `authentic`."""
        if not self.authentic:
            raise RuntimeError("the file has not been read to its end")
        return self._digest.hexdigest()

    @property
    def size(self) -> int:
        return self._size

    def batches(self) -> Iterator[EntryBatch]:
        try:
            yield from self._batches()
        except LedgerFileError as error:
            self.refusal_first(error)
            raise

    def _batches(self) -> Iterator[EntryBatch]:
        header = self.header
        entries = _Entries(header, self.batch)
        blocks: Iterator[_Block] = self._blocks
        if self._rest is not None:
            blocks = itertools.chain((self._rest,), blocks)
        yield from entries.read(blocks)
        _check_signature(self._first_line, self._last_line[0], self._mac)
        _check_count(header, entries.lines)
        entries.check_end()
        if self._changed():
            raise LedgerFileError("the file changed while it was being imported")
        self.authentic = True
        last = entries.take()
        if last is not None:
            yield last

    def _changed(self) -> bool:
        now = os.fstat(self._stream.fileno())
        return (self._size != self._opened.st_size or now.st_size != self._opened.st_size
                or now.st_mtime_ns != self._opened.st_mtime_ns)

    def refusal_first(self, error: BaseException) -> None:
        """Call on any error before `batches()` has ended: when the file is not authentic
        (pass 1, `verify_file`, refuses it), raise that refusal instead, chained to `error`;
        otherwise return (the caller raises `error`). Runs once; costs a pass over the file."""
        if self.authentic or self._refusal_checked:
            return
        self._refusal_checked = True
        self.close()
        try:
            verify_file(self.path, self._secret)
        except LedgerFileError as refusal:
            raise refusal from error
        except OSError:  # the file is gone: the original error stands
            return

    def close(self) -> None:
        close = getattr(self._blocks, "close", None)
        if close is not None:
            close()  # stops the reading thread
        self._stream.close()

    def __enter__(self) -> LedgerFileReader:
        return self

    def __exit__(self, kind: object, error: object, traceback: object) -> None:
        self.close()


def iter_verified_entries(verified: VerifiedFile, batch: int = BATCH) -> Iterator[EntryBatch]:
    """Pass 2: the entries in batches, each checked as it is read — exactly the fields of the
    format with the right types, the till and store of the header, seq contiguous from
    first_seq, prev_hash linking to the previous entry (the first to the header's prev_hash)
    and the hash recomputing. Raises LedgerFileError at the first problem, or at the end if the
    last hash is not the header's or the file's bytes changed since `verify_file`.

    The caller stores each batch as it comes, inside one transaction it rolls back on error.
    """
    digest = hashlib.sha256()
    last_line: list[bytes] = []
    blocks = _read_ahead(_blocks(_inflate(verified.path, digest.update), None, last_line))
    entries = _Entries(verified.header, batch)
    try:
        first = next(blocks, None)
        if first is not None:
            yield from entries.read(itertools.chain((_header_line(first)[1],), blocks))
    finally:
        close = getattr(blocks, "close", None)
        if close is not None:
            close()
    last = entries.take()
    if last is not None:
        yield last
    if digest.hexdigest() != verified.sha256:
        raise LedgerFileError("the file changed while it was being imported")
    entries.check_end()


class _Entries:
    """The entry lines of a file, checked and gathered into batches of `batch` entries."""

    def __init__(self, header: LedgerHeader, batch: int) -> None:
        self.header = header
        self.batch = batch
        self.state = _ChainState(header)
        self.lines = 0  # entry lines seen (those beyond the header's count too)
        self._first = header.first_seq
        self._found: list[tuple[bytes, ...]] = []  # block lane results of the batch
        self._rows: list[Row] | None = None       # or the batch as rows (not plain)

    def read(self, blocks: Iterator[_Block]) -> Iterator[EntryBatch]:
        """Check the entry lines of `blocks` (the header line already taken off), yielding
        every full batch; the last, partial one stays for `take`. Lines beyond the header's
        count are only counted."""
        batch, count = self.batch, self.header.count
        for block in blocks:
            data, start, end = block.data, block.start, block.end
            while start < end:
                wanted = count - self.lines
                if wanted <= 0:
                    self.lines += data.count(b"\n", start, end)
                    break
                room = min(batch - self._filled(), wanted)
                lines = data.count(b"\n", start, end)
                if lines <= room:
                    stop = end
                else:
                    stop, lines = _after_lines(data, start, room), room
                self._check(block, start, stop, lines)
                self.lines += lines
                start = stop
                if self._filled() == batch:
                    yield self.take()  # type: ignore[misc]

    def _filled(self) -> int:
        return len(self._found) if self._rows is None else len(self._rows)

    def _check(self, block: _Block, start: int, stop: int, lines: int) -> None:
        found = self.state.check_block(block, start, stop, lines) if block.clean else None
        if found is not None:
            if self._rows is None:
                self._found += found
            else:
                self._rows += _rows_of(found)
            return
        # the line lane, for these lines: exact errors, escapes, the generic lane
        checked, _ = self.state.check(block.data[start:stop].split(b"\n")[:-1])
        if self._rows is None:
            self._rows = _rows_of(self._found)
            self._found = []
        self._rows += checked

    def take(self) -> EntryBatch | None:
        """The batch gathered so far (None if empty), starting a new one."""
        if not self._filled():
            return None
        first = self._first
        if self._rows is None:
            batch = EntryBatch(first, plain=True, found=self._found)
        else:
            batch = EntryBatch(first, self._rows, plain=False)
        self._first += len(batch)
        self._found, self._rows = [], None
        return batch

    def check_end(self) -> None:
        header, state = self.header, self.state
        if state.next_seq != header.last_seq + 1 or state.prev_hash != header.last_hash.encode():
            raise LedgerFileError("the entries do not end on the header's last seq and hash")


def _after_lines(data: bytes, start: int, count: int) -> int:
    """The position just after the `count`-th newline from `start`."""
    find = data.index
    for _ in range(count):
        start = find(b"\n", start) + 1
    return start


# The line lane's fast lane. A line the writer wrote — sorted keys, no spaces, strings without
# escapes or control characters, integers in their shortest form, valid UTF-8 — matches this
# pattern exactly, and for such a line the canonical form of its entry (core/chain.canonical)
# is the line itself minus its "hash" and "prev_hash" members: no JSON parsing, no
# re-serialising, no decoding. Any other line (an escape in a text, an unusual number, another
# layout) takes the generic lane: json.loads, type checks and the canonical form rebuilt from
# the values. Both lanes accept exactly the same entries with the same values (tests/sync
# checks this).
_STRING = rb'"([^"\\\x00-\x1f]*+)"'  # possessive: nothing to backtrack into, a bit faster
_NULL_OR_STRING = rb'(?:null|"([^"\\\x00-\x1f]*+)")'
_INTEGER = rb"(0|-?[1-9][0-9]{0,17}+)"
_NULL_OR_INTEGER = rb"(?:null|(0|-?[1-9][0-9]{0,17}+))"
_HASH = rb'"([0-9a-f]{64})"'
_FAST_LINE = re.compile(
    b'{"amount":' + _INTEGER + b',"created_at":' + _STRING + b',"expires_on":'
    + _NULL_OR_STRING + b',"hash":' + _HASH + b',"id":' + _STRING + b',"kind":' + _STRING
    + b',"ledger":' + _STRING + b',"member_id":' + _STRING + b',"prev_hash":' + _HASH
    + b',"reason":' + _NULL_OR_STRING + b',"ref_entry_id":' + _NULL_OR_STRING
    + b',"refund_id":' + _NULL_OR_STRING + b',"sale_id":' + _NULL_OR_STRING + b',"seq":'
    + _INTEGER + b',"staff_id":' + _NULL_OR_INTEGER + b',"store_id":' + _INTEGER
    + b',"till_id":' + _INTEGER + b"}")
_HASH_GROUP = FIELD_INDEX["hash"] + 1        # regex group numbers
_PREV_GROUP = FIELD_INDEX["prev_hash"] + 1
_HASH_KEY = len('"hash":"')
_PREV_KEY = len('"prev_hash":"')
_MEMBER = 64 + len('",')                     # a hash value, its closing quote and comma
_SEQ, _HASH_AT, _PREV_AT = FIELD_INDEX["seq"], FIELD_INDEX["hash"], FIELD_INDEX["prev_hash"]
_TILL_AT, _STORE_AT = FIELD_INDEX["till_id"], FIELD_INDEX["store_id"]

# The block lane: the lines of a clean block (_Block) in one findall. Every line is anchored
# on the newline before it and must be followed by a newline; a block of n lines holds n + 1
# newlines from data[start - 1] on, and each match takes one of them, so n matches mean every
# line matched whole. Texts are non-empty and, the block being clean, free of backslashes and
# control characters: exactly the line lane's fast lane minus the empty texts (which go to
# the line lane, so that an empty group always means null). "hash" and "prev_hash" are taken
# as any 64 characters here and proven below: every hash must equal the hex digest computed
# (lowercase hex), every prev_hash the previous entry's hash (the first: the header's). The
# header's store and till are part of the pattern. Groups: the canonical form in three parts
# (before "hash", between the two hashes, after "prev_hash") and every value.
_B_STRING = rb'"([^"]++)"'
_B_NULL_OR_STRING = rb'(?:null|"([^"]++)")'
_B_HASH = rb'"([^"]{64})"'


def _block_line(store_id: int, till_id: int) -> re.Pattern[bytes]:
    if not CHAIN_FIELDS_KNOWN:
        return re.compile(rb"(?!)")
    return re.compile(
        b'\\n({"amount":' + _INTEGER + b',"created_at":' + _B_STRING + b',"expires_on":'
        + _B_NULL_OR_STRING + b",)" + b'"hash":' + _B_HASH + b',("id":' + _B_STRING
        + b',"kind":' + _B_STRING + b',"ledger":' + _B_STRING + b',"member_id":' + _B_STRING
        + b",)" + b'"prev_hash":' + _B_HASH + b',("reason":' + _B_NULL_OR_STRING
        + b',"ref_entry_id":' + _B_NULL_OR_STRING + b',"refund_id":' + _B_NULL_OR_STRING
        + b',"sale_id":' + _B_NULL_OR_STRING + b',"seq":' + _INTEGER + b',"staff_id":'
        + _NULL_OR_INTEGER + b',"store_id":(' + b"%d" % store_id + b'),"till_id":('
        + b"%d" % till_id + b")})(?=\\n)")


# positions in a block lane match: the three parts of the canonical form, and the values
_PART_A, _PART_B, _PART_C = 0, 5, 11
_VALUE_POSITIONS = (1, 2, 3, 4, 6, 7, 8, 9, 10, 12, 13, 14, 15, 16, 17, 18, 19)
_VALUES = operator.itemgetter(*_VALUE_POSITIONS)  # in ENTRY_FIELDS order
_HASH_OF = operator.itemgetter(_VALUE_POSITIONS[_HASH_AT])
_PREV_OF = operator.itemgetter(_VALUE_POSITIONS[_PREV_AT])
_SEQ_OF = operator.itemgetter(_VALUE_POSITIONS[_SEQ])


class _ChainState:
    """The running check: where the chain is."""

    def __init__(self, header: LedgerHeader) -> None:
        self.header = header
        self.next_seq = header.first_seq
        self.prev_hash = header.prev_hash.encode()
        self.till = str(header.till_id).encode()
        self.store = str(header.store_id).encode()
        self.block_line = _block_line(header.store_id, header.till_id)

    def check_block(self, block: _Block, start: int, stop: int, lines: int
                    ) -> list[tuple[bytes, ...]] | None:
        """The block lane for the `lines` lines data[start:stop] of a clean block: their
        matches when every line matches and holds (then the chain moves on), else None (and
        nothing changed: the caller reads them by the line lane)."""
        found = self.block_line.findall(block.data, start - 1, stop)
        if len(found) != lines or not found:
            return None
        first = self.next_seq
        if list(map(_SEQ_OF, found)) != [b"%d" % seq for seq in range(first, first + lines)]:
            return None
        hashes = list(map(_HASH_OF, found))
        prevs = list(map(_PREV_OF, found))
        if prevs[0] != self.prev_hash or prevs[1:] != hashes[:-1]:
            return None
        sha256 = hashlib.sha256
        a, b, c, p = _PART_A, _PART_B, _PART_C, _VALUE_POSITIONS[_PREV_AT]
        digests = b"".join([sha256(m[p] + m[a] + m[b] + m[c]).digest() for m in found])
        if hexlify(digests) != b"".join(hashes):
            return None
        self.next_seq, self.prev_hash = first + lines, hashes[-1]
        return found

    def check(self, lines: list[bytes]) -> tuple[list[Row], bool]:
        """The line lane: the rows of `lines`, and whether all took the fast lane; raises
        LedgerFileError at the first line that does not hold."""
        rows, plain = self._check_lines(lines)
        if rows:
            self.next_seq, self.prev_hash = self.next_seq + len(rows), rows[-1][_HASH_AT] or b""
        return rows, plain

    def _check_lines(self, lines: list[bytes]) -> tuple[list[Row], bool]:
        seq = self.next_seq
        prev = self.prev_hash
        till, store = self.till, self.store
        fullmatch, sha256 = _FAST_LINE.fullmatch, hashlib.sha256
        plain = True
        rows: list[Row] = []
        append = rows.append
        for line in lines:
            match = fullmatch(line) if line.isascii() or _is_utf8(line) else None
            if match is None:  # the generic lane
                plain = False
                row, body = _generic_row(line, seq)
            else:
                row = match.groups()
                hash_at, prev_at = match.start(_HASH_GROUP), match.start(_PREV_GROUP)
                body = (line[:hash_at - _HASH_KEY] + line[hash_at + _MEMBER:prev_at - _PREV_KEY]
                        + line[prev_at + _MEMBER:])
            if row[_SEQ] != b"%d" % seq:
                raise LedgerFileError(f"entries are not contiguous: expected seq {seq}, found "
                                      f"{_shown(row[_SEQ])}")
            if row[_TILL_AT] != till or row[_STORE_AT] != store:
                raise LedgerFileError(f"entry seq {seq} belongs to another till or store than "
                                      "the header's")
            if row[_PREV_AT] != prev:
                raise LedgerFileError(f"entry seq {seq}: prev_hash does not link to entry "
                                      f"{seq - 1} (the hash chain is broken)")
            prev = row[_HASH_AT]  # checked to be 64 hex digits
            if sha256(row[_PREV_AT] + body).digest() != unhexlify(prev):
                raise LedgerFileError(f"entry seq {seq}: its hash does not match its content "
                                      "(edited after it was chained)")
            append(row)
            seq += 1
        return rows, plain


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode()
    except UnicodeDecodeError:
        return False
    return True


def _shown(value: bytes | None) -> str:
    return "nothing" if value is None else value.decode(errors="replace")


def _generic_row(line: bytes, seq: int) -> tuple[tuple[bytes | None, ...], bytes]:
    """Parse and type-check one line with json: its row (as the fast lane gives it) and the
    canonical form of its entry."""
    try:
        entry = json.loads(line)
    except (ValueError, RecursionError):
        entry = None
    if type(entry) is not dict:
        raise LedgerFileError(f"the line of entry seq {seq} is not a JSON object")
    if entry.keys() != _ENTRY_KEYS:
        raise LedgerFileError(f"entry seq {seq}: the fields are not those of the format "
                              f"({sorted(set(entry) ^ _ENTRY_KEYS)})")
    for name in ENTRY_FIELDS:
        value = entry[name]
        if name in INTEGER_FIELDS:
            if not (type(value) is int or (value is None and name == "staff_id")):
                raise LedgerFileError(f"entry seq {seq}: {name} must be a whole number")
        elif not (type(value) is str or (value is None and name not in _NEVER_NULL)):
            raise LedgerFileError(f"entry seq {seq}: {name} must be a text")
    if not (_is_hash(entry["hash"]) and _is_hash(entry["prev_hash"])):
        raise LedgerFileError(f"entry seq {seq}: hash and prev_hash must be SHA-256 hex "
                              "digests")
    try:
        row = tuple(None if value is None else b"%d" % value if type(value) is int
                    else value.encode() for value in (entry[name] for name in ENTRY_FIELDS))
        body = canonical_text(entry).encode()
    except UnicodeEncodeError as exc:  # a lone surrogate (\\ud800) cannot be stored or hashed
        raise LedgerFileError(f"entry seq {seq}: a text is not valid Unicode") from exc
    return row, body


_NEVER_NULL = frozenset(("created_at", "id", "kind", "ledger", "member_id", "hash",
                         "prev_hash"))


def _text(value: object) -> str:
    return "null" if value is None else encode_basestring(value)


def _canonical_fast(entry: Mapping[str, Any]) -> str:
    """`core.chain.canonical(entry)` as text, written out field by field: several times faster
    than json.dumps with sort_keys and byte-identical for the types a ledger entry may have
    (ints, texts, nulls; tests/sync compares the two)."""
    staff = entry["staff_id"]
    return (f'{{"amount":{entry["amount"]},"created_at":{_text(entry["created_at"])},'
            f'"expires_on":{_text(entry["expires_on"])},"id":{_text(entry["id"])},'
            f'"kind":{_text(entry["kind"])},"ledger":{_text(entry["ledger"])},'
            f'"member_id":{_text(entry["member_id"])},"reason":{_text(entry["reason"])},'
            f'"ref_entry_id":{_text(entry["ref_entry_id"])},'
            f'"refund_id":{_text(entry["refund_id"])},"sale_id":{_text(entry["sale_id"])},'
            f'"seq":{entry["seq"]},"staff_id":{"null" if staff is None else staff},'
            f'"store_id":{entry["store_id"]},"till_id":{entry["till_id"]}}}')


_FAST_ORDER = ("amount", "created_at", "expires_on", "id", "kind", "ledger", "member_id",
               "reason", "ref_entry_id", "refund_id", "sale_id", "seq", "staff_id", "store_id",
               "till_id")


def _canonical_generic(entry: Mapping[str, Any]) -> str:
    return canonical(entry).decode()


# Should the chained fields ever change, the generic form is used until _canonical_fast and
# _FAST_LINE are brought up to date (tests/sync fails meanwhile).
CHAIN_FIELDS_KNOWN = tuple(sorted(CHAIN_FIELDS)) == _FAST_ORDER
canonical_text = _canonical_fast if CHAIN_FIELDS_KNOWN else _canonical_generic
if not CHAIN_FIELDS_KNOWN:  # never match: every line takes the generic lane
    _FAST_LINE = re.compile(rb"(?!)")
