"""The sign-in limit behind a proxy, through the real gateway: X-Forwarded-For counts only when the peer is a trusted
proxy, and then each forwarded client has attempts of its own. The test's requests come from 127.0.0.1."""

import uuid

import pytest
import requests

from services.gateway.service import GatewayService
from tests.integration.auth import create_user
from tests.integration.helpers import running

ATTEMPTS_PER_MINUTE = 3


@pytest.fixture(scope="module")
def username(module_platform):
    name = f"mary-{uuid.uuid4().hex[:8]}"
    create_user(name, uuid.uuid4().hex, "admin")
    return name


def _gateway(monkeypatch, trusted: str):
    monkeypatch.setenv("BILUM_SIGN_IN_PER_MINUTE", str(ATTEMPTS_PER_MINUTE))
    monkeypatch.setenv("BILUM_TRUSTED_PROXIES", trusted)
    return running(GatewayService)


def _wrong_sign_in(base: str, username: str, forwarded_for: str) -> requests.Response:
    return requests.post(
        base + "/api/v1/auth/token",
        json={"username": username, "password": "not-hers"},
        headers={"X-Forwarded-For": forwarded_for},
        timeout=30,
    )


def test_without_trusted_proxies_a_forged_forwarded_for_buys_no_more_attempts(module_platform, monkeypatch, username):
    with _gateway(monkeypatch, ""):
        base = module_platform["BILUM_GATEWAY_URL"]
        answers = [_wrong_sign_in(base, username, f"198.51.100.{n}") for n in range(ATTEMPTS_PER_MINUTE + 2)]
    assert [answer.status_code for answer in answers] == [401] * ATTEMPTS_PER_MINUTE + [429, 429]
    assert int(answers[-1].headers["Retry-After"]) >= 1


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_attempts(module_platform, monkeypatch, username):
    with _gateway(monkeypatch, "127.0.0.1, 10.0.0.0/8"):
        base = module_platform["BILUM_GATEWAY_URL"]
        guesser = [_wrong_sign_in(base, username, "203.0.113.7").status_code for _ in range(ATTEMPTS_PER_MINUTE + 1)]
        # What the guesser writes left of what the proxies appended changes nothing.
        forged = _wrong_sign_in(base, username, "203.0.113.8, 203.0.113.7, 10.1.2.3").status_code
        owner = _wrong_sign_in(base, username, "203.0.113.8").status_code
    assert guesser == [401] * ATTEMPTS_PER_MINUTE + [429]
    assert (forged, owner) == (429, 401)
