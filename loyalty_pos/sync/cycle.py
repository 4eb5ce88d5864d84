"""One sync of the till with head office, and pairing the till with it.

    register_till(db, server, code)     pair this till (loyalty-pos register)
    sync_once(db)                       ledger push, records push, pull (loyalty-pos sync, and
                                        the relay every 30 s)

Thread: both run on the caller's thread and block it for the length of the HTTP requests:
call them from the relay's thread or a command, never from the GUI thread. No write
transaction is held across a request (push.py, pull.py), so the till keeps selling meanwhile.
The outcome is also written to the `sync.*` settings, which the till's status bar reads
(state.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from ..core.errors import LoyaltyError, NotFound
from ..db.engine import Database
from ..db.models import Store, Till
from ..services import audit
from ..services.context import (
    CHAIN_SECRET_KEY,
    THIS_TILL_KEY,
    get_setting,
    load_rules,
    set_setting,
    utc_now,
)
from .backfill import QueuedHistory, queue_history
from .client import SyncClient, SyncRefused, SyncUnavailable
from .pull import pull_changes
from .push import LEDGER_BATCH, push_ledger, push_records, store_settings
from .state import (
    LAST_ATTEMPT_KEY,
    LAST_ERROR_KEY,
    LAST_SUCCESS_KEY,
    SERVER_KEY,
    TILL_KEY_KEY,
    read_sync_settings,
    read_sync_state,
)

log = logging.getLogger(__name__)

OK, UNREACHABLE, REFUSED, FAILED = "ok", "unreachable", "refused", "failed"


def _stamp(clock: Callable[[], datetime]) -> str:
    return clock().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _this_till(db: Database) -> tuple[Till, Store]:
    with db.sessions() as session:
        till_id = get_setting(session, THIS_TILL_KEY)
        till = session.get(Till, int(till_id)) if till_id else None
        if till is None:
            raise NotFound("this database has no till set up yet (run setup or demo)")
        store = session.get(Store, till.store_id)
        assert store is not None
        return till, store


# -- registration ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Registration:
    server: str
    till_number: int
    store_code: str
    server_time: str
    secret_replaced: bool  # the till had another chain secret (its e-cards no longer verify)
    queued: QueuedHistory | None = None  # history recorded before registration, now queued


def register_till(db: Database, server: str, code: str, http: httpx.Client | None = None,
                  clock: Callable[[], datetime] = utc_now, *, queue_old_history: bool = True
                  ) -> Registration:
    """Pair this till with head office using a registration code (`loyalty-headoffice
    add-till`). Stores the server, the till key and the chain secret in one transaction with
    an audit entry. Raises SyncRefused (bad, used or expired code; a code made for another
    till or store) or SyncUnavailable."""
    server = server.strip().rstrip("/")
    if not server.startswith(("http://", "https://")):
        raise SyncRefused(400, f"the server must be an http:// or https:// address, not "
                               f"{server!r}", "the registration")
    till, store = _this_till(db)
    with SyncClient(server, till.number, None, http) as client:
        answer = client.register(code.strip().upper(), store.code, till.id, store.id)
    key, secret = answer.get("key"), answer.get("chain_secret")
    if answer.get("till_number") != till.number or not _is_hex(key) or not _is_hex(secret):
        raise SyncUnavailable(f"head office's answer to the registration is not as expected "
                              f"(till {answer.get('till_number')})")
    with db.transaction() as session:
        replaced = get_setting(session, CHAIN_SECRET_KEY) not in (None, secret)
        set_setting(session, SERVER_KEY, server)
        set_setting(session, TILL_KEY_KEY, str(key))
        set_setting(session, CHAIN_SECRET_KEY, str(secret))
        set_setting(session, LAST_ERROR_KEY, "")
        now = clock().astimezone(UTC).replace(tzinfo=None)
        # queue_old_history=False: the drain benchmark measures a ledger backlog, not the
        # one-off backfill of a demo till's history (sync/backfill.py)
        queued = (queue_history(session, till.id, now) if queue_old_history
                  else QueuedHistory(0, 0, 0, 0))
        audit.record(session, at=now, staff_id=None, till_id=till.id,
                     action="till_registered", target=f"till:{till.number}",
                     server=server, store=store.code, queued=queued.total)
    return Registration(server, till.number, store.code, str(answer.get("server_time", "")),
                        replaced, queued)


def _is_hex(value: object) -> bool:
    try:
        return isinstance(value, str) and len(bytes.fromhex(value)) >= 16
    except ValueError:
        return False


# -- one sync --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SyncReport:
    entries_pushed: int = 0       # how far sync.pushed_seq moved
    messages_pushed: int = 0      # outbox messages head office acknowledged
    changes_applied: int = 0      # items of /v1/changes applied here
    pushed_seq: int = 0
    pending_entries: int = 0      # ledger entries head office does not hold yet
    pending_messages: int = 0     # outbox messages not yet acknowledged
    error: str | None = None
    outcome: str = OK             # ok | unreachable (retry soon) | refused | failed (next cycle)

    @property
    def ok(self) -> bool:
        return self.outcome == OK

    def summary(self) -> str:
        done = (f"pushed {self.entries_pushed:,} ledger entries (through seq "
                f"{self.pushed_seq:,}) and {self.messages_pushed:,} records, applied "
                f"{self.changes_applied:,} changes; pending {self.pending_entries:,} entries, "
                f"{self.pending_messages:,} records")
        return done if self.ok else f"{done}\n{self.outcome}: {self.error}"


@dataclass
class _Progress:
    entries: int = 0
    messages: int = 0
    changes: int = 0
    errors: list[str] | None = None
    outcome: str = OK
    ledger_ok: bool = True

    def record_error(self, error: LoyaltyError, outcome: str) -> None:
        self.errors = [*(self.errors or []), str(error)]
        if self.outcome == OK:
            self.outcome = outcome


def sync_once(db: Database, *, server: str | None = None, http: httpx.Client | None = None,
              clock: Callable[[], datetime] | None = None,
              batch_entries: int = LEDGER_BATCH) -> SyncReport:
    """Push the ledger, push the records, pull the changes, push the ledger entries the pull
    wrote; record the outcome in `sync.*`.

    `server` overrides the stored sync.server for this call; `http` is the HTTP client to use
    (tests pass a TestClient); `clock` is the till's clock (times written to the database).
    Never raises for a network or head-office problem: the report says what happened. A step
    head office refuses does not stop the next one (an unknown till, 401, does); an
    unreachable head office stops the cycle.
    """
    clock = clock or utc_now
    with db.sessions() as session:
        settings = read_sync_settings(session)
    server = (server or settings.get(SERVER_KEY) or "").strip()
    key = settings.get(TILL_KEY_KEY) or ""
    store_settings(db, {LAST_ATTEMPT_KEY: _stamp(clock)})
    progress = _Progress()
    if not server or not key:
        progress.record_error(LoyaltyError("this till is not registered with head office (run "
                                      "loyalty-pos register)"), REFUSED)
    else:
        _run_steps(db, SyncClient(server, _this_till(db)[0].number, key, http), clock,
                   batch_entries, progress)
    return _finish(db, clock, progress)


def _run_steps(db: Database, client: SyncClient, clock: Callable[[], datetime],
               batch_entries: int, progress: _Progress) -> None:
    def ledger() -> None:
        progress.entries += push_ledger(db, client, clock, batch_entries=batch_entries
                                        ).entries_pushed

    def records() -> None:
        progress.messages = push_records(db, client, clock)

    def pull() -> None:
        progress.changes = pull_changes(db, client, clock)

    def ledger_again() -> None:
        """What the pull wrote (remote_sync entries) goes at once; no request when nothing
        is pending, and no second try of a ledger push that was refused."""
        if progress.ledger_ok:
            ledger()

    try:
        for step in (ledger, records, pull, ledger_again):
            went, go_on = _attempt(step, progress)
            if step is ledger and not went:
                progress.ledger_ok = False
            if not go_on:
                return
    finally:
        client.close()


def _attempt(step: Callable[[], None], progress: _Progress) -> tuple[bool, bool]:
    """Run one step; (it went, the next steps may go on). An unreachable head office or an
    unknown till (401) ends the cycle; any other refusal or failure ends only this step."""
    try:
        step()
    except SyncRefused as exc:
        progress.record_error(exc, REFUSED)
        return False, exc.status != 401
    except SyncUnavailable as exc:
        progress.record_error(exc, UNREACHABLE)
        return False, False
    except (LoyaltyError, ValueError, TypeError, KeyError) as exc:
        # the till's own data (a broken chain) or an answer that does not fit the protocol
        log.exception("sync step %s failed", step.__name__)
        progress.record_error(LoyaltyError(f"{step.__name__}: {exc}"), FAILED)
        return False, True
    return True, True


def _finish(db: Database, clock: Callable[[], datetime], progress: _Progress) -> SyncReport:
    error = "; ".join(progress.errors or []) or None
    values = {LAST_ERROR_KEY: (error or "")[:1000]}
    if error is None:
        values[LAST_SUCCESS_KEY] = _stamp(clock)
    store_settings(db, values)
    with db.sessions() as session:
        state = read_sync_state(session, load_rules(session), clock())
    if error:
        log.warning("sync %s: %s", progress.outcome, error)
    return SyncReport(progress.entries, progress.messages, progress.changes, state.pushed_seq,
                      state.pending_entries, state.pending_messages, error, progress.outcome)

