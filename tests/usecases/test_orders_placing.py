"""Placing and cancelling orders on a real database: what is recorded, and which events leave."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from services.orders import cancelling, offerings, placing, views
from shared.errors import Conflict, InvalidInput
from shared.events import Event

TODAY = date(2026, 12, 1)


def publish_offering(db, sku="TEA-1", organisation_id="org_a", min_order=1, currency="USD", unit_price="2.50"):
    db(
        offerings.record_offering,
        Event(
            "offering.published",
            {
                "offering_id": f"off_{sku}",
                "sku": sku,
                "name": sku,
                "unit_price": Decimal(unit_price),
                "currency": currency,
                "min_order": min_order,
                "organisation_id": organisation_id,
            },
            correlation_id=sku,
        ),
    )


def order_body(*lines, due_date=TODAY + timedelta(days=30), **more):
    """An order of ``(sku, quantity)`` lines, FCA Lae by sea unless ``more`` says otherwise."""
    return {
        "buyer": {"name": "Ana", "email": "ana@example.com"},
        "destination": {"name": "Shop", "city": "Lae", "country": "PG", "latitude": -6.7, "longitude": 147.0},
        "due_date": due_date.isoformat(),
        "lines": [{"sku": sku, "quantity": quantity} for sku, quantity in lines],
        "trade_terms": {"incoterm": "FCA", "named_place": "Lae", "transport_mode": "sea"},
        **more,
    }


@pytest.fixture
def db(service_db):
    db = service_db("orders")
    publish_offering(db)
    publish_offering(db, "COFFEE-1", min_order=10)
    return db


def test_placing_an_order_records_it_and_announces_it_with_its_promise(db):
    order = db(
        placing.place_and_show,
        order_body(("TEA-1", 4), ("COFFEE-1", 10)),
        promise=lambda lines: "2026-12-20",
        today=TODAY,
    )
    assert order["status"] == "placed" and order["total"] == "35.00" and order["promised_date"] == "2026-12-20"
    assert (order["currency"], order["exchange_rate"]) == ("USD", None)
    assert order["trade_terms"] == {"incoterm": "FCA", "named_place": "Lae", "transport_mode": "sea"}
    [placed] = db.emitted("order.placed")
    assert placed["payload"]["order_id"] == order["id"]
    assert [(line["quantity"], line["unit_price"]) for line in placed["payload"]["lines"]] == [
        (4, "2.50"),
        (10, "2.50"),
    ]
    assert placed["payload"]["currency"] == "USD" and placed["payload"]["exchange_rate"] is None
    assert placed["payload"]["trade_terms"] == order["trade_terms"]


def test_the_promise_is_asked_for_the_offerings_the_order_asks_for(db):
    asked = []
    db(placing.place_and_show, order_body(("TEA-1", 4)), promise=lambda lines: asked.append(lines), today=TODAY)
    assert asked == [[{"offering_id": "off_TEA-1", "quantity": 4}]]


def test_a_replay_with_the_same_key_answers_the_first_order_and_places_nothing(db):
    first = db(placing.place_and_show, order_body(("TEA-1", 4)), "key-1", today=TODAY)
    again = db(placing.place_and_show, order_body(("TEA-1", 4)), "key-1", today=TODAY)
    assert again["id"] == first["id"]
    assert len(db.emitted("order.placed")) == 1
    assert db(views.list_orders)["total"] == 1


def test_the_same_key_with_another_body_or_another_tenant_is_refused(db):
    db(placing.place_and_show, order_body(("TEA-1", 4)), "key-1", today=TODAY)
    with pytest.raises(InvalidInput):
        db(placing.place_and_show, order_body(("TEA-1", 5)), "key-1", today=TODAY)
    with pytest.raises(Conflict):
        db(placing.place_and_show, order_body(("TEA-1", 4)), "key-1", "byo_other", today=TODAY)


def test_a_refused_order_leaves_nothing_behind(db):
    with pytest.raises(InvalidInput):
        db(placing.place_and_show, order_body(("COFFEE-1", 3)), today=TODAY)
    assert db.emitted() == [] and db(views.list_orders)["total"] == 0


def test_cancelling_an_order_announces_it_once(db):
    order = db(placing.place_and_show, order_body(("TEA-1", 4)), today=TODAY)
    cancelled = db(cancelling.cancel_order, order["id"], {"reason": "changed my mind"})
    again = db(cancelling.cancel_order, order["id"], {"reason": "really"})
    assert cancelled["status"] == again["status"] == "cancelled"
    assert again["cancel_reason"] == "changed my mind"
    assert [event["payload"]["reason"] for event in db.emitted("order.cancelled")] == ["changed my mind"]
    assert db.emitted("order.status_changed")[-1]["payload"]["previous_status"] == "placed"
