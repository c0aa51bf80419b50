"""Use cases that tell producers about their work: offers and top-ups, answers, work taken away, inspections,
rework and shipment plans. Each stores the notices ``domain`` decides on and returns their ids, for the caller to send
once the unit of work has committed (``delivery.send_due``)."""

from datetime import datetime, timezone

from sqlalchemy import case, or_, select, update

from services.notification import domain
from services.notification.projections import known_quota, organisation_of_offering, product_name, record_lot
from services.notification.queueing import addressee, enqueue_all
from services.notification.store import lots, quotas, shipment_lots, shipments
from shared.errors import NotYetKnown
from shared.events import Event
from shared.store import UnitOfWork, insert_new, insert_new_all


def _now() -> datetime:
    return datetime.now(timezone.utc)


def quotas_offered(uow: UnitOfWork, events: list[Event]) -> list[str]:
    """Offers handled together (the quotas of one allocation): their quotas and notices are stored in one statement
    each, and each product's name is looked up once."""
    session = uow.session
    offered, notices, products = [], [], {}
    for event in events:
        payload = event.payload
        quota = domain.Quota(
            payload["quota_id"],
            payload["ref"],
            payload["order_id"],
            payload["producer_id"],
            payload["offering_id"],
            payload["quantity"],
            event.occurred_at,
            payload["respond_by"],
        )
        # The quota's first fact: its answers wait for it (they raise NotYetKnown until it is here).
        offered.append(
            dict(
                quota_id=quota.quota_id,
                ref=quota.ref,
                order_id=quota.order_id,
                line_id=payload["line_id"],
                offering_id=quota.offering_id,
                producer_id=quota.producer_id,
                quantity=quota.quantity,
                offered_at=quota.offered_at,
                respond_by=quota.respond_by,
                status=domain.OFFERED,
            )
        )
        if quota.offering_id not in products:
            products[quota.offering_id] = product_name(session, quota.offering_id)
        notices.extend(domain.quota_offered(event.event_id, quota, products[quota.offering_id]))
    insert_new_all(session, quotas, offered, quotas.c.quota_id)
    return enqueue_all(session, notices, _now())


def _moved_forward(reported: str):
    """The new status, decided in the UPDATE itself on the row as it stands once locked: two facts about one quota
    handled at the same moment cannot move it backwards."""
    return case((quotas.c.status.in_(domain.statuses_before(reported)), reported), else_=quotas.c.status)


def quota_answered(uow: UnitOfWork, event: Event, status: str) -> list[str]:
    """An accepted quota keeps the quantity taken on, which lots are reported against, unless the answer to a
    top-up, which comes later, has set it already (the acceptance waited for its offer meanwhile)."""
    session = uow.session
    quota = known_quota(session, event.payload["quota_id"])
    session.execute(
        update(quotas)
        .where(quotas.c.quota_id == quota.quota_id)
        .values(
            status=_moved_forward(status),
            quantity=case((quotas.c.top_up_answered_at.is_(None), event.payload["quantity"]), else_=quotas.c.quantity),
        )
    )
    return []


def quota_accepted(uow: UnitOfWork, event: Event) -> list[str]:
    return quota_answered(uow, event, domain.ACCEPTED)


def quota_declined(uow: UnitOfWork, event: Event) -> list[str]:
    return quota_answered(uow, event, domain.DECLINED)


def top_up_offered(uow: UnitOfWork, event: Event) -> list[str]:
    """More units for a producer already on the line, asked as an offer is. Only the newest top-up is kept; one
    that arrives after the answer to it, or after a newer top-up, was overtaken and is not asked again."""
    session = uow.session
    payload = event.payload
    # Known before the update, so that an update that finds no row means an older top-up, not an unknown quota.
    known_quota(session, payload["quota_id"])
    newest = session.execute(
        update(quotas)
        .where(
            quotas.c.quota_id == payload["quota_id"],
            or_(quotas.c.top_up_offered_at.is_(None), quotas.c.top_up_offered_at < event.occurred_at),
        )
        .values(top_up=payload["top_up"], top_up_base=payload["quantity"], top_up_offered_at=event.occurred_at)
    ).rowcount
    quota = known_quota(session, payload["quota_id"])
    if not newest or quota.top_up is None:
        return []
    notices = domain.top_up_offered(
        event.event_id,
        quota,
        payload["top_up"],
        payload["quantity"],
        payload["respond_by"],
        product_name(session, quota.offering_id),
    )
    return enqueue_all(session, notices, _now())


def top_up_answered(uow: UnitOfWork, event: Event) -> list[str]:
    """The quota's quantity after the answer is what lots are reported against; the newest answer wins. A top-up
    that lapsed is told like an offer that lapsed; one accepted or declined was her own answer, and one released
    went with its cancelled order, which ``quota.released`` tells."""
    session = uow.session
    payload = event.payload
    quota = known_quota(session, payload["quota_id"])
    session.execute(
        update(quotas)
        .where(
            quotas.c.quota_id == quota.quota_id,
            or_(quotas.c.top_up_answered_at.is_(None), quotas.c.top_up_answered_at < event.occurred_at),
        )
        .values(quantity=payload["quantity"], top_up_answered_at=event.occurred_at)
    )
    if payload["outcome"] != "expired":
        return []
    notices = domain.top_up_lapsed(
        event.event_id,
        quota,
        payload["declined_quantity"],
        payload["quantity"],
        product_name(session, quota.offering_id),
    )
    return enqueue_all(session, notices, _now())


def work_taken_away(uow: UnitOfWork, event: Event, status: str) -> list[str]:
    """An offer expired, or an open quota released with its cancelled order: the producer stops."""
    session = uow.session
    quota = known_quota(session, event.payload["quota_id"])
    session.execute(update(quotas).where(quotas.c.quota_id == quota.quota_id).values(status=_moved_forward(status)))
    notices = domain.work_taken_away(
        event.event_id, quota, event.payload["quantity"], product_name(session, quota.offering_id)
    )
    return enqueue_all(session, notices, _now())


def quota_expired(uow: UnitOfWork, event: Event) -> list[str]:
    return work_taken_away(uow, event, domain.EXPIRED)


def quota_released(uow: UnitOfWork, event: Event) -> list[str]:
    return work_taken_away(uow, event, domain.RELEASED)


def lot_inspected(uow: UnitOfWork, event: Event) -> list[str]:
    """Defects add up over the defect classes; the sample is the largest of their plans' samples."""
    session = uow.session
    payload = event.payload
    lot = record_lot(session, payload)
    quota = known_quota(session, lot.quota_id)
    producer = addressee(session, lot.producer_id)
    if producer is None:
        raise NotYetKnown(f"producer {lot.producer_id} is not known here yet")
    notices = domain.lot_inspected(
        event.event_id,
        lot,
        quota.ref,
        product_name(session, lot.offering_id),
        payload["passed"],
        producer.recipient.name,
        organisation_of_offering(session, lot.offering_id) or producer.recipient.organisation_id,
        defects=sum(verdict["defects"] for verdict in payload["classes"]),
        sample_size=max(verdict["sample_size"] for verdict in payload["classes"]),
    )
    return enqueue_all(session, notices, _now())


def rework_requested(uow: UnitOfWork, event: Event) -> list[str]:
    session = uow.session
    lot = record_lot(session, event.payload)
    notices = domain.rework_requested(
        event.event_id, lot, known_quota(session, lot.quota_id).ref, product_name(session, lot.offering_id)
    )
    return enqueue_all(session, notices, _now())


def lot_replaced(uow: UnitOfWork, event: Event) -> list[str]:
    """A rejected lot's units go to other producers, like work taken away."""
    session = uow.session
    lot = record_lot(session, event.payload)
    notices = domain.work_taken_away(
        event.event_id, known_quota(session, lot.quota_id), lot.quantity, product_name(session, lot.offering_id)
    )
    return enqueue_all(session, notices, _now())


def shipment_planned(uow: UnitOfWork, event: Event) -> list[str]:
    """Tell each producer whose lots are in the shipment when they are collected, or where they are going."""
    session = uow.session
    payload = event.payload
    insert_new(
        session,
        shipments,
        dict(
            shipment_id=payload["shipment_id"],
            city=payload["destination"]["city"],
            status="planned",
            planned_at=event.occurred_at,
        ),
    )
    session.execute(
        update(shipments)
        .where(shipments.c.shipment_id == payload["shipment_id"])
        .values(city=payload["destination"]["city"], planned_at=event.occurred_at)
    )
    planned = []
    for item in payload["lots"]:
        insert_new(
            session,
            shipment_lots,
            dict(
                shipment_id=payload["shipment_id"],
                lot_id=item["lot_id"],
                order_id=item["order_id"],
                quantity=item["quantity"],
            ),
        )
        row = session.execute(select(lots).where(lots.c.lot_id == item["lot_id"])).one_or_none()
        if row is None:
            raise NotYetKnown(f"lot {item['lot_id']} is not known here yet")
        planned.append(
            domain.ShippedLot(
                row.lot_id,
                row.order_id,
                item["quantity"],
                row.producer_id,
                row.quota_id,
                known_quota(session, row.quota_id).ref,
                product_name(session, row.offering_id),
            )
        )
    pickups = {pickup["producer_id"]: (pickup["pickup_on"], pickup["hub"]) for pickup in payload["pickups"]}
    notices = domain.shipment_planned(
        event.event_id, payload["shipment_id"], payload["destination"]["city"], planned, pickups
    )
    return enqueue_all(session, notices, _now())
