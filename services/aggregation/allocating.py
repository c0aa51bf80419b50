"""Allocation: order lines split across producers as quota offers, the capacity they hold, and what happens when
units come back (declined, lapsed, given back, replaced) or an order is cancelled.

Capacity is shared by every order: allocation takes the offering's row lock first (``SELECT ... FOR UPDATE``), so
two orders allocated at the same moment see each other's quotas and never promise a producer more than it declared.
"""

import logging
from datetime import datetime, timezone

from sqlalchemy import func, select, update

from services.aggregation import capacity, domain, line_facts, metrics, settings, standing, top_ups
from services.aggregation.allocation import Candidate, eligible
from services.aggregation.planning import plan_line, plan_reallocation
from services.aggregation.store import order_lines, quota_weeks, quotas
from services.aggregation.store import top_ups as top_up_table
from shared.errors import NotYetKnown
from shared.events import Event, new_event
from shared.ids import new_id, short_ref
from shared.store import UnitOfWork

log = logging.getLogger(__name__)


class OrderUnknown(NotYetKnown):
    """A cancellation arrived before its order (the buyer cancelled at once, and ``order.cancelled`` overtook
    ``order.placed``): the message waits for the order, else the order would be allocated after its cancellation."""


def allocate_orders(uow: UnitOfWork, events: list[Event]) -> None:
    """Allocate the orders in the order they came, under one taking of their offerings' locks: orders that arrive
    together wait for the lock once, not once each."""
    session = uow.session
    capacity.lock_offerings(session, [line["offering_id"] for event in events for line in event.payload["lines"]])
    transit_time = settings.load().transit_time
    session.execute(
        order_lines.insert(),
        [
            dict(
                line_id=line["line_id"],
                order_id=event.payload["order_id"],
                offering_id=line["offering_id"],
                quantity=line["quantity"],
                due_date=event.payload["due_date"],
                needed_by=event.payload["due_date"] - transit_time,
                ask_again=False,
                cancelled=False,
                shortfall_reported=0,
                destination_country=event.payload["destination"]["country"],
            )
            for event in events
            for line in event.payload["lines"]
        ],
    )
    lines: dict[str, list] = {}
    for row in session.execute(
        select(order_lines)
        .where(order_lines.c.order_id.in_([event.payload["order_id"] for event in events]))
        .order_by(order_lines.c.line_id)
    ):
        lines.setdefault(row.order_id, []).append(row)
    facts = {
        offering_id: line_facts.offering_facts(session, offering_id)
        for offering_id in {row.offering_id for rows in lines.values() for row in rows}
    }
    for event in events:
        order_id = event.payload["order_id"]
        offered = {
            row.line_id: offer(uow, row, row.quantity, excluded=set(), reallocated=False, facts=facts[row.offering_id])
            for row in lines[order_id]
        }
        _announce(uow, order_id, lines[order_id], offered)


def cancel_order(uow: UnitOfWork, event: Event) -> None:
    """Compensation: every open quota of a cancelled order is released, its capacity freed, its producer told."""
    session = uow.session
    order_id = event.payload["order_id"]
    lines = session.execute(select(order_lines).where(order_lines.c.order_id == order_id)).all()
    if not lines:
        raise OrderUnknown(f"order {order_id} is not known here yet")
    capacity.lock_offerings(session, [line.offering_id for line in lines])
    session.execute(update(order_lines).where(order_lines.c.order_id == order_id).values(cancelled=True))
    reason = f"order cancelled: {event.payload['reason']}"
    for quota in session.execute(
        select(quotas)
        .where(quotas.c.order_id == order_id, quotas.c.status.in_(domain.TAKEN_ON_STATES))
        .order_by(quotas.c.quota_id)
        .with_for_update()
    ).all():
        top_up = top_ups.pending(session, quota.quota_id)
        if top_up is not None:
            top_ups.close(uow, quota, top_up, top_ups.RELEASED, reason, datetime.now(timezone.utc))
    for quota in session.execute(
        select(quotas)
        .where(quotas.c.order_id == order_id, quotas.c.status.in_(domain.OPEN_QUOTA_STATES))
        .order_by(quotas.c.quota_id)
        .with_for_update()
    ).all():
        session.execute(
            update(quotas)
            .where(quotas.c.quota_id == quota.quota_id)
            .values(status=domain.QUOTA_RELEASED, reason=reason)
        )
        capacity.release(session, quota)
        status_before = domain.QUOTA_OFFERED if quota.status == domain.QUOTA_OFFERED else domain.QUOTA_ACCEPTED
        uow.emit(capacity.quota_event(session, "quota.released", quota, status_before=status_before, reason=reason))
    log.info("order cancelled, quotas released", extra={"correlation_id": order_id})


def reallocate(uow: UnitOfWork, line_id: str, excluded=frozenset()) -> None:
    """Offer again whatever the line's quotas no longer cover: units given back now, and units that waited for a
    producer on the line to accept before she could be asked for more."""
    line = line_facts.order_line(uow.session, line_id)
    uncovered = line.quantity - line_facts.covered_units(uow.session, line_id)
    if line.cancelled or uncovered <= 0:
        return
    offer(uow, line, uncovered, excluded=set(excluded), reallocated=True)
    announce_allocation(uow, line.order_id)


def offer(
    uow: UnitOfWork, line, quantity: int, excluded: set, reallocated: bool, facts: tuple[dict, dict, int] | None = None
) -> int:
    """Offer ``quantity`` units of the line by `planning`'s rules, then report what stays uncovered; the units
    offered. A new line (not ``reallocated``) is split across the eligible producers; units to reallocate top up the
    quotas of producers already working on the line first, then go to as few new producers as capacity allows.
    ``facts`` are the offering's ``_offering_facts`` when the caller has them already."""
    session, config = uow.session, settings.load()
    now = datetime.now(timezone.utc)
    weeks = capacity.free_weeks(session, line.offering_id, now.date(), line.needed_by)
    pass_rates, standard, min_quota = facts or line_facts.offering_facts(session, line.offering_id)
    price, rates = line_facts.unit_costs(session, line.offering_id)
    candidates = eligible(
        [
            Candidate(
                producer_id,
                sum(free for _, free, _ in free_weeks),
                min_lot=max(min_lot for _, _, min_lot in free_weeks),
                pass_rate=pass_rates.get(producer_id, 1.0),
                unit_cost=rates.get(producer_id, price),
            )
            for producer_id, free_weeks in weeks.items()
        ],
        min_pass_rate=standard["min_pass_rate"],
        excluded_producer_ids=excluded,
    )
    respond_by = domain.respond_by(now, config.response_window, line.due_date)
    fairness = standing.producer_standing(session, line.offering_id, now)
    topped_up = waiting = 0
    with metrics.ALLOCATION_DURATION.labels("aggregation").time():
        if reallocated:
            holders = line_facts.holders(session, line.line_id)
            turned_down = (
                set()
                if line.ask_again
                else (
                    line_facts.turned_down(session, line.line_id)
                    | top_ups.turned_down(session, line.line_id)
                    | {p for p, q in holders.items() if q.given_back}
                )
            )
            working = [
                c
                for c in candidates
                if c.producer_id in holders
                and c.producer_id not in turned_down
                and holders[c.producer_id].status in domain.WORKING_STATES
                and top_ups.pending(session, holders[c.producer_id].quota_id) is None
            ]
            newcomers = [c for c in candidates if c.producer_id not in holders and c.producer_id not in turned_down]
            planned_top_ups, planned = plan_reallocation(
                quantity, working, newcomers, min_quota=min_quota, standing=fairness
            )
            for producer_id, units in sorted(planned_top_ups.items()):
                top_ups.offer(uow, holders[producer_id], units, weeks[producer_id], now, respond_by)
                topped_up += units
            # Producers yet to answer an offer on the line may take more once they accept: not a shortfall yet.
            waiting = sum(
                c.capacity
                for c in candidates
                if c.producer_id in holders and holders[c.producer_id].status == domain.QUOTA_OFFERED
            )
        else:
            planned = plan_line(
                quantity, candidates, min_quota=min_quota, policy=config.allocation_policy, standing=fairness
            )
    offered, weeks_taken, events = [], [], []
    for producer_id, units in sorted(planned.items()):
        quota = dict(
            quota_id=new_id("qta"),
            ref=short_ref(),
            order_id=line.order_id,
            line_id=line.line_id,
            offering_id=line.offering_id,
            producer_id=producer_id,
            quantity=units,
            offered_quantity=units,
            status=domain.QUOTA_OFFERED,
            reallocated=reallocated,
            offered_at=now,
            respond_by=respond_by,
        )
        offered.append(quota)
        split = capacity.split_by_week(units, weeks[producer_id])
        weeks_taken.extend(
            dict(quota_id=quota["quota_id"], producer_id=producer_id, offering_id=line.offering_id, **week)
            for week in split
        )
        events.append(
            new_event(
                "quota.offered",
                {
                    **{
                        key: quota[key]
                        for key in (
                            "quota_id",
                            "ref",
                            "order_id",
                            "line_id",
                            "offering_id",
                            "producer_id",
                            "quantity",
                            "respond_by",
                            "reallocated",
                        )
                    },
                    "weeks": split,
                    # The rate her lots will earn: the one the allocation weighed, carried with the quota.
                    "rate": rates.get(producer_id, price),
                },
                correlation_id=line.order_id,
            )
        )
    # One statement each for the quotas, their weeks, the held units and the events, however many producers.
    if offered:
        session.execute(quotas.insert(), offered)
        session.execute(quota_weeks.insert(), weeks_taken)
        capacity.hold_all(
            session,
            line.offering_id,
            [(week["producer_id"], week["week_start"], week["units"]) for week in weeks_taken],
            +1,
        )
        uow.emit_all(events)
    allocated = sum(planned.values()) + topped_up
    _report_shortfall(
        uow, line, covered=line_facts.covered_units(session, line.line_id) + waiting if reallocated else allocated
    )
    log.info(
        "line allocated",
        extra={
            "correlation_id": line.order_id,
            "line_id": line.line_id,
            "quantity": quantity,
            "allocated": allocated,
            "producers": len(planned),
            "topped_up": topped_up,
            "reallocated": reallocated,
        },
    )
    return allocated


def announce_allocation(uow: UnitOfWork, order_id: str) -> None:
    """``order.allocated`` again after a reallocation: each line's units in quotas and waiting top-ups, and the
    shortfall last reported."""
    session = uow.session
    standing_units = dict(
        session.execute(
            select(quotas.c.line_id, func.sum(quotas.c.quantity))
            .where(quotas.c.order_id == order_id, quotas.c.status.in_(domain.COVERING_STATES))
            .group_by(quotas.c.line_id)
        ).all()
    )
    for line_id, units in session.execute(
        select(top_up_table.c.line_id, func.sum(top_up_table.c.quantity))
        .where(top_up_table.c.order_id == order_id, top_up_table.c.status == top_ups.OFFERED)
        .group_by(top_up_table.c.line_id)
    ):
        standing_units[line_id] = standing_units.get(line_id, 0) + units
    lines = session.execute(
        select(order_lines).where(order_lines.c.order_id == order_id).order_by(order_lines.c.line_id)
    ).all()
    _announce(uow, order_id, lines, standing_units, {line.line_id: line.shortfall_reported for line in lines})


def _announce(uow: UnitOfWork, order_id: str, lines, standing_units: dict, shortfall: dict | None = None) -> None:
    """``order.allocated`` with each line's units standing in quotas and top-ups, and its shortfall: by default what
    they leave uncovered; ``shortfall`` when units also wait for producers on the line to answer first."""

    def short(line) -> int:
        if shortfall is not None:
            return shortfall[line.line_id]
        return max(0, line.quantity - int(standing_units.get(line.line_id, 0)))

    uow.emit(
        new_event(
            "order.allocated",
            {
                "order_id": order_id,
                "lines": [
                    {
                        "line_id": line.line_id,
                        "offering_id": line.offering_id,
                        "ordered": line.quantity,
                        "allocated": int(standing_units.get(line.line_id, 0)),
                        "shortfall": short(line),
                    }
                    for line in lines
                ],
            },
            correlation_id=order_id,
        )
    )


def _report_shortfall(uow: UnitOfWork, line, covered: int) -> None:
    """Tell buyer and aggregator when capacity runs out for a line, once for each new shortfall figure."""
    shortfall = max(0, line.quantity - covered)
    if shortfall == line.shortfall_reported:
        return
    uow.session.execute(
        update(order_lines).where(order_lines.c.line_id == line.line_id).values(shortfall_reported=shortfall)
    )
    if shortfall:
        uow.emit(
            new_event(
                "order.shortfall",
                {
                    "order_id": line.order_id,
                    "line_id": line.line_id,
                    "offering_id": line.offering_id,
                    "ordered": line.quantity,
                    "covered": line.quantity - shortfall,
                    "shortfall": shortfall,
                },
                correlation_id=line.order_id,
            )
        )
        log.info("line short", extra={"correlation_id": line.order_id, "line_id": line.line_id, "shortfall": shortfall})
