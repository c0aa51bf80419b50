"""A buyer's request for a quote from a shared catalogue, told to the organisation that published it: who asks and
from which company and country, how to answer them, what and how many they would like, and their message.

The organisation hears it as an aggregator does (its contact, on its channels: e-mail first); an organisation
without a contact is told nothing, and the request waits in its list of quote requests."""

from collections.abc import Mapping
from datetime import datetime, timezone

from services.notification.domain import Notice
from services.notification.queueing import enqueue_all
from shared.events import Event
from shared.store import UnitOfWork


def _now() -> datetime:
    return datetime.now(timezone.utc)


def quote_notice(event_id: str, request: Mapping) -> Notice:
    """The notice of one request (``QuoteRequestedV1``), keyed by its event."""
    company = f"{request['company']}, {request['country']}" if request["country"] else request["company"]
    values = {
        "requester": request["name"],
        "company": company,
        "reply_to": " / ".join(address for address in (request["email"], request["phone"]) if address),
        "items": [f"{item['quantity']} x {item['name']} ({item['sku']})" for item in request["items"]],
        "message": request["message"].strip() or "-",
        "title": request["title"],
    }
    return Notice(request["organisation_id"], "aggregator_quote_requested", event_id, request["request_id"], values)


def quote_requested(uow: UnitOfWork, event: Event) -> list[str]:
    return enqueue_all(uow.session, [quote_notice(event.event_id, event.payload)], _now())
