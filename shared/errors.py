"""Errors a service's RPC can answer with; the gateway turns them into 4xx responses with the message."""

import json


class ServiceError(Exception):
    """Base of the expected errors: raised to the caller, never logged as a fault of the service."""


class InvalidInput(ServiceError):
    """Input refused by a schema or a business rule. ``str()`` is JSON: {"message": ..., "fields": {...}}."""

    def __init__(self, message: str, fields: dict | list | None = None):
        self.message = message
        self.fields = fields or {}
        super().__init__(json.dumps({"message": message, "fields": self.fields}))


class NotFound(ServiceError):
    pass


class Conflict(ServiceError):
    """The request is valid but the thing is not in a state that allows it (e.g. accepting a declined quota)."""


class Gone(ServiceError):
    """The thing was there and has ended for good (a revoked or expired link): asking again will not bring it back."""


class Unavailable(ServiceError):
    """A part the service needs (its database) cannot be reached for now: nothing was done, and asking again
    shortly may succeed. The gateway answers 503 with Retry-After."""


EXPECTED = (InvalidInput, NotFound, Conflict, Gone)


class NotYetKnown(LookupError):
    """An event refers to a fact that has not arrived yet: events on different queues overtake one another after a
    backlog. Waiting for it is not a failure, so the message is tried again later without spending its retry budget
    (``BILUM_WAIT_FOR_PRIOR_S``)."""


def load_or_refuse(schema, body, what: str, partial: bool = False) -> dict:
    """Validate outside input with a marshmallow schema; a refusal names every field that is wrong."""
    from marshmallow import ValidationError

    try:
        return schema.load(body if body is not None else {}, partial=partial)
    except ValidationError as error:
        raise InvalidInput(f"{what} refused", error.messages) from None
