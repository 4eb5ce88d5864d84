"""Tier evaluation: rolling spend, promotion and demotion recorded with the reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core.errors import NotFound
from ..core.tiers import TierRule, decide_tier
from ..db.models import Member, OutboxMessage, TierChange
from .context import TillContext, load_rules, load_tiers
from .lookup import dbapi

BATCH = 2000


@dataclass(frozen=True)
class TierMove:
    member_id: int
    from_tier: str
    to_tier: str
    spend: int
    reason: str


# Sales minus refunds of the member and of every record merged into it (through chains of
# merges), for sales in the window. One statement: it runs after every sale, on the hot path.
STORED_AT = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores DateTime in SQLite
_ROLLING_SPEND_SQL = """
WITH RECURSIVE family(id) AS (
    SELECT ?
    UNION SELECT m.id FROM members m JOIN family f ON m.merged_into_id = f.id
), window_sales AS (
    SELECT s.id, s.total FROM sales s
    WHERE s.member_id IN (SELECT id FROM family) AND s.created_at > ?
)
SELECT COALESCE((SELECT SUM(total) FROM window_sales), 0)
     - COALESCE((SELECT SUM(r.amount) FROM refunds r
                 WHERE r.sale_id IN (SELECT id FROM window_sales)), 0)
"""


def rolling_spend(session: Session, member_id: int, now: datetime, window_days: int) -> int:
    """Net spend (sales minus refunds, before points) in the window ending now."""
    since = now - timedelta(days=window_days)
    session.flush()
    row = dbapi(session).execute(_ROLLING_SPEND_SQL, (member_id, since.strftime(STORED_AT))
                                 ).fetchone()
    return int(row[0])


def evaluate_member(session: Session, member: Member, tiers: list[TierRule], now: datetime,
                    window_days: int) -> TierMove | None:
    """Move the member to the tier their spend earns; record why. None when nothing changes."""
    spend = rolling_spend(session, member.id, now, window_days)
    decision = decide_tier(tiers, spend, window_days)
    if decision.tier.code == member.tier_code:
        return None
    rank = {t.code: i for i, t in enumerate(sorted(tiers, key=lambda t: t.threshold))}
    direction = ("promoted" if rank[decision.tier.code] > rank.get(member.tier_code, -1)
                 else "demoted")
    reason = f"{direction}: {decision.reason}"
    move = TierMove(member.id, member.tier_code, decision.tier.code, spend, reason)
    session.add(TierChange(member_id=member.id, from_tier=member.tier_code,
                           to_tier=decision.tier.code, spend=spend, reason=reason, at=now))
    session.add(OutboxMessage(topic="tier", ref=member.uuid, created_at=now,
                              payload={"member": member.uuid, "from": member.tier_code,
                                       "to": decision.tier.code, "reason": reason}))
    member.tier_code = decision.tier.code
    member.updated_at = now
    return move


class TierService:
    def __init__(self, ctx: TillContext) -> None:
        self.ctx = ctx

    def evaluate(self, member_id: int) -> TierMove | None:
        now = self.ctx.now()
        with self.ctx.db.transaction() as session:
            member = session.get(Member, member_id) if isinstance(member_id, int) else None
            if member is None:
                raise NotFound(f"member {member_id} does not exist")
            rules = load_rules(session)
            return evaluate_member(session, member, load_tiers(session), now,
                                   rules.tier_window_days)

    def evaluate_all(self) -> list[TierMove]:
        """Review every member (a nightly job). One transaction per batch of members."""
        moves: list[TierMove] = []
        last_id = 0
        while True:
            with self.ctx.db.transaction() as session:
                rules = load_rules(session)
                tiers = load_tiers(session)
                members = list(session.scalars(select(Member).where(Member.id > last_id)
                                               .order_by(Member.id).limit(BATCH)))
                if not members:
                    return moves
                for member in members:
                    move = evaluate_member(session, member, tiers, self.ctx.now(),
                                           rules.tier_window_days)
                    if move:
                        moves.append(move)
                last_id = members[-1].id
