"""What the aggregation service shows: quotas and lots with their progress, a producer's inspection history, quota
counts, the dashboard's fulfilment figures and the capacity of an offering's producers."""

from dataclasses import asdict
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from services.aggregation import capacity, domain, listing, standards, standing
from services.aggregation.schemas import LotFilter, QuotaFilter
from services.aggregation.store import approved_producers, capacity_weeks, inspections, lots, offerings, quotas
from shared.errors import NotFound, load_or_refuse
from shared.everyones_figures import TICK_S, EveryonesFigures
from shared.store import UnitOfWork, page_of, paged
from shared.weeks import usable


def organisations(session: Session, offering_ids) -> dict:
    """The organisation of each offering, as the catalogue published it."""
    return dict(
        session.execute(
            select(offerings.c.offering_id, offerings.c.organisation_id).where(
                offerings.c.offering_id.in_(set(offering_ids))
            )
        ).all()
    )


def _page(session: Session, table, filters: dict, order_by, views, conditions=()) -> dict:
    """A page of quotas or lots, shown by ``views(session, rows, organisation_by_offering)``."""
    page, page_size = filters.pop("page"), filters.pop("page_size")
    organisation_id = filters.pop("organisation_id", None)
    conditions = [*conditions, *(table.c[key] == value for key, value in filters.items())]
    if organisation_id is not None:
        conditions.append(
            table.c.offering_id.in_(
                select(offerings.c.offering_id).where(offerings.c.organisation_id == organisation_id)
            )
        )
    rows, total = page_of(session, table, conditions, order_by, page, page_size)
    by_offering = organisations(session, [row.offering_id for row in rows])
    return paged(views(session, rows, by_offering), page, page_size, total)


def get_quota(uow: UnitOfWork, quota_id: str) -> dict:
    row = uow.session.execute(select(quotas).where(quotas.c.quota_id == quota_id)).one_or_none()
    if row is None:
        raise NotFound(f"quota {quota_id} not found")
    return listing.quota_views(uow.session, [row], organisations(uow.session, [row.offering_id]))[0]


def list_quotas(uow: UnitOfWork, query: dict) -> dict:
    """Quotas by order, producer or status; ``finished`` keeps the finished ones (delivered, closed short,
    declined, expired, released) or the others; ``newest_first`` puts the latest offers first (a history)."""
    filters = load_or_refuse(QuotaFilter(), query, "query")
    finished, newest_first = filters.pop("finished"), filters.pop("newest_first")
    conditions = []
    if finished is not None:
        in_finished = quotas.c.status.in_(domain.FINISHED_STATES)
        conditions.append(in_finished if finished else ~in_finished)
    order_by = (
        (quotas.c.offered_at.desc(), quotas.c.quota_id.desc())
        if newest_first
        else (quotas.c.offered_at, quotas.c.quota_id)
    )
    return _page(uow.session, quotas, filters, order_by, listing.quota_views, conditions)


def get_lot(uow: UnitOfWork, lot_id: str) -> dict:
    row = uow.session.execute(select(lots).where(lots.c.lot_id == lot_id)).one_or_none()
    if row is None:
        raise NotFound(f"lot {lot_id} not found")
    return listing.lot_views(uow.session, [row], organisations(uow.session, [row.offering_id]))[0]


def list_lots(uow: UnitOfWork, query: dict) -> dict:
    filters = load_or_refuse(LotFilter(), query, "query")
    order_by = (
        (lots.c.reported_at.desc(), lots.c.lot_id.desc())
        if filters.pop("newest_first")
        else (lots.c.reported_at, lots.c.lot_id)
    )
    return _page(uow.session, lots, filters, order_by, listing.lot_views)


def inspection_history(uow: UnitOfWork, producer_id: str, offering_id: str) -> dict:
    """The switching history the inspector and aggregator see: every original inspection and each change."""
    state = standards.switching_state(uow.session, producer_id, offering_id)
    return {
        "producer_id": producer_id,
        "offering_id": offering_id,
        "severity": state.severity,
        "switching_score": state.switching_score,
        "pass_rate": standards.pass_rates(uow.session, offering_id, [producer_id]).get(producer_id),
        "history": [asdict(line) for line in state.history],
    }


def _of_organisation(column, organisation_id: str | None) -> list:
    """The condition that keeps rows of one aggregator organisation's offerings; none for everyone's."""
    if not organisation_id:
        return []
    return [column.in_(select(offerings.c.offering_id).where(offerings.c.organisation_id == organisation_id))]


def quota_counts(uow: UnitOfWork, organisation_id: str | None = None) -> dict:
    """Quotas by status: one organisation's, counted now; everyone's, kept once costly (``EVERYONES``)."""
    if not organisation_id:
        return EVERYONES.answer("quota_counts", uow)
    return _quota_counts(uow, organisation_id)


def fulfilment_figures(uow: UnitOfWork, organisation_id: str | None = None) -> dict:
    """The dashboard's figures that allocation owns (``_fulfilment_figures``): one organisation's, counted now;
    everyone's, kept once costly (``EVERYONES_FULFILMENT``), with the producers most worth a look
    (``EVERYONES_PRODUCERS``)."""
    if not organisation_id:
        return EVERYONES_FULFILMENT.answer("fulfilment_figures", uow)
    return _fulfilment_figures(uow, organisation_id)


def _quota_counts(uow: UnitOfWork, organisation_id: str | None = None) -> dict:
    counts = {status: 0 for status in domain.QUOTA_STATES}
    counts.update(
        dict(
            uow.session.execute(
                select(quotas.c.status, func.count())
                .where(*_of_organisation(quotas.c.offering_id, organisation_id))
                .group_by(quotas.c.status)
            ).all()
        )
    )
    return counts


def _fulfilment_figures(uow: UnitOfWork, organisation_id: str | None = None) -> dict:
    """The dashboard's figures that allocation owns: how long open offers have waited, each producer's first-time
    QC pass rate, and how much of the capacity declared from this week on open quotas hold."""
    session, now = uow.session, datetime.now(timezone.utc)
    waiting = session.execute(
        select(quotas.c.offered_at).where(
            quotas.c.status == domain.QUOTA_OFFERED, *_of_organisation(quotas.c.offering_id, organisation_id)
        )
    ).scalars()
    first = session.execute(
        select(inspections.c.producer_id, func.count(), func.sum(case((inspections.c.passed, 1), else_=0)))
        .where(inspections.c.attempt == 1, *_of_organisation(inspections.c.offering_id, organisation_id))
        .group_by(inspections.c.producer_id)
        .order_by(inspections.c.producer_id)
    ).all()
    this_week = now.date() - timedelta(days=now.weekday())
    by_offering = session.execute(
        select(
            offerings.c.offering_id, offerings.c.sku, func.sum(capacity_weeks.c.units), func.sum(capacity_weeks.c.held)
        )
        .join(capacity_weeks, capacity_weeks.c.offering_id == offerings.c.offering_id)
        .where(capacity_weeks.c.week_start >= this_week, *_of_organisation(offerings.c.offering_id, organisation_id))
        .group_by(offerings.c.offering_id, offerings.c.sku)
        .order_by(offerings.c.sku)
    ).all()
    offerings_view = [
        {
            "offering_id": row[0],
            "sku": row[1],
            "declared": int(row[2]),
            "allocated": int(row[3]),
            "utilisation": domain.share(int(row[3]), int(row[2])),
        }
        for row in by_offering
    ]
    declared = sum(item["declared"] for item in offerings_view)
    allocated = sum(item["allocated"] for item in offerings_view)
    return {
        "open_quota_ages": domain.quota_ages(list(waiting), now),
        "pass_rates": [
            {
                "producer_id": producer_id,
                "inspected": int(total),
                "passed": int(passed),
                "rate": domain.share(int(passed), int(total)),
            }
            for producer_id, total, passed in first
        ],
        "capacity": {
            "declared": declared,
            "allocated": allocated,
            "utilisation": domain.share(allocated, declared),
            "offerings": offerings_view,
        },
        "work_shares": standing.work_shares(session, organisation_id, now),
    }


# Everyone's view lists this many producers, not every producer of every organisation (ten thousand rows, megabytes
# a refresh): the lowest first-time pass rates, lowest first, and the least served. One organisation's lists all its
# own.
EVERYONES_PRODUCERS = 100


def _everyones_fulfilment_figures(uow: UnitOfWork) -> dict:
    figures = _fulfilment_figures(uow)
    lowest = sorted(figures["pass_rates"], key=lambda rate: (rate["rate"], rate["producer_id"]))
    shares = figures["work_shares"]
    return {
        **figures,
        "pass_rates": lowest[:EVERYONES_PRODUCERS],
        "work_shares": {**shares, "producers": shares["producers"][:EVERYONES_PRODUCERS]},
    }


# Everyone's figures, kept between requests: over a year of every organisation's quotas and inspections they take
# too long to count per request (see shared.everyones_figures); the service's timer counts them again, the quotas by
# status every minute, the rest (first-time pass rates over all of history, capacity, work shares) every five.
EVERYONES = EveryonesFigures({"quota_counts": _quota_counts})
EVERYONES_FULFILMENT = EveryonesFigures(
    {"fulfilment_figures": _everyones_fulfilment_figures}, recount_every_s=5 * TICK_S
)


def capacity_view(uow: UnitOfWork, offering_id: str) -> dict:
    """Declared, held (open quotas) and free units per approved producer over the weeks still open to orders."""
    session = uow.session
    if session.execute(select(offerings.c.offering_id).where(offerings.c.offering_id == offering_id)).scalar() is None:
        raise NotFound(f"offering {offering_id} is not known to allocation yet")
    today = datetime.now(timezone.utc).date()
    free = {
        producer_id: sum(units for _, units, _ in weeks)
        for producer_id, weeks in capacity.free_weeks(session, offering_id, today, date.max).items()
    }
    declared = {}
    for row in session.execute(
        select(capacity_weeks)
        .join(
            approved_producers,
            (approved_producers.c.producer_id == capacity_weeks.c.producer_id)
            & (approved_producers.c.offering_id == capacity_weeks.c.offering_id),
        )
        .where(capacity_weeks.c.offering_id == offering_id)
    ):
        if usable(row.week_start, row.lead_time_days, today, date.max):
            declared[row.producer_id] = declared.get(row.producer_id, 0) + row.units
    producers = [
        {
            "producer_id": producer_id,
            "declared": declared[producer_id],
            "free": free.get(producer_id, 0),
            "committed": declared[producer_id] - free.get(producer_id, 0),
        }
        for producer_id in sorted(declared)
    ]
    return {
        "offering_id": offering_id,
        "producers": producers,
        **{key: sum(p[key] for p in producers) for key in ("declared", "committed", "free")},
    }
