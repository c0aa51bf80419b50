"""Tables of the consolidation service: hubs and vehicles, its projections of producers, offerings, orders and passed
lots, and the shipments with their pickup routes, freight and tracking."""

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    false,
)

from shared.store import UtcDateTime, add_messaging_tables

metadata = MetaData()
outbox, inbox = add_messaging_tables(metadata)

hubs = Table(
    "hubs",
    metadata,
    Column("hub_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("latitude", Float, nullable=False),
    Column("longitude", Float, nullable=False),
    Column("handling_hours", Integer, nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

vehicles = Table(
    "vehicles",
    metadata,
    Column("vehicle_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("mode", String(16), nullable=False),
    Column("capacity_weight_kg", Integer, nullable=False),
    Column("capacity_volume_m3", Numeric(10, 3), nullable=False),
    Column("cost_per_km", Numeric(12, 2), nullable=False),
    Column("cost_per_trip", Numeric(12, 2), nullable=False),
    Column("speed_kmh", Integer, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

producers = Table(
    "producers",
    metadata,
    Column("producer_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("village", String(200), nullable=False),
    Column("latitude", Float, nullable=False),
    Column("longitude", Float, nullable=False),
    Column("remoteness", String(32), nullable=False),
    Column("closed_months", JSON, nullable=False),
    Column("service_weekdays", JSON, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

offerings = Table(
    "offerings",
    metadata,
    Column("offering_id", String(64), primary_key=True),
    Column("sku", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("unit_weight_g", Integer, nullable=False),
    Column("unit_volume_cm3", Integer, nullable=False),
    Column("organisation_id", String(64), nullable=False, server_default=""),
)

order_destinations = Table(
    "order_destinations",
    metadata,
    Column("order_id", String(64), primary_key=True),
    Column("buyer_name", String(200), nullable=False),
    # The buyer's organisation, when a signed-in buyer placed the order: it alone sees its part of a shipment.
    Column("buyer_organisation_id", String(64), index=True),
    Column("destination", JSON, nullable=False),
    Column("due_date", Date),
    Column("cancelled", Boolean, nullable=False, server_default=false()),
)

ready_lots = Table(
    "ready_lots",
    metadata,
    Column("lot_id", String(64), primary_key=True),
    Column("order_id", String(64), nullable=False, index=True),
    Column("line_id", String(64), nullable=False),
    Column("producer_id", String(64), nullable=False),
    Column("offering_id", String(64), nullable=False, server_default=""),
    Column("quantity", Integer, nullable=False),
    Column("passed_at", UtcDateTime(), nullable=False),
    Column("shipment_id", String(64), index=True),
)

shipments = Table(
    "shipments",
    metadata,
    Column("shipment_id", String(64), primary_key=True),
    # The aggregator organisation whose lots it carries: a shipment is one organisation's.
    Column("organisation_id", String(64), nullable=False, server_default="", index=True),
    Column("destination", JSON, nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("planned_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("hub_id", String(64), nullable=False, server_default=""),
    Column("hub_name", String(200), nullable=False, server_default=""),
    Column("vehicle_id", String(64), nullable=False, server_default=""),
    Column("vehicle_name", String(200), nullable=False, server_default=""),
    Column("line_haul_km", Numeric(10, 3), nullable=False, server_default="0"),
    Column("line_haul_cost", Numeric(12, 2), nullable=False, server_default="0"),
    Column("pickup_cost", Numeric(12, 2), nullable=False, server_default="0"),
    Column("cost", Numeric(12, 2), nullable=False, server_default="0"),
    Column("currency", String(3), nullable=False, server_default="USD"),
    Column("weight_kg", Numeric(12, 3), nullable=False, server_default="0"),
    Column("volume_m3", Numeric(12, 6), nullable=False, server_default="0"),
    Column("fill", Numeric(7, 4), nullable=False, server_default="0"),
    Column("dispatch_reason", String(16), nullable=False, server_default="requested"),
    Column("dispatch_on", Date),
    Column("arrives_on", Date),
    Column("latest_dispatch_on", Date),
    # The step reached before an exception: the shipment resumes after it.
    Column("before_exception", String(16)),
    Column("status_reason", Text),
)

pickup_routes = Table(
    "pickup_routes",
    metadata,
    Column("route_id", String(64), primary_key=True),
    Column("hub_id", String(64), nullable=False),
    Column("vehicle_id", String(64), nullable=False),
    Column("vehicle_name", String(200), nullable=False),
    Column("pickup_on", Date, nullable=False),
    Column("stops", JSON, nullable=False),
    Column("distance_km", Numeric(10, 3), nullable=False),
    Column("cost", Numeric(12, 2), nullable=False),
    Column("planned_at", UtcDateTime(), nullable=False),
)

shipment_lots = Table(
    "shipment_lots",
    metadata,
    Column("lot_id", String(64), primary_key=True),
    Column("shipment_id", String(64), ForeignKey("shipments.shipment_id"), nullable=False, index=True),
    Column("order_id", String(64), nullable=False, index=True),
    Column("line_id", String(64), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("producer_id", String(64), nullable=False, server_default=""),
    Column("offering_id", String(64), nullable=False, server_default=""),
    Column("weight_kg", Numeric(12, 3), nullable=False, server_default="0"),
    Column("volume_m3", Numeric(12, 6), nullable=False, server_default="0"),
    # From the producer to the hub and on to the destination: the distance of the freight rule.
    Column("distance_km", Numeric(10, 3), nullable=False, server_default="0"),
    Column("pickup_on", Date),
    Column("pickup_note", Text),
    Column("route_id", String(64), ForeignKey("pickup_routes.route_id"), index=True),
    Column("route_share", Numeric(12, 2), nullable=False, server_default="0"),
)

shipment_events = Table(
    "shipment_events",
    metadata,
    Column("shipment_id", String(64), ForeignKey("shipments.shipment_id"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("status", String(16), nullable=False),
    Column("reason", Text),
    Column("at", UtcDateTime(), nullable=False),
    Column("recorded_at", UtcDateTime(), nullable=False),
)
