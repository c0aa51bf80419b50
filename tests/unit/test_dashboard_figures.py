"""The dashboard's pure computations: OTIF, fill rate, ages of open offers and shares, and the weeks of both
services' trends side by side."""

from datetime import date, datetime, timedelta, timezone

import pytest

from services.aggregation.domain import quota_ages, share
from services.gateway.routes_dashboard import side_by_side
from services.orders.domain import OrderOutcome, fill_rate, otif

TODAY = date(2026, 6, 10)


def test_otif_counts_orders_delivered_in_full_by_their_promise_over_the_orders_that_are_due():
    outcomes = [
        OrderOutcome(promised_on=date(2026, 6, 1), delivered_on=date(2026, 5, 30), status="delivered"),  # hit
        OrderOutcome(promised_on=date(2026, 6, 1), delivered_on=date(2026, 6, 1), status="delivered"),  # hit: on day
        OrderOutcome(promised_on=date(2026, 6, 1), delivered_on=date(2026, 6, 2), status="delivered"),  # late
        OrderOutcome(promised_on=date(2026, 6, 5), delivered_on=None, status="shipped"),  # due, not in full
        OrderOutcome(promised_on=date(2026, 7, 1), delivered_on=None, status="in_production"),  # not yet due
        OrderOutcome(promised_on=date(2026, 6, 1), delivered_on=None, status="cancelled"),  # never counts
    ]
    assert otif(outcomes, TODAY) == {"due": 4, "on_time_in_full": 2, "rate": 0.5}


def test_an_order_delivered_early_counts_before_its_promise_is_due():
    early = OrderOutcome(promised_on=date(2026, 7, 1), delivered_on=date(2026, 6, 9), status="delivered")
    assert otif([early], TODAY) == {"due": 1, "on_time_in_full": 1, "rate": 1.0}


def test_otif_has_no_rate_while_no_order_is_due():
    pending = OrderOutcome(promised_on=date(2026, 7, 1), delivered_on=None, status="placed")
    assert otif([pending], TODAY) == {"due": 0, "on_time_in_full": 0, "rate": None}


def test_fill_rate_is_delivered_over_ordered_and_none_without_orders():
    assert fill_rate(300, 120) == 0.4
    assert fill_rate(3, 1) == 0.3333
    assert fill_rate(0, 0) is None


def test_open_offers_fall_into_the_age_bucket_of_their_wait():
    now = datetime(2026, 6, 10, 12, tzinfo=timezone.utc)
    waited = [
        timedelta(hours=1),
        timedelta(hours=23, minutes=59),
        timedelta(hours=24),
        timedelta(days=3),
        timedelta(days=6, hours=23),
        timedelta(days=7),
        timedelta(days=40),
    ]
    assert quota_ages([now - w for w in waited], now) == {"under_1d": 2, "1d_to_3d": 1, "3d_to_7d": 2, "over_7d": 2}
    assert quota_ages([], now) == {"under_1d": 0, "1d_to_3d": 0, "3d_to_7d": 0, "over_7d": 0}


def test_a_share_of_nothing_is_unknown_not_zero():
    assert share(1, 4) == 0.25
    assert share(0, 4) == 0.0
    assert share(0, 0) is None


def test_each_week_of_orders_and_of_aggregation_is_one_entry_of_the_trends():
    orders = [
        {"week_start": "2026-03-02", "week": "2026-W10", "orders": 2},
        {"week_start": "2026-03-09", "week": "2026-W11", "orders": 0},
    ]
    quality = [
        {"week_start": "2026-03-02", "week": "2026-W10", "lots_inspected": 5},
        {"week_start": "2026-03-09", "week": "2026-W11", "lots_inspected": 1},
    ]
    assert side_by_side(orders, quality) == [
        {"week_start": "2026-03-02", "week": "2026-W10", "orders": 2, "lots_inspected": 5},
        {"week_start": "2026-03-09", "week": "2026-W11", "orders": 0, "lots_inspected": 1},
    ]
    with pytest.raises(ValueError, match="different weeks"):
        side_by_side(orders, quality[1:])
