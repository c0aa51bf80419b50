"""Tables of the consolidation service."""
from sqlalchemy import JSON, Column, ForeignKey, Integer, MetaData, String, Table

from shared.store import UtcDateTime, add_messaging_tables

metadata = MetaData()
outbox, inbox = add_messaging_tables(metadata)

order_destinations = Table(
    "order_destinations", metadata,
    Column("order_id", String(64), primary_key=True),
    Column("buyer_name", String(200), nullable=False),
    Column("destination", JSON, nullable=False),
)

ready_lots = Table(
    "ready_lots", metadata,
    Column("lot_id", String(64), primary_key=True),
    Column("order_id", String(64), nullable=False, index=True),
    Column("line_id", String(64), nullable=False),
    Column("producer_id", String(64), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("passed_at", UtcDateTime(), nullable=False),
    Column("shipment_id", String(64), index=True),
)

shipments = Table(
    "shipments", metadata,
    Column("shipment_id", String(64), primary_key=True),
    Column("destination", JSON, nullable=False),
    Column("status", String(16), nullable=False),
    Column("planned_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

shipment_lots = Table(
    "shipment_lots", metadata,
    Column("lot_id", String(64), primary_key=True),
    Column("shipment_id", String(64), ForeignKey("shipments.shipment_id"), nullable=False, index=True),
    Column("order_id", String(64), nullable=False),
    Column("line_id", String(64), nullable=False),
    Column("quantity", Integer, nullable=False),
)
