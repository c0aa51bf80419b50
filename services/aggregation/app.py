"""Use cases of the aggregation service, each inside the caller's transaction.

Capacity is shared by every order: allocation takes the offering's row lock first (``SELECT ... FOR UPDATE``), so
two orders allocated at the same moment see each other's quotas and never promise a producer more than it declared.
"""
import base64
import logging
import os
from dataclasses import asdict, replace
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from services.aggregation import capacity, domain, progress, quality, standing, top_ups
from services.aggregation.allocation import Candidate, eligible
from services.aggregation.planning import plan_line, plan_reallocation
from services.aggregation.schemas import (
    AcceptInput, DeclineInput, DispositionInput, InspectionInput, LotFilter, LotInput, PromiseInput, QuotaFilter,
    WidenInput,
)
from services.aggregation.store import (
    approved_producers, capacity_weeks, inspections, lot_photos, lots, offerings, order_lines, producer_snapshots,
    quota_weeks, quotas, switching_states,
)
from services.aggregation.store import top_ups as top_up_table
from shared.errors import Conflict, InvalidInput, NotFound, NotYetKnown, load_or_refuse
from shared.events import Event, new_event
from shared.ids import new_id, short_ref
from shared.store import Database, merge, page_of, paged, upsert
from shared import metrics
from shared.weeks import ready_on, usable

log = logging.getLogger(__name__)


class OrderUnknown(NotYetKnown):
    """A cancellation arrived before its order (the buyer cancelled at once, and ``order.cancelled`` overtook
    ``order.placed``): the message waits for the order, else the order would be allocated after its cancellation."""


def response_window() -> timedelta:
    return timedelta(hours=float(os.environ.get("BILUM_QUOTA_RESPONSE_HOURS", "48")))


def allocation_policy() -> str:
    return os.environ.get("BILUM_ALLOCATION_POLICY", "proportional")


def transit_time() -> timedelta:
    """Consolidation and carriage from the producers to the buyer: production must be done this long before the
    due date."""
    return timedelta(days=int(os.environ.get("BILUM_TRANSIT_DAYS", "21")))


def record_offering(session: Session, event: Event) -> None:
    payload = event.payload
    upsert(session, offerings, {"offering_id": payload["offering_id"]},
           {"sku": payload["sku"], "name": payload["name"], "organisation_id": payload["organisation_id"],
            "quality_standard": payload["quality_standard"], "withdrawn": False,
            "min_quota": payload.get("min_quota", 1)})


def record_withdrawal(session: Session, event: Event) -> None:
    """A withdrawn offering gets no new quotas; quotas already offered stand."""
    session.execute(update(offerings).where(offerings.c.offering_id == event.payload["offering_id"])
                    .values(withdrawn=True))


def record_producer(session: Session, event: Event) -> None:
    """Producer events are snapshots: the newest one wins, whatever order they arrive in, even at the same moment
    (the snapshot row stays locked while its approvals are replaced)."""
    payload = event.payload
    newest = merge(session, producer_snapshots, {
        "producer_id": payload["producer_id"], "organisation_id": payload["organisation_id"],
        "updated_at": event.occurred_at}, keys=("producer_id",), newer="updated_at")
    if not newest:
        return
    session.execute(approved_producers.delete().where(approved_producers.c.producer_id == payload["producer_id"]))
    for offering_id in sorted(set(payload["approved_offerings"])):
        session.execute(approved_producers.insert().values(producer_id=payload["producer_id"],
                                                           offering_id=offering_id))


def record_capacity(session: Session, event: Event) -> None:
    """The newest declaration of each producer, offering and week wins, whatever order the events arrive in."""
    for entry in event.payload["entries"]:
        merge(session, capacity_weeks, {**{name: entry[name] for name in (
            "producer_id", "offering_id", "week_start", "units", "lead_time_days", "min_lot")},
            "declared_at": event.occurred_at}, keys=("producer_id", "offering_id", "week_start"), newer="declared_at")


def _turned_down(session: Session, line_id: str) -> set:
    return set(session.execute(select(quotas.c.producer_id).where(
        quotas.c.line_id == line_id, quotas.c.status.in_(domain.TURNED_DOWN_STATES))).scalars())


def _open_units(session: Session, line_id: str) -> int:
    """Units of the line's quotas, with the top-ups waiting for an answer."""
    return int(session.execute(select(func.coalesce(func.sum(quotas.c.quantity), 0)).where(
        quotas.c.line_id == line_id, quotas.c.status.in_(domain.COVERING_STATES))).scalar_one()
    ) + top_ups.pending_units(session, line_id)


def _offering_facts(session: Session, offering_id: str) -> tuple[dict, dict, int]:
    """What allocation weighs besides free capacity: the producers' pass rates, the offering's standard and its
    smallest worthwhile quota."""
    min_quota = session.execute(select(offerings.c.min_quota)
                                .where(offerings.c.offering_id == offering_id)).scalar_one()
    return _pass_rates(session, offering_id), _standard(session, offering_id), min_quota


def _offer(db: Database, session: Session, line, quantity: int, excluded: set, reallocated: bool,
           facts: tuple[dict, dict, int] | None = None) -> int:
    """Offer ``quantity`` units of the line by `planning`'s rules, then report what stays uncovered; the units
    offered. A new line (not ``reallocated``) is split across the eligible producers; units to reallocate top up the
    quotas of producers already working on the line first, then go to as few new producers as capacity allows.
    ``facts`` are the offering's ``_offering_facts`` when the caller has them already."""
    now = datetime.now(timezone.utc)
    weeks = capacity.free_weeks(session, line.offering_id, now.date(), line.needed_by)
    pass_rates, standard, min_quota = facts or _offering_facts(session, line.offering_id)
    candidates = eligible(
        [Candidate(producer_id, sum(free for _, free, _ in free_weeks),
                   min_lot=max(min_lot for _, _, min_lot in free_weeks), pass_rate=pass_rates.get(producer_id, 1.0))
         for producer_id, free_weeks in weeks.items()],
        min_pass_rate=standard["min_pass_rate"], excluded_producer_ids=excluded)
    respond_by = min(now + response_window(), datetime.combine(line.due_date, time.min, tzinfo=timezone.utc))
    fairness = standing.producer_standing(session, line.offering_id, now)
    topped_up = waiting = 0
    with metrics.ALLOCATION_DURATION.labels("aggregation").time():
        if reallocated:
            holders = _holders(session, line.line_id)
            turned_down = set() if line.ask_again else (_turned_down(session, line.line_id)
                                                        | top_ups.turned_down(session, line.line_id)
                                                        | {p for p, q in holders.items() if q.given_back})
            working = [c for c in candidates if c.producer_id in holders and c.producer_id not in turned_down
                       and holders[c.producer_id].status in domain.WORKING_STATES
                       and top_ups.pending(session, holders[c.producer_id].quota_id) is None]
            newcomers = [c for c in candidates if c.producer_id not in holders and c.producer_id not in turned_down]
            planned_top_ups, planned = plan_reallocation(quantity, working, newcomers, min_quota=min_quota,
                                                         standing=fairness)
            for producer_id, units in sorted(planned_top_ups.items()):
                top_ups.offer(db, session, holders[producer_id], units, weeks[producer_id], now, respond_by)
                topped_up += units
            # Producers yet to answer an offer on the line may take more once they accept: not a shortfall yet.
            waiting = sum(c.capacity for c in candidates if c.producer_id in holders
                          and holders[c.producer_id].status == domain.QUOTA_OFFERED)
        else:
            planned = plan_line(quantity, candidates, min_quota=min_quota, policy=allocation_policy(),
                                standing=fairness)
    offered, weeks_taken, events = [], [], []
    for producer_id, units in sorted(planned.items()):
        quota = dict(quota_id=new_id("qta"), ref=short_ref(), order_id=line.order_id, line_id=line.line_id,
                     offering_id=line.offering_id, producer_id=producer_id, quantity=units, offered_quantity=units,
                     status=domain.QUOTA_OFFERED, reallocated=reallocated, offered_at=now, respond_by=respond_by)
        offered.append(quota)
        split = capacity.split_by_week(units, weeks[producer_id])
        weeks_taken.extend(dict(quota_id=quota["quota_id"], producer_id=producer_id, offering_id=line.offering_id,
                                **week) for week in split)
        events.append(new_event("quota.offered", {
            **{key: quota[key] for key in ("quota_id", "ref", "order_id", "line_id", "offering_id", "producer_id",
                                           "quantity", "respond_by", "reallocated")}, "weeks": split,
        }, correlation_id=line.order_id))
    # One statement each for the quotas, their weeks, the held units and the events, however many producers.
    if offered:
        session.execute(quotas.insert(), offered)
        session.execute(quota_weeks.insert(), weeks_taken)
        capacity.hold_all(session, line.offering_id, [(week["producer_id"], week["week_start"], week["units"])
                                                      for week in weeks_taken], +1)
        db.emit_all(session, events)
    allocated = sum(planned.values()) + topped_up
    _report_shortfall(db, session, line,
                      covered=_covered_units(session, line.line_id) + waiting if reallocated else allocated)
    log.info("line allocated", extra={"correlation_id": line.order_id, "line_id": line.line_id,
                                      "quantity": quantity, "allocated": allocated, "producers": len(planned),
                                      "topped_up": topped_up, "reallocated": reallocated})
    return allocated


def _holders(session: Session, line_id: str) -> dict:
    """The producers holding a quota of the line that counts towards it, with that quota: they get no second one."""
    return {row.producer_id: row for row in session.execute(select(quotas).where(
        quotas.c.line_id == line_id, quotas.c.status.in_(domain.COVERING_STATES)).order_by(quotas.c.quota_id))}


def _report_shortfall(db: Database, session: Session, line, covered: int | None = None) -> None:
    """Tell buyer and aggregator when capacity runs out for a line, once for each new shortfall figure; ``covered``
    is the line's covered units when the caller knows them (a new line: what it was just offered)."""
    if covered is None:
        covered = _covered_units(session, line.line_id)
    shortfall = max(0, line.quantity - covered)
    if shortfall == line.shortfall_reported:
        return
    session.execute(update(order_lines).where(order_lines.c.line_id == line.line_id)
                    .values(shortfall_reported=shortfall))
    if shortfall:
        db.emit(session, new_event("order.shortfall", {
            "order_id": line.order_id, "line_id": line.line_id, "offering_id": line.offering_id,
            "ordered": line.quantity, "covered": line.quantity - shortfall, "shortfall": shortfall,
        }, correlation_id=line.order_id))
        log.info("line short", extra={"correlation_id": line.order_id, "line_id": line.line_id,
                                      "shortfall": shortfall})


def _covered_units(session: Session, line_id: str) -> int:
    """Units the line's open quotas will make: a replaced lot stays on its accepted quota but covers nothing."""
    replaced = int(session.execute(select(func.coalesce(func.sum(lots.c.quantity), 0)).where(
        lots.c.line_id == line_id, lots.c.status == domain.LOT_REPLACED)).scalar_one())
    return _open_units(session, line_id) - replaced


def _line(session: Session, line_id: str):
    return session.execute(select(order_lines).where(order_lines.c.line_id == line_id)).one()


def _reallocate(db: Database, session: Session, line_id: str, excluded=frozenset()) -> None:
    """Offer again whatever the line's quotas no longer cover: units given back now, and units that waited for a
    producer on the line to accept before she could be asked for more."""
    line = _line(session, line_id)
    uncovered = line.quantity - _covered_units(session, line_id)
    if line.cancelled or uncovered <= 0:
        return
    _offer(db, session, line, uncovered, excluded=set(excluded), reallocated=True)
    _announce_allocation(db, session, line.order_id)


def _announce_allocation(db: Database, session: Session, order_id: str) -> None:
    standing = dict(session.execute(
        select(quotas.c.line_id, func.sum(quotas.c.quantity))
        .where(quotas.c.order_id == order_id, quotas.c.status.in_(domain.COVERING_STATES))
        .group_by(quotas.c.line_id)).all())
    for line_id, units in session.execute(
            select(top_up_table.c.line_id, func.sum(top_up_table.c.quantity))
            .where(top_up_table.c.order_id == order_id, top_up_table.c.status == top_ups.OFFERED)
            .group_by(top_up_table.c.line_id)):
        standing[line_id] = standing.get(line_id, 0) + units
    lines = session.execute(select(order_lines).where(order_lines.c.order_id == order_id)
                            .order_by(order_lines.c.line_id)).all()
    _announce(db, session, order_id, lines, standing, {line.line_id: line.shortfall_reported for line in lines})


def _announce(db: Database, session: Session, order_id: str, lines, standing: dict,
              shortfall: dict | None = None) -> None:
    """``order.allocated`` with each line's units standing in quotas and top-ups, and its shortfall: by default what
    they leave uncovered; ``shortfall`` when units also wait for producers on the line to answer first."""
    def short(line) -> int:
        if shortfall is not None:
            return shortfall[line.line_id]
        return max(0, line.quantity - int(standing.get(line.line_id, 0)))
    db.emit(session, new_event("order.allocated", {"order_id": order_id, "lines": [
        {"line_id": line.line_id, "offering_id": line.offering_id, "ordered": line.quantity,
         "allocated": int(standing.get(line.line_id, 0)), "shortfall": short(line)}
        for line in lines]}, correlation_id=order_id))


def allocate_order(db: Database, session: Session, event: Event) -> None:
    allocate_orders(db, session, [event])


def allocate_orders(db: Database, session: Session, events: list[Event]) -> None:
    """Allocate the orders in the order they came, under one taking of their offerings' locks: orders that arrive
    together wait for the lock once, not once each."""
    capacity.lock_offerings(session, [line["offering_id"] for event in events for line in event.payload["lines"]])
    session.execute(order_lines.insert(), [dict(
        line_id=line["line_id"], order_id=event.payload["order_id"], offering_id=line["offering_id"],
        quantity=line["quantity"], due_date=event.payload["due_date"],
        needed_by=event.payload["due_date"] - transit_time(), ask_again=False, cancelled=False,
        shortfall_reported=0) for event in events for line in event.payload["lines"]])
    lines = {}
    for row in session.execute(select(order_lines).where(order_lines.c.order_id.in_(
            [event.payload["order_id"] for event in events])).order_by(order_lines.c.line_id)):
        lines.setdefault(row.order_id, []).append(row)
    facts = {offering_id: _offering_facts(session, offering_id)
             for offering_id in {row.offering_id for rows in lines.values() for row in rows}}
    for event in events:
        order_id = event.payload["order_id"]
        offered = {row.line_id: _offer(db, session, row, row.quantity, excluded=set(), reallocated=False,
                                       facts=facts[row.offering_id])
                   for row in lines[order_id]}
        _announce(db, session, order_id, lines[order_id], offered)


def _organisations(session: Session, offering_ids) -> dict:
    """The organisation of each offering, as the catalogue published it."""
    return dict(session.execute(select(offerings.c.offering_id, offerings.c.organisation_id)
                                .where(offerings.c.offering_id.in_(set(offering_ids)))).all())


def _quota_view(session: Session, row, organisation_id: str | None) -> dict:
    """A quota with its progress: units reported in lots and left to report, units passed, and a top-up waiting
    for her answer."""
    reported, passed = session.execute(select(
        func.coalesce(func.sum(lots.c.quantity), 0),
        func.coalesce(func.sum(case((lots.c.status == domain.LOT_PASSED, lots.c.quantity), else_=0)), 0))
        .where(lots.c.quota_id == row.quota_id)).one()
    return {"id": row.quota_id, "ref": row.ref, "organisation_id": organisation_id, "order_id": row.order_id,
            "line_id": row.line_id,
            "offering_id": row.offering_id, "producer_id": row.producer_id, "quantity": row.quantity,
            "offered_quantity": row.offered_quantity, "status": row.status, "reason": row.reason,
            "reallocated": row.reallocated, "offered_at": row.offered_at.isoformat(),
            "respond_by": row.respond_by.isoformat(),
            "answered_at": row.answered_at.isoformat() if row.answered_at else None,
            "reported": int(reported), "passed": int(passed),
            "left_to_report": max(0, row.quantity - int(reported)) if row.status in domain.WORKING_STATES else 0,
            "finished": row.status in domain.FINISHED_STATES,
            "top_up": top_ups.view(session, row.quota_id) if row.status in domain.TAKEN_ON_STATES else None}


def _locked_quota(session: Session, quota_id: str):
    row = session.execute(select(quotas).where(quotas.c.quota_id == quota_id)).one_or_none()
    if row is None:
        raise NotFound(f"quota {quota_id} not found")
    capacity.lock_offerings(session, [row.offering_id])
    return session.execute(select(quotas).where(quotas.c.quota_id == quota_id).with_for_update()).one()


def accept_quota(db: Database, session: Session, quota_id: str, body: dict | None = None) -> dict:
    """Accept in full, or in part: the part not taken on goes back to allocation at once. On a quota taken on
    already, with a top-up waiting, this accepts the top-up (``quantity`` is then the extra units taken on)."""
    wanted = load_or_refuse(AcceptInput(), body or {}, "acceptance")["quantity"]
    quota = _locked_quota(session, quota_id)
    top_up = top_ups.pending(session, quota_id) if quota.status in domain.TAKEN_ON_STATES else None
    if top_up is not None:
        given_back = top_ups.accept(db, session, quota, top_up, wanted, datetime.now(timezone.utc))
        progress.advance(db, session, quota_id)
        _reallocate(db, session, quota.line_id, excluded={quota.producer_id} if given_back else ())
        return get_quota(session, quota_id)
    if not domain.answer_quota(quota.status, "accept"):
        return get_quota(session, quota_id)
    accepted = domain.accepted_part(quota.quantity, wanted, capacity.min_lot(session, quota))
    given_back = quota.quantity - accepted
    if given_back:
        weeks = [(row.week_start, row.units) for row in session.execute(
            select(quota_weeks).where(quota_weeks.c.quota_id == quota_id))]
        kept = domain.trim_weeks(weeks, accepted)
        capacity.hold(session, quota.producer_id, quota.offering_id, weeks, -1)
        capacity.hold(session, quota.producer_id, quota.offering_id, kept, +1)
        session.execute(quota_weeks.delete().where(quota_weeks.c.quota_id == quota_id))
        for week_start, units in kept:
            session.execute(quota_weeks.insert().values(quota_id=quota_id, producer_id=quota.producer_id,
                                                        offering_id=quota.offering_id, week_start=week_start,
                                                        units=units))
    session.execute(update(quotas).where(quotas.c.quota_id == quota_id).values(
        status=domain.QUOTA_ACCEPTED, quantity=accepted, given_back=given_back,
        answered_at=datetime.now(timezone.utc)))
    quota = session.execute(select(quotas).where(quotas.c.quota_id == quota_id)).one()
    db.emit(session, capacity.quota_event(session, "quota.accepted", quota, declined_quantity=given_back))
    log.info("quota accepted", extra={"correlation_id": quota.order_id, "quota_id": quota_id,
                                      "accepted": accepted, "given_back": given_back})
    _reallocate(db, session, quota.line_id, excluded={quota.producer_id} if given_back else ())
    return get_quota(session, quota_id)


def decline_quota(db: Database, session: Session, quota_id: str, body: dict | None = None) -> dict:
    """Decline, then offer the declined units to the other eligible producers of the line."""
    reason = load_or_refuse(DeclineInput(), body or {}, "decline")["reason"]
    quota = _locked_quota(session, quota_id)
    top_up = top_ups.pending(session, quota_id) if quota.status in domain.TAKEN_ON_STATES else None
    if top_up is not None:
        top_ups.close(db, session, quota, top_up, top_ups.DECLINED, reason, datetime.now(timezone.utc))
        _reallocate(db, session, quota.line_id)
    elif domain.answer_quota(quota.status, "decline"):
        session.execute(update(quotas).where(quotas.c.quota_id == quota_id).values(
            status=domain.QUOTA_DECLINED, reason=reason, answered_at=datetime.now(timezone.utc)))
        capacity.release(session, quota)
        db.emit(session, capacity.quota_event(session, "quota.declined", quota, reason=reason))
        log.info("quota declined", extra={"correlation_id": quota.order_id, "quota_id": quota_id})
        _reallocate(db, session, quota.line_id)
    return get_quota(session, quota_id)


def expire_quotas(db: Database, session: Session, now: datetime, batch: int = 50) -> int:
    """Offers whose deadline passed lapse, and their units go to other producers. All the lapsed offers of a batch
    lapse before any is reallocated, so that none goes to a producer whose own offer has lapsed too. Several
    processes may run this at once: each takes the quotas no other has locked."""
    due = session.execute(select(quotas.c.quota_id, quotas.c.offering_id).where(
        quotas.c.status == domain.QUOTA_OFFERED, quotas.c.respond_by < now)
        .order_by(quotas.c.respond_by).limit(batch).with_for_update(skip_locked=True)).all()
    lapsed = []
    for quota_id, _ in sorted(due, key=lambda row: (row.offering_id, row.quota_id)):
        quota = _locked_quota(session, quota_id)
        if quota.status != domain.QUOTA_OFFERED:
            continue
        session.execute(update(quotas).where(quotas.c.quota_id == quota_id).values(
            status=domain.QUOTA_EXPIRED, reason="not answered by the deadline", answered_at=now))
        capacity.release(session, quota)
        db.emit(session, capacity.quota_event(session, "quota.expired", quota))
        log.info("quota expired", extra={"correlation_id": quota.order_id, "quota_id": quota_id})
        lapsed.append(quota)
    lapsed_top_ups = []
    for top_up in sorted(top_ups.lapsed(session, now, batch), key=lambda row: (row.offering_id, row.top_up_id)):
        quota = _locked_quota(session, top_up.quota_id)
        top_ups.close(db, session, quota, top_up, top_ups.EXPIRED, "not answered by the deadline", now)
        lapsed_top_ups.append(top_up)
    for quota in lapsed + lapsed_top_ups:
        _reallocate(db, session, quota.line_id)
    metrics.QUOTAS_EXPIRED.labels("aggregation").inc(len(lapsed))
    return len(lapsed) + len(lapsed_top_ups)


def cancel_order(db: Database, session: Session, event: Event) -> None:
    """Compensation: every open quota of a cancelled order is released, its capacity freed, its producer told."""
    order_id = event.payload["order_id"]
    lines = session.execute(select(order_lines).where(order_lines.c.order_id == order_id)).all()
    if not lines:
        raise OrderUnknown(f"order {order_id} is not known here yet")
    capacity.lock_offerings(session, [line.offering_id for line in lines])
    session.execute(update(order_lines).where(order_lines.c.order_id == order_id).values(cancelled=True))
    reason = f"order cancelled: {event.payload['reason']}"
    for quota in session.execute(select(quotas).where(
            quotas.c.order_id == order_id, quotas.c.status.in_(domain.TAKEN_ON_STATES))
            .order_by(quotas.c.quota_id).with_for_update()).all():
        top_up = top_ups.pending(session, quota.quota_id)
        if top_up is not None:
            top_ups.close(db, session, quota, top_up, top_ups.RELEASED, reason, datetime.now(timezone.utc))
    for quota in session.execute(select(quotas).where(
            quotas.c.order_id == order_id, quotas.c.status.in_(domain.OPEN_QUOTA_STATES))
            .order_by(quotas.c.quota_id).with_for_update()).all():
        session.execute(update(quotas).where(quotas.c.quota_id == quota.quota_id).values(
            status=domain.QUOTA_RELEASED, reason=reason))
        capacity.release(session, quota)
        status_before = domain.QUOTA_OFFERED if quota.status == domain.QUOTA_OFFERED else domain.QUOTA_ACCEPTED
        db.emit(session, capacity.quota_event(session, "quota.released", quota, status_before=status_before,
                                              reason=reason))
    log.info("order cancelled, quotas released", extra={"correlation_id": order_id})


def widen_search(db: Database, session: Session, line_id: str, body: dict, organisation_id: str | None = None) -> dict:
    """The aggregator's one call when a line is short: accept later production (a new deadline) and, if asked,
    producers who turned the line down before; then offer what is uncovered again. With ``organisation_id``, a line
    of another organisation's offering is not found."""
    data = load_or_refuse(WidenInput(), body, "widening")
    line = session.execute(select(order_lines).where(order_lines.c.line_id == line_id)).one_or_none()
    if line is None or (organisation_id is not None
                        and _organisations(session, [line.offering_id]).get(line.offering_id) != organisation_id):
        raise NotFound(f"order line {line_id} not found")
    capacity.lock_offerings(session, [line.offering_id])
    if line.cancelled:
        raise Conflict(f"order line {line_id} belongs to a cancelled order")
    if data["needed_by"] and data["needed_by"] < line.needed_by:
        raise InvalidInput("widening refused", {"needed_by": [f"already {line.needed_by}; widening moves it later"]})
    session.execute(update(order_lines).where(order_lines.c.line_id == line_id).values(
        needed_by=data["needed_by"] or line.needed_by, ask_again=data["ask_again"] or line.ask_again))
    line = _line(session, line_id)
    uncovered = line.quantity - _covered_units(session, line_id)
    if uncovered > 0:
        _offer(db, session, line, uncovered, excluded=set(), reallocated=True)
        _announce_allocation(db, session, line.order_id)
    line = _line(session, line_id)
    return {"line_id": line_id, "order_id": line.order_id, "needed_by": line.needed_by.isoformat(),
            "ask_again": line.ask_again, "covered": _covered_units(session, line_id), "ordered": line.quantity,
            "shortfall": line.shortfall_reported}


# Built once: a marshmallow schema costs more to build than to use, and keeps nothing between loads.
_PROMISE_INPUT = PromiseInput(many=True)


def delivery_promise(session: Session, lines: list, today: date) -> str | None:
    """The earliest delivery the calendars allow for all lines: each line's units made in the earliest weeks,
    then consolidation and transit. None when the calendars cannot make some line at all."""
    ready = []
    for line in load_or_refuse(_PROMISE_INPUT, lines, "lines"):
        free_by_week = {}
        for weeks in capacity.free_weeks(session, line["offering_id"], today, date.max).values():
            for week_start, free, _ in weeks:
                free_by_week[week_start] = free_by_week.get(week_start, 0) + free
        week = domain.earliest_completion(line["quantity"], free_by_week)
        if week is None:
            return None
        ready.append(ready_on(week))
    return (max(ready) + transit_time()).isoformat()


def get_quota(session: Session, quota_id: str) -> dict:
    row = session.execute(select(quotas).where(quotas.c.quota_id == quota_id)).one_or_none()
    if row is None:
        raise NotFound(f"quota {quota_id} not found")
    return _quota_view(session, row, _organisations(session, [row.offering_id]).get(row.offering_id))


def _page(session: Session, table, filters: dict, order_by, view, conditions=()) -> dict:
    """A page of quotas or lots; ``view(row, organisation_id)`` shows each with its offering's organisation."""
    page, page_size = filters.pop("page"), filters.pop("page_size")
    organisation_id = filters.pop("organisation_id", None)
    conditions = [*conditions, *(table.c[key] == value for key, value in filters.items())]
    if organisation_id is not None:
        conditions.append(table.c.offering_id.in_(select(offerings.c.offering_id)
                                                   .where(offerings.c.organisation_id == organisation_id)))
    rows, total = page_of(session, table, conditions, order_by, page, page_size)
    organisations = _organisations(session, [row.offering_id for row in rows])
    return paged([view(row, organisations.get(row.offering_id)) for row in rows], page, page_size, total)


def list_quotas(session: Session, query: dict) -> dict:
    """Quotas by order, producer or status; ``finished`` keeps the finished ones (delivered, closed short,
    declined, expired, released) or the others; ``newest_first`` puts the latest offers first (a history)."""
    filters = load_or_refuse(QuotaFilter(), query, "query")
    finished, newest_first = filters.pop("finished"), filters.pop("newest_first")
    conditions = []
    if finished is not None:
        in_finished = quotas.c.status.in_(domain.FINISHED_STATES)
        conditions.append(in_finished if finished else ~in_finished)
    order_by = (quotas.c.offered_at.desc(), quotas.c.quota_id.desc()) if newest_first else (
        quotas.c.offered_at, quotas.c.quota_id)
    return _page(session, quotas, filters, order_by,
                 lambda row, organisation_id: _quota_view(session, row, organisation_id), conditions)


def _of_organisation(column, organisation_id: str | None) -> list:
    """The condition that keeps rows of one aggregator organisation's offerings; none for everyone's."""
    if not organisation_id:
        return []
    return [column.in_(select(offerings.c.offering_id).where(offerings.c.organisation_id == organisation_id))]


def quota_counts(session: Session, organisation_id: str | None = None) -> dict:
    counts = {status: 0 for status in domain.QUOTA_STATES}
    counts.update(dict(session.execute(select(quotas.c.status, func.count())
                                       .where(*_of_organisation(quotas.c.offering_id, organisation_id))
                                       .group_by(quotas.c.status)).all()))
    return counts


def fulfilment_figures(session: Session, organisation_id: str | None, now: datetime) -> dict:
    """The dashboard's figures that allocation owns: how long open offers have waited, each producer's first-time
    QC pass rate, and how much of the capacity declared from this week on open quotas hold."""
    waiting = session.execute(select(quotas.c.offered_at).where(
        quotas.c.status == domain.QUOTA_OFFERED, *_of_organisation(quotas.c.offering_id, organisation_id))).scalars()
    first = session.execute(
        select(inspections.c.producer_id, func.count(), func.sum(case((inspections.c.passed, 1), else_=0)))
        .where(inspections.c.attempt == 1, *_of_organisation(inspections.c.offering_id, organisation_id))
        .group_by(inspections.c.producer_id).order_by(inspections.c.producer_id)).all()
    this_week = now.date() - timedelta(days=now.weekday())
    by_offering = session.execute(
        select(offerings.c.offering_id, offerings.c.sku, func.sum(capacity_weeks.c.units),
               func.sum(capacity_weeks.c.held))
        .join(capacity_weeks, capacity_weeks.c.offering_id == offerings.c.offering_id)
        .where(capacity_weeks.c.week_start >= this_week, *_of_organisation(offerings.c.offering_id, organisation_id))
        .group_by(offerings.c.offering_id, offerings.c.sku).order_by(offerings.c.sku)).all()
    offerings_view = [{"offering_id": row[0], "sku": row[1], "declared": int(row[2]), "allocated": int(row[3]),
                       "utilisation": domain.share(int(row[3]), int(row[2]))} for row in by_offering]
    declared = sum(item["declared"] for item in offerings_view)
    allocated = sum(item["allocated"] for item in offerings_view)
    return {
        "open_quota_ages": domain.quota_ages(list(waiting), now),
        "pass_rates": [{"producer_id": producer_id, "inspected": int(total), "passed": int(passed),
                        "rate": domain.share(int(passed), int(total))} for producer_id, total, passed in first],
        "capacity": {"declared": declared, "allocated": allocated,
                     "utilisation": domain.share(allocated, declared), "offerings": offerings_view},
        "work_shares": standing.work_shares(session, organisation_id, now),
    }


def _switching_state(session: Session, producer_id: str, offering_id: str) -> quality.SwitchingState:
    row = session.execute(select(switching_states.c.state).where(
        switching_states.c.producer_id == producer_id, switching_states.c.offering_id == offering_id)).scalar()
    if row is None:
        return quality.SwitchingState()
    return quality.SwitchingState(
        severity=row["severity"], switching_score=row["switching_score"],
        recent_on_normal=tuple(row["recent_on_normal"]),
        accepted_in_a_row_on_tightened=row["accepted_in_a_row_on_tightened"],
        not_accepted_on_tightened=row["not_accepted_on_tightened"],
        history=tuple(quality.SwitchRecord(**line) for line in row["history"]))


def _save_switching_state(session: Session, producer_id: str, offering_id: str,
                          state: quality.SwitchingState) -> None:
    upsert(session, switching_states, {"producer_id": producer_id, "offering_id": offering_id}, {
        "state": {**{key: getattr(state, key) for key in (
            "severity", "switching_score", "accepted_in_a_row_on_tightened", "not_accepted_on_tightened")},
            "recent_on_normal": list(state.recent_on_normal),
            "history": [asdict(line) for line in state.history]},
        "updated_at": datetime.now(timezone.utc)})


def _standard(session: Session, offering_id: str) -> dict:
    return session.execute(select(offerings.c.quality_standard)
                           .where(offerings.c.offering_id == offering_id)).scalar_one()


def _plans(session: Session, lot) -> dict:
    """The ISO 2859-1 plan for each defect class of the offering's standard, at the producer's current severity;
    a reworked lot is inspected again on tightened inspection."""
    standard = _standard(session, lot.offering_id)
    severity = _switching_state(session, lot.producer_id, lot.offering_id).severity
    if lot.attempt > 1 or severity == quality.DISCONTINUED:
        severity = quality.TIGHTENED
    if lot.quantity > 1:
        return quality.inspection_plans(lot.quantity, standard["aql"], standard["inspection_level"], severity)
    # Table 1 starts at lots of two; a single unit is simply inspected, with the smallest lot's acceptance numbers.
    plans = quality.inspection_plans(2, standard["aql"], standard["inspection_level"], severity)
    return {name: replace(plan, lot_size=1, sample_size=1, full_inspection=True) for name, plan in plans.items()}


def _plan_view(plans: dict) -> list:
    return [{"defect_class": name, "aql": float(plan.aql), "code_letter": plan.code_letter,
             "plan_letter": plan.plan_letter, "sample_size": plan.sample_size, "accept": plan.accept,
             "reject": plan.reject, "severity": plan.severity, "full_inspection": plan.full_inspection}
            for name, plan in plans.items()]


def _lot_view(session: Session, row, organisation_id: str | None) -> dict:
    inspected = [{"attempt": i.attempt, "inspector": i.inspector, "severity": i.severity, "classes": i.classes,
                  "findings": i.findings, "passed": i.passed, "inspected_at": i.inspected_at.isoformat()}
                 for i in session.execute(select(inspections).where(inspections.c.lot_id == row.lot_id)
                                          .order_by(inspections.c.attempt))]
    awaiting = row.status == domain.LOT_REPORTED
    return {"id": row.lot_id, "organisation_id": organisation_id, "quota_id": row.quota_id, "order_id": row.order_id,
            "line_id": row.line_id,
            "offering_id": row.offering_id, "producer_id": row.producer_id, "quantity": row.quantity,
            "status": row.status, "attempt": row.attempt, "reported_at": row.reported_at.isoformat(),
            "disposition_reason": row.disposition_reason,
            "photos": int(session.execute(select(func.count()).select_from(lot_photos)
                                          .where(lot_photos.c.lot_id == row.lot_id)).scalar_one()),
            "plan": _plan_view(_plans(session, row)) if awaiting else None, "inspections": inspected}


def _lot_payload(lot) -> dict:
    return {key: getattr(lot, key) for key in ("lot_id", "quota_id", "order_id", "line_id", "offering_id",
                                               "producer_id", "quantity")}


def report_lot(db: Database, session: Session, quota_id: str, body: dict) -> dict:
    """A producer's finished lot against an accepted quota; it waits for an inspector."""
    data = load_or_refuse(LotInput(), body, "lot")
    quota = session.execute(select(quotas).where(quotas.c.quota_id == quota_id).with_for_update()).one_or_none()
    if quota is None:
        raise NotFound(f"quota {quota_id} not found")
    if data["client_ref"]:
        repeated = session.execute(select(lots.c.lot_id).where(
            lots.c.quota_id == quota_id, lots.c.client_ref == data["client_ref"])).scalar()
        if repeated:
            return get_lot(session, repeated)
    reported = session.execute(select(func.coalesce(func.sum(lots.c.quantity), 0))
                               .where(lots.c.quota_id == quota_id)).scalar_one()
    domain.check_lot(quota.status, quota.quantity, int(reported), data["quantity"])
    lot = dict(lot_id=new_id("lot"), quota_id=quota_id, order_id=quota.order_id, line_id=quota.line_id,
               offering_id=quota.offering_id, producer_id=quota.producer_id, quantity=data["quantity"])
    session.execute(lots.insert().values(**lot, status=domain.LOT_REPORTED, attempt=1, client_ref=data["client_ref"],
                                         reported_at=datetime.now(timezone.utc)))
    for position, photo in enumerate(data["photos"]):
        session.execute(lot_photos.insert().values(lot_id=lot["lot_id"], position=position,
                                                   content_type=photo["content_type"],
                                                   data=base64.b64decode(photo["data"])))
    db.emit(session, new_event("lot.reported", lot, correlation_id=quota.order_id))
    progress.advance(db, session, quota_id)
    log.info("lot reported", extra={"correlation_id": quota.order_id, "lot_id": lot["lot_id"],
                                    "quantity": data["quantity"]})
    return get_lot(session, lot["lot_id"])


def _locked_lot(session: Session, lot_id: str):
    lot = session.execute(select(lots).where(lots.c.lot_id == lot_id).with_for_update()).one_or_none()
    if lot is None:
        raise NotFound(f"lot {lot_id} not found")
    return lot


def record_inspection(db: Database, session: Session, lot_id: str, body: dict) -> dict:
    """The inspector's findings decide the lot by its plans; an original inspection also moves the producer's
    switching state (normal, tightened, reduced) for the offering."""
    data = load_or_refuse(InspectionInput(), body, "inspection")
    lot = _locked_lot(session, lot_id)
    organisation = session.execute(select(offerings.c.organisation_id)
                                   .where(offerings.c.offering_id == lot.offering_id)).scalar_one()
    if data["organisation_id"] != organisation:
        raise Conflict(f"lot {lot_id} belongs to another organisation; its own inspectors inspect it")
    if lot.status != domain.LOT_REPORTED:
        raise Conflict(f"lot {lot_id} is {lot.status}; only a reported lot is inspected")
    plans = _plans(session, lot)
    defects = domain.defects_by_class(data["findings"], plans)
    try:
        decision = quality.decide_lot(plans, defects)
    except ValueError as error:
        raise InvalidInput("inspection refused", {"findings": [str(error)]}) from None
    now = datetime.now(timezone.utc)
    if lot.attempt == 1:
        standard = _standard(session, lot.offering_id)
        state = _switching_state(session, lot.producer_id, lot.offering_id)
        if state.severity == decision.severity:
            _save_switching_state(session, lot.producer_id, lot.offering_id, quality.record(
                state, decision.lot_result(lot_id), production_steady=True,
                reduced_approved=bool(standard.get("reduced_inspection"))))
    classes = [{"defect_class": v.defect_class, "aql": float(v.plan.aql), "code_letter": v.plan.code_letter,
                "sample_size": v.plan.sample_size, "accept": v.plan.accept, "reject": v.plan.reject,
                "defects": v.defects} for v in decision.verdicts]
    session.execute(inspections.insert().values(
        lot_id=lot_id, attempt=lot.attempt, producer_id=lot.producer_id, offering_id=lot.offering_id,
        inspector=data["inspector"], severity=decision.severity, classes=classes, findings=data["findings"],
        passed=decision.accepted, inspected_at=now))
    session.execute(update(lots).where(lots.c.lot_id == lot_id).values(
        status=domain.LOT_PASSED if decision.accepted else domain.LOT_FAILED, decided_at=now))
    db.emit(session, new_event("lot.inspected", {
        **_lot_payload(lot), "attempt": lot.attempt, "severity": decision.severity, "classes": classes,
        "passed": decision.accepted}, correlation_id=lot.order_id))
    log.info("lot inspected", extra={"correlation_id": lot.order_id, "lot_id": lot_id,
                                     "passed": decision.accepted, "verdict": decision.reason})
    if not decision.accepted:
        action = _standard(session, lot.offering_id)["rejected_lot_action"]
        if action != "ask":
            _dispose(db, session, lot_id, action, f"the offering's standard says {action}")
    progress.advance(db, session, lot.quota_id)
    return get_lot(session, lot_id)


def decide_rejected_lot(db: Database, session: Session, lot_id: str, body: dict) -> dict:
    """The aggregator's choice for a rejected lot: rework (fixed, then inspected again, tightened) or replace (made
    again by others)."""
    data = load_or_refuse(DispositionInput(), body, "decision")
    _dispose(db, session, lot_id, data["action"], data["reason"])
    return get_lot(session, lot_id)


def _dispose(db: Database, session: Session, lot_id: str, action: str, reason: str) -> None:
    lot = _locked_lot(session, lot_id)
    if lot.status != domain.LOT_FAILED:
        raise Conflict(f"lot {lot_id} is {lot.status}; only a rejected lot is reworked or replaced")
    if action == "rework":
        session.execute(update(lots).where(lots.c.lot_id == lot_id).values(
            status=domain.LOT_REWORK, disposition_reason=reason))
        db.emit(session, new_event("lot.rework_requested", {**_lot_payload(lot), "reason": reason},
                                   correlation_id=lot.order_id))
        return
    capacity.lock_offerings(session, [lot.offering_id])
    session.execute(update(lots).where(lots.c.lot_id == lot_id).values(
        status=domain.LOT_REPLACED, disposition_reason=reason))
    db.emit(session, new_event("lot.replaced", {**_lot_payload(lot), "reason": reason}, correlation_id=lot.order_id))
    log.info("lot replaced", extra={"correlation_id": lot.order_id, "lot_id": lot_id, "quantity": lot.quantity})
    progress.advance(db, session, lot.quota_id)
    _reallocate(db, session, lot.line_id, excluded={lot.producer_id})


def resubmit_lot(db: Database, session: Session, lot_id: str) -> dict:
    """The producer fixed a lot sent back for rework: it waits for its next inspection."""
    lot = _locked_lot(session, lot_id)
    if lot.status != domain.LOT_REWORK:
        raise Conflict(f"lot {lot_id} is {lot.status}; only a lot sent back for rework is resubmitted")
    session.execute(update(lots).where(lots.c.lot_id == lot_id).values(
        status=domain.LOT_REPORTED, attempt=lot.attempt + 1))
    return get_lot(session, lot_id)


def get_lot(session: Session, lot_id: str) -> dict:
    row = session.execute(select(lots).where(lots.c.lot_id == lot_id)).one_or_none()
    if row is None:
        raise NotFound(f"lot {lot_id} not found")
    return _lot_view(session, row, _organisations(session, [row.offering_id]).get(row.offering_id))


def list_lots(session: Session, query: dict) -> dict:
    filters = load_or_refuse(LotFilter(), query, "query")
    order_by = ((lots.c.reported_at.desc(), lots.c.lot_id.desc()) if filters.pop("newest_first")
                else (lots.c.reported_at, lots.c.lot_id))
    return _page(session, lots, filters, order_by,
                 lambda row, organisation_id: _lot_view(session, row, organisation_id))


def inspection_history(session: Session, producer_id: str, offering_id: str) -> dict:
    """The switching history the inspector and aggregator see: every original inspection and each change."""
    state = _switching_state(session, producer_id, offering_id)
    return {"producer_id": producer_id, "offering_id": offering_id, "severity": state.severity,
            "switching_score": state.switching_score, "pass_rate": _pass_rates(session, offering_id,
                                                                                [producer_id]).get(producer_id),
            "history": [asdict(line) for line in state.history]}


def _pass_rates(session: Session, offering_id: str, producer_ids=None) -> dict:
    """Share of a producer's lots of this offering that passed their first inspection."""
    query = (select(inspections.c.producer_id, func.count(), func.sum(case((inspections.c.passed, 1), else_=0)))
             .where(inspections.c.offering_id == offering_id, inspections.c.attempt == 1)
             .group_by(inspections.c.producer_id))
    if producer_ids is not None:
        query = query.where(inspections.c.producer_id.in_(producer_ids))
    return {producer_id: int(passed) / total for producer_id, total, passed in session.execute(query)}


def capacity_view(session: Session, offering_id: str) -> dict:
    """Declared, held (open quotas) and free units per approved producer over the weeks still open to orders."""
    if session.execute(select(offerings.c.offering_id).where(offerings.c.offering_id == offering_id)).scalar() is None:
        raise NotFound(f"offering {offering_id} is not known to allocation yet")
    today = datetime.now(timezone.utc).date()
    free = {producer_id: sum(units for _, units, _ in weeks)
            for producer_id, weeks in capacity.free_weeks(session, offering_id, today, date.max).items()}
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
