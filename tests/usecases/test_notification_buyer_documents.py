"""Settlement's facts for buyers on SQLite: a trade document issued, a payment overdue and a claim decided are each
emailed once to the buyer of the order, with its figures; the organisation that issued them is not told."""

import random
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from services.notification import buyers, contacts, delivery, retries, settings
from services.notification.store import deliveries
from services.notification.transports import Transports
from shared.errors import NotYetKnown
from shared.events import Event, new_event, parse

BUYER_EMAIL = "orders@southern-cross.example"
DUE = date(2027, 1, 15)


def fact(event_type: str, payload: dict) -> Event:
    """The event as the consumer receives it: checked against the contract, with its defaults."""
    return parse(new_event(event_type, payload, correlation_id=payload["order_id"]).to_message())


def order_placed(order_id: str = "ord_x") -> Event:
    return fact(
        "order.placed",
        {
            "order_id": order_id,
            "buyer": {"buyer_id": "byr_sc", "name": "Southern Cross", "email": BUYER_EMAIL},
            "destination": {"name": "Store", "city": "Brisbane", "country": "AU", "latitude": -27.4, "longitude": 153},
            "due_date": date(2027, 3, 1),
            "promised_date": None,
            "lines": [{"line_id": "lin_1", "offering_id": "off_bag", "sku": "BLM-BAG-M", "quantity": 120}],
        },
    )


def proforma(order_id: str = "ord_x") -> Event:
    return fact(
        "document.issued",
        {
            "document_id": "doc_1",
            "number": "PF-2026-00001",
            "kind": "proforma",
            "organisation_id": "org_goroka",
            "order_id": order_id,
            "currency": "USD",
            "total": Decimal("1234.00"),
            "amount_due": Decimal("617.00"),
            "due_on": DUE,
        },
    )


def overdue() -> Event:
    return fact(
        "payment.overdue",
        {
            "order_id": "ord_x",
            "organisation_id": "org_goroka",
            "currency": "JPY",
            "outstanding": Decimal("61700"),
            "due_on": DUE,
            "days_overdue": 9,
            "documents": ["INV-2026-00007"],
        },
    )


def claim_decided() -> Event:
    return fact(
        "claim.decided",
        {
            "claim_id": "clm_1",
            "order_id": "ord_x",
            "organisation_id": "org_goroka",
            "decision": "partly_accepted",
            "claimed_units": 20,
            "accepted_units": 12,
            "reason": "Eight of the bags show wear from use, not from the journey.",
            "credit_note": "CN-2026-00002",
        },
    )


HANDLERS = {
    "document.issued": ("notification.on_document_issued", buyers.document_issued, proforma),
    "payment.overdue": ("notification.on_payment_overdue", buyers.payment_overdue, overdue),
    "claim.decided": ("notification.on_claim_decided", buyers.claim_decided, claim_decided),
}


@pytest.fixture
def db(service_db):
    """The buyer's order, told of already; the issuing organisation has a contact that could be emailed."""
    db = service_db("notification")
    db(buyers.order_placed, order_placed())
    db(contacts.set_contact, "org_goroka", {"name": "Goroka co-op", "email": "desk@goroka.example"})
    return db


def stored(db) -> list:
    """The messages stored after the order's own."""
    with db.database.engine.connect() as connection:
        return [
            row
            for row in connection.execute(select(deliveries).order_by(deliveries.c.created_at))
            if row.template != "order_received"
        ]


def send(db, ids: list[str]) -> None:
    delivery.send_due(db.database, Transports(settings.load()), retries.RetryPolicy(3, 1, 10), random.Random(0), ids)


@pytest.mark.parametrize(
    "event_type, template, figures",
    [
        (
            "document.issued",
            "document_proforma",
            ("Pro-forma PF-2026-00001 for order ord_x: total USD 1,234.00; deposit USD 617.00 due by", "/buyer"),
        ),
        ("payment.overdue", "payment_overdue", ("JPY 61,700 for order ord_x", "9 days overdue", "INV-2026-00007")),
        (
            "claim.decided",
            "claim_partly_accepted_credited",
            ("12 of the 20 units claimed", "wear from use", "credit note CN-2026-00002"),
        ),
    ],
)
def test_the_buyer_of_the_order_is_emailed_once_with_the_figures(db, event_type, template, figures):
    consumer, effect, make = HANDLERS[event_type]
    event = make()

    ids = db.handle(consumer, event, effect)
    again = db.handle(consumer, event, effect)
    replayed = db(effect, event)
    send(db, ids)

    [row] = stored(db)
    assert ids == [row.notification_id] and again is None and replayed == []
    assert (row.recipient_id, row.template, row.correlation_id) == ("byr_sc", template, "ord_x")
    assert (row.status, row.channel, row.address) == ("sent", "email", BUYER_EMAIL)
    for figure in figures:
        assert figure in row.body, figure


def test_each_event_tells_the_buyer_once_and_the_organisation_never(db):
    for consumer, effect, make in HANDLERS.values():
        db.handle(consumer, make(), effect)

    rows = stored(db)
    assert len(rows) == 3
    assert {row.recipient_id for row in rows} == {"byr_sc"}


def test_an_event_for_an_order_not_known_here_waits_for_it_and_is_told_once_it_arrives(db):
    early = proforma("ord_later")

    with pytest.raises(NotYetKnown):
        db.handle("notification.on_document_issued", early, buyers.document_issued)
    assert stored(db) == []

    db(buyers.order_placed, order_placed("ord_later"))
    ids = db.handle("notification.on_document_issued", early, buyers.document_issued)
    [row] = stored(db)
    assert ids == [row.notification_id] and "ord_later" in row.body
