"""weekly capacity, producer approvals, quota weeks

Revision ID: b13a3566b31e
Revises: 2b0da8a2d30d
Create Date: 2026-11-23 03:45:44.066232

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = "b13a3566b31e"
down_revision: Union[str, Sequence[str], None] = "2b0da8a2d30d"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# Rows that exist get the values a new row would have had.
QUALITY_STANDARD = '{"aql": {"major": 2.5}, "inspection_level": "II", "criteria": [], "rejected_lot_action": "rework", "min_pass_rate": 0.0}'


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "approved_producers",
        sa.Column("producer_id", sa.String(length=64), nullable=False),
        sa.Column("offering_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("producer_id", "offering_id"),
    )
    op.create_table(
        "capacity_weeks",
        sa.Column("producer_id", sa.String(length=64), nullable=False),
        sa.Column("offering_id", sa.String(length=64), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("lead_time_days", sa.Integer(), nullable=False),
        sa.Column("min_lot", sa.Integer(), nullable=False),
        sa.Column("declared_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("producer_id", "offering_id", "week_start"),
    )
    op.create_table(
        "producer_snapshots",
        sa.Column("producer_id", sa.String(length=64), nullable=False),
        sa.Column("organisation_id", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("producer_id"),
    )
    op.create_table(
        "quota_weeks",
        sa.Column("quota_id", sa.String(length=64), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("producer_id", sa.String(length=64), nullable=False),
        sa.Column("offering_id", sa.String(length=64), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("quota_id", "week_start"),
    )
    op.create_index(op.f("ix_quota_weeks_offering_id"), "quota_weeks", ["offering_id"], unique=False)
    op.create_index(op.f("ix_quota_weeks_producer_id"), "quota_weeks", ["producer_id"], unique=False)
    op.drop_table("capacities")
    op.add_column("offerings", sa.Column("organisation_id", sa.String(length=64), nullable=False, server_default=""))
    op.add_column(
        "offerings",
        sa.Column("quality_standard", sa.JSON(), nullable=False, server_default=sa.text("'" + QUALITY_STANDARD + "'")),
    )
    op.add_column("offerings", sa.Column("withdrawn", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column("offerings", "withdrawn")
    op.drop_column("offerings", "quality_standard")
    op.drop_column("offerings", "organisation_id")
    op.create_table(
        "capacities",
        sa.Column("producer_id", sa.VARCHAR(length=64), autoincrement=False, nullable=False),
        sa.Column("offering_id", sa.VARCHAR(length=64), autoincrement=False, nullable=False),
        sa.Column("units", sa.INTEGER(), autoincrement=False, nullable=False),
        sa.Column("declared_at", postgresql.TIMESTAMP(timezone=True), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("producer_id", "offering_id", name=op.f("capacities_pkey")),
    )
    op.drop_index(op.f("ix_quota_weeks_producer_id"), table_name="quota_weeks")
    op.drop_index(op.f("ix_quota_weeks_offering_id"), table_name="quota_weeks")
    op.drop_table("quota_weeks")
    op.drop_table("producer_snapshots")
    op.drop_table("capacity_weeks")
    op.drop_table("approved_producers")
