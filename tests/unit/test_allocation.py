"""Allocation rules every policy keeps, and the proportional policy against a slow reference of its definition."""

import random
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.aggregation.allocation import POLICIES, Allocation, Candidate, allocate

candidates = st.lists(
    st.builds(
        Candidate,
        producer_id=st.text("abcdefgh", min_size=1, max_size=4),
        capacity=st.integers(0, 500),
        min_lot=st.integers(1, 60),
        pass_rate=st.sampled_from([0.0, 0.5, 0.8, 0.95, 1.0]),
        unit_cost=st.sampled_from([Decimal("18.00"), Decimal("21.00"), Decimal("23.50")]),
    ),
    max_size=25,
    unique_by=lambda c: c.producer_id,
)

# Few distinct capacities and lots: many equal shares and remainders, so ties decide a lot.
tied_candidates = st.lists(
    st.tuples(st.sampled_from([1, 5, 7, 10, 12, 30]), st.sampled_from([1, 1, 3, 5, 10])), max_size=40
).map(lambda rows: [Candidate(f"p{i:02d}", capacity, lot) for i, (capacity, lot) in enumerate(rows)])

# Capacities beyond what 64-bit products of totals can hold.
huge_candidates = st.lists(st.tuples(st.integers(0, 10**12), st.integers(1, 10**11)), max_size=12).map(
    lambda rows: [Candidate(f"p{i:02d}", capacity, lot) for i, (capacity, lot) in enumerate(rows)]
)


def reference_proportional(quantity: int, candidates) -> dict:
    """The definition, literally: Hamilton split of min(quantity, capacity kept); while some producer's quota is
    positive but below its lot, drop the one with the smallest (quota, id) and split again."""
    kept = sorted((c for c in candidates if c.capacity >= c.min_lot), key=lambda c: c.producer_id)
    while True:
        capacity = sum(c.capacity for c in kept)
        target = min(quantity, capacity)
        quotas = {c.producer_id: 0 for c in kept}
        if target:
            exact = {c.producer_id: divmod(target * c.capacity, capacity) for c in kept}
            quotas = {pid: whole for pid, (whole, _) in exact.items()}
            leftover = target - sum(quotas.values())
            for pid in sorted(exact, key=lambda pid: (-exact[pid][1], pid))[:leftover]:
                quotas[pid] += 1
        too_small = [c for c in kept if 0 < quotas[c.producer_id] < c.min_lot]
        if not too_small:
            return {pid: units for pid, units in sorted(quotas.items()) if units}
        dropped = min(too_small, key=lambda c: (quotas[c.producer_id], c.producer_id))
        kept.remove(dropped)


def shuffled(items, seed):
    items = list(items)
    random.Random(seed).shuffle(items)
    return items


@pytest.mark.parametrize("policy", POLICIES)
@settings(max_examples=150, deadline=None)
@given(quantity=st.integers(0, 5000), candidates=candidates, seed=st.integers(0, 9))
def test_every_rule_holds_for_every_policy(policy, quantity, candidates, seed):
    result = allocate(quantity, candidates, policy)
    by_id = {c.producer_id: c for c in candidates}
    assert result.allocated + result.shortfall == quantity
    assert result.allocated <= quantity
    for producer_id, units in result.quotas.items():
        assert isinstance(units, int)
        assert by_id[producer_id].min_lot <= units <= by_id[producer_id].capacity
    assert allocate(quantity, shuffled(candidates, seed), policy) == result


@settings(max_examples=400, deadline=None)
@given(quantity=st.integers(0, 5000), candidates=candidates)
def test_proportional_is_the_one_at_a_time_definition(quantity, candidates):
    assert allocate(quantity, candidates).quotas == reference_proportional(quantity, candidates)


@settings(max_examples=300, deadline=None)
@given(quantity=st.integers(0, 400), candidates=tied_candidates)
def test_proportional_breaks_ties_like_the_definition(quantity, candidates):
    assert allocate(quantity, candidates).quotas == reference_proportional(quantity, candidates)


@settings(max_examples=100, deadline=None)
@given(quantity=st.integers(0, 10**13), candidates=huge_candidates)
def test_proportional_is_exact_with_numbers_beyond_64_bits(quantity, candidates):
    assert allocate(quantity, candidates).quotas == reference_proportional(quantity, candidates)


@pytest.mark.parametrize(
    "seed, producers, largest, lots, share",
    [
        (2, 600, 120, (1, 5, 10, 20), 0.1),
        (3, 400, 120, (1, 5, 10, 20), 0.02),
        (5, 300, 20000, (1, 1, 400, 1500), 0.05),
        (6, 500, 120, (1, 1, 5, 10), 0.3),
    ],
)
def test_long_runs_of_drops_match_the_definition(seed, producers, largest, lots, share):
    """Dozens to hundreds of drops, where the batched drops, their threats, the exact re-splits of the active
    producers and the band checks all come in."""
    rng = random.Random(seed)
    pool = [Candidate(f"p{i:04d}", rng.randint(5, largest), rng.choice(lots)) for i in range(producers)]
    quantity = int(sum(c.capacity for c in pool) * share)
    expected = reference_proportional(quantity, pool)
    assert len(expected) < producers - 25
    assert allocate(quantity, shuffled(pool, seed)).quotas == expected


@settings(max_examples=300, deadline=None)
@given(quantity=st.integers(0, 5000), capacities=st.lists(st.integers(0, 500), max_size=25))
def test_without_minimum_lots_quotas_are_within_one_unit_of_their_exact_share(quantity, capacities):
    candidates = [Candidate(f"p{i:02d}", capacity) for i, capacity in enumerate(capacities)]
    total_capacity = sum(capacities)
    result = allocate(quantity, candidates)
    assert result.allocated == min(quantity, total_capacity)
    for candidate in candidates:
        exact = result.allocated * candidate.capacity / total_capacity if total_capacity else 0
        assert abs(result.quotas.get(candidate.producer_id, 0) - exact) < 1


def test_shares_follow_capacity_and_remainders_go_to_the_largest_fractions():
    result = allocate(10, [Candidate("a", 10), Candidate("b", 10), Candidate("c", 10)])
    assert result.quotas == {"a": 4, "b": 3, "c": 3}
    assert result.shortfall == 0


def test_capacity_caps_the_total_and_the_rest_is_shortfall():
    result = allocate(100, [Candidate("a", 30), Candidate("b", 20)])
    assert result.quotas == {"a": 30, "b": 20}
    assert result.shortfall == 50


def test_a_producer_whose_share_is_below_its_minimum_lot_is_dropped_and_the_rest_resplit():
    result = allocate(20, [Candidate("big", 100), Candidate("small", 10, min_lot=5)])
    assert result.quotas == {"big": 20}


def test_drops_go_one_at_a_time_and_a_drop_can_save_the_next_producer():
    # Shares 4/3 each: "a" takes the spare unit, "b" and "c" get 1, below their lots. Only "b" (the smaller id) is
    # dropped; split again over "a" and "c", "c" reaches its lot.
    result = allocate(4, [Candidate("a", 3), Candidate("b", 3, min_lot=2), Candidate("c", 3, min_lot=2)])
    assert result.quotas == {"a": 2, "c": 2}


def test_a_producer_below_its_own_lot_is_never_offered_anything():
    assert allocate(50, [Candidate("a", 4, min_lot=5), Candidate("b", 10)]).quotas == {"b": 10}


def test_the_result_names_its_policy():
    result = allocate(7, [Candidate("a", 10)], "fair")
    assert result == Allocation(7, {"a": 7}, "fair")


def test_the_cost_policy_gives_the_work_to_the_lowest_piece_rates_first():
    candidates = [
        Candidate("a", 30, unit_cost=Decimal("20.00")),
        Candidate("b", 40, unit_cost=Decimal("18.00")),
        Candidate("c", 25, min_lot=15, unit_cost=Decimal("19.00")),
    ]
    assert allocate(50, candidates, "cost").quotas == {"a": 10, "b": 40}, "c's lot of 15 does not fit in 10"
    assert allocate(80, candidates, "cost").quotas == {"a": 15, "b": 40, "c": 25}


@settings(max_examples=300, deadline=None)
@given(quantity=st.integers(0, 5000), candidates=candidates)
def test_under_the_cost_policy_a_dearer_producer_works_only_when_every_cheaper_one_is_full_or_cannot_fit(
    quantity, candidates
):
    quotas = allocate(quantity, candidates, "cost").quotas
    for dearer in candidates:
        if not quotas.get(dearer.producer_id):
            continue
        for cheaper in candidates:
            if cheaper.unit_cost < dearer.unit_cost and cheaper.capacity >= cheaper.min_lot:
                assert quotas.get(cheaper.producer_id, 0) in (0, cheaper.capacity), (cheaper, dearer, quotas)


def test_invalid_requests_are_refused():
    with pytest.raises(ValueError):
        allocate(5, [Candidate("a", 5)], policy="random")
    with pytest.raises(ValueError):
        allocate(5, [Candidate("a", 5), Candidate("a", 3)])
    with pytest.raises(ValueError):
        allocate(-1, [Candidate("a", 5)])


@pytest.mark.parametrize(
    "fields",
    [
        {"capacity": -1},
        {"capacity": 5, "min_lot": 0},
        {"capacity": 5, "pass_rate": 1.5},
        {"capacity": 5, "pass_rate": float("nan")},
        {"capacity": 5, "lead_time_days": -2},
    ],
)
def test_impossible_candidates_are_refused(fields):
    with pytest.raises(ValueError):
        Candidate("a", **fields)
