"""What the sweep timer finds to say: reminders of offers whose deadline nears, shipments late for an order in them,
each recipient's daily digest, and dead letters seen since the last sweep. Each returns the ids of the notices it
stored."""

from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from services.notification import buyer_notices, dead_letter_alerts, domain
from services.notification.projections import product_name, quota_of
from services.notification.queueing import addressee, enqueue, enqueue_all
from services.notification.store import (
    deliveries,
    offerings,
    order_buyers,
    order_lines,
    quotas,
    shipment_lots,
    shipments,
)
from shared.store import Database, UnitOfWork


def _already(session: Session, kind: str, keys: set[str]) -> set:
    """The (key, recipient) pairs of a kind already stored among ``keys``, to skip rendering them again: looked up by
    key in the unique index, not by reading every delivery of the kind (a year's history holds millions)."""
    if not keys:
        return set()
    return set(
        session.execute(
            select(deliveries.c.dedupe_key, deliveries.c.recipient_id).where(
                deliveries.c.template == kind, deliveries.c.dedupe_key.in_(keys)
            )
        ).all()
    )


def send_reminders(uow: UnitOfWork, now: datetime, lead) -> list[str]:
    session = uow.session
    rows = session.execute(
        select(quotas).where(
            quotas.c.status == domain.OFFERED,
            quotas.c.respond_by > now,
            quotas.c.respond_by <= now + lead,
            ~select(deliveries.c.notification_id)
            .where(deliveries.c.template == "quota_reminder", deliveries.c.dedupe_key == quotas.c.quota_id)
            .exists(),
        )
    ).all()
    due = [quota_of(row) for row in rows]
    products = {quota.offering_id: product_name(session, quota.offering_id) for quota in due}
    return enqueue_all(session, domain.reminders_due(due, products, now, lead), now)


def alert_late_shipments(uow: UnitOfWork, now: datetime) -> list[str]:
    session = uow.session
    rows = session.execute(
        select(shipments.c.shipment_id, offerings.c.organisation_id, func.min(order_buyers.c.due_date))
        .join(shipment_lots, shipment_lots.c.shipment_id == shipments.c.shipment_id)
        .join(order_buyers, order_buyers.c.order_id == shipment_lots.c.order_id)
        .join(order_lines, order_lines.c.order_id == shipment_lots.c.order_id)
        .join(offerings, offerings.c.offering_id == order_lines.c.offering_id)
        .where(shipments.c.status != "delivered", offerings.c.organisation_id.is_not(None))
        .group_by(shipments.c.shipment_id, offerings.c.organisation_id)
    ).all()
    alerted = _already(session, "aggregator_shipment_late", {shipment_id for shipment_id, _, _ in rows})
    due = [
        domain.ShipmentDue(shipment_id, organisation_id, due_on)
        for shipment_id, organisation_id, due_on in rows
        if (shipment_id, organisation_id) not in alerted
    ]
    return enqueue_all(session, buyer_notices.late_shipments(due, now.date()), now)


def send_digests(uow: UnitOfWork, now: datetime, digest_hour: int) -> list[str]:
    """Each recipient's kept messages go out as one, once a day after its digest hour; what comes after that day's
    digest waits for the next."""
    session = uow.session
    created = []
    waiting = (
        session.execute(select(deliveries.c.recipient_id).where(deliveries.c.status == domain.DIGEST).distinct())
        .scalars()
        .all()
    )
    for recipient_id in waiting:
        found = addressee(session, recipient_id)
        if found is None:
            continue
        day = buyer_notices.digest_day(now, found.recipient.timezone, digest_hour)
        if (
            day is None
            or session.execute(
                select(deliveries.c.notification_id).where(
                    deliveries.c.recipient_id == recipient_id,
                    deliveries.c.template == "daily_digest",
                    deliveries.c.dedupe_key == day.isoformat(),
                )
            ).first()
        ):
            continue
        items = session.execute(
            select(deliveries.c.notification_id, deliveries.c.subject)
            .where(deliveries.c.recipient_id == recipient_id, deliveries.c.status == domain.DIGEST)
            .order_by(deliveries.c.created_at)
            .with_for_update(skip_locked=True)
        ).all()
        if not items:
            continue
        digest_id = enqueue(
            session, buyer_notices.digest(recipient_id, day, [item.subject for item in items]), found.recipient, now
        )
        if digest_id is None:
            continue
        session.execute(
            update(deliveries)
            .where(deliveries.c.notification_id.in_([item.notification_id for item in items]))
            .values(status=domain.DIGESTED, digest_id=digest_id)
        )
        created.append(digest_id)
    return created


def sweep(db: Database, now: datetime, reminder_lead: timedelta, digest_hour: int) -> list[str]:
    """Every sweep, each in its own unit of work (one failing leaves the others done); the ids of the notices stored,
    to send once they have committed."""
    created: list[str] = []
    for job in (
        lambda uow: send_reminders(uow, now, reminder_lead),
        lambda uow: alert_late_shipments(uow, now),
        lambda uow: send_digests(uow, now, digest_hour),
        lambda uow: dead_letter_alerts.alert_dead_letters(uow, now),
    ):
        with db.transaction() as uow:
            created.extend(job(uow))
    return created
