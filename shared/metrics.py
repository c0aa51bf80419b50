"""Prometheus metrics every service exposes on its ops port. Labels stay low-cardinality: no tenant or order ids."""

from prometheus_client import Counter, Gauge, Histogram

MESSAGES_CONSUMED = Counter(
    "bilum_messages_consumed", "Events handled successfully (duplicates included)", ["service", "event_type"]
)
MESSAGES_DUPLICATE = Counter(
    "bilum_messages_duplicate", "Events skipped because the inbox had already seen them", ["service", "event_type"]
)
MESSAGES_FAILED = Counter("bilum_messages_failed", "Handler attempts that raised", ["service", "event_type"])
MESSAGES_WAITING = Counter(
    "bilum_messages_waiting",
    "Messages put back to wait for an earlier fact that had not arrived",
    ["service", "event_type"],
)
MESSAGES_DEAD_LETTERED = Counter(
    "bilum_messages_dead_lettered", "Messages parked in the dead-letter queue", ["service", "event_type"]
)
HANDLER_DURATION = Histogram("bilum_handler_duration_seconds", "Event handler latency", ["service", "event_type"])
EVENTS_PUBLISHED = Counter(
    "bilum_events_published", "Outbox rows published with a broker confirm", ["service", "event_type"]
)
OUTBOX_BACKLOG = Gauge("bilum_outbox_backlog", "Outbox rows not yet published", ["service"])
OUTBOX_OLDEST_AGE = Gauge("bilum_outbox_oldest_age_seconds", "Age of the oldest unpublished outbox row", ["service"])
