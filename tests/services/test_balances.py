"""Stored value, points adjustments and expiry, staff sign-in, the day report and tier reviews."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from loyalty_pos.core.errors import (
    InsufficientBalance,
    InvalidInput,
    LockedOut,
    NotFound,
    PermissionDenied,
)
from loyalty_pos.db.models import Store, Till
from loyalty_pos.services.checkout import CheckoutService, PaymentRequest, SaleRequest
from loyalty_pos.services.context import TillContext
from loyalty_pos.services.refunds import RefundRequest
from loyalty_pos.services.reports import ReportService

Snapshot = Callable[[], dict[str, object]]


# --------------------------------------------------------------------------------------------
# stored value


def test_top_up_cash_and_card(till) -> None:  # type: ignore[no-untyped-def]
    member = till.enrol("Ann Lee").summary
    summary = till.balances.top_up(member.id, 5000, "cash", till.cashier_id)
    assert summary.stored_value_balance == 5000
    summary = till.balances.top_up(member.id, 2550, "card", till.cashier_id, reference=" T-1 ")
    assert summary.stored_value_balance == 7550
    assert till.rows("SELECT ledger, kind, amount, reason, staff_id FROM ledger_entries "
                     "ORDER BY seq") == [
        ("stored_value", "top_up", 5000, "cash", till.cashier_id),
        ("stored_value", "top_up", 2550, "card:T-1", till.cashier_id)]
    with pytest.raises(InvalidInput, match="card top-up needs the terminal's reference"):
        till.balances.top_up(member.id, 100, "card", till.cashier_id)
    with pytest.raises(InvalidInput, match="top-up method must be cash or card"):
        till.balances.top_up(member.id, 100, "stored_value", till.cashier_id)
    assert till.problems() == {}


def test_stored_value_maximum_balance(till, snapshot: Snapshot) -> None:  # type: ignore[no-untyped-def]
    member = till.enrol("Ann Lee").summary
    till.balances.top_up(member.id, 499_999, "cash", till.cashier_id)
    before = snapshot()
    with pytest.raises(InvalidInput, match=r"may not exceed 5,000\.00"):
        till.balances.top_up(member.id, 2, "cash", till.cashier_id)
    assert snapshot() == before
    assert till.balances.top_up(member.id, 1, "cash", till.cashier_id).stored_value_balance == (
        500_000)


# --------------------------------------------------------------------------------------------
# points adjustments and expiry


def test_adjust_points_needs_a_manager_and_a_reason(till, snapshot: Snapshot) -> None:  # type: ignore[no-untyped-def]
    member = till.enrol("Ann Lee").summary
    before = snapshot()
    with pytest.raises(PermissionDenied, match="Carl Cashier is not a manager"):
        till.balances.adjust_points(member.id, 100, "goodwill", till.cashier_id)
    for reason in ("", "  ", "ok", None):
        with pytest.raises(InvalidInput, match="needs a reason"):
            till.balances.adjust_points(member.id, 100, reason, till.manager_id)
    assert snapshot() == before
    summary = till.balances.adjust_points(member.id, 250, "  broken promise  ", till.manager_id)
    assert summary.points_balance == 250
    assert till.rows("SELECT kind, amount, reason, staff_id, expires_on FROM ledger_entries") == [
        ("adjust", 250, "broken promise", till.manager_id, "2027-03-10")]
    assert till.rows("SELECT action, staff_id, target FROM audit_log "
                     "WHERE action = 'points_adjusted'") == [
        ("points_adjusted", till.manager_id, f"member:{member.id}")]


def test_negative_adjustment_cannot_exceed_the_balance(till, snapshot: Snapshot) -> None:  # type: ignore[no-untyped-def]
    member = till.enrol("Ann Lee").summary
    till.balances.adjust_points(member.id, 100, "goodwill", till.manager_id)
    before = snapshot()
    with pytest.raises(InsufficientBalance, match="has 100 points, not 101"):
        till.balances.adjust_points(member.id, -101, "typo", till.manager_id)
    assert snapshot() == before
    assert till.balances.adjust_points(member.id, -100, "typo fixed", till.manager_id
                                       ).points_balance == 0
    assert till.problems() == {}


def test_expiry_run_writes_expire_entries(till) -> None:  # type: ignore[no-untyped-def]
    ann = till.enrol("Ann Lee").summary
    bo = till.enrol("Bo Chen").summary
    till.sell([("BREAD", 3)], ann.id)           # 30 points, expire 2027-03-10
    till.balances.adjust_points(bo.id, 40, "goodwill", till.manager_id)
    till.clock.advance(days=40)
    till.sell([("BREAD", 2)], ann.id)           # 20 points, expire 2027-04-19
    assert till.balances.run_expiry() == 0  # nothing is due yet

    till.clock.advance(days=365 - 40)
    assert till.clock.today == date(2027, 3, 10)
    assert till.balances.run_expiry() == 0  # the expiry date itself is still a valid day
    till.clock.advance(days=1)
    assert till.balances.run_expiry() == 70
    assert till.rows("SELECT member_uuid, amount, reason FROM ledger_entries "
                     "WHERE kind = 'expire' ORDER BY member_uuid = ?", bo.uuid) == [
        (ann.uuid, -30, "expired 2027-03-10"), (bo.uuid, -40, "expired 2027-03-10")]
    assert till.members.details(ann.id).summary.points_balance == 20
    assert till.members.details(bo.id).summary.points_balance == 0
    assert till.balances.run_expiry() == 0  # a second run finds nothing more
    assert till.balances.run_expiry(today=date(2027, 4, 20)) == 20
    assert till.members.details(ann.id).summary.points_balance == 0
    assert till.problems() == {}


def test_lots_are_consumed_soonest_expiry_first(till) -> None:  # type: ignore[no-untyped-def]
    member = till.enrol("Ann Lee").summary
    earned = []
    for months_later in (0, 2, 3):
        if months_later:
            till.clock.advance(days=30 * months_later)
        earned.append(till.sell([("BREAD", 10)], member.id))  # 100 points each
    # a redemption of 150 points takes the whole oldest lot and half of the next
    till.clock.advance(days=1)
    spend = till.sell([("TV", 1)], member.id, points=150)
    allocations = till.rows(
        "SELECT l.earned_on, l.expires_on, a.points, l.remaining FROM lot_allocations a "
        "JOIN point_lots l ON l.entry_id = a.lot_entry_id JOIN ledger_entries e "
        "ON e.id = a.entry_id WHERE e.kind = 'redeem' ORDER BY l.expires_on")
    assert allocations == [("2026-03-10", "2027-03-10", 100, 0),
                           ("2026-05-09", "2027-05-09", 50, 50)]
    lots = till.rows("SELECT expires_on, remaining FROM point_lots ORDER BY expires_on")
    assert lots[:3] == [("2027-03-10", 0), ("2027-05-09", 50), ("2027-08-07", 100)]
    assert spend.member.soonest_expiry == date(2027, 5, 9)
    assert spend.member.soonest_expiry_points == 50
    assert till.problems() == {}


@pytest.fixture
def shanghai_local_time() -> Iterator[None]:
    """Run the till in UTC+8 (TZ is process-wide: restored afterwards)."""
    saved = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Shanghai"
    time.tzset()
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = saved
        time.tzset()


def test_expiry_is_twelve_months_after_the_local_day(till, shanghai_local_time) -> None:  # type: ignore[no-untyped-def]
    till.clock.set(datetime(2026, 3, 9, 23, 30, tzinfo=UTC))  # 07:30 on 10 March in Shanghai
    assert till.ctx.local_now().date() == date(2026, 3, 10)
    member = till.enrol("Ann Lee").summary
    till.sell([("BREAD", 1)], member.id)
    assert till.scalar("SELECT expires_on FROM point_lots") == "2027-03-10"


# --------------------------------------------------------------------------------------------
# staff


def test_sign_in_lockout_and_unlock(till) -> None:  # type: ignore[no-untyped-def]
    staff = till.staff
    assert staff.sign_in(till.cashier_id, "5678").name == "Carl Cashier"
    for _ in range(4):
        with pytest.raises(PermissionDenied, match="wrong PIN") as caught:
            staff.sign_in(till.cashier_id, "0000")
        assert not isinstance(caught.value, LockedOut)
    with pytest.raises(LockedOut, match="now locked out"):
        staff.sign_in(till.cashier_id, "0000")
    # even the right PIN is refused while locked out
    with pytest.raises(LockedOut, match="locked out for 5 more minute"):
        staff.sign_in(till.cashier_id, "5678")
    till.clock.advance(minutes=4, seconds=59)
    with pytest.raises(LockedOut, match="locked out for 1 more minute"):
        staff.sign_in(till.cashier_id, "5678")
    till.clock.advance(seconds=1)
    assert staff.sign_in(till.cashier_id, "5678").role == "cashier"
    assert till.rows("SELECT failed_attempts, locked_until FROM staff WHERE id = ?",
                     till.cashier_id) == [(0, None)]
    assert till.scalar("SELECT count(*) FROM audit_log WHERE action = 'sign_in_failed'") == 5
    # after a successful sign-in the count starts again
    with pytest.raises(PermissionDenied, match="wrong PIN"):
        staff.sign_in(till.cashier_id, "0000")
    assert staff.sign_in(till.cashier_id, "5678").id == till.cashier_id


def test_manager_approval_and_unknown_staff(till) -> None:  # type: ignore[no-untyped-def]
    assert till.staff.approve_as_manager(till.manager_id, "1234").is_manager
    with pytest.raises(PermissionDenied, match="Carl Cashier is not a manager"):
        till.staff.approve_as_manager(till.cashier_id, "5678")
    with pytest.raises(NotFound, match="unknown or disabled staff"):
        till.staff.sign_in(999, "1234")


# --------------------------------------------------------------------------------------------
# day report


def _second_till(till, store_code: str | None, number: int) -> TillContext:  # type: ignore[no-untyped-def]
    with till.db.transaction() as session:
        store_id = till.ctx.store_id
        if store_code is not None:
            store = Store(code=store_code, name=f"Store {store_code}", address="")
            session.add(store)
            session.flush()
            store_id = store.id
        other = Till(number=number, store_id=store_id, name=f"Till {number}")
        session.add(other)
        session.flush()
        return TillContext(till.db, other.id, store_id, number, till.clock)


def test_day_report_figures(till) -> None:  # type: ignore[no-untyped-def]
    member = till.enrol("Ann Lee").summary
    till.balances.top_up(member.id, 10_000, "cash", till.cashier_id)
    till.balances.adjust_points(member.id, 2000, "opening balance", till.manager_id)
    till.sell([("BREAD", 2)])  # 20.00 cash, no member
    sale = till.sell([("TEA", 3)], member.id, points=1000, payments=[
        PaymentRequest("stored_value", 5000), PaymentRequest("card", 3999, "C-1")])
    assert sale.points_earned == 89  # 89.99 paid in money
    line = till.refunds.sale_for_refund(sale.receipt_code).lines[0][0]
    refund = till.refunds.refund(RefundRequest(str(uuid.uuid4()), sale.sale_id,
                                               till.cashier_id, {line: 1}))
    # a third of the sale: 30 points back, 333 points returned, 16.67 stored value, 13.33 card
    assert (refund.points_taken_back, refund.points_given_back, refund.stored_value_given_back,
            refund.card_back) == (30, 333, 1667, 1333)

    # another till of the same store, and a till of another store, sell on the same day
    same_store = _second_till(till, None, 8)
    CheckoutService(same_store).complete_sale(SaleRequest(
        str(uuid.uuid4()), till.cashier_id, [("BREAD", 1)], member.id,
        payments=[PaymentRequest("cash", 1000)]))
    other_store = _second_till(till, "S002", 9)
    CheckoutService(other_store).complete_sale(SaleRequest(
        str(uuid.uuid4()), till.cashier_id, [("TV", 1)], None,
        payments=[PaymentRequest("card", 150_000, "C-9")]))
    # and something tomorrow, which today's report must not count
    till.clock.advance(days=1)
    till.sell([("APPLE", 4)], member.id)
    today = till.clock.today - timedelta(days=1)

    report = till.reports.day_report(today)
    assert report.scope == "till 7"
    assert (report.sales_count, report.sales_total, report.discounts) == (2, 2000 + 9999, 0)
    assert (report.refunds_count, report.refunds_total) == (1, 3333)
    assert report.payments == {"cash": 2000, "stored_value": 5000, "card": 3999, "points": 1000}
    assert report.points_by_kind == {"adjust": 2000, "redeem": -1000, "earn": 89,
                                     "refund_clawback": -30, "refund_restore": 333}
    assert report.stored_value_by_kind == {"top_up": 10_000, "pay": -5000, "refund": 1667}
    assert (report.points_issued, report.points_redeemed, report.points_expired) == (
        2000 + 89 + 333, 1000, 0)
    assert (report.stored_value_in, report.stored_value_out) == (10_000, 5000)
    assert report.points_liability == 2000 - 1000 + 89 - 30 + 333
    assert report.points_liability_value == 1392  # 100 points pay for 1.00
    assert report.stored_value_liability == 10_000 - 5000 + 1667

    store = till.reports.day_report(today, scope="store")
    assert store.scope == f"store {till.ctx.store_id}"
    assert (store.sales_count, store.sales_total) == (3, 2000 + 9999 + 1000)
    assert store.payments["cash"] == 3000 and store.payments["card"] == 3999
    assert store.points_by_kind["earn"] == 89 + 10
    assert store.points_liability == 1392 + 10
    assert (store.refunds_count, store.refunds_total) == (1, 3333)

    other = ReportService(other_store).day_report(today, scope="store")
    assert (other.sales_count, other.sales_total, other.payments) == (
        1, 150_000, {"card": 150_000})

    tomorrow = till.reports.day_report(today + timedelta(days=1))
    assert (tomorrow.sales_count, tomorrow.sales_total) == (1, 1000)
    assert tomorrow.points_by_kind == {"earn": 10}
    assert tomorrow.points_liability == 1392 + 10  # this till's entries up to the close
    with pytest.raises(InvalidInput, match="per till or per store"):
        till.reports.day_report(today, scope="chain")
    assert till.problems() == {}


# --------------------------------------------------------------------------------------------
# tiers


def test_evaluate_all_demotes_when_time_passes(till) -> None:  # type: ignore[no-untyped-def]
    big = till.enrol("Ann Lee").summary
    small = till.enrol("Bo Chen").summary
    till.sell([("TV", 1)], big.id)
    till.sell([("BREAD", 1)], small.id)
    assert till.members.details(big.id).summary.tier_code == "silver"
    till.clock.advance(days=200)
    assert till.tiers.evaluate_all() == []  # still inside the 365-day window
    till.clock.advance(days=166)
    moves = till.tiers.evaluate_all()
    assert [(m.member_id, m.from_tier, m.to_tier, m.spend) for m in moves] == [
        (big.id, "silver", "basic", 0)]
    assert moves[0].reason == ("demoted: spent 0.00 in the last 365 days; Basic starts at 0.00; "
                               "1,000.00 more reaches Silver")
    assert till.rows("SELECT from_tier, to_tier, reason FROM tier_history ORDER BY id") == [
        ("basic", "silver", "promoted: spent 1,500.00 in the last 365 days; Silver starts at "
                            "1,000.00; 3,500.00 more reaches Gold"),
        ("silver", "basic", moves[0].reason)]
    assert till.members.details(big.id).summary.tier_code == "basic"
    assert till.tiers.evaluate_all() == []
    assert till.tiers.evaluate(big.id) is None
