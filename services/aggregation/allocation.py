"""Splitting order lines across producers. Pure functions: no nameko, no SQL, no I/O.

A line is split by one of three policies (`allocate`); many lines competing for the same producers are split
together as a min-cost flow (`allocate_batch`); `eligible` narrows the candidates down first.

Rules every policy keeps: quotas are whole units; a quota never exceeds the producer's capacity; a quota is either 0
(the producer is left out of the result) or at least the producer's minimum lot; the quotas never add up to more than
the quantity; the same candidates in any order give the same result, ties going to the smaller producer id.
Producers whose capacity is below their own minimum lot can never be offered anything and are ignored.

- ``proportional`` (the default) spreads the work in proportion to capacity, which is the point of pooling: shares
  are rounded by the largest-remainder (Hamilton) method, so each quota is within one unit of its exact share. A
  producer whose share falls below its minimum lot is dropped, smallest quota first (then smaller id), one at a time,
  and the others are re-split after each drop.
- ``fair`` is max-min fair water-filling: everybody gets the same, unless capped by capacity; the units that do not
  divide evenly go one each to the uncapped producers with the smallest ids. Minimum lots: producers are admitted in
  increasing order of minimum lot (then id), the easiest to serve first, and admission stops before the first producer
  that would leave somebody admitted below its lot.
- ``cost`` takes the largest total the lots allow and, among allocations of that total, the least expected cost per
  good unit: the sum of ``quota * unit_cost / pass_rate``; among equally cheap allocations, the one with the least
  sum of quota times the producer's rank in id order. Without minimum lots that is a greedy fill; with them it is a
  mixed-integer model solved to proven optimality by CP-SAT, within a time limit past which the best allocation found
  comes back with ``proven_optimal`` False and ``cost_bound``, a proven lower bound on the cost of any
  allocation of the same total (`expected_cost` gives the cost of an allocation).
"""
import math
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from itertools import compress
from operator import attrgetter

import numpy as np
from ortools.graph.python import min_cost_flow

POLICIES = ("proportional", "fair", "cost")
DEFAULT_TIME_LIMIT_SECONDS = 10.0

# Costs go to the solvers as whole numbers of this fraction of a currency unit (or a coarser power of ten when an
# order is so large that its objective would not fit in 53 bits, where double-precision LP bounds stop being exact).
FINEST_COST_DIGITS = 9
OBJECTIVE_BITS = 53
# Exact 64-bit arithmetic: products of two totals below 2**31 and share numerators below 2**62 fit.
_SMALL_TOTAL = 2 ** 31
_SMALL_NUMERATOR = 2 ** 62
# How many drops proportional plans at once (see _DropWindow). A window costs a pass over all producers, and each
# exact re-split in it a pass over its active producers, which grow with the plan: plans double while re-splits cost
# less than a quarter of a pass and halve when they cost more than one.
_FIRST_PLAN, _LONGEST_PLAN = 64, 4096


@dataclass(frozen=True)
class Candidate:
    producer_id: str
    capacity: int
    min_lot: int = 1
    unit_cost: Decimal = Decimal(0)
    pass_rate: float = 1.0
    lead_time_days: int = 0
    approved: bool = True
    # Cost per good unit as a float, worked out once: Decimal to float goes through a string, too slow to repeat for
    # thousands of candidates on every least-cost split.
    _float_cost: float = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        if self.capacity < 0:
            raise ValueError(f"{self.producer_id}: capacity is negative")
        if self.min_lot < 1:
            raise ValueError(f"{self.producer_id}: minimum lot is at least 1")
        if not 0 <= self.pass_rate <= 1:
            raise ValueError(f"{self.producer_id}: pass rate is a share between 0 and 1")
        if self.lead_time_days < 0:
            raise ValueError(f"{self.producer_id}: lead time is negative")
        unit_cost = _money(self.unit_cost)
        if not unit_cost.is_finite() or unit_cost < 0:
            raise ValueError(f"{self.producer_id}: unit cost is not a price")
        object.__setattr__(self, "unit_cost", unit_cost)
        object.__setattr__(self, "_float_cost", float(unit_cost) / self.pass_rate if self.pass_rate else math.inf)

    @property
    def cost_per_good_unit(self) -> Decimal:
        """What one unit that passes quality control is expected to cost: infinite if nothing is expected to pass."""
        if self.pass_rate == 0:
            return Decimal("Infinity")
        return self.unit_cost / Decimal(repr(self.pass_rate))


@dataclass(frozen=True)
class Allocation:
    quantity: int
    quotas: dict = field(default_factory=dict)
    policy: str = "proportional"
    proven_optimal: bool = True
    cost_bound: Decimal | None = None

    @property
    def allocated(self) -> int:
        return sum(self.quotas.values())

    @property
    def shortfall(self) -> int:
        return self.quantity - self.allocated


def eligible(candidates: Iterable[Candidate], *, lead_time_limit_days: int | None = None, min_pass_rate: float = 0.0,
             excluded_producer_ids: Iterable[str] = ()) -> list[Candidate]:
    """The candidates a line may be offered to: approved for the offering, able to deliver by the deadline, at or
    above the offering's quality floor, and not among the producers who already declined this line."""
    excluded = set(excluded_producer_ids)
    return [c for c in candidates
            if c.approved
            and (lead_time_limit_days is None or c.lead_time_days <= lead_time_limit_days)
            and c.pass_rate >= min_pass_rate
            and c.producer_id not in excluded]


def expected_cost(quotas: Mapping[str, int], candidates: Iterable[Candidate]) -> Decimal:
    """Sum of quota times cost per good unit, to a millionth of a currency unit (what the cost policy minimises;
    left out of `Allocation` so that a line pays for the Decimal arithmetic only when somebody reads the figure)."""
    by_id = {c.producer_id: c for c in candidates}
    total = sum((units * by_id[producer_id].cost_per_good_unit for producer_id, units in quotas.items() if units),
                Decimal(0))
    return total if not total.is_finite() else total.quantize(Decimal("0.000001"))


def allocate(quantity: int, candidates: Iterable[Candidate], policy: str = "proportional", *,
             time_limit_seconds: float = DEFAULT_TIME_LIMIT_SECONDS) -> Allocation:
    """Split `quantity` units of one line among `candidates` by `policy` (see the module docstring). Only the cost
    policy with minimum lots calls a solver; `time_limit_seconds` bounds it."""
    if quantity < 0:
        raise ValueError("quantity is negative")
    if policy not in POLICIES:
        raise ValueError(f"unknown policy {policy!r}; known: {', '.join(POLICIES)}")
    pool = _Pool(candidates, quantity)
    if policy == "proportional":
        return Allocation(quantity, pool.quotas(_proportional(quantity, pool.capacity, pool.lot)), policy)
    if policy == "fair":
        return Allocation(quantity, pool.quotas(_fair(quantity, pool.capacity, pool.lot)), policy)
    return _least_cost(quantity, pool, time_limit_seconds)


class _Pool:
    """The candidates a policy can use, in producer-id order, with capacities and lots as integer arrays (64-bit
    when the line's numbers allow exact 64-bit arithmetic, Python integers otherwise)."""

    def __init__(self, candidates: Iterable[Candidate], quantity: int):
        ordered = sorted(candidates, key=attrgetter("producer_id"))
        ids = [c.producer_id for c in ordered]
        if len(set(ids)) != len(ids):
            raise ValueError("a producer appears twice among the candidates")
        capacities = [c.capacity for c in ordered]
        lots = [c.min_lot for c in ordered]
        largest = max(capacities, default=0)
        exact = largest < _SMALL_TOTAL and quantity * largest < _SMALL_NUMERATOR and sum(capacities) < _SMALL_TOTAL
        kind = np.int64 if exact else object
        capacity = np.array(capacities, dtype=kind)
        lot = np.array(lots, dtype=kind)
        usable = capacity >= lot
        keep = usable.tolist()
        self.members = list(compress(ordered, keep))
        self.ids = list(compress(ids, keep))
        self.capacity = capacity[usable]
        self.lot = lot[usable]

    def quotas(self, units: np.ndarray) -> dict:
        given = units != 0
        return dict(zip(compress(self.ids, given.tolist()), units[given].tolist()))


# --- proportional -------------------------------------------------------------------------------------------------

def _proportional(quantity: int, capacity: np.ndarray, lot: np.ndarray) -> np.ndarray:
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
        window = _DropWindow(quantity, weights[kept], capacity[kept], lots, int(total), split, remainders, leftover,
                             too_small[:plan])
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


# --- fair ---------------------------------------------------------------------------------------------------------

def _fair(quantity: int, capacity: np.ndarray, lot: np.ndarray) -> np.ndarray:
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


# --- least cost ---------------------------------------------------------------------------------------------------

def _least_cost(quantity: int, pool: _Pool, time_limit_seconds: float) -> Allocation:
    if pool.capacity.sum() <= quantity:
        return Allocation(quantity, pool.quotas(pool.capacity), "cost")
    if quantity >= _SMALL_NUMERATOR:
        raise ValueError("the cost policy takes quantities below 2**62")
    fits = pool.lot <= quantity
    members = list(compress(pool.members, fits.tolist()))
    capacity = np.minimum(pool.capacity[fits], quantity).astype(np.int64)
    lot = pool.lot[fits].astype(np.int64)
    weights, digits = _good_unit_weights(members, quantity)
    order = np.argsort(weights, kind="stable")
    if (lot == 1).all():
        chosen = _greedy_fill(quantity, capacity, order)
        proven, bound = True, None
    else:
        solver = _LotSolver(capacity, lot, weights, order, np.flatnonzero(fits), time_limit_seconds)
        chosen, proven, bound = solver.solve(quantity)
    units = np.zeros(len(pool.members), dtype=np.int64)
    units[fits] = chosen
    cost_bound = None if proven else Decimal(bound).scaleb(-digits).quantize(Decimal("0.000001"), ROUND_FLOOR)
    return Allocation(quantity, pool.quotas(units), "cost", proven_optimal=proven, cost_bound=cost_bound)


def _good_unit_weights(members, quantity: int):
    """Cost per good unit of each producer as whole multiples of 10**-digits, the finest resolution (at most
    FINEST_COST_DIGITS) at which any allocation's cost fits in OBJECTIVE_BITS. A producer expected to pass nothing
    weighs more than any allocation of the others costs, so the total uses it only when it cannot do without."""
    per_good_unit = np.fromiter((c._float_cost for c in members), dtype=float, count=len(members))
    passing = np.isfinite(per_good_unit)
    per_good_unit[~passing] = 0
    largest = float(per_good_unit.max(initial=0))
    for digits in range(FINEST_COST_DIGITS, -FINEST_COST_DIGITS, -1):
        heaviest = largest * 10.0 ** digits + 1
        if not passing.all():
            heaviest = quantity * heaviest + 1
        if (quantity + 1) * heaviest < 2.0 ** OBJECTIVE_BITS:
            weights = np.rint(per_good_unit * 10.0 ** digits).astype(np.int64)
            weights[~passing] = quantity * int(weights.max(initial=0)) + 1
            return weights, digits
    raise ValueError("unit costs too large for the cost policy")


def _greedy_fill(quantity: int, capacity: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Fill in the given order, each producer up to its capacity, until `quantity` units are placed."""
    units = np.zeros(len(capacity), dtype=np.int64)
    before = np.cumsum(capacity[order]) - capacity[order]
    units[order] = np.clip(quantity - before, 0, capacity[order])
    return units


class _LotSolver:
    """Least cost per good unit with minimum lots, exactly.

    First the largest reachable total: a producer takes 0 or anything from its lot to its capacity, so a set of
    producers reaches every total between the sum of their lots and the sum of their capacities. The smallest lots
    first usually show that the quantity itself is reachable; otherwise CP-SAT finds the largest total.

    Then the cheapest allocation of that total. Its LP relaxation is the greedy fill by weight: full producers, one
    partial producer p, nobody else. When p's part meets its lot, that fill is optimal. Otherwise every allocation x
    of the total costs LB + sum over full i of (w_p - w_i)(c_i - x_i) + sum over unused i of (w_i - w_p) x_i (the
    reduced costs), so against any feasible allocation found by a heuristic (cost UB) a full producer cheaper than
    w_p by more than UB - LB per unit must stay full, and an unused one whose lot alone would cost more than
    UB - LB must stay unused. CP-SAT solves what is left, then breaks ties the way the greedy fill does: among the
    cheapest allocations, the one with the least sum of units times the producer's rank in id order, so that the
    units sit at the smallest ids.
    """

    def __init__(self, capacity, lot, weights, order, ranks, time_limit_seconds):
        self.capacity = capacity
        self.lot = lot
        self.weights = weights
        self.order = order
        self.ranks = ranks
        self.deadline = time.monotonic() + time_limit_seconds
        self.proven = True

    def solve(self, quantity: int):
        """Units per producer, whether they are proven optimal, and a proven lower bound on their cost (in weight
        units) for the total they reach."""
        target, reachable = self._largest_total(quantity)
        fill = _greedy_fill(target, self.capacity, self.order)
        if ((fill == 0) | (fill >= self.lot)).all():
            return fill, self.proven, self._cost(fill)
        known = [x for x in (reachable, self._raise_partial(fill), self._skip_fill(target)) if x is not None]
        incumbent = min(known, key=self._cost)
        return self._improve(fill, incumbent)

    def _cost(self, units) -> int:
        return int(np.dot(units, self.weights))

    def _largest_total(self, quantity: int):
        """The largest total within `quantity` that the lots allow, and an allocation that reaches it."""
        by_lot = np.lexsort((-self.capacity, self.lot))
        lots_so_far = np.cumsum(self.lot[by_lot])
        chosen = by_lot[:int(np.searchsorted(lots_so_far, quantity, side="right"))]
        if self.capacity[chosen].sum() >= quantity:
            return quantity, self._fill_set(chosen, quantity)
        cp_model = _cp_model()
        model = cp_model.CpModel()
        units = self._semi_continuous(model, np.arange(len(self.capacity)))
        model.add(cp_model.LinearExpr.sum(units) <= quantity)
        model.maximize(cp_model.LinearExpr.sum(units))
        hint = np.zeros(len(self.capacity), dtype=np.int64)
        hint[chosen] = self.capacity[chosen]
        for variable, value in zip(units, hint.tolist()):
            model.add_hint(variable, value)
        solver, _ = self._run(model)
        found = hint if solver is None else np.array([solver.value(u) for u in units], dtype=np.int64)
        return int(found.sum()), found

    def _fill_set(self, chosen, target: int) -> np.ndarray:
        """Everybody chosen at its lot, then the rest up to capacity, cheapest first."""
        units = np.zeros(len(self.capacity), dtype=np.int64)
        units[chosen] = self.lot[chosen]
        headroom = np.zeros(len(self.capacity), dtype=np.int64)
        headroom[chosen] = self.capacity[chosen] - self.lot[chosen]
        return units + _greedy_fill(target - int(units.sum()), headroom, self.order)

    def _raise_partial(self, fill):
        """Lift the partial producer to its lot, taking the difference from the dearest full producers' room above
        their own lots."""
        partial = int(np.flatnonzero((fill > 0) & (fill < self.lot))[0])
        missing = int(self.lot[partial] - fill[partial])
        units = fill.copy()
        units[partial] = self.lot[partial]
        dearest_first = [i for i in self.order[::-1].tolist() if i != partial and units[i] > self.lot[i]]
        for producer in dearest_first:
            taken = min(missing, int(units[producer] - self.lot[producer]))
            units[producer] -= taken
            missing -= taken
            if not missing:
                return units
        return None

    def _skip_fill(self, target: int):
        """Cheapest first, skipping producers whose lot no longer fits."""
        units = np.zeros(len(self.capacity), dtype=np.int64)
        left = target
        for producer in self.order.tolist():
            take = min(int(self.capacity[producer]), left)
            if take >= self.lot[producer]:
                units[producer] = take
                left -= take
                if not left:
                    return units
        return None

    def _improve(self, fill, incumbent):
        """Fix what the reduced costs settle against the incumbent, and let CP-SAT decide the rest."""
        partial = int(np.flatnonzero((fill > 0) & (fill < self.capacity))[0])
        price = int(self.weights[partial])
        lower_bound = self._cost(fill)
        gap = self._cost(incumbent) - lower_bound
        full = fill == self.capacity
        stays_full = full & (price - self.weights > gap)
        stays_out = (fill == 0) & ((self.weights - price) * self.lot > gap)
        free = np.flatnonzero(~stays_full & ~stays_out)
        units = np.where(stays_full, self.capacity, 0)
        cp_model = _cp_model()
        model = cp_model.CpModel()
        variables = self._semi_continuous(model, free)
        model.add(cp_model.LinearExpr.sum(variables) == int(fill.sum() - units.sum()))
        model.minimize(cp_model.LinearExpr.weighted_sum(variables, self.weights[free].tolist()))
        for variable, value in zip(variables, incumbent[free].tolist()):
            model.add_hint(variable, value)
        solver, optimal = self._run(model)
        if solver is None:
            return incumbent, False, lower_bound
        units[free] = [solver.value(v) for v in variables]
        fixed_cost = self._cost(units) - int(solver.objective_value)
        bound = max(lower_bound, fixed_cost + int(np.ceil(solver.best_objective_bound)))
        if optimal:
            model.add(cp_model.LinearExpr.weighted_sum(variables, self.weights[free].tolist())
                      == int(solver.objective_value))
            model.minimize(cp_model.LinearExpr.weighted_sum(variables, self.ranks[free].tolist()))
            model.clear_hints()
            for variable, value in zip(variables, units[free].tolist()):
                model.add_hint(variable, value)
            tie_break, _ = self._run(model, proves=False)
            if tie_break is not None:
                units[free] = [tie_break.value(v) for v in variables]
        return units, self.proven, bound

    def _semi_continuous(self, model, producers) -> list:
        """Units of each producer: 0, or between its lot and its capacity."""
        variables = []
        for producer in producers.tolist():
            capacity, lot = int(self.capacity[producer]), int(self.lot[producer])
            units = model.new_int_var(0, capacity, f"x{producer}")
            if lot > 1:
                used = model.new_bool_var(f"y{producer}")
                model.add(units >= lot).only_enforce_if(used)
                model.add(units == 0).only_enforce_if(~used)
            variables.append(units)
        return variables

    def _run(self, model, proves: bool = True):
        """Solves within what is left of the time limit, on one worker with a fixed seed so that the same line
        always gets the same answer. Returns the solver (None when the time ran out before any solution) and whether
        it proved optimality; a run that `proves` something leaves the whole answer unproven when it did not."""
        cp_model = _cp_model()
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.0, self.deadline - time.monotonic())
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = 0
        status = solver.solve(model)
        optimal = status == cp_model.OPTIMAL
        if proves and not optimal:
            self.proven = False
        return (solver if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None), optimal


def _cp_model():
    """CP-SAT, imported on first use: it brings pandas along, which processes that never split by least cost with
    minimum lots need not load."""
    from ortools.sat.python import cp_model
    return cp_model


# --- many lines at once -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BatchLine:
    """One order line of a batch: the producers it may use and what one unit from each costs this line."""
    line_id: str
    quantity: int
    unit_costs: Mapping[str, Decimal]

    def __post_init__(self):
        if self.quantity < 0:
            raise ValueError(f"{self.line_id}: quantity is negative")


@dataclass(frozen=True)
class BatchAllocation:
    """Each line's allocation (policy "batch"), and what all the quotas cost at the lines' unit costs."""
    lines: dict
    cost: Decimal

    @property
    def allocated(self) -> int:
        return sum(line.allocated for line in self.lines.values())


def allocate_batch(lines: Iterable[BatchLine], capacities: Mapping[str, int], *,
                   min_lots: Mapping[str, int] | None = None) -> BatchAllocation:
    """Split many lines at once over shared producer capacity: the most units in total, then the least cost.

    A min-cost flow: source -> line (the line's quantity) -> producer (any eligible pair, at the pair's unit cost)
    -> sink (the producer's capacity), solved for maximum flow at minimum cost; without minimum lots that is the
    exact optimum. Minimum lots, given per producer, apply to each line's quota, and the flow is then repaired: a pair
    that cannot carry a whole lot (the line's quantity or the producer's capacity is smaller) is never used; after
    the flow, each quota below its lot is lifted to the lot when the line and the producer have room for it (the lot
    becomes a floor of that pair), and forbidden otherwise, and the lines concerned are solved again over the
    capacity the other lines leave, until no quota falls short. The repair keeps every rule but is a heuristic: with
    lots the exact batch problem is a mixed-integer model, and the repaired answer may place fewer units or cost more
    than its optimum. Producers missing from `capacities` have no capacity. Prices are compared to a millionth of a
    currency unit; arcs are built in line-id, then producer-id order, so the same batch always gets the same answer.
    """
    ordered = sorted(lines, key=attrgetter("line_id"))
    line_ids = [line.line_id for line in ordered]
    if len(set(line_ids)) != len(line_ids):
        raise ValueError("a line appears twice in the batch")
    producers = sorted(p for p, units in capacities.items() if units > 0)
    producer_index = {p: k for k, p in enumerate(producers)}
    tails, heads, prices = [], [], []
    for line_index, line in enumerate(ordered):
        for producer in sorted(line.unit_costs):
            if producer in producer_index:
                tails.append(line_index)
                heads.append(producer_index[producer])
                prices.append(line.unit_costs[producer])
    prices = [_money(p) for p in prices]
    quantity = np.array([line.quantity for line in ordered], dtype=np.int64)
    capacity = np.array([capacities[p] for p in producers], dtype=np.int64)
    tails = np.array(tails, dtype=np.int64)
    heads = np.array(heads, dtype=np.int64)
    costs = _micro_units(prices, int(quantity.sum()))
    lot = np.array([(min_lots or {}).get(p, 1) for p in producers], dtype=np.int64)[heads]

    usable = np.minimum(quantity[tails], capacity[heads]) >= lot
    units = _max_flow_min_cost(quantity, capacity, tails, heads, costs, usable)
    floor = np.zeros(len(tails), dtype=np.int64)
    while True:
        short = np.flatnonzero((units > 0) & (units < lot))
        if not len(short):
            break
        redo = np.zeros(len(ordered), dtype=bool)
        redo[tails[short]] = True
        again = redo[tails]
        line_room = np.where(redo, quantity - np.bincount(tails, weights=floor, minlength=len(ordered)), 0)
        producer_room = capacity - np.bincount(heads, weights=np.where(again, floor, units),
                                               minlength=len(producers))
        line_room, producer_room = line_room.astype(np.int64), producer_room.astype(np.int64)
        for k in short.tolist():
            if lot[k] <= min(line_room[tails[k]], producer_room[heads[k]]):
                floor[k] = lot[k]
                line_room[tails[k]] -= lot[k]
                producer_room[heads[k]] -= lot[k]
            else:
                usable[k] = False
        extra = _max_flow_min_cost(line_room, producer_room, tails, heads, costs, usable & again)
        units[again] = floor[again] + extra[again]

    per_line = {line_id: {} for line_id in line_ids}
    cost = Decimal(0)
    for k in np.flatnonzero(units).tolist():
        per_line[line_ids[tails[k]]][producers[heads[k]]] = int(units[k])
        cost += int(units[k]) * prices[k]
    return BatchAllocation({line.line_id: Allocation(line.quantity, per_line[line.line_id], "batch")
                            for line in ordered}, cost)


def _max_flow_min_cost(quantity, capacity, tails, heads, costs, usable) -> np.ndarray:
    """Units on each line -> producer pair of a maximum flow of least cost; unusable pairs carry none."""
    lines, producers = len(quantity), len(capacity)
    source, sink = lines + producers, lines + producers + 1
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(np.full(lines, source), np.arange(lines), quantity,
                                              np.zeros(lines, dtype=np.int64))
    chosen = np.flatnonzero(usable)
    pairs = flow.add_arcs_with_capacity_and_unit_cost(
        tails[chosen], lines + heads[chosen], np.minimum(quantity[tails[chosen]], capacity[heads[chosen]]),
        costs[chosen])
    flow.add_arcs_with_capacity_and_unit_cost(lines + np.arange(producers), np.full(producers, sink), capacity,
                                              np.zeros(producers, dtype=np.int64))
    total = int(quantity.sum())
    flow.set_node_supply(source, total)
    flow.set_node_supply(sink, -total)
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed: {status}")
    units = np.zeros(len(tails), dtype=np.int64)
    units[chosen] = flow.flows(pairs)
    return units


def _micro_units(prices: list, total_units: int) -> np.ndarray:
    """Prices as whole millionths of a currency unit, refusing negative ones and ones so large that a flow's cost
    would overflow."""
    micro = {price: int(price.scaleb(6).to_integral_value()) for price in set(prices)}
    if micro and min(micro.values()) < 0:
        raise ValueError("a unit cost is negative")
    if micro and max(micro.values()) * max(total_units, 1) >= 2 ** 62:
        raise ValueError("unit costs too large for the batch flow")
    return np.array([micro[price] for price in prices], dtype=np.int64)


def _money(value) -> Decimal:
    """A price as a Decimal; floats go through their shortest decimal form, so 0.1 means one tenth."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)
