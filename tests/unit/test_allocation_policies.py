"""The fair and least-cost policies, eligibility, and many lines at once, each against an independent solution."""
import random
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ortools.linear_solver import pywraplp

from services.aggregation.allocation import BatchLine, Candidate, allocate, allocate_batch, eligible, expected_cost

PASS_RATES = [1.0, 0.95, 0.9, 0.8, 0.5, 0.0]


def rows_to_candidates(rows):
    return [Candidate(f"p{i}", capacity, lot, Decimal(cents) / 100, rate)
            for i, (capacity, lot, cents, rate) in enumerate(rows)]


# Prices in cents; the few round ones make equal costs per good unit common (2.00 at 1.0 is 1.00 at 0.5).
small_candidates = st.lists(
    st.tuples(st.integers(0, 12), st.integers(1, 6), st.sampled_from([0, 100, 150, 200]) | st.integers(0, 900),
              st.sampled_from(PASS_RATES)),
    max_size=6).map(rows_to_candidates)


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
    lambda rows: [Candidate(f"p{i:02d}", capacity, lot) for i, (capacity, lot) in enumerate(rows)])


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
    left_out = sorted((c for c in candidates if c.producer_id not in quotas and c.capacity >= c.min_lot),
                      key=lambda c: (c.min_lot, c.producer_id))
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
        "a": 4, "b": 3, "c": 3}


def test_fair_admits_the_easiest_lots_first():
    # Both at 5 would leave "big" under its lot of 6: it is not admitted, "easy" takes what it can.
    result = allocate(10, [Candidate("easy", 8), Candidate("big", 10, min_lot=6)], "fair")
    assert result.quotas == {"easy": 8}
    assert result.shortfall == 2


# --- least cost -----------------------------------------------------------------------------------------------------

def usable_by_id(candidates):
    return sorted((c for c in candidates if c.capacity >= c.min_lot), key=lambda c: c.producer_id)


def exact_cheapest(quantity, candidates):
    """Dynamic programme over producers and totals, in exact fractions: the largest total, then the fewest units
    from producers expected to pass nothing, then the least cost per good unit, then the least sum of units times
    the producer's rank in id order. Returns (total, objective)."""
    best = {0: (0, Fraction(0), 0)}
    for rank, c in enumerate(usable_by_id(candidates)):
        per_unit = Fraction(c.unit_cost) / Fraction(repr(c.pass_rate)) if c.pass_rate else None
        grown = dict(best)
        for total, (blind, cost, ranked) in best.items():
            for units in range(c.min_lot, min(c.capacity, quantity - total) + 1):
                option = ((blind + units, cost, ranked + rank * units) if per_unit is None
                          else (blind, cost + units * per_unit, ranked + rank * units))
                if total + units not in grown or option < grown[total + units]:
                    grown[total + units] = option
        best = grown
    total = max(best)
    return total, best[total]


def objective(quotas, candidates):
    rank = {c.producer_id: k for k, c in enumerate(usable_by_id(candidates))}
    by_id = {c.producer_id: c for c in candidates}
    blind = sum(u for pid, u in quotas.items() if by_id[pid].pass_rate == 0)
    cost = sum(u * Fraction(by_id[pid].unit_cost) / Fraction(repr(by_id[pid].pass_rate))
               for pid, u in quotas.items() if by_id[pid].pass_rate)
    return blind, cost, sum(rank[pid] * u for pid, u in quotas.items())


@settings(max_examples=250, deadline=None)
@given(quantity=st.integers(0, 40), candidates=small_candidates)
def test_cost_is_the_exact_optimum_of_the_largest_total_ties_by_id(quantity, candidates):
    result = allocate(quantity, candidates, "cost")
    total, best = exact_cheapest(quantity, candidates)
    assert result.proven_optimal
    assert result.allocated == total
    assert objective(result.quotas, candidates) == best
    if best[0] == 0:
        assert expected_cost(result.quotas, candidates) == round(Decimal(best[1].numerator) / best[1].denominator, 6)


def test_without_minimum_lots_the_cheapest_good_units_come_first_ties_by_id():
    # 1.00 per good unit for a, b and c alike; d costs nothing.
    candidates = [Candidate("c", 10, unit_cost=Decimal("1.00")),
                  Candidate("b", 10, unit_cost=Decimal("0.90"), pass_rate=0.9),
                  Candidate("a", 10, unit_cost=Decimal("0.95"), pass_rate=0.95),
                  Candidate("d", 10)]
    result = allocate(25, candidates, "cost")
    assert result.quotas == {"d": 10, "a": 10, "b": 5}
    assert expected_cost(result.quotas, candidates) == Decimal("15.000000")


def test_a_partial_producer_below_its_lot_is_lifted_at_the_least_cost():
    # The greedy fill would give "dear" 2 units, under its lot of 5: the optimum takes 5 from each.
    candidates = [Candidate("cheap", 8, unit_cost=Decimal(1)), Candidate("dear", 10, 5, unit_cost=Decimal(2))]
    result = allocate(10, candidates, "cost")
    assert result.quotas == {"cheap": 5, "dear": 5}
    assert result.proven_optimal and result.cost_bound is None


def test_equally_cheap_allocations_put_the_units_at_the_smallest_ids():
    twins = [Candidate(pid, 5, 5, Decimal(3)) for pid in ("b", "a")] + [Candidate("c", 2, 1, Decimal(3))]
    # Greedy by cost then id gives a 5 and b 2, under b's lot: the solver decides, and a wins the tie with b.
    assert allocate(7, twins, "cost").quotas == {"a": 5, "c": 2}
    assert allocate(7, twins + [Candidate("0", 7, 4, Decimal(3))], "cost").quotas == {"0": 7}


def test_a_producer_whose_lot_exceeds_the_quantity_takes_no_part():
    candidates = [Candidate("a", 10, 8, Decimal(0)), Candidate("b", 4, 3, Decimal(1)), Candidate("c", 4, 3, Decimal(2))]
    assert allocate(6, candidates, "cost").quotas == {"b": 3, "c": 3}
    assert allocate(7, candidates, "cost").quotas == {"b": 4, "c": 3}


def test_the_largest_total_is_exact_when_lots_make_totals_unreachable():
    # All-or-nothing producers of 5, 6 and 7 units: 13 is reachable (6 + 7) though the smallest lots reach only 11.
    candidates = [Candidate("a", 5, 5), Candidate("b", 6, 6), Candidate("c", 7, 7)]
    assert allocate(13, candidates, "cost").quotas == {"b": 6, "c": 7}
    assert allocate(4, candidates, "cost").quotas == {}
    assert allocate(10, candidates, "cost").allocated == 7


def test_producers_expected_to_pass_nothing_are_used_only_when_the_total_needs_them():
    candidates = [Candidate("blind", 10, unit_cost=Decimal(0), pass_rate=0.0),
                  Candidate("good", 6, unit_cost=Decimal(5))]
    assert allocate(5, candidates, "cost").quotas == {"good": 5}
    result = allocate(10, candidates, "cost")
    assert result.quotas == {"blind": 4, "good": 6}
    assert expected_cost(result.quotas, candidates) == Decimal("Infinity")


def test_past_the_time_limit_the_best_allocation_found_comes_with_a_proven_bound():
    candidates = [Candidate("cheap", 8, unit_cost=Decimal(1)), Candidate("dear", 10, 5, unit_cost=Decimal(2))]
    result = allocate(10, candidates, "cost", time_limit_seconds=0)
    assert not result.proven_optimal
    assert result.quotas == {"cheap": 5, "dear": 5}
    assert result.cost_bound == Decimal(12) < expected_cost(result.quotas, candidates) == Decimal(15)


def test_the_cost_policy_refuses_numbers_it_cannot_weigh_exactly():
    with pytest.raises(ValueError):
        allocate(2 ** 62, [Candidate("a", 2 ** 63)], "cost")
    with pytest.raises(ValueError):
        allocate(10 ** 6, [Candidate("a", 10 ** 7, unit_cost=Decimal("1e300"))], "cost")


def scip_cheapest(quantity, candidates, scale):
    """The same problem as one SCIP model per step (largest total, then least cost), without the reductions the
    policy makes before calling CP-SAT; costs per good unit times `scale` must be whole numbers."""
    solver = pywraplp.Solver.CreateSolver("SCIP")
    units, used = [], []
    for k, c in enumerate(candidates):
        units.append(solver.IntVar(0, c.capacity, f"x{k}"))
        used.append(solver.BoolVar(f"y{k}"))
        solver.Add(units[-1] >= c.min_lot * used[-1])
        solver.Add(units[-1] <= c.capacity * used[-1])
    solver.Add(solver.Sum(units) <= quantity)
    solver.Maximize(solver.Sum(units))
    assert solver.Solve() == pywraplp.Solver.OPTIMAL
    total = round(solver.Objective().Value())
    solver.Add(solver.Sum(units) == total)
    weights = [int(c.cost_per_good_unit * scale) for c in candidates]
    assert all(w == c.cost_per_good_unit * scale for w, c in zip(weights, candidates))
    solver.Minimize(solver.Sum([w * x for w, x in zip(weights, units)]))
    assert solver.Solve() == pywraplp.Solver.OPTIMAL
    return total, Fraction(round(solver.Objective().Value()), scale)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_cost_matches_a_mip_solver_on_a_line_of_hundreds_of_producers(seed):
    rng = random.Random(seed)
    candidates = []
    for i in range(300):
        capacity = rng.randint(20, 60)
        candidates.append(Candidate(f"p{i:03d}", capacity, rng.choice((1, capacity // 2, capacity)),
                                    Decimal(rng.randint(1000, 1030)) / 100, rng.choice((1.0, 0.5))))
    quantity = sum(c.capacity for c in candidates) // 3 + 1
    result = allocate(quantity, candidates, "cost")
    assert result.proven_optimal
    assert (result.allocated, objective(result.quotas, candidates)[1]) == scip_cheapest(quantity, candidates, 100)


# --- eligibility ----------------------------------------------------------------------------------------------------

def test_eligibility_keeps_approved_timely_good_enough_producers_who_did_not_decline():
    pool = [Candidate("ok", 5, lead_time_days=10, pass_rate=0.9),
            Candidate("late", 5, lead_time_days=15, pass_rate=0.9),
            Candidate("sloppy", 5, lead_time_days=3, pass_rate=0.7),
            Candidate("unapproved", 5, approved=False),
            Candidate("declined", 5),
            Candidate("on_the_line", 5, lead_time_days=12, pass_rate=0.8)]
    kept = eligible(pool, lead_time_limit_days=12, min_pass_rate=0.8, excluded_producer_ids={"declined"})
    assert [c.producer_id for c in kept] == ["ok", "on_the_line"]
    assert [c.producer_id for c in eligible(pool)] == ["ok", "late", "sloppy", "declined", "on_the_line"]


# --- many lines at once ---------------------------------------------------------------------------------------------

batch_inputs = st.tuples(
    st.lists(st.integers(0, 15), min_size=1, max_size=5),
    st.lists(st.tuples(st.integers(0, 20), st.lists(st.tuples(st.integers(0, 4), st.integers(0, 500)),
                                                    max_size=5)), min_size=1, max_size=5),
    st.lists(st.integers(1, 6), min_size=5, max_size=5))


def build_batch(inputs):
    capacities_list, line_rows, lot_list = inputs
    capacities = {f"p{k}": units for k, units in enumerate(capacities_list)}
    lines = [BatchLine(f"l{k}", quantity, {f"p{j}": Decimal(cents) / 100 for j, cents in offers})
             for k, (quantity, offers) in enumerate(line_rows)]
    lots = {f"p{k}": lot for k, lot in enumerate(lot_list)}
    return lines, capacities, lots


def lp_batch(lines, capacities):
    """Transportation LP in GLOP: the most units, then the least cost for that many."""
    solver = pywraplp.Solver.CreateSolver("GLOP")
    pairs = {(line.line_id, p): solver.NumVar(0, solver.infinity(), f"{line.line_id}-{p}")
             for line in lines for p in line.unit_costs if capacities.get(p, 0) > 0}
    for line in lines:
        solver.Add(solver.Sum([x for (line_id, _), x in pairs.items() if line_id == line.line_id] or [0])
                   <= line.quantity)
    for producer, units in capacities.items():
        solver.Add(solver.Sum([x for (_, p), x in pairs.items() if p == producer] or [0]) <= units)
    solver.Maximize(solver.Sum(list(pairs.values()) or [0]))
    assert solver.Solve() == pywraplp.Solver.OPTIMAL
    total = round(solver.Objective().Value())
    solver.Add(solver.Sum(list(pairs.values()) or [0]) == total)
    by_id = {line.line_id: line for line in lines}
    solver.Minimize(solver.Sum([float(by_id[line_id].unit_costs[p]) * x for (line_id, p), x in pairs.items()]
                               or [0]))
    assert solver.Solve() == pywraplp.Solver.OPTIMAL
    return total, solver.Objective().Value()


def check_batch_rules(result, lines, capacities, lots):
    used = {}
    for line in lines:
        allocation = result.lines[line.line_id]
        assert allocation.quantity == line.quantity and allocation.allocated <= line.quantity
        for p, units in allocation.quotas.items():
            assert p in line.unit_costs and units >= lots.get(p, 1)
            used[p] = used.get(p, 0) + units
    assert all(units <= capacities[p] for p, units in used.items())
    assert result.cost == sum((units * line.unit_costs[p] for line in lines
                               for p, units in result.lines[line.line_id].quotas.items()), Decimal(0))


@settings(max_examples=100, deadline=None)
@given(inputs=batch_inputs)
def test_the_batch_flow_matches_the_transportation_lp(inputs):
    lines, capacities, _ = build_batch(inputs)
    result = allocate_batch(lines, capacities)
    check_batch_rules(result, lines, capacities, {})
    total, cost = lp_batch(lines, capacities)
    assert result.allocated == total
    assert float(result.cost) == pytest.approx(cost, abs=1e-6)
    assert allocate_batch(list(reversed(lines)), dict(reversed(capacities.items()))) == result


@settings(max_examples=100, deadline=None)
@given(inputs=batch_inputs)
def test_the_batch_keeps_every_rule_with_minimum_lots(inputs):
    lines, capacities, lots = build_batch(inputs)
    result = allocate_batch(lines, capacities, min_lots=lots)
    check_batch_rules(result, lines, capacities, lots)
    assert result.allocated <= allocate_batch(lines, capacities).allocated


def test_lines_compete_for_the_cheap_producer_and_the_flow_places_every_unit():
    lines = [BatchLine("l1", 10, {"cheap": Decimal(1), "dear": Decimal(3)}),
             BatchLine("l2", 10, {"cheap": Decimal(1)})]
    result = allocate_batch(lines, {"cheap": 12, "dear": 10})
    # l2 can only use "cheap", so l1 takes the rest of "cheap" and goes to "dear" for the remainder.
    assert result.lines["l2"].quotas == {"cheap": 10}
    assert result.lines["l1"].quotas == {"cheap": 2, "dear": 8}
    assert result.allocated == 20 and result.cost == Decimal(36)


def test_a_quota_below_the_lot_is_lifted_to_the_lot_when_there_is_room_and_forbidden_otherwise():
    lines = [BatchLine("l1", 7, {"a": Decimal(1), "b": Decimal(2)})]
    # The flow gives a 5 and b 2, under b's lot of 4: b is lifted to 4 and the line solved again around it.
    assert allocate_batch(lines, {"a": 5, "b": 10}, min_lots={"b": 4}).lines["l1"].quotas == {"a": 3, "b": 4}
    # Here b has only 3 units left after l0, not a whole lot for l1: the pair is forbidden.
    lines.append(BatchLine("l0", 7, {"b": Decimal(1)}))
    result = allocate_batch(lines, {"a": 5, "b": 10}, min_lots={"b": 4})
    assert result.lines["l0"].quotas == {"b": 7}
    assert result.lines["l1"].quotas == {"a": 5} and result.lines["l1"].shortfall == 2


def test_impossible_batches_are_refused():
    with pytest.raises(ValueError):
        allocate_batch([BatchLine("l1", 1, {}), BatchLine("l1", 2, {})], {})
    with pytest.raises(ValueError):
        BatchLine("l1", -1, {})
    with pytest.raises(ValueError):
        allocate_batch([BatchLine("l1", 10 ** 6, {"a": Decimal("1e20")})], {"a": 10 ** 6})
