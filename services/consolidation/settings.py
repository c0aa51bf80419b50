"""The consolidation service's configuration, from environment variables; every one has a default that runs the demo."""
import os
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Settings:
    plan_interval_s: float
    dispatch_fill: Decimal
    routing_time_limit_s: float
    routing_max_iterations: int
    freight_currency: str


def settings() -> Settings:
    return Settings(
        # How often the planner looks for shipments that are full enough or due to leave.
        plan_interval_s=float(os.environ.get("BILUM_PLAN_INTERVAL_S", "900")),
        # A line-haul vehicle leaves once this fraction of its weight or volume is used.
        dispatch_fill=Decimal(os.environ.get("BILUM_DISPATCH_FILL", "0.8")),
        # The route search of one plan stops at either limit: the iterations make a plan repeatable, the time (shared
        # by all its routing problems) keeps it within the gateway's deadline on a busy day.
        routing_time_limit_s=float(os.environ.get("BILUM_ROUTING_TIME_LIMIT_S", "2")),
        routing_max_iterations=int(os.environ.get("BILUM_ROUTING_MAX_ITERATIONS", "2000")),
        # Vehicle costs, and so every freight share, are in this currency.
        freight_currency=os.environ.get("BILUM_FREIGHT_CURRENCY", "USD"),
    )
