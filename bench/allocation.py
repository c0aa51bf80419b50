"""How allocation's cost grows with the number of producers on a line.

Reports, per size, the time of one proportional allocation against a baseline measured in the same run (sorting the
same candidates by id, which allocation must do anyway), so the ratio is comparable across noisy machines.
Run: python bench/allocation.py
"""
import random
import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from services.aggregation.allocation import Candidate, allocate  # noqa: E402


def candidates(n: int, rng: random.Random):
    return [Candidate(f"prd_{i:05d}", rng.randint(5, 120), min_lot=rng.choice((1, 1, 5, 10))) for i in range(n)]


def main() -> None:
    rng = random.Random(7)
    print(f"{'producers':>10} {'allocate (ms)':>14} {'sort baseline (ms)':>19} {'ratio':>8}")
    for n in (20, 200, 2000):
        pool = candidates(n, rng)
        quantity = sum(c.capacity for c in pool) * 2 // 3
        runs = max(3, 2000 // n)
        allocation = min(timeit.repeat(lambda: allocate(quantity, pool), number=runs, repeat=3)) / runs
        baseline = min(timeit.repeat(lambda: sorted(pool, key=lambda c: c.producer_id), number=runs,
                                     repeat=3)) / runs
        print(f"{n:>10} {allocation * 1e3:>14.3f} {baseline * 1e3:>19.4f} {allocation / baseline:>8.0f}")


if __name__ == "__main__":
    main()
