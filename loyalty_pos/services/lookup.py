"""Finding members fast: by scan, card number, phone prefix or name substring.

These are the hottest reads of the till (every scan), so they run plain SQL on a sqlite3
connection instead of an ORM Session: an indexed card lookup costs a few microseconds raw and
about 120 µs through a Session per lookup (measured, see `loyalty-pos bench`).

Name search uses the FTS5 trigram index for 3 characters or more (substring anywhere in the name);
for 1-2 characters it matches the start of the name (a surname), through the name index. Phone
search is a prefix range on the phone index. Never LIKE '%x%' over the whole table.

Thread: a MemberFinder holds one connection; use it from one thread at a time.
"""

from __future__ import annotations

import sqlite3
import time
from datetime import date

from sqlalchemy.orm import Session

from ..core.ecard import card_number_from_scan
from ..core.errors import InvalidInput, NotFound
from .views import MemberSummary

SEARCH_LIMIT = 20

_SUMMARY_SQL = """
SELECT m.id, m.uuid, m.name, m.phone, m.tier_code, m.points_balance, m.stored_value_balance,
       m.status,
       (SELECT c.number FROM cards c WHERE c.member_id = m.id AND c.status = 'active')
FROM members m WHERE m.id = ?
"""
_CARD_SQL = "SELECT member_id, status FROM cards WHERE number = ?"
# This till's own lots only: a lot copied from another till by a `remote_sync` credit never
# expires here (that till expires it, and the expiry arrives as a negative remote_sync).
_EXPIRY_SQL = """
SELECT expires_on, SUM(remaining) FROM point_lots
WHERE member_uuid = ? AND remaining > 0 AND expires_on >= ?
  AND NOT EXISTS (SELECT 1 FROM ledger_entries e
                  WHERE e.id = point_lots.entry_id AND e.kind = 'remote_sync')
GROUP BY expires_on ORDER BY expires_on LIMIT 1
"""
_PHONE_SQL = ("SELECT id FROM members WHERE phone >= ? AND phone < ? ORDER BY phone LIMIT ?")
_NAME_FTS_SQL = "SELECT rowid FROM member_search WHERE member_search MATCH ? LIMIT ?"
_NAME_PREFIX_SQL = ("SELECT id FROM members WHERE name LIKE ? ESCAPE '\\' "
                    "ORDER BY name LIMIT ?")


def dbapi(session: Session) -> sqlite3.Connection:
    """The sqlite3 connection under a Session's transaction (sees its uncommitted rows)."""
    return session.connection().connection.dbapi_connection  # type: ignore[return-value]


def session_summary(session: Session, member_id: int, today: date) -> MemberSummary:
    """A member's summary inside a transaction, after flushing what it changed."""
    session.flush()
    return member_summary(dbapi(session), member_id, today)


def member_summary(connection: sqlite3.Connection, member_id: int, today: date,
                   blocked_card: str | None = None) -> MemberSummary:
    row = connection.execute(_SUMMARY_SQL, (member_id,)).fetchone()
    if row is None:
        raise NotFound(f"member {member_id} does not exist")
    expiry = connection.execute(_EXPIRY_SQL, (row[1], today.isoformat())).fetchone()
    return MemberSummary(
        id=row[0], uuid=row[1], name=row[2], phone=row[3], tier_code=row[4],
        points_balance=row[5], stored_value_balance=row[6], status=row[7],
        card_number=blocked_card or row[8], card_blocked=blocked_card is not None,
        soonest_expiry=date.fromisoformat(expiry[0]) if expiry else None,
        soonest_expiry_points=expiry[1] if expiry else 0)


class MemberFinder:
    """Read-only lookups on a dedicated connection."""

    def __init__(self, connection: sqlite3.Connection, chain_secret: bytes) -> None:
        self.connection = connection
        self.secret = chain_secret

    def by_scan(self, payload: str, today: date, now_unix: float | None = None
                ) -> MemberSummary:
        """A scanned card: printed EAN-13 or the electronic card's signed QR payload."""
        number = card_number_from_scan(str(payload), self.secret,
                                       time.time() if now_unix is None else now_unix)
        return self.by_card(number, today)

    def by_card(self, number: str, today: date) -> MemberSummary:
        """A blocked card still finds its member, flagged, so the till can warn the cashier."""
        row = self.connection.execute(_CARD_SQL, (number,)).fetchone()
        if row is None:
            raise NotFound(f"card {number} is not known at this till")
        blocked = number if row[1] != "active" else None
        return member_summary(self.connection, row[0], today, blocked)

    def search(self, query: str, today: date, limit: int = SEARCH_LIMIT) -> list[MemberSummary]:
        """Digits search phones by prefix; anything else searches names."""
        text = " ".join(str(query or "").split())
        if not text:
            raise InvalidInput("type part of a name or the start of a phone number")
        limit = max(1, min(int(limit), 200))
        compact = text.replace(" ", "").replace("-", "").removeprefix("+")
        if compact.isdigit():
            ids = self._phone_prefix(compact, limit)
        elif len(text) >= 3:
            phrase = '"' + text.replace('"', '""') + '"'
            ids = [r[0] for r in self.connection.execute(_NAME_FTS_SQL, (phrase, limit))]
        else:
            pattern = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            ids = [r[0] for r in self.connection.execute(_NAME_PREFIX_SQL, (pattern, limit))]
        return [member_summary(self.connection, member_id, today) for member_id in ids]

    def _phone_prefix(self, digits: str, limit: int) -> list[int]:
        if len(digits) > 15:
            raise InvalidInput("a phone number has at most 15 digits")
        upper = digits + ":"  # ':' sorts right after '9'
        return [r[0] for r in self.connection.execute(_PHONE_SQL, (digits, upper, limit))]
