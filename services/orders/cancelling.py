"""Cancelling an order before it ships."""

import logging
from datetime import datetime, timezone

from sqlalchemy import select, update

from services.orders import domain
from services.orders.ledger import lock_order
from services.orders.schemas import CancelInput
from services.orders.store import orders
from services.orders.views import get_order
from shared.errors import Conflict, load_or_refuse
from shared.events import new_event
from shared.store import UnitOfWork

log = logging.getLogger(__name__)


def cancel_order(uow: UnitOfWork, order_id: str, body: dict) -> dict:
    """Stop an order before it ships: allocation releases its quotas and the producers are told. Cancelling a
    cancelled order again answers it as it is."""
    reason = load_or_refuse(CancelInput(), body, "cancellation")["reason"]
    session = uow.session
    lock_order(session, order_id)
    status = session.execute(select(orders.c.status).where(orders.c.order_id == order_id)).scalar_one()
    if status == "cancelled":
        return get_order(uow, order_id)
    if status not in domain.CANCELLABLE:
        raise Conflict(f"order {order_id} is {status}; only an order not yet shipped can be cancelled")
    session.execute(
        update(orders)
        .where(orders.c.order_id == order_id)
        .values(status="cancelled", cancel_reason=reason, updated_at=datetime.now(timezone.utc))
    )
    uow.emit_all(
        [
            new_event("order.cancelled", {"order_id": order_id, "reason": reason}, correlation_id=order_id),
            new_event(
                "order.status_changed",
                {"order_id": order_id, "previous_status": status, "status": "cancelled"},
                correlation_id=order_id,
            ),
        ]
    )
    log.info("order cancelled", extra={"correlation_id": order_id, "reason": reason})
    return get_order(uow, order_id)
