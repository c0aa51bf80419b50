"""Use cases of the notification service, each inside the caller's transaction.

Events keep projections of the facts messages are made of (recipients, offerings, orders, quotas, lots, shipments),
and store the notices ``domain`` decides on; each use case that stores notices returns their ids, for the caller to
send once the transaction has committed (``delivery.send_due``). A fact that refers to something not known here yet
(a quota offered to a producer whose registration has not arrived) raises ``NotYetKnown``: the message waits for it.
"""
import hashlib
import json
import logging
from datetime import datetime, timezone

from sqlalchemy import case, func, or_, select, update
from sqlalchemy.orm import Session

from services.notification import domain
from services.notification.delivery import addressee, enqueue, enqueue_all
from services.notification.schemas import ContactInput, PreferencesInput
from services.notification.store import (
    dead_letters, deliveries, lots, offerings, order_buyers, order_lines, quotas, recipients, shipment_lots, shipments,
)
from shared.errors import Conflict, InvalidInput, NotFound, NotYetKnown, load_or_refuse
from shared.events import Event
from shared.store import insert_new, insert_new_all, merge

log = logging.getLogger(__name__)


def _now() -> datetime:
    return datetime.now(timezone.utc)


# Projections ---------------------------------------------------------------------------------------------------------

def record_producer(session: Session, event: Event) -> list[str]:
    """Producer events are snapshots: the newest wins, whatever order they arrive in. Preferences set through the
    API are the producer's own and stay."""
    payload = event.payload
    merge(session, recipients, dict(
        recipient_id=payload["producer_id"], kind=domain.PRODUCER, organisation_id=payload["organisation_id"],
        name=payload["name"], mobile=payload["mobile"], email=payload["email"], webhook_url=payload["webhook_url"],
        languages=payload["languages"], snapshot_at=event.occurred_at), keys=("recipient_id",), newer="snapshot_at")
    return []


def record_offering(session: Session, event: Event) -> list[str]:
    merge(session, offerings, {key: event.payload[key] for key in ("offering_id", "name", "organisation_id")},
          keys=("offering_id",))
    return []


def product_name(session: Session, offering_id: str) -> str:
    name = session.execute(select(offerings.c.name).where(offerings.c.offering_id == offering_id)).scalar()
    if name is None:
        raise NotYetKnown(f"offering {offering_id} is not known here yet")
    return name


def _organisation_of_offering(session: Session, offering_id: str) -> str | None:
    return session.execute(select(offerings.c.organisation_id)
                           .where(offerings.c.offering_id == offering_id)).scalar()


def _quota(session: Session, quota_id: str) -> domain.Quota:
    row = session.execute(select(quotas).where(quotas.c.quota_id == quota_id)).one_or_none()
    if row is None:
        raise NotYetKnown(f"quota {quota_id} is not known here yet")
    return quota_of(row)


def quota_of(row) -> domain.Quota:
    return domain.Quota(row.quota_id, row.ref, row.order_id, row.producer_id, row.offering_id, row.quantity,
                        row.offered_at, row.respond_by, row.status,
                        domain.pending_top_up(row.top_up, row.top_up_base, row.top_up_offered_at,
                                              row.top_up_answered_at))


def _order(session: Session, order_id: str) -> domain.Order:
    row = session.execute(select(order_buyers).where(order_buyers.c.order_id == order_id)).one_or_none()
    if row is None:
        raise NotYetKnown(f"order {order_id} is not known here yet")
    return domain.Order(row.order_id, row.buyer_id, row.due_date, row.promised_date)


def _record_lot(session: Session, payload: dict) -> domain.Lot:
    lot = domain.Lot(payload["lot_id"], payload["quota_id"], payload["order_id"], payload["producer_id"],
                     payload["offering_id"], payload["quantity"])
    merge(session, lots, dict(lot_id=lot.lot_id, quota_id=lot.quota_id, order_id=lot.order_id,
                              producer_id=lot.producer_id, offering_id=lot.offering_id, quantity=lot.quantity),
          keys=("lot_id",))
    return lot


# Producers -----------------------------------------------------------------------------------------------------------

def quotas_offered(session: Session, events: list[Event]) -> list[str]:
    """Offers handled together (the quotas of one allocation): their quotas and notices are stored in one statement
    each, and each product's name is looked up once."""
    offered, notices, products = [], [], {}
    for event in events:
        payload = event.payload
        quota = domain.Quota(payload["quota_id"], payload["ref"], payload["order_id"], payload["producer_id"],
                             payload["offering_id"], payload["quantity"], event.occurred_at, payload["respond_by"])
        # The quota's first fact: its answers wait for it (they raise NotYetKnown until it is here).
        offered.append(dict(quota_id=quota.quota_id, ref=quota.ref, order_id=quota.order_id,
                            line_id=payload["line_id"], offering_id=quota.offering_id, producer_id=quota.producer_id,
                            quantity=quota.quantity, offered_at=quota.offered_at, respond_by=quota.respond_by,
                            status=domain.OFFERED))
        if quota.offering_id not in products:
            products[quota.offering_id] = product_name(session, quota.offering_id)
        notices.extend(domain.quota_offered(event.event_id, quota, products[quota.offering_id]))
    insert_new_all(session, quotas, offered, quotas.c.quota_id)
    return enqueue_all(session, notices, _now())


def _moved_forward(reported: str):
    """The new status, decided in the UPDATE itself on the row as it stands once locked: two facts about one quota
    handled at the same moment cannot move it backwards."""
    return case((quotas.c.status.in_(domain.statuses_before(reported)), reported), else_=quotas.c.status)


def quota_answered(session: Session, event: Event, status: str) -> list[str]:
    """An accepted quota keeps the quantity taken on, which lots are reported against, unless the answer to a
    top-up, which comes later, has set it already (the acceptance waited for its offer meanwhile)."""
    quota = _quota(session, event.payload["quota_id"])
    session.execute(update(quotas).where(quotas.c.quota_id == quota.quota_id).values(
        status=_moved_forward(status),
        quantity=case((quotas.c.top_up_answered_at.is_(None), event.payload["quantity"]), else_=quotas.c.quantity)))
    return []


def top_up_offered(session: Session, event: Event) -> list[str]:
    """More units for a producer already on the line, asked as an offer is. Only the newest top-up is kept; one
    that arrives after the answer to it, or after a newer top-up, was overtaken and is not asked again."""
    payload = event.payload
    # Known before the update, so that an update that finds no row means an older top-up, not an unknown quota.
    _quota(session, payload["quota_id"])
    newest = session.execute(update(quotas).where(
        quotas.c.quota_id == payload["quota_id"],
        or_(quotas.c.top_up_offered_at.is_(None), quotas.c.top_up_offered_at < event.occurred_at)).values(
        top_up=payload["top_up"], top_up_base=payload["quantity"], top_up_offered_at=event.occurred_at)).rowcount
    quota = _quota(session, payload["quota_id"])
    if not newest or quota.top_up is None:
        return []
    notices = domain.top_up_offered(event.event_id, quota, payload["top_up"], payload["quantity"],
                                    payload["respond_by"], product_name(session, quota.offering_id))
    return enqueue_all(session, notices, _now())


def top_up_answered(session: Session, event: Event) -> list[str]:
    """The quota's quantity after the answer is what lots are reported against; the newest answer wins. A top-up
    that lapsed is told like an offer that lapsed; one accepted or declined was her own answer, and one released
    went with its cancelled order, which ``quota.released`` tells."""
    payload = event.payload
    quota = _quota(session, payload["quota_id"])
    session.execute(update(quotas).where(
        quotas.c.quota_id == quota.quota_id,
        or_(quotas.c.top_up_answered_at.is_(None), quotas.c.top_up_answered_at < event.occurred_at)).values(
        quantity=payload["quantity"], top_up_answered_at=event.occurred_at))
    if payload["outcome"] != "expired":
        return []
    notices = domain.top_up_lapsed(event.event_id, quota, payload["declined_quantity"], payload["quantity"],
                                   product_name(session, quota.offering_id))
    return enqueue_all(session, notices, _now())


def work_taken_away(session: Session, event: Event, status: str) -> list[str]:
    """An offer expired, or an open quota released with its cancelled order: the producer stops."""
    quota = _quota(session, event.payload["quota_id"])
    session.execute(update(quotas).where(quotas.c.quota_id == quota.quota_id).values(status=_moved_forward(status)))
    notices = domain.work_taken_away(event.event_id, quota, event.payload["quantity"],
                                     product_name(session, quota.offering_id))
    return enqueue_all(session, notices, _now())


def lot_inspected(session: Session, event: Event) -> list[str]:
    """Defects add up over the defect classes; the sample is the largest of their plans' samples."""
    payload = event.payload
    lot = _record_lot(session, payload)
    quota = _quota(session, lot.quota_id)
    producer = addressee(session, lot.producer_id)
    if producer is None:
        raise NotYetKnown(f"producer {lot.producer_id} is not known here yet")
    notices = domain.lot_inspected(
        event.event_id, lot, quota.ref, product_name(session, lot.offering_id), payload["passed"],
        producer.recipient.name,
        _organisation_of_offering(session, lot.offering_id) or producer.recipient.organisation_id,
        defects=sum(verdict["defects"] for verdict in payload["classes"]),
        sample_size=max(verdict["sample_size"] for verdict in payload["classes"]))
    return enqueue_all(session, notices, _now())


def rework_requested(session: Session, event: Event) -> list[str]:
    lot = _record_lot(session, event.payload)
    notices = domain.rework_requested(event.event_id, lot, _quota(session, lot.quota_id).ref,
                                      product_name(session, lot.offering_id))
    return enqueue_all(session, notices, _now())


def lot_replaced(session: Session, event: Event) -> list[str]:
    """A rejected lot's units go to other producers, like work taken away."""
    lot = _record_lot(session, event.payload)
    notices = domain.work_taken_away(event.event_id, _quota(session, lot.quota_id), lot.quantity,
                                     product_name(session, lot.offering_id))
    return enqueue_all(session, notices, _now())


def _shipped_lots(session: Session, lots_payload: list) -> list[domain.ShippedLot]:
    return [domain.ShippedLot(lot["lot_id"], lot["order_id"], lot["quantity"]) for lot in lots_payload]


def shipment_planned(session: Session, event: Event) -> list[str]:
    """Tell each producer whose lots are in the shipment when they are collected, or where they are going."""
    payload = event.payload
    insert_new(session, shipments, dict(shipment_id=payload["shipment_id"], city=payload["destination"]["city"],
                                        status="planned", planned_at=event.occurred_at))
    session.execute(update(shipments).where(shipments.c.shipment_id == payload["shipment_id"])
                    .values(city=payload["destination"]["city"], planned_at=event.occurred_at))
    planned = []
    for item in payload["lots"]:
        insert_new(session, shipment_lots, dict(shipment_id=payload["shipment_id"], lot_id=item["lot_id"],
                                                order_id=item["order_id"], quantity=item["quantity"]))
        row = session.execute(select(lots).where(lots.c.lot_id == item["lot_id"])).one_or_none()
        if row is None:
            raise NotYetKnown(f"lot {item['lot_id']} is not known here yet")
        planned.append(domain.ShippedLot(row.lot_id, row.order_id, item["quantity"], row.producer_id, row.quota_id,
                                         _quota(session, row.quota_id).ref, product_name(session, row.offering_id)))
    pickups = {pickup["producer_id"]: (pickup["pickup_on"], pickup["hub"]) for pickup in payload["pickups"]}
    notices = domain.shipment_planned(event.event_id, payload["shipment_id"], payload["destination"]["city"],
                                      planned, pickups)
    return enqueue_all(session, notices, _now())


# Buyers --------------------------------------------------------------------------------------------------------------

def orders_placed(session: Session, events: list[Event]) -> list[str]:
    """Orders placed together: their buyers' notices are sent together."""
    return [notification_id for event in events for notification_id in order_placed(session, event)]


def order_placed(session: Session, event: Event) -> list[str]:
    payload = event.payload
    buyer = payload["buyer"]
    # A buyer's languages and preferences are its own once set; the order only says who and where, and the
    # organisation of a signed-in buyer (whose delivery log that organisation then sees).
    identity = {"name": buyer["name"], "email": buyer["email"],
                **({"organisation_id": buyer["organisation_id"]} if buyer.get("organisation_id") else {})}
    if not insert_new(session, recipients, dict(recipient_id=buyer["buyer_id"], kind=domain.BUYER, languages=["en"],
                                                **identity)):
        session.execute(update(recipients).where(recipients.c.recipient_id == buyer["buyer_id"]).values(**identity))
    order = domain.Order(payload["order_id"], buyer["buyer_id"], payload["due_date"], payload["promised_date"])
    insert_new(session, order_buyers, dict(order_id=order.order_id, buyer_id=order.buyer_id,
                                           due_date=order.due_date, promised_date=order.promised_date))
    for line in payload["lines"]:
        insert_new(session, order_lines, dict(line_id=line["line_id"], order_id=order.order_id,
                                              offering_id=line["offering_id"], quantity=line["quantity"]))
    units = sum(line["quantity"] for line in payload["lines"])
    return enqueue_all(session, domain.order_placed(event.event_id, order, units), _now())


def order_shortfall(session: Session, event: Event) -> list[str]:
    payload = event.payload
    notices = domain.shortfall(event.event_id, _order(session, payload["order_id"]),
                               _organisation_of_offering(session, payload["offering_id"]), payload["ordered"],
                               payload["shortfall"], product_name(session, payload["offering_id"]))
    return enqueue_all(session, notices, _now())


_SHIPMENT_FLOW = ("planned", "picked_up", "at_hub", "in_transit", "delivered")


def _set_shipment_status(session: Session, shipment_id: str, status: str, at: datetime) -> None:
    """Tracking facts may overtake the plan and each other: the shipment is noted from whichever comes first, and
    its status only moves forward (an exception stands until the next step)."""
    insert_new(session, shipments, dict(shipment_id=shipment_id, city="", status=status, planned_at=at))
    current = session.execute(select(shipments.c.status).where(shipments.c.shipment_id == shipment_id)
                              .with_for_update()).scalar_one()
    if status in _SHIPMENT_FLOW and current in _SHIPMENT_FLOW and \
            _SHIPMENT_FLOW.index(status) <= _SHIPMENT_FLOW.index(current):
        return
    session.execute(update(shipments).where(shipments.c.shipment_id == shipment_id).values(status=status))


def shipment_status_changed(session: Session, event: Event) -> list[str]:
    """Buyers hear when their units leave (in transit); delivery has an event of its own."""
    payload = event.payload
    _set_shipment_status(session, payload["shipment_id"], payload["status"], event.occurred_at)
    if payload["status"] != "in_transit":
        return []
    shipped = _shipped_lots(session, payload["lots"])
    orders = {lot.order_id: _order(session, lot.order_id) for lot in shipped}
    return enqueue_all(session, domain.orders_shipped(event.event_id, shipped, orders), _now())


def shipment_delivered(session: Session, event: Event) -> list[str]:
    payload = event.payload
    _set_shipment_status(session, payload["shipment_id"], "delivered", event.occurred_at)
    delivered = _shipped_lots(session, payload["lots"])
    orders = {lot.order_id: _order(session, lot.order_id) for lot in delivered}
    return enqueue_all(session, domain.orders_delivered(event.event_id, delivered, orders), _now())


# Timers --------------------------------------------------------------------------------------------------------------

def _already(session: Session, kind: str):
    """The (key, recipient) pairs of a kind already stored, to skip rendering them again."""
    return set(session.execute(select(deliveries.c.dedupe_key, deliveries.c.recipient_id)
                               .where(deliveries.c.template == kind)).all())


def send_reminders(session: Session, now: datetime, lead) -> list[str]:
    rows = session.execute(select(quotas).where(
        quotas.c.status == domain.OFFERED, quotas.c.respond_by > now, quotas.c.respond_by <= now + lead,
        ~select(deliveries.c.notification_id).where(
            deliveries.c.template == "quota_reminder", deliveries.c.dedupe_key == quotas.c.quota_id).exists())
    ).all()
    due = [quota_of(row) for row in rows]
    products = {quota.offering_id: product_name(session, quota.offering_id) for quota in due}
    return enqueue_all(session, domain.reminders_due(due, products, now, lead), now)


def alert_late_shipments(session: Session, now: datetime) -> list[str]:
    rows = session.execute(
        select(shipments.c.shipment_id, offerings.c.organisation_id, func.min(order_buyers.c.due_date))
        .join(shipment_lots, shipment_lots.c.shipment_id == shipments.c.shipment_id)
        .join(order_buyers, order_buyers.c.order_id == shipment_lots.c.order_id)
        .join(order_lines, order_lines.c.order_id == shipment_lots.c.order_id)
        .join(offerings, offerings.c.offering_id == order_lines.c.offering_id)
        .where(shipments.c.status != "delivered", offerings.c.organisation_id.is_not(None))
        .group_by(shipments.c.shipment_id, offerings.c.organisation_id)).all()
    alerted = _already(session, "aggregator_shipment_late")
    due = [domain.ShipmentDue(shipment_id, organisation_id, due_on) for shipment_id, organisation_id, due_on in rows
           if (shipment_id, organisation_id) not in alerted]
    return enqueue_all(session, domain.late_shipments(due, now.date()), now)


def send_digests(session: Session, now: datetime, digest_hour: int) -> list[str]:
    """Each recipient's kept messages go out as one, once a day after its digest hour; what comes after that day's
    digest waits for the next."""
    created = []
    waiting = session.execute(select(deliveries.c.recipient_id).where(deliveries.c.status == domain.DIGEST)
                              .distinct()).scalars().all()
    for recipient_id in waiting:
        found = addressee(session, recipient_id)
        if found is None:
            continue
        day = domain.digest_day(now, found.recipient.timezone, digest_hour)
        if day is None or session.execute(select(deliveries.c.notification_id).where(
                deliveries.c.recipient_id == recipient_id, deliveries.c.template == "daily_digest",
                deliveries.c.dedupe_key == day.isoformat())).first():
            continue
        items = session.execute(select(deliveries.c.notification_id, deliveries.c.subject).where(
            deliveries.c.recipient_id == recipient_id, deliveries.c.status == domain.DIGEST)
            .order_by(deliveries.c.created_at).with_for_update(skip_locked=True)).all()
        if not items:
            continue
        digest_id = enqueue(session, domain.digest(recipient_id, day, [item.subject for item in items]),
                            found.recipient, now)
        if digest_id is None:
            continue
        session.execute(update(deliveries).where(deliveries.c.notification_id.in_(
            [item.notification_id for item in items])).values(status=domain.DIGESTED, digest_id=digest_id))
        created.append(digest_id)
    return created


# Dead letters --------------------------------------------------------------------------------------------------------

def _organisation_of_message(session: Session, body) -> str | None:
    """Whose business a dead letter is, from what its payload names: an organisation, a producer, an offering, or
    the order it is correlated with."""
    if not isinstance(body, dict):
        return None
    payload = body.get("payload") if isinstance(body.get("payload"), dict) else {}
    if payload.get("organisation_id"):
        return payload["organisation_id"]
    if payload.get("offering_id"):
        found = _organisation_of_offering(session, payload["offering_id"])
        if found:
            return found
    if payload.get("producer_id"):
        found = session.execute(select(recipients.c.organisation_id)
                                .where(recipients.c.recipient_id == payload["producer_id"])).scalar()
        if found:
            return found
    order_id = payload.get("order_id") or body.get("correlation_id")
    return session.execute(select(offerings.c.organisation_id)
                           .join(order_lines, order_lines.c.offering_id == offerings.c.offering_id)
                           .where(order_lines.c.order_id == order_id).limit(1)).scalar()


def record_dead_letter(session: Session, body, headers: dict) -> None:
    """A copy of every dead-lettered message; the same copy delivered twice is recorded once."""
    queue = str(headers.get("x-bilum-queue", ""))
    parked_at = str(headers.get("x-bilum-dead-lettered-at", ""))
    letter_key = hashlib.sha256(json.dumps([queue, parked_at, body], sort_keys=True, default=str)
                                .encode()).hexdigest()
    try:
        parked = datetime.fromisoformat(parked_at).astimezone(timezone.utc)
    except ValueError:
        parked = _now()
    insert_new(session, dead_letters, dict(
        letter_key=letter_key, service=str(headers.get("x-bilum-service", "unknown")), queue=queue,
        event_type=str(headers.get("x-bilum-event-type", "unknown")),
        reason=str(headers.get("x-bilum-reason", "")), organisation_id=_organisation_of_message(session, body),
        parked_at=parked))


def alert_dead_letters(session: Session, now: datetime) -> list[str]:
    """One message per organisation and service for the letters seen since the last; letters that concern no
    organisation in particular go to every aggregator."""
    rows = session.execute(select(dead_letters).where(dead_letters.c.alerted.is_(False))
                           .order_by(dead_letters.c.id).with_for_update(skip_locked=True)).all()
    if not rows:
        return []
    everyone = session.execute(select(recipients.c.recipient_id)
                               .where(recipients.c.kind == domain.AGGREGATOR)).scalars().all()
    groups: dict[tuple, list] = {}
    for row in rows:
        groups.setdefault((row.organisation_id, row.service), []).append(row.id)
    notices = [domain.dead_letters(organisation_id, service, len(ids), ids[0])
               for (owner, service), ids in sorted(groups.items(), key=lambda item: item[1][0])
               for organisation_id in ([owner] if owner else everyone)]
    session.execute(update(dead_letters).where(dead_letters.c.id.in_([row.id for row in rows])).values(alerted=True))
    return enqueue_all(session, notices, now)


# Contacts and preferences --------------------------------------------------------------------------------------------

def _preferences_view(row) -> dict:
    stored = row.preferences or {}
    preferences = domain.preferences_of(row.kind, stored, row.timezone)
    return {"channels": list(preferences.channels), "quiet_hours": stored.get("quiet_hours"),
            "digest_kinds": sorted(preferences.digest_kinds), "max_failures": preferences.max_failures,
            "chosen": bool(stored)}


def _contact_view(row) -> dict:
    return {"organisation_id": row.recipient_id, "name": row.name, "email": row.email, "mobile": row.mobile,
            "webhook_url": row.webhook_url, "webhook_secret_set": bool(row.webhook_secret),
            "languages": row.languages, "timezone": row.timezone, "preferences": _preferences_view(row)}


def _recipient_row(session: Session, recipient_id: str):
    row = session.execute(select(recipients).where(recipients.c.recipient_id == recipient_id)).one_or_none()
    if row is None:
        raise NotFound(f"recipient {recipient_id} not found")
    return row


def set_contact(session: Session, organisation_id: str, body: dict) -> dict:
    """The organisation is the recipient of aggregator messages; its id is the recipient id."""
    data = load_or_refuse(ContactInput(), body, "contact")
    kind = session.execute(select(recipients.c.kind).where(recipients.c.recipient_id == organisation_id)).scalar()
    if kind is not None and kind != domain.AGGREGATOR:
        raise Conflict(f"{organisation_id} is a {kind}, not an organisation")
    merge(session, recipients, dict(
        recipient_id=organisation_id, kind=domain.AGGREGATOR, organisation_id=organisation_id, name=data["name"],
        email=data["email"], mobile=data["mobile"], webhook_url=data["webhook_url"],
        webhook_secret=data["webhook_secret"], languages=data["languages"] or ["en"], timezone=data["timezone"],
        preferences=data["preferences"]), keys=("recipient_id",))
    return get_contact(session, organisation_id)


def get_contact(session: Session, organisation_id: str) -> dict:
    row = _recipient_row(session, organisation_id)
    if row.kind != domain.AGGREGATOR:
        raise NotFound(f"organisation {organisation_id} has no contact")
    return _contact_view(row)


def set_preferences(session: Session, recipient_id: str, body: dict) -> dict:
    row = _recipient_row(session, recipient_id)
    data = load_or_refuse(PreferencesInput(), body, "preferences")
    secret = data.pop("webhook_secret") or row.webhook_secret
    if "webhook" in data["channels"] and not secret:
        raise InvalidInput("preferences refused", {"webhook_secret": [
            "a webhook needs a secret of at least 16 characters to sign it"]})
    zone = data.pop("timezone")
    session.execute(update(recipients).where(recipients.c.recipient_id == recipient_id)
                    .values(preferences=data, timezone=zone, webhook_secret=secret))
    return get_preferences(session, recipient_id)


def get_preferences(session: Session, recipient_id: str) -> dict:
    row = _recipient_row(session, recipient_id)
    return {"recipient_id": row.recipient_id, "kind": row.kind, "organisation_id": row.organisation_id,
            "timezone": row.timezone,
            "webhook_secret_set": bool(row.webhook_secret), **_preferences_view(row)}
