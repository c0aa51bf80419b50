"""Top-ups: more units of a line asked of a producer already working on it, as an increase of her quota.

She answers with her quota's own code, the way she answered the offer (``YES ABC123``, ``YES ABC123 4``,
``NO ABC123``), so accepting or declining an accepted quota that has a top-up waiting answers the top-up. Units she
does not take go back to allocation; she is not asked for a top-up of that line again unless the search is widened.
"""

import logging
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from services.aggregation import capacity, domain
from services.aggregation.store import quota_weeks, quotas, top_up_weeks, top_ups
from shared.errors import InvalidInput
from shared.ids import new_id
from shared.store import UnitOfWork

log = logging.getLogger(__name__)

OFFERED, ACCEPTED, DECLINED, EXPIRED, RELEASED = "offered", "accepted", "declined", "expired", "released"


def pending(session: Session, quota_id: str):
    """The quota's top-up waiting for an answer, or None."""
    return session.execute(
        select(top_ups).where(top_ups.c.quota_id == quota_id, top_ups.c.status == OFFERED)
    ).one_or_none()


def turned_down(session: Session, line_id: str) -> set:
    """Producers who declined a top-up of the line, let one lapse or took only part of one."""
    return set(
        session.execute(
            select(top_ups.c.producer_id).where(
                top_ups.c.line_id == line_id,
                (top_ups.c.status.in_((DECLINED, EXPIRED)))
                | ((top_ups.c.status == ACCEPTED) & (top_ups.c.accepted < top_ups.c.quantity)),
            )
        ).scalars()
    )


def pending_units(session: Session, line_id: str) -> int:
    return int(
        session.execute(
            select(func.coalesce(func.sum(top_ups.c.quantity), 0)).where(
                top_ups.c.line_id == line_id, top_ups.c.status == OFFERED
            )
        ).scalar_one()
    )


def offer(uow: UnitOfWork, quota, units: int, free_weeks: list, now: datetime, respond_by: datetime) -> None:
    """Ask the quota's producer for ``units`` more, in the earliest of her ``free_weeks``; the weeks are held."""
    session = uow.session
    split = capacity.split_by_week(units, free_weeks)
    top_up_id = new_id("tup")
    session.execute(
        top_ups.insert().values(
            top_up_id=top_up_id,
            quota_id=quota.quota_id,
            order_id=quota.order_id,
            line_id=quota.line_id,
            offering_id=quota.offering_id,
            producer_id=quota.producer_id,
            quantity=units,
            accepted=0,
            status=OFFERED,
            offered_at=now,
            respond_by=respond_by,
        )
    )
    session.execute(top_up_weeks.insert(), [dict(top_up_id=top_up_id, **week) for week in split])
    capacity.hold(
        session, quota.producer_id, quota.offering_id, [(week["week_start"], week["units"]) for week in split], +1
    )
    uow.emit(
        capacity.quota_event(
            session,
            "quota.top_up_offered",
            quota,
            ref=quota.ref,
            top_up=units,
            top_up_weeks=split,
            respond_by=respond_by,
        )
    )
    log.info("top-up offered", extra={"correlation_id": quota.order_id, "quota_id": quota.quota_id, "top_up": units})


def accept(uow: UnitOfWork, quota, top_up, wanted: int | None, now: datetime) -> int:
    """Add the top-up (all of it, or ``wanted`` units) to the quota; returns the units given back."""
    session = uow.session
    if wanted is not None and wanted > top_up.quantity:
        raise InvalidInput("acceptance refused", {"quantity": [f"the top-up asks for {top_up.quantity} more units"]})
    added = top_up.quantity if wanted is None else wanted
    weeks = _weeks(session, top_up.top_up_id)
    kept = domain.trim_weeks(weeks, added)
    capacity.hold(session, quota.producer_id, quota.offering_id, weeks, -1)
    capacity.hold(session, quota.producer_id, quota.offering_id, kept, +1)
    held = dict(
        (row.week_start, row.units)
        for row in session.execute(select(quota_weeks).where(quota_weeks.c.quota_id == quota.quota_id))
    )
    for week_start, units in kept:
        if week_start in held:
            session.execute(
                update(quota_weeks)
                .where(quota_weeks.c.quota_id == quota.quota_id, quota_weeks.c.week_start == week_start)
                .values(units=quota_weeks.c.units + units)
            )
        else:
            session.execute(
                quota_weeks.insert().values(
                    quota_id=quota.quota_id,
                    producer_id=quota.producer_id,
                    offering_id=quota.offering_id,
                    week_start=week_start,
                    units=units,
                )
            )
    session.execute(update(quotas).where(quotas.c.quota_id == quota.quota_id).values(quantity=quota.quantity + added))
    _close(session, top_up, ACCEPTED, now, accepted=added)
    grown = session.execute(select(quotas).where(quotas.c.quota_id == quota.quota_id)).one()
    given_back = top_up.quantity - added
    uow.emit(
        capacity.quota_event(
            session, "quota.topped_up", grown, added=added, declined_quantity=given_back, outcome=ACCEPTED, reason=None
        )
    )
    log.info(
        "top-up accepted",
        extra={"correlation_id": quota.order_id, "quota_id": quota.quota_id, "added": added, "given_back": given_back},
    )
    return given_back


def close(uow: UnitOfWork, quota, top_up, outcome: str, reason: str, now: datetime) -> None:
    """The top-up is declined, lapses or is released: its weeks are free again and the quota stays as it was."""
    session = uow.session
    capacity.hold(session, quota.producer_id, quota.offering_id, _weeks(session, top_up.top_up_id), -1)
    _close(session, top_up, outcome, now, reason=reason)
    uow.emit(
        capacity.quota_event(
            session,
            "quota.topped_up",
            quota,
            added=0,
            declined_quantity=top_up.quantity,
            outcome=outcome,
            reason=reason,
        )
    )
    log.info(f"top-up {outcome}", extra={"correlation_id": quota.order_id, "quota_id": quota.quota_id})


def lapsed(session: Session, now: datetime, batch: int) -> list:
    """Top-ups whose deadline passed, unlocked: the sweep locks their offerings and quotas first."""
    return session.execute(
        select(top_ups)
        .where(top_ups.c.status == OFFERED, top_ups.c.respond_by < now)
        .order_by(top_ups.c.respond_by)
        .limit(batch)
    ).all()


def lock_if_offered(session: Session, top_up_id: str):
    """The top-up, locked, if it still waits for an answer and no other process holds it; else None."""
    return session.execute(
        select(top_ups)
        .where(top_ups.c.top_up_id == top_up_id, top_ups.c.status == OFFERED)
        .with_for_update(skip_locked=True)
    ).one_or_none()


def views(session: Session, quota_ids: list[str]) -> dict[str, dict]:
    """What a quota's page and API show of its waiting top-up, for each of the quotas that has one (one query for a
    page of quotas)."""
    if not quota_ids:
        return {}
    return {
        top_up.quota_id: {
            "quantity": top_up.quantity,
            "offered_at": top_up.offered_at.isoformat(),
            "respond_by": top_up.respond_by.isoformat(),
        }
        for top_up in session.execute(
            select(top_ups).where(top_ups.c.quota_id.in_(quota_ids), top_ups.c.status == OFFERED)
        )
    }


def _weeks(session: Session, top_up_id: str) -> list:
    return [
        (row.week_start, row.units)
        for row in session.execute(
            select(top_up_weeks).where(top_up_weeks.c.top_up_id == top_up_id).order_by(top_up_weeks.c.week_start)
        )
    ]


def _close(session: Session, top_up, status: str, now: datetime, accepted: int = 0, reason: str | None = None):
    session.execute(
        update(top_ups)
        .where(top_ups.c.top_up_id == top_up.top_up_id)
        .values(status=status, accepted=accepted, reason=reason, answered_at=now)
    )
