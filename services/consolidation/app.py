"""Use cases of the consolidation service, each inside the caller's transaction."""
import logging
from datetime import datetime, timezone

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from services.consolidation import domain
from services.consolidation.schemas import ShipmentFilter, StatusInput
from services.consolidation.store import order_destinations, ready_lots, shipment_lots, shipments
from shared.errors import NotFound, load_or_refuse
from shared.events import Event, new_event
from shared.ids import new_id
from shared.store import Database, page_of, paged

log = logging.getLogger(__name__)


def record_destination(session: Session, event: Event) -> None:
    payload = event.payload
    session.execute(order_destinations.insert().values(order_id=payload["order_id"],
                                                       buyer_name=payload["buyer"]["name"],
                                                       destination=payload["destination"]))


def record_passed_lot(session: Session, event: Event) -> None:
    payload = event.payload
    if not payload["passed"]:
        return
    session.execute(ready_lots.insert().values(lot_id=payload["lot_id"], order_id=payload["order_id"],
                                               line_id=payload["line_id"], producer_id=payload["producer_id"],
                                               quantity=payload["quantity"], passed_at=event.occurred_at))


def _lots_payload(rows) -> list:
    return [{"lot_id": row.lot_id, "order_id": row.order_id, "line_id": row.line_id, "quantity": row.quantity}
            for row in rows]


def plan_shipments(db: Database, session: Session) -> list:
    """Combine every passed lot not yet shipped into one shipment per destination city."""
    waiting = session.execute(select(ready_lots).where(ready_lots.c.shipment_id.is_(None))
                              .order_by(ready_lots.c.lot_id).with_for_update()).all()
    order_ids = {row.order_id for row in waiting}
    destinations = {row.order_id: row.destination for row in session.execute(
        select(order_destinations).where(order_destinations.c.order_id.in_(order_ids)))}
    lots = [domain.ReadyLot(row.lot_id, row.order_id, row.line_id, row.quantity) for row in waiting]
    now = datetime.now(timezone.utc)
    planned = []
    for destination, group in domain.combine(lots, destinations):
        shipment_id = new_id("shp")
        session.execute(shipments.insert().values(shipment_id=shipment_id, destination=destination,
                                                  status="planned", planned_at=now, updated_at=now))
        session.execute(shipment_lots.insert(), [dict(shipment_id=shipment_id, lot_id=lot.lot_id,
                                                      order_id=lot.order_id, line_id=lot.line_id,
                                                      quantity=lot.quantity) for lot in group])
        session.execute(update(ready_lots).where(ready_lots.c.lot_id.in_([lot.lot_id for lot in group]))
                        .values(shipment_id=shipment_id))
        db.emit(session, new_event("shipment.planned", {
            "shipment_id": shipment_id, "destination": destination,
            "lots": [{"lot_id": lot.lot_id, "order_id": lot.order_id, "line_id": lot.line_id,
                      "quantity": lot.quantity} for lot in group]}, correlation_id=shipment_id))
        log.info("shipment planned", extra={"correlation_id": shipment_id, "lots": len(group),
                                            "destination": destination["name"]})
        planned.append(shipment_id)
    return [get_shipment(session, shipment_id) for shipment_id in planned]


def update_status(db: Database, session: Session, shipment_id: str, body: dict) -> dict:
    requested = load_or_refuse(StatusInput(), body, "status")["status"]
    shipment = session.execute(select(shipments).where(shipments.c.shipment_id == shipment_id)
                               .with_for_update()).one_or_none()
    if shipment is None:
        raise NotFound(f"shipment {shipment_id} not found")
    if domain.next_status(shipment.status, requested):
        session.execute(update(shipments).where(shipments.c.shipment_id == shipment_id)
                        .values(status=requested, updated_at=datetime.now(timezone.utc)))
        lots = _lots_payload(session.execute(select(shipment_lots).where(shipment_lots.c.shipment_id == shipment_id)
                                             .order_by(shipment_lots.c.lot_id)).all())
        db.emit(session, new_event("shipment.status_changed", {
            "shipment_id": shipment_id, "previous_status": shipment.status, "status": requested, "lots": lots},
            correlation_id=shipment_id))
        if requested == "delivered":
            db.emit(session, new_event("shipment.delivered", {"shipment_id": shipment_id, "lots": lots},
                                       correlation_id=shipment_id))
        log.info("shipment status changed", extra={"correlation_id": shipment_id, "status": requested})
    return get_shipment(session, shipment_id)


def _shipment_view(row, lots) -> dict:
    return {"id": row.shipment_id, "destination": row.destination, "status": row.status,
            "planned_at": row.planned_at.isoformat(), "updated_at": row.updated_at.isoformat(),
            "units": sum(lot["quantity"] for lot in lots), "orders": sorted({lot["order_id"] for lot in lots}),
            "lots": lots}


def get_shipment(session: Session, shipment_id: str) -> dict:
    row = session.execute(select(shipments).where(shipments.c.shipment_id == shipment_id)).one_or_none()
    if row is None:
        raise NotFound(f"shipment {shipment_id} not found")
    lots = _lots_payload(session.execute(select(shipment_lots).where(shipment_lots.c.shipment_id == shipment_id)
                                         .order_by(shipment_lots.c.lot_id)).all())
    return _shipment_view(row, lots)


def list_shipments(session: Session, query: dict) -> dict:
    filters = load_or_refuse(ShipmentFilter(), query, "query")
    page, page_size = filters.pop("page"), filters.pop("page_size")
    conditions = [shipments.c.status == filters["status"]] if "status" in filters else []
    rows, total = page_of(session, shipments, conditions, (shipments.c.planned_at, shipments.c.shipment_id),
                          page, page_size)
    lots = {}
    for lot in session.execute(select(shipment_lots).where(
            shipment_lots.c.shipment_id.in_([row.shipment_id for row in rows])).order_by(shipment_lots.c.lot_id)):
        lots.setdefault(lot.shipment_id, []).append(lot)
    return paged([_shipment_view(row, _lots_payload(lots.get(row.shipment_id, []))) for row in rows], page,
                 page_size, total)


def shipment_counts(session: Session) -> dict:
    counts = {status: 0 for status in domain.STATUS_FLOW}
    counts.update(dict(session.execute(select(shipments.c.status, func.count())
                                       .group_by(shipments.c.status)).all()))
    return counts
