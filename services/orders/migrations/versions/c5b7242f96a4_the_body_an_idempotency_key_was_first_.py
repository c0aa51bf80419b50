"""the body an idempotency key was first sent with

Revision ID: c5b7242f96a4
Revises: c71a7fa7c431
Create Date: 2026-12-06 09:33:18.693434

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "c5b7242f96a4"
down_revision: Union[str, Sequence[str], None] = "c71a7fa7c431"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("idempotency_fingerprint", sa.String(length=64), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("idempotency_fingerprint")
