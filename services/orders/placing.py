"""Placing an order: checked against the rules, recorded with its lines, announced; a retry with the same
Idempotency-Key answers the first order instead of placing another."""

import hashlib
import logging
from collections.abc import Callable
from datetime import date, datetime, timezone

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.orders import domain, exchange_rates, offerings
from services.orders.schemas import PlaceOrderInput
from services.orders.store import order_lines, orders
from services.orders.views import get_order
from shared.errors import Conflict, InvalidInput, load_or_refuse
from shared.events import new_event
from shared.ids import new_id
from shared.store import UnitOfWork

log = logging.getLogger(__name__)

# Built once: a marshmallow schema costs more to build than to use, and keeps nothing between loads.
_PLACE_ORDER_INPUT = PlaceOrderInput()

Promise = Callable[[list], str | None]


def no_promise(lines: list) -> None:
    """When nobody is asked for a delivery promise: the order is placed without one."""
    return None


def buyer_id_for(email: str) -> str:
    return "byr_" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:16]


def find_by_idempotency_key(
    session: Session,
    key: str,
    fingerprint: str | None,
    buyer_organisation_id: str | None = None,
    organisation_id: str | None = None,
) -> str | None:
    """The order first placed with this key and this body. Keys are unique across the platform: a key that another
    tenant (buyer organisation, or aggregator placing orders) used is refused rather than answered with that tenant's
    order; the same key with another body is a mistake of the client's, refused rather than answered with an order
    that is not the one it asked for."""
    found = session.execute(
        select(
            orders.c.order_id,
            orders.c.buyer_organisation_id,
            orders.c.organisation_id,
            orders.c.idempotency_fingerprint,
        ).where(orders.c.idempotency_key == key)
    ).one_or_none()
    if found is None:
        return None
    if found.buyer_organisation_id != buyer_organisation_id or (
        organisation_id is not None and found.organisation_id != organisation_id
    ):
        raise Conflict("this Idempotency-Key was used for another order; send a new key")
    if found.idempotency_fingerprint not in (None, fingerprint):
        raise InvalidInput(
            "order refused",
            {
                "Idempotency-Key": [
                    "this key was sent before with another body: a retry repeats the body, a new order needs a new key"
                ]
            },
        )
    return found.order_id


def lines_to_promise(session: Session, body: dict | None, organisation_id: str | None = None) -> list:
    """The offerings and quantities an order asks for, to ask allocation for a delivery promise before placing it;
    nothing when the order would be refused anyway."""
    try:
        data = _PLACE_ORDER_INPUT.load(body if body is not None else {})
    except ValidationError:
        return []
    known = offerings.published(session, {line["sku"] for line in data["lines"]}, organisation_id)
    return [
        {"offering_id": known[line["sku"]].offering_id, "quantity": line["quantity"]}
        for line in data["lines"]
        if line["sku"] in known
    ]


def place_and_show(
    uow: UnitOfWork,
    body: dict,
    idempotency_key: str | None = None,
    buyer_organisation_id: str | None = None,
    organisation_id: str | None = None,
    promise: Promise = no_promise,
    today: date | None = None,
) -> dict:
    """Place the order (or find the one first placed with this key) and show it. ``promise`` gives allocation's
    earliest delivery date (ISO) for the lines, or None when it could not tell; it is asked only of an order that
    may be placed."""
    lines = lines_to_promise(uow.session, body, organisation_id)
    promised = promise(lines) if lines else None
    order_id = place_order(
        uow,
        body,
        idempotency_key,
        today or datetime.now(timezone.utc).date(),
        promised,
        buyer_organisation_id,
        organisation_id,
    )
    return get_order(uow, order_id)


def show_replayed(
    uow: UnitOfWork,
    body: dict,
    idempotency_key: str,
    buyer_organisation_id: str | None = None,
    organisation_id: str | None = None,
) -> dict:
    """The order a concurrent request with the same key placed first (its insert won the race to the unique key)."""
    return get_order(
        uow,
        find_by_idempotency_key(
            uow.session, idempotency_key, domain.body_fingerprint(body), buyer_organisation_id, organisation_id
        ),
    )


def place_order(
    uow: UnitOfWork,
    body: dict,
    idempotency_key: str | None,
    today: date,
    promised: str | None = None,
    buyer_organisation_id: str | None = None,
    organisation_id: str | None = None,
) -> str:
    """Record the order and announce it; with a key already used, return the first order and create nothing.

    ``promised`` is allocation's earliest delivery date for these lines (ISO), None when it could not tell.
    ``buyer_organisation_id`` is the signed-in buyer's organisation; with ``organisation_id`` (an aggregator placing
    an order) only that organisation's offerings can be ordered: a SKU of another is not found, like an unknown one.
    """
    session = uow.session
    data = load_or_refuse(_PLACE_ORDER_INPUT, body, "order")
    fingerprint = domain.body_fingerprint(body) if idempotency_key else None
    if idempotency_key:
        existing = find_by_idempotency_key(
            session, idempotency_key, fingerprint, buyer_organisation_id, organisation_id
        )
        if existing:
            return existing
    known = offerings.published(session, [line["sku"] for line in data["lines"]], organisation_id)
    accepted = domain.accept_order(
        data["lines"],
        data["due_date"],
        today,
        {sku: offerings.terms(row) for sku, row in known.items()},
        scoped=organisation_id is not None,
    )
    currency = data["currency"] or accepted.currency
    rate = _rate(session, accepted, currency, today)
    prices = [known[line["sku"]].unit_price for line in data["lines"]]
    if rate is not None:
        prices = domain.converted_prices(prices, rate.rate, currency)

    promised_date = date.fromisoformat(promised) if promised else None
    now = datetime.now(timezone.utc)
    order_id = new_id("ord")
    lines = []
    for position, (line, unit_price) in enumerate(zip(data["lines"], prices)):
        offering = known[line["sku"]]
        lines.append(
            dict(
                line_id=new_id("lin"),
                order_id=order_id,
                position=position,
                offering_id=offering.offering_id,
                sku=offering.sku,
                quantity=line["quantity"],
                unit_price=unit_price,
            )
        )
    buyer, terms = data["buyer"], data["trade_terms"]
    exchange_rate = (
        None
        if rate is None
        else {
            "rate_id": rate.rate_id,
            "base_currency": accepted.currency,
            "quote_currency": currency,
            "rate": domain.plain(rate.rate),
            "rate_date": today,
        }
    )
    session.execute(
        orders.insert().values(
            order_id=order_id,
            buyer_id=buyer_id_for(buyer["email"]),
            buyer_name=buyer["name"],
            buyer_email=buyer["email"],
            buyer_organisation_id=buyer_organisation_id,
            organisation_id=accepted.organisation_id,
            destination=data["destination"],
            due_date=data["due_date"],
            promised_date=promised_date,
            status="placed",
            currency=currency,
            total=domain.order_total([(line["quantity"], line["unit_price"]) for line in lines]),
            incoterm=terms["incoterm"],
            named_place=terms["named_place"],
            transport_mode=terms["transport_mode"],
            exchange_rate_id=rate and rate.rate_id,
            exchange_base_currency=rate and accepted.currency,
            exchange_rate=rate and rate.rate,
            exchange_rate_date=rate and today,
            idempotency_key=idempotency_key,
            idempotency_fingerprint=fingerprint,
            placed_at=now,
            updated_at=now,
        )
    )
    session.execute(order_lines.insert(), lines)
    uow.emit(
        new_event(
            "order.placed",
            {
                "order_id": order_id,
                "organisation_id": accepted.organisation_id,
                "buyer": {
                    "buyer_id": buyer_id_for(buyer["email"]),
                    "name": buyer["name"],
                    "email": buyer["email"],
                    "organisation_id": buyer_organisation_id,
                },
                "destination": data["destination"],
                "due_date": data["due_date"],
                "promised_date": promised_date,
                "lines": [
                    {
                        "line_id": line["line_id"],
                        "offering_id": line["offering_id"],
                        "sku": line["sku"],
                        "quantity": line["quantity"],
                        "unit_price": line["unit_price"],
                    }
                    for line in lines
                ],
                "currency": currency,
                "trade_terms": terms,
                "exchange_rate": exchange_rate,
            },
            correlation_id=order_id,
        )
    )
    log.info("order placed", extra={"correlation_id": order_id, "lines": len(lines), "currency": currency})
    return order_id


def _rate(session: Session, accepted: domain.Acceptance, currency: str, today: date) -> domain.RecordedRate | None:
    """The rate an order in another currency than its offerings' is converted at: the one the organisation recorded
    for the day of placing (UTC); an order in the offerings' currency needs none."""
    if currency == accepted.currency:
        return None
    rate = exchange_rates.rate_for(session, accepted.organisation_id, accepted.currency, currency, today)
    if rate is None:
        raise InvalidInput(
            "order refused",
            {
                "currency": [
                    f"no exchange rate from {accepted.currency} to {currency} is recorded for {today.isoformat()}: "
                    f"order in {accepted.currency}, or ask the organisation to record one"
                ]
            },
        )
    return rate
