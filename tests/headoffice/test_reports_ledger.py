"""Head-office reports from the ledger: liability by store and day, redemption and expiry
rates. Small hand-made ledgers on SQLite and PostgreSQL; remote_sync entries and entries
outside the period must not count."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pytest
from headoffice_helpers import DemoTill, export, run, till_balances
from sqlalchemy import insert, literal, select

from loyalty_pos.core.errors import InvalidInput, NotFound
from loyalty_pos.headoffice import reports
from loyalty_pos.headoffice.balances import chain_balances
from loyalty_pos.headoffice.db import HeadOfficeDb
from loyalty_pos.headoffice.models import HOLedgerEntry, HOStore, HOTill
from loyalty_pos.headoffice.reports import LiabilityRow, RedemptionRow

NOW = datetime(2026, 3, 10, 12, 0)
D1, D2, D3 = date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3)


@dataclass
class ChainBuilder:
    """Writes stores, tills and ledger entries straight into a head-office database."""
    db: HeadOfficeDb
    stores: dict[str, int] = field(default_factory=dict)
    tills: dict[str, int] = field(default_factory=dict)   # store code -> its one till's id
    seqs: dict[int, itertools.count] = field(default_factory=dict)

    def store(self, code: str) -> int:
        if code not in self.stores:
            with self.db.transaction() as session:
                store = HOStore(code=code, name=f"Store {code}", created_at=NOW)
                session.add(store)
                session.flush()
                till = HOTill(number=len(self.stores) + 11, store_id=store.id,
                              origin_till_id=1, origin_store_id=1, registered_at=NOW)
                session.add(till)
                session.flush()
                self.stores[code], self.tills[code] = store.id, till.id
                self.seqs[till.id] = itertools.count(1)
        return self.stores[code]

    def entry(self, code: str, at: str, ledger: str, kind: str, member: str, amount: int,
              **extra: object) -> None:
        self.store(code)
        till = self.tills[code]
        seq = next(self.seqs[till])
        row = {"till_id": till, "seq": seq, "store_id": self.stores[code],
               "entry_id": str(uuid.uuid4()), "origin_store_id": 1, "origin_till_id": 1,
               "created_at": at, "ledger": ledger, "kind": kind, "member_uuid": member,
               "amount": amount, "prev_hash": "0" * 64, "hash": f"{seq:064d}",
               "received_at": NOW, "source": "file"} | extra
        with self.db.transaction() as session:
            session.execute(insert(HOLedgerEntry), [row])


P, SV = "points", "stored_value"


def small_chain(db: HeadOfficeDb, chain: ChainBuilder | None = None) -> ChainBuilder:
    """Two stores over 28 Feb - 4 Mar 2026 (figures worked out in the tests below)."""
    chain = chain or ChainBuilder(db)
    add = chain.entry
    add("S001", "2026-02-28T10:00:00Z", P, "earn", "m1", 100)
    add("S001", "2026-02-28T10:00:00Z", SV, "top_up", "m1", 5000)
    add("S001", "2026-03-01T00:00:00Z", P, "earn", "m2", 200)
    add("S001", "2026-03-01T09:00:00Z", P, "redeem", "m1", -50)
    add("S001", "2026-03-01T23:59:59Z", SV, "pay", "m1", -1000)
    add("S002", "2026-03-01T11:00:00Z", P, "earn", "m3", 300)
    add("S002", "2026-03-01T11:00:00Z", P, "referral", "m3", 40)
    add("S002", "2026-03-01T12:00:00Z", P, REMOTE, "m1", 999)      # mirrors: never counted
    add("S002", "2026-03-01T12:00:00Z", SV, REMOTE, "m1", -700)
    add("S001", "2026-03-02T08:00:00Z", P, "refund_restore", "m1", 10)
    add("S002", "2026-03-02T10:00:00Z", P, "refund_clawback", "m3", -30)
    add("S002", "2026-03-02T10:30:00Z", P, "redeem", "m3", -62)
    add("S002", "2026-03-02T11:00:00Z", P, "expire", "m3", -31)
    add("S002", "2026-03-02T11:00:00Z", SV, "refund", "m1", 200)
    add("S001", "2026-03-03T23:59:59Z", P, "expire", "m1", -60)
    add("S001", "2026-03-03T07:00:00Z", SV, "top_up", "m2", 300)
    add("S001", "2026-03-04T00:00:00Z", P, "earn", "m2", 1000)     # after the period
    return chain


REMOTE = reports.REMOTE_SYNC


def run_report(db: HeadOfficeDb, report, **kwargs):  # type: ignore[no-untyped-def]
    with db.sessions() as session:
        return report(session, **kwargs)


def test_liability_is_the_running_balance_of_each_store_at_the_end_of_each_day(
        headoffice: HeadOfficeDb) -> None:
    small_chain(headoffice)
    rows = run_report(headoffice, reports.liability, since=D1, until=D3)
    assert rows == [
        LiabilityRow(D1, "S001", 250, 4000), LiabilityRow(D1, "S002", 340, 0),
        LiabilityRow(D2, "S001", 260, 4000), LiabilityRow(D2, "S002", 217, 200),
        LiabilityRow(D3, "S001", 200, 4300), LiabilityRow(D3, "S002", 217, 200),
    ]
    assert reports.chain_liability(rows) == [
        LiabilityRow(D1, "ALL", 590, 4000), LiabilityRow(D2, "ALL", 477, 4200),
        LiabilityRow(D3, "ALL", 417, 4500)]


def test_liability_of_one_store_and_over_every_day_with_entries(
        headoffice: HeadOfficeDb) -> None:
    small_chain(headoffice)
    assert run_report(headoffice, reports.liability, since=D2, until=D2, store="S002") == [
        LiabilityRow(D2, "S002", 217, 200)]
    rows = run_report(headoffice, reports.liability, store="S001")
    assert [(r.day, r.points, r.stored_value) for r in rows] == [
        (date(2026, 2, 28), 100, 5000), (D1, 250, 4000), (D2, 260, 4000), (D3, 200, 4300),
        (date(2026, 3, 4), 1200, 4300)]
    # a period before any entry: nothing outstanding, no store has rows
    assert run_report(headoffice, reports.liability, since=date(2026, 1, 1),
                      until=date(2026, 1, 2)) == []


def test_redemption_and_expiry_rates_per_store_and_for_the_chain(
        headoffice: HeadOfficeDb) -> None:
    small_chain(headoffice)
    rows = run_report(headoffice, reports.redemption, since=D1, until=D3)
    assert rows == [
        RedemptionRow("S001", 200, 0, 50, 10, 60, 40 / 200, 60 / 200),
        RedemptionRow("S002", 340, 30, 62, 0, 31, 62 / 310, 31 / 310),
        RedemptionRow("ALL", 540, 30, 112, 10, 91, 102 / 510, 91 / 510),
    ]
    assert rows[0].redemption_rate == pytest.approx(0.2)
    assert rows[1].expiry_rate == pytest.approx(0.1)
    only = run_report(headoffice, reports.redemption, since=date(2026, 3, 4), store="S001")
    assert only == [RedemptionRow("S001", 1000, 0, 0, 0, 0, 0.0, 0.0),
                    RedemptionRow("ALL", 1000, 0, 0, 0, 0, 0.0, 0.0)]


def test_an_empty_database_and_bad_parameters(headoffice: HeadOfficeDb) -> None:
    assert run_report(headoffice, reports.liability) == []
    assert run_report(headoffice, reports.redemption) == [
        RedemptionRow("ALL", 0, 0, 0, 0, 0, None, None)]
    with pytest.raises(NotFound, match="no store with the code 'S404'"):
        run_report(headoffice, reports.liability, store="S404")
    with pytest.raises(InvalidInput, match="ends before it starts"):
        run_report(headoffice, reports.redemption, since=D2, until=D1)


def test_days_come_from_iso_text_and_timestamps_alike(headoffice: HeadOfficeDb) -> None:
    with headoffice.sessions() as session:
        assert session.scalar(select(reports.iso_day(literal("2026-03-01T23:30:00Z")))) \
            == "2026-03-01"
        session.add(HOStore(code="S009", name="", created_at=datetime(2026, 3, 1, 23, 30)))
        session.flush()
        assert session.execute(select(reports.iso_day(HOStore.created_at),
                                      reports.iso_month(HOStore.created_at))).one() == (
            "2026-03-01", "2026-03")


def test_liability_of_imported_demo_tills_ends_at_what_their_members_hold(
        headoffice: HeadOfficeDb, demo_tills: list[DemoTill], tmp_path: Path) -> None:
    """Three demo tills imported from their ledger files: on the last day each store's
    liability is the sum of its tills' cached member balances."""
    for till in demo_tills:
        run(headoffice, export(till, tmp_path / f"till{till.number}.jsonl.gz"))
    rows = run_report(headoffice, reports.liability)
    last_day = rows[-1].day
    closing = {r.store: (r.points, r.stored_value) for r in rows if r.day == last_day}
    expected: dict[str, list[int]] = {}
    for till in demo_tills:
        held = expected.setdefault(till.store_code, [0, 0])
        for (_, ledger), amount in till_balances(till.path).items():
            held[ledger == SV] += amount
    assert closing == {code: tuple(v) for code, v in expected.items()}
    assert set(closing) == {"S001", "S003"}
    assert len({r.day for r in rows}) == (last_day - rows[0].day).days + 1  # every day
    # and the chain's is what balances.py says every member holds chain-wide
    with headoffice.sessions() as session:
        held = chain_balances(session).values()
    assert reports.chain_liability(rows)[-1] == LiabilityRow(
        last_day, "ALL", sum(b.points for b in held), sum(b.stored_value for b in held))
    chain = run_report(headoffice, reports.redemption)[-1]
    assert chain.store == "ALL" and chain.earned > chain.redeemed > 0
