"""What ships is invoiced, and what will never ship is credited: a commercial invoice and a packing list per order
and shipment when the shipment leaves (its goods, the freight legs the buyer bears under the order's Incoterm, tax),
and a credit note against the pro-forma for the units of an order that ends short or is cancelled."""

from datetime import datetime, timedelta, timezone
from decimal import Decimal

from sqlalchemy import func, select

from services.settlement import documents, trade
from services.settlement.trade_store import freight_shares, line_outcomes, sale_lines, shipped_lots
from shared.errors import NotYetKnown
from shared.store import UnitOfWork


class ShipmentUnknown(NotYetKnown):
    """A shipment left before settlement heard it planned (and so its freight): the fact waits."""


class OrderUnknown(NotYetKnown):
    """A fact about an order settlement has not heard placed yet: the fact waits for ``order.placed``."""


def invoice_dispatch(uow: UnitOfWork, shipment_id: str, lots: list[dict]) -> list[str]:
    """The invoice and packing list of each order the shipment carries; numbers of those issued now."""
    session = uow.session
    by_order: dict[str, list[dict]] = {}
    for lot in lots:
        by_order.setdefault(lot["order_id"], []).append(lot)
    issued = []
    for order_id in sorted(by_order):
        sale = documents.sale_of(session, order_id)
        if sale is None:
            raise OrderUnknown(f"order {order_id} is not known here yet")
        if sale.trade_terms is None:
            continue
        issued += [
            number
            for number in (
                _invoice(uow, sale, shipment_id, by_order[order_id]),
                _packing_list(uow, sale, shipment_id, by_order[order_id]),
            )
            if number
        ]
    return issued


def _invoice(uow: UnitOfWork, sale, shipment_id: str, lots: list[dict]) -> str | None:
    session = uow.session
    cause = f"invoice:{shipment_id}:{sale.order_id}"
    if documents.already_issued(session, cause):
        return None
    quantities: dict[str, int] = {}
    for lot in lots:
        quantities[lot["line_id"]] = quantities.get(lot["line_id"], 0) + lot["quantity"]
    shares = session.execute(
        select(freight_shares).where(
            freight_shares.c.shipment_id == shipment_id, freight_shares.c.order_id == sale.order_id
        )
    ).all()
    if not shares:
        raise ShipmentUnknown(f"shipment {shipment_id}'s freight is not known here yet")
    legs = {"pickup": Decimal(0), "main": Decimal(0)}
    for share in shares:
        for leg in legs:
            legs[leg] += trade.convert(Decimal(getattr(share, leg)), share.currency, sale.currency, sale.exchange_rate)
    incoterm = sale.trade_terms["incoterm"]
    billed, carried = trade.billed_freight(incoterm, [trade.FreightShare(leg, amount) for leg, amount in legs.items()])
    terms = documents.terms_of(session, sale.organisation_id)
    priced, printed = documents.document_lines(session, sale, quantities)
    totals = trade.totals(sale.currency, priced, billed, Decimal(terms["tax_rate"]))
    due_on = datetime.now(timezone.utc).date() + timedelta(days=terms["payment_days"])
    freight_legs = {
        leg: {"amount": str(amount), "billed_to": "buyer" if trade.buyer_pays(incoterm, leg) else "seller"}
        for leg, amount in legs.items()
    }
    content = documents.content_of(
        sale,
        totals,
        printed,
        freight_legs=freight_legs,
        notes=[f"freight carried by the seller under {incoterm}: {carried}"],
        shipment_id=shipment_id,
        tax_name=terms["tax_name"],
    )
    return documents.issue(
        uow,
        sale,
        trade.INVOICE,
        cause,
        content,
        totals,
        "system: shipment dispatched",
        shipment_id=shipment_id,
        amount_due=totals.total,
        due_on=due_on,
    )


def _packing_list(uow: UnitOfWork, sale, shipment_id: str, lots: list[dict]) -> str | None:
    """Each lot a package: its goods, units, net weight and volume, so customs and the buyer can count them."""
    session = uow.session
    lines = {
        row.line_id: row
        for row in session.execute(select(sale_lines).where(sale_lines.c.order_id == sale.order_id)).all()
    }
    facts = documents.offering_facts(session, {line.offering_id for line in lines.values()})
    packages = []
    for lot in sorted(lots, key=lambda lot: lot["lot_id"]):
        line = lines[lot["line_id"]]
        offering = facts.get(line.offering_id)
        weight_g = (offering.unit_weight_g or 0) * lot["quantity"] if offering else 0
        volume_cm3 = (offering.unit_volume_cm3 or 0) * lot["quantity"] if offering else 0
        packages.append(
            {
                "lot_id": lot["lot_id"],
                "line_id": line.line_id,
                "offering": offering.name if offering else line.sku,
                "hs_code": offering.hs_code if offering else None,
                "origin_country": offering.origin_country if offering else None,
                "quantity": lot["quantity"],
                "net_weight_kg": str(Decimal(weight_g) / 1000),
                "volume_m3": str(Decimal(volume_cm3) / 1_000_000),
            }
        )
    content = documents.content_of(sale, None, [], packages=packages, shipment_id=shipment_id)
    return documents.issue(
        uow,
        sale,
        trade.PACKING_LIST,
        f"packing_list:{shipment_id}:{sale.order_id}",
        content,
        None,
        "system: shipment dispatched",
        shipment_id=shipment_id,
    )


def credit_unshipped(uow: UnitOfWork, sale, reason: str, issued_by: str, cause: str) -> str | None:
    """A credit note against the pro-forma for every unit of the order that will never ship and is not credited
    yet, at the pro-forma's prices and tax rate; None when there is nothing to credit."""
    session = uow.session
    proforma = documents.find(session, order_id=sale.order_id, kind=trade.PROFORMA)
    if not proforma or documents.already_issued(session, cause):
        return None
    shipped = {
        line_id: int(units)
        for line_id, units in session.execute(
            select(shipped_lots.c.line_id, func.sum(shipped_lots.c.quantity))
            .where(shipped_lots.c.order_id == sale.order_id, shipped_lots.c.dispatched_at.is_not(None))
            .group_by(shipped_lots.c.line_id)
        ).all()
    }
    credited = credited_units(session, sale.order_id, proforma[0].number)
    outcomes = {
        row.line_id: row
        for row in session.execute(select(line_outcomes).where(line_outcomes.c.order_id == sale.order_id)).all()
    }
    units, reasons = {}, []
    for line in session.execute(select(sale_lines).where(sale_lines.c.order_id == sale.order_id)).all():
        short = trade.unshipped(line.quantity, int(shipped.get(line.line_id, 0)), credited.get(line.line_id, 0))
        if short:
            units[line.line_id] = short
            replaced = min(short, outcomes[line.line_id].replaced if line.line_id in outcomes else 0)
            never = f"{line.sku}: {short} units never made"
            reasons.append(
                never + (f" ({replaced} of them from lots replaced after failing inspection)" if replaced else "")
            )
    if not units:
        return None
    priced, printed = documents.document_lines(session, sale, units)
    totals = trade.totals(sale.currency, priced, Decimal(0), Decimal(proforma[0].tax_rate))
    text = f"{reason}: " + "; ".join(reasons)
    content = documents.content_of(sale, totals, printed, corrects=proforma[0].number, reason=text)
    return documents.issue(
        uow, sale, trade.CREDIT_NOTE, cause, content, totals, issued_by, corrects=proforma[0].number, reason=text
    )


def credited_units(session, order_id: str, corrected: str) -> dict[str, int]:
    """Units per line already credited against one document."""
    units: dict[str, int] = {}
    for note in documents.find(session, order_id=order_id, kind=trade.CREDIT_NOTE, corrects=corrected):
        for line in note.content["lines"]:
            units[line["line_id"]] = units.get(line["line_id"], 0) + line["quantity"]
    return units
