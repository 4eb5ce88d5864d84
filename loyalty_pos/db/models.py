"""Typed SQLAlchemy 2 models of the till database.

Ledger tables (ledger_entries, lot_allocations, consents, tier_history, audit_log) are append-only:
the migrations install triggers that refuse UPDATE and DELETE on them. Balance caches
(members.points_balance, members.stored_value_balance, point_lots.remaining) are updated in the
same transaction as the ledger rows that change them; `loyalty-pos verify` recomputes them.
Money columns are integer minor units.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

APPEND_ONLY_TABLES = ("ledger_entries", "lot_allocations", "consents", "tier_history",
                      "audit_log")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Setting(Base):
    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Store(Base):
    __tablename__ = "stores"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(String(240), default="")


class Till(Base):
    """A till of the chain. `number` is unique chain-wide (it is part of card numbers).

    `last_seq`/`last_hash` are the head of this till's ledger chain; the counters are this till's
    gapless receipt and card serials.
    """
    __tablename__ = "tills"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    name: Mapped[str] = mapped_column(String(80))
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default="0" * 64)
    last_receipt_no: Mapped[int] = mapped_column(Integer, default=0)
    last_card_serial: Mapped[int] = mapped_column(Integer, default=0)
    store: Mapped[Store] = relationship()


class Staff(Base):
    __tablename__ = "staff"
    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    name: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(16))  # cashier | manager
    pin_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class TierDef(Base):
    __tablename__ = "tiers"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(40))
    threshold: Mapped[int] = mapped_column(Integer)
    multiplier_percent: Mapped[int] = mapped_column(Integer)


class Member(Base):
    __tablename__ = "members"
    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    name: Mapped[str] = mapped_column(String(120, collation="NOCASE"), index=True)
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    email: Mapped[str | None] = mapped_column(String(120), unique=True)
    birthday: Mapped[date | None] = mapped_column(Date)
    # active | suspended (consent withdrawn) | erased (privacy request) | merged (into another)
    status: Mapped[str] = mapped_column(String(16), default="active")
    notes: Mapped[str] = mapped_column(Text, default="")
    tier_code: Mapped[str] = mapped_column(String(16))
    referral_code: Mapped[str] = mapped_column(String(12), unique=True)
    referred_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    referral_rewarded: Mapped[bool] = mapped_column(Boolean, default=False)
    points_balance: Mapped[int] = mapped_column(Integer, default=0)
    stored_value_balance: Mapped[int] = mapped_column(Integer, default=0)
    enrolled_at: Mapped[datetime] = mapped_column(DateTime)
    enrolled_till_id: Mapped[int | None] = mapped_column(ForeignKey("tills.id"))
    first_purchase_at: Mapped[datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    erased_at: Mapped[datetime | None] = mapped_column(DateTime)


class Card(Base):
    __tablename__ = "cards"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(13), unique=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | blocked
    issued_at: Mapped[datetime] = mapped_column(DateTime)
    blocked_at: Mapped[datetime | None] = mapped_column(DateTime)
    block_reason: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        Index("uq_cards_one_active_per_member", "member_id", unique=True,
              sqlite_where=text("status = 'active'"),
              postgresql_where=text("status = 'active'")),
    )


class AgreementVersion(Base):
    __tablename__ = "agreement_versions"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))  # member_agreement | privacy
    version: Mapped[str] = mapped_column(String(24))
    text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (UniqueConstraint("kind", "version"),)


class Consent(Base):
    """One accept or withdraw of a text (or of marketing). Append-only; withdrawal is a new row."""
    __tablename__ = "consents"
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))  # member_agreement | privacy | marketing
    action: Mapped[str] = mapped_column(String(10))  # accept | withdraw
    agreement_version_id: Mapped[int | None] = mapped_column(ForeignKey("agreement_versions.id"))
    text_sha256: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime)
    till_id: Mapped[int] = mapped_column(ForeignKey("tills.id"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))


class Product(Base):
    __tablename__ = "products"
    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(32), unique=True)
    barcode: Mapped[str | None] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(40), index=True)
    price: Mapped[int] = mapped_column(Integer)
    points_eligible: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Promotion(Base):
    __tablename__ = "promotions"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    effect: Mapped[str] = mapped_column(String(24))
    value: Mapped[int] = mapped_column(Integer)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    exclusive: Mapped[bool] = mapped_column(Boolean, default=False)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    weekdays: Mapped[list[int]] = mapped_column(JSON, default=list)
    start_time: Mapped[str | None] = mapped_column(String(5))  # "HH:MM"
    end_time: Mapped[str | None] = mapped_column(String(5))
    tiers: Mapped[list[str]] = mapped_column(JSON, default=list)
    skus: Mapped[list[str]] = mapped_column(JSON, default=list)
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    min_basket: Mapped[int] = mapped_column(Integer, default=0)
    birthday_month: Mapped[bool] = mapped_column(Boolean, default=False)
    first_purchase: Mapped[bool] = mapped_column(Boolean, default=False)


class Sale(Base):
    __tablename__ = "sales"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # UUID chosen by the till UI
    till_id: Mapped[int] = mapped_column(ForeignKey("tills.id"))
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    receipt_no: Mapped[int] = mapped_column(Integer)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    subtotal: Mapped[int] = mapped_column(Integer)
    discount_total: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    points_earned: Mapped[int] = mapped_column(Integer)
    points_redeemed: Mapped[int] = mapped_column(Integer)
    points_value: Mapped[int] = mapped_column(Integer)
    explanation: Mapped[dict] = mapped_column(JSON)
    lines: Mapped[list[SaleLine]] = relationship(order_by="SaleLine.line_no")
    payments: Mapped[list[Payment]] = relationship(order_by="Payment.id")

    __table_args__ = (UniqueConstraint("till_id", "receipt_no"),)


class SaleLine(Base):
    __tablename__ = "sale_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    sale_id: Mapped[str] = mapped_column(ForeignKey("sales.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    sku: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(40))
    unit_price: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[int] = mapped_column(Integer)
    discount: Mapped[int] = mapped_column(Integer)
    net: Mapped[int] = mapped_column(Integer)
    points_eligible: Mapped[bool] = mapped_column(Boolean)


class Payment(Base):
    __tablename__ = "payments"
    id: Mapped[int] = mapped_column(primary_key=True)
    sale_id: Mapped[str] = mapped_column(ForeignKey("sales.id"), index=True)
    method: Mapped[str] = mapped_column(String(16))  # cash | card | stored_value | points
    amount: Mapped[int] = mapped_column(Integer)
    reference: Mapped[str | None] = mapped_column(String(64))
    tendered: Mapped[int | None] = mapped_column(Integer)
    change: Mapped[int | None] = mapped_column(Integer)


class Refund(Base):
    __tablename__ = "refunds"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sale_id: Mapped[str] = mapped_column(ForeignKey("sales.id"), index=True)
    till_id: Mapped[int] = mapped_column(ForeignKey("tills.id"))
    receipt_no: Mapped[int] = mapped_column(Integer)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    amount: Mapped[int] = mapped_column(Integer)
    points_taken_back: Mapped[int] = mapped_column(Integer)
    points_shortfall: Mapped[int] = mapped_column(Integer)
    points_given_back: Mapped[int] = mapped_column(Integer)
    stored_value_given_back: Mapped[int] = mapped_column(Integer)
    points_value_back: Mapped[int] = mapped_column(Integer)  # money the given-back points paid
    card_back: Mapped[int] = mapped_column(Integer)
    cash_back: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(200), default="")
    lines: Mapped[list[RefundLine]] = relationship()

    __table_args__ = (UniqueConstraint("till_id", "receipt_no"),)


class RefundLine(Base):
    __tablename__ = "refund_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    refund_id: Mapped[str] = mapped_column(ForeignKey("refunds.id"), index=True)
    sale_line_id: Mapped[int] = mapped_column(ForeignKey("sale_lines.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(Integer)


class LedgerEntry(Base):
    """One movement of points or stored value. Append-only, hash-chained per till."""
    __tablename__ = "ledger_entries"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    store_id: Mapped[int] = mapped_column(Integer)
    till_id: Mapped[int] = mapped_column(ForeignKey("tills.id"))
    seq: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[str] = mapped_column(String(32))  # ISO 8601 UTC, part of the hash
    ledger: Mapped[str] = mapped_column(String(16))  # points | stored_value
    kind: Mapped[str] = mapped_column(String(24))
    member_uuid: Mapped[str] = mapped_column(ForeignKey("members.uuid"))
    amount: Mapped[int] = mapped_column(Integer)  # signed: + credits the member
    sale_id: Mapped[str | None] = mapped_column(String(36), index=True)
    refund_id: Mapped[str | None] = mapped_column(String(36))
    staff_id: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(String(200))
    expires_on: Mapped[str | None] = mapped_column(String(10))
    ref_entry_id: Mapped[str | None] = mapped_column(String(36))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        UniqueConstraint("till_id", "seq"),
        Index("ix_ledger_entries_member_ledger", "member_uuid", "ledger"),
    )


class PointLot(Base):
    """Cache of an earning entry's lot: what is left of it and when it expires."""
    __tablename__ = "point_lots"
    entry_id: Mapped[str] = mapped_column(ForeignKey("ledger_entries.id"), primary_key=True)
    member_uuid: Mapped[str] = mapped_column(ForeignKey("members.uuid"))
    earned_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date)
    points: Mapped[int] = mapped_column(Integer)
    remaining: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        Index("ix_point_lots_member_open", "member_uuid", "expires_on",
              sqlite_where=text("remaining > 0")),
        Index("ix_point_lots_expiry_open", "expires_on", sqlite_where=text("remaining > 0")),
    )


class RemoteBalance(Base):
    """Head office's last figure for a member's movements at other tills, per ledger
    (`elsewhere`), and what of it this till has not taken yet (`outstanding` = elsewhere - the
    sum of the member's `remote_sync` entries here). Stored value is never taken below zero,
    so a debit can stay outstanding; sync/apply.py takes it as soon as the balance allows, at
    every pull, without waiting for head office to send the member again. Not a ledger: the
    row changes; verify checks `outstanding` against the ledger."""
    __tablename__ = "remote_balances"
    member_uuid: Mapped[str] = mapped_column(ForeignKey("members.uuid"), primary_key=True)
    ledger: Mapped[str] = mapped_column(String(16), primary_key=True)  # points | stored_value
    elsewhere: Mapped[int] = mapped_column(Integer)
    outstanding: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (
        # only the rows with something left to take: each pull reads them, it stays cheap
        Index("ix_remote_balances_outstanding", "member_uuid",
              sqlite_where=text("outstanding != 0")),
    )


class LotAllocation(Base):
    """Which lot a spending entry took its points from. Append-only."""
    __tablename__ = "lot_allocations"
    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[str] = mapped_column(ForeignKey("ledger_entries.id"), index=True)
    lot_entry_id: Mapped[str] = mapped_column(ForeignKey("point_lots.entry_id"), index=True)
    points: Mapped[int] = mapped_column(Integer)


class TierChange(Base):
    __tablename__ = "tier_history"
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    from_tier: Mapped[str | None] = mapped_column(String(16))
    to_tier: Mapped[str] = mapped_column(String(16))
    spend: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(300))
    at: Mapped[datetime] = mapped_column(DateTime)


class OutboxMessage(Base):
    """What must reach head office, written in the same transaction as the change itself."""
    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String(32))  # sale | refund | member | consent | card
    ref: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    acked_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)


class AuditEntry(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    till_id: Mapped[int | None] = mapped_column(ForeignKey("tills.id"))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(80))
    details: Mapped[dict] = mapped_column(JSON)


class FaqEntry(Base):
    """Help for cashiers and members. Edits are new versions; the newest of each topic shows."""
    __tablename__ = "faq_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String(40), index=True)  # stable key, e.g. "join"
    audience: Mapped[str] = mapped_column(String(16))  # cashier | member
    question: Mapped[str] = mapped_column(String(200))
    answer: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))

    __table_args__ = (UniqueConstraint("topic", "version"),)
