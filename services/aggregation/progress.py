"""Quotas that finish: an accepted quota moves on as its lots are reported, inspected, collected and delivered, so a
producer's finished work stops looking like work to do (``domain.quota_progress`` decides each step)."""

import logging

from sqlalchemy import select, update

from services.aggregation import domain
from services.aggregation.store import lots, quotas
from shared.events import new_event
from shared.store import UnitOfWork

log = logging.getLogger(__name__)

_MOVING = tuple(state for state in domain.COVERING_STATES if state != domain.QUOTA_OFFERED)


def advance(uow: UnitOfWork, quota_id: str) -> None:
    """Move the quota to where its lots say it stands, telling everyone when that changes."""
    session = uow.session
    quota = session.execute(select(quotas).where(quotas.c.quota_id == quota_id).with_for_update()).one()
    if quota.status not in _MOVING:
        return
    progress = domain.quota_progress(
        quota.quantity,
        [
            domain.LotState(row.quantity, row.status, row.shipped_at is not None, row.delivered_at is not None)
            for row in session.execute(select(lots).where(lots.c.quota_id == quota_id))
        ],
    )
    if progress.status == quota.status:
        return
    session.execute(
        update(quotas).where(quotas.c.quota_id == quota_id).values(status=progress.status, reason=progress.reason)
    )
    uow.emit(
        new_event(
            "quota.progressed",
            {
                **{
                    key: getattr(quota, key)
                    for key in ("quota_id", "order_id", "line_id", "offering_id", "producer_id", "quantity")
                },
                "previous_status": quota.status,
                "status": progress.status,
                "passed": progress.passed,
                "reason": progress.reason,
            },
            correlation_id=quota.order_id,
        )
    )
    log.info(
        "quota progressed", extra={"correlation_id": quota.order_id, "quota_id": quota_id, "status": progress.status}
    )
