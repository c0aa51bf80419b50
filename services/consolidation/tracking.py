"""Tracking a shipment: each step of its journey, or an exception with its reason, recorded and announced."""

import logging
from datetime import datetime, timedelta, timezone

from sqlalchemy import select, update

from services.consolidation import domain
from services.consolidation.schemas import TrackingInput
from services.consolidation.store import shipment_events, shipment_lots, shipments
from services.consolidation.views import get_shipment
from shared.errors import InvalidInput, NotFound, load_or_refuse
from shared.events import new_event
from shared.store import UnitOfWork

log = logging.getLogger(__name__)

# A status reported a little ahead of the service's clock is skew, not the future.
CLOCK_SKEW = timedelta(minutes=5)


def track(uow: UnitOfWork, shipment_id: str, body: dict) -> dict:
    """Record a step of the shipment's journey (or an exception, with its reason) and tell everyone."""
    session = uow.session
    now = datetime.now(timezone.utc)
    data = load_or_refuse(TrackingInput(), body, "tracking")
    shipment = session.execute(
        select(shipments).where(shipments.c.shipment_id == shipment_id).with_for_update()
    ).one_or_none()
    if shipment is None:
        raise NotFound(f"shipment {shipment_id} not found")
    if not domain.check_transition(shipment.status, data["status"], shipment.before_exception):
        return get_shipment(uow, shipment_id)
    at = (data["at"] or now).astimezone(timezone.utc)
    last = session.execute(
        select(shipment_events.c.seq, shipment_events.c.at)
        .where(shipment_events.c.shipment_id == shipment_id)
        .order_by(shipment_events.c.seq.desc())
        .limit(1)
    ).one_or_none()
    if at > now + CLOCK_SKEW:
        raise InvalidInput("tracking refused", {"at": ["a status cannot be reported for the future"]})
    if last is not None and at < last.at:
        raise InvalidInput("tracking refused", {"at": [f"the shipment's last step was at {last.at.isoformat()}"]})
    session.execute(
        update(shipments)
        .where(shipments.c.shipment_id == shipment_id)
        .values(
            status=data["status"],
            updated_at=now,
            status_reason=data["reason"],
            before_exception=shipment.status if data["status"] == domain.EXCEPTION else None,
        )
    )
    session.execute(
        shipment_events.insert().values(
            shipment_id=shipment_id,
            seq=(last.seq if last else 0) + 1,
            status=data["status"],
            reason=data["reason"],
            at=at,
            recorded_at=now,
        )
    )
    lots = [
        {"lot_id": row.lot_id, "order_id": row.order_id, "line_id": row.line_id, "quantity": row.quantity}
        for row in session.execute(
            select(shipment_lots).where(shipment_lots.c.shipment_id == shipment_id).order_by(shipment_lots.c.lot_id)
        )
    ]
    uow.emit(
        new_event(
            "shipment.status_changed",
            {
                "shipment_id": shipment_id,
                "previous_status": shipment.status,
                "status": data["status"],
                "lots": lots,
                "reason": data["reason"],
                "at": at,
            },
            correlation_id=shipment_id,
        )
    )
    if data["status"] == domain.DELIVERED:
        uow.emit(
            new_event("shipment.delivered", {"shipment_id": shipment_id, "lots": lots}, correlation_id=shipment_id)
        )
    log.info(
        "shipment status changed",
        extra={"correlation_id": shipment_id, "status": data["status"], "previous_status": shipment.status},
    )
    return get_shipment(uow, shipment_id)
