import pytest

from services.aggregation.domain import answer_quota, check_lot, inspection_verdict
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


def test_a_lot_passes_when_defects_do_not_exceed_the_acceptance_number():
    assert inspection_verdict(100, 13, 1, 1).passed
    assert not inspection_verdict(100, 13, 2, 1).passed


@pytest.mark.parametrize("args", [(10, 13, 0, 1), (100, 13, 14, 1), (100, 5, 0, 5)])
def test_impossible_inspections_are_refused(args):
    with pytest.raises(InvalidInput):
        inspection_verdict(*args)
