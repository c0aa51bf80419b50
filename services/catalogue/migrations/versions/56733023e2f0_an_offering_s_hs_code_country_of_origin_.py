"""An offering's HS code, country of origin and requirements per destination market

Revision ID: 56733023e2f0
Revises: b6fa416cfdc0
Create Date: 2026-12-06 20:40:18.814325

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "56733023e2f0"
down_revision: Union[str, Sequence[str], None] = "b6fa416cfdc0"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("offerings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hs_code", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("origin_country", sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column("markets", sa.JSON(), server_default="[]", nullable=False))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("offerings", schema=None) as batch_op:
        batch_op.drop_column("markets")
        batch_op.drop_column("origin_country")
        batch_op.drop_column("hs_code")
