"""What the orders service shows: one order, pages of orders, and the fulfilment dashboard's figures."""

from datetime import date, datetime, timezone

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from services.orders import domain
from services.orders.store import order_lines, orders, utc_day
from shared.errors import NotFound
from shared.everyones_figures import EveryonesFigures
from shared.money import to_minor
from shared.store import UnitOfWork, page_of, paged


def _line_view(row, currency: str) -> dict:
    return {
        "line_id": row.line_id,
        "offering": row.sku,
        "offering_id": row.offering_id,
        "unit_price": str(to_minor(row.unit_price, currency)),
        "ordered": row.quantity,
        **{stage: getattr(row, stage) for stage in domain.LEDGER_STAGES},
        "shortfall": row.shortfall,
    }


def _order_view(order, lines) -> dict:
    return {
        "id": order.order_id,
        "status": order.status,
        "organisation_id": order.organisation_id,
        "buyer": {
            "id": order.buyer_id,
            "name": order.buyer_name,
            "email": order.buyer_email,
            "organisation_id": order.buyer_organisation_id,
        },
        "destination": order.destination,
        "due_date": order.due_date.isoformat(),
        "promised_date": order.promised_date.isoformat() if order.promised_date else None,
        "cancel_reason": order.cancel_reason,
        "currency": order.currency,
        "total": str(to_minor(order.total, order.currency)),
        "trade_terms": _trade_terms(order),
        "exchange_rate": _exchange_rate(order),
        "placed_at": order.placed_at.isoformat(),
        "updated_at": order.updated_at.isoformat(),
        "lines": [_line_view(line, order.currency) for line in lines],
    }


def _trade_terms(order) -> dict | None:
    """None for an order placed before orders named their terms."""
    if order.incoterm is None:
        return None
    return {"incoterm": order.incoterm, "named_place": order.named_place, "transport_mode": order.transport_mode}


def _exchange_rate(order) -> dict | None:
    """None for an order in its offerings' currency."""
    if order.exchange_rate_id is None:
        return None
    return {
        "rate_id": order.exchange_rate_id,
        "base_currency": order.exchange_base_currency,
        "quote_currency": order.currency,
        "rate": str(domain.plain(order.exchange_rate)),
        "rate_date": order.exchange_rate_date.isoformat(),
    }


def get_order(uow: UnitOfWork, order_id: str) -> dict:
    session = uow.session
    order = session.execute(select(orders).where(orders.c.order_id == order_id)).one_or_none()
    if order is None:
        raise NotFound(f"order {order_id} not found")
    lines = session.execute(
        select(order_lines).where(order_lines.c.order_id == order_id).order_by(order_lines.c.position)
    ).all()
    return _order_view(order, lines)


def list_orders(
    uow: UnitOfWork,
    page: int = 1,
    page_size: int = 20,
    status: str | None = None,
    organisation_id: str | None = None,
    buyer_organisation_id: str | None = None,
) -> dict:
    """A page of orders, newest first; the organisation filters keep a tenant to its own (the aggregator's, or the
    buyer's)."""
    session = uow.session
    conditions = [orders.c.status == status] if status else []
    if organisation_id is not None:
        conditions.append(orders.c.organisation_id == organisation_id)
    if buyer_organisation_id is not None:
        conditions.append(orders.c.buyer_organisation_id == buyer_organisation_id)
    page_orders, total = page_of(
        session, orders, conditions, (orders.c.placed_at.desc(), orders.c.order_id), page, page_size
    )
    ids = [order.order_id for order in page_orders]
    lines = {}
    for line in session.execute(
        select(order_lines).where(order_lines.c.order_id.in_(ids)).order_by(order_lines.c.position)
    ):
        lines.setdefault(line.order_id, []).append(line)
    return paged([_order_view(order, lines.get(order.order_id, [])) for order in page_orders], page, page_size, total)


# The dashboard lists this many of the latest orders.
RECENT_ORDERS = 10


def summary(uow: UnitOfWork, organisation_id: str | None = None) -> dict:
    """Figures for the fulfilment dashboard: one aggregator organisation's, counted now; every order's, as last
    counted (``EVERYONES``)."""
    if not organisation_id:
        return EVERYONES.answer("summary", uow)
    return _summary(uow, organisation_id)


def _summary(uow: UnitOfWork, organisation_id: str | None = None) -> dict:
    """The units (and so the fill rate) leave cancelled orders out: their units will never be delivered, and were
    never meant to be. Each figure is counted by the database: a year of orders is never loaded to be counted."""
    session = uow.session
    today = datetime.now(timezone.utc).date()
    mine = [orders.c.organisation_id == organisation_id] if organisation_id else []
    by_status, otif = _by_status(session, mine, today)
    sums = session.execute(
        select(
            func.coalesce(func.sum(order_lines.c.quantity), 0),
            *[func.coalesce(func.sum(getattr(order_lines.c, stage)), 0) for stage in domain.LEDGER_STAGES],
        )
        .join(orders, orders.c.order_id == order_lines.c.order_id)
        .where(*mine, orders.c.status != "cancelled")
    ).one()
    units = {"ordered": int(sums[0]), **{stage: int(value) for stage, value in zip(domain.LEDGER_STAGES, sums[1:])}}
    return {
        "orders": {"total": sum(by_status.values()), "by_status": by_status},
        "units": units,
        "fill_rate": domain.fill_rate(units["ordered"], units["delivered"]),
        "otif": otif,
        "shortfalls": _shortfalls(session, mine),
        "recent_orders": _recent(session, mine),
    }


# Everyone's figures, kept between requests: every organisation's year of orders takes too long to count per
# request (see shared.everyones_figures); the service's timer counts them again.
EVERYONES = EveryonesFigures({"summary": _summary})


def _recent(session: Session, mine: list) -> list[dict]:
    """The latest orders with their units ordered and delivered: the orders first (an index gives the latest), then
    their lines."""
    latest = (
        select(
            orders.c.order_id,
            orders.c.buyer_name,
            orders.c.status,
            orders.c.due_date,
            orders.c.promised_date,
            orders.c.placed_at,
        )
        .where(*mine)
        .order_by(orders.c.placed_at.desc(), orders.c.order_id)
        .limit(RECENT_ORDERS)
        .subquery()
    )
    rows = session.execute(
        select(latest, func.sum(order_lines.c.quantity), func.sum(order_lines.c.delivered))
        .join(order_lines, order_lines.c.order_id == latest.c.order_id)
        .group_by(*latest.c)
        .order_by(latest.c.placed_at.desc(), latest.c.order_id)
    ).all()
    return [
        {
            "id": row.order_id,
            "buyer": row.buyer_name,
            "status": row.status,
            "due_date": row.due_date.isoformat(),
            "promised_date": row.promised_date.isoformat() if row.promised_date else None,
            "ordered": int(row[-2]),
            "delivered": int(row[-1]),
        }
        for row in rows
    ]


def _by_status(session: Session, mine: list, today: date) -> tuple[dict, dict]:
    """The orders by status, and ``domain.otif`` counted along in the same pass: of the orders that are due
    (delivered, or past their promise, but not cancelled), those delivered in full on every line no later than
    promised. An order's last change is the one that made it delivered, so its UTC day is the day it was delivered."""
    promised_on = func.coalesce(orders.c.promised_date, orders.c.due_date)
    delivered = orders.c.status == "delivered"
    due = delivered | ((orders.c.status != "cancelled") & (promised_on < today))
    short = orders.c.order_id.in_(select(order_lines.c.order_id).where(order_lines.c.shortfall > 0))
    hit = and_(delivered, utc_day(session, orders.c.updated_at) <= promised_on, ~short)
    by_status = {status: 0 for status in domain.STATUSES}
    judged = hits = 0
    for status, count, due_count, hit_count in session.execute(
        select(orders.c.status, func.count(), func.sum(case((due, 1), else_=0)), func.sum(case((hit, 1), else_=0)))
        .where(*mine)
        .group_by(orders.c.status)
    ):
        by_status[status] = count
        judged, hits = judged + int(due_count), hits + int(hit_count)
    otif = {"due": judged, "on_time_in_full": hits, "rate": round(hits / judged, 4) if judged else None}
    return by_status, otif


def _shortfalls(session: Session, mine: list, limit: int = 20) -> dict:
    """Lines of live orders that allocation could not cover in full, largest first."""
    live = [*mine, order_lines.c.shortfall > 0, orders.c.status.not_in(("cancelled", "delivered"))]
    joined = order_lines.join(orders, orders.c.order_id == order_lines.c.order_id)
    lines, units = session.execute(
        select(func.count(), func.coalesce(func.sum(order_lines.c.shortfall), 0)).select_from(joined).where(*live)
    ).one()
    rows = session.execute(
        select(
            order_lines.c.order_id,
            order_lines.c.line_id,
            order_lines.c.sku,
            order_lines.c.quantity,
            order_lines.c.shortfall,
            orders.c.due_date,
        )
        .select_from(joined)
        .where(*live)
        .order_by(order_lines.c.shortfall.desc(), order_lines.c.line_id)
        .limit(limit)
    ).all()
    return {
        "lines": int(lines),
        "units": int(units),
        "items": [
            {
                "order_id": row.order_id,
                "line_id": row.line_id,
                "sku": row.sku,
                "ordered": row.quantity,
                "shortfall": row.shortfall,
                "due_date": row.due_date.isoformat(),
            }
            for row in rows
        ],
    }
