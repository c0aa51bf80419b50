"""The weeks of the dashboard's trends: which twelve, where each begins and ends, and the gaps of weeks with nothing
to measure. Plain Python."""

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.trend_weeks import TREND_WEEKS, by_week, day_bounds, share, time_bounds, trend_weeks


def test_the_last_of_the_twelve_weeks_is_the_current_one_and_they_cross_a_new_year():
    weeks = trend_weeks(datetime(2026, 1, 1, 8, tzinfo=timezone.utc))  # a Thursday of 2026-W01
    assert [week.label for week in weeks] == [f"2025-W{n}" for n in range(42, 53)] + ["2026-W01"]
    assert weeks[-1].monday == date(2025, 12, 29)
    assert weeks[0].begins == datetime(2025, 10, 13, tzinfo=timezone.utc)


def test_weeks_follow_utc_whatever_the_zone_of_now():
    """Monday 08:00 in Port Moresby is still Sunday in UTC: the week is the one ending."""
    weeks = trend_weeks(datetime(2026, 3, 9, 8, tzinfo=ZoneInfo("Pacific/Port_Moresby")))
    assert weeks[-1].monday == date(2026, 3, 2)


def test_a_moment_without_its_zone_has_no_week():
    with pytest.raises(ValueError, match="naive"):
        trend_weeks(datetime(2026, 3, 9, 8))


@given(st.datetimes(min_value=datetime(2001, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.timezones()))
def test_twelve_consecutive_weeks_whose_last_holds_now(now):
    weeks = trend_weeks(now)
    assert len(weeks) == TREND_WEEKS == 12
    assert all(week.monday.weekday() == 0 for week in weeks)
    assert all(later.begins == earlier.ends for earlier, later in zip(weeks, weeks[1:])), "no gap, no overlap"
    assert weeks[-1].begins <= now < weeks[-1].ends
    assert len({week.label for week in weeks}) == 12


def test_bounds_of_times_and_of_days_and_a_day_shifted_back():
    weeks = trend_weeks(datetime(2026, 3, 11, tzinfo=timezone.utc))[-2:]
    assert time_bounds(weeks) == [
        (datetime(2026, 3, 2, tzinfo=timezone.utc), datetime(2026, 3, 9, tzinfo=timezone.utc)),
        (datetime(2026, 3, 9, tzinfo=timezone.utc), datetime(2026, 3, 16, tzinfo=timezone.utc)),
    ]
    assert day_bounds(weeks) == [(date(2026, 3, 2), date(2026, 3, 9)), (date(2026, 3, 9), date(2026, 3, 16))]
    # A promise of Sunday 8 March turns late on Monday 9th: the shifted bounds put it in the week of the 9th.
    shifted = day_bounds(weeks, shift_days=-1)
    assert shifted[1][0] <= date(2026, 3, 8) < shifted[1][1]
    assert shifted[0][0] == date(2026, 3, 1) and shifted[0][1] - shifted[0][0] == timedelta(weeks=1)


def test_a_week_without_a_row_gets_the_figures_of_nothing():
    weeks = trend_weeks(datetime(2026, 3, 11, tzinfo=timezone.utc))
    found = {11: {"orders": 2, "fill_rate": 0.5}, 0: {"orders": 1, "fill_rate": 1.0}}
    entries = by_week(weeks, found, {"orders": 0, "fill_rate": None})
    assert entries[0] == {"week_start": "2025-12-22", "week": "2025-W52", "orders": 1, "fill_rate": 1.0}
    assert entries[5] == {"week_start": "2026-01-26", "week": "2026-W05", "orders": 0, "fill_rate": None}
    assert entries[11] == {"week_start": "2026-03-09", "week": "2026-W11", "orders": 2, "fill_rate": 0.5}


def test_a_rate_of_nothing_is_a_gap_not_zero():
    assert share(2, 3) == 0.6667
    assert share(0, 3) == 0.0
    assert share(0, 0) is None
