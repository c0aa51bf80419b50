"""Notifications end to end on the real broker and PostgreSQL, through real transports: email to a local SMTP server,
SMS through the HTTP gateway adapter to a recording server, webhooks checked by an independent HMAC.

The notification service and the gateway run as nameko containers in this process for the whole module; the facts
other services would publish are dispatched onto the bus as they would publish them."""

import email
import hashlib
import hmac
import json
import time
import uuid
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from email import policy

import pytest
import requests
from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_hook
from sqlalchemy import select

from bilum.waiting import eventually
from services.gateway.service import GatewayService
from services.notification.service import NotificationService
from services.notification.store import quotas
from shared import metrics, migrations
from shared.events import Event, new_event
from shared.messaging import make_publisher, park, reliable_handler
from shared.store import make_engine
from tests.integration.auth import admin_key
from tests.integration.helpers import running
from tests.payloads import offering_published

SECRET = "inbound-secret-of-the-sms-provider"
ORG = "kumul-weavers"
sent_events = []


class SentListener:
    name = "sent_listener"

    @reliable_handler("notification", "notification.sent")
    def on_sent(self, event):
        sent_events.append(event)


@pytest.fixture(scope="module")
def servers(module_platform, smtp_server, http_recorder):
    with pytest.MonkeyPatch.context() as patch:
        for key, value in {
            "BILUM_SMTP_HOST": "127.0.0.1",
            "BILUM_SMTP_PORT": str(smtp_server.port),
            "BILUM_SMTP_SENDER": "Bilum <bilum@example.org>",
            "BILUM_SMS_GATEWAY_URL": f"{http_recorder.url}/ok/sms",
            "BILUM_SMS_GATEWAY_API_KEY": "test-key",
            "BILUM_SMS_INBOUND_SECRET": SECRET,
            "BILUM_NOTIFY_TICK_S": "0.2",
            "BILUM_NOTIFY_SWEEP_S": "0.3",
            "BILUM_NOTIFY_RETRY_BASE_S": "0.05",
            "BILUM_NOTIFY_RETRY_CAP_S": "0.2",
            "BILUM_DIGEST_HOUR": "0",
        }.items():
            patch.setenv(key, value)
        yield module_platform


@pytest.fixture(scope="module")
def bilum(servers):
    migrations.upgrade("notification")
    with running(NotificationService), running(GatewayService), running(SentListener):
        world = World(servers["AMQP_URI"], servers["BILUM_GATEWAY_URL"] + "/api/v1")
        world.publish(
            "catalogue", offering_published("off_bag", "BAG-1", organisation_id=ORG, name="Highlands bilum bag")
        )
        world.contact(ORG, {"name": "Kumul office", "email": "office@kumul.example.org", "languages": ["en"]})
        yield world


class World:
    def __init__(self, amqp_uri: str, api: str):
        self.amqp_uri = amqp_uri
        self.api = api
        self.headers = admin_key()

    def publish(self, source: str, event) -> None:
        event_dispatcher({"AMQP_URI": self.amqp_uri})(source, event.event_type, event.to_message())

    def call(self, method: str, path: str, expect: int = 200, **kwargs):
        headers = {**self.headers, **kwargs.pop("headers", {})}
        response = requests.request(method, self.api + path, timeout=30, headers=headers, **kwargs)
        assert response.status_code == expect, f"{method} {path}: {response.status_code} {response.text[:1500]}"
        return response.json()

    def contact(self, organisation_id: str, body: dict) -> dict:
        return self.call("PUT", f"/organisations/{organisation_id}/contact", json=body)

    def known(self, recipient_id: str) -> None:
        eventually(
            lambda: (
                requests.get(f"{self.api}/recipients/{recipient_id}/preferences", headers=self.headers, timeout=10).ok
            ),
            f"notification to know {recipient_id}",
            timeout_s=20,
        )

    def producer(
        self,
        languages=("en",),
        mobile: str | None = "new",
        email_address: str | None = "new",
        organisation_id: str = ORG,
    ) -> dict:
        n = uuid.uuid4().int % 10**7
        producer = {
            "producer_id": f"prd_{n}",
            "organisation_id": organisation_id,
            "name": f"Weaver {n}",
            "village": "Kama",
            "district": "Goroka",
            "region": "Eastern Highlands",
            "country": "PG",
            "latitude": -6.07,
            "longitude": 145.4,
            "remoteness": "all_season_road",
            "mobile": f"+6757{n:07d}" if mobile == "new" else mobile,
            "email": f"weaver{n}@example.org" if email_address == "new" else email_address,
            "webhook_url": None,
            "languages": list(languages),
            "approved_offerings": ["off_bag"],
        }
        self.publish("catalogue", new_event("producer.registered", producer, correlation_id=producer["producer_id"]))
        self.known(producer["producer_id"])
        return producer

    def log(self, **query) -> list:
        return self.call("GET", "/notifications", params={"page_size": 100, **query})["items"]

    def sent(self, recipient_id: str, template: str, count: int = 1) -> list:
        def arrived():
            items = [
                item
                for item in self.log(recipient_id=recipient_id)
                if item["template"] == template and item["status"] in ("sent", "digested")
            ]
            return items if len(items) >= count else None

        return eventually(arrived, f"{template} for {recipient_id}", timeout_s=20)


def _offer(
    producer: dict,
    order_id: str = "ord_1",
    quantity: int = 45,
    ref: str | None = None,
    offering_id: str = "off_bag",
    hours_to_answer: float = 48,
):
    return new_event(
        "quota.offered",
        {
            "quota_id": f"qta_{uuid.uuid4().hex[:10]}",
            "ref": ref or uuid.uuid4().hex[:6].upper(),
            "order_id": order_id,
            "line_id": "lin_1",
            "offering_id": offering_id,
            "producer_id": producer["producer_id"],
            "quantity": quantity,
            "respond_by": datetime.now(timezone.utc) + timedelta(hours=hours_to_answer),
            "reallocated": False,
            "weeks": [{"week_start": date.today() + timedelta(days=14), "units": quantity}],
        },
        correlation_id=order_id,
    )


def _order(order_id: str, email_address: str, due: date, promised: date | None, quantity: int = 120):
    return new_event(
        "order.placed",
        {
            "order_id": order_id,
            "buyer": {"buyer_id": f"byr_{order_id}", "name": "Kiriko Store", "email": email_address},
            "destination": {"name": "Kiriko", "city": "Tokyo", "country": "JP", "latitude": 35.6, "longitude": 139.7},
            "due_date": due,
            "promised_date": promised,
            "lines": [{"line_id": f"lin_{order_id}", "offering_id": "off_bag", "sku": "BAG-1", "quantity": quantity}],
        },
        correlation_id=order_id,
    )


def _inspected(offer, quantity: int, passed: bool, lot_id: str | None = None):
    payload = offer.payload
    return new_event(
        "lot.inspected",
        {
            "lot_id": lot_id or f"lot_{uuid.uuid4().hex[:10]}",
            "quota_id": payload["quota_id"],
            "order_id": payload["order_id"],
            "line_id": payload["line_id"],
            "offering_id": payload["offering_id"],
            "producer_id": payload["producer_id"],
            "quantity": quantity,
            "attempt": 1,
            "severity": "normal",
            "classes": [
                {
                    "defect_class": "major",
                    "aql": 2.5,
                    "code_letter": "E",
                    "sample_size": 13,
                    "accept": 1,
                    "reject": 2,
                    "defects": 0 if passed else 3,
                },
                {
                    "defect_class": "minor",
                    "aql": 4.0,
                    "code_letter": "E",
                    "sample_size": 13,
                    "accept": 1,
                    "reject": 2,
                    "defects": 0 if passed else 1,
                },
            ],
            "passed": passed,
        },
        correlation_id=payload["order_id"],
    )


def _sms_to(recorder, mobile: str) -> list:
    """What the SMS gateway of this module (``/ok/sms``) was asked to send to ``mobile``; the recorder serves other
    tests too."""
    sent = [json.loads(record["body"]) for record in recorder.records() if record["path"] == "/ok/sms/messages"]
    return [message for message in sent if message.get("to") == mobile]


def _emails_to(smtp, address: str) -> list:
    return [
        email.message_from_bytes(record["content"], policy=policy.default)
        for record in smtp.records()
        if address in record["rcpt_tos"]
    ]


def test_an_offer_reaches_its_producer_by_sms_once_however_often_the_event_arrives(bilum, http_recorder):
    producer = bilum.producer(languages=("tpi", "en"))
    offer = _offer(producer, ref="K7Q2MD")
    duplicates = metrics.MESSAGES_DUPLICATE.labels("notification", "quota.offered")._value.get()
    bilum.publish("aggregation", offer)
    bilum.publish("aggregation", offer)

    eventually(
        lambda: metrics.MESSAGES_DUPLICATE.labels("notification", "quota.offered")._value.get() == duplicates + 1,
        "the duplicate to be seen",
        timeout_s=20,
    )
    [logged] = bilum.sent(producer["producer_id"], "quota_offered")
    [sms] = _sms_to(http_recorder, producer["mobile"])
    assert "Bekim YES K7Q2MD" in sms["text"], "Tok Pisin, the producer's first language"
    assert sms["client_ref"] == logged["id"]
    assert (logged["channel"], logged["transport"], logged["ref"], logged["language"]) == (
        "sms",
        "sms-gateway",
        "K7Q2MD",
        "tpi",
    )
    assert [(a["number"], a["ok"], a["channel"]) for a in logged["attempts"]] == [(1, True, "sms")]
    assert logged["data"]["quantity"] == 45 and logged["correlation_id"] == "ord_1"
    eventually(
        lambda: [e for e in sent_events if e.payload["notification_id"] == logged["id"]],
        "notification.sent",
        timeout_s=20,
    )
    [event] = [e for e in sent_events if e.payload["notification_id"] == logged["id"]]
    assert (event.payload["channel"], event.payload["template"], event.correlation_id) == (
        "sms",
        "quota_offered",
        "ord_1",
    )


def test_an_offer_near_its_deadline_is_reminded_once_and_an_expired_one_is_taken_back(bilum, http_recorder):
    producer = bilum.producer()
    offer = replace(
        _offer(producer, ref="RMD234", hours_to_answer=6), occurred_at=datetime.now(timezone.utc) - timedelta(hours=40)
    )
    late_offer = _offer(producer, ref="LTE234", hours_to_answer=6)
    bilum.publish("aggregation", offer)
    bilum.publish("aggregation", late_offer)
    [reminder] = bilum.sent(producer["producer_id"], "quota_reminder")
    assert reminder["ref"] == "RMD234" and "Reply YES RMD234 or NO RMD234" in reminder["text"]

    bilum.publish(
        "aggregation",
        new_event(
            "quota.expired",
            {
                key: offer.payload[key]
                for key in ("quota_id", "order_id", "line_id", "offering_id", "producer_id", "quantity", "weeks")
            },
            correlation_id="ord_1",
        ),
    )
    [taken] = bilum.sent(producer["producer_id"], "quota_reallocated")
    assert "45 x Highlands bilum bag of work RMD234 have gone to other producers" in taken["text"]
    time.sleep(0.6)
    assert sorted(sms["text"][:30] for sms in _sms_to(http_recorder, producer["mobile"])) == [
        "Bilum: 45 x Highlands bilum ba",
        "Bilum: new work 45 x Highlands",
        "Bilum: new work 45 x Highlands",
        "Bilum: reminder, work RMD234 (",
    ], "an offer made 6 hours before its deadline is not reminded of"
    assert bilum.call("GET", "/notifications", 400, params={"page_size": 1000})["error"]["code"] == "invalid_query"


def test_an_acceptance_that_waited_for_its_offer_does_not_reopen_a_quota_released_meanwhile(bilum, http_recorder):
    producer = bilum.producer()
    offer = _offer(producer, ref="RLS234")
    facts = {
        key: offer.payload[key]
        for key in ("quota_id", "order_id", "line_id", "offering_id", "producer_id", "quantity", "weeks")
    }
    bilum.publish("aggregation", offer)
    bilum.sent(producer["producer_id"], "quota_offered")
    bilum.publish(
        "aggregation",
        new_event(
            "quota.released",
            {**facts, "status_before": "accepted", "reason": "order cancelled: the buyer's shop closed"},
            correlation_id="ord_1",
        ),
    )
    bilum.sent(producer["producer_id"], "quota_reallocated")
    accepted = metrics.MESSAGES_CONSUMED.labels("notification", "quota.accepted")._value.get()
    bilum.publish("aggregation", new_event("quota.accepted", {**facts, "declined_quantity": 0}, correlation_id="ord_1"))
    eventually(
        lambda: metrics.MESSAGES_CONSUMED.labels("notification", "quota.accepted")._value.get() > accepted,
        "the late acceptance to be handled",
        timeout_s=20,
    )
    engine = make_engine("notification")
    with engine.connect() as connection:
        status = connection.execute(select(quotas.c.status).where(quotas.c.quota_id == facts["quota_id"])).scalar_one()
    engine.dispose()
    assert status == "released", "the late acceptance reopened the quota"


def test_the_newest_producer_snapshot_wins_whatever_order_they_arrive_in(bilum, http_recorder):
    producer = bilum.producer()
    moved = {**producer, "mobile": f"+6759{uuid.uuid4().int % 10**7:07d}"}
    newer = new_event("producer.updated", moved, correlation_id=producer["producer_id"])
    older = Event(
        "producer.updated", producer, producer["producer_id"], occurred_at=newer.occurred_at - timedelta(minutes=5)
    )
    bilum.publish("catalogue", newer)
    bilum.publish("catalogue", older)
    time.sleep(0.5)
    bilum.publish("aggregation", _offer(producer, ref="NEW234"))
    [logged] = bilum.sent(producer["producer_id"], "quota_offered")
    assert logged["address"] == moved["mobile"]
    assert [sms["text"][:16] for sms in _sms_to(http_recorder, moved["mobile"])] == ["Bilum: new work "]


def test_a_buyer_gets_the_order_confirmation_with_its_promise_by_real_smtp(bilum, smtp_server):
    order_id = f"ord_{uuid.uuid4().hex[:8]}"
    address = f"buyer-{order_id}@example.org"
    bilum.publish("orders", _order(order_id, address, date(2027, 3, 1), date(2027, 2, 20)))

    [logged] = bilum.sent(f"byr_{order_id}", "order_confirmed")
    assert (logged["channel"], logged["transport"]) == ("email", "smtp")
    [message] = _emails_to(smtp_server, address)
    assert message["Subject"] == f"Order {order_id} confirmed"
    assert message["X-Bilum-Reference"] == logged["id"]
    assert "promise delivery by Saturday 20 February 2027" in message.get_content()


def test_an_aggregator_webhook_is_signed_so_that_an_independent_hmac_verifies_it(bilum, http_recorder):
    organisation = f"org-{uuid.uuid4().hex[:6]}"
    secret = "a-secret-of-the-aggregator-0123"
    path = f"/ok/hooks/{organisation}"
    bilum.publish(
        "catalogue", offering_published("off_hook", "HOOK-1", organisation_id=organisation, name="Carved bowl")
    )
    contact = bilum.contact(
        organisation,
        {
            "name": "Hook office",
            "webhook_url": http_recorder.url + path,
            "webhook_secret": secret,
            "preferences": {"channels": ["webhook"]},
        },
    )
    assert contact["webhook_secret_set"] is True and "webhook_secret" not in contact
    order_id = f"ord_{uuid.uuid4().hex[:8]}"
    bilum.publish("orders", _order(order_id, f"{order_id}@example.org", date(2027, 3, 1), None))
    bilum.sent(f"byr_{order_id}", "order_received")
    bilum.publish(
        "aggregation",
        new_event(
            "order.shortfall",
            {
                "order_id": order_id,
                "line_id": f"lin_{order_id}",
                "offering_id": "off_hook",
                "ordered": 120,
                "covered": 90,
                "shortfall": 30,
            },
            correlation_id=order_id,
        ),
    )

    [logged] = bilum.sent(organisation, "aggregator_shortfall")
    [request] = eventually(lambda: [r for r in http_recorder.records() if r["path"] == path], "the webhook")
    timestamp, signature = request["headers"]["bilum-timestamp"], request["headers"]["bilum-signature"]
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + request["body"], hashlib.sha256).hexdigest()
    assert signature == f"v1={expected}"
    assert abs(int(timestamp) - time.time()) < 60
    forged = hmac.new(b"another secret", timestamp.encode() + b"." + request["body"], hashlib.sha256).hexdigest()
    assert signature != f"v1={forged}"
    body = json.loads(request["body"])
    assert (body["id"], body["kind"], body["data"]["short"], body["data"]["ordered"]) == (
        logged["id"],
        "aggregator_shortfall",
        30,
        120,
    )
    assert "Carved bowl" in body["text"]


def _signed(body: str, secret: str = SECRET, timestamp: int | None = None) -> dict:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return {
        "X-Sms-Timestamp": stamp,
        "X-Sms-Signature": hmac.new(secret.encode(), f"{stamp}.{body}".encode(), hashlib.sha256).hexdigest(),
    }


def test_a_forged_or_stale_sms_callback_is_refused_and_changes_nothing(bilum, http_recorder):
    number = f"+6758{uuid.uuid4().int % 10**7:07d}"
    body = json.dumps({"message_id": f"m-{uuid.uuid4().hex}", "from": number, "text": "YES ABCD23"})
    for headers in (
        {},
        _signed(body, secret="not the provider's secret"),
        _signed(body, timestamp=int(time.time()) - 3600),
        {**_signed(body), "X-Sms-Signature": "0" * 64},
    ):
        refused = bilum.call("POST", "/sms/inbound", 401, data=body, headers=headers)
        assert refused["error"]["code"] == "unauthenticated"
    tampered = body.replace("YES", "NO ")
    bilum.call("POST", "/sms/inbound", 401, data=tampered, headers=_signed(body))
    time.sleep(0.5)
    assert bilum.log(recipient_id=number) == [] and _sms_to(http_recorder, number) == []


def test_an_unknown_number_is_told_so_once_and_a_producer_asking_for_help_gets_it_in_her_language(bilum, http_recorder):
    number = f"+6758{uuid.uuid4().int % 10**7:07d}"
    body = json.dumps({"message_id": f"m-{uuid.uuid4().hex}", "from": number.lstrip("+"), "text": "YES ABCD23"})
    first = bilum.call("POST", "/sms/inbound", data=body, headers=_signed(body))
    again = bilum.call("POST", "/sms/inbound", data=body, headers=_signed(body))
    assert (first["outcome"], first["duplicate"], again["duplicate"]) == ("unknown_sender", False, True)
    assert again["reply_id"] == first["reply_id"]
    [reply] = bilum.sent(number, "sms_reply_unknown")
    assert reply["address"] == number
    time.sleep(0.3)
    assert len(_sms_to(http_recorder, number)) == 1

    producer = bilum.producer(languages=("fr",))
    helped = json.dumps({"message_id": f"m-{uuid.uuid4().hex}", "from": producer["mobile"], "text": "help"})
    assert bilum.call("POST", "/sms/inbound", data=helped, headers=_signed(helped))["outcome"] == "help"
    [answer] = bilum.sent(producer["producer_id"], "sms_help")
    assert answer["language"] == "fr" and answer["text"].startswith("Bilum: répondez YES ABC123")
    wrong = json.dumps({"message_id": f"m-{uuid.uuid4().hex}", "from": producer["mobile"], "text": "YES"})
    assert bilum.call("POST", "/sms/inbound", data=wrong, headers=_signed(wrong))["outcome"] == "refused:missing_ref"
    [explained] = bilum.sent(producer["producer_id"], "sms_error_missing_ref")
    assert explained["text"].startswith("Bilum: il manque le code")


def test_preferences_choose_the_channel_and_quiet_hours_hold_what_is_not_urgent(bilum, smtp_server):
    producer = bilum.producer()
    path = f"/recipients/{producer['producer_id']}/preferences"
    assert "channels" in bilum.call("PUT", path, 422, json={"channels": ["pigeon"]})["error"]["fields"]
    assert (
        "timezone"
        in bilum.call("PUT", path, 422, json={"channels": ["sms"], "quiet_hours": "21:00-06:00"})["error"]["fields"]
    )
    assert (
        "quiet_hours"
        in bilum.call("PUT", path, 422, json={"channels": ["sms"], "quiet_hours": "late", "timezone": "UTC"})["error"][
            "fields"
        ]
    )
    assert bilum.call("GET", path)["chosen"] is False

    chosen = bilum.call("PUT", path, json={"channels": ["email", "sms"]})
    assert (chosen["channels"], chosen["chosen"]) == (["email", "sms"], True)
    offer = _offer(producer, ref="PRF234")
    bilum.publish("aggregation", offer)
    [logged] = bilum.sent(producer["producer_id"], "quota_offered")
    assert logged["channel"] == "email"
    [message] = _emails_to(smtp_server, producer["email"])
    assert "YES PRF234" in message.get_content()

    now = datetime.now(timezone.utc)
    window = f"{now - timedelta(hours=1):%H:%M}-{now + timedelta(hours=2):%H:%M}"
    bilum.call("PUT", path, json={"channels": ["sms"], "quiet_hours": window, "timezone": "UTC"})
    bilum.publish("aggregation", _inspected(offer, 20, passed=True))
    held = eventually(
        lambda: [
            item
            for item in bilum.log(recipient_id=producer["producer_id"])
            if item["template"] == "inspection_passed" and item["status"] == "deferred"
        ],
        "the inspection result to wait for the morning",
        timeout_s=20,
    )
    assert datetime.fromisoformat(held[0]["next_attempt_at"]) > now + timedelta(hours=1)


def test_a_rejected_lot_goes_into_the_aggregators_daily_digest(bilum, smtp_server):
    organisation = f"org-{uuid.uuid4().hex[:6]}"
    bilum.publish(
        "catalogue", offering_published("off_dig", "DIG-1", organisation_id=organisation, name="Digest basket")
    )
    bilum.contact(
        organisation,
        {
            "name": "Digest office",
            "email": f"{organisation}@example.org",
            "preferences": {"channels": ["email"], "digest_kinds": ["aggregator_lot_rejected"]},
        },
    )
    producer = bilum.producer(organisation_id=organisation)
    offer = _offer(producer, ref="DGS234", offering_id="off_dig")
    bilum.publish("aggregation", offer)
    bilum.sent(producer["producer_id"], "quota_offered")
    bilum.publish("aggregation", _inspected(offer, 20, passed=False))

    bilum.sent(producer["producer_id"], "inspection_failed")
    [digest] = bilum.sent(organisation, "daily_digest")
    [kept] = bilum.sent(organisation, "aggregator_lot_rejected")
    assert kept["status"] == "digested" and kept["attempts"] == []
    [message] = _emails_to(smtp_server, f"{organisation}@example.org")
    assert message["Subject"].startswith("Bilum: your summary for")
    assert f"- Lot rejected: 20 x Digest basket from {producer['name']}" in message.get_content()
    assert digest["data"]["items"] == [kept["subject"]]


def test_a_shipment_is_followed_from_the_producers_pickup_to_the_buyers_delivery_and_reported_when_late(
    bilum, http_recorder, smtp_server
):
    order_id = f"ord_{uuid.uuid4().hex[:8]}"
    buyer_email = f"{order_id}@example.org"
    bilum.publish("orders", _order(order_id, buyer_email, date.today() - timedelta(days=1), None, quantity=45))
    bilum.sent(f"byr_{order_id}", "order_received")
    producer = bilum.producer()
    offer = _offer(producer, order_id=order_id, ref="SHP234")
    bilum.publish("aggregation", offer)
    bilum.sent(producer["producer_id"], "quota_offered")
    lot = _inspected(offer, 45, passed=True)
    bilum.publish("aggregation", lot)
    bilum.sent(producer["producer_id"], "inspection_passed")
    neighbour = bilum.producer()
    offered = _offer(neighbour, order_id=order_id, quantity=20, ref="NBR234")
    bilum.publish("aggregation", offered)
    bilum.sent(neighbour["producer_id"], "quota_offered")
    other_lot = _inspected(offered, 20, passed=True)
    bilum.publish("aggregation", other_lot)
    bilum.sent(neighbour["producer_id"], "inspection_passed")

    shipment_id = f"shp_{uuid.uuid4().hex[:8]}"
    lots = [
        {"lot_id": lot.payload["lot_id"], "order_id": order_id, "line_id": f"lin_{order_id}", "quantity": 45},
        {"lot_id": other_lot.payload["lot_id"], "order_id": order_id, "line_id": f"lin_{order_id}", "quantity": 20},
    ]
    bilum.publish(
        "consolidation",
        new_event(
            "shipment.planned",
            {
                "shipment_id": shipment_id,
                "lots": lots,
                "destination": {
                    "name": "Kiriko",
                    "city": "Tokyo",
                    "country": "JP",
                    "latitude": 35.6,
                    "longitude": 139.7,
                },
                "pickups": [
                    {"producer_id": neighbour["producer_id"], "pickup_on": date(2026, 12, 3), "hub": "Goroka hub"}
                ],
            },
            correlation_id=shipment_id,
        ),
    )
    [going] = bilum.sent(producer["producer_id"], "lot_shipment_planned")
    assert "45 x Highlands bilum bag (work SHP234) will ship to Tokyo" in going["text"]
    [pickup] = bilum.sent(neighbour["producer_id"], "pickup_scheduled")
    assert "collect 20 x Highlands bilum bag (work NBR234) at Goroka hub on 3 Dec" in pickup["text"]
    [late] = bilum.sent(ORG, "aggregator_shipment_late")
    assert (
        late["correlation_id"] == shipment_id
        and late["data"]["due_on"] == (date.today() - timedelta(days=1)).isoformat()
    )

    bilum.publish(
        "consolidation",
        new_event(
            "shipment.status_changed",
            {"shipment_id": shipment_id, "previous_status": "planned", "status": "in_transit", "lots": lots},
            correlation_id=shipment_id,
        ),
    )
    [shipped] = bilum.sent(f"byr_{order_id}", "order_shipped")
    assert shipped["data"]["units"] == 65 and shipped["correlation_id"] == order_id
    bilum.publish(
        "consolidation",
        new_event("shipment.delivered", {"shipment_id": shipment_id, "lots": lots}, correlation_id=shipment_id),
    )
    bilum.sent(f"byr_{order_id}", "order_delivered")
    subjects = [message["Subject"] for message in _emails_to(smtp_server, buyer_email)]
    assert subjects == [f"Order {order_id} received", f"Order {order_id} is on its way", f"Order {order_id} delivered"]
    time.sleep(0.6)
    assert len(bilum.log(recipient_id=ORG, correlation_id=shipment_id)) == 1, "late is told once"


def test_a_dead_letter_is_reported_to_the_organisation_whose_order_it_concerns(bilum, smtp_server):
    order_id = f"ord_{uuid.uuid4().hex[:8]}"
    bilum.publish("orders", _order(order_id, f"{order_id}@example.org", date(2027, 3, 1), None))
    bilum.sent(f"byr_{order_id}", "order_received")
    poison = new_event(
        "order.status_changed",
        {"order_id": order_id, "previous_status": "placed", "status": "allocated"},
        correlation_id=order_id,
    ).to_message()
    park(
        make_publisher(bilum.amqp_uri),
        poison,
        queue="evt-orders-order.status_changed--ledger.on_status",
        service="ledger",
        event_type="order.status_changed",
        reason="RuntimeError: the ledger is on fire",
        attempts=3,
    )

    [alert] = eventually(
        lambda: [
            item
            for item in bilum.log(recipient_id=ORG, correlation_id="dead-letters/ledger")
            if item["status"] == "sent"
        ],
        "the dead-letter alert",
        timeout_s=20,
    )
    assert alert["data"] == {
        "service": "ledger",
        "count": 1,
        "recipient_id": ORG,
        "correlation_id": "dead-letters/ledger",
    }
    [message] = [
        m
        for m in _emails_to(smtp_server, "office@kumul.example.org")
        if m["Subject"] == "1 messages of the ledger service need attention"
    ]
    assert "bilum dlq replay" in message.get_content()


def test_when_the_sms_gateway_is_down_an_offer_falls_back_to_email_and_an_unreachable_producer_is_reported(
    servers, platform, http_recorder, smtp_server, monkeypatch
):
    """A platform of its own, whose SMS gateway answers 503 to everything."""
    monkeypatch.setenv("BILUM_SMS_GATEWAY_URL", f"{http_recorder.url}/status/503/sms-{uuid.uuid4().hex[:6]}")
    migrations.upgrade("notification")
    down = World(platform["AMQP_URI"], "")
    with running(NotificationService) as container:
        down.publish("catalogue", offering_published("off_bag", "BAG-1", organisation_id=ORG, name="Bilum bag"))
        with entrypoint_hook(container, "set_contact") as set_contact:
            set_contact(ORG, {"name": "Kumul office", "email": "fallback-office@kumul.example.org"})
        reachable = _producer_payload(mobile=True, email_address=True)
        lost = _producer_payload(mobile=True, email_address=False)
        for producer in (reachable, lost):
            down.publish(
                "catalogue", new_event("producer.registered", producer, correlation_id=producer["producer_id"])
            )

        def log(recipient_id):
            with entrypoint_hook(container, "delivery_log") as delivery_log:
                return delivery_log({"recipient_id": recipient_id})["items"]

        def known():
            with entrypoint_hook(container, "get_preferences") as get_preferences:
                try:
                    return [get_preferences(p["producer_id"]) for p in (reachable, lost)]
                except Exception:
                    return None

        eventually(known, "the producers to be known", timeout_s=20)
        for producer in (reachable, lost):
            down.publish("aggregation", _offer(producer, ref="FBK234"))

        [fell_back] = eventually(
            lambda: [i for i in log(reachable["producer_id"]) if i["status"] == "sent"],
            "the offer to fall back to email",
            timeout_s=30,
        )
        assert [(a["channel"], a["ok"]) for a in fell_back["attempts"]] == [
            ("sms", False),
            ("sms", False),
            ("sms", False),
            ("email", True),
        ]
        assert "503" in fell_back["attempts"][0]["error"]
        assert [m["Subject"] for m in _emails_to(smtp_server, reachable["email"])] == [
            "New work for you: 45 x Bilum bag"
        ]

        [unreachable] = eventually(
            lambda: [i for i in log(lost["producer_id"]) if i["status"] == "unreachable"],
            "the producer to be found unreachable",
            timeout_s=30,
        )
        assert len(unreachable["attempts"]) == 3 and "sms: failed 3 times" in unreachable["last_error"]
        [told] = eventually(
            lambda: [i for i in log(ORG) if i["template"] == "aggregator_unreachable" and i["status"] == "sent"],
            "the aggregator to be told",
            timeout_s=30,
        )
        assert told["data"]["producer"] == lost["name"] and told["data"]["contact"] == lost["mobile"]
        assert told["ref"] == "FBK234" and told["channel"] == "email"


def _producer_payload(mobile: bool, email_address: bool) -> dict:
    n = uuid.uuid4().int % 10**7
    return {
        "producer_id": f"prd_{n}",
        "organisation_id": ORG,
        "name": f"Weaver {n}",
        "village": "Kama",
        "district": "Goroka",
        "region": "Eastern Highlands",
        "country": "PG",
        "latitude": -6.07,
        "longitude": 145.4,
        "remoteness": "seasonal_road",
        "mobile": f"+6757{n:07d}" if mobile else None,
        "email": f"weaver{n}@example.org" if email_address else None,
        "webhook_url": None,
        "languages": ["en"],
        "approved_offerings": ["off_bag"],
    }
