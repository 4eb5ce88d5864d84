"""Pulling from head office: `/v1/changes` from `sync.pull_cursor` until `more` is false.

Each answer is fetched with no transaction open, then applied (apply.py) and its cursor stored
in one short write transaction: a crash between answers loses nothing and applies nothing
twice. The transaction first checks the cursor is still the one the answer was asked from, so
two syncs running at once never apply an older answer over a newer one.

Before the first request, what earlier pulls could not take (a stored-value debit beyond the
balance then, `remote_balances.outstanding`) is taken as far as the balance allows now, in a
short transaction of its own: the till's own movements since (a top-up here) never come back
in an answer. apply.py does the same after every answer. Thread: the caller's, never the GUI's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select

from ..db.engine import Database
from ..db.models import RemoteBalance
from ..services.context import TillContext, set_setting
from .apply import OUTSTANDING, ChangeApplier, apply_changes
from .client import SyncClient, SyncUnavailable
from .state import PULL_CURSOR_KEY, read_sync_settings

PULL_LIMIT = 500  # change rows per answer: keeps each applying transaction short


def pull_cursor(db: Database) -> int:
    with db.sessions() as session:
        return int(read_sync_settings(session).get(PULL_CURSOR_KEY) or 0)


def pull_changes(db: Database, client: SyncClient, clock: Callable[[], datetime], *,
                 limit: int | None = None) -> int:
    """Fetch and apply answers of at most `limit` change rows (default PULL_LIMIT) until head
    office has no more; returns the items applied."""
    limit = limit or PULL_LIMIT
    ctx = TillContext.open(db, clock)
    cursor = pull_cursor(db)
    applied = take_outstanding(db, ctx)
    while True:
        answer = client.changes(cursor, limit)
        new_cursor = answer.get("cursor")
        if type(new_cursor) is not int or new_cursor < cursor:
            raise SyncUnavailable(f"head office's changes answer has a bad cursor "
                                  f"({new_cursor!r} after {cursor})")
        with db.transaction() as session:
            if int(read_sync_settings(session).get(PULL_CURSOR_KEY) or 0) != cursor:
                # another sync (the till's relay and `loyalty-pos sync` at once) applied an
                # answer meanwhile: this one may be older than what it applied
                return applied
            applied += apply_changes(session, answer, till_id=ctx.till_id, now=ctx.now(),
                                     today=ctx.today())
            set_setting(session, PULL_CURSOR_KEY, str(new_cursor))
        if not answer.get("more") or new_cursor == cursor:
            return applied
        cursor = new_cursor


def take_outstanding(db: Database, ctx: TillContext) -> int:
    """Take what earlier pulls left outstanding (apply.ChangeApplier.take_outstanding); no
    write transaction when nothing is (a read of the partial index)."""
    with db.sessions() as session:
        if session.scalar(select(RemoteBalance.member_uuid).where(OUTSTANDING).limit(1)
                          ) is None:
            return 0
    with db.transaction() as session:
        return ChangeApplier(session, ctx.till_id, ctx.now(), ctx.today()).take_outstanding()
