"""delivery log with attempts, preferences, contacts, projections, sms replies, dead letters

Revision ID: 06cf12dc9e1c
Revises: 601f9d06b617
Create Date: 2026-11-23 04:10:04.774999

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "06cf12dc9e1c"
down_revision: Union[str, Sequence[str], None] = "601f9d06b617"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "channel_failures",
        sa.Column("recipient_id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("consecutive", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("recipient_id", "channel"),
    )
    op.create_table(
        "dead_letters",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("letter_key", sa.String(length=64), nullable=False),
        sa.Column("service", sa.String(length=64), nullable=False),
        sa.Column("queue", sa.String(length=255), nullable=False),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("organisation_id", sa.String(length=64), nullable=True),
        sa.Column("parked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("alerted", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("letter_key"),
    )
    op.create_table(
        "delivery_attempts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("notification_id", sa.String(length=64), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("transport", sa.String(length=32), nullable=False),
        sa.Column("address", sa.String(length=500), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("provider_id", sa.String(length=200), nullable=True),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_delivery_attempts_notification_id"), "delivery_attempts", ["notification_id"], unique=False
    )
    op.create_table(
        "inbound_messages",
        sa.Column("message_id", sa.String(length=100), nullable=False),
        sa.Column("sender", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("producer_id", sa.String(length=64), nullable=True),
        sa.Column("action", sa.String(length=16), nullable=True),
        sa.Column("ref", sa.String(length=12), nullable=True),
        sa.Column("outcome", sa.String(length=64), nullable=False),
        sa.Column("reply_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("message_id"),
    )
    op.create_table(
        "lots",
        sa.Column("lot_id", sa.String(length=64), nullable=False),
        sa.Column("quota_id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("producer_id", sa.String(length=64), nullable=False),
        sa.Column("offering_id", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("lot_id"),
    )
    op.create_table(
        "order_lines",
        sa.Column("line_id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("offering_id", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("line_id"),
    )
    op.create_index(op.f("ix_order_lines_order_id"), "order_lines", ["order_id"], unique=False)
    op.create_table(
        "quotas",
        sa.Column("quota_id", sa.String(length=64), nullable=False),
        sa.Column("ref", sa.String(length=12), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("line_id", sa.String(length=64), nullable=False),
        sa.Column("offering_id", sa.String(length=64), nullable=False),
        sa.Column("producer_id", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("respond_by", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("quota_id"),
    )
    op.create_index(op.f("ix_quotas_producer_id"), "quotas", ["producer_id"], unique=False)
    op.create_index(op.f("ix_quotas_ref"), "quotas", ["ref"], unique=False)
    op.create_index("ix_quotas_status_respond_by", "quotas", ["status", "respond_by"], unique=False)
    op.create_table(
        "shipment_lots",
        sa.Column("shipment_id", sa.String(length=64), nullable=False),
        sa.Column("lot_id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("shipment_id", "lot_id"),
    )
    op.create_index(op.f("ix_shipment_lots_order_id"), "shipment_lots", ["order_id"], unique=False)
    op.create_table(
        "shipments",
        sa.Column("shipment_id", sa.String(length=64), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("planned_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("shipment_id"),
    )
    op.add_column("deliveries", sa.Column("dedupe_key", sa.String(length=200), server_default="", nullable=False))
    op.add_column("deliveries", sa.Column("ref", sa.String(length=12), nullable=True))
    op.add_column("deliveries", sa.Column("language", sa.String(length=8), server_default="en", nullable=False))
    op.add_column("deliveries", sa.Column("subject", sa.String(length=300), server_default="", nullable=False))
    op.add_column("deliveries", sa.Column("sms_text", sa.Text(), server_default="", nullable=False))
    op.add_column("deliveries", sa.Column("data", sa.JSON(), nullable=True))
    op.add_column("deliveries", sa.Column("forced_channel", sa.String(length=16), nullable=True))
    op.add_column("deliveries", sa.Column("attempts", sa.Integer(), server_default="0", nullable=False))
    op.add_column("deliveries", sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("deliveries", sa.Column("deadline", sa.DateTime(timezone=True), nullable=True))
    op.add_column("deliveries", sa.Column("given_up_channels", sa.JSON(), nullable=True))
    op.add_column("deliveries", sa.Column("last_error", sa.Text(), nullable=True))
    op.add_column("deliveries", sa.Column("provider_id", sa.String(length=200), nullable=True))
    op.add_column("deliveries", sa.Column("digest_id", sa.String(length=64), nullable=True))
    op.add_column("deliveries", sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True))
    # Rows logged before this revision each stand for a message of their own.
    op.execute("UPDATE deliveries SET dedupe_key = notification_id")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.alter_column("channel", existing_type=sa.VARCHAR(length=16), nullable=True)
        batch_op.alter_column("transport", existing_type=sa.VARCHAR(length=32), nullable=True)
        batch_op.alter_column(
            "address", existing_type=sa.VARCHAR(length=200), type_=sa.String(length=500), nullable=True
        )
        batch_op.create_index("ix_deliveries_status_next_attempt_at", ["status", "next_attempt_at"], unique=False)
        batch_op.create_unique_constraint("uq_deliveries_dedupe", ["dedupe_key", "recipient_id", "template"])
    op.add_column("offerings", sa.Column("organisation_id", sa.String(length=64), nullable=True))
    op.add_column("order_buyers", sa.Column("due_date", sa.Date(), nullable=True))
    op.add_column("order_buyers", sa.Column("promised_date", sa.Date(), nullable=True))
    op.add_column("recipients", sa.Column("organisation_id", sa.String(length=64), nullable=True))
    op.add_column("recipients", sa.Column("webhook_url", sa.String(length=500), nullable=True))
    op.add_column("recipients", sa.Column("webhook_secret", sa.String(length=200), nullable=True))
    op.add_column("recipients", sa.Column("timezone", sa.String(length=64), nullable=True))
    op.add_column("recipients", sa.Column("preferences", sa.JSON(), nullable=True))
    op.add_column("recipients", sa.Column("snapshot_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(op.f("ix_recipients_mobile"), "recipients", ["mobile"], unique=False)
    op.create_index(op.f("ix_recipients_organisation_id"), "recipients", ["organisation_id"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f("ix_recipients_organisation_id"), table_name="recipients")
    op.drop_index(op.f("ix_recipients_mobile"), table_name="recipients")
    op.drop_column("recipients", "snapshot_at")
    op.drop_column("recipients", "preferences")
    op.drop_column("recipients", "timezone")
    op.drop_column("recipients", "webhook_secret")
    op.drop_column("recipients", "webhook_url")
    op.drop_column("recipients", "organisation_id")
    op.drop_column("order_buyers", "promised_date")
    op.drop_column("order_buyers", "due_date")
    op.drop_column("offerings", "organisation_id")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_constraint("uq_deliveries_dedupe", type_="unique")
        batch_op.drop_index("ix_deliveries_status_next_attempt_at")
        batch_op.alter_column(
            "address", existing_type=sa.String(length=500), type_=sa.VARCHAR(length=200), nullable=False
        )
        batch_op.alter_column("transport", existing_type=sa.VARCHAR(length=32), nullable=False)
        batch_op.alter_column("channel", existing_type=sa.VARCHAR(length=16), nullable=False)
    op.drop_column("deliveries", "sent_at")
    op.drop_column("deliveries", "digest_id")
    op.drop_column("deliveries", "provider_id")
    op.drop_column("deliveries", "last_error")
    op.drop_column("deliveries", "given_up_channels")
    op.drop_column("deliveries", "deadline")
    op.drop_column("deliveries", "next_attempt_at")
    op.drop_column("deliveries", "attempts")
    op.drop_column("deliveries", "forced_channel")
    op.drop_column("deliveries", "data")
    op.drop_column("deliveries", "sms_text")
    op.drop_column("deliveries", "subject")
    op.drop_column("deliveries", "language")
    op.drop_column("deliveries", "ref")
    op.drop_column("deliveries", "dedupe_key")
    op.drop_table("shipments")
    op.drop_index(op.f("ix_shipment_lots_order_id"), table_name="shipment_lots")
    op.drop_table("shipment_lots")
    op.drop_index("ix_quotas_status_respond_by", table_name="quotas")
    op.drop_index(op.f("ix_quotas_ref"), table_name="quotas")
    op.drop_index(op.f("ix_quotas_producer_id"), table_name="quotas")
    op.drop_table("quotas")
    op.drop_index(op.f("ix_order_lines_order_id"), table_name="order_lines")
    op.drop_table("order_lines")
    op.drop_table("lots")
    op.drop_table("inbound_messages")
    op.drop_index(op.f("ix_delivery_attempts_notification_id"), table_name="delivery_attempts")
    op.drop_table("delivery_attempts")
    op.drop_table("dead_letters")
    op.drop_table("channel_failures")
