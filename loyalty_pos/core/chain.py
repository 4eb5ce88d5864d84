"""Canonical form and hash chain of ledger entries.

Each till keeps one chain over all its ledger entries (points and stored value), ordered by its
gapless sequence number. ``hash = sha256(prev_hash || canonical(entry))``. Head office and
``loyalty-pos verify`` recompute it; any edited, removed or reordered entry breaks the chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping

GENESIS_HASH = "0" * 64

# The fields that make up an entry's identity. Order does not matter (keys are sorted).
CHAIN_FIELDS = (
    "id", "store_id", "till_id", "seq", "created_at", "ledger", "kind", "member_id",
    "amount", "sale_id", "refund_id", "staff_id", "reason", "expires_on", "ref_entry_id",
)


def canonical(entry: Mapping[str, object]) -> bytes:
    """Deterministic bytes of the chained fields: sorted keys, no spaces, UTF-8."""
    body = {name: entry.get(name) for name in CHAIN_FIELDS}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(prev_hash: str, entry: Mapping[str, object]) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + canonical(entry)).hexdigest()


def chain_problems(entries: Iterable[Mapping[str, object]]) -> list[str]:
    """Check a till's entries in sequence order: gapless from 1, prev_hash links, hashes match."""
    problems: list[str] = []
    expected_seq = 1
    prev = GENESIS_HASH
    for entry in entries:
        seq = entry["seq"]
        if seq != expected_seq:
            problems.append(f"sequence gap: expected {expected_seq}, found {seq}")
        if entry["prev_hash"] != prev:
            problems.append(f"entry {seq}: prev_hash does not link to entry {seq - 1}")
        if entry_hash(str(entry["prev_hash"]), entry) != entry["hash"]:
            problems.append(f"entry {seq}: hash does not match its content (edited?)")
        prev = str(entry["hash"])
        expected_seq = int(seq) + 1
    return problems
