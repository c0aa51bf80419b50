"""The twelve weeks the dashboard's trends show, and the week a time or a day falls in.

Orders and aggregation each count their own facts per week, and the gateway sets their figures side by side: both
take their weeks from here, from the same ``now``. Weeks are ISO weeks on UTC's clock, Monday 00:00 to Monday 00:00
UTC, like every other date the dashboard shows: organisations have no time zone of their own yet (in Papua New Guinea
a week thus turns on Monday at 10:00).

The database buckets its rows by comparing the time column with the weeks' boundaries computed here: that reads the
same on SQLite and PostgreSQL (whose date truncations differ), and a range of the column is what its index serves.
Where a table holds a million rows, each week is its own range and its own aggregate (``each_week``), which an index
answers without a bucket computed for every row; where an order's week depends on several columns, a CASE gives it
(``week_index``).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from marshmallow import Schema, fields
from sqlalchemy import CompoundSelect, Select, and_, case, union_all
from sqlalchemy.sql.elements import ColumnElement

from shared.weeks import iso_week, monday_of

TREND_WEEKS = 12


@dataclass(frozen=True)
class TrendWeek:
    """One week of a trend, from its Monday."""

    monday: date

    @property
    def label(self) -> str:
        return iso_week(self.monday)

    @property
    def begins(self) -> datetime:
        return datetime.combine(self.monday, time.min, tzinfo=timezone.utc)

    @property
    def ends(self) -> datetime:
        return self.begins + timedelta(weeks=1)


def trend_weeks(now: datetime, count: int = TREND_WEEKS) -> list[TrendWeek]:
    """The ``count`` weeks that end with the one ``now`` is in (the current week included), oldest first."""
    if now.tzinfo is None:
        raise ValueError(f"naive datetime {now!r}: times are timezone-aware")
    this_week = monday_of(now.astimezone(timezone.utc).date())
    return [TrendWeek(this_week - timedelta(weeks=count - 1 - back)) for back in range(count)]


def time_bounds(weeks: list[TrendWeek]) -> list[tuple[datetime, datetime]]:
    """Each week as ``[begins, ends)`` instants, for a time column."""
    return [(week.begins, week.ends) for week in weeks]


def day_bounds(weeks: list[TrendWeek], shift_days: int = 0) -> list[tuple[date, date]]:
    """Each week as ``[monday, next monday)`` days, for a date column; ``shift_days`` moves every bound, so a column
    one day before the day that counts (a promise, whose day after is when an order turns late) is bucketed by that
    day without date arithmetic in SQL."""
    shift = timedelta(days=shift_days)
    return [(week.monday + shift, week.monday + timedelta(weeks=1) + shift) for week in weeks]


def week_index(column, bounds: list[tuple]) -> ColumnElement:
    """SQL: the position of the bound ``[start, end)`` that ``column`` falls in; NULL when it falls in none."""
    return case(*((and_(column >= start, column < end), index) for index, (start, end) in enumerate(bounds)))


def each_week(bounds: list[tuple], aggregate: Callable[[int, object, object], Select]) -> CompoundSelect:
    """SQL: one row per week. ``aggregate(position, start, end)`` selects the week's position and its aggregates over
    the rows from ``start`` to ``end``, without GROUP BY, so that a week with no row answers too (a count of 0)."""
    return union_all(*(aggregate(index, start, end) for index, (start, end) in enumerate(bounds)))


def by_week(weeks: list[TrendWeek], found: dict, nothing: dict) -> list[dict]:
    """One entry per week, oldest first: its Monday, its ISO label and the figures ``found`` for its position, or
    ``nothing`` (the figures of a week where nothing happened) when the database had no row for it."""
    return [
        {"week_start": week.monday.isoformat(), "week": week.label, **found.get(index, nothing)}
        for index, week in enumerate(weeks)
    ]


def share(part: int, whole: int) -> float | None:
    """``part / whole`` to four places, as the dashboard's present rates are; None when there is nothing to measure,
    so a chart shows a gap and not a fall to 0 %."""
    return round(part / whole, 4) if whole else None


class TrendsAt(Schema):
    """What the trends' RPCs take: the moment whose week is the last one (the gateway's, so both services agree)."""

    now = fields.AwareDateTime(required=True)
