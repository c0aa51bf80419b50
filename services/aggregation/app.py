"""Use cases of the aggregation service, each inside the caller's transaction.

Capacity is shared by every order: allocation takes the offering's row lock first (``SELECT ... FOR UPDATE``), so
two orders allocated at the same moment see each other's quotas and never promise a producer more than it declared.
"""
import logging
import os
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from services.aggregation import domain
from services.aggregation.allocation import Candidate, allocate
from services.aggregation.schemas import InspectionInput, LotFilter, LotInput, QuotaFilter
from services.aggregation.store import (
    approved_producers, capacity_weeks, lots, offerings, order_lines, producer_snapshots, quota_weeks, quotas,
)
from shared.errors import Conflict, NotFound, load_or_refuse
from shared.events import Event, new_event
from shared.ids import new_id, short_ref
from shared.store import Database, page_of, paged, upsert
from shared.weeks import usable

log = logging.getLogger(__name__)


class OfferingUnknown(LookupError):
    """An order arrived before the offering it needs: the message is retried until the catalogue's event lands."""



def response_window() -> timedelta:
    return timedelta(hours=float(os.environ.get("BILUM_QUOTA_RESPONSE_HOURS", "48")))


def transit_time() -> timedelta:
    """Consolidation and carriage from the producers to the buyer: production must be done this long before the
    due date."""
    return timedelta(days=int(os.environ.get("BILUM_TRANSIT_DAYS", "21")))


def record_offering(session: Session, event: Event) -> None:
    payload = event.payload
    upsert(session, offerings, {"offering_id": payload["offering_id"]},
           {"sku": payload["sku"], "name": payload["name"], "organisation_id": payload["organisation_id"],
            "quality_standard": payload["quality_standard"], "withdrawn": False})


def record_withdrawal(session: Session, event: Event) -> None:
    """A withdrawn offering gets no new quotas; quotas already offered stand."""
    session.execute(update(offerings).where(offerings.c.offering_id == event.payload["offering_id"])
                    .values(withdrawn=True))


def record_producer(session: Session, event: Event) -> None:
    """Producer events are snapshots: the newest one wins, whatever order they arrive in."""
    payload = event.payload
    seen = session.execute(select(producer_snapshots.c.updated_at)
                           .where(producer_snapshots.c.producer_id == payload["producer_id"])).scalar()
    if seen is not None and seen >= event.occurred_at:
        return
    upsert(session, producer_snapshots, {"producer_id": payload["producer_id"]},
           {"organisation_id": payload["organisation_id"], "updated_at": event.occurred_at})
    session.execute(approved_producers.delete().where(approved_producers.c.producer_id == payload["producer_id"]))
    for offering_id in sorted(set(payload["approved_offerings"])):
        session.execute(approved_producers.insert().values(producer_id=payload["producer_id"],
                                                           offering_id=offering_id))


def record_capacity(session: Session, event: Event) -> None:
    """The newest declaration of each producer, offering and week wins, whatever order the events arrive in."""
    for entry in event.payload["entries"]:
        key = {name: entry[name] for name in ("producer_id", "offering_id", "week_start")}
        condition = [capacity_weeks.c[name] == value for name, value in key.items()]
        current = session.execute(select(capacity_weeks.c.declared_at).where(*condition)).scalar()
        if current is not None and current >= event.occurred_at:
            continue
        upsert(session, capacity_weeks, key, {"units": entry["units"], "lead_time_days": entry["lead_time_days"],
                                             "min_lot": entry["min_lot"], "declared_at": event.occurred_at})


def _lock_offerings(session: Session, offering_ids) -> None:
    """Lock in a fixed order so that two orders touching the same offerings cannot deadlock."""
    for offering_id in sorted(set(offering_ids)):
        found = session.execute(select(offerings.c.offering_id).where(offerings.c.offering_id == offering_id)
                                .with_for_update()).scalar()
        if found is None:
            raise OfferingUnknown(f"offering {offering_id} is not known here yet")


def _free_weeks(session: Session, offering_id: str, ordered_on: date, needed_by: date) -> dict:
    """Per approved producer, the weeks still free that can be made in time: ``{producer: [(week, free, min_lot)]}``.

    Open quotas (offered or accepted) hold their weeks, so two orders never promise the same units twice."""
    held = {(row.producer_id, row.week_start): int(row.units) for row in session.execute(
        select(quota_weeks.c.producer_id, quota_weeks.c.week_start, func.sum(quota_weeks.c.units).label("units"))
        .join(quotas, quotas.c.quota_id == quota_weeks.c.quota_id)
        .where(quota_weeks.c.offering_id == offering_id, quotas.c.status.in_(domain.OPEN_QUOTA_STATES))
        .group_by(quota_weeks.c.producer_id, quota_weeks.c.week_start))}
    rows = session.execute(
        select(capacity_weeks)
        .join(approved_producers, (approved_producers.c.producer_id == capacity_weeks.c.producer_id)
              & (approved_producers.c.offering_id == capacity_weeks.c.offering_id))
        .where(capacity_weeks.c.offering_id == offering_id)
        .order_by(capacity_weeks.c.producer_id, capacity_weeks.c.week_start)).all()
    weeks = {}
    for row in rows:
        free = row.units - held.get((row.producer_id, row.week_start), 0)
        if free > 0 and usable(row.week_start, row.lead_time_days, ordered_on, needed_by):
            weeks.setdefault(row.producer_id, []).append((row.week_start, free, row.min_lot))
    return weeks


def _split_by_week(units: int, weeks: list) -> list:
    """Earliest weeks first: units made early wait for the shipment, units made late miss it."""
    split = []
    for week_start, free, _ in weeks:
        if units == 0:
            break
        taken = min(units, free)
        split.append({"week_start": week_start, "units": taken})
        units -= taken
    return split


def _offer(db: Database, session: Session, line, quantity: int, excluded: set, reallocated: bool) -> None:
    now = datetime.now(timezone.utc)
    weeks = _free_weeks(session, line.offering_id, now.date(), line.due_date - transit_time())
    candidates = [Candidate(producer_id, sum(free for _, free, _ in free_weeks),
                            min_lot=max(min_lot for _, _, min_lot in free_weeks))
                  for producer_id, free_weeks in weeks.items() if producer_id not in excluded]
    result = allocate(quantity, candidates)
    respond_by = min(now + response_window(), datetime.combine(line.due_date, time.min, tzinfo=timezone.utc))
    for producer_id, units in result.quotas.items():
        quota = dict(quota_id=new_id("qta"), ref=short_ref(), order_id=line.order_id, line_id=line.line_id,
                     offering_id=line.offering_id, producer_id=producer_id, quantity=units,
                     status=domain.QUOTA_OFFERED, reallocated=reallocated, offered_at=now, respond_by=respond_by)
        session.execute(quotas.insert().values(**quota))
        split = _split_by_week(units, weeks[producer_id])
        for week in split:
            session.execute(quota_weeks.insert().values(quota_id=quota["quota_id"], producer_id=producer_id,
                                                        offering_id=line.offering_id, **week))
        db.emit(session, new_event("quota.offered", {
            **{key: quota[key] for key in ("quota_id", "ref", "order_id", "line_id", "offering_id", "producer_id",
                                           "quantity", "respond_by", "reallocated")}, "weeks": split,
        }, correlation_id=line.order_id))
    log.info("line allocated", extra={"correlation_id": line.order_id, "line_id": line.line_id,
                                      "quantity": quantity, "allocated": result.allocated,
                                      "producers": len(result.quotas), "reallocated": reallocated})


def _announce_allocation(db: Database, session: Session, order_id: str) -> None:
    standing = dict(session.execute(
        select(quotas.c.line_id, func.sum(quotas.c.quantity))
        .where(quotas.c.order_id == order_id, quotas.c.status.in_(domain.OPEN_QUOTA_STATES))
        .group_by(quotas.c.line_id)).all())
    lines = session.execute(select(order_lines).where(order_lines.c.order_id == order_id)
                            .order_by(order_lines.c.line_id)).all()
    db.emit(session, new_event("order.allocated", {"order_id": order_id, "lines": [
        {"line_id": line.line_id, "offering_id": line.offering_id, "ordered": line.quantity,
         "allocated": int(standing.get(line.line_id, 0)),
         "shortfall": line.quantity - int(standing.get(line.line_id, 0))}
        for line in lines]}, correlation_id=order_id))


def allocate_order(db: Database, session: Session, event: Event) -> None:
    payload = event.payload
    _lock_offerings(session, [line["offering_id"] for line in payload["lines"]])
    for line in payload["lines"]:
        session.execute(order_lines.insert().values(line_id=line["line_id"], order_id=payload["order_id"],
                                                    offering_id=line["offering_id"], quantity=line["quantity"],
                                                    due_date=payload["due_date"]))
    for row in session.execute(select(order_lines).where(order_lines.c.order_id == payload["order_id"])
                               .order_by(order_lines.c.line_id)).all():
        _offer(db, session, row, row.quantity, excluded=set(), reallocated=False)
    _announce_allocation(db, session, payload["order_id"])


def _quota_view(row) -> dict:
    return {"id": row.quota_id, "ref": row.ref, "order_id": row.order_id, "line_id": row.line_id,
            "offering_id": row.offering_id, "producer_id": row.producer_id, "quantity": row.quantity,
            "status": row.status, "reallocated": row.reallocated, "offered_at": row.offered_at.isoformat(),
            "respond_by": row.respond_by.isoformat(),
            "answered_at": row.answered_at.isoformat() if row.answered_at else None}


def _locked_quota(session: Session, quota_id: str):
    row = session.execute(select(quotas).where(quotas.c.quota_id == quota_id)).one_or_none()
    if row is None:
        raise NotFound(f"quota {quota_id} not found")
    _lock_offerings(session, [row.offering_id])
    return session.execute(select(quotas).where(quotas.c.quota_id == quota_id).with_for_update()).one()


def _weeks_of(session: Session, quota_id: str) -> list:
    return [{"week_start": row.week_start, "units": row.units} for row in session.execute(
        select(quota_weeks).where(quota_weeks.c.quota_id == quota_id).order_by(quota_weeks.c.week_start))]


def _answer_event(session: Session, event_type: str, quota) -> Event:
    return new_event(event_type, {**{key: getattr(quota, key) for key in (
        "quota_id", "order_id", "line_id", "offering_id", "producer_id", "quantity")},
        "weeks": _weeks_of(session, quota.quota_id)}, correlation_id=quota.order_id)


def accept_quota(db: Database, session: Session, quota_id: str) -> dict:
    quota = _locked_quota(session, quota_id)
    if domain.answer_quota(quota.status, "accept"):
        session.execute(update(quotas).where(quotas.c.quota_id == quota_id)
                        .values(status=domain.QUOTA_ACCEPTED, answered_at=datetime.now(timezone.utc)))
        db.emit(session, _answer_event(session, "quota.accepted", quota))
        log.info("quota accepted", extra={"correlation_id": quota.order_id, "quota_id": quota_id})
    return get_quota(session, quota_id)


def decline_quota(db: Database, session: Session, quota_id: str) -> dict:
    """Decline, then offer the declined units to the other producers of the line that have free capacity."""
    quota = _locked_quota(session, quota_id)
    if domain.answer_quota(quota.status, "decline"):
        session.execute(update(quotas).where(quotas.c.quota_id == quota_id)
                        .values(status=domain.QUOTA_DECLINED, answered_at=datetime.now(timezone.utc)))
        db.emit(session, _answer_event(session, "quota.declined", quota))
        declined_by = set(session.execute(select(quotas.c.producer_id).where(
            quotas.c.line_id == quota.line_id, quotas.c.status == domain.QUOTA_DECLINED)).scalars())
        line = session.execute(select(order_lines).where(order_lines.c.line_id == quota.line_id)).one()
        _offer(db, session, line, quota.quantity, excluded=declined_by, reallocated=True)
        _announce_allocation(db, session, quota.order_id)
        log.info("quota declined", extra={"correlation_id": quota.order_id, "quota_id": quota_id})
    return get_quota(session, quota_id)


def get_quota(session: Session, quota_id: str) -> dict:
    row = session.execute(select(quotas).where(quotas.c.quota_id == quota_id)).one_or_none()
    if row is None:
        raise NotFound(f"quota {quota_id} not found")
    return _quota_view(row)


def _page(session: Session, table, filters: dict, order_by, view) -> dict:
    page, page_size = filters.pop("page"), filters.pop("page_size")
    conditions = [table.c[key] == value for key, value in filters.items()]
    rows, total = page_of(session, table, conditions, order_by, page, page_size)
    return paged([view(row) for row in rows], page, page_size, total)


def list_quotas(session: Session, query: dict) -> dict:
    filters = load_or_refuse(QuotaFilter(), query, "query")
    return _page(session, quotas, filters, (quotas.c.offered_at, quotas.c.quota_id), _quota_view)


def quota_counts(session: Session) -> dict:
    counts = {status: 0 for status in (domain.QUOTA_OFFERED, domain.QUOTA_ACCEPTED, domain.QUOTA_DECLINED)}
    counts.update(dict(session.execute(select(quotas.c.status, func.count()).group_by(quotas.c.status)).all()))
    return counts


def _lot_view(row) -> dict:
    return {"id": row.lot_id, "quota_id": row.quota_id, "order_id": row.order_id, "line_id": row.line_id,
            "offering_id": row.offering_id, "producer_id": row.producer_id, "quantity": row.quantity,
            "status": row.status, "reported_at": row.reported_at.isoformat(),
            "inspection": None if row.inspected_at is None else {
                "inspector": row.inspector, "sample_size": row.sample_size, "defects": row.defects,
                "acceptance_number": row.acceptance_number, "inspected_at": row.inspected_at.isoformat()}}


def report_lot(db: Database, session: Session, body: dict) -> dict:
    data = load_or_refuse(LotInput(), body, "lot")
    quota = session.execute(select(quotas).where(quotas.c.quota_id == data["quota_id"])
                            .with_for_update()).one_or_none()
    if quota is None:
        raise NotFound(f"quota {data['quota_id']} not found")
    reported = session.execute(select(func.coalesce(func.sum(lots.c.quantity), 0))
                               .where(lots.c.quota_id == quota.quota_id)).scalar_one()
    domain.check_lot(quota.status, quota.quantity, int(reported), data["quantity"])
    lot = dict(lot_id=new_id("lot"), quota_id=quota.quota_id, order_id=quota.order_id, line_id=quota.line_id,
               offering_id=quota.offering_id, producer_id=quota.producer_id, quantity=data["quantity"])
    session.execute(lots.insert().values(**lot, status=domain.LOT_REPORTED, reported_at=datetime.now(timezone.utc)))
    db.emit(session, new_event("lot.reported", lot, correlation_id=quota.order_id))
    return get_lot(session, lot["lot_id"])


def record_inspection(db: Database, session: Session, lot_id: str, body: dict) -> dict:
    data = load_or_refuse(InspectionInput(), body, "inspection")
    lot = session.execute(select(lots).where(lots.c.lot_id == lot_id).with_for_update()).one_or_none()
    if lot is None:
        raise NotFound(f"lot {lot_id} not found")
    if lot.status != domain.LOT_REPORTED:
        raise Conflict(f"lot {lot_id} was already inspected ({lot.status})")
    verdict = domain.inspection_verdict(lot.quantity, data["sample_size"], data["defects"],
                                        data["acceptance_number"])
    session.execute(update(lots).where(lots.c.lot_id == lot_id).values(
        status=domain.LOT_PASSED if verdict.passed else domain.LOT_FAILED, inspected_at=datetime.now(timezone.utc),
        **data))
    db.emit(session, new_event("lot.inspected", {
        **{key: getattr(lot, key) for key in ("lot_id", "quota_id", "order_id", "line_id", "offering_id",
                                              "producer_id", "quantity")},
        "sample_size": data["sample_size"], "defects": data["defects"],
        "acceptance_number": data["acceptance_number"], "passed": verdict.passed,
    }, correlation_id=lot.order_id))
    log.info("lot inspected", extra={"correlation_id": lot.order_id, "lot_id": lot_id, "passed": verdict.passed,
                                     "verdict": verdict.reason})
    return get_lot(session, lot_id)


def get_lot(session: Session, lot_id: str) -> dict:
    row = session.execute(select(lots).where(lots.c.lot_id == lot_id)).one_or_none()
    if row is None:
        raise NotFound(f"lot {lot_id} not found")
    return _lot_view(row)


def list_lots(session: Session, query: dict) -> dict:
    filters = load_or_refuse(LotFilter(), query, "query")
    return _page(session, lots, filters, (lots.c.reported_at, lots.c.lot_id), _lot_view)


def capacity_view(session: Session, offering_id: str) -> dict:
    """Declared, held (open quotas) and free units per approved producer over the weeks still open to orders."""
    if session.execute(select(offerings.c.offering_id).where(offerings.c.offering_id == offering_id)).scalar() is None:
        raise NotFound(f"offering {offering_id} is not known to allocation yet")
    today = datetime.now(timezone.utc).date()
    free = {producer_id: sum(units for _, units, _ in weeks)
            for producer_id, weeks in _free_weeks(session, offering_id, today, date.max).items()}
    declared = {}
    for row in session.execute(select(capacity_weeks).join(
            approved_producers, (approved_producers.c.producer_id == capacity_weeks.c.producer_id)
            & (approved_producers.c.offering_id == capacity_weeks.c.offering_id))
            .where(capacity_weeks.c.offering_id == offering_id)):
        if usable(row.week_start, row.lead_time_days, today, date.max):
            declared[row.producer_id] = declared.get(row.producer_id, 0) + row.units
    producers = [{"producer_id": producer_id, "declared": declared[producer_id],
                  "free": free.get(producer_id, 0), "committed": declared[producer_id] - free.get(producer_id, 0)}
                 for producer_id in sorted(declared)]
    return {"offering_id": offering_id, "producers": producers,
            **{key: sum(p[key] for p in producers) for key in ("declared", "committed", "free")}}
