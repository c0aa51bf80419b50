"""What the notification service knows of the other services' facts: recipients, offerings, quotas, orders, lots.

Messages are made of these projections. A fact that refers to something not known here yet (a quota offered to a
producer whose registration has not arrived) raises ``NotYetKnown``: the message waits for it. The lookups take the
session of the caller's unit of work.
"""

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.notification import domain
from services.notification.store import lots, offerings, order_buyers, quotas, recipients
from shared import zones
from shared.errors import NotYetKnown
from shared.events import Event
from shared.store import UnitOfWork, merge


def record_producer(uow: UnitOfWork, event: Event) -> list[str]:
    """Producer events are snapshots: the newest wins, whatever order they arrive in. Preferences set through the
    API are the producer's own and stay. Her time zone is her region's until she chooses her own preferences."""
    payload = event.payload
    written = merge(
        uow.session,
        recipients,
        dict(
            recipient_id=payload["producer_id"],
            kind=domain.PRODUCER,
            organisation_id=payload["organisation_id"],
            name=payload["name"],
            mobile=payload["mobile"],
            email=payload["email"],
            webhook_url=payload["webhook_url"],
            languages=payload["languages"],
            snapshot_at=event.occurred_at,
        ),
        keys=("recipient_id",),
        newer="snapshot_at",
    )
    zone = zones.zone_of(payload.get("country"), payload.get("region"))
    if written and zone:
        uow.session.execute(
            update(recipients)
            .where(recipients.c.recipient_id == payload["producer_id"])
            .where(recipients.c.preferences.is_(None) | recipients.c.timezone.is_(None))
            .values(timezone=zone)
        )
    return []


def record_offering(uow: UnitOfWork, event: Event) -> list[str]:
    merge(
        uow.session,
        offerings,
        {key: event.payload[key] for key in ("offering_id", "name", "organisation_id")},
        keys=("offering_id",),
    )
    return []


def product_name(session: Session, offering_id: str) -> str:
    name = session.execute(select(offerings.c.name).where(offerings.c.offering_id == offering_id)).scalar()
    if name is None:
        raise NotYetKnown(f"offering {offering_id} is not known here yet")
    return name


def organisation_of_offering(session: Session, offering_id: str) -> str | None:
    return session.execute(select(offerings.c.organisation_id).where(offerings.c.offering_id == offering_id)).scalar()


def known_quota(session: Session, quota_id: str) -> domain.Quota:
    row = session.execute(select(quotas).where(quotas.c.quota_id == quota_id)).one_or_none()
    if row is None:
        raise NotYetKnown(f"quota {quota_id} is not known here yet")
    return quota_of(row)


def quota_of(row) -> domain.Quota:
    return domain.Quota(
        row.quota_id,
        row.ref,
        row.order_id,
        row.producer_id,
        row.offering_id,
        row.quantity,
        row.offered_at,
        row.respond_by,
        row.status,
        domain.pending_top_up(row.top_up, row.top_up_base, row.top_up_offered_at, row.top_up_answered_at),
    )


def known_order(session: Session, order_id: str) -> domain.Order:
    row = session.execute(select(order_buyers).where(order_buyers.c.order_id == order_id)).one_or_none()
    if row is None:
        raise NotYetKnown(f"order {order_id} is not known here yet")
    return domain.Order(row.order_id, row.buyer_id, row.due_date, row.promised_date)


def record_lot(session: Session, payload: dict) -> domain.Lot:
    lot = domain.Lot(
        payload["lot_id"],
        payload["quota_id"],
        payload["order_id"],
        payload["producer_id"],
        payload["offering_id"],
        payload["quantity"],
    )
    merge(
        session,
        lots,
        dict(
            lot_id=lot.lot_id,
            quota_id=lot.quota_id,
            order_id=lot.order_id,
            producer_id=lot.producer_id,
            offering_id=lot.offering_id,
            quantity=lot.quantity,
        ),
        keys=("lot_id",),
    )
    return lot
