"""orders indexed by organisation and time placed, and lines short of capacity, for the weekly trends

Revision ID: 097407291929
Revises: 60452dbd2be8
Create Date: 2026-12-07 10:05:20.068525

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "097407291929"
down_revision: Union[str, Sequence[str], None] = "60452dbd2be8"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.create_index(
            "ix_order_lines_short",
            ["order_id"],
            unique=False,
            postgresql_where=sa.text("shortfall > 0"),
            sqlite_where=sa.text("shortfall > 0"),
        )

    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index("ix_orders_organisation_placed", ["organisation_id", "placed_at"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_organisation_placed")

    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_order_lines_short", postgresql_where=sa.text("shortfall > 0"), sqlite_where=sa.text("shortfall > 0")
        )
