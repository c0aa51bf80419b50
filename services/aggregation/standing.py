"""Fairness over time: what each producer was offered over the fairness window against what she declared, the
record allocation weighs (see planning) and the dashboard shows."""

from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.aggregation import domain, settings
from services.aggregation.planning import Standing
from services.aggregation.schemas import AllocationSettingsInput
from services.aggregation.store import allocation_settings, capacity_weeks, offerings, quotas, top_ups
from shared.errors import load_or_refuse
from shared.store import UnitOfWork, upsert


def fairness_window(session: Session, organisation_id: str | None) -> timedelta:
    """The organisation's own window, else the service's (``BILUM_FAIRNESS_WINDOW_WEEKS``)."""
    weeks = (
        None
        if organisation_id is None
        else session.execute(
            select(allocation_settings.c.fairness_window_weeks).where(
                allocation_settings.c.organisation_id == organisation_id
            )
        ).scalar()
    )
    return timedelta(weeks=weeks) if weeks else settings.load().fairness_window


def settings_view(uow: UnitOfWork, organisation_id: str) -> dict:
    return {
        "organisation_id": organisation_id,
        "fairness_window_weeks": fairness_window(uow.session, organisation_id).days // 7,
    }


def save_settings(uow: UnitOfWork, organisation_id: str, body: dict) -> dict:
    """An organisation's allocation settings; they weigh from the next line allocated."""
    data = load_or_refuse(AllocationSettingsInput(), body, "settings")
    upsert(
        uow.session,
        allocation_settings,
        {"organisation_id": organisation_id},
        {**data, "updated_at": datetime.now(timezone.utc)},
    )
    return settings_view(uow, organisation_id)


def producer_standing(session: Session, offering_id: str, now: datetime) -> dict[str, Standing]:
    """Each producer's units offered (quotas and top-ups) and units declared for the offering over the fairness
    window: what keeps the same producers from winning every remainder."""
    organisation_id = session.execute(
        select(offerings.c.organisation_id).where(offerings.c.offering_id == offering_id)
    ).scalar()
    since = now - fairness_window(session, organisation_id)
    offered: dict[str, int] = {}
    for table, column in ((quotas, quotas.c.offered_quantity), (top_ups, top_ups.c.quantity)):
        for producer_id, units in session.execute(
            select(table.c.producer_id, func.sum(column))
            .where(table.c.offering_id == offering_id, table.c.offered_at >= since)
            .group_by(table.c.producer_id)
        ):
            offered[producer_id] = offered.get(producer_id, 0) + int(units)
    declared = dict(
        session.execute(
            select(capacity_weeks.c.producer_id, func.sum(capacity_weeks.c.units))
            .where(capacity_weeks.c.offering_id == offering_id, capacity_weeks.c.week_start >= since.date())
            .group_by(capacity_weeks.c.producer_id)
        ).all()
    )
    return {
        producer_id: Standing(offered.get(producer_id, 0), int(declared.get(producer_id, 0)))
        for producer_id in set(offered) | set(declared)
    }


def work_shares(session: Session, organisation_id: str | None, now: datetime) -> dict:
    """Each producer's share of the units offered over the window (quotas and top-ups, across the organisation's
    offerings) against her share of the capacity declared for it, least served first."""
    window = fairness_window(session, organisation_id)
    since = now - window
    of_organisation = [] if not organisation_id else [offerings.c.organisation_id == organisation_id]
    offered: dict[str, int] = {}
    for table, column in ((quotas, quotas.c.offered_quantity), (top_ups, top_ups.c.quantity)):
        for producer_id, units in session.execute(
            select(table.c.producer_id, func.sum(column))
            .join(offerings, offerings.c.offering_id == table.c.offering_id)
            .where(table.c.offered_at >= since, *of_organisation)
            .group_by(table.c.producer_id)
        ):
            offered[producer_id] = offered.get(producer_id, 0) + int(units)
    declared = {
        producer_id: int(units)
        for producer_id, units in session.execute(
            select(capacity_weeks.c.producer_id, func.sum(capacity_weeks.c.units))
            .join(offerings, offerings.c.offering_id == capacity_weeks.c.offering_id)
            .where(capacity_weeks.c.week_start >= since.date(), *of_organisation)
            .group_by(capacity_weeks.c.producer_id)
        )
    }
    total_offered, total_declared = sum(offered.values()), sum(declared.values())
    producers = [
        {
            "producer_id": producer_id,
            "offered": offered.get(producer_id, 0),
            "declared": declared.get(producer_id, 0),
            "share_of_work": domain.share(offered.get(producer_id, 0), total_offered),
            "share_of_capacity": domain.share(declared.get(producer_id, 0), total_declared),
        }
        for producer_id in set(offered) | set(declared)
    ]
    producers.sort(key=lambda p: ((p["share_of_work"] or 0) - (p["share_of_capacity"] or 0), p["producer_id"]))
    return {
        "window_weeks": window.days // 7,
        "since": since.date().isoformat(),
        "offered": total_offered,
        "declared": total_declared,
        "producers": producers,
    }
