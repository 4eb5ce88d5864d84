"""Points rules: lots and their expiry, consumption order, redemption limits and value.

Rules stated once, here:
- Earned points form a lot that expires ``points_expiry_months`` after the day it was earned.
- Spending (redeem, expire, take-back, negative adjustment) consumes lots soonest-expiry first,
  and records which lots it consumed.
- The part of a sale paid with points earns no points (see ``earn_base_after_points``).
- Refund shortfall policy: when points earned by a refunded sale were already spent, the part
  that cannot be taken from lots becomes a negative balance (points debt). The take-back entry
  records the full amount; later earnings settle the debt first, and nothing can be redeemed
  while the balance is negative. A refund is never blocked by it.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from math import gcd

from .errors import InsufficientBalance, InvalidInput
from .program import ProgramRules


@dataclass(frozen=True)
class Lot:
    lot_id: str
    expires_on: date
    remaining: int


@dataclass(frozen=True)
class Allocation:
    lot_id: str
    points: int


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def lot_expiry(earned_on: date, rules: ProgramRules) -> date:
    return add_months(earned_on, rules.points_expiry_months)


def consume_lots(lots: list[Lot], points: int) -> tuple[list[Allocation], int]:
    """Take `points` from lots, soonest expiry first. Returns allocations and the shortfall."""
    if points < 0:
        raise InvalidInput("points to consume must not be negative")
    wanted = points
    allocations: list[Allocation] = []
    for lot in sorted(lots, key=lambda lot: (lot.expires_on, lot.lot_id)):
        if wanted == 0:
            break
        take = min(lot.remaining, wanted)
        if take > 0:
            allocations.append(Allocation(lot.lot_id, take))
            wanted -= take
    return allocations, wanted


def redeem_step(rules: ProgramRules) -> int:
    """Points are redeemed in multiples of this, so that they buy whole minor units."""
    return rules.redeem_points_per_major // gcd(rules.redeem_points_per_major, 100)


def redemption_value(points: int, rules: ProgramRules) -> int:
    """Money (minor units) that `points` pay for. Points must buy a whole number of minor units."""
    value = Fraction(points * 100, rules.redeem_points_per_major)
    if value.denominator != 1:
        raise InvalidInput(f"points are redeemed in steps of {redeem_step(rules)}")
    return int(value)


def max_redeemable_points(balance: int, sale_total: int, rules: ProgramRules) -> int:
    """The most points a member may spend on a sale of `sale_total` minor units."""
    money_cap = sale_total * rules.max_redeem_percent // 100
    points_cap = money_cap * rules.redeem_points_per_major // 100
    if rules.max_redeem_points_per_sale:
        points_cap = min(points_cap, rules.max_redeem_points_per_sale)
    step = redeem_step(rules)
    return max(0, min(balance, points_cap) // step * step)


def check_redemption(points: int, balance: int, sale_total: int, rules: ProgramRules) -> int:
    """Validate a cashier's choice of points to redeem; return its money value."""
    if isinstance(points, bool) or not isinstance(points, int) or points < 0:
        raise InvalidInput("points to redeem must be a whole number, zero or more")
    if points == 0:
        return 0
    if points > balance:
        raise InsufficientBalance(f"the member has {max(balance, 0)} points, not {points}")
    limit = max_redeemable_points(balance, sale_total, rules)
    if points > limit:
        raise InsufficientBalance(
            f"at most {limit} points can be redeemed on this sale "
            f"({rules.max_redeem_percent}% of the total"
            + (f", {rules.max_redeem_points_per_sale} points per sale)"
               if rules.max_redeem_points_per_sale else ")"))
    return redemption_value(points, rules)


def earn_base_after_points(eligible: Fraction, sale_total: int, paid_with_points: int) -> Fraction:
    """The part paid with points does not earn points: scale the eligible amount down pro rata."""
    if sale_total <= 0:
        return Fraction(0)
    return eligible * Fraction(sale_total - paid_with_points, sale_total)

