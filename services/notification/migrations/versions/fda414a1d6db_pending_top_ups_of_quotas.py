"""pending top-ups of quotas

Revision ID: fda414a1d6db
Revises: 06cf12dc9e1c
Create Date: 2026-12-06 11:36:21.287728

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "fda414a1d6db"
down_revision: Union[str, Sequence[str], None] = "06cf12dc9e1c"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column("quotas", sa.Column("top_up", sa.Integer(), nullable=True))
    op.add_column("quotas", sa.Column("top_up_base", sa.Integer(), nullable=True))
    op.add_column("quotas", sa.Column("top_up_offered_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("quotas", sa.Column("top_up_answered_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column("quotas", "top_up_answered_at")
    op.drop_column("quotas", "top_up_offered_at")
    op.drop_column("quotas", "top_up_base")
    op.drop_column("quotas", "top_up")
