"""Promotions and the basket quote.

A promotion has conditions (date window, weekdays, hours, tiers, SKUs or categories, minimum
basket, birthday month, first purchase) and one effect (points multiplier, fixed bonus points,
percent discount or fixed discount on the matching lines).

Stacking: promotions are tried by priority, highest first. An exclusive promotion applies only
if nothing has applied before it, and then nothing after it applies. The quote lists every
promotion with whether it applied and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from .errors import InvalidInput
from .money import format_money, round_half_up
from .points import earn_base_after_points
from .program import ProgramRules

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class Effect(StrEnum):
    POINTS_MULTIPLIER = "points_multiplier"   # value: percent, 200 = x2
    BONUS_POINTS = "bonus_points"             # value: points
    PERCENT_DISCOUNT = "percent_discount"     # value: percent off matching lines, 1-100
    FIXED_DISCOUNT = "fixed_discount"         # value: minor units off the matching lines


@dataclass(frozen=True)
class PromotionRule:
    code: str
    name: str
    effect: Effect
    value: int
    priority: int = 0
    exclusive: bool = False
    enabled: bool = True
    starts_on: date | None = None
    ends_on: date | None = None
    weekdays: frozenset[int] = frozenset()      # 0 = Monday; empty = every day
    start_time: time | None = None
    end_time: time | None = None
    tiers: frozenset[str] = frozenset()         # empty = every tier (and non-members excluded)
    skus: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()    # skus and categories empty = every line
    min_basket: int = 0
    birthday_month: bool = False
    first_purchase: bool = False

    def __post_init__(self) -> None:
        _check_rule(self)

    def matches_line(self, line: BasketLine) -> bool:
        if not self.skus and not self.categories:
            return True
        return line.sku in self.skus or line.category in self.categories


def rule_as_dict(rule: PromotionRule) -> dict[str, object]:
    """A promotion as plain JSON-able values: the fields head office publishes and a till
    stores (docs/sync-protocol.md "promotions"), and the audit log's form."""
    return {
        "code": rule.code, "name": rule.name, "effect": str(rule.effect), "value": rule.value,
        "priority": rule.priority, "exclusive": rule.exclusive, "enabled": rule.enabled,
        "starts_on": rule.starts_on.isoformat() if rule.starts_on else None,
        "ends_on": rule.ends_on.isoformat() if rule.ends_on else None,
        "weekdays": sorted(rule.weekdays),
        "start_time": rule.start_time.strftime("%H:%M") if rule.start_time else None,
        "end_time": rule.end_time.strftime("%H:%M") if rule.end_time else None,
        "tiers": sorted(rule.tiers), "skus": sorted(rule.skus),
        "categories": sorted(rule.categories), "min_basket": rule.min_basket,
        "birthday_month": rule.birthday_month, "first_purchase": rule.first_purchase,
    }


def _check_rule(rule: PromotionRule) -> None:
    if not rule.code or not rule.name:
        raise InvalidInput("a promotion needs a code and a name")
    try:
        effect = Effect(rule.effect)
    except ValueError as exc:
        raise InvalidInput(f"promotion {rule.code}: unknown effect '{rule.effect}'") from exc
    if rule.value <= 0:
        raise InvalidInput(f"promotion {rule.code}: the effect value must be more than zero")
    if effect is Effect.PERCENT_DISCOUNT and rule.value > 100:
        raise InvalidInput(f"promotion {rule.code}: a percent discount is at most 100")
    if effect is Effect.POINTS_MULTIPLIER and rule.value > 10_000:
        raise InvalidInput(f"promotion {rule.code}: a multiplier is at most x100")
    if rule.starts_on and rule.ends_on and rule.ends_on < rule.starts_on:
        raise InvalidInput(f"promotion {rule.code}: ends before it starts")
    if any(day not in range(7) for day in rule.weekdays):
        raise InvalidInput(f"promotion {rule.code}: weekdays are 0 (Monday) to 6 (Sunday)")
    if (rule.start_time is None) != (rule.end_time is None):
        raise InvalidInput(f"promotion {rule.code}: give both a start and an end hour, or neither")
    if rule.min_basket < 0:
        raise InvalidInput(f"promotion {rule.code}: minimum basket must not be negative")


@dataclass(frozen=True)
class BasketLine:
    sku: str
    name: str
    category: str
    unit_price: int
    quantity: int
    points_eligible: bool = True

    @property
    def gross(self) -> int:
        return self.unit_price * self.quantity


@dataclass(frozen=True)
class Shopper:
    """What the quote needs to know about the member (None for a sale without a member)."""
    tier_code: str
    tier_name: str
    tier_multiplier_percent: int
    birthday: date | None
    is_first_purchase: bool


@dataclass
class QuotedLine:
    line: BasketLine
    discount: int = 0
    multipliers: list[int] = field(default_factory=list)
    points: Fraction = Fraction(0)

    @property
    def net(self) -> int:
        return self.line.gross - self.discount


@dataclass(frozen=True)
class PromotionOutcome:
    code: str
    name: str
    applied: bool
    explanation: str


@dataclass
class Quote:
    lines: list[QuotedLine]
    outcomes: list[PromotionOutcome]
    points_redeemed: int
    points_value: int
    base_points: int
    bonus_points: int
    points_earned: int
    points_explanation: list[str]

    @property
    def subtotal(self) -> int:
        return sum(q.line.gross for q in self.lines)

    @property
    def discount_total(self) -> int:
        return sum(q.discount for q in self.lines)

    @property
    def total(self) -> int:
        return self.subtotal - self.discount_total

    @property
    def due_after_points(self) -> int:
        return self.total - self.points_value

    @property
    def applied(self) -> list[PromotionOutcome]:
        return [o for o in self.outcomes if o.applied]


def _why_not(rule: PromotionRule, lines: list[BasketLine], shopper: Shopper | None,
             now: datetime) -> str | None:
    """None when every condition holds, else the first one that does not."""
    today = now.date()
    checks = [
        (rule.enabled, "disabled"),
        (rule.starts_on is None or today >= rule.starts_on, f"starts {rule.starts_on}"),
        (rule.ends_on is None or today <= rule.ends_on, f"ended {rule.ends_on}"),
        (not rule.weekdays or now.weekday() in rule.weekdays,
         "only on " + ", ".join(WEEKDAY_NAMES[d] for d in sorted(rule.weekdays))),
        (rule.start_time is None or _in_hours(now.time(), rule),
         f"only {rule.start_time}-{rule.end_time}"),
        (not rule.tiers or (shopper is not None and shopper.tier_code in rule.tiers),
         "only for tiers " + ", ".join(sorted(rule.tiers))),
        (not rule.birthday_month or (shopper is not None and shopper.birthday is not None
                                     and shopper.birthday.month == today.month),
         "only in the member's birthday month"),
        (not rule.first_purchase or (shopper is not None and shopper.is_first_purchase),
         "only on a member's first purchase"),
        (sum(line.gross for line in lines) >= rule.min_basket,
         f"basket below {format_money(rule.min_basket)}"),
        (any(rule.matches_line(line) for line in lines), "no matching items in the basket"),
    ]
    for holds, reason in checks:
        if not holds:
            return reason
    return None


def _in_hours(moment: time, rule: PromotionRule) -> bool:
    assert rule.start_time is not None and rule.end_time is not None
    if rule.start_time <= rule.end_time:
        return rule.start_time <= moment < rule.end_time
    return moment >= rule.start_time or moment < rule.end_time  # spans midnight


def _why_applies(rule: PromotionRule, matched: int, shopper: Shopper | None) -> str:
    parts = [f"{matched} matching line{'s' if matched != 1 else ''}"]
    if rule.weekdays:
        parts.append("on " + ", ".join(WEEKDAY_NAMES[d] for d in sorted(rule.weekdays)))
    if rule.start_time is not None:
        parts.append(f"between {rule.start_time:%H:%M} and {rule.end_time:%H:%M}")
    if rule.tiers and shopper:
        parts.append(f"tier {shopper.tier_name}")
    if rule.birthday_month:
        parts.append("birthday month")
    if rule.first_purchase:
        parts.append("first purchase")
    if rule.min_basket:
        parts.append(f"basket at least {format_money(rule.min_basket)}")
    return ", ".join(parts)


def _apply(rule: PromotionRule, quoted: list[QuotedLine]) -> tuple[str, int]:
    """Apply one promotion's effect; return a description of the effect and bonus points."""
    matching = [q for q in quoted if rule.matches_line(q.line)]
    if rule.effect is Effect.POINTS_MULTIPLIER:
        for q in matching:
            q.multipliers.append(rule.value)
        return f"x{_factor(rule.value)} points", 0
    if rule.effect is Effect.BONUS_POINTS:
        return f"+{rule.value} bonus points", rule.value
    if rule.effect is Effect.PERCENT_DISCOUNT:
        saved = 0
        for q in matching:
            cut = round_half_up(Fraction(q.net * rule.value, 100))
            q.discount += cut
            saved += cut
        return f"{rule.value}% off, saves {format_money(saved)}", 0
    saved = _spread_fixed_discount(rule.value, matching)
    return f"{format_money(saved)} off", 0


def _factor(percent: int) -> str:
    """150 -> '1.5', 200 -> '2' (a cashier reads 'x1.5', not 'x3/2')."""
    return f"{Decimal(percent).scaleb(-2).normalize():f}"


def _spread_fixed_discount(amount: int, matching: list[QuotedLine]) -> int:
    """Share a fixed amount across matching lines in proportion to their net (largest remainder)."""
    pool = sum(q.net for q in matching)
    amount = min(amount, pool)
    if amount <= 0:
        return 0
    shares = [Fraction(q.net * amount, pool) for q in matching]
    cuts = [int(s) for s in shares]
    leftover = amount - sum(cuts)
    by_remainder = sorted(range(len(matching)), key=lambda i: shares[i] - cuts[i], reverse=True)
    for i in by_remainder[:leftover]:
        cuts[i] += 1
    for q, cut in zip(matching, cuts, strict=True):
        q.discount += cut
    return amount


def quote_basket(lines: list[BasketLine], promotions: list[PromotionRule],
                 shopper: Shopper | None, now: datetime, rules: ProgramRules,
                 points_to_redeem: int = 0, points_value: int = 0) -> Quote:
    """Price a basket: discounts, points to earn and an explanation of every promotion.

    `points_value` is the money paid with points; that part earns no points.
    Member-only effects (points) need a shopper; discounts need none unless a tier is required.
    """
    quoted = [QuotedLine(line) for line in lines]
    outcomes: list[PromotionOutcome] = []
    bonus = 0
    applied_any = exclusive_applied = False
    for rule in sorted(promotions, key=lambda r: (-r.priority, r.code)):
        blocker = _why_not(rule, lines, shopper, now)
        if blocker is None and shopper is None and rule.effect in (Effect.POINTS_MULTIPLIER,
                                                                    Effect.BONUS_POINTS):
            blocker = "points need a member"
        if blocker is None and exclusive_applied:
            blocker = "an exclusive promotion already applied"
        if blocker is None and rule.exclusive and applied_any:
            blocker = "exclusive, and a higher-priority promotion already applied"
        if blocker is not None:
            outcomes.append(PromotionOutcome(rule.code, rule.name, False, blocker))
            continue
        matched = sum(1 for q in quoted if rule.matches_line(q.line))
        effect_text, extra = _apply(rule, quoted)
        bonus += extra
        applied_any = True
        exclusive_applied = rule.exclusive
        outcomes.append(PromotionOutcome(
            rule.code, rule.name, True, f"{effect_text}: {_why_applies(rule, matched, shopper)}"))
    return _with_points(quoted, outcomes, shopper, rules, points_to_redeem, points_value, bonus)


def _with_points(quoted: list[QuotedLine], outcomes: list[PromotionOutcome],
                 shopper: Shopper | None, rules: ProgramRules, points_to_redeem: int,
                 points_value: int, bonus: int) -> Quote:
    total = sum(q.net for q in quoted)
    explanation: list[str] = []
    if shopper is None:
        return Quote(quoted, outcomes, 0, 0, 0, 0, 0, ["no member: no points"])
    if not 0 <= points_value <= total:
        raise InvalidInput("points cannot pay for more than the sale total")
    base = Fraction(0)
    points = Fraction(0)
    tier = Fraction(shopper.tier_multiplier_percent, 100)
    for q in quoted:
        if not q.line.points_eligible:
            continue
        earning = earn_base_after_points(Fraction(q.net), total, points_value)
        line_base = earning * rules.earn_points_per_major / 100
        q.points = line_base * tier
        for multiplier in q.multipliers:
            q.points *= Fraction(multiplier, 100)
        base += line_base
        points += q.points
    explanation.append(f"{int(base)} base points ({rules.earn_points_per_major} per 1.00 of "
                       "eligible spend)")
    if tier != 1:
        explanation.append(f"x{_factor(shopper.tier_multiplier_percent)} for tier "
                           f"{shopper.tier_name}")
    boosted = sum(1 for q in quoted if q.multipliers and q.line.points_eligible)
    if boosted:
        extra = int(points) - int(base * tier)
        explanation.append(f"+{extra} from points multipliers on {boosted} "
                           f"line{'s' if boosted != 1 else ''}")
    if points_value:
        explanation.append(f"{format_money(points_value)} paid with points earns no points")
    if bonus:
        explanation.append(f"+{bonus} bonus points from promotions")
    earned = int(points) + bonus
    return Quote(quoted, outcomes, points_to_redeem, points_value, int(base), bonus, earned,
                 explanation)
