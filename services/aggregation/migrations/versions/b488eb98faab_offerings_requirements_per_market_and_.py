"""Offerings' requirements per market and the country an order line ships to

Revision ID: b488eb98faab
Revises: c89a8a320a88
Create Date: 2026-12-06 20:40:20.162648

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "b488eb98faab"
down_revision: Union[str, Sequence[str], None] = "c89a8a320a88"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("offerings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("markets", sa.JSON(), server_default="[]", nullable=False))

    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("destination_country", sa.String(length=2), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.drop_column("destination_country")

    with op.batch_alter_table("offerings", schema=None) as batch_op:
        batch_op.drop_column("markets")
