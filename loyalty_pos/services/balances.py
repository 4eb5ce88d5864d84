"""Stored-value top-ups, manual points adjustments and points expiry."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core.errors import Conflict, InvalidInput, NotFound
from ..core.money import format_money, require_amount
from ..core.points import lot_expiry
from ..db.models import Member, PointLot
from . import audit
from .context import TillContext, load_rules
from .ledger import LedgerWriter, own_lot
from .lookup import session_summary
from .staff import require_manager, require_staff
from .views import MemberSummary

TOP_UP_METHODS = ("cash", "card")
EXPIRY_BATCH = 5000
MAX_ADJUSTMENT = 100_000_000  # points; far beyond any correction, well inside 64-bit integers


def _active_member(session: Session, member_id: int) -> Member:
    member = session.get(Member, member_id) if isinstance(member_id, int) else None
    if member is None:
        raise NotFound(f"member {member_id} does not exist")
    if member.status != "active":
        raise Conflict(f"member {member.name} is {member.status}")
    return member


class BalanceService:
    def __init__(self, ctx: TillContext) -> None:
        self.ctx = ctx

    def top_up(self, member_id: int, amount: int, method: str, staff_id: int,
               reference: str | None = None) -> MemberSummary:
        """Money in (cash or card terminal) becomes stored value: a liability, not a discount."""
        require_amount(amount, "top-up amount")
        if method not in TOP_UP_METHODS:
            raise InvalidInput(f"top-up method must be {' or '.join(TOP_UP_METHODS)}")
        if reference is not None and not isinstance(reference, str):
            raise InvalidInput("the terminal's reference must be text")
        reference = (reference or "").strip()
        if method == "card" and not reference:
            raise InvalidInput("a card top-up needs the terminal's reference")
        with self.ctx.db.transaction() as session:
            require_staff(session, staff_id)
            member = _active_member(session, member_id)
            rules = load_rules(session)
            if member.stored_value_balance + amount > rules.stored_value_max_balance:
                raise InvalidInput(
                    "the stored value balance may not exceed "
                    f"{format_money(rules.stored_value_max_balance)}")
            writer = LedgerWriter(session, self.ctx.till_id, self.ctx.now(), self.ctx.today())
            writer.stored_value("top_up", member, amount, staff_id=staff_id,
                                reason=f"{method}:{reference}" if reference else method)
            return session_summary(session, member.id, self.ctx.today())

    def adjust_points(self, member_id: int, points: int, reason: str, manager_id: int
                      ) -> MemberSummary:
        """A manager's correction, with a reason. Never pushes the balance below zero."""
        if isinstance(points, bool) or not isinstance(points, int) or points == 0:
            raise InvalidInput("the adjustment must be a whole number of points, not zero")
        if abs(points) > MAX_ADJUSTMENT:
            raise InvalidInput(f"an adjustment of more than {MAX_ADJUSTMENT:,} points is refused")
        reason = reason.strip() if isinstance(reason, str) else ""
        if len(reason) < 3:
            raise InvalidInput("a points adjustment needs a reason")
        now = self.ctx.now()
        with self.ctx.db.transaction() as session:
            require_manager(session, manager_id)
            member = _active_member(session, member_id)
            writer = LedgerWriter(session, self.ctx.till_id, now, self.ctx.today())
            if points > 0:
                expiry = lot_expiry(self.ctx.today(), load_rules(session))
                writer.earn("adjust", member, points, expiry, staff_id=manager_id,
                            reason=reason[:200])
            else:
                writer.spend("adjust", member, -points, allow_debt=False, staff_id=manager_id,
                             reason=reason[:200])
            audit.record(session, at=now, staff_id=manager_id, till_id=self.ctx.till_id,
                         action="points_adjusted", target=f"member:{member.id}",
                         points=points, reason=reason)
            return session_summary(session, member.id, self.ctx.today())

    def run_expiry(self, today: date | None = None) -> int:
        """Expire every lot whose last valid day is before `today`. Returns points expired.

        Lots created by `remote_sync` credits are left alone: they copy points earned at
        another till, which expires them there; that expiry arrives here as a negative
        `remote_sync` (ledger.py takes it from those lots first). Batched: one transaction per
        batch of lots, so a long run never holds the till.
        """
        if today is not None and not isinstance(today, date):
            raise InvalidInput("expiry runs for a date")
        today = today or self.ctx.today()
        expired = 0
        while True:
            with self.ctx.db.transaction() as session:
                lots = list(session.scalars(
                    select(PointLot).where(PointLot.remaining > 0, PointLot.expires_on < today,
                                           own_lot())
                    .order_by(PointLot.expires_on, PointLot.entry_id).limit(EXPIRY_BATCH)))
                if not lots:
                    return expired
                writer = LedgerWriter(session, self.ctx.till_id, self.ctx.now(), self.ctx.today())
                members = {m.uuid: m for m in session.scalars(select(Member).where(
                    Member.uuid.in_({lot.member_uuid for lot in lots})))}
                for lot in lots:
                    expired += lot.remaining
                    writer.expire_lot(members[lot.member_uuid], lot)
