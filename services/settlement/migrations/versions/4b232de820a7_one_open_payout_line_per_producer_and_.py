"""one open payout line per producer and currency

Revision ID: 4b232de820a7
Revises: 1ece514441a8
Create Date: 2026-12-07 00:14:07.818385

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "4b232de820a7"
down_revision: Union[str, Sequence[str], None] = "1ece514441a8"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("payout_lines", schema=None) as batch_op:
        batch_op.create_index(
            "uq_payout_lines_one_open_per_producer",
            ["organisation_id", "producer_id", "currency"],
            unique=True,
            postgresql_where=sa.text("status IN ('draft', 'approved', 'sending', 'failed')"),
            sqlite_where=sa.text("status IN ('draft', 'approved', 'sending', 'failed')"),
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("payout_lines", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_payout_lines_one_open_per_producer",
            postgresql_where=sa.text("status IN ('draft', 'approved', 'sending', 'failed')"),
            sqlite_where=sa.text("status IN ('draft', 'approved', 'sending', 'failed')"),
        )
