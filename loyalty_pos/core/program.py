"""Program settings: how points are earned, redeemed and expire, referral and stored-value rules.

One `ProgramRules` value is read from the database at the start of each operation, so a policy
change applies to what happens next and never rewrites the past.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from .errors import InvalidInput


@dataclass(frozen=True)
class ProgramRules:
    currency_symbol: str = "¥"
    earn_points_per_major: int = 1          # points per 1.00 of eligible spend (before multipliers)
    redeem_points_per_major: int = 100      # points that pay for 1.00
    max_redeem_percent: int = 50            # at most this share of a sale may be paid with points
    max_redeem_points_per_sale: int = 0     # 0 means no cap beyond the percentage
    points_expiry_months: int = 12
    refund_restore_min_days: int = 30       # given-back points never expire sooner than this
    referral_reward_referrer: int = 200
    referral_reward_new_member: int = 100
    referral_min_purchase: int = 1000       # minor units; the new member's first qualifying sale
    tier_window_days: int = 365
    stored_value_max_balance: int = 500_000
    offline_stored_value_cap: int = 20_000  # per till, while it cannot reach head office
    offline_window_minutes: int = 60        # no successful sync for longer: the till is offline

    def __post_init__(self) -> None:
        for spec in fields(self):
            value = getattr(self, spec.name)
            if spec.type == "int" and (isinstance(value, bool) or not isinstance(value, int)
                                       or value < 0):
                raise InvalidInput(f"program setting {spec.name} must be a whole number >= 0")
        if self.redeem_points_per_major <= 0:
            raise InvalidInput("redeem_points_per_major must be more than zero")
        if self.max_redeem_percent > 100:
            raise InvalidInput("max_redeem_percent must be between 0 and 100")
        if self.offline_window_minutes < 1:
            raise InvalidInput("offline_window_minutes must be at least 1")

    def as_settings(self) -> dict[str, str]:
        return {key: str(value) for key, value in asdict(self).items()}

    @classmethod
    def from_settings(cls, stored: dict[str, str]) -> ProgramRules:
        values: dict[str, object] = {}
        for spec in fields(cls):
            if spec.name in stored:
                raw = stored[spec.name]
                values[spec.name] = raw if spec.type == "str" else _to_int(spec.name, raw)
        return cls(**values)  # type: ignore[arg-type]


def _to_int(name: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError as exc:
        raise InvalidInput(f"program setting {name} must be a whole number, not '{raw}'") from exc
