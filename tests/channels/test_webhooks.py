"""Signed webhooks against a real local recording server (a subprocess)."""

import hashlib
import hmac
import json
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from services.notification.channels import Outgoing, Webhook, verify_webhook

SECRETS = {}


def subscriber(server, path: str, secret: str) -> str:
    url = f"{server.url}{path}"
    SECRETS[url] = secret
    return url


def channel(timeout_s: float = 5) -> Webhook:
    return Webhook(SECRETS.__getitem__, timeout_s=timeout_s)


def shipped(reference: str) -> Outgoing:
    return Outgoing(
        reference,
        "order_shipped",
        "Commande ord_1 expédiée",
        "Votre commande est en route.",
        "Bilum: commande ord_1 expédiée",
        data={"order_id": "ord_1", "units": 1200, "expected_on": date(2027, 1, 20), "freight_share": Decimal("412.50")},
    )


def requests_to(server, url):
    return [record for record in server.records() if url.endswith(record["path"])]


def independent_signature(secret: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def test_a_webhook_is_signed_json_the_subscriber_can_check(http_recorder, token):
    url = subscriber(http_recorder, f"/ok/{token}", f"whsec-{token}")
    before = datetime.now(timezone.utc)

    delivery = channel().send(url, shipped(f"ntf_{token}"))

    assert delivery.ok, delivery.error
    assert delivery.provider_id == f"ntf_{token}"
    [request] = requests_to(http_recorder, url)
    headers, body = request["headers"], request["body"]
    assert request["method"] == "POST"
    assert headers["content-type"] == "application/json; charset=utf-8"
    timestamp = headers["bilum-timestamp"]
    assert int(before.timestamp()) - 1 <= int(timestamp) <= int(datetime.now(timezone.utc).timestamp()) + 1
    assert headers["bilum-signature"] == f"v1={independent_signature(f'whsec-{token}', timestamp, body)}"
    assert "expédiée".encode("utf-8") in body, "UTF-8, not escaped"
    assert json.loads(body) == {
        "id": f"ntf_{token}",
        "kind": "order_shipped",
        "subject": "Commande ord_1 expédiée",
        "text": "Votre commande est en route.",
        "sent_at": json.loads(body)["sent_at"],
        "data": {"order_id": "ord_1", "units": 1200, "expected_on": "2027-01-20", "freight_share": "412.50"},
    }
    assert abs(datetime.fromisoformat(json.loads(body)["sent_at"]) - delivery.attempted_at) < timedelta(seconds=1)


def test_each_subscriber_signs_with_its_own_secret(http_recorder, token):
    first = subscriber(http_recorder, f"/ok/{token}/a", "secret-a")
    second = subscriber(http_recorder, f"/ok/{token}/b", "secret-b")
    message = shipped(f"ntf_{token}")
    assert channel().send(first, message).ok and channel().send(second, message).ok
    [to_first], [to_second] = requests_to(http_recorder, first), requests_to(http_recorder, second)
    for request, secret, other in ((to_first, "secret-a", "secret-b"), (to_second, "secret-b", "secret-a")):
        timestamp, body = request["headers"]["bilum-timestamp"], request["body"]
        signature = request["headers"]["bilum-signature"]
        assert signature == f"v1={independent_signature(secret, timestamp, body)}"
        assert signature != f"v1={independent_signature(other, timestamp, body)}"


def test_verify_webhook_accepts_the_real_request_and_nothing_else(http_recorder, token):
    url = subscriber(http_recorder, f"/ok/{token}", "whsec-verify")
    assert channel().send(url, shipped(f"ntf_{token}")).ok
    [request] = requests_to(http_recorder, url)
    timestamp, body = request["headers"]["bilum-timestamp"], request["body"]
    signature = request["headers"]["bilum-signature"]
    now = datetime.now(timezone.utc)

    assert verify_webhook("whsec-verify", timestamp, body, signature, now)
    assert verify_webhook("whsec-verify", timestamp, body, f"v1=deadbeef, {signature}", now), "during rotation"
    assert not verify_webhook("whsec-other", timestamp, body, signature, now)
    assert not verify_webhook("whsec-verify", timestamp, body.replace(b"1200", b"9999"), signature, now)
    assert not verify_webhook("whsec-verify", str(int(timestamp) + 1), body, signature, now)
    assert not verify_webhook("whsec-verify", timestamp, body, signature.replace("v1=", "v0="), now)
    assert not verify_webhook("whsec-verify", timestamp, body, signature, now + timedelta(seconds=301)), "replay"


def test_a_failing_subscriber_is_a_temporary_failure_and_a_retry_carries_the_same_id(http_recorder, token):
    url = subscriber(http_recorder, f"/flaky/2/{token}", "whsec-flaky")

    attempts = [channel().send(url, shipped(f"ntf_{token}")) for _ in range(3)]

    assert [attempt.ok for attempt in attempts] == [False, False, True]
    assert all(attempt.retryable for attempt in attempts[:2]) and "503" in attempts[0].error
    received = requests_to(http_recorder, url)
    assert len(received) == 3
    assert {json.loads(request["body"])["id"] for request in received} == {f"ntf_{token}"}, "one id to de-duplicate"
    for request in received:
        timestamp, body = request["headers"]["bilum-timestamp"], request["body"]
        assert request["headers"]["bilum-signature"] == f"v1={independent_signature('whsec-flaky', timestamp, body)}"


def test_a_permanent_refusal_is_not_retryable(http_recorder, token):
    url = subscriber(http_recorder, f"/status/410/{token}", "whsec-gone")

    delivery = channel().send(url, shipped(f"ntf_{token}"))

    assert not delivery.ok and not delivery.retryable and "410" in delivery.error
    assert len(requests_to(http_recorder, url)) == 1


def test_a_subscriber_that_does_not_answer_in_time_is_a_temporary_failure(http_recorder, token):
    url = subscriber(http_recorder, f"/slow/3/{token}", "whsec-slow")

    delivery = channel(timeout_s=0.5).send(url, shipped(f"ntf_{token}"))

    assert not delivery.ok and delivery.retryable and "timed out" in delivery.error
