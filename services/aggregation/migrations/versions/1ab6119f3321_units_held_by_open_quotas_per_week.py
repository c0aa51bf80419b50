"""units held by open quotas, per week

Revision ID: 1ab6119f3321
Revises: 528ae7227500
Create Date: 2026-11-23 05:15:09.188034

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "1ab6119f3321"
down_revision: Union[str, Sequence[str], None] = "528ae7227500"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column("capacity_weeks", sa.Column("held", sa.Integer(), nullable=False, server_default="0"))
    # Weeks declared before hold what the open quotas already use.
    op.execute("""
        UPDATE capacity_weeks SET held = COALESCE((
            SELECT SUM(quota_weeks.units) FROM quota_weeks JOIN quotas ON quotas.quota_id = quota_weeks.quota_id
            WHERE quotas.status IN ('offered', 'accepted')
              AND quota_weeks.producer_id = capacity_weeks.producer_id
              AND quota_weeks.offering_id = capacity_weeks.offering_id
              AND quota_weeks.week_start = capacity_weeks.week_start), 0)
    """)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column("capacity_weeks", "held")
