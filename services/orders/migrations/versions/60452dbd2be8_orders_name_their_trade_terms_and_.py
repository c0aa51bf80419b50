"""orders name their trade terms and currency, at a recorded exchange rate

Revision ID: 60452dbd2be8
Revises: c5b7242f96a4
Create Date: 2026-12-06 20:40:12.021963

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "60452dbd2be8"
down_revision: Union[str, Sequence[str], None] = "c5b7242f96a4"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "exchange_rates",
        sa.Column("rate_id", sa.String(length=64), nullable=False),
        sa.Column("organisation_id", sa.String(length=64), nullable=False),
        sa.Column("base_currency", sa.String(length=3), nullable=False),
        sa.Column("quote_currency", sa.String(length=3), nullable=False),
        sa.Column("rate", sa.Numeric(precision=18, scale=8), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("rate_id"),
    )
    with op.batch_alter_table("exchange_rates", schema=None) as batch_op:
        batch_op.create_index(
            "ix_exchange_rates_pair", ["organisation_id", "base_currency", "quote_currency", "valid_from"], unique=False
        )
        batch_op.create_index("ix_exchange_rates_recorded", ["organisation_id", "recorded_at"], unique=False)

    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.alter_column(
            "unit_price",
            existing_type=sa.NUMERIC(precision=12, scale=2),
            type_=sa.Numeric(precision=16, scale=4),
            existing_nullable=False,
        )

    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("incoterm", sa.String(length=3), nullable=True))
        batch_op.add_column(sa.Column("named_place", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("transport_mode", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("exchange_rate_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("exchange_base_currency", sa.String(length=3), nullable=True))
        batch_op.add_column(sa.Column("exchange_rate", sa.Numeric(precision=18, scale=8), nullable=True))
        batch_op.add_column(sa.Column("exchange_rate_date", sa.Date(), nullable=True))
        batch_op.alter_column(
            "total",
            existing_type=sa.NUMERIC(precision=14, scale=2),
            type_=sa.Numeric(precision=20, scale=4),
            existing_nullable=False,
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.alter_column(
            "total",
            existing_type=sa.Numeric(precision=20, scale=4),
            type_=sa.NUMERIC(precision=14, scale=2),
            existing_nullable=False,
        )
        batch_op.drop_column("exchange_rate_date")
        batch_op.drop_column("exchange_rate")
        batch_op.drop_column("exchange_base_currency")
        batch_op.drop_column("exchange_rate_id")
        batch_op.drop_column("transport_mode")
        batch_op.drop_column("named_place")
        batch_op.drop_column("incoterm")

    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.alter_column(
            "unit_price",
            existing_type=sa.Numeric(precision=16, scale=4),
            type_=sa.NUMERIC(precision=12, scale=2),
            existing_nullable=False,
        )

    with op.batch_alter_table("exchange_rates", schema=None) as batch_op:
        batch_op.drop_index("ix_exchange_rates_recorded")
        batch_op.drop_index("ix_exchange_rates_pair")

    op.drop_table("exchange_rates")
