"""trade documents, buyer accounts and claims

Revision ID: 1ece514441a8
Revises: 61dd0a2ba41f
Create Date: 2026-12-06 20:42:00.675981

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "1ece514441a8"
down_revision: Union[str, Sequence[str], None] = "61dd0a2ba41f"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "claims",
        sa.Column("claim_id", sa.String(length=64), nullable=False),
        sa.Column("organisation_id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("buyer_organisation_id", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decision_reason", sa.String(length=1000), nullable=True),
        sa.Column("credit_notes", sa.JSON(), nullable=True),
        sa.Column("claimed_by", sa.String(length=200), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("claim_id"),
    )
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claims_buyer_organisation_id"), ["buyer_organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_claims_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_claims_organisation_id"), ["organisation_id"], unique=False)

    op.create_table(
        "document_sequences",
        sa.Column("organisation_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("organisation_id", "kind", "year"),
    )
    op.create_table(
        "documents",
        sa.Column("document_id", sa.String(length=64), nullable=False),
        sa.Column("organisation_id", sa.String(length=64), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("cause", sa.String(length=200), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("shipment_id", sa.String(length=64), nullable=True),
        sa.Column("buyer_organisation_id", sa.String(length=64), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("goods", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("freight", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("tax_rate", sa.Numeric(precision=6, scale=4), nullable=False),
        sa.Column("tax", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("total", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("amount_due", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("corrects", sa.String(length=40), nullable=True),
        sa.Column("reason", sa.String(length=1000), nullable=True),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("issued_by", sa.String(length=200), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("document_id"),
        sa.UniqueConstraint("cause"),
        sa.UniqueConstraint("organisation_id", "number", name="uq_documents_organisation_number"),
    )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_documents_buyer_organisation_id"), ["buyer_organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_documents_order_id"), ["order_id"], unique=False)

    op.create_table(
        "freight_shares",
        sa.Column("shipment_id", sa.String(length=64), nullable=False),
        sa.Column("line_id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("pickup", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("main", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.PrimaryKeyConstraint("shipment_id", "line_id"),
    )
    op.create_table(
        "line_outcomes",
        sa.Column("line_id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("shortfall", sa.Integer(), nullable=False),
        sa.Column("shortfall_as_of", sa.DateTime(timezone=True), nullable=True),
        sa.Column("replaced", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("line_id"),
    )
    with op.batch_alter_table("line_outcomes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_line_outcomes_order_id"), ["order_id"], unique=False)

    op.create_table(
        "receipts",
        sa.Column("receipt_id", sa.String(length=64), nullable=False),
        sa.Column("organisation_id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("receipt_id"),
    )
    with op.batch_alter_table("receipts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_receipts_order_id"), ["order_id"], unique=False)

    op.create_table(
        "reminders",
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("week", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("order_id", "week"),
    )
    op.create_table(
        "sales",
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("organisation_id", sa.String(length=64), nullable=False),
        sa.Column("buyer_id", sa.String(length=64), nullable=False),
        sa.Column("buyer_name", sa.String(length=200), nullable=False),
        sa.Column("buyer_email", sa.String(length=200), nullable=True),
        sa.Column("buyer_organisation_id", sa.String(length=64), nullable=True),
        sa.Column("destination", sa.JSON(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("trade_terms", sa.JSON(), nullable=True),
        sa.Column("exchange_rate", sa.JSON(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("promised_date", sa.Date(), nullable=True),
        sa.Column("cancelled", sa.String(length=500), nullable=True),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("order_id"),
    )
    with op.batch_alter_table("sales", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sales_buyer_organisation_id"), ["buyer_organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sales_organisation_id"), ["organisation_id"], unique=False)

    op.create_table(
        "shipped_lots",
        sa.Column("lot_id", sa.String(length=64), nullable=False),
        sa.Column("shipment_id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("line_id", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("destination", sa.JSON(), nullable=False),
        sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("lot_id"),
    )
    with op.batch_alter_table("shipped_lots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shipped_lots_line_id"), ["line_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_shipped_lots_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_shipped_lots_shipment_id"), ["shipment_id"], unique=False)

    op.create_table(
        "trade_terms",
        sa.Column("organisation_id", sa.String(length=64), nullable=False),
        sa.Column("deposit_share", sa.Numeric(precision=5, scale=4), nullable=False),
        sa.Column("deposit_days", sa.Integer(), nullable=False),
        sa.Column("payment_days", sa.Integer(), nullable=False),
        sa.Column("claim_window_days", sa.Integer(), nullable=False),
        sa.Column("tax_rate", sa.Numeric(precision=6, scale=4), nullable=False),
        sa.Column("tax_name", sa.String(length=40), nullable=True),
        sa.Column("set_by", sa.String(length=200), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("organisation_id"),
    )
    op.create_table(
        "claim_lines",
        sa.Column("claim_id", sa.String(length=64), nullable=False),
        sa.Column("line_id", sa.String(length=64), nullable=False),
        sa.Column("lot_id", sa.String(length=64), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("accepted_units", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["claim_id"], ["claims.claim_id"]),
        sa.PrimaryKeyConstraint("claim_id", "line_id"),
    )
    op.create_table(
        "claim_photos",
        sa.Column("claim_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["claim_id"], ["claims.claim_id"]),
        sa.PrimaryKeyConstraint("claim_id", "position"),
    )
    op.create_table(
        "sale_lines",
        sa.Column("line_id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("offering_id", sa.String(length=64), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["sales.order_id"]),
        sa.PrimaryKeyConstraint("line_id"),
    )
    with op.batch_alter_table("sale_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sale_lines_order_id"), ["order_id"], unique=False)

    with op.batch_alter_table("offerings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hs_code", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("origin_country", sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column("unit_weight_g", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("unit_volume_cm3", sa.Integer(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("offerings", schema=None) as batch_op:
        batch_op.drop_column("unit_volume_cm3")
        batch_op.drop_column("unit_weight_g")
        batch_op.drop_column("origin_country")
        batch_op.drop_column("hs_code")

    with op.batch_alter_table("sale_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sale_lines_order_id"))

    op.drop_table("sale_lines")
    op.drop_table("claim_photos")
    op.drop_table("claim_lines")
    op.drop_table("trade_terms")
    with op.batch_alter_table("shipped_lots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shipped_lots_shipment_id"))
        batch_op.drop_index(batch_op.f("ix_shipped_lots_order_id"))
        batch_op.drop_index(batch_op.f("ix_shipped_lots_line_id"))

    op.drop_table("shipped_lots")
    with op.batch_alter_table("sales", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sales_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_sales_buyer_organisation_id"))

    op.drop_table("sales")
    op.drop_table("reminders")
    with op.batch_alter_table("receipts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_receipts_order_id"))

    op.drop_table("receipts")
    with op.batch_alter_table("line_outcomes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_line_outcomes_order_id"))

    op.drop_table("line_outcomes")
    op.drop_table("freight_shares")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_documents_order_id"))
        batch_op.drop_index(batch_op.f("ix_documents_buyer_organisation_id"))

    op.drop_table("documents")
    op.drop_table("document_sequences")
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claims_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_claims_order_id"))
        batch_op.drop_index(batch_op.f("ix_claims_buyer_organisation_id"))

    op.drop_table("claims")
