"""handset delivery reports

Revision ID: 3a75718c89b8
Revises: fda414a1d6db
Create Date: 2026-12-07

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "3a75718c89b8"
down_revision: Union[str, Sequence[str], None] = "fda414a1d6db"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "handset_reports",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("notification_id", sa.String(length=64), nullable=False),
        sa.Column("transport", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.String(length=300), server_default="", nullable=False),
        sa.Column("applied", sa.Boolean(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("handset_reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_handset_reports_notification_id"), ["notification_id"], unique=False)

    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("handset_status", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("handset_detail", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("handset_reported_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_deliveries_provider_id", ["provider_id"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_deliveries_provider_id")
        batch_op.drop_column("handset_reported_at")
        batch_op.drop_column("handset_detail")
        batch_op.drop_column("handset_status")

    with op.batch_alter_table("handset_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handset_reports_notification_id"))

    op.drop_table("handset_reports")
