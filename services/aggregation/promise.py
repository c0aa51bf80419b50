"""The delivery promise an order is placed with: when the producers' free weeks can make every line, plus transit."""

from datetime import date, datetime, timezone

from services.aggregation import capacity, domain, settings
from services.aggregation.schemas import PromiseInput
from shared.errors import load_or_refuse
from shared.store import UnitOfWork
from shared.weeks import ready_on

# Built once: a marshmallow schema costs more to build than to use, and keeps nothing between loads.
_PROMISE_INPUT = PromiseInput(many=True)


def delivery_promise(uow: UnitOfWork, lines: list) -> str | None:
    """The earliest delivery the calendars allow for all lines: each line's units made in the earliest weeks,
    then consolidation and transit. None when the calendars cannot make some line at all."""
    today = datetime.now(timezone.utc).date()
    ready = []
    for line in load_or_refuse(_PROMISE_INPUT, lines, "lines"):
        free_by_week: dict[date, int] = {}
        for weeks in capacity.free_weeks(uow.session, line["offering_id"], today, date.max).values():
            for week_start, free, _ in weeks:
                free_by_week[week_start] = free_by_week.get(week_start, 0) + free
        week = domain.earliest_completion(line["quantity"], free_by_week)
        if week is None:
            return None
        ready.append(ready_on(week))
    return (max(ready) + settings.load().transit_time).isoformat()
