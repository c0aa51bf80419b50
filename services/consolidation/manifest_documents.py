"""A shipment's manifest, or one buyer order's part of it, as a PDF or a CSV file."""

import base64
from decimal import Decimal

from sqlalchemy import select

from services.consolidation import manifests, views
from services.consolidation.schemas import ManifestInput
from services.consolidation.store import offerings, order_destinations, producers, shipment_lots, shipments
from shared.errors import NotFound, load_or_refuse
from shared.store import UnitOfWork


def manifest(uow: UnitOfWork, shipment_id: str, query: dict) -> dict:
    """The shipment's manifest, or one buyer order's part of it, as PDF or CSV (base64: bytes do not survive JSON)."""
    session = uow.session
    data = load_or_refuse(ManifestInput(), query, "query")
    row = session.execute(select(shipments).where(shipments.c.shipment_id == shipment_id)).one_or_none()
    if row is None:
        raise NotFound(f"shipment {shipment_id} not found")
    lots = session.execute(
        select(shipment_lots)
        .where(shipment_lots.c.shipment_id == shipment_id)
        .order_by(shipment_lots.c.order_id, shipment_lots.c.lot_id)
    ).all()
    shares = views.freight_shares(row, lots)
    order_id = data["order_id"]
    if order_id is not None:
        lots = [lot for lot in lots if lot.order_id == order_id]
        if not lots:
            raise NotFound(f"order {order_id} has no lots in shipment {shipment_id}")
    makers = views.names_of(session, producers, producers.c.producer_id, {lot.producer_id for lot in lots})
    products = views.names_of(session, offerings, offerings.c.offering_id, {lot.offering_id for lot in lots})
    buyers = views.names_of(session, order_destinations, order_destinations.c.order_id, {lot.order_id for lot in lots})
    document = manifests.Manifest(
        shipment_id=shipment_id,
        status=row.status,
        hub=row.hub_name,
        destination=row.destination["name"],
        vehicle=row.vehicle_name,
        dispatch_on=row.dispatch_on,
        arrives_on=row.arrives_on,
        currency=row.currency,
        order_id=order_id,
        lines=[
            manifests.ManifestLine(
                lot_id=lot.lot_id,
                order_id=lot.order_id,
                buyer=getattr(buyers.get(lot.order_id), "buyer_name", ""),
                line_id=lot.line_id,
                sku=getattr(products.get(lot.offering_id), "sku", lot.offering_id),
                product=getattr(products.get(lot.offering_id), "name", ""),
                producer_id=lot.producer_id,
                producer=getattr(makers.get(lot.producer_id), "name", lot.producer_id),
                village=getattr(makers.get(lot.producer_id), "village", ""),
                units=lot.quantity,
                weight_kg=Decimal(lot.weight_kg).quantize(Decimal("0.001")),
                volume_m3=Decimal(lot.volume_m3).quantize(Decimal("0.000001")),
                pickup_on=lot.pickup_on,
                freight_share=shares.lots[lot.lot_id],
            )
            for lot in lots
        ],
    )
    name = f"manifest-{shipment_id}" + (f"-{order_id}" if order_id else "")
    if data["format"] == "csv":
        content, content_type = manifests.render_csv(document).encode(), "text/csv; charset=utf-8"
    else:
        content, content_type = manifests.render_pdf(document), "application/pdf"
    return {
        "content_type": content_type,
        "filename": f"{name}.{data['format']}",
        "data": base64.b64encode(content).decode(),
    }
