"""Use cases of the consolidation service, each inside the caller's transaction.

Planning is serialised: a plan takes every hub's row lock first (``SELECT ... FOR UPDATE``), so two plans at the same
moment run one after the other and the second sees the lots the first shipped; a lot's row in ``shipment_lots`` is
its primary key besides, so no lot is ever in two shipments.
"""
import logging
import time
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from services.consolidation import domain, planner
from services.consolidation.schemas import (
    HubInput, PageFilter, PlanInput, TrackingInput, VehicleFilter, VehicleInput,
)
from services.consolidation.settings import settings
from services.consolidation.views import fixed, get_shipment, shipment_views
from services.consolidation.store import (
    hubs, offerings, order_destinations, pickup_routes, producers, ready_lots, shipment_events, shipment_lots,
    shipments, vehicles,
)
from shared.errors import Conflict, InvalidInput, NotFound, NotYetKnown, load_or_refuse
from shared.events import Event, new_event
from shared import metrics
from shared.ids import new_id
from shared.store import Database, insert_new, merge, page_of, paged, upsert

log = logging.getLogger(__name__)

# A status reported a little ahead of the service's clock is skew, not the future.
CLOCK_SKEW = timedelta(minutes=5)


class OrderUnknown(NotYetKnown):
    """A cancellation arrived before its order: the message waits for ``order.placed``."""


# Projections of other services' facts ---------------------------------------------------------------------------------

def record_order(session: Session, event: Event) -> None:
    payload = event.payload
    upsert(session, order_destinations, {"order_id": payload["order_id"]},
           {"buyer_name": payload["buyer"]["name"], "buyer_organisation_id": payload["buyer"].get("organisation_id"),
            "destination": payload["destination"], "due_date": payload["due_date"]})


def record_cancellation(session: Session, event: Event) -> None:
    """Lots of a cancelled order are never planned; a shipment already planned keeps them."""
    changed = session.execute(update(order_destinations)
                              .where(order_destinations.c.order_id == event.payload["order_id"])
                              .values(cancelled=True)).rowcount
    if not changed:
        raise OrderUnknown(f"order {event.payload['order_id']} is not known here yet")


def record_passed_lot(session: Session, event: Event) -> None:
    """A lot that passed becomes a pickup demand, once: a repeated fact about it, even one arriving at the same
    moment, changes nothing."""
    payload = event.payload
    if not payload["passed"]:
        return
    insert_new(session, ready_lots, dict(
        lot_id=payload["lot_id"], order_id=payload["order_id"], line_id=payload["line_id"],
        producer_id=payload["producer_id"], offering_id=payload["offering_id"], quantity=payload["quantity"],
        passed_at=event.occurred_at))


def record_offering(session: Session, event: Event) -> None:
    payload = event.payload
    upsert(session, offerings, {"offering_id": payload["offering_id"]},
           {"sku": payload["sku"], "name": payload["name"], "unit_weight_g": payload["unit_weight_g"],
            "unit_volume_cm3": payload["unit_volume_cm3"], "organisation_id": payload["organisation_id"]})


def record_producer(session: Session, event: Event) -> None:
    """Producer events are snapshots: the newest one wins, whatever order they arrive in, even at the same moment."""
    payload = event.payload
    merge(session, producers, {
        "producer_id": payload["producer_id"], "name": payload["name"], "village": payload["village"],
        "latitude": payload["latitude"], "longitude": payload["longitude"], "remoteness": payload["remoteness"],
        "closed_months": sorted(set(payload["closed_months"])),
        "service_weekdays": sorted(set(payload["service_weekdays"])), "updated_at": event.occurred_at},
        keys=("producer_id",), newer="updated_at")


# Hubs and vehicles ----------------------------------------------------------------------------------------------------

def _hub_view(row) -> dict:
    return {"id": row.hub_id, "name": row.name, "latitude": row.latitude, "longitude": row.longitude,
            "timezone": row.timezone, "handling_hours": row.handling_hours, "created_at": row.created_at.isoformat()}


def _vehicle_view(row) -> dict:
    return {"id": row.vehicle_id, "name": row.name, "role": row.role, "mode": row.mode,
            "capacity_weight_kg": row.capacity_weight_kg, "capacity_volume_m3": fixed(row.capacity_volume_m3, 3),
            "cost_per_km": fixed(row.cost_per_km, 2), "cost_per_trip": fixed(row.cost_per_trip, 2),
            "currency": settings().freight_currency, "speed_kmh": row.speed_kmh,
            "created_at": row.created_at.isoformat()}


def _refuse_taken_name(session: Session, table, name: str) -> None:
    if session.execute(select(table.c.name).where(func.lower(table.c.name) == name.lower())).scalar() is not None:
        raise Conflict(f"the name {name!r} is taken")


def create_hub(session: Session, body: dict) -> dict:
    data = load_or_refuse(HubInput(), body, "hub")
    _refuse_taken_name(session, hubs, data["name"])
    hub_id = new_id("hub")
    session.execute(hubs.insert().values(hub_id=hub_id, created_at=datetime.now(timezone.utc), **data))
    return _hub_view(session.execute(select(hubs).where(hubs.c.hub_id == hub_id)).one())


def list_hubs(session: Session, query: dict) -> dict:
    filters = load_or_refuse(PageFilter(), query, "query")
    rows, total = page_of(session, hubs, [], (hubs.c.name,), filters["page"], filters["page_size"])
    return paged([_hub_view(row) for row in rows], filters["page"], filters["page_size"], total)


def create_vehicle(session: Session, body: dict) -> dict:
    data = load_or_refuse(VehicleInput(), body, "vehicle")
    _refuse_taken_name(session, vehicles, data["name"])
    vehicle_id = new_id("veh")
    session.execute(vehicles.insert().values(vehicle_id=vehicle_id, created_at=datetime.now(timezone.utc), **data))
    return _vehicle_view(session.execute(select(vehicles).where(vehicles.c.vehicle_id == vehicle_id)).one())


def list_vehicles(session: Session, query: dict) -> dict:
    filters = load_or_refuse(VehicleFilter(), query, "query")
    conditions = [vehicles.c.role == filters["role"]] if "role" in filters else []
    rows, total = page_of(session, vehicles, conditions, (vehicles.c.role, vehicles.c.name), filters["page"],
                          filters["page_size"])
    return paged([_vehicle_view(row) for row in rows], filters["page"], filters["page_size"], total)


# Planning -------------------------------------------------------------------------------------------------------------

def _situation(session: Session, hub_rows, now: datetime, forced: bool) -> planner.Situation:
    waiting = [domain.ReadyLot(row.lot_id, row.order_id, row.line_id, row.producer_id, row.offering_id, row.quantity)
               for row in session.execute(select(ready_lots).where(ready_lots.c.shipment_id.is_(None))
                                          .order_by(ready_lots.c.lot_id))]
    order_ids = {lot.order_id for lot in waiting}
    offering_ids = {lot.offering_id for lot in waiting}
    producer_ids = {lot.producer_id for lot in waiting}
    config = settings()
    return planner.Situation(
        now=now,
        lots=waiting,
        orders={row.order_id: domain.Order(row.order_id, row.buyer_name, row.destination, row.due_date,
                                           row.cancelled)
                for row in session.execute(select(order_destinations)
                                           .where(order_destinations.c.order_id.in_(order_ids)))},
        offerings={row.offering_id: domain.Offering(row.offering_id, row.sku, row.name, row.unit_weight_g,
                                                    row.unit_volume_cm3, row.organisation_id)
                   for row in session.execute(select(offerings).where(offerings.c.offering_id.in_(offering_ids)))},
        producers={row.producer_id: _producer(row)
                   for row in session.execute(select(producers).where(producers.c.producer_id.in_(producer_ids)))},
        hubs=[domain.Hub(row.hub_id, row.name, row.latitude, row.longitude, row.handling_hours, row.timezone)
              for row in hub_rows],
        vehicles=[domain.Vehicle(row.vehicle_id, row.name, row.role, row.mode, row.capacity_weight_kg,
                                 Decimal(row.capacity_volume_m3), Decimal(row.cost_per_km),
                                 Decimal(row.cost_per_trip), row.speed_kmh)
                  for row in session.execute(select(vehicles).order_by(vehicles.c.vehicle_id))],
        fill_threshold=config.dispatch_fill,
        forced=forced,
        time_limit_s=config.routing_time_limit_s,
        max_iterations=config.routing_max_iterations,
    )


def _producer(row) -> domain.Producer:
    return domain.Producer(row.producer_id, row.name, row.village, row.latitude, row.longitude,
                           domain.Access(row.remoteness, tuple(row.closed_months), tuple(row.service_weekdays)))


def _inline(work, *args):
    return work(*args)


def plan_shipments(db: Database, session: Session, body: dict | None, now: datetime, offload=_inline) -> dict:
    """Plan the shipments that leave now (all waiting lots with ``{"dispatch": "now"}``), and say why the other
    lots wait. ``offload(work, *args)`` runs the planning computation (the service gives it a thread of its own)."""
    dispatch = load_or_refuse(PlanInput(), body, "plan")["dispatch"]
    started = time.perf_counter()
    hub_rows = session.execute(select(hubs).order_by(hubs.c.hub_id).with_for_update()).all()
    situation = _situation(session, hub_rows, now, forced=dispatch == "now")
    plan = offload(planner.plan, situation)
    route_ids = {route.number: new_id("rte") for route in plan.routes}
    for route in plan.routes:
        session.execute(pickup_routes.insert().values(
            route_id=route_ids[route.number], hub_id=route.hub.hub_id, vehicle_id=route.vehicle.vehicle_id,
            vehicle_name=route.vehicle.name, pickup_on=route.pickup_on, stops=route.stops, distance_km=route.km,
            cost=route.cost, planned_at=now))
    planned = [_record_shipment(db, session, shipment, route_ids, now) for shipment in plan.shipments]
    metrics.PLANNING_DURATION.labels("consolidation").observe(time.perf_counter() - started)
    log.info("shipments planned", extra={"dispatch": dispatch, "shipments": len(planned),
                                         "routes": len(plan.routes), "waiting": len(plan.waiting)})
    return {"items": shipment_views(session, planned),
            "waiting": [{"lot_id": item.lot_id, "order_id": item.order_id, "producer_id": item.producer_id,
                         "reason": item.reason,
                         "next_pickup_on": item.next_pickup_on.isoformat() if item.next_pickup_on else None}
                        for item in plan.waiting]}


def _record_shipment(db: Database, session: Session, shipment: planner.PlannedShipment, route_ids: dict,
                     now: datetime) -> str:
    shipment_id = new_id("shp")
    session.execute(shipments.insert().values(
        shipment_id=shipment_id, organisation_id=shipment.organisation_id, destination=shipment.destination,
        status=domain.PLANNED, planned_at=now,
        updated_at=now, hub_id=shipment.hub.hub_id, hub_name=shipment.hub.name,
        vehicle_id=shipment.vehicle.vehicle_id, vehicle_name=shipment.vehicle.name,
        line_haul_km=shipment.line_haul_km, line_haul_cost=shipment.line_haul_cost,
        pickup_cost=shipment.pickup_cost, cost=shipment.cost, currency=settings().freight_currency,
        weight_kg=shipment.weight_kg, volume_m3=shipment.volume_m3, fill=shipment.fill.quantize(Decimal("0.0001")),
        dispatch_reason=shipment.dispatch_reason, dispatch_on=shipment.dispatch_on, arrives_on=shipment.arrives_on,
        latest_dispatch_on=shipment.latest_dispatch_on))
    session.execute(shipment_lots.insert(), [dict(
        shipment_id=shipment_id, lot_id=lot.lot.lot_id, order_id=lot.lot.order_id, line_id=lot.lot.line_id,
        quantity=lot.lot.quantity, producer_id=lot.lot.producer_id, offering_id=lot.lot.offering_id,
        weight_kg=lot.weight_kg, volume_m3=lot.volume_m3, distance_km=lot.hub_km + shipment.line_haul_km,
        pickup_on=lot.pickup_on, pickup_note=lot.pickup_note, route_id=route_ids[lot.route],
        route_share=lot.route_share) for lot in shipment.lots])
    session.execute(update(ready_lots).where(ready_lots.c.lot_id.in_([lot.lot.lot_id for lot in shipment.lots]))
                    .values(shipment_id=shipment_id))
    session.execute(shipment_events.insert().values(shipment_id=shipment_id, seq=1, status=domain.PLANNED, at=now,
                                                    recorded_at=now))
    pickups = {}
    for lot in shipment.lots:
        pickups.setdefault(lot.lot.producer_id, lot.pickup_on)
    db.emit(session, new_event("shipment.planned", {
        "shipment_id": shipment_id, "destination": shipment.destination,
        "lots": [{"lot_id": lot.lot.lot_id, "order_id": lot.lot.order_id, "line_id": lot.lot.line_id,
                  "quantity": lot.lot.quantity} for lot in shipment.lots],
        "pickups": [{"producer_id": producer_id, "pickup_on": pickup_on, "hub": shipment.hub.name}
                    for producer_id, pickup_on in sorted(pickups.items())],
    }, correlation_id=shipment_id))
    metrics.SHIPMENTS_PLANNED.labels("consolidation", shipment.dispatch_reason).inc()
    log.info("shipment planned", extra={"correlation_id": shipment_id, "lots": len(shipment.lots),
                                        "destination": shipment.destination["name"],
                                        "reason": shipment.dispatch_reason, "cost": str(shipment.cost)})
    return shipment_id


# Tracking -------------------------------------------------------------------------------------------------------------

def track(db: Database, session: Session, shipment_id: str, body: dict, now: datetime) -> dict:
    """Record a step of the shipment's journey (or an exception, with its reason) and tell everyone."""
    data = load_or_refuse(TrackingInput(), body, "tracking")
    shipment = session.execute(select(shipments).where(shipments.c.shipment_id == shipment_id)
                               .with_for_update()).one_or_none()
    if shipment is None:
        raise NotFound(f"shipment {shipment_id} not found")
    if not domain.check_transition(shipment.status, data["status"], shipment.before_exception):
        return get_shipment(session, shipment_id)
    at = (data["at"] or now).astimezone(timezone.utc)
    last = session.execute(select(shipment_events.c.seq, shipment_events.c.at)
                           .where(shipment_events.c.shipment_id == shipment_id)
                           .order_by(shipment_events.c.seq.desc()).limit(1)).one_or_none()
    if at > now + CLOCK_SKEW:
        raise InvalidInput("tracking refused", {"at": ["a status cannot be reported for the future"]})
    if last is not None and at < last.at:
        raise InvalidInput("tracking refused", {"at": [f"the shipment's last step was at {last.at.isoformat()}"]})
    session.execute(update(shipments).where(shipments.c.shipment_id == shipment_id).values(
        status=data["status"], updated_at=now, status_reason=data["reason"],
        before_exception=shipment.status if data["status"] == domain.EXCEPTION else None))
    session.execute(shipment_events.insert().values(shipment_id=shipment_id, seq=(last.seq if last else 0) + 1,
                                                    status=data["status"], reason=data["reason"], at=at,
                                                    recorded_at=now))
    lots = [{"lot_id": row.lot_id, "order_id": row.order_id, "line_id": row.line_id, "quantity": row.quantity}
            for row in session.execute(select(shipment_lots).where(shipment_lots.c.shipment_id == shipment_id)
                                       .order_by(shipment_lots.c.lot_id))]
    db.emit(session, new_event("shipment.status_changed", {
        "shipment_id": shipment_id, "previous_status": shipment.status, "status": data["status"], "lots": lots,
        "reason": data["reason"], "at": at}, correlation_id=shipment_id))
    if data["status"] == domain.DELIVERED:
        db.emit(session, new_event("shipment.delivered", {"shipment_id": shipment_id, "lots": lots},
                                   correlation_id=shipment_id))
    log.info("shipment status changed", extra={"correlation_id": shipment_id, "status": data["status"],
                                                "previous_status": shipment.status})
    return get_shipment(session, shipment_id)


# Reading --------------------------------------------------------------------------------------------------------------

def count_late_shipments(session: Session, today: date) -> int:
    """Shipments still short of the line-haul after their latest dispatch date: they will arrive after the buyer's
    due date unless someone acts."""
    late = session.execute(select(func.count()).select_from(shipments).where(
        shipments.c.status.in_(("planned", "picked_up", "at_hub", domain.EXCEPTION)),
        shipments.c.latest_dispatch_on < today)).scalar_one()
    metrics.SHIPMENTS_LATE.labels("consolidation").set(late)
    return late
