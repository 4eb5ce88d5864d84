"""Ledger entry kinds that more than one package must agree on."""

from __future__ import annotations

# A till's copy of a member's movements at other tills (sync/apply.py). Head office already
# holds the entries it mirrors, so it leaves `remote_sync` out of every chain-wide figure; a
# till never expires the points lots it creates (the till that earned them expires them, and
# that expiry arrives here as a negative `remote_sync`).
REMOTE_SYNC = "remote_sync"
