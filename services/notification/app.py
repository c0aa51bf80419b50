"""Use cases of the notification service, each inside the caller's transaction.

Delivery today goes through the ``log`` transport: the message is written to the delivery log (and the JSON log),
where an operator or a test can read it; SMS, email and webhook transports plug in at ``deliver``.
"""
import logging
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.notification import domain
from services.notification.store import deliveries, offerings, order_buyers, recipients
from shared.events import Event, new_event
from shared.ids import new_id
from shared.store import Database, upsert

log = logging.getLogger(__name__)

TRANSPORT = "log"


def record_producer(session: Session, event: Event) -> None:
    payload = event.payload
    upsert(session, recipients, {"recipient_id": payload["producer_id"]}, dict(
        kind="producer", name=payload["name"], mobile=payload["mobile"], email=payload["email"],
        languages=payload["languages"]))


def record_offering(session: Session, event: Event) -> None:
    upsert(session, offerings, {"offering_id": event.payload["offering_id"]}, {"name": event.payload["name"]})


def _recipient(session: Session, recipient_id: str) -> domain.Recipient:
    row = session.execute(select(recipients).where(recipients.c.recipient_id == recipient_id)).one_or_none()
    if row is None:
        raise LookupError(f"recipient {recipient_id} is not known here yet")
    return domain.Recipient(row.recipient_id, row.name, row.mobile, row.email)


def _product(session: Session, offering_id: str) -> str:
    name = session.execute(select(offerings.c.name).where(offerings.c.offering_id == offering_id)).scalar()
    if name is None:
        raise LookupError(f"offering {offering_id} is not known here yet")
    return name


def deliver(db: Database, session: Session, recipient: domain.Recipient, message: domain.Message,
            correlation_id: str) -> None:
    notification_id = new_id("ntf")
    session.execute(deliveries.insert().values(
        notification_id=notification_id, recipient_id=recipient.recipient_id, correlation_id=correlation_id,
        channel=message.channel, transport=TRANSPORT, address=message.address, template=message.template,
        body=message.text, status="sent", created_at=datetime.now(timezone.utc)))
    db.emit(session, new_event("notification.sent", {
        "notification_id": notification_id, "recipient_id": recipient.recipient_id, "channel": message.channel,
        "transport": TRANSPORT, "address": message.address, "template": message.template},
        correlation_id=correlation_id))
    log.info("notification sent", extra={"correlation_id": correlation_id, "channel": message.channel,
                                         "template": message.template, "text": message.text})


def notify_order_placed(db: Database, session: Session, event: Event) -> None:
    payload = event.payload
    buyer = payload["buyer"]
    upsert(session, recipients, {"recipient_id": buyer["buyer_id"]}, dict(
        kind="buyer", name=buyer["name"], mobile=None, email=buyer["email"], languages=["en"]))
    session.execute(order_buyers.insert().values(order_id=payload["order_id"], buyer_id=buyer["buyer_id"]))
    recipient = _recipient(session, buyer["buyer_id"])
    units = sum(line["quantity"] for line in payload["lines"])
    deliver(db, session, recipient, domain.order_received(recipient, payload["order_id"], units,
                                                          payload["due_date"]), payload["order_id"])


def notify_quota_offered(db: Database, session: Session, event: Event) -> None:
    payload = event.payload
    recipient = _recipient(session, payload["producer_id"])
    message = domain.quota_offer(recipient, payload["ref"], payload["quantity"],
                                 _product(session, payload["offering_id"]), payload["respond_by"])
    deliver(db, session, recipient, message, payload["order_id"])


def notify_lot_inspected(db: Database, session: Session, event: Event) -> None:
    payload = event.payload
    recipient = _recipient(session, payload["producer_id"])
    message = domain.inspection_result(recipient, payload["quantity"], _product(session, payload["offering_id"]),
                                       payload["passed"])
    deliver(db, session, recipient, message, payload["order_id"])


def notify_order_status(db: Database, session: Session, event: Event) -> None:
    payload = event.payload
    buyer_id = session.execute(select(order_buyers.c.buyer_id)
                               .where(order_buyers.c.order_id == payload["order_id"])).scalar()
    if buyer_id is None:
        raise LookupError(f"order {payload['order_id']} is not known here yet")
    recipient = _recipient(session, buyer_id)
    message = domain.order_status(recipient, payload["order_id"], payload["status"])
    if message is not None:
        deliver(db, session, recipient, message, payload["order_id"])


def delivery_log(session: Session, correlation_id: str | None, limit: int = 100) -> list:
    query = select(deliveries).order_by(deliveries.c.created_at.desc()).limit(limit)
    if correlation_id:
        query = query.where(deliveries.c.correlation_id == correlation_id)
    return [{"id": row.notification_id, "recipient_id": row.recipient_id, "correlation_id": row.correlation_id,
             "channel": row.channel, "transport": row.transport, "address": row.address,
             "template": row.template, "text": row.body, "status": row.status,
             "created_at": row.created_at.isoformat()} for row in session.execute(query)]

