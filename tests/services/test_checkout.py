"""Checkout: quotes with promotions, the one-transaction sale, idempotency, payments, referral
rewards and tier promotion."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import time

import pytest
from sqlalchemy import event

from loyalty_pos.core.errors import Conflict, InsufficientBalance, InvalidInput
from loyalty_pos.core.promotions import Effect, PromotionRule
from loyalty_pos.services.checkout import PaymentRequest, SaleRequest
from loyalty_pos.services.program import ProgramService
from loyalty_pos.services.verify import verify_database

Snapshot = Callable[[], dict[str, object]]


def new_id() -> str:
    return str(uuid.uuid4())


def assert_verified(till) -> None:  # type: ignore[no-untyped-def]
    connection = till.raw()
    try:
        assert verify_database(connection) == {name: [] for name in verify_database(connection)}
    finally:
        connection.close()


def member_with(till, *, points: int = 0, stored_value: int = 0, name: str = "Ann Lee"):  # type: ignore[no-untyped-def]
    member = till.enrol(name).summary
    if points:
        till.balances.adjust_points(member.id, points, "opening balance", till.manager_id)
    if stored_value:
        till.balances.top_up(member.id, stored_value, "cash", till.cashier_id)
    return member


def counts(till) -> dict[str, int]:  # type: ignore[no-untyped-def]
    tables = ("sales", "sale_lines", "payments", "ledger_entries", "point_lots",
              "lot_allocations", "outbox", "tier_history")
    return {t: till.scalar(f"SELECT count(*) FROM {t}") for t in tables}


def test_quote_with_promotions_explains_itself(till) -> None:  # type: ignore[no-untyped-def]
    ProgramService(till.ctx).save_promotion(till.manager_id, PromotionRule(
        "TEA10", "Tea 10% off", Effect.PERCENT_DISCOUNT, 10, priority=5,
        categories=frozenset({"drinks"})))
    ProgramService(till.ctx).save_promotion(till.manager_id, PromotionRule(
        "DOUBLE", "Double points at lunch", Effect.POINTS_MULTIPLIER, 200, priority=1,
        start_time=time(11), end_time=time(14)))
    ProgramService(till.ctx).save_promotion(till.manager_id, PromotionRule(
        "MON", "Monday bonus", Effect.BONUS_POINTS, 30, weekdays=frozenset({0})))
    member = till.enrol("Ann Lee").summary
    quote = till.checkout.quote([("TEA", 3), ("4006381333931", 2)], member.id)  # by barcode
    assert quote.subtotal == 3 * 3333 + 2 * 250
    assert quote.discount_total == 1000  # 10% of 99.99, rounded half up
    assert quote.total == 9999 + 500 - 1000
    by_code = {o.code: o for o in quote.outcomes}
    assert by_code["TEA10"].applied
    assert by_code["TEA10"].explanation == "10% off, saves 10.00: 1 matching line"
    assert by_code["DOUBLE"].applied
    assert by_code["DOUBLE"].explanation == (
        "x2 points: 2 matching lines, between 11:00 and 14:00")
    assert not by_code["MON"].applied and by_code["MON"].explanation == "only on Mon"
    # 94.99 of spend doubled is 189.98 points; whole points only
    assert quote.points_earned == 189
    assert quote.points_explanation[0] == "94 base points (1 per 1.00 of eligible spend)"

    # the sale keeps the same explanation
    result = till.sell([("TEA", 3), ("4006381333931", 2)], member.id)
    explanation = json.loads(till.scalar("SELECT explanation FROM sales WHERE id = ?",
                                         result.sale_id))
    assert {p["code"]: p["applied"] for p in explanation["promotions"]} == {
        "TEA10": True, "DOUBLE": True, "MON": False}
    assert explanation["points"] == quote.points_explanation
    assert result.points_earned == quote.points_earned


def test_complete_sale_writes_everything_in_one_transaction(till) -> None:  # type: ignore[no-untyped-def]
    member = member_with(till)
    commits: list[object] = []

    def count_commit(connection: object) -> None:
        commits.append(connection)

    event.listen(till.db.engine, "commit", count_commit)
    sale_id = new_id()
    result = till.checkout.complete_sale(SaleRequest(
        sale_id, till.cashier_id, [("TEA", 2), ("GIFT", 1)], member.id,
        payments=[PaymentRequest("card", 5000, reference="AUTH-1"),
                  PaymentRequest("cash", 6666, tendered=10_000)]))
    event.remove(till.db.engine, "commit", count_commit)
    assert len(commits) == 1, "a sale is exactly one transaction"

    assert result.sale_id == sale_id
    assert result.receipt_code == "R0070000001"
    assert result.total == 2 * 3333 + 5000
    assert result.change_due == 10_000 - 6666
    assert result.points_earned == 66  # the gift wrap earns no points
    assert result.member is not None and result.member.points_balance == 66

    sale = till.rows("SELECT till_id, store_id, receipt_no, member_id, staff_id, subtotal, "
                     "discount_total, total, points_earned, points_redeemed, points_value "
                     "FROM sales")
    assert sale == [(till.ctx.till_id, till.ctx.store_id, 1, member.id, till.cashier_id,
                     11_666, 0, 11_666, 66, 0, 0)]
    assert till.rows("SELECT line_no, sku, unit_price, quantity, discount, net, points_eligible "
                     "FROM sale_lines ORDER BY line_no") == [
        (1, "TEA", 3333, 2, 0, 6666, 1), (2, "GIFT", 5000, 1, 0, 5000, 0)]
    assert till.rows("SELECT method, amount, reference, tendered, change FROM payments "
                     "ORDER BY id") == [("card", 5000, "AUTH-1", None, None),
                                        ("cash", 6666, None, 10_000, 3334)]
    assert till.rows("SELECT kind, amount, sale_id, staff_id, expires_on FROM ledger_entries "
                     "WHERE sale_id IS NOT NULL") == [
        ("earn", 66, sale_id, till.cashier_id, "2027-03-10")]
    assert till.rows("SELECT points, remaining, l.expires_on FROM point_lots l JOIN "
                     "ledger_entries e ON e.id = l.entry_id WHERE e.sale_id = ?", sale_id) == [
        (66, 66, "2027-03-10")]
    payload = json.loads(till.scalar("SELECT payload FROM outbox WHERE topic = 'sale'"))
    assert payload["sale_id"] == sale_id and payload["member"] == member.uuid
    assert payload["total"] == 11_666 and payload["points_earned"] == 66
    assert till.scalar("SELECT first_purchase_at FROM members WHERE id = ?", member.id)
    assert_verified(till)


def test_sale_without_member(till) -> None:  # type: ignore[no-untyped-def]
    result = till.sell([("BREAD", 2)])
    assert (result.total, result.points_earned, result.member) == (2000, 0, None)
    assert till.scalar("SELECT count(*) FROM ledger_entries") == 0
    assert till.scalar("SELECT count(*) FROM outbox WHERE topic = 'sale'") == 1
    second = till.sell([("BREAD", 1)])
    assert second.receipt_code == "R0070000002"


def test_replaying_a_sale_returns_the_same_result_and_writes_nothing(  # type: ignore[no-untyped-def]
        till, snapshot: Snapshot) -> None:
    member = member_with(till, points=1000, stored_value=2000)
    request = SaleRequest(new_id(), till.cashier_id, [("TEA", 1), ("BREAD", 1)], member.id,
                          points_to_redeem=500,
                          payments=[PaymentRequest("stored_value", 2000),
                                    PaymentRequest("cash", 4333 - 500 - 2000, tendered=2000)])
    first = till.checkout.complete_sale(request)
    before = snapshot()
    again = till.checkout.complete_sale(request)
    assert again == first
    # the same request rebuilt from scratch (e.g. the till retries after a crash)
    rebuilt = SaleRequest(request.sale_id, request.staff_id, [["TEA", 1], ["BREAD", 1]],  # type: ignore[list-item]
                          member.id, 500, list(request.payments))
    assert till.checkout.complete_sale(rebuilt) == first
    assert snapshot() == before


def test_same_sale_id_with_different_content_is_a_conflict(till, snapshot: Snapshot) -> None:  # type: ignore[no-untyped-def]
    sale_id = new_id()
    till.sell([("BREAD", 1)], sale_id=sale_id)
    before = snapshot()
    with pytest.raises(Conflict, match=f"sale {sale_id} was already completed with different"):
        till.sell([("BREAD", 2)], sale_id=sale_id)
    with pytest.raises(Conflict):
        till.checkout.complete_sale(SaleRequest(sale_id, till.cashier_id, [("BREAD", 1)],
                                                payments=[PaymentRequest("card", 1000, "X")]))
    assert snapshot() == before


def test_redemption_beyond_balance_or_cap_is_refused(till, snapshot: Snapshot) -> None:  # type: ignore[no-untyped-def]
    member = member_with(till, points=3000)
    before = snapshot()
    with pytest.raises(InsufficientBalance, match="has 3000 points, not 3001"):
        till.sell([("TV", 1)], member.id, points=3001,
                  payments=[PaymentRequest("cash", 150_000 - 3001)])
    # the cap: at most half of a 10.00 sale, i.e. 500 points
    with pytest.raises(InsufficientBalance, match=r"at most 500 points can be redeemed"):
        till.checkout.quote([("BREAD", 1)], member.id, 501)
    with pytest.raises(InsufficientBalance, match=r"at most 500 points"):
        till.sell([("BREAD", 1)], member.id, points=501, payments=[PaymentRequest("cash", 499)])
    with pytest.raises(InvalidInput, match="points need a member"):
        till.sell([("BREAD", 1)], None, points=100, payments=[PaymentRequest("cash", 900)])
    assert snapshot() == before
    assert till.sell([("BREAD", 1)], member.id, points=500).points_redeemed == 500


def test_the_part_paid_with_points_earns_no_points(till) -> None:  # type: ignore[no-untyped-def]
    member = member_with(till, points=3000)
    quote = till.checkout.quote([("TEA", 3)], member.id, 2000)
    assert (quote.total, quote.points_value, quote.due_after_points) == (9999, 2000, 7999)
    assert "20.00 paid with points earns no points" in quote.points_explanation
    result = till.sell([("TEA", 3)], member.id, points=2000)
    # 79.99 paid in money earns 79 points; the 20.00 paid with points earns nothing
    assert (result.points_redeemed, result.points_value, result.points_earned) == (2000, 2000, 79)
    assert result.member.points_balance == 3000 - 2000 + 79
    assert till.rows("SELECT method, amount, reference FROM payments ORDER BY id") == [
        ("cash", 7999, None), ("points", 2000, "2000 points")]
    assert till.rows("SELECT kind, amount FROM ledger_entries WHERE sale_id = ? ORDER BY seq",
                     result.sale_id) == [("redeem", -2000), ("earn", 79)]
    assert_verified(till)


def test_stored_value_cannot_go_negative(till, snapshot: Snapshot) -> None:  # type: ignore[no-untyped-def]
    member = member_with(till, stored_value=1000)
    before = snapshot()
    with pytest.raises(InsufficientBalance, match=r"stored value balance is 10\.00"):
        till.sell([("BREAD", 2)], member.id, payments=[PaymentRequest("stored_value", 2000)])
    assert snapshot() == before
    paid = till.sell([("BREAD", 2)], member.id, payments=[PaymentRequest("stored_value", 1000),
                                                        PaymentRequest("cash", 1000)])
    assert paid.member.stored_value_balance == 0
    assert till.rows("SELECT kind, amount FROM ledger_entries WHERE ledger = 'stored_value' "
                     "ORDER BY seq") == [("top_up", 1000), ("pay", -1000)]


@pytest.mark.parametrize(("payments", "message"), [
    ([PaymentRequest("cash", 999)], "payments add up to 9.99 but 10.00 is due"),
    ([PaymentRequest("cash", 600), PaymentRequest("card", 500, "A1")],
     "payments add up to 11.00 but 10.00 is due"),
    ([], "payments add up to 0.00 but 10.00 is due"),
    ([PaymentRequest("card", 1000)], "card payment needs the terminal's reference"),
    ([PaymentRequest("card", 1000, "   ")], "card payment needs the terminal's reference"),
    ([PaymentRequest("cash", 1000, tendered=500)], "cash tendered is less"),
    ([PaymentRequest("cheque", 1000)], "unknown payment method 'cheque'"),
    ([PaymentRequest("points", 1000)], "unknown payment method 'points'"),
    ([PaymentRequest("cash", 0), PaymentRequest("cash", 1000)], "must be more than zero"),
    ([PaymentRequest("cash", -1000), PaymentRequest("cash", 2000)], "must be more than zero"),
    ([PaymentRequest("stored_value", 1000)], "stored value needs a member"),
])
def test_payments_must_add_up_and_be_valid(till, snapshot: Snapshot,  # type: ignore[no-untyped-def]
                                           payments: list[PaymentRequest], message: str) -> None:
    before = snapshot()
    with pytest.raises(InvalidInput, match=message):
        till.sell([("BREAD", 1)], payments=payments)
    assert snapshot() == before


def test_cash_change_and_card_reference(till) -> None:  # type: ignore[no-untyped-def]
    result = till.sell([("TEA", 1)], payments=[PaymentRequest("cash", 3333, tendered=5000)])
    assert result.change_due == 1667
    assert till.rows("SELECT method, amount, tendered, change FROM payments") == [
        ("cash", 3333, 5000, 1667)]
    split = till.sell([("TEA", 1)], payments=[PaymentRequest("card", 3000, " T-77 "),
                                              PaymentRequest("cash", 333, tendered=500)])
    assert split.change_due == 167
    assert till.rows("SELECT reference FROM payments WHERE method = 'card'") == [("T-77",)]


def test_referral_rewards_both_members_once(till) -> None:  # type: ignore[no-untyped-def]
    referrer = till.enrol("Ann Lee")
    friend = till.enrol("Bo Chen", referral_code=referrer.referral_code).summary
    # below the qualifying amount (10.00): no reward yet
    small = till.sell([("APPLE", 2)], friend.id)
    assert small.referral_rewards == 0 and small.member.points_balance == 5
    qualifying = till.sell([("BREAD", 2)], friend.id)
    assert qualifying.referral_rewards == 100 + 200
    assert qualifying.member.points_balance == 5 + 20 + 100
    assert till.members.details(referrer.summary.id).summary.points_balance == 200
    rewards = till.rows("SELECT member_uuid, amount, reason FROM ledger_entries "
                        "WHERE kind = 'referral' ORDER BY seq")
    assert rewards == [(friend.uuid, 100, f"referral of {friend.uuid}"),
                       (referrer.summary.uuid, 200, f"referral of {friend.uuid}")]
    # only once
    later = till.sell([("BREAD", 5)], friend.id)
    assert later.referral_rewards == 0
    assert till.scalar("SELECT count(*) FROM ledger_entries WHERE kind = 'referral'") == 2
    assert till.members.details(referrer.summary.id).summary.points_balance == 200
    assert_verified(till)


def test_big_spend_promotes_the_tier_with_a_reason(till) -> None:  # type: ignore[no-untyped-def]
    member = till.enrol("Ann Lee").summary
    result = till.sell([("TV", 1)], member.id)
    assert result.points_earned == 1500  # earned at the tier held when the sale began
    assert result.member.tier_code == "silver"
    history = till.rows("SELECT member_id, from_tier, to_tier, spend, reason FROM tier_history")
    assert history == [(member.id, "basic", "silver", 150_000,
                        "promoted: spent 1,500.00 in the last 365 days; Silver starts at "
                        "1,000.00; 3,500.00 more reaches Gold")]
    assert till.scalar("SELECT count(*) FROM outbox WHERE topic = 'tier'") == 1
    details = till.members.details(member.id)
    assert details.tier_name == "Silver"
    # the next sale earns at Silver's x1.25
    quote = till.checkout.quote([("BREAD", 4)], member.id)
    assert quote.points_earned == 50
    assert "x1.25 for tier Silver" in quote.points_explanation
    # a small sale does not write another tier change
    till.sell([("APPLE", 1)], member.id)
    assert till.scalar("SELECT count(*) FROM tier_history") == 1


def test_rows_written_by_one_sale(till) -> None:  # type: ignore[no-untyped-def]
    member = member_with(till, points=1000, stored_value=3000)
    before = counts(till)
    till.sell([("TEA", 1)], member.id, points=1000,
              payments=[PaymentRequest("stored_value", 2333)])
    after = counts(till)
    assert {t: after[t] - before[t] for t in after} == {
        "sales": 1, "sale_lines": 1, "payments": 2,  # stored value + points
        "ledger_entries": 3,  # redeem, stored value payment, earn
        "point_lots": 1, "lot_allocations": 1, "outbox": 1, "tier_history": 0}
