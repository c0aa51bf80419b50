"""How close consolidation's pickup routes and truck loads come to the best possible, and how fast.

Routing: every Augerat CVRP instance in bench/data/cvrp (rounded Euclidean distances) is solved by ``plan_routes`` and
by a plain OR-Tools routing baseline (pywrapcp, path-cheapest-arc start, guided local search) with the same time
limit and the same fleet (the k of the instance name, which the best-known values assume), in this one process.
Prints each instance's cost, best-known value and gap, the mean gaps, and the ratio of the two mean gaps.

Packing: bins used by ``pack`` and by plain first-fit decreasing against the Martello-Toth L2 lower bound, for the
classic uniform classes (weights uniform in [low, high], bin capacity C) at 100 to 1,000 lots, and the time to pack
1,000 lots by weight, and by weight and volume.

Run: python bench/consolidation.py [--quick] [--time-limit SECONDS]
"""

import argparse
import csv
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import vrplib
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from services.consolidation.packing import lower_bound_l2, pack  # noqa: E402
from services.consolidation.routing import plan_routes, route_cost  # noqa: E402

DATA = Path(__file__).resolve().parent / "data" / "cvrp"
QUICK_INSTANCES = ("A-n32-k5", "A-n45-k7", "A-n80-k10", "B-n45-k6", "B-n78-k10", "P-n22-k2", "P-n76-k5")
PACKING_CLASSES = ((1, 100, 100), (20, 100, 150), (1, 100, 120), (1, 100, 150), (20, 100, 120), (30, 100, 150))


def load_instances(names=None):
    with open(DATA / "best_known.csv", newline="") as handle:
        best_known = {row["instance"]: int(row["best_known"]) for row in csv.DictReader(handle)}
    for name in sorted(names or best_known, key=lambda name: (name[0], int(name.split("-")[1][1:]))):
        instance = vrplib.read_instance(DATA / f"{name}.vrp")
        distances = np.round(instance["edge_weight"]).astype(int).tolist()
        fleet = int(name.split("-k")[1])
        yield name, distances, instance["demand"].tolist(), int(instance["capacity"]), fleet, best_known[name]


def ortools_routes(distances, demands, capacity, vehicles, time_limit_s):
    """OR-Tools routing as its documentation sets up a CVRP, with guided local search for the whole time limit."""
    manager = pywrapcp.RoutingIndexManager(len(distances), vehicles, 0)
    routing = pywrapcp.RoutingModel(manager)
    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitMatrix(distances))
    routing.AddDimensionWithVehicleCapacity(
        routing.RegisterUnaryTransitVector(demands), 0, [capacity] * vehicles, True, "load"
    )
    parameters = pywrapcp.DefaultRoutingSearchParameters()
    parameters.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    parameters.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    parameters.time_limit.FromMilliseconds(int(time_limit_s * 1000))
    solution = routing.SolveWithParameters(parameters)
    if solution is None:
        return None
    routes = []
    for vehicle in range(vehicles):
        index, route = solution.Value(routing.NextVar(routing.Start(vehicle))), []
        while not routing.IsEnd(index):
            route.append(manager.IndexToNode(index))
            index = solution.Value(routing.NextVar(index))
        routes.append(route)
    return routes


def routing_benchmark(names, time_limit_s):
    print(f"Routing: {time_limit_s:g} s per instance and solver, fleet = k of the name")
    print(f"{'instance':>10} {'best known':>10} {'plan_routes':>11} {'gap %':>6} {'OR-Tools':>9} {'gap %':>6}")
    gaps = {}
    for name, distances, demands, capacity, fleet, best in load_instances(names):
        routes = plan_routes(distances, demands, capacity, time_limit_s, max_vehicles=fleet, seed=1)
        cost = route_cost(distances, routes)
        other = ortools_routes(distances, demands, capacity, fleet, time_limit_s)
        other_cost = None if other is None else route_cost(distances, [route for route in other if route])
        gaps[name] = (100 * (cost - best) / best, None if other is None else 100 * (other_cost - best) / best)
        baseline = "none within the fleet" if other is None else f"{other_cost:>9} {gaps[name][1]:>6.2f}"
        print(f"{name:>10} {best:>10} {cost:>11} {gaps[name][0]:>6.2f} {baseline}")
    both = [pair for pair in gaps.values() if pair[1] is not None]
    ours, theirs = statistics.fmean(gap for gap, _ in both), statistics.fmean(gap for _, gap in both)
    print(f"mean gap, all {len(gaps)} instances: plan_routes {statistics.fmean(gap for gap, _ in gaps.values()):.2f} %")
    print(
        f"mean gap, the {len(both)} instances OR-Tools solved within the fleet: plan_routes {ours:.2f} %, "
        f"OR-Tools {theirs:.2f} %; OR-Tools gap / plan_routes gap = "
        f"{theirs / ours if ours > 0 else float('inf'):.1f}"
    )


def first_fit_decreasing(weights, capacity):
    room = []
    for weight in sorted(weights, reverse=True):
        for number, left in enumerate(room):
            if weight <= left:
                room[number] -= weight
                break
        else:
            room.append(capacity - weight)
    return len(room)


def packing_benchmark(sizes, seeds):
    print(f"\nPacking: bins against the L2 lower bound, {seeds} random instances per class and size")
    print(f"{'class':>14} {'lots':>5} {'L2':>6} {'pack':>6} {'gap %':>6} {'FFD':>6} {'gap %':>6} {'ms/pack':>8}")
    for low, high, capacity in PACKING_CLASSES:
        for size in sizes:
            bound = packed = ffd = 0
            elapsed = 0.0
            for seed in range(seeds):
                rng = random.Random(1_000_003 * seed + size)
                weights = [rng.randint(low, high) for _ in range(size)]
                started = time.perf_counter()
                packed += len(pack([(lot, weight, None) for lot, weight in enumerate(weights)], capacity))
                elapsed += time.perf_counter() - started
                bound += lower_bound_l2(weights, capacity)
                ffd += first_fit_decreasing(weights, capacity)
            print(
                f"{f'U[{low},{high}]/{capacity}':>14} {size:>5} {bound:>6} {packed:>6} "
                f"{100 * (packed - bound) / bound:>6.2f} {ffd:>6} {100 * (ffd - bound) / bound:>6.2f} "
                f"{1000 * elapsed / seeds:>8.1f}"
            )


def packing_speed(repeats):
    rng = random.Random(42)
    lots = [(f"lot-{n:04d}", rng.randint(20, 100), rng.randint(10, 80)) for n in range(1000)]
    by_weight = min(_timed(lambda: pack(lots, 150)) for _ in range(repeats))
    by_both = min(_timed(lambda: pack(lots, 150, 120)) for _ in range(repeats))
    baseline = min(_timed(lambda: first_fit_decreasing([weight for _, weight, _ in lots], 150)) for _ in range(repeats))
    print(
        f"\n1,000 lots, weights U[20,100] into 150, best of {repeats}: pack by weight {1000 * by_weight:.1f} ms, "
        f"by weight and volume {1000 * by_both:.1f} ms; plain first-fit decreasing {1000 * baseline:.1f} ms "
        f"(pack / FFD = {by_weight / baseline:.1f})"
    )


def _timed(function) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few instances, 1 s each, fewer packing runs")
    parser.add_argument("--time-limit", type=float, help="seconds per routing instance (default 5, quick 1)")
    arguments = parser.parse_args()
    time_limit_s = arguments.time_limit or (1.0 if arguments.quick else 5.0)
    routing_benchmark(QUICK_INSTANCES if arguments.quick else None, time_limit_s)
    packing_benchmark((100, 1000) if arguments.quick else (100, 200, 500, 1000), 3 if arguments.quick else 10)
    packing_speed(3 if arguments.quick else 10)


if __name__ == "__main__":
    main()
