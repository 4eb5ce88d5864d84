"""Writing the change log (`ho_changes`): what tills pull (changes.py reads it).

Every writer takes `lock_change_log` before its first row and keeps it to COMMIT (below).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from .models import HOChange

# pg_advisory_xact_lock key of the change log (the bytes of "loyalty")
CHANGE_LOG_LOCK = 0x6C6F79616C7479


def lock_change_log(session: Session) -> None:
    """Take the change log for the rest of the transaction, before appending to it.

    Why: a till's cursor is the highest change id it applied, so ids must become visible in
    id order. On PostgreSQL ids come from a sequence when rows are inserted, and two
    transactions may commit in the other order: a till pulling in between would move past the
    lower id and never see it. Holding this lock from the first appended row to COMMIT makes
    the writers of the log take turns, so ids commit in order (writers take it at the end of
    their work, after their till's row lock, so it is held briefly). SQLite has one writer at
    a time already (BEGIN IMMEDIATE)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHANGE_LOG_LOCK})


def append_change(session: Session, kind: str, key: str, origin_till_id: int | None,
                  now: datetime) -> None:
    """Append one row; the caller holds lock_change_log."""
    session.add(HOChange(kind=kind, key=key, origin_till_id=origin_till_id, at=now))


def agreement_key(kind: str, version: str) -> str:
    return f"{kind}/{version}"
