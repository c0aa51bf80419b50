"""The notification service's SMS use cases on SQLite: offers queued for a producer who has only a phone, and her
replies turned into quota commands (the aggregation service is a fake desk here; in the service it is an RPC)."""

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from services.notification import contacts, inbound, producers, projections
from services.notification.store import deliveries, inbound_messages, recipients
from shared.events import Event

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)
LATER = NOW + timedelta(days=1)
MOBILE = "+67570000101"


def producer_registered(languages=("tpi",), region="Eastern Highlands", occurred_at=NOW) -> Event:
    return Event(
        "producer.registered",
        {
            "producer_id": "prd_meri",
            "organisation_id": "org_goroka",
            "name": "Meri Kila",
            "region": region,
            "country": "PG",
            "mobile": MOBILE,
            "email": None,
            "webhook_url": None,
            "languages": list(languages),
        },
        "prd_meri",
        occurred_at=occurred_at,
    )


def quota_offered(quota_id: str = "quo_1", ref: str = "K7Q2MD") -> Event:
    return Event(
        "quota.offered",
        {
            "quota_id": quota_id,
            "ref": ref,
            "order_id": "ord_1",
            "line_id": "lin_1",
            "offering_id": "off_bag",
            "producer_id": "prd_meri",
            "quantity": 45,
            "respond_by": NOW + timedelta(days=2),
        },
        "ord_1",
        occurred_at=NOW,
    )


class FakeDesk:
    """The aggregation service's quota commands, answering as it would and remembering what it was asked."""

    def __init__(self):
        self.calls = []

    def accept(self, quota_id, quantity):
        self.calls.append(("accept", quota_id, quantity))
        return {"quota_id": quota_id, "status": "accepted", "quantity": quantity or 45}

    def decline(self, quota_id, reason):
        self.calls.append(("decline", quota_id, reason))
        return {"quota_id": quota_id, "status": "declined", "quantity": 45}

    def report(self, quota_id, quantity, client_ref):
        self.calls.append(("report", quota_id, quantity))
        return {"lot_id": "lot_1"}


@pytest.fixture
def db(service_db):
    db = service_db("notification")
    db(projections.record_producer, producer_registered())
    db(
        projections.record_offering,
        Event(
            "offering.published",
            {"offering_id": "off_bag", "name": "Bilum bag", "organisation_id": "org_goroka"},
            "off_bag",
        ),
    )
    return db


def stored(db) -> list:
    with db.database.engine.connect() as connection:
        return connection.execute(select(deliveries).order_by(deliveries.c.created_at)).all()


def test_an_offer_is_queued_as_an_sms_to_a_producer_with_only_a_phone_in_her_language(db):
    offered = quota_offered()

    ids = db.handle("notification.on_quota_offered", offered, lambda uow, event: producers.quotas_offered(uow, [event]))

    [row] = stored(db)
    assert ids == [row.notification_id]
    assert (row.recipient_id, row.template, row.language, row.status) == ("prd_meri", "quota_offered", "tpi", "pending")
    assert "K7Q2MD" in row.sms_text and "YES" in row.sms_text
    assert row.deadline == offered.payload["respond_by"]


def zone_of_meri(db) -> str | None:
    with db.database.engine.connect() as connection:
        return connection.execute(select(recipients.c.timezone).where(recipients.c.recipient_id == "prd_meri")).scalar()


def test_her_deadline_is_in_her_regions_time_and_says_so(db):
    db(producers.quotas_offered, [quota_offered()])

    [row] = stored(db)
    assert zone_of_meri(db) == "Pacific/Port_Moresby"
    assert row.sms_text.endswith("pastaim long 3 Desemba 18:00 PNG taim."), "08:00 UTC is 18:00 in Goroka"


def test_her_zone_follows_her_region_until_she_chooses_her_own(db):
    db(projections.record_producer, producer_registered(region="Autonomous Region of Bougainville", occurred_at=LATER))
    assert zone_of_meri(db) == "Pacific/Bougainville"

    db(contacts.set_preferences, "prd_meri", {"channels": ["sms"], "timezone": "Pacific/Guadalcanal"})
    db(projections.record_producer, producer_registered(occurred_at=LATER + timedelta(hours=1)))
    assert zone_of_meri(db) == "Pacific/Guadalcanal"

    db(contacts.set_preferences, "prd_meri", {"channels": ["sms"]})
    db(projections.record_producer, producer_registered(occurred_at=LATER + timedelta(hours=2)))
    assert zone_of_meri(db) == "Pacific/Port_Moresby", "preferences without a zone leave her region's"


def test_an_older_snapshot_arriving_late_does_not_change_her_zone(db):
    db(projections.record_producer, producer_registered(region="Bougainville", occurred_at=LATER))
    db(projections.record_producer, producer_registered(region="Eastern Highlands", occurred_at=NOW))
    assert zone_of_meri(db) == "Pacific/Bougainville"


def test_the_same_offer_delivered_twice_queues_nothing_more(db):
    offered = quota_offered()

    def effect(uow, event):
        return producers.quotas_offered(uow, [event])

    db.handle("notification.on_quota_offered", offered, effect)
    again = db.handle("notification.on_quota_offered", offered, effect)
    # Past the inbox too (two replicas handling one fact at once), the notice's unique key stores it once.
    replayed = db(producers.quotas_offered, [offered])

    assert again is None and replayed == []
    assert len(stored(db)) == 1


def test_a_yes_reply_is_handed_to_aggregation_and_acknowledged_in_her_language(db):
    db(producers.quotas_offered, [quota_offered()])
    desk = FakeDesk()

    result, replies = db(
        inbound.handle, desk, {"message_id": "sms_1", "sender": "+675 7000-0101", "text": " yes k7q2md 20."}, NOW
    )

    assert desk.calls == [("accept", "quo_1", 20)]
    assert result == {"message_id": "sms_1", "outcome": "accepted", "reply_id": replies[0], "duplicate": False}
    reply = next(row for row in stored(db) if row.notification_id == replies[0])
    assert (reply.template, reply.forced_channel, reply.address, reply.language) == (
        "quota_accepted_ack",
        "sms",
        MOBILE,
        "tpi",
    )
    assert "20" in reply.sms_text


def test_a_malformed_reply_gets_the_commands_back_and_nothing_is_asked_of_aggregation(db):
    db(producers.quotas_offered, [quota_offered()])
    desk = FakeDesk()

    result, replies = db(inbound.handle, desk, {"message_id": "sms_2", "sender": MOBILE, "text": "maybe tomorrow"}, NOW)

    assert desk.calls == []
    assert result["outcome"] == "refused:unknown_command"
    reply = next(row for row in stored(db) if row.notification_id == replies[0])
    assert reply.template == "sms_error_unknown_command" and reply.address == MOBILE
    assert all(command in reply.sms_text for command in ("YES ABC123", "NO ABC123", "DONE ABC123 20", "HELP"))


def test_a_callback_retried_by_the_provider_gets_the_first_outcome_and_acts_once(db):
    db(producers.quotas_offered, [quota_offered()])
    desk = FakeDesk()
    message = {"message_id": "sms_3", "sender": MOBILE, "text": "NO K7Q2MD"}

    first, _ = db(inbound.handle, desk, message, NOW)
    second, replies = db(inbound.handle, desk, message, NOW)

    assert desk.calls == [("decline", "quo_1", inbound.DECLINE_REASON)]
    assert second == {**first, "duplicate": True} and replies == []
    with db.database.engine.connect() as connection:
        assert connection.execute(select(inbound_messages.c.outcome)).scalars().all() == ["declined"]
