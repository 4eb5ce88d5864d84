"""`loyalty-pos verify`: recompute every balance from the ledgers and check every chain.

Reads only. Each check returns sentences naming what is wrong; an empty list means all holds.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from ..core.chain import chain_problems

LIMIT = 50  # problems listed per check; a broken database should not print a million lines

_ENTRY_COLUMNS = ("id, store_id, till_id, seq, created_at, ledger, kind, member_uuid, amount, "
                  "sale_id, refund_id, staff_id, reason, expires_on, ref_entry_id, prev_hash, "
                  "hash")


def _entries(connection: sqlite3.Connection, till_id: int) -> Iterator[dict[str, object]]:
    names = [n.strip() for n in _ENTRY_COLUMNS.split(",")]
    cursor = connection.execute(
        f"SELECT {_ENTRY_COLUMNS} FROM ledger_entries WHERE till_id = ? ORDER BY seq", (till_id,))
    for row in cursor:
        entry = dict(zip(names, row, strict=True))
        entry["member_id"] = entry.pop("member_uuid")
        yield entry


def check_integrity(connection: sqlite3.Connection) -> list[str]:
    result = [r[0] for r in connection.execute("PRAGMA integrity_check")]
    return [] if result == ["ok"] else [f"sqlite integrity_check: {line}" for line in result]


def check_chains(connection: sqlite3.Connection) -> list[str]:
    problems: list[str] = []
    tills = connection.execute("SELECT id, number, last_seq, last_hash FROM tills").fetchall()
    for till_id, number, last_seq, last_hash in tills:
        entries = list(_entries(connection, till_id))
        problems += [f"till {number}: {p}" for p in chain_problems(entries)[:LIMIT]]
        head_seq = entries[-1]["seq"] if entries else 0
        head_hash = entries[-1]["hash"] if entries else "0" * 64
        if (head_seq, head_hash) != (last_seq, last_hash):
            problems.append(f"till {number}: chain head is seq {last_seq} but the ledger "
                            f"ends at seq {head_seq} (entries missing or added)")
    return problems


_BALANCE_SQL = """
SELECT m.id, m.points_balance, m.stored_value_balance,
       COALESCE(SUM(CASE WHEN e.ledger = 'points' THEN e.amount END), 0),
       COALESCE(SUM(CASE WHEN e.ledger = 'stored_value' THEN e.amount END), 0)
FROM members m LEFT JOIN ledger_entries e ON e.member_uuid = m.uuid
GROUP BY m.id
HAVING m.points_balance != COALESCE(SUM(CASE WHEN e.ledger = 'points' THEN e.amount END), 0)
    OR m.stored_value_balance
       != COALESCE(SUM(CASE WHEN e.ledger = 'stored_value' THEN e.amount END), 0)
LIMIT ?
"""


def check_balances(connection: sqlite3.Connection) -> list[str]:
    return [f"member {mid}: cached points {p} / stored value {s} but the ledger says "
            f"{lp} / {ls}" for mid, p, s, lp, ls in connection.execute(_BALANCE_SQL, (LIMIT,))]


_NEGATIVE_SV_SQL = """
SELECT member_uuid, till_id, seq, running FROM (
  SELECT member_uuid, till_id, seq,
         SUM(amount) OVER (PARTITION BY member_uuid ORDER BY created_at, till_id, seq) AS running
  FROM ledger_entries WHERE ledger = 'stored_value')
WHERE running < 0 LIMIT ?
"""


def check_stored_value_never_negative(connection: sqlite3.Connection) -> list[str]:
    return [f"member {m}: stored value went negative ({r}) at till {t} seq {s}"
            for m, t, s, r in connection.execute(_NEGATIVE_SV_SQL, (LIMIT,))]


_LOT_SQL = """
SELECT l.entry_id, l.points, l.remaining, e.amount, e.ledger,
       COALESCE((SELECT SUM(a.points) FROM lot_allocations a WHERE a.lot_entry_id = l.entry_id), 0)
FROM point_lots l LEFT JOIN ledger_entries e ON e.id = l.entry_id
"""
_MISSING_LOT_SQL = """
SELECT e.id FROM ledger_entries e LEFT JOIN point_lots l ON l.entry_id = e.id
WHERE e.ledger = 'points' AND e.amount > 0 AND l.entry_id IS NULL LIMIT ?
"""
_OVER_ALLOCATED_SQL = """
SELECT e.id, e.amount, SUM(a.points) FROM lot_allocations a
JOIN ledger_entries e ON e.id = a.entry_id
GROUP BY e.id HAVING SUM(a.points) > -e.amount OR e.amount >= 0 LIMIT ?
"""
_DEBT_SQL = """
SELECT m.id, m.points_balance,
  COALESCE((SELECT SUM(remaining) FROM point_lots l
            WHERE l.member_uuid = m.uuid AND l.remaining > 0), 0)  -- the partial index
  - COALESCE((SELECT SUM(-e.amount - COALESCE((SELECT SUM(a.points) FROM lot_allocations a
                                              WHERE a.entry_id = e.id), 0))
              FROM ledger_entries e
              WHERE e.member_uuid = m.uuid AND e.ledger = 'points' AND e.amount < 0), 0)
FROM members m
"""


def check_lots(connection: sqlite3.Connection) -> list[str]:
    problems: list[str] = []
    for lot_id, points, remaining, amount, ledger, allocated in connection.execute(_LOT_SQL):
        if ledger != "points" or amount != points:
            problems.append(f"lot {lot_id}: holds {points} points but its entry says {amount}")
        elif remaining != points - allocated or remaining < 0:
            problems.append(f"lot {lot_id}: {remaining} left but {points} - {allocated} "
                            f"allocated = {points - allocated}")
        if len(problems) >= LIMIT:
            return problems
    problems += [f"entry {e}: earned points without a lot"
                 for (e,) in connection.execute(_MISSING_LOT_SQL, (LIMIT,))]
    problems += [f"entry {e}: allocations of {s} points exceed what it took ({-a})"
                 for e, a, s in connection.execute(_OVER_ALLOCATED_SQL, (LIMIT,))]
    for member_id, balance, from_lots in connection.execute(_DEBT_SQL):
        if balance != from_lots:
            problems.append(f"member {member_id}: balance {balance} but open lots minus debt "
                            f"is {from_lots}")
            if len(problems) >= 2 * LIMIT:
                break
    return problems


_REMOTE_SQL = """
SELECT m.id, r.ledger, r.elsewhere, r.outstanding,
       COALESCE((SELECT SUM(e.amount) FROM ledger_entries e
                 WHERE e.member_uuid = r.member_uuid AND e.ledger = r.ledger
                   AND e.kind = 'remote_sync'), 0)
FROM remote_balances r JOIN members m ON m.uuid = r.member_uuid
"""


def check_remote_balances(connection: sqlite3.Connection) -> list[str]:
    """What is outstanding of head office's figure (sync/apply.py) is that figure less the
    member's remote_sync entries here."""
    problems: list[str] = []
    for member_id, ledger, elsewhere, outstanding, taken in connection.execute(_REMOTE_SQL):
        if outstanding != elsewhere - taken:
            problems.append(f"member {member_id}: {ledger} at other tills {elsewhere}, taken "
                            f"here {taken}, but {outstanding} recorded as outstanding")
            if len(problems) >= LIMIT:
                break
    return problems


CHECKS = (
    ("SQLite integrity", check_integrity),
    ("hash chains and sequences", check_chains),
    ("cached balances", check_balances),
    ("stored value never negative", check_stored_value_never_negative),
    ("point lots and allocations", check_lots),
    ("balances at other tills", check_remote_balances),
)


def verify_database(connection: sqlite3.Connection) -> dict[str, list[str]]:
    """Run every check; returns {check name: problems}."""
    return {name: check(connection) for name, check in CHECKS}
