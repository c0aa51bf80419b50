"""initial schema

Revision ID: a1bb7d9db94f
Revises:
Create Date: 2026-11-23 03:09:29.333609

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "a1bb7d9db94f"
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "inbox",
        sa.Column("consumer", sa.String(length=200), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("consumer", "event_id"),
    )
    op.create_table(
        "order_destinations",
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("buyer_name", sa.String(length=200), nullable=False),
        sa.Column("destination", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("order_id"),
    )
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
        "ready_lots",
        sa.Column("lot_id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("line_id", sa.String(length=64), nullable=False),
        sa.Column("producer_id", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("passed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("shipment_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("lot_id"),
    )
    with op.batch_alter_table("ready_lots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ready_lots_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ready_lots_shipment_id"), ["shipment_id"], unique=False)

    op.create_table(
        "shipments",
        sa.Column("shipment_id", sa.String(length=64), nullable=False),
        sa.Column("destination", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("planned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("shipment_id"),
    )
    op.create_table(
        "shipment_lots",
        sa.Column("lot_id", sa.String(length=64), nullable=False),
        sa.Column("shipment_id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("line_id", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["shipment_id"], ["shipments.shipment_id"]),
        sa.PrimaryKeyConstraint("lot_id"),
    )
    with op.batch_alter_table("shipment_lots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shipment_lots_shipment_id"), ["shipment_id"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("shipment_lots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shipment_lots_shipment_id"))

    op.drop_table("shipment_lots")
    op.drop_table("shipments")
    with op.batch_alter_table("ready_lots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ready_lots_shipment_id"))
        batch_op.drop_index(batch_op.f("ix_ready_lots_order_id"))

    op.drop_table("ready_lots")
    op.drop_table("outbox")
    op.drop_table("order_destinations")
    op.drop_table("inbox")
