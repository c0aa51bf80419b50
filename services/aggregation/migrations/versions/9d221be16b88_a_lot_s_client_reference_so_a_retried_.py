"""a lot's client reference, so a retried report gives the first lot back

Revision ID: 9d221be16b88
Revises: 1ab6119f3321
Create Date: 2026-11-23 05:43:51.303583

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "9d221be16b88"
down_revision: Union[str, Sequence[str], None] = "1ab6119f3321"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column("lots", sa.Column("client_ref", sa.String(length=100), nullable=True))
    op.create_index("uq_lots_quota_client_ref", "lots", ["quota_id", "client_ref"], unique=True)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("uq_lots_quota_client_ref", table_name="lots")
    op.drop_column("lots", "client_ref")
