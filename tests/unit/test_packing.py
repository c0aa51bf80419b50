import math
import random
import time
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.consolidation.packing import lower_bound_l2, pack

exact_sizes = st.one_of(
    st.integers(0, 100),
    st.decimals(min_value=0, max_value=100, places=2),
    st.floats(min_value=0, max_value=100, allow_nan=False, allow_infinity=False),
)


def assert_a_valid_packing(bins, items, capacity_weight, capacity_volume=None):
    by_id = {lot_id: (weight, volume) for lot_id, weight, volume in items}
    packed = [lot_id for contents in bins for lot_id in contents]
    assert sorted(packed) == sorted(by_id)
    assert all(contents for contents in bins)
    for contents in bins:
        assert sum(Fraction(by_id[lot_id][0]) for lot_id in contents) <= Fraction(capacity_weight)
        if capacity_volume is not None:
            assert sum(Fraction(by_id[lot_id][1]) for lot_id in contents) <= Fraction(capacity_volume)


@settings(max_examples=150, deadline=None)
@given(st.lists(exact_sizes, max_size=60), st.sampled_from([100, Decimal("100.00"), 100.0, Decimal("137.5")]))
def test_every_lot_is_packed_once_and_no_bin_is_over_its_weight(weights, capacity):
    items = [(f"lot-{n}", weight, None) for n, weight in enumerate(weights)]
    bins = pack(items, capacity)
    assert_a_valid_packing(bins, items, capacity)
    if weights:
        assert len(bins) >= lower_bound_l2(weights, capacity)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 40)), max_size=60))
def test_with_a_volume_no_bin_is_over_either_capacity(sizes):
    items = [(n, weight, volume) for n, (weight, volume) in enumerate(sizes)]
    bins = pack(items, 50, 40)
    assert_a_valid_packing(bins, items, 50, 40)
    if sizes:
        assert len(bins) >= max(lower_bound_l2([w for w, _ in sizes], 50), lower_bound_l2([v for _, v in sizes], 40))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(1, 100), min_size=1, max_size=40), st.integers(100, 150))
def test_l2_lies_between_the_volume_bound_and_first_fit_decreasing(sizes, capacity):
    bound = lower_bound_l2(sizes, capacity)
    assert math.ceil(sum(sizes) / capacity) <= bound <= first_fit_decreasing(sizes, capacity)
    assert bound >= sum(1 for size in sizes if 2 * size > capacity)


def first_fit_decreasing(sizes, capacity):
    room = []
    for size in sorted(sizes, reverse=True):
        for number, left in enumerate(room):
            if size <= left:
                room[number] -= size
                break
        else:
            room.append(capacity - size)
    return len(room)


@pytest.mark.parametrize(
    "sizes, capacity, bound",
    [
        ([], 100, 0),
        ([0], 100, 1),
        ([60, 60, 60], 100, 3),
        ([50, 50, 50, 50], 100, 2),
        ([99, 2, 2], 100, 2),
        ([60, 60, 60, 45, 45], 100, 4),
        ([Decimal("0.6"), Decimal("0.6"), Decimal("0.6"), Decimal("0.45"), Decimal("0.45")], 1, 4),
    ],
)
def test_l2_on_hand_made_cases(sizes, capacity, bound):
    assert lower_bound_l2(sizes, capacity) == bound


def test_l2_beats_the_volume_bound_when_large_items_cannot_share():
    sizes = [60, 60, 60, 45, 45]
    assert math.ceil(sum(sizes) / 100) == 3
    assert lower_bound_l2(sizes, 100) == 4
    assert len(pack([(n, size, None) for n, size in enumerate(sizes)], 100)) == 4


@pytest.mark.parametrize("low, high, capacity", [(20, 100, 150), (1, 100, 100), (30, 100, 150)])
def test_uniform_lots_need_at_most_one_and_a_half_percent_more_bins_than_l2(low, high, capacity):
    rng = random.Random(2024)
    weights = [rng.randint(low, high) for _ in range(500)]
    bins = pack([(n, weight, None) for n, weight in enumerate(weights)], capacity)
    bound = lower_bound_l2(weights, capacity)
    assert len(bins) <= bound * 1.015
    assert len(bins) <= first_fit_decreasing(weights, capacity)


def test_bin_elimination_improves_on_first_fit_decreasing():
    rng = random.Random(7)
    weights = [rng.randint(20, 100) for _ in range(1000)]
    assert len(pack([(n, weight, None) for n, weight in enumerate(weights)], 150)) < first_fit_decreasing(weights, 150)


def test_a_thousand_lots_are_packed_quickly():
    rng = random.Random(11)
    items = [(f"lot-{n:04d}", rng.randint(20, 100), rng.randint(10, 80)) for n in range(1000)]
    started = time.perf_counter()
    bins = pack(items, 150)
    elapsed = time.perf_counter() - started
    assert_a_valid_packing(bins, items, 150)
    assert elapsed < 1.0


def test_the_same_lots_give_the_same_bins():
    rng = random.Random(3)
    items = [(n, rng.randint(20, 100), rng.randint(1, 9)) for n in range(300)]
    assert pack(items, 150, 20) == pack(list(items), 150, 20)


def test_sizes_are_compared_exactly():
    tenths = [(n, Decimal("0.1"), None) for n in range(10)]
    assert len(pack(tenths, Decimal("1"))) == 1
    float_tenths = [(n, 0.1, None) for n in range(10)]
    assert len(pack(float_tenths, 1.0)) == 2
    assert len(pack([("a", 1, None), ("b", Decimal("0.5"), None), ("c", 0.5, None)], 2)) == 1


def test_volume_can_be_the_binding_capacity():
    items = [("bales", 5, 60), ("baskets", 5, 60), ("carvings", 80, 10)]
    assert sorted(map(sorted, pack(items, 100))) == [["bales", "baskets", "carvings"]]
    bins = pack(items, 100, 100)
    assert len(bins) == 2
    assert not any({"bales", "baskets"} <= set(contents) for contents in bins)


def test_bins_come_fullest_first_with_the_largest_lot_first():
    bins = pack([("a", 10, None), ("b", 70, None), ("c", 60, None), ("d", 30, None)], 100)
    assert bins == [["b", "d"], ["c", "a"]]


def test_no_lots_need_no_bins():
    assert pack([], 100) == []
    assert pack([], 100, 10) == []


@pytest.mark.parametrize(
    "items, capacity_weight, capacity_volume, message",
    [
        ([("a", 101, None)], 100, None, "does not fit"),
        ([("a", 10, 11)], 100, 10, "does not fit"),
        ([("a", -1, None)], 100, None, "negative"),
        ([("a", Decimal("-0.5"), None)], 100, None, "negative"),
        ([("a", 1, None), ("a", 2, None)], 100, None, "twice"),
        ([("a", 1)], 100, None, "lot_id, weight, volume"),
        ([("a", "heavy", None)], 100, None, "number"),
        ([("a", float("nan"), None)], 100, None, "finite"),
        ([("a", True, None)], Decimal("2"), None, "number"),
        ([("a", 1, None)], 0, None, "weight capacity must be positive"),
        ([("a", 1, 1)], 10, -1, "volume capacity must be positive"),
        ([("a", 1, None)], 10, 5, "number"),
    ],
)
def test_bad_lots_are_value_errors(items, capacity_weight, capacity_volume, message):
    with pytest.raises(ValueError, match=message):
        pack(items, capacity_weight, capacity_volume)


def test_l2_rejects_sizes_that_cannot_fit():
    with pytest.raises(ValueError, match="larger than the capacity"):
        lower_bound_l2([101], 100)
    with pytest.raises(ValueError, match="capacity must be positive"):
        lower_bound_l2([1], 0)
