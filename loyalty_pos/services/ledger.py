"""Appending to the ledgers inside an open transaction.

Every entry gets this till's next gapless sequence number and extends its hash chain; the
member's balance cache and the point lots change in the same transaction. Only this module
writes ledger rows.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..core.chain import entry_hash
from ..core.errors import InsufficientBalance
from ..core.points import Lot, consume_lots
from ..db.models import LedgerEntry, LotAllocation, Member, PointLot, Till

POINTS = "points"
STORED_VALUE = "stored_value"


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

    def _append(self, ledger: str, kind: str, member: Member, amount: int, **extra: object
                ) -> LedgerEntry:
        till = self.till
        fields: dict[str, object] = {
            "id": str(uuid.uuid4()), "store_id": till.store_id, "till_id": till.id,
            "seq": till.last_seq + 1, "created_at": iso_utc(self.now), "ledger": ledger,
            "kind": kind, "member_id": member.uuid, "amount": amount,
            "sale_id": None, "refund_id": None, "staff_id": None, "reason": None,
            "expires_on": None, "ref_entry_id": None,
        }
        fields.update(extra)
        digest = entry_hash(till.last_hash, fields)
        row = LedgerEntry(**{k: v for k, v in fields.items() if k != "member_id"},
                          member_uuid=member.uuid, prev_hash=till.last_hash, hash=digest)
        self.session.add(row)
        till.last_seq += 1
        till.last_hash = digest
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

        Returns the entry and the shortfall that became a points debt (0 unless allow_debt).
        """
        if not allow_debt and points > member.points_balance:
            raise InsufficientBalance(
                f"the member has {max(member.points_balance, 0)} points, not {points}")
        entry = self._append(POINTS, kind, member, -points, **extra)
        self.session.flush()
        lots = self._open_lots(member)
        preferred = [lot for lot in lots if lot.entry_id == prefer_lot]
        others = [lot for lot in lots if lot.entry_id != prefer_lot]
        shortfall = points
        for group in (preferred, others):
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


def _as_lot(lot: PointLot) -> Lot:
    return Lot(lot.entry_id, lot.expires_on, lot.remaining)
