from hypothesis import given, settings
from hypothesis import strategies as st

import pytest

from services.aggregation.allocation import Candidate, allocate

candidates = st.lists(
    st.builds(Candidate, producer_id=st.text("abcdefgh", min_size=1, max_size=4),
              capacity=st.integers(0, 500), min_lot=st.integers(1, 60)),
    max_size=25, unique_by=lambda c: c.producer_id)


@settings(max_examples=300, deadline=None)
@given(quantity=st.integers(0, 5000), candidates=candidates)
def test_every_rule_of_a_proportional_allocation_holds(quantity, candidates):
    result = allocate(quantity, candidates)
    by_id = {c.producer_id: c for c in candidates}
    assert result.allocated + result.shortfall == quantity
    assert result.allocated <= quantity
    for producer_id, units in result.quotas.items():
        assert units > 0
        assert units <= by_id[producer_id].capacity
        assert units >= by_id[producer_id].min_lot
    assert allocate(quantity, list(reversed(candidates))) == result


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


def test_invalid_requests_are_refused():
    with pytest.raises(ValueError):
        allocate(5, [Candidate("a", 5)], policy="random")
    with pytest.raises(ValueError):
        allocate(5, [Candidate("a", 5), Candidate("a", 3)])
    with pytest.raises(ValueError):
        Candidate("a", -1)
