"""Reliable messaging for nameko services: outbox relay, idempotent handlers, bounded retries, dead letters.

nameko acks an event handler's message after the worker finishes even when it raised, so a plain failed handler
loses its message. ``reliable_handler`` instead retries a failing message a bounded number of times (republishing it
to its own queue with an attempt counter) and then parks it in the dead-letter queue with the reason. A message that
breaks the event contract is parked at once: retrying cannot mend it. A message whose handler waits for a fact that
has not arrived yet (``NotYetKnown``) is tried again later without spending its retries. Nothing is acked before its
copy is confirmed, and an ack or requeue on a connection the broker already dropped is a no-op (the broker hands the
message out again), never a crash.
"""
import logging
import threading
import time
import traceback
from datetime import datetime, timezone
from functools import partial

import eventlet
from amqp import Message
from amqp.exceptions import ChannelError, ConnectionError as AmqpConnectionError
from kombu import Connection, Exchange, Queue
from nameko.amqp.publish import Publisher
from nameko.constants import AMQP_URI_CONFIG_KEY, PERSISTENT
from nameko.events import SERVICE_POOL, EventHandler
from nameko.exceptions import ContainerBeingKilled, UnknownService
from nameko.extensions import DependencyProvider
from nameko.messaging import Consumer, QueueConsumer
from nameko.rpc import Rpc, RpcConsumer
from nameko.standalone.events import get_event_exchange
from sqlalchemy import select

from shared import config, metrics
from shared.errors import NotYetKnown
from shared.events import Event, InvalidEvent, parse
from shared.store import Database

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
LONGEST_WAIT_PAUSE_S = 5.0

_QUICK_RETRY = {"max_retries": 3, "interval_start": 0.2, "interval_step": 0.5, "interval_max": 2}


def make_publisher(amqp_uri: str) -> Publisher:
    """Persistent messages, publisher confirms, a short retry: callers decide what a failure means."""
    return Publisher(amqp_uri, serializer="json", use_confirms=True, retry=True, retry_policy=_QUICK_RETRY)


def park(publisher: Publisher, body, *, queue: str, service: str, event_type: str, reason: str, attempts: int,
         headers: dict | None = None) -> None:
    """Put a message in the dead-letter queue with why and where it failed, so it can be listed and replayed."""
    parked_headers = {key: value for key, value in (headers or {}).items() if not key.startswith("x-bilum-")}
    parked_headers.update({
        REASON_HEADER: reason[:2000],
        QUEUE_HEADER: queue,
        SERVICE_HEADER: service,
        EVENT_TYPE_HEADER: event_type,
        ATTEMPTS_HEADER: attempts,
        PARKED_AT_HEADER: datetime.now(timezone.utc).isoformat(),
    })
    publisher.publish(body, exchange=DEAD_LETTER_EXCHANGE, routing_key=queue, headers=parked_headers,
                      declare=[DEAD_LETTER_EXCHANGE, DEAD_LETTER_QUEUE])
    metrics.MESSAGES_DEAD_LETTERED.labels(service, event_type).inc()
    log.error("message dead-lettered", extra={"queue": queue, "reason": reason, "attempts": attempts,
                                              "event_type": event_type})


# What an ack or requeue raises when the broker connection went away under it: a socket error, or the amqp library's
# own. nameko only tolerates the latter; the former, raised in a worker's result handler, kills the whole container.
_LOST_CONNECTION = (OSError, AmqpConnectionError, ChannelError)


class TolerantQueueConsumer(QueueConsumer):
    """A queue consumer that survives acking on a connection the broker has reset: the broker already took the
    message back and delivers it again (an event handler's inbox absorbs the copy)."""

    def ack_message(self, message):
        try:
            super().ack_message(message)
        except _LOST_CONNECTION as error:
            log.warning("ack on a lost broker connection: the message will be delivered again",
                        extra={"error": repr(error)})

    def requeue_message(self, message):
        try:
            super().requeue_message(message)
        except _LOST_CONNECTION as error:
            log.warning("requeue on a lost broker connection: the broker takes the message back itself",
                        extra={"error": repr(error)})


class DeadLetteringQueueConsumer(TolerantQueueConsumer):
    """A queue consumer that parks a message it cannot even decode instead of dying on it."""

    def get_consumers(self, consumer_cls, channel):
        consumers = super().get_consumers(consumer_cls, channel)
        for provider, consumer in self._consumers.items():
            consumer.on_decode_error = partial(self._park_undecodable, provider)
        return consumers

    def _park_undecodable(self, provider, message, error):
        provider.park_undecodable(message, error)


class _TolerantRpcConsumer(RpcConsumer):
    queue_consumer = TolerantQueueConsumer()


class ResilientRpc(Rpc):
    """nameko's RPC entrypoint, except that a reply it cannot send (the broker connection went away while the
    worker ran) is logged instead of killing the whole service. The request is acknowledged all the same: the work
    was done, and the caller, which never hears back, asks again after its deadline."""

    rpc_consumer = _TolerantRpcConsumer()

    def handle_result(self, message, worker_ctx, result, exc_info):
        try:
            return super().handle_result(message, worker_ctx, result, exc_info)
        except Exception:
            log.exception("could not send an RPC reply", extra={"method": worker_ctx.entrypoint.method_name})
            self.rpc_consumer.queue_consumer.ack_message(message)
            return result, exc_info


rpc = ResilientRpc.decorator


class ResilientConsumer(Consumer):
    """nameko's ``consume`` on a queue consumer that survives acking on a reset connection."""

    queue_consumer = TolerantQueueConsumer()


consume = ResilientConsumer.decorator


class ReliableEventHandler(EventHandler):
    queue_consumer = DeadLetteringQueueConsumer()

    def __init__(self, source_service, event_type, expected_exceptions=(), **kwargs):
        # A fact that has not arrived yet is a wait, not a fault: nameko logs it as expected (a warning), not as an
        # error an operator should chase.
        expected = expected_exceptions if isinstance(expected_exceptions, tuple) else (expected_exceptions,)
        super().__init__(source_service, event_type, handler_type=SERVICE_POOL, reliable_delivery=True,
                         requeue_on_error=False, expected_exceptions=(*expected, NotYetKnown), **kwargs)

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
                self, (event,), {}, context_data={"correlation_id": event.correlation_id},
                handle_result=partial(self.handle_result, message, started))
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
            log.info("waiting for an earlier fact", extra={"queue": self.queue.name, "waits": waits + 1,
                                                           "reason": reason,
                                                           "correlation_id": _correlation_of(message.payload)})
            pause = min(LONGEST_WAIT_PAUSE_S, self.retry_backoff_s * 2 ** min(waits, 8))
        else:
            metrics.MESSAGES_FAILED.labels(self.service, self.event_type).inc()
            attempts = int(headers.get(ATTEMPTS_HEADER, 1))
            log.warning("handler failed", extra={"queue": self.queue.name, "attempt": attempts, "reason": reason,
                                                 "correlation_id": _correlation_of(message.payload)})
            if attempts >= self.max_attempts:
                self._settle(message, partial(park, self.publisher, message.payload, queue=self.queue.name,
                                              service=self.service, event_type=self.event_type, reason=reason,
                                              attempts=attempts, headers=headers))
                return
            headers[ATTEMPTS_HEADER] = attempts + 1
            pause = self.retry_backoff_s * attempts
        # The pause runs in a thread of its own: a worker (and a batching handler's next batch) is not held up.
        self.container.spawn_managed_thread(
            partial(self._settle, message, partial(self.publisher.publish, message.payload, exchange="",
                                                   routing_key=self.queue.name, headers=headers), pause),
            identifier=f"{self.queue.name}.retry")

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
        self._settle(message, partial(park, self.publisher, body, queue=self.queue.name, service=self.service,
                                      event_type=self.event_type, reason=reason, attempts=1, headers=message.headers))

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
            batch, self._waiting = self._waiting[:self.max_batch], self._waiting[self.max_batch:]
        self._busy = True
        started = time.perf_counter()
        try:
            self.container.spawn_worker(
                self, ([event for event, _ in batch],), {},
                context_data={"correlation_id": batch[0][0].correlation_id},
                handle_result=partial(self._batch_done, batch, started))
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
            log.warning("batch failed; its messages are handled one by one",
                        extra={"queue": self.queue.name, "messages": len(batch),
                               "reason": "".join(traceback.format_exception_only(*exc_info[:2])).strip()})
            self._alone.extend(batch)
        self._busy = False
        self.container.spawn_managed_thread(self._next_batch, identifier=f"{self.queue.name}.next-batch")
        return result, exc_info


batch_handler = BatchingEventHandler.decorator


def _correlation_of(payload):
    return payload.get("correlation_id") if isinstance(payload, dict) else None


class BatchNotConfirmed(RuntimeError):
    """The broker did not confirm every message of a batch: none of it counts as published."""


class ConfirmedBatchPublisher:
    """Publishes a batch of persistent messages, then waits once for the broker's confirms of all of them.

    Waiting for each confirm in turn (nameko's ``Publisher``) costs a round trip to the broker per message, which
    caps a relay at a few hundred events a second; confirms of a whole batch arrive together. A batch counts as
    published only when every message in it is confirmed: a nack, a timeout or a lost connection raises, and the
    connection is dropped, to be opened afresh for the next batch.
    """

    def __init__(self, amqp_uri: str, exchange: Exchange, confirm_timeout_s: float = 30.0):
        self.amqp_uri = amqp_uri
        self.exchange = exchange
        self.confirm_timeout_s = confirm_timeout_s
        self._connection = None
        self._channel = None
        self._published = 0
        self._unconfirmed: set[int] = set()
        self._nacked = False

    def _open(self) -> None:
        connection = Connection(self.amqp_uri, connect_timeout=5)
        connection.ensure_connection(max_retries=1)
        channel = connection.channel()
        self.exchange(channel).declare()
        channel.confirm_select()
        channel.events["basic_ack"].add(self._on_ack)
        channel.events["basic_nack"].add(self._on_nack)
        self._connection, self._channel = connection, channel
        self._published = 0
        self._unconfirmed = set()
        self._nacked = False

    def _settled(self, tag: int, multiple: bool) -> None:
        if multiple:
            self._unconfirmed = {pending for pending in self._unconfirmed if pending > tag}
        else:
            self._unconfirmed.discard(tag)

    def _on_ack(self, tag, multiple):
        self._settled(tag, multiple)

    def _on_nack(self, tag, multiple):
        self._nacked = True
        self._settled(tag, multiple)

    def publish_all(self, messages: list[tuple[str, str, str]]) -> None:
        """``messages`` are ``(JSON text, routing_key, message_id)``, published as they are (the outbox keeps the
        JSON a consumer decodes); returns once the broker confirmed every one."""
        if not messages:
            return
        try:
            if self._connection is None:
                self._open()
            with eventlet.Timeout(self.confirm_timeout_s, BatchNotConfirmed(
                    f"no confirm of {len(messages)} messages within {self.confirm_timeout_s:g} s")):
                for body, routing_key, message_id in messages:
                    self._channel.basic_publish(
                        Message(body.encode("utf-8"), content_type="application/json", content_encoding="utf-8",
                                delivery_mode=PERSISTENT, priority=0, message_id=message_id, headers={}),
                        exchange=self.exchange.name, routing_key=routing_key)
                    self._published += 1
                    self._unconfirmed.add(self._published)
                while self._unconfirmed:
                    self._connection.drain_events(timeout=self.confirm_timeout_s)
            if self._nacked:
                raise BatchNotConfirmed("the broker refused (nacked) a message of the batch")
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        connection, self._connection, self._channel = self._connection, None, None
        if connection is not None:
            try:
                connection.close()
            except Exception:
                log.debug("closing the relay's broker connection failed", exc_info=True)


class OutboxRelay:
    """Publishes a service's committed outbox rows to its events exchange, where nameko's event handlers listen.

    A row is deleted only after the broker confirmed it, so a crash publishes it again (the inbox absorbs the
    duplicate) and a broker outage only delays. Replicas share the work: rows are taken with SKIP LOCKED. Rows go
    out a batch at a time with one wait for the confirms of the whole batch, and are deleted in one statement.
    """

    def __init__(self, database: Database, amqp_uri: str, batch: int | None = None,
                 interval_s: float | None = None):
        settings = config.messaging()
        self.database = database
        self.exchange = get_event_exchange(database.service, {})
        self.publisher = ConfirmedBatchPublisher(amqp_uri, self.exchange)
        self.batch = batch or settings.relay_batch
        self.interval_s = interval_s if interval_s is not None else settings.relay_interval_s
        self._wake = threading.Event()
        self._stopped = threading.Event()
        database.after_commit_hooks.append(self._wake.set)

    def publish_pending(self) -> int:
        outbox = self.database.outbox
        with self.database.transaction() as session:
            rows = session.execute(
                select(outbox.c.id, outbox.c.event_id, outbox.c.event_type, outbox.c.body)
                .order_by(outbox.c.id).limit(self.batch).with_for_update(skip_locked=True)
            ).all()
            try:
                if not rows:
                    return 0
                self.publisher.publish_all([(row.body, row.event_type, row.event_id) for row in rows])
                session.execute(outbox.delete().where(outbox.c.id.in_([row.id for row in rows])))
                for row in rows:
                    metrics.EVENTS_PUBLISHED.labels(self.database.service, row.event_type).inc()
            finally:
                session.info["outbox_rows"] = 0
        return len(rows)

    def run(self) -> None:
        try:
            self._run()
        finally:
            self.publisher.close()

    def _run(self) -> None:
        failures = 0
        last_gauge = 0.0
        while not self._stopped.is_set():
            try:
                published = self.publish_pending()
                failures = 0
            except Exception as error:
                failures += 1
                published = 0
                log.warning("outbox relay could not publish; will retry", extra={"error": str(error),
                                                                                   "failures": failures})
            now = time.monotonic()
            if now - last_gauge > 1.0:
                self._update_gauges()
                last_gauge = now
            if published >= self.batch:
                continue
            delay = self.interval_s if not failures else min(5.0, 0.5 * 2 ** min(failures, 4))
            self._wake.wait(delay)
            self._wake.clear()

    def stop(self) -> None:
        self._stopped.set()
        self._wake.set()

    def _update_gauges(self) -> None:
        try:
            backlog, oldest = self.database.outbox_backlog()
        except Exception:
            log.warning("outbox backlog unreadable", exc_info=True)
            return
        metrics.OUTBOX_BACKLOG.labels(self.database.service).set(backlog)
        metrics.OUTBOX_OLDEST_AGE.labels(self.database.service).set(oldest)


class ServiceDatabase(DependencyProvider):
    """The service's Database as a nameko dependency, with its outbox relay running beside the workers."""

    def __init__(self, outbox, inbox):
        self.outbox = outbox
        self.inbox = inbox

    def setup(self):
        service = self.container.service_name
        self.database = Database(service, self.outbox, self.inbox)
        self.relay = OutboxRelay(self.database, self.container.config[AMQP_URI_CONFIG_KEY])

    def start(self):
        self._relay_thread = self.container.spawn_managed_thread(self.relay.run, identifier="outbox-relay")

    def stop(self):
        self.relay.stop()
        self._relay_thread.wait()
        self.database.engine.dispose()

    def kill(self):
        self.relay.stop()

    def get_dependency(self, worker_ctx):
        return WorkerDatabase(self.database, f"{worker_ctx.service_name}.{worker_ctx.entrypoint.method_name}")


class WorkerDatabase:
    """The service's Database as one worker sees it: its inbox entries are named after the handler it runs, a name
    that is stable across restarts and replicas and distinct per handler."""

    def __init__(self, database: Database, consumer: str):
        self._database = database
        self.consumer = consumer

    def __getattr__(self, name):
        return getattr(self._database, name)

    def handle_once(self, event, effect):
        return self._database.handle_once(self.consumer, event, effect)

    def handle_batch(self, events, effect):
        return self._database.handle_batch(self.consumer, events, effect)


class NoAnswer(RuntimeError):
    """The service asked did not answer within the deadline, or is not running."""


def ask(proxy, method: str, *args, timeout_s: float | None = None):
    """An RPC to another service that gives up after a deadline (nameko's own calls wait for ever). The service's
    own refusals come back as nameko's ``RemoteError``."""
    deadline_s = timeout_s if timeout_s is not None else config.messaging().rpc_timeout_s
    try:
        reply = getattr(proxy, method).call_async(*args)
        with eventlet.Timeout(deadline_s):
            return reply.result()
    except eventlet.Timeout:
        raise NoAnswer(f"{proxy.service_name} did not answer {method} within {deadline_s:g} s") from None
    except UnknownService:
        raise NoAnswer(f"{proxy.service_name} is not running") from None
