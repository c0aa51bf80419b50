"""Planning shipments: the waiting lots, hubs and vehicles read into a situation, the pure planner's plan recorded as
pickup routes and shipments, and each shipment announced.

Planning is serialised: a plan takes every hub's row lock first (``SELECT ... FOR UPDATE``), so two plans at the same
moment run one after the other and the second sees the lots the first shipped; a lot's row in ``shipment_lots`` is
its primary key besides, so no lot is ever in two shipments.
"""

import logging
import time
from datetime import date, datetime, timezone
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from services.consolidation import domain, freight, metrics, planner, plans, settings
from services.consolidation.schemas import PlanInput
from services.consolidation.store import (
    hubs,
    offerings,
    order_destinations,
    pickup_routes,
    producers,
    ready_lots,
    shipment_events,
    shipment_lots,
    shipments,
    vehicles,
)
from services.consolidation.views import shipment_views
from shared.errors import load_or_refuse
from shared.events import new_event
from shared.ids import new_id
from shared.store import UnitOfWork

log = logging.getLogger(__name__)


def _situation(session: Session, hub_rows, now: datetime, forced: bool) -> plans.Situation:
    waiting = [
        domain.ReadyLot(row.lot_id, row.order_id, row.line_id, row.producer_id, row.offering_id, row.quantity)
        for row in session.execute(
            select(ready_lots).where(ready_lots.c.shipment_id.is_(None)).order_by(ready_lots.c.lot_id)
        )
    ]
    order_ids = {lot.order_id for lot in waiting}
    offering_ids = {lot.offering_id for lot in waiting}
    producer_ids = {lot.producer_id for lot in waiting}
    config = settings.load()
    return plans.Situation(
        now=now,
        lots=waiting,
        orders={
            row.order_id: domain.Order(row.order_id, row.buyer_name, row.destination, row.due_date, row.cancelled)
            for row in session.execute(select(order_destinations).where(order_destinations.c.order_id.in_(order_ids)))
        },
        offerings={
            row.offering_id: domain.Offering(
                row.offering_id, row.sku, row.name, row.unit_weight_g, row.unit_volume_cm3, row.organisation_id
            )
            for row in session.execute(select(offerings).where(offerings.c.offering_id.in_(offering_ids)))
        },
        producers={
            row.producer_id: _producer(row)
            for row in session.execute(select(producers).where(producers.c.producer_id.in_(producer_ids)))
        },
        hubs=[
            domain.Hub(row.hub_id, row.name, row.latitude, row.longitude, row.handling_hours, row.timezone)
            for row in hub_rows
        ],
        vehicles=[
            domain.Vehicle(
                row.vehicle_id,
                row.name,
                row.role,
                row.mode,
                row.capacity_weight_kg,
                Decimal(row.capacity_volume_m3),
                Decimal(row.cost_per_km),
                Decimal(row.cost_per_trip),
                row.speed_kmh,
            )
            for row in session.execute(select(vehicles).order_by(vehicles.c.vehicle_id))
        ],
        fill_threshold=config.dispatch_fill,
        forced=forced,
        time_limit_s=config.routing_time_limit_s,
        max_iterations=config.routing_max_iterations,
    )


def _producer(row) -> domain.Producer:
    return domain.Producer(
        row.producer_id,
        row.name,
        row.village,
        row.latitude,
        row.longitude,
        domain.Access(row.remoteness, tuple(row.closed_months), tuple(row.service_weekdays)),
    )


def _inline(work, *args):
    return work(*args)


def plan_shipments(uow: UnitOfWork, body: dict | None = None, now: datetime | None = None, offload=_inline) -> dict:
    """Plan the shipments that leave now (all waiting lots with ``{"dispatch": "now"}``), and say why the other
    lots wait. ``offload(work, *args)`` runs the planning computation (the service gives it a thread of its own)."""
    session = uow.session
    now = now or datetime.now(timezone.utc)
    dispatch = load_or_refuse(PlanInput(), body, "plan")["dispatch"]
    started = time.perf_counter()
    hub_rows = session.execute(select(hubs).order_by(hubs.c.hub_id).with_for_update()).all()
    situation = _situation(session, hub_rows, now, forced=dispatch == "now")
    plan = offload(planner.plan, situation)
    route_ids = {route.number: new_id("rte") for route in plan.routes}
    for route in plan.routes:
        session.execute(
            pickup_routes.insert().values(
                route_id=route_ids[route.number],
                hub_id=route.hub.hub_id,
                vehicle_id=route.vehicle.vehicle_id,
                vehicle_name=route.vehicle.name,
                pickup_on=route.pickup_on,
                stops=route.stops,
                distance_km=route.km,
                cost=route.cost,
                planned_at=now,
            )
        )
    currency = settings.load().freight_currency
    planned = [_record_shipment(uow, shipment, route_ids, now, currency) for shipment in plan.shipments]
    metrics.PLANNING_DURATION.labels("consolidation").observe(time.perf_counter() - started)
    log.info(
        "shipments planned",
        extra={
            "dispatch": dispatch,
            "shipments": len(planned),
            "routes": len(plan.routes),
            "waiting": len(plan.waiting),
        },
    )
    return {
        "items": shipment_views(session, planned),
        "waiting": [
            {
                "lot_id": item.lot_id,
                "order_id": item.order_id,
                "producer_id": item.producer_id,
                "reason": item.reason,
                "next_pickup_on": item.next_pickup_on.isoformat() if item.next_pickup_on else None,
            }
            for item in plan.waiting
        ],
    }


def _record_shipment(
    uow: UnitOfWork, shipment: plans.PlannedShipment, route_ids: dict, now: datetime, currency: str
) -> str:
    session = uow.session
    shipment_id = new_id("shp")
    session.execute(
        shipments.insert().values(
            shipment_id=shipment_id,
            organisation_id=shipment.organisation_id,
            destination=shipment.destination,
            status=domain.PLANNED,
            planned_at=now,
            updated_at=now,
            hub_id=shipment.hub.hub_id,
            hub_name=shipment.hub.name,
            vehicle_id=shipment.vehicle.vehicle_id,
            vehicle_name=shipment.vehicle.name,
            line_haul_km=shipment.line_haul_km,
            line_haul_cost=shipment.line_haul_cost,
            pickup_cost=shipment.pickup_cost,
            cost=shipment.cost,
            currency=currency,
            weight_kg=shipment.weight_kg,
            volume_m3=shipment.volume_m3,
            fill=shipment.fill.quantize(Decimal("0.0001")),
            dispatch_reason=shipment.dispatch_reason,
            dispatch_on=shipment.dispatch_on,
            arrives_on=shipment.arrives_on,
            latest_dispatch_on=shipment.latest_dispatch_on,
        )
    )
    session.execute(
        shipment_lots.insert(),
        [
            dict(
                shipment_id=shipment_id,
                lot_id=lot.lot.lot_id,
                order_id=lot.lot.order_id,
                line_id=lot.lot.line_id,
                quantity=lot.lot.quantity,
                producer_id=lot.lot.producer_id,
                offering_id=lot.lot.offering_id,
                weight_kg=lot.weight_kg,
                volume_m3=lot.volume_m3,
                distance_km=lot.hub_km + shipment.line_haul_km,
                pickup_on=lot.pickup_on,
                pickup_note=lot.pickup_note,
                route_id=route_ids[lot.route],
                route_share=lot.route_share,
            )
            for lot in shipment.lots
        ],
    )
    session.execute(
        update(ready_lots)
        .where(ready_lots.c.lot_id.in_([lot.lot.lot_id for lot in shipment.lots]))
        .values(shipment_id=shipment_id)
    )
    session.execute(
        shipment_events.insert().values(shipment_id=shipment_id, seq=1, status=domain.PLANNED, at=now, recorded_at=now)
    )
    pickups = {}
    for lot in shipment.lots:
        pickups.setdefault(lot.lot.producer_id, lot.pickup_on)
    shares = freight.shipment_shares(shipment.line_haul_cost, shipment.line_haul_km, shipment.carried())
    uow.emit(
        new_event(
            "shipment.planned",
            {
                "shipment_id": shipment_id,
                "destination": shipment.destination,
                "lots": [
                    {
                        "lot_id": lot.lot.lot_id,
                        "order_id": lot.lot.order_id,
                        "line_id": lot.lot.line_id,
                        "quantity": lot.lot.quantity,
                    }
                    for lot in shipment.lots
                ],
                "pickups": [
                    {"producer_id": producer_id, "pickup_on": pickup_on, "hub": shipment.hub.name}
                    for producer_id, pickup_on in sorted(pickups.items())
                ],
                "freight": [
                    {"order_id": order_id, "line_id": line_id, "pickup": legs.pickup, "main": legs.main}
                    for (order_id, line_id), legs in sorted(shares.lines.items())
                ],
                "freight_currency": currency,
            },
            correlation_id=shipment_id,
        )
    )
    metrics.SHIPMENTS_PLANNED.labels("consolidation", shipment.dispatch_reason).inc()
    log.info(
        "shipment planned",
        extra={
            "correlation_id": shipment_id,
            "lots": len(shipment.lots),
            "destination": shipment.destination["name"],
            "reason": shipment.dispatch_reason,
            "cost": str(shipment.cost),
        },
    )
    return shipment_id


def plan_due_shipments(uow: UnitOfWork, offload=_inline) -> None:
    """Loads that filled up or must leave to arrive in time go without anyone asking; the shipments running late are
    counted for the alerts."""
    now = datetime.now(timezone.utc)
    plan_shipments(uow, {"dispatch": "auto"}, now, offload)
    count_late_shipments(uow.session, now.date())


def count_late_shipments(session: Session, today: date) -> int:
    """Shipments still short of the line-haul after their latest dispatch date: they will arrive after the buyer's
    due date unless someone acts."""
    late = session.execute(
        select(func.count())
        .select_from(shipments)
        .where(
            shipments.c.status.in_(("planned", "picked_up", "at_hub", domain.EXCEPTION)),
            shipments.c.latest_dispatch_on < today,
        )
    ).scalar_one()
    metrics.SHIPMENTS_LATE.labels("consolidation").set(late)
    return late
