"""Typed SQLAlchemy 2 models of the head-office database (SQLite or PostgreSQL).

Head office holds every till's ledger entries, keyed by (till, seq): the idempotency key of
both ledger files and (later) pushes. A till is known by its chain-wide `number`; the integer
ids a till writes into its own entries (`store_id`, `till_id` of the chained fields) are ids in
*that till's* database, so head office keeps them as `origin_store_id` / `origin_till_id` (they
are part of the hash) beside its own foreign keys.

`ho_ledger_entries` is the one big table. It carries no foreign key constraints and only its
primary key as index: on PostgreSQL every foreign key is a per-row trigger and every index a
per-row insert, and the import writes hundreds of thousands of rows per second. The importer
is the only writer and resolves `till_id` / `store_id` itself.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
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
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from ..db.models import NAMING_CONVENTION  # one convention for both schemas

SOURCE_FILE = "file"   # ho_ledger_entries.source: imported from a ledger file
SOURCE_PUSH = "push"   # ... pushed by the till's outbox relay (the HTTP service)


class HeadOfficeBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class HOStore(HeadOfficeBase):
    """A store of the chain, known by its code (the same on every till of the store)."""
    __tablename__ = "stores"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)


class HOTill(HeadOfficeBase):
    """A till registered at head office by its chain-wide number.

    `origin_till_id` / `origin_store_id` are the till's own ids in its database, as its ledger
    entries carry them; a file claiming the same number with other ids is another database.
    """
    __tablename__ = "tills"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), index=True)
    # None until the till registers or its first ledger arrives (add-till makes the row first)
    origin_till_id: Mapped[int | None] = mapped_column(Integer)
    origin_store_id: Mapped[int | None] = mapped_column(Integer)
    registered_at: Mapped[datetime] = mapped_column(DateTime)
    name: Mapped[str] = mapped_column(String(120), default="", server_default="")
    # The till's request key: only its serial and sha256 are stored (keys.py derives the key
    # from the master key), so a database leak leaks no key. Serial 0: never registered.
    key_serial: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    key_sha256: Mapped[str | None] = mapped_column(String(64))
    key_registered_at: Mapped[datetime | None] = mapped_column(DateTime)
    store: Mapped[HOStore] = relationship()


class HOLedgerEntry(HeadOfficeBase):
    """One till ledger entry as head office received it: every chained field, unchanged.

    Chained field -> column: id -> entry_id, member_id (the member's uuid) -> member_uuid,
    store_id -> origin_store_id, till_id -> origin_till_id; the others keep their names.
    Primary key (till_id, seq): the idempotency key (INSERT ... ON CONFLICT DO NOTHING).
    """
    __tablename__ = "ho_ledger_entries"
    till_id: Mapped[int] = mapped_column(Integer, primary_key=True)  # tills.id (no FK, above)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    store_id: Mapped[int] = mapped_column(Integer)  # stores.id at head office
    entry_id: Mapped[str] = mapped_column(String(36))
    origin_store_id: Mapped[int] = mapped_column(Integer)
    origin_till_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[str] = mapped_column(String(32))  # ISO 8601 UTC, as hashed
    ledger: Mapped[str] = mapped_column(String(16))  # points | stored_value
    kind: Mapped[str] = mapped_column(String(24))
    member_uuid: Mapped[str] = mapped_column(String(36))
    amount: Mapped[int] = mapped_column(BigInteger)  # signed: + credits the member
    sale_id: Mapped[str | None] = mapped_column(String(36))
    refund_id: Mapped[str | None] = mapped_column(String(36))
    staff_id: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(Text)
    expires_on: Mapped[str | None] = mapped_column(String(10))
    ref_entry_id: Mapped[str | None] = mapped_column(String(36))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(DateTime)
    source: Mapped[str] = mapped_column(String(8))  # file | push
    import_id: Mapped[int | None] = mapped_column(Integer)  # import_log.id (files only)


class HOChainHead(HeadOfficeBase):
    """How far a till's chain is complete at head office: every seq 1..last_seq is stored and
    linked, `last_hash` is the hash of entry last_seq (GENESIS when last_seq is 0)."""
    __tablename__ = "till_chain_heads"
    till_id: Mapped[int] = mapped_column(ForeignKey("tills.id"), primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger)
    last_hash: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class HOImport(HeadOfficeBase):
    """One accepted ledger file (a refused file writes nothing, so it is not here)."""
    __tablename__ = "import_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)  # of the file as received
    till_id: Mapped[int] = mapped_column(ForeignKey("tills.id"), index=True)
    first_seq: Mapped[int] = mapped_column(BigInteger)
    last_seq: Mapped[int] = mapped_column(BigInteger)
    entries_new: Mapped[int] = mapped_column(Integer)
    entries_duplicate: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(DateTime)


class HOGap(HeadOfficeBase):
    """Entries from_seq..to_seq of a till that head office does not hold although it holds
    later ones. Open while `resolved_at` is NULL. When entries arrive inside the range the row
    is resolved and what is still missing (if anything) becomes new open row(s) that keep the
    original `found_at`."""
    __tablename__ = "gaps"
    id: Mapped[int] = mapped_column(primary_key=True)
    till_id: Mapped[int] = mapped_column(ForeignKey("tills.id"))
    from_seq: Mapped[int] = mapped_column(BigInteger)
    to_seq: Mapped[int] = mapped_column(BigInteger)
    found_at: Mapped[datetime] = mapped_column(DateTime)
    found_by_import_id: Mapped[int | None] = mapped_column(ForeignKey("import_log.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolved_by_import_id: Mapped[int | None] = mapped_column(ForeignKey("import_log.id"))

    __table_args__ = (Index("ix_gaps_till_open", "till_id", "resolved_at"),)


# -- sync: till credentials, pushed records, published data, changes -----------------------------

# ho_changes.kind values
CHANGE_MEMBER = "member"
CHANGE_CARD = "card"
CHANGE_BALANCE = "balance"
CHANGE_PROMOTION = "promotion"
CHANGE_TIER = "tier"
CHANGE_SETTING = "setting"
CHANGE_AGREEMENT = "agreement"

# a BIGINT primary key that autoincrements on SQLite too (there only INTEGER PRIMARY KEY does)
BigId = BigInteger().with_variant(Integer(), "sqlite")


class HORegistrationCode(HeadOfficeBase):
    """A one-time code pairing a till (add-till prints it once; only its sha256 is kept)."""
    __tablename__ = "registration_codes"
    id: Mapped[int] = mapped_column(primary_key=True)
    till_id: Mapped[int] = mapped_column(ForeignKey("tills.id"), index=True)
    code_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)


class HOSetting(HeadOfficeBase):
    """A published program setting (core/program.ProgramRules field): value as JSON text."""
    __tablename__ = "ho_settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class HOMember(HeadOfficeBase):
    """The newest snapshot of a member a till pushed (by updated_at; ties: the later push),
    except the two "firsts", which are merged from every snapshot whatever its updated_at:
    `first_purchase_at` the earliest any till saw, `referral_rewarded` true once any till paid
    the referral reward (records._store_member). They decide whether a first-purchase
    promotion or a referral reward is paid, so an older snapshot must never undo them."""
    __tablename__ = "ho_members"
    uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(120))
    birthday: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    tier_code: Mapped[str | None] = mapped_column(String(16))
    referral_code: Mapped[str | None] = mapped_column(String(12))
    referred_by_uuid: Mapped[str | None] = mapped_column(String(36))
    enrolled_at: Mapped[datetime | None] = mapped_column(DateTime)
    enrolled_till_id: Mapped[int | None] = mapped_column(ForeignKey("tills.id"))
    first_purchase_at: Mapped[datetime | None] = mapped_column(DateTime)
    referral_rewarded: Mapped[bool] = mapped_column(Boolean, default=False,
                                                    server_default=false())
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    last_till_id: Mapped[int | None] = mapped_column(ForeignKey("tills.id"))
    received_at: Mapped[datetime] = mapped_column(DateTime)


class HOCard(HeadOfficeBase):
    """A member card as the newest member snapshot naming it says."""
    __tablename__ = "ho_cards"
    number: Mapped[str] = mapped_column(String(32), primary_key=True)
    member_uuid: Mapped[str] = mapped_column(String(36), index=True)
    status: Mapped[str] = mapped_column(String(16))
    issued_at: Mapped[datetime | None] = mapped_column(DateTime)
    blocked_at: Mapped[datetime | None] = mapped_column(DateTime)
    block_reason: Mapped[str | None] = mapped_column(String(200))
    till_id: Mapped[int | None] = mapped_column(ForeignKey("tills.id"))  # whose push stored it


class HOMessage(HeadOfficeBase):
    """A till's outbox message, keyed (till, message id): the idempotency key of records pushes.
    `created_at` and `payload` are kept exactly as sent (the content hash covers them)."""
    __tablename__ = "ho_messages"
    till_id: Mapped[int] = mapped_column(ForeignKey("tills.id"), primary_key=True)
    message_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    topic: Mapped[str] = mapped_column(String(32))
    ref: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[str] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON
    content_sha256: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(DateTime)


class HOSale(HeadOfficeBase):
    """A sale, from a till's `sale` message. Money in minor units."""
    __tablename__ = "ho_sales"
    sale_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    till_id: Mapped[int] = mapped_column(ForeignKey("tills.id"), index=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), index=True)
    receipt_no: Mapped[int] = mapped_column(Integer)
    member_uuid: Mapped[str | None] = mapped_column(String(36), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    total: Mapped[int] = mapped_column(BigInteger)
    discount: Mapped[int] = mapped_column(BigInteger)
    points_earned: Mapped[int] = mapped_column(BigInteger)
    points_redeemed: Mapped[int] = mapped_column(BigInteger)


class HORefund(HeadOfficeBase):
    """A refund, from a till's `refund` message."""
    __tablename__ = "ho_refunds"
    refund_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sale_id: Mapped[str] = mapped_column(String(36), index=True)
    till_id: Mapped[int] = mapped_column(ForeignKey("tills.id"))
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    points_taken_back: Mapped[int] = mapped_column(BigInteger)
    points_given_back: Mapped[int] = mapped_column(BigInteger)


class HOConsent(HeadOfficeBase):
    """One accept or withdraw, from a till's `consent` message (append-only, like the till's)."""
    __tablename__ = "ho_consents"
    id: Mapped[int] = mapped_column(primary_key=True)
    till_id: Mapped[int] = mapped_column(ForeignKey("tills.id"))
    message_id: Mapped[int] = mapped_column(BigInteger)
    member_uuid: Mapped[str] = mapped_column(String(36), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    action: Mapped[str] = mapped_column(String(10))
    text_sha256: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (UniqueConstraint("till_id", "message_id"),)


class HOPromotion(HeadOfficeBase):
    """A published promotion: the till's promotion fields as JSON (enabled=false retires it)."""
    __tablename__ = "ho_promotions"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    data: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class HOTier(HeadOfficeBase):
    __tablename__ = "ho_tiers"
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    threshold: Mapped[int] = mapped_column(BigInteger)
    multiplier_percent: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class HOAgreement(HeadOfficeBase):
    """A published agreement text (member_agreement | privacy), one row per version."""
    __tablename__ = "ho_agreements"
    kind: Mapped[str] = mapped_column(String(24), primary_key=True)
    version: Mapped[str] = mapped_column(String(24), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime] = mapped_column(DateTime)


class HOChange(HeadOfficeBase):
    """What changed, in order: the tills' pull cursor is the highest id they applied.
    `origin_till_id`: the till whose push caused it (None: published at head office)."""
    __tablename__ = "ho_changes"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(64))
    origin_till_id: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime)


class HOTillBalance(HeadOfficeBase):
    """Sum of a member's entries at one till per ledger, `remote_sync` left out: the aggregate
    chain-wide and "at other tills" balances are read from (balances.py). The importer adds
    each import's new entries in the import's transaction, so it always equals the sum over
    ho_ledger_entries (an index on ho_ledger_entries.member_uuid would slow every import)."""
    __tablename__ = "ho_till_balances"
    member_uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    till_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ledger: Mapped[str] = mapped_column(String(16), primary_key=True)
    amount: Mapped[int] = mapped_column(BigInteger)


class HOSyncRefusal(HeadOfficeBase):
    """A push head office refused because it contradicts what it holds (kept for support)."""
    __tablename__ = "sync_refusals"
    id: Mapped[int] = mapped_column(primary_key=True)
    till_id: Mapped[int | None] = mapped_column(ForeignKey("tills.id"))
    at: Mapped[datetime] = mapped_column(DateTime)
    kind: Mapped[str] = mapped_column(String(24))  # ledger | records
    detail: Mapped[str] = mapped_column(Text)
