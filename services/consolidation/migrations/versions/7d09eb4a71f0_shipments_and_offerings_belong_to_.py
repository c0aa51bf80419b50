"""shipments and offerings belong to organisations

Revision ID: 7d09eb4a71f0
Revises: ccbff534fdbf
Create Date: 2026-11-23 06:30:03.554445

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "7d09eb4a71f0"
down_revision: Union[str, Sequence[str], None] = "ccbff534fdbf"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column("offerings", sa.Column("organisation_id", sa.String(length=64), server_default="", nullable=False))
    op.add_column("shipments", sa.Column("organisation_id", sa.String(length=64), server_default="", nullable=False))
    op.create_index(op.f("ix_shipments_organisation_id"), "shipments", ["organisation_id"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f("ix_shipments_organisation_id"), table_name="shipments")
    op.drop_column("shipments", "organisation_id")
    op.drop_column("offerings", "organisation_id")
