"""The gateway's pure parts: passwords, tokens, API keys, rate limits, object-level rules, and the OpenAPI document."""

import json
from datetime import datetime, timedelta, timezone

import jwt
import pytest
from environs import EnvError
from hypothesis import given
from hypothesis import strategies as st
from openapi_spec_validator import validate

from bilum import openapi
from services.gateway import access, auth, settings
from services.gateway.limits import RateLimiter
from services.gateway.service import OPENAPI_DOCUMENT
from shared.errors import NotFound

SECRET = "a-test-signing-key-of-more-than-32-characters"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
BUYER = auth.Principal("usr_1", "kiriko", auth.BUYER, organisation_id="kiriko")
AGGREGATOR = auth.Principal("usr_2", "kumul", auth.AGGREGATOR, organisation_id="kumul", session_id="ses_1")
PRODUCER = auth.Principal("usr_3", "mary", auth.PRODUCER, producer_id="prd_mary")
ADMIN = auth.Principal("usr_4", "root", auth.ADMIN)


def test_a_password_matches_only_itself_and_is_not_stored_in_clear():
    stored = auth.hash_password("correct horse battery")
    assert stored.startswith("$argon2id$") and "correct" not in stored
    assert auth.password_matches(stored, "correct horse battery")
    assert not auth.password_matches(stored, "correct horse battery ")
    assert not auth.password_matches("not a hash", "anything")


def test_a_token_carries_who_signed_in_and_their_session_until_it_expires():
    token = auth.issue_token(AGGREGATOR, SECRET, datetime.now(timezone.utc), timedelta(minutes=15))
    assert auth.principal_of_token(token, SECRET) == AGGREGATOR
    assert jwt.decode(token, options={"verify_signature": False})["sid"] == "ses_1"
    expired = auth.issue_token(
        AGGREGATOR, SECRET, datetime.now(timezone.utc) - timedelta(hours=1), timedelta(minutes=15)
    )
    with pytest.raises(auth.Unauthenticated, match="expired"):
        auth.principal_of_token(expired, SECRET)
    with pytest.raises(auth.Unauthenticated):
        auth.principal_of_token(token, SECRET + "x")


@pytest.mark.parametrize(
    "claims, algorithm",
    [
        ({"aud": "elsewhere"}, "HS256"),
        ({"iss": "elsewhere"}, "HS256"),
        ({}, "HS384"),
        ({}, "none"),
        ({"role": "root"}, "HS256"),
        ({"sid": None}, "HS256"),
        ({"sid": ""}, "HS256"),
        ({"sid": 7}, "HS256"),
    ],
)
def test_tokens_of_another_audience_issuer_algorithm_or_role_are_refused(claims, algorithm):
    payload = {
        "iss": auth.ISSUER,
        "aud": auth.AUDIENCE,
        "sub": "usr_x",
        "role": "admin",
        "sid": "ses_x",
        "iat": datetime.now(timezone.utc),
        "exp": datetime.now(timezone.utc) + timedelta(minutes=5),
        **claims,
    }
    token = jwt.encode(payload, None if algorithm == "none" else SECRET, algorithm=algorithm)
    with pytest.raises(auth.Unauthenticated):
        auth.principal_of_token(token, SECRET)


def test_an_api_key_is_found_by_its_prefix_and_checked_by_its_digest():
    key, prefix, digest = auth.new_api_key()
    assert auth.api_key_prefix(key) == prefix and len(digest) == 64 and key not in digest
    assert auth.api_key_matches(digest, key)
    assert not auth.api_key_matches(digest, key[:-1] + ("A" if key[-1] != "A" else "B"))
    assert auth.api_key_prefix("bk_short_x") is None and auth.api_key_prefix("nothing") is None


@pytest.mark.parametrize(
    "role, organisation, producer",
    [("buyer", None, None), ("producer", None, None), ("admin", "kumul", None), ("root", None, None)],
)
def test_a_user_is_tied_to_what_its_role_acts_for(role, organisation, producer):
    with pytest.raises(ValueError):
        auth.check_identity(role, organisation, producer)


def test_an_aggregator_makes_users_of_its_own_organisation_and_its_own_producers_only():
    make = auth.organisation_of_new_user
    assert make(AGGREGATOR, auth.PRODUCER, None, "prd_mary", "kumul") == "kumul"
    assert make(AGGREGATOR, auth.INSPECTOR, "kumul", None, None) == "kumul"
    with pytest.raises(NotFound, match="no producer prd_other"):
        make(AGGREGATOR, auth.PRODUCER, "kumul", "prd_other", "coastal")
    with pytest.raises(NotFound):
        make(AGGREGATOR, auth.PRODUCER, "coastal", "prd_other", "coastal")
    with pytest.raises(NotFound):
        make(AGGREGATOR, auth.PRODUCER, "kumul", "prd_mary", None)
    with pytest.raises(auth.Forbidden):
        make(AGGREGATOR, auth.BUYER, "coastal", None, None)
    with pytest.raises(auth.Forbidden):
        make(AGGREGATOR, auth.ADMIN, None, None, None)


def test_a_producers_user_belongs_to_the_producers_organisation_whoever_makes_it():
    make = auth.organisation_of_new_user
    assert make(ADMIN, auth.PRODUCER, None, "prd_mary", "kumul") == "kumul"
    assert make(None, auth.PRODUCER, None, "prd_mary", None) is None
    assert make(None, auth.BUYER, "kiriko", None, None) == "kiriko"
    with pytest.raises(ValueError):
        make(ADMIN, auth.PRODUCER, "coastal", "prd_mary", "kumul")


def test_a_bucket_allows_its_burst_then_says_how_long_to_wait_and_refills():
    limiter = RateLimiter(rate_per_s=2, burst=3)
    assert [limiter.take("k", 0.0) for _ in range(3)] == [0, 0, 0]
    assert limiter.take("k", 0.0) == pytest.approx(0.5)
    assert limiter.take("other", 0.0) == 0
    assert limiter.take("k", 0.5) == 0


@given(st.lists(st.floats(min_value=0, max_value=0.2), min_size=1, max_size=200))
def test_no_caller_gets_more_than_its_burst_plus_its_rate(gaps):
    limiter = RateLimiter(rate_per_s=5, burst=4)
    now, allowed = 0.0, 0
    for gap in gaps:
        now += gap
        allowed += limiter.take("k", now) == 0
    assert allowed <= 4 + 5 * now + 1e-9


GATEWAY_VARIABLES = (
    "BILUM_JWT_SECRET",
    "BILUM_TOKEN_LIFETIME_S",
    "BILUM_REFRESH_IDLE_S",
    "BILUM_SESSION_LIFETIME_S",
    "BILUM_RATE_LIMIT_PER_S",
    "BILUM_RATE_LIMIT_BURST",
    "BILUM_SIGN_IN_PER_MINUTE",
)


@pytest.fixture
def gateway_environment(monkeypatch):
    for name in GATEWAY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_without_a_secret_the_gateway_signs_with_a_key_of_its_own_process(gateway_environment, caplog):
    first, second = settings.load(), settings.load()
    assert len(first.token_secret) >= 32 and first.token_secret != second.token_secret
    assert "BILUM_JWT_SECRET is not set" in caplog.text
    assert (first.token_lifetime, first.rate_per_s, first.rate_burst, first.sign_in_per_minute) == (
        timedelta(seconds=900),
        50.0,
        200,
        10,
    )
    assert (first.refresh_idle, first.session_lifetime) == (timedelta(hours=4), timedelta(hours=12))


def test_a_secret_that_could_be_guessed_is_refused_and_a_long_one_is_used(gateway_environment):
    gateway_environment.setenv("BILUM_JWT_SECRET", "short")
    with pytest.raises(RuntimeError, match="at least 32 characters"):
        settings.load()
    gateway_environment.setenv("BILUM_JWT_SECRET", SECRET)
    gateway_environment.setenv("BILUM_TOKEN_LIFETIME_S", "60")
    loaded = settings.load()
    assert (loaded.token_secret, loaded.token_lifetime) == (SECRET, timedelta(seconds=60))


@pytest.mark.parametrize(
    "name, value",
    [
        ("BILUM_RATE_LIMIT_PER_S", "0"),
        ("BILUM_RATE_LIMIT_BURST", "many"),
        ("BILUM_SIGN_IN_PER_MINUTE", "0"),
        ("BILUM_TOKEN_LIFETIME_S", "-1"),
        ("BILUM_REFRESH_IDLE_S", "0"),
        ("BILUM_SESSION_LIFETIME_S", "a day"),
    ],
)
def test_a_wrong_limit_stops_the_gateway_naming_the_variable(gateway_environment, name, value):
    gateway_environment.setenv("BILUM_JWT_SECRET", SECRET)
    gateway_environment.setenv(name, value)
    with pytest.raises(EnvError, match=name):
        settings.load()


@pytest.mark.parametrize(
    "lifetimes, message",
    [
        ({"BILUM_TOKEN_LIFETIME_S": "3600", "BILUM_REFRESH_IDLE_S": "3600"}, "BILUM_TOKEN_LIFETIME_S must be shorter"),
        ({"BILUM_REFRESH_IDLE_S": "50000"}, "BILUM_REFRESH_IDLE_S must not be longer than BILUM_SESSION_LIFETIME_S"),
        ({"BILUM_SESSION_LIFETIME_S": "600"}, "BILUM_REFRESH_IDLE_S must not be longer than BILUM_SESSION_LIFETIME_S"),
    ],
)
def test_lifetimes_that_would_sign_people_out_or_mean_nothing_stop_the_gateway(gateway_environment, lifetimes, message):
    """An access token outliving the refresh token's idle limit could never be renewed in time; an idle limit past the
    session's end would mean nothing."""
    gateway_environment.setenv("BILUM_JWT_SECRET", SECRET)
    for name, value in lifetimes.items():
        gateway_environment.setenv(name, value)
    with pytest.raises(RuntimeError, match=message):
        settings.load()
    gateway_environment.setenv("BILUM_TOKEN_LIFETIME_S", "3")
    gateway_environment.setenv("BILUM_REFRESH_IDLE_S", "600")
    gateway_environment.setenv("BILUM_SESSION_LIFETIME_S", "600")
    loaded = settings.load()
    assert (loaded.token_lifetime, loaded.refresh_idle, loaded.session_lifetime) == (
        timedelta(seconds=3),
        timedelta(minutes=10),
        timedelta(minutes=10),
    )


def test_each_role_acts_only_on_its_own_tenants_objects():
    order = {"organisation_id": "kumul", "buyer_organisation_id": "kiriko"}
    assert access.may_act_on(BUYER, **order) and access.may_act_on(AGGREGATOR, **order)
    assert not access.may_act_on(BUYER, organisation_id="kiriko", buyer_organisation_id="other")
    assert not access.may_act_on(AGGREGATOR, organisation_id="other", buyer_organisation_id="kumul")
    assert access.may_act_on(PRODUCER, producer_id="prd_mary", organisation_id="kumul")
    assert not access.may_act_on(PRODUCER, producer_id="prd_other", organisation_id="kumul")
    assert not access.may_act_on(PRODUCER, organisation_id="kumul")
    assert access.may_act_on(ADMIN)
    assert access.list_filters(BUYER) == {"buyer_organisation_id": "kiriko"}
    assert access.list_filters(PRODUCER) == {"producer_id": "prd_mary"} and access.list_filters(ADMIN) == {}


def test_an_owner_field_is_the_callers_own_organisation_unless_an_admin_names_one():
    assert access.owner_fields(AGGREGATOR, {"name": "x"}) == {"name": "x", "organisation_id": "kumul"}
    assert access.owner_fields(ADMIN, {"organisation_id": "any"}) == {"organisation_id": "any"}
    with pytest.raises(PermissionError, match="other"):
        access.owner_fields(AGGREGATOR, {"organisation_id": "other"})


def test_the_served_openapi_document_is_valid_fresh_and_protects_all_but_sign_in_and_the_providers_hooks():
    served = json.loads(OPENAPI_DOCUMENT.read_text())
    assert served == json.loads(openapi.text()), "run `bilum openapi --write`"
    validate(served)
    operations = [
        (method, path, operation) for path, methods in served["paths"].items() for method, operation in methods.items()
    ]
    open_ones = {(method, path) for method, path, operation in operations if not operation["security"]}
    assert open_ones == {
        ("post", "/api/v1/auth/token"),
        ("post", "/api/v1/auth/refresh"),
        ("post", "/api/v1/sms/inbound"),
        ("get", "/api/v1/sms/kannel/inbound"),
        ("get", "/api/v1/sms/kannel/reports"),
        ("post", "/api/v1/sms/twilio/inbound"),
        ("post", "/api/v1/sms/twilio/status"),
        ("put", "/api/v1/payouts/callbacks/momo/{reference_id}"),
        ("post", "/api/v1/payouts/callbacks/momo/{reference_id}"),
        ("get", "/c/{token}"),
        ("get", "/c/{token}/catalogue.pdf"),
        ("get", "/c/{token}/images/{sku}/{position}"),
        ("get", "/c/{token}/groups/{group_id}/picture"),
        ("post", "/c/{token}/quote"),
    }
    wanted = {
        ("post", "/api/v1/orders"),
        ("get", "/api/v1/orders/{order_id}"),
        ("get", "/api/v1/quotas"),
        ("post", "/api/v1/quotas/{quota_id}/accept"),
        ("post", "/api/v1/quotas/{quota_id}/decline"),
        ("post", "/api/v1/lots/{lot_id}/inspections"),
        ("get", "/api/v1/shipments"),
        ("get", "/api/v1/dashboard"),
        ("post", "/api/v1/offerings"),
        ("get", "/api/v1/producers"),
        ("put", "/api/v1/offerings/{offering_id}/images/{position}"),
        ("post", "/api/v1/producer-groups"),
    }
    assert wanted <= {(method, path) for method, path, _ in operations}
    order_body = served["paths"]["/api/v1/orders"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert order_body == {"$ref": "#/components/schemas/OrdersPlaceOrderInput"}
    assert all(operation["x-roles"] for method, path, operation in operations if operation["security"])
    refresh = served["paths"]["/api/v1/auth/refresh"]["post"]
    assert refresh["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/GatewayRefreshRequest"
    }
    tokens = {"$ref": "#/components/schemas/GatewaySessionTokens"}
    assert refresh["responses"]["200"]["content"]["application/json"]["schema"] == tokens
    assert (
        served["paths"]["/api/v1/auth/token"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
        == tokens
    )
    sign_out = served["paths"]["/api/v1/auth/sign-out"]["post"]
    assert sign_out["security"] and sign_out["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/GatewaySignedOut"
    }


def test_passwords_are_hashed_and_verified_off_the_callers_thread(monkeypatch):
    """A sign-in's quarter second of argon2 must not freeze the gateway's other requests on its one hub."""
    import threading

    threads = []
    real = auth._hasher

    class Recording:
        def hash(self, password):
            threads.append(threading.get_ident())
            return real.hash(password)

        def verify(self, stored, password):
            threads.append(threading.get_ident())
            return real.verify(stored, password)

    monkeypatch.setattr(auth, "_hasher", Recording())
    stored = auth.hash_password("correct horse battery staple")
    assert auth.password_matches(stored, "correct horse battery staple")
    assert not auth.password_matches(stored, "wrong")
    assert len(threads) == 3 and threading.get_ident() not in threads
