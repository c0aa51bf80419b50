"""How fast allocation is at the sizes the platform must handle, against solver baselines measured in the same run.

One line over 10,000 candidates (capacities 5-120, minimum lots 1, 1, 5 or 10, prices 1-20 to five decimals, so that
hardly any two producers cost the same and the least-cost model has real choices to make, pass rates 0.80-1.00,
listed in no particular order, as a store returns them):
- proportional, fair, and least cost without minimum lots, each expected under 10 ms;
- a line planned with a smallest worthwhile quota that not every producer can get (fairness over the window picks
  who does), and a reallocation (top-ups, then the fewest new producers), each expected under 50 ms;
- least cost with minimum lots under 1 s, the quantity chosen so that the cheapest fill stops one unit into a
  producer whose lot is 5 or 10, so the mixed-integer part really is solved.
The yardstick for the first three is GLOP solving the LP relaxation of the same line's least-cost problem; for the
last, CP-SAT solving the same mixed-integer model directly, without the reductions the policy makes first.

A batch of 1,000 lines over 10,000 producers with 1,000 eligible producers per line (1,000,000 pairs), expected
under 5 s, against GLOP solving the same transportation LP (the most units, then the least cost).

Times are medians of several runs, inputs and models built beforehand; the machine is shared, so the ratios are the
figures to compare across runs. Run: python bench/allocation.py
"""
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
from ortools.linear_solver.python import model_builder as mb
from ortools.sat.python import cp_model

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from services.aggregation.allocation import (  # noqa: E402
    BatchLine, Candidate, allocate, allocate_batch, expected_cost)
from services.aggregation.planning import Standing, plan_line, plan_reallocation  # noqa: E402

PRODUCERS, LINES, PER_LINE = 10_000, 1_000, 1_000


def median_ms(run, repeat: int) -> float:
    run()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def line_candidates(rng: random.Random) -> list[Candidate]:
    pool = [Candidate(f"prd_{i:05d}", rng.randint(5, 120), rng.choice((1, 1, 5, 10)),
                      Decimal(rng.randint(100_000, 2_000_000)) / 100_000, rng.choice((0.8, 0.9, 0.95, 1.0)))
            for i in range(PRODUCERS)]
    rng.shuffle(pool)
    return pool


def quantity_stopping_inside_a_lot(pool: list[Candidate]) -> int:
    """Past two thirds of the capacity in order of cost per good unit, one unit into the next producer with a lot
    (among the producers who can take their own lot at all)."""
    usable = [c for c in pool if c.capacity >= c.min_lot]
    ordered = sorted(usable, key=lambda c: (c.cost_per_good_unit, c.producer_id))
    filled, total = 0, sum(c.capacity for c in usable)
    for candidate in ordered:
        if filled >= total * 2 // 3 and candidate.min_lot >= 5:
            return filled + 1
        filled += candidate.capacity
    raise AssertionError("no producer with a lot past two thirds of the capacity")


def lp_relaxation(pool: list[Candidate], quantity: int) -> mb.Model:
    model = mb.Model()
    units = model.new_num_var_series("x", pd.RangeIndex(len(pool)), lower_bounds=0,
                                     upper_bounds=pd.Series([float(c.capacity) for c in pool]))
    model.add(mb.LinearExpr.sum(units.tolist()) == quantity)
    model.minimize(mb.LinearExpr.weighted_sum(units.tolist(), [float(c.cost_per_good_unit) for c in pool]))
    return model


def solve_lp(model: mb.Model) -> float:
    solver = mb.Solver("glop")
    assert solver.solve(model) == mb.SolveStatus.OPTIMAL
    return solver.objective_value


def cp_sat_cheapest(pool: list[Candidate], quantity: int) -> dict:
    """The least-cost model with lots straight in CP-SAT: the largest total, then the least cost for it."""
    model = cp_model.CpModel()
    units = []
    for k, c in enumerate(pool):
        x = model.new_int_var(0, c.capacity, f"x{k}")
        used = model.new_bool_var(f"y{k}")
        model.add(x >= c.min_lot).only_enforce_if(used)
        model.add(x == 0).only_enforce_if(~used)
        units.append(x)
    total = cp_model.LinearExpr.sum(units)
    model.add(total <= quantity)
    model.maximize(total)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 120
    assert solver.solve(model) == cp_model.OPTIMAL
    model.add(total == round(solver.objective_value))
    weights = [int(c.cost_per_good_unit.scaleb(6).to_integral_value()) for c in pool]
    model.minimize(cp_model.LinearExpr.weighted_sum(units, weights))
    status = solver.solve(model)
    assert status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    return {c.producer_id: solver.value(x) for c, x in zip(pool, units) if solver.value(x)}


def batch(rng: np.random.Generator):
    producers = [f"prd_{i:05d}" for i in range(PRODUCERS)]
    capacities = dict(zip(producers, rng.integers(5, 120, PRODUCERS).tolist()))
    prices = [Decimal(cents) / 100 for cents in range(100, 2000)]
    lines = []
    for k in range(LINES):
        chosen = rng.choice(PRODUCERS, PER_LINE, replace=False).tolist()
        offers = rng.integers(0, len(prices), PER_LINE).tolist()
        lines.append(BatchLine(f"line_{k:04d}", int(rng.integers(50, 400)),
                               {producers[j]: prices[p] for j, p in zip(chosen, offers)}))
    return lines, capacities


def transportation_lp(lines: list[BatchLine], capacities: dict) -> mb.Model:
    """Most units first (every unit earns more than any price), then the least cost."""
    pairs = [(line, producer) for line in lines for producer in line.unit_costs]
    model = mb.Model()
    units = model.new_num_var_series("x", pd.RangeIndex(len(pairs)), lower_bounds=0).tolist()
    by_producer = {producer: [] for producer in capacities}
    start = 0
    for line in lines:
        model.add(mb.LinearExpr.sum(units[start:start + len(line.unit_costs)]) <= line.quantity)
        for k, producer in enumerate(line.unit_costs, start):
            by_producer[producer].append(units[k])
        start += len(line.unit_costs)
    for producer, chosen in by_producer.items():
        model.add(mb.LinearExpr.sum(chosen) <= capacities[producer])
    reward = 1 + max(float(price) for line in lines for price in line.unit_costs.values())
    model.minimize(mb.LinearExpr.weighted_sum(units, [float(line.unit_costs[p]) - reward for line, p in pairs]))
    return model


def row(case: str, ours: float, baseline: float, yardstick: str, target: str) -> None:
    print(f"{case:50s} {ours:10.1f} {baseline:12.1f}  {yardstick:20s} {ours / baseline:7.3g}   {target}")


def main() -> None:
    rng = random.Random(7)
    pool = line_candidates(rng)
    quantity = sum(c.capacity for c in pool) * 2 // 3
    without_lots = [Candidate(c.producer_id, c.capacity, 1, c.unit_cost, c.pass_rate) for c in pool]
    lot_quantity = quantity_stopping_inside_a_lot(pool)

    relaxation = lp_relaxation(pool, quantity)
    glop = median_ms(lambda: solve_lp(relaxation), 9)
    print(f"{'case':50s} {'ours (ms)':>10s} {'solver (ms)':>12s}  {'solver':20s} {'ratio':>7s}   target")
    row("proportional, 10,000 candidates", median_ms(lambda: allocate(quantity, pool), 21), glop,
        "GLOP, LP relaxation", "< 10 ms")
    row("fair, 10,000 candidates", median_ms(lambda: allocate(quantity, pool, "fair"), 21), glop,
        "GLOP, LP relaxation", "< 10 ms")
    row("cost without lots, 10,000 candidates",
        median_ms(lambda: allocate(quantity, without_lots, "cost"), 21), glop, "GLOP, LP relaxation", "< 10 ms")
    # Quotas of at least 8 for a line that cannot reach everyone: the least-served producers over the window are
    # chosen by bisection, a few proportional splits; a reallocation tops up and fills with the fewest producers.
    standing = {c.producer_id: Standing(rng.randint(0, 200), rng.randint(50, 500)) for c in pool}
    row("planned line (min quota 8, 5,000 units), 10,000", median_ms(
        lambda: plan_line(5_000, pool, min_quota=8, standing=standing), 9), glop, "GLOP, LP relaxation", "< 50 ms")
    row("reallocation (2,000 units), 10,000 candidates", median_ms(
        lambda: plan_reallocation(2_000, pool[:50], pool[50:], min_quota=8, standing=standing), 9), glop,
        "GLOP, LP relaxation", "< 50 ms")

    ours = allocate(lot_quantity, pool, "cost")
    theirs = cp_sat_cheapest(pool, lot_quantity)
    row("cost with lots, 10,000 candidates", median_ms(lambda: allocate(lot_quantity, pool, "cost"), 7),
        median_ms(lambda: cp_sat_cheapest(pool, lot_quantity), 3), "CP-SAT, whole MIP", "< 1 s")
    print(f"{'':50s} proven optimal: {ours.proven_optimal}; units {ours.allocated} and CP-SAT {sum(theirs.values())}"
          f"; expected cost {expected_cost(ours.quotas, pool)} and CP-SAT {expected_cost(theirs, pool)}")

    lines, capacities = batch(np.random.default_rng(1))
    model = transportation_lp(lines, capacities)
    result = allocate_batch(lines, capacities)
    row("batch, 1,000 lines x 10,000 producers (1M pairs)", median_ms(lambda: allocate_batch(lines, capacities), 3),
        median_ms(lambda: solve_lp(model), 3), "GLOP, transportation", "< 5 s")
    lots = dict(zip(capacities, np.random.default_rng(2).choice([1, 1, 5, 10], PRODUCERS).tolist()))
    repaired = allocate_batch(lines, capacities, min_lots=lots)
    print(f"{'':50s} units {result.allocated} at {result.cost}; with lots 1/1/5/10 repaired to {repaired.allocated}"
          f" at {repaired.cost} in {median_ms(lambda: allocate_batch(lines, capacities, min_lots=lots), 1):.0f} ms")


if __name__ == "__main__":
    main()
