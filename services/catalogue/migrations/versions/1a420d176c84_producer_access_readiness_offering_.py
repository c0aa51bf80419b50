"""producer access, readiness, offering standards and images, approvals, weekly capacity and profiles, commitments, themes

Revision ID: 1a420d176c84
Revises: e73ded77584e
Create Date: 2026-11-23 03:52:56.786626

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = "1a420d176c84"
down_revision: Union[str, Sequence[str], None] = "e73ded77584e"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# Rows that exist get the values a new row would have had.
QUALITY_STANDARD = '{"aql": {"major": 2.5}, "inspection_level": "II", "criteria": [], "rejected_lot_action": "rework", "min_pass_rate": 0.0}'
EMPTY_LIST = sa.text("'[]'")
NOW = sa.text("CURRENT_TIMESTAMP")


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "capacity_profiles",
        sa.Column("offering_id", sa.String(length=64), nullable=False),
        sa.Column("producer_id", sa.String(length=64), nullable=False),
        sa.Column("approved", sa.Boolean(), nullable=False),
        sa.Column("lead_time_days", sa.Integer(), nullable=False),
        sa.Column("first_day", sa.Integer(), nullable=False),
        sa.Column("weeks", sa.Integer(), nullable=False),
        sa.Column("cumulative_free", postgresql.ARRAY(sa.Integer()).with_variant(sa.JSON(), "sqlite"), nullable=False),
        sa.PrimaryKeyConstraint("offering_id", "producer_id"),
    )
    op.create_index(
        "ix_capacity_profiles_approved",
        "capacity_profiles",
        ["offering_id"],
        unique=False,
        postgresql_where=sa.text("approved"),
    )
    op.create_table(
        "commitments",
        sa.Column("quota_id", sa.String(length=64), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("producer_id", sa.String(length=64), nullable=False),
        sa.Column("offering_id", sa.String(length=64), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("quota_id", "week_start"),
    )
    op.create_table(
        "released_quotas",
        sa.Column("quota_id", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("quota_id"),
    )
    op.create_table(
        "themes",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("organisation_id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("arrange_by", sa.String(length=16), nullable=False),
        sa.Column("selection", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "approvals",
        sa.Column("offering_id", sa.String(length=64), nullable=False),
        sa.Column("producer_id", sa.String(length=64), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["offering_id"], ["offerings.offering_id"]),
        sa.ForeignKeyConstraint(["producer_id"], ["producers.producer_id"]),
        sa.PrimaryKeyConstraint("offering_id", "producer_id"),
    )
    op.create_index("ix_approvals_producer", "approvals", ["producer_id"], unique=False)
    op.create_table(
        "capacity_weeks",
        sa.Column("producer_id", sa.String(length=64), nullable=False),
        sa.Column("offering_id", sa.String(length=64), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("committed", sa.Integer(), nullable=False),
        sa.Column("lead_time_days", sa.Integer(), nullable=False),
        sa.Column("min_lot", sa.Integer(), nullable=False),
        sa.Column("order_by", sa.Date(), nullable=False),
        sa.Column("declared_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["offering_id"], ["offerings.offering_id"]),
        sa.ForeignKeyConstraint(["producer_id"], ["producers.producer_id"]),
        sa.PrimaryKeyConstraint("producer_id", "offering_id", "week_start"),
    )
    op.create_index("ix_capacity_weeks_offering_week", "capacity_weeks", ["offering_id", "week_start"], unique=False)
    op.create_table(
        "offering_images",
        sa.Column("offering_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["offering_id"], ["offerings.offering_id"]),
        sa.PrimaryKeyConstraint("offering_id", "position"),
    )
    op.create_table(
        "readiness",
        sa.Column("producer_id", sa.String(length=64), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("assessed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["producer_id"], ["producers.producer_id"]),
        sa.PrimaryKeyConstraint("producer_id"),
    )
    op.drop_table("capacities")
    op.add_column(
        "offerings",
        sa.Column("quality_standard", sa.JSON(), nullable=False, server_default=sa.text("'" + QUALITY_STANDARD + "'")),
    )
    op.add_column("offerings", sa.Column("min_order", sa.Integer(), nullable=False, server_default="1"))
    op.add_column("offerings", sa.Column("status", sa.String(length=16), nullable=False, server_default="published"))
    op.add_column("offerings", sa.Column("withdrawn_reason", sa.Text(), nullable=True))
    op.add_column("offerings", sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW))
    op.add_column("producers", sa.Column("closed_months", sa.JSON(), nullable=False, server_default=EMPTY_LIST))
    op.add_column("producers", sa.Column("service_weekdays", sa.JSON(), nullable=False, server_default=EMPTY_LIST))
    op.add_column("producers", sa.Column("webhook_url", sa.String(length=500), nullable=True))
    op.add_column("producers", sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW))
    op.create_index(op.f("ix_producers_region"), "producers", ["region"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f("ix_producers_region"), table_name="producers")
    op.drop_column("producers", "updated_at")
    op.drop_column("producers", "webhook_url")
    op.drop_column("producers", "service_weekdays")
    op.drop_column("producers", "closed_months")
    op.drop_column("offerings", "updated_at")
    op.drop_column("offerings", "withdrawn_reason")
    op.drop_column("offerings", "status")
    op.drop_column("offerings", "min_order")
    op.drop_column("offerings", "quality_standard")
    op.create_table(
        "capacities",
        sa.Column("producer_id", sa.VARCHAR(length=64), autoincrement=False, nullable=False),
        sa.Column("offering_id", sa.VARCHAR(length=64), autoincrement=False, nullable=False),
        sa.Column("units", sa.INTEGER(), autoincrement=False, nullable=False),
        sa.Column("declared_at", postgresql.TIMESTAMP(timezone=True), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("producer_id", "offering_id", name=op.f("capacities_pkey")),
    )
    op.drop_table("readiness")
    op.drop_table("offering_images")
    op.drop_index("ix_capacity_weeks_offering_week", table_name="capacity_weeks")
    op.drop_table("capacity_weeks")
    op.drop_index("ix_approvals_producer", table_name="approvals")
    op.drop_table("approvals")
    op.drop_table("themes")
    op.drop_table("released_quotas")
    op.drop_table("commitments")
    op.drop_index("ix_capacity_profiles_approved", table_name="capacity_profiles", postgresql_where=sa.text("approved"))
    op.drop_table("capacity_profiles")
