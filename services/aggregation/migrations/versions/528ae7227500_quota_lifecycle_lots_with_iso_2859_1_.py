"""quota lifecycle, lots with ISO 2859-1 inspections and switching states

Revision ID: 528ae7227500
Revises: b13a3566b31e
Create Date: 2026-11-23 04:06:10.559937

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = "528ae7227500"
down_revision: Union[str, Sequence[str], None] = "b13a3566b31e"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "inspections",
        sa.Column("lot_id", sa.String(length=64), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("producer_id", sa.String(length=64), nullable=False),
        sa.Column("offering_id", sa.String(length=64), nullable=False),
        sa.Column("inspector", sa.String(length=200), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("classes", sa.JSON(), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("inspected_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("lot_id", "attempt"),
    )
    op.create_index("ix_inspections_producer_offering", "inspections", ["producer_id", "offering_id"], unique=False)
    op.create_table(
        "lot_photos",
        sa.Column("lot_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("lot_id", "position"),
    )
    op.create_table(
        "switching_states",
        sa.Column("producer_id", sa.String(length=64), nullable=False),
        sa.Column("offering_id", sa.String(length=64), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("producer_id", "offering_id"),
    )
    op.add_column("lots", sa.Column("attempt", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("lots", sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("lots", sa.Column("disposition_reason", sa.Text(), nullable=True))
    op.create_index(op.f("ix_lots_line_id"), "lots", ["line_id"], unique=False)
    op.drop_column("lots", "defects")
    op.drop_column("lots", "acceptance_number")
    op.drop_column("lots", "sample_size")
    op.drop_column("lots", "inspected_at")
    op.drop_column("lots", "inspector")
    op.add_column("order_lines", sa.Column("needed_by", sa.Date(), nullable=True))
    op.execute("UPDATE order_lines SET needed_by = due_date")
    with op.batch_alter_table("order_lines") as batch:
        batch.alter_column("needed_by", existing_type=sa.Date(), nullable=False)
    op.add_column("order_lines", sa.Column("ask_again", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("order_lines", sa.Column("cancelled", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("order_lines", sa.Column("shortfall_reported", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("quotas", sa.Column("offered_quantity", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("quotas", sa.Column("reason", sa.Text(), nullable=True))
    op.execute("UPDATE quotas SET offered_quantity = quantity")
    op.execute("UPDATE lots SET attempt = 1")
    op.create_index(op.f("ix_quotas_status"), "quotas", ["status"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f("ix_quotas_status"), table_name="quotas")
    op.drop_column("quotas", "reason")
    op.drop_column("quotas", "offered_quantity")
    op.drop_column("order_lines", "shortfall_reported")
    op.drop_column("order_lines", "cancelled")
    op.drop_column("order_lines", "ask_again")
    op.drop_column("order_lines", "needed_by")
    op.add_column("lots", sa.Column("inspector", sa.VARCHAR(length=200), autoincrement=False, nullable=True))
    op.add_column(
        "lots", sa.Column("inspected_at", postgresql.TIMESTAMP(timezone=True), autoincrement=False, nullable=True)
    )
    op.add_column("lots", sa.Column("sample_size", sa.INTEGER(), autoincrement=False, nullable=True))
    op.add_column("lots", sa.Column("acceptance_number", sa.INTEGER(), autoincrement=False, nullable=True))
    op.add_column("lots", sa.Column("defects", sa.INTEGER(), autoincrement=False, nullable=True))
    op.drop_index(op.f("ix_lots_line_id"), table_name="lots")
    op.drop_column("lots", "disposition_reason")
    op.drop_column("lots", "decided_at")
    op.drop_column("lots", "attempt")
    op.drop_table("switching_states")
    op.drop_table("lot_photos")
    op.drop_index("ix_inspections_producer_offering", table_name="inspections")
    op.drop_table("inspections")
