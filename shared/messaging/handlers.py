"""Event handlers that never lose a message: bounded retries, dead letters, and batches.

nameko acks an event handler's message after the worker finishes even when it raised, so a plain failed handler
loses its message. ``reliable_handler`` instead retries a failing message a bounded number of times (republishing it
to its own queue with an attempt counter) and then parks it in the dead-letter queue with the reason. A message that
breaks the event contract is parked at once: retrying cannot mend it. A message whose handler waits for a fact that
has not arrived yet (``NotYetKnown``), or that failed because the database is away, is tried again later without
spending its retries. Nothing is acked before its
copy is confirmed, and an ack or requeue on a connection the broker already dropped is a no-op (the broker hands the
message out again), never a crash.
"""

import logging
import time
import traceback
from functools import partial

import eventlet
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.events import SERVICE_POOL, EventHandler
from nameko.exceptions import ContainerBeingKilled

from shared import config, metrics
from shared.errors import NotYetKnown
from shared.events import Event, InvalidEvent, parse
from shared.messaging.consumers import DeadLetteringQueueConsumer
from shared.messaging.deadletters import (
    ATTEMPTS_HEADER,
    OUTAGE_WAITS_HEADER,
    WAITING_SINCE_HEADER,
    WAITS_HEADER,
    make_publisher,
    park,
)
from shared.store import database_unreachable

log = logging.getLogger(__name__)

LONGEST_WAIT_PAUSE_S = 5.0


class ReliableEventHandler(EventHandler):
    queue_consumer = DeadLetteringQueueConsumer()

    def __init__(self, source_service, event_type, expected_exceptions=(), **kwargs):
        # A fact that has not arrived yet is a wait, not a fault: nameko logs it as expected (a warning), not as an
        # error an operator should chase.
        expected = expected_exceptions if isinstance(expected_exceptions, tuple) else (expected_exceptions,)
        super().__init__(
            source_service,
            event_type,
            handler_type=SERVICE_POOL,
            reliable_delivery=True,
            requeue_on_error=False,
            expected_exceptions=(*expected, NotYetKnown),
            **kwargs,
        )

    def setup(self):
        super().setup()
        settings = config.messaging()
        self.max_attempts = settings.max_attempts
        self.retry_backoff_s = settings.retry_backoff_s
        self.wait_for_prior_s = settings.wait_for_prior_s
        self.publisher = make_publisher(self.container.config[AMQP_URI_CONFIG_KEY])
        self.service = self.container.service_name

    def _event_or_park(self, body, message) -> Event | None:
        """The message as an event of this handler's type; anything else goes to the dead letters at once."""
        try:
            event = parse(body)
            if event.event_type != self.event_type:
                raise InvalidEvent(f"{event.event_type} arrived on the queue for {self.event_type}")
        except InvalidEvent as error:
            self._park_now(body, message, str(error))
            return None
        return event

    def handle_message(self, body, message):
        event = self._event_or_park(body, message)
        if event is None:
            return
        started = time.perf_counter()
        try:
            self.container.spawn_worker(
                self,
                (event,),
                {},
                context_data={"correlation_id": event.correlation_id},
                handle_result=partial(self.handle_result, message, started),
            )
        except ContainerBeingKilled:
            self.queue_consumer.requeue_message(message)

    def handle_result(self, message, started, worker_ctx, result=None, exc_info=None):
        metrics.HANDLER_DURATION.labels(self.service, self.event_type).observe(time.perf_counter() - started)
        if exc_info is None:
            metrics.MESSAGES_CONSUMED.labels(self.service, self.event_type).inc()
            self.queue_consumer.ack_message(message)
        else:
            self._retry_or_park(message, exc_info)
        return result, exc_info

    def _retry_or_park(self, message, exc_info):
        headers = dict(message.headers or {})
        reason = "".join(traceback.format_exception_only(exc_info[0], exc_info[1])).strip()
        if isinstance(exc_info[1], NotYetKnown) and self._may_wait(headers):
            waits = int(headers.get(WAITS_HEADER, 0))
            headers[WAITS_HEADER] = waits + 1
            headers.setdefault(WAITING_SINCE_HEADER, time.time())
            metrics.MESSAGES_WAITING.labels(self.service, self.event_type).inc()
            log.info(
                "waiting for an earlier fact",
                extra={
                    "queue": self.queue.name,
                    "waits": waits + 1,
                    "reason": reason,
                    "correlation_id": _correlation_of(message.payload),
                },
            )
            pause = min(LONGEST_WAIT_PAUSE_S, self.retry_backoff_s * 2 ** min(waits, 8))
        elif database_unreachable(exc_info[1]):
            # The database is away (restarted, failed over, cut off): no message is at fault, so none spends its
            # retries or reaches the dead letters, however long the outage lasts.
            waits = int(headers.get(OUTAGE_WAITS_HEADER, 0))
            headers[OUTAGE_WAITS_HEADER] = waits + 1
            metrics.MESSAGES_WAITING.labels(self.service, self.event_type).inc()
            log.warning(
                "database unreachable: the message waits",
                extra={"queue": self.queue.name, "waits": waits + 1, "reason": reason[:300]},
            )
            pause = min(LONGEST_WAIT_PAUSE_S, self.retry_backoff_s * 2 ** min(waits, 8))
        else:
            metrics.MESSAGES_FAILED.labels(self.service, self.event_type).inc()
            attempts = int(headers.get(ATTEMPTS_HEADER, 1))
            log.warning(
                "handler failed",
                extra={
                    "queue": self.queue.name,
                    "attempt": attempts,
                    "reason": reason,
                    "correlation_id": _correlation_of(message.payload),
                },
            )
            if attempts >= self.max_attempts:
                self._settle(
                    message,
                    partial(
                        park,
                        self.publisher,
                        message.payload,
                        queue=self.queue.name,
                        service=self.service,
                        event_type=self.event_type,
                        reason=reason,
                        attempts=attempts,
                        headers=headers,
                    ),
                )
                return
            headers[ATTEMPTS_HEADER] = attempts + 1
            pause = self.retry_backoff_s * attempts
        # The pause runs in a thread of its own: a worker (and a batching handler's next batch) is not held up.
        self.container.spawn_managed_thread(
            partial(
                self._settle,
                message,
                partial(
                    self.publisher.publish, message.payload, exchange="", routing_key=self.queue.name, headers=headers
                ),
                pause,
            ),
            identifier=f"{self.queue.name}.retry",
        )

    def _may_wait(self, headers) -> bool:
        since = headers.get(WAITING_SINCE_HEADER)
        return since is None or time.time() - float(since) < self.wait_for_prior_s

    def _settle(self, message, republish, pause_s: float = 0.0):
        """Republish (retry, or park) a failed message, then ack the original; if that fails it stays queued."""
        if pause_s:
            eventlet.sleep(pause_s)
        try:
            republish()
        except Exception:
            log.exception("could not retry or park a failed message: it stays on its queue")
            self.queue_consumer.requeue_message(message)
            return
        self.queue_consumer.ack_message(message)

    def _park_now(self, body, message, reason):
        self._settle(
            message,
            partial(
                park,
                self.publisher,
                body,
                queue=self.queue.name,
                service=self.service,
                event_type=self.event_type,
                reason=reason,
                attempts=1,
                headers=message.headers,
            ),
        )

    def park_undecodable(self, message, error):
        body = message.body.decode("utf-8", "replace") if isinstance(message.body, bytes) else message.body
        self._park_now(body, message, f"undecodable {message.content_type} body: {error}")


reliable_handler = ReliableEventHandler.decorator


class BatchQueueConsumer(DeadLetteringQueueConsumer):
    """The queue consumer of batching handlers: it lets more messages wait unacknowledged than there are workers,
    since one worker takes a whole batch of them."""

    @property
    def prefetch_count(self):
        return config.messaging().batch_prefetch


class BatchingEventHandler(ReliableEventHandler):
    """Hands the handler method a list of events: those that arrived while the previous batch was being handled.

    A fact that comes in bursts (twenty quota offers of one order) then costs one worker and one transaction per
    burst instead of one per message; a lone message still goes at once, as a batch of one. Batches of one handler
    run one at a time. A batch that fails is taken apart: each of its messages is handled again alone, so a bad
    message is retried and dead-lettered alone, exactly as by ``reliable_handler``, and its neighbours go through.
    Messages are acknowledged only after their batch (or their own retry) is done.
    """

    queue_consumer = BatchQueueConsumer()

    def setup(self):
        super().setup()
        self.max_batch = config.messaging().max_batch
        self._waiting: list = []
        self._alone: list = []
        self._busy = False
        self._stopping = False

    def stop(self):
        """No new batch once the service stops: messages still waiting were never acknowledged, so the broker hands
        them out again when the connection closes."""
        self._stopping = True
        super().stop()

    def handle_message(self, body, message):
        event = self._event_or_park(body, message)
        if event is None:
            return
        self._waiting.append((event, message))
        self._next_batch()

    def _next_batch(self):
        if self._busy or self._stopping or not (self._alone or self._waiting):
            return
        if self._alone:
            batch = [self._alone.pop(0)]
        else:
            batch, self._waiting = self._waiting[: self.max_batch], self._waiting[self.max_batch :]
        self._busy = True
        started = time.perf_counter()
        try:
            self.container.spawn_worker(
                self,
                ([event for event, _ in batch],),
                {},
                context_data={"correlation_id": batch[0][0].correlation_id},
                handle_result=partial(self._batch_done, batch, started),
            )
        except ContainerBeingKilled:
            self._busy = False
            for _, message in batch:
                self.queue_consumer.requeue_message(message)

    def _batch_done(self, batch, started, worker_ctx, result=None, exc_info=None):
        elapsed = time.perf_counter() - started
        if exc_info is None:
            for _, message in batch:
                metrics.HANDLER_DURATION.labels(self.service, self.event_type).observe(elapsed / len(batch))
                metrics.MESSAGES_CONSUMED.labels(self.service, self.event_type).inc()
                self.queue_consumer.ack_message(message)
        elif len(batch) == 1:
            self._retry_or_park(batch[0][1], exc_info)
        else:
            log.warning(
                "batch failed; its messages are handled one by one",
                extra={
                    "queue": self.queue.name,
                    "messages": len(batch),
                    "reason": "".join(traceback.format_exception_only(*exc_info[:2])).strip(),
                },
            )
            self._alone.extend(batch)
        self._busy = False
        self.container.spawn_managed_thread(self._next_batch, identifier=f"{self.queue.name}.next-batch")
        return result, exc_info


batch_handler = BatchingEventHandler.decorator


def _correlation_of(payload):
    return payload.get("correlation_id") if isinstance(payload, dict) else None
