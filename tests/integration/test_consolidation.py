"""Consolidation on the real broker and PostgreSQL: the service hears the catalogue's, orders' and aggregation's facts
from the bus, plans pickups and combined shipments over the HTTP API, shares their freight, renders manifests and
tracks them to delivery, telling everyone by events."""

import csv
import io
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import requests
from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_hook
from pypdf import PdfReader

from bilum.waiting import eventually
from services.consolidation import metrics
from services.consolidation.service import ConsolidationService
from services.gateway.service import GatewayService
from shared import migrations
from shared.events import new_event
from shared.messaging import reliable_handler
from tests.integration.auth import admin_key
from tests.integration.helpers import dead_letters, running
from tests.payloads import offering_published

heard = []


class ShipmentListener:
    name = "shipment_listener"

    @reliable_handler("consolidation", "shipment.planned")
    def on_planned(self, event):
        heard.append(event)

    @reliable_handler("consolidation", "shipment.status_changed")
    def on_status_changed(self, event):
        heard.append(event)

    @reliable_handler("consolidation", "shipment.delivered")
    def on_delivered(self, event):
        heard.append(event)


BRISBANE = {
    "name": "Southern Cross warehouse",
    "city": "Brisbane",
    "country": "AU",
    "latitude": -27.47,
    "longitude": 153.03,
}
BRISBANE_OTHER = {"name": "Harbour Lane", "city": "Brisbane", "country": "AU", "latitude": -27.41, "longitude": 153.09}
PNG = ZoneInfo("Pacific/Port_Moresby")
TOKYO = {"name": "Kiriko", "city": "Tokyo", "country": "JP", "latitude": 35.64, "longitude": 139.70}


class Feed:
    """Publishes the facts consolidation consumes, as their services would, and calls the gateway."""

    def __init__(self, env: dict):
        self.amqp_uri = env["AMQP_URI"]
        self.dispatch = event_dispatcher({"AMQP_URI": self.amqp_uri})
        self.base = env["BILUM_GATEWAY_URL"] + "/api/v1"
        self.tag = uuid.uuid4().hex[:6]
        self.headers = admin_key()

    def call(self, method: str, path: str, expect: int = 200, **kwargs):
        headers = {**self.headers, **kwargs.pop("headers", {})}
        response = requests.request(method, self.base + path, timeout=30, headers=headers, **kwargs)
        assert response.status_code == expect, f"{method} {path}: {response.status_code} {response.text[:1500]}"
        return response

    def publish(self, source: str, event) -> None:
        self.dispatch(source, event.event_type, event.to_message())

    def offering(self, weight_g: int = 350, volume_cm3: int = 4000) -> str:
        offering_id = f"off_{self.tag}_{uuid.uuid4().hex[:4]}"
        self.publish(
            "catalogue",
            offering_published(offering_id, offering_id.upper(), unit_weight_g=weight_g, unit_volume_cm3=volume_cm3),
        )
        return offering_id

    def producer(
        self, latitude: float, longitude: float, remoteness: str = "all_season_road", service_weekdays=()
    ) -> str:
        producer_id = f"prd_{self.tag}_{uuid.uuid4().hex[:4]}"
        self.publish(
            "catalogue",
            new_event(
                "producer.registered",
                {
                    "producer_id": producer_id,
                    "organisation_id": "org",
                    "name": f"Weaver {producer_id[-4:]}",
                    "village": "Kama",
                    "district": "Goroka",
                    "region": "Eastern Highlands",
                    "country": "PG",
                    "latitude": latitude,
                    "longitude": longitude,
                    "remoteness": remoteness,
                    "closed_months": [],
                    "service_weekdays": list(service_weekdays),
                    "mobile": None,
                    "email": None,
                    "languages": ["en"],
                },
                correlation_id=producer_id,
            ),
        )
        return producer_id

    def order(self, destination: dict, due_in_days: int = 120, buyer: str = "Buyer") -> str:
        order_id = f"ord_{self.tag}_{uuid.uuid4().hex[:4]}"
        self.publish(
            "orders",
            new_event(
                "order.placed",
                {
                    "order_id": order_id,
                    "buyer": {"buyer_id": f"buy_{order_id}", "name": buyer, "email": None},
                    "destination": destination,
                    "due_date": date.today() + timedelta(days=due_in_days),
                    "promised_date": None,
                    "lines": [{"line_id": f"{order_id}-1", "offering_id": "off", "sku": "SKU", "quantity": 100}],
                },
                correlation_id=order_id,
            ),
        )
        return order_id

    def inspected(
        self,
        order_id: str,
        producer_id: str,
        offering_id: str,
        quantity: int,
        passed: bool = True,
        lot_id: str | None = None,
    ):
        lot_id = lot_id or f"lot_{self.tag}_{uuid.uuid4().hex[:6]}"
        return lot_id, new_event(
            "lot.inspected",
            {
                "lot_id": lot_id,
                "quota_id": f"qta_{lot_id}",
                "order_id": order_id,
                "line_id": f"{order_id}-1",
                "offering_id": offering_id,
                "producer_id": producer_id,
                "quantity": quantity,
                "attempt": 1,
                "severity": "normal",
                "passed": passed,
                "classes": [
                    {
                        "defect_class": "major",
                        "aql": 2.5,
                        "code_letter": "F",
                        "sample_size": 20,
                        "accept": 1,
                        "reject": 2,
                        "defects": 0 if passed else 2,
                    }
                ],
            },
            correlation_id=order_id,
        )

    def lot(self, *args, **kwargs) -> str:
        lot_id, event = self.inspected(*args, **kwargs)
        self.publish("aggregation", event)
        return lot_id

    def plan(self, dispatch: str | None = None) -> dict:
        body = {"dispatch": dispatch} if dispatch else None
        response = requests.post(self.base + "/shipments/plan", json=body, headers=self.headers, timeout=30)
        assert response.status_code in (200, 201), response.text[:1500]
        return response.json()

    def known(self, lot_ids: set) -> dict:
        """Wait until consolidation knows everything about these lots, so they wait only for a fuller load or
        their flight: the reasons of an ``auto`` plan say so."""

        def ready():
            waiting = {item["lot_id"]: item for item in self.plan("auto")["waiting"] if item["lot_id"] in lot_ids}
            if set(waiting) == lot_ids and not any("not known" in item["reason"] for item in waiting.values()):
                return waiting
            return None

        return eventually(ready, "consolidation to hear about the lots", timeout_s=30)


def ours(plan: dict, lot_ids: set) -> list:
    return [shipment for shipment in plan["items"] if {lot["lot_id"] for lot in shipment["lots"]} & lot_ids]


@pytest.fixture(scope="module")
def feed(module_platform):
    migrations.upgrade("consolidation")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BILUM_ROUTING_MAX_ITERATIONS", "100")
        patch.setenv("BILUM_ROUTING_TIME_LIMIT_S", "1")
        with running(ConsolidationService) as consolidation, running(GatewayService), running(ShipmentListener):
            feed = Feed(module_platform)
            feed.consolidation = consolidation
            yield feed


@pytest.fixture(scope="module")
def planned(feed):
    """Two Brisbane buyers and a Tokyo buyer; three producers on roads near Goroka and one reached by air, whose
    flight is not today; one failed lot. Planned with ``{"dispatch": "now"}``."""
    bag = feed.offering()
    kama, lufa, hagen = (feed.producer(-6.065, 145.41), feed.producer(-6.324, 145.301), feed.producer(-5.83, 144.295))
    tomorrow = (datetime.now(PNG).weekday() + 1) % 7
    airstrip = feed.producer(-6.20, 145.80, "air_or_boat", [tomorrow])
    first, second, tokyo = feed.order(BRISBANE, buyer="Southern Cross"), feed.order(BRISBANE_OTHER), feed.order(TOKYO)
    lots = {
        "first_kama": feed.lot(first, kama, bag, 40),
        "first_lufa": feed.lot(first, lufa, bag, 25),
        "second_hagen": feed.lot(second, hagen, bag, 30),
        "second_air": feed.lot(second, airstrip, bag, 12),
        "tokyo_kama": feed.lot(tokyo, kama, bag, 20),
    }
    failed = feed.lot(first, kama, bag, 10, passed=False)
    waiting = feed.known(set(lots.values()))
    timed_before = metrics.PLANNING_DURATION.labels("consolidation")._sum.get()
    return {
        "plan": feed.plan("now"),
        "lots": lots,
        "failed": failed,
        "orders": (first, second, tokyo),
        "waiting": waiting,
        "producers": (kama, lufa, hagen, airstrip),
        "timed_before": timed_before,
    }


def test_passed_lots_become_combined_shipments_per_city_with_pickup_routes(feed, planned):
    lots, (first, second, tokyo) = planned["lots"], planned["orders"]
    air_wait = planned["waiting"][lots["second_air"]]
    assert "calls on" in air_wait["reason"]
    assert air_wait["next_pickup_on"] == (datetime.now(PNG).date() + timedelta(days=1)).isoformat()
    assert all(
        "waiting for more lots" in planned["waiting"][lot]["reason"] for lot in (lots["first_kama"], lots["tokyo_kama"])
    ), "a small load waits for a fuller container"

    shipments = ours(planned["plan"], set(lots.values()))
    by_city = {shipment["destination"]["city"]: shipment for shipment in shipments}
    assert len(shipments) == 2 and set(by_city) == {"Brisbane", "Tokyo"}
    brisbane = by_city["Brisbane"]
    assert brisbane["orders"] == sorted([first, second]) and brisbane["destination"]["name"] == "Brisbane, AU"
    assert {lot["lot_id"] for lot in brisbane["lots"]} == {
        lots["first_kama"],
        lots["first_lufa"],
        lots["second_hagen"],
        lots["second_air"],
    }
    assert brisbane["units"] == 107 and brisbane["weight_kg"] == "37.450"
    assert brisbane["hub"]["name"] == "Goroka collection hub" and brisbane["status"] == "planned"
    assert brisbane["dispatch_reason"] == "requested"
    assert planned["failed"] not in {lot["lot_id"] for shipment in planned["plan"]["items"] for lot in shipment["lots"]}
    assert [lot["lot_id"] for lot in by_city["Tokyo"]["lots"]] == [lots["tokyo_kama"]]
    assert by_city["Tokyo"]["orders"] == [tokyo]

    air_lot = next(lot for lot in brisbane["lots"] if lot["lot_id"] == lots["second_air"])
    assert air_lot["pickup_on"] == air_wait["next_pickup_on"] and "calls on" in air_lot["pickup_note"]
    assert brisbane["dispatch_on"] == air_wait["next_pickup_on"], "the load leaves after its last pickup"
    routes = {route["vehicle"]["name"]: route for route in brisbane["pickup_routes"]}
    assert set(routes) == {"Highlands truck", "Light aircraft"}
    assert [stop["producer_id"] for stop in routes["Light aircraft"]["stops"]] == [planned["producers"][3]]
    assert {stop["producer_id"] for stop in routes["Highlands truck"]["stops"]} >= set(planned["producers"][:3])
    assert Decimal(routes["Highlands truck"]["this_shipment"]) < Decimal(routes["Highlands truck"]["cost"]), (
        "the truck also collected the Tokyo lot, which pays its part"
    )

    assert feed.call("GET", f"/shipments/{brisbane['id']}").json() == brisbane
    listed = feed.call("GET", "/shipments", params={"order_id": second}).json()
    assert [item["id"] for item in listed["items"]] == [brisbane["id"]]
    assert metrics.PLANNING_DURATION.labels("consolidation")._sum.get() > planned["timed_before"]

    events = eventually(
        lambda: [
            event
            for event in heard
            if event.event_type == "shipment.planned" and event.payload["shipment_id"] == brisbane["id"]
        ],
        "shipment.planned",
    )
    payload = events[0].payload
    assert sorted(lot["lot_id"] for lot in payload["lots"]) == sorted(lot["lot_id"] for lot in brisbane["lots"])
    pickup_days = {pickup["producer_id"]: pickup["pickup_on"].isoformat() for pickup in payload["pickups"]}
    assert pickup_days[planned["producers"][3]] == air_wait["next_pickup_on"]


def test_freight_is_shared_to_order_lines_and_producers_by_weight_and_distance_to_the_cent(feed, planned):
    for shipment in ours(planned["plan"], set(planned["lots"].values())):
        freight = shipment["freight"]
        cost = Decimal(freight["cost"])
        assert cost == Decimal(freight["line_haul"]["cost"]) + Decimal(freight["pickups"]) > 0
        assert sum(Decimal(line["share"]) for line in freight["order_lines"]) == cost
        assert sum(Decimal(producer["share"]) for producer in freight["producers"]) == cost
        assert sum(Decimal(lot["freight_share"]) for lot in shipment["lots"]) == cost
        assert sum(Decimal(line["pickup"]) for line in freight["order_lines"]) == Decimal(freight["pickups"])
        assert sum(Decimal(line["main"]) for line in freight["order_lines"]) == Decimal(freight["line_haul"]["cost"])
        assert freight["rule"].startswith("weight x distance")
        # Each line pays its own pickups and its part of the line-haul; within a line its lots share that by weight
        # x distance.
        for a in shipment["lots"]:
            for b in shipment["lots"]:
                if (a["order_id"], a["line_id"]) == (b["order_id"], b["line_id"]) and (
                    Decimal(a["weight_kg"]) * Decimal(a["distance_km"])
                    > Decimal(b["weight_kg"]) * Decimal(b["distance_km"]) + 1
                ):
                    assert Decimal(a["freight_share"]) >= Decimal(b["freight_share"])


def test_manifests_list_the_lots_as_pdf_and_csv_for_the_shipment_and_for_one_buyer(feed, planned):
    first, second, _ = planned["orders"]
    brisbane = next(
        shipment
        for shipment in ours(planned["plan"], set(planned["lots"].values()))
        if shipment["destination"]["city"] == "Brisbane"
    )
    response = feed.call("GET", f"/shipments/{brisbane['id']}/manifest", params={"format": "csv"})
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert sorted(row["lot_id"] for row in rows) == sorted(lot["lot_id"] for lot in brisbane["lots"])
    assert sum(int(row["units"]) for row in rows) == brisbane["units"]
    assert sum(Decimal(row["freight_share"]) for row in rows) == Decimal(brisbane["freight"]["cost"])

    mine = list(
        csv.DictReader(
            io.StringIO(
                feed.call(
                    "GET", f"/shipments/{brisbane['id']}/manifest", params={"format": "csv", "order_id": first}
                ).text
            )
        )
    )
    assert {row["order_id"] for row in mine} == {first} and {row["buyer"] for row in mine} == {"Southern Cross"}
    share = sum(Decimal(line["share"]) for line in brisbane["freight"]["order_lines"] if line["order_id"] == first)
    assert sum(Decimal(row["freight_share"]) for row in mine) == share

    pdf = feed.call("GET", f"/shipments/{brisbane['id']}/manifest", params={"format": "pdf", "order_id": second})
    assert pdf.headers["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert f"Manifest of order {second}" in text
    assert planned["lots"]["second_hagen"] in text and planned["lots"]["first_kama"] not in text
    whole = feed.call("GET", f"/shipments/{brisbane['id']}/manifest", params={"format": "pdf"})
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(whole.content)).pages)
    assert all(lot["lot_id"] in text for lot in brisbane["lots"]) and "Goroka collection hub" in text

    other = planned["orders"][2]
    assert (
        "no lots"
        in feed.call(
            "GET", f"/shipments/{brisbane['id']}/manifest", 404, params={"format": "csv", "order_id": other}
        ).json()["error"]["message"]
    )
    assert (
        "format"
        in feed.call("GET", f"/shipments/{brisbane['id']}/manifest", 400, params={"format": "docx"}).json()["error"][
            "fields"
        ]
    )
    feed.call("GET", "/shipments/shp_nothing/manifest", 404, params={"format": "pdf"})


def test_tracking_moves_a_shipment_forward_tells_everyone_and_refuses_what_cannot_be(feed, planned):
    tokyo = next(
        shipment
        for shipment in ours(planned["plan"], set(planned["lots"].values()))
        if shipment["destination"]["city"] == "Tokyo"
    )
    path = f"/shipments/{tokyo['id']}/events"
    refused = feed.call("POST", path, 409, json={"status": "delivered"}).json()["error"]
    assert "in transit before it is delivered" in refused["message"]
    assert "reason" in feed.call("POST", path, 422, json={"status": "exception"}).json()["error"]["fields"]
    assert "status" in feed.call("POST", path, 422, json={"status": "lost"}).json()["error"]["fields"]
    future = (datetime.now(timezone.utc) + timedelta(days=1)).isoformat()
    assert "at" in feed.call("POST", path, 422, json={"status": "picked_up", "at": future}).json()["error"]["fields"]
    feed.call("POST", path, 400, data=b"{not json", headers={"Content-Type": "application/json"})
    feed.call("POST", "/shipments/shp_nothing/events", 404, json={"status": "picked_up"})

    planned_at = datetime.fromisoformat(tokyo["tracking"][0]["at"])
    picked_at = datetime.now(timezone.utc)
    feed.call("POST", path, json={"status": "picked_up", "at": picked_at.isoformat()})
    earlier = (planned_at + (picked_at - planned_at) / 2).isoformat()
    assert (
        "last step"
        in feed.call("POST", path, 422, json={"status": "at_hub", "at": earlier}).json()["error"]["fields"]["at"][0]
    )
    stuck = feed.call("POST", path, json={"status": "exception", "reason": "landslide on the Highlands Highway"})
    assert stuck.json()["status"] == "exception" and stuck.json()["status_reason"].startswith("landslide")
    assert "moves forward" in feed.call("POST", path, 409, json={"status": "picked_up"}).json()["error"]["message"]
    feed.call("POST", path, json={"status": "at_hub"})
    feed.call("POST", f"/shipments/{tokyo['id']}/status", json={"status": "in_transit"})
    repeated = feed.call("POST", path, json={"status": "in_transit"}).json()
    assert [step["status"] for step in repeated["tracking"]] == [
        "planned",
        "picked_up",
        "exception",
        "at_hub",
        "in_transit",
    ], "a repeated status records nothing"
    assert repeated["tracking"][1]["at"] == picked_at.isoformat()
    delivered = feed.call("POST", path, json={"status": "delivered"}).json()
    assert delivered["status"] == "delivered"
    assert (
        "closed"
        in feed.call("POST", path, 409, json={"status": "exception", "reason": "late"}).json()["error"]["message"]
    )

    def told():
        about = [
            event
            for event in heard
            if event.payload["shipment_id"] == tokyo["id"] and event.event_type != "shipment.planned"
        ]
        return about if len(about) == 6 else None

    events = eventually(told, "the status changes to be published")
    changes = [
        (event.payload["previous_status"], event.payload["status"])
        for event in events
        if event.event_type == "shipment.status_changed"
    ]
    assert changes == [
        ("planned", "picked_up"),
        ("picked_up", "exception"),
        ("exception", "at_hub"),
        ("at_hub", "in_transit"),
        ("in_transit", "delivered"),
    ]
    exception = next(event for event in events if event.payload["status"] == "exception")
    assert exception.payload["reason"].startswith("landslide") and exception.payload["at"] is not None
    [delivery] = [event for event in events if event.event_type == "shipment.delivered"]
    assert [(lot["lot_id"], lot["quantity"]) for lot in delivery.payload["lots"]] == [
        (planned["lots"]["tokyo_kama"], 20)
    ]
    counts = feed.call("GET", "/shipments", params={"status": "delivered", "order_id": planned["orders"][2]}).json()
    assert counts["total"] == 1


def test_a_lot_is_never_in_two_shipments_with_duplicated_events_and_plans_at_once(feed):
    bag = feed.offering()
    producers = [feed.producer(-6.0 - n / 50, 145.3 + n / 50) for n in range(4)]
    order = feed.order(BRISBANE)
    lot_ids = set()
    for n, producer in enumerate(producers * 2):
        lot_id, event = feed.inspected(order, producer, bag, 5 + n)
        feed.publish("aggregation", event)
        feed.publish("aggregation", event)
        _, again = feed.inspected(order, producer, bag, 5 + n, lot_id=lot_id)
        feed.publish("aggregation", again)
        lot_ids.add(lot_id)
    feed.known(lot_ids)
    with ThreadPoolExecutor(max_workers=3) as pool:
        plans = list(pool.map(lambda _: feed.plan("now"), range(3)))
    shipped = [
        lot["lot_id"]
        for plan in plans
        for shipment in plan["items"]
        for lot in shipment["lots"]
        if lot["lot_id"] in lot_ids
    ]
    assert sorted(shipped) == sorted(lot_ids), "every lot shipped once, in one of the concurrent plans"
    listed = feed.call("GET", "/shipments", params={"order_id": order}).json()["items"]
    assert sorted(lot["lot_id"] for shipment in listed for lot in shipment["lots"]) == sorted(lot_ids)
    assert not [item for item in feed.plan("now")["waiting"] if item["lot_id"] in lot_ids]
    assert dead_letters(feed.amqp_uri) == 0, "a duplicate is skipped, not failed"


def test_the_timer_sends_a_load_due_to_leave_and_a_cancelled_order_stays(feed):
    bag = feed.offering()
    producer = feed.producer(-6.1, 145.35)
    cancelled = feed.order(TOKYO)
    kept = feed.lot(cancelled, producer, bag, 10)
    feed.known({kept})
    feed.publish(
        "orders",
        new_event("order.cancelled", {"order_id": cancelled, "reason": "buyer withdrew"}, correlation_id=cancelled),
    )
    due = feed.order(TOKYO, due_in_days=3)
    lot = feed.lot(due, producer, bag, 10)

    def shipped_by_the_timer():
        with entrypoint_hook(feed.consolidation, "plan_due_shipments") as plan_due:
            plan_due()
        return feed.call("GET", "/shipments", params={"order_id": due}).json()["items"]

    [shipment] = eventually(shipped_by_the_timer, "the timer to send the load that is due")
    assert [item["lot_id"] for item in shipment["lots"]] == [lot]
    assert shipment["dispatch_reason"] == "due"
    assert shipment["latest_dispatch_on"] <= datetime.now(PNG).date().isoformat() < shipment["arrives_on"]
    held = eventually(
        lambda: {
            item["lot_id"]: item["reason"]
            for item in feed.plan("auto")["waiting"]
            if item["lot_id"] == kept and "cancelled" in item["reason"]
        },
        "the cancellation",
    )
    assert held == {kept: "its order was cancelled"}


def test_hubs_and_vehicles_are_managed_over_the_api(feed):
    hubs = feed.call("GET", "/hubs").json()["items"]
    assert {"Goroka collection hub", "Lae port hub"} <= {hub["name"] for hub in hubs}
    name = f"Port Moresby hub {feed.tag}"
    hub = feed.call(
        "POST",
        "/hubs",
        201,
        json={
            "name": name,
            "latitude": -9.44,
            "longitude": 147.18,
            "timezone": "Pacific/Port_Moresby",
            "handling_hours": 36,
        },
    ).json()
    assert hub["id"].startswith("hub_") and hub["handling_hours"] == 36
    assert name in {item["name"] for item in feed.call("GET", "/hubs", params={"page_size": 100}).json()["items"]}
    assert (
        "taken"
        in feed.call(
            "POST", "/hubs", 409, json={"name": name.upper(), "latitude": 0, "longitude": 0, "timezone": "UTC"}
        ).json()["error"]["message"]
    )
    refused = feed.call(
        "POST", "/hubs", 422, json={"name": "Nowhere", "latitude": 91, "longitude": 0, "timezone": "Highlands/Goroka"}
    ).json()
    assert {"latitude", "timezone"} <= set(refused["error"]["fields"])

    pickup = feed.call("GET", "/vehicles", params={"role": "pickup"}).json()["items"]
    assert {"Highlands truck", "Light aircraft"} <= {vehicle["name"] for vehicle in pickup}
    assert all(vehicle["role"] == "pickup" for vehicle in pickup)
    boat = feed.call(
        "POST",
        "/vehicles",
        201,
        json={
            "name": f"Banana boat {feed.tag}",
            "role": "pickup",
            "mode": "water",
            "capacity_weight_kg": 800,
            "capacity_volume_m3": "4.5",
            "cost_per_km": "45.00",
            "cost_per_trip": "120.00",
            "speed_kmh": 25,
        },
    ).json()
    assert boat["capacity_volume_m3"] == "4.500" and boat["cost_per_km"] == "45.00" and boat["currency"] == "USD"
    bad = feed.call(
        "POST",
        "/vehicles",
        422,
        json={
            "name": "Cart",
            "role": "pickup",
            "mode": "donkey",
            "capacity_weight_kg": 0,
            "capacity_volume_m3": "1",
            "cost_per_km": "1.234",
            "cost_per_trip": "-1",
            "speed_kmh": 5,
        },
    ).json()["error"]["fields"]
    assert {"mode", "capacity_weight_kg", "cost_per_km", "cost_per_trip"} <= set(bad)
    feed.call("GET", "/vehicles", 400, params={"role": "rocket"})
