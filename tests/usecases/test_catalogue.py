"""Catalogue use cases on SQLite: producers, offerings, capacity and the commitments quotas make."""

from datetime import timedelta

import pytest

from services.catalogue import capacity, offerings, producers
from shared.errors import Conflict
from shared.events import new_event
from shared.weeks import iso_week
from tests.payloads import next_weeks

WEEK = next_weeks(3)[2]
PRODUCER = {
    "organisation_id": "org",
    "name": "Mary Kewa",
    "village": "Kama",
    "district": "Goroka",
    "region": "Eastern Highlands",
    "country": "PG",
    "latitude": -6.0,
    "longitude": 145.0,
    "remoteness": "all_season_road",
    "mobile": "+67572000001",
}
OFFERING = {
    "organisation_id": "org",
    "sku": "BAG",
    "name": "Bilum bag",
    "description": "",
    "unit_price": "10.00",
    "producer_price": "6.00",
    "currency": "USD",
    "unit_weight_g": 300,
    "unit_volume_cm3": 2000,
}


@pytest.fixture
def catalogue(service_db):
    db = service_db("catalogue")
    offering = db(offerings.publish_offering, OFFERING)
    producer = db(producers.register_producer, PRODUCER)
    db(
        offerings.set_approval,
        offering["id"],
        {"producer_id": producer["id"], "stage": "sample", "status": "approved", "decided_on": "2026-11-01"},
    )
    db(
        capacity.declare_capacity,
        producer["id"],
        {
            "offering_id": offering["id"],
            "weeks": [
                {"week": iso_week(WEEK), "units": 40},
                {"week": iso_week(WEEK + timedelta(weeks=1)), "units": 25},
            ],
        },
    )
    return db, offering["id"], producer["id"]


def _free(db, producer_id, offering_id) -> int:
    calendar = db(capacity.capacity_calendar, producer_id, offering_id)
    return sum(week["available"] for week in calendar["weeks"])


def test_registering_a_producer_publishes_her_whole_snapshot(catalogue):
    db, _, producer_id = catalogue
    [registered] = db.emitted("producer.registered")
    assert registered["payload"]["producer_id"] == producer_id
    assert registered["payload"]["village"] == "Kama"


def test_a_second_producer_with_the_same_mobile_is_refused_and_nothing_is_published(catalogue):
    db, _, _ = catalogue
    with pytest.raises(Conflict):
        db(producers.register_producer, {**PRODUCER, "name": "Someone else"})
    assert len(db.emitted("producer.registered")) == 1


def test_an_accepted_quota_commits_capacity_once_however_often_it_arrives(catalogue):
    db, offering_id, producer_id = catalogue
    assert _free(db, producer_id, offering_id) == 65
    accepted = new_event(
        "quota.accepted",
        {
            "quota_id": "qta_1",
            "order_id": "ord_1",
            "line_id": "lin_1",
            "offering_id": offering_id,
            "producer_id": producer_id,
            "quantity": 15,
            "declined_quantity": 0,
            "weeks": [{"week_start": WEEK, "units": 15}],
        },
        correlation_id="ord_1",
    )
    db.handle("catalogue.on_quota_accepted", accepted, capacity.record_commitment)
    db.handle("catalogue.on_quota_accepted", accepted, capacity.record_commitment)
    assert _free(db, producer_id, offering_id) == 50


@pytest.mark.parametrize("days_after_first_week, available", [(6, 40), (10, 40), (12, 40), (13, 65)])
def test_a_week_counts_towards_a_deadline_only_once_it_is_made_in_full(catalogue, days_after_first_week, available):
    """A deadline four or more days into a week used to round that week in on PostgreSQL (division in NUMERIC)."""
    db, offering_id, _ = catalogue
    by = WEEK + timedelta(days=days_after_first_week)
    answer = db(capacity.availability, offering_id, {"quantity": "30", "by": by.isoformat()})
    assert answer["total_available"] == available
