"""Aggregation's own Prometheus metrics, beside the messaging ones every service exposes (``shared.metrics``)."""

from prometheus_client import Counter, Gauge, Histogram

ALLOCATION_DURATION = Histogram(
    "bilum_allocation_duration_seconds", "Time to split one order line across producers", ["service"]
)
QUOTAS_EXPIRED = Counter(
    "bilum_quotas_expired", "Quota offers that lapsed unanswered and were reallocated", ["service"]
)
QUOTAS_BY_STATE = Gauge(
    "bilum_quotas", "Quotas in each state (offered, accepted, declined, expired, released, ...)", ["service", "state"]
)
