"""The fair policy and eligibility, each against an independent solution."""

from hypothesis import given, settings
from hypothesis import strategies as st

from services.aggregation.allocation import Candidate, allocate, eligible

# --- fair -----------------------------------------------------------------------------------------------------------


def water_fill_by_units(quantity, admitted):
    """One unit at a time to the producer with the fewest units that still has room, the smaller id first."""
    units = {c.producer_id: 0 for c in admitted}
    room = {c.producer_id: c.capacity for c in admitted}
    for _ in range(min(quantity, sum(room.values()))):
        receiver = min((pid for pid in units if units[pid] < room[pid]), key=lambda pid: (units[pid], pid))
        units[receiver] += 1
    return units


def reference_fair(quantity, candidates):
    """Admit producers in (lot, id) order while everybody admitted still reaches its lot."""
    usable = sorted((c for c in candidates if c.capacity >= c.min_lot), key=lambda c: (c.min_lot, c.producer_id))
    admitted = []
    for candidate in usable:
        units = water_fill_by_units(quantity, admitted + [candidate])
        if any(units[c.producer_id] < c.min_lot for c in admitted + [candidate]):
            break
        admitted.append(candidate)
    return {pid: u for pid, u in sorted(water_fill_by_units(quantity, admitted).items()) if u}


fair_candidates = st.lists(st.tuples(st.integers(0, 40), st.integers(1, 12)), max_size=12).map(
    lambda rows: [Candidate(f"p{i:02d}", capacity, lot) for i, (capacity, lot) in enumerate(rows)]
)


@settings(max_examples=300, deadline=None)
@given(quantity=st.integers(0, 300), candidates=fair_candidates)
def test_fair_is_unit_by_unit_water_filling_of_the_admitted(quantity, candidates):
    assert allocate(quantity, candidates, "fair").quotas == reference_fair(quantity, candidates)


@settings(max_examples=300, deadline=None)
@given(quantity=st.integers(0, 300), candidates=fair_candidates)
def test_fair_is_max_min_fair_and_leaves_out_only_who_must_be(quantity, candidates):
    quotas = allocate(quantity, candidates, "fair").quotas
    by_id = {c.producer_id: c for c in candidates}
    admitted = [by_id[pid] for pid in quotas]
    assert sum(quotas.values()) == min(quantity, sum(c.capacity for c in admitted))
    for pid, units in quotas.items():
        if units < by_id[pid].capacity:
            # Could get more only if someone with at most one unit more lost one; that one has a smaller id.
            assert all(other <= units + 1 for other in quotas.values())
            assert all(other_id < pid for other_id, other in quotas.items() if other == units + 1)
    left_out = sorted(
        (c for c in candidates if c.producer_id not in quotas and c.capacity >= c.min_lot),
        key=lambda c: (c.min_lot, c.producer_id),
    )
    if left_out:
        # The admitted come first in (lot, id) order, and admitting the next one would leave someone short.
        next_in_line = left_out[0]
        assert all((c.min_lot, c.producer_id) < (next_in_line.min_lot, next_in_line.producer_id) for c in admitted)
        trial = water_fill_by_units(quantity, admitted + [next_in_line])
        assert any(trial[c.producer_id] < c.min_lot for c in admitted + [next_in_line])


def test_fair_gives_the_same_to_everyone_uncapped_and_spare_units_to_the_smaller_ids():
    result = allocate(11, [Candidate("c", 10), Candidate("a", 10), Candidate("b", 2), Candidate("d", 10)], "fair")
    assert result.quotas == {"a": 3, "b": 2, "c": 3, "d": 3}
    assert allocate(10, [Candidate("b", 10), Candidate("a", 10), Candidate("c", 10)], "fair").quotas == {
        "a": 4,
        "b": 3,
        "c": 3,
    }


def test_fair_admits_the_easiest_lots_first():
    # Both at 5 would leave "big" under its lot of 6: it is not admitted, "easy" takes what it can.
    result = allocate(10, [Candidate("easy", 8), Candidate("big", 10, min_lot=6)], "fair")
    assert result.quotas == {"easy": 8}
    assert result.shortfall == 2


# --- eligibility ----------------------------------------------------------------------------------------------------


def test_eligibility_keeps_approved_timely_good_enough_producers_who_did_not_decline():
    pool = [
        Candidate("ok", 5, lead_time_days=10, pass_rate=0.9),
        Candidate("late", 5, lead_time_days=15, pass_rate=0.9),
        Candidate("sloppy", 5, lead_time_days=3, pass_rate=0.7),
        Candidate("unapproved", 5, approved=False),
        Candidate("declined", 5),
        Candidate("on_the_line", 5, lead_time_days=12, pass_rate=0.8),
    ]
    kept = eligible(pool, lead_time_limit_days=12, min_pass_rate=0.8, excluded_producer_ids={"declined"})
    assert [c.producer_id for c in kept] == ["ok", "on_the_line"]
    assert [c.producer_id for c in eligible(pool)] == ["ok", "late", "sloppy", "declined", "on_the_line"]
