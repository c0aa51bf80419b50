"""Tampering with the bus from outside the services: every event captured and delivered again, once or twice more,
in shuffled batches; and poison messages of several kinds published where healthy events go."""

import random
import socket
import uuid
from datetime import datetime, timezone

import eventlet
from kombu import Connection, Exchange, Producer, Queue
from nameko.standalone.events import get_event_exchange

from shared.events import new_event
from tests.faults.platform import SERVICES

# Marks the duplicator's own copies, which its capture queue sees too: copying them again would multiply the
# traffic without end.
COPY_HEADER = "x-fault-copy"


class Duplicator:
    """A queue of the test's own bound to every service's events exchange sees each event as the services do; each
    captured event is published again to its exchange one or two more times (so it is delivered two or three
    times), the copies of each batch shuffled, while new events keep flowing between them."""

    def __init__(self, amqp_uri: str, seed: int, batch_s: float = 2.0):
        self.amqp_uri = amqp_uri
        self.random = random.Random(seed)
        self.batch_s = batch_s
        self.captured = 0
        self.copies = 0
        self.by_type = {}
        self.stopping = False
        self.thread = None

    def start(self) -> None:
        self.connection = Connection(self.amqp_uri)
        channel = self.connection.channel()
        self.queue = Queue(
            f"fault-capture-{uuid.uuid4().hex[:8]}", exclusive=True, durable=False, auto_delete=True, bindings=[]
        )
        self.queue(channel).declare()
        for service in SERVICES:
            exchange = get_event_exchange(service, {})
            exchange(channel).declare()
            self.queue(channel).bind_to(exchange=exchange.name, routing_key="#")
        self.batch = []
        self.consumer = self.connection.Consumer(self.queue, callbacks=[self._capture], accept=["json"])
        self.consumer.consume()
        self.publisher = Connection(self.amqp_uri)
        self.producer = Producer(self.publisher.channel())
        self.thread = eventlet.spawn(self._run)

    def _capture(self, body, message) -> None:
        message.ack()
        if (message.headers or {}).get(COPY_HEADER):
            return
        self.batch.append(
            (
                message.delivery_info["exchange"],
                message.delivery_info["routing_key"],
                body,
                dict(message.headers or {}),
                message.properties.get("message_id"),
            )
        )
        self.captured += 1

    def _run(self) -> None:
        while True:
            deadline = eventlet.hubs.get_hub().clock() + self.batch_s
            while eventlet.hubs.get_hub().clock() < deadline:
                try:
                    self.connection.drain_events(timeout=0.5)
                except socket.timeout:
                    if self.stopping:
                        break
            self._republish()
            if self.stopping and not self.batch:
                return

    def _republish(self) -> None:
        batch, self.batch = self.batch, []
        copies = [item for item in batch for _ in range(self.random.choice((1, 2)))]
        self.random.shuffle(copies)
        for exchange, routing_key, body, headers, message_id in copies:
            self.producer.publish(
                body,
                exchange=exchange,
                routing_key=routing_key,
                headers={**headers, COPY_HEADER: 1},
                message_id=message_id,
                serializer="json",
                delivery_mode=2,
            )
            self.copies += 1
            self.by_type[routing_key] = self.by_type.get(routing_key, 0) + 1

    def stop(self) -> None:
        self.stopping = True
        self.thread.wait()
        self.connection.release()
        self.publisher.release()


def _envelope(event_type: str, payload: dict, version: int = 1) -> dict:
    return {
        "event_id": str(uuid.uuid4()),
        "event_type": event_type,
        "version": version,
        "occurred_at": datetime.now(timezone.utc).isoformat(),
        "correlation_id": "ord_poison",
        "payload": payload,
    }


class Poisoner:
    """Messages no handler can use, each marked so its dead letter is recognised: undecodable JSON, an unknown
    version, a payload that breaks its schema, a fact on the queue of another type, and a valid fact that the
    handler cannot apply (the cancellation of an order no one knows), which waits for its order, is retried once
    the wait is over, and then parked."""

    KINDS = ("undecodable", "unknown_version", "malformed", "wrong_type", "handler_fails")

    def __init__(self, amqp_uri: str):
        self.connection = Connection(amqp_uri)
        self.producer = Producer(self.connection.channel())
        self.sent: dict[str, tuple[str, str, str]] = {}

    def send_round(self) -> None:
        for kind in self.KINDS:
            mark, exchange, routing_key, body = getattr(self, kind)()
            encoding = (
                {"serializer": "json"}
                if isinstance(body, dict)
                else {"content_type": "application/json", "content_encoding": "utf-8"}
            )
            self.producer.publish(
                body,
                exchange=exchange,
                routing_key=routing_key,
                message_id=mark,
                delivery_mode=2,
                retry=True,
                declare=[Exchange(exchange, type="topic", durable=True)],
                **encoding,
            )
            self.sent[mark] = (kind, exchange, routing_key)

    def undecodable(self):
        mark = f"poison-{uuid.uuid4().hex}"
        return mark, "orders.events", "order.placed", f'{{"event_id": "{mark}", "payload": {{'.encode()

    def unknown_version(self):
        envelope = _envelope("quota.accepted", {"quota_id": "qta_poison"}, version=99)
        return envelope["event_id"], "aggregation.events", "quota.accepted", envelope

    def malformed(self):
        envelope = _envelope("lot.inspected", {"lot_id": 5, "passed": "perhaps"})
        return envelope["event_id"], "aggregation.events", "lot.inspected", envelope

    def wrong_type(self):
        event = new_event(
            "order.cancelled",
            {"order_id": "ord_poison", "reason": "poison on the wrong queue"},
            correlation_id="ord_poison",
        )
        return event.event_id, "orders.events", "order.placed", event.to_message()

    def handler_fails(self):
        event = new_event(
            "order.cancelled",
            {"order_id": f"ord_poison{uuid.uuid4().hex[:8]}", "reason": "an order nobody knows"},
            correlation_id="ord_poison",
        )
        return event.event_id, "orders.events", "order.cancelled", event.to_message()

    def close(self) -> None:
        self.connection.release()


def mark_of(letter) -> str | None:
    """The poison mark a dead letter carries: its event id, or the mark inside an undecodable body."""
    if isinstance(letter.body, dict):
        return letter.body.get("event_id")
    if isinstance(letter.body, str) and "poison-" in letter.body:
        start = letter.body.index("poison-")
        return letter.body[start : start + len("poison-") + 32]
    return letter.message_id
