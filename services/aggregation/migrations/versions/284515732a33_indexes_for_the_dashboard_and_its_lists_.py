"""indexes for the dashboard and its lists over a year of history

Revision ID: 284515732a33
Revises: 116156d84986
Create Date: 2026-12-07 10:59:04.877361

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "284515732a33"
down_revision: Union[str, Sequence[str], None] = "116156d84986"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("capacity_weeks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_capacity_weeks_offering_week",
            ["offering_id", "week_start"],
            unique=False,
            postgresql_include=["producer_id", "units", "held"],
        )
        batch_op.create_index(
            "ix_capacity_weeks_week",
            ["week_start"],
            unique=False,
            postgresql_include=["offering_id", "producer_id", "units", "held"],
        )

    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inspections_first_by_offering",
            ["offering_id", "producer_id"],
            unique=False,
            postgresql_include=["passed"],
            postgresql_where=sa.text("attempt = 1"),
            sqlite_where=sa.text("attempt = 1"),
        )

    with op.batch_alter_table("lots", schema=None) as batch_op:
        batch_op.create_index("ix_lots_offering_status", ["offering_id", "status"], unique=False)
        batch_op.create_index(
            "ix_lots_reported", ["reported_at", "lot_id"], unique=False, postgresql_include=["offering_id"]
        )
        batch_op.create_index(
            "ix_lots_status_reported",
            ["status", "reported_at", "lot_id"],
            unique=False,
            postgresql_include=["offering_id"],
        )

    with op.batch_alter_table("quotas", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quotas_status"))
        batch_op.create_index(
            "ix_quotas_offered", ["offered_at", "quota_id"], unique=False, postgresql_include=["offering_id"]
        )
        batch_op.create_index(
            "ix_quotas_status_offered",
            ["status", "offered_at", "quota_id"],
            unique=False,
            postgresql_include=["offering_id"],
        )
        batch_op.create_index(
            "ix_quotas_offering_offered",
            ["offering_id", "offered_at"],
            unique=False,
            postgresql_include=["producer_id", "offered_quantity"],
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("quotas", schema=None) as batch_op:
        batch_op.drop_index("ix_quotas_offering_offered", postgresql_include=["producer_id", "offered_quantity"])
        batch_op.drop_index("ix_quotas_status_offered", postgresql_include=["offering_id"])
        batch_op.drop_index("ix_quotas_offered", postgresql_include=["offering_id"])
        batch_op.create_index(batch_op.f("ix_quotas_status"), ["status"], unique=False)

    with op.batch_alter_table("lots", schema=None) as batch_op:
        batch_op.drop_index("ix_lots_status_reported", postgresql_include=["offering_id"])
        batch_op.drop_index("ix_lots_reported", postgresql_include=["offering_id"])
        batch_op.drop_index("ix_lots_offering_status")

    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_inspections_first_by_offering",
            postgresql_include=["passed"],
            postgresql_where=sa.text("attempt = 1"),
            sqlite_where=sa.text("attempt = 1"),
        )

    with op.batch_alter_table("capacity_weeks", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_capacity_weeks_week", postgresql_include=["offering_id", "producer_id", "units", "held"]
        )
        batch_op.drop_index("ix_capacity_weeks_offering_week", postgresql_include=["producer_id", "units", "held"])
