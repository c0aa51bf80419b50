"""The cost policy: the producers whose piece rate is lowest make the line first, each up to her capacity, ties going
to the smaller producer id; a producer whose minimum lot does not fit in what is left is passed over. Pure numpy:
`allocation` calls it on the producers in id order, with their unit costs (the piece rates settlement publishes)."""

import numpy as np


def cheapest_split(quantity: int, capacity: np.ndarray, lot: np.ndarray, cost: np.ndarray) -> np.ndarray:
    units = np.zeros(len(capacity), dtype=capacity.dtype)
    left = quantity
    for position in np.lexsort((np.arange(len(capacity)), cost)):
        if left <= 0:
            break
        take = min(int(capacity[position]), left)
        if take >= int(lot[position]):
            units[position] = take
            left -= take
    return units
