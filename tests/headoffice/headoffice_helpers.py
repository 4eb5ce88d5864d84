"""Helpers of the head-office tests (imported by conftest.py and the test modules, the way
tests/ui uses ui_helpers.py)."""

from __future__ import annotations

import gzip
import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from loyalty_pos.headoffice.db import HeadOfficeDb
from loyalty_pos.headoffice.importer import ImportResult, import_ledger_file
from loyalty_pos.headoffice.models import (
    HeadOfficeBase,
    HOChainHead,
    HOGap,
    HOLedgerEntry,
    HOTill,
)
from loyalty_pos.sync.ledger_file import encode_line, export_ledger, sign

CHAIN_SECRET = bytes.fromhex("5e" * 32)   # what head office distributes to every test till


@dataclass(frozen=True)
class DemoTill:
    """A demo till database (read-only template: copy it before changing it)."""
    path: Path
    number: int
    store_code: str


def renumber_till(connection: sqlite3.Connection, number: int, store_code: str) -> None:
    """Make the till database's own till chain-wide till `number` of store `store_code` (the
    demo always makes till 1 of S001)."""
    connection.execute("UPDATE tills SET number = ? WHERE id = "
                       "(SELECT CAST(value AS INTEGER) FROM settings "
                       "WHERE key = 'this_till_id')", (number,))
    connection.execute("UPDATE stores SET code = ? WHERE id = "
                       "(SELECT store_id FROM tills WHERE number = ?)", (store_code, number))


def export(till: DemoTill | Path, out: Path, since: int = 0, until: int | None = None) -> Path:
    path = till.path if isinstance(till, DemoTill) else till
    export_ledger(path, out, CHAIN_SECRET, since=since, until=until)
    return out


def run(db: HeadOfficeDb, path: Path, **kwargs: object) -> ImportResult:
    return import_ledger_file(db, path, CHAIN_SECRET, **kwargs)  # type: ignore[arg-type]


def row_counts(db: HeadOfficeDb) -> dict[str, int]:
    with db.engine.connect() as connection:
        return {name: connection.execute(select(func.count()).select_from(table)).scalar_one()
                for name, table in HeadOfficeBase.metadata.tables.items()}


def held_entries(db: HeadOfficeDb) -> list[tuple[object, ...]]:
    """Every stored entry with its chained fields, by till number and seq."""
    e = HOLedgerEntry
    with db.sessions() as session:
        return [tuple(row) for row in session.execute(
            select(HOTill.number, e.seq, e.entry_id, e.origin_store_id, e.origin_till_id,
                   e.created_at, e.ledger, e.kind, e.member_uuid, e.amount, e.sale_id,
                   e.refund_id, e.staff_id, e.reason, e.expires_on, e.ref_entry_id,
                   e.prev_hash, e.hash, e.source)
            .join(HOTill, HOTill.id == e.till_id).order_by(HOTill.number, e.seq))]


def chain_head(db: HeadOfficeDb, number: int) -> tuple[int, str]:
    with db.sessions() as session:
        head = session.execute(select(HOChainHead.last_seq, HOChainHead.last_hash)
                               .join(HOTill, HOTill.id == HOChainHead.till_id)
                               .where(HOTill.number == number)).one()
        return int(head[0]), str(head[1])


def gap_rows(db: HeadOfficeDb) -> list[tuple[int, int, bool]]:
    """(from, to, still open) of every gap row."""
    with db.sessions() as session:
        return [(int(a), int(b), r is None) for a, b, r in session.execute(
            select(HOGap.from_seq, HOGap.to_seq, HOGap.resolved_at).order_by(HOGap.id))]


def till_ledger(path: Path) -> list[tuple[int, str]]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute("SELECT seq, hash FROM ledger_entries ORDER BY seq").fetchall()
    finally:
        connection.close()


def till_balances(path: Path) -> dict[tuple[str, str], int]:
    """The till's cached balances, (member uuid, ledger) -> amount, zeros left out."""
    connection = sqlite3.connect(path)
    try:
        balances = {}
        for uuid, points, stored in connection.execute(
                "SELECT uuid, points_balance, stored_value_balance FROM members"):
            balances[(uuid, "points")] = points
            balances[(uuid, "stored_value")] = stored
        return {key: value for key, value in balances.items() if value}
    finally:
        connection.close()


def headoffice_totals(db: HeadOfficeDb, number: int | None = None) -> dict[tuple[str, str], int]:
    """Sum of the held amounts by (member uuid, ledger), zeros left out."""
    e = HOLedgerEntry
    query = (select(e.member_uuid, e.ledger, func.sum(e.amount))
             .join(HOTill, HOTill.id == e.till_id).group_by(e.member_uuid, e.ledger))
    if number is not None:
        query = query.where(HOTill.number == number)
    with db.sessions() as session:
        return {(uuid, ledger): int(total) for uuid, ledger, total in session.execute(query)
                if total}


def rewrite(source: Path, out: Path, change: Callable[[list[bytes]], list[bytes]],
            sign_with: bytes | None = None) -> Path:
    """Decompress, let `change` edit the lines (header, entries, trailer; each with its
    newline), optionally replace the trailer by a signature made with `sign_with`, and
    compress again — what someone editing a file by hand would do."""
    lines = gzip.decompress(source.read_bytes()).splitlines(keepends=True)
    lines = change(lines)
    if sign_with is not None:
        body = b"".join(lines[:-1])
        lines = [*lines[:-1], encode_line({"signature": sign(sign_with, body)})]
    out.write_bytes(gzip.compress(b"".join(lines)))
    return out


def edit_json_line(lines: list[bytes], index: int, **changes: object) -> list[bytes]:
    item = json.loads(lines[index])
    item.update(changes)
    return [*lines[:index], encode_line(item), *lines[index + 1:]]


