"""Tenancy in the services on the real broker and PostgreSQL: two aggregator organisations, each with its offering, its
producer and a buyer organisation's order, run through the services' own RPC (as the gateway calls them with the
tenant filters it takes from the credentials). Nothing of one organisation is ever listed under the other, another's
object is not found, and the planner never puts the two organisations' lots in one shipment."""

import json
import uuid
from datetime import date, timedelta

import pytest
from nameko.exceptions import RemoteError
from nameko.standalone.rpc import ClusterRpcProxy

from bilum.waiting import eventually
from services.aggregation.service import AggregationService
from services.catalogue.service import CatalogueService
from services.consolidation.service import ConsolidationService
from services.notification.service import NotificationService
from services.orders.service import OrdersService
from shared import migrations
from shared.weeks import iso_week, monday_of
from tests.integration.helpers import running

TOKYO = {"name": "Kiriko", "city": "Tokyo", "country": "JP", "latitude": 35.64, "longitude": 139.70}
FIRST_WEEK = monday_of(date.today()) + timedelta(weeks=1)


class Tenant:
    """One aggregator organisation with one offering and one approved producer, and the buyer organisation that
    orders from it."""

    def __init__(self, name: str, tag: str):
        self.organisation_id = f"{name}-{tag}"
        self.buyer_organisation_id = f"buyers-of-{name}-{tag}"
        self.sku = f"{name[:4].upper()}-{tag.upper()}"
        self.offering_id = self.producer_id = self.order = None


class Tenancy:
    def __init__(self, rpc):
        self.rpc = rpc
        tag = uuid.uuid4().hex[:6]
        self.a, self.b = Tenant("highland", tag), Tenant("coastal", tag)

    def refused(self, service: str, method: str, *args, **kwargs) -> RemoteError:
        with pytest.raises(RemoteError) as refusal:
            getattr(self.rpc[service], method)(*args, **kwargs)
        return refusal.value

    def set_up(self, tenant: Tenant) -> None:
        catalogue = self.rpc["catalogue"]
        tenant.offering_id = catalogue.publish_offering(
            {
                "organisation_id": tenant.organisation_id,
                "sku": tenant.sku,
                "name": f"Bag {tenant.sku}",
                "description": "Hand-looped",
                "unit_price": "30.00",
                "producer_price": "18.00",
                "currency": "USD",
                "unit_weight_g": 350,
                "unit_volume_cm3": 4000,
                "quality_standard": {"aql": {"major": 2.5}, "rejected_lot_action": "ask"},
            }
        )["id"]
        n = uuid.uuid4().int % 10**7
        tenant.producer_id = catalogue.register_producer(
            {
                "organisation_id": tenant.organisation_id,
                "name": f"Weaver {n}",
                "village": "Kama",
                "district": "Goroka",
                "region": "Eastern Highlands",
                "country": "PG",
                "latitude": -6.07,
                "longitude": 145.41,
                "remoteness": "all_season_road",
                "mobile": f"+6757{n:07d}",
                "email": f"weaver{n}@example.org",
                "languages": ["en"],
            }
        )["id"]
        catalogue.set_approval(
            tenant.offering_id,
            {
                "producer_id": tenant.producer_id,
                "stage": "sample",
                "status": "approved",
                "decided_on": date.today().isoformat(),
            },
        )
        catalogue.declare_capacity(
            tenant.producer_id,
            {
                "offering_id": tenant.offering_id,
                "lead_time_days": 0,
                "min_lot": 1,
                "weeks": [{"week": iso_week(FIRST_WEEK + timedelta(weeks=k)), "units": 30} for k in range(4)],
            },
        )
        eventually(lambda: self._declared(tenant) >= 120, "allocation to know the capacity", timeout_s=60)

    def _declared(self, tenant: Tenant) -> int:
        try:
            return self.rpc["aggregation"].capacity(tenant.offering_id)["declared"]
        except RemoteError:
            return 0

    def body(self, *skus: str, quantity: int = 40) -> dict:
        return {
            "buyer": {"name": "Kiriko", "email": f"orders-{uuid.uuid4().hex[:6]}@kiriko.example.org"},
            "destination": TOKYO,
            "due_date": (date.today() + timedelta(days=90)).isoformat(),
            "lines": [{"sku": sku, "quantity": quantity} for sku in skus],
            "trade_terms": {"incoterm": "DAP", "named_place": "Tokyo", "transport_mode": "air"},
        }

    def place(self, tenant: Tenant) -> dict:
        def placed():
            try:
                return self.rpc["orders"].place_order(
                    self.body(tenant.sku),
                    idempotency_key=str(uuid.uuid4()),
                    buyer_organisation_id=tenant.buyer_organisation_id,
                )
            except RemoteError as refusal:
                assert refusal.exc_type == "InvalidInput", refusal
                return None

        return eventually(placed, "orders to know the offering", timeout_s=30)


@pytest.fixture(scope="module")
def tenancy(module_platform):
    for service in ("catalogue", "orders", "aggregation", "consolidation", "notification"):
        migrations.upgrade(service)
    with (
        running(CatalogueService),
        running(OrdersService),
        running(AggregationService),
        running(ConsolidationService),
        running(NotificationService),
        ClusterRpcProxy({"AMQP_URI": module_platform["AMQP_URI"], "serializer": "json"}) as rpc,
    ):
        world = Tenancy(rpc)
        for tenant in (world.a, world.b):
            world.set_up(tenant)
            tenant.order = world.place(tenant)
        yield world


def test_an_order_belongs_to_its_offerings_organisation_and_its_buyers_and_is_listed_by_each(tenancy):
    a, b = tenancy.a, tenancy.b
    orders = tenancy.rpc["orders"]
    shown = orders.get_order(a.order["id"])
    assert (shown["organisation_id"], shown["buyer"]["organisation_id"]) == (a.organisation_id, a.buyer_organisation_id)
    assert a.order["organisation_id"] == a.organisation_id, "the placing answer shows it too"
    for tenant, other in ((a, b), (b, a)):
        by_aggregator = orders.list_orders(page_size=100, organisation_id=tenant.organisation_id)["items"]
        by_buyer = orders.list_orders(page_size=100, buyer_organisation_id=tenant.buyer_organisation_id)["items"]
        for listed in (by_aggregator, by_buyer):
            assert [order["id"] for order in listed] == [tenant.order["id"]]
        assert other.order["id"] not in {order["id"] for order in by_aggregator + by_buyer}
    assert {order["id"] for order in orders.list_orders(page_size=100)["items"]} >= {a.order["id"], b.order["id"]}


def test_an_aggregator_cannot_order_another_organisations_offering_nor_one_order_span_two(tenancy):
    a, b = tenancy.a, tenancy.b
    orders = tenancy.rpc["orders"]
    foreign = tenancy.refused("orders", "place_order", tenancy.body(b.sku), organisation_id=a.organisation_id)
    unknown = tenancy.refused("orders", "place_order", tenancy.body("NO-SUCH-SKU"), organisation_id=a.organisation_id)
    assert foreign.exc_type == unknown.exc_type == "NotFound"
    assert foreign.value.replace(b.sku, "?") == unknown.value.replace("NO-SUCH-SKU", "?"), "told apart from unknown"
    mixed = tenancy.refused(
        "orders", "place_order", tenancy.body(a.sku, b.sku), buyer_organisation_id=a.buyer_organisation_id
    )
    assert mixed.exc_type == "InvalidInput" and "one organisation" in json.loads(mixed.value)["message"]
    assert list(json.loads(mixed.value)["fields"]["lines"]) == ["1"], "the line of the other organisation is named"
    own = orders.place_order(
        tenancy.body(a.sku, quantity=5), idempotency_key=f"key-{uuid.uuid4()}", organisation_id=a.organisation_id
    )
    assert own["organisation_id"] == a.organisation_id and own["buyer"]["organisation_id"] is None
    orders.cancel_order(own["id"], {"reason": "a test order"})


def test_an_idempotency_key_of_another_buyer_organisation_does_not_answer_with_its_order(tenancy):
    a, b = tenancy.a, tenancy.b
    key, body = f"key-{uuid.uuid4()}", tenancy.body(a.sku, quantity=5)
    orders = tenancy.rpc["orders"]
    first = orders.place_order(body, idempotency_key=key, buyer_organisation_id=a.buyer_organisation_id)
    again = orders.place_order(body, idempotency_key=key, buyer_organisation_id=a.buyer_organisation_id)
    assert again["id"] == first["id"]
    stolen = tenancy.refused(
        "orders", "place_order", body, idempotency_key=key, buyer_organisation_id=b.buyer_organisation_id
    )
    assert stolen.exc_type == "Conflict" and first["id"] not in stolen.value
    by_aggregator = tenancy.refused(
        "orders",
        "place_order",
        body,
        idempotency_key=key,
        buyer_organisation_id=a.buyer_organisation_id,
        organisation_id=b.organisation_id,
    )
    assert by_aggregator.exc_type == "Conflict"
    orders.cancel_order(first["id"], {"reason": "a test order"})


def _offered(tenancy, tenant: Tenant) -> list:
    return eventually(
        lambda: tenancy.rpc["aggregation"].list_quotas({"order_id": tenant.order["id"], "status": "offered"})["items"],
        "the order's quotas",
        timeout_s=60,
    )


@pytest.fixture(scope="module")
def passed(tenancy):
    """Each organisation's quota accepted, its lot reported and passed by the organisation's inspector."""
    aggregation = tenancy.rpc["aggregation"]
    lots = {}
    for tenant in (tenancy.a, tenancy.b):
        [quota] = _offered(tenancy, tenant)
        aggregation.accept_quota(quota["id"])
        lot = aggregation.report_lot(quota["id"], {"quantity": quota["quantity"]})
        lots[tenant.organisation_id] = aggregation.record_inspection(
            lot["id"],
            {
                "inspector": "QC",
                "organisation_id": tenant.organisation_id,
                "findings": [{"criterion": "loose weave", "defect_class": "major", "count": 0}],
            },
        )
    return lots


def test_quotas_and_lots_are_listed_by_their_offerings_organisation_only(tenancy, passed):
    a, b = tenancy.a, tenancy.b
    aggregation = tenancy.rpc["aggregation"]
    lots = passed
    assert {lot["status"] for lot in lots.values()} == {"passed"}
    for tenant, other in ((a, b), (b, a)):
        quotas = aggregation.list_quotas({"organisation_id": tenant.organisation_id, "page_size": 100})["items"]
        listed_lots = aggregation.list_lots({"organisation_id": tenant.organisation_id, "page_size": 100})["items"]
        assert quotas and {quota["order_id"] for quota in quotas} <= _orders_of(tenancy, tenant)
        assert [lot["id"] for lot in listed_lots] == [lots[tenant.organisation_id]["id"]]
        assert {item["organisation_id"] for item in quotas + listed_lots} == {tenant.organisation_id}
        assert other.order["id"] not in {item["order_id"] for item in quotas + listed_lots}
        assert aggregation.get_quota(quotas[0]["id"])["organisation_id"] == tenant.organisation_id
    assert aggregation.list_quotas({"organisation_id": "nobody", "page_size": 100})["total"] == 0


def _orders_of(tenancy, tenant: Tenant) -> set:
    return {
        order["id"]
        for order in tenancy.rpc["orders"].list_orders(page_size=100, organisation_id=tenant.organisation_id)["items"]
    }


def test_widening_another_organisations_line_finds_nothing(tenancy, passed):
    a, b = tenancy.a, tenancy.b
    line_id = b.order["lines"][0]["line_id"]
    refused = tenancy.refused("aggregation", "widen_search", line_id, {}, organisation_id=a.organisation_id)
    assert refused.exc_type == "NotFound"
    widened = tenancy.rpc["aggregation"].widen_search(line_id, {}, organisation_id=b.organisation_id)
    assert widened["order_id"] == b.order["id"]


def test_the_planner_never_puts_two_organisations_lots_in_one_shipment(tenancy, passed):
    a, b = tenancy.a, tenancy.b
    consolidation = tenancy.rpc["consolidation"]
    lot_a, lot_b = passed[a.organisation_id], passed[b.organisation_id]

    def known():
        waiting = {item["lot_id"]: item["reason"] for item in consolidation.plan_shipments()["waiting"]}
        return {lot_a["id"], lot_b["id"]} <= set(waiting) and not any(
            "not known" in reason for reason in waiting.values()
        )

    eventually(known, "consolidation to know both lots", timeout_s=60)
    planned = consolidation.plan_shipments({"dispatch": "now"})["items"]
    by_lot = {lot["lot_id"]: shipment for shipment in planned for lot in shipment["lots"]}
    shipment_a, shipment_b = by_lot[lot_a["id"]], by_lot[lot_b["id"]]
    assert shipment_a["id"] != shipment_b["id"], "same hub, same city, same day: only the organisation parts them"
    assert (shipment_a["organisation_id"], shipment_b["organisation_id"]) == (a.organisation_id, b.organisation_id)
    assert shipment_a["order_ids"] == [a.order["id"]] and shipment_b["order_ids"] == [b.order["id"]]
    for shipment, tenant in ((shipment_a, a), (shipment_b, b)):
        stops = {stop["producer_id"] for route in shipment["pickup_routes"] for stop in route["stops"]}
        assert stops == {tenant.producer_id}, "a pickup route of another organisation shows its producers"
    for tenant, own, other in ((a, shipment_a, shipment_b), (b, shipment_b, shipment_a)):
        listed = consolidation.list_shipments({"organisation_id": tenant.organisation_id, "page_size": 100})
        assert [shipment["id"] for shipment in listed["items"]] == [own["id"]]
        assert other["id"] not in {shipment["id"] for shipment in listed["items"]}
    assert consolidation.get_shipment(shipment_a["id"])["organisation_id"] == a.organisation_id


def test_a_capacity_file_for_one_organisation_refuses_the_others_rows_like_unknown_ones(tenancy):
    a, b = tenancy.a, tenancy.b
    week = iso_week(FIRST_WEEK + timedelta(weeks=5))
    header = "producer_id,sku,week,units,lead_time_days,min_lot\n"
    foreign = f"{header}{a.producer_id},{a.sku},{week},30,0,1\n{b.producer_id},{b.sku},{week},30,0,1\n"
    unknown = f"{header}{a.producer_id},{a.sku},{week},30,0,1\nprd_nobody,NO-SUCH-SKU,{week},30,0,1\n"
    refusals = [
        tenancy.refused("catalogue", "import_capacity", text, organisation_id=a.organisation_id)
        for text in (foreign, unknown)
    ]
    assert {refusal.exc_type for refusal in refusals} == {"InvalidInput"}
    rows = json.loads(refusals[0].value)["fields"]
    assert list(rows) == ["row 3"] and len(rows["row 3"]) == 2, "B's producer and B's sku, on B's row only"
    assert refusals[0].value.replace(b.producer_id, "?").replace(b.sku, "?") == refusals[1].value.replace(
        "prd_nobody", "?"
    ).replace("NO-SUCH-SKU", "?")
    calendar = tenancy.rpc["catalogue"].capacity_calendar(a.producer_id, a.offering_id)
    assert week not in {entry["week"] for entry in calendar["weeks"]}, "nothing was imported"
    imported = tenancy.rpc["catalogue"].import_capacity(foreign)
    assert imported["rows"] == 2, "without an organisation, the platform's own import takes both"
    assert tenancy.rpc["catalogue"].get_producer(b.producer_id)["organisation_id"] == b.organisation_id
    assert tenancy.rpc["catalogue"].get_offering(b.offering_id)["organisation_id"] == b.organisation_id


def test_the_delivery_log_of_one_organisation_holds_only_messages_to_its_recipients(tenancy):
    a, b = tenancy.a, tenancy.b
    notification = tenancy.rpc["notification"]
    eventually(
        lambda: all(notification.delivery_log({"recipient_id": tenant.producer_id})["total"] for tenant in (a, b)),
        "the producers' offers to be logged",
        timeout_s=60,
    )
    for tenant, other in ((a, b), (b, a)):
        logged = notification.delivery_log({"organisation_id": tenant.organisation_id, "page_size": 100})["items"]
        assert tenant.producer_id in {item["recipient_id"] for item in logged}
        assert {item["recipient_id"] for item in logged} <= {tenant.producer_id, tenant.organisation_id}
        assert other.producer_id not in {item["recipient_id"] for item in logged}
        assert notification.get_preferences(tenant.producer_id)["organisation_id"] == tenant.organisation_id
    buyer_id = a.order["buyer"]["id"]
    buyers = {
        order["buyer"]["id"]
        for order in tenancy.rpc["orders"].list_orders(page_size=100, buyer_organisation_id=a.buyer_organisation_id)[
            "items"
        ]
    }
    assert buyer_id in buyers and b.order["buyer"]["id"] not in buyers
    told = eventually(
        lambda: notification.delivery_log({"organisation_id": a.buyer_organisation_id})["items"],
        "the buyer's confirmation to be logged",
        timeout_s=30,
    )
    assert buyer_id in {item["recipient_id"] for item in told}
    assert {item["recipient_id"] for item in told} <= buyers, "only the buyer organisation's own buyers"
    assert notification.get_preferences(buyer_id)["organisation_id"] == a.buyer_organisation_id
