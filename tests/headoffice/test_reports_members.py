"""Head-office member reports: tier distribution, referral attribution, RFM segments and
monthly retention cohorts. A small hand-made chain on SQLite and PostgreSQL: an erased member,
an anonymous sale, refunds (one after the period) and remote_sync entries that must not
count; every expected figure is worked out in the comments."""

from __future__ import annotations

import itertools
from datetime import date, datetime

import pytest
from sqlalchemy import insert
from test_reports_ledger import NOW, ChainBuilder, run_report

from loyalty_pos.headoffice import reports
from loyalty_pos.headoffice.db import HeadOfficeDb
from loyalty_pos.headoffice.models import HOMember, HORefund, HOSale, HOTier
from loyalty_pos.headoffice.reports import (
    CohortRow,
    ReferralRow,
    RfmRow,
    SegmentRow,
    TierRow,
)

# uuid, name, enrolled, store, tier, status, referred by
MEMBERS = [
    ("a", "Ann", "2026-01-05", "S001", "silver", "active", None),
    ("b", "Bob", "2026-01-20", "S001", "bronze", "active", "a"),
    ("c", "Cai 蔡", "2026-02-03", "S002", "bronze", "active", "a"),
    ("d", "Dee", "2026-02-10", "S002", "gold", "blocked", "b"),
    ("e", "", "2026-02-15", "S001", "bronze", "erased", None),
    ("f", "Fay", "2026-03-01", "S002", "bronze", "active", None),
]
# sale, member, store, at, total
SALES = [
    ("s1", "a", "S001", "2026-01-05 10:00", 10000),
    ("s2", "a", "S001", "2026-02-07 10:00", 5000),
    ("s3", "a", "S002", "2026-03-09 18:00", 2000),
    ("s4", "b", "S001", "2026-01-25 10:00", 3000),
    ("s5", "b", "S001", "2026-03-02 10:00", 4000),
    ("s6", "c", "S002", "2026-02-03 10:00", 8000),
    ("s7", "d", "S002", "2026-02-20 10:00", 6000),
    ("s8", "e", "S001", "2026-02-16 10:00", 9999),   # erased member: left out
    ("s9", None, "S001", "2026-03-01 10:00", 500),   # no member
    ("s10", "f", "S002", "2026-03-05 10:00", 1500),
]
# refund, sale, store, at, amount
REFUNDS = [
    ("r1", "s5", "S001", "2026-03-03 10:00", 1000),
    ("r2", "s6", "S002", "2026-02-04 10:00", 8000),
    ("r3", "s1", "S001", "2026-04-02 10:00", 10000),  # after every period below but one
]
TIERS = [("bronze", "Bronze", 0), ("silver", "Silver", 1000), ("gold", "Gold", 5000),
         ("platinum", "Platinum", 20000)]
UNTIL = date(2026, 3, 10)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def member_chain(db: HeadOfficeDb) -> ChainBuilder:
    chain = ChainBuilder(db)
    for code in ("S001", "S002"):
        chain.store(code)
    receipts = itertools.count(1)
    with db.transaction() as session:
        session.execute(insert(HOTier), [
            {"code": c, "name": n, "threshold": t, "multiplier_percent": 100, "updated_at": NOW}
            for c, n, t in TIERS])
        session.execute(insert(HOMember), [
            {"uuid": u, "name": n, "status": st, "tier_code": tier, "referral_code": u.upper(),
             "referred_by_uuid": by, "enrolled_at": at(day + " 09:00"),
             "enrolled_till_id": chain.tills[store], "updated_at": NOW, "received_at": NOW}
            for u, n, day, store, tier, st, by in MEMBERS])
        session.execute(insert(HOSale), [
            {"sale_id": sid, "till_id": chain.tills[store], "store_id": chain.stores[store],
             "receipt_no": next(receipts), "member_uuid": member, "at": at(when),
             "total": total, "discount": 0, "points_earned": total // 100,
             "points_redeemed": 0} for sid, member, store, when, total in SALES])
        session.execute(insert(HORefund), [
            {"refund_id": rid, "sale_id": sid, "till_id": chain.tills[store],
             "store_id": chain.stores[store], "at": at(when), "amount": amount,
             "points_taken_back": 0, "points_given_back": 0}
            for rid, sid, store, when, amount in REFUNDS])
    # referral rewards on b's and d's first sales (c's was below the minimum), one given late
    chain.entry("S001", "2026-01-25T10:00:00Z", "points", "referral", "b", 50,
                reason="referral of b")
    chain.entry("S001", "2026-01-25T10:00:00Z", "points", "referral", "a", 100,
                reason="referral of b")
    chain.entry("S002", "2026-02-20T10:00:00Z", "points", "referral", "d", 50,
                reason="referral of d")
    chain.entry("S002", "2026-02-20T10:00:00Z", "points", "referral", "b", 100,
                reason="referral of d")
    chain.entry("S002", "2026-04-02T10:00:00Z", "points", "referral", "a", 70,
                reason="referral of c")
    chain.entry("S001", "2026-02-21T10:00:00Z", "points", reports.REMOTE_SYNC, "b", 100,
                reason="referral of d")   # b's till mirroring the reward: never counted
    chain.entry("S001", "2026-01-25T10:00:00Z", "points", "earn", "a", 100,
                reason="referral of b")   # not a referral entry
    return chain


@pytest.fixture
def chain_db(headoffice: HeadOfficeDb) -> HeadOfficeDb:
    member_chain(headoffice)
    return headoffice


def test_tier_distribution_per_enrolment_store_and_for_the_chain(chain_db: HeadOfficeDb
                                                                 ) -> None:
    # S001: a silver, b bronze (e erased); S002: c bronze, d gold (blocked counts), f bronze
    rows = run_report(chain_db, reports.tiers)
    assert rows == [
        TierRow("S001", "bronze", "Bronze", 1, 0.5), TierRow("S001", "silver", "Silver", 1, 0.5),
        TierRow("S001", "gold", "Gold", 0, 0.0), TierRow("S001", "platinum", "Platinum", 0, 0.0),
        TierRow("S002", "bronze", "Bronze", 2, 2 / 3), TierRow("S002", "silver", "Silver", 0, 0.0),
        TierRow("S002", "gold", "Gold", 1, 1 / 3), TierRow("S002", "platinum", "Platinum", 0, 0.0),
        TierRow("ALL", "bronze", "Bronze", 3, 0.6), TierRow("ALL", "silver", "Silver", 1, 0.2),
        TierRow("ALL", "gold", "Gold", 1, 0.2), TierRow("ALL", "platinum", "Platinum", 0, 0.0),
    ]
    only = run_report(chain_db, reports.tiers, store="S002")
    assert [(r.store, r.tier, r.members) for r in only if r.members] == [
        ("S002", "bronze", 2), ("S002", "gold", 1), ("ALL", "bronze", 2), ("ALL", "gold", 1)]


def test_referrals_attribute_members_their_net_spend_and_the_points_rewarded(
        chain_db: HeadOfficeDb) -> None:
    # a brought b (2 sales 7000 - refund 1000) and c (8000 refunded in full): 3 sales, 6000;
    # a got 100 for b (70 for c comes after the period), b got 50 for being referred.
    # b brought d (6000): b got 100, d 50. Equal spend: more members referred first.
    until = date(2026, 3, 31)
    assert run_report(chain_db, reports.referrals, until=until) == [
        ReferralRow("a", "Ann", "A", 2, 2, 3, 6000, 100, 50),
        ReferralRow("b", "Bob", "B", 1, 1, 1, 6000, 100, 50),
    ]
    # without an end, r3 (10000 off a's own sale: not a referred member's) changes nothing
    # but the late reward counts
    assert run_report(chain_db, reports.referrals)[0] == ReferralRow(
        "a", "Ann", "A", 2, 2, 3, 6000, 170, 50)
    # referred from February on: c and d
    assert run_report(chain_db, reports.referrals, since=date(2026, 2, 1), until=until) == [
        ReferralRow("b", "Bob", "B", 1, 1, 1, 6000, 100, 50),
        ReferralRow("a", "Ann", "A", 1, 1, 1, 0, 0, 0),
    ]
    # referred at S001: b only
    assert run_report(chain_db, reports.referrals, store="S001", until=until) == [
        ReferralRow("a", "Ann", "A", 1, 1, 2, 6000, 100, 50)]


def test_rfm_scores_quintiles_and_names_segments(chain_db: HeadOfficeDb) -> None:
    # last sale (R): c 3 Feb < d 20 Feb < b 2 Mar < f 5 Mar < a 9 Mar -> 1..5
    # sales (F): c, d, f 1 (tied: cume_dist 3/5 -> 3), b 2 -> 4, a 3 -> 5
    # net spend (M): c 0 -> 1, f 1500 -> 2, b 6000 and d 6000 (tied, 4/5) -> 4, a 17000 -> 5
    rows = run_report(chain_db, reports.rfm, until=UNTIL)
    assert rows == [
        RfmRow("a", "Ann", date(2026, 3, 9), 1, 3, 17000, 5, 5, 5, "Champions"),
        RfmRow("b", "Bob", date(2026, 3, 2), 8, 2, 6000, 3, 4, 4, "Loyal"),
        RfmRow("d", "Dee", date(2026, 2, 20), 18, 1, 6000, 2, 3, 4, "At risk"),
        RfmRow("f", "Fay", date(2026, 3, 5), 5, 1, 1500, 4, 3, 2, "New"),
        RfmRow("c", "Cai 蔡", date(2026, 2, 3), 35, 1, 0, 1, 3, 1, "At risk"),
    ]
    assert reports.rfm_segments(rows) == [
        SegmentRow("Champions", 1, 0.2, 17000, reports.SEGMENTS[0][1]),
        SegmentRow("Loyal", 1, 0.2, 6000, reports.SEGMENTS[1][1]),
        SegmentRow("New", 1, 0.2, 1500, reports.SEGMENTS[2][1]),
        SegmentRow("Promising", 0, 0.0, 0, reports.SEGMENTS[3][1]),
        SegmentRow("Need attention", 0, 0.0, 0, reports.SEGMENTS[4][1]),
        SegmentRow("At risk", 2, 0.4, 6000, reports.SEGMENTS[5][1]),
        SegmentRow("Hibernating", 0, 0.0, 0, reports.SEGMENTS[6][1]),
    ]


def test_rfm_of_one_store_and_a_shorter_period(chain_db: HeadOfficeDb) -> None:
    # S001 sales only: a s1+s2 (15000, last 7 Feb), b s4+s5 (last 2 Mar); to 2 Mar the
    # refund r1 of 3 Mar is not made yet, so b spent 7000
    rows = run_report(chain_db, reports.rfm, store="S001", until=date(2026, 3, 2))
    assert rows == [
        RfmRow("a", "Ann", date(2026, 2, 7), 23, 2, 15000, 3, 5, 5, "Loyal"),
        RfmRow("b", "Bob", date(2026, 3, 2), 0, 2, 7000, 5, 5, 3, "Loyal"),
    ]
    assert run_report(chain_db, reports.rfm, since=date(2026, 5, 1)) == []


@pytest.mark.parametrize(("r", "f", "m", "sales", "expected"), [
    (5, 5, 4, 9, "Champions"), (4, 4, 3, 5, "Loyal"), (3, 5, 1, 5, "Loyal"),
    (5, 1, 1, 1, "New"), (4, 2, 5, 2, "Promising"), (3, 3, 3, 2, "Need attention"),
    (2, 4, 5, 6, "At risk"), (1, 2, 5, 1, "Hibernating")])
def test_segment_rules(r: int, f: int, m: int, sales: int, expected: str) -> None:
    assert reports.segment(r, f, m, sales) == expected


def test_quintiles() -> None:
    assert [reports.quintile(d) for d in (0.2, 0.25, 0.4, 0.5, 0.6, 0.8, 1.0)] == [
        1, 2, 2, 3, 3, 4, 5]


def test_cohorts_share_of_each_enrolment_month_buying_in_the_months_after(
        chain_db: HeadOfficeDb) -> None:
    # January: a, b (both buy in Jan, a in Feb, both in Mar); February: c, d (buy in Feb
    # only); March: f (buys in Mar). e is erased; the anonymous sale belongs to nobody.
    assert run_report(chain_db, reports.cohorts, until=date(2026, 3, 31)) == [
        CohortRow("2026-01", 2, 0, 2, 1.0), CohortRow("2026-01", 2, 1, 1, 0.5),
        CohortRow("2026-01", 2, 2, 2, 1.0),
        CohortRow("2026-02", 2, 0, 2, 1.0), CohortRow("2026-02", 2, 1, 0, 0.0),
        CohortRow("2026-03", 1, 0, 1, 1.0),
    ]
    # S002's members, to the end of the data (a's refund in April is no sale)
    assert run_report(chain_db, reports.cohorts, store="S002") == [
        CohortRow("2026-02", 2, 0, 2, 1.0), CohortRow("2026-02", 2, 1, 0, 0.0),
        CohortRow("2026-03", 1, 0, 1, 1.0),
    ]
    # enrolled in February, followed to April
    assert [(r.cohort, r.month, r.active) for r in run_report(
        chain_db, reports.cohorts, since=date(2026, 2, 1), until=date(2026, 4, 30))] == [
        ("2026-02", 0, 2), ("2026-02", 1, 0), ("2026-02", 2, 0),
        ("2026-03", 0, 1), ("2026-03", 1, 0)]


def test_member_reports_of_an_empty_database(headoffice: HeadOfficeDb) -> None:
    assert run_report(headoffice, reports.tiers) == []
    assert run_report(headoffice, reports.referrals) == []
    assert run_report(headoffice, reports.rfm) == []
    assert run_report(headoffice, reports.cohorts) == []
