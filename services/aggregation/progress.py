"""Quotas that finish: an accepted quota moves on as its lots are reported, inspected, collected and delivered, so a
producer's finished work stops looking like work to do (``domain.quota_progress`` decides each step)."""
import logging
from datetime import datetime, timezone

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from services.aggregation import domain
from services.aggregation.store import lots, quotas
from shared.events import Event, new_event
from shared.store import Database

log = logging.getLogger(__name__)

# Where a shipment is once it has left the producers: their lots count as shipped.
_COLLECTED = ("picked_up", "at_hub", "in_transit")
_MOVING = tuple(state for state in domain.COVERING_STATES if state != domain.QUOTA_OFFERED)


def advance(db: Database, session: Session, quota_id: str) -> None:
    """Move the quota to where its lots say it stands, telling everyone when that changes."""
    quota = session.execute(select(quotas).where(quotas.c.quota_id == quota_id).with_for_update()).one()
    if quota.status not in _MOVING:
        return
    progress = domain.quota_progress(quota.quantity, [
        domain.LotState(row.quantity, row.status, row.shipped_at is not None, row.delivered_at is not None)
        for row in session.execute(select(lots).where(lots.c.quota_id == quota_id))])
    if progress.status == quota.status:
        return
    session.execute(update(quotas).where(quotas.c.quota_id == quota_id).values(status=progress.status,
                                                                                reason=progress.reason))
    db.emit(session, new_event("quota.progressed", {
        **{key: getattr(quota, key) for key in ("quota_id", "order_id", "line_id", "offering_id", "producer_id",
                                                "quantity")},
        "previous_status": quota.status, "status": progress.status, "passed": progress.passed,
        "reason": progress.reason}, correlation_id=quota.order_id))
    log.info("quota progressed", extra={"correlation_id": quota.order_id, "quota_id": quota_id,
                                        "status": progress.status})


def record_shipment(db: Database, session: Session, event: Event) -> None:
    """A shipment was collected or delivered: its lots, and their quotas, move on. Late or repeated facts keep the
    first moment each lot was collected or delivered."""
    payload = event.payload
    status = "delivered" if event.event_type == "shipment.delivered" else payload["status"]
    if status != "delivered" and status not in _COLLECTED:
        return
    moment = payload.get("at") or event.occurred_at or datetime.now(timezone.utc)
    lot_ids = sorted({lot["lot_id"] for lot in payload["lots"]})
    values = {"shipped_at": func.coalesce(lots.c.shipped_at, moment)}
    if status == "delivered":
        values["delivered_at"] = func.coalesce(lots.c.delivered_at, moment)
    session.execute(update(lots).where(lots.c.lot_id.in_(lot_ids)).values(**values))
    for quota_id in sorted(set(session.execute(select(lots.c.quota_id).where(lots.c.lot_id.in_(lot_ids)))
                               .scalars())):
        advance(db, session, quota_id)
