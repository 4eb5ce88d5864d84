"""The till's sync state read from its settings, ledger and outbox (loyalty_pos/sync/state.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from loyalty_pos.core.program import ProgramRules
from loyalty_pos.services.checkout import PaymentRequest
from loyalty_pos.services.context import set_setting
from loyalty_pos.sync.state import (
    LAST_ATTEMPT_KEY,
    LAST_ERROR_KEY,
    LAST_SUCCESS_KEY,
    PUSHED_SEQ_KEY,
    SERVER_KEY,
    SyncState,
    parse_time,
    read_sync_state,
)

RULES = ProgramRules()


def _settings(till, **values: str) -> None:  # type: ignore[no-untyped-def]
    with till.db.transaction() as session:
        for key, value in values.items():
            set_setting(session, key, value)


def _state(till) -> SyncState:  # type: ignore[no-untyped-def]
    with till.db.sessions() as session:
        return read_sync_state(session, RULES, till.clock())


def _member_with_history(till) -> int:  # type: ignore[no-untyped-def]
    member = till.enrol("Sync Sam").summary
    till.balances.top_up(member.id, 50_000, "cash", till.cashier_id)
    till.sell([("BREAD", 3)], member.id)
    return member.id


def test_a_new_till_is_standalone_and_never_offline(till) -> None:  # type: ignore[no-untyped-def]
    state = _state(till)
    assert not state.registered and state.server == ""
    assert not state.offline and state.offline_for is None
    assert state.last_success_at is None and state.last_attempt_at is None
    assert state.last_error == "" and state.pushed_seq == 0
    assert state.pending_entries == 0 and state.pending_messages >= 0


def test_pending_counts_what_head_office_does_not_hold(till) -> None:  # type: ignore[no-untyped-def]
    before = _state(till)
    _member_with_history(till)
    last_seq = till.scalar("SELECT last_seq FROM tills")
    messages = till.scalar("SELECT COUNT(*) FROM outbox WHERE acked_at IS NULL")
    state = _state(till)
    assert state.pending_entries == last_seq > before.pending_entries
    assert state.pending_messages == messages > before.pending_messages
    _settings(till, **{PUSHED_SEQ_KEY: str(last_seq - 1)})
    assert _state(till).pending_entries == 1
    with till.db.transaction() as session:
        session.connection().exec_driver_sql(
            "UPDATE outbox SET acked_at = '2026-03-10 12:00:00'")
    assert _state(till).pending_messages == 0


def test_registered_never_synced_is_offline(till) -> None:  # type: ignore[no-untyped-def]
    _settings(till, **{SERVER_KEY: "https://ho.example", LAST_ERROR_KEY: "connection refused",
                       LAST_ATTEMPT_KEY: "2026-03-10T11:59:00Z"})
    state = _state(till)
    assert state.registered and state.server == "https://ho.example"
    assert state.offline and state.offline_for is None
    assert state.last_error == "connection refused"
    assert state.last_attempt_at == datetime(2026, 3, 10, 11, 59, tzinfo=UTC)


def test_offline_after_the_window(till) -> None:  # type: ignore[no-untyped-def]
    success = till.clock() - timedelta(minutes=60)
    _settings(till, **{SERVER_KEY: "https://ho.example", LAST_SUCCESS_KEY: success.isoformat()})
    assert not _state(till).offline                     # exactly 60 minutes: still online
    till.clock.advance(hours=1, minutes=10)
    state = _state(till)
    assert state.offline and state.offline_for == timedelta(hours=2, minutes=10)
    assert state.last_success_at == success


def test_offline_state_counts_unsynced_spending(till) -> None:  # type: ignore[no-untyped-def]
    member_id = _member_with_history(till)
    _settings(till, **{SERVER_KEY: "https://ho.example"})
    till.sell([("BREAD", 5)], member_id, payments=[PaymentRequest("stored_value", 5000)])
    state = _state(till)
    assert (state.unsynced_spent, state.stored_value_cap, state.stored_value_left) == (
        5000, 20_000, 15_000)


def test_session_and_connection_read_the_same(till) -> None:  # type: ignore[no-untyped-def]
    _member_with_history(till)
    _settings(till, **{SERVER_KEY: "https://ho.example", PUSHED_SEQ_KEY: "1"})
    connection = till.raw()
    try:
        raw = read_sync_state(connection, RULES, till.clock())
    finally:
        connection.close()
    assert raw == _state(till)


def test_times_are_read_as_utc() -> None:
    assert parse_time("2026-03-10T12:00:00Z") == datetime(2026, 3, 10, 12, tzinfo=UTC)
    assert parse_time("2026-03-10T20:00:00+08:00") == datetime(2026, 3, 10, 12, tzinfo=UTC)
    assert parse_time("2026-03-10T12:00:00") == datetime(2026, 3, 10, 12, tzinfo=UTC)
    assert parse_time("") is None and parse_time(None) is None and parse_time("soon") is None
