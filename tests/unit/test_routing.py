import csv
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
import vrplib
from hypothesis import given, settings
from hypothesis import strategies as st

from services.consolidation.routing import (
    NoFeasiblePlan,
    PickupWindow,
    TripPlan,
    great_circle_matrix,
    plan_routes,
    plan_trip,
    route_cost,
)

DATA = Path(__file__).resolve().parent.parent / "data" / "cvrp"
FAST = {"time_limit_s": 0.2, "max_iterations": 40}
T0 = datetime(2025, 3, 3, 6, tzinfo=UTC)


def euclidean(points):
    return [[round(math.dist(a, b)) for b in points] for a in points]


@st.composite
def problems(draw):
    stops = draw(st.integers(0, 9))
    points = draw(st.lists(st.tuples(st.integers(0, 100), st.integers(0, 100)), min_size=stops + 1, max_size=stops + 1))
    distances = euclidean(points)
    if draw(st.booleans()):
        distances = [
            [d + (i > j) * draw(st.integers(0, 5)) * (d > 0) for j, d in enumerate(row)]
            for i, row in enumerate(distances)
        ]
    capacity = draw(st.integers(1, 30))
    demands = [0] + draw(st.lists(st.integers(0, capacity), min_size=stops, max_size=stops))
    return distances, demands, capacity


@settings(max_examples=40, deadline=None)
@given(problems())
def test_every_stop_is_visited_once_and_no_vehicle_is_overloaded(problem):
    distances, demands, capacity = problem
    routes = plan_routes(distances, demands, capacity, **FAST)
    visited = [stop for route in routes for stop in route]
    assert sorted(visited) == list(range(1, len(distances)))
    assert all(route and sum(demands[stop] for stop in route) <= capacity for route in routes)


@settings(max_examples=15, deadline=None)
@given(problems(), st.integers(1, 4))
def test_a_fleet_limit_is_kept(problem, spare):
    distances, demands, capacity = problem
    fleet = math.ceil(sum(demands) / capacity) + spare
    routes = plan_routes(distances, demands, capacity, max_vehicles=fleet, **FAST)
    assert len(routes) <= fleet
    assert sorted(stop for route in routes for stop in route) == list(range(1, len(distances)))


def benchmark_instances():
    with open(DATA / "best_known.csv", newline="") as handle:
        return [(row["instance"], int(row["best_known"])) for row in csv.DictReader(handle)]


@pytest.mark.parametrize("name, best_known", benchmark_instances())
def test_small_benchmarks_are_solved_to_within_one_percent_of_the_optimum(name, best_known):
    instance = vrplib.read_instance(DATA / f"{name}.vrp")
    distances = np.round(instance["edge_weight"]).astype(int).tolist()
    fleet = int(name.split("-k")[1])
    routes = plan_routes(distances, instance["demand"].tolist(), int(instance["capacity"]), 0.5, max_vehicles=fleet)
    cost = route_cost(distances, routes)
    assert best_known <= cost <= best_known * 1.01
    assert len(routes) <= fleet


def test_the_same_iterations_give_the_same_routes():
    points = [(50, 50), (10, 20), (90, 15), (30, 80), (70, 70), (20, 50), (85, 55), (45, 10), (60, 35)]
    demands = [0, 4, 7, 3, 6, 5, 2, 8, 4]
    first = plan_routes(euclidean(points), demands, 12, 5.0, max_iterations=200, seed=7)
    assert plan_routes(euclidean(points), demands, 12, 5.0, max_iterations=200, seed=7) == first
    assert route_cost(euclidean(points), first) < route_cost(euclidean(points), [[stop] for stop in range(1, 9)])


def test_tiny_problems():
    assert plan_routes([[0]], [0], 10) == []
    assert plan_routes([[0, 4], [5, 0]], [0, 10], 10) == [[1]]
    assert plan_routes([[0, 4, 4], [4, 0, 1], [4, 1, 0]], [0, 5, 5], 10, **FAST) in ([[1, 2]], [[2, 1]])
    assert sorted(plan_routes([[0, 4, 4], [4, 0, 1], [4, 1, 0]], [0, 6, 5], 10, **FAST)) == [[1], [2]]


def test_a_plan_that_the_fleet_cannot_carry_is_reported():
    distances = euclidean([(0, 0), (1, 0), (0, 1), (1, 1)])
    with pytest.raises(NoFeasiblePlan):
        plan_routes(distances, [0, 6, 6, 6], 10, max_vehicles=2, **FAST)


@pytest.mark.parametrize(
    "distances, demands, capacity, message",
    [
        ([], [], 10, "at least the hub"),
        ([[0, 1], [1]], [0, 1], 10, "square"),
        ([[0, -1], [1, 0]], [0, 1], 10, "between 0 and"),
        ([[0, 1.5], [1, 0]], [0, 1], 10, "integers"),
        ([[0, True], [1, 0]], [0, 1], 10, "integers"),
        ([[3, 1], [1, 0]], [0, 1], 10, "to itself"),
        ([[0, 1], [1, 0]], [0], 10, "demands for 2 nodes"),
        ([[0, 1], [1, 0]], [2, 1], 10, "hub"),
        ([[0, 1], [1, 0]], [0, -1], 10, "non-negative"),
        ([[0, 1], [1, 0]], [0, 11], 10, "more than a vehicle carries"),
        ([[0, 1], [1, 0]], [0, 1], 0, "capacity"),
    ],
)
def test_bad_input_is_a_clear_value_error(distances, demands, capacity, message):
    with pytest.raises(ValueError, match=message):
        plan_routes(distances, demands, capacity)


@pytest.mark.parametrize(
    "options, message",
    [
        ({"time_limit_s": 0}, "time limit"),
        ({"time_limit_s": float("nan")}, "time limit"),
        ({"max_vehicles": 0}, "max_vehicles"),
        ({"max_vehicles": 1}, "carry only 10"),
        ({"max_iterations": 0}, "max_iterations"),
        ({"seed": -1}, "seed"),
    ],
)
def test_bad_search_options_are_value_errors(options, message):
    with pytest.raises(ValueError, match=message):
        plan_routes([[0, 1, 1], [1, 0, 1], [1, 1, 0]], [0, 6, 6], 10, **options)


def test_route_cost_adds_the_legs_from_and_back_to_the_hub():
    distances = [[0, 2, 9], [3, 0, 4], [8, 5, 0]]
    assert route_cost(distances, [[1, 2]]) == 2 + 4 + 8
    assert route_cost(distances, [[2], [1]]) == 9 + 8 + 2 + 3
    assert route_cost(distances, []) == 0
    with pytest.raises(ValueError, match="not a stop"):
        route_cost(distances, [[0, 1]])


def test_great_circle_distances_are_whole_metres_on_the_mean_earth():
    matrix = great_circle_matrix([(0, 0), (90, 0), (0, 1), (-6.7, 147.0)])
    assert matrix[0][1] == 10_007_557
    assert matrix[0][2] == 111_195
    assert all(matrix[i][i] == 0 and matrix[i][j] == matrix[j][i] for i in range(4) for j in range(4))
    assert all(isinstance(value, int) for row in matrix for value in row)
    with pytest.raises(ValueError, match="latitude"):
        great_circle_matrix([(91, 0)])


def test_a_trip_defers_closed_stops_and_stops_whose_windows_miss_it():
    points = [(0, 0), (10, 0), (20, 0), (0, 10), (0, 20)]
    week = PickupWindow(T0 - timedelta(days=1), T0 + timedelta(days=6))
    next_month = PickupWindow(T0 + timedelta(days=30), T0 + timedelta(days=40))
    plan = plan_trip(
        euclidean(points),
        [0, 3, 3, 3, 3],
        6,
        T0,
        T0 + timedelta(days=2),
        windows={1: [week], 2: [next_month], 3: [next_month, week]},
        closed=[4],
        **FAST,
    )
    assert plan.deferred == [2, 4]
    assert sorted(stop for route in plan.routes for stop in route) == [1, 3]
    assert route_cost(euclidean(points), plan.routes) == 10 + 14 + 10


def test_a_window_that_ends_as_the_trip_starts_misses_it():
    plan = plan_trip(
        euclidean([(0, 0), (5, 5)]),
        [0, 1],
        5,
        T0,
        T0 + timedelta(hours=8),
        windows={1: [PickupWindow(T0 - timedelta(hours=8), T0)]},
        **FAST,
    )
    assert plan == TripPlan(routes=[], deferred=[1])


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"departs": T0.replace(tzinfo=None)}, "timezone-aware"),
        ({"returns": T0}, "return after"),
        ({"closed": [0]}, "not a stop"),
        ({"windows": {5: []}}, "not a stop"),
        ({"windows": {1: [(T0, T0 + timedelta(days=1))]}}, "PickupWindow"),
    ],
)
def test_bad_trip_input_is_a_value_error(arguments, message):
    trip = {"departs": T0, "returns": T0 + timedelta(days=1), **arguments}
    with pytest.raises(ValueError, match=message):
        plan_trip(euclidean([(0, 0), (1, 1)]), [0, 1], 5, **trip)


def test_a_window_must_be_aware_and_close_after_it_opens():
    with pytest.raises(ValueError, match="close after"):
        PickupWindow(T0, T0)
    with pytest.raises(ValueError, match="timezone-aware"):
        PickupWindow(T0.replace(tzinfo=None), T0 + timedelta(days=1))
