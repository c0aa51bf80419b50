from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.orders.domain import (
    LEDGER_STAGES,
    MAX_RATE,
    ONE_ORGANISATION,
    LineLedger,
    OfferingTerms,
    OrderOutcome,
    RecordedRate,
    accept_order,
    body_fingerprint,
    converted_prices,
    derive_status,
    ledger_movements,
    order_organisation,
    order_total,
    otif,
    plain,
    rate_on,
    rate_period_problem,
    rate_problem,
)
from shared.errors import InvalidInput, NotFound
from shared.money import is_in_minor_units, minor_unit


def test_status_follows_the_furthest_stage_reached():
    line = LineLedger(ordered=10)
    assert derive_status([line]) == "placed"
    line.add("allocated", 10)
    assert derive_status([line]) == "allocated"
    line.add("accepted", 4)
    assert derive_status([line]) == "in_production"
    line.add("shipped", 4)
    assert derive_status([line]) == "shipped"
    line.add("delivered", 10)
    assert derive_status([line]) == "delivered"


def test_an_order_is_delivered_only_when_every_line_is_delivered_in_full():
    done, short = LineLedger(ordered=5, delivered=5, shipped=5), LineLedger(ordered=5, delivered=4, shipped=4)
    assert derive_status([done, short]) == "shipped"


def test_an_order_short_of_capacity_is_delivered_once_everything_else_arrives():
    done = LineLedger(ordered=5, delivered=5, shipped=5)
    assert derive_status([done, LineLedger(ordered=5, delivered=4, shipped=4, short=1)]) == "delivered"
    assert derive_status([done, LineLedger(ordered=5, delivered=3, shipped=4, short=1)]) == "shipped"


def test_a_decline_can_take_allocation_back_but_never_below_zero():
    line = LineLedger(ordered=10, allocated=6)
    line.add("allocated", -6)
    assert line.allocated == 0
    with pytest.raises(ValueError):
        line.add("allocated", -1)
    with pytest.raises(ValueError):
        line.add("teleported", 1)


@given(st.lists(st.tuples(st.sampled_from(LEDGER_STAGES), st.integers(1, 100)), max_size=50))
def test_the_ledger_is_the_sum_of_its_movements_whatever_their_order(movements):
    forward, backward = LineLedger(ordered=1), LineLedger(ordered=1)
    for stage, units in movements:
        forward.add(stage, units)
    for stage, units in reversed(movements):
        backward.add(stage, units)
    assert forward == backward
    for stage in LEDGER_STAGES:
        assert getattr(forward, stage) == sum(units for s, units in movements if s == stage)


def test_order_total_is_exact_decimal():
    assert order_total([(3, Decimal("0.10")), (1, Decimal("38.50"))]) == Decimal("38.80")


def test_each_fact_moves_its_own_stage_of_the_ledger():
    line = {"order_id": "o", "line_id": "l", "quantity": 7}
    assert ledger_movements("quota.offered", line) == [("o", "l", "allocated", 7)]
    assert ledger_movements("quota.declined", line) == [("o", "l", "allocated", -7)]
    assert ledger_movements("quota.expired", line) == [("o", "l", "allocated", -7)]
    assert ledger_movements("quota.accepted", {**line, "declined_quantity": 0}) == [
        ("o", "l", "accepted", 7),
        ("o", "l", "allocated", 0),
    ]
    assert ledger_movements("quota.accepted", {**line, "declined_quantity": 3}) == [
        ("o", "l", "accepted", 7),
        ("o", "l", "allocated", -3),
    ]
    assert ledger_movements("quota.released", {**line, "status_before": "offered"}) == [("o", "l", "allocated", -7)]
    assert ledger_movements("quota.released", {**line, "status_before": "accepted"}) == [
        ("o", "l", "allocated", -7),
        ("o", "l", "accepted", -7),
    ]
    assert ledger_movements("lot.reported", line) == [("o", "l", "produced", 7)]
    assert ledger_movements("lot.replaced", line) == [
        ("o", "l", "allocated", -7),
        ("o", "l", "accepted", -7),
        ("o", "l", "produced", -7),
    ]
    assert ledger_movements("lot.inspected", {**line, "passed": True}) == [("o", "l", "passed", 7)]
    assert ledger_movements("lot.inspected", {**line, "passed": False}) == []


def test_a_shipment_counts_as_shipped_when_it_leaves_and_delivered_when_it_arrives():
    lots = [{"order_id": "o1", "line_id": "a", "quantity": 3}, {"order_id": "o2", "line_id": "b", "quantity": 4}]
    leaving = {"status": "in_transit", "lots": lots}
    assert ledger_movements("shipment.status_changed", leaving) == [
        ("o1", "a", "shipped", 3),
        ("o2", "b", "shipped", 4),
    ]
    assert ledger_movements("shipment.status_changed", {**leaving, "status": "planned"}) == []
    assert ledger_movements("shipment.delivered", {"lots": lots}) == [
        ("o1", "a", "delivered", 3),
        ("o2", "b", "delivered", 4),
    ]
    with pytest.raises(ValueError):
        ledger_movements("order.placed", {})


def test_an_order_goes_to_the_one_organisation_of_its_lines():
    assert order_organisation(["highland-weavers"]) == ("highland-weavers", {})
    assert order_organisation(["highland-weavers"] * 3) == ("highland-weavers", {})


def test_lines_of_another_organisation_than_the_first_line_are_named():
    organisation, errors = order_organisation(
        ["highland-weavers", "coastal-carvers", "highland-weavers", "sepik-carvers"]
    )
    assert organisation is None
    assert set(errors) == {"1", "3"}
    assert all(ONE_ORGANISATION in message for field in errors.values() for message in field["sku"])
    with pytest.raises(ValueError):
        order_organisation([])


def test_a_retry_is_the_same_body_whatever_the_order_of_its_keys():
    body = {"lines": [{"sku": "BLM-L", "quantity": 5}], "due_date": "2027-03-01", "buyer": {"name": "Kiriko"}}
    again = {"buyer": {"name": "Kiriko"}, "due_date": "2027-03-01", "lines": [{"quantity": 5, "sku": "BLM-L"}]}
    assert body_fingerprint(body) == body_fingerprint(again)
    assert body_fingerprint(body) != body_fingerprint({**body, "lines": [{"sku": "BLM-L", "quantity": 6}]})


TODAY = date(2026, 12, 1)
DUE = TODAY + timedelta(days=10)
TERMS = {
    "TEA": OfferingTerms("org_a", min_order=5, currency="USD"),
    "RICE": OfferingTerms("org_a", min_order=1, currency="USD"),
    "SAGO": OfferingTerms("org_b", min_order=1, currency="USD"),
    "KINA": OfferingTerms("org_a", min_order=1, currency="PGK"),
}


def _lines(*skus, quantity=5):
    return [{"sku": sku, "quantity": quantity} for sku in skus]


def _refusal(lines, due_date=DUE, scoped=False):
    with pytest.raises((InvalidInput, NotFound)) as refused:
        accept_order(lines, due_date, TODAY, TERMS, scoped)
    return refused.value


def test_an_order_that_keeps_every_rule_goes_to_its_offerings_organisation_in_their_currency():
    accepted = accept_order(_lines("TEA", "RICE"), DUE, TODAY, TERMS)
    assert (accepted.organisation_id, accepted.currency) == ("org_a", "USD")


def test_an_order_is_due_after_today():
    assert "due_date" in _refusal(_lines("TEA"), due_date=TODAY).fields


def test_each_sku_is_ordered_once():
    assert "each sku once per order: TEA" in str(_refusal(_lines("TEA", "RICE", "TEA")).fields)


def test_an_unknown_sku_is_a_field_error_but_not_found_for_an_aggregator_ordering_its_own():
    assert isinstance(_refusal(_lines("TEA", "NOPE")), InvalidInput)
    assert isinstance(_refusal(_lines("TEA", "NOPE"), scoped=True), NotFound)


def test_an_order_goes_to_one_organisation_in_one_currency_and_at_least_each_minimum():
    assert ONE_ORGANISATION in str(_refusal(_lines("TEA", "SAGO")))
    assert "one currency" in str(_refusal(_lines("TEA", "KINA")).fields)
    assert "minimum order of TEA is 5" in str(_refusal(_lines("TEA", quantity=4)).fields)


def test_a_converted_price_is_rounded_half_up_to_the_minor_unit_of_the_orders_currency():
    assert converted_prices([Decimal("38.50"), Decimal("24.99")], Decimal("155.32"), "JPY") == [
        Decimal("5980"),
        Decimal("3881"),
    ]
    assert converted_prices([Decimal("2.50")], Decimal("1.0125"), "EUR") == [Decimal("2.53")]
    assert converted_prices([Decimal("38.50")], Decimal("0.3075"), "KWD") == [Decimal("11.839")]
    assert converted_prices([Decimal("0.01")], Decimal("50"), "JPY") == [Decimal("1")]


def test_a_converted_price_too_large_to_pay_is_refused_on_the_currency():
    with pytest.raises(InvalidInput) as refused:
        converted_prices([Decimal("999999999")], MAX_RATE, "IDR")
    assert "currency" in refused.value.fields


NOON = datetime(2026, 12, 1, 12, tzinfo=timezone.utc)


def _recorded(rate_id, rate, first, last, minutes_later=0):
    return RecordedRate(rate_id, Decimal(rate), first, last, NOON + timedelta(minutes=minutes_later))


def test_the_latest_recording_covering_a_day_wins_and_earlier_ones_keep_the_other_days():
    week = _recorded("fx_week", "150", TODAY - timedelta(days=3), TODAY + timedelta(days=3))
    correction = _recorded("fx_fix", "155.32", TODAY, TODAY, minutes_later=5)
    stale = _recorded("fx_old", "140", TODAY, TODAY, minutes_later=-60)
    assert rate_on([correction, week, stale], TODAY) == correction
    assert rate_on([correction, week, stale], TODAY + timedelta(days=1)) == week
    assert rate_on([week], TODAY + timedelta(days=3)) == week
    assert rate_on([week, correction], TODAY + timedelta(days=4)) is None
    assert rate_on([], TODAY) is None


@given(st.permutations(range(5)))
def test_which_rate_wins_does_not_depend_on_the_order_the_recordings_are_read_in(order):
    recordings = [
        _recorded(f"fx_{n}", str(150 + n), TODAY, TODAY + timedelta(days=n), minutes_later=n) for n in range(5)
    ]
    assert rate_on([recordings[n] for n in order], TODAY).rate_id == "fx_4"
    assert rate_on([recordings[n] for n in order], TODAY + timedelta(days=2)).rate_id == "fx_4"


def test_a_rate_covers_forward_days_a_year_at_most_both_ends_included():
    assert rate_period_problem(TODAY, TODAY) is None
    assert rate_period_problem(date(2028, 1, 1), date(2028, 12, 31)) is None
    assert "on or after" in rate_period_problem(TODAY, TODAY - timedelta(days=1))
    assert "366 days" in rate_period_problem(TODAY, TODAY + timedelta(days=366))
    assert rate_period_problem(TODAY, TODAY + timedelta(days=365)) is None


def test_a_rate_is_positive_bounded_and_has_at_most_eight_decimals():
    assert rate_problem(Decimal("155.32")) is None and rate_problem(Decimal("0.00000001")) is None
    assert rate_problem(Decimal("1.100000000")) is None
    assert "8 decimals" in rate_problem(Decimal("0.000000001"))
    assert "more than 0" in rate_problem(Decimal("0")) and "more than 0" in rate_problem(MAX_RATE + 1)
    assert "more than 0" in rate_problem(Decimal("1E+999999"))


def test_a_rate_is_shown_as_written():
    assert [str(plain(Decimal(text))) for text in ("155.32000000", "100.00000000", "0.00640000")] == [
        "155.32",
        "100",
        "0.0064",
    ]


@given(
    st.lists(
        st.tuples(st.integers(1, 10_000), st.decimals(min_value="0.01", max_value="100000", places=2)),
        min_size=1,
        max_size=20,
    ),
    st.decimals(min_value="0.00000001", max_value="1000", places=8),
    st.sampled_from(["JPY", "USD", "EUR", "KWD", "CLF", "PGK"]),
)
def test_converted_lines_are_payable_and_the_total_is_their_sum(lines, rate, currency):
    prices = converted_prices([price for _, price in lines], rate, currency)
    amounts = [quantity * price for (quantity, _), price in zip(lines, prices)]
    total = order_total([(quantity, price) for (quantity, _), price in zip(lines, prices)])
    assert total == sum(amounts) and is_in_minor_units(total, currency)
    for (_, price), converted in zip(lines, prices):
        assert is_in_minor_units(converted, currency)
        assert abs(converted - price * rate) <= minor_unit(currency) / 2


def test_an_order_delivered_short_of_capacity_is_on_time_but_not_in_full():
    day = date(2026, 11, 2)
    outcomes = [OrderOutcome(day, day, "delivered"), OrderOutcome(day, day, "delivered", short=True)]
    assert otif(outcomes, day)["on_time_in_full"] == 1
