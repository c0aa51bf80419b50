"""a shipment's buyers by organisation: a buyer sees its own part of a shared shipment

Orders recorded before this revision have no buyer organisation, so their buyers do not see their shipments.

Revision ID: d96fb6a368d2
Revises: 7d09eb4a71f0
Create Date: 2026-12-06 09:31:21.232251

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "d96fb6a368d2"
down_revision: Union[str, Sequence[str], None] = "7d09eb4a71f0"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("order_destinations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("buyer_organisation_id", sa.String(length=64), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_order_destinations_buyer_organisation_id"), ["buyer_organisation_id"], unique=False
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("order_destinations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_destinations_buyer_organisation_id"))
        batch_op.drop_column("buyer_organisation_id")
