"""The ledger kept from aggregation's facts: each fact moves the units once, however often it is delivered."""

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from services.orders import ledger, offerings, placing, views
from shared.events import Event

TODAY = date(2026, 12, 1)


@pytest.fixture
def placed(service_db):
    db = service_db("orders")
    db(
        offerings.record_offering,
        Event(
            "offering.published",
            {
                "offering_id": "off_1",
                "sku": "TEA-1",
                "name": "Tea",
                "unit_price": Decimal("2.50"),
                "currency": "USD",
                "min_order": 1,
                "organisation_id": "org_a",
            },
            correlation_id="off_1",
        ),
    )
    order = db(
        placing.place_and_show,
        {
            "buyer": {"name": "Ana", "email": "ana@example.com"},
            "destination": {"name": "Shop", "city": "Lae", "country": "PG", "latitude": -6.7, "longitude": 147.0},
            "due_date": (TODAY + timedelta(days=30)).isoformat(),
            "lines": [{"sku": "TEA-1", "quantity": 10}],
            "trade_terms": {"incoterm": "EXW", "named_place": "Goroka", "transport_mode": "road"},
        },
        today=TODAY,
    )
    return db, order["id"], order["lines"][0]["line_id"]


def _offered(order_id, line_id, quantity):
    return Event(
        "quota.offered", {"order_id": order_id, "line_id": line_id, "quantity": quantity}, correlation_id=order_id
    )


def test_an_offered_quota_allocates_its_units_once_even_when_delivered_twice(placed):
    db, order_id, line_id = placed
    offered = _offered(order_id, line_id, 6)
    db.database.handle_batch("orders.on_quota_offered", [offered, offered], ledger.apply_all_to_ledger)
    db.database.handle_batch("orders.on_quota_offered", [offered], ledger.apply_all_to_ledger)
    order = db(views.get_order, order_id)
    assert order["lines"][0]["allocated"] == 6 and order["status"] == "allocated"
    assert [event["payload"]["status"] for event in db.emitted("order.status_changed")] == ["allocated"]


def test_a_declined_quota_gives_its_units_back(placed):
    db, order_id, line_id = placed
    db.handle("orders.on_quota_offered", _offered(order_id, line_id, 6), ledger.apply_to_ledger)
    declined = Event(
        "quota.declined", {"order_id": order_id, "line_id": line_id, "quantity": 6}, correlation_id=order_id
    )
    db.handle("orders.on_quota_declined", declined, ledger.apply_to_ledger)
    db.handle("orders.on_quota_declined", declined, ledger.apply_to_ledger)
    assert db(views.get_order, order_id)["lines"][0]["allocated"] == 0


def test_the_latest_shortfall_wins_whatever_order_the_facts_arrive_in(placed):
    db, order_id, line_id = placed
    now = datetime.now(timezone.utc)

    def shortfall(units, at):
        return Event(
            "order.shortfall",
            {"order_id": order_id, "line_id": line_id, "shortfall": units},
            correlation_id=order_id,
            occurred_at=at,
        )

    db.handle("orders.on_order_shortfall", shortfall(2, now), ledger.record_shortfall)
    db.handle("orders.on_order_shortfall", shortfall(7, now - timedelta(minutes=1)), ledger.record_shortfall)
    assert db(views.get_order, order_id)["lines"][0]["shortfall"] == 2
    assert db(views.summary)["shortfalls"]["units"] == 2
