"""Who may call what: every declared operation against every role, lists that show a tenant its own objects only,
tokens that must be refused, platform-set fields, input that must be refused rather than crash, and the limits. Real
services on the real broker and PostgreSQL, with the two organisations of ``tests.integration.tenants``; the
object-level matrix is ``test_object_access``."""

import time
import uuid
from datetime import datetime, timedelta, timezone

import jwt
import pytest
import requests

from services.gateway import auth
from services.gateway.http import OPERATIONS, PUBLIC
from services.gateway.service import GatewayService
from tests.integration.auth import bearer, create_user, key_of_new_user
from tests.integration.fulfilment import Network
from tests.integration.helpers import running

ROLES = auth.ROLES


def _get(base: str, path: str, headers: dict, **kwargs) -> requests.Response:
    return requests.get(base + "/api/v1" + path, headers=headers, timeout=30, **kwargs)


def _path(operation, ids: dict) -> str:
    path = operation.path.removeprefix("/api/v1")
    for name, kind in operation.params:
        path = path.replace("{" + name + "}", str(ids.get(name, 1 if kind == "int" else "sec-missing")))
    return path


def _call(base: str, operation, headers: dict, ids: dict | None = None, **kwargs) -> requests.Response:
    url = base + ("/api/v1" if operation.path.startswith("/api/v1") else "") + _path(operation, ids or {})
    return requests.request(operation.method, url, headers=headers, timeout=30, **kwargs)


PROTECTED = [op for op in OPERATIONS if op.roles is not PUBLIC]


def test_every_operation_but_sign_in_and_the_providers_hooks_is_protected():
    """The SMS gateways prove their callbacks (a signature, or Kannel's secret and address); the mobile-money
    provider's callback address is signed by us."""
    public = {(op.method, op.path) for op in OPERATIONS if op.roles is PUBLIC}
    assert public == {
        ("POST", "/api/v1/auth/token"),
        ("POST", "/api/v1/auth/refresh"),
        ("POST", "/api/v1/sms/inbound"),
        ("GET", "/api/v1/sms/kannel/inbound"),
        ("GET", "/api/v1/sms/kannel/reports"),
        ("POST", "/api/v1/sms/twilio/inbound"),
        ("POST", "/api/v1/sms/twilio/status"),
        ("PUT", "/api/v1/payouts/callbacks/momo/{reference_id}"),
        ("POST", "/api/v1/payouts/callbacks/momo/{reference_id}"),
        ("GET", "/c/{token}"),
        ("GET", "/c/{token}/catalogue.pdf"),
        ("GET", "/c/{token}/images/{sku}/{position}"),
        ("GET", "/c/{token}/groups/{group_id}/picture"),
        ("POST", "/c/{token}/quote"),
    }
    assert len(PROTECTED) >= 55


def test_the_declared_roles_are_what_the_platform_promises():
    roles = {(op.method, op.path): op.roles for op in OPERATIONS}
    assert roles[("GET", "/api/v1/quotas")] == {"admin", "aggregator", "inspector", "producer"}
    assert roles[("POST", "/api/v1/quotas/{quota_id}/accept")] == {"admin", "aggregator", "producer"}
    assert roles[("POST", "/api/v1/orders")] == {"admin", "aggregator", "buyer"}
    assert roles[("POST", "/api/v1/lots/{lot_id}/inspections")] == {"admin", "aggregator", "inspector"}
    assert roles[("GET", "/api/v1/dashboard")] == {"admin", "aggregator"}
    assert roles[("POST", "/api/v1/payout-batches/{batch_id}/approve")] == {"admin", "aggregator"}
    assert roles[("GET", "/api/v1/producers/{producer_id}/statement")] == {"admin", "aggregator", "producer"}
    assert roles[("POST", "/api/v1/hubs")] == {"admin"}
    assert (
        roles[("POST", "/api/v1/exchange-rates")] == roles[("GET", "/api/v1/exchange-rates")] == {"admin", "aggregator"}
    )
    assert "buyer" not in roles[("GET", "/api/v1/producers")]
    assert roles[("PUT", "/api/v1/offerings/{offering_id}/images/{position}")] == {"admin", "aggregator"}
    assert roles[("GET", "/api/v1/producer-groups/{group_id}/picture")] == {"admin", "aggregator", "inspector"}


def test_every_role_against_every_operation_gets_exactly_what_its_declaration_says(tenants):
    """Allowed roles reach the operation (on an object that does not exist, so nothing changes); the others get 403;
    no credentials get 401. Nothing answers 5xx."""
    base, a, _ = tenants
    wrong = []
    for operation in PROTECTED:
        anonymous = _call(base, operation, {}, json={})
        if anonymous.status_code != 401 or anonymous.headers.get("WWW-Authenticate", "")[:6] != "Bearer":
            wrong.append((operation.method, operation.path, "anonymous", anonymous.status_code))
        for role in ROLES:
            response = _call(base, operation, a.credentials[role], json={})
            allowed = role in operation.roles
            if (
                (allowed and response.status_code in (401, 403))
                or (not allowed and response.status_code != 403)
                or response.status_code >= 500
            ):
                wrong.append((operation.method, operation.path, role, response.status_code, response.text[:200]))
            if not allowed:
                assert response.json()["error"]["code"] == "forbidden"
    assert not wrong, wrong


def test_lists_show_a_tenant_only_its_own_objects(tenants):
    base, a, b = tenants
    lists = {
        "aggregator": [
            "/orders",
            "/quotas",
            "/lots",
            "/producers",
            "/shipments",
            "/users",
            "/notifications",
            "/exchange-rates",
            "/producer-groups",
        ],
        "inspector": ["/quotas", "/lots", "/producers", "/producer-groups"],
        "buyer": ["/orders"],
        "producer": ["/quotas", "/lots"],
    }
    for role, paths in lists.items():
        for path in paths:
            response = _get(base, path, b.credentials[role], params={"page_size": 100})
            assert response.status_code == 200, (role, path, response.text[:300])
            assert not [secret for secret in a.secrets + a.ids if secret in response.text], (role, path)
    own = _get(base, "/orders", a.credentials["buyer"]).json()["items"]
    assert [order["id"] for order in own] == [a.objects["order"]]
    assert {quota["id"] for quota in _get(base, "/quotas", a.credentials["producer"]).json()["items"]} == {
        a.objects["quota"],
        a.objects["neighbour_quota"],
    }
    assert (
        _get(base, "/shipments", b.credentials["buyer"], params={"order_id": a.objects["order"]}).json()["items"] == []
    )
    dashboard = _get(base, "/dashboard", b.credentials["aggregator"]).text
    assert not [secret for secret in a.secrets + a.ids if secret in dashboard]


def test_an_idempotency_key_is_the_callers_own(tenants):
    base, a, b = tenants
    sku = _get(base, f"/offerings/{b.objects['offering']}", b.credentials["buyer"]).json()["sku"]
    body = {
        "buyer": {"name": "Kiriko", "email": "orders@kiriko.example.org"},
        "destination": {"name": "Kiriko Tokyo", "city": "Tokyo", "country": "JP", "latitude": 35.6, "longitude": 139.7},
        "due_date": (datetime.now(timezone.utc).date() + timedelta(days=120)).isoformat(),
        "lines": [{"sku": sku, "quantity": 1}],
        "trade_terms": {"incoterm": "DAP", "named_place": "Tokyo", "transport_mode": "air"},
    }
    key = {"Idempotency-Key": f"shared-{uuid.uuid4().hex}"}
    first = requests.post(base + "/api/v1/orders", json=body, headers={**b.credentials["buyer"], **key}, timeout=30)
    other = requests.post(
        base + "/api/v1/orders",
        json=body,
        headers={**key_of_new_user("buyer", b.buyer_organisation_id), **key},
        timeout=30,
    )
    assert first.status_code == other.status_code == 201
    assert first.json()["id"] != other.json()["id"]


def test_fields_set_by_the_platform_are_refused_by_name(tenants):
    base, a, b = tenants
    buyer = a.credentials["buyer"]
    order = {
        "buyer": {"name": "B", "email": "b@example.org"},
        "due_date": "2099-01-01",
        "status": "delivered",
        "exchange_rate": {"rate": "0.01"},
        "destination": {"name": "W", "city": "Lae", "country": "PG", "latitude": -6.7, "longitude": 147.0},
        "lines": [{"sku": "ANY", "quantity": 5, "unit_price": "0.01"}],
    }
    refused = requests.post(base + "/api/v1/orders", json=order, headers=buyer, timeout=30)
    assert refused.status_code == 422
    assert set(refused.json()["error"]["fields"]) == {"status", "exchange_rate"}
    del order["status"], order["exchange_rate"]
    refused = requests.post(base + "/api/v1/orders", json=order, headers=buyer, timeout=30)
    assert refused.json()["error"]["fields"] == {"lines.0.unit_price": ["set by the platform, not by clients"]}
    stolen = requests.post(
        base + "/api/v1/producers",
        headers=b.credentials["aggregator"],
        timeout=30,
        json={"organisation_id": a.organisation_id, "name": "Stolen"},
    )
    assert stolen.status_code == 403 and a.organisation_id in stolen.json()["error"]["message"]
    promoted = requests.post(
        base + "/api/v1/users",
        headers=b.credentials["aggregator"],
        timeout=30,
        json={"username": f"boss-{uuid.uuid4().hex[:4]}", "password": "x" * 16, "role": "admin"},
    )
    assert promoted.status_code in (403, 422)
    too_many = dict(order, lines=[{"sku": "ANY", "quantity": 1}] * 1001)
    assert requests.post(base + "/api/v1/orders", json=too_many, headers=buyer, timeout=30).status_code == 422


def _token(claims: dict, secret: str, algorithm: str = "HS256") -> str:
    now = datetime.now(timezone.utc)
    return jwt.encode(
        {
            "iss": auth.ISSUER,
            "aud": auth.AUDIENCE,
            "sub": "usr_x",
            "role": "admin",
            "iat": now,
            "exp": now + timedelta(minutes=5),
            **claims,
        },
        secret,
        algorithm=algorithm,
    )


def test_forged_expired_unsigned_and_misaddressed_tokens_are_refused(tenants, module_platform):
    base, a, _ = tenants
    secret = module_platform["BILUM_JWT_SECRET"]
    past = datetime.now(timezone.utc) - timedelta(hours=1)
    header, payload, _ = _token({}, secret).split(".")
    refused = {
        "forged": _token({}, "another-secret-of-at-least-32-characters"),
        "expired": _token({"iat": past - timedelta(minutes=15), "exp": past}, secret),
        "alg none": jwt.encode(
            {
                "iss": auth.ISSUER,
                "aud": auth.AUDIENCE,
                "sub": "usr_x",
                "role": "admin",
                "exp": datetime.now(timezone.utc) + timedelta(minutes=5),
                "iat": datetime.now(timezone.utc),
            },
            None,
            algorithm="none",
        ),
        "wrong audience": _token({"aud": "someone-else"}, secret),
        "wrong issuer": _token({"iss": "someone-else"}, secret),
        "other algorithm": _token({}, secret, algorithm="HS512"),
        "unknown role": _token({"role": "root"}, secret),
        "no signature": f"{header}.{payload}.",
        "no session": _token({}, secret),
        "unknown session": _token({"sid": "ses_0000000000000000"}, secret),
    }
    for name, token in refused.items():
        response = _get(base, "/me", {"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, (name, response.text)
    username, password = f"sid-{uuid.uuid4().hex[:6]}", uuid.uuid4().hex
    create_user(username, password, "buyer", a.buyer_organisation_id)
    signed_in = bearer(base, username, password)["Authorization"].removeprefix("Bearer ")
    live_session = jwt.decode(signed_in, options={"verify_signature": False})["sid"]
    signed = _token({"sid": live_session}, secret)
    assert _get(base, "/me", {"Authorization": f"Bearer {signed}"}).json()["role"] == "admin"
    assert _get(base, "/me", {"X-API-Key": "bk_00000000_made-up"}).status_code == 401
    assert _get(base, "/me", {"Authorization": "Basic YWRtaW46YWRtaW4="}).status_code == 401


def test_sign_in_gives_a_token_that_works_and_wrong_passwords_get_nothing(tenants):
    base, a, _ = tenants
    username, password = f"signin-{uuid.uuid4().hex[:6]}", uuid.uuid4().hex
    create_user(username, password, "buyer", a.buyer_organisation_id)
    headers = bearer(base, username, password)
    me = _get(base, "/me", headers).json()
    assert me == {
        "username": username,
        "role": "buyer",
        "organisation_id": a.buyer_organisation_id,
        "producer_id": None,
    }
    wrong = requests.post(base + "/api/v1/auth/token", json={"username": username, "password": "nope"}, timeout=30)
    assert wrong.status_code == 401 and "access_token" not in wrong.text
    nobody = requests.post(base + "/api/v1/auth/token", json={"username": "nobody", "password": "x"}, timeout=30)
    assert nobody.status_code == 401 and nobody.json()["error"]["message"] == wrong.json()["error"]["message"]
    key = requests.post(base + "/api/v1/api-keys", json={"name": "erp"}, headers=headers, timeout=30).json()
    assert _get(base, "/me", {"X-API-Key": key["key"]}).json()["username"] == username
    revoked = requests.delete(f"{base}/api/v1/api-keys/{key['id']}", headers=headers, timeout=30)
    assert revoked.status_code == 200


def _raw(base: str, method: str, path: str, body: bytes, headers: dict | None = None) -> requests.Response:
    return requests.request(
        method, base + path, data=body, timeout=30, headers={"Content-Type": "application/json", **(headers or {})}
    )


def _refused_in_the_error_shape(response: requests.Response, status: int) -> dict:
    assert response.status_code == status, response.text[:300]
    assert response.headers["Content-Type"].startswith("application/json")
    return response.json()["error"]


def test_text_no_store_could_hold_and_bodies_nested_without_end_are_refused_not_crashed_on(tenants):
    base, a, _ = tenants
    surrogate = b'{"username": "\\ud800", "password": "x"}'
    assert (
        _refused_in_the_error_shape(_raw(base, "POST", "/api/v1/auth/token", surrogate), 400)["code"] == "invalid_text"
    )
    named = b'{"organisation_id": "%s", "name": "Mary \\udfff Kewa"}' % a.organisation_id.encode()
    _refused_in_the_error_shape(_raw(base, "POST", "/api/v1/producers", named, a.credentials["aggregator"]), 400)
    nested = _raw(base, "POST", "/api/v1/auth/token", b"[" * 100_000)
    assert _refused_in_the_error_shape(nested, 400)["code"] == "invalid_json"
    deep = b'{"username": "x", "password": "y", "z": ' + b"[" * 40 + b"]" * 40 + b"}"
    assert "nests deeper" in _refused_in_the_error_shape(_raw(base, "POST", "/api/v1/auth/token", deep), 400)["message"]


def test_numbers_too_large_for_anything_are_refused_not_crashed_on(tenants):
    base, a, _ = tenants
    image = _get(base, f"/offerings/{a.objects['offering']}/images/99999999999999999999999", a.credentials["buyer"])
    _refused_in_the_error_shape(image, 404)
    assert (
        _get(base, f"/offerings/{a.objects['offering']}/images/0", a.credentials["buyer"]).headers["Content-Type"]
        == "image/png"
    )
    for timestamp, signature in (("9" * 309, "0" * 64), (str(int(time.time())), "\u00e9" * 64)):
        callback = requests.post(
            base + "/api/v1/sms/inbound",
            data=b'{"from": "+67570000000", "text": "YES 1"}',
            headers={"X-Sms-Timestamp": timestamp, "X-Sms-Signature": signature.encode("latin-1")},
            timeout=30,
        )
        assert _refused_in_the_error_shape(callback, 400)["code"] == "invalid_header"


def test_paths_and_methods_no_route_serves_answer_in_the_error_shape(tenants):
    base, a, _ = tenants
    assert (
        _refused_in_the_error_shape(requests.get(base + "/api/v1/nothing-here", timeout=30), 404)["code"] == "not_found"
    )
    wrong_method = requests.delete(base + "/api/v1/orders", headers=a.credentials["buyer"], timeout=30)
    assert _refused_in_the_error_shape(wrong_method, 405)["code"] == "method_not_allowed"
    assert set(wrong_method.headers["Allow"].split(", ")) >= {"GET", "POST"}


def test_answers_with_a_callers_data_are_never_cached(tenants):
    base, a, _ = tenants
    username, password = f"cache-{uuid.uuid4().hex[:6]}", uuid.uuid4().hex
    create_user(username, password, "buyer", a.buyer_organisation_id)
    signed_in = requests.post(
        base + "/api/v1/auth/token", json={"username": username, "password": password}, timeout=30
    )
    refused = requests.post(base + "/api/v1/auth/token", json={"username": username, "password": "no"}, timeout=30)
    orders = _get(base, "/orders", a.credentials["buyer"])
    assert {signed_in.headers["Cache-Control"], refused.headers["Cache-Control"], orders.headers["Cache-Control"]} == {
        "no-store"
    }


def test_a_revoked_api_key_stops_at_once(tenants):
    base, a, _ = tenants
    owner = key_of_new_user("buyer", a.buyer_organisation_id)
    key = requests.post(base + "/api/v1/api-keys", json={"name": "erp"}, headers=owner, timeout=30).json()
    assert _get(base, "/me", {"X-API-Key": key["key"]}).status_code == 200
    assert requests.delete(f"{base}/api/v1/api-keys/{key['id']}", headers=owner, timeout=30).status_code == 200
    assert _get(base, "/me", {"X-API-Key": key["key"]}).status_code == 401


def test_an_idempotency_key_sent_again_with_another_body_is_refused(tenants):
    base, a, _ = tenants
    body = {
        "buyer": {"name": "Kiriko", "email": "orders@kiriko.example.org"},
        "destination": {"name": "Kiriko Tokyo", "city": "Tokyo", "country": "JP", "latitude": 35.6, "longitude": 139.7},
        "due_date": (datetime.now(timezone.utc).date() + timedelta(days=120)).isoformat(),
        "lines": [{"sku": a.objects["sku"], "quantity": 2}],
        "trade_terms": {"incoterm": "DAP", "named_place": "Tokyo", "transport_mode": "air"},
    }
    headers = {**a.credentials["buyer"], "Idempotency-Key": f"retry-{uuid.uuid4().hex}"}
    first = requests.post(base + "/api/v1/orders", json=body, headers=headers, timeout=30)
    again = requests.post(base + "/api/v1/orders", json=dict(reversed(body.items())), headers=headers, timeout=30)
    assert first.status_code == again.status_code == 201 and first.json()["id"] == again.json()["id"]
    changed = dict(body, lines=[{"sku": a.objects["sku"], "quantity": 3}])
    refused = requests.post(base + "/api/v1/orders", json=changed, headers=headers, timeout=30)
    assert "Idempotency-Key" in _refused_in_the_error_shape(refused, 422)["fields"]
    orders = _get(base, "/orders", a.credentials["buyer"], params={"page_size": 100}).json()["items"]
    assert [order["lines"][0]["ordered"] for order in orders if order["id"] == first.json()["id"]] == [2]


def test_an_organisations_exchange_rates_are_its_own_and_convert_the_orders_of_its_offerings(tenants):
    """A's aggregator records what a dollar is worth in yen today; a buyer ordering A's offering in yen pays A's
    rate, and B neither sees it nor can record one for A."""
    base, a, b = tenants
    today = datetime.now(timezone.utc).date().isoformat()
    rate = {"base_currency": "USD", "quote_currency": "JPY", "rate": "155.32", "valid_from": today}
    recorded = requests.post(
        base + "/api/v1/exchange-rates", json=rate, headers=a.credentials["aggregator"], timeout=30
    )
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["organisation_id"] == a.organisation_id and recorded.json()["valid_until"] == today
    for refused, status in (
        (requests.post(base + "/api/v1/exchange-rates", json=rate, headers=a.credentials["buyer"], timeout=30), 403),
        (
            requests.post(
                base + "/api/v1/exchange-rates",
                json={**rate, "organisation_id": a.organisation_id},
                headers=b.credentials["aggregator"],
                timeout=30,
            ),
            422,
        ),
    ):
        _refused_in_the_error_shape(refused, status)
    rate_ids = {
        tenant.organisation_id: [
            item["rate_id"] for item in _get(base, "/exchange-rates", tenant.credentials["aggregator"]).json()["items"]
        ]
        for tenant in (a, b)
    }
    assert rate_ids == {a.organisation_id: [recorded.json()["rate_id"]], b.organisation_id: []}

    buyer = Network(base, key_of_new_user("buyer", f"yen-buyers-{uuid.uuid4().hex[:6]}"))
    order = buyer.order(a.objects["sku"], 3, currency="JPY")
    # 30.00 x 155.32 = 4659.60: a yen has no decimals.
    assert [line["unit_price"] for line in order["lines"]] == ["4660"] and order["total"] == "13980"
    assert (
        order["exchange_rate"]["rate_id"] == recorded.json()["rate_id"] and order["exchange_rate"]["rate"] == "155.32"
    )
    assert order["trade_terms"] == {"incoterm": "DAP", "named_place": "Tokyo", "transport_mode": "air"}
    no_rate = buyer.order(a.objects["sku"], 3, currency="EUR", expect=422)
    assert "no exchange rate from USD to EUR" in no_rate["error"]["fields"]["currency"][0]


@pytest.fixture
def strict_gateway(platform, monkeypatch):
    monkeypatch.setenv("BILUM_RATE_LIMIT_PER_S", "1")
    monkeypatch.setenv("BILUM_RATE_LIMIT_BURST", "3")
    monkeypatch.setenv("BILUM_SIGN_IN_PER_MINUTE", "2")
    with running(GatewayService):
        yield platform["BILUM_GATEWAY_URL"]


def test_a_caller_over_its_rate_gets_429_with_retry_after_and_others_carry_on(strict_gateway):
    base = strict_gateway
    hasty, calm = key_of_new_user("admin"), key_of_new_user("admin")
    statuses = [_get(base, "/me", hasty).status_code for _ in range(5)]
    assert statuses[:3] == [200, 200, 200] and statuses[-1] == 429
    limited = _get(base, "/me", hasty)
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    assert _get(base, "/me", calm).status_code == 200
    time.sleep(1.2)
    assert _get(base, "/me", hasty).status_code == 200
    guesses = [
        requests.post(
            base + "/api/v1/auth/token", json={"username": "victim", "password": str(n)}, timeout=30
        ).status_code
        for n in range(3)
    ]
    assert guesses == [401, 401, 429]
