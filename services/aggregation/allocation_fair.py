"""The fair policy: max-min fair water-filling over the producers whose minimum lots it can meet.

Everybody gets the same, unless capped by capacity; the units that do not divide evenly go one each to the uncapped
producers with the smallest ids. Producers are admitted in increasing order of minimum lot (then id), the easiest to
serve first, and admission stops before the first producer that would leave somebody admitted below its lot. Pure
numpy: `allocation` calls it on the producers in id order.
"""

import numpy as np


def fair_split(quantity: int, capacity: np.ndarray, lot: np.ndarray) -> np.ndarray:
    """Water-filling over the longest admissible prefix of producers in (minimum lot, id) order.

    Admitting one more producer can only lower the water level and push the spare units further down the id order,
    so once some admitted producer falls below its lot it stays below: admissibility is monotone in the prefix
    length, and a binary search finds the longest admissible prefix (usually everybody, which is tried first).
    """
    size = len(capacity)
    positions = np.arange(size)
    admission = np.empty(size, dtype=np.int64)
    admission[np.lexsort((positions, lot))] = positions
    by_capacity = np.argsort(capacity, kind="stable")

    def fill(admitted_count: int) -> np.ndarray:
        return _water_fill(quantity, capacity, admission < admitted_count, by_capacity)

    def admissible(admitted_count: int) -> bool:
        admitted = admission < admitted_count
        return bool((fill(admitted_count)[admitted] >= lot[admitted]).all())

    if admissible(size):
        return fill(size)
    longest, too_long = 0, size
    while too_long - longest > 1:
        middle = (longest + too_long) // 2
        if admissible(middle):
            longest = middle
        else:
            too_long = middle
    return fill(longest)


def _water_fill(quantity: int, capacity: np.ndarray, admitted: np.ndarray, by_capacity: np.ndarray) -> np.ndarray:
    """Max-min fair whole-unit split among the admitted: a common level capped by capacity, the units that do not
    divide evenly going one each to the uncapped producers with the smallest ids."""
    quotas = np.zeros(len(capacity), dtype=capacity.dtype)
    ascending = capacity[by_capacity][admitted[by_capacity]]
    count = len(ascending)
    if not count:
        return quotas
    target = min(quantity, ascending.sum())
    if target == ascending.sum():
        quotas[admitted] = capacity[admitted]
        return quotas
    smaller = np.concatenate(([0], np.cumsum(ascending)[:-1]))
    used_at_level = smaller + ascending * (count - np.arange(count))
    capped = int(np.searchsorted(used_at_level, target, side="right"))
    below_level = int(smaller[capped])
    level = (target - below_level) // (count - capped)
    quotas[admitted] = np.minimum(capacity[admitted], level)
    spare = target - below_level - level * (count - capped)
    uncapped = np.flatnonzero(admitted & (capacity > level))
    quotas[uncapped[:spare]] += 1
    return quotas
