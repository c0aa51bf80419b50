"""Who is offered how much of a line, on top of `allocation`'s split. Pure functions: no nameko, no SQL, no I/O.

Every quota is an SMS to a producer, an answer she must send, a lot, an inspection and a pickup, so three rules keep
them worth that cost:

- **A smallest worthwhile quota.** No quota is below the larger of the offering's ``min_quota`` and the producer's
  own minimum lot, except when the whole remainder of a line is smaller; that remainder then goes to one producer.
- **Top-ups first.** Units to reallocate go first to producers already working on the line, as an increase of their
  quota, then to as few new producers as capacity allows. Nobody holds two open quotas for one line.
- **Fair over time.** When not everybody can be offered a worthwhile quota, the producers furthest behind their share
  of the capacity over the fairness window come first (`Standing`), so the same producers do not win every
  remainder. When everybody can, a new line is split in proportion to capacity, which spreads the work.
"""

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from services.aggregation.allocation import Candidate, allocate


@dataclass(frozen=True)
class Standing:
    """A producer's record for one offering over the fairness window: units offered to her, units she declared."""

    offered: int = 0
    declared: int = 0

    def load(self) -> float | None:
        """Units offered per unit declared; None for a producer who declared nothing in the window. A float: the
        same facts always give the same figure, and thousands of exact fractions are too slow to sort."""
        return self.offered / self.declared if self.declared else None


_NO_RECORD = Standing()


def priority_order(producer_ids: Iterable[str], standing: Mapping[str, Standing]) -> list[str]:
    """Least loaded first (offered per unit declared over the window), then by id so the order is the same for
    the same facts; producers with no declaration in the window come last."""

    def key(producer_id: str):
        load = standing.get(producer_id, _NO_RECORD).load()
        return (load is None, load or 0.0, producer_id)

    return sorted(producer_ids, key=key)


def _with_lot(candidate: Candidate, lot: int) -> Candidate:
    """The candidate with minimum lot ``lot``: copied, not rebuilt, since rebuilding a candidate runs its checks
    again, which thousands of candidates per line cannot afford."""
    if candidate.min_lot == lot:
        return candidate
    raised = copy.copy(candidate)
    object.__setattr__(raised, "min_lot", lot)
    return raised


def plan_line(
    quantity: int,
    candidates: Iterable[Candidate],
    *,
    min_quota: int,
    policy: str = "proportional",
    standing: Mapping[str, Standing] | None = None,
) -> dict[str, int]:
    """Quotas for ``quantity`` new units of a line (see the module docstring): ``{producer_id: units}``."""
    standing = standing or {}
    pool = [_with_lot(c, max(c.min_lot, min_quota)) for c in candidates if c.capacity >= c.min_lot]
    by_id = {c.producer_id: c for c in candidates}
    order = priority_order(by_id, standing)
    if quantity < min_quota:
        return _to_one(quantity, [by_id[p] for p in order])
    usable = [c for c in pool if c.capacity >= c.min_lot]
    result = _spread(quantity, usable, order, policy)
    quotas = dict(result)
    leftover = quantity - sum(quotas.values())
    if 0 < leftover < min_quota:
        quotas = _place_remainder(leftover, quotas, [by_id[p] for p in order])
    return quotas


def plan_reallocation(
    units: int,
    working: Iterable[Candidate],
    newcomers: Iterable[Candidate],
    *,
    min_quota: int,
    standing: Mapping[str, Standing] | None = None,
) -> tuple[dict[str, int], dict[str, int]]:
    """``units`` of a line to reallocate: top-ups for producers already working on it (``working``, with the free
    capacity they could add), then new quotas for as few ``newcomers`` as capacity allows. Returns
    ``(top_ups, new_quotas)``, each ``{producer_id: units}``."""
    standing = standing or {}
    working_by_id = {c.producer_id: c for c in working}
    top_ups = _fewest(units, [working_by_id[p] for p in priority_order(working_by_id, standing)], any_size=True)
    left = units - sum(top_ups.values())
    newcomers_by_id = {c.producer_id: c for c in newcomers if c.producer_id not in working_by_id}
    ordered = [newcomers_by_id[p] for p in priority_order(newcomers_by_id, standing)]
    if left < min_quota:
        return top_ups, _to_one(left, ordered)
    worthwhile = [_with_lot(c, max(c.min_lot, min_quota)) for c in ordered]
    new_quotas = _fewest(left, worthwhile)
    rest = left - sum(new_quotas.values())
    if 0 < rest < min_quota:
        new_quotas = _place_remainder(rest, new_quotas, [c for c in ordered if c.producer_id not in new_quotas])
    return top_ups, new_quotas


def _fewest(units: int, ordered: list[Candidate], any_size: bool = False) -> dict[str, int]:
    """Fill ``units`` with as few producers as capacity allows: whoever can take all that is left, the first in
    ``ordered`` among them; otherwise the largest capacity, the first in ``ordered`` among equals. A producer is
    used only for at least her minimum lot, unless ``any_size`` (a top-up adds to a quota above it already)."""
    if any_size:
        ordered = [_with_lot(c, 1) for c in ordered]
    quotas, left = {}, units
    by_capacity = sorted(range(len(ordered)), key=lambda i: (-ordered[i].capacity, i))
    used = [False] * len(ordered)
    while left > 0:
        largest = next((i for i in by_capacity if not used[i]), None)
        if largest is None:
            break
        if ordered[largest].capacity >= left:
            whole = next(
                (i for i, c in enumerate(ordered) if not used[i] and c.capacity >= left and c.min_lot <= left), None
            )
            if whole is not None:
                quotas[ordered[whole].producer_id] = left
                break
        chosen = next(
            (i for i in by_capacity if not used[i] and min(ordered[i].capacity, left) >= ordered[i].min_lot), None
        )
        if chosen is None:
            break
        take = min(ordered[chosen].capacity, left)
        quotas[ordered[chosen].producer_id] = take
        left -= take
        used[chosen] = True
    return quotas


def _to_one(units: int, ordered: list[Candidate]) -> dict[str, int]:
    """A remainder smaller than a worthwhile quota, to one producer: the first in ``ordered`` who can make all of
    it, else the one who can make the most."""
    able = [c for c in ordered if units and min(c.capacity, units) >= c.min_lot]
    if not able:
        return {}
    chosen = next((c for c in able if c.capacity >= units), None) or max(able, key=lambda c: c.capacity)
    return {chosen.producer_id: min(chosen.capacity, units)}


def _spread(quantity: int, usable: list[Candidate], order: list[str], policy: str) -> dict:
    """The policy's split over everybody; for the proportional policy, when not everybody can get a worthwhile
    share, the longest run of the least loaded producers that can (found by bisection over ``order``), unless it
    covers fewer units than splitting over everybody does."""
    everyone = None
    if policy != "proportional" or sum(c.min_lot for c in usable) <= quantity:
        everyone = allocate(quantity, usable, policy).quotas
        if policy != "proportional" or len(everyone) == len(usable):
            return everyone
    by_id = {c.producer_id: c for c in usable}
    ranked = [by_id[p] for p in order if p in by_id]
    # Nobody beyond the run whose lots alone add up to more than the line can be in it.
    longest = max(1, sum(1 for lots in _running_sums(c.min_lot for c in ranked) if lots <= quantity))
    low, high, best = 1, longest, {}
    while low <= high:
        middle = (low + high) // 2
        quotas = allocate(quantity, ranked[:middle]).quotas
        if len(quotas) == middle:
            best, low = quotas, middle + 1
        else:
            high = middle - 1
    if sum(best.values()) < min(quantity, sum(c.capacity for c in usable)):
        everyone = everyone if everyone is not None else allocate(quantity, usable).quotas
        if sum(everyone.values()) > sum(best.values()):
            return everyone
    return best


def _running_sums(values) -> Iterable[int]:
    total = 0
    for value in values:
        total += value
        yield total


def _place_remainder(units: int, quotas: dict, ordered: list[Candidate]) -> dict:
    """A remainder below a worthwhile quota goes onto a quota already planned, where the producer has room (first in
    ``ordered``), so it costs no extra message; else to one producer not yet planned."""
    placed = dict(quotas)
    for candidate in ordered:
        if candidate.producer_id in placed and candidate.capacity - placed[candidate.producer_id] >= units:
            placed[candidate.producer_id] += units
            return placed
    placed.update(_to_one(units, [c for c in ordered if c.producer_id not in placed]))
    return placed
