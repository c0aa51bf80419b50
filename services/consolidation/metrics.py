"""Consolidation's own Prometheus metrics, beside the messaging ones every service exposes (``shared.metrics``)."""

from prometheus_client import Counter, Gauge, Histogram

PLANNING_DURATION = Histogram(
    "bilum_planning_duration_seconds",
    "Time to plan pickups and shipments from the lots waiting",
    ["service"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
SHIPMENTS_LATE = Gauge("bilum_shipments_late", "Shipments not on their way by their latest dispatch date", ["service"])
SHIPMENTS_PLANNED = Counter(
    "bilum_shipments_planned", "Combined shipments planned, by why they left", ["service", "reason"]
)
