"""Events on the bus: the envelope, making an event, and parsing one, against the contract in ``shared.contract``.

A message on the bus is an envelope: ``event_id`` (UUID), ``event_type``, ``version``, ``occurred_at`` (aware UTC),
``correlation_id`` (the order id, or the shipment id for facts about a shipment that serves many orders) and
``payload``, which the schema of ``(event_type, version)`` validates. The contract is the only coupling between
services.
"""

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache

from marshmallow import Schema, ValidationError, fields, validate

from shared.contract import CONTRACT, EventSpec


def spec_for(event_type: str, version: int = 1) -> EventSpec:
    try:
        return CONTRACT[(event_type, version)]
    except KeyError:
        raise InvalidEvent(f"unknown event {event_type!r} version {version!r}") from None


@lru_cache(maxsize=None)
def _schema(event_type: str, version: int) -> Schema:
    """One schema instance per event type and version: building a marshmallow schema costs more than using it, and
    an instance keeps no state between loads and dumps."""
    return spec_for(event_type, version).schema()


class InvalidEvent(ValueError):
    """A message that does not honour the contract: it is dead-lettered with this reason, never retried."""


class EnvelopeSchema(Schema):
    event_id = fields.UUID(required=True)
    event_type = fields.String(required=True)
    version = fields.Integer(required=True, strict=True)
    occurred_at = fields.AwareDateTime(required=True)
    correlation_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    payload = fields.Dict(required=True)


_ENVELOPE = EnvelopeSchema()


@dataclass(frozen=True)
class Event:
    event_type: str
    payload: dict
    correlation_id: str
    event_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    version: int = 1
    occurred_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    # The payload as the bus carries it, when ``new_event`` has already made it to check it.
    wire_payload: dict | None = field(default=None, compare=False, repr=False)

    def to_message(self) -> dict:
        """The JSON body on the bus."""
        payload = self.wire_payload
        if payload is None:
            payload = _schema(self.event_type, self.version).dump(self.payload)
        return {
            "event_id": self.event_id,
            "event_type": self.event_type,
            "version": self.version,
            "occurred_at": self.occurred_at.isoformat(),
            "correlation_id": self.correlation_id,
            "payload": payload,
        }


def new_event(event_type: str, payload: dict, correlation_id: str, version: int = 1) -> Event:
    """Make an event, refusing a payload that its own schema would refuse on the consumer side."""
    schema = _schema(event_type, version)
    wire = schema.dump(payload)
    errors = schema.validate(wire)
    if errors:
        raise InvalidEvent(f"{event_type} v{version} payload invalid: {errors}")
    return Event(
        event_type=event_type, payload=payload, correlation_id=str(correlation_id), version=version, wire_payload=wire
    )


def parse(body) -> Event:
    """Validate a message from the bus into an Event whose payload has Python types (Decimal, date, datetime)."""
    if not isinstance(body, dict):
        raise InvalidEvent(f"message body is {type(body).__name__}, not a JSON object")
    try:
        envelope = _ENVELOPE.load(body)
    except ValidationError as error:
        raise InvalidEvent(f"envelope invalid: {error.messages}") from None
    spec = spec_for(envelope["event_type"], envelope["version"])
    try:
        payload = _schema(spec.event_type, spec.version).load(envelope["payload"])
    except ValidationError as error:
        raise InvalidEvent(f"{spec.event_type} v{spec.version} payload invalid: {error.messages}") from None
    return Event(
        event_type=spec.event_type,
        version=spec.version,
        payload=payload,
        correlation_id=envelope["correlation_id"],
        event_id=str(envelope["event_id"]),
        occurred_at=envelope["occurred_at"].astimezone(timezone.utc),
    )
