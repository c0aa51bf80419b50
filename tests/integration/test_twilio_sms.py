"""SMS through Twilio, end to end: the services on the real broker and PostgreSQL with ``BILUM_SMS_PROVIDER=twilio``,
Twilio played by a local server that answers as its Messaging API is documented to (tests/twilio_api.py) and calls the
gateway's webhooks as Twilio does, signed. An offer is created at Twilio as a Message; its signed status callbacks
mark it delivered, which the aggregator sees per quota, and she is never shown as told before her phone has it. Her
reply comes back as Twilio's signed incoming-message webhook, accepts the quota, and the acknowledgement goes out
through Twilio too. A number Twilio cannot reach is reported undelivered, and her organisation is told. A callback
that Twilio did not sign changes nothing.

Catalogue, orders, aggregation, notification and the gateway run as nameko containers in this process for the
whole module."""

import base64
import hashlib
import hmac
import itertools
import time
import uuid
import xml.etree.ElementTree as ElementTree

import pytest
import requests

from bilum.waiting import eventually
from tests.integration.fulfilment import Network, sms_network
from tests.twilio_api import UNREACHABLE, TwilioApi, start

# Numbers outside every range the local Twilio treats specially: their messages are sent, then delivered.
DELIVERED = "+6757600"
_numbers = itertools.count(1000)


def phone(prefix: str = DELIVERED) -> str:
    """A number no other test of this module sends to, in a range the local Twilio treats as it is told."""
    return f"{prefix}{next(_numbers):04d}"


def signature(auth_token: str, url: str, params: dict[str, str]) -> str:
    """``X-Twilio-Signature`` as Twilio documents it: base64 HMAC-SHA1 over the URL and the sorted form."""
    signed = url + "".join(name + params[name] for name in sorted(params))
    return base64.b64encode(hmac.new(auth_token.encode(), signed.encode(), hashlib.sha1).digest()).decode()


class TwilioNetwork(Network):
    """The network, and where Twilio calls the gateway back (the URL its signatures cover)."""

    def __init__(self, network: Network, callback_url: str):
        super().__init__(network.base.removesuffix("/api/v1"), network.headers, network.organisation_id)
        self.callback_url = callback_url


@pytest.fixture(scope="module")
def twilio(tmp_path_factory):
    api = start(tmp_path_factory.mktemp("twilio"))
    yield api
    api.stop()


@pytest.fixture(scope="module")
def network(module_platform, twilio):
    callback_url = f"{module_platform['BILUM_GATEWAY_URL']}/api/v1/sms/twilio"
    environment = {
        "BILUM_SMS_PROVIDER": "twilio",
        "BILUM_TWILIO_ACCOUNT_SID": twilio.account_sid,
        "BILUM_TWILIO_AUTH_TOKEN": twilio.auth_token,
        "BILUM_TWILIO_FROM": twilio.number,
        "BILUM_TWILIO_CALLBACK_URL": callback_url,
        "BILUM_TWILIO_API_URL": twilio.url,
        "BILUM_TWILIO_TIMEOUT_S": "5",
    }
    with sms_network(module_platform, environment) as network:
        yield TwilioNetwork(network, callback_url)


class Producer:
    """One producer with only a phone, offered work on one offering. Her offer is watched from the moment the order
    is placed, so that every state the aggregator could have read of it is seen (``seen``)."""

    def __init__(self, network: TwilioNetwork, twilio: TwilioApi, mobile: str | None = None):
        self.network, self.twilio = network, twilio
        sku = f"TWL-{uuid.uuid4().hex[:6].upper()}"
        offering_id = network.offering(sku)
        [self.producer_id] = network.producers(offering_id, [100])
        self.mobile = mobile or phone()
        network.call("PATCH", f"/producers/{self.producer_id}", json={"mobile": self.mobile, "languages": ["tpi"]})
        self.order_id = network.order(sku, 40)["id"]
        self.seen: list[tuple[str, str | None]] = []

    def offers(self) -> dict:
        return {o["ref"]: o for o in self.network.call("GET", f"/orders/{self.order_id}/offers")["items"]}

    def watch_offer(self, until, what: str, timeout_s: float = 30) -> dict:
        """Read her offer every few hundredths of a second until ``until(offer)``; every (state, handset status) read
        on the way is kept in ``seen``."""
        deadline = time.monotonic() + timeout_s
        while True:
            offers = list(self.offers().values())
            for offer in offers:
                self.seen.append((offer["state"], (offer["handset"] or {}).get("status")))
            if len(offers) == 1 and until(offers[0]):
                return offers[0]
            assert time.monotonic() < deadline, f"{what} after {timeout_s} s; seen {self.seen}"
            time.sleep(0.025)  # under the gateway's rate limit of 50 calls a second

    def quota(self) -> dict:
        [quota] = eventually(lambda: self.network.quotas(self.order_id, "offered"), "the offer", timeout_s=30)
        return quota

    def log(self, template: str) -> list[dict]:
        items = self.network.call("GET", "/notifications", params={"recipient_id": self.producer_id})["items"]
        return [item for item in items if item["template"] == template]

    def created(self, expected: int, within_s: float = 20) -> list[dict]:
        """The create-Message requests Twilio received for her number, once there are ``expected`` of them."""
        return at_least(
            expected,
            lambda: [m for m in self.twilio.messages_created() if m["form"].get("To") == self.mobile],
            f"messages created for {self.mobile}",
            within_s,
        )

    def status_callbacks(self, status_callback: str, expected: int, within_s: float = 20) -> list[dict]:
        """Twilio's status callbacks to ``status_callback``, with the gateway's answers, once ``expected`` were made."""
        return at_least(
            expected,
            lambda: [c for c in self.twilio.callbacks("status") if c["url"] == status_callback],
            f"status callbacks to {status_callback}",
            within_s,
        )


def at_least(expected: int, records, what: str, within_s: float) -> list[dict]:
    """``records()`` once it holds ``expected`` records (or more: the caller's assertions tell)."""
    deadline = time.monotonic() + within_s
    while len(found := records()) < expected:
        assert time.monotonic() < deadline, f"{len(found)} of {expected} {what} after {within_s} s"
        time.sleep(0.05)
    return found


def handset_is(status: str):
    return lambda offer: (offer["handset"] or {}).get("status") == status


def state_is(state: str):
    return lambda offer: offer["state"] == state


def told_before_her_phone_had_it(seen: list[tuple[str, str | None]]) -> list[tuple[str, str | None]]:
    """Reads that showed the offer delivered while Twilio had not reported it delivered."""
    return [(state, handset) for state, handset in seen if state == "delivered" and handset != "delivered"]


def post_status(network: TwilioNetwork, query: str, params: dict, signed_as: str | None) -> requests.Response:
    headers = {"X-Twilio-Signature": signed_as} if signed_as is not None else {}
    return requests.post(f"{network.callback_url}/status{query}", data=params, headers=headers, timeout=30)


def test_an_offer_is_created_at_twilio_and_its_signed_status_callbacks_mark_it_delivered(network, twilio):
    her = Producer(network, twilio)

    offer = her.watch_offer(handset_is("delivered"), "the offer delivered")
    [created] = her.created(expected=1)
    [logged] = her.log("quota_offered")
    ref = her.quota()["ref"]
    status_callback = f"{network.callback_url}/status?ref={logged['id']}"
    sent, delivered = her.status_callbacks(status_callback, expected=2)

    assert created["form"] == {
        "To": her.mobile,
        "From": twilio.number,
        "Body": logged["text"],
        "StatusCallback": status_callback,
    }
    assert f"YES {ref}" in logged["text"]
    assert created["headers"]["content-type"] == "application/x-www-form-urlencoded"
    message_sid = logged["attempts"][0]["provider_id"]
    assert [(c["params"]["MessageSid"], c["params"]["MessageStatus"]) for c in (sent, delivered)] == [
        (message_sid, "sent"),
        (message_sid, "delivered"),
    ]
    assert [c["status"] for c in (sent, delivered)] == [200, 200], "the gateway took Twilio's signed callbacks"
    assert (offer["state"], offer["channel"], offer["transport"]) == ("delivered", "sms", "twilio")
    assert (logged["status"], logged["transport"], logged["handset"]["status"]) == ("sent", "twilio", "delivered")
    assert told_before_her_phone_had_it(her.seen) == [], "the aggregator saw her told before Twilio said delivered"


def test_her_reply_comes_back_as_twilios_signed_webhook_and_accepts_the_quota(network, twilio):
    her = Producer(network, twilio)
    quota = her.quota()
    her.watch_offer(handset_is("delivered"), "the offer delivered")

    webhook = twilio.send_inbound(f"{network.callback_url}/inbound", From=her.mobile, Body=f"YES {quota['ref']} 20")

    assert webhook["status"] == 200 and webhook["content_type"].startswith("text/xml")
    twiml = ElementTree.fromstring(webhook["answer"])
    assert (twiml.tag, list(twiml)) == ("Response", []), "empty TwiML: Twilio sends nothing of its own"
    accepted = eventually(
        lambda: q if (q := network.call("GET", f"/quotas/{quota['id']}"))["status"] == "accepted" else None,
        "the quota accepted by her SMS",
        timeout_s=30,
    )
    assert accepted["quantity"] == 20
    _, ack_request = her.created(expected=2)
    [ack] = eventually(lambda: her.log("quota_accepted_ack"), "the acknowledgement in the log", timeout_s=20)
    assert ack_request["form"]["Body"] == ack["text"] and "20" in ack["text"]
    assert ack_request["form"]["StatusCallback"] == f"{network.callback_url}/status?ref={ack['id']}"
    assert ack["transport"] == "twilio"

    # Twilio calls a webhook again when it got no answer in time: the same MessageSid changes nothing.
    again = twilio.send_inbound(
        f"{network.callback_url}/inbound",
        From=her.mobile,
        Body=f"YES {quota['ref']} 20",
        MessageSid=webhook["params"]["MessageSid"],
        SmsSid=webhook["params"]["MessageSid"],
        SmsMessageSid=webhook["params"]["MessageSid"],
    )
    assert again["status"] == 200
    time.sleep(1)
    assert len(her.created(expected=2)) == 2, "no second acknowledgement"
    assert network.call("GET", f"/quotas/{quota['id']}")["quantity"] == 20


def test_a_number_twilio_cannot_reach_is_reported_to_the_aggregator_as_not_delivered(network, twilio):
    her = Producer(network, twilio, mobile=phone(UNREACHABLE))

    offer = her.watch_offer(state_is("not_delivered"), "the offer not delivered")
    ref = her.quota()["ref"]

    [created] = her.created(expected=1)
    [logged] = her.log("quota_offered")
    status_callback = f"{network.callback_url}/status?ref={logged['id']}"
    sent, undelivered = her.status_callbacks(status_callback, expected=2)
    assert created["form"]["To"] == her.mobile, "Twilio accepted the message (201): only its report says otherwise"
    assert (undelivered["params"]["MessageStatus"], undelivered["params"]["ErrorCode"]) == ("undelivered", "30003")
    assert (offer["channel"], offer["transport"], offer["handset"]["status"]) == ("sms", "twilio", "failed")
    assert offer["handset"]["detail"] == "undelivered, error 30003"
    assert (logged["status"], logged["attempts"][0]["ok"]) == ("unreachable", True)
    told = eventually(
        lambda: [
            item
            for item in network.call("GET", "/notifications", params={"correlation_id": her.order_id})["items"]
            if item["template"] == "aggregator_unreachable"
        ],
        "her organisation told she cannot be reached",
        timeout_s=20,
    )
    assert ref in told[0]["text"]
    assert [state for state, _ in her.seen if state == "delivered"] == [], "never shown as delivered"
    assert len(her.created(expected=1)) == 1, "no second SMS to a number Twilio cannot reach"


def test_callbacks_twilio_did_not_sign_or_about_no_message_of_ours_change_nothing(network, twilio):
    her = Producer(network, twilio)
    her.watch_offer(handset_is("delivered"), "the offer delivered")
    [logged] = her.log("quota_offered")
    query = f"?ref={logged['id']}"
    url = f"{network.callback_url}/status{query}"
    undelivered = {
        "AccountSid": twilio.account_sid,
        "ApiVersion": "2010-04-01",
        "From": twilio.number,
        "To": her.mobile,
        "MessageSid": logged["attempts"][0]["provider_id"],
        "MessageStatus": "undelivered",
        "ErrorCode": "30003",
    }
    sent = undelivered | {"MessageStatus": "sent"}
    del sent["ErrorCode"]
    unknown_sid = "SM" + uuid.uuid4().hex
    unknown = undelivered | {"MessageSid": unknown_sid, "SmsSid": unknown_sid}
    unknown_query = f"?ref=ntf_{uuid.uuid4().hex[:16]}"

    unsigned = post_status(network, query, undelivered, None)
    wrong_token = post_status(network, query, undelivered, signature("0" * 32, url, undelivered))
    other_url = post_status(network, query, undelivered, signature(twilio.auth_token, url + "x", undelivered))
    altered = post_status(
        network, query, undelivered, signature(twilio.auth_token, url, undelivered | {"ErrorCode": "30005"})
    )
    replayed = post_status(network, query, sent, signature(twilio.auth_token, url, sent))
    unknown_message = post_status(
        network,
        unknown_query,
        unknown,
        signature(twilio.auth_token, f"{network.callback_url}/status{unknown_query}", unknown),
    )

    assert [r.status_code for r in (unsigned, wrong_token, other_url, altered)] == [401, 401, 401, 401]
    assert unsigned.json()["error"]["code"] == "unauthenticated"
    assert replayed.status_code == 200 and replayed.json()["applied"] is False, "a late report moves nothing back"
    assert unknown_message.status_code == 404 and unknown_message.json()["error"]["code"] == "not_found"
    offer = her.offers()[logged["ref"]]
    assert (offer["state"], offer["handset"]["status"]) == ("delivered", "delivered")
    [after] = her.log("quota_offered")
    assert (after["status"], after["handset"]["status"]) == ("sent", "delivered")
    assert len(her.created(expected=1)) == 1, "nothing was sent again"
