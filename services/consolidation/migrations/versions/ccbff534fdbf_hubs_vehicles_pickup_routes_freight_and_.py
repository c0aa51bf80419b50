"""hubs, vehicles, pickup routes, freight and tracking

Revision ID: ccbff534fdbf
Revises: a1bb7d9db94f
Create Date: 2026-11-23 04:25:54.632678

"""

from datetime import datetime, timezone
from decimal import Decimal
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "ccbff534fdbf"
down_revision: Union[str, Sequence[str], None] = "a1bb7d9db94f"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# Rows that exist get the values a new row would have had; old shipments keep a cost of 0. Changes to existing tables
# go through batch operations so that SQLite, which cannot alter constraints, runs them too.

# The demo's network and a sensible start for a Highlands co-operative: a collection hub at Goroka (Eastern Highlands)
# and the port of Lae, a truck for the roads, a light aircraft for the airstrips, a sea container to the buyers.
DEFAULT_HUBS = [
    {
        "hub_id": "hub_goroka",
        "name": "Goroka collection hub",
        "latitude": -6.0819,
        "longitude": 145.3855,
        "timezone": "Pacific/Port_Moresby",
        "handling_hours": 12,
    },
    {
        "hub_id": "hub_lae",
        "name": "Lae port hub",
        "latitude": -6.7330,
        "longitude": 146.9960,
        "timezone": "Pacific/Port_Moresby",
        "handling_hours": 24,
    },
]
DEFAULT_VEHICLES = [
    {
        "vehicle_id": "veh_truck",
        "name": "Highlands truck",
        "role": "pickup",
        "mode": "road",
        "capacity_weight_kg": 3000,
        "capacity_volume_m3": Decimal("18"),
        "cost_per_km": Decimal("2.40"),
        "cost_per_trip": Decimal("90.00"),
        "speed_kmh": 40,
    },
    {
        "vehicle_id": "veh_light_aircraft",
        "name": "Light aircraft",
        "role": "pickup",
        "mode": "air",
        "capacity_weight_kg": 500,
        "capacity_volume_m3": Decimal("3"),
        "cost_per_km": Decimal("6.50"),
        "cost_per_trip": Decimal("350.00"),
        "speed_kmh": 220,
    },
    {
        "vehicle_id": "veh_sea_container",
        "name": "20-foot sea container",
        "role": "line_haul",
        "mode": "water",
        "capacity_weight_kg": 21000,
        "capacity_volume_m3": Decimal("33"),
        "cost_per_km": Decimal("0.75"),
        "cost_per_trip": Decimal("1200.00"),
        "speed_kmh": 28,
    },
]


def upgrade() -> None:
    """Upgrade schema."""
    hubs = op.create_table(
        "hubs",
        sa.Column("hub_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("handling_hours", sa.Integer(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("hub_id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "offerings",
        sa.Column("offering_id", sa.String(length=64), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("unit_weight_g", sa.Integer(), nullable=False),
        sa.Column("unit_volume_cm3", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("offering_id"),
    )
    op.create_table(
        "pickup_routes",
        sa.Column("route_id", sa.String(length=64), nullable=False),
        sa.Column("hub_id", sa.String(length=64), nullable=False),
        sa.Column("vehicle_id", sa.String(length=64), nullable=False),
        sa.Column("vehicle_name", sa.String(length=200), nullable=False),
        sa.Column("pickup_on", sa.Date(), nullable=False),
        sa.Column("stops", sa.JSON(), nullable=False),
        sa.Column("distance_km", sa.Numeric(precision=10, scale=3), nullable=False),
        sa.Column("cost", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("planned_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("route_id"),
    )
    op.create_table(
        "producers",
        sa.Column("producer_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("village", sa.String(length=200), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("remoteness", sa.String(length=32), nullable=False),
        sa.Column("closed_months", sa.JSON(), nullable=False),
        sa.Column("service_weekdays", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("producer_id"),
    )
    vehicles = op.create_table(
        "vehicles",
        sa.Column("vehicle_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("capacity_weight_kg", sa.Integer(), nullable=False),
        sa.Column("capacity_volume_m3", sa.Numeric(precision=10, scale=3), nullable=False),
        sa.Column("cost_per_km", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("cost_per_trip", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("speed_kmh", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("vehicle_id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "shipment_events",
        sa.Column("shipment_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["shipment_id"], ["shipments.shipment_id"]),
        sa.PrimaryKeyConstraint("shipment_id", "seq"),
    )
    with op.batch_alter_table("order_destinations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("cancelled", sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table("ready_lots", schema=None) as batch_op:
        batch_op.add_column(sa.Column("offering_id", sa.String(length=64), server_default="", nullable=False))

    with op.batch_alter_table("shipment_lots", schema=None) as batch_op:
        batch_op.add_column(sa.Column("producer_id", sa.String(length=64), server_default="", nullable=False))
        batch_op.add_column(sa.Column("offering_id", sa.String(length=64), server_default="", nullable=False))
        batch_op.add_column(
            sa.Column("weight_kg", sa.Numeric(precision=12, scale=3), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("volume_m3", sa.Numeric(precision=12, scale=6), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("distance_km", sa.Numeric(precision=10, scale=3), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("pickup_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("pickup_note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("route_id", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("route_share", sa.Numeric(precision=12, scale=2), server_default="0", nullable=False)
        )
        batch_op.create_index(batch_op.f("ix_shipment_lots_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_shipment_lots_route_id"), ["route_id"], unique=False)
        batch_op.create_foreign_key(
            "fk_shipment_lots_route_id_pickup_routes", "pickup_routes", ["route_id"], ["route_id"]
        )

    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hub_id", sa.String(length=64), server_default="", nullable=False))
        batch_op.add_column(sa.Column("hub_name", sa.String(length=200), server_default="", nullable=False))
        batch_op.add_column(sa.Column("vehicle_id", sa.String(length=64), server_default="", nullable=False))
        batch_op.add_column(sa.Column("vehicle_name", sa.String(length=200), server_default="", nullable=False))
        batch_op.add_column(
            sa.Column("line_haul_km", sa.Numeric(precision=10, scale=3), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("line_haul_cost", sa.Numeric(precision=12, scale=2), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("pickup_cost", sa.Numeric(precision=12, scale=2), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("cost", sa.Numeric(precision=12, scale=2), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("currency", sa.String(length=3), server_default="USD", nullable=False))
        batch_op.add_column(
            sa.Column("weight_kg", sa.Numeric(precision=12, scale=3), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("volume_m3", sa.Numeric(precision=12, scale=6), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("fill", sa.Numeric(precision=7, scale=4), server_default="0", nullable=False))
        batch_op.add_column(
            sa.Column("dispatch_reason", sa.String(length=16), server_default="requested", nullable=False)
        )
        batch_op.add_column(sa.Column("dispatch_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("arrives_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("latest_dispatch_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("before_exception", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("status_reason", sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f("ix_shipments_status"), ["status"], unique=False)

    now = datetime.now(timezone.utc)
    op.bulk_insert(hubs, [{**hub, "created_at": now} for hub in DEFAULT_HUBS])
    op.bulk_insert(vehicles, [{**vehicle, "created_at": now} for vehicle in DEFAULT_VEHICLES])


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shipments_status"))
        for column in (
            "status_reason",
            "before_exception",
            "latest_dispatch_on",
            "arrives_on",
            "dispatch_on",
            "dispatch_reason",
            "fill",
            "volume_m3",
            "weight_kg",
            "currency",
            "cost",
            "pickup_cost",
            "line_haul_cost",
            "line_haul_km",
            "vehicle_name",
            "vehicle_id",
            "hub_name",
            "hub_id",
        ):
            batch_op.drop_column(column)

    with op.batch_alter_table("shipment_lots", schema=None) as batch_op:
        batch_op.drop_constraint("fk_shipment_lots_route_id_pickup_routes", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_shipment_lots_route_id"))
        batch_op.drop_index(batch_op.f("ix_shipment_lots_order_id"))
        for column in (
            "route_share",
            "route_id",
            "pickup_note",
            "pickup_on",
            "distance_km",
            "volume_m3",
            "weight_kg",
            "offering_id",
            "producer_id",
        ):
            batch_op.drop_column(column)

    with op.batch_alter_table("ready_lots", schema=None) as batch_op:
        batch_op.drop_column("offering_id")

    with op.batch_alter_table("order_destinations", schema=None) as batch_op:
        batch_op.drop_column("cancelled")
        batch_op.drop_column("due_date")

    op.drop_table("shipment_events")
    op.drop_table("vehicles")
    op.drop_table("producers")
    op.drop_table("pickup_routes")
    op.drop_table("offerings")
    op.drop_table("hubs")
