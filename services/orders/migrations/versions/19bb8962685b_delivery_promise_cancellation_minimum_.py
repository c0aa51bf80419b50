"""delivery promise, cancellation, minimum order

Revision ID: 19bb8962685b
Revises: b2ed111b32cf
Create Date: 2026-11-23 04:07:06.652191

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "19bb8962685b"
down_revision: Union[str, Sequence[str], None] = "b2ed111b32cf"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column("offerings", sa.Column("min_order", sa.Integer(), nullable=False, server_default="1"))
    op.add_column("orders", sa.Column("promised_date", sa.Date(), nullable=True))
    op.add_column("orders", sa.Column("cancel_reason", sa.String(length=500), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column("orders", "cancel_reason")
    op.drop_column("orders", "promised_date")
    op.drop_column("offerings", "min_order")
