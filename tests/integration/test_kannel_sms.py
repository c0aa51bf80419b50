"""SMS through the real Kannel, end to end: bearerbox and smsbox from Debian's packages, the phones played by
``fakesmsc``, the services on the real broker and PostgreSQL. An offer leaves through smsbox's sendsms and reaches her
phone (in parts, in UCS-2 when its text needs it); Kannel's delivery report marks it delivered, which the aggregator
sees per quota; her reply, typed on the phone, comes back through Kannel's sms-service and accepts the quota, and
the confirmation reaches her phone too. A callback that is not this deployment's Kannel changes nothing.

Catalogue, orders, aggregation, notification and the gateway run as nameko containers in this process for the
whole module (``fulfilment.sms_network``), with ``BILUM_SMS_PROVIDER=kannel``."""

import uuid

import pytest
import requests

from bilum.kannel_local import KannelGateway
from bilum.waiting import eventually
from tests.integration.fulfilment import Network, sms_network
from tests.kannel import kannel_gateway  # noqa: F401 (fixture)

SECRET = "kannel-callback-secret-for-this-module"
# A Japanese word the GSM alphabet lacks: the offer's text goes as UCS-2, longer than one part can carry.
UCS2_PRODUCT = "Bilum 籠 tressé"


@pytest.fixture(scope="module")
def kannel(module_platform, kannel_gateway) -> KannelGateway:  # noqa: F811 (fixture)
    return kannel_gateway(f"{module_platform['BILUM_GATEWAY_URL']}/api/v1/sms/kannel", SECRET)


@pytest.fixture(scope="module")
def network(module_platform, kannel):
    callback_url = f"{module_platform['BILUM_GATEWAY_URL']}/api/v1/sms/kannel"
    environment = {
        "BILUM_SMS_PROVIDER": "kannel",
        "BILUM_KANNEL_SENDSMS_URL": kannel.sendsms_url,
        "BILUM_KANNEL_USERNAME": kannel.username,
        "BILUM_KANNEL_PASSWORD": kannel.password,
        "BILUM_KANNEL_CALLBACK_URL": callback_url,
        "BILUM_KANNEL_CALLBACK_SECRET": SECRET,
        "BILUM_KANNEL_ALLOWED_ADDRESSES": "127.0.0.1",
        # The tests pose as a proxy to show that a callback forwarded from elsewhere is refused.
        "BILUM_TRUSTED_PROXIES": "127.0.0.1",
    }
    with sms_network(module_platform, environment) as network:
        yield network


class Producer:
    """One producer with only a phone, offered work on one offering."""

    def __init__(self, network: Network, kannel: KannelGateway, product: str | None = None, mobile: str | None = None):
        self.network, self.kannel = network, kannel
        sku = f"KNL-{uuid.uuid4().hex[:6].upper()}"
        offering_id = network.offering(sku, name=product)
        [self.producer_id] = network.producers(offering_id, [100])
        self.mobile = mobile or f"+6757100{uuid.uuid4().int % 10**4:04d}"
        network.call("PATCH", f"/producers/{self.producer_id}", json={"mobile": self.mobile, "languages": ["tpi"]})
        self.order_id = network.order(sku, 40)["id"]
        [self.quota] = eventually(lambda: network.quotas(self.order_id, "offered"), "the offer", timeout_s=30)

    def offers(self) -> dict:
        return {o["ref"]: o for o in self.network.call("GET", f"/orders/{self.order_id}/offers")["items"]}

    def offer_state(self, state: str) -> dict:
        ref = self.quota["ref"]
        return eventually(
            lambda: self.offers().get(ref) if self.offers().get(ref, {}).get("state") == state else None,
            f"the offer {ref} {state}",
            timeout_s=20,
        )

    def log(self, template: str) -> list[dict]:
        items = self.network.call("GET", "/notifications", params={"recipient_id": self.producer_id})["items"]
        return [item for item in items if item["template"] == template]


def callback(network: Network, path: str, params: dict, forwarded_for: str | None = None) -> requests.Response:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return requests.get(f"{network.base}/sms/kannel/{path}", params=params, headers=headers, timeout=30)


def test_an_offer_in_ucs2_reaches_her_phone_in_parts_and_its_delivery_report_marks_it_delivered(network, kannel):
    her = Producer(network, kannel, product=UCS2_PRODUCT)

    [on_phone] = kannel.messages_to(her.mobile, within_s=20)
    offer = her.offer_state("delivered")

    [logged] = her.log("quota_offered")
    assert on_phone.text == logged["text"], "the phone shows exactly the text Bilum sent"
    assert her.quota["ref"] in on_phone.text and "籠" in on_phone.text
    assert (on_phone.coding, on_phone.parts > 1) == (2, True), "UCS-2, concatenated"
    assert (offer["channel"], offer["transport"], offer["handset"]["status"]) == ("sms", "kannel", "delivered")
    assert logged["handset"]["status"] == "delivered" and logged["status"] == "sent"


def test_her_reply_typed_on_the_phone_comes_back_through_kannel_and_accepts_the_quota(network, kannel):
    her = Producer(network, kannel)
    ref = her.quota["ref"]
    [offer] = kannel.messages_to(her.mobile, within_s=20)
    assert offer.coding == 0 and f"YES {ref}" in offer.text, "Tok Pisin in the GSM alphabet: one coding, no UCS-2"

    # Her phone is set to Unicode: the same letters arrive in UCS-2.
    kannel.send_from_phone(her.mobile, f"yes {ref.lower()} 30", ucs2=True)

    quota = eventually(
        lambda: q if (q := network.call("GET", f"/quotas/{her.quota['id']}"))["status"] == "accepted" else None,
        "the quota accepted by her SMS",
        timeout_s=30,
    )
    assert quota["quantity"] == 30
    _, ack = kannel.messages_to(her.mobile, expected=2, within_s=20)
    assert ack.text.startswith("Bilum: tenkyu!") and "30" in ack.text


def test_a_number_no_operator_can_reach_is_reported_to_the_aggregator_as_not_delivered(network, kannel):
    her = Producer(network, kannel, mobile=KannelGateway.dead_number(uuid.uuid4().int % 10**4))

    offer = her.offer_state("not_delivered")

    [logged] = her.log("quota_offered")
    assert (offer["channel"], logged["status"]) == ("sms", "unreachable")
    assert "Kannel answered 403: Not routable" in logged["attempts"][0]["error"]
    told = eventually(
        lambda: [
            item
            for item in network.call("GET", "/notifications", params={"correlation_id": her.order_id})["items"]
            if item["template"] == "aggregator_unreachable"
        ],
        "her organisation told she cannot be reached",
        timeout_s=20,
    )
    assert her.quota["ref"] in told[0]["text"]
    assert kannel.messages_to(her.mobile, expected=1, within_s=1) == []


def test_callbacks_that_are_not_this_kannels_change_nothing(network, kannel):
    her = Producer(network, kannel)
    offer = her.offer_state("delivered")
    [logged] = her.log("quota_offered")
    failed = {"ref": logged["id"], "type": "16", "report": "NACK/forged", "at": "1765000000"}

    no_secret = callback(network, "reports", failed)
    wrong_secret = callback(network, "reports", failed | {"secret": "x" * len(SECRET)})
    from_elsewhere = callback(network, "reports", failed | {"secret": SECRET}, forwarded_for="203.0.113.9")
    unknown = callback(network, "reports", failed | {"secret": SECRET, "ref": "ntf_never_sent"})
    replayed = callback(network, "reports", failed | {"secret": SECRET, "type": "1", "report": ""})

    assert [r.status_code for r in (no_secret, wrong_secret, from_elsewhere)] == [401, 401, 401]
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"
    assert replayed.status_code == 200 and replayed.json()["applied"] is False
    assert her.offers()[her.quota["ref"]]["state"] == "delivered" == offer["state"]


def test_a_message_from_a_stranger_or_a_malformed_one_gets_a_clear_answer_and_changes_nothing(network, kannel):
    her = Producer(network, kannel)
    ref = her.quota["ref"]
    stranger = f"+6757200{uuid.uuid4().int % 10**4:04d}"

    kannel.send_from_phone(stranger, f"YES {ref}")
    [answer] = kannel.messages_to(stranger, within_s=20)
    oversized = callback(network, "inbound", {"secret": SECRET, "id": "m1", "from": stranger, "text": "Y" * 2000})

    assert "Bilum" in answer.text
    assert oversized.status_code == 422 and oversized.json()["error"]["code"] == "invalid_input"
    assert network.call("GET", f"/quotas/{her.quota['id']}")["status"] == "offered"
