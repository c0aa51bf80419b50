"""The smallest quota worth offering of each offering

Revision ID: 1d6b5e91cad0
Revises: 1a420d176c84
Create Date: 2026-12-06 11:37:29.071199

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "1d6b5e91cad0"
down_revision: Union[str, Sequence[str], None] = "1a420d176c84"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("offerings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("min_quota", sa.Integer(), server_default="5", nullable=False))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("offerings", schema=None) as batch_op:
        batch_op.drop_column("min_quota")
