"""ISO 2859-1:1999 clause 9: switching between normal, tightened and reduced inspection, and discontinuation."""

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.aggregation.quality import decide_lot, inspection_plans
from services.aggregation.quality_switching import DISCONTINUED, LotResult, SwitchingState, record, resume
from services.aggregation.sampling_tables import NORMAL, REDUCED, TIGHTENED

STEADY = {"production_steady": True, "reduced_approved": True}
UNAPPROVED = {"production_steady": True, "reduced_approved": False}


def run(outcomes, state=None, flags=STEADY, points=2):
    """Records one lot per outcome ('A' accepted, 'R' not accepted) on whatever severity is then in effect."""
    state = state or SwitchingState()
    for accepted in outcomes:
        ok = accepted == "A"
        lot = LotResult(f"lot-{len(state.history) + 1}", state.severity, ok, points if ok else 0)
        state = record(state, lot, **flags)
    return state


def severities_after(state):
    return [line.severity_after for line in state.history]


def test_inspection_starts_on_normal_with_a_zero_score():
    state = SwitchingState()
    assert (state.severity, state.switching_score, state.history) == (NORMAL, 0, ())


def test_two_rejections_within_five_lots_tighten_inspection():
    state = run("RAAAR")
    assert severities_after(state) == [NORMAL] * 4 + [TIGHTENED]
    assert state.history[-1].reason == "2 of the last 5 or fewer lots on normal inspection not accepted"
    assert run("RR").severity == TIGHTENED


def test_two_rejections_six_lots_apart_do_not():
    assert run("RAAAAR").severity == NORMAL


def test_five_accepted_lots_in_a_row_on_tightened_restore_normal_with_fresh_counters():
    tightened = run("RR")
    state = run("AAAARAAAA", tightened)
    assert state.severity == TIGHTENED and state.accepted_in_a_row_on_tightened == 4
    state = run("A", state)
    assert state.severity == NORMAL
    assert (state.switching_score, state.recent_on_normal) == (0, ())
    assert run("R", state).severity == NORMAL


def test_five_rejections_on_tightened_discontinue_inspection_until_it_is_resumed():
    state = run("RARARARAR", run("RR"))
    assert state.severity == DISCONTINUED
    assert state.history[-1].reason == "5 lots not accepted on tightened inspection"
    with pytest.raises(ValueError, match="discontinued"):
        record(state, LotResult("late", TIGHTENED, True), **STEADY)
    resumed = resume(state)
    assert (resumed.severity, resumed.not_accepted_on_tightened, resumed.history) == (TIGHTENED, 0, state.history)
    assert run("RRRR", resumed).severity == TIGHTENED
    with pytest.raises(ValueError, match="only discontinued"):
        resume(resumed)


def test_a_score_of_30_switches_to_reduced_only_with_steady_production_and_approval():
    state = run("A" * 10, points=3)
    assert state.severity == REDUCED
    last = state.history[-1]
    assert (last.severity_before, last.severity_after, last.switching_score) == (NORMAL, REDUCED, 30)
    assert run("A" * 15).severity == REDUCED
    assert run("A" * 14).severity == NORMAL

    waiting = run("A" * 20, points=3, flags=UNAPPROVED)
    assert (waiting.severity, waiting.switching_score) == (NORMAL, 60)
    unsteady = run("A" * 20, points=3, flags={"production_steady": False, "reduced_approved": True})
    assert unsteady.severity == NORMAL
    assert run("A", waiting, points=3).severity == REDUCED


def test_an_accepted_lot_that_would_fail_one_step_tighter_resets_the_score():
    state = run("A" * 9, points=3)
    assert state.switching_score == 27
    state = record(state, LotResult("marginal", NORMAL, True, 0), **STEADY)
    assert (state.severity, state.switching_score) == (NORMAL, 0)
    assert run("R", run("A" * 9, points=3)).switching_score == 0


@pytest.mark.parametrize(
    "outcome, flags, reason",
    [
        ("R", STEADY, "a lot not accepted on reduced inspection"),
        ("A", {"production_steady": False, "reduced_approved": True}, "production irregular or delayed"),
        ("A", UNAPPROVED, "the responsible authority reinstated normal inspection"),
    ],
)
def test_reduced_inspection_returns_to_normal(outcome, flags, reason):
    reduced = run("A" * 10, points=3)
    assert run("AAA", reduced).severity == REDUCED
    state = run(outcome, reduced, flags=flags)
    assert (state.severity, state.switching_score, state.history[-1].reason) == (NORMAL, 0, reason)


def test_a_lot_must_be_inspected_on_the_severity_in_effect_and_recorded_once():
    state = run("A")
    with pytest.raises(ValueError, match="tightened inspection but normal inspection is in effect"):
        record(state, LotResult("lot-2", TIGHTENED, True), **STEADY)
    with pytest.raises(ValueError, match="already recorded"):
        record(state, LotResult("lot-1", NORMAL, True), **STEADY)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"switching_points": 1}, "0, 2 or 3"),
        ({"accepted": False, "switching_points": 2}, "earns no points"),
        ({"lot_id": ""}, "needs its id"),
        ({"severity": DISCONTINUED}, "is inspected on one of normal, tightened, reduced"),
    ],
)
def test_a_lot_result_that_cannot_happen_is_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        LotResult(**({"lot_id": "lot-1", "severity": NORMAL, "accepted": True, "switching_points": 2} | kwargs))


def test_recording_never_changes_the_state_it_was_given():
    before = run("AR")
    snapshot = dataclasses.replace(before)
    after = record(before, LotResult("lot-3", NORMAL, True, 2), **STEADY)
    assert before == snapshot and len(before.history) == 2 and len(after.history) == 3
    with pytest.raises(dataclasses.FrozenInstanceError):
        before.severity = TIGHTENED


def test_a_lot_decision_feeds_the_switching_rules():
    plans = inspection_plans(1000, {"major": 2.5, "minor": 4.0})
    decision = decide_lot(plans, {"major": 2, "minor": 3})
    state = record(SwitchingState(), decision.lot_result("L-7"), **STEADY)
    assert (state.history[0].lot_id, state.history[0].accepted, state.switching_score) == ("L-7", True, 3)
    rejected = decide_lot(plans, {"major": 6, "minor": 0}).lot_result("L-8")
    assert (rejected.accepted, rejected.switching_points) == (False, 0)


def resimulate(steps):
    """Clause 9 read literally, lot by lot, as a person with a notebook would apply it."""
    severity, score, normal_run, tightened_run, after = NORMAL, 0, [], [], []
    for accepted, points, steady, approved in steps:
        if severity == DISCONTINUED:
            severity, tightened_run = TIGHTENED, []
        before = severity
        if severity == NORMAL:
            normal_run.append(accepted)
            score = score + points if accepted and points else 0
            if normal_run[-5:].count(False) >= 2:
                severity = TIGHTENED
            elif score >= 30 and steady and approved:
                severity = REDUCED
        elif severity == TIGHTENED:
            tightened_run.append(accepted)
            if tightened_run[-5:] == [True] * 5:
                severity = NORMAL
            elif tightened_run.count(False) == 5:
                severity = DISCONTINUED
        elif not (accepted and steady and approved):
            severity = NORMAL
        if severity != before:
            score, normal_run, tightened_run = 0, [], []
        after.append(severity)
    return after


@st.composite
def lot_sequences(draw):
    """Producers differ: some rarely fail and earn reduced inspection, some often do and get discontinued. A plan with
    Ac 0 or 1 earns 2 points a lot; one with Ac >= 2 earns 3, or nothing when the lot was marginal."""
    failure, marginal, unsteady, unapproved = (
        draw(st.sampled_from(percents)) for percents in ([0, 3, 20, 50], [0, 10], [0, 5, 40], [0, 5, 40])
    )
    small_acceptance_number = draw(st.booleans())
    rolls = draw(st.lists(st.tuples(*[st.integers(0, 99)] * 4), min_size=1, max_size=70))
    steps = []
    for failed, was_marginal, irregular, withdrawn in rolls:
        accepted = failed >= failure
        points = 0 if not accepted else 2 if small_acceptance_number else 3 if was_marginal >= marginal else 0
        steps.append((accepted, points, irregular >= unsteady, withdrawn >= unapproved))
    return steps


def replay(steps):
    state = SwitchingState()
    for number, (accepted, points, steady, approved) in enumerate(steps, 1):
        if state.severity == DISCONTINUED:
            state = resume(state)
        lot = LotResult(f"lot-{number}", state.severity, accepted, points)
        state = record(state, lot, production_steady=steady, reduced_approved=approved)
    return state


@settings(max_examples=300, deadline=None)
@given(steps=lot_sequences())
def test_the_severity_always_agrees_with_a_literal_reading_of_clause_9(steps):
    state = replay(steps)
    assert severities_after(state) == resimulate(steps)
    assert [line.lot_id for line in state.history] == [f"lot-{n}" for n in range(1, len(steps) + 1)]


@settings(max_examples=300, deadline=None)
@given(steps=lot_sequences())
def test_invariants_of_the_switching_history(steps):
    history = replay(steps).history
    for previous, line in zip(history, history[1:]):
        expected_before = TIGHTENED if previous.severity_after == DISCONTINUED else previous.severity_after
        assert line.severity_before == expected_before
    normal_run = []
    for line, (accepted, _, steady, approved) in zip(history, steps):
        assert line.switching_score >= 0
        if line.severity_after == REDUCED:
            assert steady and approved, "reduced inspection without steady production and approval"
            if line.severity_before == NORMAL:
                assert line.switching_score >= 30
        if line.severity_before != NORMAL:
            normal_run = []
            assert line.switching_score == 0
            continue
        normal_run.append(accepted)
        if normal_run[-5:].count(False) >= 2:
            assert line.severity_after == TIGHTENED, "2 rejections in 5 lots on normal must tighten"
        else:
            assert line.severity_after in (NORMAL, REDUCED)
        if line.severity_after != NORMAL:
            normal_run = []
    assert sum(line.severity_after == DISCONTINUED for line in history) <= sum(not s[0] for s in steps) // 5
