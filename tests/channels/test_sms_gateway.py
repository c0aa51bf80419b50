"""The SMS adapter against a real local HTTP server (a subprocess) that records what it receives."""

import hashlib
import hmac
import json
import time
from datetime import datetime, timedelta, timezone

from services.notification.channels import HttpSmsGateway, Outgoing, sign_inbound, verify_inbound

API_KEY = "test-key-7f3a"


def offer(reference: str, sms_text: str = "Bilum: nupela wok 45 x bilum. Bekim YES K7Q2MD o NO K7Q2MD.") -> Outgoing:
    return Outgoing(reference, "quota_offered", "Nupela wok", "Gude...", sms_text)


def requests_to(server, prefix):
    return [record for record in server.records() if record["path"].startswith(prefix)]


def test_an_sms_is_posted_as_json_with_the_key_in_a_header(http_recorder, token):
    gateway = HttpSmsGateway(f"{http_recorder.url}/ok/{token}/", API_KEY)
    message = offer(f"ntf_{token}", "Bilum: chị Hương, 45 x túi. Trả lời YES K7Q2MD")

    delivery = gateway.send("+67570000101", message)

    assert delivery.ok, delivery.error
    assert delivery.provider_id.startswith("prov-1-")
    [request] = requests_to(http_recorder, f"/ok/{token}")
    assert request["method"] == "POST"
    assert request["path"] == f"/ok/{token}/messages"
    assert request["headers"]["authorization"] == f"Bearer {API_KEY}"
    assert request["headers"]["content-type"] == "application/json"
    assert json.loads(request["body"]) == {"to": "+67570000101", "text": message.sms_text, "client_ref": f"ntf_{token}"}


def test_a_server_error_is_a_temporary_failure_with_the_reason(http_recorder, token):
    gateway = HttpSmsGateway(f"{http_recorder.url}/status/500/{token}", API_KEY)

    delivery = gateway.send("+67570000101", offer(f"ntf_{token}"))

    assert not delivery.ok and delivery.retryable
    assert "500" in delivery.error and "status 500" in delivery.error
    assert delivery.provider_id is None
    assert len(requests_to(http_recorder, f"/status/500/{token}")) == 1


def test_a_rejected_request_is_a_permanent_failure(http_recorder, token):
    gateway = HttpSmsGateway(f"{http_recorder.url}/status/422/{token}", API_KEY)

    delivery = gateway.send("not-a-number", offer(f"ntf_{token}"))

    assert not delivery.ok and not delivery.retryable
    assert "422" in delivery.error


def test_too_many_requests_is_temporary(http_recorder, token):
    delivery = HttpSmsGateway(f"{http_recorder.url}/status/429/{token}", API_KEY).send("+675", offer(token))
    assert not delivery.ok and delivery.retryable


def test_a_slow_gateway_times_out_as_a_temporary_failure(http_recorder, token):
    gateway = HttpSmsGateway(f"{http_recorder.url}/slow/3/{token}", API_KEY, timeout_s=0.5)
    started = time.monotonic()

    delivery = gateway.send("+67570000101", offer(f"ntf_{token}"))

    assert time.monotonic() - started < 2.5
    assert not delivery.ok and delivery.retryable
    assert "timed out" in delivery.error
    assert len(requests_to(http_recorder, f"/slow/3/{token}")) == 1, "the request did reach the gateway"


def test_an_unreachable_gateway_is_a_temporary_failure(closed_port, token):
    delivery = HttpSmsGateway(f"http://127.0.0.1:{closed_port}", API_KEY, timeout_s=2).send("+675", offer(token))
    assert not delivery.ok and delivery.retryable
    assert "unreachable" in delivery.error


def test_a_flaky_gateway_gets_the_same_client_ref_until_it_accepts(http_recorder, token):
    gateway = HttpSmsGateway(f"{http_recorder.url}/flaky/2/{token}", API_KEY)

    attempts = [gateway.send("+67570000101", offer(f"ntf_{token}")) for _ in range(3)]

    assert [attempt.ok for attempt in attempts] == [False, False, True]
    assert all(attempt.retryable for attempt in attempts[:2])
    bodies = [json.loads(request["body"]) for request in requests_to(http_recorder, f"/flaky/2/{token}")]
    assert len(bodies) == 3 and {body["client_ref"] for body in bodies} == {f"ntf_{token}"}


# Signatures on the provider's callbacks (inbound SMS, delivery reports)

SECRET = "provider-shared-secret"
BODY = b'{"from":"+67570000101","text":"YES K7Q2MD 20","received_at":"2026-12-01T08:00:00Z"}'
NOW = datetime(2026, 12, 1, 8, 0, 5, tzinfo=timezone.utc)
TIMESTAMP = int(NOW.timestamp()) - 5


def test_the_inbound_signature_is_hmac_sha256_of_timestamp_dot_body():
    expected = hmac.new(SECRET.encode(), f"{TIMESTAMP}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert sign_inbound(SECRET, TIMESTAMP, BODY) == expected
    assert sign_inbound(SECRET, str(TIMESTAMP), BODY.decode()) == expected


def test_a_genuine_callback_is_accepted():
    signature = hmac.new(SECRET.encode(), f"{TIMESTAMP}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert verify_inbound(SECRET, TIMESTAMP, BODY, signature, NOW)
    assert verify_inbound(SECRET, str(TIMESTAMP), BODY, signature.upper(), NOW)


def test_a_forged_or_altered_callback_is_refused():
    signature = sign_inbound(SECRET, TIMESTAMP, BODY)
    assert not verify_inbound(SECRET, TIMESTAMP, BODY.replace(b"20", b"99"), signature, NOW)
    assert not verify_inbound("another-secret", TIMESTAMP, BODY, signature, NOW)
    assert not verify_inbound(SECRET, TIMESTAMP + 1, BODY, signature, NOW)
    assert not verify_inbound(SECRET, TIMESTAMP, BODY, "", NOW)
    assert not verify_inbound(SECRET, "yesterday", BODY, signature, NOW)


def test_a_replayed_callback_is_refused_outside_the_window():
    signature = sign_inbound(SECRET, TIMESTAMP, BODY)
    assert verify_inbound(SECRET, TIMESTAMP, BODY, signature, NOW + timedelta(seconds=290))
    assert not verify_inbound(SECRET, TIMESTAMP, BODY, signature, NOW + timedelta(seconds=301))
    assert not verify_inbound(SECRET, TIMESTAMP, BODY, signature, NOW - timedelta(seconds=400))
    assert verify_inbound(SECRET, TIMESTAMP, BODY, signature, NOW + timedelta(seconds=301), tolerance_s=600)


def test_a_timestamp_or_signature_no_clock_or_digest_could_make_is_refused_not_crashed_on():
    signature = sign_inbound(SECRET, TIMESTAMP, BODY)
    assert not verify_inbound(SECRET, "9" * 309, BODY, signature, NOW)
    assert not verify_inbound(SECRET, "\u0663" * 10, BODY, signature, NOW)
    assert not verify_inbound(SECRET, TIMESTAMP, BODY, "\u00e9" * 64, NOW)
