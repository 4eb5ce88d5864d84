"""Refunding all or part of a sale, pro rata and symmetric.

Everything the sale moved is undone in the refunded share (see core/refunds.py): earned points
are taken back (from the sale's own lot first), redeemed points and stored value are given back,
and the rest goes back to the card terminal or in cash. Each payment method is refunded by its
own cumulative share, so the refund never returns a method more than it paid and a full refund,
in one go or in parts, returns exactly what was paid.

Shortfall policy (points already spent): the take-back is never reduced and the refund is never
blocked; what the lots cannot cover becomes a points debt (negative balance) recorded on the
take-back entry, settled by later earnings first (see core/points.py).

Given-back points form a new lot that expires no sooner than the lots they were redeemed from,
and at least `refund_restore_min_days` from the refund.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from fractions import Fraction

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..core.errors import Conflict, InvalidInput, NotFound
from ..core.money import round_half_up
from ..core.receipts import parse_receipt_code, receipt_code
from ..core.refunds import apportion_refund, cumulative_share, refunded_fraction
from ..db.models import (
    LedgerEntry,
    LotAllocation,
    Member,
    OutboxMessage,
    PointLot,
    Refund,
    RefundLine,
    Sale,
    SaleLine,
    Till,
)
from . import audit
from .checkout import check_uuid, sale_earn_lot
from .context import TillContext, load_rules
from .ledger import LedgerWriter
from .lookup import session_summary
from .member_admin import surviving_member
from .staff import require_staff
from .views import RefundResult


@dataclass(frozen=True)
class RefundRequest:
    refund_id: str
    sale_id: str
    staff_id: int
    lines: dict[int, int] | None = None  # sale line id -> quantity; None = all that is left
    reason: str = ""


@dataclass(frozen=True)
class RefundPlan:
    """What a refund will do, before it is done (the till shows it for confirmation)."""
    sale_id: str
    line_quantities: dict[int, int]
    line_amounts: dict[int, int]
    amount: int
    points_taken_back: int
    points_given_back: int
    stored_value_given_back: int
    card_back: int
    cash_back: int
    points_value_back: int


@dataclass(frozen=True)
class SaleForRefund:
    sale_id: str
    receipt_code: str
    member_id: int | None
    lines: list[tuple[int, str, int, int, int]]  # (line id, name, sold, refundable qty, net)
    total: int


def _refunded_quantities(session: Session, sale_id: str) -> dict[int, int]:
    rows = session.execute(
        select(RefundLine.sale_line_id, func.sum(RefundLine.quantity))
        .join(Refund, Refund.id == RefundLine.refund_id)
        .where(Refund.sale_id == sale_id).group_by(RefundLine.sale_line_id)).all()
    return {line_id: int(qty) for line_id, qty in rows}


def _line_amounts(lines: list[SaleLine], refunded: dict[int, int]) -> dict[int, int]:
    """Cumulative money refunded per line: its net in proportion to the units refunded."""
    return {line.id: round_half_up(Fraction(line.net * refunded.get(line.id, 0), line.quantity))
            for line in lines}


def _paid_by_method(sale: Sale) -> dict[str, int]:
    paid: dict[str, int] = defaultdict(int)
    for payment in sale.payments:
        paid[payment.method] += payment.amount
    return dict(paid)


def _refunded_by_method(session: Session, sale_id: str) -> dict[str, int]:
    row = session.execute(select(
        func.coalesce(func.sum(Refund.points_value_back), 0),
        func.coalesce(func.sum(Refund.stored_value_given_back), 0),
        func.coalesce(func.sum(Refund.card_back), 0),
        func.coalesce(func.sum(Refund.cash_back), 0)).where(Refund.sale_id == sale_id)).one()
    return dict(zip(("points", "stored_value", "card", "cash"), map(int, row), strict=True))


def _check_wanted(sale: Sale, left: dict[int, int], wanted: dict[int, int] | None
                  ) -> dict[int, int]:
    if wanted is None:
        wanted = {line_id: qty for line_id, qty in left.items() if qty > 0}
    if not isinstance(wanted, dict):
        raise InvalidInput("lines to refund must map sale line ids to quantities")
    for line_id, qty in wanted.items():
        if line_id not in left:
            raise InvalidInput(f"line {line_id} is not part of sale {sale.id}")
        if isinstance(qty, bool) or not isinstance(qty, int) or not 0 <= qty <= left[line_id]:
            raise InvalidInput(f"line {line_id}: can refund 0 to {left[line_id]}, not {qty}")
    wanted = {line_id: qty for line_id, qty in wanted.items() if qty}
    if not wanted:
        raise InvalidInput("nothing to refund: every line of this sale is already refunded"
                           if not any(left.values()) else "choose at least one line to refund")
    return wanted


def plan_refund(session: Session, sale: Sale, wanted: dict[int, int] | None) -> RefundPlan:
    lines = list(sale.lines)
    before = _refunded_quantities(session, sale.id)
    left = {line.id: line.quantity - before.get(line.id, 0) for line in lines}
    wanted = _check_wanted(sale, left, wanted)
    after = {line.id: before.get(line.id, 0) + wanted.get(line.id, 0) for line in lines}
    cum_before, cum_after = _line_amounts(lines, before), _line_amounts(lines, after)
    amount = sum(cum_after.values()) - sum(cum_before.values())
    f_before = refunded_fraction(sum(cum_before.values()), sale.total, sum(before.values()),
                                 sum(line.quantity for line in lines))
    f_after = refunded_fraction(sum(cum_after.values()), sale.total, sum(after.values()),
                                sum(line.quantity for line in lines))
    back = apportion_refund(amount, _paid_by_method(sale),
                            _refunded_by_method(session, sale.id), f_after)
    return RefundPlan(
        sale_id=sale.id, line_quantities=wanted,
        line_amounts={i: cum_after[i] - cum_before[i] for i in wanted}, amount=amount,
        points_taken_back=cumulative_share(sale.points_earned, f_before, f_after),
        points_given_back=cumulative_share(sale.points_redeemed, f_before, f_after),
        stored_value_given_back=back.get("stored_value", 0), card_back=back.get("card", 0),
        cash_back=back.get("cash", 0), points_value_back=back.get("points", 0))


class RefundService:
    def __init__(self, ctx: TillContext) -> None:
        self.ctx = ctx

    def sale_for_refund(self, receipt: str) -> SaleForRefund:
        """Open a sale by its receipt code (scanned or typed)."""
        till_number, receipt_no = parse_receipt_code(receipt)
        with self.ctx.db.sessions() as session:
            sale = session.scalar(select(Sale).join(Till, Till.id == Sale.till_id).where(
                Till.number == till_number, Sale.receipt_no == receipt_no))
            if sale is None:
                raise NotFound(f"receipt {receipt} is not a sale made at this till")
            refunded = _refunded_quantities(session, sale.id)
            return SaleForRefund(
                sale.id, receipt_code(till_number, receipt_no), sale.member_id,
                [(line.id, line.name, line.quantity, line.quantity - refunded.get(line.id, 0),
                  line.net) for line in sale.lines], sale.total)

    def preview(self, sale_id: str, lines: dict[int, int] | None = None) -> RefundPlan:
        with self.ctx.db.sessions() as session:
            return plan_refund(session, self._sale(session, sale_id), lines)

    def _sale(self, session: Session, sale_id: str) -> Sale:
        sale = session.get(Sale, check_uuid(sale_id, "sale id"))
        if sale is None:
            raise NotFound(f"sale {sale_id} does not exist at this till")
        return sale

    def refund(self, request: RefundRequest) -> RefundResult:
        refund_id = check_uuid(request.refund_id, "refund id")
        now = self.ctx.now()
        with self.ctx.db.transaction() as session:
            existing = session.get(Refund, refund_id)
            if existing is not None:
                if existing.sale_id != request.sale_id:
                    raise Conflict(f"refund {refund_id} belongs to another sale")
                done = {line.sale_line_id: line.quantity for line in existing.lines}
                if request.lines is not None and (
                        not isinstance(request.lines, dict)
                        or {k: v for k, v in request.lines.items() if v} != done):
                    raise Conflict(f"refund {refund_id} was already made with different lines")
                return self._result(session, existing)
            require_staff(session, request.staff_id)
            sale = self._sale(session, request.sale_id)
            plan = plan_refund(session, sale, request.lines)
            till = session.get(Till, self.ctx.till_id)
            assert till is not None
            till.last_receipt_no += 1
            refund = Refund(id=refund_id, sale_id=sale.id, till_id=till.id,
                            receipt_no=till.last_receipt_no, staff_id=request.staff_id,
                            created_at=now, amount=plan.amount,
                            points_taken_back=plan.points_taken_back, points_shortfall=0,
                            points_given_back=plan.points_given_back,
                            stored_value_given_back=plan.stored_value_given_back,
                            points_value_back=plan.points_value_back,
                            card_back=plan.card_back, cash_back=plan.cash_back,
                            reason=(request.reason or "")[:200])
            session.add(refund)
            for line_id, qty in plan.line_quantities.items():
                session.add(RefundLine(refund_id=refund_id, sale_line_id=line_id, quantity=qty,
                                       amount=plan.line_amounts[line_id]))
            session.flush()
            if sale.member_id is not None:
                refund.points_shortfall = self._write_ledger(session, sale, refund, plan)
            audit.record(session, at=now, staff_id=request.staff_id, till_id=self.ctx.till_id,
                         action="refund", target=f"sale:{sale.id}", refund=refund_id,
                         amount=plan.amount, reason=refund.reason)
            session.add(OutboxMessage(topic="refund", ref=refund_id, created_at=now, payload={
                "refund_id": refund_id, "sale_id": sale.id, "till": till.id,
                "receipt_no": refund.receipt_no, "at": now.isoformat(), "amount": plan.amount,
                "points_taken_back": plan.points_taken_back,
                "points_given_back": plan.points_given_back}))
            return self._result(session, refund)

    def _write_ledger(self, session: Session, sale: Sale, refund: Refund, plan: RefundPlan
                      ) -> int:
        sold_to = session.get(Member, sale.member_id)
        assert sold_to is not None
        member = surviving_member(session, sold_to)  # a merged record's balances moved on
        writer = LedgerWriter(session, self.ctx.till_id, self.ctx.now(), self.ctx.today())
        common = {"sale_id": sale.id, "refund_id": refund.id, "staff_id": refund.staff_id}
        shortfall = 0
        if plan.points_taken_back:
            _, shortfall = writer.spend(
                "refund_clawback", member, plan.points_taken_back, allow_debt=True,
                prefer_lot=sale_earn_lot(session, sale.id), **common,
                reason="points earned on refunded goods")
        if plan.points_given_back:
            writer.earn("refund_restore", member, plan.points_given_back,
                        self._restore_expiry(session, sale), **common,
                        reason="points redeemed on refunded goods")
        if plan.stored_value_given_back:
            writer.stored_value("refund", member, plan.stored_value_given_back, **common)
        return shortfall

    def _restore_expiry(self, session: Session, sale: Sale):
        rules = load_rules(session)
        latest = session.scalar(
            select(func.max(PointLot.expires_on))
            .join(LotAllocation, LotAllocation.lot_entry_id == PointLot.entry_id)
            .join(LedgerEntry, LedgerEntry.id == LotAllocation.entry_id)
            .where(LedgerEntry.sale_id == sale.id, LedgerEntry.kind == "redeem"))
        floor = self.ctx.today() + timedelta(days=rules.refund_restore_min_days)
        return max(latest, floor) if latest else floor

    def _result(self, session: Session, refund: Refund) -> RefundResult:
        sale = session.get(Sale, refund.sale_id)
        assert sale is not None
        summary = (session_summary(session, sale.member_id, self.ctx.today())
                   if sale.member_id else None)
        return RefundResult(refund.id, receipt_code(self.ctx.till_number, refund.receipt_no),
                            sale.id, refund.amount, refund.points_taken_back,
                            refund.points_shortfall, refund.points_given_back,
                            refund.stored_value_given_back, refund.card_back, refund.cash_back,
                            summary)
