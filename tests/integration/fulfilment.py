"""A small network set up over the HTTP API for fulfilment tests: one organisation, pooled offerings, approved
producers with weekly capacity, and helpers to place orders and read quotas, lots and ledgers."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
import requests

from bilum.waiting import eventually
from services.aggregation.service import AggregationService
from services.catalogue.service import CatalogueService
from services.gateway.service import GatewayService
from services.notification.service import NotificationService
from services.orders.service import OrdersService
from shared import migrations
from shared.weeks import iso_week, monday_of
from tests.integration.auth import admin_key
from tests.integration.helpers import dead_letters, running

ORG = "highland-weavers"


class Network:
    """Calls the API as an admin unless given other credentials."""

    def __init__(self, base_url: str, headers: dict | None = None, organisation_id: str = ORG):
        self.base = base_url + "/api/v1"
        self.headers = headers if headers is not None else admin_key()
        self.organisation_id = organisation_id

    def call(self, method: str, path: str, expect: int = 200, **kwargs):
        headers = {**self.headers, **kwargs.pop("headers", {})}
        response = requests.request(method, self.base + path, timeout=30, headers=headers, **kwargs)
        assert response.status_code == expect, f"{method} {path}: {response.status_code} {response.text[:1500]}"
        return response.json()

    def offering(self, sku: str, min_quota: int | None = None, name: str | None = None, **standard) -> str:
        """An offering with the catalogue's default smallest worthwhile quota unless ``min_quota`` says otherwise."""
        body = {
            "organisation_id": self.organisation_id,
            "sku": sku,
            "name": name or f"Bilum {sku}",
            "description": "Hand-looped",
            **({"min_quota": min_quota} if min_quota else {}),
            "unit_price": "30.00",
            "producer_price": "18.00",
            "currency": "USD",
            "unit_weight_g": 350,
            "unit_volume_cm3": 4000,
            "quality_standard": {"aql": {"major": 2.5, "minor": 4.0}, "rejected_lot_action": "ask", **standard},
        }
        return self.call("POST", "/offerings", 201, json=body)["id"]

    def producers(self, offering_id: str, weekly: list, weeks: int = 4, min_lot: int = 1, lead_time_days: int = 0):
        """Producers approved for the offering, each making ``weekly[i]`` units in each of the next weeks."""
        first = monday_of(date.today()) + timedelta(weeks=1)
        ids = []
        for units in weekly:
            n = uuid.uuid4().int % 10**7
            producer = self.call(
                "POST",
                "/producers",
                201,
                json={
                    "organisation_id": self.organisation_id,
                    "name": f"Weaver {n}",
                    "village": "Kama",
                    "district": "Goroka",
                    "region": "Eastern Highlands",
                    "country": "PG",
                    "latitude": -6.07,
                    "longitude": 145.41,
                    "remoteness": "all_season_road",
                    "mobile": f"+6757{n:07d}",
                    "languages": ["en"],
                },
            )
            self.call(
                "POST",
                f"/offerings/{offering_id}/approvals",
                json={
                    "producer_id": producer["id"],
                    "stage": "sample",
                    "status": "approved",
                    "decided_on": date.today().isoformat(),
                },
            )
            self.call(
                "POST",
                f"/producers/{producer['id']}/capacity",
                json={
                    "offering_id": offering_id,
                    "lead_time_days": lead_time_days,
                    "min_lot": min_lot,
                    "weeks": [{"week": iso_week(first + timedelta(weeks=k)), "units": units} for k in range(weeks)],
                },
            )
            ids.append(producer["id"])
        declared = sum(weekly) * weeks

        def known():
            response = requests.get(f"{self.base}/offerings/{offering_id}/capacity", headers=self.headers, timeout=10)
            return response.ok and response.json()["declared"] >= declared

        eventually(known, "allocation to know every producer's capacity", timeout_s=60)
        return ids

    def order(self, sku: str, quantity: int, due_in_days: int = 90, expect: int = 201, **more) -> dict:
        """An order DAP Tokyo by air in the offering's currency, unless ``more`` says otherwise."""
        return self.call(
            "POST",
            "/orders",
            expect,
            headers={"Idempotency-Key": str(uuid.uuid4())},
            json={
                "buyer": {"name": "Kiriko", "email": "orders@kiriko.example.org"},
                "destination": {
                    "name": "Kiriko Tokyo",
                    "city": "Tokyo",
                    "country": "JP",
                    "latitude": 35.6,
                    "longitude": 139.7,
                },
                "due_date": (date.today() + timedelta(days=due_in_days)).isoformat(),
                "lines": [{"sku": sku, "quantity": quantity}],
                "trade_terms": {"incoterm": "DAP", "named_place": "Tokyo", "transport_mode": "air"},
                **more,
            },
        )

    def quotas(self, order_id: str, status: str | None = None) -> list:
        query = {"order_id": order_id, "page_size": 100, **({"status": status} if status else {})}
        return self.call("GET", "/quotas", params=query)["items"]

    def line(self, order_id: str) -> dict:
        return self.call("GET", f"/orders/{order_id}")["lines"][0]

    def settled(self, order_id: str, **expected):
        """Wait until the order's (single) line ledger shows the expected figures."""
        return eventually(
            lambda: (lambda line: line if all(line[k] == v for k, v in expected.items()) else None)(
                self.line(order_id)
            ),
            f"the ledger of {order_id} to show {expected}",
            timeout_s=60,
        )


@pytest.fixture(scope="module")
def network(module_platform):
    """Catalogue, orders, aggregation and the gateway as nameko containers in this process for a whole module."""
    for service in ("catalogue", "orders", "aggregation"):
        migrations.upgrade(service)
    with running(CatalogueService), running(OrdersService), running(AggregationService), running(GatewayService):
        yield Network(module_platform["BILUM_GATEWAY_URL"])


@contextmanager
def sms_network(platform: dict, environment: dict[str, str]) -> Iterator[Network]:
    """Catalogue, orders, aggregation, notification and the gateway in this process with ``environment`` (an SMS
    gateway's settings), and the network's organisation with a contact: where it hears of a producer it cannot
    reach. Nothing may be dead-lettered on the way."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in environment.items():
            patch.setenv(name, value)
        for service in ("catalogue", "orders", "aggregation", "notification"):
            migrations.upgrade(service)
        with (
            running(CatalogueService),
            running(OrdersService),
            running(AggregationService),
            running(NotificationService),
            running(GatewayService),
        ):
            network = Network(platform["BILUM_GATEWAY_URL"])
            network.call(
                "PUT",
                f"/organisations/{network.organisation_id}/contact",
                json={"name": "Highland office", "email": "office@highland.example.org", "languages": ["en"]},
            )
            yield network
    assert dead_letters(platform["AMQP_URI"]) == 0
