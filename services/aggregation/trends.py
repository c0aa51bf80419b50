"""Aggregation's part of the dashboard's weekly trends: first-time QC pass rate and days from offer to acceptance,
per week over the last twelve. The database counts, grouped by week over an indexed time column: a year of lots and
quotas is never loaded to be counted.

- first-time pass rate: of the lots whose first inspection was that week, the share that passed it; the present
  per-producer rates (``views.fulfilment_figures``) count the same first inspections over all time;
- days to accept: over the quotas a producer accepted that week (her answer, even if the order was cancelled since),
  the mean number of days from the offer to her answer. The mean, not the median: an acceptance comes within the
  response window (48 hours by default), so no long tail can drag it, and a few producers answering slower move it
  where a median would hide them; it is also a plain average on both databases.
"""

from sqlalchemy import Select, case, func, literal, select
from sqlalchemy.orm import Session

from services.aggregation import domain
from services.aggregation.store import inspections, offerings, quotas
from shared.errors import load_or_refuse
from shared.store import UnitOfWork, is_postgres
from shared.trend_weeks import TrendsAt, TrendWeek, by_week, each_week, time_bounds, trend_weeks

# Answered, but not by accepting.
_NOT_ACCEPTED = (domain.QUOTA_DECLINED, domain.QUOTA_EXPIRED)


def weekly_trends(uow: UnitOfWork, organisation_id: str | None, now: str) -> list[dict]:
    """Every week's figures, oldest first; a rate is None in a week where it has nothing to measure. ``now``: the
    moment (ISO 8601 with its zone) whose week is the last."""
    weeks = trend_weeks(load_or_refuse(TrendsAt(), {"now": now}, "trends")["now"])
    inspected = _first_inspections(uow.session, organisation_id, weeks)
    accepted = _acceptances(uow.session, organisation_id, weeks)
    return by_week(weeks, {index: {**inspected[index], **accepted[index]} for index in inspected}, {})


def _of_organisation(column, organisation_id: str | None) -> list:
    if not organisation_id:
        return []
    return [column.in_(select(offerings.c.offering_id).where(offerings.c.organisation_id == organisation_id))]


def _first_inspections(session: Session, organisation_id: str | None, weeks: list[TrendWeek]) -> dict:
    column = inspections.c.inspected_at

    def week(index: int, start, end) -> Select:
        return select(
            literal(index), func.count(), func.coalesce(func.sum(case((inspections.c.passed, 1), else_=0)), 0)
        ).where(
            inspections.c.attempt == 1,
            column >= start,
            column < end,
            *_of_organisation(inspections.c.offering_id, organisation_id),
        )

    return {
        index: {"lots_inspected": lots, "first_time_pass_rate": domain.share(int(passed), lots)}
        for index, lots, passed in session.execute(each_week(time_bounds(weeks), week))
    }


def _acceptances(session: Session, organisation_id: str | None, weeks: list[TrendWeek]) -> dict:
    column = quotas.c.answered_at

    def week(index: int, start, end) -> Select:
        return select(
            literal(index), func.count(), func.avg(_days_between(session, quotas.c.offered_at, column))
        ).where(
            column >= start,
            column < end,
            quotas.c.status.not_in(_NOT_ACCEPTED),
            *_of_organisation(quotas.c.offering_id, organisation_id),
        )

    return {
        index: {"quotas_accepted": count, "days_to_accept": None if days is None else round(float(days), 1)}
        for index, count, days in session.execute(each_week(time_bounds(weeks), week))
    }


def _days_between(session: Session, start, end):
    """SQL: the days, with their fraction, from one timestamp to another."""
    if is_postgres(session.get_bind()):
        return func.extract("epoch", end - start) / 86400
    return func.julianday(end) - func.julianday(start)
