"""A catalogue's public link in a real browser at a phone's size, without signing in: the page shows the catalogue
and its pictures through the link only, no producer price and no producer's phone or e-mail, and its form sends a
quote request that the organisation then finds in its list (photographed under var/test-artefacts/screenshots)."""

import base64
import io

import pytest
import requests
from PIL import Image

from services.catalogue.service import CatalogueService
from services.gateway.service import GatewayService
from shared import migrations
from tests.browser.conftest import Browser
from tests.integration.auth import admin_key, key_of_new_user
from tests.integration.helpers import running

ORG = "madang-weavers"
PRODUCER_PRICE = "21.00"
PRODUCER_MOBILE, PRODUCER_EMAIL = "+67579876543", "weaver.bogia@madang.example.org"
FORM_SHOWN = "() => document.querySelector('form button[type=submit]') !== null"
THANKED = "() => document.querySelector('h1') !== null && document.title.startsWith('Thank you')"


def _picture() -> dict:
    buffer = io.BytesIO()
    Image.new("RGB", (1000, 750), (120, 60, 30)).save(buffer, format="PNG")
    return {"content_type": "image/png", "data": base64.b64encode(buffer.getvalue()).decode()}


class Shared:
    def __init__(self, base: str):
        self.base = base
        self.admin = admin_key()
        self.aggregator = key_of_new_user("aggregator", ORG)

    def api(self, method: str, path: str, headers: dict | None = None, **kwargs):
        response = requests.request(
            method, f"{self.base}/api/v1{path}", headers=headers or self.admin, timeout=30, **kwargs
        )
        assert response.status_code in (200, 201), f"{method} {path}: {response.status_code} {response.text[:1000]}"
        return response.json()


@pytest.fixture(scope="module")
def shared(module_platform):
    migrations.upgrade("catalogue")
    with running(CatalogueService), running(GatewayService):
        site = Shared(module_platform["BILUM_GATEWAY_URL"])
        offering = site.api(
            "POST",
            "/offerings",
            json={
                "organisation_id": ORG,
                "sku": "MADANG-BLUE",
                "name": "Madang bilum, sea blue",
                "description": "Looped by the weavers of Bogia",
                "unit_price": "42.50",
                "producer_price": PRODUCER_PRICE,
                "currency": "USD",
                "unit_weight_g": 350,
                "unit_volume_cm3": 4000,
                "images": [_picture()],
                "quality_standard": {"aql": {"major": 2.5}, "rejected_lot_action": "ask"},
            },
        )
        producer = site.api(
            "POST",
            "/producers",
            json={
                "organisation_id": ORG,
                "name": "Weaver of Bogia",
                "village": "Bogia",
                "district": "Bogia",
                "region": "Madang",
                "country": "PG",
                "latitude": -4.27,
                "longitude": 144.97,
                "remoteness": "all_season_road",
                "mobile": PRODUCER_MOBILE,
                "email": PRODUCER_EMAIL,
                "languages": ["tpi", "en"],
            },
        )
        site.api(
            "POST",
            f"/offerings/{offering['id']}/approvals",
            json={"producer_id": producer["id"], "stage": "sample", "status": "approved", "decided_on": "2026-02-02"},
        )
        site.api(
            "POST",
            "/catalogues",
            site.aggregator,
            json={"name": "madang-2027", "title": "Madang bilums", "selection": {}},
        )
        yield site


@pytest.fixture(scope="module")
def browser(shared):
    driven = Browser(shared.base)
    yield driven
    driven.close()


def test_a_buyer_opens_the_link_on_a_phone_without_signing_in_and_asks_for_a_quote(shared, browser):
    link = shared.api("POST", "/catalogues/madang-2027/links", shared.aggregator, json={"language": "en"})
    page = browser.open(link["path"], None, FORM_SHOWN, screenshot="shared-catalogue", viewport="phone")
    text = page["text"]
    assert "Madang bilum, sea blue" in text and "USD 42.50" in text and "Ask for a quote" in text
    for secret in (PRODUCER_PRICE, PRODUCER_MOBILE, PRODUCER_EMAIL):
        assert secret not in text
    assert not page["horizontal_overflow"], "the page fits a phone's width"
    pictures = [url for url in page["requested"] if "/images/" in url]
    assert pictures and all(
        url.startswith(f"{shared.base}{link['path']}/images/MADANG-BLUE/0?size=") for url in pictures
    )
    assert all(url.startswith(shared.base) for url in page["requested"]), "nothing is fetched from elsewhere"

    thanks = browser.open(
        link["path"],
        None,
        FORM_SHOWN,
        screenshot="shared-catalogue-thanks",
        viewport="phone",
        fill={
            "SKU MADANG-BLUE": "150",
            "Your name": "Aiko Tanaka",
            "Company": "Kiriko Trading",
            "E-mail": "aiko@kiriko.example.jp",
            "Message": "Could they reach Yokohama by March?",
        },
        click="form button[type=submit]",
        after_click=THANKED,
    )
    assert "Your request for a quote has been sent." in thanks["text"]
    assert "aiko@kiriko.example.jp" in thanks["text"]
    [stored] = shared.api("GET", "/quote-requests", shared.aggregator)["items"]
    assert (stored["name"], stored["company"], stored["email"], stored["link_id"]) == (
        "Aiko Tanaka",
        "Kiriko Trading",
        "aiko@kiriko.example.jp",
        link["id"],
    )
    assert stored["items"] == [{"sku": "MADANG-BLUE", "name": "Madang bilum, sea blue", "quantity": 150}]
    assert stored["message"] == "Could they reach Yokohama by March?"
