"""How many units each producer can still make of an offering by a date: capacity profiles (each producer and
offering's weeks as cumulative free units) and the queries that read them in the database."""

from datetime import date, datetime, timezone
from itertools import accumulate

from sqlalchemy import case, func, literal, select
from sqlalchemy.orm import Session

from services.catalogue import domain
from services.catalogue.store import ArrayElement, approvals, capacity_profiles, capacity_weeks
from shared.store import upsert


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _today() -> date:
    return _now().date()


EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def _clamped(expression, upper):
    return case((expression < 0, 0), (expression > upper, upper), else_=expression)


def _free_units(needed_by: date):
    """Units a producer can still make of an offering by ``needed_by``, ordering today, from its profile.

    The weeks that count are those made by ``needed_by`` (``made``: the first k weeks) less those whose order-by
    day has passed (``closed``: the first j weeks): ``cumulative_free[k] - cumulative_free[j]``, at most 0 when
    k <= j (the cumulative sums never fall). Reading the array is most of the cost."""
    profile = capacity_profiles.c
    since_first = literal(needed_by.toordinal() - EPOCH_ORDINAL - 6) - profile.first_day
    made = _clamped(case((since_first < 0, 0), else_=since_first // 7 + 1), profile.weeks)
    overdue = literal(_today().toordinal() - EPOCH_ORDINAL - 6) + profile.lead_time_days - profile.first_day
    closed = _clamped(case((overdue <= 0, 0), else_=(overdue + 6) // 7), profile.weeks)
    return ArrayElement(profile.cumulative_free, made) - ArrayElement(profile.cumulative_free, closed)


def available_by_producer(session: Session, offering_id: str, needed_by: date, producer_ids=None) -> dict:
    """Units each approved producer can still make of the offering by ``needed_by``, ordering today."""
    profile = capacity_profiles.c
    query = select(profile.producer_id, _free_units(needed_by)).where(
        profile.offering_id == offering_id, profile.approved
    )
    if producer_ids is not None:
        query = query.where(profile.producer_id.in_(producer_ids))
    return {producer_id: int(units) for producer_id, units in session.execute(query) if units > 0}


def most_available(session: Session, offering_id: str, needed_by: date, limit: int) -> tuple[list, int, int]:
    """The ``limit`` producers with most units by ``needed_by`` (ties by id), the units of all of them and how many
    can contribute: ranked in the database, so that only the first few travel."""
    profile = capacity_profiles.c
    able = (
        select(profile.producer_id, _free_units(needed_by).label("free"))
        .where(profile.offering_id == offering_id, profile.approved)
        .cte("able")
        .prefix_with("MATERIALIZED")
    )
    rows = session.execute(
        select(able.c.producer_id, able.c.free, func.sum(able.c.free).over(), func.count().over())
        .where(able.c.free > 0)
        .order_by(able.c.free.desc(), able.c.producer_id)
        .limit(limit)
    ).all()
    if not rows:
        return [], 0, 0
    return [(producer_id, int(free)) for producer_id, free, _, _ in rows], int(rows[0][2]), int(rows[0][3])


def refresh_profiles(session: Session, pairs) -> None:
    """Rebuild the profile of each (producer, offering) from its weeks, its approval and its lead time."""
    for producer_id, offering_id in sorted(set(pairs)):
        weeks = session.execute(
            select(capacity_weeks)
            .where(capacity_weeks.c.producer_id == producer_id, capacity_weeks.c.offering_id == offering_id)
            .order_by(capacity_weeks.c.week_start)
        ).all()
        key = {"producer_id": producer_id, "offering_id": offering_id}
        if not weeks:
            session.execute(
                capacity_profiles.delete().where(
                    capacity_profiles.c.producer_id == producer_id, capacity_profiles.c.offering_id == offering_id
                )
            )
            continue
        first = weeks[0].week_start
        free = [0] * ((weeks[-1].week_start - first).days // 7 + 1)
        for week in weeks:
            free[(week.week_start - first).days // 7] = max(0, week.units - week.committed)
        approved = session.execute(
            select(approvals.c.status).where(
                approvals.c.producer_id == producer_id, approvals.c.offering_id == offering_id
            )
        ).scalar()
        upsert(
            session,
            capacity_profiles,
            key,
            {
                "approved": domain.approved(approved or ""),
                "lead_time_days": weeks[-1].lead_time_days,
                "first_day": first.toordinal() - EPOCH_ORDINAL,
                "weeks": len(free),
                "cumulative_free": list(accumulate(free, initial=0)),
            },
        )
