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

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
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
    origin_till_id: Mapped[int] = mapped_column(Integer)
    origin_store_id: Mapped[int] = mapped_column(Integer)
    registered_at: Mapped[datetime] = mapped_column(DateTime)
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
