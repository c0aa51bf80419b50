"""Use cases of the orders service: each runs inside one transaction given by the caller."""
import hashlib
import logging
from datetime import date, datetime, timezone

from marshmallow import ValidationError
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from services.orders import domain
from services.orders.schemas import CancelInput, PlaceOrderInput
from services.orders.store import offerings, order_lines, orders
from shared.errors import Conflict, InvalidInput, NotFound, load_or_refuse
from shared.events import Event, new_event
from shared.ids import new_id
from shared.store import Database, page_of, paged, upsert

log = logging.getLogger(__name__)


# Built once: a marshmallow schema costs more to build than to use, and keeps nothing between loads.
_PLACE_ORDER_INPUT = PlaceOrderInput()


def buyer_id_for(email: str) -> str:
    return "byr_" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:16]


def find_by_idempotency_key(session: Session, key: str, fingerprint: str, buyer_organisation_id: str | None = None,
                            organisation_id: str | None = None) -> str | None:
    """The order first placed with this key and this body. Keys are unique across the platform: a key that another
    tenant (buyer organisation, or aggregator placing orders) used is refused rather than answered with that tenant's
    order; the same key with another body is a mistake of the client's, refused rather than answered with an order
    that is not the one it asked for."""
    found = session.execute(select(orders.c.order_id, orders.c.buyer_organisation_id, orders.c.organisation_id,
                                   orders.c.idempotency_fingerprint)
                            .where(orders.c.idempotency_key == key)).one_or_none()
    if found is None:
        return None
    if found.buyer_organisation_id != buyer_organisation_id or (
            organisation_id is not None and found.organisation_id != organisation_id):
        raise Conflict("this Idempotency-Key was used for another order; send a new key")
    if found.idempotency_fingerprint not in (None, fingerprint):
        raise InvalidInput("order refused", {"Idempotency-Key": [
            "this key was sent before with another body: a retry repeats the body, a new order needs a new key"]})
    return found.order_id


def _offerings_of(organisation_id: str | None) -> list:
    """Conditions that keep an organisation's caller to its own offerings: others' are as if unknown."""
    return [] if organisation_id is None else [offerings.c.organisation_id == organisation_id]


def lines_to_promise(session: Session, body: dict, organisation_id: str | None = None) -> list:
    """The offerings and quantities an order asks for, to ask allocation for a delivery promise before placing it;
    nothing when the order would be refused anyway."""
    try:
        data = _PLACE_ORDER_INPUT.load(body if body is not None else {})
    except ValidationError:
        return []
    skus = {line["sku"] for line in data["lines"]}
    known = dict(session.execute(select(offerings.c.sku, offerings.c.offering_id)
                                 .where(offerings.c.sku.in_(skus), *_offerings_of(organisation_id))).all())
    return [{"offering_id": known[line["sku"]], "quantity": line["quantity"]}
            for line in data["lines"] if line["sku"] in known]


def place_order(db: Database, session: Session, body: dict, idempotency_key: str | None, today: date,
                promised: str | None = None, buyer_organisation_id: str | None = None,
                organisation_id: str | None = None) -> str:
    """Record the order and announce it; with a key already used, return the first order and create nothing.

    ``promised`` is allocation's earliest delivery date for these lines (ISO), None when it could not tell.
    ``buyer_organisation_id`` is the signed-in buyer's organisation; with ``organisation_id`` (an aggregator placing
    an order) only that organisation's offerings can be ordered: a SKU of another is not found, like an unknown one.
    """
    data = load_or_refuse(_PLACE_ORDER_INPUT, body, "order")
    fingerprint = domain.body_fingerprint(body) if idempotency_key else None
    if idempotency_key:
        existing = find_by_idempotency_key(session, idempotency_key, fingerprint, buyer_organisation_id,
                                           organisation_id)
        if existing:
            return existing
    if data["due_date"] <= today:
        raise InvalidInput("order refused", {"due_date": ["must be after today"]})
    skus = [line["sku"] for line in data["lines"]]
    duplicates = sorted({sku for sku in skus if skus.count(sku) > 1})
    if duplicates:
        raise InvalidInput("order refused", {"lines": [f"each sku once per order: {', '.join(duplicates)}"]})
    known = {row.sku: row for row in session.execute(select(offerings).where(
        offerings.c.sku.in_(skus), *_offerings_of(organisation_id)))}
    unknown = {str(i): {"sku": ["no published offering has this sku"]}
               for i, line in enumerate(data["lines"]) if line["sku"] not in known}
    if unknown and organisation_id is not None:
        raise NotFound("no published offering of the organisation has sku "
                       + ", ".join(sorted({line["sku"] for line in data["lines"] if line["sku"] not in known})))
    if unknown:
        raise InvalidInput("order refused", {"lines": unknown})
    organisation, mixed = domain.order_organisation([known[sku].organisation_id for sku in skus])
    if mixed:
        raise InvalidInput(f"order refused: {domain.ONE_ORGANISATION}", {"lines": mixed})
    too_few = {str(i): {"quantity": [f"the minimum order of {line['sku']} is {known[line['sku']].min_order}"]}
               for i, line in enumerate(data["lines"]) if line["quantity"] < known[line["sku"]].min_order}
    if too_few:
        raise InvalidInput("order refused", {"lines": too_few})
    currencies = {known[sku].currency for sku in skus}
    if len(currencies) > 1:
        raise InvalidInput("order refused", {"lines": ["all lines of an order are priced in one currency"]})

    promised_date = date.fromisoformat(promised) if promised else None
    now = datetime.now(timezone.utc)
    order_id = new_id("ord")
    lines = []
    for position, line in enumerate(data["lines"]):
        offering = known[line["sku"]]
        lines.append(dict(line_id=new_id("lin"), order_id=order_id, position=position,
                          offering_id=offering.offering_id, sku=offering.sku, quantity=line["quantity"],
                          unit_price=offering.unit_price))
    buyer = data["buyer"]
    session.execute(orders.insert().values(
        order_id=order_id, buyer_id=buyer_id_for(buyer["email"]), buyer_name=buyer["name"],
        buyer_email=buyer["email"], buyer_organisation_id=buyer_organisation_id, organisation_id=organisation,
        destination=data["destination"], due_date=data["due_date"],
        promised_date=promised_date, status="placed",
        currency=currencies.pop(),
        total=domain.order_total([(line["quantity"], line["unit_price"]) for line in lines]),
        idempotency_key=idempotency_key, idempotency_fingerprint=fingerprint, placed_at=now, updated_at=now,
    ))
    session.execute(order_lines.insert(), lines)
    db.emit(session, new_event("order.placed", {
        "order_id": order_id, "organisation_id": organisation,
        "buyer": {"buyer_id": buyer_id_for(buyer["email"]), "name": buyer["name"], "email": buyer["email"],
                  "organisation_id": buyer_organisation_id},
        "destination": data["destination"],
        "due_date": data["due_date"],
        "promised_date": promised_date,
        "lines": [{"line_id": line["line_id"], "offering_id": line["offering_id"], "sku": line["sku"],
                   "quantity": line["quantity"]} for line in lines],
    }, correlation_id=order_id))
    log.info("order placed", extra={"correlation_id": order_id, "lines": len(lines)})
    return order_id


def record_offering(session: Session, event: Event) -> None:
    payload = event.payload
    upsert(session, offerings, {"offering_id": payload["offering_id"]},
           {key: payload[key] for key in ("sku", "name", "unit_price", "currency", "min_order", "organisation_id")})


def _lock_order(session: Session, order_id: str) -> None:
    """Every change to an order's ledger takes the order's row lock first: one lock, so no deadlock between
    handlers that touch the same order's lines."""
    if session.execute(select(orders.c.order_id).where(orders.c.order_id == order_id)
                       .with_for_update()).scalar() is None:
        raise NotFound(f"order {order_id} not found")


def _ledgers(session: Session, order_id: str):
    _lock_order(session, order_id)
    return session.execute(select(order_lines).where(order_lines.c.order_id == order_id)
                           .order_by(order_lines.c.position)).all()


def move_units(db: Database, session: Session, order_id: str, movements: list[tuple[str, str, int]]) -> None:
    """Apply ``(line_id, stage, units)`` movements to an order's ledger and announce a change of status."""
    rows = {row.line_id: row for row in _ledgers(session, order_id)}
    ledgers = {line_id: domain.LineLedger(ordered=row.quantity, **{s: getattr(row, s) for s in domain.LEDGER_STAGES})
               for line_id, row in rows.items()}
    for line_id, stage, units in movements:
        if line_id not in ledgers:
            raise NotFound(f"line {line_id} is not in order {order_id}")
        ledgers[line_id].add(stage, units)
    for line_id, ledger in ledgers.items():
        values = {stage: getattr(ledger, stage) for stage in domain.LEDGER_STAGES}
        session.execute(update(order_lines).where(order_lines.c.line_id == line_id).values(**values))
    _refresh_status(db, session, order_id, list(ledgers.values()))


def apply_to_ledger(db: Database, session: Session, event: Event) -> None:
    apply_all_to_ledger(db, session, [event])


def apply_all_to_ledger(db: Database, session: Session, events: list[Event]) -> None:
    """Move the units the facts move, order by order in a fixed sequence (one fact can concern several orders, and
    facts handled together lock each order once)."""
    by_order = {}
    for event in events:
        for order_id, line_id, stage, units in domain.ledger_movements(event.event_type, event.payload):
            by_order.setdefault(order_id, []).append((line_id, stage, units))
    for order_id, movements in sorted(by_order.items()):
        move_units(db, session, order_id, movements)


def record_shortfalls(session: Session, events: list[Event]) -> None:
    """``record_shortfall`` of facts handled together, order by order in a fixed sequence (no deadlock with the
    ledger's handlers, which lock orders in the same sequence)."""
    for event in sorted(events, key=lambda event: (event.payload["order_id"], event.occurred_at)):
        record_shortfall(session, event)


def record_shortfall(session: Session, event: Event) -> None:
    """The latest allocation's shortfall per line wins, whatever order the events arrive in."""
    _lock_order(session, event.payload["order_id"])
    lines = event.payload["lines"] if event.event_type == "order.allocated" else [event.payload]
    for line in lines:
        session.execute(
            update(order_lines)
            .where(order_lines.c.line_id == line["line_id"])
            .where((order_lines.c.shortfall_as_of.is_(None)) | (order_lines.c.shortfall_as_of < event.occurred_at))
            .values(shortfall=line["shortfall"], shortfall_as_of=event.occurred_at))


def cancel_order(db: Database, session: Session, order_id: str, body: dict) -> dict:
    """Stop an order before it ships: allocation releases its quotas and the producers are told."""
    reason = load_or_refuse(CancelInput(), body, "cancellation")["reason"]
    _lock_order(session, order_id)
    status = session.execute(select(orders.c.status).where(orders.c.order_id == order_id)).scalar_one()
    if status == "cancelled":
        return get_order(session, order_id)
    if status not in domain.CANCELLABLE:
        raise Conflict(f"order {order_id} is {status}; only an order not yet shipped can be cancelled")
    session.execute(update(orders).where(orders.c.order_id == order_id).values(
        status="cancelled", cancel_reason=reason, updated_at=datetime.now(timezone.utc)))
    db.emit(session, new_event("order.cancelled", {"order_id": order_id, "reason": reason},
                               correlation_id=order_id))
    db.emit(session, new_event("order.status_changed", {"order_id": order_id, "previous_status": status,
                                                        "status": "cancelled"}, correlation_id=order_id))
    log.info("order cancelled", extra={"correlation_id": order_id, "reason": reason})
    return get_order(session, order_id)


def _refresh_status(db: Database, session: Session, order_id: str, ledgers) -> None:
    current = session.execute(select(orders.c.status).where(orders.c.order_id == order_id)).scalar_one()
    status = domain.derive_status(ledgers)
    if status == current or current == "cancelled":
        return
    session.execute(update(orders).where(orders.c.order_id == order_id)
                    .values(status=status, updated_at=datetime.now(timezone.utc)))
    db.emit(session, new_event("order.status_changed",
                               {"order_id": order_id, "previous_status": current, "status": status},
                               correlation_id=order_id))
    log.info("order status changed", extra={"correlation_id": order_id, "from": current, "to": status})


def _line_view(row) -> dict:
    return {
        "line_id": row.line_id, "offering": row.sku, "offering_id": row.offering_id,
        "unit_price": str(row.unit_price), "ordered": row.quantity,
        **{stage: getattr(row, stage) for stage in domain.LEDGER_STAGES},
        "shortfall": row.shortfall,
    }


def _order_view(order, lines) -> dict:
    return {
        "id": order.order_id, "status": order.status, "organisation_id": order.organisation_id,
        "buyer": {"id": order.buyer_id, "name": order.buyer_name, "email": order.buyer_email,
                  "organisation_id": order.buyer_organisation_id},
        "destination": order.destination, "due_date": order.due_date.isoformat(),
        "promised_date": order.promised_date.isoformat() if order.promised_date else None,
        "cancel_reason": order.cancel_reason,
        "currency": order.currency, "total": str(order.total),
        "placed_at": order.placed_at.isoformat(), "updated_at": order.updated_at.isoformat(),
        "lines": [_line_view(line) for line in lines],
    }


def get_order(session: Session, order_id: str) -> dict:
    order = session.execute(select(orders).where(orders.c.order_id == order_id)).one_or_none()
    if order is None:
        raise NotFound(f"order {order_id} not found")
    lines = session.execute(select(order_lines).where(order_lines.c.order_id == order_id)
                            .order_by(order_lines.c.position)).all()
    return _order_view(order, lines)


def list_orders(session: Session, page: int, page_size: int, status: str | None = None,
                organisation_id: str | None = None, buyer_organisation_id: str | None = None) -> dict:
    """A page of orders, newest first; the organisation filters keep a tenant to its own (the aggregator's, or the
    buyer's)."""
    conditions = [orders.c.status == status] if status else []
    if organisation_id is not None:
        conditions.append(orders.c.organisation_id == organisation_id)
    if buyer_organisation_id is not None:
        conditions.append(orders.c.buyer_organisation_id == buyer_organisation_id)
    page_orders, total = page_of(session, orders, conditions, (orders.c.placed_at.desc(), orders.c.order_id),
                                 page, page_size)
    ids = [order.order_id for order in page_orders]
    lines = {}
    for line in session.execute(select(order_lines).where(order_lines.c.order_id.in_(ids))
                                .order_by(order_lines.c.position)):
        lines.setdefault(line.order_id, []).append(line)
    return paged([_order_view(order, lines.get(order.order_id, [])) for order in page_orders], page, page_size,
                 total)


def summary(session: Session, organisation_id: str | None = None, recent: int = 10, today: date | None = None) -> dict:
    """Figures for the fulfilment dashboard: every order's, or one aggregator organisation's only. The units (and so
    the fill rate) leave cancelled orders out: their units will never be delivered, and were never meant to be."""
    today = today or datetime.now(timezone.utc).date()
    mine = [orders.c.organisation_id == organisation_id] if organisation_id else []
    by_status = {status: 0 for status in domain.STATUSES}
    for status, count in session.execute(select(orders.c.status, func.count()).where(*mine)
                                         .group_by(orders.c.status)):
        by_status[status] = count
    sums = session.execute(select(
        func.coalesce(func.sum(order_lines.c.quantity), 0),
        *[func.coalesce(func.sum(getattr(order_lines.c, stage)), 0) for stage in domain.LEDGER_STAGES],
    ).join(orders, orders.c.order_id == order_lines.c.order_id).where(*mine, orders.c.status != "cancelled")).one()
    units = {"ordered": int(sums[0]), **{stage: int(value) for stage, value in zip(domain.LEDGER_STAGES, sums[1:])}}
    latest = session.execute(
        select(orders.c.order_id, orders.c.buyer_name, orders.c.status, orders.c.due_date, orders.c.promised_date,
               func.sum(order_lines.c.quantity), func.sum(order_lines.c.delivered))
        .join(order_lines, order_lines.c.order_id == orders.c.order_id).where(*mine)
        .group_by(orders.c.order_id, orders.c.buyer_name, orders.c.status, orders.c.due_date,
                  orders.c.promised_date, orders.c.placed_at)
        .order_by(orders.c.placed_at.desc(), orders.c.order_id).limit(recent)).all()
    return {
        "orders": {"total": sum(by_status.values()), "by_status": by_status},
        "units": units,
        "fill_rate": domain.fill_rate(units["ordered"], units["delivered"]),
        "otif": domain.otif(_outcomes(session, mine, today), today),
        "shortfalls": _shortfalls(session, mine),
        "recent_orders": [{"id": row[0], "buyer": row[1], "status": row[2], "due_date": row[3].isoformat(),
                           "promised_date": row[4].isoformat() if row[4] else None,
                           "ordered": int(row[5]), "delivered": int(row[6])} for row in latest],
    }


def _outcomes(session: Session, mine: list, today: date) -> list:
    """The orders OTIF can judge (delivered, or past their promise), each with its promise and, once every line is
    delivered in full (its status says so), the day that happened: the order's last change is the one that made it
    delivered. Orders not yet due are left in the database."""
    promised_on = func.coalesce(orders.c.promised_date, orders.c.due_date)
    judged = (orders.c.status == "delivered") | ((orders.c.status != "cancelled") & (promised_on < today))
    return [domain.OrderOutcome(promised_on=row.promised_date or row.due_date,
                                delivered_on=row.updated_at.date() if row.status == "delivered" else None,
                                status=row.status)
            for row in session.execute(select(orders.c.due_date, orders.c.promised_date, orders.c.status,
                                              orders.c.updated_at).where(*mine, judged))]


def _shortfalls(session: Session, mine: list, limit: int = 20) -> dict:
    """Lines of live orders that allocation could not cover in full, largest first."""
    live = [*mine, order_lines.c.shortfall > 0, orders.c.status.not_in(("cancelled", "delivered"))]
    joined = order_lines.join(orders, orders.c.order_id == order_lines.c.order_id)
    lines, units = session.execute(select(func.count(), func.coalesce(func.sum(order_lines.c.shortfall), 0))
                                   .select_from(joined).where(*live)).one()
    rows = session.execute(select(order_lines.c.order_id, order_lines.c.line_id, order_lines.c.sku,
                                  order_lines.c.quantity, order_lines.c.shortfall, orders.c.due_date)
                           .select_from(joined).where(*live)
                           .order_by(order_lines.c.shortfall.desc(), order_lines.c.line_id).limit(limit)).all()
    return {"lines": int(lines), "units": int(units),
            "items": [{"order_id": row.order_id, "line_id": row.line_id, "sku": row.sku, "ordered": row.quantity,
                       "shortfall": row.shortfall, "due_date": row.due_date.isoformat()} for row in rows]}
