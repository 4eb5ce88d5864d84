"""Member administration: history, merging duplicate records, data export and privacy erasure.

Every writing operation is one transaction: it checks everything first, writes, records an audit
entry and an outbox message for head office, and on any error writes nothing.

Merge (two records that are one person). Balances move by new ledger entries; nothing is
rewritten:
- each open points lot of the merged member moves as a pair: `merge_out` on the merged member
  consuming exactly that lot, `merge_in` on the kept member creating a lot with the same expiry
  date (the new lot's `earned_on` is the merge day, as for every lot the ledger writer creates;
  the entry's reason names the original earning day);
- a points debt (negative balance) moves too: a `merge_out` credit of the debt on the merged
  member, which its own uncovered debits consume at once (so its balance becomes 0 and no lot stays
  open), and a `merge_in` debit of the same amount on the kept member, taken from the kept
  member's lots soonest-expiry first; what they cannot cover becomes the kept member's debt,
  settled by later earnings like any other debt. `verify` holds throughout;
- stored value moves as a `merge_out` debit and a `merge_in` credit. The kept member's stored
  value may end above `stored_value_max_balance`: moving an existing liability is not a top-up.
The merged member's active cards are blocked ("merged into member N"); the kept member keeps
theirs. The merged record stays (status 'merged', `merged_into_id` set) with its consents, sales
and ledger rows; `history()` and `export()` of the kept member include the merged records.

Erasure (privacy request): personal data is anonymised in place (the ledgers must still balance,
so rows are not deleted; the balances stay, and stored value still owed is recorded in the audit
entry for the shop to settle), and the old name, phone and email - the current ones and earlier
ones found in the member's outbox messages - are removed from every place this till's database
file holds them: the members row and its indexes, the FTS5 name index (the update trigger deletes
the old tokens; 'optimize' merges the segments so no old segment keeps them), outbox payloads (the
outbox is not append-only: payloads holding the old values are rewritten to the anonymised ones
and marked `"erased": true`), free text in refund reasons, card block reasons and audit entries,
freed pages (`PRAGMA secure_delete=ON` on the erasing connection zeroes freed content) and the WAL
(checkpointed with TRUNCATE after the commit). A name is rewritten only in rows about the member
(a short name is part of much unrelated text); a phone or email wherever it occurs.
The audit log is append-only; erasure is the one exception: inside the erasing transaction the
`audit_log_no_update` trigger is dropped, the entries that hold the old values are rewritten, and
the trigger is created again from its saved SQL (DDL is transactional in SQLite, so no other
transaction ever sees the log unguarded).
Ledger entries are hash-chained and are never changed: a name typed into a ledger reason stays
(reported in `ErasureReport.residue`). After the commit the database files are scanned for the old
values; if any is still found (freed space kept by a SQLite built without secure delete), the
database is VACUUMed and scanned again.

Threads: every method opens its own Session; run them on the database worker thread. `erase`
may VACUUM a large database: seconds, on the worker thread, never on the GUI thread.
"""

from __future__ import annotations

import json
import mmap
import sqlite3
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Text, and_, cast, false, func, or_, select, text
from sqlalchemy.orm import Session

from ..core.errors import Conflict, IntegrityViolation, InvalidInput, NotFound
from ..core.receipts import receipt_code
from ..db.models import (
    AgreementVersion,
    AuditEntry,
    Card,
    Consent,
    LedgerEntry,
    Member,
    OutboxMessage,
    PointLot,
    Refund,
    RefundLine,
    Sale,
    Staff,
    TierChange,
    TierDef,
    Till,
)
from . import audit
from .context import TillContext
from .ledger import POINTS, STORED_VALUE, LedgerWriter
from .lookup import dbapi
from .members import MemberService, member_payload
from .staff import require_manager
from .views import MemberDetails

ERASED_NAME = "Erased member {id}"
MIN_NEEDLE_BYTES = 5  # shorter text turns up by chance in any binary file: not looked for
CHECKPOINT_ATTEMPTS = 20
CHECKPOINT_PAUSE = 0.05  # seconds between checkpoint attempts while a reader holds the WAL


# -- plain data returned -------------------------------------------------------------------


@dataclass(frozen=True)
class SaleRecord:
    sale_id: str
    receipt_code: str
    member_id: int          # the record the sale was made under (a merged record's id too)
    at: datetime            # UTC, naive
    total: int
    points_earned: int
    points_redeemed: int


@dataclass(frozen=True)
class RefundRecord:
    refund_id: str
    receipt_code: str
    sale_receipt_code: str
    member_id: int
    at: datetime            # UTC, naive
    amount: int
    points_taken_back: int
    points_given_back: int
    stored_value_given_back: int
    reason: str


@dataclass(frozen=True)
class LotRecord:
    earned_on: date
    expires_on: date
    points: int
    remaining: int


@dataclass(frozen=True)
class PointsEntryRecord:
    entry_id: str
    at: datetime            # UTC, naive
    kind: str
    amount: int
    balance: int            # running balance after this entry
    reason: str | None
    sale_id: str | None
    lot: LotRecord | None   # the lot a credit created


@dataclass(frozen=True)
class StoredValueEntryRecord:
    entry_id: str
    at: datetime            # UTC, naive
    kind: str
    amount: int
    balance: int            # running balance after this entry
    reason: str | None
    sale_id: str | None


@dataclass(frozen=True)
class TierRecord:
    at: datetime
    from_tier: str | None
    to_tier: str
    spend: int
    reason: str


@dataclass(frozen=True)
class ConsentRecord:
    member_id: int
    kind: str
    action: str
    version: str | None     # the agreement version accepted (None for marketing, withdrawals)
    at: datetime
    till: str
    staff_name: str


@dataclass(frozen=True)
class CardRecord:
    member_id: int
    number: str
    status: str
    issued_at: datetime
    blocked_at: datetime | None
    block_reason: str | None


@dataclass(frozen=True)
class MemberHistory:
    """A member's history. Sales, refunds, consents and cards include the records merged into
    this member (each row names its `member_id`); the ledgers are this member's own, with
    running balances (merged balances arrived as `merge_in` entries)."""
    member_id: int
    name: str
    status: str
    merged_member_ids: tuple[int, ...]
    sales: list[SaleRecord] = field(default_factory=list)
    refunds: list[RefundRecord] = field(default_factory=list)
    points: list[PointsEntryRecord] = field(default_factory=list)
    stored_value: list[StoredValueEntryRecord] = field(default_factory=list)
    tiers: list[TierRecord] = field(default_factory=list)
    consents: list[ConsentRecord] = field(default_factory=list)
    cards: list[CardRecord] = field(default_factory=list)


@dataclass(frozen=True)
class ErasureReport:
    member_ids: tuple[int, ...]      # the member and the records merged into it
    cards_blocked: tuple[str, ...]
    outbox_rewritten: int
    audit_rewritten: int
    refunds_rewritten: int
    wal_truncated: bool
    vacuumed: bool
    # which of "name", "phone", "email" are still found in the database files after everything
    # (only when the text lives on in a row erasure may not change, e.g. a hash-chained
    # ledger reason, or another member's name contains it)
    residue: tuple[str, ...] = ()


# -- helpers ---------------------------------------------------------------------------------


def _require_reason(reason: object, what: str) -> str:
    cleaned = " ".join(reason.split()) if isinstance(reason, str) else ""
    if len(cleaned) < 3:
        raise InvalidInput(f"{what} needs a reason")
    return cleaned[:200]


def _require_id(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{what} must be a member number, not {value!r}")
    return value


def _get_member(session: Session, member_id: int) -> Member:
    member = session.get(Member, member_id)
    if member is None:
        raise NotFound(f"member {member_id} does not exist")
    return member


def merged_member_ids(session: Session, member_id: int) -> list[int]:
    """Every record merged into this member, directly or through a chain of merges."""
    found: list[int] = []
    frontier = [member_id]
    while frontier:
        rows = list(session.scalars(select(Member.id).where(
            Member.merged_into_id.in_(frontier)).order_by(Member.id)))
        frontier = [r for r in rows if r not in found and r != member_id]
        found += frontier
    return found


def surviving_member(session: Session, member: Member) -> Member:
    """The record a merged member's activity belongs to now (follows merged_into_id)."""
    seen = {member.id}
    while member.status == "merged" and member.merged_into_id is not None:
        nxt = session.get(Member, member.merged_into_id)
        if nxt is None or nxt.id in seen:
            break
        seen.add(nxt.id)
        member = nxt
    return member


def _parse_utc(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ")


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


class _Tills(dict[int, tuple[int, str]]):
    """Till id -> (number, name); a till this database does not know shows its id."""

    def __missing__(self, till_id: int) -> tuple[int, str]:
        return (till_id, f"till {till_id}")


def _till_labels(session: Session) -> dict[int, tuple[int, str]]:
    return _Tills({t.id: (t.number, t.name) for t in session.scalars(select(Till))})


def _staff_names(session: Session) -> dict[int, str]:
    return {s.id: s.name for s in session.scalars(select(Staff))}


def _scrub(value: Any, replacements: list[tuple[str, str]]) -> Any:
    """`value` with every occurrence of the old strings replaced (recursively in JSON data)."""
    if isinstance(value, str):
        for old, new in replacements:
            value = value.replace(old, new)
        return value
    if isinstance(value, list):
        return [_scrub(v, replacements) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, replacements) for k, v in value.items()}
    return value


def _json_forms(needle: str) -> list[str]:
    """The text as it may be stored: raw UTF-8 and inside JSON (ASCII-escaped or not)."""
    forms = {needle, json.dumps(needle)[1:-1], json.dumps(needle, ensure_ascii=False)[1:-1]}
    return sorted(forms)


# -- the service -----------------------------------------------------------------------------


class MemberAdminService:
    def __init__(self, ctx: TillContext) -> None:
        self.ctx = ctx

    # -- history -----------------------------------------------------------------------------

    def history(self, member_id: int) -> MemberHistory:
        _require_id(member_id, "member")
        with self.ctx.db.sessions() as session:
            member = _get_member(session, member_id)
            merged = merged_member_ids(session, member.id)
            ids = [member.id, *merged]
            tills = _till_labels(session)
            staff = _staff_names(session)
            return MemberHistory(
                member_id=member.id, name=member.name, status=member.status,
                merged_member_ids=tuple(merged),
                sales=self._sales(session, ids, tills),
                refunds=self._refunds(session, ids, tills),
                points=self._points(session, member),
                stored_value=self._stored_value(session, member),
                tiers=[TierRecord(t.at, t.from_tier, t.to_tier, t.spend, t.reason)
                       for t in session.scalars(select(TierChange).where(
                           TierChange.member_id == member.id).order_by(TierChange.id))],
                consents=self._consents(session, ids, tills, staff),
                cards=[CardRecord(c.member_id, c.number, c.status, c.issued_at, c.blocked_at,
                                  c.block_reason)
                       for c in session.scalars(select(Card).where(Card.member_id.in_(ids))
                                                .order_by(Card.issued_at, Card.id))])

    def _sales(self, session: Session, ids: list[int], tills: dict[int, tuple[int, str]]
               ) -> list[SaleRecord]:
        rows = session.execute(
            select(Sale.id, Sale.till_id, Sale.receipt_no, Sale.member_id, Sale.created_at,
                   Sale.total, Sale.points_earned, Sale.points_redeemed)
            .where(Sale.member_id.in_(ids)).order_by(Sale.created_at, Sale.receipt_no)).all()
        return [SaleRecord(sid, receipt_code(tills[till_id][0], no), mid, at, total, earned,
                           redeemed)
                for sid, till_id, no, mid, at, total, earned, redeemed in rows]

    def _refunds(self, session: Session, ids: list[int], tills: dict[int, tuple[int, str]]
                 ) -> list[RefundRecord]:
        rows = session.execute(
            select(Refund, Sale.till_id, Sale.receipt_no, Sale.member_id)
            .join(Sale, Sale.id == Refund.sale_id).where(Sale.member_id.in_(ids))
            .order_by(Refund.created_at, Refund.receipt_no)).all()
        return [RefundRecord(r.id, receipt_code(tills[r.till_id][0], r.receipt_no),
                             receipt_code(tills[sale_till][0], sale_no), mid, r.created_at,
                             r.amount, r.points_taken_back, r.points_given_back,
                             r.stored_value_given_back, r.reason)
                for r, sale_till, sale_no, mid in rows]

    def _ledger_rows(self, session: Session, member: Member, ledger: str) -> list[LedgerEntry]:
        return list(session.scalars(
            select(LedgerEntry).where(LedgerEntry.member_uuid == member.uuid,
                                      LedgerEntry.ledger == ledger)
            .order_by(LedgerEntry.created_at, LedgerEntry.till_id, LedgerEntry.seq)))

    def _points(self, session: Session, member: Member) -> list[PointsEntryRecord]:
        lots = {lot.entry_id: LotRecord(lot.earned_on, lot.expires_on, lot.points, lot.remaining)
                for lot in session.scalars(select(PointLot).where(
                    PointLot.member_uuid == member.uuid))}
        balance = 0
        records = []
        for entry in self._ledger_rows(session, member, POINTS):
            balance += entry.amount
            records.append(PointsEntryRecord(entry.id, _parse_utc(entry.created_at), entry.kind,
                                             entry.amount, balance, entry.reason, entry.sale_id,
                                             lots.get(entry.id)))
        return records

    def _stored_value(self, session: Session, member: Member) -> list[StoredValueEntryRecord]:
        balance = 0
        records = []
        for entry in self._ledger_rows(session, member, STORED_VALUE):
            balance += entry.amount
            records.append(StoredValueEntryRecord(entry.id, _parse_utc(entry.created_at),
                                                  entry.kind, entry.amount, balance,
                                                  entry.reason, entry.sale_id))
        return records

    def _consents(self, session: Session, ids: list[int], tills: dict[int, tuple[int, str]],
                  staff: dict[int, str]) -> list[ConsentRecord]:
        rows = session.execute(
            select(Consent, AgreementVersion.version)
            .outerjoin(AgreementVersion, AgreementVersion.id == Consent.agreement_version_id)
            .where(Consent.member_id.in_(ids)).order_by(Consent.at, Consent.id)).all()
        return [ConsentRecord(c.member_id, c.kind, c.action, version, c.at,
                              f"{tills[c.till_id][1]} ({tills[c.till_id][0]})",
                              staff.get(c.staff_id, f"staff {c.staff_id}"))
                for c, version in rows]

    # -- merge -------------------------------------------------------------------------------

    def merge(self, keep_id: int, merge_id: int, manager_id: int, reason: str
              ) -> MemberDetails:
        """Merge `merge_id` into `keep_id` (two records of one person). See the module doc."""
        _require_id(keep_id, "the member to keep")
        _require_id(merge_id, "the member to merge")
        if keep_id == merge_id:
            raise InvalidInput("a member cannot be merged into itself: choose two records")
        reason = _require_reason(reason, "a merge")
        now, today = self.ctx.now(), self.ctx.today()
        with self.ctx.db.transaction() as session:
            require_manager(session, manager_id)
            keep = _get_member(session, keep_id)
            merged = _get_member(session, merge_id)
            for member in (keep, merged):
                if member.status in ("merged", "erased"):
                    where = (f" into member {member.merged_into_id}"
                             if member.status == "merged" else "")
                    raise Conflict(f"member {member.id} was already {member.status}{where}: "
                                   "it cannot take part in a merge")
            writer = LedgerWriter(session, self.ctx.till_id, now, today)
            common = {"staff_id": manager_id}
            debt = self._move_points_debt(session, writer, keep, merged, common)
            points = self._move_lots(session, writer, keep, merged, common)
            stored_value = merged.stored_value_balance
            if stored_value:
                out = writer.stored_value("merge_out", merged, -stored_value, **common,
                                          reason=f"merged into member {keep.id}")
                writer.stored_value("merge_in", keep, stored_value, **common,
                                    ref_entry_id=out.id, reason=f"merged from member {merged.id}")
            blocked = []
            for card in session.scalars(select(Card).where(Card.member_id == merged.id,
                                                           Card.status == "active")):
                card.status, card.blocked_at = "blocked", now
                card.block_reason = f"merged into member {keep.id}"
                blocked.append(card.number)
            merged.status, merged.merged_into_id, merged.updated_at = "merged", keep.id, now
            firsts = [d for d in (keep.first_purchase_at, merged.first_purchase_at) if d]
            keep.first_purchase_at = min(firsts) if firsts else None
            keep.updated_at = now
            audit.record(session, at=now, staff_id=manager_id, till_id=self.ctx.till_id,
                         action="member_merged", target=f"member:{merged.id}", kept=keep.id,
                         merged=merged.id, reason=reason, points_moved=points,
                         points_debt_moved=debt, stored_value_moved=stored_value,
                         cards_blocked=blocked)
            session.add(OutboxMessage(
                topic="member", ref=merged.uuid, created_at=now,
                payload=member_payload(merged) | {"merged_into": keep.uuid,
                                                  "blocked_cards": blocked}))
            for number in blocked:
                session.add(OutboxMessage(topic="card", ref=number, created_at=now, payload={
                    "member": merged.uuid, "blocked": number, "issued": None,
                    "reason": f"merged into member {keep.id}"}))
        return MemberService(self.ctx).details(keep_id)

    def _move_points_debt(self, session: Session, writer: LedgerWriter, keep: Member,
                          merged: Member, common: dict[str, object]) -> int:
        """Move the merged member's points debt (uncovered debits) to the kept member."""
        open_points = session.scalar(select(func.coalesce(func.sum(PointLot.remaining), 0))
                                     .where(PointLot.member_uuid == merged.uuid,
                                            PointLot.remaining > 0)) or 0
        debt = int(open_points) - merged.points_balance  # balance = open lots - debt
        if debt <= 0:
            return 0
        if merged.points_balance >= 0:  # debt beside open lots: earn() never leaves that
            raise IntegrityViolation(f"member {merged.id} has open points lots and a points "
                                     "debt at once; run verify before merging")
        # a credit the member's own uncovered debits consume at once (the writer settles debt
        # from every new lot first): no lot stays open, the balance becomes 0
        credit = writer.earn("merge_out", merged, debt, writer.today, **common,
                             reason=f"points debt moved to member {keep.id}")
        writer.spend("merge_in", keep, debt, allow_debt=True, **common, ref_entry_id=credit.id,
                     reason=f"points debt of member {merged.id}")
        return debt

    def _move_lots(self, session: Session, writer: LedgerWriter, keep: Member, merged: Member,
                   common: dict[str, object]) -> int:
        """Each open lot moves as a pair of entries; the new lot keeps the expiry date."""
        lots = list(session.scalars(
            select(PointLot).where(PointLot.member_uuid == merged.uuid, PointLot.remaining > 0)
            .order_by(PointLot.expires_on, PointLot.entry_id)))
        moved = 0
        for lot in lots:
            points, expires_on, earned_on = lot.remaining, lot.expires_on, lot.earned_on
            out, shortfall = writer.spend(
                "merge_out", merged, points, allow_debt=False, prefer_lot=lot.entry_id,
                ref_entry_id=lot.entry_id, **common, reason=f"merged into member {keep.id}")
            assert shortfall == 0 and lot.remaining == 0
            writer.earn("merge_in", keep, points, expires_on, ref_entry_id=out.id, **common,
                        reason=f"merged from member {merged.id} (earned {earned_on})")
            moved += points
        return moved

    # -- export ------------------------------------------------------------------------------

    def export(self, member_id: int) -> dict[str, Any]:
        """Everything this till holds about the member (and the records merged into it),
        as JSON-serialisable data: dates as ISO strings, money in minor units."""
        _require_id(member_id, "member")
        with self.ctx.db.sessions() as session:
            member = _get_member(session, member_id)
            merged = [_get_member(session, i) for i in merged_member_ids(session, member.id)]
            members = [member, *merged]
            ids = [m.id for m in members]
            uuids = {m.uuid: m.id for m in members}
            tills = _till_labels(session)
            staff = _staff_names(session)
            tiers = {t.code: t.name for t in session.scalars(select(TierDef))}
            sales = list(session.scalars(select(Sale).where(Sale.member_id.in_(ids))
                                         .order_by(Sale.created_at, Sale.receipt_no)))
            sale_ids = [s.id for s in sales]
            return {
                "format": "loyalty-pos member export",
                "version": 1,
                "exported_at": _iso(self.ctx.now()),
                "till": {"number": self.ctx.till_number, "name": tills[self.ctx.till_id][1]},
                "member": self._profile(member, tiers, tills),
                "merged_records": [self._profile(m, tiers, tills) for m in merged],
                "cards": self._export_cards(session, ids),
                "consents": self._export_consents(session, ids, tills, staff),
                "sales": [self._export_sale(s, tills, staff) for s in sales],
                "refunds": self._export_refunds(session, sale_ids, tills, staff),
                "ledger_entries": self._export_ledger(session, uuids, tills),
                "lots": [{"member_id": uuids[lot.member_uuid], "entry_id": lot.entry_id,
                          "earned_on": _iso(lot.earned_on), "expires_on": _iso(lot.expires_on),
                          "points": lot.points, "remaining": lot.remaining}
                         for lot in session.scalars(select(PointLot).where(
                             PointLot.member_uuid.in_(list(uuids)))
                             .order_by(PointLot.earned_on, PointLot.entry_id))],
                "tier_history": [{"member_id": t.member_id, "at": _iso(t.at),
                                  "from": t.from_tier, "to": t.to_tier, "spend": t.spend,
                                  "reason": t.reason}
                                 for t in session.scalars(select(TierChange).where(
                                     TierChange.member_id.in_(ids)).order_by(TierChange.id))],
                "audit": self._export_audit(session, ids, sale_ids, staff),
                "outbox": [{"topic": o.topic, "ref": o.ref, "payload": o.payload,
                            "created_at": _iso(o.created_at), "sent_at": _iso(o.acked_at)}
                           for o in session.scalars(select(OutboxMessage).where(
                               OutboxMessage.ref.in_(list(uuids))).order_by(OutboxMessage.id))],
            }

    def _profile(self, m: Member, tiers: dict[str, str], tills: dict[int, tuple[int, str]]
                 ) -> dict[str, Any]:
        return {
            "id": m.id, "uuid": m.uuid, "name": m.name, "phone": m.phone, "email": m.email,
            "birthday": _iso(m.birthday), "notes": m.notes, "status": m.status,
            "tier": m.tier_code, "tier_name": tiers.get(m.tier_code, m.tier_code),
            "referral_code": m.referral_code, "referred_by_id": m.referred_by_id,
            "points_balance": m.points_balance, "stored_value_balance": m.stored_value_balance,
            "enrolled_at": _iso(m.enrolled_at),
            "enrolled_till": tills[m.enrolled_till_id][0] if m.enrolled_till_id in tills else None,
            "first_purchase_at": _iso(m.first_purchase_at), "updated_at": _iso(m.updated_at),
            "merged_into_id": m.merged_into_id, "erased_at": _iso(m.erased_at)}

    def _export_cards(self, session: Session, ids: list[int]) -> list[dict[str, Any]]:
        return [{"member_id": c.member_id, "number": c.number, "status": c.status,
                 "issued_at": _iso(c.issued_at), "blocked_at": _iso(c.blocked_at),
                 "block_reason": c.block_reason}
                for c in session.scalars(select(Card).where(Card.member_id.in_(ids))
                                         .order_by(Card.issued_at, Card.id))]

    def _export_consents(self, session: Session, ids: list[int],
                         tills: dict[int, tuple[int, str]], staff: dict[int, str]
                         ) -> list[dict[str, Any]]:
        rows = session.execute(
            select(Consent, AgreementVersion)
            .outerjoin(AgreementVersion, AgreementVersion.id == Consent.agreement_version_id)
            .where(Consent.member_id.in_(ids)).order_by(Consent.at, Consent.id)).all()
        return [{"member_id": c.member_id, "kind": c.kind, "action": c.action,
                 "agreement_version": v.version if v else None,
                 "agreement_published_at": _iso(v.published_at) if v else None,
                 "text_sha256": c.text_sha256, "at": _iso(c.at), "till": tills[c.till_id][0],
                 "staff": staff.get(c.staff_id)}
                for c, v in rows]

    def _export_sale(self, s: Sale, tills: dict[int, tuple[int, str]], staff: dict[int, str]
                     ) -> dict[str, Any]:
        return {
            "sale_id": s.id, "receipt_code": receipt_code(tills[s.till_id][0], s.receipt_no),
            "member_id": s.member_id, "at": _iso(s.created_at), "cashier": staff.get(s.staff_id),
            "subtotal": s.subtotal, "discount_total": s.discount_total, "total": s.total,
            "points_earned": s.points_earned, "points_redeemed": s.points_redeemed,
            "points_value": s.points_value,
            "lines": [{"line_no": line.line_no, "sku": line.sku, "name": line.name,
                       "category": line.category, "unit_price": line.unit_price,
                       "quantity": line.quantity, "discount": line.discount, "net": line.net}
                      for line in s.lines],
            "payments": [{"method": p.method, "amount": p.amount, "reference": p.reference}
                         for p in s.payments]}

    def _export_refunds(self, session: Session, sale_ids: list[str],
                        tills: dict[int, tuple[int, str]], staff: dict[int, str]
                        ) -> list[dict[str, Any]]:
        refunds = list(session.scalars(select(Refund).where(Refund.sale_id.in_(sale_ids))
                                       .order_by(Refund.created_at, Refund.receipt_no)))
        lines: dict[str, list[dict[str, Any]]] = {}
        for refund_id, sale_line_id, qty, amount in session.execute(
                select(RefundLine.refund_id, RefundLine.sale_line_id, RefundLine.quantity,
                       RefundLine.amount)
                .where(RefundLine.refund_id.in_([r.id for r in refunds]))
                .order_by(RefundLine.id)):
            lines.setdefault(refund_id, []).append(
                {"sale_line_id": sale_line_id, "quantity": qty, "amount": amount})
        return [{"refund_id": r.id, "receipt_code": receipt_code(tills[r.till_id][0],
                                                                 r.receipt_no),
                 "sale_id": r.sale_id, "at": _iso(r.created_at), "staff": staff.get(r.staff_id),
                 "amount": r.amount, "points_taken_back": r.points_taken_back,
                 "points_shortfall": r.points_shortfall,
                 "points_given_back": r.points_given_back,
                 "stored_value_given_back": r.stored_value_given_back,
                 "card_back": r.card_back, "cash_back": r.cash_back, "reason": r.reason,
                 "lines": lines.get(r.id, [])}
                for r in refunds]

    def _export_ledger(self, session: Session, uuids: dict[str, int],
                       tills: dict[int, tuple[int, str]]) -> list[dict[str, Any]]:
        balances: dict[tuple[str, str], int] = {}
        rows = []
        for e in session.scalars(select(LedgerEntry).where(
                LedgerEntry.member_uuid.in_(list(uuids)))
                .order_by(LedgerEntry.created_at, LedgerEntry.till_id, LedgerEntry.seq)):
            key = (e.member_uuid, e.ledger)
            balances[key] = balances.get(key, 0) + e.amount
            rows.append({"member_id": uuids[e.member_uuid], "entry_id": e.id,
                         "till": tills[e.till_id][0],
                         "seq": e.seq, "at": e.created_at, "ledger": e.ledger, "kind": e.kind,
                         "amount": e.amount, "balance": balances[key], "sale_id": e.sale_id,
                         "refund_id": e.refund_id, "reason": e.reason,
                         "expires_on": e.expires_on, "ref_entry_id": e.ref_entry_id})
        return rows

    def _export_audit(self, session: Session, ids: list[int], sale_ids: list[str],
                      staff: dict[int, str]) -> list[dict[str, Any]]:
        targets = [f"member:{i}" for i in ids] + [f"sale:{s}" for s in sale_ids]
        found: list[AuditEntry] = []
        for start in range(0, len(targets), 500):
            found += session.scalars(select(AuditEntry).where(
                AuditEntry.target.in_(targets[start:start + 500])))
        return [{"at": _iso(a.at), "staff": staff.get(a.staff_id) if a.staff_id else None,
                 "action": a.action, "target": a.target, "details": a.details}
                for a in sorted(found, key=lambda a: (a.at, a.id))]

    def write_export_json(self, member_id: int, path: str | Path) -> Path:
        data = self.export(member_id)
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
        return path

    def write_export_pdf(self, member_id: int, path: str | Path) -> Path:
        from ..cards.member_export_pdf import render_member_export_pdf
        return render_member_export_pdf(self.export(member_id), path)

    # -- erasure -----------------------------------------------------------------------------

    def erase(self, member_id: int, manager_id: int, reason: str) -> ErasureReport:
        """Privacy erasure of the member and of every record merged into it. See the module doc.

        Balances stay on the ledger (the books must balance): stored value still owed is the
        shop's liability to settle with the person; the audit entry records it.
        """
        _require_id(member_id, "member")
        reason = _require_reason(reason, "an erasure")
        now = self.ctx.now()
        with self.ctx.db.transaction() as session:
            connection = dbapi(session)
            secure_before = connection.execute("PRAGMA secure_delete").fetchone()[0]
            connection.execute("PRAGMA secure_delete=ON")
            try:
                require_manager(session, manager_id)
                member = _get_member(session, member_id)
                if member.status == "erased":
                    raise Conflict(f"member {member.id} was already erased on "
                                   f"{member.erased_at:%Y-%m-%d}" if member.erased_at
                                   else f"member {member.id} was already erased")
                if member.status == "merged":
                    raise Conflict(f"member {member.id} was merged into member "
                                   f"{member.merged_into_id}: erase that member (the erasure "
                                   "covers every record merged into it)")
                members = [member] + [_get_member(session, i)
                                      for i in merged_member_ids(session, member.id)]
                replacements, secrets = self._secrets(session, members)
                blocked = self._anonymise(session, members, now, replacements)
                session.flush()
                ids = [m.id for m in members]
                sales = select(Sale.id).where(Sale.member_id.in_(ids))
                targets = [f"member:{i}" for i in ids] + [
                    f"sale:{s}" for s in session.scalars(sales)]
                outbox = self._rewrite_outbox(session, members, replacements, secrets)
                refunds = self._rewrite_refunds(session, sales, replacements, secrets)
                audits = self._rewrite_audit(session, targets, replacements, secrets)
                # merge the FTS segments: the deleted name's tokens leave the index for good
                session.execute(text(
                    "INSERT INTO member_search(member_search) VALUES ('optimize')"))
                audit.record(session, at=now, staff_id=manager_id, till_id=self.ctx.till_id,
                             action="member_erased", target=f"member:{member.id}",
                             members=[m.id for m in members], reason=_scrub(reason, replacements),
                             cards_blocked=blocked,
                             points_balance=sum(m.points_balance for m in members),
                             stored_value_balance=sum(m.stored_value_balance for m in members))
                for m in members:
                    session.add(OutboxMessage(topic="member", ref=m.uuid, created_at=now,
                                              payload=member_payload(m) | {"erased": True}))
                session.flush()
            finally:
                connection.execute(f"PRAGMA secure_delete={int(secure_before)}")
        truncated, vacuumed, residue = self._purge_files(secrets)
        return ErasureReport(tuple(m.id for m in members), tuple(blocked), outbox, audits,
                             refunds, truncated, vacuumed, residue)

    def _secrets(self, session: Session, members: list[Member]
                 ) -> tuple[list[tuple[str, str]], dict[str, list[str]]]:
        """What must disappear: (old, new) text replacements and {kind: old values}. Earlier
        values (before an edit) count too: the member messages sent to head office hold them."""
        replacements: dict[str, str] = {}
        secrets: dict[str, list[str]] = {"name": [], "phone": [], "email": []}
        for m in members:
            anonymous = ERASED_NAME.format(id=m.id)
            values = [("name", m.name), ("phone", m.phone), ("email", m.email)]
            for payload in session.scalars(select(OutboxMessage.payload).where(
                    OutboxMessage.topic == "member", OutboxMessage.ref == m.uuid)):
                values += [(kind, payload.get(kind)) for kind in ("name", "phone", "email")
                           if isinstance(payload, dict)]
            for kind, old in values:
                if not isinstance(old, str) or not old or old in secrets[kind]:
                    continue
                secrets[kind].append(old)
                replacements[old] = anonymous if kind == "name" else ""
        # longest first, so that a name containing another is replaced whole
        ordered = sorted(replacements.items(), key=lambda pair: -len(pair[0]))
        return ordered, secrets

    def _anonymise(self, session: Session, members: list[Member], now: datetime,
                   replacements: list[tuple[str, str]]) -> list[str]:
        blocked: list[str] = []
        for m in members:
            for card in session.scalars(select(Card).where(Card.member_id == m.id,
                                                           Card.block_reason.is_not(None))):
                card.block_reason = _scrub(card.block_reason, replacements)
            m.name = ERASED_NAME.format(id=m.id)
            m.phone = m.email = m.birthday = None
            m.notes = ""
            m.status, m.erased_at, m.updated_at = "erased", now, now
            for card in session.scalars(select(Card).where(Card.member_id == m.id,
                                                           Card.status == "active")):
                card.status, card.blocked_at = "blocked", now
                card.block_reason = "erased (privacy request)"
                blocked.append(card.number)
        return blocked

    def _rows_holding(self, session: Session, model: Any, column: Any,
                      secrets: dict[str, list[str]], related: Any, *extra: Any) -> list[Any]:
        """Rows whose `column` holds an old phone or email anywhere, or an old name in a row
        about the member (`related`): a short name is a substring of much unrelated text."""
        as_text = cast(column, Text)

        def holding(kinds: tuple[str, ...]) -> list[Any]:
            return [func.instr(as_text, form) > 0 for kind in kinds
                    for value in secrets[kind] for form in _json_forms(value)]

        named = holding(("name",))
        condition = or_(*holding(("phone", "email")),
                        and_(related, or_(*named)) if named else false(), *extra)
        return list(session.scalars(select(model).where(condition)))

    def _rewrite_outbox(self, session: Session, members: list[Member],
                        replacements: list[tuple[str, str]], secrets: dict[str, list[str]]
                        ) -> int:
        """The outbox is not append-only: payloads holding old values get anonymised ones."""
        anonymous = {m.uuid: member_payload(m) for m in members}
        payload_text = cast(OutboxMessage.payload, Text)
        about = or_(OutboxMessage.ref.in_(list(anonymous)),
                    *[func.instr(payload_text, uuid) > 0 for uuid in anonymous])
        count = 0
        for message in self._rows_holding(session, OutboxMessage, OutboxMessage.payload,
                                          secrets, about, about):
            payload = _scrub(message.payload, replacements)
            if message.topic == "member" and message.ref in anonymous:
                payload = payload | {k: v for k, v in anonymous[message.ref].items()
                                     if k in ("name", "phone", "email", "birthday", "notes")}
            if payload != message.payload:
                message.payload = payload | {"erased": True}
                count += 1
        return count

    def _rewrite_refunds(self, session: Session, sales: Any,
                         replacements: list[tuple[str, str]], secrets: dict[str, list[str]]
                         ) -> int:
        count = 0
        for refund in self._rows_holding(session, Refund, Refund.reason, secrets,
                                         Refund.sale_id.in_(sales)):
            scrubbed = _scrub(refund.reason, replacements)
            if scrubbed != refund.reason:
                refund.reason = scrubbed
                count += 1
        return count

    def _rewrite_audit(self, session: Session, targets: list[str],
                       replacements: list[tuple[str, str]], secrets: dict[str, list[str]]
                       ) -> int:
        """Rewrite the audit entries that hold the old values (the one exception to the audit
        log being append-only; the guard trigger is back before the transaction commits)."""
        entries = [(entry, _scrub(entry.details, replacements)) for entry in
                   self._rows_holding(session, AuditEntry, AuditEntry.details, secrets,
                                      AuditEntry.target.in_(targets))]
        entries = [(entry, details) for entry, details in entries if details != entry.details]
        if not entries:
            return 0
        trigger_sql = session.scalar(text(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' "
            "AND name = 'audit_log_no_update'"))
        if trigger_sql is not None:
            session.execute(text("DROP TRIGGER audit_log_no_update"))
        for entry, details in entries:
            session.execute(text("UPDATE audit_log SET details = :details WHERE id = :id"),
                            {"details": json.dumps(details), "id": entry.id})
            session.expire(entry)
        if trigger_sql is not None:
            session.execute(text(trigger_sql))
        return len(entries)

    # -- after the commit: the files themselves ------------------------------------------------

    def _purge_files(self, secrets: dict[str, list[str]]) -> tuple[bool, bool, tuple[str, ...]]:
        """Checkpoint the WAL into the file and truncate it; if an old value is still in the
        files (freed space kept by a SQLite without secure delete), VACUUM and look again."""
        connection = self.ctx.db.raw_connection()
        try:
            connection.execute("PRAGMA secure_delete=ON")
            needles = self._needles(connection, secrets)
            truncated = _checkpoint(connection)
            found = _found_in_files(self.ctx.db.path, needles)
            vacuumed = False
            if found:
                try:
                    connection.execute("VACUUM")
                    vacuumed = True
                except sqlite3.OperationalError:  # busy: the residue is reported instead
                    vacuumed = False
                truncated = _checkpoint(connection)
                found = _found_in_files(self.ctx.db.path, needles)
            return truncated, vacuumed, tuple(sorted(found))
        finally:
            connection.close()

    def _needles(self, connection: sqlite3.Connection, secrets: dict[str, list[str]]
                 ) -> dict[str, list[bytes]]:
        """The byte strings to look for. A name that another member still bears (names are not
        unique) is left out: it is rightly in the file."""
        needles: dict[str, list[bytes]] = {}
        for kind, values in secrets.items():
            for value in values:
                if kind == "name" and connection.execute(
                        "SELECT 1 FROM members WHERE instr(name, ?) > 0 LIMIT 1",
                        (value,)).fetchone():
                    continue
                needles.setdefault(kind, []).extend(
                    form.encode() for form in _json_forms(value)
                    if len(form.encode()) >= MIN_NEEDLE_BYTES)
        return needles


def _checkpoint(connection: sqlite3.Connection) -> bool:
    """Fold the WAL into the database and truncate it to zero bytes. False if a reader kept
    the WAL in use for the whole wait (the old frames are then overwritten later)."""
    for _ in range(CHECKPOINT_ATTEMPTS):
        busy, _, _ = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if not busy:
            return True
        time.sleep(CHECKPOINT_PAUSE)
    return False


def database_files(path: Path) -> list[Path]:
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


def _found_in_files(path: Path, needles: dict[str, list[bytes]]) -> set[str]:
    found: set[str] = set()
    for file in database_files(path):
        if not file.exists() or file.stat().st_size == 0:
            continue
        with file.open("rb") as handle, mmap.mmap(handle.fileno(), 0,
                                                  access=mmap.ACCESS_READ) as data:
            found |= {kind for kind, forms in needles.items()
                      if any(data.find(form) >= 0 for form in forms)}
    return found

