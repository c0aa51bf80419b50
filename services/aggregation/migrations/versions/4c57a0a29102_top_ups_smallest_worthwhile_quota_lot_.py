"""Top-ups, smallest worthwhile quota, lot shipping

Revision ID: 4c57a0a29102
Revises: 9d221be16b88
Create Date: 2026-12-06 11:35:50.985359

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "4c57a0a29102"
down_revision: Union[str, Sequence[str], None] = "9d221be16b88"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "top_up_weeks",
        sa.Column("top_up_id", sa.String(length=64), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("top_up_id", "week_start"),
    )
    op.create_table(
        "top_ups",
        sa.Column("top_up_id", sa.String(length=64), nullable=False),
        sa.Column("quota_id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("line_id", sa.String(length=64), nullable=False),
        sa.Column("offering_id", sa.String(length=64), nullable=False),
        sa.Column("producer_id", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("respond_by", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("top_up_id"),
    )
    with op.batch_alter_table("top_ups", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_top_ups_line_id"), ["line_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_top_ups_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_top_ups_producer_id"), ["producer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_top_ups_quota_id"), ["quota_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_top_ups_status"), ["status"], unique=False)

    with op.batch_alter_table("lots", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shipped_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("offerings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("min_quota", sa.Integer(), server_default="1", nullable=False))

    with op.batch_alter_table("quotas", schema=None) as batch_op:
        batch_op.add_column(sa.Column("given_back", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("quotas", schema=None) as batch_op:
        batch_op.drop_column("given_back")

    with op.batch_alter_table("offerings", schema=None) as batch_op:
        batch_op.drop_column("min_quota")

    with op.batch_alter_table("lots", schema=None) as batch_op:
        batch_op.drop_column("delivered_at")
        batch_op.drop_column("shipped_at")

    with op.batch_alter_table("top_ups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_top_ups_status"))
        batch_op.drop_index(batch_op.f("ix_top_ups_quota_id"))
        batch_op.drop_index(batch_op.f("ix_top_ups_producer_id"))
        batch_op.drop_index(batch_op.f("ix_top_ups_order_id"))
        batch_op.drop_index(batch_op.f("ix_top_ups_line_id"))

    op.drop_table("top_ups")
    op.drop_table("top_up_weeks")
