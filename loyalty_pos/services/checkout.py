"""Quoting a basket and completing a sale in one durable transaction.

A completed sale writes, in one SQLite transaction: the sale, its lines and payments, the points
redemption (consuming lots soonest-expiry first), the stored-value payment, the earned points lot,
referral rewards on a referred member's first qualifying purchase, the tier review, the balance
caches and the outbox message for head office. Anything wrong and none of it is written.

`complete_sale` is idempotent by sale UUID: the same request again returns the first result;
a different request under the same UUID is refused.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import asdict, dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core.errors import Conflict, InsufficientBalance, InvalidInput, NotFound
from ..core.money import format_money
from ..core.points import check_redemption, lot_expiry
from ..core.program import ProgramRules
from ..core.promotions import BasketLine, PromotionRule, Quote, Shopper, quote_basket
from ..core.receipts import receipt_code
from ..core.tiers import TierRule
from ..db.models import (
    Member,
    OutboxMessage,
    Payment,
    PointLot,
    Product,
    Sale,
    SaleLine,
    Till,
)
from ..sync.state import (
    is_offline,
    pushed_seq,
    read_sync_settings,
    unsynced_stored_value_spent,
)
from .catalog import basket_lines, load_promotions
from .context import TillContext, load_rules, load_tiers
from .ledger import LedgerWriter
from .lookup import session_summary
from .staff import require_staff
from .tiers import evaluate_member
from .views import SaleResult

PAYMENT_METHODS = ("cash", "card", "stored_value")
MAX_TENDERED = 10**12  # minor units; keeps the stored amount inside 64-bit integers


@dataclass(frozen=True)
class PaymentRequest:
    method: str          # cash | card | stored_value (points are chosen with points_to_redeem)
    amount: int          # minor units applied to the sale
    reference: str | None = None   # card terminal reference
    tendered: int | None = None    # cash handed over (change = tendered - amount)


@dataclass(frozen=True)
class SaleRequest:
    sale_id: str
    staff_id: int
    items: list[tuple[str, int]]        # (SKU or barcode, quantity)
    member_id: int | None = None
    points_to_redeem: int = 0
    payments: list[PaymentRequest] = field(default_factory=list)

    def fingerprint(self) -> str:
        """The content of the request; the sale id is its identity, not part of its content."""
        content = asdict(self)
        del content["sale_id"]
        body = json.dumps(content, sort_keys=True, default=str)
        return hashlib.sha256(body.encode()).hexdigest()


def check_uuid(value: str, what: str) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError as exc:
        raise InvalidInput(f"{what} '{value}' is not a UUID") from exc


def _check_payments(payments: list[PaymentRequest], due: int, member: Member | None) -> int:
    """Validate the tender against the amount due; return the cash change."""
    change = 0
    if not isinstance(payments, list | tuple) or not all(
            isinstance(p, PaymentRequest) for p in payments):
        raise InvalidInput("payments must be a list of payment requests")
    for payment in payments:
        if payment.reference is not None and not isinstance(payment.reference, str):
            raise InvalidInput("a payment reference must be text")
        if payment.method not in PAYMENT_METHODS:
            raise InvalidInput(f"unknown payment method '{payment.method}'")
        if isinstance(payment.amount, bool) or not isinstance(payment.amount, int) or (
                payment.amount <= 0):
            raise InvalidInput(f"{payment.method} payment must be more than zero")
        if payment.method == "cash":
            tendered = payment.amount if payment.tendered is None else payment.tendered
            if not isinstance(tendered, int) or tendered < payment.amount:
                raise InvalidInput("cash tendered is less than the cash amount")
            if tendered > MAX_TENDERED:
                raise InvalidInput(f"cash tendered of {tendered} is not plausible")
            change += tendered - payment.amount
        elif payment.method == "card" and not (payment.reference or "").strip():
            raise InvalidInput("a card payment needs the terminal's reference")
        elif payment.method == "stored_value" and member is None:
            raise InvalidInput("stored value needs a member")
    paid = sum(p.amount for p in payments)
    if paid != due:
        raise InvalidInput(f"payments add up to {paid / 100:.2f} but {due / 100:.2f} is due")
    return change


@dataclass(frozen=True)
class _Basis:
    rules: ProgramRules
    tiers: list[TierRule]
    promotions: list[PromotionRule]
    products: dict[str, Product]  # by SKU
    lines: list[BasketLine]


class CheckoutService:
    def __init__(self, ctx: TillContext) -> None:
        self.ctx = ctx

    # -- quote -------------------------------------------------------------------------------

    def quote(self, items: list[tuple[str, int]], member_id: int | None = None,
              points_to_redeem: int = 0) -> Quote:
        with self.ctx.db.sessions() as session:
            basis = self._basis(session, items)
            return self._quote(basis, self._member(session, member_id), points_to_redeem)

    def _basis(self, session: Session, items: list[tuple[str, int]]) -> _Basis:
        """Everything a quote or a sale reads, read once per transaction."""
        lines = basket_lines(session, items)
        return _Basis(load_rules(session), load_tiers(session), load_promotions(session),
                      {product.sku: product for product, _ in lines},
                      [line for _, line in lines])

    def _member(self, session: Session, member_id: int | None) -> Member | None:
        if member_id is None:
            return None
        member = session.get(Member, member_id) if isinstance(member_id, int) else None
        if member is None:
            raise NotFound(f"member {member_id} does not exist")
        if member.status != "active":
            raise Conflict(f"member {member.name} is {member.status}: no points or stored value")
        return member

    def _quote(self, basis: _Basis, member: Member | None, points_to_redeem: int) -> Quote:
        rules, lines, promotions = basis.rules, basis.lines, basis.promotions
        shopper = self._shopper(basis, member)
        first = quote_basket(lines, promotions, shopper, self.ctx.local_now(), rules)
        if points_to_redeem and member is None:
            raise InvalidInput("points need a member")
        value = check_redemption(points_to_redeem, member.points_balance if member else 0,
                                 first.total, rules)
        if not value:
            return first
        return quote_basket(lines, promotions, shopper, self.ctx.local_now(), rules,
                            points_to_redeem, value)

    def _shopper(self, basis: _Basis, member: Member | None) -> Shopper | None:
        if member is None:
            return None
        tier = next((t for t in basis.tiers if t.code == member.tier_code), None)
        return Shopper(member.tier_code, tier.name if tier else member.tier_code,
                       tier.multiplier_percent if tier else 100, member.birthday,
                       member.first_purchase_at is None)

    # -- complete ----------------------------------------------------------------------------

    def complete_sale(self, request: SaleRequest) -> SaleResult:
        sale_id = check_uuid(request.sale_id, "sale id")
        fingerprint = request.fingerprint()
        with self.ctx.db.transaction() as session:
            existing = session.get(Sale, sale_id)
            if existing is not None:
                return self._replay(session, existing, fingerprint)
            require_staff(session, request.staff_id)
            member = self._member(session, request.member_id)
            basis = self._basis(session, request.items)
            quote = self._quote(basis, member, request.points_to_redeem)
            change = _check_payments(request.payments, quote.due_after_points, member)
            sale = self._write_sale(session, sale_id, request, member, quote, change,
                                    fingerprint, basis)
            rewards = self._write_ledger(session, sale, request, member, quote, basis)
            return self._result(session, sale, change, rewards)

    def _replay(self, session: Session, sale: Sale, fingerprint: str) -> SaleResult:
        if sale.explanation.get("request") != fingerprint:
            raise Conflict(f"sale {sale.id} was already completed with different content")
        change = sum(p.change or 0 for p in sale.payments)
        return self._result(session, sale, change, sale.explanation.get("referral_rewards", 0))

    def _write_sale(self, session: Session, sale_id: str, request: SaleRequest,
                    member: Member | None, quote: Quote, change: int, fingerprint: str,
                    basis: _Basis) -> Sale:
        till = session.get(Till, self.ctx.till_id)
        assert till is not None
        till.last_receipt_no += 1
        sale = Sale(id=sale_id, till_id=till.id, store_id=till.store_id,
                    receipt_no=till.last_receipt_no, member_id=member.id if member else None,
                    staff_id=request.staff_id, created_at=self.ctx.now(),
                    subtotal=quote.subtotal, discount_total=quote.discount_total,
                    total=quote.total, points_earned=quote.points_earned,
                    points_redeemed=quote.points_redeemed, points_value=quote.points_value,
                    explanation={"request": fingerprint,
                                 "promotions": [asdict(o) for o in quote.outcomes],
                                 "points": quote.points_explanation})
        session.add(sale)
        products = basis.products
        for number, quoted in enumerate(quote.lines, start=1):
            line = quoted.line
            session.add(SaleLine(sale_id=sale_id, line_no=number,
                                 product_id=products[line.sku].id, sku=line.sku, name=line.name,
                                 category=line.category, unit_price=line.unit_price,
                                 quantity=line.quantity, discount=quoted.discount,
                                 net=quoted.net, points_eligible=line.points_eligible))
        for payment in request.payments:
            is_cash = payment.method == "cash"
            tendered = (payment.tendered if payment.tendered is not None else payment.amount)
            session.add(Payment(sale_id=sale_id, method=payment.method, amount=payment.amount,
                                reference=(payment.reference or "").strip() or None,
                                tendered=tendered if is_cash else None,
                                change=tendered - payment.amount if is_cash else None))
        if quote.points_value:
            session.add(Payment(sale_id=sale_id, method="points", amount=quote.points_value,
                                reference=f"{quote.points_redeemed} points"))
        session.flush()
        return sale

    def _write_ledger(self, session: Session, sale: Sale, request: SaleRequest,
                      member: Member | None, quote: Quote, basis: _Basis) -> int:
        if member is None:
            self._outbox(session, sale, None)
            return 0
        rules = basis.rules
        writer = LedgerWriter(session, self.ctx.till_id, self.ctx.now(), self.ctx.today())
        staff = request.staff_id
        if quote.points_redeemed:
            writer.spend("redeem", member, quote.points_redeemed, allow_debt=False,
                         sale_id=sale.id, staff_id=staff)
        stored_value = sum(p.amount for p in request.payments if p.method == "stored_value")
        if stored_value:
            if member.stored_value_balance < stored_value:
                raise InsufficientBalance(
                    f"stored value balance is {format_money(member.stored_value_balance)}, "
                    f"{format_money(stored_value)} asked")
            self._check_offline_cap(session, stored_value, rules)
            writer.stored_value("pay", member, -stored_value, sale_id=sale.id, staff_id=staff)
        expiry = lot_expiry(self.ctx.today(), rules)
        if quote.points_earned:
            writer.earn("earn", member, quote.points_earned, expiry, sale_id=sale.id,
                        staff_id=staff)
        rewards = self._referral_rewards(session, writer, member, sale, expiry, rules)
        if member.first_purchase_at is None:
            member.first_purchase_at = self.ctx.now()
        member.updated_at = self.ctx.now()
        session.flush()
        evaluate_member(session, member, basis.tiers, self.ctx.now(), rules.tier_window_days)
        sale.explanation = sale.explanation | {"referral_rewards": rewards}
        self._outbox(session, sale, member)
        return rewards

    def _check_offline_cap(self, session: Session, amount: int, rules: ProgramRules) -> None:
        """While this till cannot reach head office, its unsynced stored-value spending stays
        under `offline_stored_value_cap` (docs/sync-protocol.md). No override: head office is
        the authority for balances across tills, and an overdraft here is another till's loss."""
        settings = read_sync_settings(session)
        if not is_offline(settings, rules, self.ctx.now()):
            return
        spent = unsynced_stored_value_spent(session, self.ctx.till_id, pushed_seq(settings))
        if spent + amount > rules.offline_stored_value_cap:
            cap, symbol = rules.offline_stored_value_cap, rules.currency_symbol
            raise Conflict(
                f"offline: stored value spending at this till is limited to "
                f"{format_money(cap, symbol)} until it reaches head office; "
                f"{format_money(spent, symbol)} already spent, "
                f"{format_money(max(0, cap - spent), symbol)} left. A manager cannot override "
                f"this: take another payment or sync with head office first")

    def _referral_rewards(self, session: Session, writer: LedgerWriter, member: Member,
                          sale: Sale, expiry: date, rules: ProgramRules) -> int:
        """Both members get the reward on the referred member's first qualifying purchase."""
        if (member.referred_by_id is None or member.referral_rewarded
                or sale.total < rules.referral_min_purchase):
            return 0
        referrer = session.get(Member, member.referred_by_id)
        member.referral_rewarded = True
        given = 0
        for who, points in ((member, rules.referral_reward_new_member),
                            (referrer, rules.referral_reward_referrer)):
            if who is not None and points and who.status == "active":
                writer.earn("referral", who, points, expiry, sale_id=sale.id,
                            reason=f"referral of {member.uuid}")
                given += points
        return given

    def _outbox(self, session: Session, sale: Sale, member: Member | None) -> None:
        session.add(OutboxMessage(topic="sale", ref=sale.id, created_at=self.ctx.now(), payload={
            "sale_id": sale.id, "till": sale.till_id, "receipt_no": sale.receipt_no,
            "member": member.uuid if member else None, "at": sale.created_at.isoformat(),
            "total": sale.total, "discount": sale.discount_total,
            "points_earned": sale.points_earned, "points_redeemed": sale.points_redeemed}))

    def _result(self, session: Session, sale: Sale, change: int, rewards: int) -> SaleResult:
        summary = (session_summary(session, sale.member_id, self.ctx.today())
                   if sale.member_id else None)
        return SaleResult(sale.id, receipt_code(self.ctx.till_number, sale.receipt_no),
                          sale.total, sale.points_earned, sale.points_redeemed,
                          sale.points_value, change, summary, rewards)


def sale_earn_lot(session: Session, sale_id: str) -> str | None:
    """The lot a sale's earned points went into (refund takes back from it first)."""
    from ..db.models import LedgerEntry
    return session.scalar(select(PointLot.entry_id).join(
        LedgerEntry, LedgerEntry.id == PointLot.entry_id).where(
        LedgerEntry.sale_id == sale_id, LedgerEntry.kind == "earn"))
