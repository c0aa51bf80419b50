"""Consolidation on a real database: passed lots become pickups, and planning puts them in a shipment."""

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from services.consolidation import fleet, planning, projections, settings, tracking, views
from shared.events import Event

MONDAY_NOON_IN_PNG = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)
BRISBANE = {"name": "Store A", "city": "Brisbane", "country": "AU", "latitude": -27.47, "longitude": 153.02}


def _fact(event_type, payload):
    return Event(event_type, payload, correlation_id="test")


@pytest.fixture
def db(service_db):
    """A hub with a light aircraft for remote producers and a container to Brisbane; a weaver in Menyamya, where
    the plane calls on Tuesdays and Fridays; an order for her bags."""
    db = service_db("consolidation")
    db(
        fleet.create_hub,
        {"name": "Lae port hub", "latitude": -6.733, "longitude": 146.996, "timezone": "Pacific/Port_Moresby"},
    )
    db(
        fleet.create_vehicle,
        {
            "name": "Light aircraft",
            "role": "pickup",
            "mode": "air",
            "capacity_weight_kg": 500,
            "capacity_volume_m3": "3",
            "cost_per_km": "6.50",
            "cost_per_trip": "350.00",
            "speed_kmh": 220,
        },
    )
    db(
        fleet.create_vehicle,
        {
            "name": "Sea container",
            "role": "line_haul",
            "mode": "water",
            "capacity_weight_kg": 21000,
            "capacity_volume_m3": "33",
            "cost_per_km": "0.75",
            "cost_per_trip": "1200.00",
            "speed_kmh": 28,
        },
    )
    db(
        projections.record_producer,
        _fact(
            "producer.registered",
            {
                "producer_id": "prd_menyamya",
                "name": "Weaver",
                "village": "Menyamya",
                "latitude": -7.21,
                "longitude": 146.02,
                "remoteness": "air_or_boat",
                "closed_months": [],
                "service_weekdays": [1, 4],
            },
        ),
    )
    db(
        projections.record_offering,
        _fact(
            "offering.published",
            {
                "offering_id": "off_bag",
                "sku": "BLM-BAG-M",
                "name": "Bilum bag",
                "unit_weight_g": 350,
                "unit_volume_cm3": 4000,
                "organisation_id": "org_a",
            },
        ),
    )
    db(
        projections.record_order,
        _fact(
            "order.placed",
            {
                "order_id": "ord_1",
                "buyer": {"name": "Store A", "organisation_id": "byo_a"},
                "destination": BRISBANE,
                "due_date": date(2027, 3, 1),
            },
        ),
    )
    return db


def _inspected(lot_id, passed=True):
    return _fact(
        "lot.inspected",
        {
            "lot_id": lot_id,
            "order_id": "ord_1",
            "line_id": "lin_1",
            "producer_id": "prd_menyamya",
            "offering_id": "off_bag",
            "quantity": 20,
            "passed": passed,
        },
    )


def test_a_passed_lot_from_a_remote_village_joins_a_shipment_picked_up_on_a_flight_day(db):
    passed = _inspected("lot_1")
    db.handle("consolidation.on_lot_inspected", passed, projections.record_passed_lot)
    db.handle("consolidation.on_lot_inspected", passed, projections.record_passed_lot)
    db.handle("consolidation.on_lot_inspected", _inspected("lot_2", passed=False), projections.record_passed_lot)

    plan = db(planning.plan_shipments, {"dispatch": "now"}, MONDAY_NOON_IN_PNG)

    [shipment] = plan["items"]
    assert plan["waiting"] == []
    [announced] = db.emitted("shipment.planned")
    assert [lot["lot_id"] for lot in announced["payload"]["lots"]] == ["lot_1"]
    [pickup] = announced["payload"]["pickups"]
    assert date.fromisoformat(pickup["pickup_on"]).isoweekday() in (2, 5)
    assert db(views.get_shipment, shipment["id"])["status"] == "planned"


def test_a_planned_lot_is_not_planned_again(db):
    db.handle("consolidation.on_lot_inspected", _inspected("lot_1"), projections.record_passed_lot)
    db(planning.plan_shipments, {"dispatch": "now"}, MONDAY_NOON_IN_PNG)
    again = db(planning.plan_shipments, {"dispatch": "now"}, MONDAY_NOON_IN_PNG + timedelta(hours=1))
    assert again["items"] == [] and len(db.emitted("shipment.planned")) == 1


def test_a_delivered_shipment_tells_the_ledger_which_lots_arrived(db):
    db.handle("consolidation.on_lot_inspected", _inspected("lot_1"), projections.record_passed_lot)
    [shipment] = db(planning.plan_shipments, {"dispatch": "now"})["items"]
    for status in ("picked_up", "at_hub", "in_transit", "delivered"):
        db(tracking.track, shipment["id"], {"status": status})
    [delivered] = db.emitted("shipment.delivered")
    assert delivered["payload"]["lots"] == [
        {"lot_id": "lot_1", "order_id": "ord_1", "line_id": "lin_1", "quantity": 20}
    ]
    assert db(views.shipment_counts)["delivered"] == 1


def test_vehicle_costs_are_shown_in_the_freight_currency(db, monkeypatch):
    monkeypatch.setenv("BILUM_FREIGHT_CURRENCY", "PGK")
    assert {vehicle["currency"] for vehicle in db(fleet.list_vehicles, {})["items"]} == {"PGK"}
    assert Decimal(db(fleet.list_vehicles, {"role": "pickup"})["items"][0]["cost_per_km"]) == Decimal("6.50")


def test_a_dispatch_fill_outside_zero_to_one_stops_the_service_naming_the_variable(monkeypatch):
    monkeypatch.setenv("BILUM_DISPATCH_FILL", "1.5")
    with pytest.raises(Exception, match="BILUM_DISPATCH_FILL"):
        settings.load()
