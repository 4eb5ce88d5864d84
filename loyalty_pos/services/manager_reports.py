"""The store manager's reports: the day (Z) report as PDF and CSV, member statements, liability
over time, tier distribution, top members and an overview PDF with charts.

Read-only: every method opens a reading session and returns plain data or writes a file; nothing
in the database changes. The day report's figures come from services/reports.ReportService; this
module adds only what the printed Z report shows beside them (refunds and top-ups by method, the
cash expected in the drawer).

Rendering (reportlab, matplotlib) is imported when a file is written, not when this module is
imported, so the till window does not pay for it at start-up. Thread: call from a worker; a
report over a million members takes a few seconds.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import func, literal, select, text, union_all
from sqlalchemy.orm import Session

from ..core.errors import InvalidInput, NotFound
from ..core.kinds import REMOTE_SYNC
from ..core.money import format_money
from ..core.receipts import receipt_code
from ..db.models import (
    Card,
    LedgerEntry,
    Member,
    PointLot,
    Refund,
    Sale,
    Store,
    Till,
)
from .context import TillContext, load_rules, load_tiers
from .ledger import POINTS, STORED_VALUE, iso_utc, own_lot
from .reports import DayReport, ReportService, local_day_bounds

EXPIRY_HORIZON_DAYS = 90
MAX_SERIES_DAYS = 3660
EXCLUDED_STATUSES = ("erased", "merged")
PAYMENT_ORDER = ("cash", "card", "stored_value", "points")

POINTS_KIND_LABELS = {
    "earn": "Points earned",
    "referral": "Referral rewards",
    "refund_restore": "Given back by refunds",
    "adjust": "Manager adjustments",
    "redeem": "Points redeemed",
    "refund_clawback": "Taken back by refunds",
    "expire": "Points expired",
    "merge_in": "Moved in from merged memberships",
    "merge_out": "Moved out by a membership merge",
    "opening_balance": "Opening balances (imported)",
}
STORED_VALUE_KIND_LABELS = {
    "top_up": "Top-ups",
    "pay": "Paid with stored value",
    "refund": "Given back by refunds",
    "merge_in": "Moved in from merged memberships",
    "merge_out": "Moved out by a membership merge",
    "opening_balance": "Opening balances (imported)",
}
# the Z report shows these on lines of their own; any other kind is listed by its label
MAIN_POINTS_KINDS = ("earn", "referral", "refund_restore", "redeem", "expire")
MAIN_STORED_VALUE_KINDS = ("top_up", "pay", "refund")
METHOD_LABELS = {"cash": "Cash", "card": "Card terminal", "stored_value": "Stored value",
                 "points": "Points"}


def kind_label(ledger: str, kind: str) -> str:
    labels = POINTS_KIND_LABELS if ledger == POINTS else STORED_VALUE_KIND_LABELS
    return labels.get(kind, kind.replace("_", " ").capitalize())


def mask_phone(phone: str | None) -> str:
    """13900001234 -> 139****1234 (a statement may be handed over or mailed)."""
    if not phone:
        return ""
    return phone if len(phone) < 8 else phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def _check_day(value: object, what: str) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidInput(f"{what} must be a date")
    return value


def _check_period(since: object, until: object) -> tuple[date, date]:
    start, end = _check_day(since, "the first day"), _check_day(until, "the last day")
    if end < start:
        raise InvalidInput("the period ends before it starts")
    if (end - start).days > MAX_SERIES_DAYS:
        raise InvalidInput(f"a period is at most {MAX_SERIES_DAYS} days")
    return start, end


def _local(moment_utc: datetime) -> datetime:
    return moment_utc.replace(tzinfo=UTC).astimezone().replace(tzinfo=None)


# -- plain data handed to the renderers (cards/report_pdf.py, cards/charts.py) ----------------


class TillDay(NamedTuple):
    """One till's share of a store's day."""
    till_number: int
    till_name: str
    sales_count: int
    sales_total: int
    refunds_count: int
    refunds_total: int

    @property
    def label(self) -> str:
        return till_label(self.till_number, self.till_name)


def till_label(number: int, name: str) -> str:
    """'Till 7', or 'Till 7 (Front door)' when the till has a name of its own."""
    label = f"Till {number}"
    return label if name.strip().casefold() == label.casefold() else f"{label} ({name})"


@dataclass(frozen=True)
class DayReportDocument:
    """The Z report as printed: ReportService's figures plus what the drawer count needs."""
    report: DayReport
    store_name: str
    store_code: str
    store_address: str
    scope_title: str                    # "Till 7 (Till 7)" / "Store S001, all tills"
    generated_at: datetime              # local time
    currency_symbol: str
    redeem_points_per_major: int
    refunds_by_method: dict[str, int]   # cash | card | stored_value | points (money)
    top_ups_by_method: dict[str, int]   # cash | card
    points_given_back: int              # points returned to members by refunds
    tills: list[TillDay] = field(default_factory=list)  # per till, in a store's report

    @property
    def gross_sales(self) -> int:
        return self.report.sales_total + self.report.discounts

    @property
    def net_sales(self) -> int:
        return self.report.sales_total - self.report.refunds_total

    def method_rows(self) -> list[tuple[str, int, int, int]]:
        """(method, taken in sales, given back by refunds, net) for every method used."""
        methods = [m for m in PAYMENT_ORDER if m in self.report.payments
                   or self.refunds_by_method.get(m)]
        methods += sorted(set(self.report.payments) - set(methods))
        return [(m, self.report.payments.get(m, 0), self.refunds_by_method.get(m, 0),
                 self.report.payments.get(m, 0) - self.refunds_by_method.get(m, 0))
                for m in methods]

    def other_points(self) -> list[tuple[str, int]]:
        """Points movements beyond issued/redeemed/expired (take-backs, merges, ...)."""
        return [(kind_label(POINTS, kind), value)
                for kind, value in sorted(self.report.points_by_kind.items())
                if value and kind not in MAIN_POINTS_KINDS
                and not (kind == "adjust" and value > 0)]

    def other_stored_value(self) -> list[tuple[str, int]]:
        return [(kind_label(STORED_VALUE, kind), value)
                for kind, value in sorted(self.report.stored_value_by_kind.items())
                if value and kind not in MAIN_STORED_VALUE_KINDS]

    @property
    def expected_cash(self) -> int:
        """Cash the drawer should hold from today's trading (before the opening float)."""
        return (self.report.payments.get("cash", 0) - self.refunds_by_method.get("cash", 0)
                + self.top_ups_by_method.get("cash", 0))

    @property
    def expected_card(self) -> int:
        return (self.report.payments.get("card", 0) - self.refunds_by_method.get("card", 0)
                + self.top_ups_by_method.get("card", 0))

    def rows(self) -> list[tuple[str, str, str, int]]:
        """Every figure as (section, item, unit, value); unit is count, money or points.

        The CSV export writes exactly these; the PDF shows the same figures laid out."""
        r = self.report
        rows: list[tuple[str, str, str, int]] = [
            ("sales", "sales", "count", r.sales_count),
            ("sales", "gross sales", "money", self.gross_sales),
            ("sales", "discounts", "money", r.discounts),
            ("sales", "sales total", "money", r.sales_total),
            ("sales", "refunds", "count", r.refunds_count),
            ("sales", "refunds total", "money", r.refunds_total),
            ("sales", "net sales", "money", self.net_sales),
        ]
        for method, taken, back, net in self.method_rows():
            rows += [("payments", f"{method} taken", "money", taken),
                     ("payments", f"{method} refunded", "money", back),
                     ("payments", f"{method} net", "money", net)]
        rows += [("top-ups", m, "money", v) for m, v in sorted(
            self.top_ups_by_method.items())]
        for till in self.tills:
            rows += [("tills", f"till {till.till_number} sales", "count", till.sales_count),
                     ("tills", f"till {till.till_number} sales total", "money",
                      till.sales_total),
                     ("tills", f"till {till.till_number} refunds", "count", till.refunds_count),
                     ("tills", f"till {till.till_number} refunds total", "money",
                      till.refunds_total)]
        rows += [("drawer", "expected cash", "money", self.expected_cash),
                 ("drawer", "expected card terminal", "money", self.expected_card)]
        rows += [("points", kind, "points", v) for kind, v in sorted(r.points_by_kind.items())]
        rows += [("points", "issued", "points", r.points_issued),
                 ("points", "redeemed", "points", r.points_redeemed),
                 ("points", "expired", "points", r.points_expired)]
        rows += [("stored value", kind, "money", v)
                 for kind, v in sorted(r.stored_value_by_kind.items())]
        rows += [("stored value", "in", "money", r.stored_value_in),
                 ("stored value", "out", "money", r.stored_value_out),
                 ("liability", "points outstanding", "points", r.points_liability),
                 ("liability", "points value", "money", r.points_liability_value),
                 ("liability", "stored value", "money", r.stored_value_liability),
                 ("liability", "total", "money",
                  r.points_liability_value + r.stored_value_liability)]
        return rows


@dataclass(frozen=True)
class StatementLine:
    at: datetime                # local time
    ledger: str                 # points | stored_value
    kind: str
    description: str            # what happened, on which receipt
    detail: str                 # e.g. "valid to 2027-03-10" for points credited; or ""
    points: int                 # change (0 on a stored-value line)
    stored_value: int           # change in minor units (0 on a points line)
    points_balance: int         # running, after this line
    stored_value_balance: int


class ExpiringLot(NamedTuple):
    expires_on: date
    points: int


@dataclass(frozen=True)
class MemberStatement:
    member_id: int
    name: str
    phone: str                  # masked
    card_number: str | None
    tier_name: str
    status: str
    since: date
    until: date
    generated_at: datetime      # local
    store_name: str
    currency_symbol: str
    redeem_points_per_major: int
    opening_points: int
    opening_stored_value: int
    lines: list[StatementLine]
    closing_points: int
    closing_stored_value: int
    expiring: list[ExpiringLot] = field(default_factory=list)  # next 90 days from today

    @property
    def expiring_total(self) -> int:
        return sum(lot.points for lot in self.expiring)


class LiabilityPoint(NamedTuple):
    """Outstanding at the end of a local day, over the whole till database."""
    day: date
    points: int
    points_value: int           # money at the current redemption rate
    stored_value: int


class MemberRef(NamedTuple):
    id: int
    name: str
    tier_code: str


class TopMember(NamedTuple):
    member: MemberRef
    spend: int                  # sales minus refunds in the period
    points: int                 # points earned on the period's sales


@dataclass(frozen=True)
class OverviewData:
    store_name: str
    since: date
    until: date
    generated_at: datetime
    currency_symbol: str
    members: int                          # not erased or merged
    liability: list[LiabilityPoint]
    tiers: list[tuple[str, str, int]]     # (code, name, members)
    top_members: list[TopMember]
    sales_count: int
    sales_total: int
    refunds_total: int


# -- the service ------------------------------------------------------------------------------


class ManagerReportService:
    def __init__(self, ctx: TillContext) -> None:
        self.ctx = ctx

    # -- day (Z) report ----------------------------------------------------------------------

    def day_report(self, day: date, scope: str = "till") -> DayReportDocument:
        report = ReportService(self.ctx).day_report(day, scope=scope)
        start, end = local_day_bounds(day)
        with self.ctx.db.sessions() as session:
            till = session.get(Till, self.ctx.till_id)
            store = session.get(Store, self.ctx.store_id)
            assert till is not None and store is not None
            if scope == "till":
                refund_scope = Refund.till_id == self.ctx.till_id
                ledger_scope = LedgerEntry.till_id == self.ctx.till_id
                title = till_label(till.number, till.name)
            else:
                refund_scope = Refund.till_id.in_(
                    select(Till.id).where(Till.store_id == self.ctx.store_id))
                ledger_scope = LedgerEntry.store_id == self.ctx.store_id
                title = f"Store {store.code}, all tills"
            back = session.execute(select(
                func.coalesce(func.sum(Refund.cash_back), 0),
                func.coalesce(func.sum(Refund.card_back), 0),
                func.coalesce(func.sum(Refund.stored_value_given_back), 0),
                func.coalesce(func.sum(Refund.points_value_back), 0),
                func.coalesce(func.sum(Refund.points_given_back), 0))
                .where(Refund.created_at >= start, Refund.created_at < end, refund_scope)).one()
            # a top-up's reason is "cash", "cash:<ref>" or "card:<ref>" (services/balances.py)
            method = func.substr(LedgerEntry.reason, 1,
                                 func.instr(LedgerEntry.reason + literal(":"), ":") - 1)
            top_ups = dict(session.execute(
                select(method, func.sum(LedgerEntry.amount))
                .where(LedgerEntry.kind == "top_up", LedgerEntry.ledger == STORED_VALUE,
                       LedgerEntry.created_at >= iso_utc(start),
                       LedgerEntry.created_at < iso_utc(end), ledger_scope)
                .group_by(method)).all())
            rules = load_rules(session)
            tills = self._tills(session, start, end) if scope == "store" else []
            return DayReportDocument(
                report=report, store_name=store.name, store_code=store.code,
                store_address=store.address, scope_title=title,
                generated_at=_local(self.ctx.now()), currency_symbol=rules.currency_symbol,
                redeem_points_per_major=rules.redeem_points_per_major,
                refunds_by_method={k: int(v) for k, v in zip(PAYMENT_ORDER, back[:4],
                                                               strict=True) if v},
                top_ups_by_method={str(k or "other"): int(v) for k, v in top_ups.items()},
                points_given_back=int(back[4]), tills=tills)

    def _tills(self, session: Session, start: datetime, end: datetime) -> list[TillDay]:
        """Every till of this store with its sales and refunds of the day (zeros included)."""
        sales = {till_id: (n, total) for till_id, n, total in session.execute(
            select(Sale.till_id, func.count(Sale.id), func.sum(Sale.total))
            .where(Sale.store_id == self.ctx.store_id, Sale.created_at >= start,
                   Sale.created_at < end).group_by(Sale.till_id))}
        refunds = {till_id: (n, total) for till_id, n, total in session.execute(
            select(Refund.till_id, func.count(Refund.id), func.sum(Refund.amount))
            .join(Till, Till.id == Refund.till_id)
            .where(Till.store_id == self.ctx.store_id, Refund.created_at >= start,
                   Refund.created_at < end).group_by(Refund.till_id))}
        tills = session.scalars(select(Till).where(Till.store_id == self.ctx.store_id)
                                .order_by(Till.number))
        return [TillDay(t.number, t.name, *sales.get(t.id, (0, 0)), *refunds.get(t.id, (0, 0)))
                for t in tills]

    def write_day_report_pdf(self, day: date, scope: str, path: str | Path) -> Path:
        from ..cards.report_pdf import render_day_report_pdf

        return render_day_report_pdf(self.day_report(day, scope), path)

    def write_day_report_csv(self, day: date, scope: str, path: str | Path) -> Path:
        """section,item,unit,value; money as plain decimals (1234.50), points and counts as
        whole numbers. UTF-8 with a byte-order mark so spreadsheet programs read it right."""
        document = self.day_report(day, scope)
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(("section", "item", "unit", "value"))
            writer.writerow(("report", "day", "date", day.isoformat()))
            writer.writerow(("report", "scope", "text", document.scope_title))
            writer.writerow(("report", "store", "text", document.store_name))
            for section, item, unit, value in document.rows():
                shown = format_money(value).replace(",", "") if unit == "money" else str(value)
                writer.writerow((section, item, unit, shown))
        return path

    # -- member statement --------------------------------------------------------------------

    def member_statement(self, member_id: int, since: date, until: date) -> MemberStatement:
        """Opening balances at the start of `since`, every movement to the end of `until`
        (local days) with running balances, the closing balances, and the lots expiring in
        the next 90 days from today."""
        since, until = _check_period(since, until)
        start, _ = local_day_bounds(since)
        _, end = local_day_bounds(until)
        today = self.ctx.today()
        with self.ctx.db.sessions() as session:
            member = session.get(Member, member_id) if isinstance(member_id, int) else None
            if member is None:
                raise NotFound(f"member {member_id} does not exist")
            rules = load_rules(session)
            opening = dict(session.execute(
                select(LedgerEntry.ledger, func.sum(LedgerEntry.amount))
                .where(LedgerEntry.member_uuid == member.uuid,
                       LedgerEntry.created_at < iso_utc(start))
                .group_by(LedgerEntry.ledger)).all())
            points = int(opening.get(POINTS) or 0)
            stored = int(opening.get(STORED_VALUE) or 0)
            opening_points, opening_stored = points, stored
            lines = []
            for row in self._movements(session, member.uuid, start, end):
                entry_points = row.amount if row.ledger == POINTS else 0
                entry_stored = row.amount if row.ledger == STORED_VALUE else 0
                points += entry_points
                stored += entry_stored
                lines.append(StatementLine(
                    at=_local(datetime.fromisoformat(row.created_at.rstrip("Z"))),
                    ledger=row.ledger, kind=row.kind, description=_describe(row),
                    detail=_points_detail(row),
                    points=entry_points, stored_value=entry_stored, points_balance=points,
                    stored_value_balance=stored))
            expiring = [ExpiringLot(day, int(total)) for day, total in session.execute(
                select(PointLot.expires_on, func.sum(PointLot.remaining))
                .where(PointLot.member_uuid == member.uuid, PointLot.remaining > 0,
                       PointLot.expires_on >= today,
                       PointLot.expires_on <= today + timedelta(days=EXPIRY_HORIZON_DAYS),
                       own_lot())  # copies of other tills' points expire there, not here
                .group_by(PointLot.expires_on).order_by(PointLot.expires_on))]
            card = session.scalar(select(Card.number).where(
                Card.member_id == member.id, Card.status == "active"))
            tier = next((t.name for t in load_tiers(session) if t.code == member.tier_code),
                        member.tier_code)
            store = session.get(Store, self.ctx.store_id)
            return MemberStatement(
                member_id=member.id, name=member.name, phone=mask_phone(member.phone),
                card_number=card, tier_name=tier, status=member.status, since=since,
                until=until, generated_at=_local(self.ctx.now()),
                store_name=store.name if store else "", currency_symbol=rules.currency_symbol,
                redeem_points_per_major=rules.redeem_points_per_major,
                opening_points=opening_points, opening_stored_value=opening_stored,
                lines=lines, closing_points=points, closing_stored_value=stored,
                expiring=expiring)

    def _movements(self, session: Session, member_uuid: str, start: datetime, end: datetime):
        sale_till = Till.__table__.alias("sale_till")
        refund_till = Till.__table__.alias("refund_till")
        return session.execute(
            select(LedgerEntry.created_at, LedgerEntry.ledger, LedgerEntry.kind,
                   LedgerEntry.amount, LedgerEntry.reason, LedgerEntry.expires_on,
                   Sale.receipt_no.label("sale_receipt"), sale_till.c.number.label("sale_till"),
                   Refund.receipt_no.label("refund_receipt"),
                   refund_till.c.number.label("refund_till"))
            .outerjoin(Sale, Sale.id == LedgerEntry.sale_id)
            .outerjoin(sale_till, sale_till.c.id == Sale.till_id)
            .outerjoin(Refund, Refund.id == LedgerEntry.refund_id)
            .outerjoin(refund_till, refund_till.c.id == Refund.till_id)
            .where(LedgerEntry.member_uuid == member_uuid,
                   LedgerEntry.created_at >= iso_utc(start),
                   LedgerEntry.created_at < iso_utc(end))
            .order_by(LedgerEntry.created_at, LedgerEntry.till_id, LedgerEntry.seq)).all()

    def write_member_statement_pdf(self, member_id: int, since: date, until: date,
                                   path: str | Path) -> Path:
        from ..cards.report_pdf import render_member_statement_pdf

        return render_member_statement_pdf(self.member_statement(member_id, since, until),
                                           path)

    # -- liability, tiers, top members -------------------------------------------------------

    def liability_series(self, since: date, until: date) -> list[LiabilityPoint]:
        """Points and stored value outstanding at the end of each local day, whole database.

        One pass over the ledger: everything before `since` collapses into one opening bucket,
        the rest is summed per local day, and a window function runs the cumulative sum. Days
        without movements carry the previous day's figure.
        """
        since, until = _check_period(since, until)
        start, _ = local_day_bounds(since)
        _, end = local_day_bounds(until)
        sql = text("""
            WITH daily AS (
                SELECT CASE WHEN created_at < :start THEN ''
                            ELSE date(created_at, 'localtime') END AS day,
                       SUM(CASE WHEN ledger = :points THEN amount ELSE 0 END) AS points,
                       SUM(CASE WHEN ledger = :stored THEN amount ELSE 0 END) AS stored
                FROM ledger_entries WHERE created_at < :end GROUP BY 1)
            SELECT day, SUM(points) OVER (ORDER BY day), SUM(stored) OVER (ORDER BY day)
            FROM daily ORDER BY day""")
        with self.ctx.db.sessions() as session:
            rows = session.execute(sql, {"start": iso_utc(start), "end": iso_utc(end),
                                         "points": POINTS, "stored": STORED_VALUE}).all()
            rate = load_rules(session).redeem_points_per_major
        running = {day: (int(p), int(s)) for day, p, s in rows}
        points = stored = 0
        if "" in running:
            points, stored = running[""]
        series = []
        for offset in range((until - since).days + 1):
            day = since + timedelta(days=offset)
            points, stored = running.get(day.isoformat(), (points, stored))
            series.append(LiabilityPoint(day, points, points * 100 // rate, stored))
        return series

    def tier_distribution(self) -> dict[str, int]:
        """Members per tier (current tier), lowest tier first; erased and merged excluded.

        Every configured tier is listed, with 0 if empty; a code no longer configured comes
        last (members keep it until their next tier review)."""
        with self.ctx.db.sessions() as session:
            counts = dict(session.execute(
                select(Member.tier_code, func.count(Member.id))
                .where(Member.status.not_in(EXCLUDED_STATUSES))
                .group_by(Member.tier_code)).all())
            tiers = load_tiers(session)
        result = {t.code: int(counts.pop(t.code, 0)) for t in tiers}
        result.update({code: int(n) for code, n in sorted(counts.items())})
        return result

    def top_members(self, n: int, since: date, until: date) -> list[TopMember]:
        """The `n` members with the highest net spend in the period (sales minus the refunds
        made in the period), with the points their sales in the period earned."""
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 1000:
            raise InvalidInput("the number of members is 1 to 1000")
        since, until = _check_period(since, until)
        start, _ = local_day_bounds(since)
        _, end = local_day_bounds(until)
        sold = (select(Sale.member_id.label("member_id"), Sale.total.label("spend"),
                       Sale.points_earned.label("points"))
                .where(Sale.member_id.is_not(None), Sale.created_at >= start,
                       Sale.created_at < end))
        refunded = (select(Sale.member_id.label("member_id"), (-Refund.amount).label("spend"),
                           literal(0).label("points"))
                    .join(Sale, Sale.id == Refund.sale_id)
                    .where(Sale.member_id.is_not(None), Refund.created_at >= start,
                           Refund.created_at < end))
        moves = union_all(sold, refunded).subquery()
        spend = func.sum(moves.c.spend).label("spend")
        query = (select(Member.id, Member.name, Member.tier_code, spend,
                        func.sum(moves.c.points))
                 .join(Member, Member.id == moves.c.member_id)
                 .where(Member.status.not_in(EXCLUDED_STATUSES))
                 .group_by(Member.id).order_by(spend.desc(), Member.id).limit(n))
        with self.ctx.db.sessions() as session:
            return [TopMember(MemberRef(mid, name, tier), int(total), int(points))
                    for mid, name, tier, total, points in session.execute(query)]

    # -- overview ----------------------------------------------------------------------------

    def overview(self, since: date, until: date, top: int = 10) -> OverviewData:
        since, until = _check_period(since, until)
        start, _ = local_day_bounds(since)
        _, end = local_day_bounds(until)
        series = self.liability_series(since, until)
        distribution = self.tier_distribution()
        leaders = self.top_members(top, since, until)
        with self.ctx.db.sessions() as session:
            names = {t.code: t.name for t in load_tiers(session)}
            members = session.scalar(select(func.count(Member.id)).where(
                Member.status.not_in(EXCLUDED_STATUSES))) or 0
            count, total = session.execute(select(
                func.count(Sale.id), func.coalesce(func.sum(Sale.total), 0))
                .where(Sale.created_at >= start, Sale.created_at < end)).one()
            refunds = session.scalar(select(func.coalesce(func.sum(Refund.amount), 0))
                                     .where(Refund.created_at >= start,
                                            Refund.created_at < end)) or 0
            store = session.get(Store, self.ctx.store_id)
            symbol = load_rules(session).currency_symbol
        return OverviewData(
            store_name=store.name if store else "", since=since, until=until,
            generated_at=_local(self.ctx.now()), currency_symbol=symbol, members=members,
            liability=series,
            tiers=[(code, names.get(code, code), n) for code, n in distribution.items()],
            top_members=leaders, sales_count=int(count), sales_total=int(total),
            refunds_total=int(refunds))

    def write_overview_pdf(self, path: str | Path, since: date, until: date) -> Path:
        from ..cards import charts
        from ..cards.report_pdf import render_overview_pdf

        data = self.overview(since, until)
        images = [
            charts.liability_chart(data.liability, data.currency_symbol),
            charts.tier_chart([(name, n) for _, name, n in data.tiers]),
            charts.top_members_chart([(t.member.name, t.spend) for t in data.top_members],
                                     data.currency_symbol),
        ]
        return render_overview_pdf(data, images, path)


def _points_detail(row) -> str:  # type: ignore[no-untyped-def]
    """A points credit's validity: its lot's date, except for a copy of points earned at
    other tills (remote_sync), which expire at the till that earned them."""
    if row.ledger != POINTS or row.amount <= 0 or not row.expires_on:
        return ""
    if row.kind == REMOTE_SYNC:
        return "expire at the till that earned them"
    return f"valid to {row.expires_on}"


def _describe(row) -> str:  # type: ignore[no-untyped-def]
    """One statement line's text: what happened and on which receipt."""
    if row.refund_receipt is not None:
        where = receipt_code(row.refund_till, row.refund_receipt)
    elif row.sale_receipt is not None:
        where = receipt_code(row.sale_till, row.sale_receipt)
    else:
        where = ""
    kind = row.kind
    if kind == "referral":  # the receipt is the referred friend's, not this member's
        return "Referral reward"
    if kind in ("refund_clawback", "refund_restore", "refund") and where:
        verb = "Taken back" if kind == "refund_clawback" else "Given back"
        return f"{verb} by refund {where}"
    if kind in ("earn", "redeem", "pay") and where:
        verb = {"earn": "Earned", "redeem": "Redeemed", "pay": "Paid"}[kind]
        return f"{verb} on receipt {where}"
    if kind == "top_up":
        method = (row.reason or "").split(":", 1)[0]
        return f"Top-up ({method})" if method else "Top-up"
    if kind == "adjust":
        return f"Manager adjustment: {row.reason}" if row.reason else "Manager adjustment"
    if kind == "expire":
        return "Points expired"  # the lot's date is in the reason: "expired 2027-03-10"
    return kind_label(row.ledger, kind)
