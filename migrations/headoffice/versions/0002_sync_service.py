"""Sync service: till credentials and registration codes, pushed records (messages, member and
card snapshots, sales, refunds, consents), published promotions/tiers/settings/agreements, the
change log tills pull from, per-till balance aggregates and refused pushes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

ho_ledger_entries stays as it is (no index beside its key). Measured with `loyalty-headoffice
bench` (PostgreSQL, 300,000 entries of 10,000 members, 2 cores): an index on member_uuid took
the import from ~134k to ~123k entries/s, and grows dearer as the table outgrows memory (random
uuid keys). Balances come from ho_till_balances instead, one row per (member, till, ledger),
added to in the import's transaction together with the 'balance' change rows (one pass over
the new rows: ~0.37 s per 300,000 entries, which the change rows would cost anyway with the
index); every balance read is then a primary-key lookup.
tills.origin_* become nullable: add-till makes the row before the till's database is known.
ho_members carries the member's "firsts" (first_purchase_at, referral_rewarded), merged from
every snapshot so that a first-purchase promotion or referral reward is paid once chain-wide.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table("ho_agreements",
    sa.Column("kind", sa.String(length=24), nullable=False),
    sa.Column("version", sa.String(length=24), nullable=False),
    sa.Column("text", sa.Text(), nullable=False),
    sa.Column("sha256", sa.String(length=64), nullable=False),
    sa.Column("published_at", sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint("kind", "version", name=op.f("pk_ho_agreements"))
    )
    op.create_table("ho_changes",
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
    sa.Column("kind", sa.String(length=16), nullable=False),
    sa.Column("key", sa.String(length=64), nullable=False),
    sa.Column("origin_till_id", sa.Integer(), nullable=True),
    sa.Column("at", sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_ho_changes"))
    )
    op.create_table("ho_promotions",
    sa.Column("code", sa.String(length=32), nullable=False),
    sa.Column("data", sa.Text(), nullable=False),
    sa.Column("updated_at", sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint("code", name=op.f("pk_ho_promotions"))
    )
    op.create_table("ho_settings",
    sa.Column("key", sa.String(length=64), nullable=False),
    sa.Column("value", sa.Text(), nullable=False),
    sa.Column("updated_at", sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint("key", name=op.f("pk_ho_settings"))
    )
    op.create_table("ho_tiers",
    sa.Column("code", sa.String(length=16), nullable=False),
    sa.Column("name", sa.String(length=40), nullable=False),
    sa.Column("threshold", sa.BigInteger(), nullable=False),
    sa.Column("multiplier_percent", sa.Integer(), nullable=False),
    sa.Column("updated_at", sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint("code", name=op.f("pk_ho_tiers"))
    )
    op.create_table("ho_cards",
    sa.Column("number", sa.String(length=32), nullable=False),
    sa.Column("member_uuid", sa.String(length=36), nullable=False),
    sa.Column("status", sa.String(length=16), nullable=False),
    sa.Column("issued_at", sa.DateTime(), nullable=True),
    sa.Column("blocked_at", sa.DateTime(), nullable=True),
    sa.Column("block_reason", sa.String(length=200), nullable=True),
    sa.Column("till_id", sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(["till_id"], ["tills.id"], name=op.f("fk_ho_cards_till_id_tills")),
    sa.PrimaryKeyConstraint("number", name=op.f("pk_ho_cards"))
    )
    with op.batch_alter_table("ho_cards", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ho_cards_member_uuid"), ["member_uuid"], unique=False)

    op.create_table("ho_consents",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("till_id", sa.Integer(), nullable=False),
    sa.Column("message_id", sa.BigInteger(), nullable=False),
    sa.Column("member_uuid", sa.String(length=36), nullable=False),
    sa.Column("kind", sa.String(length=24), nullable=False),
    sa.Column("action", sa.String(length=10), nullable=False),
    sa.Column("text_sha256", sa.String(length=64), nullable=True),
    sa.Column("at", sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(["till_id"], ["tills.id"], name=op.f("fk_ho_consents_till_id_tills")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_ho_consents")),
    sa.UniqueConstraint("till_id", "message_id", name=op.f("uq_ho_consents_till_id"))
    )
    with op.batch_alter_table("ho_consents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ho_consents_member_uuid"), ["member_uuid"], unique=False)

    op.create_table("ho_members",
    sa.Column("uuid", sa.String(length=36), nullable=False),
    sa.Column("name", sa.String(length=120), nullable=False),
    sa.Column("phone", sa.String(length=20), nullable=True),
    sa.Column("email", sa.String(length=120), nullable=True),
    sa.Column("birthday", sa.Date(), nullable=True),
    sa.Column("status", sa.String(length=16), nullable=False),
    sa.Column("tier_code", sa.String(length=16), nullable=True),
    sa.Column("referral_code", sa.String(length=12), nullable=True),
    sa.Column("referred_by_uuid", sa.String(length=36), nullable=True),
    sa.Column("enrolled_at", sa.DateTime(), nullable=True),
    sa.Column("enrolled_till_id", sa.Integer(), nullable=True),
    sa.Column("first_purchase_at", sa.DateTime(), nullable=True),
    sa.Column("referral_rewarded", sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column("updated_at", sa.DateTime(), nullable=False),
    sa.Column("last_till_id", sa.Integer(), nullable=True),
    sa.Column("received_at", sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(["enrolled_till_id"], ["tills.id"], name=op.f("fk_ho_members_enrolled_till_id_tills")),
    sa.ForeignKeyConstraint(["last_till_id"], ["tills.id"], name=op.f("fk_ho_members_last_till_id_tills")),
    sa.PrimaryKeyConstraint("uuid", name=op.f("pk_ho_members"))
    )
    op.create_table("ho_messages",
    sa.Column("till_id", sa.Integer(), nullable=False),
    sa.Column("message_id", sa.BigInteger(), nullable=False),
    sa.Column("topic", sa.String(length=32), nullable=False),
    sa.Column("ref", sa.String(length=64), nullable=False),
    sa.Column("created_at", sa.String(length=40), nullable=False),
    sa.Column("payload", sa.Text(), nullable=False),
    sa.Column("content_sha256", sa.String(length=64), nullable=False),
    sa.Column("received_at", sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(["till_id"], ["tills.id"], name=op.f("fk_ho_messages_till_id_tills")),
    sa.PrimaryKeyConstraint("till_id", "message_id", name=op.f("pk_ho_messages"))
    )
    op.create_table("ho_refunds",
    sa.Column("refund_id", sa.String(length=36), nullable=False),
    sa.Column("sale_id", sa.String(length=36), nullable=False),
    sa.Column("till_id", sa.Integer(), nullable=False),
    sa.Column("store_id", sa.Integer(), nullable=False),
    sa.Column("at", sa.DateTime(), nullable=False),
    sa.Column("amount", sa.BigInteger(), nullable=False),
    sa.Column("points_taken_back", sa.BigInteger(), nullable=False),
    sa.Column("points_given_back", sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(["store_id"], ["stores.id"], name=op.f("fk_ho_refunds_store_id_stores")),
    sa.ForeignKeyConstraint(["till_id"], ["tills.id"], name=op.f("fk_ho_refunds_till_id_tills")),
    sa.PrimaryKeyConstraint("refund_id", name=op.f("pk_ho_refunds"))
    )
    with op.batch_alter_table("ho_refunds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ho_refunds_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_ho_refunds_sale_id"), ["sale_id"], unique=False)

    op.create_table("ho_sales",
    sa.Column("sale_id", sa.String(length=36), nullable=False),
    sa.Column("till_id", sa.Integer(), nullable=False),
    sa.Column("store_id", sa.Integer(), nullable=False),
    sa.Column("receipt_no", sa.Integer(), nullable=False),
    sa.Column("member_uuid", sa.String(length=36), nullable=True),
    sa.Column("at", sa.DateTime(), nullable=False),
    sa.Column("total", sa.BigInteger(), nullable=False),
    sa.Column("discount", sa.BigInteger(), nullable=False),
    sa.Column("points_earned", sa.BigInteger(), nullable=False),
    sa.Column("points_redeemed", sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(["store_id"], ["stores.id"], name=op.f("fk_ho_sales_store_id_stores")),
    sa.ForeignKeyConstraint(["till_id"], ["tills.id"], name=op.f("fk_ho_sales_till_id_tills")),
    sa.PrimaryKeyConstraint("sale_id", name=op.f("pk_ho_sales"))
    )
    with op.batch_alter_table("ho_sales", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ho_sales_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_ho_sales_member_uuid"), ["member_uuid"], unique=False)
        batch_op.create_index(batch_op.f("ix_ho_sales_store_id"), ["store_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ho_sales_till_id"), ["till_id"], unique=False)

    op.create_table("registration_codes",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("till_id", sa.Integer(), nullable=False),
    sa.Column("code_sha256", sa.String(length=64), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("expires_at", sa.DateTime(), nullable=False),
    sa.Column("used_at", sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(["till_id"], ["tills.id"], name=op.f("fk_registration_codes_till_id_tills")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_registration_codes")),
    sa.UniqueConstraint("code_sha256", name=op.f("uq_registration_codes_code_sha256"))
    )
    with op.batch_alter_table("registration_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_registration_codes_till_id"), ["till_id"], unique=False)

    op.create_table("sync_refusals",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("till_id", sa.Integer(), nullable=True),
    sa.Column("at", sa.DateTime(), nullable=False),
    sa.Column("kind", sa.String(length=24), nullable=False),
    sa.Column("detail", sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(["till_id"], ["tills.id"], name=op.f("fk_sync_refusals_till_id_tills")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_refusals"))
    )
    with op.batch_alter_table("tills", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name", sa.String(length=120), server_default="", nullable=False))
        batch_op.add_column(sa.Column("key_serial", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("key_sha256", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("key_registered_at", sa.DateTime(), nullable=True))
        batch_op.alter_column("origin_till_id",
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.alter_column("origin_store_id",
               existing_type=sa.INTEGER(),
               nullable=True)

    op.create_table("ho_till_balances",
    sa.Column("member_uuid", sa.String(length=36), nullable=False),
    sa.Column("till_id", sa.Integer(), nullable=False),
    sa.Column("ledger", sa.String(length=16), nullable=False),
    sa.Column("amount", sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint("member_uuid", "till_id", "ledger", name=op.f("pk_ho_till_balances"))
    )
    # Entries imported before this revision: their sums, and one 'balance' change per member
    # and till so that tills pull their balances at other tills (remote_sync left out).
    op.execute(
        "INSERT INTO ho_till_balances (member_uuid, till_id, ledger, amount) "
        "SELECT member_uuid, till_id, ledger, SUM(amount) FROM ho_ledger_entries "
        "WHERE kind <> 'remote_sync' GROUP BY member_uuid, till_id, ledger")
    utc_now = ("timezone('utc', now())" if op.get_bind().dialect.name == "postgresql"
               else "CURRENT_TIMESTAMP")  # naive UTC, as every time column holds
    op.execute(
        "INSERT INTO ho_changes (kind, key, origin_till_id, at) "
        f"SELECT DISTINCT 'balance', member_uuid, till_id, {utc_now} "
        "FROM ho_ledger_entries WHERE kind <> 'remote_sync'")


def downgrade() -> None:
    with op.batch_alter_table("tills", schema=None) as batch_op:
        batch_op.alter_column("origin_store_id",
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.alter_column("origin_till_id",
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column("key_registered_at")
        batch_op.drop_column("key_sha256")
        batch_op.drop_column("key_serial")
        batch_op.drop_column("name")

    op.drop_table("ho_till_balances")
    op.drop_table("sync_refusals")
    with op.batch_alter_table("registration_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registration_codes_till_id"))

    op.drop_table("registration_codes")
    with op.batch_alter_table("ho_sales", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ho_sales_till_id"))
        batch_op.drop_index(batch_op.f("ix_ho_sales_store_id"))
        batch_op.drop_index(batch_op.f("ix_ho_sales_member_uuid"))
        batch_op.drop_index(batch_op.f("ix_ho_sales_at"))

    op.drop_table("ho_sales")
    with op.batch_alter_table("ho_refunds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ho_refunds_sale_id"))
        batch_op.drop_index(batch_op.f("ix_ho_refunds_at"))

    op.drop_table("ho_refunds")
    op.drop_table("ho_messages")
    op.drop_table("ho_members")
    with op.batch_alter_table("ho_consents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ho_consents_member_uuid"))

    op.drop_table("ho_consents")
    with op.batch_alter_table("ho_cards", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ho_cards_member_uuid"))

    op.drop_table("ho_cards")
    op.drop_table("ho_tiers")
    op.drop_table("ho_settings")
    op.drop_table("ho_promotions")
    op.drop_table("ho_changes")
    op.drop_table("ho_agreements")
