"""remote balances: head office's last figure per member and ledger, and what is outstanding

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 00:30:00
"""
import re
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# the reason sync/apply.py has written on every remote_sync entry since sync began
_FIGURE = re.compile(r"^(?:points|stored value) at other tills: (-?\d+)(?:;|$)")


def upgrade() -> None:
    op.create_table(
        "remote_balances",
        sa.Column("member_uuid", sa.String(length=36), nullable=False),
        sa.Column("ledger", sa.String(length=16), nullable=False),
        sa.Column("elsewhere", sa.Integer(), nullable=False),
        sa.Column("outstanding", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["member_uuid"], ["members.uuid"],
                                name=op.f("fk_remote_balances_member_uuid_members")),
        sa.PrimaryKeyConstraint("member_uuid", "ledger", name=op.f("pk_remote_balances")),
    )
    with op.batch_alter_table("remote_balances", schema=None) as batch_op:
        batch_op.create_index("ix_remote_balances_outstanding", ["member_uuid"], unique=False,
                              sqlite_where=sa.text("outstanding != 0"))
    _from_the_ledger()


def _from_the_ledger() -> None:
    """Head office's last figure per member and ledger is in the reason of the member's
    newest remote_sync entry: so a debit left outstanding before this upgrade is taken at the
    next pull too, not only when head office sends the member again."""
    connection = op.get_bind()
    newest = connection.execute(sa.text("""
        SELECT e.member_uuid, e.ledger, e.reason, totals.total FROM ledger_entries e
        JOIN (SELECT member_uuid, ledger, MAX(till_id * 4294967296 + seq) AS last,
                     SUM(amount) AS total
              FROM ledger_entries WHERE kind = 'remote_sync'
              GROUP BY member_uuid, ledger) totals
          ON totals.member_uuid = e.member_uuid AND totals.ledger = e.ledger
         AND e.till_id * 4294967296 + e.seq = totals.last""")).all()
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")  # as SQLAlchemy stores it
    rows = []
    for member_uuid, ledger, reason, total in newest:
        found = _FIGURE.match(reason or "")
        if found is not None:
            elsewhere = int(found.group(1))
            rows.append({"member_uuid": member_uuid, "ledger": ledger, "elsewhere": elsewhere,
                         "outstanding": elsewhere - int(total), "updated_at": now})
    if rows:
        connection.execute(sa.text(
            "INSERT INTO remote_balances (member_uuid, ledger, elsewhere, outstanding, "
            "updated_at) VALUES (:member_uuid, :ledger, :elsewhere, :outstanding, :updated_at)"),
            rows)


def downgrade() -> None:
    with op.batch_alter_table("remote_balances", schema=None) as batch_op:
        batch_op.drop_index("ix_remote_balances_outstanding",
                            sqlite_where=sa.text("outstanding != 0"))
    op.drop_table("remote_balances")
