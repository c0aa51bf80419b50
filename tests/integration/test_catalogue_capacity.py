"""Capacity calendars on the real PostgreSQL: whole-file CSV imports, and availability under concurrent commitments."""

import random
from datetime import timedelta

import eventlet
import pytest
from sqlalchemy import func, select

from services.catalogue import capacity, offerings
from services.catalogue import producers as producer_cases
from services.catalogue.store import capacity_weeks, commitments, inbox, outbox
from shared import migrations
from shared.errors import InvalidInput
from shared.events import new_event
from shared.store import Database
from shared.weeks import iso_week
from tests.payloads import next_weeks

WEEKS = next_weeks(20)


@pytest.fixture
def catalogue(platform):
    migrations.upgrade("catalogue")
    database = Database("catalogue", outbox, inbox)
    with database.transaction() as uow:
        offering = offerings.publish_offering(
            uow,
            {
                "organisation_id": "org",
                "sku": "BAG",
                "name": "Bag",
                "description": "",
                "unit_price": "10.00",
                "producer_price": "6.00",
                "currency": "USD",
                "unit_weight_g": 300,
                "unit_volume_cm3": 2000,
            },
        )
        producers = [
            producer_cases.register_producer(
                uow,
                {
                    "organisation_id": "org",
                    "name": f"Weaver {n}",
                    "village": "Kama",
                    "district": "Goroka",
                    "region": "Eastern Highlands",
                    "country": "PG",
                    "latitude": -6.0,
                    "longitude": 145.0,
                    "remoteness": "all_season_road",
                    "mobile": f"+675720{n:05d}",
                },
            )["id"]
            for n in range(50)
        ]
        for producer_id in producers:
            offerings.set_approval(
                uow,
                offering["id"],
                {"producer_id": producer_id, "stage": "sample", "status": "approved", "decided_on": "2026-11-01"},
            )
    yield database, offering["id"], producers
    database.engine.dispose()


def _csv(producers, units_of, bad_rows=()) -> str:
    lines = ["producer_id,sku,week,units,lead_time_days,min_lot"]
    for producer_id in producers:
        for week in WEEKS:
            lines.append(f"{producer_id},BAG,{iso_week(week)},{units_of(producer_id, week)},0,1")
    for row_number, line in bad_rows:
        lines[row_number - 1] = line
    return "\n".join(lines) + "\n"


def _declared(database) -> int:
    with database.transaction() as uow:
        return uow.session.execute(select(func.sum(capacity_weeks.c.units))).scalar_one()


def test_a_thousand_good_rows_import_and_three_bad_rows_import_nothing_and_are_named(catalogue):
    database, offering_id, producers = catalogue
    with database.transaction() as uow:
        result = capacity.import_capacity(uow, _csv(producers, lambda p, w: 10))
    assert (result["rows"], result["producers"]) == (1000, 50)
    assert _declared(database) == 10_000

    bad = [
        (17, f"{producers[0]},BAG,2027-W99,5,0,1"),
        (402, f"prd_ghost,BAG,{iso_week(WEEKS[0])},5,0,1"),
        (999, f"{producers[-1]},BAG,{iso_week(WEEKS[-2])},-4,0,1"),
    ]
    with pytest.raises(InvalidInput) as refused, database.transaction() as uow:
        capacity.import_capacity(uow, _csv(producers, lambda p, w: 99, bad_rows=bad))
    assert set(refused.value.fields) == {"row 17", "row 402", "row 999"}
    assert _declared(database) == 10_000, "a refused file changed the calendar"


def test_availability_stays_exact_under_concurrent_commitments_and_releases(catalogue):
    database, offering_id, producers = catalogue
    week = WEEKS[0]
    with database.transaction() as uow:
        for producer_id in producers[:3]:
            capacity.declare_capacity(
                uow, producer_id, {"offering_id": offering_id, "weeks": [{"week": iso_week(week), "units": 400}]}
            )
    rng = random.Random(11)
    quotas = [
        {
            "quota_id": f"qta_{n}",
            "order_id": f"ord_{n}",
            "line_id": f"lin_{n}",
            "offering_id": offering_id,
            "producer_id": producers[n % 3],
            "quantity": units,
            "weeks": [{"week_start": week, "units": units}],
        }
        for n, units in enumerate(rng.randint(1, 9) for _ in range(90))
    ]
    accepted = [
        new_event("quota.accepted", {**quota, "declined_quantity": 0}, correlation_id=quota["order_id"])
        for quota in quotas
    ]
    released = [
        new_event("quota.declined", {**quota, "reason": "busy"}, correlation_id=quota["order_id"])
        for quota in quotas[::4]
    ]
    deliveries = accepted + accepted[:20] + released
    rng.shuffle(deliveries)

    def deliver(event):
        if event.event_type == "quota.accepted":
            database.handle_once("catalogue.on_quota_accepted", event, capacity.record_commitment)
        else:
            database.handle_once(
                "catalogue.on_quota_declined",
                event,
                lambda uow, event: capacity.release_commitment(uow, event, "declined"),
            )

    pool = eventlet.GreenPool(12)
    for event in deliveries:
        pool.spawn(deliver, event)
    pool.waitall()

    kept = {quota["quota_id"] for quota in quotas} - {quota["quota_id"] for quota in quotas[::4]}
    with database.transaction() as uow:
        held = dict(
            uow.session.execute(
                select(commitments.c.producer_id, func.sum(commitments.c.units)).group_by(commitments.c.producer_id)
            ).all()
        )
        committed = dict(
            uow.session.execute(
                select(capacity_weeks.c.producer_id, capacity_weeks.c.committed).where(
                    capacity_weeks.c.week_start == week
                )
            ).all()
        )
        answer = capacity.availability(
            uow, offering_id, {"quantity": "1", "by": (week + timedelta(days=6)).isoformat()}
        )
    expected = {
        producer_id: sum(q["quantity"] for q in quotas if q["producer_id"] == producer_id and q["quota_id"] in kept)
        for producer_id in producers[:3]
    }
    assert held == expected
    assert committed == expected
    assert {p["producer_id"]: p["available"] for p in answer["producers"]} == {
        producer_id: 400 - units for producer_id, units in expected.items()
    }
