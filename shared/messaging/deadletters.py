"""The dead-letter queue: where a message that cannot be handled waits, with the reason, to be listed and replayed."""

import logging
from datetime import datetime, timezone

from kombu import Exchange, Queue
from nameko.amqp.publish import Publisher

from shared import metrics

log = logging.getLogger(__name__)

DEAD_LETTER_EXCHANGE = Exchange("bilum.dead-letters", type="fanout", durable=True)
DEAD_LETTER_QUEUE = Queue("bilum.dead-letters", exchange=DEAD_LETTER_EXCHANGE, durable=True)

ATTEMPTS_HEADER = "x-bilum-attempts"
REASON_HEADER = "x-bilum-reason"
QUEUE_HEADER = "x-bilum-queue"
SERVICE_HEADER = "x-bilum-service"
EVENT_TYPE_HEADER = "x-bilum-event-type"
PARKED_AT_HEADER = "x-bilum-dead-lettered-at"
WAITING_SINCE_HEADER = "x-bilum-waiting-since"
WAITS_HEADER = "x-bilum-waits"
OUTAGE_WAITS_HEADER = "x-bilum-database-waits"

_QUICK_RETRY = {"max_retries": 3, "interval_start": 0.2, "interval_step": 0.5, "interval_max": 2}


def make_publisher(amqp_uri: str) -> Publisher:
    """Persistent messages, publisher confirms, a short retry: callers decide what a failure means."""
    return Publisher(amqp_uri, serializer="json", use_confirms=True, retry=True, retry_policy=_QUICK_RETRY)


def park(
    publisher: Publisher,
    body,
    *,
    queue: str,
    service: str,
    event_type: str,
    reason: str,
    attempts: int,
    headers: dict | None = None,
) -> None:
    """Put a message in the dead-letter queue with why and where it failed, so it can be listed and replayed."""
    parked_headers = {key: value for key, value in (headers or {}).items() if not key.startswith("x-bilum-")}
    parked_headers.update(
        {
            REASON_HEADER: reason[:2000],
            QUEUE_HEADER: queue,
            SERVICE_HEADER: service,
            EVENT_TYPE_HEADER: event_type,
            ATTEMPTS_HEADER: attempts,
            PARKED_AT_HEADER: datetime.now(timezone.utc).isoformat(),
        }
    )
    publisher.publish(
        body,
        exchange=DEAD_LETTER_EXCHANGE,
        routing_key=queue,
        headers=parked_headers,
        declare=[DEAD_LETTER_EXCHANGE, DEAD_LETTER_QUEUE],
    )
    metrics.MESSAGES_DEAD_LETTERED.labels(service, event_type).inc()
    log.error(
        "message dead-lettered",
        extra={"queue": queue, "reason": reason, "attempts": attempts, "event_type": event_type},
    )
