"""How fast allocation is at the sizes the platform must handle, against a solver baseline measured in the same run.

One line over 10,000 candidates (capacities 5-120, minimum lots 1, 1, 5 or 10, pass rates 0.80-1.00, listed in no
particular order, as a store returns them):
- proportional and fair, each expected under 10 ms;
- a line planned with a smallest worthwhile quota that not every producer can get (fairness over the window picks
  who does), and a reallocation (top-ups, then the fewest new producers), each expected under 50 ms.
The yardstick is GLOP solving the LP relaxation of a least-cost split of the same line, with prices of 1-20 to five
decimals, so that hardly any two producers cost the same: an LP over the same producers, about the cheapest
optimisation a line could call instead.

Times are medians of several runs, inputs and models built beforehand; the machine is shared, so the ratios are the
figures to compare across runs. Run: python bench/allocation.py
"""

import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

import pandas as pd
from ortools.linear_solver.python import model_builder as mb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from services.aggregation.allocation import Candidate, allocate  # noqa: E402
from services.aggregation.planning import Standing, plan_line, plan_reallocation  # noqa: E402

PRODUCERS = 10_000


def median_ms(run, repeat: int) -> float:
    run()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def line_candidates(rng: random.Random) -> tuple[list[Candidate], dict[str, float]]:
    """The candidates, and for the yardstick each one's price per good unit."""
    pool, per_good_unit = [], {}
    for i in range(PRODUCERS):
        producer_id = f"prd_{i:05d}"
        capacity, lot = rng.randint(5, 120), rng.choice((1, 1, 5, 10))
        price, pass_rate = Decimal(rng.randint(100_000, 2_000_000)) / 100_000, rng.choice((0.8, 0.9, 0.95, 1.0))
        pool.append(Candidate(producer_id, capacity, lot, pass_rate))
        per_good_unit[producer_id] = float(price) / pass_rate
    rng.shuffle(pool)
    return pool, per_good_unit


def lp_relaxation(pool: list[Candidate], per_good_unit: dict[str, float], quantity: int) -> mb.Model:
    model = mb.Model()
    units = model.new_num_var_series(
        "x", pd.RangeIndex(len(pool)), lower_bounds=0, upper_bounds=pd.Series([float(c.capacity) for c in pool])
    )
    model.add(mb.LinearExpr.sum(units.tolist()) == quantity)
    model.minimize(mb.LinearExpr.weighted_sum(units.tolist(), [per_good_unit[c.producer_id] for c in pool]))
    return model


def solve_lp(model: mb.Model) -> float:
    solver = mb.Solver("glop")
    assert solver.solve(model) == mb.SolveStatus.OPTIMAL
    return solver.objective_value


def row(case: str, ours: float, baseline: float, yardstick: str, target: str) -> None:
    print(f"{case:50s} {ours:10.1f} {baseline:12.1f}  {yardstick:20s} {ours / baseline:7.3g}   {target}")


def main() -> None:
    rng = random.Random(7)
    pool, per_good_unit = line_candidates(rng)
    quantity = sum(c.capacity for c in pool) * 2 // 3

    relaxation = lp_relaxation(pool, per_good_unit, quantity)
    glop = median_ms(lambda: solve_lp(relaxation), 9)
    print(f"{'case':50s} {'ours (ms)':>10s} {'solver (ms)':>12s}  {'solver':20s} {'ratio':>7s}   target")
    row(
        "proportional, 10,000 candidates",
        median_ms(lambda: allocate(quantity, pool), 21),
        glop,
        "GLOP, LP relaxation",
        "< 10 ms",
    )
    row(
        "fair, 10,000 candidates",
        median_ms(lambda: allocate(quantity, pool, "fair"), 21),
        glop,
        "GLOP, LP relaxation",
        "< 10 ms",
    )
    # Quotas of at least 8 for a line that cannot reach everyone: the least-served producers over the window are
    # chosen by bisection, a few proportional splits; a reallocation tops up and fills with the fewest producers.
    standing = {c.producer_id: Standing(rng.randint(0, 200), rng.randint(50, 500)) for c in pool}
    row(
        "planned line (min quota 8, 5,000 units), 10,000",
        median_ms(lambda: plan_line(5_000, pool, min_quota=8, standing=standing), 9),
        glop,
        "GLOP, LP relaxation",
        "< 50 ms",
    )
    row(
        "reallocation (2,000 units), 10,000 candidates",
        median_ms(lambda: plan_reallocation(2_000, pool[:50], pool[50:], min_quota=8, standing=standing), 9),
        glop,
        "GLOP, LP relaxation",
        "< 50 ms",
    )


if __name__ == "__main__":
    main()
