"""List and replay the dead-letter queue (pika: a plain blocking client suits a command line)."""

import json
from dataclasses import dataclass

import pika

from shared.messaging.deadletters import (
    ATTEMPTS_HEADER,
    DEAD_LETTER_QUEUE,
    PARKED_AT_HEADER,
    QUEUE_HEADER,
    REASON_HEADER,
)


@dataclass
class DeadLetter:
    position: int
    queue: str
    reason: str
    attempts: int
    parked_at: str
    body: object
    message_id: str | None

    def as_dict(self) -> dict:
        return {
            "position": self.position,
            "queue": self.queue,
            "reason": self.reason,
            "attempts": self.attempts,
            "dead_lettered_at": self.parked_at,
            "message_id": self.message_id,
            "body": self.body,
        }


def _connect(amqp_uri: str) -> pika.BlockingConnection:
    """The first broker that answers of those AMQP_URI names (a cluster's nodes, separated by ';')."""
    return pika.BlockingConnection([pika.URLParameters(uri) for uri in amqp_uri.split(";")])


def _decode(body: bytes):
    try:
        return json.loads(body)
    except ValueError:
        return body.decode("utf-8", "replace")


def _take_all(channel):
    """Every message of the queue, unacknowledged: closing the channel puts back what is not acked.

    Declaring the queue makes an empty one where nothing has failed yet, as the services would."""
    channel.queue_declare(DEAD_LETTER_QUEUE.name, durable=True)
    taken = []
    while True:
        method, properties, body = channel.basic_get(DEAD_LETTER_QUEUE.name, auto_ack=False)
        if method is None:
            return taken
        taken.append((method, properties, body))


def _letter(position, properties, body) -> DeadLetter:
    """Bilum's handlers say where and why they parked a message; the broker, parking one by a policy (a delivery
    limit), says it in its ``x-death`` header instead."""
    headers = properties.headers or {}
    death = (headers.get("x-death") or [{}])[0]
    return DeadLetter(
        position=position,
        queue=headers.get(QUEUE_HEADER) or _text(death.get("queue")) or "?",
        reason=headers.get(REASON_HEADER) or _text(death.get("reason")),
        attempts=int(headers.get(ATTEMPTS_HEADER) or death.get("count") or 0),
        parked_at=headers.get(PARKED_AT_HEADER) or _text(death.get("time")),
        body=_decode(body),
        message_id=properties.message_id or _event_id(body),
    )


def _text(value) -> str:
    if isinstance(value, bytes):
        return value.decode()
    return "" if value is None else str(value)


def _event_id(body: bytes):
    decoded = _decode(body)
    return decoded.get("event_id") if isinstance(decoded, dict) else None


def list_dead_letters(amqp_uri: str) -> list[DeadLetter]:
    connection = _connect(amqp_uri)
    try:
        channel = connection.channel()
        return [
            _letter(position, properties, body)
            for position, (_, properties, body) in enumerate(_take_all(channel), start=1)
        ]
    finally:
        connection.close()


def replay(amqp_uri: str, positions: set[int] | None = None) -> list[DeadLetter]:
    """Send dead letters back to the queue they failed on, with a fresh attempt count; None means all of them.

    Each is acked from the dead-letter queue only after the broker confirmed its copy.
    """
    connection = _connect(amqp_uri)
    replayed = []
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        for position, (method, properties, body) in enumerate(_take_all(channel), start=1):
            if positions is not None and position not in positions:
                continue
            letter = _letter(position, properties, body)
            headers = {
                key: value
                for key, value in (properties.headers or {}).items()
                if not key.startswith("x-bilum-") and key != "x-death"
            }
            channel.basic_publish(
                exchange="",
                routing_key=letter.queue,
                body=body,
                mandatory=True,
                properties=pika.BasicProperties(
                    content_type=properties.content_type,
                    delivery_mode=2,
                    message_id=properties.message_id,
                    headers=headers,
                ),
            )
            channel.basic_ack(method.delivery_tag)
            replayed.append(letter)
    finally:
        connection.close()
    return replayed
