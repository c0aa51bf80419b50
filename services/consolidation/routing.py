"""Pickup routes from producers to a collection hub: the capacitated vehicle-routing problem. Plain Python.

``plan_routes`` hands the problem to PyVRP (iterated local search, the successor of its hybrid genetic search). On the
Augerat A, B and P benchmarks it ends within 0.1 % of the best-known values on average at 5 s per instance, where
OR-Tools' routing with guided local search stays about 1.5 % above (up to 5 %); bench/consolidation.py has the
figures. The input is checked here first, so a bad
matrix is a clear ValueError rather than a failure deep in the solver.

Node 0 is the hub. Distances are non-negative integers in any one unit (``great_circle_matrix`` gives metres); they
may be asymmetric (a road uphill, a one-way ferry). A route lists the stops one vehicle visits, in order; it leaves
from the hub and comes back to it, and the hub is not listed.

The search is seeded, so it is repeatable; but with only a time limit a busier machine gets less far, so pass
``max_iterations`` as well when exactly the same routes must come back (tests, replays).

Pickup windows are kept per trip, not per hour: ``plan_trip`` plans the stops that are open at some time during the
trip and defers the others (a producer away at market, a road closed for the wet season) to a later trip. Every stop
open during the trip is taken to be reachable while it is open.
"""

import math
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from numbers import Integral, Real
from typing import cast

from pyvrp import Model
from pyvrp.constants import MAX_VALUE
from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria

EARTH_MEAN_RADIUS_M = 6_371_008.8


class NoFeasiblePlan(ValueError):
    """The solver found no plan within the vehicles available in the time it was given."""


@dataclass(frozen=True)
class PickupWindow:
    """A period during which a producer's lots can be collected; ``closes`` is excluded. Times are UTC."""

    opens: datetime
    closes: datetime

    def __post_init__(self):
        _check_aware(self.opens, "a window's opening")
        _check_aware(self.closes, "a window's closing")
        if self.closes <= self.opens:
            raise ValueError("a pickup window must close after it opens")

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return self.opens < end and start < self.closes


@dataclass(frozen=True)
class TripPlan:
    routes: list[list[int]]
    deferred: list[int]


def plan_routes(
    distances, demands, vehicle_capacity, time_limit_s=5.0, *, max_vehicles=None, seed=0, max_iterations=None
) -> list[list[int]]:
    """Routes visiting every stop (1..n-1) exactly once with no vehicle over ``vehicle_capacity``, of least total
    distance. ``max_vehicles`` bounds the number of routes (None: as many as useful)."""
    size = _check_problem(distances, demands, vehicle_capacity)
    _check_search(time_limit_s, max_vehicles, seed, max_iterations)
    if max_vehicles is not None and sum(demands) > max_vehicles * vehicle_capacity:
        raise ValueError(
            f"the stops need {sum(demands)} in all; {max_vehicles} vehicle(s) of {vehicle_capacity} "
            f"carry only {max_vehicles * vehicle_capacity}"
        )
    if size == 1:
        return []
    if size == 2:
        return [[1]]
    model = Model()
    locations = [model.add_location(x=0, y=0) for _ in range(size)]
    model.add_depot(locations[0])
    for location, demand in zip(locations[1:], demands[1:]):
        model.add_client(location, delivery=int(demand))
    model.add_vehicle_type(
        num_available=size - 1 if max_vehicles is None else max_vehicles, capacity=int(vehicle_capacity)
    )
    for origin, row in zip(locations, distances):
        for destination, distance in zip(locations, row):
            if origin is not destination:
                model.add_edge(origin, destination, distance=int(distance))
    stop: MaxRuntime | MultipleCriteria = MaxRuntime(time_limit_s)
    if max_iterations is not None:
        stop = MultipleCriteria([stop, MaxIterations(max_iterations)])
    result = model.solve(stop=stop, seed=seed, display=False)
    if not result.is_feasible():
        raise NoFeasiblePlan(
            f"no plan visiting every stop with {max_vehicles} vehicle(s) was found in {time_limit_s} s"
        )
    routes = [[activity.idx + 1 for activity in route if activity.is_client()] for route in result.best.routes()]
    return sorted(route for route in routes if route)


def plan_trip(
    distances,
    demands,
    vehicle_capacity,
    departs: datetime,
    returns: datetime,
    windows=None,
    closed=(),
    time_limit_s=5.0,
    *,
    max_vehicles=None,
    seed=0,
    max_iterations=None,
) -> TripPlan:
    """Routes for the stops that can be visited on a trip from ``departs`` to ``returns`` (UTC), and the stops
    deferred to a later trip.

    ``windows`` maps a stop to its pickup windows; a stop without an entry is always open, a stop whose windows all
    miss the trip is deferred. ``closed`` lists stops that cannot be visited this time whatever their windows.
    """
    size = _check_problem(distances, demands, vehicle_capacity)
    _check_aware(departs, "the departure")
    _check_aware(returns, "the return")
    if returns <= departs:
        raise ValueError("a trip must return after it departs")
    windows = dict(windows or {})
    closed = set(closed)
    for stop in (*windows, *closed):
        if not isinstance(stop, Integral) or not 1 <= int(stop) < size:
            raise ValueError(f"{stop!r} is not a stop (1..{size - 1})")
    for stop, stop_windows in windows.items():
        if not all(isinstance(window, PickupWindow) for window in stop_windows):
            raise ValueError(f"the windows of stop {stop} must be PickupWindows")
    deferred = [
        stop
        for stop in range(1, size)
        if stop in closed
        or (stop in windows and not any(window.overlaps(departs, returns) for window in windows[stop]))
    ]
    visited = sorted(set(range(1, size)) - set(deferred))
    nodes = [0, *visited]
    routes = plan_routes(
        [[distances[a][b] for b in nodes] for a in nodes],
        [demands[node] for node in nodes],
        vehicle_capacity,
        time_limit_s,
        max_vehicles=max_vehicles,
        seed=seed,
        max_iterations=max_iterations,
    )
    return TripPlan([[nodes[index] for index in route] for route in routes], deferred)


def route_cost(distances, routes) -> int:
    """Total distance of ``routes``, each leaving from the hub and returning to it."""
    size = _check_matrix(distances)
    total = 0
    for route in routes:
        for stop in route:
            if not isinstance(stop, Integral) or not 1 <= int(stop) < size:
                raise ValueError(f"{stop!r} is not a stop (1..{size - 1})")
        path = [0, *route, 0] if route else []
        total += sum(int(distances[a][b]) for a, b in pairwise(path))
    return total


def great_circle_matrix(points) -> list[list[int]]:
    """Distances in whole metres between ``(latitude, longitude)`` points in degrees, along the surface of a sphere
    of the Earth's mean radius (haversine formula). Roads are longer: this is a floor, good for planning order."""
    radians = []
    for latitude, longitude in points:
        latitude, longitude = float(latitude), float(longitude)
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise ValueError(f"({latitude}, {longitude}) is not a latitude and longitude in degrees")
        radians.append((math.radians(latitude), math.radians(longitude)))
    matrix = [[0] * len(radians) for _ in radians]
    for i, (lat_a, lon_a) in enumerate(radians):
        for j in range(i + 1, len(radians)):
            lat_b, lon_b = radians[j]
            haversine = (
                math.sin((lat_b - lat_a) / 2) ** 2
                + math.cos(lat_a) * math.cos(lat_b) * math.sin((lon_b - lon_a) / 2) ** 2
            )
            metres = round(2 * EARTH_MEAN_RADIUS_M * math.asin(min(1.0, math.sqrt(haversine))))
            matrix[i][j] = matrix[j][i] = metres
    return matrix


def _check_matrix(distances) -> int:
    size = len(distances)
    if size == 0:
        raise ValueError("the distance matrix needs at least the hub (node 0)")
    for i, row in enumerate(distances):
        if len(row) != size:
            raise ValueError(f"the distance matrix must be square: row {i} has {len(row)} entries, not {size}")
        for j, distance in enumerate(row):
            if isinstance(distance, bool) or not isinstance(distance, Integral):
                raise ValueError(f"distances must be integers; [{i}][{j}] is {distance!r}")
            if not 0 <= int(distance) <= MAX_VALUE:
                raise ValueError(f"distances must be between 0 and {MAX_VALUE}; [{i}][{j}] is {distance}")
        if row[i] != 0:
            raise ValueError(f"the distance from node {i} to itself must be 0, not {row[i]}")
    return size


def _check_problem(distances, demands, vehicle_capacity) -> int:
    size = _check_matrix(distances)
    if isinstance(vehicle_capacity, bool) or not isinstance(vehicle_capacity, Integral) or vehicle_capacity <= 0:
        raise ValueError(f"the vehicle capacity must be a positive integer, not {vehicle_capacity!r}")
    if len(demands) != size:
        raise ValueError(f"there are {len(demands)} demands for {size} nodes")
    for node, demand in enumerate(demands):
        if isinstance(demand, bool) or not isinstance(demand, Integral) or demand < 0:
            raise ValueError(f"demands must be non-negative integers; node {node} has {demand!r}")
        if demand > vehicle_capacity:
            raise ValueError(f"stop {node} needs {demand}, more than a vehicle carries ({vehicle_capacity})")
    if demands[0] != 0:
        raise ValueError("the hub (node 0) has no demand")
    return size


def _check_search(time_limit_s, max_vehicles, seed, max_iterations) -> None:
    if (
        isinstance(time_limit_s, bool)
        or not isinstance(time_limit_s, Real)
        or not 0 < cast(float, time_limit_s) < math.inf
    ):
        raise ValueError(f"the time limit must be a positive number of seconds, not {time_limit_s!r}")
    if isinstance(seed, bool) or not isinstance(seed, Integral) or seed < 0:
        raise ValueError(f"the seed must be a non-negative integer, not {seed!r}")
    for name, value in (("max_vehicles", max_vehicles), ("max_iterations", max_iterations)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, Integral) or value < 1):
            raise ValueError(f"{name} must be None or a positive integer, not {value!r}")


def _check_aware(moment, what: str) -> None:
    if not isinstance(moment, datetime) or moment.utcoffset() is None:
        raise ValueError(f"{what} must be a timezone-aware datetime (UTC)")
