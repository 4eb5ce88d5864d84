"""The offline stored-value cap (docs/sync-protocol.md, "Till side"): while a registered till has
not reached head office within `offline_window_minutes`, its stored-value spending not yet stored
at head office stays under `offline_stored_value_cap` (default 200.00). A standalone till (never
registered) has no cap."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from loyalty_pos.core.errors import Conflict
from loyalty_pos.services.checkout import PaymentRequest, SaleRequest
from loyalty_pos.services.context import set_setting
from loyalty_pos.services.refunds import RefundRequest
from loyalty_pos.sync.state import (
    LAST_SUCCESS_KEY,
    PUSHED_SEQ_KEY,
    SERVER_KEY,
    unsynced_stored_value_spent,
)

CAP = 20_000   # ProgramRules.offline_stored_value_cap default, minor units
BREAD = 1000


def _settings(till, **values: str) -> None:  # type: ignore[no-untyped-def]
    with till.db.transaction() as session:
        for key, value in values.items():
            set_setting(session, key, value)


def register(till, synced_minutes_ago: float | None = None) -> None:  # type: ignore[no-untyped-def]
    """What the sync client leaves behind: a server and, when given, a last success."""
    values = {SERVER_KEY: "https://ho.example"}
    if synced_minutes_ago is not None:
        moment = till.clock() - timedelta(minutes=synced_minutes_ago)
        values[LAST_SUCCESS_KEY] = moment.isoformat()
    _settings(till, **values)


def mark_pushed(till) -> None:  # type: ignore[no-untyped-def]
    """Head office stored every ledger entry of this till so far."""
    last_seq = till.scalar("SELECT last_seq FROM tills WHERE id = ?", till.ctx.till_id)
    _settings(till, **{PUSHED_SEQ_KEY: str(last_seq)})


@pytest.fixture
def member_id(till) -> int:  # type: ignore[no-untyped-def]
    member = till.enrol("Stored Value Sue").summary
    till.balances.top_up(member.id, 100_000, "cash", till.cashier_id)
    return member.id


def pay_stored_value(till, member_id: int, breads: int, *,  # type: ignore[no-untyped-def]
                     staff_id: int | None = None):
    """A sale of `breads` loaves paid wholly with stored value."""
    return till.checkout.complete_sale(SaleRequest(
        str(uuid.uuid4()), staff_id or till.cashier_id, [("BREAD", breads)], member_id, 0,
        [PaymentRequest("stored_value", breads * BREAD)]))


def test_a_standalone_till_has_no_cap(till, member_id) -> None:  # type: ignore[no-untyped-def]
    pay_stored_value(till, member_id, 30)
    pay_stored_value(till, member_id, 30)


def test_an_online_till_spends_past_the_cap(till, member_id) -> None:  # type: ignore[no-untyped-def]
    register(till, synced_minutes_ago=5)
    pay_stored_value(till, member_id, 30)
    till.clock.advance(minutes=50)      # 55 minutes since the last success: still inside 60
    pay_stored_value(till, member_id, 30)


def test_offline_over_the_cap_is_refused_and_nothing_is_written(  # type: ignore[no-untyped-def]
        till, member_id, snapshot) -> None:
    register(till, synced_minutes_ago=5)
    till.clock.advance(minutes=60, seconds=1)   # just outside the window
    pay_stored_value(till, member_id, 15)       # 150.00 of 200.00
    before = snapshot()
    with pytest.raises(Conflict) as refused:
        pay_stored_value(till, member_id, 6)    # 60.00 more would be 210.00
    message = str(refused.value)
    assert "offline: stored value spending at this till is limited to ¥200.00" in message
    assert "¥150.00 already spent" in message and "¥50.00 left" in message
    assert "A manager cannot override this" in message
    assert snapshot() == before
    pay_stored_value(till, member_id, 5)        # exactly the cap
    with till.db.sessions() as session:
        assert unsynced_stored_value_spent(session, till.ctx.till_id, 0) == CAP


def test_a_manager_cannot_override_the_cap(till, member_id) -> None:  # type: ignore[no-untyped-def]
    register(till)                              # registered, never synced: offline
    with pytest.raises(Conflict, match="A manager cannot override"):
        pay_stored_value(till, member_id, 21, staff_id=till.manager_id)


def test_other_payments_are_not_capped_offline(till, member_id) -> None:  # type: ignore[no-untyped-def]
    register(till)
    pay_stored_value(till, member_id, 20)
    till.sell([("BREAD", 30)], member_id)       # cash: no cap
    with pytest.raises(Conflict):
        pay_stored_value(till, member_id, 1)


def test_the_cap_frees_when_head_office_has_the_entries(  # type: ignore[no-untyped-def]
        till, member_id) -> None:
    register(till, synced_minutes_ago=120)
    pay_stored_value(till, member_id, 20)
    with pytest.raises(Conflict):
        pay_stored_value(till, member_id, 1)
    mark_pushed(till)                                     # pushed, but still offline
    pay_stored_value(till, member_id, 20)
    with pytest.raises(Conflict):
        pay_stored_value(till, member_id, 1)
    register(till, synced_minutes_ago=0)                  # a success: online again
    pay_stored_value(till, member_id, 30)


def test_the_cap_and_window_are_program_settings(till, member_id) -> None:  # type: ignore[no-untyped-def]
    register(till, synced_minutes_ago=90)
    till_rules = {"offline_window_minutes": "120", "offline_stored_value_cap": "5000"}
    _settings(till, **till_rules)
    pay_stored_value(till, member_id, 30)       # 90 minutes is inside a 120-minute window
    mark_pushed(till)                           # ... and head office has it
    till.clock.advance(minutes=31)
    pay_stored_value(till, member_id, 5)
    with pytest.raises(Conflict, match=r"limited to ¥50\.00"):
        pay_stored_value(till, member_id, 1)


def test_only_spending_counts(till, member_id) -> None:  # type: ignore[no-untyped-def]
    """Top-ups, refunds given back and points are not stored-value spending."""
    register(till)
    till.sell([("BREAD", 2)], member_id)
    sale = pay_stored_value(till, member_id, 3)
    till.refunds.refund(RefundRequest(str(uuid.uuid4()), sale.sale_id, till.cashier_id))
    with till.db.sessions() as session:
        assert unsynced_stored_value_spent(session, till.ctx.till_id, 0) == 3 * BREAD
