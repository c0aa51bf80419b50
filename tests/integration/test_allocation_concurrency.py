"""Two orders allocated at the same moment never promise a producer more than it declared, and a cancellation that
overtakes its order never leaves it allocated (real PostgreSQL)."""

from datetime import date

import eventlet
import pytest
from sqlalchemy import func, select

from services.aggregation import allocating, projections
from services.aggregation.store import capacity_weeks, inbox, outbox, quota_weeks, quotas
from shared import migrations
from shared.errors import NotYetKnown
from shared.events import new_event
from shared.store import Database
from tests.payloads import capacity_declared, next_weeks, offering_published, producer_registered

WEEKLY = {"prd_a": 20, "prd_b": 12, "prd_c": 18, "prd_unapproved": 50}
WEEKS = next_weeks(2)


def _order(n: int, quantity: int):
    return new_event(
        "order.placed",
        {
            "order_id": f"ord_{n}",
            "buyer": {"buyer_id": "byr_1", "name": "B", "email": "b@example.org"},
            "destination": {"name": "W", "city": "Lae", "country": "PG", "latitude": -6.7, "longitude": 147.0},
            "due_date": date(2099, 1, 1),
            "promised_date": None,
            "lines": [{"line_id": f"lin_{n}", "offering_id": "off_1", "sku": "BAG", "quantity": quantity}],
        },
        correlation_id=f"ord_{n}",
    )


def _aggregation_with_capacity() -> Database:
    migrations.upgrade("aggregation")
    database = Database("aggregation", outbox, inbox)
    with database.transaction() as uow:
        projections.record_offering(uow, offering_published("off_1", "BAG"))
        for producer_id in WEEKLY:
            approved = [] if producer_id == "prd_unapproved" else ["off_1"]
            projections.record_producer(uow, producer_registered(producer_id, approved))
        projections.record_capacity(uow, capacity_declared("off_1", WEEKLY, WEEKS))
    return database


def _allocate(database: Database, event) -> None:
    database.handle_once("test.allocate", event, lambda uow, event: allocating.allocate_orders(uow, [event]))


def test_concurrent_orders_never_overcommit_a_producer(platform):
    database = _aggregation_with_capacity()

    def allocate(n):
        _allocate(database, _order(n, 30))

    pool = eventlet.GreenPool(8)
    for n in range(8):
        pool.spawn(allocate, n)
    pool.waitall()

    with database.transaction() as uow:
        held = uow.session.execute(
            select(quota_weeks.c.producer_id, quota_weeks.c.week_start, func.sum(quota_weeks.c.units)).group_by(
                quota_weeks.c.producer_id, quota_weeks.c.week_start
            )
        ).all()
        promised = uow.session.execute(select(func.sum(quotas.c.quantity))).scalar_one()
        orders_served = uow.session.execute(select(func.count(func.distinct(quotas.c.order_id)))).scalar_one()
    approved_capacity = sum(units for producer_id, units in WEEKLY.items() if producer_id != "prd_unapproved")
    assert promised == approved_capacity * len(WEEKS), "all approved capacity is used: 8 x 30 exceeds 100"
    for producer_id, week, units in held:
        assert producer_id != "prd_unapproved", "a producer not approved for the offering was offered a quota"
        assert units <= WEEKLY[producer_id], f"{producer_id} promised {units} of {WEEKLY[producer_id]} in {week}"
    assert orders_served >= 4
    database.engine.dispose()


def test_a_cancellation_that_overtakes_its_order_waits_for_it_and_then_releases_every_quota(platform):
    database = _aggregation_with_capacity()
    placed = _order(1, 40)
    cancelled = new_event(
        "order.cancelled", {"order_id": "ord_1", "reason": "the buyer changed their mind"}, correlation_id="ord_1"
    )

    def cancel():
        database.handle_once("test.cancel", cancelled, allocating.cancel_order)

    with pytest.raises(NotYetKnown, match="ord_1"):
        cancel()
    _allocate(database, placed)
    cancel()

    with database.transaction() as uow:
        statuses = dict(uow.session.execute(select(quotas.c.status, func.count()).group_by(quotas.c.status)).all())
        held = uow.session.execute(select(func.sum(capacity_weeks.c.held))).scalar_one()
        released = uow.session.execute(
            select(func.count()).select_from(outbox).where(outbox.c.event_type == "quota.released")
        ).scalar_one()
    assert statuses and set(statuses) == {"released"}, statuses
    assert released == statuses["released"], "each producer is told its quota is released"
    assert held == 0, "the released quotas give their weeks back"
    database.engine.dispose()
