"""The consolidation service's configuration, from environment variables; every one has a default that runs the demo.

Read when the service starts (the planning timer) or when a use case runs, never at import time."""

from dataclasses import dataclass
from decimal import Decimal

from marshmallow.validate import Length, Range

from shared.config import AT_LEAST_ONE, POSITIVE, environment


@dataclass(frozen=True)
class Settings:
    plan_interval_s: float
    dispatch_fill: Decimal
    routing_time_limit_s: float
    routing_max_iterations: int
    freight_currency: str


def load() -> Settings:
    env = environment()
    return Settings(
        # How often the planner looks for shipments that are full enough or due to leave.
        plan_interval_s=env.float("BILUM_PLAN_INTERVAL_S", 900.0, validate=POSITIVE),
        # A line-haul vehicle leaves once this fraction of its weight or volume is used.
        dispatch_fill=env.decimal(
            "BILUM_DISPATCH_FILL", Decimal("0.8"), validate=Range(min=0, max=1, min_inclusive=False)
        ),
        # The route search of one plan stops at either limit: the iterations make a plan repeatable, the time (shared
        # by all its routing problems) keeps it within the gateway's deadline on a busy day.
        routing_time_limit_s=env.float("BILUM_ROUTING_TIME_LIMIT_S", 2.0, validate=POSITIVE),
        routing_max_iterations=env.int("BILUM_ROUTING_MAX_ITERATIONS", 2000, validate=AT_LEAST_ONE),
        # Vehicle costs, and so every freight share, are in this currency (ISO 4217).
        freight_currency=env.str("BILUM_FREIGHT_CURRENCY", "USD", validate=Length(equal=3)),
    )
