"""usernames are one whatever their case: a unique index on the lower-cased name

A database that already holds two names differing only in case stops here: rename one of them first.

Revision ID: 5c15bb44e358
Revises: 2e84e83cac70
Create Date: 2026-12-06 09:33:43.346069

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "5c15bb44e358"
down_revision: Union[str, Sequence[str], None] = "2e84e83cac70"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_index("ix_users_username_folded", "users", [sa.text("lower(username)")], unique=True)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_users_username_folded", table_name="users")
