"""Splitting order lines across producers. Pure functions: no nameko, no SQL, no I/O.

A line is split by one of two policies (`allocate`); `eligible` narrows the candidates down first.

Rules every policy keeps: quotas are whole units; a quota never exceeds the producer's capacity; a quota is either 0
(the producer is left out of the result) or at least the producer's minimum lot; the quotas never add up to more than
the quantity; the same candidates in any order give the same result, ties going to the smaller producer id.
Producers whose capacity is below their own minimum lot can never be offered anything and are ignored.

- ``proportional`` (the default) spreads the work in proportion to capacity, which is the point of pooling
  (`allocation_proportional`).
- ``fair`` is max-min fair water-filling: everybody gets the same, unless capped by capacity (`allocation_fair`).
- ``cost`` gives the work to the producers with the lowest unit cost (their piece rate) first (`allocation_cost`).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import compress
from operator import attrgetter

import numpy as np

from services.aggregation.allocation_cost import cheapest_split
from services.aggregation.allocation_fair import fair_split
from services.aggregation.allocation_proportional import proportional_split

POLICIES = ("proportional", "fair", "cost")

# Exact 64-bit arithmetic: products of two totals below 2**31 and share numerators below 2**62 fit.
_SMALL_TOTAL = 2**31
_SMALL_NUMERATOR = 2**62


@dataclass(frozen=True)
class Candidate:
    producer_id: str
    capacity: int
    min_lot: int = 1
    pass_rate: float = 1.0
    lead_time_days: int = 0
    approved: bool = True
    # What one unit costs the organisation: the producer's piece rate (the cost policy makes the cheapest first).
    unit_cost: Decimal = Decimal(0)

    def __post_init__(self):
        if self.capacity < 0:
            raise ValueError(f"{self.producer_id}: capacity is negative")
        if self.min_lot < 1:
            raise ValueError(f"{self.producer_id}: minimum lot is at least 1")
        if not 0 <= self.pass_rate <= 1:
            raise ValueError(f"{self.producer_id}: pass rate is a share between 0 and 1")
        if self.lead_time_days < 0:
            raise ValueError(f"{self.producer_id}: lead time is negative")
        if self.unit_cost < 0:
            raise ValueError(f"{self.producer_id}: unit cost is negative")


@dataclass(frozen=True)
class Allocation:
    quantity: int
    quotas: dict[str, int] = field(default_factory=dict)
    policy: str = "proportional"

    @property
    def allocated(self) -> int:
        return sum(self.quotas.values())

    @property
    def shortfall(self) -> int:
        return self.quantity - self.allocated


def eligible(
    candidates: Iterable[Candidate],
    *,
    lead_time_limit_days: int | None = None,
    min_pass_rate: float = 0.0,
    excluded_producer_ids: Iterable[str] = (),
) -> list[Candidate]:
    """The candidates a line may be offered to: approved for the offering, able to deliver by the deadline, at or
    above the offering's quality floor, and not among the producers who already declined this line."""
    excluded = set(excluded_producer_ids)
    return [
        c
        for c in candidates
        if c.approved
        and (lead_time_limit_days is None or c.lead_time_days <= lead_time_limit_days)
        and c.pass_rate >= min_pass_rate
        and c.producer_id not in excluded
    ]


def allocate(quantity: int, candidates: Iterable[Candidate], policy: str = "proportional") -> Allocation:
    """Split `quantity` units of one line among `candidates` by `policy` (see the module docstring)."""
    if quantity < 0:
        raise ValueError("quantity is negative")
    if policy not in POLICIES:
        raise ValueError(f"unknown policy {policy!r}; known: {', '.join(POLICIES)}")
    pool = _Pool(candidates, quantity)
    if policy == "cost":
        units = cheapest_split(quantity, pool.capacity, pool.lot, np.array(pool.costs, dtype=object))
    else:
        split = proportional_split if policy == "proportional" else fair_split
        units = split(quantity, pool.capacity, pool.lot)
    return Allocation(quantity, pool.quotas(units), policy)


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
        self.ids = list(compress(ids, usable.tolist()))
        self.costs = list(compress([c.unit_cost for c in ordered], usable.tolist()))
        self.capacity = capacity[usable]
        self.lot = lot[usable]

    def quotas(self, units: np.ndarray) -> dict[str, int]:
        given = units != 0
        return dict(zip(compress(self.ids, given.tolist()), units[given].tolist()))
