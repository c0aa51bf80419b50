"""Loading lots into trucks or containers: bin packing by weight, or by weight and volume together. Plain Python.

Best-fit decreasing alone ends up to about 3 % above the Martello-Toth L2 lower bound on the classic uniform classes,
so ``pack`` then eliminates bins, after Levine and Ducatelle's local search: each round empties the least filled bin
and up to two others, swaps the loose lots against lots in the other bins whenever that leaves a bin fuller (so the
loose lots get smaller), and puts the loose lots back by best fit. A round is kept if it needs fewer bins, or as many
with no smaller sum of squared loads (full bins fuller, light bins lighter: the next bin to empty is draining). The
search stops at the L2 bound, where the packing is optimal, or after a fixed amount of work (bin visits, half as many
with a volume, where each check costs twice as much), not a time limit; its random draws come from a fixed seed, so
the same lots always give the same bins. That lands within about 1 % of L2 on average (much of what is left is L2
below the optimum) and packs 1,000 lots in a few tens of milliseconds; bench/consolidation.py has the figures.

With a volume capacity a lot fits a bin only if both its weight and its volume fit. Lots are then ordered, and bins
compared, by the sum of the two fractions of capacity they use (weight / weight capacity + volume / volume capacity),
and the lower bound is the larger of the L2 bounds of the two dimensions.

Weights and volumes may be int, float or Decimal. They are turned exactly into integers on one common scale before
packing, so no bin is ever over a capacity by a rounding error. A float counts at its exact binary value (0.1 is a
little more than a tenth, so ten of them do not fit in 1.0): pass Decimal for decimal quantities.
"""

from bisect import bisect_left, bisect_right, insort
from decimal import Decimal
from fractions import Fraction
from itertools import combinations, cycle
from math import lcm, prod
from numbers import Rational
from random import Random

BIN_VISITS = 4000
BINS_EMPTIED_PER_ROUND = (1, 2, 3)
SEED = 20240229


def pack(items, capacity_weight, capacity_volume=None) -> list[list]:
    """Bins (lists of lot ids) for ``items``, a list of ``(lot_id, weight, volume)``.

    ``volume`` is ignored when ``capacity_volume`` is None. Bins come fullest first, and the lots in a bin largest
    first. A lot that does not fit an empty bin, a negative size or a repeated lot id is a ValueError.
    """
    for item in items:
        if len(item) != 3:
            raise ValueError(f"an item is (lot_id, weight, volume), not {item!r}")
    lot_ids = [item[0] for item in items]
    if len(set(lot_ids)) != len(lot_ids):
        raise ValueError("a lot id appears twice")
    weights, weight_capacity = _on_one_scale([item[1] for item in items], capacity_weight, "weight")
    capacity: tuple[int, ...]
    dimensions, capacity = [weights], (weight_capacity,)
    if capacity_volume is not None:
        volumes, volume_capacity = _on_one_scale([item[2] for item in items], capacity_volume, "volume")
        dimensions, capacity = [weights, volumes], (weight_capacity, volume_capacity)
    sizes = list(zip(*dimensions))
    for lot_id, size in zip(lot_ids, sizes):
        if any(amount > limit for amount, limit in zip(size, capacity)):
            raise ValueError(f"lot {lot_id!r} does not fit in an empty bin")
    return [[lot_ids[item] for item in contents] for contents in _Packer(sizes, capacity).pack()]


def lower_bound_l2(sizes, capacity) -> int:
    """The Martello-Toth L2 lower bound on the number of bins of ``capacity`` that ``sizes`` need."""
    scaled, capacity = _on_one_scale(list(sizes), capacity, "size")
    if any(size > capacity for size in scaled):
        raise ValueError("a size is larger than the capacity")
    return _l2(scaled, capacity)


def _on_one_scale(sizes: list, capacity, what: str) -> tuple[list[int], int]:
    """Sizes and capacity as integers multiplied by one common scale, so that sums and comparisons are exact."""
    values = [*sizes, capacity]
    if not all(type(value) is int for value in values):
        fractions = []
        for value in values:
            if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, Rational)):
                raise ValueError(f"a {what} must be a number, not {value!r}")
            try:
                fractions.append(Fraction(value))
            except (ValueError, OverflowError):
                raise ValueError(f"a {what} must be finite, not {value!r}") from None
        scale = lcm(*(fraction.denominator for fraction in fractions))
        values = [fraction.numerator * (scale // fraction.denominator) for fraction in fractions]
    *scaled, capacity = values
    if capacity <= 0:
        raise ValueError(f"the {what} capacity must be positive")
    if any(size < 0 for size in scaled):
        raise ValueError(f"a {what} cannot be negative")
    return scaled, capacity


def _l2(sizes: list[int], capacity: int) -> int:
    """L2 = max over alpha in [0, C/2] of |J1| + |J2| + max(0, ceil((sum J3 - (|J2| C - sum J2)) / C)), with
    J1 = sizes above C - alpha, J2 = sizes in (C/2, C - alpha], J3 = sizes in [alpha, C/2]. Only alpha = 0 and the
    sizes up to C/2 can give the maximum. Any item at all needs one bin, even one of size 0."""
    ordered = sorted(sizes)
    prefix = [0]
    for size in ordered:
        prefix.append(prefix[-1] + size)
    above_half = bisect_right(ordered, capacity // 2)
    best = 1 if ordered else 0
    for alpha in {0, *ordered[:above_half]}:
        above_rest = bisect_right(ordered, capacity - alpha)
        big = len(ordered) - above_rest
        medium = above_rest - above_half
        room_beside_medium = medium * capacity - (prefix[above_rest] - prefix[above_half])
        small = prefix[above_half] - prefix[bisect_left(ordered, alpha)]
        overflow = small - room_beside_medium
        best = max(best, big + medium + max(0, -(-overflow // capacity)))
    return best


class _Packer:
    """Packs item indices. An item's score is the sum over dimensions of its size as a fraction of capacity, scaled
    to an integer; with one dimension the score is the size itself, so a score that fits is a size that fits."""

    def __init__(self, sizes: list[tuple], capacity: tuple):
        self.sizes = sizes
        self.capacity = capacity
        self.one_dimension = len(capacity) == 1
        weights = [prod(capacity) // limit for limit in capacity]
        self.scores = [sum(amount * weight for amount, weight in zip(size, weights)) for size in sizes]
        self.capacity_score = prod(capacity) * len(capacity)
        self.lower_bound = max(_l2([size[d] for size in sizes], limit) for d, limit in enumerate(capacity))

    def pack(self) -> list[list[int]]:
        bins = self._best_fit(self._largest_first(range(len(self.sizes))), [])
        chance = Random(SEED)
        visits = 0
        for emptied in cycle(BINS_EMPTIED_PER_ROUND):
            if len(bins) <= self.lower_bound or visits >= BIN_VISITS // len(self.capacity):
                break
            candidate = self._eliminate(bins, emptied, chance)
            visits += len(bins)
            if len(candidate) < len(bins) or (
                len(candidate) == len(bins) and self._spread(candidate) >= self._spread(bins)
            ):
                bins = candidate
        bins = [self._largest_first(contents) for contents in bins]
        return sorted(bins, key=lambda contents: (-self._score(contents), contents[0]))

    def _spread(self, bins) -> int:
        """Sum of squared bin scores: it grows as full bins get fuller and light ones lighter, towards an empty one."""
        return sum(self._score(contents) ** 2 for contents in bins)

    def _largest_first(self, items) -> list[int]:
        return sorted(items, key=lambda item: (-self.scores[item], item))

    def _best_fit(self, order: list[int], bins: list[list[int]]) -> list[list[int]]:
        """Put each item, in ``order``, into the bin it leaves with the least room, opening a bin when none fits."""
        bins = [list(contents) for contents in bins]
        loads = [self._load(contents) for contents in bins]
        room = sorted((self.capacity_score - self._score(contents), number) for number, contents in enumerate(bins))
        for item in order:
            position = bisect_left(room, (self.scores[item], -1))
            while position < len(room) and not self._fits(loads[room[position][1]], self.sizes[item]):
                position += 1
            if position == len(room):
                bins.append([])
                loads.append([0] * len(self.capacity))
                left, number = self.capacity_score, len(bins) - 1
            else:
                left, number = room.pop(position)
            bins[number].append(item)
            loads[number] = [load + amount for load, amount in zip(loads[number], self.sizes[item])]
            insort(room, (left - self.scores[item], number))
        return [contents for contents in bins if contents]

    def _eliminate(self, bins: list[list[int]], emptied: int, chance: Random) -> list[list[int]]:
        """Empty the least filled bin and ``emptied - 1`` others drawn at random, fill the other bins fuller by swaps
        with the loose items, least filled first, and put the loose items back by best fit."""
        by_fill = sorted(bins, key=lambda contents: (self._score(contents), contents))
        drawn = {0, *chance.sample(range(1, len(by_fill)), min(emptied, len(by_fill)) - 1)}
        loose = _LooseItems(self, [item for number in drawn for item in by_fill[number]])
        kept = [list(contents) for number, contents in enumerate(by_fill) if number not in drawn]
        for contents in kept:
            if not loose.items:
                break
            self._fill_by_swaps(contents, loose)
        return self._best_fit(self._largest_first(loose.items), kept)

    def _fill_by_swaps(self, contents: list[int], loose: "_LooseItems") -> None:
        """Replace up to two items of the bin by one or two loose items while that makes the bin fuller."""
        while loose.items:
            move = self._best_swap(contents, loose)
            if move is None:
                return
            taken_out, put_in = move
            contents[:] = [item for item in contents if item not in taken_out] + list(put_in)
            loose.swap(taken_out, put_in)

    def _best_swap(self, contents: list[int], loose: "_LooseItems"):
        """The swap that fills the bin the most: none, one or two of its items out, one or two loose items in."""
        scores = self.scores
        room = self.capacity_score - sum(scores[item] for item in contents)
        if room == 0:
            return None
        if not self.one_dimension:
            sizes = self.sizes
            free = [limit - used for limit, used in zip(self.capacity, self._load(contents))]
        best_gain, best_move = 0, None
        for taken_out in ((), *((item,) for item in contents), *combinations(contents, 2)):
            freed = sum(scores[item] for item in taken_out)
            if not self.one_dimension:
                free_after = [left + sum(sizes[item][d] for item in taken_out) for d, left in enumerate(free)]
            for candidate_scores, candidates, candidate_sizes in loose.candidates:
                position = bisect_right(candidate_scores, freed + room) - 1
                while position >= 0 and candidate_scores[position] - freed > best_gain:
                    if self.one_dimension or all(
                        size <= left for size, left in zip(candidate_sizes[position], free_after)
                    ):
                        best_gain, best_move = candidate_scores[position] - freed, (taken_out, candidates[position])
                        break
                    position -= 1
            if best_gain == room:
                break
        return best_move

    def _fits(self, load, size) -> bool:
        return all(used + amount <= limit for used, amount, limit in zip(load, size, self.capacity))

    def _load(self, items) -> list[int]:
        return [sum(self.sizes[item][d] for item in items) for d in range(len(self.capacity))]

    def _score(self, items) -> int:
        return sum(self.scores[item] for item in items)


class _LooseItems:
    """Items taken out of bins, as singles and as pairs, each sorted by score for bisection, with their sizes."""

    def __init__(self, packer: _Packer, items: list[int]):
        self.packer = packer
        self.items = items
        self._index()

    def swap(self, taken_out, put_in) -> None:
        self.items = [item for item in self.items if item not in put_in] + list(taken_out)
        self._index()

    def _index(self) -> None:
        scores, sizes = self.packer.scores, self.packer.sizes
        self.items.sort(key=scores.__getitem__)
        pairs = sorted((scores[a] + scores[b], a, b) for a, b in combinations(self.items, 2))
        # Sizes matter only with two dimensions; with one, a score is the size.
        single_sizes: list = []
        pair_sizes: list = []
        if not self.packer.one_dimension:
            single_sizes = [sizes[item] for item in self.items]
            pair_sizes = [[x + y for x, y in zip(sizes[a], sizes[b])] for _, a, b in pairs]
        self.candidates = (
            ([scores[item] for item in self.items], [(item,) for item in self.items], single_sizes),
            ([pair[0] for pair in pairs], [pair[1:] for pair in pairs], pair_sizes),
        )
