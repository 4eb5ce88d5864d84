"""Chain-wide reports of the head-office database: liability by store and day, redemption and
expiry rates, tier distribution, referral attribution, RFM segments and retention cohorts.

Every report is SQL aggregates (SQLAlchemy Core) that run the same on SQLite and PostgreSQL:
the database sums the ledger, Python only fills in days and scores the rows it gets back,
whose number follows the stores, days or members reported, never the entries. Each function
takes a Session and its parameters (`since` / `until`: first and last day, inclusive, both
optional; `store`: a store code) and returns typed rows (frozen dataclasses).

Days are UTC days: the ledger's `created_at` is ISO text `YYYY-MM-DDTHH:MM:SSZ`, so its first
ten characters are the day on both databases (`iso_day`). Entries of kind `remote_sync` are
left out of every figure: a till writes them to mirror movements at other tills, which head
office already holds from those tills' own ledgers. docs/headoffice-reports.md says what
every figure means.

Read-only. Thread: the caller's; a report over a large chain takes a few seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    Date,
    DateTime,
    case,
    func,
    literal,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement, Subquery
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import String

from ..core.errors import InvalidInput, NotFound
from ..core.kinds import REMOTE_SYNC
from .models import HOLedgerEntry, HOMember, HORefund, HOSale, HOStore, HOTier, HOTill

POINTS = "points"
STORED_VALUE = "stored_value"
ALL_STORES = "ALL"            # the store column of a chain-wide total row
MAX_DAYS = 3660               # longest period a day-by-day report fills in

# metadata of a row field: how CSV and the tables show it
MONEY = {"unit": "money"}     # integer minor units, shown as 12.34
RATE = {"unit": "rate"}       # a share 0..1 (None when the base is 0), shown as 25.0%

ENTRIES = HOLedgerEntry.__table__.alias("e")
MEMBERS = HOMember.__table__
SALES = HOSale.__table__
REFUNDS = HORefund.__table__
TILLS = HOTill.__table__
TIER_TABLE = HOTier.__table__


# -- SQL helpers --------------------------------------------------------------------------------


class _IsoPrefix(FunctionElement[str]):
    """The first `length` characters of an ISO date/time: the day (10) or month (7).

    On text columns (the ledger's created_at) substr() on both databases; on DateTime columns
    SQLite stores ISO text too, PostgreSQL a timestamp: to_char() there."""
    type = String()
    inherit_cache = True
    name = "iso_prefix"

    def __init__(self, column: ColumnElement[object], length: int) -> None:
        self.length = length
        super().__init__(column)


@compiles(_IsoPrefix)
def _iso_prefix_default(element: _IsoPrefix, compiler: SQLCompiler, **kw: Any) -> str:
    (column,) = element.clauses
    return f"substr({compiler.process(column, **kw)}, 1, {int(element.length)})"


@compiles(_IsoPrefix, "postgresql")
def _iso_prefix_postgresql(element: _IsoPrefix, compiler: SQLCompiler, **kw: Any) -> str:
    (column,) = element.clauses
    sql = compiler.process(column, **kw)
    if isinstance(column.type, DateTime | Date):
        pattern = "YYYY-MM-DD" if element.length == 10 else "YYYY-MM"
        return f"to_char({sql}, '{pattern}')"
    return f"substr({sql}, 1, {int(element.length)})"


def iso_day(column: ColumnElement[object]) -> _IsoPrefix:
    """'YYYY-MM-DD' of an ISO text or DateTime column, on SQLite and PostgreSQL."""
    return _IsoPrefix(column, 10)


def iso_month(column: ColumnElement[object]) -> _IsoPrefix:
    """'YYYY-MM' of an ISO text or DateTime column, on SQLite and PostgreSQL."""
    return _IsoPrefix(column, 7)


def in_period(column: ColumnElement[object], since: date | None, until: date | None
              ) -> list[ColumnElement[bool]]:
    """Conditions: `column` lies on a day from `since` to `until` (inclusive, None: open).

    ISO text compares as text ('2026-03-01' <= '2026-03-01T08:00:00Z' < '2026-03-02'); a
    DateTime column compares with midnights."""
    text_column = not isinstance(column.type, DateTime | Date)

    def bound(day: date) -> str | datetime:
        return day.isoformat() if text_column else datetime.combine(day, time())

    conditions = []
    if since is not None:
        conditions.append(column >= bound(since))
    if until is not None:
        conditions.append(column < bound(until + timedelta(days=1)))
    return conditions


def counted_entries(since: date | None = None, until: date | None = None,
                    store_id: int | None = None) -> list[ColumnElement[bool]]:
    """The ledger entries every figure counts: not remote_sync, in the period and store."""
    conditions = [ENTRIES.c.kind != REMOTE_SYNC, *in_period(ENTRIES.c.created_at, since, until)]
    if store_id is not None:
        conditions.append(ENTRIES.c.store_id == store_id)
    return conditions


def store_id_for(session: Session, code: str | None) -> int | None:
    """The head-office id of the store with this code (None: every store)."""
    if code is None:
        return None
    found = session.scalar(select(HOStore.id).where(HOStore.code == code))
    if found is None:
        raise NotFound(f"head office knows no store with the code {code!r}")
    return int(found)


def store_codes(session: Session) -> dict[int, str]:
    return {int(i): str(c) for i, c in session.execute(select(HOStore.id, HOStore.code))}


def check_period(since: date | None, until: date | None) -> None:
    if since is not None and until is not None and until < since:
        raise InvalidInput("the period ends before it starts")


def rate(part: int, whole: int) -> float | None:
    """part / whole, None when there is nothing to divide by."""
    return part / whole if whole else None


def _sum_where(condition: ColumnElement[bool], value: ColumnElement[int]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


# -- liability by store and day -----------------------------------------------------------------


@dataclass(frozen=True)
class LiabilityRow:
    """What a store's members hold at the end of a day: the running sum of every counted
    entry made at the store up to then (a member may spend them at any store)."""
    day: date
    store: str
    points: int
    stored_value: int = field(metadata=MONEY)


def liability(session: Session, since: date | None = None, until: date | None = None,
              store: str | None = None) -> list[LiabilityRow]:
    """Points and stored value outstanding at the end of each day, per store.

    One aggregate over the ledger: entries before `since` collapse into one opening bucket per
    store, the rest are summed per store and day, and a window function runs the cumulative
    sums. Days without movements carry the day before. Without `since` / `until` the period
    runs from the first to the last day with entries."""
    check_period(since, until)
    store_id = store_id_for(session, store)
    since, until = _ledger_span(session, since, until, store_id)
    if since is None or until is None:
        return []
    if (until - since).days >= MAX_DAYS:
        raise InvalidInput(f"a day-by-day report covers at most {MAX_DAYS} days")
    running = _running_balances(session, since, until, store_id)
    codes = store_codes(session)
    rows = []
    for sid in sorted({sid for sid, _ in running}, key=lambda sid: codes.get(sid, "")):
        points = stored = 0
        opening = running.get((sid, ""))
        if opening:
            points, stored = opening
        for offset in range((until - since).days + 1):
            day = since + timedelta(days=offset)
            points, stored = running.get((sid, day.isoformat()), (points, stored))
            rows.append(LiabilityRow(day, codes.get(sid, f"#{sid}"), points, stored))
    rows.sort(key=lambda row: (row.day, row.store))
    return rows


def _ledger_span(session: Session, since: date | None, until: date | None,
                 store_id: int | None) -> tuple[date | None, date | None]:
    """`since` and `until`, the first / last day with counted entries where not given."""
    if since is not None and until is not None:
        return since, until
    first, last = session.execute(
        select(func.min(iso_day(ENTRIES.c.created_at)), func.max(iso_day(ENTRIES.c.created_at)))
        .where(*counted_entries(store_id=store_id))).one()
    if first is None:
        return since, until
    return (since or date.fromisoformat(first), until or date.fromisoformat(last))


def _running_balances(session: Session, since: date, until: date, store_id: int | None
                      ) -> dict[tuple[int, str], tuple[int, int]]:
    """(store id, day or '' for before `since`) -> balances at the end of that day."""
    e = ENTRIES.c
    moves = (select(
        e.store_id.label("store_id"),
        case((e.created_at < since.isoformat(), literal("")),
             else_=iso_day(e.created_at)).label("day"),
        case((e.ledger == POINTS, e.amount), else_=0).label("points"),
        case((e.ledger == STORED_VALUE, e.amount), else_=0).label("stored"))
        .where(*counted_entries(None, until, store_id)).subquery("moves"))
    # grouped in an outer query: PostgreSQL does not match a GROUP BY expression that holds
    # bound parameters with the same expression in the select list
    daily = (select(moves.c.store_id, moves.c.day, func.sum(moves.c.points).label("points"),
                    func.sum(moves.c.stored).label("stored"))
             .group_by(moves.c.store_id, moves.c.day).subquery("daily"))
    window = {"partition_by": daily.c.store_id, "order_by": daily.c.day}
    query = select(daily.c.store_id, daily.c.day,
                   func.sum(daily.c.points).over(**window),
                   func.sum(daily.c.stored).over(**window))
    return {(int(sid), str(day)): (int(points), int(stored))
            for sid, day, points, stored in session.execute(query)}


def chain_liability(rows: Sequence[LiabilityRow]) -> list[LiabilityRow]:
    """The chain-wide total of each day (store ALL) from `liability` rows."""
    totals: dict[date, tuple[int, int]] = {}
    for row in rows:
        points, stored = totals.get(row.day, (0, 0))
        totals[row.day] = (points + row.points, stored + row.stored_value)
    return [LiabilityRow(day, ALL_STORES, p, s) for day, (p, s) in sorted(totals.items())]


# -- redemption and expiry rates ----------------------------------------------------------------


EARN_KINDS = ("earn", "referral")


@dataclass(frozen=True)
class RedemptionRow:
    """Points movements of a store (or the chain, store ALL) in the period, and their rates.

    earned: points given for purchases and referrals; clawed_back: earned points taken back by
    refunds; redeemed: points spent on purchases; restored: redeemed points given back by
    refunds; expired: points that expired. Rates are over net earned points (earned - clawed
    back): redemption_rate = (redeemed - restored) / net earned, expiry_rate = expired / net
    earned."""
    store: str
    earned: int
    clawed_back: int
    redeemed: int
    restored: int
    expired: int
    redemption_rate: float | None = field(metadata=RATE)
    expiry_rate: float | None = field(metadata=RATE)

    @classmethod
    def of(cls, store: str, earned: int, clawed_back: int, redeemed: int, restored: int,
           expired: int) -> RedemptionRow:
        net = earned - clawed_back
        return cls(store, earned, clawed_back, redeemed, restored, expired,
                   rate(redeemed - restored, net), rate(expired, net))


def redemption(session: Session, since: date | None = None, until: date | None = None,
               store: str | None = None) -> list[RedemptionRow]:
    """Redemption and expiry rates per store over the period, then the chain (ALL)."""
    check_period(since, until)
    store_id = store_id_for(session, store)
    e = ENTRIES.c
    kind_in = e.kind.in_
    query = (select(
        e.store_id,
        _sum_where(kind_in(EARN_KINDS), e.amount),
        _sum_where(e.kind == "refund_clawback", -e.amount),
        _sum_where(e.kind == "redeem", -e.amount),
        _sum_where(e.kind == "refund_restore", e.amount),
        _sum_where(e.kind == "expire", -e.amount))
        .where(e.ledger == POINTS, *counted_entries(since, until, store_id))
        .group_by(e.store_id))
    codes = store_codes(session)
    per_store = sorted(
        (codes.get(int(sid), f"#{sid}"), *(int(v) for v in values))
        for sid, *values in session.execute(query))
    rows = [RedemptionRow.of(*figures) for figures in per_store]
    totals = [sum(figures[i] for figures in per_store) for i in range(1, 6)]
    return [*rows, RedemptionRow.of(ALL_STORES, *totals)]


# -- members: tiers, referrals, RFM, cohorts ----------------------------------------------------

EXCLUDED_STATUSES = ("erased", "merged")  # not members any more (a merge moved them)
UNKNOWN_STORE = "?"                       # members whose enrolling till head office lacks


def _members_of_store(store_id: int | None) -> list[ColumnElement[bool]]:
    """Members enrolled at the store (every member when None)."""
    if store_id is None:
        return []
    return [MEMBERS.c.enrolled_till_id.in_(
        select(TILLS.c.id).where(TILLS.c.store_id == store_id))]


@dataclass(frozen=True)
class TierRow:
    """Members of a tier among the members enrolled at a store (or the chain, store ALL),
    erased and merged members left out; share of the store's members."""
    store: str
    tier: str
    tier_name: str
    members: int
    share: float | None = field(metadata=RATE)


def tiers(session: Session, since: date | None = None, until: date | None = None,
          store: str | None = None) -> list[TierRow]:
    """Members per current tier, per enrolment store and then the chain (ALL). Every
    published tier is listed, lowest first, 0 when empty; codes no longer published follow.
    The period does not apply: a tier is a member's state now."""
    check_period(since, until)
    store_id = store_id_for(session, store)
    m = MEMBERS.c
    query = (select(TILLS.c.store_id, m.tier_code, func.count())
             .select_from(MEMBERS.outerjoin(TILLS, TILLS.c.id == m.enrolled_till_id))
             .where(m.status.not_in(EXCLUDED_STATUSES), *_members_of_store(store_id))
             .group_by(TILLS.c.store_id, m.tier_code))
    codes = store_codes(session)
    counts: dict[str, dict[str, int]] = {}
    for sid, tier, n in session.execute(query):
        label = UNKNOWN_STORE if sid is None else codes.get(int(sid), f"#{sid}")
        per_store = counts.setdefault(label, {})
        per_store[tier or ""] = per_store.get(tier or "", 0) + int(n)
    published = list(session.execute(select(TIER_TABLE.c.code, TIER_TABLE.c.name)
                                      .order_by(TIER_TABLE.c.threshold, TIER_TABLE.c.code)))
    chain: dict[str, int] = {}
    for per_store in counts.values():
        for tier, n in per_store.items():
            chain[tier] = chain.get(tier, 0) + n
    rows = [row for label in sorted(counts) for row in _tier_rows(label, counts[label],
                                                                   published)]
    return [*rows, *_tier_rows(ALL_STORES, chain, published)]


def _tier_rows(label: str, counts: dict[str, int], published: Sequence[tuple[str, str]]
               ) -> list[TierRow]:
    names = dict(published)
    order = [code for code, _ in published] + sorted(set(counts) - set(names))
    total = sum(counts.values())
    return [TierRow(label, code, names.get(code, code or "(none)"), counts.get(code, 0),
                    rate(counts.get(code, 0), total)) for code in order]


@dataclass(frozen=True)
class ReferralRow:
    """A member who brought others in: how many members they referred (enrolled in the
    period), how many of those bought, their sales and net spend (sales minus refunds of those
    sales) to the end of the period, and the referral points the ledger gave for them: to the
    referrer and to the referred members themselves."""
    referrer_uuid: str
    referrer_name: str
    referral_code: str
    referred: int
    buyers: int
    sales: int
    net_spend: int = field(metadata=MONEY)
    referrer_points: int = 0
    referred_points: int = 0


def referrals(session: Session, since: date | None = None, until: date | None = None,
              store: str | None = None) -> list[ReferralRow]:
    """Referral attribution per referrer, biggest net spend of the referred first. `store`:
    members referred at that store (enrolled there)."""
    check_period(since, until)
    store_id = store_id_for(session, store)
    pairs = _referral_pairs(since, until, store_id)
    referrer = MEMBERS.alias("referrer")
    spend = func.sum(pairs.c.net_spend)
    query = (select(pairs.c.referrer, func.coalesce(func.max(referrer.c.name), ""),
                    func.coalesce(func.max(referrer.c.referral_code), ""),
                    func.count(), func.sum(case((pairs.c.sales > 0, 1), else_=0)),
                    func.sum(pairs.c.sales), spend, func.sum(pairs.c.referrer_points),
                    func.sum(pairs.c.referred_points))
             .select_from(pairs.outerjoin(referrer, referrer.c.uuid == pairs.c.referrer))
             .group_by(pairs.c.referrer).order_by(spend.desc(), func.count().desc(),
                                                  pairs.c.referrer))
    return [ReferralRow(str(uuid), str(name), str(code), *(int(v) for v in figures))
            for uuid, name, code, *figures in session.execute(query)]


def _referral_pairs(since: date | None, until: date | None, store_id: int | None
                    ) -> Subquery:
    """One row per referred member: referrer, sales, net spend, referral points of both."""
    m = MEMBERS.c
    sales, refunds = _member_sales(None, until), _member_refunds(None, until)
    reason = literal("referral of ") + m.uuid
    rewards = _referral_rewards(until)
    to_referrer = rewards.alias("to_referrer")
    to_referred = rewards.alias("to_referred")
    return (select(
        m.referred_by_uuid.label("referrer"),
        func.coalesce(sales.c.sales, 0).label("sales"),
        (func.coalesce(sales.c.total, 0) - func.coalesce(refunds.c.refunded, 0))
        .label("net_spend"),
        func.coalesce(to_referrer.c.points, 0).label("referrer_points"),
        func.coalesce(to_referred.c.points, 0).label("referred_points"))
        .select_from(
            MEMBERS.outerjoin(sales, sales.c.member_uuid == m.uuid)
            .outerjoin(refunds, refunds.c.member_uuid == m.uuid)
            .outerjoin(to_referrer, (to_referrer.c.member_uuid == m.referred_by_uuid)
                       & (to_referrer.c.reason == reason))
            .outerjoin(to_referred, (to_referred.c.member_uuid == m.uuid)
                       & (to_referred.c.reason == reason)))
        .where(m.referred_by_uuid.is_not(None), *in_period(m.enrolled_at, since, until),
               *_members_of_store(store_id))
        .subquery("pairs"))


def _referral_rewards(until: date | None) -> Subquery:
    """Referral points per (member credited, reason 'referral of <referred uuid>')."""
    e = ENTRIES.c
    return (select(e.member_uuid, e.reason, func.sum(e.amount).label("points"))
            .where(e.kind == "referral", e.ledger == POINTS, *counted_entries(None, until))
            .group_by(e.member_uuid, e.reason).subquery("rewards"))


def _member_sales(since: date | None, until: date | None, store_id: int | None = None
                  ) -> Subquery:
    """Per member: sales, their total and the last sale's time, in the period (and store)."""
    s = SALES.c
    where = [s.member_uuid.is_not(None), *in_period(s.at, since, until)]
    if store_id is not None:
        where.append(s.store_id == store_id)
    return (select(s.member_uuid, func.count().label("sales"), func.sum(s.total).label("total"),
                   func.max(s.at).label("last_at"))
            .where(*where).group_by(s.member_uuid).subquery("member_sales"))


def _member_refunds(since: date | None, until: date | None, store_id: int | None = None
                    ) -> Subquery:
    """Per member: refunds (to the end of the period) of their sales in the period."""
    s, r = SALES.c, REFUNDS.c
    where = [s.member_uuid.is_not(None), *in_period(s.at, since, until),
             *in_period(r.at, None, until)]
    if store_id is not None:
        where.append(s.store_id == store_id)
    return (select(s.member_uuid, func.sum(r.amount).label("refunded"))
            .select_from(REFUNDS.join(SALES, s.sale_id == r.sale_id))
            .where(*where).group_by(s.member_uuid).subquery("member_refunds"))


# RFM segments, the first that matches wins (R, F, M: quintile scores 1-5, 5 best)
SEGMENTS = (
    ("Champions", "bought recently, often and the most (R, F and M 4-5)"),
    ("Loyal", "buy often and not long ago (F 4-5, R 3-5)"),
    ("New", "one purchase, a recent one (1 sale, R 4-5)"),
    ("Promising", "bought recently, not often yet (R 4-5)"),
    ("Need attention", "middling recency, not frequent (R 3, F 1-3)"),
    ("At risk", "used to buy often, not lately (R 1-2, F 3-5)"),
    ("Hibernating", "long ago and seldom (R 1-2, F 1-2)"),
)


def segment(r: int, f: int, m: int, frequency: int) -> str:
    """The RFM segment of scores (r, f, m) and the number of sales (SEGMENTS)."""
    if r >= 4 and f >= 4 and m >= 4:
        return "Champions"
    if f >= 4 and r >= 3:
        return "Loyal"
    if r >= 4:
        return "New" if frequency == 1 else "Promising"
    if r == 3:
        return "Need attention"
    return "At risk" if f >= 3 else "Hibernating"


@dataclass(frozen=True)
class RfmRow:
    """A member's recency (days from the last sale to the end of the period), frequency
    (sales), monetary value (sales minus their refunds), scores 1-5 and segment."""
    member_uuid: str
    name: str
    last_sale: date
    recency_days: int
    frequency: int
    monetary: int = field(metadata=MONEY)
    r: int = 0
    f: int = 0
    m: int = 0
    segment: str = ""


def rfm(session: Session, since: date | None = None, until: date | None = None,
        store: str | None = None) -> list[RfmRow]:
    """RFM scores of every member with a sale in the period (at the store), best first.

    A score is the quintile of the member's value among all scored members: ceil(5 x
    cume_dist()), so equal values get equal scores. Recency counts to `until` (default: the
    day of the last sale)."""
    check_period(since, until)
    store_id = store_id_for(session, store)
    sales = _member_sales(since, until, store_id)
    refunds = _member_refunds(since, until, store_id)
    monetary = sales.c.total - func.coalesce(refunds.c.refunded, 0)
    m = MEMBERS.c
    query = (select(sales.c.member_uuid, func.coalesce(m.name, ""), sales.c.last_at,
                    sales.c.sales, monetary,
                    func.cume_dist().over(order_by=sales.c.last_at),
                    func.cume_dist().over(order_by=sales.c.sales),
                    func.cume_dist().over(order_by=monetary))
             .select_from(sales.outerjoin(refunds, refunds.c.member_uuid == sales.c.member_uuid)
                          .outerjoin(MEMBERS, m.uuid == sales.c.member_uuid))
             .where(func.coalesce(m.status, "").not_in(EXCLUDED_STATUSES)))
    found = session.execute(query).all()
    if not found:
        return []
    reference = until or max(_as_day(row[2]) for row in found)
    rows = [_rfm_row(reference, *row) for row in found]
    rows.sort(key=lambda row: (-(row.r + row.f + row.m), -row.monetary, row.member_uuid))
    return rows


def _rfm_row(reference: date, uuid: str, name: str, last_at: object, frequency: int,
             monetary: int, r_dist: float, f_dist: float, m_dist: float) -> RfmRow:
    last = _as_day(last_at)
    r, f, m = (quintile(d) for d in (r_dist, f_dist, m_dist))
    return RfmRow(str(uuid), str(name), last, (reference - last).days, int(frequency),
                  int(monetary), r, f, m, segment(r, f, m, int(frequency)))


def quintile(cume_dist: float) -> int:
    """1-5 from a cumulative distribution 0 < d <= 1 (the top fifth is 5)."""
    return min(5, max(1, -int(-(float(cume_dist) * 5 - 1e-9) // 1)))


def _as_day(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


@dataclass(frozen=True)
class SegmentRow:
    segment: str
    members: int
    share: float | None = field(metadata=RATE)
    monetary: int = field(default=0, metadata=MONEY)
    description: str = ""


def rfm_segments(rows: Sequence[RfmRow]) -> list[SegmentRow]:
    """Members and net spend per segment, in SEGMENTS order (empty segments included)."""
    total = len(rows)
    result = []
    for name, description in SEGMENTS:
        members = [row for row in rows if row.segment == name]
        result.append(SegmentRow(name, len(members), rate(len(members), total),
                                 sum(row.monetary for row in members), description))
    return result


@dataclass(frozen=True)
class CohortRow:
    """Members enrolled in a month (the cohort, at the store), and how many of them bought
    something `month` months later (0: the enrolment month)."""
    cohort: str
    members: int
    month: int
    active: int
    share: float | None = field(metadata=RATE)


def cohorts(session: Session, since: date | None = None, until: date | None = None,
            store: str | None = None) -> list[CohortRow]:
    """Monthly retention: cohorts of members enrolled in the period, the share with a sale
    (at any store) in each month from their enrolment month to the month of `until` (default:
    the last month with a sale)."""
    check_period(since, until)
    store_id = store_id_for(session, store)
    m, s = MEMBERS.c, SALES.c
    members = (select(m.uuid, iso_month(m.enrolled_at).label("cohort"))
               .where(m.enrolled_at.is_not(None), m.status.not_in(EXCLUDED_STATUSES),
                      *in_period(m.enrolled_at, since, until), *_members_of_store(store_id))
               .subquery("cohort_members"))
    sizes = dict(session.execute(select(members.c.cohort, func.count())
                                 .group_by(members.c.cohort)).all())
    if not sizes:
        return []
    active_months = (select(s.member_uuid, iso_month(s.at).label("month"))
                     .where(s.member_uuid.is_not(None), *in_period(s.at, None, until))
                     .distinct().subquery("active_months"))
    active = {(c, mo): int(n) for c, mo, n in session.execute(
        select(members.c.cohort, active_months.c.month, func.count())
        .join(active_months, active_months.c.member_uuid == members.c.uuid)
        .group_by(members.c.cohort, active_months.c.month))}
    last = until.isoformat()[:7] if until else max([mo for _, mo in active] + list(sizes))
    return [CohortRow(cohort, int(n), k, active.get((cohort, _add_months(cohort, k)), 0),
                      rate(active.get((cohort, _add_months(cohort, k)), 0), int(n)))
            for cohort, n in sorted(sizes.items())
            for k in range(_month_index(last) - _month_index(cohort) + 1)]


def _month_index(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def _add_months(month: str, k: int) -> str:
    year, index = divmod(_month_index(month) + k, 12)
    return f"{year:04d}-{index + 1:02d}"
