from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.aggregation import domain
from services.aggregation.domain import (
    accepted_part,
    answer_quota,
    check_lot,
    defects_by_class,
    earliest_completion,
    inspection_severity,
    lot_plans,
    respond_by,
    trim_weeks,
)
from shared.errors import Conflict, InvalidInput


def test_a_quota_is_answered_once_and_a_repeat_of_the_same_answer_changes_nothing():
    assert answer_quota("offered", "accept") is True
    assert answer_quota("accepted", "accept") is False
    assert answer_quota("declined", "decline") is False
    with pytest.raises(Conflict):
        answer_quota("declined", "accept")
    with pytest.raises(Conflict):
        answer_quota("accepted", "decline")


def test_lots_are_reported_only_against_accepted_quotas_and_never_beyond_them():
    check_lot("accepted", 20, 10, 10)
    with pytest.raises(InvalidInput):
        check_lot("accepted", 20, 10, 11)
    with pytest.raises(Conflict):
        check_lot("offered", 20, 0, 5)


def test_findings_add_up_per_defect_class_and_an_unplanned_class_is_refused():
    plans = {"major": object(), "minor": object()}
    findings = [
        {"criterion": "loose loops", "defect_class": "major", "count": 2},
        {"criterion": "frayed strap", "defect_class": "major", "count": 1},
        {"criterion": "colour off", "defect_class": "minor", "count": 4},
    ]
    assert defects_by_class(findings, plans) == {"major": 3, "minor": 4}
    assert defects_by_class([], plans) == {"major": 0, "minor": 0}
    with pytest.raises(InvalidInput):
        defects_by_class([{"criterion": "sharp edge", "defect_class": "critical", "count": 1}], plans)


@given(offered=st.integers(1, 500), min_lot=st.integers(1, 50), wanted=st.one_of(st.none(), st.integers(1, 600)))
def test_a_partial_acceptance_is_within_the_offer_and_at_least_a_minimum_lot(offered, min_lot, wanted):
    try:
        accepted = accepted_part(offered, wanted, min_lot)
    except InvalidInput:
        assert wanted > offered or wanted < min(min_lot, offered)
        return
    assert accepted == (offered if wanted is None else wanted)
    assert min(min_lot, offered) <= accepted <= offered


@given(weeks=st.dictionaries(st.dates(), st.integers(1, 50), min_size=1, max_size=8), data=st.data())
def test_trimmed_weeks_keep_the_earliest_units(weeks, data):
    total = sum(weeks.values())
    keep = data.draw(st.integers(0, total))
    kept = trim_weeks(list(weeks.items()), keep)
    assert sum(units for _, units in kept) == keep
    assert [week for week, _ in kept] == sorted(weeks)[: len(kept)]
    for week, units in kept[:-1]:
        assert units == weeks[week]


def test_the_earliest_completion_is_the_first_week_whose_running_total_covers_the_quantity():
    weeks = {date(2027, 1, 18): 30, date(2027, 1, 4): 10, date(2027, 1, 11): 0}
    assert earliest_completion(10, weeks) == date(2027, 1, 4)
    assert earliest_completion(11, weeks) == date(2027, 1, 18)
    assert earliest_completion(41, weeks) is None


def test_a_quota_moves_on_as_its_lots_are_reported_inspected_collected_and_delivered():
    lot = domain.LotState
    assert domain.quota_progress(10, []) == domain.Progress("accepted", 0)
    assert domain.quota_progress(10, [lot(4, "passed")]) == domain.Progress("in_production", 4)
    assert domain.quota_progress(10, [lot(4, "passed"), lot(6, "reported")]).status == "produced"
    assert domain.quota_progress(10, [lot(4, "passed"), lot(6, "rework")]).status == "produced"
    assert domain.quota_progress(10, [lot(4, "passed"), lot(6, "passed")]) == domain.Progress("passed", 10)
    assert domain.quota_progress(10, [lot(4, "passed", shipped=True), lot(6, "passed")]).status == "passed"
    assert domain.quota_progress(10, [lot(4, "passed", True), lot(6, "passed", True, True)]).status == "shipped"
    assert domain.quota_progress(10, [lot(4, "passed", True, True), lot(6, "passed", True, True)]) == domain.Progress(
        "delivered", 10
    )


def test_a_quota_whose_lot_was_made_again_by_others_closes_short_with_the_reason():
    lot = domain.LotState
    replaced = [lot(4, "replaced"), lot(6, "passed", True, True)]
    assert domain.quota_progress(10, replaced) == domain.Progress(
        "closed_short", 6, "4 of 10 units failed inspection and were made by others"
    )
    assert domain.quota_progress(10, [lot(4, "replaced"), lot(6, "passed")]).status == "passed"
    assert domain.quota_progress(10, [lot(10, "replaced")]).status == "closed_short"


def test_lots_are_reported_only_while_units_are_left_to_make():
    domain.check_lot("in_production", 10, 4, 6)
    for status in ("produced", "passed", "offered", "delivered"):
        with pytest.raises(Conflict):
            domain.check_lot(status, 10, 10, 1)
    with pytest.raises(InvalidInput):
        domain.check_lot("in_production", 10, 4, 7)


def test_accepting_a_quota_that_moved_on_is_a_harmless_repeat_and_declining_it_a_conflict():
    for status in ("accepted", "in_production", "passed", "delivered"):
        assert domain.answer_quota(status, "accept") is False
        with pytest.raises(Conflict):
            domain.answer_quota(status, "decline")
    assert domain.answer_quota("offered", "decline") is True


def test_a_producer_answers_within_the_response_window_but_never_after_the_order_is_due():
    offered_at = datetime(2027, 3, 1, 9, 30, tzinfo=timezone.utc)
    assert respond_by(offered_at, timedelta(hours=48), date(2027, 4, 1)) == offered_at + timedelta(hours=48)
    assert respond_by(offered_at, timedelta(hours=48), date(2027, 3, 2)) == datetime(2027, 3, 2, tzinfo=timezone.utc)


def test_a_reworked_lot_and_a_discontinued_producer_are_inspected_tightened():
    assert inspection_severity("normal", attempt=1) == "normal"
    assert inspection_severity("reduced", attempt=1) == "reduced"
    assert inspection_severity("normal", attempt=2) == "tightened"
    assert inspection_severity("reduced", attempt=3) == "tightened"
    assert inspection_severity("discontinued", attempt=1) == "tightened"


STANDARD = {"aql": {"major": "2.5", "minor": "4.0"}, "inspection_level": "II"}


def test_a_single_unit_lot_is_inspected_in_full_with_the_smallest_lots_acceptance_numbers():
    single = lot_plans(1, STANDARD, "normal")
    smallest = lot_plans(2, STANDARD, "normal")
    assert set(single) == {"major", "minor"}
    for name, plan in single.items():
        assert (plan.lot_size, plan.sample_size, plan.full_inspection) == (1, 1, True)
        assert (plan.accept, plan.reject) == (smallest[name].accept, smallest[name].reject)


def test_a_larger_lot_is_sampled_by_the_standards_tables_at_the_severity_given():
    normal, tightened = lot_plans(500, STANDARD, "normal"), lot_plans(500, STANDARD, "tightened")
    assert normal["major"].lot_size == 500 and not normal["major"].full_inspection
    assert normal["major"].sample_size < 500
    assert tightened["major"].severity == "tightened"
    assert tightened["major"].accept <= normal["major"].accept
