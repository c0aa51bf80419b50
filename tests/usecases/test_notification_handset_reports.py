"""Delivery reports on SQLite: an offer handed to the SMS gateway is pending until its report says delivered, failed or
expired; one that never reached her phone goes to the next channel of her preferences, or her organisation is told
she cannot be reached; a replayed, late or unknown report changes nothing. (Through the real Kannel:
tests/integration/test_kannel_sms.py.)"""

import random
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from services.notification import contacts, delivery, handset_reports, producers, projections, retries, settings, views
from services.notification.channels import Channel, Delivery, Outgoing
from services.notification.provider_reports import DELIVERED, EXPIRED, FAILED, PENDING, Receipt
from services.notification.store import deliveries
from services.notification.store import handset_reports as reports_table
from services.notification.transports import Transports
from shared.errors import NotFound
from shared.events import Event

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)
MOBILE = "+67570000101"
POLICY = retries.RetryPolicy(5, 1, 10)


class ReportingSms(Channel):
    """An SMS gateway that takes every message and reports on it later, like Kannel; ``during_send`` runs while the
    send is under way (Kannel's report can arrive before the send's own record)."""

    name = "sms"
    reports_delivery = True

    def __init__(self):
        self.sent: list[tuple[str, str]] = []
        self.during_send = None

    def send(self, address: str, message: Outgoing) -> Delivery:
        attempted_at = datetime.now(timezone.utc)
        self.sent.append((address, message.reference))
        if self.during_send:
            self.during_send(message.reference)
        return Delivery(True, attempted_at, provider_id=message.reference)


def producer_registered(email: str | None) -> Event:
    return Event(
        "producer.registered",
        {
            "producer_id": "prd_meri",
            "organisation_id": "org_goroka",
            "name": "Meri Kila",
            "mobile": MOBILE,
            "email": email,
            "webhook_url": None,
            "languages": ["tpi"],
        },
        "prd_meri",
        occurred_at=NOW,
    )


def quota_offered() -> Event:
    return Event(
        "quota.offered",
        {
            "quota_id": "quo_1",
            "ref": "K7Q2MD",
            "order_id": "ord_1",
            "line_id": "lin_1",
            "offering_id": "off_bag",
            "producer_id": "prd_meri",
            "quantity": 45,
            "respond_by": datetime.now(timezone.utc) + timedelta(days=2),
        },
        "ord_1",
        occurred_at=NOW,
    )


@pytest.fixture
def gateway():
    return ReportingSms()


def _world(service_db, email):
    db = service_db("notification")
    db(projections.record_producer, producer_registered(email))
    db(
        projections.record_offering,
        Event(
            "offering.published",
            {"offering_id": "off_bag", "name": "Bilum bag", "organisation_id": "org_goroka"},
            "off_bag",
        ),
    )
    db(contacts.set_contact, "org_goroka", {"name": "Goroka co-op", "email": "desk@goroka.example"})
    return db


@pytest.fixture
def db(service_db):
    """Meri has a phone and an email address: SMS first, email next."""
    return _world(service_db, "meri@example.org")


@pytest.fixture
def phone_only(service_db):
    return _world(service_db, None)


def transports(gateway: ReportingSms) -> Transports:
    chosen = Transports(settings.load())
    chosen._sms = ("kannel", gateway)
    return chosen


def offer(db, gateway) -> str:
    [notification_id] = db(producers.quotas_offered, [quota_offered()])
    delivery.send_due(db.database, transports(gateway), POLICY, random.Random(0), [notification_id])
    return notification_id


def row_of(db, notification_id: str):
    with db.database.engine.connect() as connection:
        return connection.execute(select(deliveries).where(deliveries.c.notification_id == notification_id)).one()


def reports(db) -> list:
    with db.database.engine.connect() as connection:
        return connection.execute(select(reports_table).order_by(reports_table.c.id)).all()


def _now() -> datetime:
    return datetime.now(timezone.utc)


def report(status: str, reference: str, detail: str = "") -> Receipt:
    return Receipt(status, datetime.now(timezone.utc), reference=reference, detail=detail)


def test_an_offer_handed_to_the_gateway_is_pending_until_her_phone_reports_it_delivered(db, gateway):
    notification_id = offer(db, gateway)
    assert gateway.sent == [(MOBILE, notification_id)]
    assert (row_of(db, notification_id).status, row_of(db, notification_id).handset_status) == ("sent", PENDING)
    assert db(views.offer_deliveries, "ord_1")["items"][0]["state"] == "pending"

    queued = db(handset_reports.record, report(PENDING, notification_id, "queued on the SMSC"), "kannel", NOW)
    delivered = db(handset_reports.record, report(DELIVERED, notification_id), "kannel", NOW)

    assert queued == {"id": notification_id, "handset_status": PENDING, "applied": False}
    assert delivered == {"id": notification_id, "handset_status": DELIVERED, "applied": True}
    [item] = db(views.offer_deliveries, "ord_1")["items"]
    assert (item["ref"], item["state"], item["channel"], item["transport"]) == ("K7Q2MD", "delivered", "sms", "kannel")
    assert item["handset"]["status"] == DELIVERED


def test_a_replayed_or_late_report_is_recorded_and_changes_nothing(db, gateway):
    notification_id = offer(db, gateway)
    db(handset_reports.record, report(DELIVERED, notification_id), "kannel", NOW)

    replayed = db(handset_reports.record, report(DELIVERED, notification_id), "kannel", NOW)
    late_failure = db(handset_reports.record, report(FAILED, notification_id), "kannel", NOW)

    assert replayed["applied"] is False and late_failure["applied"] is False
    assert row_of(db, notification_id).handset_status == DELIVERED
    assert [(r.status, r.applied) for r in reports(db)] == [(DELIVERED, True), (DELIVERED, False), (FAILED, False)]


def test_an_offer_her_phone_never_got_goes_to_her_next_channel(db, gateway):
    notification_id = offer(db, gateway)

    refused = report(FAILED, notification_id, "NACK/0x0000000b/Invalid Destination")
    result = db(handset_reports.record, refused, "kannel", NOW)
    waiting = row_of(db, notification_id)
    delivery.send_due(db.database, transports(gateway), POLICY, random.Random(0), [notification_id])
    sent = row_of(db, notification_id)

    assert result["handset_status"] == FAILED
    assert (waiting.status, waiting.given_up_channels) == ("retrying", ["sms"])
    assert "Invalid Destination" in waiting.last_error
    assert (sent.status, sent.channel, sent.address, sent.handset_status) == ("sent", "email", "meri@example.org", None)
    assert len(gateway.sent) == 1
    [item] = db(views.offer_deliveries, "ord_1")["items"]
    assert (item["state"], item["channel"]) == ("delivered", "email")


def test_an_offer_that_expired_unread_with_no_other_channel_is_reported_to_her_organisation(phone_only, gateway):
    db = phone_only
    notification_id = offer(db, gateway)

    db(handset_reports.record, report(EXPIRED, notification_id, "stat:EXPIRED"), "kannel", NOW)
    delivery.send_due(db.database, transports(gateway), POLICY, random.Random(0), [notification_id])

    assert row_of(db, notification_id).status == "unreachable"
    with db.database.engine.connect() as connection:
        told = connection.execute(select(deliveries).where(deliveries.c.recipient_id == "org_goroka")).all()
    assert [(row.template, row.channel) for row in told] == [("aggregator_unreachable", "email")]
    assert "Meri Kila" in told[0].body
    assert db(views.offer_deliveries, "ord_1")["items"][0]["state"] == "not_delivered"


def test_a_failure_reported_before_the_send_was_recorded_still_moves_her_to_the_next_channel(db, gateway):
    gateway.during_send = lambda reference: db(handset_reports.record, report(FAILED, reference), "kannel", _now())

    notification_id = offer(db, gateway)
    waiting = row_of(db, notification_id)
    delivery.send_due(db.database, transports(gateway), POLICY, random.Random(0))  # the delivery timer's next tick

    row = row_of(db, notification_id)
    assert (waiting.status, waiting.given_up_channels, waiting.handset_status) == ("retrying", ["sms"], FAILED)
    assert (row.channel, row.status, row.handset_status) == ("email", "sent", None)
    assert [(r.status, r.applied) for r in reports(db)] == [(FAILED, True)]


def test_a_delivery_reported_before_the_send_was_recorded_is_kept(db, gateway):
    gateway.during_send = lambda reference: db(handset_reports.record, report(DELIVERED, reference), "kannel", _now())

    notification_id = offer(db, gateway)

    assert (row_of(db, notification_id).status, row_of(db, notification_id).handset_status) == ("sent", DELIVERED)


def test_a_report_for_a_message_this_gateway_never_sent_is_refused_and_writes_nothing(db, gateway):
    notification_id = offer(db, gateway)

    with pytest.raises(NotFound):
        db(handset_reports.record, report(DELIVERED, "ntf_never_sent"), "kannel", NOW)
    with pytest.raises(NotFound):
        db(handset_reports.record, report(DELIVERED, notification_id), "twilio", NOW)

    assert reports(db) == []
    assert row_of(db, notification_id).handset_status == PENDING
