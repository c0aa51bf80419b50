"""quotas and inspections indexed by time answered and inspected, for the weekly trends

Revision ID: 116156d84986
Revises: b488eb98faab
Create Date: 2026-12-07 10:02:57.371333

"""

from typing import Sequence, Union

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "116156d84986"
down_revision: Union[str, Sequence[str], None] = "b488eb98faab"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inspections_inspected", ["inspected_at"], unique=False, postgresql_include=["attempt", "passed"]
        )
        batch_op.create_index(
            "ix_inspections_offering_inspected",
            ["offering_id", "inspected_at"],
            unique=False,
            postgresql_include=["attempt", "passed"],
        )

    with op.batch_alter_table("quotas", schema=None) as batch_op:
        batch_op.create_index(
            "ix_quotas_answered", ["answered_at"], unique=False, postgresql_include=["offered_at", "status"]
        )
        batch_op.create_index(
            "ix_quotas_offering_answered",
            ["offering_id", "answered_at"],
            unique=False,
            postgresql_include=["offered_at", "status"],
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("quotas", schema=None) as batch_op:
        batch_op.drop_index("ix_quotas_offering_answered", postgresql_include=["offered_at", "status"])
        batch_op.drop_index("ix_quotas_answered", postgresql_include=["offered_at", "status"])

    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.drop_index("ix_inspections_offering_inspected", postgresql_include=["attempt", "passed"])
        batch_op.drop_index("ix_inspections_inspected", postgresql_include=["attempt", "passed"])
