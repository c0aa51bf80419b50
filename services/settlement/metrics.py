"""Settlement's own Prometheus metrics, beside the messaging ones every service exposes (``shared.metrics``)."""

from prometheus_client import Counter, Histogram

PAYOUT_RESULTS = Counter(
    "bilum_payout_results",
    "Payout attempts that reached a result, by method and outcome",
    ["service", "method", "outcome"],
)
PROVIDER_CALLS = Histogram(
    "bilum_payout_provider_seconds",
    "Time the mobile-money provider took to answer, by call and outcome",
    ["service", "call", "outcome"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
