"""The ledger of every order line: the units allocated, accepted, made, passed, shipped and delivered, moved by
aggregation's and consolidation's facts, and the order status it implies; and each line's latest shortfall."""

import logging
from datetime import datetime, timezone

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.orders import domain
from services.orders.store import order_lines, orders
from shared.errors import NotFound
from shared.events import Event, new_event
from shared.store import UnitOfWork

log = logging.getLogger(__name__)


def lock_order(session: Session, order_id: str) -> None:
    """Every change to an order's ledger takes the order's row lock first: one lock, so no deadlock between
    handlers that touch the same order's lines."""
    if (
        session.execute(select(orders.c.order_id).where(orders.c.order_id == order_id).with_for_update()).scalar()
        is None
    ):
        raise NotFound(f"order {order_id} not found")


def _ledgers(session: Session, order_id: str):
    lock_order(session, order_id)
    return session.execute(
        select(order_lines).where(order_lines.c.order_id == order_id).order_by(order_lines.c.position)
    ).all()


def _line_ledgers(session: Session, order_id: str) -> dict[str, domain.LineLedger]:
    return {
        row.line_id: domain.LineLedger(
            ordered=row.quantity, short=row.shortfall, **{s: getattr(row, s) for s in domain.LEDGER_STAGES}
        )
        for row in _ledgers(session, order_id)
    }


def move_units(uow: UnitOfWork, order_id: str, movements: list[tuple[str, str, int]]) -> None:
    """Apply ``(line_id, stage, units)`` movements to an order's ledger and announce a change of status."""
    ledgers = _line_ledgers(uow.session, order_id)
    for line_id, stage, units in movements:
        if line_id not in ledgers:
            raise NotFound(f"line {line_id} is not in order {order_id}")
        ledgers[line_id].add(stage, units)
    for line_id, ledger in ledgers.items():
        values = {stage: getattr(ledger, stage) for stage in domain.LEDGER_STAGES}
        uow.session.execute(update(order_lines).where(order_lines.c.line_id == line_id).values(**values))
    _refresh_status(uow, order_id, list(ledgers.values()))


def apply_to_ledger(uow: UnitOfWork, event: Event) -> None:
    apply_all_to_ledger(uow, [event])


def apply_all_to_ledger(uow: UnitOfWork, events: list[Event]) -> None:
    """Move the units the facts move, order by order in a fixed sequence (one fact can concern several orders, and
    facts handled together lock each order once)."""
    by_order: dict[str, list[tuple[str, str, int]]] = {}
    for event in events:
        for order_id, line_id, stage, units in domain.ledger_movements(event.event_type, event.payload):
            by_order.setdefault(order_id, []).append((line_id, stage, units))
    for order_id, movements in sorted(by_order.items()):
        move_units(uow, order_id, movements)


def record_shortfalls(uow: UnitOfWork, events: list[Event]) -> None:
    """``record_shortfall`` of facts handled together, order by order in a fixed sequence (no deadlock with the
    ledger's handlers, which lock orders in the same sequence)."""
    for event in sorted(events, key=lambda event: (event.payload["order_id"], event.occurred_at)):
        record_shortfall(uow, event)


def record_shortfall(uow: UnitOfWork, event: Event) -> None:
    """The latest allocation's shortfall per line wins, whatever order the events arrive in."""
    lock_order(uow.session, event.payload["order_id"])
    lines = event.payload["lines"] if event.event_type == "order.allocated" else [event.payload]
    for line in lines:
        uow.session.execute(
            update(order_lines)
            .where(order_lines.c.line_id == line["line_id"])
            .where((order_lines.c.shortfall_as_of.is_(None)) | (order_lines.c.shortfall_as_of < event.occurred_at))
            .values(shortfall=line["shortfall"], shortfall_as_of=event.occurred_at)
        )
    # A shortfall that comes after the last delivery may finish the order.
    _refresh_status(
        uow, event.payload["order_id"], list(_line_ledgers(uow.session, event.payload["order_id"]).values())
    )


def _refresh_status(uow: UnitOfWork, order_id: str, ledgers: list[domain.LineLedger]) -> None:
    session = uow.session
    current = session.execute(select(orders.c.status).where(orders.c.order_id == order_id)).scalar_one()
    status = domain.derive_status(ledgers)
    if status == current or current == "cancelled":
        return
    session.execute(
        update(orders).where(orders.c.order_id == order_id).values(status=status, updated_at=datetime.now(timezone.utc))
    )
    uow.emit(
        new_event(
            "order.status_changed",
            {"order_id": order_id, "previous_status": current, "status": status},
            correlation_id=order_id,
        )
    )
    log.info("order status changed", extra={"correlation_id": order_id, "from": current, "to": status})
