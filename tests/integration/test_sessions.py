"""Staying signed in, against the real gateway on PostgreSQL: a refresh rotates the refresh token; a spent one sent
again is refused and ends the session, its newest refresh token and its access tokens included; sign-out ends it
the same way; two processes refreshing one token at once cannot both succeed."""

import uuid
from datetime import datetime, timezone

import eventlet
import jwt
import pytest
import requests
from sqlalchemy import update

from services.gateway import accounts, sessions
from services.gateway.service import GatewayService
from services.gateway.store import users
from shared import migrations
from shared.store import Database
from tests.integration.auth import create_user, key_of_new_user
from tests.integration.helpers import running
from tests.usecases.refresh_racer import POLICY, assert_one_won_each, race


@pytest.fixture(scope="module")
def gateway(module_platform):
    migrations.upgrade("gateway")
    with running(GatewayService):
        yield module_platform["BILUM_GATEWAY_URL"]


def _signed_in(base: str) -> tuple[str, dict]:
    username = f"desk-{uuid.uuid4().hex[:8]}"
    create_user(username, "a long enough password", "aggregator", "kumul")
    answer = requests.post(
        f"{base}/api/v1/auth/token", json={"username": username, "password": "a long enough password"}, timeout=30
    )
    assert answer.status_code == 200, answer.text
    return username, answer.json()


def _me(base: str, access_token: str) -> requests.Response:
    return requests.get(f"{base}/api/v1/me", headers={"Authorization": f"Bearer {access_token}"}, timeout=30)


def _refresh(base: str, refresh_token) -> requests.Response:
    return requests.post(f"{base}/api/v1/auth/refresh", json={"refresh_token": refresh_token}, timeout=30)


def test_sign_in_answers_a_short_lived_access_token_and_a_refresh_token_of_its_session(gateway):
    username, tokens = _signed_in(gateway)
    assert (tokens["token_type"], tokens["expires_in"], tokens["refresh_expires_in"]) == ("Bearer", 900, 4 * 3600)
    assert len(tokens["refresh_token"]) >= 43 and tokens["user"]["username"] == username
    assert jwt.decode(tokens["access_token"], options={"verify_signature": False})["sid"].startswith("ses_")
    assert _me(gateway, tokens["access_token"]).json()["username"] == username


def test_a_refresh_rotates_and_a_replayed_refresh_token_ends_the_whole_session(gateway):
    username, first = _signed_in(gateway)
    renewed = _refresh(gateway, first["refresh_token"])
    assert renewed.status_code == 200, renewed.text
    second = renewed.json()
    assert second["refresh_token"] != first["refresh_token"] and second["access_token"] != first["access_token"]
    assert second["user"] == first["user"]
    assert _me(gateway, second["access_token"]).json()["username"] == username

    replayed = _refresh(gateway, first["refresh_token"])
    assert replayed.status_code == 401 and replayed.headers["WWW-Authenticate"].startswith("Bearer")
    assert "already used" in replayed.json()["error"]["message"]
    assert _refresh(gateway, second["refresh_token"]).status_code == 401, "the thief's or the owner's, it is ended"
    for access_token in (second["access_token"], first["access_token"]):
        refused = _me(gateway, access_token)
        assert refused.status_code == 401 and "session has ended" in refused.json()["error"]["message"]


def test_sign_out_ends_the_access_token_and_the_refresh_token(gateway):
    _, tokens = _signed_in(gateway)
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    signed_out = requests.post(f"{gateway}/api/v1/auth/sign-out", headers=bearer, timeout=30)
    assert signed_out.status_code == 200, signed_out.text
    assert datetime.fromisoformat(signed_out.json()["ended_at"]) <= datetime.now(timezone.utc)
    assert _me(gateway, tokens["access_token"]).status_code == 401
    assert _refresh(gateway, tokens["refresh_token"]).status_code == 401
    assert requests.post(f"{gateway}/api/v1/auth/sign-out", headers=bearer, timeout=30).status_code == 401


def test_an_api_key_has_no_session_to_sign_out_of(gateway):
    answer = requests.post(f"{gateway}/api/v1/auth/sign-out", headers=key_of_new_user("buyer", "kiriko"), timeout=30)
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "no_session"


@pytest.mark.parametrize(
    "body, field",
    [({}, "refresh_token"), ({"refresh_token": 42}, "refresh_token"), ({"refresh_token": "x", "extra": 1}, "extra")],
)
def test_a_malformed_refresh_is_refused_with_the_field_at_fault(gateway, body, field):
    answer = requests.post(f"{gateway}/api/v1/auth/refresh", json=body, timeout=30)
    assert answer.status_code == 422 and field in answer.json()["error"]["fields"]


def test_an_unknown_refresh_token_is_refused(gateway):
    answer = _refresh(gateway, "made-up-" + uuid.uuid4().hex)
    assert answer.status_code == 401 and answer.json()["error"]["code"] == "unauthenticated"


def test_a_disabled_users_tokens_stop_at_once(gateway):
    username, tokens = _signed_in(gateway)
    database = Database("gateway", outbox=None, inbox=None)
    with database.transaction() as uow:
        uow.session.execute(update(users).where(users.c.username == username).values(disabled=True))
    database.engine.dispose()
    assert _me(gateway, tokens["access_token"]).status_code == 401
    assert _refresh(gateway, tokens["refresh_token"]).status_code == 401


def test_requests_refreshing_one_token_at_once_get_one_new_token(gateway):
    _, tokens = _signed_in(gateway)
    pool = eventlet.GreenPool()
    statuses = sorted(pool.imap(lambda _: _refresh(gateway, tokens["refresh_token"]).status_code, range(6)))
    assert statuses == [200, 401, 401, 401, 401, 401]


def test_two_processes_refreshing_one_token_at_once_on_postgresql_cannot_both_succeed(gateway, module_platform):
    """Each process's write waits on the other's row lock, then finds the token spent."""
    username, _ = _signed_in(gateway)
    database = Database("gateway", outbox=None, inbox=None)
    now = datetime.now(timezone.utc)
    with database.transaction() as uow:
        owner = accounts.user_by_name(uow, username)
        grants = [sessions.start(uow, owner, now, POLICY) for _ in range(20)]
    database.engine.dispose()
    outcomes = race({"BILUM_DATABASE_URL": module_platform["BILUM_DATABASE_URL"]}, [g.refresh_token for g in grants])
    assert_one_won_each(outcomes, len(grants))
