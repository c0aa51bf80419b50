"""Two aggregator organisations on the real services, each with everything a caller could reach across the tenant
line: an offering with a picture, a producer with capacity and a readiness record, two buyer organisations whose
orders share one shipment, a quota, an inspected lot, a user, an API key and a themed catalogue, and credentials for
every role. Made over the HTTP API for the security tests."""

import base64
import io
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
import requests
from PIL import Image

from bilum.waiting import eventually
from services.aggregation.service import AggregationService
from services.catalogue import readiness
from services.catalogue.service import CatalogueService
from services.consolidation.service import ConsolidationService
from services.gateway.service import GatewayService
from services.notification.service import NotificationService
from services.orders.service import OrdersService
from services.settlement.service import SettlementService
from shared import migrations
from tests.integration.auth import admin_key, key_of_new_user
from tests.integration.fulfilment import Network
from tests.integration.helpers import running

# What producers are paid in the tests' offerings: a figure no other field of an answer holds.
PRODUCER_PRICE = "17.35"


@dataclass
class Tenant:
    organisation_id: str
    buyer_organisation_id: str
    # A second buyer organisation ordering from the same co-operative: its order shares the shipment.
    neighbour_organisation_id: str
    credentials: dict = field(default_factory=dict)
    neighbour: dict = field(default_factory=dict)
    objects: dict = field(default_factory=dict)
    # What another tenant could only learn from a leak: it never sends these itself.
    secrets: list = field(default_factory=list)

    @property
    def ids(self) -> list:
        """Ids of this tenant's objects that no other tenant may find in any list."""
        return [
            self.objects[kind]
            for kind in (
                "order",
                "neighbour_order",
                "quota",
                "neighbour_quota",
                "lot",
                "neighbour_lot",
                "producer",
                "user",
                "api_key",
                "shipment",
                "advance",
                "payout_batch",
                "payout_line",
                "producer_group",
            )
        ]


def _picture() -> dict:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (120, 60, 30)).save(buffer, format="PNG")
    return {"content_type": "image/png", "data": base64.b64encode(buffer.getvalue()).decode()}


def _offering(network: Network, sku: str) -> str:
    return network.call(
        "POST",
        "/offerings",
        201,
        json={
            "organisation_id": network.organisation_id,
            "sku": sku,
            "name": f"Bilum {sku}",
            "description": "Hand-looped",
            "unit_price": "30.00",
            "producer_price": PRODUCER_PRICE,
            "currency": "USD",
            "unit_weight_g": 350,
            "unit_volume_cm3": 4000,
            "images": [_picture()],
            "quality_standard": {"aql": {"major": 2.5}, "rejected_lot_action": "ask"},
        },
    )["id"]


def _advance(tenant: Tenant, base: str, quota_id: str) -> str:
    """Yarn advanced against the accepted quota, once settlement has heard of the acceptance."""
    body = {"quota_id": quota_id, "kind": "materials", "description": "yarn", "amount": "50.00", "currency": "USD"}
    headers = tenant.credentials["aggregator"]

    def recorded():
        response = requests.post(base + "/api/v1/advances", json=body, headers=headers, timeout=30)
        return response.json()["advance_id"] if response.status_code == 201 else None

    return eventually(recorded, "settlement to know the accepted quota", timeout_s=60)


def _passed_lot(tenant: Tenant, network: Network, base: str, order: dict, quantity: int) -> tuple[str, str]:
    [quota] = eventually(lambda: network.quotas(order["id"], "offered"), f"the offer of {order['id']}")
    as_producer = Network(base, tenant.credentials["producer"])
    as_producer.call("POST", f"/quotas/{quota['id']}/accept")
    if "advance" not in tenant.objects:
        tenant.objects["advance"] = _advance(tenant, base, quota["id"])
    lot = as_producer.call("POST", f"/quotas/{quota['id']}/lots", 201, json={"quantity": quantity})
    findings = [{"criterion": "loops", "defect_class": plan["defect_class"], "count": 0} for plan in lot["plan"]]
    Network(base, tenant.credentials["inspector"]).call(
        "POST", f"/lots/{lot['id']}/inspections", 201, json={"findings": findings}
    )
    return quota["id"], lot["id"]


def _tenant(base: str, admin: dict, name: str) -> Tenant:
    tag = uuid.uuid4().hex[:4]
    tenant = Tenant(f"{name}-weavers-{tag}", f"{name}-buyers-{tag}", f"{name}-neighbours-{tag}")
    network = Network(base, admin, organisation_id=tenant.organisation_id)
    sku = f"SEC-{name.upper()}-{tag.upper()}"
    offering = _offering(network, sku)
    [producer] = network.producers(offering, [60], weeks=3)
    tenant.credentials = {
        "admin": admin,
        "aggregator": key_of_new_user("aggregator", tenant.organisation_id),
        "inspector": key_of_new_user("inspector", tenant.organisation_id),
        "buyer": key_of_new_user("buyer", tenant.buyer_organisation_id),
        "producer": key_of_new_user("producer", producer_id=producer),
    }
    tenant.neighbour = key_of_new_user("buyer", tenant.neighbour_organisation_id)
    aggregator = Network(base, tenant.credentials["aggregator"], organisation_id=tenant.organisation_id)
    aggregator.call("PUT", f"/producers/{producer}/readiness", json={str(n): True for n in readiness.QUESTIONS})
    aggregator.call(
        "PUT",
        f"/organisations/{tenant.organisation_id}/contact",
        json={"name": f"{name} office", "email": f"office-{tag}@weavers.example.org"},
    )
    Network(base, tenant.credentials["buyer"]).call(
        "PUT",
        f"/organisations/{tenant.buyer_organisation_id}/contact",
        json={"name": f"{name} buying", "email": f"buy-{tag}@example.org"},
    )
    order = Network(base, tenant.credentials["buyer"]).order(sku, 40)
    neighbour_order = Network(base, tenant.neighbour).order(sku, 20)
    quota, lot = _passed_lot(tenant, network, base, order, 40)
    neighbour_quota, neighbour_lot = _passed_lot(tenant, network, base, neighbour_order, 20)
    user = aggregator.call(
        "POST",
        "/users",
        201,
        json={
            "username": f"{name}-clerk-{tag}",
            "password": uuid.uuid4().hex,
            "role": "inspector",
            "organisation_id": tenant.organisation_id,
        },
    )
    key = aggregator.call("POST", "/api-keys", 201, json={"name": f"{name} warehouse"})
    catalogue = f"{name}-{tag}-highlands"
    aggregator.call(
        "POST",
        "/catalogues",
        201,
        json={
            "name": catalogue,
            "organisation_id": tenant.organisation_id,
            "title": f"{name} highlands",
            "selection": {},
        },
    )
    link = aggregator.call("POST", f"/catalogues/{catalogue}/links", 201, json={})
    group = aggregator.call(
        "POST",
        "/producer-groups",
        201,
        json={"name": f"{name} weavers", "region": "Eastern Highlands", "story": "They loop.", "picture": _picture()},
    )
    producer_view = network.call("GET", f"/producers/{producer}")
    batch = _payout_batch(tenant, base, producer)
    tenant.objects |= {
        "offering": offering,
        "producer": producer,
        "order": order["id"],
        "neighbour_order": neighbour_order["id"],
        "quota": quota,
        "lot": lot,
        "neighbour_quota": neighbour_quota,
        "neighbour_lot": neighbour_lot,
        "line": order["lines"][0]["line_id"],
        "user": user["id"],
        "api_key": key["id"],
        "api_key_value": key["key"],
        "catalogue": catalogue,
        "producer_group": group["id"],
        "share_link": link["id"],
        "sku": sku,
        "organisation": tenant.organisation_id,
        "buyer_organisation": tenant.buyer_organisation_id,
        "payout_batch": batch["batch_id"],
        "payout_line": batch["lines"][0]["line_id"],
    }
    tenant.secrets = [
        tenant.buyer_organisation_id,
        tenant.neighbour_organisation_id,
        producer_view["name"],
        producer_view["mobile"],
        user["username"],
    ]
    return tenant


def _payout_batch(tenant: Tenant, base: str, producer_id: str) -> dict:
    """A draft paying the producer what her two passed lots earned, less the advance, in cash."""
    headers = tenant.credentials["aggregator"]
    body = {"currency": "USD", "producer_ids": [producer_id], "cash": [producer_id]}

    def earned_both():
        money = requests.get(f"{base}/api/v1/producers/{producer_id}/money", headers=headers, timeout=30).json()
        return money["accounts"] and money["accounts"][0]["earned"] == f"{60 * Decimal(PRODUCER_PRICE):.2f}"

    eventually(earned_both, "settlement to earn both passed lots", timeout_s=60)
    response = requests.post(base + "/api/v1/payout-batches", json=body, headers=headers, timeout=30)
    assert response.status_code == 201, response.text
    return response.json()


def _ship_every_lot(base: str, admin: dict, tenants: tuple) -> None:
    """Once consolidation knows every passed lot (a plan that ships nothing lists them as waiting), one plan ships
    them all: each co-operative's two buyers share a shipment."""
    lots = {tenant.objects[kind] for tenant in tenants for kind in ("lot", "neighbour_lot")}

    def all_known() -> bool:
        waiting = requests.post(
            base + "/api/v1/shipments/plan", json={"dispatch": "auto"}, headers=admin, timeout=60
        ).json()["waiting"]
        return lots <= {item["lot_id"] for item in waiting if "not known" not in item["reason"]}

    eventually(all_known, "consolidation to know every passed lot", timeout_s=60)
    requests.post(base + "/api/v1/shipments/plan", json={"dispatch": "now"}, headers=admin, timeout=60)
    for tenant in tenants:
        [shipment] = requests.get(
            base + "/api/v1/shipments", params={"order_id": tenant.objects["order"]}, headers=admin, timeout=30
        ).json()["items"]
        assert tenant.objects["neighbour_order"] in shipment["order_ids"], "both buyers' lots share the shipment"
        tenant.objects["shipment"] = shipment["id"]
        for status in ("in_transit", "delivered"):
            requests.post(
                f"{base}/api/v1/shipments/{shipment['id']}/events", json={"status": status}, headers=admin, timeout=30
            )
        _trade_objects(base, tenant)


# A one-pixel PNG: the claim's photo.
PHOTO = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005"
        "0001ff5ca2b3d10000000049454e44ae426082"
    )
).decode()


def _trade_objects(base: str, tenant: Tenant) -> None:
    """The order's pro-forma, and the buyer's claim for a unit of its delivered line (with a photo)."""
    buyer = tenant.credentials["buyer"]
    order_id = tenant.objects["order"]

    def invoiced() -> list:
        found = requests.get(
            f"{base}/api/v1/documents", params={"order_id": order_id}, headers=buyer, timeout=30
        ).json()["items"]
        return found if {"proforma", "invoice"} <= {document["kind"] for document in found} else []

    documents = eventually(invoiced, "the order's pro-forma and invoice", timeout_s=60)

    def claimed():
        response = requests.post(
            f"{base}/api/v1/orders/{order_id}/claims",
            json={
                "lines": [{"line_id": tenant.objects["line"], "kind": "damaged", "units": 1}],
                "reason": "a torn bag",
                "photos": [{"content_type": "image/png", "data": PHOTO}],
            },
            headers=buyer,
            timeout=30,
        )
        return [response.json()] if response.status_code == 201 else []

    [claim] = eventually(claimed, "the buyer's claim, once settlement knows the delivery", timeout_s=60)
    tenant.objects["document"] = next(d["document_id"] for d in documents if d["kind"] == "proforma")
    tenant.objects["claim"] = claim["claim_id"]


@pytest.fixture(scope="module")
def tenants(module_platform):
    """(gateway URL, tenant a, tenant b) on every service, for a whole module."""
    for service in ("catalogue", "orders", "aggregation", "consolidation", "notification", "settlement"):
        migrations.upgrade(service)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BILUM_ROUTING_MAX_ITERATIONS", "100")
        patch.setenv("BILUM_ROUTING_TIME_LIMIT_S", "1")
        with (
            running(CatalogueService),
            running(OrdersService),
            running(AggregationService),
            running(ConsolidationService),
            running(NotificationService),
            running(SettlementService),
            running(GatewayService),
        ):
            base = module_platform["BILUM_GATEWAY_URL"]
            admin = admin_key()
            a, b = _tenant(base, admin, "a"), _tenant(base, admin, "b")
            _ship_every_lot(base, admin, (a, b))
            yield base, a, b
