"""the journal, rates, quotas, advances and payouts

Revision ID: 61dd0a2ba41f
Revises:
Create Date: 2026-12-06 17:32:17.129067

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "61dd0a2ba41f"
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "advances",
        sa.Column("advance_id", sa.String(length=64), nullable=False),
        sa.Column("organisation_id", sa.String(length=64), nullable=False),
        sa.Column("producer_id", sa.String(length=64), nullable=False),
        sa.Column("quota_id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("advance_id"),
    )
    with op.batch_alter_table("advances", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_advances_producer_id"), ["producer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_advances_quota_id"), ["quota_id"], unique=False)

    op.create_table(
        "inbox",
        sa.Column("consumer", sa.String(length=200), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("consumer", "event_id"),
    )
    op.create_table(
        "journal",
        sa.Column("entry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("cause", sa.String(length=200), nullable=False),
        sa.Column("organisation_id", sa.String(length=64), nullable=False),
        sa.Column("producer_id", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("quota_id", sa.String(length=64), nullable=True),
        sa.Column("order_id", sa.String(length=64), nullable=True),
        sa.Column("lot_id", sa.String(length=64), nullable=True),
        sa.Column("units", sa.Integer(), nullable=True),
        sa.Column("rate", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("advance_id", sa.String(length=64), nullable=True),
        sa.Column("payout_line_id", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("entry_id"),
        sa.UniqueConstraint("cause"),
    )
    with op.batch_alter_table("journal", schema=None) as batch_op:
        batch_op.create_index("ix_journal_organisation", ["organisation_id", "kind", "recorded_at"], unique=False)
        batch_op.create_index("ix_journal_statement", ["producer_id", "currency", "recorded_at"], unique=False)

    op.create_table(
        "offerings",
        sa.Column("offering_id", sa.String(length=64), nullable=False),
        sa.Column("organisation_id", sa.String(length=64), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("producer_price", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("premium_per_unit", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("offering_id"),
    )
    op.create_table(
        "organisation_terms",
        sa.Column("organisation_id", sa.String(length=64), nullable=False),
        sa.Column("advance_cap_share", sa.Numeric(precision=5, scale=4), nullable=False),
        sa.Column("set_by", sa.String(length=200), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("organisation_id"),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("correlation_id", sa.String(length=64), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"),
    )
    op.create_table(
        "payout_batches",
        sa.Column("batch_id", sa.String(length=64), nullable=False),
        sa.Column("organisation_id", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("drafted_by", sa.String(length=200), nullable=False),
        sa.Column("drafted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_by", sa.String(length=200), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_by", sa.String(length=200), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("batch_id"),
    )
    with op.batch_alter_table("payout_batches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payout_batches_organisation_id"), ["organisation_id"], unique=False)

    op.create_table(
        "piece_rates",
        sa.Column("rate_id", sa.String(length=64), nullable=False),
        sa.Column("organisation_id", sa.String(length=64), nullable=False),
        sa.Column("producer_id", sa.String(length=64), nullable=False),
        sa.Column("offering_id", sa.String(length=64), nullable=False),
        sa.Column("rate", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("set_by", sa.String(length=200), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("rate_id"),
    )
    with op.batch_alter_table("piece_rates", schema=None) as batch_op:
        batch_op.create_index("ix_piece_rates_in_force", ["producer_id", "offering_id", "set_at"], unique=False)

    op.create_table(
        "producers",
        sa.Column("producer_id", sa.String(length=64), nullable=False),
        sa.Column("organisation_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("mobile", sa.String(length=32), nullable=True),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("producer_id"),
    )
    op.create_table(
        "quotas",
        sa.Column("quota_id", sa.String(length=64), nullable=False),
        sa.Column("organisation_id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("line_id", sa.String(length=64), nullable=False),
        sa.Column("offering_id", sa.String(length=64), nullable=False),
        sa.Column("producer_id", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("rate", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("premium_per_unit", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("quota_id"),
    )
    with op.batch_alter_table("quotas", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quotas_producer_id"), ["producer_id"], unique=False)

    op.create_table(
        "payout_lines",
        sa.Column("line_id", sa.String(length=64), nullable=False),
        sa.Column("batch_id", sa.String(length=64), nullable=False),
        sa.Column("organisation_id", sa.String(length=64), nullable=False),
        sa.Column("producer_id", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("msisdn", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("reference_id", sa.String(length=36), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("provider_transaction_id", sa.String(length=100), nullable=True),
        sa.Column("receipt_number", sa.String(length=100), nullable=True),
        sa.Column("failure_reason", sa.String(length=500), nullable=True),
        sa.Column("closed_by", sa.String(length=200), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["payout_batches.batch_id"]),
        sa.PrimaryKeyConstraint("line_id"),
        sa.UniqueConstraint("batch_id", "producer_id", name="uq_payout_lines_batch_producer"),
        sa.UniqueConstraint("reference_id"),
    )
    with op.batch_alter_table("payout_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payout_lines_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index("ix_payout_lines_status", ["status", "submitted_at"], unique=False)

    op.create_table(
        "settlements",
        sa.Column("earning_entry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("settling_entry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.ForeignKeyConstraint(["earning_entry_id"], ["journal.entry_id"]),
        sa.ForeignKeyConstraint(["settling_entry_id"], ["journal.entry_id"]),
        sa.PrimaryKeyConstraint("earning_entry_id", "settling_entry_id"),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("settlements")
    with op.batch_alter_table("payout_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_payout_lines_status")
        batch_op.drop_index(batch_op.f("ix_payout_lines_batch_id"))

    op.drop_table("payout_lines")
    with op.batch_alter_table("quotas", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quotas_producer_id"))

    op.drop_table("quotas")
    op.drop_table("producers")
    with op.batch_alter_table("piece_rates", schema=None) as batch_op:
        batch_op.drop_index("ix_piece_rates_in_force")

    op.drop_table("piece_rates")
    with op.batch_alter_table("payout_batches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payout_batches_organisation_id"))

    op.drop_table("payout_batches")
    op.drop_table("outbox")
    op.drop_table("organisation_terms")
    op.drop_table("offerings")
    with op.batch_alter_table("journal", schema=None) as batch_op:
        batch_op.drop_index("ix_journal_statement")
        batch_op.drop_index("ix_journal_organisation")

    op.drop_table("journal")
    op.drop_table("inbox")
    with op.batch_alter_table("advances", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_advances_quota_id"))
        batch_op.drop_index(batch_op.f("ix_advances_producer_id"))

    op.drop_table("advances")
