"""SMS replies as actions, end to end on the real broker and PostgreSQL: a producer's YES, NO and DONE, arriving as
the SMS provider's signed callbacks at the gateway, accept, decline and report through the real aggregation
service, and each is answered by SMS in her language.

Catalogue, orders, aggregation, notification and the gateway run as nameko containers in this process for the
whole module. No SMS gateway is configured: texts go to the delivery log (transport ``log``), as on a laptop."""

import uuid

import pytest

from bilum.demo_sms import SmsProducer
from bilum.waiting import eventually
from services.aggregation.service import AggregationService
from services.catalogue.service import CatalogueService
from services.gateway.service import GatewayService
from services.notification.service import NotificationService
from services.orders.service import OrdersService
from shared import migrations
from tests.integration.fulfilment import Network
from tests.integration.helpers import dead_letters, running

SECRET = "inbound-secret-of-the-sms-provider"


@pytest.fixture(scope="module")
def network(module_platform):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BILUM_SMS_INBOUND_SECRET", SECRET)
        for service in ("catalogue", "orders", "aggregation", "notification"):
            migrations.upgrade(service)
        with (
            running(CatalogueService),
            running(OrdersService),
            running(AggregationService),
            running(NotificationService),
            running(GatewayService),
        ):
            yield Network(module_platform["BILUM_GATEWAY_URL"])
    assert dead_letters(module_platform["AMQP_URI"]) == 0


class Work:
    """One offering made by one producer who answers by SMS, and an order for it."""

    def __init__(self, network: Network, quantity: int = 40, languages=("en",)):
        self.network = network
        sku = f"SMS-{uuid.uuid4().hex[:6].upper()}"
        offering_id = network.offering(sku)
        self.product = f"Bilum {sku}"
        [self.producer_id] = network.producers(offering_id, [100])
        if languages != ("en",):
            network.call("PATCH", f"/producers/{self.producer_id}", json={"languages": list(languages)})
        self.mobile = network.call("GET", f"/producers/{self.producer_id}")["mobile"]
        self.phone = SmsProducer(
            network.base.removesuffix("/api/v1"),
            SECRET,
            self.producer_id,
            self.mobile,
            timeout_s=20,
            credentials=network.headers,
        )
        self.order_id = network.order(sku, quantity)["id"]
        [self.quota] = eventually(lambda: network.quotas(self.order_id, "offered"), "the offer")
        eventually(
            lambda: [t for t in self.phone.inbox() if t.kind == "quota_offered"], "the offer by SMS", timeout_s=20
        )

    def answer(self, text: str, message_id: str | None = None) -> dict:
        return self.phone.send(text, message_id)

    def reply(self, kind: str):
        return eventually(lambda: [t for t in self.phone.inbox() if t.kind == kind], f"the {kind} SMS", timeout_s=20)

    def quota_now(self) -> dict:
        return self.network.call("GET", f"/quotas/{self.quota['id']}")


def test_a_producer_accepts_by_sms_then_reports_her_lot_and_hears_back_each_time(network):
    work = Work(network)
    [offer] = [text for text in work.phone.inbox() if text.kind == "quota_offered"]
    assert offer.ref == work.quota["ref"] and f"Reply YES {offer.ref} to accept" in offer.text

    assert work.phone.accept_offers() == {offer.ref: 40}
    quota = work.quota_now()
    assert (quota["status"], quota["quantity"]) == ("accepted", 40)
    assert work.phone.report_lots() == {offer.ref: 40}
    [lot] = network.call("GET", "/lots", params={"order_id": work.order_id})["items"]
    assert (lot["quota_id"], lot["quantity"], lot["status"]) == (work.quota["id"], 40, "reported")
    assert work.phone.accept_offers() == {offer.ref: 40}, "an answered offer is not answered again"
    network.settled(work.order_id, accepted=40, produced=40)


def test_a_producer_takes_part_of_an_offer_in_tok_pisin(network):
    work = Work(network, languages=("tpi",))
    assert work.answer(f"yes {work.quota['ref'].lower()} 15")["outcome"] == "accepted"
    quota = work.quota_now()
    assert (quota["status"], quota["quantity"], quota["offered_quantity"]) == ("accepted", 15, 40)
    [ack] = work.reply("quota_accepted_ack")
    assert ack.data["quantity"] == 15 and ack.text.startswith("Bilum: tenkyu! Wok")


def test_a_decline_by_sms_is_confirmed_and_a_later_yes_is_explained_not_obeyed(network):
    work = Work(network)
    ref = work.quota["ref"]
    message_id = f"m-{uuid.uuid4().hex}"
    first = work.answer(f"NO {ref}", message_id)
    again = work.answer(f"NO {ref}", message_id)
    assert (first["outcome"], first["duplicate"], again["duplicate"]) == ("declined", False, True)
    quota = work.quota_now()
    assert (quota["status"], quota["reason"]) == ("declined", "declined by SMS")
    assert [t.ref for t in work.reply("quota_declined_ack")] == [ref], "one message id, one answer"

    assert work.answer(f"YES {ref}")["outcome"] == "refused:Conflict"
    [closed] = work.reply("sms_reply_closed")
    assert closed.ref == ref and "cannot take this answer now" in closed.text
    assert work.quota_now()["status"] == "declined"


def test_numbers_that_do_not_fit_and_codes_that_are_not_hers_are_explained(network):
    work = Work(network)
    ref = work.quota["ref"]
    assert work.answer(f"YES {ref} 999")["outcome"] == "refused:InvalidInput"
    [too_many] = work.reply("sms_reply_quantity_refused")
    assert too_many.text == (
        f"Bilum: 999 does not fit work {ref} (40 x {work.product}). Please send a number that fits, or reply HELP."
    )
    assert work.answer(f"DONE {ref} 5")["outcome"] == "refused:Conflict", "nothing accepted yet"
    assert work.quota_now()["status"] == "offered"

    other = Work(network)
    assert work.answer(f"YES {other.quota['ref']}")["outcome"] == "unknown_ref"
    assert other.quota_now()["status"] == "offered"
    [bad_ref] = work.reply("sms_error_bad_ref")
    assert "Copy it from our SMS" in bad_ref.text


def test_the_duplicate_of_a_done_reports_one_lot(network):
    work = Work(network)
    ref = work.quota["ref"]
    assert work.answer(f"YES {ref}")["outcome"] == "accepted"
    message_id = f"m-{uuid.uuid4().hex}"
    results = [work.answer(f"DONE {ref} 10", message_id) for _ in range(3)]
    assert [r["duplicate"] for r in results] == [False, True, True]
    assert len(network.call("GET", "/lots", params={"order_id": work.order_id})["items"]) == 1
    assert [ack.data["quantity"] for ack in work.reply("lot_received_ack")] == [10]
