"""Producers' capacity calendars as allocation uses them: the offering locks, the weeks still free, the units
open quotas and top-ups hold, and the facts every quota event carries."""

from datetime import date

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from services.aggregation import domain
from services.aggregation.store import approved_producers, capacity_weeks, offerings, quota_weeks
from shared.errors import NotYetKnown
from shared.events import Event, new_event
from shared.weeks import usable


class OfferingUnknown(NotYetKnown):
    """An order arrived before the offering it needs: the message waits for the catalogue's event."""


def lock_offerings(session: Session, offering_ids) -> None:
    """Lock in a fixed order so that two orders touching the same offerings cannot deadlock."""
    for offering_id in sorted(set(offering_ids)):
        found = session.execute(
            select(offerings.c.offering_id).where(offerings.c.offering_id == offering_id).with_for_update()
        ).scalar()
        if found is None:
            raise OfferingUnknown(f"offering {offering_id} is not known here yet")


def free_weeks(session: Session, offering_id: str, ordered_on: date, needed_by: date) -> dict:
    """Per approved producer, the weeks still free that can be made in time: ``{producer: [(week, free, min_lot)]}``.

    Open quotas (offered or accepted) hold their weeks (``held``), so two orders never promise the same units
    twice."""
    rows = session.execute(
        select(capacity_weeks)
        .join(
            approved_producers,
            (approved_producers.c.producer_id == capacity_weeks.c.producer_id)
            & (approved_producers.c.offering_id == capacity_weeks.c.offering_id),
        )
        .where(capacity_weeks.c.offering_id == offering_id, capacity_weeks.c.units > capacity_weeks.c.held)
        .order_by(capacity_weeks.c.producer_id, capacity_weeks.c.week_start)
    ).all()
    weeks = {}
    for row in rows:
        if usable(row.week_start, row.lead_time_days, ordered_on, needed_by):
            weeks.setdefault(row.producer_id, []).append((row.week_start, row.units - row.held, row.min_lot))
    return weeks


def hold(session: Session, producer_id: str, offering_id: str, weeks: list, sign: int) -> None:
    """Keep each week's held units in step with the open quotas that use it; callers hold the offering's lock."""
    hold_all(session, offering_id, [(producer_id, week_start, units) for week_start, units in weeks], sign)


def hold_all(session: Session, offering_id: str, weeks: list, sign: int) -> None:
    """``hold`` for ``(producer, week, units)`` of many producers, sent as one batch of updates."""
    if not weeks:
        return
    session.execute(
        update(capacity_weeks)
        .where(
            capacity_weeks.c.producer_id == bindparam("b_producer"),
            capacity_weeks.c.offering_id == offering_id,
            capacity_weeks.c.week_start == bindparam("b_week"),
        )
        .values(held=capacity_weeks.c.held + bindparam("b_units")),
        [
            {"b_producer": producer_id, "b_week": week_start, "b_units": sign * units}
            for producer_id, week_start, units in weeks
        ],
    )


def release(session: Session, quota) -> None:
    """A quota that closes (declined, lapsed, released) gives its weeks back."""
    hold(
        session,
        quota.producer_id,
        quota.offering_id,
        [
            (row.week_start, row.units)
            for row in session.execute(select(quota_weeks).where(quota_weeks.c.quota_id == quota.quota_id))
        ],
        -1,
    )


def split_by_week(units: int, weeks: list) -> list:
    """The weeks ``units`` take of a producer's free weeks ``[(week, free, min_lot)]`` (``domain.trim_weeks``), as
    quota events carry them."""
    return [
        {"week_start": week_start, "units": taken}
        for week_start, taken in domain.trim_weeks([(week_start, free) for week_start, free, _ in weeks], units)
    ]


def weeks_of(session: Session, quota_id: str) -> list:
    """The weeks of the producer's calendar a quota uses, earliest first."""
    return [
        {"week_start": row.week_start, "units": row.units}
        for row in session.execute(
            select(quota_weeks).where(quota_weeks.c.quota_id == quota_id).order_by(quota_weeks.c.week_start)
        )
    ]


def quota_event(session: Session, event_type: str, quota, **extra) -> Event:
    """An event about a quota: who makes how many units of which line, in which weeks, and ``extra``."""
    return new_event(
        event_type,
        {
            **{
                key: getattr(quota, key)
                for key in ("quota_id", "order_id", "line_id", "offering_id", "producer_id", "quantity")
            },
            "weeks": weeks_of(session, quota.quota_id),
            **extra,
        },
        correlation_id=quota.order_id,
    )


def min_lot(session: Session, quota) -> int:
    """The producer's minimum lot over the weeks the quota uses."""
    return int(
        session.execute(
            select(func.coalesce(func.max(capacity_weeks.c.min_lot), 1)).where(
                capacity_weeks.c.producer_id == quota.producer_id,
                capacity_weeks.c.offering_id == quota.offering_id,
                capacity_weeks.c.week_start.in_(
                    select(quota_weeks.c.week_start).where(quota_weeks.c.quota_id == quota.quota_id)
                ),
            )
        ).scalar_one()
    )
