"""Allocation and quota answers on a real database: which quotas are offered, what answering them does, and which
events leave."""

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from services.aggregation import allocating, projections, quotas, views
from services.aggregation.store import quotas as quota_table
from shared.errors import Conflict
from shared.events import new_event
from tests.payloads import capacity_declared, next_weeks, offering_published, producer_registered

WEEKLY = {"prd_a": 20, "prd_b": 10}


def with_capacity(db, weekly=WEEKLY, weeks=2) -> None:
    """An offering of organisation ``org`` whose producers each declared ``weekly`` units for the next weeks."""
    db(projections.record_offering, offering_published("off_1", "BAG"))
    for producer_id in weekly:
        db(projections.record_producer, producer_registered(producer_id, ["off_1"]))
    db(projections.record_capacity, capacity_declared("off_1", weekly, next_weeks(weeks)))


def order_placed(quantity: int, order_id: str = "ord_1"):
    return new_event(
        "order.placed",
        {
            "order_id": order_id,
            "buyer": {"buyer_id": "byr_1", "name": "B", "email": "b@example.org"},
            "destination": {"name": "W", "city": "Lae", "country": "PG", "latitude": -6.7, "longitude": 147.0},
            "due_date": date(2099, 1, 1),
            "promised_date": None,
            "lines": [{"line_id": f"lin_{order_id}", "offering_id": "off_1", "sku": "BAG", "quantity": quantity}],
        },
        correlation_id=order_id,
    )


def place(db, quantity: int, order_id: str = "ord_1"):
    """``order.placed`` handled as the service's batch handler would; the quotas offered, by producer."""
    db.handle(
        "aggregation.on_order_placed",
        order_placed(quantity, order_id),
        lambda uow, event: allocating.allocate_orders(uow, [event]),
    )
    return {quota["producer_id"]: quota for quota in db(views.list_quotas, {"order_id": order_id})["items"]}


@pytest.fixture
def db(service_db):
    db = service_db("aggregation")
    with_capacity(db)
    return db


def test_an_order_is_split_across_producers_by_capacity_and_each_is_offered_her_share(db):
    offered = place(db, 30)
    assert {producer: quota["quantity"] for producer, quota in offered.items()} == {"prd_a": 20, "prd_b": 10}
    assert {quota["status"] for quota in offered.values()} == {"offered"}
    events = db.emitted("quota.offered")
    assert sorted((event["payload"]["producer_id"], event["payload"]["quantity"]) for event in events) == [
        ("prd_a", 20),
        ("prd_b", 10),
    ]
    first_week = next_weeks(1)[0].isoformat()
    assert all(
        event["payload"]["weeks"] == [{"week_start": first_week, "units": event["payload"]["quantity"]}]
        for event in events
    ), "the earliest free weeks are taken first"
    quota = offered["prd_a"]
    answer_within = datetime.fromisoformat(quota["respond_by"]) - datetime.fromisoformat(quota["offered_at"])
    assert answer_within == timedelta(hours=48)
    [allocated] = db.emitted("order.allocated")
    assert allocated["payload"]["lines"][0]["allocated"] == 30 and allocated["payload"]["lines"][0]["shortfall"] == 0
    assert db(views.capacity_view, "off_1")["committed"] == 30


def test_more_than_the_producers_can_make_is_reported_short(db):
    place(db, 70)
    [short] = db.emitted("order.shortfall")
    assert (short["payload"]["ordered"], short["payload"]["covered"], short["payload"]["shortfall"]) == (70, 60, 10)


def test_a_repeated_order_placed_event_changes_nothing(db):
    event = order_placed(30)
    effect = lambda uow, event: allocating.allocate_orders(uow, [event])  # noqa: E731
    db.handle("aggregation.on_order_placed", event, effect)
    assert db.handle("aggregation.on_order_placed", event, effect) is None
    with db.database.transaction() as uow:
        assert uow.session.execute(select(func.count()).select_from(quota_table)).scalar_one() == 2
    assert len(db.emitted("quota.offered")) == 2 and len(db.emitted("order.allocated")) == 1


def test_an_accepted_quota_is_accepted_once_and_can_no_longer_be_declined(db):
    quota_id = place(db, 30)["prd_a"]["id"]
    assert db(quotas.accept, quota_id)["status"] == "accepted"
    assert db(quotas.accept, quota_id)["status"] == "accepted", "answering the same way twice is a harmless repeat"
    assert len(db.emitted("quota.accepted")) == 1
    with pytest.raises(Conflict):
        db(quotas.decline, quota_id, {"reason": "changed my mind"})
    assert db(views.get_quota, quota_id)["status"] == "accepted"


def test_declined_units_top_up_a_producer_already_working_on_the_line(db):
    offered = place(db, 30)
    db(quotas.accept, offered["prd_a"]["id"])
    declined = db(quotas.decline, offered["prd_b"]["id"], {"reason": "no cane this season"})
    assert (declined["status"], declined["reason"]) == ("declined", "no cane this season")
    [told] = db.emitted("quota.declined")
    assert told["payload"]["producer_id"] == "prd_b"
    [top_up] = db.emitted("quota.top_up_offered")
    assert (top_up["payload"]["producer_id"], top_up["payload"]["top_up"]) == ("prd_a", 10)
    assert db(views.get_quota, offered["prd_a"]["id"])["top_up"]["quantity"] == 10
    with pytest.raises(Conflict):
        db(quotas.accept, offered["prd_b"]["id"])


def test_a_partial_acceptance_gives_the_rest_back_to_allocation(db):
    offered = place(db, 30)
    accepted = db(quotas.accept, offered["prd_b"]["id"], {"quantity": 4})
    assert (accepted["status"], accepted["quantity"]) == ("accepted", 4)
    [event] = db.emitted("quota.accepted")
    assert event["payload"]["declined_quantity"] == 6
    assert db(views.capacity_view, "off_1")["committed"] == 24, "the six units given back are free again"


def piece_rate(producer_id: str, rate: str, set_at: datetime):
    return new_event(
        "piece_rate.set",
        {
            "rate_id": f"rate_{producer_id}_{rate}",
            "organisation_id": "org",
            "producer_id": producer_id,
            "offering_id": "off_1",
            "rate": Decimal(rate),
            "currency": "USD",
            "set_at": set_at,
        },
        correlation_id=producer_id,
    )


def test_each_offer_carries_the_rate_her_lots_will_earn_and_the_cost_policy_uses_it(db, monkeypatch):
    now = datetime.now(timezone.utc)
    db(projections.record_piece_rate, piece_rate("prd_a", "25.00", now))
    db(projections.record_piece_rate, piece_rate("prd_a", "30.00", now - timedelta(days=1)))
    place(db, 30)
    rates = {event["payload"]["producer_id"]: event["payload"]["rate"] for event in db.emitted("quota.offered")}
    assert rates["prd_a"] == "25.00", "the newest rate set wins, whatever order the facts came in"
    assert Decimal(rates["prd_b"]) > 0, "without a rate of her own, the offering's producer price"

    monkeypatch.setenv("BILUM_ALLOCATION_POLICY", "cost")
    db(projections.record_piece_rate, piece_rate("prd_b", "1.00", now))
    offered = place(db, 12, order_id="ord_2")
    assert {producer: quota["quantity"] for producer, quota in offered.items()} == {"prd_b": 10, "prd_a": 2}
