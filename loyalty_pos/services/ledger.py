"""Appending to the ledgers inside an open transaction.

Every entry gets this till's next gapless sequence number and extends its hash chain; the
member's balance cache and the point lots change in the same transaction. Only this module
writes ledger rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime

from sqlalchemy import ColumnElement, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from ..core.chain import entry_hash
from ..core.errors import InsufficientBalance, InvalidInput
from ..core.kinds import REMOTE_SYNC
from ..core.points import Lot, consume_lots
from ..db.models import LedgerEntry, LotAllocation, Member, PointLot, Till

POINTS = "points"
STORED_VALUE = "stored_value"
BULK_ROWS = 5000  # rows per multi-row INSERT of open_balances


def iso_utc(moment: datetime) -> str:
    return moment.replace(tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class LedgerWriter:
    """Appends entries for one transaction. Create one per transaction (it holds the chain head)."""

    def __init__(self, session: Session, till_id: int, now: datetime, today: date) -> None:
        """`now` is UTC (timestamps); `today` is the shop's local calendar day (lots)."""
        self.session = session
        self.now = now
        self.today = today
        till = session.get(Till, till_id)
        assert till is not None, "the till row must exist"
        self.till = till

    def _next_entry(self, ledger: str, kind: str, member_uuid: str, amount: int,
                    **extra: object) -> dict[str, object]:
        """The column values of the next entry of this till's chain (advances the chain head)."""
        till = self.till
        fields: dict[str, object] = {
            "id": str(uuid.uuid4()), "store_id": till.store_id, "till_id": till.id,
            "seq": till.last_seq + 1, "created_at": iso_utc(self.now), "ledger": ledger,
            "kind": kind, "member_id": member_uuid, "amount": amount,
            "sale_id": None, "refund_id": None, "staff_id": None, "reason": None,
            "expires_on": None, "ref_entry_id": None,
        }
        fields.update(extra)
        digest = entry_hash(till.last_hash, fields)
        values = {k: v for k, v in fields.items() if k != "member_id"}
        values.update(member_uuid=member_uuid, prev_hash=till.last_hash, hash=digest)
        till.last_seq += 1
        till.last_hash = digest
        return values

    def _append(self, ledger: str, kind: str, member: Member, amount: int, **extra: object
                ) -> LedgerEntry:
        row = LedgerEntry(**self._next_entry(ledger, kind, member.uuid, amount, **extra))
        self.session.add(row)
        return row

    # -- stored value ------------------------------------------------------------------------

    def stored_value(self, kind: str, member: Member, amount: int, **extra: object
                     ) -> LedgerEntry:
        """Credit (+) or debit (-) stored value. It can never go below zero."""
        if member.stored_value_balance + amount < 0:
            raise InsufficientBalance(
                f"stored value balance is {member.stored_value_balance / 100:.2f}; "
                f"cannot take {-amount / 100:.2f}")
        member.stored_value_balance += amount
        return self._append(STORED_VALUE, kind, member, amount, **extra)

    # -- points ------------------------------------------------------------------------------

    def earn(self, kind: str, member: Member, points: int, expires_on: date, **extra: object
             ) -> LedgerEntry:
        """Credit points as a new lot. A points debt (negative balance) is settled from it first."""
        entry = self._append(POINTS, kind, member, points,
                             expires_on=expires_on.isoformat(), **extra)
        self.session.flush()
        lot = PointLot(entry_id=entry.id, member_uuid=member.uuid, earned_on=self.today,
                       expires_on=expires_on, points=points, remaining=points)
        self.session.add(lot)
        if member.points_balance < 0:
            self._settle_debt(member, lot)
        member.points_balance += points
        return entry

    def spend(self, kind: str, member: Member, points: int, *, allow_debt: bool,
              prefer_lot: str | None = None, **extra: object) -> tuple[LedgerEntry, int]:
        """Debit points from lots, soonest expiry first (`prefer_lot` first of all).

        A `remote_sync` debit (a spend or expiry at another till, mirrored here) takes from
        the lots earlier `remote_sync` credits created first, soonest expiry among them, and
        only then from this till's own lots: those copies of other tills' points never expire
        here, so what the other till used up must leave them, not the lots this till expires.
        Returns the entry and the shortfall that became a points debt (0 unless allow_debt).
        """
        if not allow_debt and points > member.points_balance:
            raise InsufficientBalance(
                f"the member has {max(member.points_balance, 0)} points, not {points}")
        entry = self._append(POINTS, kind, member, -points, **extra)
        self.session.flush()
        lots = self._open_lots(member)
        remote = remote_lot_ids(self.session, [lot.entry_id for lot in lots]) if (
            kind == REMOTE_SYNC) else set()
        groups = ([lot for lot in lots if lot.entry_id == prefer_lot],
                  [lot for lot in lots if lot.entry_id != prefer_lot
                   and lot.entry_id in remote],
                  [lot for lot in lots if lot.entry_id != prefer_lot
                   and lot.entry_id not in remote])
        shortfall = points
        for group in groups:
            shortfall = self._take_from_lots(entry, group, shortfall)
        member.points_balance -= points
        return entry, shortfall

    def expire_lot(self, member: Member, lot: PointLot) -> LedgerEntry:
        entry = self._append(POINTS, "expire", member, -lot.remaining,
                             ref_entry_id=lot.entry_id, reason=f"expired {lot.expires_on}")
        self.session.flush()
        self.session.add(LotAllocation(entry_id=entry.id, lot_entry_id=lot.entry_id,
                                       points=lot.remaining))
        member.points_balance -= lot.remaining
        lot.remaining = 0
        return entry

    # -- bulk ------------------------------------------------------------------------------

    def open_balances(self, kind: str, openings: Iterable[tuple[int, str, int, int]],
                      expires_on: date, **extra: object) -> int:
        """Opening balances of members just created (bulk import), given as (member id, member
        uuid, points, stored value): per member a points credit forming a lot that expires on
        `expires_on` and a stored-value credit, and the balance caches, written with one
        multi-row INSERT/UPDATE per table instead of a flush per entry. New members only: they
        have no lots and no debt to settle. Returns the number of entries written."""
        entries: list[dict[str, object]] = []
        lots: list[dict[str, object]] = []
        caches: list[dict[str, object]] = []
        for member_id, member_uuid, points, stored_value in openings:
            if points < 0 or stored_value < 0:
                raise InvalidInput("opening balances cannot be negative")
            if points:
                entry = self._next_entry(POINTS, kind, member_uuid, points,
                                         expires_on=expires_on.isoformat(), **extra)
                entries.append(entry)
                lots.append({"entry_id": entry["id"], "member_uuid": member_uuid,
                             "earned_on": self.today, "expires_on": expires_on,
                             "points": points, "remaining": points})
            if stored_value:
                entries.append(self._next_entry(STORED_VALUE, kind, member_uuid, stored_value,
                                                **extra))
            if points or stored_value:
                caches.append({"b_id": member_id, "b_points": points, "b_stored": stored_value})
        # Core statements on the tables (one executemany each), not the ORM's per-row paths
        self.session.flush()
        members = Member.__table__
        add_to_caches = (update(members).where(members.c.id == bindparam("b_id")).values(
            points_balance=members.c.points_balance + bindparam("b_points"),
            stored_value_balance=members.c.stored_value_balance + bindparam("b_stored")))
        for statement, rows in ((insert(LedgerEntry.__table__), entries),
                                (insert(PointLot.__table__), lots), (add_to_caches, caches)):
            for start in range(0, len(rows), BULK_ROWS):
                self.session.execute(statement, rows[start:start + BULK_ROWS])
        return len(entries)

    def _open_lots(self, member: Member) -> list[PointLot]:
        return list(self.session.scalars(
            select(PointLot).where(PointLot.member_uuid == member.uuid, PointLot.remaining > 0)
            .order_by(PointLot.expires_on, PointLot.entry_id)))

    def _take_from_lots(self, entry: LedgerEntry, lots: list[PointLot], points: int) -> int:
        """Consume lots soonest-expiry first, recording each allocation; return the shortfall."""
        by_id = {lot.entry_id: lot for lot in lots}
        allocations, shortfall = consume_lots([_as_lot(lot) for lot in lots], points)
        for allocation in allocations:
            by_id[allocation.lot_id].remaining -= allocation.points
            self.session.add(LotAllocation(entry_id=entry.id, lot_entry_id=allocation.lot_id,
                                           points=allocation.points))
        return shortfall

    def _settle_debt(self, member: Member, lot: PointLot) -> None:
        """Cover earlier uncovered debits (points debt) from a new lot, oldest debt first."""
        covered = (select(LotAllocation.entry_id,
                          func.coalesce(func.sum(LotAllocation.points), 0).label("covered"))
                   .group_by(LotAllocation.entry_id).subquery())
        debts = self.session.execute(
            select(LedgerEntry.id, -LedgerEntry.amount - func.coalesce(covered.c.covered, 0))
            .outerjoin(covered, covered.c.entry_id == LedgerEntry.id)
            .where(LedgerEntry.member_uuid == member.uuid, LedgerEntry.ledger == POINTS,
                   LedgerEntry.amount < 0,
                   -LedgerEntry.amount > func.coalesce(covered.c.covered, 0))
            .order_by(LedgerEntry.till_id, LedgerEntry.seq)).all()
        for debt_entry_id, uncovered in debts:
            take = min(uncovered, lot.remaining)
            if take <= 0:
                break
            self.session.add(LotAllocation(entry_id=debt_entry_id, lot_entry_id=lot.entry_id,
                                           points=take))
            lot.remaining -= take


def remote_lot_ids(session: Session, lot_ids: list[str]) -> set[str]:
    """Which of these lots were created by `remote_sync` credits (copies of points earned at
    other tills: they never expire at this till)."""
    found: set[str] = set()
    for start in range(0, len(lot_ids), 500):  # bounded IN lists
        found.update(session.scalars(select(LedgerEntry.id).where(
            LedgerEntry.id.in_(lot_ids[start:start + 500]), LedgerEntry.kind == REMOTE_SYNC)))
    return found


def own_lot() -> ColumnElement[bool]:
    """SQL condition on point_lots: the lot is this till's own, not a copy of points earned
    at other tills made by a `remote_sync` credit (a primary-key lookup per lot)."""
    return ~select(LedgerEntry.id).where(LedgerEntry.id == PointLot.entry_id,
                                         LedgerEntry.kind == REMOTE_SYNC).exists()


def _as_lot(lot: PointLot) -> Lot:
    return Lot(lot.entry_id, lot.expires_on, lot.remaining)
