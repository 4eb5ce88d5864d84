"""Day report (Z report) data: sales, points and stored value movements, liability at close."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..core.errors import InvalidInput
from ..db.models import LedgerEntry, Payment, Refund, Sale, Till
from .context import TillContext, load_rules
from .ledger import POINTS, STORED_VALUE, iso_utc


@dataclass(frozen=True)
class DayReport:
    day: date
    scope: str                      # "till 1" / "store S001"
    sales_count: int
    sales_total: int
    discounts: int
    refunds_count: int
    refunds_total: int
    payments: dict[str, int]        # method -> amount
    points_by_kind: dict[str, int]  # earn, referral, adjust, refund_restore (+) / redeem, ... (-)
    stored_value_by_kind: dict[str, int]
    points_liability: int           # outstanding points at close
    points_liability_value: int     # in money at the redemption rate
    stored_value_liability: int
    notes: list[str] = field(default_factory=list)

    @property
    def points_issued(self) -> int:
        return sum(v for k, v in self.points_by_kind.items()
                   if k in ("earn", "referral", "refund_restore") or (k == "adjust" and v > 0))

    @property
    def points_redeemed(self) -> int:
        return -self.points_by_kind.get("redeem", 0)

    @property
    def points_expired(self) -> int:
        return -self.points_by_kind.get("expire", 0)

    @property
    def stored_value_in(self) -> int:
        return self.stored_value_by_kind.get("top_up", 0)

    @property
    def stored_value_out(self) -> int:
        return -self.stored_value_by_kind.get("pay", 0)


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The shop's local calendar day as a UTC [start, end) range (naive UTC, as stored)."""
    start = datetime.combine(day, time()).astimezone().astimezone(UTC).replace(tzinfo=None)
    end = datetime.combine(day + timedelta(days=1), time()).astimezone().astimezone(UTC)
    return start, end.replace(tzinfo=None)


class ReportService:
    def __init__(self, ctx: TillContext) -> None:
        self.ctx = ctx

    def day_report(self, day: date, *, scope: str = "till") -> DayReport:
        if scope not in ("till", "store"):
            raise InvalidInput("a day report is per till or per store")
        if not isinstance(day, date):
            raise InvalidInput("a day report needs a date")
        start, end = local_day_bounds(day)
        with self.ctx.db.sessions() as session:
            if scope == "till":
                label = f"till {self.ctx.till_number}"
                sale_filter = Sale.till_id == self.ctx.till_id
                ledger_filter = LedgerEntry.till_id == self.ctx.till_id
                refund_filter = Refund.till_id == self.ctx.till_id
            else:
                label = f"store {self.ctx.store_id}"
                sale_filter = Sale.store_id == self.ctx.store_id
                ledger_filter = LedgerEntry.store_id == self.ctx.store_id
                refund_filter = Refund.till_id.in_(
                    select(Till.id).where(Till.store_id == self.ctx.store_id))
            return self._build(session, day, label, start, end, sale_filter, ledger_filter,
                               refund_filter)

    def _build(self, session: Session, day: date, label: str, start: datetime, end: datetime,
               sale_filter, ledger_filter, refund_filter) -> DayReport:
        in_day = (Sale.created_at >= start, Sale.created_at < end, sale_filter)
        count, total, discounts = session.execute(select(
            func.count(Sale.id), func.coalesce(func.sum(Sale.total), 0),
            func.coalesce(func.sum(Sale.discount_total), 0)).where(*in_day)).one()
        payments = dict(session.execute(
            select(Payment.method, func.sum(Payment.amount)).join(Sale, Sale.id == Payment.sale_id)
            .where(*in_day).group_by(Payment.method)).all())
        refunds_count, refunds_total = session.execute(select(
            func.count(Refund.id), func.coalesce(func.sum(Refund.amount), 0)).where(
            Refund.created_at >= start, Refund.created_at < end, refund_filter)).one()
        start_iso, end_iso = iso_utc(start), iso_utc(end)
        moves = session.execute(
            select(LedgerEntry.ledger, LedgerEntry.kind, func.sum(LedgerEntry.amount))
            .where(LedgerEntry.created_at >= start_iso, LedgerEntry.created_at < end_iso,
                   ledger_filter).group_by(LedgerEntry.ledger, LedgerEntry.kind)).all()
        liability = dict(session.execute(
            select(LedgerEntry.ledger, func.sum(LedgerEntry.amount))
            .where(LedgerEntry.created_at < end_iso, ledger_filter)
            .group_by(LedgerEntry.ledger)).all())
        rules = load_rules(session)
        points_outstanding = int(liability.get(POINTS, 0) or 0)
        return DayReport(
            day=day, scope=label, sales_count=count, sales_total=int(total),
            discounts=int(discounts), refunds_count=refunds_count,
            refunds_total=int(refunds_total),
            payments={k: int(v) for k, v in payments.items()},
            points_by_kind={k: int(v) for ledger, k, v in moves if ledger == POINTS},
            stored_value_by_kind={k: int(v) for ledger, k, v in moves if ledger == STORED_VALUE},
            points_liability=points_outstanding,
            points_liability_value=points_outstanding * 100 // rules.redeem_points_per_major,
            stored_value_liability=int(liability.get(STORED_VALUE, 0) or 0),
            notes=["liability counts entries recorded in this scope up to the end of the day"])
