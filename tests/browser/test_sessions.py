"""Staying signed in, in a real browser, with a gateway whose access tokens live 3 seconds: an open dashboard keeps
showing fresh figures across many token lifetimes without asking for the password; a 401 is answered by one renewal
and the request sent again; a refresh token replayed from outside is refused and ends the page's session; "Sign out"
ends it on the server.

The module runs its own platform (the token lifetime is read when the gateway starts), with no seeded network: an
aggregator whose organisation's producers are counted on the dashboard is enough."""

import json
import uuid

import pytest
import requests

from services.aggregation.service import AggregationService
from services.catalogue.service import CatalogueService
from services.consolidation.service import ConsolidationService
from services.gateway.service import GatewayService
from services.orders.service import OrdersService
from services.settlement.service import SettlementService
from shared import migrations
from tests.browser.conftest import PASSWORD, Browser
from tests.browser.test_pages import DASHBOARD_READY, figures
from tests.integration.auth import create_user, key_of_new_user
from tests.integration.helpers import running

TOKEN_LIFETIME_S = 3
ORGANISATION = "session-weavers"
ENDED = "Your session has ended. Please sign in again."

# Every answer a page's fetch gets from now on, as [path, status].
RECORD_ANSWERS = """() => { window.answers = []; const send = window.fetch;
  window.fetch = (...args) => send(...args).then(response => {
    window.answers.push([new URL(response.url).pathname, response.status]); return response; });
  return true; }"""
STORED = "() => JSON.parse(sessionStorage.getItem('bilum.session'))"
SIGN_IN_SHOWN = "() => !document.getElementById('signin').hidden"


def renewed_since(refresh_token: str) -> str:
    """Ready when the page holds another refresh token than ``refresh_token``."""
    return (
        f"() => (JSON.parse(sessionStorage.getItem('bilum.session')) || {{}}).refresh !== {json.dumps(refresh_token)}"
    )


@pytest.fixture(scope="module")
def short_lived_gateway(module_platform):
    """Every service the dashboard asks, and a gateway whose access tokens live ``TOKEN_LIFETIME_S``."""
    for service in ("catalogue", "orders", "aggregation", "consolidation", "settlement", "gateway"):
        migrations.upgrade(service)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BILUM_TOKEN_LIFETIME_S", str(TOKEN_LIFETIME_S))
        with (
            running(CatalogueService),
            running(OrdersService),
            running(AggregationService),
            running(ConsolidationService),
            running(SettlementService),
            running(GatewayService),
        ):
            yield module_platform["BILUM_GATEWAY_URL"]


@pytest.fixture(scope="module")
def browser(short_lived_gateway):
    driven = Browser(short_lived_gateway)
    yield driven
    driven.close()


@pytest.fixture
def aggregator():
    username = f"agg-{uuid.uuid4().hex[:8]}"
    create_user(username, PASSWORD, "aggregator", organisation_id=ORGANISATION)
    return username


def refresh(base: str, refresh_token: str) -> requests.Response:
    return requests.post(f"{base}/api/v1/auth/refresh", json={"refresh_token": refresh_token}, timeout=30)


def register_producer(base: str) -> None:
    n = uuid.uuid4().int % 10**7
    answer = requests.post(
        f"{base}/api/v1/producers",
        headers=key_of_new_user("admin"),
        timeout=30,
        json={
            "organisation_id": ORGANISATION,
            "name": f"Weaver {n}",
            "village": "Kama",
            "district": "Eastern Highlands",
            "region": "Eastern Highlands",
            "country": "PG",
            "latitude": -6.07,
            "longitude": 145.41,
            "mobile": f"+6757{n:07d}",
            "languages": ["en"],
            "remoteness": "all_season_road",
        },
    )
    assert answer.status_code == 201, answer.text


def test_an_open_dashboard_stays_signed_in_across_many_token_lifetimes(short_lived_gateway, browser, aggregator):
    page = browser.open("/dashboard", aggregator, DASHBOARD_READY, keep="staying", evaluate=RECORD_ANSWERS)
    shown = figures(page)
    register_producer(short_lived_gateway)
    # The dashboard reloads its figures every 15 s: five token lifetimes after the one it signed in with.
    later = browser.again(
        "staying",
        """() => document.querySelector('[data-figure="producers"]').textContent.trim() === '1'""",
        timeout_s=45,
        evaluate="() => ({answers: window.answers, signInShown: !document.getElementById('signin').hidden})",
    )
    assert (shown["producers"], figures(later)["producers"]) == ("0", "1")
    answers, sign_in_shown = later["evaluated"]["answers"], later["evaluated"]["signInShown"]
    renewals = [status for path, status in answers if path == "/api/v1/auth/refresh"]
    assert len(renewals) >= 4 and set(renewals) == {200}, answers
    assert ["/api/v1/dashboard", 200] in answers
    assert not [answer for answer in answers if answer[1] == 401], "a token expired before it was renewed"
    assert not sign_in_shown and ENDED not in later["text"]


def test_a_401_is_answered_by_one_renewal_shared_by_the_requests_waiting(browser, aggregator):
    page = browser.open("/dashboard", aggregator, DASHBOARD_READY, keep="spoilt", evaluate=STORED)
    # Just after a renewal, the next one is seconds away: the spoilt token is what the requests below send.
    browser.again("spoilt", renewed_since(page["evaluated"]["refresh"]), stay=True)
    answered = browser.again(
        "spoilt",
        DASHBOARD_READY,
        evaluate="""async () => {
          const stored = JSON.parse(sessionStorage.getItem('bilum.session'));
          sessionStorage.setItem('bilum.session', JSON.stringify({...stored, token: 'spoilt'}));
          const record = ${RECORD_ANSWERS}; record();
          const users = await Promise.all([1, 2, 3].map(() => Bilum.api('GET', '/api/v1/me')));
          return {users: users.map(user => user.username), answers: window.answers};
        }""".replace("${RECORD_ANSWERS}", RECORD_ANSWERS),
    )
    users, answers = answered["evaluated"]["users"], answered["evaluated"]["answers"]
    assert users == [aggregator] * 3
    assert [path for path, _ in answers].count("/api/v1/auth/refresh") == 1, answers
    assert sorted(status for path, status in answers if path == "/api/v1/me") == [200, 200, 200, 401, 401, 401]


def test_a_replayed_refresh_token_is_refused_and_ends_the_pages_session(short_lived_gateway, browser, aggregator):
    page = browser.open("/dashboard", aggregator, DASHBOARD_READY, keep="replayed", evaluate=STORED)
    spent = page["evaluated"]["refresh"]
    renewed = browser.again("replayed", renewed_since(spent), stay=True, evaluate=STORED)
    assert renewed["evaluated"]["refresh"] != spent and renewed["evaluated"]["user"]["username"] == aggregator

    replayed = refresh(short_lived_gateway, spent)
    assert replayed.status_code == 401 and "already used" in replayed.json()["error"]["message"]

    # The page's next request (or its next renewal, whichever comes first) finds the session ended.
    asked = browser.again(
        "replayed",
        "() => true",
        stay=True,
        evaluate="() => Bilum.api('GET', '/api/v1/dashboard').then(() => 'answered', error => error.status)",
    )
    assert asked["evaluated"] == 401
    ended = browser.again("replayed", SIGN_IN_SHOWN, evaluate=STORED)
    assert ENDED in ended["text"] and ended["evaluated"] is None, "the spent tokens are gone from the page"
    assert refresh(short_lived_gateway, renewed["evaluated"]["refresh"]).status_code == 401


def test_sign_out_ends_the_session_on_the_server(short_lived_gateway, browser, aggregator):
    page = browser.open("/dashboard", aggregator, DASHBOARD_READY, keep="leaving", evaluate=STORED)
    browser.again("leaving", renewed_since(page["evaluated"]["refresh"]), stay=True)
    held = browser.again(
        "leaving",
        "() => true",
        stay=True,
        evaluate=f"() => {{ const held = ({STORED})(); document.getElementById('sign-out').click(); return held; }}",
    )["evaluated"]
    left = browser.again(
        "leaving",
        "() => document.getElementById('auth-message').textContent === 'You are signed out.'",
        evaluate=STORED,
    )
    assert left["evaluated"] is None and not [line for line in left["text"].splitlines() if "Signed in as" in line]
    refused = refresh(short_lived_gateway, held["refresh"])
    assert refused.status_code == 401 and "session has ended" in refused.json()["error"]["message"]
    me = requests.get(
        f"{short_lived_gateway}/api/v1/me", headers={"Authorization": f"Bearer {held['token']}"}, timeout=30
    )
    assert me.status_code == 401 and "session has ended" in me.json()["error"]["message"]
