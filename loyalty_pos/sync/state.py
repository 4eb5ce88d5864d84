"""The till's sync state as the till shows and enforces it (docs/sync-protocol.md, "Till side").

Qt-free and HTTP-free: it only reads the till database. The keys below are the till settings the
sync client writes (`sync.*`); a missing key reads as 0 or empty. Any thread may call these
functions with its own Session or sqlite3 connection.

Offline means: registered with head office and the last successful sync is older than
`ProgramRules.offline_window_minutes`, or there never was one. A till that was never registered
(no `sync.server`) is a standalone till: it is never offline and has no offline cap, because
there is no head office whose balances it could run ahead of.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from ..core.program import ProgramRules

SERVER_KEY = "sync.server"
TILL_KEY_KEY = "sync.till_key"
PUSHED_SEQ_KEY = "sync.pushed_seq"
PUSHED_MESSAGE_KEY = "sync.pushed_message_id"
PULL_CURSOR_KEY = "sync.pull_cursor"
LAST_ATTEMPT_KEY = "sync.last_attempt_at"
LAST_SUCCESS_KEY = "sync.last_success_at"
LAST_ERROR_KEY = "sync.last_error"

# Stored-value kinds that spend the member's money at this till. `merge_out` is not spending
# (its `merge_in` puts the same money back at the same till), and `remote_sync` mirrors
# movements head office already holds.
SPENDING_KINDS = ("pay",)

Reader = Session | sqlite3.Connection


@dataclass(frozen=True)
class SyncState:
    registered: bool
    server: str
    pending_entries: int          # ledger entries above sync.pushed_seq
    pending_messages: int         # outbox rows head office has not acknowledged
    last_success_at: datetime | None   # aware UTC
    last_attempt_at: datetime | None   # aware UTC
    last_error: str
    offline: bool
    offline_for: timedelta | None      # since the last success; None when never synced
    pushed_seq: int = 0
    stored_value_cap: int = 0          # ProgramRules.offline_stored_value_cap
    unsynced_spent: int = 0            # stored value spent here above sync.pushed_seq
    currency_symbol: str = ""          # for showing the cap

    @property
    def stored_value_left(self) -> int:
        """What may still be paid with stored value while offline (not below zero)."""
        return max(0, self.stored_value_cap - self.unsynced_spent)


def _rows(reader: Reader, sql: str, params: dict[str, Any]) -> list[tuple]:
    if isinstance(reader, sqlite3.Connection):
        return reader.execute(sql, params).fetchall()
    return [tuple(row) for row in reader.execute(text(sql), params)]


def read_sync_settings(reader: Reader) -> dict[str, str]:
    """Every `sync.*` setting, one query."""
    return dict(_rows(reader, "SELECT key, value FROM settings WHERE key LIKE 'sync.%'", {}))


def parse_time(value: str | None) -> datetime | None:
    """An ISO 8601 time as stored by the client; naive times are UTC. Unreadable: None."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _as_utc(now: datetime) -> datetime:
    return now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)


def _int(value: str | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return 0


def pushed_seq(settings: dict[str, str]) -> int:
    return _int(settings.get(PUSHED_SEQ_KEY))


def is_registered(settings: dict[str, str]) -> bool:
    return bool((settings.get(SERVER_KEY) or "").strip())


def is_offline(settings: dict[str, str], rules: ProgramRules, now: datetime) -> bool:
    """Registered, and never synced or the last success is older than the offline window."""
    if not is_registered(settings):
        return False
    last = parse_time(settings.get(LAST_SUCCESS_KEY))
    window = timedelta(minutes=rules.offline_window_minutes)
    return last is None or _as_utc(now) - last > window


def this_till_id(reader: Reader) -> int:
    rows = _rows(reader, "SELECT value FROM settings WHERE key = 'this_till_id'", {})
    return int(rows[0][0]) if rows else 0


def unsynced_stored_value_spent(reader: Reader, till_id: int, pushed: int) -> int:
    """Stored value this till's members spent here in entries head office does not hold yet
    (seq above `pushed`), as a positive amount. One query on the (till_id, seq) index."""
    marks = ", ".join(f":kind{i}" for i in range(len(SPENDING_KINDS)))
    params: dict[str, Any] = {f"kind{i}": kind for i, kind in enumerate(SPENDING_KINDS)}
    rows = _rows(reader, "SELECT COALESCE(SUM(amount), 0) FROM ledger_entries "
                         "WHERE till_id = :till AND seq > :pushed AND ledger = 'stored_value' "
                         f"AND amount < 0 AND kind IN ({marks})",
                 params | {"till": till_id, "pushed": pushed})
    return -int(rows[0][0])


def _pending(reader: Reader, till_id: int, pushed: int) -> tuple[int, int]:
    rows = _rows(reader, "SELECT (SELECT last_seq FROM tills WHERE id = :till), "
                         "(SELECT COUNT(*) FROM outbox WHERE acked_at IS NULL)", {"till": till_id})
    last_seq, messages = rows[0]
    return max(0, (last_seq or 0) - pushed), int(messages)


def read_sync_state(reader: Reader, rules: ProgramRules, now: datetime,
                    till_id: int | None = None) -> SyncState:
    """Any thread, with its own Session or sqlite3 connection. `now`: aware, or naive UTC."""
    till_id = this_till_id(reader) if till_id is None else till_id
    settings = read_sync_settings(reader)
    pushed = pushed_seq(settings)
    entries, messages = _pending(reader, till_id, pushed)
    last_success = parse_time(settings.get(LAST_SUCCESS_KEY))
    offline = is_offline(settings, rules, now)
    return SyncState(
        registered=is_registered(settings), server=(settings.get(SERVER_KEY) or "").strip(),
        pending_entries=entries, pending_messages=messages, last_success_at=last_success,
        last_attempt_at=parse_time(settings.get(LAST_ATTEMPT_KEY)),
        last_error=settings.get(LAST_ERROR_KEY) or "", offline=offline,
        offline_for=(_as_utc(now) - last_success) if offline and last_success else None,
        pushed_seq=pushed, stored_value_cap=rules.offline_stored_value_cap,
        unsynced_spent=unsynced_stored_value_spent(reader, till_id, pushed) if offline else 0,
        currency_symbol=rules.currency_symbol)
