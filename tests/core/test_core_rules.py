"""The pure domain rules of loyalty_pos.core: no database, no clock, no Qt."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loyalty_pos.core import ecard
from loyalty_pos.core.chain import GENESIS_HASH, chain_problems, entry_hash
from loyalty_pos.core.ean import (
    check_digit,
    is_member_card_number,
    is_valid_ean13,
    make_card_number,
)
from loyalty_pos.core.errors import InsufficientBalance, InvalidInput, LoyaltyError
from loyalty_pos.core.members import normalise_email, normalise_name, normalise_phone
from loyalty_pos.core.money import format_money, parse_money, require_amount, round_half_up
from loyalty_pos.core.pins import (
    LOCKOUT,
    MAX_FAILED_ATTEMPTS,
    hash_pin,
    lockout_until,
    pin_matches,
    validate_pin,
)
from loyalty_pos.core.points import (
    Lot,
    add_months,
    check_redemption,
    consume_lots,
    earn_base_after_points,
    lot_expiry,
    max_redeemable_points,
    redemption_value,
)
from loyalty_pos.core.program import ProgramRules
from loyalty_pos.core.promotions import (
    BasketLine,
    Effect,
    PromotionRule,
    Shopper,
    quote_basket,
)
from loyalty_pos.core.receipts import parse_receipt_code, receipt_code
from loyalty_pos.core.refunds import apportion_refund, cumulative_share, refunded_fraction
from loyalty_pos.core.tiers import TierRule, decide_tier, validate_tiers

RULES = ProgramRules()

# --------------------------------------------------------------------------------------------
# money


@pytest.mark.parametrize(("text", "minor"), [
    ("12", 1200), ("12.3", 1230), ("12.30", 1230), ("0.05", 5), ("0", 0), (" 7.10 ", 710),
    ("1,234.56", 123456), ("-4.20", -420), ("999999999999.99", 99999999999999),
    # Decimal, not float: 0.29 * 100 is 28.999999999999996 in binary floating point
    ("0.29", 29), ("1.15", 115), ("4.35", 435),
])
def test_parse_money_is_exact(text: str, minor: int) -> None:
    assert parse_money(text) == minor
    assert isinstance(parse_money(text), int)


@pytest.mark.parametrize("text", [
    "12.345", "0.001", "1.999", "", "  ", "abc", "12.", ".5", "1e3", "1E3", "nan", "NaN",
    "inf", "Infinity", "--1", "1-", "12,30.5.1", "0x10", "1 000", "1.2.3", "¥12",
    str(0.1 + 0.2),  # a float that leaked into text: 0.30000000000000004
    "1234567890123",  # 13 digits of major units is beyond any till
])
def test_parse_money_refuses_garbage_and_three_decimals(text: str) -> None:
    with pytest.raises(InvalidInput, match="not an amount of money"):
        parse_money(text)


@pytest.mark.parametrize(("minor", "symbol", "text"), [
    (1230, "", "12.30"), (5, "", "0.05"), (0, "", "0.00"), (-5, "", "-0.05"),
    (123456789, "", "1,234,567.89"), (1230, "¥", "¥12.30"), (-1230, "¥", "-¥12.30"),
    (100, "€", "€1.00"),
])
def test_format_money(minor: int, symbol: str, text: str) -> None:
    assert format_money(minor, symbol) == text


@given(st.integers(min_value=-(10**14) + 1, max_value=10**14 - 1))
def test_format_then_parse_round_trips(minor: int) -> None:
    assert parse_money(format_money(minor)) == minor


@pytest.mark.parametrize(("value", "rounded"), [
    (Fraction(1, 2), 1), (Fraction(-1, 2), -1), (Fraction(3, 2), 2), (Fraction(5, 2), 3),
    (Fraction(1, 3), 0), (Fraction(2, 3), 1), (Fraction(-2, 3), -1), (7, 7),
    (Fraction(249, 100), 2), (Fraction(250, 100), 3),
])
def test_round_half_up_rounds_halves_away_from_zero(value: Fraction, rounded: int) -> None:
    assert round_half_up(value) == rounded


def test_require_amount() -> None:
    assert require_amount(5, "amount") == 5
    assert require_amount(0, "amount", allow_zero=True) == 0
    for bad in (0, -1, 1.5, "5", None, True, False):
        with pytest.raises(InvalidInput, match="amount"):
            require_amount(bad, "amount")
    with pytest.raises(InvalidInput, match="zero or more than zero"):
        require_amount(-1, "amount", allow_zero=True)


# --------------------------------------------------------------------------------------------
# EAN-13 and card numbers


@pytest.mark.parametrize("code", [
    "4006381333931", "5901234123457", "9780306406157", "0000000000000", "2900700000011",
])
def test_known_valid_ean13(code: str) -> None:
    assert is_valid_ean13(code)
    assert check_digit(code[:12]) == code[12]


@pytest.mark.parametrize("code", [
    "4006381333932", "4006381333930", "400638133393", "40063813339311", "40063813339a1", "",
    "5901234123458",
])
def test_invalid_ean13(code: str) -> None:
    assert not is_valid_ean13(code)


def test_check_digit_refuses_wrong_length() -> None:
    for bad in ("12345", "1234567890123", "12345678901a"):
        with pytest.raises(InvalidInput, match="12 digits"):
            check_digit(bad)


def test_card_numbers_start_with_29_and_validate() -> None:
    seen = set()
    for till_number, serial in ((1, 1), (7, 1), (7, 2), (999, 9_999_999), (123, 4567)):
        number = make_card_number(till_number, serial)
        assert len(number) == 13
        assert number.startswith("29")
        assert number[2:5] == f"{till_number:03d}"
        assert number[5:12] == f"{serial:07d}"
        assert is_valid_ean13(number)
        assert is_member_card_number(number)
        seen.add(number)
    assert len(seen) == 5
    # a manufacturer's product barcode is never a member card
    assert not is_member_card_number("4006381333931")
    # a 2x number with a wrong check digit is not a card either
    good = make_card_number(7, 1)
    assert not is_member_card_number(good[:12] + str((int(good[12]) + 1) % 10))


@pytest.mark.parametrize(("till_number", "serial"), [(0, 1), (1000, 1), (1, 0), (1, 10_000_000)])
def test_card_number_ranges(till_number: int, serial: int) -> None:
    with pytest.raises(InvalidInput, match="outside"):
        make_card_number(till_number, serial)


# --------------------------------------------------------------------------------------------
# electronic card payloads

SECRET = b"chain-secret-for-tests"
CARD = make_card_number(7, 42)
NOW = 1_800_000_000.0


def test_static_payload_round_trip() -> None:
    payload = ecard.static_payload(CARD, SECRET)
    assert payload.startswith(f"LP1.{CARD}.")
    assert ecard.card_number_from_scan(payload, SECRET, NOW) == CARD
    assert ecard.card_number_from_scan(f"  {payload}\r\n", SECRET, NOW) == CARD
    # the signature is hex; a scanner in caps-lock mode still works
    body, signature = payload.rsplit(".", 1)
    assert ecard.card_number_from_scan(f"{body}.{signature.upper()}", SECRET, NOW) == CARD


def test_tampered_signature_is_refused() -> None:
    payload = ecard.static_payload(CARD, SECRET)
    body, signature = payload.rsplit(".", 1)
    flipped = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    with pytest.raises(InvalidInput, match="signature is not valid"):
        ecard.card_number_from_scan(f"{body}.{flipped}", SECRET, NOW)
    # another card number under the first card's signature (a made-up card)
    other = make_card_number(7, 43)
    with pytest.raises(InvalidInput, match="signature is not valid"):
        ecard.card_number_from_scan(f"LP1.{other}.{signature}", SECRET, NOW)
    # signed by someone who does not know the chain secret
    with pytest.raises(InvalidInput, match="signature is not valid"):
        ecard.card_number_from_scan(ecard.static_payload(CARD, b"guess"), SECRET, NOW)


def test_signed_payload_must_carry_a_member_card_number() -> None:
    payload = ecard.static_payload("4006381333931", SECRET)
    with pytest.raises(InvalidInput, match="invalid card number"):
        ecard.card_number_from_scan(payload, SECRET, NOW)


def test_rotating_payload_expires_beyond_drift() -> None:
    payload = ecard.rotating_payload(CARD, SECRET, NOW)
    step = ecard.STEP_SECONDS
    for offset in (0, step - 1, step, -step):
        assert ecard.card_number_from_scan(payload, SECRET, NOW + offset) == CARD
    for offset in (2 * step + step, -3 * step, 3600):
        with pytest.raises(InvalidInput, match="expired"):
            ecard.card_number_from_scan(payload, SECRET, NOW + offset)
    # a rotating payload whose step was edited loses its signature
    body, signature = payload.rsplit(".", 1)
    prefix, number, time_step = body.split(".")
    moved = f"{prefix}.{number}.{int(time_step) + 5}.{signature}"
    with pytest.raises(InvalidInput, match="signature"):
        ecard.card_number_from_scan(moved, SECRET, NOW + 5 * step)


def test_plain_card_number_is_accepted_without_signature() -> None:
    assert ecard.card_number_from_scan(CARD, SECRET, NOW) == CARD
    assert ecard.card_number_from_scan(f"{CARD}\r", SECRET, NOW) == CARD


@pytest.mark.parametrize("payload", [
    "4006381333931", "hello", "", "LP1", "LP1.x", f"LP3.{CARD}.abcd", f"LP1.{CARD}.a.b",
    f"LP2.{CARD}.abcd", "2900700000015",
])
def test_things_that_are_not_member_cards(payload: str) -> None:
    with pytest.raises(InvalidInput):
        ecard.card_number_from_scan(payload, SECRET, NOW)


# --------------------------------------------------------------------------------------------
# PINs


def test_pin_hash_and_verify() -> None:
    stored = hash_pin("2468")
    scheme, n, r, p, salt, digest = stored.split("$")
    assert (scheme, n, r, p) == ("scrypt", "16384", "8", "1")
    assert len(bytes.fromhex(salt)) == 16 and len(bytes.fromhex(digest)) == 32
    assert pin_matches("2468", stored)
    assert not pin_matches("2469", stored)
    assert not pin_matches("24680", stored)
    assert not pin_matches(2468, stored)  # type: ignore[arg-type]
    assert not pin_matches("2468", "garbage")
    assert not pin_matches("2468", "md5$1$2$3$00$00")
    # salted: the same PIN never hashes the same way twice, unless the salt is given
    assert hash_pin("2468", salt=b"s" * 16) == hash_pin("2468", salt=b"s" * 16)
    assert hash_pin("2468", salt=b"s" * 16) != stored


@pytest.mark.parametrize("pin", ["123", "123456789", "12a4", "", " 1234", "١٢٣٤x", 1234, None])
def test_pin_format(pin: object) -> None:
    with pytest.raises(InvalidInput, match="4 to 8 digits"):
        validate_pin(pin)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        hash_pin(pin)  # type: ignore[arg-type]


def test_lockout_rule() -> None:
    now = datetime(2026, 3, 10, 12, 0)
    assert MAX_FAILED_ATTEMPTS == 5 and timedelta(minutes=5) == LOCKOUT
    for attempts in range(MAX_FAILED_ATTEMPTS):
        assert lockout_until(attempts, now) is None
    assert lockout_until(5, now) == now + timedelta(minutes=5)
    assert lockout_until(9, now) == now + timedelta(minutes=5)


# --------------------------------------------------------------------------------------------
# points: lots, redemption, expiry dates


def test_consume_lots_soonest_expiry_first() -> None:
    lots = [Lot("c", date(2027, 3, 1), 50), Lot("a", date(2026, 12, 1), 30),
            Lot("b", date(2027, 1, 1), 40), Lot("z", date(2026, 11, 1), 0)]
    allocations, shortfall = consume_lots(lots, 60)
    assert [(a.lot_id, a.points) for a in allocations] == [("a", 30), ("b", 30)]
    assert shortfall == 0
    allocations, shortfall = consume_lots(lots, 120)
    assert [(a.lot_id, a.points) for a in allocations] == [("a", 30), ("b", 40), ("c", 50)]
    assert shortfall == 0


def test_consume_lots_ties_and_shortfall() -> None:
    same_day = date(2027, 1, 1)
    lots = [Lot("y", same_day, 10), Lot("x", same_day, 10)]
    allocations, shortfall = consume_lots(lots, 25)
    assert [(a.lot_id, a.points) for a in allocations] == [("x", 10), ("y", 10)]
    assert shortfall == 5
    assert consume_lots([], 7) == ([], 7)
    assert consume_lots(lots, 0) == ([], 0)
    with pytest.raises(InvalidInput, match="negative"):
        consume_lots(lots, -1)


def test_redemption_value_and_steps() -> None:
    assert redemption_value(250, RULES) == 250  # 100 points pay for 1.00
    assert redemption_value(0, RULES) == 0
    three_hundred = ProgramRules(redeem_points_per_major=300)  # 3 points pay for 0.01
    assert redemption_value(300, three_hundred) == 100
    assert redemption_value(3, three_hundred) == 1
    with pytest.raises(InvalidInput, match="steps of 3"):
        redemption_value(4, three_hundred)
    fifty = ProgramRules(redeem_points_per_major=50)  # 1 point pays for 0.02
    assert redemption_value(7, fifty) == 14


def test_redemption_cap() -> None:
    # 50% of 50.00 is 25.00, which is 2500 points
    assert max_redeemable_points(10_000, 5000, RULES) == 2500
    assert max_redeemable_points(999, 5000, RULES) == 999
    assert max_redeemable_points(-40, 5000, RULES) == 0
    capped = ProgramRules(max_redeem_points_per_sale=1000)
    assert max_redeemable_points(10_000, 5000, capped) == 1000
    # the cap is rounded down to the redemption step
    three_hundred = ProgramRules(redeem_points_per_major=300)
    assert max_redeemable_points(1000, 100_000, three_hundred) == 999
    assert max_redeemable_points(10, 5, ProgramRules(max_redeem_percent=0)) == 0


def test_check_redemption() -> None:
    assert check_redemption(0, 0, 5000, RULES) == 0
    assert check_redemption(2500, 3000, 5000, RULES) == 2500
    with pytest.raises(InsufficientBalance, match="has 100 points, not 200"):
        check_redemption(200, 100, 5000, RULES)
    with pytest.raises(InsufficientBalance, match="has 0 points"):
        check_redemption(10, -40, 5000, RULES)
    with pytest.raises(InsufficientBalance, match=r"at most 2500 points .*50% of the total\)"):
        check_redemption(2501, 10_000, 5000, RULES)
    with pytest.raises(InsufficientBalance, match="1000 points per sale"):
        check_redemption(1001, 10_000, 5000, ProgramRules(max_redeem_points_per_sale=1000))
    for bad in (-1, 1.5, "10", True, None):
        with pytest.raises(InvalidInput, match="whole number"):
            check_redemption(bad, 10_000, 5000, RULES)  # type: ignore[arg-type]


def test_earn_base_after_points() -> None:
    assert earn_base_after_points(Fraction(10_000), 10_000, 2000) == 8000
    assert earn_base_after_points(Fraction(3000), 10_000, 5000) == 1500
    assert earn_base_after_points(Fraction(100), 0, 0) == 0


@pytest.mark.parametrize(("day", "months", "expected"), [
    (date(2026, 1, 31), 1, date(2026, 2, 28)),
    (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
    (date(2026, 3, 31), 1, date(2026, 4, 30)),
    (date(2026, 12, 15), 1, date(2027, 1, 15)),
    (date(2028, 2, 29), 12, date(2029, 2, 28)),
    (date(2026, 1, 31), 13, date(2027, 2, 28)),
    (date(2026, 3, 31), -1, date(2026, 2, 28)),
    (date(2026, 1, 15), -1, date(2025, 12, 15)),
    (date(2026, 5, 10), 0, date(2026, 5, 10)),
    (date(2026, 8, 31), 6, date(2027, 2, 28)),
])
def test_add_months(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


def test_lot_expiry_uses_the_program_setting() -> None:
    assert lot_expiry(date(2026, 3, 10), RULES) == date(2027, 3, 10)
    assert lot_expiry(date(2026, 3, 31), ProgramRules(points_expiry_months=2)) == date(2026, 5, 31)


def test_program_rules_validation_and_settings_round_trip() -> None:
    rules = ProgramRules(earn_points_per_major=3, max_redeem_percent=20)
    assert ProgramRules.from_settings(rules.as_settings()) == rules
    for bad in ({"earn_points_per_major": -1}, {"redeem_points_per_major": 0},
                {"max_redeem_percent": 101}, {"points_expiry_months": 1.5},
                {"tier_window_days": True}):
        with pytest.raises(InvalidInput):
            ProgramRules(**bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="whole number, not 'ten'"):
        ProgramRules.from_settings({"earn_points_per_major": "ten"})


# --------------------------------------------------------------------------------------------
# promotions

TUESDAY_NOON = datetime(2026, 3, 10, 12, 0)
BASIC = Shopper("basic", "Basic", 100, date(1990, 3, 5), is_first_purchase=False)
GOLD = Shopper("gold", "Gold", 150, None, is_first_purchase=True)
TEA = BasketLine("TEA", "Tea", "drinks", 1000, 2)
BREAD = BasketLine("BREAD", "Bread", "bakery", 500, 1)
GIFT = BasketLine("GIFT", "Gift wrap", "services", 300, 1, points_eligible=False)
BASKET = [TEA, BREAD]  # 25.00


def promo(code: str = "P", effect: Effect = Effect.BONUS_POINTS, value: int = 50,
          **conditions: object) -> PromotionRule:
    return PromotionRule(code=code, name=f"Promotion {code}", effect=effect, value=value,
                         **conditions)  # type: ignore[arg-type]


def outcome(quote, code: str = "P"):  # type: ignore[no-untyped-def]
    (found,) = [o for o in quote.outcomes if o.code == code]
    return found


def quote(rules: list[PromotionRule], *, shopper: Shopper | None = BASIC,
          now: datetime = TUESDAY_NOON, lines: list[BasketLine] | None = None):  # type: ignore[no-untyped-def]
    return quote_basket(BASKET if lines is None else lines, rules, shopper, now, RULES)


def test_quote_without_promotions() -> None:
    q = quote([])
    assert (q.subtotal, q.discount_total, q.total) == (2500, 0, 2500)
    assert (q.base_points, q.bonus_points, q.points_earned) == (25, 0, 25)
    assert q.points_explanation == ["25 base points (1 per 1.00 of eligible spend)"]
    assert q.outcomes == [] and q.applied == []
    no_member = quote([], shopper=None)
    assert no_member.points_earned == 0
    assert no_member.points_explanation == ["no member: no points"]


@pytest.mark.parametrize(("conditions", "applies", "why_not"), [
    ({"starts_on": date(2026, 3, 10)}, True, None),
    ({"starts_on": date(2026, 3, 11)}, False, "starts 2026-03-11"),
    ({"ends_on": date(2026, 3, 10)}, True, None),
    ({"ends_on": date(2026, 3, 9)}, False, "ended 2026-03-09"),
    ({"starts_on": date(2026, 3, 1), "ends_on": date(2026, 3, 31)}, True, None),
    ({"weekdays": frozenset({1})}, True, None),
    ({"weekdays": frozenset({0, 2})}, False, "only on Mon, Wed"),
    ({"start_time": time(9), "end_time": time(17)}, True, None),
    ({"start_time": time(12, 1), "end_time": time(17)}, False, "only 12:01:00-17:00:00"),
    ({"start_time": time(9), "end_time": time(12)}, False, "only 09:00:00-12:00:00"),  # end excl.
    ({"tiers": frozenset({"basic", "silver"})}, True, None),
    ({"tiers": frozenset({"gold"})}, False, "only for tiers gold"),
    ({"skus": frozenset({"TEA"})}, True, None),
    ({"skus": frozenset({"COFFEE"})}, False, "no matching items in the basket"),
    ({"categories": frozenset({"bakery"})}, True, None),
    ({"categories": frozenset({"toys"})}, False, "no matching items in the basket"),
    ({"min_basket": 2500}, True, None),
    ({"min_basket": 2501}, False, "basket below 25.01"),
    ({"birthday_month": True}, True, None),  # BASIC's birthday is in March
    ({"first_purchase": True}, False, "only on a member's first purchase"),
    ({"enabled": False}, False, "disabled"),
])
def test_each_condition(conditions: dict[str, object], applies: bool, why_not: str | None
                        ) -> None:
    result = outcome(quote([promo(**conditions)]))
    assert result.applied is applies
    if why_not is not None:
        assert result.explanation == why_not
    else:
        assert result.explanation.startswith("+50 bonus points: ")


def test_hours_spanning_midnight() -> None:
    late = promo(start_time=time(22), end_time=time(2))
    for moment, applies in ((datetime(2026, 3, 10, 23, 30), True),
                            (datetime(2026, 3, 10, 22, 0), True),
                            (datetime(2026, 3, 11, 1, 59), True),
                            (datetime(2026, 3, 11, 2, 0), False),
                            (datetime(2026, 3, 10, 12, 0), False),
                            (datetime(2026, 3, 10, 21, 59), False)):
        assert outcome(quote([late], now=moment)).applied is applies, moment
    applied = outcome(quote([late], now=datetime(2026, 3, 10, 23, 0)))
    assert "between 22:00 and 02:00" in applied.explanation
    assert outcome(quote([late])).explanation == "only 22:00:00-02:00:00"


def test_tier_birthday_and_first_purchase_need_a_member() -> None:
    for conditions, reason in (({"tiers": frozenset({"gold"})}, "only for tiers gold"),
                               ({"birthday_month": True}, "only in the member's birthday month"),
                               ({"first_purchase": True}, "only on a member's first purchase")):
        rule = promo(effect=Effect.PERCENT_DISCOUNT, value=10, **conditions)
        assert outcome(quote([rule], shopper=None)).explanation == reason
    gold_only = promo(tiers=frozenset({"gold"}))
    assert "tier Gold" in outcome(quote([gold_only], shopper=GOLD)).explanation
    first = promo(first_purchase=True)
    assert "first purchase" in outcome(quote([first], shopper=GOLD)).explanation
    birthday = promo(birthday_month=True)
    assert outcome(quote([birthday], shopper=GOLD)).explanation == (
        "only in the member's birthday month")  # GOLD gave no birthday
    april = Shopper("basic", "Basic", 100, date(1990, 4, 1), False)
    assert not outcome(quote([birthday], shopper=april)).applied


def test_applied_explanation_lists_every_condition() -> None:
    rule = promo(weekdays=frozenset({1, 3}), start_time=time(10), end_time=time(14),
                 tiers=frozenset({"basic"}), skus=frozenset({"TEA"}), min_basket=2000,
                 birthday_month=True)
    assert outcome(quote([rule])).explanation == (
        "+50 bonus points: 1 matching line, on Tue, Thu, between 10:00 and 14:00, tier Basic, "
        "birthday month, basket at least 20.00")


def test_points_multiplier_effect() -> None:
    q = quote([promo(effect=Effect.POINTS_MULTIPLIER, value=200, skus=frozenset({"TEA"}))])
    # tea 20.00 -> 20 points x2 = 40; bread 5.00 -> 5 points
    assert (q.base_points, q.points_earned, q.bonus_points) == (25, 45, 0)
    assert outcome(q).explanation == "x2 points: 1 matching line"
    assert q.total == 2500
    half = quote([promo(effect=Effect.POINTS_MULTIPLIER, value=150)])
    assert half.points_earned == 37  # 25 * 1.5 = 37.5, whole points only
    assert outcome(half).explanation == "x1.5 points: 2 matching lines"


def test_bonus_points_effect() -> None:
    q = quote([promo(effect=Effect.BONUS_POINTS, value=50)])
    assert (q.base_points, q.bonus_points, q.points_earned) == (25, 50, 75)
    assert "+50 bonus points from promotions" in q.points_explanation
    assert q.total == 2500


def test_percent_discount_effect() -> None:
    q = quote([promo(effect=Effect.PERCENT_DISCOUNT, value=10)])
    assert [line.discount for line in q.lines] == [200, 50]
    assert (q.subtotal, q.discount_total, q.total) == (2500, 250, 2250)
    assert outcome(q).explanation == "10% off, saves 2.50: 2 matching lines"
    assert q.points_earned == 22  # 22.50 of spend earns whole points only
    # halves round away from zero per line: 10% of 3.35 is 0.335 -> 0.34
    odd = quote([promo(effect=Effect.PERCENT_DISCOUNT, value=10)],
                lines=[BasketLine("X", "X", "c", 335, 1)])
    assert odd.discount_total == 34
    free = quote([promo(effect=Effect.PERCENT_DISCOUNT, value=100)])
    assert free.total == 0 and free.points_earned == 0


def test_fixed_discount_effect() -> None:
    q = quote([promo(effect=Effect.FIXED_DISCOUNT, value=1000)])
    assert [line.discount for line in q.lines] == [800, 200]  # in proportion to 20.00 : 5.00
    assert q.total == 1500
    assert outcome(q).explanation == "10.00 off: 2 matching lines"
    # largest remainder: 1.00 over three equal lines is 0.34 + 0.33 + 0.33
    three = [BasketLine(s, s, "c", 1000, 1) for s in ("A", "B", "C")]
    spread = quote([promo(effect=Effect.FIXED_DISCOUNT, value=100)], lines=three)
    assert sorted(line.discount for line in spread.lines) == [33, 33, 34]
    assert spread.discount_total == 100
    # never more than the matching lines are worth
    capped = quote([promo(effect=Effect.FIXED_DISCOUNT, value=5000, skus=frozenset({"BREAD"}))])
    assert [line.discount for line in capped.lines] == [0, 500]
    assert outcome(capped).explanation == "5.00 off: 1 matching line"


def test_points_effects_need_a_member_but_discounts_do_not() -> None:
    rules = [promo("A", Effect.POINTS_MULTIPLIER, 200, priority=3),
             promo("B", Effect.BONUS_POINTS, 10, priority=2),
             promo("C", Effect.PERCENT_DISCOUNT, 10, priority=1)]
    q = quote(rules, shopper=None)
    assert outcome(q, "A").explanation == "points need a member"
    assert outcome(q, "B").explanation == "points need a member"
    assert outcome(q, "C").applied
    assert q.total == 2250 and q.points_earned == 0


def test_priority_order_and_stacking() -> None:
    rules = [promo("LOW", Effect.BONUS_POINTS, 10, priority=1),
             promo("HIGH", Effect.PERCENT_DISCOUNT, 10, priority=9),
             promo("MID", Effect.POINTS_MULTIPLIER, 200, priority=5)]
    q = quote(rules)
    assert [o.code for o in q.outcomes] == ["HIGH", "MID", "LOW"]
    assert all(o.applied for o in q.outcomes)
    # 10% off first, then x2 on the discounted 22.50 = 45, plus 10 bonus
    assert q.points_earned == 55
    # equal priority: ordered by code
    tie = quote([promo("B"), promo("A")])
    assert [o.code for o in tie.outcomes] == ["A", "B"]


def test_exclusive_stacking_with_explanations() -> None:
    exclusive_first = quote([promo("EXCL", Effect.PERCENT_DISCOUNT, 20, priority=9,
                                   exclusive=True),
                             promo("OTHER", Effect.BONUS_POINTS, 10, priority=1)])
    assert outcome(exclusive_first, "EXCL").applied
    assert outcome(exclusive_first, "OTHER").applied is False
    assert outcome(exclusive_first, "OTHER").explanation == (
        "an exclusive promotion already applied")
    assert exclusive_first.total == 2000 and exclusive_first.bonus_points == 0

    exclusive_later = quote([promo("FIRST", Effect.BONUS_POINTS, 10, priority=9),
                             promo("EXCL", Effect.PERCENT_DISCOUNT, 20, priority=1,
                                   exclusive=True)])
    assert outcome(exclusive_later, "FIRST").applied
    assert outcome(exclusive_later, "EXCL").explanation == (
        "exclusive, and a higher-priority promotion already applied")
    assert exclusive_later.total == 2500

    # an exclusive promotion whose condition fails does not block the others
    blocked = quote([promo("EXCL", Effect.PERCENT_DISCOUNT, 20, priority=9, exclusive=True,
                           min_basket=10_000),
                     promo("OTHER", Effect.BONUS_POINTS, 10, priority=1)])
    assert outcome(blocked, "EXCL").explanation == "basket below 100.00"
    assert outcome(blocked, "OTHER").applied


def test_tier_multiplier_and_points_paid_part() -> None:
    gold = quote([], shopper=GOLD)
    assert gold.points_earned == 37  # 25 x 1.5
    assert "x1.5 for tier Gold" in gold.points_explanation
    paid = quote_basket(BASKET, [], BASIC, TUESDAY_NOON, RULES, points_to_redeem=1000,
                        points_value=1000)
    assert (paid.total, paid.due_after_points, paid.points_earned) == (2500, 1500, 15)
    assert "10.00 paid with points earns no points" in paid.points_explanation
    with pytest.raises(InvalidInput, match="more than the sale total"):
        quote_basket(BASKET, [], BASIC, TUESDAY_NOON, RULES, 3000, 3000)


def test_points_ineligible_lines_earn_nothing() -> None:
    q = quote([], lines=[TEA, GIFT])
    assert q.total == 2300
    assert q.points_earned == 20


@pytest.mark.parametrize(("changes", "message"), [
    ({"value": 0}, "more than zero"),
    ({"value": -5}, "more than zero"),
    ({"effect": Effect.PERCENT_DISCOUNT, "value": 101}, "at most 100"),
    ({"effect": Effect.POINTS_MULTIPLIER, "value": 10_001}, "at most x100"),
    ({"starts_on": date(2026, 3, 10), "ends_on": date(2026, 3, 9)}, "ends before it starts"),
    ({"weekdays": frozenset({7})}, "weekdays are 0"),
    ({"start_time": time(9)}, "both a start and an end"),
    ({"min_basket": -1}, "must not be negative"),
    ({"code": ""}, "needs a code and a name"),
    ({"effect": "free_lunch"}, "effect"),
])
def test_promotion_rule_validation(changes: dict[str, object], message: str) -> None:
    values: dict[str, object] = {"code": "P", "name": "P", "effect": Effect.BONUS_POINTS,
                                 "value": 10}
    values.update(changes)
    with pytest.raises(InvalidInput, match=message):
        PromotionRule(**values)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# tiers

TIERS = [TierRule("basic", "Basic", 0, 100), TierRule("silver", "Silver", 100_000, 125),
         TierRule("gold", "Gold", 500_000, 150)]


def test_decide_tier_and_reason() -> None:
    decision = decide_tier(TIERS, 150_000, 365)
    assert decision.tier.code == "silver" and decision.spend == 150_000
    assert decision.reason == ("spent 1,500.00 in the last 365 days; Silver starts at "
                               "1,000.00; 3,500.00 more reaches Gold")
    assert decide_tier(TIERS, 0, 365).tier.code == "basic"
    assert decide_tier(TIERS, 99_999, 365).tier.code == "basic"
    assert decide_tier(TIERS, 100_000, 365).tier.code == "silver"  # threshold reached exactly
    top = decide_tier(list(reversed(TIERS)), 600_000, 30)
    assert top.tier.code == "gold"
    assert top.reason == "spent 6,000.00 in the last 30 days; Gold starts at 5,000.00"
    assert decide_tier(TIERS, -500, 365).tier.code == "basic"  # refunds beyond sales


def test_tier_validation() -> None:
    with pytest.raises(InvalidInput, match="threshold of 0"):
        validate_tiers([TierRule("silver", "Silver", 100, 125)])
    with pytest.raises(InvalidInput, match="threshold of 0"):
        validate_tiers([])
    with pytest.raises(InvalidInput, match="same threshold"):
        validate_tiers([TierRule("a", "A", 0, 100), TierRule("b", "B", 0, 110)])
    with pytest.raises(InvalidInput, match="same code"):
        validate_tiers([TierRule("a", "A", 0, 100), TierRule("a", "A2", 10, 110)])
    for bad in (("", "X", 0, 100), ("x", "X", -1, 100), ("x", "X", 0, 0)):
        with pytest.raises(InvalidInput):
            TierRule(*bad)


# --------------------------------------------------------------------------------------------
# refunds arithmetic


def test_apportion_refund_example() -> None:
    paid = {"points": 1234, "stored_value": 4000, "card": 3000, "cash": 2766}  # 110.00
    first = apportion_refund(3333, paid, {}, Fraction(3333, 11_000))
    assert sum(first.values()) == 3333
    assert first == {"points": 374, "stored_value": 1212, "card": 909, "cash": 838}
    rest = apportion_refund(11_000 - 3333, paid, first, Fraction(1))
    assert {m: first[m] + rest[m] for m in paid} == paid


def test_apportion_refund_refuses_too_much() -> None:
    with pytest.raises(ValueError, match="cannot refund"):
        apportion_refund(101, {"cash": 100}, {}, Fraction(1))
    with pytest.raises(ValueError, match="cannot refund"):
        apportion_refund(60, {"cash": 100}, {"cash": 50}, Fraction(1))
    with pytest.raises(ValueError, match="cannot refund"):
        apportion_refund(-1, {"cash": 100}, {}, Fraction(0))


@settings(max_examples=300, deadline=None)
@given(paid=st.dictionaries(st.sampled_from(["points", "stored_value", "card", "cash"]),
                            st.integers(min_value=0, max_value=100_000), min_size=1),
       cuts=st.lists(st.integers(min_value=0, max_value=10**6), max_size=6))
def test_apportion_refund_properties(paid: dict[str, int], cuts: list[int]) -> None:
    """Any sequence of partial refunds: parts add up, never exceed what was paid, never go
    negative, and the last one leaves every method refunded exactly what it paid."""
    total = sum(paid.values())
    points = sorted({c * total // 10**6 for c in cuts} | {total})
    refunded = dict.fromkeys(paid, 0)
    before = 0
    for after in points:
        amount = after - before
        fraction = Fraction(after, total) if total else Fraction(1)
        parts = apportion_refund(amount, paid, refunded, fraction)
        assert sum(parts.values()) == amount
        for method, part in parts.items():
            assert part >= 0
            assert refunded[method] + part <= paid[method]
            refunded[method] += part
        before = after
    assert refunded == paid


@given(total=st.integers(min_value=-10**6, max_value=10**6),
       cuts=st.lists(st.fractions(min_value=0, max_value=1), max_size=6))
def test_cumulative_share_adds_up_to_the_whole(total: int, cuts: list[Fraction]) -> None:
    steps = sorted({Fraction(0), *cuts, Fraction(1)})
    shares = [cumulative_share(total, a, b) for a, b in pairwise(steps)]
    assert sum(shares) == total
    assert all(abs(s) <= abs(total) for s in shares)
    if total >= 0:
        assert all(s >= 0 for s in shares)


def test_cumulative_share_and_refunded_fraction() -> None:
    assert cumulative_share(100, Fraction(0), Fraction(1, 3)) == 33
    assert cumulative_share(100, Fraction(1, 3), Fraction(2, 3)) == 34
    assert cumulative_share(100, Fraction(2, 3), Fraction(1)) == 33
    assert refunded_fraction(250, 1000, 1, 4) == Fraction(1, 4)
    assert refunded_fraction(0, 0, 1, 4) == Fraction(1, 4)  # a free sale: by units
    assert refunded_fraction(0, 0, 0, 0) == 1


# --------------------------------------------------------------------------------------------
# receipts, member details, hash chain


def test_receipt_codes() -> None:
    assert receipt_code(7, 42) == "R0070000042"
    assert parse_receipt_code("R0070000042") == (7, 42)
    assert parse_receipt_code(" r0070000042 ") == (7, 42)
    for bad in ("R007000004", "R00700000421", "X0070000042", "0070000042", ""):
        with pytest.raises(InvalidInput, match="R \\+ 10 digits"):
            parse_receipt_code(bad)


def test_member_detail_normalisation() -> None:
    assert normalise_phone("+86 138-0013 8000") == "8613800138000"
    assert normalise_phone("(020) 7946.0958") == "02079460958"
    assert normalise_phone("  ") is None and normalise_phone(None) is None
    for bad in ("12345", "1234567890123456", "phone", "138 0013 800x"):
        with pytest.raises(InvalidInput, match="not a phone number"):
            normalise_phone(bad)
    assert normalise_email(" Ann@Example.COM ") == "ann@example.com"
    for bad in ("ann", "ann@", "@example.com", "ann@example", "a b@example.com"):
        with pytest.raises(InvalidInput, match="not an email address"):
            normalise_email(bad)
    assert normalise_name("  Ann   Lee ") == "Ann Lee"
    with pytest.raises(InvalidInput, match="required"):
        normalise_name("   ")
    with pytest.raises(InvalidInput, match="longer than 120"):
        normalise_name("x" * 121)


def _chained(amounts: list[int]) -> list[dict[str, object]]:
    entries, prev = [], GENESIS_HASH
    for seq, amount in enumerate(amounts, start=1):
        entry: dict[str, object] = {"id": f"e{seq}", "seq": seq, "amount": amount,
                                    "created_at": datetime(2026, 1, 1, tzinfo=UTC).isoformat()}
        entry["prev_hash"] = prev
        entry["hash"] = prev = entry_hash(prev, entry)
        entries.append(entry)
    return entries


def test_hash_chain_detects_edits_gaps_and_reordering() -> None:
    entries = _chained([10, -4, 7])
    assert chain_problems(entries) == []
    edited = [dict(e) for e in entries]
    edited[1]["amount"] = -1
    assert chain_problems(edited) == ["entry 2: hash does not match its content (edited?)"]
    gap = [entries[0], entries[2]]
    assert "sequence gap: expected 2, found 3" in chain_problems(gap)
    assert "entry 3: prev_hash does not link to entry 2" in chain_problems(gap)
    swapped = [entries[1], entries[0], entries[2]]
    assert chain_problems(swapped)


def test_every_error_is_a_loyalty_error() -> None:
    from loyalty_pos.core import errors

    for name in ("InvalidInput", "NotFound", "Conflict", "InsufficientBalance",
                 "PermissionDenied", "LockedOut", "IntegrityViolation"):
        assert issubclass(getattr(errors, name), LoyaltyError)
    assert issubclass(errors.LockedOut, errors.PermissionDenied)
