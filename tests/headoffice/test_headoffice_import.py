"""Importing till ledger files at head office, on SQLite and on PostgreSQL (every test that uses
the `headoffice` or `dialect` fixture runs on both): whole ledgers, idempotency, parts in any
order, gaps and how they are filled, refused files (tampered, re-signed, truncated, another
version, same key with other content) that leave the database as it was, and three tills."""

from __future__ import annotations

import gzip
import itertools
import json
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from headoffice_helpers import (
    CHAIN_SECRET,
    DemoTill,
    chain_head,
    edit_json_line,
    export,
    gap_rows,
    headoffice_totals,
    held_entries,
    rewrite,
    row_counts,
    run,
    till_balances,
    till_ledger,
)
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from loyalty_pos.core.chain import GENESIS_HASH, entry_hash
from loyalty_pos.headoffice.bench import write_synthetic_file
from loyalty_pos.headoffice.db import HeadOfficeDb
from loyalty_pos.headoffice.importer import ImportConflict, WrongTill, import_ledger_file
from loyalty_pos.headoffice.models import (
    HOGap,
    HOImport,
    HOLedgerEntry,
    HOStore,
    HOTill,
)
from loyalty_pos.sync.ledger_file import (
    LedgerFileError,
    LedgerFileWriter,
    LedgerHeader,
)

# -- a whole ledger -----------------------------------------------------------------------------


def test_a_till_ledger_arrives_whole(headoffice: HeadOfficeDb, demo_till: DemoTill,
                                     tmp_path: Path) -> None:
    ledger = till_ledger(demo_till.path)
    assert len(ledger) > 100, "the demo till should have history"
    result = run(headoffice, export(demo_till, tmp_path / "all.jsonl.gz"))

    assert (result.new, result.duplicate, result.count) == (len(ledger), 0, len(ledger))
    assert result.till_registered and result.till_number == demo_till.number
    assert (result.first_seq, result.last_seq) == (1, len(ledger))
    held = held_entries(headoffice)
    assert [(seq, digest) for _, seq, *_, digest, _ in held] == ledger  # every entry once
    assert {row[-1] for row in held} == {"file"}
    assert chain_head(headoffice, demo_till.number) == ledger[-1]
    assert result.chain_head == len(ledger) and result.open_gaps == []
    assert gap_rows(headoffice) == []
    # head office's sums per member and ledger are the till's cached balances
    assert headoffice_totals(headoffice) == till_balances(demo_till.path)
    counts = row_counts(headoffice)
    assert (counts["stores"], counts["tills"], counts["import_log"]) == (1, 1, 1)
    with headoffice.sessions() as session:
        log = session.scalars(select(HOImport)).one()
        assert (log.file_name, log.first_seq, log.last_seq) == ("all.jsonl.gz", 1, len(ledger))
        assert (log.entries_new, log.entries_duplicate) == (len(ledger), 0)
        assert log.sha256 == result.sha256 and len(log.sha256) == 64


def test_the_same_file_twice_changes_nothing(headoffice: HeadOfficeDb, demo_till: DemoTill,
                                             tmp_path: Path) -> None:
    path = export(demo_till, tmp_path / "all.jsonl.gz")
    first = run(headoffice, path)
    before = held_entries(headoffice)
    second = run(headoffice, path)

    assert (second.new, second.duplicate) == (0, first.new)
    assert held_entries(headoffice) == before
    assert chain_head(headoffice, demo_till.number) == till_ledger(demo_till.path)[-1]
    with headoffice.sessions() as session:
        logs = session.execute(select(HOImport.entries_new, HOImport.entries_duplicate)
                               .order_by(HOImport.id)).all()
    assert [tuple(log) for log in logs] == [(first.new, 0), (0, first.new)]


# -- parts, gaps --------------------------------------------------------------------------------


@pytest.fixture
def parts(demo_till: DemoTill, tmp_path: Path) -> tuple[list[Path], int, int, int]:
    """The demo till's ledger in three files: 1..a, a+1..b, b+1..n."""
    n = len(till_ledger(demo_till.path))
    a, b = n // 3, 2 * n // 3
    files = [export(demo_till, tmp_path / "part1.jsonl.gz", 0, a),
             export(demo_till, tmp_path / "part2.jsonl.gz", a, b),
             export(demo_till, tmp_path / "part3.jsonl.gz", b)]
    return files, a, b, n


def test_parts_in_any_order_give_the_same_state(
        dialect: str, make_headoffice: Callable[[str], HeadOfficeDb], demo_till: DemoTill,
        parts: tuple[list[Path], int, int, int], tmp_path: Path) -> None:
    files, _, _, n = parts
    whole = make_headoffice(dialect)
    run(whole, export(demo_till, tmp_path / "all.jsonl.gz"))
    expected = held_entries(whole)
    for order in itertools.permutations(range(3)):
        db = make_headoffice(dialect)
        for index in order:
            run(db, files[index])
        assert held_entries(db) == expected, f"order {order}"
        assert chain_head(db, demo_till.number) == (n, expected[-1][-2]), f"order {order}"
        assert all(not still_open for *_, still_open in gap_rows(db)), f"order {order}"
        assert headoffice_totals(db) == till_balances(demo_till.path)


def test_a_missing_middle_part_is_a_gap_until_it_arrives(
        headoffice: HeadOfficeDb, demo_till: DemoTill,
        parts: tuple[list[Path], int, int, int]) -> None:
    (part1, part2, part3), a, b, n = parts
    run(headoffice, part1)
    third = run(headoffice, part3)

    assert third.gaps_found == [(a + 1, b)] and third.open_gaps == [(a + 1, b)]
    assert third.chain_head == a  # complete only up to the gap, whatever came after it
    assert chain_head(headoffice, demo_till.number) == till_ledger(demo_till.path)[a - 1]
    assert gap_rows(headoffice) == [(a + 1, b, True)]
    assert f"GAP: seq {a + 1}-{b} missing" in third.summary()
    assert f"--since {a} --until {b}" in third.summary()

    second = run(headoffice, part2)
    assert second.gaps_filled == [(a + 1, b)] and second.open_gaps == []
    assert second.chain_head == n
    assert gap_rows(headoffice) == [(a + 1, b, False)]
    with headoffice.sessions() as session:
        gap = session.scalars(select(HOGap)).one()
        assert gap.found_by_import_id == third.import_id
        assert gap.resolved_by_import_id == second.import_id
    assert headoffice_totals(headoffice) == till_balances(demo_till.path)


def test_a_gap_filled_in_pieces_keeps_what_is_still_missing_open(
        headoffice: HeadOfficeDb, demo_till: DemoTill, parts: tuple[list[Path], int, int, int],
        tmp_path: Path) -> None:
    (part1, _, part3), a, b, n = parts
    run(headoffice, part1)
    run(headoffice, part3)
    with headoffice.sessions() as session:
        found_at = session.scalars(select(HOGap.found_at)).one()
    low, high = a + 5, b - 5
    middle = run(headoffice, export(demo_till, tmp_path / "middle.jsonl.gz", low - 1, high))

    assert middle.gaps_filled == [(low, high)]
    assert middle.open_gaps == [(a + 1, low - 1), (high + 1, b)]
    assert middle.chain_head == a
    with headoffice.sessions() as session:
        open_rows = session.scalars(select(HOGap).where(HOGap.resolved_at.is_(None))
                                    .order_by(HOGap.from_seq)).all()
        assert [(g.from_seq, g.to_seq) for g in open_rows] == [(a + 1, low - 1), (high + 1, b)]
        assert {g.found_at for g in open_rows} == {found_at}  # still dated when first found

    last = run(headoffice, export(demo_till, tmp_path / "rest.jsonl.gz", a, b))
    assert last.open_gaps == [] and last.chain_head == n
    assert sorted(last.gaps_filled) == [(a + 1, low - 1), (high + 1, b)]
    assert (last.new, last.duplicate) == (b - a - (high - low + 1), high - low + 1)
    assert all(not still_open for *_, still_open in gap_rows(headoffice))


def test_a_first_file_that_starts_late_opens_a_gap_from_seq_one(
        headoffice: HeadOfficeDb, demo_till: DemoTill, tmp_path: Path) -> None:
    result = run(headoffice, export(demo_till, tmp_path / "late.jsonl.gz", since=50))
    assert result.gaps_found == [(1, 50)] and result.open_gaps == [(1, 50)]
    assert result.chain_head == 0
    assert chain_head(headoffice, demo_till.number) == (0, GENESIS_HASH)


def test_an_empty_range_is_accepted_and_stores_nothing(
        headoffice: HeadOfficeDb, demo_till: DemoTill, tmp_path: Path) -> None:
    n = len(till_ledger(demo_till.path))
    run(headoffice, export(demo_till, tmp_path / "all.jsonl.gz"))
    result = run(headoffice, export(demo_till, tmp_path / "none.jsonl.gz", since=n))
    assert (result.count, result.new, result.duplicate, result.chain_head) == (0, 0, 0, n)


# -- refused files: nothing written -------------------------------------------------------------


@pytest.fixture
def loaded(headoffice: HeadOfficeDb, parts: tuple[list[Path], int, int, int]
           ) -> tuple[HeadOfficeDb, dict[str, int], list[tuple[object, ...]]]:
    """A head office holding part 1 of the demo till, with its row counts and entries."""
    run(headoffice, parts[0][0])
    return headoffice, row_counts(headoffice), held_entries(headoffice)


def refuse(db: HeadOfficeDb, path: Path, counts: dict[str, int],
           held: list[tuple[object, ...]], error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        run(db, path)
    assert row_counts(db) == counts, "a refused file must leave the database as it was"
    assert held_entries(db) == held


@pytest.fixture
def rest_file(demo_till: DemoTill, parts: tuple[list[Path], int, int, int],
              tmp_path: Path) -> Path:
    _, a, _, _ = parts
    return export(demo_till, tmp_path / "rest.jsonl.gz", since=a)


def amount_of(line: bytes) -> int:
    return int(json.loads(line)["amount"])


def test_a_tampered_amount_is_refused_by_the_signature(loaded, rest_file: Path,
                                                       tmp_path: Path) -> None:
    db, counts, held = loaded
    spoiled = rewrite(rest_file, tmp_path / "spoiled.jsonl.gz",
                      lambda lines: edit_json_line(lines, 3, amount=amount_of(lines[3]) + 1000))
    refuse(db, spoiled, counts, held, LedgerFileError, "signature does not match")


def test_a_file_re_signed_without_the_secret_is_refused(loaded, rest_file: Path,
                                                        tmp_path: Path) -> None:
    db, counts, held = loaded
    attacker = bytes.fromhex("ab" * 32)
    spoiled = rewrite(rest_file, tmp_path / "spoiled.jsonl.gz",
                      lambda lines: edit_json_line(lines, 3, amount=amount_of(lines[3]) + 1000),
                      sign_with=attacker)
    refuse(db, spoiled, counts, held, LedgerFileError, "signature does not match")


def test_a_file_re_signed_with_the_secret_but_a_broken_chain_is_refused(
        loaded, rest_file: Path, tmp_path: Path) -> None:
    db, counts, held = loaded
    spoiled = rewrite(rest_file, tmp_path / "spoiled.jsonl.gz",
                      lambda lines: edit_json_line(lines, 3, amount=amount_of(lines[3]) + 1000),
                      sign_with=CHAIN_SECRET)
    refuse(db, spoiled, counts, held, LedgerFileError,
           "hash does not match its content")


def test_a_re_signed_file_with_an_entry_left_out_is_refused(loaded, rest_file: Path,
                                                            tmp_path: Path) -> None:
    db, counts, held = loaded

    def drop_one(lines: list[bytes]) -> list[bytes]:
        header = json.loads(lines[0])
        lines = [lines[0], *lines[1:3], *lines[4:]]  # the third entry is gone
        return edit_json_line(lines, 0, count=header["count"] - 1,
                              last_seq=header["last_seq"] - 1)

    spoiled = rewrite(rest_file, tmp_path / "spoiled.jsonl.gz", drop_one,
                      sign_with=CHAIN_SECRET)
    refuse(db, spoiled, counts, held, LedgerFileError, "not contiguous")


@pytest.mark.parametrize("how", ["cut", "no trailer", "count", "not gzip", "garbage after"])
def test_a_truncated_or_damaged_file_is_refused(loaded, rest_file: Path, tmp_path: Path,
                                                how: str) -> None:
    db, counts, held = loaded
    spoiled = tmp_path / "spoiled.jsonl.gz"
    data = rest_file.read_bytes()
    if how == "cut":  # the download stopped half-way
        spoiled.write_bytes(data[:len(data) // 2])
        match = "truncated"
    elif how == "no trailer":  # cut at a line end, then compressed again
        rewrite(rest_file, spoiled, lambda lines: lines[:-1])
        match = "truncated: its last line is not the signature trailer"
    elif how == "count":  # the last entry is missing, header and signature say otherwise
        rewrite(rest_file, spoiled, lambda lines: [*lines[:-2], lines[-1]])
        match = "signature does not match"
    elif how == "not gzip":
        spoiled.write_bytes(gzip.decompress(data))
        match = "not gzip"
    else:
        spoiled.write_bytes(data + b"more")
        match = "data after the end of the gzip stream"
    refuse(db, spoiled, counts, held, LedgerFileError, match)


def test_a_re_signed_file_whose_header_miscounts_is_refused(loaded, rest_file: Path,
                                                            tmp_path: Path) -> None:
    db, counts, held = loaded
    spoiled = rewrite(rest_file, tmp_path / "spoiled.jsonl.gz",
                      lambda lines: [*lines[:-2], lines[-1]], sign_with=CHAIN_SECRET)
    refuse(db, spoiled, counts, held, LedgerFileError, "announces .* entries but the file holds")


@pytest.mark.parametrize(("changes", "match"), [
    ({"version": 2}, "format version 2 is not supported"),
    ({"format": "something-else"}, "not a loyalty ledger file"),
    ({"extra": 1}, "exactly the fields"),
])
def test_another_format_or_version_is_refused(loaded, rest_file: Path, tmp_path: Path,
                                              changes: dict[str, object], match: str) -> None:
    db, counts, held = loaded
    spoiled = rewrite(rest_file, tmp_path / "spoiled.jsonl.gz",
                      lambda lines: edit_json_line(lines, 0, **changes), sign_with=CHAIN_SECRET)
    refuse(db, spoiled, counts, held, LedgerFileError, match)


def test_the_same_key_with_other_content_is_refused_naming_till_and_seq(
        headoffice: HeadOfficeDb, make_till, products: dict[str, int], tmp_path: Path) -> None:
    # two databases that both claim to be till 7 (copies of one set-up till), each selling
    first, second = make_till("first"), make_till("second")
    for till in (first, second):
        member = till.enrol("Same Name")
        till.sell([("TEA", 1)], member.summary.id)
    run(headoffice, export(first.db.path, tmp_path / "first.jsonl.gz"))
    counts, held = row_counts(headoffice), held_entries(headoffice)
    other = export(second.db.path, tmp_path / "second.jsonl.gz")
    refuse(headoffice, other, counts, held, ImportConflict,
           r"till 7 seq 1: head office already holds a different entry")


def test_a_file_that_does_not_link_to_held_entries_is_refused(
        headoffice: HeadOfficeDb, make_till, tmp_path: Path) -> None:
    first, second = make_till("first"), make_till("second")
    for till in (first, second):
        member = till.enrol("Linker")
        till.sell([("TEA", 1)], member.summary.id)
        till.sell([("BREAD", 2)], member.summary.id)
    run(headoffice, export(first.db.path, tmp_path / "first.jsonl.gz", until=1))
    counts, held = row_counts(headoffice), held_entries(headoffice)
    later = export(second.db.path, tmp_path / "later.jsonl.gz", since=1)
    refuse(headoffice, later, counts, held, ImportConflict,
           "does not link to entry 1 held at head office")


def test_a_till_number_that_moves_to_another_store_is_refused(
        headoffice: HeadOfficeDb, demo_till: DemoTill, tmp_path: Path) -> None:
    run(headoffice, export(demo_till, tmp_path / "all.jsonl.gz", until=10))
    counts, held = row_counts(headoffice), held_entries(headoffice)
    moved = tmp_path / "moved.sqlite"
    shutil.copy(demo_till.path, moved)
    with sqlite3.connect(moved) as connection:
        connection.execute("UPDATE stores SET code = 'S999' WHERE code = ?",
                           (demo_till.store_code,))
    refuse(headoffice, export(moved, tmp_path / "moved.jsonl.gz", since=10), counts, held,
           ImportConflict, f"till {demo_till.number} belongs to store S001 at head office")


def test_texts_with_escapes_arrive_exactly(headoffice: HeadOfficeDb, make_till,
                                          tmp_path: Path) -> None:
    """Texts JSON must escape (tab, newline, backslash, quote) and non-ASCII text: their lines
    take the reader's generic lane and, on PostgreSQL, COPY escaping."""
    till = make_till("escapes")
    member = till.enrol("Zoë \"Quote\" Back\\slash")
    reference = 'T\tab \\ back "q" 充值\nnext'
    till.balances.top_up(member.summary.id, 5000, "card", till.cashier_id, reference)
    till.sell([("TEA", 1)], member.summary.id)
    result = run(headoffice, export(till.db.path, tmp_path / "escapes.jsonl.gz"))
    assert result.new == len(till_ledger(till.db.path))
    with headoffice.sessions() as session:
        reasons = set(session.scalars(select(HOLedgerEntry.reason)))
    assert f"card:{reference.strip()}" in reasons
    assert headoffice_totals(headoffice) == till_balances(till.db.path)


# -- many tills, many batches -------------------------------------------------------------------


def test_three_tills_into_one_head_office(headoffice: HeadOfficeDb,
                                          demo_tills: list[DemoTill], tmp_path: Path) -> None:
    for till in demo_tills:
        run(headoffice, export(till, tmp_path / f"till{till.number}.jsonl.gz"))
    with headoffice.sessions() as session:
        tills = session.execute(select(HOTill.number, HOStore.code)
                                .join(HOStore, HOStore.id == HOTill.store_id)
                                .order_by(HOTill.number)).all()
    assert [tuple(t) for t in tills] == [(11, "S001"), (12, "S001"), (13, "S003")]
    held = held_entries(headoffice)
    for till in demo_tills:
        ledger = till_ledger(till.path)
        assert [(seq, digest) for number, seq, *_, digest, _ in held
                if number == till.number] == ledger
        assert chain_head(headoffice, till.number) == ledger[-1]
        assert headoffice_totals(headoffice, till.number) == till_balances(till.path)
    assert row_counts(headoffice)["import_log"] == 3


def synthetic_part(full: Path, out: Path, first: int, last: int) -> Path:
    """Entries first..last of a synthetic ledger file, as their own signed file."""
    lines = gzip.decompress(full.read_bytes()).splitlines()
    header = json.loads(lines[0])
    entries = [json.loads(line) for line in lines[first:last + 1]]
    part = LedgerHeader(header["store"]["id"], header["store"]["code"], header["till"]["id"],
                        header["till"]["number"], first, last, last - first + 1,
                        entries[0]["prev_hash"], entries[-1]["hash"], header["created_at"])
    with LedgerFileWriter(out, part, CHAIN_SECRET) as writer:
        for entry in entries:
            writer.write_entry(entry)
    return out


def test_many_batches_progress_overlap_and_duplicates(headoffice: HeadOfficeDb,
                                                      tmp_path: Path) -> None:
    full = tmp_path / "full.jsonl.gz"
    write_synthetic_file(full, 12_000, CHAIN_SECRET)
    first = run(headoffice, synthetic_part(full, tmp_path / "first.jsonl.gz", 1, 7_000))
    assert first.new == 7_000

    seen: list[tuple[int, int]] = []
    result = run(headoffice, full, progress=lambda done, total: seen.append((done, total)))
    assert (result.new, result.duplicate) == (5_000, 7_000)
    assert seen == [(0, 12_000), (5_000, 12_000), (10_000, 12_000), (12_000, 12_000)]
    assert result.chain_head == 12_000
    again = run(headoffice, full)
    assert (again.new, again.duplicate) == (0, 12_000)
    with headoffice.sessions() as session:
        assert session.scalar(select(func.count()).select_from(HOLedgerEntry)) == 12_000
        seqs = session.execute(select(func.min(HOLedgerEntry.seq), func.max(HOLedgerEntry.seq),
                                      func.count(func.distinct(HOLedgerEntry.seq)))).one()
    assert tuple(seqs) == (1, 12_000, 12_000)


def test_a_conflict_in_a_late_batch_rolls_back_the_early_ones(headoffice: HeadOfficeDb,
                                                              tmp_path: Path) -> None:
    """Batches already sent to the database before the bad one are rolled back too."""
    full = tmp_path / "full.jsonl.gz"
    write_synthetic_file(full, 12_000, CHAIN_SECRET)
    run(headoffice, synthetic_part(full, tmp_path / "tail.jsonl.gz", 11_000, 12_000))
    counts = row_counts(headoffice)
    # another ledger for the same till: the same up to 10,999, then entry 11,000 differs
    lines = gzip.decompress(full.read_bytes()).splitlines()
    header, entries = json.loads(lines[0]), [json.loads(line) for line in lines[1:-1]]
    entries[10_999]["amount"] += 1
    for entry, previous in zip(entries[10_999:], entries[10_998:], strict=False):
        entry["prev_hash"] = previous["hash"]
        entry["hash"] = entry_hash(entry["prev_hash"], entry)
    other = tmp_path / "other.jsonl.gz"
    with LedgerFileWriter(other, LedgerHeader(
            header["store"]["id"], header["store"]["code"], header["till"]["id"],
            header["till"]["number"], 1, 12_000, 12_000, GENESIS_HASH, entries[-1]["hash"],
            header["created_at"]), CHAIN_SECRET) as writer:
        for entry in entries:
            writer.write_entry(entry)
    with pytest.raises(ImportConflict, match="seq 11000: head office already holds"):
        run(headoffice, other)
    assert row_counts(headoffice) == counts


# -- one pass: the signature is checked at the end, before COMMIT ------------------------------


@pytest.fixture
def synthetic(tmp_path: Path) -> Path:
    """12,000 valid entries: three batches, the first two stored before the file ends."""
    full = tmp_path / "synthetic.jsonl.gz"
    write_synthetic_file(full, 12_000, CHAIN_SECRET)
    return full


@pytest.mark.parametrize(("how", "match"), [
    ("another secret", "signature does not match"),
    ("no trailer", "truncated: its last line is not the signature trailer"),
    ("trailer not last", "truncated: its last line is not the signature trailer"),
])
def test_valid_entries_without_a_valid_signature_write_nothing(
        headoffice: HeadOfficeDb, synthetic: Path, tmp_path: Path, how: str,
        match: str) -> None:
    """Every entry holds (chain, hashes, fields), so the import stores batches before it
    reaches the end of the file; the signature found wanting there rolls all of it back,
    the till registered on the way included."""
    spoiled = tmp_path / "spoiled.jsonl.gz"
    if how == "another secret":
        rewrite(synthetic, spoiled, lambda lines: lines, sign_with=bytes.fromhex("ab" * 32))
    elif how == "no trailer":
        rewrite(synthetic, spoiled, lambda lines: lines[:-1])
    else:
        rewrite(synthetic, spoiled, lambda lines: [*lines[:-1], lines[-1], lines[-2]])
    counts, seen = row_counts(headoffice), []
    with pytest.raises(LedgerFileError, match=match):
        run(headoffice, spoiled, progress=lambda done, total: seen.append(done))
    assert seen[-1] == 10_000, "batches went to the database before the end was reached"
    assert row_counts(headoffice) == counts and counts["tills"] == 0


def test_an_entry_refused_mid_file_is_reported_as_the_signature_when_unsigned(
        headoffice: HeadOfficeDb, synthetic: Path, tmp_path: Path) -> None:
    """The precedence of two passes: a refusal found before the end (here a hash that does
    not recompute) gives way to the signature's when the file is not authentic."""
    lines = gzip.decompress(synthetic.read_bytes()).splitlines(keepends=True)
    edited = edit_json_line(lines, 7_000, amount=amount_of(lines[7_000]) + 1)
    for name, secret in (("unsigned", None), ("re-signed", CHAIN_SECRET)):
        spoiled = rewrite(synthetic, tmp_path / f"{name}.jsonl.gz", lambda _: edited,
                          sign_with=secret)
        match = ("signature does not match" if secret is None
                 else "seq 7000: its hash does not match its content")
        with pytest.raises(LedgerFileError, match=match):
            run(headoffice, spoiled)
    assert row_counts(headoffice)["ho_ledger_entries"] == 0


def test_a_file_of_another_till_is_refused_as_such_only_when_authentic(
        headoffice: HeadOfficeDb, synthetic: Path, tmp_path: Path) -> None:
    with pytest.raises(WrongTill, match="not from till 5"):
        run(headoffice, synthetic, expect_till=5)
    forged = rewrite(synthetic, tmp_path / "forged.jsonl.gz", lambda lines: lines,
                     sign_with=bytes.fromhex("ab" * 32))
    with pytest.raises(LedgerFileError, match="signature does not match"):
        run(headoffice, forged, expect_till=5)
    assert row_counts(headoffice)["tills"] == 0


# -- the API with a Session ---------------------------------------------------------------------


def test_an_import_inside_the_callers_transaction_is_the_callers_to_commit(
        headoffice: HeadOfficeDb, demo_till: DemoTill, tmp_path: Path) -> None:
    path = export(demo_till, tmp_path / "all.jsonl.gz")
    counts = row_counts(headoffice)
    with headoffice.sessions() as session, session.begin():
        result = import_ledger_file(session, path, CHAIN_SECRET)
        assert session.scalar(select(func.count()).select_from(HOLedgerEntry)) == result.new
        session.rollback()
    assert row_counts(headoffice) == counts

    with Session(headoffice.engine) as session:  # no transaction open: the import commits
        result = import_ledger_file(session, path, CHAIN_SECRET)
    assert row_counts(headoffice)["ho_ledger_entries"] == result.new
    with headoffice.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM import_log")).scalar_one() == 1
