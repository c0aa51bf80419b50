"""an offering's fair-trade premium per unit

Revision ID: b6fa416cfdc0
Revises: 1d6b5e91cad0
Create Date: 2026-12-06 17:56:48.128288

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "b6fa416cfdc0"
down_revision: Union[str, Sequence[str], None] = "1d6b5e91cad0"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("offerings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("fair_trade_premium", sa.Numeric(precision=12, scale=2), server_default="0", nullable=False)
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("offerings", schema=None) as batch_op:
        batch_op.drop_column("fair_trade_premium")
