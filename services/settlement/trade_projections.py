"""What settlement learns of the trade from other services' facts, and the documents those facts call for: an order
placed gets its pro-forma, a shipment that leaves its invoices and packing lists, an order that ends short (every
unit delivered or known short) or is cancelled a credit note for what will never ship."""

from decimal import Decimal

from sqlalchemy import func, select, update

from services.settlement import documents, invoicing, trade
from services.settlement.trade_store import freight_shares, line_outcomes, sale_lines, sales, shipped_lots
from shared.events import Event
from shared.store import UnitOfWork, insert_new, insert_new_all

# A shipment leaves the country of export when it is in transit (pickup and the hub may go unreported).
DISPATCHED = "in_transit"


def record_sale(uow: UnitOfWork, event: Event) -> None:
    payload = event.payload
    session = uow.session
    buyer = payload["buyer"]
    lines = payload["lines"]
    priced = all(line.get("unit_price") is not None for line in lines) and payload.get("currency")
    new = insert_new(
        session,
        sales,
        {
            "order_id": payload["order_id"],
            "organisation_id": payload.get("organisation_id") or "",
            "buyer_id": buyer["buyer_id"],
            "buyer_name": buyer["name"],
            "buyer_email": buyer["email"],
            "buyer_organisation_id": buyer.get("organisation_id"),
            "destination": payload["destination"],
            "currency": payload.get("currency") or "",
            "trade_terms": payload.get("trade_terms") if priced else None,
            "exchange_rate": _plain(payload.get("exchange_rate")),
            "due_date": payload["due_date"],
            "promised_date": payload["promised_date"],
            "placed_at": event.occurred_at,
        },
    )
    if not new:
        return
    session.execute(
        sale_lines.insert(),
        [
            {
                "line_id": line["line_id"],
                "order_id": payload["order_id"],
                "position": position,
                "offering_id": line["offering_id"],
                "sku": line["sku"],
                "quantity": line["quantity"],
                "unit_price": line.get("unit_price") or Decimal(0),
            }
            for position, line in enumerate(lines)
        ],
    )
    sale = documents.sale_of(session, payload["order_id"])
    if sale.trade_terms is not None:
        documents.issue_proforma(uow, sale)


def _plain(rate: dict | None) -> dict | None:
    """The rate as JSON keeps it: the decimal as text, the date in ISO."""
    if rate is None:
        return None
    return {**rate, "rate": str(rate["rate"]), "rate_date": rate["rate_date"].isoformat()}


def _outcome(session, order_id: str, line_id: str) -> None:
    insert_new(session, line_outcomes, {"line_id": line_id, "order_id": order_id, "shortfall": 0, "replaced": 0})


def record_allocation(uow: UnitOfWork, event: Event) -> None:
    """Each line's shortfall as the latest allocation reports it, whatever order the facts arrive in."""
    payload = event.payload
    for line in payload["lines"]:
        _record_shortfall(uow, payload["order_id"], line["line_id"], line["shortfall"], event)
    settle_if_finished(uow, payload["order_id"])


def record_shortfall(uow: UnitOfWork, event: Event) -> None:
    payload = event.payload
    _record_shortfall(uow, payload["order_id"], payload["line_id"], payload["shortfall"], event)
    settle_if_finished(uow, payload["order_id"])


def _record_shortfall(uow: UnitOfWork, order_id: str, line_id: str, shortfall: int, event: Event) -> None:
    session = uow.session
    _outcome(session, order_id, line_id)
    session.execute(
        update(line_outcomes)
        .where(
            line_outcomes.c.line_id == line_id,
            line_outcomes.c.shortfall_as_of.is_(None) | (line_outcomes.c.shortfall_as_of < event.occurred_at),
        )
        .values(shortfall=shortfall, shortfall_as_of=event.occurred_at)
    )


def record_replacement(uow: UnitOfWork, event: Event) -> None:
    """A lot replaced after failing inspection: if its units are never made again, the credit note says so."""
    payload = event.payload
    session = uow.session
    _outcome(session, payload["order_id"], payload["line_id"])
    session.execute(
        update(line_outcomes)
        .where(line_outcomes.c.line_id == payload["line_id"])
        .values(replaced=line_outcomes.c.replaced + payload["quantity"])
    )


def record_cancellation(uow: UnitOfWork, event: Event) -> None:
    sale = documents.sale_of(uow.session, event.payload["order_id"])
    if sale is None:
        raise invoicing.OrderUnknown(f"order {event.payload['order_id']} is not known here yet")
    uow.session.execute(
        update(sales).where(sales.c.order_id == sale.order_id).values(cancelled=event.payload["reason"])
    )
    if sale.trade_terms is not None:
        invoicing.credit_unshipped(
            uow,
            sale,
            f"order cancelled ({event.payload['reason']})",
            "system: order cancelled",
            f"cancelled:{sale.order_id}",
        )


def record_shipment(uow: UnitOfWork, event: Event) -> None:
    """The shipment's lots and each order line's share of its freight, per leg."""
    payload = event.payload
    session = uow.session
    insert_new_all(
        session,
        shipped_lots,
        [
            {**_lot(lot), "shipment_id": payload["shipment_id"], "destination": payload["destination"]}
            for lot in payload["lots"]
        ],
        shipped_lots.c.lot_id,
    )
    currency = payload.get("freight_currency")
    for share in payload.get("freight", []):
        insert_new(
            session,
            freight_shares,
            {
                "shipment_id": payload["shipment_id"],
                "line_id": share["line_id"],
                "order_id": share["order_id"],
                "pickup": share["pickup"],
                "main": share["main"],
                "currency": currency,
            },
        )


def _lot(lot: dict) -> dict:
    return {key: lot[key] for key in ("lot_id", "order_id", "line_id", "quantity")}


def record_shipment_status(uow: UnitOfWork, event: Event) -> None:
    """A shipment in transit has left: what it carries is invoiced, order by order."""
    payload = event.payload
    if payload["status"] != DISPATCHED:
        return
    session = uow.session
    planned = session.execute(
        select(shipped_lots.c.lot_id).where(shipped_lots.c.shipment_id == payload["shipment_id"])
    ).first()
    if planned is None and _priced_orders(session, payload["lots"]):
        raise invoicing.ShipmentUnknown(f"shipment {payload['shipment_id']} is not known here yet")
    session.execute(
        update(shipped_lots)
        .where(
            shipped_lots.c.lot_id.in_([lot["lot_id"] for lot in payload["lots"]]),
            shipped_lots.c.dispatched_at.is_(None),
        )
        .values(dispatched_at=payload.get("at") or event.occurred_at)
    )
    invoicing.invoice_dispatch(uow, payload["shipment_id"], payload["lots"])


def _priced_orders(session, lots: list[dict]) -> bool:
    orders = {lot["order_id"] for lot in lots}
    return (
        session.execute(
            select(func.count())
            .select_from(sales)
            .where(sales.c.order_id.in_(orders), sales.c.trade_terms.is_not(None))
        ).scalar_one()
        > 0
    )


def record_delivery(uow: UnitOfWork, event: Event) -> None:
    """Delivered lots open the claim window; an order whose every unit is delivered or known short is settled."""
    payload = event.payload
    session = uow.session
    session.execute(
        update(shipped_lots)
        .where(
            shipped_lots.c.lot_id.in_([lot["lot_id"] for lot in payload["lots"]]), shipped_lots.c.delivered_at.is_(None)
        )
        .values(delivered_at=event.occurred_at)
    )
    for order_id in sorted({lot["order_id"] for lot in payload["lots"]}):
        settle_if_finished(uow, order_id)


def delivered_units(session, order_id: str) -> dict[str, int]:
    return {
        line_id: int(units)
        for line_id, units in session.execute(
            select(shipped_lots.c.line_id, func.sum(shipped_lots.c.quantity))
            .where(shipped_lots.c.order_id == order_id, shipped_lots.c.delivered_at.is_not(None))
            .group_by(shipped_lots.c.line_id)
        ).all()
    }


def settle_if_finished(uow: UnitOfWork, order_id: str) -> str | None:
    """Once every unit of every line is delivered or known short, credit the short units against the pro-forma."""
    session = uow.session
    sale = documents.sale_of(session, order_id)
    if sale is None or sale.trade_terms is None or sale.cancelled:
        return None
    delivered = delivered_units(session, order_id)
    short = {
        row.line_id: row.shortfall
        for row in session.execute(select(line_outcomes).where(line_outcomes.c.order_id == order_id)).all()
    }
    lines = session.execute(select(sale_lines).where(sale_lines.c.order_id == order_id)).all()
    finished = all(
        trade.line_finished(line.quantity, delivered.get(line.line_id, 0), short.get(line.line_id, 0)) for line in lines
    )
    if not finished or not any(short.get(line.line_id, 0) for line in lines):
        return None
    return invoicing.credit_unshipped(
        uow, sale, "the order ended short", "system: order finished short", f"shortfall:{order_id}"
    )
