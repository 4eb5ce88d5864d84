"""Receipt data read back from the till database: totals, payments, the member block with the
balances as they were right after the sale or refund (also on a reprint months later)."""

from __future__ import annotations

import uuid
from datetime import UTC

import pytest

from loyalty_pos.core.errors import NotFound
from loyalty_pos.core.promotions import Effect, PromotionRule
from loyalty_pos.services.checkout import PaymentRequest
from loyalty_pos.services.program import ProgramService
from loyalty_pos.services.receipts import ReceiptPayment, ReceiptService, mask_name
from loyalty_pos.services.refunds import RefundRequest


def member_sale(till):  # type: ignore[no-untyped-def]
    """A member who earned points on a first sale, then a sale paid with points, stored value,
    card and cash (with change), with a 10% tea promotion. Returns (member, second sale)."""
    tea = PromotionRule("TEA10", "Tea 10% off", Effect.PERCENT_DISCOUNT, 10,
                        skus=frozenset({"TEA"}))
    ProgramService(till.ctx).save_promotion(till.manager_id, tea)
    member = till.enrol("Wang Xiaoming")
    till.balances.top_up(member.summary.id, 10_000, "cash", till.cashier_id)
    till.sell([("TV", 1)], member.summary.id)
    till.clock.advance(hours=1)
    items = [("TEA", 2), ("APPLE", 3)]
    due = till.checkout.quote(items, member.summary.id, 500).due_after_points
    payments = [PaymentRequest("stored_value", 3000), PaymentRequest("card", 2000, "T-778899"),
                PaymentRequest("cash", due - 5000, tendered=due - 5000 + 84)]
    sale = till.sell(items, member.summary.id, points=500, payments=payments)
    return member, sale


def test_sale_receipt_has_totals_payments_and_the_member_block(till) -> None:  # type: ignore[no-untyped-def]
    member, sale = member_sale(till)
    receipt = ReceiptService(till.ctx).sale_receipt(sale.sale_id)

    assert (receipt.kind, receipt.receipt_code, receipt.store_name) == (
        "sale", sale.receipt_code, "High Street")
    assert (receipt.till_number, receipt.till_name, receipt.cashier) == (7, "Till 7",
                                                                        "Carl Cashier")
    assert receipt.created_at_local == till.clock().astimezone().replace(tzinfo=None)
    assert [(x.name, x.quantity, x.unit_price, x.discount, x.net) for x in receipt.lines] == [
        ("Green tea", 2, 3333, 667, 5999), ("Apple", 3, 250, 0, 750)]
    assert (receipt.subtotal, receipt.discount_total, receipt.total) == (7416, 667, 6749)
    assert receipt.total == sale.total
    assert receipt.payments == (
        ReceiptPayment("stored_value", 3000, None), ReceiptPayment("card", 2000, "T-778899"),
        ReceiptPayment("cash", 6749 - 500 - 5000, None), ReceiptPayment("points", 500,
                                                                         "500 points"))
    assert (receipt.tendered, receipt.change) == (6749 - 5500 + 84, 84)
    assert receipt.member_name == "Wang X."
    assert receipt.card_last4 == member.summary.card_number[-4:]
    assert (receipt.points_earned, receipt.points_redeemed) == (sale.points_earned, 500)
    assert receipt.points_balance == sale.member.points_balance
    assert receipt.stored_value_balance == sale.member.stored_value_balance == 7000
    assert (receipt.soonest_expiry, receipt.soonest_expiry_points) == (
        sale.member.soonest_expiry, sale.member.soonest_expiry_points)
    assert receipt.promotions == ("Tea 10% off",)
    assert (receipt.currency_symbol, receipt.refund_of) == ("¥", None)


def test_a_reprint_shows_the_balances_of_then(till) -> None:  # type: ignore[no-untyped-def]
    member, sale = member_sale(till)
    service = ReceiptService(till.ctx)
    first_print = service.sale_receipt(sale.sale_id)

    till.clock.advance(days=3)
    till.balances.top_up(member.summary.id, 5000, "cash", till.cashier_id)
    later = till.sell([("BREAD", 2)], member.summary.id, points=400,
                      payments=[PaymentRequest("stored_value", 1600)])
    till.clock.advance(days=400)
    assert till.balances.run_expiry(till.clock.today) > 0

    assert service.sale_receipt(sale.sale_id) == first_print
    later_print = service.sale_receipt(later.sale_id)
    assert later_print.points_balance == later.member.points_balance != (
        first_print.points_balance)
    assert later_print.stored_value_balance == later.member.stored_value_balance
    assert later_print.soonest_expiry == later.member.soonest_expiry


def test_a_member_sale_that_moved_no_points_still_shows_balances(till) -> None:  # type: ignore[no-untyped-def]
    member = till.enrol("Ann Lee").summary
    till.balances.top_up(member.id, 2500, "cash", till.cashier_id)
    till.clock.advance(minutes=5)
    sale = till.sell([("GIFT", 1)], member.id)  # not points eligible, paid in cash
    till.clock.advance(minutes=5)
    till.balances.top_up(member.id, 1000, "cash", till.cashier_id)
    receipt = ReceiptService(till.ctx).sale_receipt(sale.sale_id)
    assert (receipt.points_earned, receipt.points_balance, receipt.stored_value_balance) == (
        0, 0, 2500)
    assert receipt.soonest_expiry is None


def test_refund_receipt_shows_what_went_back(till) -> None:  # type: ignore[no-untyped-def]
    _, sale = member_sale(till)
    till.clock.advance(minutes=30)
    tea = next(line for line in till.refunds.sale_for_refund(sale.receipt_code).lines
               if line[1] == "Green tea")
    refund = till.refunds.refund(RefundRequest(str(uuid.uuid4()), sale.sale_id,
                                               till.cashier_id, {tea[0]: 1}))
    receipt = ReceiptService(till.ctx).refund_receipt(refund.refund_id)

    assert (receipt.kind, receipt.receipt_code, receipt.refund_of) == (
        "refund", refund.receipt_code, sale.receipt_code)
    assert [(x.name, x.quantity, x.net) for x in receipt.lines] == [("Green tea", 1, 3000)]
    assert receipt.total == refund.amount == 3000
    assert sum(p.amount for p in receipt.payments) == refund.amount
    assert {p.method for p in receipt.payments} <= {"points", "stored_value", "card", "cash"}
    assert (receipt.points_taken_back, receipt.points_given_back,
            receipt.stored_value_given_back) == (refund.points_taken_back,
                                                 refund.points_given_back,
                                                 refund.stored_value_given_back)
    assert receipt.points_balance == refund.member.points_balance
    assert receipt.stored_value_balance == refund.member.stored_value_balance
    assert (receipt.tendered, receipt.change, receipt.points_earned) == (None, 0, 0)
    assert receipt.created_at_local == till.clock().astimezone().replace(tzinfo=None)


def test_last_receipt_and_lookup_by_code(till) -> None:  # type: ignore[no-untyped-def]
    service = ReceiptService(till.ctx)
    assert service.last_receipt() is None
    sale = till.sell([("BREAD", 1)])
    last = service.last_receipt()
    assert last is not None and last.receipt_code == sale.receipt_code
    assert last.member_name is None and last.points_balance is None
    assert (last.tendered, last.change, last.points_earned) == (1000, 0, 0)

    refund = till.refunds.refund(RefundRequest(str(uuid.uuid4()), sale.sale_id,
                                               till.cashier_id))
    last = service.last_receipt()
    assert last is not None and (last.kind, last.receipt_code) == ("refund",
                                                                   refund.receipt_code)
    assert service.receipt(sale.receipt_code).kind == "sale"
    assert service.receipt(refund.receipt_code.lower()).kind == "refund"


def test_unknown_receipts_are_not_found(till) -> None:  # type: ignore[no-untyped-def]
    service = ReceiptService(till.ctx)
    with pytest.raises(NotFound, match=r"sale .* does not exist"):
        service.sale_receipt(str(uuid.uuid4()))
    with pytest.raises(NotFound, match=r"refund .* does not exist"):
        service.refund_receipt("no-such-refund")
    with pytest.raises(NotFound, match="R0070000099 does not exist"):
        service.receipt("R0070000099")
    with pytest.raises(NotFound, match="issued at till 3"):
        service.receipt("R0030000001")


@pytest.mark.parametrize(("name", "masked"), [
    ("Wang Xiaoming", "Wang X."), ("  anna  maria   smith ", "anna s."), ("Madonna", "M***"),
    ("王小明", "王*明"), ("王明", "王*"), ("欧阳小明", "欧**明"), ("王", "王*"),
    ("", None), (None, None)])
def test_member_names_are_masked(name, masked) -> None:  # type: ignore[no-untyped-def]
    assert mask_name(name) == masked


def test_receipt_times_are_local(till) -> None:  # type: ignore[no-untyped-def]
    sale = till.sell([("APPLE", 1)])
    receipt = ReceiptService(till.ctx).sale_receipt(sale.sale_id)
    expected = till.clock().astimezone(UTC).astimezone().replace(tzinfo=None)
    assert receipt.created_at_local == expected
