"""The rules of a producer's money, without a database: balances derived from the journal, advances capped and
recovered, payments settling earnings once."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.settlement import domain

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100000"), places=2)
entries = st.lists(st.builds(domain.Entry, st.sampled_from(domain.KINDS), amounts), max_size=60)


@given(entries)
def test_a_balance_is_earned_plus_written_off_less_advanced_and_paid(journal):
    totals = domain.totals(journal)
    assert totals.balance == sum((domain.balance_effect(entry) for entry in journal), Decimal(0))
    assert totals.balance == totals.earned + totals.written_off - totals.advanced - totals.paid


def test_a_failed_payment_counts_as_paid_until_it_is_reversed():
    sent = [domain.Entry(domain.EARNING, Decimal(100)), domain.Entry(domain.PAYOUT_SENT, Decimal(100))]
    assert domain.totals(sent).balance == 0
    assert domain.totals([*sent, domain.Entry(domain.PAYOUT_REVERSED, Decimal(100))]).balance == 100
    assert domain.totals([*sent, domain.Entry(domain.PAYOUT_CONFIRMED, Decimal(100))]).balance == 0


def test_a_lot_earns_to_the_minor_unit_of_its_currency():
    assert domain.lot_earning(3, Decimal("33.335"), "PGK") == Decimal("100.01")
    assert domain.lot_earning(3, Decimal("333.5"), "JPY") == Decimal("1001")


def test_an_advance_fits_in_what_is_left_of_the_cap():
    assert domain.advance_room(Decimal("240"), Decimal("0.5"), Decimal("0"), "PGK") == Decimal("120.00")
    assert domain.advance_room(Decimal("240"), Decimal("0.5"), Decimal("100"), "PGK") == Decimal("20.00")
    assert domain.advance_room(Decimal("240"), Decimal("0.5"), Decimal("130"), "PGK") == 0


owed_lists = st.lists(st.builds(domain.Owed, st.uuids().map(str), amounts), max_size=8)


@given(amounts, owed_lists, owed_lists)
def test_recoveries_take_the_quotas_own_advances_first_and_never_more_than_earned(earned, own, closed):
    recovered = domain.recoveries(earned, own, closed)
    total = sum((item.amount for item in recovered), Decimal(0))
    owed = {item.advance_id: item.amount for item in [*own, *closed]}
    assert total == min(earned, sum((item.amount for item in [*own, *closed]), Decimal(0)))
    assert all(0 < item.amount <= owed[item.advance_id] for item in recovered)
    own_ids = {item.advance_id for item in own}
    from_own = sum((item.amount for item in recovered if item.advance_id in own_ids), Decimal(0))
    assert from_own == min(earned, sum((item.amount for item in own), Decimal(0)))


@given(
    amounts,
    st.lists(st.builds(domain.Unsettled, st.integers(1, 10**6), amounts), max_size=10, unique_by=lambda u: u.entry_id),
)
def test_a_payment_settles_each_earning_at_most_once_and_never_beyond_its_amount(amount, unsettled):
    parts = domain.settle(amount, unsettled)
    left = {earning.entry_id: earning.amount for earning in unsettled}
    assert len({part.entry_id for part in parts}) == len(parts)
    assert all(0 < part.amount <= left[part.entry_id] for part in parts)
    assert sum((part.amount for part in parts), Decimal(0)) == min(amount, sum(left.values(), Decimal(0)))


def test_a_batch_pays_positive_balances_not_already_in_flight():
    balances = {"a": Decimal(10), "b": Decimal(0), "c": Decimal(-5), "d": Decimal(7)}
    assert domain.payout_amounts(balances, in_flight={"d"}) == {"a": Decimal(10)}
    assert domain.payout_amounts(balances, in_flight=set(), chosen={"d"}) == {"d": Decimal(7)}


def test_four_eyes_and_the_life_of_a_line():
    with pytest.raises(domain.RuleBroken, match="cannot approve"):
        domain.may_approve("anna", "anna")
    domain.may_approve("anna", "ben")
    assert domain.move_line("failed", "sending") == "sending"
    with pytest.raises(domain.RuleBroken):
        domain.move_line("confirmed", "sending")


def test_only_the_organisations_staff_handle_its_money():
    assert domain.may_handle("*", "org_a") and domain.may_handle("org_a", "org_a")
    assert not domain.may_handle("org_b", "org_a") and not domain.may_handle(None, "org_a")
