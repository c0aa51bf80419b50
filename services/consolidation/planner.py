"""Consolidation planning: which passed lots leave now, in which combined shipments, collected on which pickup
routes, at what cost. Plain Python, on top of the routing and packing engines.

1. Each lot is placed: its producer is collected from the nearest hub by the cheapest pickup vehicle that reaches it
   (a truck on a road, an aircraft or boat where there is none), on a day its road is open and its flight or boat
   calls, in the hub's time zone. A lot that cannot be collected today waits, and says why; asked to dispatch now,
   the planner books it on the producer's next open day instead.
2. Lots of one organisation collected at one hub for buyers in one city share a line-haul: they are packed by weight
   and volume into the line-haul vehicle that carries them most cheaply. A load leaves when it is full enough, when
   an order in it must leave to arrive by its due date, or when asked to dispatch now; otherwise its lots wait for
   more to fill it. Two organisations' lots never share a shipment or a pickup route: a shipment, its costs, its
   manifest and its route's stops are one organisation's business, shown to that organisation only.
3. The lots that leave are collected on pickup routes, one routing problem per organisation, hub, vehicle and day,
   with each stop's demand in chargeable kilograms (a producer with more than a vehicle holds is visited by several).
4. Costs: a pickup route's cost is shared among the lots it collects, and each shipment costs its line-haul trip and
   its lots' part of the pickup routes (see ``freight``).
"""

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from services.consolidation import domain, freight
from services.consolidation.domain import Hub, Offering, Order, Producer, ReadyLot, Vehicle
from services.consolidation.packing import pack
from services.consolidation.plans import PickupRoute, Plan, PlannedLot, PlannedShipment, Situation, Waiting
from services.consolidation.routing import great_circle_matrix, plan_routes, route_cost

METRES_PER_KM = Decimal(1000)


@dataclass(frozen=True)
class _Placed:
    """A lot that can be collected: where from, by what, when."""

    lot: ReadyLot
    order: Order
    offering: Offering
    producer: Producer
    weight_kg: Decimal
    volume_m3: Decimal
    hub: Hub
    hub_km: Decimal
    pickup_vehicle: Vehicle
    pickup_on: date
    pickup_note: str | None


@dataclass(frozen=True)
class _Load:
    """One line-haul vehicle's worth of one organisation's lots that leaves now."""

    organisation_id: str
    hub: Hub
    destination: dict
    vehicle: Vehicle
    km: Decimal
    items: list[_Placed]
    fill: Decimal
    reason: str
    latest: date | None


def plan(situation: Situation) -> Plan:
    waiting: list[Waiting] = []
    placed: list[_Placed] = []
    for lot in sorted(situation.lots, key=lambda lot: lot.lot_id):
        outcome = _place(lot, situation)
        (waiting if isinstance(outcome, Waiting) else placed).append(outcome)
    loads: list[_Load] = []
    groups: defaultdict[tuple, list[_Placed]] = defaultdict(list)
    for item in placed:
        groups[(item.offering.organisation_id, item.hub.hub_id, domain.destination_key(item.order.destination))].append(
            item
        )
    for key in sorted(groups):
        leaving, held = _loads(groups[key], situation)
        loads.extend(leaving)
        waiting.extend(held)
    routes, collected = _pickup_routes([item for load in loads for item in load.items], situation)
    shipments = [_shipment(load, collected) for load in loads]
    return Plan(shipments, routes, sorted(waiting, key=lambda item: item.lot_id))


def _measure(lot: ReadyLot, offering: Offering) -> tuple[Decimal, Decimal]:
    return (
        Decimal(lot.quantity * offering.unit_weight_g) / 1000,
        Decimal(lot.quantity * offering.unit_volume_cm3) / 1_000_000,
    )


def _fits(vehicle: Vehicle, weight_kg: Decimal, volume_m3: Decimal) -> bool:
    return weight_kg <= vehicle.capacity_weight_kg and volume_m3 <= vehicle.capacity_volume_m3


def _km(metres: int) -> Decimal:
    return Decimal(metres) / METRES_PER_KM


def _place(lot: ReadyLot, situation: Situation):
    def wait(reason: str, next_pickup_on: date | None = None) -> Waiting:
        return Waiting(lot.lot_id, lot.order_id, lot.producer_id, reason, next_pickup_on)

    order = situation.orders.get(lot.order_id)
    if order is None:
        return wait("its order is not known here yet")
    if order.cancelled:
        return wait("its order was cancelled")
    offering = situation.offerings.get(lot.offering_id)
    if offering is None:
        return wait("its offering is not known here yet")
    producer = situation.producers.get(lot.producer_id)
    if producer is None:
        return wait("its producer is not known here yet")
    if not situation.hubs:
        return wait("there is no collection hub")
    weight_kg, volume_m3 = _measure(lot, offering)
    modes = domain.modes_reaching(producer.access)
    reaching = [vehicle for vehicle in situation.vehicles if vehicle.role == "pickup" and vehicle.mode in modes]
    if not reaching:
        return wait(f"no pickup vehicle goes by {' or '.join(modes)}, the only way to reach its producer")
    fitting = [vehicle for vehicle in reaching if _fits(vehicle, weight_kg, volume_m3)]
    if not fitting:
        return wait(
            f"at {weight_kg} kg and {volume_m3} m3 it is larger than any pickup vehicle that reaches its producer"
        )
    vehicle = min(fitting, key=lambda vehicle: (vehicle.cost_per_km, -vehicle.capacity_weight_kg, vehicle.vehicle_id))
    distances = great_circle_matrix(
        [(producer.latitude, producer.longitude)] + [(hub.latitude, hub.longitude) for hub in situation.hubs]
    )[0][1:]
    metres, hub = min(zip(distances, situation.hubs), key=lambda pair: (pair[0], pair[1].hub_id))
    today = hub.local_day(situation.now)
    pickup_on, note = today, domain.closed_reason(producer.access, today)
    if note is not None:
        next_open = domain.next_open_day(producer.access, today)
        if next_open is None:
            return wait(f"{note}, and no day of the year is open")
        if not situation.forced:
            return wait(f"{note}; the next pickup can be on {next_open.isoformat()}", next_open)
        pickup_on = next_open
    return _Placed(lot, order, offering, producer, weight_kg, volume_m3, hub, _km(metres), vehicle, pickup_on, note)


def _line_haul_km(hub: Hub, destination: dict) -> Decimal:
    matrix = great_circle_matrix([(hub.latitude, hub.longitude), (destination["latitude"], destination["longitude"])])
    return _km(matrix[0][1])


def _loads(group: list[_Placed], situation: Situation) -> tuple[list[_Load], list[Waiting]]:
    """The loads of one organisation, hub and city that leave now, and the lots that wait."""
    hub, organisation_id = group[0].hub, group[0].offering.organisation_id
    destination = domain.line_haul_destination(group[0].order.destination)
    km = _line_haul_km(hub, destination)
    options = []
    for vehicle in situation.vehicles:
        if vehicle.role != "line_haul":
            continue
        fitting = [item for item in group if _fits(vehicle, item.weight_kg, item.volume_m3)]
        if not fitting:
            continue
        bins = pack(
            [(item.lot.lot_id, item.weight_kg, item.volume_m3) for item in fitting],
            vehicle.capacity_weight_kg,
            vehicle.capacity_volume_m3,
        )
        options.append(
            (len(group) - len(fitting), len(bins) * vehicle.trip_cost(km), vehicle.vehicle_id, vehicle, bins)
        )
    if not options:
        return [], [
            Waiting(item.lot.lot_id, item.lot.order_id, item.lot.producer_id, "it is larger than any line-haul vehicle")
            for item in group
        ]
    *_, vehicle, bins = min(options, key=lambda option: option[:3])
    by_lot = {item.lot.lot_id: item for item in group}
    days = domain.transit_days(hub, vehicle, km)
    leaving: list[_Load] = []
    held: list[Waiting] = []
    for contents in bins:
        items = [by_lot.pop(lot_id) for lot_id in contents]
        fill = vehicle.fill(
            sum((item.weight_kg for item in items), Decimal(0)), sum((item.volume_m3 for item in items), Decimal(0))
        )
        dates = [
            latest
            for latest in (domain.latest_dispatch(item.order.due_date, days) for item in items)
            if latest is not None
        ]
        latest = min(dates) if dates else None
        reason = domain.dispatch_reason(
            fill, situation.fill_threshold, hub.local_day(situation.now), latest, situation.forced
        )
        if reason is not None:
            leaving.append(_Load(organisation_id, hub, destination, vehicle, km, items, fill, reason, latest))
            continue
        until = f" or on {latest.isoformat()} to arrive in time" if latest else ""
        held.extend(
            Waiting(
                item.lot.lot_id,
                item.lot.order_id,
                item.lot.producer_id,
                f"waiting for more lots to {destination['name']}: the {vehicle.name} would be "
                f"{fill:.0%} full; it leaves at {situation.fill_threshold:.0%}{until}",
            )
            for item in items
        )
    held.extend(
        Waiting(
            item.lot.lot_id,
            item.lot.order_id,
            item.lot.producer_id,
            f"it is larger than the {vehicle.name} that carries lots to {destination['name']}",
        )
        for item in by_lot.values()
    )
    return leaving, held


def _stops(items: list[_Placed]) -> list[list[_Placed]]:
    """A producer's lots as stops of at most one vehicle load each, first fit by decreasing chargeable weight."""
    vehicle = items[0].pickup_vehicle
    stops: list[list[_Placed]] = []
    loads: list[Decimal] = []
    for item in sorted(
        items, key=lambda item: (-vehicle.chargeable_kg(item.weight_kg, item.volume_m3), item.lot.lot_id)
    ):
        weight = vehicle.chargeable_kg(item.weight_kg, item.volume_m3)
        for index, load in enumerate(loads):
            if load + weight <= vehicle.capacity_weight_kg:
                stops[index].append(item)
                loads[index] += weight
                break
        else:
            stops.append([item])
            loads.append(weight)
    return stops


def _pickup_routes(items: list[_Placed], situation: Situation):
    """Routes for the lots that leave, and per lot id its route number and share of that route's cost."""
    groups: defaultdict[tuple, defaultdict[str, list[_Placed]]] = defaultdict(lambda: defaultdict(list))
    for item in items:
        groups[(item.offering.organisation_id, item.hub.hub_id, item.pickup_vehicle.vehicle_id, item.pickup_on)][
            item.producer.producer_id
        ].append(item)
    routes: list[PickupRoute] = []
    collected: dict = {}
    # The time limit is the whole plan's: a plan stays within its caller's deadline however many hubs and days.
    time_limit_s = situation.time_limit_s / max(1, len(groups))
    for key in sorted(groups):
        stops = [stop for producer_id in sorted(groups[key]) for stop in _stops(groups[key][producer_id])]
        hub, vehicle = stops[0][0].hub, stops[0][0].pickup_vehicle
        matrix = great_circle_matrix(
            [(hub.latitude, hub.longitude)]
            + [(stop[0].producer.latitude, stop[0].producer.longitude) for stop in stops]
        )
        demands = [0] + [
            math.ceil(sum(vehicle.chargeable_kg(item.weight_kg, item.volume_m3) for item in stop)) for stop in stops
        ]
        for visits in plan_routes(
            matrix, demands, vehicle.capacity_weight_kg, time_limit_s, max_iterations=situation.max_iterations
        ):
            km = _km(route_cost(matrix, [visits]))
            producers: list[str] = []
            for visit in visits:
                producer_id = stops[visit - 1][0].producer.producer_id
                if not producers or producers[-1] != producer_id:
                    producers.append(producer_id)
            route = PickupRoute(len(routes) + 1, hub, vehicle, key[3], producers, km, vehicle.trip_cost(km))
            routes.append(route)
            on_route = [item for visit in visits for item in stops[visit - 1]]
            shares = freight.share_cost(
                route.cost, {item.lot.lot_id: freight.freight_weight(item.weight_kg, item.hub_km) for item in on_route}
            )
            collected.update({item.lot.lot_id: (route.number, shares[item.lot.lot_id]) for item in on_route})
    return routes, collected


def _shipment(load: _Load, collected: dict) -> PlannedShipment:
    lots = [
        PlannedLot(
            item.lot,
            item.offering,
            item.producer,
            item.weight_kg,
            item.volume_m3,
            item.hub_km,
            item.pickup_on,
            item.pickup_note,
            *collected[item.lot.lot_id],
        )
        for item in sorted(load.items, key=lambda item: item.lot.lot_id)
    ]
    dispatch_on = max(lot.pickup_on for lot in lots)
    arrives_on = dispatch_on + timedelta(days=domain.transit_days(load.hub, load.vehicle, load.km))
    return PlannedShipment(
        load.organisation_id,
        load.hub,
        load.destination,
        load.vehicle,
        load.km,
        load.vehicle.trip_cost(load.km),
        sum((lot.route_share for lot in lots), Decimal(0)),
        lots,
        load.fill,
        load.reason,
        dispatch_on,
        arrives_on,
        load.latest,
    )
