"""orders and offerings belong to organisations

Revision ID: c71a7fa7c431
Revises: 19bb8962685b
Create Date: 2026-11-23 06:30:00.854707

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "c71a7fa7c431"
down_revision: Union[str, Sequence[str], None] = "19bb8962685b"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column("offerings", sa.Column("organisation_id", sa.String(length=64), server_default="", nullable=False))
    op.add_column("orders", sa.Column("buyer_organisation_id", sa.String(length=64), nullable=True))
    op.add_column("orders", sa.Column("organisation_id", sa.String(length=64), server_default="", nullable=False))
    op.create_index(op.f("ix_orders_buyer_organisation_id"), "orders", ["buyer_organisation_id"], unique=False)
    op.create_index(op.f("ix_orders_organisation_id"), "orders", ["organisation_id"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f("ix_orders_organisation_id"), table_name="orders")
    op.drop_index(op.f("ix_orders_buyer_organisation_id"), table_name="orders")
    op.drop_column("orders", "organisation_id")
    op.drop_column("orders", "buyer_organisation_id")
    op.drop_column("offerings", "organisation_id")
