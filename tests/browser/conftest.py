"""Browser tests of the pages: the real services on the real broker and PostgreSQL, a seeded network of two aggregator
organisations, and Debian's chromium driven by Playwright in a process of its own (see ``driver.py``).

When chromium is missing or cannot start, the tests fail and say what to install: they never skip."""

import json
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import eventlet
import pytest
import requests

from bilum.waiting import eventually
from services.aggregation.service import AggregationService
from services.catalogue.service import CatalogueService
from services.consolidation.service import ConsolidationService
from services.gateway.service import GatewayService
from services.notification.service import NotificationService
from services.orders.service import OrdersService
from services.settlement.service import SettlementService
from shared import migrations
from shared.weeks import iso_week, monday_of
from tests.conformance import gateway_answers_are_checked, gateway_answers_match_the_document  # noqa: F401
from tests.integration.auth import bearer, create_user
from tests.integration.conftest import module_platform, postgres_admin  # noqa: F401 (the platform's fixtures)
from tests.integration.fulfilment import Network
from tests.integration.helpers import running

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "test-artefacts" / "screenshots"
PASSWORD = "woven by forty hands"
HIGHLANDS, COAST, BUYERS = "highland-weavers", "coastal-carvers", "kiriko-trading"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.integration)


class Browser:
    """The browser process: one command in, one answer out."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.browser.driver"],
            cwd=ROOT,
            text=True,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        started = self._answer(90)
        if "ready" not in started:
            pytest.fail(f"chromium did not start: {started}", pytrace=False)

    def _answer(self, timeout_s: float) -> dict:
        with eventlet.Timeout(timeout_s):
            line = self.process.stdout.readline()
        if not line:
            pytest.fail(
                "the browser process ended without answering: is Debian's chromium installed at "
                "/usr/bin/chromium (`apt-get install -y chromium`, which `make test` does)? Its error is "
                "printed above.",
                pytrace=False,
            )
        return json.loads(line)

    def open(
        self,
        path: str,
        user: str | None,
        ready: str,
        screenshot: str | None = None,
        viewport: str = "desktop",
        **command,
    ) -> dict:
        """Open a page, sign in as ``user`` through the page's form, wait for the JavaScript condition ``ready``."""
        if screenshot:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            screenshot = str(SCREENSHOTS / f"{screenshot}-{viewport}.png")
        self.process.stdin.write(
            json.dumps(
                {
                    "url": self.base_url + path,
                    "username": user,
                    "password": PASSWORD,
                    "ready": ready,
                    "screenshot": screenshot,
                    "viewport": viewport,
                    **command,
                }
            )
            + "\n"
        )
        self.process.stdin.flush()
        answer = self._answer(120)
        assert "error" not in answer, answer.get("error")
        return answer

    def again(self, page: str, ready: str, timeout_s: float = 60, **command) -> dict:
        """Wait on a page kept open (``open(..., keep=name)``) until ``ready``, without reloading it (``stay=True``:
        and keep it open)."""
        self.process.stdin.write(
            json.dumps({"page": page, "ready": ready, "timeout_ms": timeout_s * 1000, **command}) + "\n"
        )
        self.process.stdin.flush()
        answer = self._answer(timeout_s + 30)
        assert "error" not in answer, answer.get("error")
        return answer

    def close(self):
        self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@dataclass
class Organisation:
    name: str
    aggregator: str
    offering_id: str = ""
    sku: str = ""
    producer_ids: list = field(default_factory=list)
    order_ids: list = field(default_factory=list)


@dataclass
class Scenario:
    base_url: str
    admin: Network
    highlands: Organisation
    coast: Organisation
    buyer: str
    producer: str
    offered_quota: dict
    signed_in: dict = field(default_factory=dict)

    def headers(self, username: str) -> dict:
        """One sign-in per user for the whole module: the pages sign in through their own form too, and sign-ins
        are rate-limited per user."""
        if username not in self.signed_in:
            self.signed_in[username] = bearer(self.base_url, username, PASSWORD)
        return self.signed_in[username]

    def as_user(self, username: str) -> Network:
        return Network(self.base_url, self.headers(username))


def _organisation(admin: Network, name: str, regions: list) -> Organisation:
    """One aggregator organisation: an offering, its approved producers with weekly capacity, its aggregator user."""
    tag = uuid.uuid4().hex[:6]
    organisation = Organisation(name=name, aggregator=f"agg-{name}-{tag}", sku=f"{name[:4].upper()}-{tag.upper()}")
    create_user(organisation.aggregator, PASSWORD, "aggregator", organisation_id=name)
    organisation.offering_id = admin.call(
        "POST",
        "/offerings",
        201,
        json={
            "organisation_id": name,
            "sku": organisation.sku,
            "name": f"Bilum {organisation.sku}",
            "description": "Hand-looped",
            "unit_price": "30.00",
            "producer_price": "18.00",
            "currency": "USD",
            "unit_weight_g": 350,
            "unit_volume_cm3": 4000,
            "quality_standard": {"aql": {"major": 2.5, "minor": 4.0}, "rejected_lot_action": "ask"},
        },
    )["id"]
    first = monday_of(date.today()) + timedelta(weeks=1)
    for region, latitude, longitude, weekly in regions:
        n = uuid.uuid4().int % 10**7
        producer = admin.call(
            "POST",
            "/producers",
            201,
            json={
                "organisation_id": name,
                "name": f"Weaver {n}",
                "village": "Kama",
                "district": region,
                "region": region,
                "country": "PG",
                "latitude": latitude,
                "longitude": longitude,
                "mobile": f"+6757{n:07d}",
                "languages": ["en"],
                **_road(latitude),
            },
        )
        admin.call(
            "POST",
            f"/offerings/{organisation.offering_id}/approvals",
            json={
                "producer_id": producer["id"],
                "stage": "sample",
                "status": "approved",
                "decided_on": date.today().isoformat(),
            },
        )
        admin.call(
            "POST",
            f"/producers/{producer['id']}/capacity",
            json={
                "offering_id": organisation.offering_id,
                "lead_time_days": 0,
                "min_lot": 1,
                "weeks": [{"week": iso_week(first + timedelta(weeks=k)), "units": weekly} for k in range(4)],
            },
        )
        organisation.producer_ids.append(producer["id"])
    declared = sum(weekly for *_, weekly in regions) * 4
    eventually(
        lambda: admin.call("GET", f"/offerings/{organisation.offering_id}/capacity")["declared"] >= declared,
        f"allocation to know {name}'s capacity",
        timeout_s=60,
    )
    return organisation


def _road(latitude: float) -> dict:
    """The islands of the south are reached by a road closed half a year away from now, not in the weeks seeded."""
    if latitude > -8:
        return {"remoteness": "all_season_road"}
    return {"remoteness": "seasonal_road", "closed_months": [(date.today().month + 5) % 12 + 1]}


def _order(buyer: Network, organisation: Organisation, quantity: int) -> str:
    order = buyer.call(
        "POST",
        "/orders",
        201,
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
            "due_date": (date.today() + timedelta(days=90)).isoformat(),
            "lines": [{"sku": organisation.sku, "quantity": quantity}],
            "trade_terms": {"incoterm": "CIF", "named_place": "Tokyo", "transport_mode": "sea"},
        },
    )
    organisation.order_ids.append(order["id"])
    return order["id"]


def _offers(admin: Network, order_id: str, quantity: int) -> list:
    return eventually(
        lambda: (lambda quotas: quotas if sum(q["quantity"] for q in quotas) == quantity else None)(
            admin.call("GET", "/quotas", params={"order_id": order_id, "status": "offered", "page_size": 100})["items"]
        ),
        f"the offers of {order_id}",
        timeout_s=60,
    )


def _inspect(admin: Network, lot: dict, organisation: str, passed: bool) -> dict:
    plan = next(plan for plan in lot["plan"] if plan["defect_class"] == "major")
    defects = plan["accept"] if passed else plan["reject"]
    return admin.call(
        "POST",
        f"/lots/{lot['id']}/inspections",
        201,
        json={
            "inspector": "QC",
            "organisation_id": organisation,
            "findings": [{"criterion": "loose loops", "defect_class": "major", "count": defects}],
        },
    )


def _settled(admin: Network, order_id: str, **expected) -> dict:
    return eventually(
        lambda: (lambda line: line if all(line[k] == v for k, v in expected.items()) else None)(
            admin.call("GET", f"/orders/{order_id}")["lines"][0]
        ),
        f"the ledger of {order_id} to show {expected}",
        timeout_s=60,
    )


def _seed(base_url: str) -> Scenario:
    """Highland Weavers (three producers in two regions) and Coastal Carvers (two producers) each get one order from
    the same buyer organisation. At the Highlands, two producers accept; one lot passes QC and travels, one fails;
    the third producer's offer waits for its answer (the page's accept button gives it). At the Coast every offer
    waits, and 40 of the 240 units ordered find no capacity."""
    admin_name = f"admin-{uuid.uuid4().hex[:6]}"
    create_user(admin_name, PASSWORD, "admin")
    admin = Network(base_url, bearer(base_url, admin_name, PASSWORD))
    highlands = _organisation(
        admin,
        HIGHLANDS,
        [
            ("Eastern Highlands", -6.07, 145.41, 30),
            ("Eastern Highlands", -6.2, 145.5, 30),
            ("Morobe", -6.73, 146.99, 30),
        ],
    )
    coast = _organisation(admin, COAST, [("Milne Bay", -10.3, 150.45, 25), ("Milne Bay", -10.6, 150.7, 25)])
    buyer_name = f"buyer-{uuid.uuid4().hex[:6]}"
    create_user(buyer_name, PASSWORD, "buyer", organisation_id=BUYERS)
    buyer = Network(base_url, bearer(base_url, buyer_name, PASSWORD))

    order_id = _order(buyer, highlands, 90)
    _order(buyer, coast, 240)
    offers = {quota["producer_id"]: quota for quota in _offers(admin, order_id, 90)}
    producer_name = f"weaver-{uuid.uuid4().hex[:6]}"
    waiting = offers[highlands.producer_ids[2]]
    create_user(producer_name, PASSWORD, "producer", producer_id=waiting["producer_id"])
    first, second = offers[highlands.producer_ids[0]], offers[highlands.producer_ids[1]]
    for quota in (first, second):
        admin.call("POST", f"/quotas/{quota['id']}/accept")
    good = admin.call("POST", f"/quotas/{first['id']}/lots", 201, json={"quantity": first["quantity"]})
    bad = admin.call("POST", f"/quotas/{second['id']}/lots", 201, json={"quantity": 10})
    _inspect(admin, good, HIGHLANDS, passed=True)
    _inspect(admin, bad, HIGHLANDS, passed=False)
    _settled(admin, order_id, passed=first["quantity"])
    _offers(admin, coast.order_ids[0], 200)

    def plan():
        response = requests.post(
            admin.base + "/shipments/plan", json={"dispatch": "now"}, headers=admin.headers, timeout=30
        )
        assert response.status_code in (200, 201), response.text
        return response.json()["items"]

    shipped = eventually(plan, "a shipment of the passed lot", timeout_s=60)
    for status in ("picked_up", "at_hub", "in_transit"):
        admin.call("POST", f"/shipments/{shipped[0]['id']}/events", json={"status": status})
    _settled(admin, order_id, shipped=first["quantity"])
    return Scenario(base_url, admin, highlands, coast, buyer_name, producer_name, waiting)


@pytest.fixture(scope="module")
def scenario(module_platform):  # noqa: F811 (the fixture imported above)
    for service in ("catalogue", "orders", "aggregation", "consolidation", "settlement", "notification"):
        migrations.upgrade(service)
    with (
        running(CatalogueService),
        running(OrdersService),
        running(AggregationService),
        running(ConsolidationService),
        running(SettlementService),
        running(NotificationService),
        running(GatewayService),
    ):
        yield _seed(module_platform["BILUM_GATEWAY_URL"])


@pytest.fixture(scope="module")
def browser(scenario):
    driven = Browser(scenario.base_url)
    yield driven
    driven.close()


def api(scenario: Scenario, username: str, path: str, **params) -> dict:
    response = requests.get(
        f"{scenario.base_url}/api/v1{path}", params=params, timeout=30, headers=scenario.headers(username)
    )
    assert response.status_code == 200, response.text
    return response.json()
