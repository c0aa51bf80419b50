"""Use cases that tell buyers about their orders: received or confirmed with the promised date, short, shipped and
delivered; the trade documents issued to them, payments overdue and claims decided. Each returns the ids of the
notices it stored, to send once the unit of work has committed."""

from datetime import datetime, timezone

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.notification import buyer_notices, domain
from services.notification.projections import known_order, organisation_of_offering, product_name
from services.notification.queueing import enqueue_all
from services.notification.store import order_buyers, order_lines, recipients, shipments
from shared.events import Event
from shared.store import UnitOfWork, insert_new


def _now() -> datetime:
    return datetime.now(timezone.utc)


def orders_placed(uow: UnitOfWork, events: list[Event]) -> list[str]:
    """Orders placed together: their buyers' notices are sent together."""
    return [notification_id for event in events for notification_id in order_placed(uow, event)]


def order_placed(uow: UnitOfWork, event: Event) -> list[str]:
    session = uow.session
    payload = event.payload
    buyer = payload["buyer"]
    # A buyer's languages and preferences are its own once set; the order only says who and where, and the
    # organisation of a signed-in buyer (whose delivery log that organisation then sees).
    identity = {
        "name": buyer["name"],
        "email": buyer["email"],
        **({"organisation_id": buyer["organisation_id"]} if buyer.get("organisation_id") else {}),
    }
    if not insert_new(
        session, recipients, dict(recipient_id=buyer["buyer_id"], kind=domain.BUYER, languages=["en"], **identity)
    ):
        session.execute(update(recipients).where(recipients.c.recipient_id == buyer["buyer_id"]).values(**identity))
    order = domain.Order(payload["order_id"], buyer["buyer_id"], payload["due_date"], payload["promised_date"])
    insert_new(
        session,
        order_buyers,
        dict(
            order_id=order.order_id, buyer_id=order.buyer_id, due_date=order.due_date, promised_date=order.promised_date
        ),
    )
    for line in payload["lines"]:
        insert_new(
            session,
            order_lines,
            dict(
                line_id=line["line_id"],
                order_id=order.order_id,
                offering_id=line["offering_id"],
                quantity=line["quantity"],
            ),
        )
    units = sum(line["quantity"] for line in payload["lines"])
    return enqueue_all(session, buyer_notices.order_placed(event.event_id, order, units), _now())


def order_shortfall(uow: UnitOfWork, event: Event) -> list[str]:
    session = uow.session
    payload = event.payload
    notices = buyer_notices.shortfall(
        event.event_id,
        known_order(session, payload["order_id"]),
        organisation_of_offering(session, payload["offering_id"]),
        payload["ordered"],
        payload["shortfall"],
        product_name(session, payload["offering_id"]),
    )
    return enqueue_all(session, notices, _now())


_SHIPMENT_FLOW = ("planned", "picked_up", "at_hub", "in_transit", "delivered")


def _set_shipment_status(session: Session, shipment_id: str, status: str, at: datetime) -> None:
    """Tracking facts may overtake the plan and each other: the shipment is noted from whichever comes first, and
    its status only moves forward (an exception stands until the next step)."""
    insert_new(session, shipments, dict(shipment_id=shipment_id, city="", status=status, planned_at=at))
    current = session.execute(
        select(shipments.c.status).where(shipments.c.shipment_id == shipment_id).with_for_update()
    ).scalar_one()
    if (
        status in _SHIPMENT_FLOW
        and current in _SHIPMENT_FLOW
        and _SHIPMENT_FLOW.index(status) <= _SHIPMENT_FLOW.index(current)
    ):
        return
    session.execute(update(shipments).where(shipments.c.shipment_id == shipment_id).values(status=status))


def _shipped_lots(lots_payload: list) -> list[domain.ShippedLot]:
    return [domain.ShippedLot(lot["lot_id"], lot["order_id"], lot["quantity"]) for lot in lots_payload]


def shipment_status_changed(uow: UnitOfWork, event: Event) -> list[str]:
    """Buyers hear when their units leave (in transit); delivery has an event of its own."""
    session = uow.session
    payload = event.payload
    _set_shipment_status(session, payload["shipment_id"], payload["status"], event.occurred_at)
    if payload["status"] != "in_transit":
        return []
    shipped = _shipped_lots(payload["lots"])
    orders = {lot.order_id: known_order(session, lot.order_id) for lot in shipped}
    return enqueue_all(session, buyer_notices.orders_shipped(event.event_id, shipped, orders), _now())


def shipment_delivered(uow: UnitOfWork, event: Event) -> list[str]:
    session = uow.session
    payload = event.payload
    _set_shipment_status(session, payload["shipment_id"], "delivered", event.occurred_at)
    delivered = _shipped_lots(payload["lots"])
    orders = {lot.order_id: known_order(session, lot.order_id) for lot in delivered}
    return enqueue_all(session, buyer_notices.orders_delivered(event.event_id, delivered, orders), _now())


def document_issued(uow: UnitOfWork, event: Event) -> list[str]:
    order = known_order(uow.session, event.payload["order_id"])
    return enqueue_all(uow.session, [buyer_notices.document_issued(event.event_id, order, event.payload)], _now())


def payment_overdue(uow: UnitOfWork, event: Event) -> list[str]:
    order = known_order(uow.session, event.payload["order_id"])
    return enqueue_all(uow.session, [buyer_notices.payment_overdue(event.event_id, order, event.payload)], _now())


def claim_decided(uow: UnitOfWork, event: Event) -> list[str]:
    order = known_order(uow.session, event.payload["order_id"])
    return enqueue_all(uow.session, [buyer_notices.claim_decided(event.event_id, order, event.payload)], _now())
