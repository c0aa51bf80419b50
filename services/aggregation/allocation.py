"""Splitting an order line across producers. Pure functions: no nameko, no SQL, no I/O.

``proportional`` (the default) gives each producer a share of the quantity in proportion to its capacity, rounded by
the largest-remainder (Hamilton) method, so every quota is within one unit of its exact share and the quotas add up
exactly. Spreading work across many small producers is the point of pooling.
"""
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

POLICIES = ("proportional",)


@dataclass(frozen=True)
class Candidate:
    producer_id: str
    capacity: int
    min_lot: int = 1
    unit_cost: Decimal = Decimal("0")
    pass_rate: float = 1.0

    def __post_init__(self):
        if self.capacity < 0:
            raise ValueError(f"{self.producer_id}: capacity is negative")
        if self.min_lot < 1:
            raise ValueError(f"{self.producer_id}: minimum lot is at least 1")


@dataclass(frozen=True)
class Allocation:
    quantity: int
    quotas: dict = field(default_factory=dict)

    @property
    def allocated(self) -> int:
        return sum(self.quotas.values())

    @property
    def shortfall(self) -> int:
        return self.quantity - self.allocated


def allocate(quantity: int, candidates, policy: str = "proportional") -> Allocation:
    if quantity < 0:
        raise ValueError("quantity is negative")
    if policy not in POLICIES:
        raise ValueError(f"unknown policy {policy!r}; known: {', '.join(POLICIES)}")
    ids = [candidate.producer_id for candidate in candidates]
    if len(set(ids)) != len(ids):
        raise ValueError("a producer appears twice among the candidates")
    kept = sorted((c for c in candidates if c.capacity >= c.min_lot), key=lambda c: c.producer_id)
    while True:
        quotas = _hamilton(quantity, kept)
        too_small = [c for c in kept if 0 < quotas[c.producer_id] < c.min_lot]
        if not too_small:
            return Allocation(quantity, {pid: units for pid, units in sorted(quotas.items()) if units})
        dropped = min(too_small, key=lambda c: (quotas[c.producer_id], c.producer_id))
        kept = [c for c in kept if c is not dropped]


def _hamilton(quantity: int, candidates) -> dict:
    """Largest-remainder split of min(quantity, total capacity) in proportion to capacity; ties by producer id."""
    capacity = sum(c.capacity for c in candidates)
    target = min(quantity, capacity)
    if target == 0:
        return {c.producer_id: 0 for c in candidates}
    exact = {c.producer_id: Fraction(target * c.capacity, capacity) for c in candidates}
    quotas = {pid: int(share) for pid, share in exact.items()}
    leftover = target - sum(quotas.values())
    by_remainder = sorted(exact, key=lambda pid: (-(exact[pid] - quotas[pid]), pid))
    for pid in by_remainder[:leftover]:
        quotas[pid] += 1
    return quotas
