"""piece rates and producer prices for the cost policy

Revision ID: c89a8a320a88
Revises: efb0db10d0d4
Create Date: 2026-12-06 18:08:43.237336

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "c89a8a320a88"
down_revision: Union[str, Sequence[str], None] = "efb0db10d0d4"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "piece_rates",
        sa.Column("producer_id", sa.String(length=64), nullable=False),
        sa.Column("offering_id", sa.String(length=64), nullable=False),
        sa.Column("rate", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("producer_id", "offering_id"),
    )
    with op.batch_alter_table("offerings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("producer_price", sa.Numeric(precision=12, scale=2), server_default="0", nullable=False)
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("offerings", schema=None) as batch_op:
        batch_op.drop_column("producer_price")

    op.drop_table("piece_rates")
