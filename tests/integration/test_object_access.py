"""Object-level access, generated from the served OpenAPI document: every role of two organisations against every
operation the document declares, on the other organisation's objects (read and write) and on its own (read). Every
answer is the caller's own object, or 403/404; a write across the tenant line changes nothing. An operation the
document gains is classified below or this test fails, so no new route escapes the matrix.

The attacks of the security review are here too, each as it was made: an aggregator signing in as another
organisation's producer, taking over its catalogue, a buyer reading the orders it shares a shipment with, and buyers
reading what producers are paid."""

import csv
import io
import itertools
import json
import re
import uuid
from collections import Counter
from datetime import date, timedelta

import requests

from services.gateway.service import OPENAPI_DOCUMENT
from tests.integration.auth import bearer, create_user
from tests.integration.tenants import PRODUCER_PRICE, Tenant

DOCUMENT = json.loads(OPENAPI_DOCUMENT.read_text())
ROLES = ("admin", "aggregator", "inspector", "buyer", "producer")
ORGANISATION_ROLES = ("aggregator", "inspector", "buyer", "producer")

# Which of a tenant's objects each path parameter can name.
PARAMETERS = {
    "order_id": ("order", "neighbour_order"),
    "quota_id": ("quota",),
    "lot_id": ("lot",),
    "producer_id": ("producer",),
    "recipient_id": ("producer",),
    "offering_id": ("offering",),
    "shipment_id": ("shipment",),
    "line_id": ("line",),
    "key_id": ("api_key",),
    "name": ("catalogue",),
    "organisation_id": ("organisation", "buyer_organisation"),
    "position": ("image",),
    "batch_id": ("payout_batch",),
    "payout_line_id": ("payout_line",),
    "document_id": ("document",),
    "claim_id": ("claim",),
    "group_id": ("producer_group",),
    "link_id": ("share_link",),
}
# What each role of a tenant owns among those objects (an admin owns everything).
OWNED = {
    "aggregator": {
        "order",
        "neighbour_order",
        "quota",
        "lot",
        "producer",
        "offering",
        "shipment",
        "line",
        "catalogue",
        "organisation",
        "image",
        "payout_batch",
        "payout_line",
        "document",
        "claim",
        "share_link",
        "producer_group",
    },
    "buyer": {"order", "offering", "shipment", "catalogue", "buyer_organisation", "image", "document", "claim"},
    "producer": {"producer", "quota", "lot", "offering", "catalogue", "image"},
}
OWNED["inspector"] = OWNED["aggregator"]
# Read by anyone signed in, whatever organisation's: the catalogue is what buyers browse.
SHARED_READS = {
    ("GET", "/api/v1/offerings/{offering_id}"),
    ("GET", "/api/v1/offerings/{offering_id}/images/{position}"),
    ("GET", "/api/v1/catalogues/{name}"),
    ("GET", "/api/v1/catalogues/{name}/export"),
}
# Operations on no tenant's object: platform-wide (only admins change them) or the caller's own only.
PLATFORM = {("POST", "/api/v1/hubs"), ("POST", "/api/v1/vehicles"), ("POST", "/api/v1/shipments/plan")}
OWN_ONLY = {
    ("POST", "/api/v1/api-keys"),
    ("PUT", "/api/v1/settlement-terms"),
    ("PUT", "/api/v1/trade-terms"),
    ("POST", "/api/v1/auth/sign-out"),
}
PUBLIC = {
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

BY = (date.today() + timedelta(weeks=8)).isoformat()
QUERY_VALUES = {"format": "csv", "quantity": "1", "by": BY, "offering_id": "{offering}", "secret": "not-ours"}

# Bodies of the writes on an object, naming the target tenant's objects where they name any.
BODIES = {
    ("POST", "/api/v1/orders/{order_id}/cancel"): {"reason": "not mine"},
    ("POST", "/api/v1/quotas/{quota_id}/decline"): {"reason": "not mine"},
    ("POST", "/api/v1/quotas/{quota_id}/lots"): {"quantity": 1},
    ("POST", "/api/v1/lots/{lot_id}/inspections"): {"findings": []},
    ("POST", "/api/v1/lots/{lot_id}/decision"): {"action": "rework", "reason": "x"},
    ("PATCH", "/api/v1/producers/{producer_id}"): {"name": "Taken"},
    ("PUT", "/api/v1/producers/{producer_id}/readiness"): {"1": False},
    ("POST", "/api/v1/producers/{producer_id}/capacity"): {
        "offering_id": "{offering}",
        "lead_time_days": 0,
        "min_lot": 1,
        "weeks": [{"week": "2030-W01", "units": 5}],
    },
    ("POST", "/api/v1/offerings/{offering_id}/withdraw"): {"reason": "x"},
    ("POST", "/api/v1/offerings/{offering_id}/approvals"): {
        "producer_id": "{producer}",
        "stage": "sample",
        "status": "rejected",
        "decided_on": "2026-01-01",
    },
    ("POST", "/api/v1/order-lines/{line_id}/widen"): {"ask_again": True},
    ("POST", "/api/v1/shipments/{shipment_id}/events"): {"status": "exception", "reason": "x"},
    ("POST", "/api/v1/shipments/{shipment_id}/status"): {"status": "exception", "reason": "x"},
    ("PUT", "/api/v1/organisations/{organisation_id}/contact"): {"name": "Taken", "email": "taken@example.org"},
    ("PUT", "/api/v1/recipients/{recipient_id}/preferences"): {"channels": ["sms"]},
    ("POST", "/api/v1/payout-lines/{payout_line_id}/cash-receipt"): {"receipt_number": "R-stolen"},
    ("POST", "/api/v1/orders/{order_id}/receipts"): {
        "kind": "deposit",
        "amount": "1.00",
        "currency": "USD",
        "reference": "stolen",
        "received_on": "2026-01-01",
    },
    ("POST", "/api/v1/orders/{order_id}/claims"): {
        "lines": [{"line_id": "lin_unknown", "kind": "missing", "units": 1}],
        "reason": "not mine",
    },
    ("POST", "/api/v1/claims/{claim_id}/decision"): {"decision": "reject", "reason": "not mine"},
}

# Creating requests that name the other tenant's things: (roles, body, content type, statuses that refuse).
CREATES = {
    # A rate is always the caller's organisation's: naming another is refused by name.
    ("POST", "/api/v1/exchange-rates"): [
        (
            ORGANISATION_ROLES,
            {
                "organisation_id": "{organisation}",
                "base_currency": "USD",
                "quote_currency": "JPY",
                "rate": "1",
                "valid_from": BY,
            },
            (403, 422),
        )
    ],
    ("POST", "/api/v1/piece-rates"): [
        (ORGANISATION_ROLES, {"producer_id": "{producer}", "offering_id": "{offering}", "rate": "1.00"}, (403, 404))
    ],
    ("POST", "/api/v1/advances"): [
        (
            ORGANISATION_ROLES,
            {"quota_id": "{quota}", "kind": "cash", "description": "stolen", "amount": "1.00", "currency": "USD"},
            (403, 404),
        )
    ],
    ("POST", "/api/v1/write-offs"): [
        (ORGANISATION_ROLES, {"advance_id": "{advance}", "amount": "1.00", "reason": "stolen"}, (403, 404))
    ],
    ("POST", "/api/v1/corrections"): [
        (
            ORGANISATION_ROLES,
            {"producer_id": "{producer}", "currency": "USD", "amount": "1.00", "reason": "stolen"},
            (403, 404),
        )
    ],
    # A batch is always drafted for the caller's own organisation: another's producers are refused by name.
    ("POST", "/api/v1/payout-batches"): [
        (ORGANISATION_ROLES, {"currency": "USD", "producer_ids": ["{producer}"]}, (403, 422))
    ],
    ("POST", "/api/v1/producers"): [
        (ORGANISATION_ROLES, {"organisation_id": "{organisation}", "name": "Stolen"}, (403, 422))
    ],
    ("POST", "/api/v1/offerings"): [
        (ORGANISATION_ROLES, {"organisation_id": "{organisation}", "sku": "STOLEN"}, (403, 422))
    ],
    ("POST", "/api/v1/producer-groups"): [
        (
            ORGANISATION_ROLES,
            {"organisation_id": "{organisation}", "name": "Stolen", "region": "x", "story": "x"},
            (403,),
        ),
        (
            ORGANISATION_ROLES,
            {"group_id": "{producer_group}", "name": "Taken", "region": "x", "story": "x"},
            (403, 404),
        ),
    ],
    ("POST", "/api/v1/catalogues"): [
        (ORGANISATION_ROLES, {"organisation_id": "{organisation}", "name": "stolen", "title": "x"}, (403,)),
        (ORGANISATION_ROLES, {"name": "{catalogue}", "title": "Taken over", "selection": {}}, (403, 409)),
    ],
    ("POST", "/api/v1/users"): [
        (
            ORGANISATION_ROLES,
            {
                "username": "stolen-{nonce}",
                "password": "a long password",
                "role": "producer",
                "producer_id": "{producer}",
            },
            (403, 404),
        ),
        (
            ORGANISATION_ROLES,
            {
                "username": "stolen-{nonce}",
                "password": "a long password",
                "role": "producer",
                "producer_id": "{producer}",
                "organisation_id": "{own_organisation}",
            },
            (403, 404),
        ),
        (
            ORGANISATION_ROLES,
            {
                "username": "stolen-{nonce}",
                "password": "a long password",
                "role": "inspector",
                "organisation_id": "{organisation}",
            },
            (403,),
        ),
    ],
    # A buyer may order any co-operative's offerings: that is its own order, not a reach across the line.
    ("POST", "/api/v1/orders"): [
        (
            ("aggregator", "inspector", "producer"),
            {
                "buyer": {"name": "X", "email": "x@example.org"},
                "due_date": BY,
                "destination": {"name": "X", "city": "Lae", "country": "PG", "latitude": -6.7, "longitude": 147.0},
                "lines": [{"sku": "{sku}", "quantity": 10}],
                "trade_terms": {"incoterm": "FCA", "named_place": "Lae", "transport_mode": "sea"},
            },
            (403, 404),
        )
    ],
    ("POST", "/api/v1/capacity/imports"): [
        (
            ORGANISATION_ROLES,
            "producer_id,sku,week,units,lead_time_days,min_lot\n{producer},{sku},2030-W01,5,0,1\n",
            (403, 422),
        )
    ],
}
CONTENT_TYPES = {("POST", "/api/v1/capacity/imports"): "text/csv"}


def _operations():
    for path, methods in DOCUMENT["paths"].items():
        for method, operation in methods.items():
            yield method.upper(), path, operation


def _path_parameters(operation) -> list:
    return [parameter["name"] for parameter in operation["parameters"] if parameter["in"] == "path"]


def _fill(template, objects: dict, **more):
    """A template (text, or JSON-like data) with ``{kind}`` replaced by the objects' ids."""
    if isinstance(template, dict):
        return {key: _fill(value, objects, **more) for key, value in template.items()}
    if isinstance(template, list):
        return [_fill(value, objects, **more) for value in template]
    if not isinstance(template, str):
        return template
    for name, value in {**objects, **more}.items():
        template = template.replace("{" + name + "}", str(value))
    return template


def _request(
    base: str,
    method: str,
    path: str,
    headers: dict,
    operation,
    objects: dict,
    body=None,
    content_type: str = "application/json",
) -> requests.Response:
    query = {
        parameter["name"]: _fill(QUERY_VALUES[parameter["name"]], objects)
        for parameter in operation["parameters"]
        if parameter["in"] == "query" and parameter.get("required")
    }
    if isinstance(body, str):
        return requests.request(
            method,
            base + path,
            params=query,
            data=body.encode(),
            timeout=30,
            headers={**headers, "Content-Type": content_type},
        )
    return requests.request(method, base + path, params=query, json=body, headers=headers, timeout=30)


def _targets(path: str, parameters: list, tenant: Tenant):
    """Every way the path can name one of the tenant's objects, with the kinds it names."""
    objects = {**tenant.objects, "image": 0}
    choices = [[(name, kind) for kind in PARAMETERS[name]] for name in parameters]
    for combination in itertools.product(*choices):
        filled = path
        for name, kind in combination:
            filled = filled.replace("{" + name + "}", str(objects[kind]))
        yield filled, {kind for _, kind in combination}


def _leaked(response: requests.Response, other: Tenant) -> list:
    """The other tenant's secrets and ids in an answer, but for those the caller sent (a refusal may repeat them)."""
    sent = response.request.url + str(response.request.body or "")
    return [secret for secret in other.secrets + other.ids if secret in response.text and secret not in sent]


def _snapshot(base: str, tenant: Tenant) -> dict:
    """What an admin reads of the tenant's objects: a write that got through would change it."""
    admin = tenant.credentials["admin"]
    reads = [
        "/orders/{order}",
        "/orders/{neighbour_order}",
        "/quotas/{quota}",
        "/lots/{lot}",
        "/producers/{producer}",
        "/producers/{producer}/capacity",
        "/producers/{producer}/readiness",
        "/offerings/{offering}",
        "/catalogues/{catalogue}",
        "/producer-groups?organisation_id={organisation}",
        "/catalogues/{catalogue}/links",
        "/shipments/{shipment}",
        "/recipients/{producer}/preferences",
        "/organisations/{organisation}/contact",
        "/organisations/{buyer_organisation}/contact",
        "/payout-batches/{payout_batch}",
        "/producers/{producer}/money",
        "/advances?producer_id={producer}",
    ]
    snapshot = {
        path: requests.get(base + "/api/v1" + _fill(path, tenant.objects), headers=admin, timeout=30).json()
        for path in reads
    }
    users = requests.get(
        base + "/api/v1/users",
        params={"organisation_id": tenant.organisation_id, "page_size": 100},
        headers=admin,
        timeout=30,
    ).json()
    snapshot["users"] = sorted(user["id"] for user in users["items"])
    snapshot["key works"] = requests.get(
        base + "/api/v1/me", headers={"X-API-Key": tenant.objects["api_key_value"]}, timeout=30
    ).status_code
    return snapshot


def _classified(method: str, path: str, operation) -> str:
    key = (method, path)
    if key in PUBLIC:
        return "public"
    if key in PLATFORM:
        return "platform"
    if key in OWN_ONLY:
        return "own"
    parameters = _path_parameters(operation)
    if parameters:
        unknown = [name for name in parameters if name not in PARAMETERS]
        assert not unknown, f"{method} {path}: say which object {unknown} names in PARAMETERS"
        return "object"
    if method == "GET":
        return "list"
    assert key in CREATES, f"{method} {path}: add the request that would name another tenant's things to CREATES"
    return "create"


def test_every_operation_of_the_document_is_in_the_matrix():
    kinds = Counter(_classified(method, path, operation) for method, path, operation in _operations())
    assert sum(kinds.values()) == len(list(_operations())) >= 60
    assert kinds["object"] >= 35 and kinds["create"] == len(CREATES)
    for method, path, operation in _operations():
        for parameter in operation["parameters"]:
            if parameter["in"] == "query" and parameter.get("required"):
                assert parameter["name"] in QUERY_VALUES, f"{method} {path}: a value for {parameter['name']}"


def test_every_role_of_each_organisation_reaches_only_its_own_objects(tenants):
    base, a, b = tenants
    before = {tenant.organisation_id: _snapshot(base, tenant) for tenant in (a, b)}
    counts, wrong = Counter(), []

    def check(label: str, response: requests.Response, allowed: tuple, other: Tenant):
        counts[label] += 1
        counts[f"answered {response.status_code}"] += 1
        leaks = _leaked(response, other)
        if response.status_code not in allowed or leaks:
            wrong.append(
                (
                    label,
                    response.request.method,
                    response.request.path_url,
                    response.status_code,
                    leaks,
                    response.text[:200],
                )
            )

    for (caller, target), (method, path, operation) in itertools.product(((b, a), (a, b)), _operations()):
        kind = _classified(method, path, operation)
        roles = operation["x-roles"]
        if kind == "object":
            parameters = _path_parameters(operation)
            for filled, kinds in _targets(path, parameters, target):
                for role in ORGANISATION_ROLES:
                    headers = caller.credentials[role]
                    if method == "GET" and (method, path) in SHARED_READS:
                        response = _request(base, method, filled, headers, operation, target.objects)
                        check("shared read", response, (200,) if role in roles else (403,), target)
                        if PRODUCER_PRICE in response.text:
                            wrong.append(("producer price shown", role, filled))
                    elif method == "GET":
                        response = _request(base, method, filled, headers, operation, target.objects)
                        check("cross-tenant read", response, (403, 404), target)
                    else:
                        body = _fill(BODIES.get((method, path), {}), target.objects)
                        response = _request(base, method, filled, headers, operation, target.objects, body)
                        check("cross-tenant write", response, (403, 404), target)
                if method == "GET":
                    for role in ROLES:
                        own = role == "admin" or kinds <= OWNED[role]
                        response = _request(base, method, filled, target.credentials[role], operation, target.objects)
                        allowed = (200,) if own and role in roles else (403, 404)
                        check("own read" if own else "same tenant, not the role's", response, allowed, caller)
                        if own and role in ("admin", "aggregator", "inspector") and path.endswith("{offering_id}"):
                            assert response.json()["producer_price"] == PRODUCER_PRICE, (role, filled)
            template = BODIES.get((method, path), {})
            if method != "GET" and re.search(r"{[a-z_]+}", json.dumps(template)):
                # The caller's own object, told to reach the target's through the body.
                for filled, _ in _targets(path, parameters, caller):
                    for role in ORGANISATION_ROLES:
                        response = _request(
                            base,
                            method,
                            filled,
                            caller.credentials[role],
                            operation,
                            caller.objects,
                            _fill(template, target.objects),
                        )
                        check("own object, other's in the body", response, (403, 404), target)
        elif kind == "list":
            for role in ORGANISATION_ROLES:
                response = _request(base, method, path, caller.credentials[role], operation, caller.objects)
                check("list", response, (200,) if role in roles else (403,), target)
        elif kind == "create":
            nonce = uuid.uuid4().hex[:6]
            for allowed_roles, template, refusals in CREATES[(method, path)]:
                body = _fill(template, target.objects, nonce=nonce, own_organisation=caller.organisation_id)
                for role in allowed_roles:
                    response = _request(
                        base,
                        method,
                        path,
                        caller.credentials[role],
                        operation,
                        target.objects,
                        body,
                        CONTENT_TYPES.get((method, path), "application/json"),
                    )
                    check("cross-tenant create", response, refusals if role in roles else (403,), target)
    print(
        f"object-level matrix: {sum(counts[k] for k in counts if not k.startswith('answered'))} requests",
        dict(sorted(counts.items())),
    )
    assert not wrong, "\n".join(map(str, wrong))
    after = {tenant.organisation_id: _snapshot(base, tenant) for tenant in (a, b)}
    assert after == before, "a request across the tenant line changed something"
    assert counts["cross-tenant write"] >= 150 and counts["own read"] >= 100


def test_an_aggregator_cannot_make_a_user_for_another_organisations_producer(tenants):
    """The attack: B's aggregator made a producer user naming A's producer and its own organisation, signed in, and
    declined one of A's quotas."""
    base, a, b = tenants
    username, password = f"x-{uuid.uuid4().hex[:6]}", uuid.uuid4().hex
    attack = requests.post(
        base + "/api/v1/users",
        headers=b.credentials["aggregator"],
        timeout=30,
        json={
            "username": username,
            "password": password,
            "role": "producer",
            "organisation_id": b.organisation_id,
            "producer_id": a.objects["producer"],
        },
    )
    assert attack.status_code == 404, attack.text
    assert a.objects["producer"] in attack.json()["error"]["message"]
    unknown = requests.post(
        base + "/api/v1/users",
        headers=b.credentials["aggregator"],
        timeout=30,
        json={"username": username, "password": password, "role": "producer", "producer_id": "prd_nobody"},
    )
    assert unknown.status_code == 404
    assert unknown.json()["error"]["message"] == attack.json()["error"]["message"].replace(
        a.objects["producer"], "prd_nobody"
    ), "another's producer is answered as a missing one"
    sign_in = requests.post(base + "/api/v1/auth/token", json={"username": username, "password": password}, timeout=30)
    assert sign_in.status_code == 401


def test_a_producers_user_belongs_to_the_producers_organisation(tenants):
    base, a, b = tenants
    username, password = f"weaver-{uuid.uuid4().hex[:6]}", uuid.uuid4().hex
    made = requests.post(
        base + "/api/v1/users",
        headers=a.credentials["admin"],
        timeout=30,
        json={"username": username, "password": password, "role": "producer", "producer_id": a.objects["producer"]},
    )
    assert made.status_code == 201, made.text
    assert made.json()["organisation_id"] == a.organisation_id
    listed = requests.get(
        base + "/api/v1/users", headers=a.credentials["aggregator"], params={"page_size": 100}, timeout=30
    ).json()["items"]
    assert username in [user["username"] for user in listed], "A's aggregator sees its producer's user"
    mismatched = requests.post(
        base + "/api/v1/users",
        headers=a.credentials["admin"],
        timeout=30,
        json={
            "username": f"w-{uuid.uuid4().hex[:6]}",
            "password": password,
            "role": "producer",
            "producer_id": a.objects["producer"],
            "organisation_id": b.organisation_id,
        },
    )
    assert mismatched.status_code == 422 and "organisation_id" in mismatched.json()["error"]["fields"]
    quotas = requests.get(base + "/api/v1/quotas", headers=bearer(base, username, password), timeout=30).json()
    assert {quota["producer_id"] for quota in quotas["items"]} == {a.objects["producer"]}


def test_another_organisation_cannot_take_over_a_catalogue_by_its_name(tenants):
    base, a, b = tenants
    name = a.objects["catalogue"]
    taken = requests.post(
        base + "/api/v1/catalogues",
        headers=b.credentials["aggregator"],
        timeout=30,
        json={"name": name, "title": "Now B's", "organisation_id": b.organisation_id, "selection": {}},
    )
    assert taken.status_code == 409, taken.text
    catalogue = requests.get(f"{base}/api/v1/catalogues/{name}", headers=a.credentials["buyer"], timeout=30).json()
    assert catalogue["organisation_id"] == a.organisation_id and catalogue["offerings"] == [a.objects["sku"]]
    kept = requests.post(
        base + "/api/v1/catalogues",
        headers=a.credentials["aggregator"],
        timeout=30,
        json={"name": name, "title": "Highland bilums, renamed", "organisation_id": a.organisation_id, "selection": {}},
    )
    assert kept.status_code == 201 and kept.json()["title"] == "Highland bilums, renamed"


def test_a_buyer_sees_only_its_own_part_of_a_shared_shipment(tenants):
    base, a, _ = tenants
    shipment_id = a.objects["shipment"]
    whole = requests.get(
        f"{base}/api/v1/shipments/{shipment_id}", headers=a.credentials["aggregator"], timeout=30
    ).json()
    assert set(whole["order_ids"]) == {a.objects["order"], a.objects["neighbour_order"]}
    for buyer, own, other in (
        (a.credentials["buyer"], "order", "neighbour_order"),
        (a.neighbour, "neighbour_order", "order"),
    ):
        part = requests.get(f"{base}/api/v1/shipments/{shipment_id}", headers=buyer, timeout=30)
        assert part.status_code == 200, part.text
        view = part.json()
        assert view["order_ids"] == [a.objects[own]] and a.objects[other] not in part.text
        assert {lot["order_id"] for lot in view["lots"]} == {a.objects[own]}
        assert view["units"] == sum(lot["quantity"] for lot in view["lots"]) < whole["units"]
        assert [line["order_id"] for line in view["freight"]["order_lines"]] == [a.objects[own]]
        assert "pickup_routes" not in view and "cost" not in view["freight"]
        listed = requests.get(f"{base}/api/v1/shipments", headers=buyer, timeout=30).json()["items"]
        assert [item["order_ids"] for item in listed] == [[a.objects[own]]]
        assert a.objects[other] not in json.dumps(listed)


def test_what_producers_are_paid_is_shown_to_the_organisations_staff_only(tenants):
    base, a, b = tenants
    offering = a.objects["offering"]
    seen = {}
    for who, headers in (
        ("own aggregator", a.credentials["aggregator"]),
        ("own inspector", a.credentials["inspector"]),
        ("admin", a.credentials["admin"]),
        ("own buyer", a.credentials["buyer"]),
        ("own producer", a.credentials["producer"]),
        ("other aggregator", b.credentials["aggregator"]),
        ("other buyer", b.credentials["buyer"]),
    ):
        one = requests.get(f"{base}/api/v1/offerings/{offering}", headers=headers, timeout=30).json()
        listed = requests.get(f"{base}/api/v1/offerings", headers=headers, timeout=30).json()["items"]
        [in_list] = [item for item in listed if item["id"] == offering]
        assert ("producer_price" in one) == ("producer_price" in in_list)
        seen[who] = one.get("producer_price")
    assert seen == {
        "own aggregator": PRODUCER_PRICE,
        "own inspector": PRODUCER_PRICE,
        "admin": PRODUCER_PRICE,
        "own buyer": None,
        "own producer": None,
        "other aggregator": None,
        "other buyer": None,
    }
    for export_format in ("csv", "html", "pdf"):
        document = requests.get(
            f"{base}/api/v1/catalogues/{a.objects['catalogue']}/export",
            params={"format": export_format},
            headers=a.credentials["buyer"],
            timeout=60,
        )
        assert document.status_code == 200 and PRODUCER_PRICE.encode() not in document.content


def test_no_catalogue_cell_becomes_a_formula_whatever_the_separator(tenants):
    base, a, _ = tenants
    sku = f"CSV-{uuid.uuid4().hex[:4].upper()}"
    offering = requests.post(
        base + "/api/v1/offerings",
        headers=a.credentials["aggregator"],
        timeout=30,
        json={
            "organisation_id": a.organisation_id,
            "sku": sku,
            "name": "x;=1+1",
            "description": "a\t=2+2,b",
            "unit_price": "30.00",
            "producer_price": "10.00",
            "currency": "USD",
            "unit_weight_g": 350,
            "unit_volume_cm3": 4000,
            "quality_standard": {"aql": {"major": 2.5}},
        },
    )
    assert offering.status_code == 201, offering.text
    name = f"formulas-{uuid.uuid4().hex[:6]}"
    theme = requests.post(
        base + "/api/v1/catalogues",
        headers=a.credentials["aggregator"],
        timeout=30,
        json={
            "name": name,
            "title": "Formulas",
            "organisation_id": a.organisation_id,
            "selection": {"offering_ids": [offering.json()["id"]]},
        },
    )
    assert theme.status_code == 201, theme.text
    text = requests.get(
        f"{base}/api/v1/catalogues/{name}/export", params={"format": "csv"}, headers=a.credentials["buyer"], timeout=30
    ).text
    for separator in (",", ";", "\t", "|"):
        cells = [cell for row in csv.reader(io.StringIO(text), delimiter=separator) for cell in row]
        assert not [cell for cell in cells if cell.lstrip().startswith(("=", "+", "-", "@"))], (separator, cells)
    assert next(csv.DictReader(io.StringIO(text)))["name"] == "x;'=1+1", "read as written, the text shows, inert"


def test_a_username_is_one_whatever_its_case_and_taken_names_cannot_be_harvested(tenants):
    base, a, _ = tenants
    username, password = f"Mary-Kewa-{uuid.uuid4().hex[:6]}", uuid.uuid4().hex
    create_user(username, password, "inspector", a.organisation_id)
    assert (
        requests.get(base + "/api/v1/me", headers=bearer(base, username.lower(), password), timeout=30).json()[
            "username"
        ]
        == username
    )
    statuses = []
    for n in range(12):
        look_alike = requests.post(
            base + "/api/v1/users",
            headers=a.credentials["aggregator"],
            timeout=30,
            json={
                "username": username.upper() if n % 2 else username.lower(),
                "password": password,
                "role": "inspector",
                "organisation_id": a.organisation_id,
            },
        )
        statuses.append(look_alike.status_code)
        assert username.lower() not in look_alike.text.lower()
    assert statuses[0] == 409 and statuses[-1] == 429 and set(statuses) == {409, 429}
