"""The proportional policy: split a line in proportion to capacity, dropping producers below their minimum lot.

Shares are rounded by the largest-remainder (Hamilton) method, so each quota is within one unit of its exact share. A
producer whose share falls below its minimum lot is dropped, smallest quota first (then smaller id), one at a time,
and the others are re-split after each drop. Pure numpy: `allocation` calls it on the producers in id order.
"""

import numpy as np

# How many drops proportional plans at once (see _DropWindow). A window costs a pass over all producers, and each
# exact re-split in it a pass over its active producers, which grow with the plan: plans double while re-splits cost
# less than a quarter of a pass and halve when they cost more than one.
_FIRST_PLAN, _LONGEST_PLAN = 64, 4096


def proportional_split(quantity: int, capacity: np.ndarray, lot: np.ndarray) -> np.ndarray:
    """Hamilton split with one-at-a-time drops of producers below their minimum lot.

    The result is the one the definition gives (re-split everybody after every single drop), computed without
    re-splitting everybody each time: a `_DropWindow` proves a run of drops in a row for a few passes over the
    producers, however long the run. With numbers too large for 64-bit arithmetic it drops one at a time.
    """
    weights = capacity * quantity
    alive = np.ones(len(capacity), dtype=bool)
    quotas = np.zeros(len(capacity), dtype=capacity.dtype)
    plan = _FIRST_PLAN
    while True:
        kept = np.flatnonzero(alive)
        total = capacity[kept].sum()
        if total <= quantity:
            quotas[kept] = capacity[kept]
            return quotas
        split, remainders, leftover = _hamilton(quantity, weights[kept], total)
        lots = lot[kept]
        too_small = np.flatnonzero((split >= 1) & (split < lots))
        if not len(too_small):
            quotas[kept] = split
            return quotas
        too_small = too_small[np.argsort(split[too_small] * (len(kept) + 1) + too_small, kind="stable")]
        if capacity.dtype == object:
            alive[kept[too_small[0]]] = False
            continue
        window = _DropWindow(
            quantity, weights[kept], capacity[kept], lots, int(total), split, remainders, leftover, too_small[:plan]
        )
        dropped, outcome = window.run()
        alive[kept[dropped]] = False
        resplit_work = window.exact_splits * len(window.active)
        if outcome == "band" or resplit_work > len(kept):
            plan = max(plan // 2, 1)
        elif outcome == "planned" and 4 * resplit_work < len(kept):
            plan = min(2 * plan, _LONGEST_PLAN)


def _hamilton(quantity: int, weights: np.ndarray, total: int):
    """Largest-remainder split of `quantity` over shares weights / total (the weights add up to quantity * total).
    Returns the quotas, the remainders (in units of 1 / total) and how many quotas were rounded up."""
    floors = weights // total
    remainders = weights - floors * total
    leftover = quantity - int(floors.sum())
    return floors + _largest(remainders, leftover), remainders, leftover


def _largest(values: np.ndarray, count: int) -> np.ndarray:
    """Mask of the `count` largest values, ties going to the earlier position (the smaller producer id)."""
    size = len(values)
    if count <= 0:
        return np.zeros(size, dtype=bool)
    cut = np.partition(values, size - count)[size - count]
    above = values > cut
    at_cut = values == cut
    return above | (at_cut & (np.cumsum(at_cut) <= count - np.count_nonzero(above)))


class _DropWindow:
    """A run of proportional drops, each proved to be the one the full re-split would choose.

    Write s_i for producer i's share at the window's start (total capacity C) and lam = C / C' for a later state
    with total C' (each drop lowers C'). A Hamilton quota is ceil(lam * s_i - theta), where the cut theta separates
    the remainders rounded up from the others. Across the window lam stays in [1, C / floor_total] and theta
    provably stays in a band [low, high]: high is the cut at floor_total with nobody dropped (shares only grow as lam
    grows, which can only raise the cut, and drops can only lower it); low is a cut far enough below today's that
    the producers actually dropped cannot pull the cut under it, a sufficient condition kept in exact arithmetic
    after every drop (`reserve`).

    A producer whose ceil(lam * s - theta) is the same all over that box is "certain": its quota is known for the
    whole window. The others are "active"; of those, the ones that may fall below their lot somewhere in the box are
    "threats". Each drop is then the first certain producer below its lot, unless a threat with a smaller possible
    (quota, id) key is below its lot right now: threats are evaluated exactly at each state, from their own remainder
    when it lies outside the band, otherwise from an exact split of the active producers alone (the certain ones'
    quotas being known).
    """

    def __init__(self, quantity, weights, capacity, lots, total, quotas, remainders, leftover, planned):
        size = len(weights)
        self.quantity, self.weights, self.capacity, self.total = quantity, weights, capacity, total
        self.first = int(planned[0])
        self.floor_total = max(total - int(capacity[planned[:-1]].sum()), quantity + 1)
        # The band: remainders are numerators over their total, high over floor_total (or 1 / 1), low over total.
        low_floors = weights // self.floor_total
        low_remainders = weights - low_floors * self.floor_total
        low_leftover = quantity - int(low_floors.sum())
        if low_leftover >= 1:
            self.high = int(np.partition(low_remainders, size - low_leftover)[size - low_leftover])
            self.high_over = self.floor_total
        else:
            self.high, self.high_over = 1, 1
        reserve_rank = leftover + int(quotas[planned].sum()) + len(planned)
        low = int(np.partition(remainders, size - reserve_rank)[size - reserve_rank]) if reserve_rank <= size else 0
        self.low = min(low, self.high * total // self.high_over)
        self.below_low = (weights - self.low) // total
        self.reserve = int(self.below_low.sum()) + size

        # Certain: no whole number in [s - high, s * C / floor_total - low]. Floats with a margin a million times
        # their rounding error can only call a certain producer active, never the reverse.
        scaled = weights.astype(float)
        grown = scaled / self.floor_total
        margin = 1e-9 * (2 + grown)
        least = np.floor(scaled / total - self.high / self.high_over - margin)
        most = np.floor(grown - self.low / total + margin)
        certain = least == most
        least = least.astype(np.int64) + 1
        most = most.astype(np.int64) + 1
        self.key_base = size + 1

        # Certain producers below their lot, in (quota, id) order: each is dropped when its turn comes.
        self.certain_quota = least
        self.certain_sum = int(least[certain].sum())
        below = np.flatnonzero(certain & (least >= 1) & (least < lots))
        self.queue = below[np.argsort(least[below] * self.key_base + below, kind="stable")].tolist()
        self.head = 0

        self.active = np.flatnonzero(~certain)
        self.active_alive = np.ones(len(self.active), dtype=bool)
        self.active_slot = np.full(size, -1)
        self.active_slot[self.active] = np.arange(len(self.active))
        # Threats, in order of the smallest (quota, id) key they could have.
        possible = np.maximum(least, 1)
        threats = np.flatnonzero(~certain & (lots > 1) & (possible <= np.minimum(most, lots - 1)))
        order = np.argsort(possible[threats] * self.key_base + threats, kind="stable")
        threats = threats[order]
        self.threat_key = possible[threats] * self.key_base + threats
        self.threat = threats
        self.threat_weight = weights[threats]
        self.threat_lot = lots[threats]
        self.threat_alive = np.ones(len(threats), dtype=bool)
        self.threat_slot = np.full(size, -1)
        self.threat_slot[threats] = np.arange(len(threats))
        self.threat_in_active = self.active_slot[threats]
        self.first_threat = 0
        self.exact_splits = 0

    def run(self):
        """Drops producers until the next drop cannot be proved here; returns their positions and why it stopped:
        "planned" (the window is used up), "band" (the cut may have left the band) or "done" (nothing more to drop,
        or the capacity left is within the quantity)."""
        dropped = []
        current = self.total
        producer = self.first
        while True:
            dropped.append(producer)
            self._remove(producer)
            current -= int(self.capacity[producer])
            self.reserve -= int(self.below_low[producer]) + 1
            if current <= self.quantity:
                return dropped, "done"
            if current < self.floor_total:
                return dropped, "planned"
            if self.reserve < self.quantity:
                return dropped, "band"
            producer = self._next_drop(current)
            if producer is None:
                return dropped, "done"

    def _remove(self, producer: int) -> None:
        if self.head < len(self.queue) and self.queue[self.head] == producer:
            self.head += 1
        slot = self.active_slot[producer]
        if slot < 0:
            self.certain_sum -= int(self.certain_quota[producer])
            return
        self.active_alive[slot] = False
        if self.threat_slot[producer] >= 0:
            self.threat_alive[self.threat_slot[producer]] = False

    def _next_drop(self, current: int):
        while self.first_threat < len(self.threat) and not self.threat_alive[self.first_threat]:
            self.first_threat += 1
        head_key = None
        if self.head < len(self.queue):
            head = self.queue[self.head]
            head_key = int(self.certain_quota[head]) * self.key_base + head
        end = len(self.threat) if head_key is None else int(np.searchsorted(self.threat_key, head_key))
        if self.first_threat < end:
            near = slice(self.first_threat, end)
            weights = self.threat_weight[near]
            floors = weights // current
            remainders = weights - floors * current
            over = remainders * self.high_over > self.high * current
            under = remainders * self.total < self.low * current
            alive = self.threat_alive[near]
            quotas = floors + over
            if (alive & ~over & ~under).any():
                quotas = self._active_quotas(current)[self.threat_in_active[near]]
            below = alive & (quotas >= 1) & (quotas < self.threat_lot[near])
            if below.any():
                keys = np.where(below, quotas * self.key_base + self.threat[near], np.iinfo(np.int64).max)
                best = int(keys.argmin())
                if head_key is None or int(keys[best]) < head_key:
                    return int(self.threat[near][best])
        return None if head_key is None else self.queue[self.head]

    def _active_quotas(self, current: int) -> np.ndarray:
        """Exact quotas of the active producers at total `current`: the certain ones hold certain_sum units, the
        active ones whose remainder lies outside the band are decided by it, and the units left go to the largest
        remainders inside the band."""
        self.exact_splits += 1
        weights = self.weights[self.active]
        floors = weights // current
        remainders = weights - floors * current
        over = remainders * self.high_over > self.high * current
        under = remainders * self.total < self.low * current
        quotas = floors + over
        alive = self.active_alive
        inside = np.flatnonzero(alive & ~over & ~under)
        room = self.quantity - self.certain_sum - int(quotas[alive].sum())
        quotas[inside[_largest(remainders[inside], room)]] += 1
        return quotas
