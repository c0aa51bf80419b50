"""Quotas a co-operative would accept: the smallest worthwhile quota, top-ups before new producers, fairness over
time. Properties over any candidates, and a simulation of many small lines."""

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from services.aggregation.allocation import Candidate
from services.aggregation.planning import Standing, plan_line, plan_reallocation, priority_order

candidates_strategy = st.lists(st.tuples(st.integers(0, 60), st.integers(1, 8)), max_size=10).map(
    lambda rows: [Candidate(f"p{i:02d}", capacity, lot) for i, (capacity, lot) in enumerate(rows)]
)
standing_strategy = st.dictionaries(
    st.sampled_from([f"p{i:02d}" for i in range(10)]),
    st.builds(Standing, st.integers(0, 200), st.integers(0, 200)),
    max_size=10,
)


def assert_worthwhile(quotas, quantity, candidates, min_quota):
    """Each quota within capacity and at least the producer's lot; at most one below the smallest worthwhile quota,
    and only when it is the whole remainder of the line."""
    by_id = {c.producer_id: c for c in candidates}
    assert sum(quotas.values()) <= quantity
    for producer_id, units in quotas.items():
        assert by_id[producer_id].min_lot <= units <= by_id[producer_id].capacity
    small = [p for p, units in quotas.items() if units < min_quota]
    assert len(small) <= 1
    for producer_id in small:
        assert quantity - (sum(quotas.values()) - quotas[producer_id]) < min_quota


@settings(max_examples=400, deadline=None)
@given(
    quantity=st.integers(0, 200),
    candidates=candidates_strategy,
    min_quota=st.integers(1, 12),
    policy=st.sampled_from(["proportional", "fair"]),
    standing=standing_strategy,
    seed=st.integers(0, 99),
)
def test_a_new_line_gets_no_crumbs_and_the_same_answer_in_any_order(
    quantity, candidates, min_quota, policy, standing, seed
):
    quotas = plan_line(quantity, candidates, min_quota=min_quota, policy=policy, standing=standing)
    assert_worthwhile(quotas, quantity, candidates, min_quota)
    shuffled = list(candidates)
    random.Random(seed).shuffle(shuffled)
    assert plan_line(quantity, shuffled, min_quota=min_quota, policy=policy, standing=standing) == quotas


@settings(max_examples=400, deadline=None)
@given(
    units=st.integers(0, 200),
    working=candidates_strategy,
    newcomers=candidates_strategy,
    min_quota=st.integers(1, 12),
    standing=standing_strategy,
)
def test_reallocation_tops_up_first_then_asks_as_few_new_producers_as_capacity_allows(
    units, working, newcomers, min_quota, standing
):
    newcomers = [Candidate("n" + c.producer_id, c.capacity, c.min_lot) for c in newcomers]
    top_ups, new_quotas = plan_reallocation(units, working, newcomers, min_quota=min_quota, standing=standing)
    assert set(top_ups) <= {c.producer_id for c in working}
    assert set(new_quotas) <= {c.producer_id for c in newcomers}
    assert sum(top_ups.values()) + sum(new_quotas.values()) <= units
    room = {c.producer_id: c.capacity for c in working}
    assert all(0 < added <= room[p] for p, added in top_ups.items())
    if new_quotas:
        assert sum(top_ups.values()) == sum(room.values()), "a new producer was asked while others had room"
    left = units - sum(top_ups.values())
    assert_worthwhile(new_quotas, left, newcomers, min_quota)
    if any(c.min_lot <= left <= c.capacity for c in newcomers) and left:
        assert list(new_quotas.values()) == [left], "one producer could make it all"


def test_a_remainder_below_the_smallest_worthwhile_quota_goes_to_one_producer():
    candidates = [Candidate(f"p{i}", 50) for i in range(6)]
    assert plan_line(4, candidates, min_quota=5) == {"p0": 4}
    quotas = plan_line(23, candidates, min_quota=5)
    assert sum(quotas.values()) == 23
    assert min(quotas.values()) >= 5 and len(quotas) == 4


def test_a_line_everybody_can_share_is_still_split_in_proportion_to_capacity():
    candidates = [Candidate("a", 100), Candidate("b", 50), Candidate("c", 50)]
    assert plan_line(100, candidates, min_quota=5) == {"a": 50, "b": 25, "c": 25}


def test_the_least_loaded_producers_come_first_and_those_who_declared_nothing_last():
    standing = {
        "a": Standing(offered=30, declared=100),
        "b": Standing(offered=0, declared=10),
        "c": Standing(offered=10, declared=100),
        "d": Standing(offered=0, declared=0),
    }
    assert priority_order(["d", "c", "b", "a"], standing) == ["b", "c", "a", "d"]


def test_many_small_lines_spread_over_time_in_proportion_to_capacity():
    """Forty lines of 20 units over ten producers of equal capacity, at least 8 a quota: each line reaches two
    producers, and without the window's standing the same two would win every time."""
    candidates = [Candidate(f"p{i}", 100) for i in range(10)]
    offered = {c.producer_id: 0 for c in candidates}
    for _ in range(40):
        standing = {p: Standing(offered=units, declared=100) for p, units in offered.items()}
        for producer_id, units in plan_line(20, candidates, min_quota=8, standing=standing).items():
            offered[producer_id] += units
    assert sum(offered.values()) == 800
    assert max(offered.values()) - min(offered.values()) <= 10, offered
    without_history = plan_line(20, candidates, min_quota=8)
    assert len(without_history) == 2


class Line:
    """One line's quotas as aggregation keeps them, driven by `planning` alone: offers, answers, lapses and replaced
    lots, each giving units back to be reallocated."""

    def __init__(self, quantity, candidates, min_quota):
        self.quantity, self.min_quota = quantity, min_quota
        self.free = {c.producer_id: c.capacity for c in candidates}
        self.lots = {c.producer_id: c.min_lot for c in candidates}
        self.quotas = {}  # producer -> [units, status]; one quota per producer and line
        self.turned_down = set()
        first = plan_line(quantity, candidates, min_quota=min_quota)
        assert_worthwhile(first, quantity, candidates, min_quota)
        self.offer(first)

    def offer(self, planned):
        for producer_id, units in planned.items():
            assert producer_id not in self.quotas, "a producer was offered a second quota for the line"
            assert units <= self.free[producer_id]
            self.quotas[producer_id] = [units, "offered"]
            self.free[producer_id] -= units

    def reallocate(self, units, excluded=()):
        candidates = [
            Candidate(p, free, self.lots[p])
            for p, free in self.free.items()
            if p not in self.turned_down and p not in excluded and free > 0
        ]
        working = [c for c in candidates if self.quotas.get(c.producer_id, [0, ""])[1] == "accepted"]
        newcomers = [c for c in candidates if c.producer_id not in self.quotas]
        top_ups, planned = plan_reallocation(units, working, newcomers, min_quota=self.min_quota)
        for producer_id, added in top_ups.items():
            assert added <= self.free[producer_id]
            self.quotas[producer_id][0] += added
            self.free[producer_id] -= added
        assert_worthwhile(planned, units - sum(top_ups.values()), newcomers, self.min_quota)
        self.offer(planned)

    def step(self, action, pick):
        chosen = sorted(
            p
            for p, (_, status) in self.quotas.items()
            if status == ("offered" if action in ("accept", "decline", "expire") else "accepted")
        )
        if not chosen:
            return
        producer_id = chosen[pick % len(chosen)]
        units = self.quotas[producer_id][0]
        if action == "accept":
            self.quotas[producer_id][1] = "accepted"
        elif action in ("decline", "expire"):
            self.quotas[producer_id][1] = action + "d"
            self.free[producer_id] += units
            self.turned_down.add(producer_id)
            self.reallocate(units)
        else:
            lot = max(1, units // 2)
            self.quotas[producer_id][0] -= lot
            self.reallocate(lot, excluded={producer_id})

    def covered(self):
        return sum(units for units, status in self.quotas.values() if status in ("offered", "accepted"))


@settings(max_examples=300, deadline=None)
@given(
    quantity=st.integers(1, 150),
    candidates=candidates_strategy,
    min_quota=st.integers(1, 10),
    steps=st.lists(
        st.tuples(st.sampled_from(["accept", "decline", "expire", "replace"]), st.integers(0, 9)), max_size=25
    ),
)
def test_any_sequence_of_declines_lapses_and_replacements_keeps_the_rules(quantity, candidates, min_quota, steps):
    line = Line(quantity, candidates, min_quota)
    for action, pick in steps:
        line.step(action, pick)
        assert line.covered() <= quantity
        assert all(free >= 0 for free in line.free.values())
