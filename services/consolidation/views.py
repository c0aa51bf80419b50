"""Reads of the consolidation service: shipments as aggregators and buyers see them, manifests, counts.

A shipment combines the lots of several buyers' orders. The organisation that runs it sees everything; a buyer sees
the journey and its own orders' part only (``buyer_organisation_id``): not the other orders, their lots or freight
shares, nor the shipment's total cost, fill and pickup routes, which would tell of them."""

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.consolidation import domain, freight
from services.consolidation.schemas import ShipmentFilter
from services.consolidation.store import (
    order_destinations,
    pickup_routes,
    producers,
    shipment_events,
    shipment_lots,
    shipments,
)
from shared.errors import NotFound, load_or_refuse
from shared.store import UnitOfWork, page_of, paged

FREIGHT_RULE = (
    "weight x distance, leg by leg: a pickup route's cost shared among its lots by kilograms times kilometres "
    "from the producer to the hub, the line-haul's by kilograms times its kilometres; an order line's lots share "
    "its total by kilograms times their whole journey; whole cents by largest remainder"
)


def fixed(value, places: int) -> str:
    return f"{Decimal(value).quantize(Decimal(1).scaleb(-places)):f}"


def names_of(session: Session, table, key, ids) -> dict:
    """Rows of ``table`` by their ``key`` column, for the ids at hand."""
    if not ids:
        return {}
    return {getattr(row, key.name): row for row in session.execute(select(table).where(key.in_(ids)))}


def shipment_views(session: Session, shipment_ids: list, buyer_organisation_id: str | None = None) -> list:
    """The shipments, whole; with ``buyer_organisation_id``, that buyer's part of each (none where it has none)."""
    if not shipment_ids:
        return []
    rows = {
        row.shipment_id: row
        for row in session.execute(select(shipments).where(shipments.c.shipment_id.in_(shipment_ids)))
    }
    lots, events = {}, {}
    for lot in session.execute(
        select(shipment_lots).where(shipment_lots.c.shipment_id.in_(shipment_ids)).order_by(shipment_lots.c.lot_id)
    ):
        lots.setdefault(lot.shipment_id, []).append(lot)
    for event in session.execute(
        select(shipment_events).where(shipment_events.c.shipment_id.in_(shipment_ids)).order_by(shipment_events.c.seq)
    ):
        events.setdefault(event.shipment_id, []).append(event)
    every_lot = [lot for group in lots.values() for lot in group]
    routes = names_of(
        session, pickup_routes, pickup_routes.c.route_id, {lot.route_id for lot in every_lot if lot.route_id}
    )
    stop_ids = {producer_id for route in routes.values() for producer_id in route.stops}
    names = names_of(session, producers, producers.c.producer_id, {lot.producer_id for lot in every_lot} | stop_ids)
    views = [
        _shipment_view(rows[shipment_id], lots.get(shipment_id, []), events.get(shipment_id, []), routes, names)
        for shipment_id in shipment_ids
        if shipment_id in rows
    ]
    if buyer_organisation_id is None:
        return views
    theirs = _orders_of_buyer(session, buyer_organisation_id, {lot.order_id for lot in every_lot})
    return [_part_of_buyer(view, theirs) for view in views if theirs & set(view["order_ids"])]


def _orders_of_buyer(session: Session, buyer_organisation_id: str, order_ids: set) -> set:
    if not order_ids:
        return set()
    return set(
        session.execute(
            select(order_destinations.c.order_id).where(
                order_destinations.c.order_id.in_(order_ids),
                order_destinations.c.buyer_organisation_id == buyer_organisation_id,
            )
        ).scalars()
    )


_JOURNEY = (
    "id",
    "organisation_id",
    "status",
    "status_reason",
    "destination",
    "hub",
    "vehicle",
    "planned_at",
    "updated_at",
    "dispatch_reason",
    "dispatch_on",
    "arrives_on",
    "latest_dispatch_on",
    "tracking",
)


def _part_of_buyer(view: dict, order_ids: set) -> dict:
    """The journey, and of the load only the buyer's own orders: their lots, weight and freight shares."""
    lots = [lot for lot in view["lots"] if lot["order_id"] in order_ids]
    lines = [line for line in view["freight"]["order_lines"] if line["order_id"] in order_ids]
    orders = sorted(order_ids & set(view["order_ids"]))
    return {
        **{key: view[key] for key in _JOURNEY},
        "units": sum(lot["quantity"] for lot in lots),
        "weight_kg": fixed(sum((Decimal(lot["weight_kg"]) for lot in lots), Decimal(0)), 3),
        "orders": orders,
        "order_ids": orders,
        "lots": [{key: value for key, value in lot.items() if key != "route_id"} for lot in lots],
        "freight": {
            "currency": view["freight"]["currency"],
            "rule": view["freight"]["rule"],
            "order_lines": lines,
            "share": fixed(sum((Decimal(line["share"]) for line in lines), Decimal(0)), 2),
        },
    }


def freight_shares(row, lots) -> freight.Shares:
    return freight.shipment_shares(
        Decimal(row.line_haul_cost).quantize(freight.CENT),
        Decimal(row.line_haul_km),
        [
            freight.CarriedLot(
                lot.lot_id,
                lot.order_id,
                lot.line_id,
                lot.producer_id,
                Decimal(lot.weight_kg),
                Decimal(lot.distance_km),
                Decimal(lot.route_share).quantize(freight.CENT),
            )
            for lot in lots
        ],
    )


def _shipment_view(row, lots, events, routes, names) -> dict:
    shares = freight_shares(row, lots)
    weights_by_line, weights_by_producer = {}, {}
    for lot in lots:
        line = (lot.order_id, lot.line_id)
        weights_by_line[line] = weights_by_line.get(line, Decimal(0)) + Decimal(lot.weight_kg)
        weights_by_producer[lot.producer_id] = weights_by_producer.get(lot.producer_id, Decimal(0)) + Decimal(
            lot.weight_kg
        )
    by_route = {}
    for lot in lots:
        if lot.route_id:
            by_route[lot.route_id] = by_route.get(lot.route_id, Decimal(0)) + Decimal(lot.route_share)
    currency = row.currency
    return {
        "id": row.shipment_id,
        "organisation_id": row.organisation_id,
        "status": row.status,
        "status_reason": row.status_reason,
        "destination": row.destination,
        "hub": {"id": row.hub_id, "name": row.hub_name},
        "vehicle": {"id": row.vehicle_id, "name": row.vehicle_name},
        "planned_at": row.planned_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
        "dispatch_reason": row.dispatch_reason,
        "dispatch_on": _iso(row.dispatch_on),
        "arrives_on": _iso(row.arrives_on),
        "latest_dispatch_on": _iso(row.latest_dispatch_on),
        "fill": fixed(row.fill, 4),
        "units": sum(lot.quantity for lot in lots),
        "weight_kg": fixed(row.weight_kg, 3),
        "volume_m3": fixed(row.volume_m3, 6),
        "orders": sorted({lot.order_id for lot in lots}),
        "order_ids": sorted({lot.order_id for lot in lots}),
        "lots": [
            {
                "lot_id": lot.lot_id,
                "order_id": lot.order_id,
                "line_id": lot.line_id,
                "quantity": lot.quantity,
                "producer_id": lot.producer_id,
                "offering_id": lot.offering_id,
                "weight_kg": fixed(lot.weight_kg, 3),
                "volume_m3": fixed(lot.volume_m3, 6),
                "distance_km": fixed(lot.distance_km, 3),
                "pickup_on": _iso(lot.pickup_on),
                "pickup_note": lot.pickup_note,
                "route_id": lot.route_id,
                "freight_share": fixed(shares.lots[lot.lot_id], 2),
            }
            for lot in lots
        ],
        "pickup_routes": [
            {
                "id": route_id,
                "vehicle": {"id": routes[route_id].vehicle_id, "name": routes[route_id].vehicle_name},
                "pickup_on": _iso(routes[route_id].pickup_on),
                "stops": [
                    {
                        "producer_id": producer_id,
                        "name": getattr(names.get(producer_id), "name", None),
                        "village": getattr(names.get(producer_id), "village", None),
                    }
                    for producer_id in routes[route_id].stops
                ],
                "distance_km": fixed(routes[route_id].distance_km, 3),
                "cost": fixed(routes[route_id].cost, 2),
                "this_shipment": fixed(part, 2),
            }
            for route_id, part in sorted(by_route.items())
        ],
        "freight": {
            "currency": currency,
            "cost": fixed(row.cost, 2),
            "line_haul": {"distance_km": fixed(row.line_haul_km, 3), "cost": fixed(row.line_haul_cost, 2)},
            "pickups": fixed(row.pickup_cost, 2),
            "rule": FREIGHT_RULE,
            "order_lines": [
                {
                    "order_id": order_id,
                    "line_id": line_id,
                    "weight_kg": fixed(weights_by_line[(order_id, line_id)], 3),
                    "pickup": fixed(legs.pickup, 2),
                    "main": fixed(legs.main, 2),
                    "share": fixed(legs.total, 2),
                }
                for (order_id, line_id), legs in sorted(shares.lines.items())
            ],
            "producers": [
                {
                    "producer_id": producer_id,
                    "name": getattr(names.get(producer_id), "name", None),
                    "weight_kg": fixed(weights_by_producer[producer_id], 3),
                    "share": fixed(legs.total, 2),
                }
                for producer_id, legs in sorted(shares.producers.items())
            ],
        },
        "tracking": [{"status": event.status, "reason": event.reason, "at": event.at.isoformat()} for event in events],
    }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def get_shipment(uow: UnitOfWork, shipment_id: str, buyer_organisation_id: str | None = None) -> dict:
    session = uow.session
    views = shipment_views(session, [shipment_id], buyer_organisation_id)
    if not views:
        raise NotFound(f"shipment {shipment_id} not found")
    return views[0]


def list_shipments(uow: UnitOfWork, query: dict) -> dict:
    session = uow.session
    filters = load_or_refuse(ShipmentFilter(), query, "query")
    conditions = []
    if "status" in filters:
        conditions.append(shipments.c.status == filters["status"])
    if "hub_id" in filters:
        conditions.append(shipments.c.hub_id == filters["hub_id"])
    if "organisation_id" in filters:
        conditions.append(shipments.c.organisation_id == filters["organisation_id"])
    if "order_id" in filters:
        conditions.append(
            shipments.c.shipment_id.in_(
                select(shipment_lots.c.shipment_id).where(shipment_lots.c.order_id == filters["order_id"])
            )
        )
    buyer = filters.get("buyer_organisation_id")
    if buyer is not None:
        conditions.append(
            shipments.c.shipment_id.in_(
                select(shipment_lots.c.shipment_id)
                .join(order_destinations, order_destinations.c.order_id == shipment_lots.c.order_id)
                .where(order_destinations.c.buyer_organisation_id == buyer)
            )
        )
    rows, total = page_of(
        session,
        shipments,
        conditions,
        (shipments.c.planned_at, shipments.c.shipment_id),
        filters["page"],
        filters["page_size"],
    )
    return paged(
        shipment_views(session, [row.shipment_id for row in rows], buyer), filters["page"], filters["page_size"], total
    )


def shipment_counts(uow: UnitOfWork, organisation_id: str | None = None) -> dict:
    """Shipments by status: everyone's, or one aggregator organisation's."""
    session = uow.session
    mine = [shipments.c.organisation_id == organisation_id] if organisation_id else []
    counts = {status: 0 for status in (*domain.STATUS_FLOW, domain.EXCEPTION)}
    counts.update(
        dict(session.execute(select(shipments.c.status, func.count()).where(*mine).group_by(shipments.c.status)).all())
    )
    return counts
