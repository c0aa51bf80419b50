"""initial schema

Revision ID: 2b0da8a2d30d
Revises:
Create Date: 2026-11-23 03:09:28.800072

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "2b0da8a2d30d"
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "capacities",
        sa.Column("producer_id", sa.String(length=64), nullable=False),
        sa.Column("offering_id", sa.String(length=64), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("declared_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("producer_id", "offering_id"),
    )
    op.create_table(
        "inbox",
        sa.Column("consumer", sa.String(length=200), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("consumer", "event_id"),
    )
    op.create_table(
        "lots",
        sa.Column("lot_id", sa.String(length=64), nullable=False),
        sa.Column("quota_id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("line_id", sa.String(length=64), nullable=False),
        sa.Column("offering_id", sa.String(length=64), nullable=False),
        sa.Column("producer_id", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("inspected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("inspector", sa.String(length=200), nullable=True),
        sa.Column("sample_size", sa.Integer(), nullable=True),
        sa.Column("defects", sa.Integer(), nullable=True),
        sa.Column("acceptance_number", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("lot_id"),
    )
    with op.batch_alter_table("lots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lots_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_lots_producer_id"), ["producer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_lots_quota_id"), ["quota_id"], unique=False)

    op.create_table(
        "offerings",
        sa.Column("offering_id", sa.String(length=64), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("offering_id"),
    )
    op.create_table(
        "order_lines",
        sa.Column("line_id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("offering_id", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("line_id"),
    )
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_lines_order_id"), ["order_id"], unique=False)

    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("correlation_id", sa.String(length=64), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"),
    )
    op.create_table(
        "quotas",
        sa.Column("quota_id", sa.String(length=64), nullable=False),
        sa.Column("ref", sa.String(length=12), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("line_id", sa.String(length=64), nullable=False),
        sa.Column("offering_id", sa.String(length=64), nullable=False),
        sa.Column("producer_id", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reallocated", sa.Boolean(), nullable=False),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("respond_by", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("quota_id"),
        sa.UniqueConstraint("ref"),
    )
    with op.batch_alter_table("quotas", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quotas_line_id"), ["line_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_quotas_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_quotas_producer_id"), ["producer_id"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("quotas", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quotas_producer_id"))
        batch_op.drop_index(batch_op.f("ix_quotas_order_id"))
        batch_op.drop_index(batch_op.f("ix_quotas_line_id"))

    op.drop_table("quotas")
    op.drop_table("outbox")
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_lines_order_id"))

    op.drop_table("order_lines")
    op.drop_table("offerings")
    with op.batch_alter_table("lots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lots_quota_id"))
        batch_op.drop_index(batch_op.f("ix_lots_producer_id"))
        batch_op.drop_index(batch_op.f("ix_lots_order_id"))

    op.drop_table("lots")
    op.drop_table("inbox")
    op.drop_table("capacities")
