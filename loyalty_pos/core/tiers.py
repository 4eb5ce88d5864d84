"""Tiers: thresholds on rolling spend, each with a points multiplier."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import InvalidInput
from .money import format_money


@dataclass(frozen=True)
class TierRule:
    code: str
    name: str
    threshold: int          # minor units of net spend in the evaluation window
    multiplier_percent: int  # 100 = 1x, 150 = 1.5x

    def __post_init__(self) -> None:
        if not self.code or self.threshold < 0 or self.multiplier_percent <= 0:
            raise InvalidInput(f"tier {self.code!r}: needs a code, threshold >= 0, multiplier > 0")


@dataclass(frozen=True)
class TierDecision:
    tier: TierRule
    spend: int
    reason: str


def validate_tiers(tiers: list[TierRule]) -> list[TierRule]:
    ordered = sorted(tiers, key=lambda t: t.threshold)
    if not ordered or ordered[0].threshold != 0:
        raise InvalidInput("the lowest tier must start at a threshold of 0")
    if len({t.threshold for t in ordered}) != len(ordered):
        raise InvalidInput("two tiers have the same threshold")
    if len({t.code for t in ordered}) != len(ordered):
        raise InvalidInput("two tiers have the same code")
    return ordered


def decide_tier(tiers: list[TierRule], spend: int, window_days: int) -> TierDecision:
    """The highest tier whose threshold the spend reaches, with a sentence saying why."""
    ordered = validate_tiers(tiers)
    chosen = ordered[0]
    for tier in ordered:
        if spend >= tier.threshold:
            chosen = tier
    higher = [t for t in ordered if t.threshold > chosen.threshold]
    reason = (f"spent {format_money(spend)} in the last {window_days} days; "
              f"{chosen.name} starts at {format_money(chosen.threshold)}")
    if higher:
        nxt = higher[0]
        reason += f"; {format_money(nxt.threshold - spend)} more reaches {nxt.name}"
    return TierDecision(chosen, spend, reason)
