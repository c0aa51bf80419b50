"""Settlement's facts about a producer's money, told to her: an advance, a payment, her balance."""

from datetime import datetime, timezone

from sqlalchemy import select

from services.notification import payments
from services.notification.projections import known_quota
from services.notification.queueing import enqueue_all
from services.notification.store import lots, quotas
from shared.events import Event
from shared.store import UnitOfWork


def _now() -> datetime:
    return datetime.now(timezone.utc)


def advance_recorded(uow: UnitOfWork, event: Event) -> list[str]:
    quota = known_quota(uow.session, event.payload["quota_id"])
    notice = payments.advance_recorded(event.event_id, event.payload, quota.ref)
    return enqueue_all(uow.session, [notice], _now())


def payout_confirmed(uow: UnitOfWork, event: Event) -> list[str]:
    """She is told for which of her works she was paid, by the codes of their offers."""
    refs = list(
        uow.session.execute(
            select(quotas.c.ref)
            .join(lots, lots.c.quota_id == quotas.c.quota_id)
            .where(lots.c.lot_id.in_(event.payload["lots"]))
            .order_by(quotas.c.offered_at)
        ).scalars()
    )
    notice = payments.payout_confirmed(event.event_id, event.payload, refs)
    return enqueue_all(uow.session, [notice], _now())


def balance_reported(uow: UnitOfWork, event: Event) -> list[str]:
    notices = payments.balance_reported(event.event_id, event.payload["producer_id"], event.payload["balances"])
    return enqueue_all(uow.session, notices, _now())
