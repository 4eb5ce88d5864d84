"""The store manager's program settings: rules, tiers and promotions, with a "try it" quote.

Every change is one transaction, needs a manager, and writes an audit entry with the old and the
new values; a refused change writes nothing. Reading operations never write.

Promotions are deleted only while no sale has ever applied them: a sale's explanation names the
promotions that applied (code and name), and head office reports group by that code, so a code
that has been used must keep meaning the same promotion. Such a promotion is disabled instead
(`set_enabled`); `delete_promotion` says so. Either way the audit entry keeps the full definition.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import case, func, literal, select, text, union_all
from sqlalchemy.orm import Session

from ..core.errors import Conflict, InvalidInput, NotFound
from ..core.money import format_money
from ..core.program import ProgramRules
from ..core.promotions import (
    WEEKDAY_NAMES,
    PromotionRule,
    Quote,
    Shopper,
    quote_basket,
    rule_as_dict,
)
from ..core.tiers import TierRule, validate_tiers
from ..db.models import Member, Product, Promotion, Refund, Sale, Setting
from . import audit
from .catalog import basket_lines, promotion_rule
from .catalog import save_promotion as store_promotion
from .context import TillContext, load_rules, load_tiers
from .setup import replace_tiers as store_tiers
from .staff import require_manager

RULE_FIELDS = tuple(f.name for f in dataclasses.fields(ProgramRules))
MAX_SETTING = 10**12          # far beyond any sensible setting, well inside 64-bit integers
MAX_WINDOW_DAYS = 3660
EXCLUDED_STATUSES = ("erased", "merged")
MINUTES_PER_DAY = 24 * 60

# -- program rules ---------------------------------------------------------------------------


def _check_rule_changes(current: ProgramRules, changes: dict[str, Any]) -> ProgramRules:
    unknown = sorted(set(changes) - set(RULE_FIELDS))
    if unknown:
        raise InvalidInput(f"unknown program setting(s): {', '.join(unknown)}; "
                           f"known settings are {', '.join(RULE_FIELDS)}")
    symbol = changes.get("currency_symbol", current.currency_symbol)
    if not isinstance(symbol, str) or not symbol.strip() or len(symbol.strip()) > 4:
        raise InvalidInput("currency_symbol must be 1 to 4 characters, for example ¥ or HK$")
    for key, value in changes.items():
        if key != "currency_symbol" and isinstance(value, int) and value > MAX_SETTING:
            raise InvalidInput(f"program setting {key} of {value} is not plausible")
    if "currency_symbol" in changes:
        changes = changes | {"currency_symbol": symbol.strip()}
    rules = dataclasses.replace(current, **changes)  # ProgramRules validates itself
    if rules.points_expiry_months < 1:
        raise InvalidInput("points_expiry_months must be at least 1")
    if rules.earn_points_per_major < 1:
        raise InvalidInput("earn_points_per_major must be at least 1")
    _check_window(rules.tier_window_days)
    return rules


def _check_window(window_days: object) -> int:
    if (isinstance(window_days, bool) or not isinstance(window_days, int)
            or not 1 <= window_days <= MAX_WINDOW_DAYS):
        raise InvalidInput(f"the tier window is a whole number of days, 1 to {MAX_WINDOW_DAYS}")
    return window_days


def _check_tiers(tiers: object) -> list[TierRule]:
    if not isinstance(tiers, list | tuple) or not all(isinstance(t, TierRule) for t in tiers):
        raise InvalidInput("tiers must be a list of tier rules")
    for tier in tiers:
        if not tier.name or not tier.name.strip():
            raise InvalidInput(f"tier {tier.code} needs a name")
        if len(tier.code) > 16 or len(tier.name) > 40:
            raise InvalidInput(f"tier {tier.code}: the code is at most 16 characters and the "
                               "name at most 40")
        if tier.multiplier_percent > 10_000 or tier.threshold > MAX_SETTING:
            raise InvalidInput(f"tier {tier.code}: threshold or multiplier is not plausible")
    return validate_tiers(list(tiers))


def _tier_dict(tier: TierRule) -> dict[str, object]:
    return dataclasses.asdict(tier)


# -- promotions: storage form and the overlap check ------------------------------------------


def _minute(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def _hour_intervals(rule: PromotionRule) -> list[tuple[int, int]]:
    """The minutes of the day a rule applies, as [start, end) intervals (as core/_in_hours)."""
    if rule.start_time is None or rule.end_time is None:
        return [(0, MINUTES_PER_DAY)]
    start, end = _minute(rule.start_time), _minute(rule.end_time)
    if start < end:
        return [(start, end)]
    if start == end:  # start <= moment < start never holds
        return []
    return [(start, MINUTES_PER_DAY), (0, end)]  # spans midnight


def _intersect_intervals(a: list[tuple[int, int]], b: list[tuple[int, int]]
                         ) -> list[tuple[int, int]]:
    out = [(max(s1, s2), min(e1, e2)) for s1, e1 in a for s2, e2 in b]
    return sorted((s, e) for s, e in out if s < e)


def _hhmm(minute: int) -> str:
    return f"{minute // 60 % 24:02d}:{minute % 60:02d}"


def _describe_hours(intervals: list[tuple[int, int]]) -> str:
    if intervals == [(0, MINUTES_PER_DAY)]:
        return "at any hour"
    pieces = list(intervals)
    # a window over midnight comes back as [.., (s, 1440)] + [(0, e), ..]: show it as s-e
    if len(pieces) > 1 and pieces[0][0] == 0 and pieces[-1][1] == MINUTES_PER_DAY:
        pieces = [(pieces[-1][0], pieces[0][1] + MINUTES_PER_DAY), *pieces[1:-1]]
    return "between " + " and ".join(f"{_hhmm(s)}-{_hhmm(e)}" for s, e in pieces)


def _common(a: frozenset[str] | frozenset[int], b: frozenset[str] | frozenset[int]
            ) -> frozenset | None:
    """Intersection where an empty set means 'all': frozenset() = all, None = nothing shared."""
    if not a:
        return b
    if not b:
        return a
    shared = a & b
    return shared or None


def _date_overlap(a: PromotionRule, b: PromotionRule, weekdays: frozenset[int]
                  ) -> tuple[date | None, date | None] | None:
    """The common date window, if it holds a day on one of `weekdays` (empty = any day)."""
    starts = [d for d in (a.starts_on, b.starts_on) if d is not None]
    ends = [d for d in (a.ends_on, b.ends_on) if d is not None]
    low, high = (max(starts) if starts else None), (min(ends) if ends else None)
    if low is not None and high is not None:
        if high < low:
            return None
        if weekdays and (high - low).days < 6:
            days = ((low + timedelta(days=i)).weekday() for i in range((high - low).days + 1))
            if not any(day in weekdays for day in days):
                return None
    return low, high


def _describe_dates(window: tuple[date | None, date | None]) -> str:
    low, high = window
    if low is None and high is None:
        return "with no end date"
    if low is None:
        return f"until {high}"
    if high is None:
        return f"from {low}"
    return f"on {low}" if low == high else f"from {low} to {high}"


def _line_overlap(a: PromotionRule, b: PromotionRule, category_of: dict[str, str]
                  ) -> str | None:
    """Which items both promotions can take (a line matches by SKU or by category)."""
    a_all, b_all = not a.skus and not a.categories, not b.skus and not b.categories
    if a_all and b_all:
        return "on every item"
    if a_all or b_all:
        narrow = b if a_all else a
        return "on " + _describe_filter(narrow.skus, narrow.categories)
    skus = set(a.skus & b.skus)
    skus |= {s for s in a.skus if category_of.get(s) in b.categories}
    skus |= {s for s in b.skus if category_of.get(s) in a.categories}
    categories = a.categories & b.categories
    if not skus and not categories:
        return None
    return "on " + _describe_filter(frozenset(skus), categories)


def _describe_filter(skus: frozenset[str], categories: frozenset[str]) -> str:
    parts = []
    if categories:
        parts.append(("category " if len(categories) == 1 else "categories ")
                     + ", ".join(sorted(categories)))
    if skus:
        parts.append(("item " if len(skus) == 1 else "items ") + ", ".join(sorted(skus)))
    return " and ".join(parts)


def _when_both_apply(a: PromotionRule, b: PromotionRule, category_of: dict[str, str]
                     ) -> list[str] | None:
    """The conditions under which both rules can apply to one basket; None if never."""
    weekdays = _common(a.weekdays, b.weekdays)
    if weekdays is None:
        return None
    dates = _date_overlap(a, b, weekdays)
    if dates is None:
        return None
    hours = _intersect_intervals(_hour_intervals(a), _hour_intervals(b))
    if not hours:
        return None
    tiers = _common(a.tiers, b.tiers)
    if tiers is None:
        return None
    lines = _line_overlap(a, b, category_of)
    if lines is None:
        return None
    return [
        _describe_dates(dates),
        "on " + ", ".join(WEEKDAY_NAMES[d] for d in sorted(weekdays)) if weekdays
        else "on any weekday",
        _describe_hours(hours),
        "for " + ("tier " if len(tiers) == 1 else "tiers ") + ", ".join(sorted(tiers)) if tiers
        else "for every shopper",
        lines,
    ]


def overlap_sentences(rules: Iterable[PromotionRule], category_of: dict[str, str]
                      ) -> list[str]:
    """Pairs of enabled exclusive promotions that can compete for the same basket line.

    Two exclusive promotions that can both match never both apply: the one tried first (higher
    priority, then code) wins and the other is skipped, which is rarely what the manager meant.
    An exclusive promotion beside a non-exclusive one is not reported: that interaction is what
    "exclusive" asks for. Conditions compared: date window and weekdays together (a short window
    must contain one of the common weekdays), hours (windows may span midnight), tiers (empty =
    every tier) and line filters (SKU or category; a SKU matches the other's category through
    the catalog). Birthday month, first purchase and minimum basket can always hold together.
    """
    candidates = sorted((r for r in rules if r.enabled and r.exclusive),
                        key=lambda r: (-r.priority, r.code))
    warnings = []
    for i, first in enumerate(candidates):
        for second in candidates[i + 1:]:
            when = _when_both_apply(first, second, category_of)
            if when is None:
                continue
            warnings.append(
                f"Exclusive promotions {first.code} ({first.name}) and {second.code} "
                f"({second.name}) can apply to the same basket: both can run "
                f"{', '.join(when)}. Only {first.code} (priority {first.priority}) will apply; "
                f"{second.code} (priority {second.priority}) is skipped whenever both match.")
    return warnings


def _never_applies(rule: PromotionRule) -> str | None:
    """A reason the rule can never apply at any moment, or None."""
    if not _hour_intervals(rule):
        return "the start and end hour are the same, so it would never apply"
    weekdays = rule.weekdays
    if _date_overlap(rule, rule, frozenset(weekdays)) is None:
        days = ", ".join(WEEKDAY_NAMES[d] for d in sorted(weekdays))
        return f"no day from {rule.starts_on} to {rule.ends_on} is a {days}"
    return None


# -- the service -----------------------------------------------------------------------------


class ProgramService:
    def __init__(self, ctx: TillContext) -> None:
        self.ctx = ctx

    def _audit(self, session: Session, manager_id: int, action: str, target: str,
               **details: object) -> None:
        audit.record(session, at=self.ctx.now(), staff_id=manager_id, till_id=self.ctx.till_id,
                     action=action, target=target, **details)

    # -- rules -------------------------------------------------------------------------------

    def rules(self) -> ProgramRules:
        with self.ctx.db.sessions() as session:
            return load_rules(session)

    def update_rules(self, manager_id: int, **changes: Any) -> ProgramRules:
        """Change some program settings. Values that equal the current ones are not written;
        a call that changes nothing writes nothing (no audit entry either)."""
        if not changes:
            raise InvalidInput("no program setting to change was given")
        with self.ctx.db.transaction() as session:
            require_manager(session, manager_id)
            current = load_rules(session)
            updated = _check_rule_changes(current, changes)
            old, new = current.as_settings(), updated.as_settings()
            changed = {key: value for key, value in new.items() if old[key] != value}
            if not changed:
                return current
            for key, value in changed.items():
                session.merge(Setting(key=key, value=value))
            self._audit(session, manager_id, "program_rules_updated", "program",
                        old={k: getattr(current, k) for k in changed},
                        new={k: getattr(updated, k) for k in changed})
            return updated

    # -- tiers -------------------------------------------------------------------------------

    def tiers(self) -> list[TierRule]:
        with self.ctx.db.sessions() as session:
            return load_tiers(session)

    def replace_tiers(self, manager_id: int, tiers: list[TierRule], window_days: int
                      ) -> list[TierRule]:
        """Replace the tier table and the rolling window (program rule `tier_window_days`).

        Members keep their tier until their next sale or the nightly review (`loyalty-pos
        tiers`) moves them, with the reason recorded; `tier_preview` shows where they will land.
        """
        ordered = _check_tiers(tiers)
        _check_window(window_days)
        with self.ctx.db.transaction() as session:
            require_manager(session, manager_id)
            old_tiers = load_tiers(session)
            old_window = load_rules(session).tier_window_days
            if old_tiers == ordered and old_window == window_days:
                return old_tiers
            store_tiers(session, ordered)
            session.merge(Setting(key="tier_window_days", value=str(window_days)))
            self._audit(session, manager_id, "tiers_replaced", "tiers",
                        old={"tiers": [_tier_dict(t) for t in old_tiers],
                             "window_days": old_window},
                        new={"tiers": [_tier_dict(t) for t in ordered],
                             "window_days": window_days})
            return ordered

    def tier_preview(self, tiers: list[TierRule], window_days: int) -> dict[str, int]:
        """How many members each tier would hold under these tiers and window, as of now.

        One grouped query: net spend per member (sales in the window minus refunds of those
        sales, as services/tiers.rolling_spend counts it), bucketed by threshold in SQL, so only
        one row per tier comes back even for a million members. Members without sales in the
        window are in the lowest tier; erased and merged members are not counted.
        """
        ordered = _check_tiers(tiers)
        _check_window(window_days)
        since = self.ctx.now() - timedelta(days=window_days)
        sold = (select(Sale.member_id.label("member_id"), Sale.total.label("amount"))
                .where(Sale.member_id.is_not(None), Sale.created_at > since))
        refunded = (select(Sale.member_id.label("member_id"), (-Refund.amount).label("amount"))
                    .join(Sale, Sale.id == Refund.sale_id)
                    .where(Sale.member_id.is_not(None), Sale.created_at > since))
        moves = union_all(sold, refunded).subquery()
        spend = (select(moves.c.member_id, func.sum(moves.c.amount).label("spend"))
                 .group_by(moves.c.member_id).subquery())
        bucket = case(*((spend.c.spend >= t.threshold, literal(t.code))
                        for t in reversed(ordered[1:])), else_=literal(ordered[0].code))
        counted = Member.status.not_in(EXCLUDED_STATUSES)
        with self.ctx.db.sessions() as session:
            rows = session.execute(
                select(bucket, func.count()).select_from(spend)
                .join(Member, Member.id == spend.c.member_id).where(counted)
                .group_by(bucket)).all()
            members = session.scalar(select(func.count(Member.id)).where(counted)) or 0
        counts = {t.code: 0 for t in ordered}
        for code, number in rows:
            counts[code] += number
        counts[ordered[0].code] += members - sum(number for _, number in rows)
        return counts

    # -- promotions --------------------------------------------------------------------------

    def promotions(self) -> list[PromotionRule]:
        """Every promotion, enabled or not, in the order the quote tries them."""
        with self.ctx.db.sessions() as session:
            rows = session.scalars(select(Promotion))
            return sorted((promotion_rule(r) for r in rows), key=lambda r: (-r.priority, r.code))

    def save_promotion(self, manager_id: int, rule: PromotionRule) -> PromotionRule:
        """Create a promotion, or replace the one with the same code."""
        if not isinstance(rule, PromotionRule):
            raise InvalidInput("a promotion must be given as a PromotionRule")
        if len(rule.code) > 32 or len(rule.name) > 120:
            raise InvalidInput("a promotion code is at most 32 characters and its name at "
                               "most 120")
        if rule.min_basket > MAX_SETTING or rule.value > MAX_SETTING:
            raise InvalidInput(f"promotion {rule.code}: the amounts are not plausible")
        never = _never_applies(rule)
        if never:
            raise InvalidInput(f"promotion {rule.code}: {never}")
        with self.ctx.db.transaction() as session:
            require_manager(session, manager_id)
            known = {t.code for t in load_tiers(session)}
            unknown = sorted(rule.tiers - known)
            if unknown:
                raise InvalidInput(f"promotion {rule.code}: unknown tier(s) {', '.join(unknown)}"
                                   f"; the tiers are {', '.join(sorted(known))}")
            row = session.scalar(select(Promotion).where(Promotion.code == rule.code))
            old = rule_as_dict(promotion_rule(row)) if row is not None else None
            new = rule_as_dict(rule)
            if old == new:
                return rule
            store_promotion(session, rule)
            self._audit(session, manager_id,
                        "promotion_created" if old is None else "promotion_updated",
                        f"promotion:{rule.code}", old=old, new=new)
            return rule

    def set_enabled(self, manager_id: int, code: str, enabled: bool) -> PromotionRule:
        if not isinstance(enabled, bool):
            raise InvalidInput("enabled must be true or false")
        with self.ctx.db.transaction() as session:
            require_manager(session, manager_id)
            row = self._promotion_row(session, code)
            if row.enabled != enabled:
                row.enabled = enabled
                self._audit(session, manager_id,
                            "promotion_enabled" if enabled else "promotion_disabled",
                            f"promotion:{row.code}", old={"enabled": not enabled},
                            new={"enabled": enabled})
            session.flush()
            return promotion_rule(row)

    def delete_promotion(self, manager_id: int, code: str) -> None:
        """Delete a promotion that no sale has applied; one that has been used is refused
        (disable it instead), see the module docstring."""
        with self.ctx.db.transaction() as session:
            require_manager(session, manager_id)
            row = self._promotion_row(session, code)
            rule = promotion_rule(row)
            used = self._times_applied(session, rule)
            if used:
                raise Conflict(f"promotion {rule.code} was applied to {used} sale(s) and is kept "
                               "so that their receipts and reports stay meaningful; disable it "
                               "instead")
            session.delete(row)
            self._audit(session, manager_id, "promotion_deleted", f"promotion:{rule.code}",
                        old=rule_as_dict(rule), new=None)

    def _promotion_row(self, session: Session, code: str) -> Promotion:
        row = session.scalar(select(Promotion).where(Promotion.code == str(code or "").strip()))
        if row is None:
            raise NotFound(f"no promotion with code {code}")
        return row

    def _times_applied(self, session: Session, rule: PromotionRule) -> int:
        """Sales whose explanation lists the promotion as applied (only inside its dates)."""
        sql = ("SELECT count(*) FROM sales, json_each(sales.explanation, '$.promotions') AS p "
               "WHERE json_extract(p.value, '$.code') = :code "
               "AND json_extract(p.value, '$.applied') = 1")
        params: dict[str, object] = {"code": rule.code}
        if rule.starts_on is not None:  # created_at is indexed: skip sales before it began
            sql += " AND sales.created_at >= :since"
            params["since"] = datetime.combine(rule.starts_on - timedelta(days=1),
                                               time()).isoformat(sep=" ")
        return int(session.execute(text(sql), params).scalar_one())

    def overlap_warnings(self, rules: list[PromotionRule] | None = None) -> list[str]:
        """Sentences about enabled exclusive promotions that compete (see `overlap_sentences`).

        `rules` defaults to the stored promotions; pass the stored ones plus an unsaved edit to
        check it before saving.
        """
        if rules is None:
            rules = self.promotions()
        if not all(isinstance(r, PromotionRule) for r in rules):
            raise InvalidInput("promotions must be given as PromotionRule values")
        skus = {sku for r in rules for sku in r.skus}
        with self.ctx.db.sessions() as session:
            category_of = dict(session.execute(
                select(Product.sku, Product.category).where(Product.sku.in_(skus))).all())
        return overlap_sentences(rules, category_of)

    def try_quote(self, items: list[tuple[str, int]], member_id: int | None = None,
                  shopper: Shopper | None = None, when: datetime | None = None,
                  promotions: list[PromotionRule] | None = None) -> Quote:
        """Quote a sample basket the way the till would, without selling anything.

        The shopper is a real member (`member_id`), a hypothetical `Shopper` (a chosen tier,
        birthday, first purchase) or nobody. `when` is shop-floor local time (naive), or an
        aware datetime converted to it; default now.
        The stored promotions are used, disabled ones included (they show as "disabled"), with
        `promotions` (unsaved edits) replacing stored ones of the same code. The quote lists
        every promotion, applied or not, with the reason.
        """
        if member_id is not None and shopper is not None:
            raise InvalidInput("choose a sample member or a hypothetical shopper, not both")
        if shopper is not None and not isinstance(shopper, Shopper):
            raise InvalidInput("the hypothetical shopper must be a Shopper")
        if when is not None and not isinstance(when, datetime):
            raise InvalidInput("the moment to quote for must be a date and time")
        if when is None:
            moment = self.ctx.local_now()
        elif when.tzinfo is not None:  # an aware moment: the shop floor's local time of it
            moment = when.astimezone().replace(tzinfo=None)
        else:
            moment = when
        extra = list(promotions or [])
        if not all(isinstance(r, PromotionRule) for r in extra):
            raise InvalidInput("promotions must be given as PromotionRule values")
        with self.ctx.db.sessions() as session:
            lines = [line for _, line in basket_lines(session, items)]
            if member_id is not None:
                shopper = self._member_shopper(session, member_id)
            elif shopper is not None:
                known = {t.code for t in load_tiers(session)}
                if shopper.tier_code not in known:
                    raise InvalidInput(f"unknown tier {shopper.tier_code}")
            replaced = {r.code for r in extra}
            stored = [promotion_rule(r) for r in session.scalars(select(Promotion))
                      if r.code not in replaced]
            return quote_basket(lines, stored + extra, shopper, moment, load_rules(session))

    def _member_shopper(self, session: Session, member_id: int) -> Shopper:
        member = session.get(Member, member_id) if isinstance(member_id, int) else None
        if member is None:
            raise NotFound(f"member {member_id} does not exist")
        if member.status != "active":
            raise Conflict(f"member {member.name} is {member.status}: choose an active member")
        tier = next((t for t in load_tiers(session) if t.code == member.tier_code), None)
        return Shopper(member.tier_code, tier.name if tier else member.tier_code,
                       tier.multiplier_percent if tier else 100, member.birthday,
                       member.first_purchase_at is None)


def describe_quote(quote: Quote, symbol: str = "") -> list[str]:
    """The "try it" panel's text: totals, then each promotion applied or skipped and why."""
    lines = [f"Subtotal {format_money(quote.subtotal, symbol)}, discounts "
             f"{format_money(quote.discount_total, symbol)}, total "
             f"{format_money(quote.total, symbol)}; {quote.points_earned} points"]
    lines += [f"{'APPLIED' if o.applied else 'skipped'} {o.code} ({o.name}): {o.explanation}"
              for o in quote.outcomes]
    lines += quote.points_explanation
    return lines
