"""Capacity calendars: declared by producers (one by one or as a spreadsheet) and committed by the quotas they
accept, released when a quota is declined, expires or is cancelled."""

from datetime import date, datetime, timezone

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from services.catalogue import capacity_csv, domain
from services.catalogue.availability import most_available, refresh_profiles
from services.catalogue.offerings import offering_row
from services.catalogue.producers import producer_row
from services.catalogue.schemas import AvailabilityQuery, CapacityInput
from services.catalogue.store import capacity_weeks, commitments, offerings, producers, released_quotas
from shared.contract import CAPACITY_ENTRIES_PER_EVENT
from shared.errors import Conflict, InvalidInput, NotFound, load_or_refuse
from shared.events import Event, new_event
from shared.ids import new_id
from shared.store import UnitOfWork, upsert
from shared.weeks import iso_week, order_by


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _committed(session: Session, producer_id: str, offering_id: str, week_start: date) -> int:
    return int(
        session.execute(
            select(func.coalesce(func.sum(commitments.c.units), 0)).where(
                commitments.c.producer_id == producer_id,
                commitments.c.offering_id == offering_id,
                commitments.c.week_start == week_start,
            )
        ).scalar_one()
    )


def _apply_entries(uow: UnitOfWork, entries: list, correlation_id: str) -> None:
    """Write every entry, refusing all of them if one would go below what producers already committed to.

    Lead time and minimum lot belong to a producer and offering: the newest terms apply to all its weeks, and the
    weeks whose terms changed are announced again so that allocation sees the same calendar."""
    session = uow.session
    now = _now()
    too_low = []
    _lock_producers(session, {entry["producer_id"] for entry in entries})
    terms = {(e["producer_id"], e["offering_id"]): (e["lead_time_days"], e["min_lot"]) for e in entries}
    declared = {(e["producer_id"], e["offering_id"], e["week_start"]) for e in entries}
    for entry in entries:
        committed = _committed(session, entry["producer_id"], entry["offering_id"], entry["week_start"])
        if entry["units"] < committed:
            too_low.append(entry | {"committed": committed})
            continue
        upsert(
            session,
            capacity_weeks,
            {key: entry[key] for key in ("producer_id", "offering_id", "week_start")},
            {
                "units": entry["units"],
                "committed": committed,
                "lead_time_days": entry["lead_time_days"],
                "min_lot": entry["min_lot"],
                "order_by": order_by(entry["week_start"], entry["lead_time_days"]),
                "declared_at": now,
            },
        )
    if too_low:
        raise Conflict(
            "capacity below what is already committed: "
            + "; ".join(
                f"{e['producer_id']} week {iso_week(e['week_start'])}: {e['units']} < {e['committed']} committed"
                for e in too_low[:10]
            )
        )
    announced = list(entries)
    for (producer_id, offering_id), (lead_time_days, min_lot) in terms.items():
        for week in session.execute(
            select(capacity_weeks).where(
                capacity_weeks.c.producer_id == producer_id,
                capacity_weeks.c.offering_id == offering_id,
                (capacity_weeks.c.lead_time_days != lead_time_days) | (capacity_weeks.c.min_lot != min_lot),
            )
        ).all():
            if (producer_id, offering_id, week.week_start) in declared:
                continue
            session.execute(
                update(capacity_weeks)
                .where(
                    capacity_weeks.c.producer_id == producer_id,
                    capacity_weeks.c.offering_id == offering_id,
                    capacity_weeks.c.week_start == week.week_start,
                )
                .values(
                    lead_time_days=lead_time_days, min_lot=min_lot, order_by=order_by(week.week_start, lead_time_days)
                )
            )
            announced.append(
                {
                    "producer_id": producer_id,
                    "offering_id": offering_id,
                    "week_start": week.week_start,
                    "units": week.units,
                    "lead_time_days": lead_time_days,
                    "min_lot": min_lot,
                }
            )
    refresh_profiles(session, terms)
    for start in range(0, len(announced), CAPACITY_ENTRIES_PER_EVENT):
        uow.emit(
            new_event(
                "capacity.declared",
                {"entries": announced[start : start + CAPACITY_ENTRIES_PER_EVENT]},
                correlation_id=correlation_id,
            )
        )


def declare_capacity(uow: UnitOfWork, producer_id: str, body: dict) -> dict:
    """A producer makes her own organisation's offerings only: another organisation's is answered as unknown."""
    session = uow.session
    data = load_or_refuse(CapacityInput(), body, "capacity")
    producer = producer_row(session, producer_id, lock=True)
    offering = offering_row(session, data["offering_id"])
    if offering.organisation_id != producer.organisation_id:
        raise NotFound(f"offering {data['offering_id']} not found")
    if offering.status != domain.PUBLISHED:
        raise Conflict(f"offering {data['offering_id']} is withdrawn")
    entries = [
        {
            "producer_id": producer_id,
            "offering_id": data["offering_id"],
            "week_start": week["week"],
            "units": week["units"],
            "lead_time_days": data["lead_time_days"],
            "min_lot": data["min_lot"],
        }
        for week in data["weeks"]
    ]
    _apply_entries(uow, entries, producer_id)
    return capacity_calendar(uow, producer_id, data["offering_id"])


def import_capacity(uow: UnitOfWork, text: str, organisation_id: str | None = None) -> dict:
    """All or nothing: every row is checked first, and one bad row means nothing is imported. With
    ``organisation_id`` (an aggregator's upload), another organisation's producers and offerings are refused in the
    same words as unknown ones: a file cannot tell what exists elsewhere."""
    session = uow.session
    own = [] if organisation_id is None else [offerings.c.organisation_id == organisation_id]
    skus = dict(
        session.execute(
            select(offerings.c.sku, offerings.c.offering_id).where(offerings.c.status == domain.PUBLISHED, *own)
        ).all()
    )

    def catalogue_problems(rows):
        mine = [] if organisation_id is None else [producers.c.organisation_id == organisation_id]
        known = set(
            session.execute(
                select(producers.c.producer_id).where(
                    producers.c.producer_id.in_({row.producer_id for row in rows}), *mine
                )
            ).scalars()
        )
        return capacity_csv.unknown_rows(rows, known, skus) + _terms_disagree(rows)

    try:
        rows = capacity_csv.parse_capacity_csv(text, check_rows=catalogue_problems)
    except capacity_csv.CapacityCsvRejected as rejected:
        raise InvalidInput("capacity file refused; nothing was imported", _row_errors(rejected.errors)) from None
    entries = [
        {
            "producer_id": row.producer_id,
            "offering_id": skus[row.sku],
            "week_start": row.week_start,
            "units": row.units,
            "lead_time_days": row.lead_time_days,
            "min_lot": row.min_lot,
        }
        for row in rows
    ]
    import_id = new_id("imp")
    _apply_entries(uow, entries, import_id)
    return {"import_id": import_id, "rows": len(rows), "producers": len({row.producer_id for row in rows})}


def _terms_disagree(rows) -> list:
    """Lead time and minimum lot are a producer's terms for an offering, the same every week."""
    first = {}
    problems = []
    for row in rows:
        key = (row.producer_id, row.sku)
        earlier = first.setdefault(key, row)
        if (row.lead_time_days, row.min_lot) != (earlier.lead_time_days, earlier.min_lot):
            problems.append(
                (
                    row.row_number,
                    f"lead_time_days and min_lot must be those of row "
                    f"{earlier.row_number} for the same producer and sku",
                )
            )
    return problems


def _row_errors(errors) -> dict:
    by_row = {}
    for row_number, reason in errors:
        by_row.setdefault("file" if row_number is None else f"row {row_number}", []).append(reason)
    return by_row


def capacity_calendar(uow: UnitOfWork, producer_id: str, offering_id: str | None = None) -> dict:
    session = uow.session
    producer_row(session, producer_id)
    query = select(capacity_weeks).where(capacity_weeks.c.producer_id == producer_id)
    if offering_id:
        query = query.where(capacity_weeks.c.offering_id == offering_id)
    weeks = [
        {
            "offering_id": row.offering_id,
            "week": iso_week(row.week_start),
            "week_start": row.week_start.isoformat(),
            "declared": row.units,
            "committed": row.committed,
            "available": max(0, row.units - row.committed),
            "lead_time_days": row.lead_time_days,
            "min_lot": row.min_lot,
            "order_by": row.order_by.isoformat(),
        }
        for row in session.execute(query.order_by(capacity_weeks.c.offering_id, capacity_weeks.c.week_start))
    ]
    return {"producer_id": producer_id, "weeks": weeks}


def _lock_producers(session: Session, producer_ids) -> None:
    """Changes to one producer's capacity take turns, so each rebuilt profile sees the others' changes; in a fixed
    order, so that two changes cannot deadlock."""
    session.execute(
        select(producers.c.producer_id)
        .where(producers.c.producer_id.in_(sorted(producer_ids)))
        .order_by(producers.c.producer_id)
        .with_for_update()
    )


def record_commitment(uow: UnitOfWork, event: Event) -> None:
    """An accepted quota (or one grown by a top-up) takes its weeks' units off what the producer can still offer.
    An accepted quota's weeks only ever grow, so each week keeps the larger figure: the acceptance and a top-up count
    once each, in whatever order they arrive."""
    session = uow.session
    payload = event.payload
    _lock_producers(session, [payload["producer_id"]])
    if session.execute(
        select(released_quotas.c.quota_id).where(released_quotas.c.quota_id == payload["quota_id"])
    ).scalar():
        return
    known = dict(
        session.execute(
            select(commitments.c.week_start, commitments.c.units).where(commitments.c.quota_id == payload["quota_id"])
        ).all()
    )
    for week in payload["weeks"]:
        grown = week["units"] - known.get(week["week_start"], 0)
        if grown <= 0:
            continue
        if week["week_start"] in known:
            session.execute(
                update(commitments)
                .where(commitments.c.quota_id == payload["quota_id"], commitments.c.week_start == week["week_start"])
                .values(units=week["units"])
            )
        else:
            session.execute(
                commitments.insert().values(
                    quota_id=payload["quota_id"],
                    week_start=week["week_start"],
                    producer_id=payload["producer_id"],
                    offering_id=payload["offering_id"],
                    units=week["units"],
                )
            )
        session.execute(
            update(capacity_weeks)
            .where(
                capacity_weeks.c.producer_id == payload["producer_id"],
                capacity_weeks.c.offering_id == payload["offering_id"],
                capacity_weeks.c.week_start == week["week_start"],
            )
            .values(committed=capacity_weeks.c.committed + grown)
        )
    refresh_profiles(session, [(payload["producer_id"], payload["offering_id"])])


def release_commitment(uow: UnitOfWork, event: Event, reason: str) -> None:
    """A declined, expired or cancelled quota gives its units back; remembered so a late acceptance cannot retake
    them."""
    session = uow.session
    quota_id = event.payload["quota_id"]
    _lock_producers(session, [event.payload["producer_id"]])
    if session.execute(select(released_quotas.c.quota_id).where(released_quotas.c.quota_id == quota_id)).scalar():
        return
    session.execute(released_quotas.insert().values(quota_id=quota_id, reason=reason, released_at=_now()))
    for row in session.execute(select(commitments).where(commitments.c.quota_id == quota_id)).all():
        session.execute(
            update(capacity_weeks)
            .where(
                capacity_weeks.c.producer_id == row.producer_id,
                capacity_weeks.c.offering_id == row.offering_id,
                capacity_weeks.c.week_start == row.week_start,
            )
            .values(committed=capacity_weeks.c.committed - row.units)
        )
    session.execute(commitments.delete().where(commitments.c.quota_id == quota_id))
    refresh_profiles(session, [(event.payload["producer_id"], event.payload["offering_id"])])


def availability(uow: UnitOfWork, offering_id: str, query: dict) -> dict:
    """Who can make N units of this offering by date D, and how many each, ordering today."""
    session = uow.session
    wanted = load_or_refuse(AvailabilityQuery(), query, "query")
    offering = offering_row(session, offering_id)
    if offering.status != domain.PUBLISHED:
        raise Conflict(f"offering {offering_id} is withdrawn")
    ranked, total, able = most_available(session, offering_id, wanted["by"], wanted["limit"])
    answer = domain.who_can_make(wanted["quantity"], ranked, total, able)
    names = dict(
        session.execute(
            select(producers.c.producer_id, producers.c.name).where(
                producers.c.producer_id.in_([p["producer_id"] for p in answer["producers"]])
            )
        ).all()
    )
    for producer in answer["producers"]:
        producer["name"] = names[producer["producer_id"]]
    return {"offering_id": offering_id, "by": wanted["by"].isoformat(), **answer}
