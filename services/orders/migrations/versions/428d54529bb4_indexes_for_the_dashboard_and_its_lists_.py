"""indexes for the dashboard and its lists over a year of history

Revision ID: 428d54529bb4
Revises: 097407291929
Create Date: 2026-12-07 10:59:05.539085

"""

from typing import Sequence, Union

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "428d54529bb4"
down_revision: Union[str, Sequence[str], None] = "097407291929"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index("ix_orders_placed", ["placed_at"], unique=False)
        batch_op.create_index("ix_orders_status_placed", ["status", "placed_at"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_status_placed")
        batch_op.drop_index("ix_orders_placed")
