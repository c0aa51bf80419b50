"""Two orders allocated at the same moment never promise a producer more than it declared (real PostgreSQL)."""
from datetime import date
from decimal import Decimal

import eventlet
from sqlalchemy import func, select

from services.aggregation import app
from services.aggregation.store import capacities, inbox, outbox, quotas
from shared import migrations
from shared.events import new_event
from shared.store import Database

CAPACITY = {"prd_a": 40, "prd_b": 25, "prd_c": 35}


def _order(n: int, quantity: int):
    return new_event("order.placed", {
        "order_id": f"ord_{n}", "buyer": {"buyer_id": "byr_1", "name": "B", "email": "b@example.org"},
        "destination": {"name": "W", "city": "Lae", "country": "PG", "latitude": -6.7, "longitude": 147.0},
        "due_date": date(2099, 1, 1),
        "lines": [{"line_id": f"lin_{n}", "offering_id": "off_1", "sku": "BAG", "quantity": quantity}],
    }, correlation_id=f"ord_{n}")


def test_concurrent_orders_never_overcommit_a_producer(platform):
    migrations.upgrade("aggregation")
    database = Database("aggregation", outbox, inbox)
    with database.transaction() as session:
        app.record_offering(session, new_event("offering.published", {
            "offering_id": "off_1", "organisation_id": "org", "sku": "BAG", "name": "Bag", "unit_price": Decimal("10.00"),
            "producer_price": Decimal("6.00"), "currency": "USD", "unit_weight_g": 300, "unit_volume_cm3": 2000},
            correlation_id="off_1"))
        for producer_id, units in CAPACITY.items():
            app.record_capacity(session, new_event("capacity.declared", {
                "producer_id": producer_id, "offering_id": "off_1", "units": units}, correlation_id=producer_id))

    def allocate(n):
        database.handle_once("test.allocate", _order(n, 30),
                             lambda session, event: app.allocate_order(database, session, event))

    pool = eventlet.GreenPool(8)
    for n in range(8):
        pool.spawn(allocate, n)
    pool.waitall()

    with database.transaction() as session:
        committed = dict(session.execute(select(quotas.c.producer_id, func.sum(quotas.c.quantity))
                                         .group_by(quotas.c.producer_id)).all())
        declared = dict(session.execute(select(capacities.c.producer_id, capacities.c.units)).all())
        orders_served = session.execute(select(func.count(func.distinct(quotas.c.order_id)))).scalar_one()
    assert declared == CAPACITY
    assert sum(committed.values()) == sum(CAPACITY.values()), "all capacity is used: 8 x 30 exceeds 100"
    for producer_id, units in committed.items():
        assert units <= CAPACITY[producer_id], f"{producer_id} promised {units} of {CAPACITY[producer_id]}"
    assert orders_served >= 4
    database.engine.dispose()
