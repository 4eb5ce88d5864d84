"""Plain data returned by services (no ORM objects leave a service)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class MemberSummary:
    """What the till shows when a member is attached."""
    id: int
    uuid: str
    name: str
    phone: str | None
    tier_code: str
    points_balance: int
    stored_value_balance: int
    status: str
    card_number: str | None
    card_blocked: bool = False
    soonest_expiry: date | None = None
    soonest_expiry_points: int = 0


@dataclass(frozen=True)
class MemberDetails:
    summary: MemberSummary
    email: str | None
    birthday: date | None
    notes: str
    referral_code: str
    referred_by_id: int | None
    tier_name: str
    tier_reason: str
    consents: dict[str, str]  # kind -> "accepted 2026.1" / "withdrawn" / "opted in"
    cards: list[tuple[str, str]] = field(default_factory=list)  # (number, status)


@dataclass(frozen=True)
class SaleResult:
    sale_id: str
    receipt_code: str
    total: int
    points_earned: int
    points_redeemed: int
    points_value: int
    change_due: int
    member: MemberSummary | None
    referral_rewards: int = 0


@dataclass(frozen=True)
class RefundResult:
    refund_id: str
    receipt_code: str
    sale_id: str
    amount: int
    points_taken_back: int
    points_shortfall: int
    points_given_back: int
    stored_value_given_back: int
    card_back: int
    cash_back: int
    member: MemberSummary | None
