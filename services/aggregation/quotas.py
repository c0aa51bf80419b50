"""A quota offer's life: the producer accepts (all or part) or declines it, or lets it lapse; the aggregator widens
the search for a line that is short. Units that come back are offered again at once (``allocating.reallocate``)."""

import logging
from datetime import datetime, timezone

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.aggregation import allocating, capacity, domain, line_facts, metrics, progress, top_ups, views
from services.aggregation.schemas import AcceptInput, DeclineInput, WidenInput
from services.aggregation.store import order_lines, quota_weeks, quotas
from shared.errors import Conflict, InvalidInput, NotFound, load_or_refuse
from shared.store import UnitOfWork

log = logging.getLogger(__name__)


def accept(uow: UnitOfWork, quota_id: str, body: dict | None = None) -> dict:
    """Accept in full, or in part: the part not taken on goes back to allocation at once. On a quota taken on
    already, with a top-up waiting, this accepts the top-up (``quantity`` is then the extra units taken on)."""
    session = uow.session
    wanted = load_or_refuse(AcceptInput(), body or {}, "acceptance")["quantity"]
    quota = _locked_quota(session, quota_id)
    top_up = top_ups.pending(session, quota_id) if quota.status in domain.TAKEN_ON_STATES else None
    if top_up is not None:
        given_back = top_ups.accept(uow, quota, top_up, wanted, datetime.now(timezone.utc))
        progress.advance(uow, quota_id)
        allocating.reallocate(uow, quota.line_id, excluded={quota.producer_id} if given_back else ())
        return views.get_quota(uow, quota_id)
    if not domain.answer_quota(quota.status, "accept"):
        return views.get_quota(uow, quota_id)
    accepted = domain.accepted_part(quota.quantity, wanted, capacity.min_lot(session, quota))
    given_back = quota.quantity - accepted
    if given_back:
        weeks = [
            (row.week_start, row.units)
            for row in session.execute(select(quota_weeks).where(quota_weeks.c.quota_id == quota_id))
        ]
        kept = domain.trim_weeks(weeks, accepted)
        capacity.hold(session, quota.producer_id, quota.offering_id, weeks, -1)
        capacity.hold(session, quota.producer_id, quota.offering_id, kept, +1)
        session.execute(quota_weeks.delete().where(quota_weeks.c.quota_id == quota_id))
        for week_start, units in kept:
            session.execute(
                quota_weeks.insert().values(
                    quota_id=quota_id,
                    producer_id=quota.producer_id,
                    offering_id=quota.offering_id,
                    week_start=week_start,
                    units=units,
                )
            )
    session.execute(
        update(quotas)
        .where(quotas.c.quota_id == quota_id)
        .values(
            status=domain.QUOTA_ACCEPTED,
            quantity=accepted,
            given_back=given_back,
            answered_at=datetime.now(timezone.utc),
        )
    )
    quota = session.execute(select(quotas).where(quotas.c.quota_id == quota_id)).one()
    uow.emit(capacity.quota_event(session, "quota.accepted", quota, declined_quantity=given_back))
    log.info(
        "quota accepted",
        extra={"correlation_id": quota.order_id, "quota_id": quota_id, "accepted": accepted, "given_back": given_back},
    )
    allocating.reallocate(uow, quota.line_id, excluded={quota.producer_id} if given_back else ())
    return views.get_quota(uow, quota_id)


def decline(uow: UnitOfWork, quota_id: str, body: dict | None = None) -> dict:
    """Decline, then offer the declined units to the other eligible producers of the line."""
    session = uow.session
    reason = load_or_refuse(DeclineInput(), body or {}, "decline")["reason"]
    quota = _locked_quota(session, quota_id)
    top_up = top_ups.pending(session, quota_id) if quota.status in domain.TAKEN_ON_STATES else None
    if top_up is not None:
        top_ups.close(uow, quota, top_up, top_ups.DECLINED, reason, datetime.now(timezone.utc))
        allocating.reallocate(uow, quota.line_id)
    elif domain.answer_quota(quota.status, "decline"):
        session.execute(
            update(quotas)
            .where(quotas.c.quota_id == quota_id)
            .values(status=domain.QUOTA_DECLINED, reason=reason, answered_at=datetime.now(timezone.utc))
        )
        capacity.release(session, quota)
        uow.emit(capacity.quota_event(session, "quota.declined", quota, reason=reason))
        log.info("quota declined", extra={"correlation_id": quota.order_id, "quota_id": quota_id})
        allocating.reallocate(uow, quota.line_id)
    return views.get_quota(uow, quota_id)


def expire(uow: UnitOfWork, now: datetime, batch: int = 50) -> int:
    """Offers whose deadline passed lapse, and their units go to other producers; the offers and top-ups that
    lapsed. All the lapsed offers of a batch lapse before any is reallocated, so that none goes to a producer whose
    own offer has lapsed too.

    Locks follow allocation's order, offerings first and then quotas: a sweep that held a quota while it waited for
    its offering would deadlock with an answer holding the offering. Several processes may sweep at once: each
    takes the lapsed offers no other has locked or answered meanwhile."""
    session = uow.session
    due = session.execute(
        select(quotas.c.quota_id, quotas.c.offering_id)
        .where(quotas.c.status == domain.QUOTA_OFFERED, quotas.c.respond_by < now)
        .order_by(quotas.c.respond_by)
        .limit(batch)
    ).all()
    due_top_ups = top_ups.lapsed(session, now, batch)
    if not due and not due_top_ups:
        return 0
    capacity.lock_offerings(session, [row.offering_id for row in due] + [row.offering_id for row in due_top_ups])
    lapsed = []
    for quota_id in sorted(row.quota_id for row in due):
        quota = session.execute(
            select(quotas)
            .where(quotas.c.quota_id == quota_id, quotas.c.status == domain.QUOTA_OFFERED)
            .with_for_update(skip_locked=True)
        ).one_or_none()
        if quota is None:
            continue
        session.execute(
            update(quotas)
            .where(quotas.c.quota_id == quota_id)
            .values(status=domain.QUOTA_EXPIRED, reason="not answered by the deadline", answered_at=now)
        )
        capacity.release(session, quota)
        uow.emit(capacity.quota_event(session, "quota.expired", quota))
        log.info("quota expired", extra={"correlation_id": quota.order_id, "quota_id": quota_id})
        lapsed.append(quota)
    lapsed_top_ups = []
    for due_top_up in sorted(due_top_ups, key=lambda row: row.top_up_id):
        quota = session.execute(
            select(quotas).where(quotas.c.quota_id == due_top_up.quota_id).with_for_update(skip_locked=True)
        ).one_or_none()
        top_up = quota and top_ups.lock_if_offered(session, due_top_up.top_up_id)
        if top_up is None:
            continue
        top_ups.close(uow, quota, top_up, top_ups.EXPIRED, "not answered by the deadline", now)
        lapsed_top_ups.append(top_up)
    for quota in lapsed + lapsed_top_ups:
        allocating.reallocate(uow, quota.line_id)
    metrics.QUOTAS_EXPIRED.labels("aggregation").inc(len(lapsed))
    return len(lapsed) + len(lapsed_top_ups)


def widen_search(uow: UnitOfWork, line_id: str, body: dict, organisation_id: str | None = None) -> dict:
    """The aggregator's one call when a line is short: accept later production (a new deadline) and, if asked,
    producers who turned the line down before; then offer what is uncovered again. With ``organisation_id``, a line
    of another organisation's offering is not found."""
    session = uow.session
    data = load_or_refuse(WidenInput(), body, "widening")
    line = session.execute(select(order_lines).where(order_lines.c.line_id == line_id)).one_or_none()
    if line is None or (
        organisation_id is not None
        and views.organisations(session, [line.offering_id]).get(line.offering_id) != organisation_id
    ):
        raise NotFound(f"order line {line_id} not found")
    capacity.lock_offerings(session, [line.offering_id])
    if line.cancelled:
        raise Conflict(f"order line {line_id} belongs to a cancelled order")
    if data["needed_by"] and data["needed_by"] < line.needed_by:
        raise InvalidInput("widening refused", {"needed_by": [f"already {line.needed_by}; widening moves it later"]})
    session.execute(
        update(order_lines)
        .where(order_lines.c.line_id == line_id)
        .values(needed_by=data["needed_by"] or line.needed_by, ask_again=data["ask_again"] or line.ask_again)
    )
    line = line_facts.order_line(session, line_id)
    uncovered = line.quantity - line_facts.covered_units(session, line_id)
    if uncovered > 0:
        allocating.offer(uow, line, uncovered, excluded=set(), reallocated=True)
        allocating.announce_allocation(uow, line.order_id)
    line = line_facts.order_line(session, line_id)
    return {
        "line_id": line_id,
        "order_id": line.order_id,
        "needed_by": line.needed_by.isoformat(),
        "ask_again": line.ask_again,
        "covered": line_facts.covered_units(session, line_id),
        "ordered": line.quantity,
        "shortfall": line.shortfall_reported,
    }


def _locked_quota(session: Session, quota_id: str):
    """The quota, locked after its offering (allocation's lock order), so answering never races an allocation."""
    row = session.execute(select(quotas).where(quotas.c.quota_id == quota_id)).one_or_none()
    if row is None:
        raise NotFound(f"quota {quota_id} not found")
    capacity.lock_offerings(session, [row.offering_id])
    return session.execute(select(quotas).where(quotas.c.quota_id == quota_id).with_for_update()).one()
