"""The orders' part of the dashboard's weekly trends: orders placed and their units, fill rate and on time in full,
per week over the last twelve. The database counts, grouped by week over an indexed time column: a year of orders is
never loaded to be counted.

The figures are those of the present tiles (``views.summary``, ``domain.fill_rate``, ``domain.otif``), each week
counting its share of the same orders, so the twelve weeks add up to the tile when every order falls within them:

- orders: the orders placed that week, cancelled ones included, like the tile's total; units: their units ordered,
  cancelled orders left out, like the unit pipeline's;
- fill rate: of those units, the share delivered so far (recent weeks are still being made, so they fill up later);
- on time in full: of the orders OTIF judges, the share delivered in full by their promise, each in the week its
  outcome was settled: the day it was delivered if that was by its promise, else the day after its promise (it
  turned late then, whenever it arrives). An order's week never moves, and an early delivery counts at once.
"""

from datetime import date, timezone

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from services.orders import domain
from services.orders.store import order_lines, orders, utc_day
from shared.errors import load_or_refuse
from shared.store import UnitOfWork
from shared.trend_weeks import TrendsAt, TrendWeek, by_week, day_bounds, share, time_bounds, trend_weeks, week_index


def weekly_trends(uow: UnitOfWork, organisation_id: str | None, now: str) -> list[dict]:
    """Every week's figures, oldest first; a rate is None in a week where it has nothing to measure. ``now``: the
    moment (ISO 8601 with its zone) whose week is the last."""
    moment = load_or_refuse(TrendsAt(), {"now": now}, "trends")["now"]
    weeks = trend_weeks(moment)
    mine = [orders.c.organisation_id == organisation_id] if organisation_id else []
    placed = _placed(uow.session, mine, weeks)
    settled = _settled(uow.session, mine, weeks, moment.astimezone(timezone.utc).date())
    found = {
        index: {**placed.get(index, _NOTHING_PLACED), **settled.get(index, _NOTHING_SETTLED)}
        for index in set(placed) | set(settled)
    }
    return by_week(weeks, found, {**_NOTHING_PLACED, **_NOTHING_SETTLED})


_NOTHING_PLACED = {"orders": 0, "units": 0, "fill_rate": None}
_NOTHING_SETTLED = {"orders_due": 0, "otif": None}


def _placed(session: Session, mine: list, weeks: list[TrendWeek]) -> dict:
    live = orders.c.status != "cancelled"
    each_order = (
        select(
            week_index(orders.c.placed_at, time_bounds(weeks)).label("week"),
            func.sum(case((live, order_lines.c.quantity), else_=0)).label("units"),
            func.sum(case((live, order_lines.c.delivered), else_=0)).label("delivered"),
        )
        .join(order_lines, order_lines.c.order_id == orders.c.order_id)
        .where(*mine, orders.c.placed_at >= weeks[0].begins, orders.c.placed_at < weeks[-1].ends)
        .group_by(orders.c.order_id, orders.c.placed_at, orders.c.status)
        .subquery()
    )
    totals = select(
        each_order.c.week, func.count(), func.sum(each_order.c.units), func.sum(each_order.c.delivered)
    ).group_by(each_order.c.week)
    return {
        week: {"orders": count, "units": int(units), "fill_rate": domain.fill_rate(int(units), int(delivered))}
        for week, count, units, delivered in session.execute(totals)
    }


def _settled(session: Session, mine: list, weeks: list[TrendWeek], today: date) -> dict:
    """OTIF by the week each judged order's outcome was settled (see the module's docstring)."""
    promised_on = func.coalesce(orders.c.promised_date, orders.c.due_date)
    delivered = orders.c.status == "delivered"
    delivered_on = utc_day(session, orders.c.updated_at)
    on_time = and_(delivered, delivered_on <= promised_on)
    short = orders.c.order_id.in_(select(order_lines.c.order_id).where(order_lines.c.shortfall > 0))
    judged = or_(delivered, and_(orders.c.status != "cancelled", promised_on < today))
    outcomes = (
        select(
            case(
                (on_time, week_index(delivered_on, day_bounds(weeks))),
                else_=week_index(promised_on, day_bounds(weeks, shift_days=-1)),
            ).label("week"),
            case((and_(on_time, ~short), 1), else_=0).label("hit"),
        )
        .where(
            *mine,
            judged,
            # Any order settled within the weeks was updated within them, or promised at most a day before them.
            or_(orders.c.updated_at >= weeks[0].begins, promised_on >= day_bounds(weeks, shift_days=-1)[0][0]),
        )
        .subquery()
    )
    totals = (
        select(outcomes.c.week, func.count(), func.sum(outcomes.c.hit))
        .where(outcomes.c.week.is_not(None))
        .group_by(outcomes.c.week)
    )
    return {week: {"orders_due": due, "otif": share(int(hits), due)} for week, due, hits in session.execute(totals)}
