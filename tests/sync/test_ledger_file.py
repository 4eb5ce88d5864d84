"""The ledger file (docs/ledger-file-format.md): what `loyalty-pos export-ledger` writes, that
it is deterministic and streams, that the documented example verifies, and that the reader's
fast lane and generic lane accept exactly the same entries with the same values."""

from __future__ import annotations

import gzip
import hashlib
import hmac
import json
import re
import sqlite3
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loyalty_pos.cli import main as till_main
from loyalty_pos.core.chain import CHAIN_FIELDS, GENESIS_HASH, canonical, entry_hash
from loyalty_pos.core.errors import IntegrityViolation, InvalidInput
from loyalty_pos.sync import ledger_file
from loyalty_pos.sync.ledger_file import (
    ENTRY_FIELDS,
    FIELD_INDEX,
    LedgerFileError,
    LedgerFileReader,
    LedgerFileWriter,
    LedgerHeader,
    VerifiedFile,
    encode_line,
    entry_from_row,
    export_ledger,
    iter_verified_entries,
    verify_file,
)

SECRET = bytes.fromhex("42" * 32)
FIXED = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
DOC = Path(__file__).resolve().parents[2] / "docs" / "ledger-file-format.md"


@pytest.fixture
def busy_till(till, products):  # type: ignore[no-untyped-def]
    """A till with a few members, sales, a top-up and a redemption in its ledger."""
    alice = till.enrol("Alice 王")
    bob = till.enrol("Bob \"the\" Builder")
    till.sell([("TEA", 3)], alice.summary.id)
    till.sell([("TV", 1)], bob.summary.id)
    till.sell([("BREAD", 2), ("APPLE", 4)], alice.summary.id)
    till.balances.top_up(alice.summary.id, 5000, "cash", till.cashier_id, "ref\t1")
    till.sell([("TEA", 1)], alice.summary.id, points=50)
    return till


def lines_of(path: Path) -> list[bytes]:
    return gzip.decompress(path.read_bytes()).splitlines(keepends=True)


def ledger_rows(path: Path) -> list[dict[str, object]]:
    connection = sqlite3.connect(path)
    connection.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in connection.execute(
            "SELECT * FROM ledger_entries ORDER BY seq")]
    finally:
        connection.close()


# -- what export writes -------------------------------------------------------------------------


def test_export_writes_header_entries_and_a_valid_signature(busy_till, tmp_path: Path) -> None:
    rows = ledger_rows(busy_till.db.path)
    assert len(rows) >= 6
    result = export_ledger(busy_till.db.path, tmp_path / "t.jsonl.gz", SECRET,
                           clock=lambda: FIXED)
    lines = lines_of(result.path)
    assert all(line.endswith(b"\n") for line in lines)
    assert len(lines) == len(rows) + 2

    header = json.loads(lines[0])
    assert header == {
        "format": "loyalty-ledger", "version": 1, "store": {"id": 1, "code": "S001"},
        "till": {"id": busy_till.ctx.till_id, "number": 7}, "first_seq": 1,
        "last_seq": len(rows), "count": len(rows), "prev_hash": GENESIS_HASH,
        "last_hash": rows[-1]["hash"], "created_at": "2026-03-10T12:00:00Z"}
    for line, row in zip(lines[1:-1], rows, strict=True):
        entry = json.loads(line)
        assert tuple(entry) == ENTRY_FIELDS  # exactly these fields, keys sorted
        assert set(entry) == {*CHAIN_FIELDS, "prev_hash", "hash"}
        assert entry["member_id"] == row["member_uuid"]  # the member's uuid
        assert entry_hash(entry["prev_hash"], entry) == entry["hash"] == row["hash"]
        assert line == encode_line(entry)  # compact, sorted, UTF-8
    trailer = json.loads(lines[-1])
    assert set(trailer) == {"signature"}
    expected = hmac.new(SECRET, b"".join(lines[:-1]), hashlib.sha256).hexdigest()
    assert trailer["signature"] == expected

    raw = result.path.read_bytes()
    assert raw[:2] == b"\x1f\x8b" and raw[3] & 0x08 == 0  # gzip, no file name stored
    assert raw[4:8] == b"\0\0\0\0"  # no modification time
    assert not result.path.with_name(result.path.name + ".part").exists()
    assert result.size == len(raw)


def test_export_is_deterministic(busy_till, tmp_path: Path) -> None:
    one = export_ledger(busy_till.db.path, tmp_path / "one.jsonl.gz", SECRET,
                        clock=lambda: FIXED)
    two = export_ledger(busy_till.db.path, tmp_path / "two.jsonl.gz", SECRET,
                        clock=lambda: FIXED)
    assert one.path.read_bytes() == two.path.read_bytes()


def test_since_and_until_choose_the_range_and_the_chain_around_it(busy_till,
                                                                 tmp_path: Path) -> None:
    rows = ledger_rows(busy_till.db.path)
    n = len(rows)
    middle = export_ledger(busy_till.db.path, tmp_path / "m.jsonl.gz", SECRET, since=2,
                           until=n - 1).header
    assert (middle.first_seq, middle.last_seq, middle.count) == (3, n - 1, n - 3)
    assert middle.prev_hash == rows[1]["hash"] and middle.last_hash == rows[n - 2]["hash"]
    tail = export_ledger(busy_till.db.path, tmp_path / "t.jsonl.gz", SECRET, since=n - 1,
                         until=n + 50).header  # until beyond the end: up to the end
    assert (tail.first_seq, tail.last_seq, tail.count) == (n, n, 1)
    empty = export_ledger(busy_till.db.path, tmp_path / "e.jsonl.gz", SECRET, since=n)
    assert (empty.header.count, empty.header.first_seq, empty.header.last_seq) == (0, n + 1, n)
    assert empty.header.prev_hash == empty.header.last_hash == rows[-1]["hash"]
    assert len(list(iter_verified_entries(verify_file(empty.path, SECRET)))) == 0
    with pytest.raises(InvalidInput, match="beyond this till's last entry"):
        export_ledger(busy_till.db.path, tmp_path / "x.jsonl.gz", SECRET, since=n + 1)
    with pytest.raises(InvalidInput):
        export_ledger(busy_till.db.path, tmp_path / "x.jsonl.gz", SECRET, since=5, until=4)


def test_export_refuses_a_ledger_with_a_hole(busy_till, tmp_path: Path) -> None:
    connection = sqlite3.connect(busy_till.db.path)
    with connection:
        connection.execute("DROP TRIGGER ledger_entries_no_delete")
        # the top-up: no point lot or allocation refers to it; it is not the last entry
        deleted = connection.execute("DELETE FROM ledger_entries WHERE kind = 'top_up'")
        assert deleted.rowcount == 1
    connection.close()
    out = tmp_path / "holed.jsonl.gz"
    with pytest.raises(IntegrityViolation, match="not gapless"):
        export_ledger(busy_till.db.path, out, SECRET)
    assert not out.exists() and not out.with_name(out.name + ".part").exists()


def test_the_writer_refuses_entries_that_do_not_follow_the_header(tmp_path: Path) -> None:
    entries = chained(3)
    header = LedgerHeader(1, "S001", 1, 7, 1, 3, 3, GENESIS_HASH, entries[-1]["hash"], "x")
    out = tmp_path / "w.jsonl.gz"
    with pytest.raises(IntegrityViolation, match="does not follow"), \
            LedgerFileWriter(out, header, SECRET) as writer:
        writer.write_entry(entries[0])
        writer.write_entry(entries[2])
    with pytest.raises(IntegrityViolation, match="announces 3 entries"), \
            LedgerFileWriter(out, header, SECRET) as writer:
        writer.write_entry(entries[0])
    assert not out.exists() and not out.with_name(out.name + ".part").exists()


def test_the_export_command_uses_the_tills_chain_secret(busy_till, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    out = tmp_path / "cli.jsonl.gz"
    n = len(ledger_rows(busy_till.db.path))
    assert till_main(["export-ledger", "--db", str(busy_till.db.path), "--out", str(out),
                      "--since", "1"]) == 0
    printed = capsys.readouterr().out
    assert f"till 7 (store S001), {n - 1} entries, seq 2-{n}" in printed
    verified = verify_file(out, busy_till.secret())  # services/context.chain_secret
    assert (verified.header.first_seq, verified.header.count) == (2, n - 1)
    with pytest.raises(LedgerFileError, match="signature does not match"):
        verify_file(out, SECRET)
    assert till_main(["export-ledger", "--db", str(tmp_path / "nope.sqlite"), "--out",
                      str(out)]) == 2


# -- the documented example ---------------------------------------------------------------------


def test_the_documented_example_verifies(tmp_path: Path) -> None:
    text = DOC.read_text(encoding="utf-8")
    block = re.search(r"```jsonl\n(.*?)```", text, re.S)
    assert block is not None
    content = block.group(1).encode()
    secret = bytes.fromhex(re.search(r"Chain secret `([0-9a-f]{64})`", text).group(1))
    path = tmp_path / "example.jsonl.gz"
    path.write_bytes(gzip.compress(content))
    verified = verify_file(path, secret)
    assert (verified.header.till_number, verified.header.count) == (7, 2)
    entries = [entry_from_row(row) for batch in iter_verified_entries(verified)
               for row in batch.rows]
    assert [e["seq"] for e in entries] == [1, 2]
    assert entries[1]["reason"] == "现金充值 cash top-up"
    # the canonical form shown in the document is the first entry's
    shown = re.search(r"```json\n(.*?)\n```", text, re.S).group(1).encode()
    assert shown == canonical(entries[0])
    assert hashlib.sha256(GENESIS_HASH.encode() + shown).hexdigest() == entries[0]["hash"]
    # and the example is what the writer writes for these entries
    header = verified.header
    rewritten = tmp_path / "again.jsonl.gz"
    with LedgerFileWriter(rewritten, header, secret) as writer:
        for entry in entries:
            writer.write_entry(entry)
    assert gzip.decompress(rewritten.read_bytes()) == content


# -- the reader's two lanes ---------------------------------------------------------------------


def chained(count: int, **overrides: object) -> list[dict[str, object]]:
    entries = []
    prev = GENESIS_HASH
    for seq in range(1, count + 1):
        entry: dict[str, object] = {
            "id": f"00000000-0000-4000-8000-{seq:012d}", "store_id": 1, "till_id": 1,
            "seq": seq, "created_at": "2026-03-10T04:00:00.000000Z", "ledger": "points",
            "kind": "earn", "member_id": "m-1", "amount": seq * 10, "sale_id": None,
            "refund_id": None, "staff_id": 2, "reason": None, "expires_on": "2027-03-10",
            "ref_entry_id": None, **overrides, "prev_hash": prev}
        entry["seq"] = seq
        entry["hash"] = prev = entry_hash(prev, entry)
        entries.append(entry)
    return entries


def write(path: Path, entries: list[dict[str, object]],
          encode=encode_line) -> VerifiedFile:  # type: ignore[no-untyped-def]
    header = LedgerHeader(1, "S001", 1, 7, 1, len(entries), len(entries), GENESIS_HASH,
                          str(entries[-1]["hash"]), "2026-03-10T12:00:00Z")
    body = encode_line(header.as_json()) + b"".join(encode(e) for e in entries)
    path.write_bytes(gzip.compress(
        body + encode_line({"signature": ledger_file.sign(SECRET, body)})))
    return verify_file(path, SECRET)


texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
values = st.fixed_dictionaries({
    "kind": texts.filter(bool), "reason": st.none() | texts, "sale_id": st.none() | texts,
    "amount": st.integers(-10**17, 10**17), "staff_id": st.none() | st.integers(0, 10**6),
    "expires_on": st.none() | texts, "member_id": texts})


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=values)
def test_fast_and_generic_lanes_agree(values: dict[str, object], tmp_path: Path) -> None:
    """The same entries written as the writer writes them (the fast lane reads most of these
    lines) and in another valid JSON layout (escaped non-ASCII, spaces, other key order: the
    generic lane) verify alike and give the same values; the fast canonical form is
    core.chain's."""
    entries = chained(3, **values)
    for entry in entries:
        assert ledger_file.canonical_text(entry).encode() == canonical(entry)

    def other_layout(entry: dict[str, object]) -> bytes:
        return (json.dumps(dict(reversed(list(entry.items()))), ensure_ascii=True,
                           separators=(", ", ": ")) + "\n").encode()

    read = []
    for name, encode in (("fast", encode_line), ("generic", other_layout)):
        verified = write(tmp_path / f"{name}.jsonl.gz", entries, encode)
        batches = list(iter_verified_entries(verified))
        read.append([entry_from_row(row) for batch in batches for row in batch.rows])
        with LedgerFileReader(verified.path, SECRET) as reading:
            one_pass = list(reading.batches())
        assert reading.authentic and reading.sha256 == verified.sha256
        read.append([entry_from_row(row) for batch in one_pass for row in batch.rows])
        for batch in (*batches, *one_pass):
            assert batch.hashes == [row[FIELD_INDEX["hash"]] for row in batch.rows]
            if batch.plain:  # as sent on: every value as it is, empty for null
                assert batch.tab_separated(b"\n") == b"".join(
                    b"\t".join(value or b"" for value in row) + b"\n" for row in batch.rows)
                assert all(value != b"" for row in batch.rows for value in row)
        if name == "generic":
            assert not any(batch.plain for batch in (*batches, *one_pass))
    assert all(entries_read == [{name: e[name] for name in ENTRY_FIELDS} for e in entries]
               for entries_read in read)


def test_plain_lines_take_the_fast_lane(tmp_path: Path) -> None:
    verified = write(tmp_path / "plain.jsonl.gz", chained(4))
    assert [batch.plain for batch in iter_verified_entries(verified)] == [True]


@pytest.mark.parametrize(("line_change", "match"), [
    (lambda e: {**e, "amount": 1.5}, "amount must be a whole number"),
    (lambda e: {**e, "amount": True}, "amount must be a whole number"),
    (lambda e: {**e, "kind": None}, "kind must be a text"),
    (lambda e: {k: v for k, v in e.items() if k != "reason"}, "fields are not those"),
    (lambda e: {**e, "extra": 1}, "fields are not those"),
    (lambda e: {**e, "till_id": 2}, "another till or store"),
    (lambda e: {**e, "seq": 9}, "not contiguous"),
    (lambda e: {**e, "reason": "\ud800"}, "not valid Unicode"),
])
def test_the_generic_lane_refuses_malformed_entries(tmp_path: Path, line_change,
                                                    match: str) -> None:
    """Entries re-hashed after the change (a till that wrote them so): the type and
    consistency checks refuse them, not just the hash."""
    entries = chained(2)
    changed = line_change(dict(entries[1]))
    changed.pop("hash", None)
    try:
        changed["hash"] = entry_hash(str(changed["prev_hash"]), changed)
    except ValueError:  # a lone surrogate cannot even be hashed
        changed["hash"] = "0" * 64
    encoded = [encode_line(entries[0]),
               (json.dumps(changed, sort_keys=True, separators=(",", ":"))
                + "\n").encode()]
    header = LedgerHeader(1, "S001", 1, 7, 1, 2, 2, GENESIS_HASH, str(changed["hash"]), "x")
    body = encode_line(header.as_json()) + b"".join(encoded)
    path = tmp_path / "bad.jsonl.gz"
    path.write_bytes(gzip.compress(
        body + encode_line({"signature": ledger_file.sign(SECRET, body)})))
    with pytest.raises(LedgerFileError, match=match):
        list(iter_verified_entries(verify_file(path, SECRET)))


def test_a_file_changed_between_the_two_passes_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "swap.jsonl.gz"
    verified = write(path, chained(3))
    other = chained(3, kind="redeem")
    write(path, other)  # replaced after the signature was checked
    with pytest.raises(LedgerFileError):
        list(iter_verified_entries(verified))


def test_lines_the_block_lane_leaves_to_the_line_lane_read_alike(tmp_path: Path) -> None:
    """An empty text, an escape, non-ASCII text and another layout amid plain lines: the block
    lane takes the plain ones, the line lane the rest, and the values are the same."""
    entries = chained(12)
    for at, change in ((2, {"reason": ""}), (5, {"reason": 'say "hi"\\'}),
                       (7, {"member_id": "Zoë 王"}), (9, {"sale_id": "a\tb"})):
        entries[at].update(change)
    prev = GENESIS_HASH
    for entry in entries:  # chained again after the changes
        entry["prev_hash"] = prev
        entry.pop("hash")
        entry["hash"] = prev = entry_hash(prev, entry)

    def encode(entry: dict[str, object]) -> bytes:
        if entry["seq"] == 11:  # another layout
            return (json.dumps(entry, separators=(", ", ": ")) + "\n").encode()
        return encode_line(entry)

    path = tmp_path / "mixed.jsonl.gz"
    verified = write(path, entries, encode)
    expected = [{name: e[name] for name in ENTRY_FIELDS} for e in entries]
    for size in (1, 3, 5, 100):
        with LedgerFileReader(path, SECRET, batch=size) as reading:
            batches = list(reading.batches())
        assert [entry_from_row(row) for b in batches for row in b.rows] == expected
        assert [b.first_seq for b in batches] == list(range(1, 13, size))
        two_pass = list(iter_verified_entries(verified, batch=size))
        assert [[b.first_seq, b.rows, b.plain] for b in two_pass] == [
            [b.first_seq, b.rows, b.plain] for b in batches]
    plain = [b.plain for b in batches]
    assert plain == [False]  # one batch of 100 holding all of them


def test_one_pass_checks_the_signature_at_the_end(tmp_path: Path) -> None:
    """Valid entries signed with another secret: every batch but the last is handed on, then
    the file is refused; `authentic` only after a whole, signed file."""
    path = tmp_path / "other.jsonl.gz"
    entries = chained(7)
    header = LedgerHeader(1, "S001", 1, 7, 1, 7, 7, GENESIS_HASH, str(entries[-1]["hash"]), "x")
    body = encode_line(header.as_json()) + b"".join(encode_line(e) for e in entries)
    path.write_bytes(gzip.compress(
        body + encode_line({"signature": ledger_file.sign(bytes(32), body)})))
    handed: list[int] = []
    with LedgerFileReader(path, SECRET, batch=3) as reading, \
            pytest.raises(LedgerFileError, match="signature does not match"):
        for batch in reading.batches():
            handed.append(batch.first_seq)
    assert handed == [1, 4] and not reading.authentic
    with LedgerFileReader(path, bytes(32), batch=3) as reading:
        assert [b.first_seq for b in reading.batches()] == [1, 4, 7]
    assert reading.authentic


def test_one_pass_refuses_a_file_changed_while_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "swap.jsonl.gz"
    other = tmp_path / "other.jsonl.gz"
    write(path, chained(3))
    write(other, chained(3, kind="x"))  # another valid file, shorter
    assert other.stat().st_size < path.stat().st_size
    reading = LedgerFileReader(path, SECRET)
    try:
        assert reading.header.count == 3
        with open(path, "r+b") as stream:  # rewritten in place while it is read
            stream.write(other.read_bytes())
            stream.truncate()
        with pytest.raises(LedgerFileError, match="changed while it was being imported"):
            list(reading.batches())
    finally:
        reading.close()
    assert not reading.authentic


# -- constant memory ----------------------------------------------------------------------------


def peak_memory(count: int, folder: Path) -> tuple[int, int]:
    """Peak traced memory (bytes) of writing and of reading a file of `count` entries."""
    base = chained(1)[0]

    def entries():  # made on the fly: only the file grows with count
        prev = GENESIS_HASH
        for seq in range(1, count + 1):
            entry = {**base, "seq": seq, "prev_hash": prev}
            entry["hash"] = prev = hashlib.sha256(
                (prev + ledger_file.canonical_text(entry)).encode()).hexdigest()
            yield entry

    last = GENESIS_HASH
    for entry in entries():
        last = str(entry["hash"])
    header = LedgerHeader(1, "S001", 1, 7, 1, count, count, GENESIS_HASH, last, "x")
    path = folder / f"big{count}.jsonl.gz"
    tracemalloc.start()
    try:
        with LedgerFileWriter(path, header, SECRET) as writer:
            for entry in entries():
                writer.write_entry(entry)
        written = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        total = sum(len(batch.rows) for batch in iter_verified_entries(
            verify_file(path, SECRET), batch=500))
        with LedgerFileReader(path, SECRET, batch=500) as reading:
            assert sum(len(batch.rows) for batch in reading.batches()) == count
        read = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert total == count
    return written, read


def test_writing_and_reading_take_the_same_memory_for_4x_the_entries(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Streaming: the peak does not grow with the number of entries. (Small reading buffers
    and batches, so that small files already reach the plateau; the real sizes only raise
    it: about 16 MB to read, whatever the file.)"""
    monkeypatch.setattr(ledger_file, "READ_CHUNK", 16 << 10)
    monkeypatch.setattr(ledger_file, "MAX_INFLATE", 64 << 10)
    small_write, small_read = peak_memory(4_000, tmp_path)
    big_write, big_read = peak_memory(16_000, tmp_path)
    assert big_write < small_write * 1.3 + 200_000
    assert big_read < small_read * 1.3 + 200_000
