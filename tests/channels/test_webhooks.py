"""Signed webhooks against a real local recording server (a subprocess), and the retry policy."""
import hashlib
import hmac
import json
import random
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.notification.channels import (Outgoing, Webhook, retry_delay_s, send_with_retries, should_retry,
                                            verify_webhook)

SECRETS = {}


def subscriber(server, path: str, secret: str) -> str:
    url = f"{server.url}{path}"
    SECRETS[url] = secret
    return url


def channel(timeout_s: float = 5) -> Webhook:
    return Webhook(SECRETS.__getitem__, timeout_s=timeout_s)


def shipped(reference: str) -> Outgoing:
    return Outgoing(reference, "order_shipped", "Commande ord_1 expédiée", "Votre commande est en route.",
                    "Bilum: commande ord_1 expédiée",
                    data={"order_id": "ord_1", "units": 1200, "expected_on": date(2027, 1, 20),
                          "freight_share": Decimal("412.50")})


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
        "id": f"ntf_{token}", "kind": "order_shipped", "subject": "Commande ord_1 expédiée",
        "text": "Votre commande est en route.", "sent_at": json.loads(body)["sent_at"],
        "data": {"order_id": "ord_1", "units": 1200, "expected_on": "2027-01-20", "freight_share": "412.50"}}
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


def test_a_failing_subscriber_is_retried_with_backoff_until_it_accepts(http_recorder, token):
    url = subscriber(http_recorder, f"/flaky/2/{token}", "whsec-flaky")
    waits = []

    attempts = send_with_retries(channel(), url, shipped(f"ntf_{token}"), max_attempts=5, base_s=0.05, cap_s=1,
                                 rng=random.Random(42), sleep=waits.append)

    assert [attempt.ok for attempt in attempts] == [False, False, True]
    assert all(attempt.retryable for attempt in attempts[:2]) and "503" in attempts[0].error
    seeded = random.Random(42)
    assert waits == [retry_delay_s(1, 0.05, 1, seeded), retry_delay_s(2, 0.05, 1, seeded)]
    assert 0 <= waits[0] <= 0.05 and 0 <= waits[1] <= 0.1
    received = requests_to(http_recorder, url)
    assert len(received) == 3
    assert {json.loads(request["body"])["id"] for request in received} == {f"ntf_{token}"}, "one id to de-duplicate"
    for request in received:
        timestamp, body = request["headers"]["bilum-timestamp"], request["body"]
        assert request["headers"]["bilum-signature"] == f"v1={independent_signature('whsec-flaky', timestamp, body)}"


def test_retries_really_wait(http_recorder, token):
    url = subscriber(http_recorder, f"/flaky/1/{token}", "whsec-wait")
    started = datetime.now(timezone.utc)

    attempts = send_with_retries(channel(), url, shipped(f"ntf_{token}"), max_attempts=3, base_s=0.2, cap_s=0.2,
                                 rng=random.Random(3))

    assert [attempt.ok for attempt in attempts] == [False, True]
    expected_wait = retry_delay_s(1, 0.2, 0.2, random.Random(3))
    assert attempts[1].attempted_at - attempts[0].attempted_at >= timedelta(seconds=expected_wait)
    assert datetime.now(timezone.utc) - started < timedelta(seconds=3)


def test_a_subscriber_that_keeps_failing_is_given_up_after_max_attempts(http_recorder, token):
    url = subscriber(http_recorder, f"/status/503/{token}", "whsec-down")

    attempts = send_with_retries(channel(), url, shipped(f"ntf_{token}"), max_attempts=3, base_s=0.01, cap_s=0.02,
                                 rng=random.Random(0))

    assert len(attempts) == 3 and not any(attempt.ok for attempt in attempts)
    assert len(requests_to(http_recorder, url)) == 3


def test_a_permanent_refusal_is_not_retried(http_recorder, token):
    url = subscriber(http_recorder, f"/status/410/{token}", "whsec-gone")

    attempts = send_with_retries(channel(), url, shipped(f"ntf_{token}"), max_attempts=5, base_s=0.01, cap_s=0.02,
                                 rng=random.Random(0))

    assert len(attempts) == 1 and not attempts[0].retryable and "410" in attempts[0].error
    assert len(requests_to(http_recorder, url)) == 1


def test_a_subscriber_that_does_not_answer_in_time_is_a_temporary_failure(http_recorder, token):
    url = subscriber(http_recorder, f"/slow/3/{token}", "whsec-slow")

    delivery = channel(timeout_s=0.5).send(url, shipped(f"ntf_{token}"))

    assert not delivery.ok and delivery.retryable and "timed out" in delivery.error


# The retry policy itself


@given(attempt=st.integers(1, 40), base_s=st.floats(0.001, 10), cap_s=st.floats(0.001, 600), seed=st.integers())
def test_a_delay_is_full_jitter_under_the_capped_exponential(attempt, base_s, cap_s, seed):
    delay = retry_delay_s(attempt, base_s, cap_s, random.Random(seed))
    assert 0 <= delay <= min(cap_s, base_s * 2 ** (attempt - 1))
    assert delay == retry_delay_s(attempt, base_s, cap_s, random.Random(seed)), "the same seed, the same delay"


def test_delays_grow_exponentially_until_the_cap():
    rng = random.Random(11)
    means = [sum(retry_delay_s(attempt, 1, 20, rng) for _ in range(2000)) / 2000 for attempt in range(1, 8)]
    assert means[0] == pytest.approx(0.5, abs=0.05)
    assert means[3] == pytest.approx(4, rel=0.1)
    assert means[5] == pytest.approx(10, rel=0.1) and means[6] == pytest.approx(10, rel=0.1), "capped at 20"


def test_attempts_count_from_one():
    with pytest.raises(ValueError):
        retry_delay_s(0, 1, 10, random.Random(0))


@pytest.mark.parametrize("attempt, max_attempts, again", [(1, 3, True), (2, 3, True), (3, 3, False), (4, 3, False),
                                                           (1, 1, False)])
def test_should_retry_while_attempts_are_left(attempt, max_attempts, again):
    assert should_retry(attempt, max_attempts) is again
