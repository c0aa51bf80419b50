"""Consolidation on a real database: passed lots become pickups, and planning puts them in a shipment."""

import base64
import csv
import io
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from services.consolidation import fleet, manifest_documents, planning, projections, settings, tracking, views
from shared.events import Event, parse

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


def _inspected(lot_id, passed=True, order_id="ord_1", line_id="lin_1", producer_id="prd_menyamya", quantity=20):
    return _fact(
        "lot.inspected",
        {
            "lot_id": lot_id,
            "order_id": order_id,
            "line_id": line_id,
            "producer_id": producer_id,
            "offering_id": "off_bag",
            "quantity": quantity,
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


@pytest.fixture
def two_buyers(db):
    """A second weaver on the same flight, and a second buyer in Brisbane: three lots on two orders' lines."""
    db(
        projections.record_producer,
        _fact(
            "producer.registered",
            {
                "producer_id": "prd_kaintiba",
                "name": "Second weaver",
                "village": "Kaintiba",
                "latitude": -7.49,
                "longitude": 146.06,
                "remoteness": "air_or_boat",
                "closed_months": [],
                "service_weekdays": [1, 4],
            },
        ),
    )
    db(
        projections.record_order,
        _fact(
            "order.placed",
            {
                "order_id": "ord_2",
                "buyer": {"name": "Store B", "organisation_id": "byo_b"},
                "destination": {**BRISBANE, "name": "Store B"},
                "due_date": date(2027, 3, 1),
            },
        ),
    )
    for passed in (
        _inspected("lot_1"),
        _inspected("lot_2", producer_id="prd_kaintiba", quantity=35),
        _inspected("lot_3", order_id="ord_2", line_id="lin_2", producer_id="prd_kaintiba", quantity=50),
    ):
        db.handle("consolidation.on_lot_inspected", passed, projections.record_passed_lot)
    return db


def test_shipment_planned_tells_each_order_line_its_freight_per_leg_adding_up_to_the_shipment_cost(two_buyers):
    [shipment] = two_buyers(planning.plan_shipments, {"dispatch": "now"}, MONDAY_NOON_IN_PNG)["items"]
    [body] = two_buyers.emitted("shipment.planned")

    payload = parse(body).payload
    assert payload["freight_currency"] == shipment["freight"]["currency"] == "USD"
    shares = {(entry["order_id"], entry["line_id"]): entry for entry in payload["freight"]}
    assert sorted(shares) == [("ord_1", "lin_1"), ("ord_2", "lin_2")]
    assert sum(entry["pickup"] for entry in shares.values()) == Decimal(shipment["freight"]["pickups"]) > 0
    assert sum(entry["main"] for entry in shares.values()) == Decimal(shipment["freight"]["line_haul"]["cost"]) > 0
    assert sum(entry["pickup"] + entry["main"] for entry in shares.values()) == Decimal(shipment["freight"]["cost"])
    assert all(entry["pickup"] > 0 and entry["main"] > 0 for entry in shares.values())
    for line in shipment["freight"]["order_lines"]:
        entry = shares[(line["order_id"], line["line_id"])]
        assert (Decimal(line["pickup"]), Decimal(line["main"])) == (entry["pickup"], entry["main"])
        assert Decimal(line["share"]) == entry["pickup"] + entry["main"]


@pytest.mark.parametrize("order_id", ["ord_1", "ord_2"])
def test_a_buyer_s_manifest_shows_to_the_cent_the_freight_its_lines_are_told(two_buyers, order_id):
    [shipment] = two_buyers(planning.plan_shipments, {"dispatch": "now"}, MONDAY_NOON_IN_PNG)["items"]
    [body] = two_buyers.emitted("shipment.planned")
    told = sum(
        entry["pickup"] + entry["main"] for entry in parse(body).payload["freight"] if entry["order_id"] == order_id
    )

    document = two_buyers(manifest_documents.manifest, shipment["id"], {"format": "csv", "order_id": order_id})
    rows = list(csv.DictReader(io.StringIO(base64.b64decode(document["data"]).decode())))

    assert {row["order_id"] for row in rows} == {order_id}
    assert sum(Decimal(row["freight_share"]) for row in rows) == told


def test_vehicle_costs_are_shown_in_the_freight_currency(db, monkeypatch):
    monkeypatch.setenv("BILUM_FREIGHT_CURRENCY", "PGK")
    assert {vehicle["currency"] for vehicle in db(fleet.list_vehicles, {})["items"]} == {"PGK"}
    assert Decimal(db(fleet.list_vehicles, {"role": "pickup"})["items"][0]["cost_per_km"]) == Decimal("6.50")


def test_a_dispatch_fill_outside_zero_to_one_stops_the_service_naming_the_variable(monkeypatch):
    monkeypatch.setenv("BILUM_DISPATCH_FILL", "1.5")
    with pytest.raises(Exception, match="BILUM_DISPATCH_FILL"):
        settings.load()
