"""Receipts as printed: the plain data of a sale or refund receipt, read back from the database.

Read-only: every method opens a Session, reads and returns a frozen `ReceiptData`; nothing is
written, so a receipt can be printed or reprinted from any thread at any time.

Balances on a receipt are the member's balances right after that sale or refund was committed,
not today's, so a reprint shows what the first print showed. They are summed from the ledger up
to the transaction's last entry: this till's entries with `seq` up to that entry's, plus entries
of other tills created no later than it. The (till, seq) part is exact; the part from other
tills is ordered by time, which is as good as the till can know.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, or_, select, text
from sqlalchemy.orm import Session

from ..core.errors import NotFound
from ..core.receipts import parse_receipt_code, receipt_code
from ..db.models import (
    Card,
    LedgerEntry,
    Member,
    Refund,
    RefundLine,
    Sale,
    SaleLine,
    Staff,
    Till,
)
from .context import TillContext, load_rules
from .ledger import POINTS, STORED_VALUE, iso_utc


@dataclass(frozen=True)
class ReceiptLine:
    name: str
    quantity: int
    unit_price: int
    discount: int
    net: int


@dataclass(frozen=True)
class ReceiptPayment:
    """A means of payment of a sale, or where a refund's money went back to."""
    method: str          # cash | card | stored_value | points
    amount: int
    reference: str | None = None


@dataclass(frozen=True)
class ReceiptData:
    """Everything a printed receipt says. Money in minor units; points in points."""
    kind: str                     # sale | refund
    store_name: str
    store_address: str
    till_number: int
    till_name: str
    cashier: str
    receipt_code: str
    created_at_local: datetime    # shop-floor local time, naive
    lines: tuple[ReceiptLine, ...]
    subtotal: int                 # before discounts
    discount_total: int
    total: int                    # of a refund: the money refunded
    payments: tuple[ReceiptPayment, ...]
    tendered: int | None          # cash handed over; None without a cash payment
    change: int
    member_name: str | None       # masked, see mask_name
    card_last4: str | None
    points_earned: int = 0
    points_redeemed: int = 0
    points_taken_back: int = 0
    points_given_back: int = 0
    stored_value_given_back: int = 0
    points_balance: int | None = None
    stored_value_balance: int | None = None
    soonest_expiry: date | None = None
    soonest_expiry_points: int = 0
    promotions: tuple[str, ...] = ()
    refund_of: str | None = None  # the sale's receipt code, on a refund
    currency_symbol: str = ""

    @property
    def has_member(self) -> bool:
        return self.member_name is not None


@dataclass(frozen=True)
class _MemberPart:
    """The member block of a receipt, as of one point in the ledger."""
    name: str | None = None
    card_last4: str | None = None
    points_balance: int | None = None
    stored_value_balance: int | None = None
    soonest_expiry: date | None = None
    soonest_expiry_points: int = 0


@dataclass(frozen=True)
class _Cut:
    """A point in the ledger: this till's entries up to `seq`, other tills' up to `at`."""
    till_id: int
    seq: int
    at: str  # ISO 8601 UTC, as LedgerEntry.created_at


# -- masking --------------------------------------------------------------------------------


def _is_cjk(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def mask_name(name: str | None) -> str | None:
    """A name as a receipt may show it to whoever picks it up.

    Latin-script names keep the first word and the initial of the last: "Wang Xiaoming" ->
    "Wang X."; a single word keeps its first letter: "Madonna" -> "M***". Chinese (and other
    CJK) names keep the first and last character and star the middle: "王小明" -> "王*明",
    "欧阳小明" -> "欧**明", "王明" -> "王*".
    """
    cleaned = " ".join(str(name or "").split())
    if not cleaned:
        return None
    if " " not in cleaned and any(_is_cjk(c) for c in cleaned):
        if len(cleaned) <= 2:
            return cleaned[0] + "*"
        return cleaned[0] + "*" * (len(cleaned) - 2) + cleaned[-1]
    words = cleaned.split(" ")
    if len(words) == 1:
        return cleaned[0] + "***"
    return f"{words[0]} {words[-1][0]}."


# -- reading --------------------------------------------------------------------------------


def _local(moment: datetime) -> datetime:
    """A stored (naive UTC) time as naive shop-floor local time."""
    return moment.replace(tzinfo=UTC).astimezone().replace(tzinfo=None)


def _cut_after(session: Session, till_id: int, at: datetime, *conditions) -> _Cut:
    """The ledger point right after a transaction: its own last entry on this till.

    A transaction that wrote no entry (a member sale of goods that earn nothing, paid in cash)
    changed no balance: then the point is this till's last entry written no later than it.
    """
    at_iso = iso_utc(at)
    seq, created = session.execute(
        select(func.max(LedgerEntry.seq), func.max(LedgerEntry.created_at))
        .where(LedgerEntry.till_id == till_id, *conditions)).one()
    if seq is None:
        seq = session.scalar(select(func.max(LedgerEntry.seq)).where(
            LedgerEntry.till_id == till_id, LedgerEntry.created_at <= at_iso)) or 0
        created = at_iso
    return _Cut(till_id, seq, max(created, at_iso))


_UP_TO_CUT = ("(({e}.till_id = :till AND {e}.seq <= :seq) "
              "OR ({e}.till_id != :till AND {e}.created_at <= :at))")

_BALANCES_SQL = f"""
SELECT e.ledger, COALESCE(SUM(e.amount), 0) FROM ledger_entries e
WHERE e.member_uuid = :member AND {_UP_TO_CUT.format(e="e")}
GROUP BY e.ledger
"""

# A lot's remaining points at the cut: its points less the allocations of entries up to the cut.
# (An allocation settling an older debt from a newer lot takes effect with the lot, which is
# itself up to the cut here, so the allocating entry's position is enough.)
_EXPIRY_SQL = f"""
SELECT lot.expires_on, SUM(lot.points - COALESCE((
    SELECT SUM(a.points) FROM lot_allocations a JOIN ledger_entries s ON s.id = a.entry_id
    WHERE a.lot_entry_id = lot.entry_id AND {_UP_TO_CUT.format(e="s")}), 0)) AS open_points
FROM point_lots lot JOIN ledger_entries e ON e.id = lot.entry_id
WHERE lot.member_uuid = :member AND lot.expires_on >= :day AND {_UP_TO_CUT.format(e="e")}
  AND e.kind != 'remote_sync'  -- copies of other tills' points expire there, not here
GROUP BY lot.expires_on HAVING open_points > 0
ORDER BY lot.expires_on LIMIT 1
"""


def _member_part(session: Session, member_id: int | None, cut: _Cut, day: date,
                 at: datetime) -> _MemberPart:
    member = session.get(Member, member_id) if member_id is not None else None
    if member is None:
        return _MemberPart()
    params = {"member": member.uuid, "till": cut.till_id, "seq": cut.seq, "at": cut.at}
    sums = dict(session.execute(text(_BALANCES_SQL), params).all())
    expiry = session.execute(text(_EXPIRY_SQL), params | {"day": day.isoformat()}).first()
    return _MemberPart(
        name=mask_name(member.name), card_last4=_card_last4(session, member.id, at),
        points_balance=int(sums.get(POINTS, 0)),
        stored_value_balance=int(sums.get(STORED_VALUE, 0)),
        soonest_expiry=date.fromisoformat(str(expiry[0])) if expiry else None,
        soonest_expiry_points=int(expiry[1]) if expiry else 0)


def _card_last4(session: Session, member_id: int, at: datetime) -> str | None:
    """The card the member had at the time (the newest not blocked by then)."""
    number = session.scalar(
        select(Card.number).where(Card.member_id == member_id, Card.issued_at <= at,
                                  or_(Card.blocked_at.is_(None), Card.blocked_at > at))
        .order_by(Card.issued_at.desc(), Card.id.desc()).limit(1))
    return number[-4:] if number else None


def _header(session: Session, till_id: int, staff_id: int) -> dict[str, Any]:
    till = session.get(Till, till_id)
    if till is None:
        raise NotFound(f"till {till_id} does not exist")
    staff = session.get(Staff, staff_id)
    return {"store_name": till.store.name, "store_address": till.store.address or "",
            "till_number": till.number, "till_name": till.name,
            "cashier": staff.name if staff else f"staff {staff_id}",
            "currency_symbol": load_rules(session).currency_symbol}


def _sale_points_earned(session: Session, sale: Sale) -> int:
    """Points the sale credited to its member: earned points and a referral reward, if any."""
    member_uuid = session.scalar(select(Member.uuid).where(Member.id == sale.member_id))
    return int(session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
        LedgerEntry.sale_id == sale.id, LedgerEntry.refund_id.is_(None),
        LedgerEntry.member_uuid == member_uuid, LedgerEntry.ledger == POINTS,
        LedgerEntry.amount > 0)) or 0)


def _sale_receipt(session: Session, sale: Sale) -> ReceiptData:
    header = _header(session, sale.till_id, sale.staff_id)
    cut = _cut_after(session, sale.till_id, sale.created_at, LedgerEntry.sale_id == sale.id,
                     LedgerEntry.refund_id.is_(None))
    member = _member_part(session, sale.member_id, cut, sale.created_at.date(), sale.created_at)
    cash = [p for p in sale.payments if p.method == "cash"]
    promotions = sale.explanation.get("promotions", [])
    return ReceiptData(
        kind="sale", receipt_code=receipt_code(header["till_number"], sale.receipt_no),
        created_at_local=_local(sale.created_at),
        lines=tuple(ReceiptLine(line.name, line.quantity, line.unit_price, line.discount,
                                line.net) for line in sale.lines),
        subtotal=sale.subtotal, discount_total=sale.discount_total, total=sale.total,
        payments=tuple(ReceiptPayment(p.method, p.amount, p.reference) for p in sale.payments),
        tendered=sum(p.tendered or p.amount for p in cash) if cash else None,
        change=sum(p.change or 0 for p in cash),
        member_name=member.name, card_last4=member.card_last4,
        points_earned=_sale_points_earned(session, sale) if sale.member_id else 0,
        points_redeemed=sale.points_redeemed,
        points_balance=member.points_balance, stored_value_balance=member.stored_value_balance,
        soonest_expiry=member.soonest_expiry, soonest_expiry_points=member.soonest_expiry_points,
        promotions=tuple(p["name"] for p in promotions if p.get("applied")),
        **header)


def _refund_lines(session: Session, refund: Refund) -> list[ReceiptLine]:
    rows = session.execute(
        select(SaleLine, RefundLine).join(RefundLine, RefundLine.sale_line_id == SaleLine.id)
        .where(RefundLine.refund_id == refund.id).order_by(SaleLine.line_no)).all()
    return [ReceiptLine(line.name, back.quantity, line.unit_price,
                        line.unit_price * back.quantity - back.amount, back.amount)
            for line, back in rows]


def _refund_payments(sale: Sale, refund: Refund) -> list[ReceiptPayment]:
    """Where the refunded money went, each with the sale's reference for that method."""
    references = {p.method: p.reference for p in sale.payments}
    amounts = (("points", refund.points_value_back), ("stored_value",
               refund.stored_value_given_back), ("card", refund.card_back),
               ("cash", refund.cash_back))
    payments = []
    for method, amount in amounts:
        if amount:
            reference = (f"{refund.points_given_back} points" if method == "points"
                         else references.get(method))
            payments.append(ReceiptPayment(method, amount, reference))
    return payments


def _refund_receipt(session: Session, refund: Refund) -> ReceiptData:
    sale = session.get(Sale, refund.sale_id)
    if sale is None:
        raise NotFound(f"sale {refund.sale_id} of refund {refund.id} does not exist")
    header = _header(session, refund.till_id, refund.staff_id)
    sale_till = session.get(Till, sale.till_id)
    cut = _cut_after(session, refund.till_id, refund.created_at,
                     LedgerEntry.refund_id == refund.id)
    member = _member_part(session, sale.member_id, cut, refund.created_at.date(),
                          refund.created_at)
    lines = _refund_lines(session, refund)
    return ReceiptData(
        kind="refund", receipt_code=receipt_code(header["till_number"], refund.receipt_no),
        created_at_local=_local(refund.created_at), lines=tuple(lines),
        subtotal=sum(line.unit_price * line.quantity for line in lines),
        discount_total=sum(line.discount for line in lines), total=refund.amount,
        payments=tuple(_refund_payments(sale, refund)), tendered=None, change=0,
        member_name=member.name, card_last4=member.card_last4,
        points_taken_back=refund.points_taken_back, points_given_back=refund.points_given_back,
        stored_value_given_back=refund.stored_value_given_back,
        points_balance=member.points_balance, stored_value_balance=member.stored_value_balance,
        soonest_expiry=member.soonest_expiry, soonest_expiry_points=member.soonest_expiry_points,
        refund_of=receipt_code(sale_till.number, sale.receipt_no) if sale_till else None,
        **header)


class ReceiptService:
    """Receipts of this till's sales and refunds, for printing and reprinting."""

    def __init__(self, ctx: TillContext) -> None:
        self.ctx = ctx

    def sale_receipt(self, sale_id: str) -> ReceiptData:
        with self.ctx.db.sessions() as session:
            sale = session.get(Sale, str(sale_id))
            if sale is None:
                raise NotFound(f"sale {sale_id} does not exist at this till")
            return _sale_receipt(session, sale)

    def refund_receipt(self, refund_id: str) -> ReceiptData:
        with self.ctx.db.sessions() as session:
            refund = session.get(Refund, str(refund_id))
            if refund is None:
                raise NotFound(f"refund {refund_id} does not exist at this till")
            return _refund_receipt(session, refund)

    def receipt(self, code: str) -> ReceiptData:
        """A receipt by its printed code (scanned or typed), sale or refund."""
        till_number, receipt_no = parse_receipt_code(code)
        if till_number != self.ctx.till_number:
            raise NotFound(f"receipt {code} was issued at till {till_number}, not at this till")
        with self.ctx.db.sessions() as session:
            sale = session.scalar(select(Sale).where(
                Sale.till_id == self.ctx.till_id, Sale.receipt_no == receipt_no))
            if sale is not None:
                return _sale_receipt(session, sale)
            refund = session.scalar(select(Refund).where(
                Refund.till_id == self.ctx.till_id, Refund.receipt_no == receipt_no))
            if refund is not None:
                return _refund_receipt(session, refund)
        raise NotFound(f"receipt {code} does not exist at this till")

    def last_receipt(self) -> ReceiptData | None:
        """The newest sale or refund of this till (they share one receipt counter), or None."""
        with self.ctx.db.sessions() as session:
            sale = session.scalar(select(Sale).where(Sale.till_id == self.ctx.till_id)
                                  .order_by(Sale.receipt_no.desc()).limit(1))
            refund = session.scalar(select(Refund).where(Refund.till_id == self.ctx.till_id)
                                    .order_by(Refund.receipt_no.desc()).limit(1))
            if refund is not None and (sale is None or refund.receipt_no > sale.receipt_no):
                return _refund_receipt(session, refund)
            return _sale_receipt(session, sale) if sale is not None else None
