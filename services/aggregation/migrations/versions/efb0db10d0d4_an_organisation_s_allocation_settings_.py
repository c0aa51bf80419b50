"""An organisation's allocation settings: the fairness window

Revision ID: efb0db10d0d4
Revises: 4c57a0a29102
Create Date: 2026-12-06 11:58:30.354454

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "efb0db10d0d4"
down_revision: Union[str, Sequence[str], None] = "4c57a0a29102"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "allocation_settings",
        sa.Column("organisation_id", sa.String(length=64), nullable=False),
        sa.Column("fairness_window_weeks", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("organisation_id"),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("allocation_settings")
