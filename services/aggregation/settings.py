"""The aggregation service's configuration, from environment variables; every one has a default that runs the demo.

Read when the service starts (the expiry timer) or when a use case runs, never at import time: tests change the
response window between orders."""

from dataclasses import dataclass
from datetime import timedelta

from marshmallow.validate import OneOf, Range

from services.aggregation.allocation import POLICIES
from shared.config import AT_LEAST_ONE, POSITIVE, environment


@dataclass(frozen=True)
class Settings:
    response_window: timedelta
    allocation_policy: str
    transit_time: timedelta
    fairness_window: timedelta
    expiry_interval_s: float


def load() -> Settings:
    env = environment()
    return Settings(
        # How long a producer has to answer an offer (or a top-up) before it lapses and goes to others.
        response_window=timedelta(hours=env.float("BILUM_QUOTA_RESPONSE_HOURS", 48.0, validate=POSITIVE)),
        # How a new line is split across the eligible producers (see allocation.POLICIES).
        allocation_policy=env.str("BILUM_ALLOCATION_POLICY", "proportional", validate=OneOf(POLICIES)),
        # Consolidation and carriage from the producers to the buyer: production must be done this long before the
        # due date.
        transit_time=timedelta(days=env.int("BILUM_TRANSIT_DAYS", 21, validate=Range(min=0))),
        # How far back the units offered to each producer are weighed against the capacity she declared, for an
        # organisation that has not chosen its own window.
        fairness_window=timedelta(weeks=env.int("BILUM_FAIRNESS_WINDOW_WEEKS", 8, validate=AT_LEAST_ONE)),
        # How often lapsed offers are looked for.
        expiry_interval_s=env.float("BILUM_EXPIRY_INTERVAL_S", 2.0, validate=POSITIVE),
    )
