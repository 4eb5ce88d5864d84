"""Refunds: pro rata and symmetric, in parts or in full, the shortfall policy, lookups and
idempotency."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest

from loyalty_pos.core.errors import Conflict, InsufficientBalance, InvalidInput, NotFound
from loyalty_pos.services.checkout import PaymentRequest
from loyalty_pos.services.refunds import RefundRequest

Snapshot = Callable[[], dict[str, object]]


def new_id() -> str:
    return str(uuid.uuid4())


def mixed_sale(till):  # type: ignore[no-untyped-def]
    """3 tea + 1 bread = 109.99, paid 12.34 in points, 40.00 stored value, 30.00 card and
    27.65 cash. The member starts with 3000 points and 50.00 stored value."""
    member = till.enrol("Ann Lee").summary
    till.balances.adjust_points(member.id, 3000, "opening balance", till.manager_id)
    till.balances.top_up(member.id, 5000, "card", till.cashier_id, reference="TOPUP-1")
    sale = till.sell([("TEA", 3), ("BREAD", 1)], member.id, points=1234, payments=[
        PaymentRequest("stored_value", 4000), PaymentRequest("card", 3000, "AUTH-9"),
        PaymentRequest("cash", 2765, tendered=3000)])
    assert (sale.total, sale.points_redeemed, sale.points_earned) == (10_999, 1234, 97)
    lines = {name: line_id for line_id, name, *_ in
             till.refunds.sale_for_refund(sale.receipt_code).lines}
    return member, sale, lines["Green tea"], lines["Bread"]


def refund(till, sale_id: str, lines: dict[int, int] | None = None, refund_id: str | None = None):  # type: ignore[no-untyped-def]
    return till.refunds.refund(RefundRequest(refund_id or new_id(), sale_id, till.cashier_id,
                                             lines, reason="customer changed mind"))


def balances(till, member_id: int) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    summary = till.members.details(member_id).summary
    return summary.points_balance, summary.stored_value_balance


def moved(result) -> tuple[int, ...]:  # type: ignore[no-untyped-def]
    return (result.amount, result.points_taken_back, result.points_given_back,
            result.stored_value_given_back, result.card_back, result.cash_back)


def test_partial_refund_is_pro_rata(till) -> None:  # type: ignore[no-untyped-def]
    member, sale, tea, _ = mixed_sale(till)
    assert balances(till, member.id) == (3000 - 1234 + 97, 1000)
    plan = till.refunds.preview(sale.sale_id, {tea: 1})
    result = refund(till, sale.sale_id, {tea: 1})
    # one tea is 33.33 of 109.99: that share of every side of the sale moves back
    # points taken back: 97 x 3333/10999 = 29.39 -> 29; given back: 1234 x 3333/10999 -> 374
    # money: 3333 over points 373.94 / stored value 1212.11 / card 909.08 / cash 837.87
    assert moved(result) == (3333, 29, 374, 1212, 909, 838)
    assert (plan.amount, plan.points_taken_back, plan.points_given_back,
            plan.stored_value_given_back, plan.card_back, plan.cash_back,
            plan.points_value_back) == (3333, 29, 374, 1212, 909, 838, 374)
    assert result.points_shortfall == 0
    assert result.member.points_balance == 3000 - 1234 + 97 - 29 + 374
    assert result.member.stored_value_balance == 1000 + 1212
    entries = till.rows("SELECT kind, ledger, amount, refund_id FROM ledger_entries "
                        "WHERE refund_id IS NOT NULL ORDER BY seq")
    assert entries == [("refund_clawback", "points", -29, result.refund_id),
                       ("refund_restore", "points", 374, result.refund_id),
                       ("refund", "stored_value", 1212, result.refund_id)]
    # taken back from the sale's own lot first
    earn_lot = till.scalar("SELECT id FROM ledger_entries WHERE kind = 'earn' AND sale_id = ?",
                           sale.sale_id)
    assert till.rows("SELECT a.lot_entry_id, a.points FROM lot_allocations a JOIN "
                     "ledger_entries e ON e.id = a.entry_id WHERE e.kind = 'refund_clawback'"
                     ) == [(earn_lot, 29)]
    # given-back points expire no sooner than the lot they were redeemed from
    assert till.scalar("SELECT expires_on FROM ledger_entries WHERE kind = 'refund_restore'") == (
        "2027-03-10")
    assert till.scalar("SELECT count(*) FROM outbox WHERE topic = 'refund'") == 1
    assert till.scalar("SELECT count(*) FROM audit_log WHERE action = 'refund'") == 1
    assert till.problems() == {}


def test_full_refund_undoes_the_sale(till) -> None:  # type: ignore[no-untyped-def]
    member, sale, _, _ = mixed_sale(till)
    result = refund(till, sale.sale_id)
    assert moved(result) == (10_999, 97, 1234, 4000, 3000, 2765)
    assert balances(till, member.id) == (3000, 5000)
    assert till.problems() == {}


def test_partial_refunds_end_exactly_where_a_full_refund_does(make_till) -> None:  # type: ignore[no-untyped-def]
    in_parts, in_one = make_till("parts"), make_till("whole")
    member_a, sale_a, tea_a, bread_a = mixed_sale(in_parts)
    member_b, sale_b, _, _ = mixed_sale(in_one)
    steps = [refund(in_parts, sale_a.sale_id, {tea_a: 1}),
             refund(in_parts, sale_a.sale_id, {bread_a: 1}),
             refund(in_parts, sale_a.sale_id, {tea_a: 1}),
             refund(in_parts, sale_a.sale_id)]  # whatever is left: the last tea
    whole = refund(in_one, sale_b.sale_id)
    totals = tuple(sum(column) for column in zip(*(moved(s) for s in steps), strict=True))
    assert totals == moved(whole) == (10_999, 97, 1234, 4000, 3000, 2765)
    assert [s.amount for s in steps] == [3333, 1000, 3333, 3333]
    assert balances(in_parts, member_a.id) == balances(in_one, member_b.id) == (3000, 5000)
    for each in (in_parts, in_one):
        points_value_back = each.scalar("SELECT sum(points_value_back) FROM refunds")
        assert points_value_back == 1234
        assert each.problems() == {}
    with pytest.raises(InvalidInput, match="every line of this sale is already refunded"):
        refund(in_parts, sale_a.sale_id)


def test_refund_of_a_sale_without_member(till) -> None:  # type: ignore[no-untyped-def]
    sale = till.sell([("BREAD", 3)], payments=[PaymentRequest("card", 1000, "C1"),
                                               PaymentRequest("cash", 2000)])
    line = till.refunds.sale_for_refund(sale.receipt_code).lines[0][0]
    result = refund(till, sale.sale_id, {line: 1})
    assert moved(result) == (1000, 0, 0, 0, 333, 667)
    assert result.member is None
    assert till.scalar("SELECT count(*) FROM ledger_entries") == 0


def test_shortfall_policy_points_already_spent(till) -> None:  # type: ignore[no-untyped-def]
    member = till.enrol("Ann Lee").summary
    first = till.sell([("BREAD", 50)], member.id)  # 500.00 earns 500 points
    assert first.points_earned == 500
    spent = till.sell([("BREAD", 2)], member.id, points=500)  # 5.00 paid with points
    assert spent.points_earned == 15 and spent.member.points_balance == 15

    result = refund(till, first.sale_id)
    # 500 points must be taken back; only 15 are left in lots: the rest becomes a debt
    assert result.points_taken_back == 500
    assert result.points_shortfall == 485
    assert result.member.points_balance == -485
    assert result.cash_back == 50_000  # the refund is never blocked
    assert till.scalar("SELECT points_shortfall FROM refunds WHERE id = ?",
                       result.refund_id) == 485
    assert till.scalar("SELECT amount FROM ledger_entries WHERE kind = 'refund_clawback'") == -500
    assert till.problems() == {}
    # nothing can be redeemed while in debt
    with pytest.raises(InsufficientBalance, match="has 0 points"):
        till.checkout.quote([("BREAD", 2)], member.id, 1)

    # the next earning settles the debt first
    settle = till.sell([("BREAD", 60)], member.id)
    assert settle.points_earned == 600
    assert settle.member.points_balance == 115
    lot_left = till.scalar("SELECT remaining FROM point_lots l JOIN ledger_entries e "
                           "ON e.id = l.entry_id WHERE e.sale_id = ?", settle.sale_id)
    assert lot_left == 115
    covered = till.scalar("SELECT sum(a.points) FROM lot_allocations a JOIN ledger_entries e "
                          "ON e.id = a.entry_id WHERE e.kind = 'refund_clawback'")
    assert covered == 500  # 15 from the lot that was left + 485 settled by the new lot
    assert till.problems() == {}
    assert till.sell([("BREAD", 2)], member.id, points=100).points_redeemed == 100


def test_over_refund_is_refused(till, snapshot: Snapshot) -> None:  # type: ignore[no-untyped-def]
    _, sale, tea, bread = mixed_sale(till)
    refund(till, sale.sale_id, {tea: 2})
    before = snapshot()
    with pytest.raises(InvalidInput, match=f"line {tea}: can refund 0 to 1, not 2"):
        refund(till, sale.sale_id, {tea: 2})
    with pytest.raises(InvalidInput, match=f"line {bread}: can refund 0 to 1, not -1"):
        refund(till, sale.sale_id, {bread: -1})
    with pytest.raises(InvalidInput, match="choose at least one line"):
        refund(till, sale.sale_id, {tea: 0})
    with pytest.raises(InvalidInput, match="is not part of sale"):
        refund(till, sale.sale_id, {tea + bread + 100: 1})
    assert snapshot() == before


def test_refund_receipt_lookup(till) -> None:  # type: ignore[no-untyped-def]
    _, sale, tea, bread = mixed_sale(till)
    assert sale.receipt_code == "R0070000001"
    found = till.refunds.sale_for_refund("R0070000001")
    assert found.sale_id == sale.sale_id and found.total == 10_999
    assert found.lines == [(tea, "Green tea", 3, 3, 9999), (bread, "Bread", 1, 1, 1000)]
    result = refund(till, sale.sale_id, {tea: 2})
    assert result.receipt_code == "R0070000002"  # refunds share the till's receipt numbers
    again = till.refunds.sale_for_refund(" r0070000001 ")
    assert again.lines == [(tea, "Green tea", 3, 1, 9999), (bread, "Bread", 1, 1, 1000)]
    with pytest.raises(NotFound, match="is not a sale made at this till"):
        till.refunds.sale_for_refund("R0070000002")  # the refund's own receipt
    with pytest.raises(NotFound):
        till.refunds.sale_for_refund("R0080000001")  # another till's receipt
    for bad in ("R007000001", "0070000001", "R00700000011", "S0070000001"):
        with pytest.raises(InvalidInput, match=r"R \+ 10 digits"):
            till.refunds.sale_for_refund(bad)


def test_refund_id_is_idempotent(till, snapshot: Snapshot) -> None:  # type: ignore[no-untyped-def]
    _, sale, tea, bread = mixed_sale(till)
    other = till.sell([("BREAD", 1)])
    refund_id = new_id()
    first = refund(till, sale.sale_id, {tea: 1}, refund_id=refund_id)
    before = snapshot()
    assert refund(till, sale.sale_id, {tea: 1}, refund_id=refund_id) == first
    assert refund(till, sale.sale_id, None, refund_id=refund_id) == first
    with pytest.raises(Conflict, match="belongs to another sale"):
        refund(till, other.sale_id, None, refund_id=refund_id)
    with pytest.raises(Conflict, match="different"):
        refund(till, sale.sale_id, {bread: 1}, refund_id=refund_id)
    assert snapshot() == before
