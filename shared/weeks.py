"""ISO weeks of a capacity calendar, and when a week's units can still be ordered.

Producers plan by the week: "40 baskets in week 48". A week's units are ready by its Sunday. A producer with a lead
time of L days must be asked at least L days before that Sunday, so a week can still take an order until
``order_by = sunday - L``. Catalogue and aggregation both reason with these rules, so they live in the contract.
"""

import re
from datetime import date, timedelta

from marshmallow import ValidationError, fields

_ISO_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_start(iso_week: str) -> date:
    """``"2026-W48"`` to the Monday that starts it; ValueError for anything that is not a real ISO week."""
    match = _ISO_WEEK.match(iso_week)
    if not match:
        raise ValueError(f"{iso_week!r} is not an ISO week such as 2026-W48")
    year, week = int(match.group(1)), int(match.group(2))
    try:
        return date.fromisocalendar(year, week, 1)
    except ValueError:
        raise ValueError(f"{iso_week!r}: {year} has no week {week}") from None


def iso_week(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def ready_on(monday: date) -> date:
    """The Sunday by which a week's units are made."""
    return monday + timedelta(days=6)


def order_by(monday: date, lead_time_days: int) -> date:
    """The last day an order can still use this week's units."""
    return ready_on(monday) - timedelta(days=lead_time_days)


def usable(monday: date, lead_time_days: int, ordered_on: date, needed_by: date) -> bool:
    """Whether units of this week, ordered on ``ordered_on``, are made in time for ``needed_by``."""
    return order_by(monday, lead_time_days) >= ordered_on and ready_on(monday) <= needed_by


class IsoWeek(fields.String):
    """An input field: ``"2026-W48"`` loads as the Monday that starts the week."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return week_start(super()._deserialize(value, attr, data, **kwargs))
        except ValueError as error:
            raise ValidationError(str(error)) from None
