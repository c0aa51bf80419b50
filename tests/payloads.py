"""Event payloads as the catalogue publishes them, for tests that feed a consumer directly."""

from datetime import date, timedelta
from decimal import Decimal

from shared.events import new_event
from shared.weeks import monday_of

QUALITY_STANDARD = {
    "aql": {"major": 2.5, "minor": 4.0},
    "inspection_level": "II",
    "criteria": [],
    "rejected_lot_action": "rework",
    "min_pass_rate": 0.0,
}


def offering_published(offering_id: str, sku: str, **overrides):
    return new_event(
        "offering.published",
        {
            "offering_id": offering_id,
            "organisation_id": "org",
            "sku": sku,
            "name": f"Bag {sku}",
            "unit_price": Decimal("10.00"),
            "producer_price": Decimal("6.00"),
            "currency": "USD",
            "unit_weight_g": 300,
            "unit_volume_cm3": 2000,
            "min_order": 1,
            "quality_standard": QUALITY_STANDARD,
            **overrides,
        },
        correlation_id=offering_id,
    )


def producer_registered(producer_id: str, approved_offerings: list, event_type: str = "producer.registered"):
    return new_event(
        event_type,
        {
            "producer_id": producer_id,
            "organisation_id": "org",
            "name": f"Producer {producer_id}",
            "village": "Kama",
            "district": "Goroka",
            "region": "Eastern Highlands",
            "country": "PG",
            "latitude": -6.07,
            "longitude": 145.4,
            "remoteness": "all_season_road",
            "closed_months": [],
            "service_weekdays": [],
            "mobile": None,
            "email": f"{producer_id}@example.org",
            "webhook_url": None,
            "languages": ["en"],
            "approved_offerings": approved_offerings,
        },
        correlation_id=producer_id,
    )


def next_weeks(count: int, after: date | None = None) -> list:
    """Mondays of the ``count`` weeks after this one."""
    first = monday_of(after or date.today()) + timedelta(weeks=1)
    return [first + timedelta(weeks=n) for n in range(count)]


def capacity_declared(offering_id: str, weekly_units: dict, weeks: list, lead_time_days: int = 0, min_lot: int = 1):
    """``weekly_units``: producer id to units per week, declared for each of ``weeks``."""
    return new_event(
        "capacity.declared",
        {
            "entries": [
                {
                    "producer_id": producer_id,
                    "offering_id": offering_id,
                    "week_start": week,
                    "units": units,
                    "lead_time_days": lead_time_days,
                    "min_lot": min_lot,
                }
                for producer_id, units in weekly_units.items()
                for week in weeks
            ]
        },
        correlation_id=offering_id,
    )
