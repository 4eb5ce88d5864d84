"""index members.merged_into_id (history, tiers and refunds follow merges on every sale)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 21:30:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_members_merged_into_id"), "members", ["merged_into_id"],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_members_merged_into_id"), table_name="members")
