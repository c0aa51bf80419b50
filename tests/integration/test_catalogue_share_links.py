"""A catalogue's public link over HTTP, on the real broker and PostgreSQL: the page, its pictures and PDFs opened
without an account and with headers that keep the token to itself, managers making, listing and revoking only their
own organisation's links, quote requests from the form and as JSON (refused with what to fix, limited per client
address) and the e-mail that tells the organisation's desk.

The catalogue, notification and the gateway run as nameko containers in this process for the whole module; the
gateway believes X-Forwarded-For from this machine, so each test asks from client addresses of its own."""

import base64
import email
import io
import itertools
import uuid
from email import policy

import pytest
import requests
from PIL import Image

from bilum.waiting import eventually
from services.catalogue.service import CatalogueService
from services.gateway.service import GatewayService
from services.notification.service import NotificationService
from shared import migrations
from tests.integration.auth import admin_key, key_of_new_user
from tests.integration.helpers import running

ORG, OTHER_ORG = "sepik-weavers", "fly-river-carvers"
PRODUCER_PRICE = "21.37"
PRODUCER_MOBILE, PRODUCER_EMAIL = "+67571234567", "weaver.kama@sepik.example.org"
DESK = "desk@sepik.example.org"
CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"
_ADDRESSES = (f"198.51.100.{n}" for n in itertools.count(1))


def client() -> dict:
    """Headers of a caller at a client address no other request of the module uses."""
    return {"X-Forwarded-For": next(_ADDRESSES)}


def _png() -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 800), (138, 90, 43)).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


class Site:
    def __init__(self, base: str):
        self.base = base
        self.admin = admin_key()
        self.aggregator = key_of_new_user("aggregator", ORG)
        self.other_aggregator = key_of_new_user("aggregator", OTHER_ORG)
        self.buyer = key_of_new_user("buyer", "kiriko-trading")

    def api(self, method: str, path: str, expect: int, headers: dict | None = None, **kwargs):
        response = requests.request(
            method, f"{self.base}/api/v1{path}", headers=headers or self.admin, timeout=30, **kwargs
        )
        assert response.status_code == expect, f"{method} {path}: {response.status_code} {response.text[:1500]}"
        return response.json()

    def public(self, method: str, path: str, **kwargs) -> requests.Response:
        return requests.request(method, self.base + path, timeout=30, **kwargs)

    def link(self, language: str = "en") -> dict:
        return self.api("POST", "/catalogues/sepik-2027/links", 201, self.aggregator, json={"language": language})

    def quote_requests(self) -> list:
        return self.api("GET", "/quote-requests", 200, self.aggregator, params={"page_size": 100})["items"]


@pytest.fixture(scope="module")
def site(module_platform, smtp_server):
    with pytest.MonkeyPatch.context() as patch:
        for key, value in {
            "BILUM_TRUSTED_PROXIES": "127.0.0.1",
            "BILUM_SMTP_HOST": "127.0.0.1",
            "BILUM_SMTP_PORT": str(smtp_server.port),
            "BILUM_SMTP_SENDER": "Bilum <bilum@example.org>",
            "BILUM_NOTIFY_TICK_S": "0.2",
        }.items():
            patch.setenv(key, value)
        for service in ("catalogue", "notification"):
            migrations.upgrade(service)
        with running(CatalogueService), running(NotificationService), running(GatewayService):
            yield _seed(Site(module_platform["BILUM_GATEWAY_URL"]))


def _offering(organisation: str, sku: str, **more) -> dict:
    return {
        "organisation_id": organisation,
        "sku": sku,
        "name": f"Sepik bilum {sku}",
        "description": "Looped by hand",
        "unit_price": "38.50",
        "producer_price": PRODUCER_PRICE,
        "currency": "USD",
        "unit_weight_g": 350,
        "unit_volume_cm3": 4000,
        "quality_standard": {"aql": {"major": 2.5}, "rejected_lot_action": "ask"},
        **more,
    }


def _seed(site: Site) -> Site:
    offering = site.api(
        "POST",
        "/offerings",
        201,
        json=_offering(ORG, "SEPIK-RED", images=[{"content_type": "image/png", "data": _png()}]),
    )
    site.api("POST", "/offerings", 201, json=_offering(OTHER_ORG, "FLY-MASK"))
    producer = site.api(
        "POST",
        "/producers",
        201,
        json={
            "organisation_id": ORG,
            "name": "Weaver of Kama",
            "village": "Kama",
            "district": "Wewak",
            "region": "East Sepik",
            "country": "PG",
            "latitude": -3.55,
            "longitude": 143.63,
            "remoteness": "all_season_road",
            "mobile": PRODUCER_MOBILE,
            "email": PRODUCER_EMAIL,
            "languages": ["tpi", "en"],
        },
    )
    site.api(
        "POST",
        f"/offerings/{offering['id']}/approvals",
        200,
        json={"producer_id": producer["id"], "stage": "sample", "status": "approved", "decided_on": "2026-01-05"},
    )
    site.api(
        "POST",
        "/catalogues",
        201,
        site.aggregator,
        json={
            "name": "sepik-2027",
            "title": "Sepik bilums",
            "selection": {},
            "contact": {"name": "Sepik Weavers desk", "email": DESK},
        },
    )
    site.api(
        "PUT", f"/organisations/{ORG}/contact", 200, json={"name": "Sepik desk", "email": DESK, "languages": ["en"]}
    )
    return site


def test_a_link_opens_the_catalogue_without_an_account_and_keeps_its_token_to_itself(site):
    link = site.link("fr")
    page = site.public("GET", link["path"], headers={"Accept-Encoding": "gzip"})
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert page.headers["Content-Encoding"] == "gzip" and len(page.content) > 1000
    assert page.headers["Content-Security-Policy"] == CSP
    assert (page.headers["Referrer-Policy"], page.headers["X-Robots-Tag"]) == ("no-referrer", "noindex")
    text = page.text
    assert '<html lang="fr">' in text and "SEPIK-RED" in text and "FLY-MASK" not in text
    for secret in (PRODUCER_PRICE, PRODUCER_PRICE.replace(".", ","), PRODUCER_MOBILE, PRODUCER_EMAIL):
        assert secret not in text
    small = site.public("GET", f"{link['path']}/images/SEPIK-RED/0", params={"size": "small"})
    with Image.open(io.BytesIO(small.content)) as picture:
        assert small.headers["Content-Type"] == "image/png" and max(picture.size) <= 320
    assert f"{link['path']}/images/SEPIK-RED/0?size=small" in text
    pdf = site.public("GET", f"{link['path']}/catalogue.pdf", params={"layout": "flyer", "paper": "letter"})
    assert (
        pdf.status_code == 200
        and pdf.content.startswith(b"%PDF")
        and "-flyer-fr.pdf" in pdf.headers["Content-Disposition"]
    )

    assert site.public("GET", f"{link['path']}/catalogue.pdf", params={"layout": "poster"}).status_code == 422
    assert site.public("GET", link["path"], params={"language": "de"}).status_code == 422
    assert site.public("GET", f"{link['path']}/images/SEPIK-RED/0", params={"size": "huge"}).status_code == 422
    assert site.public("GET", f"{link['path']}/images/FLY-MASK/0").status_code == 404
    assert site.public("GET", f"/c/{uuid.uuid4().hex}").status_code == 404
    [listed] = [
        item
        for item in site.api("GET", "/catalogues/sepik-2027/links", 200, site.aggregator)["items"]
        if item["id"] == link["id"]
    ]
    assert listed["opens"] == 1 and "token" not in listed and link["token"] not in str(listed)


def test_only_the_catalogues_own_managers_make_list_and_revoke_its_links_and_a_revoked_link_is_gone(site):
    link = site.link()
    for headers, status in ((site.other_aggregator, 404), (site.buyer, 403)):
        site.api("POST", "/catalogues/sepik-2027/links", status, headers, json={})
        site.api("GET", "/catalogues/sepik-2027/links", status, headers)
        site.api("POST", f"/catalogues/sepik-2027/links/{link['id']}/revoke", status, headers)
    assert site.public("GET", link["path"]).status_code == 200, "still open after the refused revocations"
    site.api("POST", "/catalogues/sepik-2027/links", 422, site.aggregator, json={"expires_in_days": 400})

    revoked = site.api("POST", f"/catalogues/sepik-2027/links/{link['id']}/revoke", 200, site.aggregator)
    assert revoked["status"] == "revoked"
    gone = site.public("GET", link["path"])
    assert gone.status_code == 410 and gone.headers["Content-Type"].startswith("text/html")
    assert "no longer valid" in gone.text and "SEPIK-RED" not in gone.text
    assert site.public("GET", f"{link['path']}/catalogue.pdf").status_code == 410
    as_json = site.public("POST", f"{link['path']}/quote", headers=client(), json={"name": "x"})
    assert as_json.status_code == 410 and as_json.json()["error"]["code"] == "gone"
    as_form = site.public("POST", f"{link['path']}/quote", headers=client(), data={"name": "x"})
    assert as_form.status_code == 410 and "no longer valid" in as_form.text


def _sent_to(smtp, address: str, subject_part: str) -> list:
    messages = [
        email.message_from_bytes(record["content"], policy=policy.default)
        for record in smtp.records()
        if address in record["rcpt_tos"]
    ]
    return [message for message in messages if subject_part in message["Subject"]]


def test_a_quote_request_from_the_form_is_kept_and_reaches_the_organisations_desk_by_email(site, smtp_server):
    link = site.link()
    form = {
        "name": "Aiko Tanaka",
        "company": "Kiriko Trading",
        "email": "aiko@kiriko.example.jp",
        "phone": "",
        "country": "JP",
        "message": "Could 120 bags reach Yokohama by March?",
        "language": "en",
        "quantity-SEPIK-RED": "120",
    }
    thanks = site.public("POST", f"{link['path']}/quote", headers=client(), data=form)
    assert thanks.status_code == 201 and thanks.headers["Content-Type"].startswith("text/html")
    assert "aiko@kiriko.example.jp" in thanks.text and thanks.headers["Content-Security-Policy"] == CSP
    [kept] = [item for item in site.quote_requests() if item["link_id"] == link["id"]]
    assert kept["items"] == [{"sku": "SEPIK-RED", "name": "Sepik bilum SEPIK-RED", "quantity": 120}]
    assert kept["id"] not in str(site.api("GET", "/quote-requests", 200, site.other_aggregator))

    [mail] = eventually(lambda: _sent_to(smtp_server, DESK, "Kiriko Trading"), "the desk's e-mail", timeout_s=30)
    body = mail.get_body(("plain",)).get_content()
    for text in ("Aiko Tanaka", "Kiriko Trading, JP", "120 x Sepik bilum SEPIK-RED (SEPIK-RED)", form["message"]):
        assert text in body
    assert "aiko@kiriko.example.jp" in body and "Sepik bilums" in mail["Subject"]

    as_json = site.public(
        "POST",
        f"{link['path']}/quote",
        headers=client(),
        json={
            **{k: form[k] for k in ("name", "company")},
            "phone": "+81 3 1234 5678",
            "items": [{"sku": "SEPIK-RED", "quantity": 10}],
        },
    )
    assert as_json.status_code == 201 and as_json.json()["phone"] == "+81312345678"


def test_a_quote_request_that_cannot_be_answered_is_refused_with_what_to_fix_and_nothing_is_kept(site):
    link = site.link()
    before = len(site.quote_requests())
    form = {"name": "Aiko", "company": "Kiriko", "email": "", "phone": "", "quantity-SEPIK-RED": "0"}
    fix = site.public("POST", f"{link['path']}/quote", headers=client(), data=form)
    assert fix.status_code == 422 and fix.headers["Content-Type"].startswith("text/html")
    assert "Give an e-mail address or a phone number" in fix.text and "Write how many you would like" in fix.text
    assert 'value="Aiko"' in fix.text
    body = {"name": "Aiko", "company": "Kiriko", "items": [{"sku": "SEPIK-RED", "quantity": 3}]}
    refused = site.public("POST", f"{link['path']}/quote", headers=client(), json=body)
    assert refused.status_code == 422
    assert refused.json()["error"]["fields"]["email"] == [
        "tell us how to answer you: an e-mail address or a phone number"
    ]
    unknown = {**body, "email": "a@kiriko.example.jp", "items": [{"sku": "FLY-MASK", "quantity": 3}]}
    assert site.public("POST", f"{link['path']}/quote", headers=client(), json=unknown).status_code == 422
    twice = "name=a&name=b&company=c&email=a%40b.example&quantity-SEPIK-RED=1"
    headers = {**client(), "Content-Type": "application/x-www-form-urlencoded"}
    assert site.public("POST", f"{link['path']}/quote", headers=headers, data=twice).status_code == 400
    huge = {**body, "email": "a@kiriko.example.jp", "message": "x" * 40_000}
    assert site.public("POST", f"{link['path']}/quote", headers=client(), json=huge).status_code == 413
    assert len(site.quote_requests()) == before


def test_quote_requests_are_limited_per_client_address(site):
    link = site.link()
    address = client()
    answers = [
        site.public("POST", f"{link['path']}/quote", headers=address, json={"name": "bot"}).status_code
        for _ in range(6)
    ]
    assert answers == [422] * 5 + [429]
    limited = site.public("POST", f"{link['path']}/quote", headers=address, data={"name": "bot"})
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 60
    assert "too many quote requests" in limited.text and limited.headers["Content-Type"].startswith("text/html")
    assert site.public("POST", f"{link['path']}/quote", headers=client(), json={"name": "bot"}).status_code == 422
