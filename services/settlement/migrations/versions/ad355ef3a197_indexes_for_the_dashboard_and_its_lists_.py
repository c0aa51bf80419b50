"""indexes for the dashboard and its lists over a year of history

Revision ID: ad355ef3a197
Revises: 4b232de820a7
Create Date: 2026-12-07 10:59:06.233262

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "ad355ef3a197"
down_revision: Union[str, Sequence[str], None] = "4b232de820a7"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("advances", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_advances_organisation_id"), ["organisation_id"], unique=False)

    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.create_index(
            "ix_documents_corrections",
            ["order_id", "corrects"],
            unique=False,
            postgresql_include=["total"],
            postgresql_where=sa.text("corrects IS NOT NULL"),
            sqlite_where=sa.text("corrects IS NOT NULL"),
        )
        batch_op.create_index(
            "ix_documents_invoices",
            ["order_id", "due_on", "issued_at", "number"],
            unique=False,
            postgresql_include=["total"],
            postgresql_where=sa.text("kind = 'invoice'"),
            sqlite_where=sa.text("kind = 'invoice'"),
        )

    with op.batch_alter_table("journal", schema=None) as batch_op:
        batch_op.create_index(
            "ix_journal_advance",
            ["advance_id"],
            unique=False,
            postgresql_include=["kind", "amount"],
            postgresql_where=sa.text("advance_id IS NOT NULL"),
            sqlite_where=sa.text("advance_id IS NOT NULL"),
        )
        batch_op.create_index(
            "ix_journal_earnings",
            ["producer_id", "currency", "entry_id"],
            unique=False,
            postgresql_include=["amount", "recorded_at"],
            postgresql_where=sa.text("kind = 'earning'"),
            sqlite_where=sa.text("kind = 'earning'"),
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("journal", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_journal_earnings",
            postgresql_include=["amount", "recorded_at"],
            postgresql_where=sa.text("kind = 'earning'"),
            sqlite_where=sa.text("kind = 'earning'"),
        )
        batch_op.drop_index(
            "ix_journal_advance",
            postgresql_include=["kind", "amount"],
            postgresql_where=sa.text("advance_id IS NOT NULL"),
            sqlite_where=sa.text("advance_id IS NOT NULL"),
        )

    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_documents_invoices",
            postgresql_include=["total"],
            postgresql_where=sa.text("kind = 'invoice'"),
            sqlite_where=sa.text("kind = 'invoice'"),
        )
        batch_op.drop_index(
            "ix_documents_corrections",
            postgresql_include=["total"],
            postgresql_where=sa.text("corrects IS NOT NULL"),
            sqlite_where=sa.text("corrects IS NOT NULL"),
        )

    with op.batch_alter_table("advances", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_advances_organisation_id"))
