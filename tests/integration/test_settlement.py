"""A producer's money end to end on the real broker and PostgreSQL: her lots earn when they pass, an advance is
recovered from them, a payout batch drafted by one aggregator and approved by another pays her by mobile money
through a local MTN MoMo sandbox (its callbacks repeated, its answers lost or refused), and she asks her balance by
SMS. Catalogue, orders, aggregation, notification, settlement and the gateway run as nameko containers in this
process for the whole module."""

import hashlib
import hmac
import uuid
from decimal import Decimal

import pytest
import requests

from bilum.demo_sms import SmsProducer
from bilum.momo_sandbox_process import start
from bilum.waiting import eventually
from services.aggregation.service import AggregationService
from services.catalogue.service import CatalogueService
from services.gateway.service import GatewayService
from services.notification.service import NotificationService
from services.orders.service import OrdersService
from services.settlement.service import SettlementService
from shared import migrations
from tests.integration.auth import key_of_new_user
from tests.integration.fulfilment import ORG, Network
from tests.integration.helpers import dead_letters, running

SMS_SECRET = "inbound-secret-of-the-sms-provider"
CALLBACK_SECRET = "a-callback-secret-of-this-test-deployment-0123456789"


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    momo = start(directory=tmp_path_factory.mktemp("momo"), callback_repeats=3, settle_after=0.3)
    yield momo
    momo.stop()


@pytest.fixture(scope="module")
def money(module_platform, sandbox):
    with pytest.MonkeyPatch.context() as patch:
        for name, value in {
            "BILUM_SMS_INBOUND_SECRET": SMS_SECRET,
            "BILUM_MOMO_URL": sandbox.url,
            "BILUM_MOMO_API_USER": sandbox.api_user,
            "BILUM_MOMO_API_KEY": sandbox.api_key,
            "BILUM_MOMO_SUBSCRIPTION_KEY": sandbox.subscription_key,
            "BILUM_MOMO_TIMEOUT_S": "1",
            "BILUM_PAYOUT_CALLBACK_URL": module_platform["BILUM_GATEWAY_URL"],
            "BILUM_PAYOUT_CALLBACK_SECRET": CALLBACK_SECRET,
            "BILUM_PAYOUT_INTERVAL_S": "0.3",
            "BILUM_PAYOUT_STATUS_CHECK_S": "2",
        }.items():
            patch.setenv(name, value)
        for service in ("catalogue", "orders", "aggregation", "notification", "settlement"):
            migrations.upgrade(service)
        with (
            running(CatalogueService),
            running(OrdersService),
            running(AggregationService),
            running(NotificationService),
            running(SettlementService),
            running(GatewayService),
        ):
            yield Money(Network(module_platform["BILUM_GATEWAY_URL"]))
    assert dead_letters(module_platform["AMQP_URI"]) == 0


class Money:
    """The network, and the co-operative's two aggregators: one drafts payouts, the other approves them."""

    def __init__(self, network: Network):
        self.network = network
        self.drafter = Network(network.base.removesuffix("/api/v1"), key_of_new_user("aggregator", ORG))
        self.approver = Network(network.base.removesuffix("/api/v1"), key_of_new_user("aggregator", ORG))

    def earned_lot(self, producers: int = 1, units: int = 20) -> tuple[list[str], list[dict]]:
        """Producers whose quotas of a new order were accepted, a lot of each reported and passed."""
        sku = f"PAY-{uuid.uuid4().hex[:6].upper()}"
        network = self.network
        offering_id = network.offering(sku)
        ids = network.producers(offering_id, [units] * producers)
        order = network.order(sku, units * producers)
        quotas = eventually(
            lambda: (found := network.quotas(order["id"], "offered")) and len(found) == producers and found, "offers"
        )
        for quota in quotas:
            network.call("POST", f"/quotas/{quota['id']}/accept")
        return ids, quotas

    def pass_lot(self, quota: dict) -> dict:
        network = self.network
        lot = network.call("POST", f"/quotas/{quota['id']}/lots", 201, json={"quantity": quota["quantity"]})
        lot = eventually(
            lambda: (found := network.call("GET", f"/lots/{lot['id']}")) and found.get("plan") and found, "a plan"
        )
        body = {"inspector": "QC", "organisation_id": ORG, "findings": []}
        assert network.call("POST", f"/lots/{lot['id']}/inspections", 201, json=body)["status"] == "passed"
        return lot

    def advance(self, body: dict, expect: int = 201) -> dict:
        """Settlement hears of an acceptance a moment after aggregation does: until then an advance is refused as
        against an offer (409), so the aggregator tries again."""

        def answered():
            response = requests.post(
                f"{self.drafter.base}/advances", json=body, headers=self.drafter.headers, timeout=30
            )
            return [response] if response.status_code != 409 else None  # a refused Response is falsy

        [response] = eventually(answered, "settlement to know the accepted quota", timeout_s=60)
        assert response.status_code == expect, response.text
        return response.json()

    def account(self, producer_id: str) -> dict:
        accounts = self.drafter.call("GET", "/producer-accounts")["items"]
        return next((a for a in accounts if a["producer_id"] == producer_id), {"lots": [], "balance": "0"})

    def batch(self, batch_id: str) -> dict:
        return self.drafter.call("GET", f"/payout-batches/{batch_id}")

    def draft_and_approve(self, producer_ids: list[str], **extra) -> dict:
        body = {"currency": "USD", "producer_ids": producer_ids, **extra}
        batch = self.drafter.call("POST", "/payout-batches", 201, json=body)
        self.approver.call("POST", f"/payout-batches/{batch['batch_id']}/approve")
        return batch


def test_a_passed_lot_earns_recovers_an_advance_and_is_paid_once_however_often_momo_calls_back(money, sandbox):
    [producer_id], [quota] = money.earned_lot()
    too_much = {"quota_id": quota["id"], "kind": "materials", "description": "yarn", "amount": "180.01"}
    refused = money.advance({**too_much, "currency": "USD"}, expect=422)
    assert "USD 180.00" in str(refused["error"])
    money.advance({**too_much, "amount": "100.00", "currency": "USD"})
    lot = money.pass_lot(quota)
    account = eventually(lambda: (found := money.account(producer_id))["lots"] and found, "the earning")
    assert (account["earned"], account["advanced"], account["balance"]) == ("360.00", "100.00", "260.00")
    assert [(item["lot_id"], item["passed"], item["rate"]) for item in account["lots"]] == [(lot["id"], 20, "18.00")]

    batch = money.draft_and_approve([producer_id])
    assert money.drafter.call("POST", f"/payout-batches/{batch['batch_id']}/approve", 409)
    money.approver.call("POST", f"/payout-batches/{batch['batch_id']}/send")
    eventually(lambda: money.batch(batch["batch_id"])["status"] == "done", "the payment to be confirmed")
    [line] = money.batch(batch["batch_id"])["lines"]
    callbacks = eventually(
        lambda: len(found := [r for r in sandbox.records() if line["reference_id"] in r.get("url", "")]) == 3 and found,
        "MoMo's three callbacks",
    )
    assert all(callback["answer"] == 200 for callback in callbacks)
    assert [t["amount"] for t in sandbox.transfers() if t["referenceId"] == line["reference_id"]] == ["260.00"]
    account = money.account(producer_id)
    assert (account["paid"], account["balance"]) == ("260.00", "0.00")
    statement = money.drafter.call("GET", f"/producers/{producer_id}/statement")
    kinds = [entry["kind"] for entry in statement["accounts"][0]["entries"]]
    assert kinds.count("payout_confirmed") == 1 and kinds.count("earning") == 1


def test_a_lost_answer_and_a_refusal_of_the_provider_never_pay_twice(money, sandbox):
    ids, quotas = money.earned_lot(producers=2)
    for quota in quotas:
        money.pass_lot(quota)
    eventually(lambda: all(money.account(p)["lots"] for p in ids), "both earnings")
    sandbox.slow_next(3, count=1)
    batch = money.draft_and_approve(ids)
    money.approver.call("POST", f"/payout-batches/{batch['batch_id']}/send")
    eventually(lambda: money.batch(batch["batch_id"])["status"] == "done", "both payments to be confirmed", 60)
    lines = money.batch(batch["batch_id"])["lines"]
    references = {line["reference_id"] for line in lines}
    held = [t for t in sandbox.transfers() if t["referenceId"] in references]
    assert len(held) == 2 and {t["status"] for t in held} == {"SUCCESSFUL"}

    more_ids, more_quotas = money.earned_lot()
    money.pass_lot(more_quotas[0])
    eventually(lambda: money.account(more_ids[0])["lots"], "the earning")
    sandbox.fail_next(500, count=2)
    batch = money.draft_and_approve(more_ids)
    money.approver.call("POST", f"/payout-batches/{batch['batch_id']}/send")
    eventually(lambda: money.batch(batch["batch_id"])["status"] == "done", "the payment after two refusals", 60)
    [line] = money.batch(batch["batch_id"])["lines"]
    assert [t["status"] for t in sandbox.transfers() if t["referenceId"] == line["reference_id"]] == ["SUCCESSFUL"]


def test_a_failed_payment_is_back_on_her_balance_and_tried_again(money, sandbox):
    [producer_id], [quota] = money.earned_lot()
    money.pass_lot(quota)
    eventually(lambda: money.account(producer_id)["lots"], "the earning")
    batch = money.draft_and_approve([producer_id])
    sandbox.fail_payee(batch["lines"][0]["msisdn"], "PAYEE_NOT_ALLOWED_TO_RECEIVE")
    money.approver.call("POST", f"/payout-batches/{batch['batch_id']}/send")
    line = eventually(
        lambda: (found := money.batch(batch["batch_id"])["lines"][0])["status"] == "failed" and found, "the failure"
    )
    assert line["failure_reason"] == "PAYEE_NOT_ALLOWED_TO_RECEIVE"
    assert money.account(producer_id)["balance"] == "360.00"
    retried = money.approver.call("POST", f"/payout-lines/{line['line_id']}/retry")
    assert retried["attempt"] == 2 and retried["reference_id"] != line["reference_id"]
    eventually(lambda: money.batch(batch["batch_id"])["status"] == "done", "the second attempt")
    assert (money.account(producer_id)["paid"], money.account(producer_id)["balance"]) == ("360.00", "0.00")


def test_forged_and_unknown_callbacks_change_nothing(money):
    base = money.network.base + "/payouts/callbacks/momo"
    reference = str(uuid.uuid4())
    body = {"status": "SUCCESSFUL", "financialTransactionId": "1", "externalId": "x", "amount": "1", "currency": "USD"}
    forged = requests.put(f"{base}/{reference}", params={"signature": "0" * 64}, json=body, timeout=10)
    assert forged.status_code == 401 and forged.json()["error"]["code"] == "unauthenticated"
    signature = hmac.new(CALLBACK_SECRET.encode(), reference.encode(), hashlib.sha256).hexdigest()
    unknown = requests.put(f"{base}/{reference}", params={"signature": signature}, json=body, timeout=10)
    assert unknown.status_code == 404


def test_she_asks_her_balance_by_sms_and_hears_of_her_advance_and_payment(money):
    network = money.network
    [producer_id], [quota] = money.earned_lot()
    network.call("PATCH", f"/producers/{producer_id}", json={"languages": ["tpi"]})
    mobile = network.call("GET", f"/producers/{producer_id}")["mobile"]
    base = network.base.removesuffix("/api/v1")
    phone = SmsProducer(base, SMS_SECRET, producer_id, mobile, timeout_s=20, credentials=network.headers)
    # Her language reaches notification with producer.updated, a moment after the change: she may ask again.
    eventually(lambda: phone.ask_balance().text.startswith("Bilum: i no gat mani yet."), "her balance in Tok Pisin")
    money.advance(
        {"quota_id": quota["id"], "kind": "cash", "description": "bus fare", "amount": "20", "currency": "USD"}
    )
    money.pass_lot(quota)
    eventually(lambda: money.account(producer_id)["lots"], "the earning")
    batch = money.draft_and_approve([producer_id])
    money.approver.call("POST", f"/payout-batches/{batch['batch_id']}/send")
    eventually(lambda: money.batch(batch["batch_id"])["status"] == "done", "the payment")
    told = eventually(
        lambda: (
            {t.kind: t for t in phone.inbox() if t.kind in ("advance_recorded", "payout_confirmed")}
            if len({t.kind for t in phone.inbox()} & {"advance_recorded", "payout_confirmed"}) == 2
            else None
        ),
        "the advance and payment SMS",
    )
    assert told["advance_recorded"].text.startswith(f"Bilum: dinau USD 20.00 long wok {quota['ref']}")
    assert told["payout_confirmed"].text == f"Bilum: mipela i peim yu USD 340.00 long wok {quota['ref']}. Tenkyu!"
    answer = phone.ask_balance()
    assert answer.kind == "balance" and "mani i stap USD 0.00" in answer.text and "USD 360.00 pinis" in answer.text
    assert Decimal(money.account(producer_id)["paid"]) == Decimal("340.00")


def test_a_producer_sees_her_own_statement_only(money):
    [producer_id, other_id], quotas = money.earned_lot(producers=2)
    money.pass_lot(next(quota for quota in quotas if quota["producer_id"] == producer_id))
    base = money.network.base.removesuffix("/api/v1")
    her = Network(base, key_of_new_user("producer", ORG, producer_id))
    eventually(lambda: money.account(producer_id)["lots"], "the earning")
    mine = her.call("GET", f"/producers/{producer_id}/statement")
    assert mine["accounts"][0]["closing_balance"] == "360.00"
    her.call("GET", f"/producers/{other_id}/statement", 404)
    her.call("GET", "/producer-accounts", 403)
    pdf = requests.get(f"{her.base}/producers/{producer_id}/statement", params={"format": "pdf"}, headers=her.headers)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
