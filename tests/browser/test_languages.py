"""The pages in their readers' languages and time zones, in a real browser: a producer who reads Tok Pisin gets her
page in Tok Pisin with her deadline in Port Moresby time, named; the language switch changes the language and the
browser keeps her choice over her profile's; a buyer whose organisation reads French gets French words, dates and
numbers; an aggregator whose organisation reads Tok Pisin gets its dashboard in Tok Pisin, with the producers'
deadlines to answer in Port Moresby time, and switches it to French figures. What a page must show is computed here
by Babel from the API's values."""

import random
import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from tests.browser import page_formats
from tests.browser.conftest import BUYERS, HIGHLANDS, api
from tests.browser.test_pages import BUYER_READY, DASHBOARD_READY, PRODUCER_READY, dashboard_figures, figures

# English the producer's page says where it speaks English (the sign-in bar, still English, aside).
PRODUCER_ENGLISH = (
    "My money",
    "Waiting for my answer",
    "Answer by",
    "units",
    "Accept",
    "Decline",
    "Owed to me",
    "Reason to decline",
    "Nothing left to make",
    "My history",
    "Quota",
)
BUYER_ENGLISH = (
    "Where every unit is",
    "Shipments",
    "Money and documents",
    "Status",
    "Due",
    "Order value",
    "Still to pay",
    "orders",
    "Ordered",
    "Delivered",
)
STAGES = ("ordered", "allocated", "accepted", "produced", "passed", "shipped", "delivered")
DASHBOARD_ENGLISH = (
    "Overview",
    "Orders",
    "Fill rate",
    "On time in full",
    "Capacity used",
    "Producers",
    "The last twelve weeks",
    "Unit pipeline",
    "Producer quotas",
    "Money owed to producers",
    "Owed by buyers",
    "Shortfalls",
    "Recent orders",
    "Details",
    "Ledger",
    "Answer by",
    "Offer reached her",
    "Sent by",
    "units",
    "orders",
    "delivered",
    "this week",
    "Weeks start",
    "Updated",
    "Signed in as",
    "Sign out",
)
DRILL_SHOWN = (
    "() => !document.getElementById('drill').hidden && document.getElementById('drill-shipments').childElementCount > 0"
)


def in_language(language: str, ready: str) -> str:
    return f"() => document.documentElement.lang === '{language}' && ({ready})()"


def english_left(text: str, phrases: tuple) -> list:
    return [phrase for phrase in phrases if re.search(rf"\b{re.escape(phrase)}\b", text)]


@pytest.fixture(scope="module")
def tok_pisin(scenario):
    """The waiting producer reads Tok Pisin first: her record says so; she lives in Morobe, on Port Moresby time."""
    producer_id = scenario.offered_quota["producer_id"]
    scenario.admin.call("PATCH", f"/producers/{producer_id}", json={"languages": ["tpi", "en"]})
    return producer_id


@pytest.fixture(scope="module")
def french_buyer(scenario):
    """The buyer's organisation reads French, in Paris."""
    contact = {"name": "Kiriko", "email": "orders@kiriko.example.org", "languages": ["fr"], "timezone": "Europe/Paris"}
    scenario.as_user(scenario.buyer).call("PUT", f"/organisations/{BUYERS}/contact", json=contact)


@pytest.fixture(scope="module")
def tok_pisin_organisation(scenario):
    """The Highlands' co-operative reads Tok Pisin, on Port Moresby time."""
    contact = {
        "name": "Highland Weavers",
        "email": "office@highland-weavers.example.org",
        "languages": ["tpi", "en"],
        "timezone": "Pacific/Port_Moresby",
    }
    scenario.as_user(scenario.highlands.aggregator).call("PUT", f"/organisations/{HIGHLANDS}/contact", json=contact)


@pytest.mark.parametrize("viewport", ("desktop", "phone"))
def test_her_page_opens_in_tok_pisin_with_her_deadline_in_port_moresby_time(scenario, browser, tok_pisin, viewport):
    profile = api(scenario, scenario.producer, "/me/profile")
    assert profile["language"] == "tpi" and profile["time_zone"] == "Pacific/Port_Moresby"
    assert profile["zone_name"] == "PNG taim"
    assert api(scenario, scenario.producer, "/me/profile", language="fr")["zone_name"] == "heure de PNG"

    page = browser.open(
        "/producer",
        scenario.producer,
        in_language("tpi", PRODUCER_READY),
        screenshot="producer-tpi",
        viewport=viewport,
        evaluate="() => [document.title, location.search]",
    )
    assert page["evaluated"] == ["Bilum — wok bilong mi", "?language=tpi"], "her profile's language, on its own"
    quota = api(scenario, scenario.producer, f"/quotas/{scenario.offered_quota['id']}")
    respond_by = quota["top_up"]["respond_by"] if quota["top_up"] else quota["respond_by"]
    expected = page_formats.deadline("tpi", respond_by, "Pacific/Port_Moresby", "PNG taim")
    assert f"Bekim pastaim long {expected}" in page["text"]
    local = datetime.fromisoformat(respond_by.replace("Z", "+00:00")).astimezone(ZoneInfo("Pacific/Port_Moresby"))
    assert f"{local:%I:%M}" in expected and local.utcoffset() == timedelta(hours=10), "ten hours ahead of UTC"
    assert local.strftime("%d") in expected and ("PM" if local.hour >= 12 else "AM") in expected
    assert "Mani bilong mi" in page["text"] and "I wetim bekim bilong mi" in page["text"]
    assert not english_left(page["text"], PRODUCER_ENGLISH), "English left on her Tok Pisin page"
    assert all(url.startswith(scenario.base_url + "/") for url in page["requested"])
    if viewport == "phone":
        assert not page["horizontal_overflow"], "the Tok Pisin page is wider than a phone"


def test_the_switch_changes_the_language_and_the_browser_keeps_her_choice(scenario, browser, tok_pisin):
    producer_ready = in_language("fr", PRODUCER_READY)
    page = browser.open(
        "/producer",
        scenario.producer,
        in_language("tpi", PRODUCER_READY),
        click='nav.languages a[lang="fr"]',
        after_click=producer_ready,
        reload_ready=producer_ready,
        then_open=scenario.base_url + "/producer",
        then_ready=producer_ready,
        evaluate="() => [localStorage.getItem('bilum.language'), location.search, "
        "document.querySelector('nav.languages [aria-current]').lang]",
    )
    # The plain address, opened last, went to the French the browser keeps, not to her profile's Tok Pisin.
    assert page["evaluated"] == ["fr", "?language=fr", "fr"]
    assert "Mon argent" in page["text"] and "Mani bilong mi" not in page["text"]
    quota = api(scenario, scenario.producer, f"/quotas/{scenario.offered_quota['id']}")
    respond_by = quota["top_up"]["respond_by"] if quota["top_up"] else quota["respond_by"]
    expected = page_formats.deadline("fr", respond_by, "Pacific/Port_Moresby", "heure de PNG")
    assert f"Réponse attendue avant le {expected}" in page["text"]


def test_the_buyer_page_in_french_shows_french_words_dates_and_numbers(scenario, browser, french_buyer):
    profile = api(scenario, scenario.buyer, "/me/profile")
    assert (profile["language"], profile["time_zone"], profile["zone_name"]) == ("fr", "Europe/Paris", "heure de Paris")
    rng = random.Random(23)
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    instants = ["2026-03-29T00:59:00Z", "2026-03-29T01:00:00Z", "2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z"] + [
        (start + timedelta(minutes=rng.randrange(2 * 366 * 24 * 60))).isoformat().replace("+00:00", "Z")
        for _ in range(40)
    ]
    page = browser.open(
        "/buyer",
        scenario.buyer,
        in_language("fr", BUYER_READY),
        screenshot="buyer-fr",
        evaluate=f"() => [{instants}.map(Words.deadline), Words.money('JPY', '1234567'), "
        "Words.money('USD', '-1234.50'), document.title, "
        "[0, 1, 2, 1500].map(function (n) { return Words.counted(['{count} unité', '{count} unités'], n); })]",
    )
    deadlines, yen, refund, title, counts = page["evaluated"]
    assert counts == ["0 unité", "1 unité", "2 unités", "1\u202f500 unités"], "French counts 0 and 1 as one"
    assert deadlines == [page_formats.deadline("fr", iso, "Europe/Paris", "heure de Paris") for iso in instants]
    assert deadlines[0].endswith("01:59, heure de Paris") and deadlines[1].endswith("03:00, heure de Paris")
    assert (yen, refund, title) == ("1\u202f234\u202f567\u00a0JPY", "-1\u202f234,50\u00a0USD", "Bilum — mes commandes")

    orders = api(scenario, scenario.buyer, "/orders", page_size=20)["items"]
    assert page_formats.counted("fr", "{count} order", "{count} orders", len(orders)) in page["text"]
    for order in orders:
        shown = figures(page, order=order["id"])
        assert shown["due"] == page_formats.day("fr", order["due_date"])
        assert shown["promised"] == (
            page_formats.day("fr", order["promised_date"])
            if order["promised_date"]
            else "aucune : la date d'échéance fait foi"
        )
        assert shown["total"].startswith(page_formats.money("fr", order["currency"], order["total"]))
        account = api(scenario, scenario.buyer, "/buyer-accounts", order_id=order["id"])["items"][0]
        assert shown["ordered"] == page_formats.money("fr", account["currency"], account["ordered"])
        for line in order["lines"]:
            assert figures(page, line=line["line_id"]) == {
                stage: page_formats.count("fr", line[stage]) for stage in STAGES
            }
    assert all("\u202f" in figures(page, order=order["id"])["ordered"] for order in orders), "French grouping"
    assert "Où en est chaque unité" in page["text"] and "Argent et documents" in page["text"]
    assert not english_left(page["text"], BUYER_ENGLISH), "English left on the French buyer page"


@pytest.mark.parametrize("viewport", ("desktop", "phone"))
def test_the_dashboard_opens_in_tok_pisin_with_deadlines_in_port_moresby_time(
    scenario, browser, tok_pisin_organisation, viewport
):
    aggregator = scenario.highlands.aggregator
    profile = api(scenario, aggregator, "/me/profile")
    assert (profile["language"], profile["time_zone"], profile["zone_name"]) == (
        "tpi",
        "Pacific/Port_Moresby",
        "PNG taim",
    )
    order_id = scenario.highlands.order_ids[0]
    page = browser.open(
        "/dashboard",
        aggregator,
        in_language("tpi", DASHBOARD_READY),
        screenshot="dashboard-tpi",
        viewport=viewport,
        click=f'[data-order="{order_id}"] button',
        after_click=DRILL_SHOWN,
        evaluate="() => [document.title, location.search]",
    )
    assert page["evaluated"] == ["Bilum — lukautim ol oda", "?language=tpi"], "its organisation's language, on its own"
    d = api(scenario, aggregator, "/dashboard")
    expected = dashboard_figures(d, "tpi")
    assert {name: figures(page).get(name) for name in expected} == expected
    quota = api(scenario, aggregator, f"/quotas/{scenario.offered_quota['id']}")
    assert quota["status"] == "offered" and quota["order_id"] == order_id
    deadline = page_formats.deadline("tpi", quota["respond_by"], "Pacific/Port_Moresby", "PNG taim")
    assert deadline in page["text"] and deadline.endswith(", PNG taim"), "the producer's deadline in the co-op's time"
    local = datetime.fromisoformat(quota["respond_by"].replace("Z", "+00:00")).astimezone(
        ZoneInfo("Pacific/Port_Moresby")
    )
    assert f"{local:%I:%M}" in deadline and local.strftime("%Y") in deadline
    assert "Olgeta namba" in page["text"] and "Ol 12-pela wik i go pinis" in page["text"]
    assert f"Oda {order_id}" in page["text"], "the drill-down's heading"
    assert not english_left(page["text"], DASHBOARD_ENGLISH), "English left on the Tok Pisin dashboard"
    assert all(url.startswith(scenario.base_url + "/") for url in page["requested"])
    if viewport == "phone":
        assert not page["horizontal_overflow"], "the Tok Pisin dashboard is wider than a phone"


def test_the_dashboard_switches_to_french_figures_and_keeps_the_choice(scenario, browser, tok_pisin_organisation):
    french = in_language("fr", DASHBOARD_READY)
    page = browser.open(
        "/dashboard",
        scenario.highlands.aggregator,
        in_language("tpi", DASHBOARD_READY),
        screenshot="dashboard-fr",
        click='nav.languages a[lang="fr"]',
        after_click=french,
        then_open=scenario.base_url + "/dashboard",
        then_ready=french,
        evaluate="() => [localStorage.getItem('bilum.language'), location.search, document.title]",
    )
    assert page["evaluated"] == ["fr", "?language=fr", "Bilum — tableau de bord des commandes"]
    d = api(scenario, scenario.highlands.aggregator, "/dashboard")
    expected = dashboard_figures(d, "fr")
    shown = figures(page)
    assert {name: shown.get(name) for name in expected} == expected
    assert d["capacity"]["utilisation"] == 0.25 and shown["capacity-utilisation"] == "25,0\u00a0%", "French percent"
    assert "Vue d'ensemble" in page["text"] and "Les douze dernières semaines" in page["text"]
    assert not english_left(page["text"], DASHBOARD_ENGLISH), "English left on the French dashboard"
