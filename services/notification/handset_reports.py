"""Delivery reports: what the SMS provider says became of a message on her phone.

A message handed to the provider is only pending; its report says delivered, failed or expired. A message that did
not reach her phone counts as a failure of the channel, and the message goes back to the queue without it, so the next
channel of her preferences is tried (or, when none is left, her organisation is told that she cannot be reached, as
for a send that failed). A report may arrive before the send's own record has committed (Kannel reports within
milliseconds): the report is kept, and recording the send applies it (``delivery_outcomes``).

Every report is written to ``handset_reports`` as received, with whether it changed anything: a replayed or late
report changes nothing, and a report for a message we never sent is refused.
"""

import logging
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from services.notification import domain
from services.notification.delivery_outcomes import NOT_DELIVERED, try_another_channel
from services.notification.provider_reports import Receipt, moves_forward
from services.notification.store import deliveries, delivery_attempts, handset_reports
from shared.errors import NotFound
from shared.store import UnitOfWork

log = logging.getLogger(__name__)


def _message(session: Session, receipt: Receipt):
    named = []
    if receipt.reference:
        named.append(deliveries.c.notification_id == receipt.reference)
    if receipt.provider_id:
        named.append(deliveries.c.provider_id == receipt.provider_id)
    return session.execute(select(deliveries).where(or_(*named)).limit(1).with_for_update()).one_or_none()


def _sent_by(session: Session, row, transport: str) -> bool:
    if row.transport == transport:
        return True
    return (
        session.execute(
            select(delivery_attempts.c.id)
            .where(
                delivery_attempts.c.notification_id == row.notification_id, delivery_attempts.c.transport == transport
            )
            .limit(1)
        ).first()
        is not None
    )


def record(uow: UnitOfWork, receipt: Receipt, transport: str, now: datetime) -> dict:
    """Apply one delivery report from ``transport``; what is now known of the message."""
    session = uow.session
    row = _message(session, receipt)
    if row is None or not _sent_by(session, row, transport):
        raise NotFound("no message sent by this gateway has this reference")
    # A report on an attempt the message has moved on from (it went out on another channel since) changes nothing.
    applied = row.transport == transport and moves_forward(row.handset_status, receipt.status)
    session.execute(
        handset_reports.insert().values(
            notification_id=row.notification_id,
            transport=transport,
            status=receipt.status,
            detail=receipt.detail[:300],
            applied=applied,
            received_at=now,
        )
    )
    status = row.handset_status
    if applied:
        status = receipt.status
        session.execute(
            update(deliveries)
            .where(deliveries.c.notification_id == row.notification_id)
            .values(handset_status=status, handset_detail=receipt.detail[:300] or None, handset_reported_at=now)
        )
        if status in NOT_DELIVERED and row.status == domain.SENT:
            try_another_channel(session, row, status, receipt.detail, now)
    log.info(
        "delivery report",
        extra={
            "notification_id": row.notification_id,
            "correlation_id": row.correlation_id,
            "transport": transport,
            "reported": receipt.status,
            "applied": applied,
        },
    )
    return {"id": row.notification_id, "handset_status": status, "applied": applied}
