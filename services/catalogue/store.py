"""Tables of the catalogue service: the record of who can make what, and how many."""
from sqlalchemy import JSON, Column, Float, Integer, MetaData, Numeric, String, Table, Text

from shared.store import UtcDateTime, add_messaging_tables

metadata = MetaData()
outbox, inbox = add_messaging_tables(metadata)

producers = Table(
    "producers", metadata,
    Column("producer_id", String(64), primary_key=True),
    Column("organisation_id", String(64), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("village", String(200), nullable=False),
    Column("district", String(200), nullable=False),
    Column("region", String(200), nullable=False),
    Column("country", String(2), nullable=False),
    Column("latitude", Float, nullable=False),
    Column("longitude", Float, nullable=False),
    Column("remoteness", String(32), nullable=False),
    Column("mobile", String(32), unique=True),
    Column("email", String(200)),
    Column("languages", JSON, nullable=False),
    Column("registered_at", UtcDateTime(), nullable=False),
)

offerings = Table(
    "offerings", metadata,
    Column("offering_id", String(64), primary_key=True),
    Column("organisation_id", String(64), nullable=False, index=True),
    Column("sku", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("description", Text, nullable=False),
    Column("unit_price", Numeric(12, 2), nullable=False),
    Column("producer_price", Numeric(12, 2), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("unit_weight_g", Integer, nullable=False),
    Column("unit_volume_cm3", Integer, nullable=False),
    Column("attributes", JSON, nullable=False),
    Column("published_at", UtcDateTime(), nullable=False),
)

capacities = Table(
    "capacities", metadata,
    Column("producer_id", String(64), primary_key=True),
    Column("offering_id", String(64), primary_key=True),
    Column("units", Integer, nullable=False),
    Column("declared_at", UtcDateTime(), nullable=False),
)
