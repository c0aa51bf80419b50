"""Tables of the notification service: who can be reached how, and the delivery log."""
from sqlalchemy import JSON, Column, MetaData, String, Table, Text

from shared.store import UtcDateTime, add_messaging_tables

metadata = MetaData()
outbox, inbox = add_messaging_tables(metadata)

recipients = Table(
    "recipients", metadata,
    Column("recipient_id", String(64), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("name", String(200), nullable=False),
    Column("mobile", String(32)),
    Column("email", String(200)),
    Column("languages", JSON, nullable=False),
)

offerings = Table(
    "offerings", metadata,
    Column("offering_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
)

order_buyers = Table(
    "order_buyers", metadata,
    Column("order_id", String(64), primary_key=True),
    Column("buyer_id", String(64), nullable=False),
)

deliveries = Table(
    "deliveries", metadata,
    Column("notification_id", String(64), primary_key=True),
    Column("recipient_id", String(64), nullable=False, index=True),
    Column("correlation_id", String(64), nullable=False, index=True),
    Column("channel", String(16), nullable=False),
    Column("transport", String(32), nullable=False),
    Column("address", String(200), nullable=False),
    Column("template", String(64), nullable=False),
    Column("body", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)
