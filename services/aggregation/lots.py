"""Lots: a producer reports a finished lot against her accepted quota, an inspector of the offering's organisation
inspects it by ISO 2859-1 (moving her switching state), and a rejected lot is reworked or made again by others."""

import base64
import logging
from datetime import datetime, timezone

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from services.aggregation import allocating, capacity, domain, progress, quality, standards, views
from services.aggregation.schemas import DispositionInput, InspectionInput, LotInput
from services.aggregation.store import inspections, lot_photos, lots, offerings, quotas
from shared.errors import Conflict, InvalidInput, NotFound, load_or_refuse
from shared.events import new_event
from shared.ids import new_id
from shared.store import UnitOfWork

log = logging.getLogger(__name__)


def report_lot(uow: UnitOfWork, quota_id: str, body: dict) -> dict:
    """A producer's finished lot against an accepted quota; it waits for an inspector. A repeat with the same
    ``client_ref`` answers the lot already reported."""
    session = uow.session
    data = load_or_refuse(LotInput(), body, "lot")
    quota = session.execute(select(quotas).where(quotas.c.quota_id == quota_id).with_for_update()).one_or_none()
    if quota is None:
        raise NotFound(f"quota {quota_id} not found")
    if data["client_ref"]:
        repeated = session.execute(
            select(lots.c.lot_id).where(lots.c.quota_id == quota_id, lots.c.client_ref == data["client_ref"])
        ).scalar()
        if repeated:
            return views.get_lot(uow, repeated)
    reported = session.execute(
        select(func.coalesce(func.sum(lots.c.quantity), 0)).where(lots.c.quota_id == quota_id)
    ).scalar_one()
    domain.check_lot(quota.status, quota.quantity, int(reported), data["quantity"])
    lot = dict(
        lot_id=new_id("lot"),
        quota_id=quota_id,
        order_id=quota.order_id,
        line_id=quota.line_id,
        offering_id=quota.offering_id,
        producer_id=quota.producer_id,
        quantity=data["quantity"],
    )
    session.execute(
        lots.insert().values(
            **lot,
            status=domain.LOT_REPORTED,
            attempt=1,
            client_ref=data["client_ref"],
            reported_at=datetime.now(timezone.utc),
        )
    )
    for position, photo in enumerate(data["photos"]):
        session.execute(
            lot_photos.insert().values(
                lot_id=lot["lot_id"],
                position=position,
                content_type=photo["content_type"],
                data=base64.b64decode(photo["data"]),
            )
        )
    uow.emit(new_event("lot.reported", lot, correlation_id=quota.order_id))
    progress.advance(uow, quota_id)
    log.info(
        "lot reported", extra={"correlation_id": quota.order_id, "lot_id": lot["lot_id"], "quantity": data["quantity"]}
    )
    return views.get_lot(uow, lot["lot_id"])


def record_inspection(uow: UnitOfWork, lot_id: str, body: dict) -> dict:
    """The inspector's findings decide the lot by its plans; an original inspection also moves the producer's
    switching state (normal, tightened, reduced) for the offering."""
    session = uow.session
    data = load_or_refuse(InspectionInput(), body, "inspection")
    lot = _locked_lot(session, lot_id)
    organisation = session.execute(
        select(offerings.c.organisation_id).where(offerings.c.offering_id == lot.offering_id)
    ).scalar_one()
    if data["organisation_id"] != organisation:
        raise Conflict(f"lot {lot_id} belongs to another organisation; its own inspectors inspect it")
    if lot.status != domain.LOT_REPORTED:
        raise Conflict(f"lot {lot_id} is {lot.status}; only a reported lot is inspected")
    plans = standards.plans(session, lot)
    defects = domain.defects_by_class(data["findings"], plans)
    try:
        decision = quality.decide_lot(plans, defects)
    except ValueError as error:
        raise InvalidInput("inspection refused", {"findings": [str(error)]}) from None
    now = datetime.now(timezone.utc)
    standard = standards.standard(session, lot.offering_id)
    if lot.attempt == 1:
        state = standards.switching_state(session, lot.producer_id, lot.offering_id)
        if state.severity == decision.severity:
            standards.save_switching_state(
                session,
                lot.producer_id,
                lot.offering_id,
                quality.record(
                    state,
                    decision.lot_result(lot_id),
                    production_steady=True,
                    reduced_approved=bool(standard.get("reduced_inspection")),
                ),
            )
    classes = [
        {
            "defect_class": v.defect_class,
            "aql": float(v.plan.aql),
            "code_letter": v.plan.code_letter,
            "sample_size": v.plan.sample_size,
            "accept": v.plan.accept,
            "reject": v.plan.reject,
            "defects": v.defects,
        }
        for v in decision.verdicts
    ]
    session.execute(
        inspections.insert().values(
            lot_id=lot_id,
            attempt=lot.attempt,
            producer_id=lot.producer_id,
            offering_id=lot.offering_id,
            inspector=data["inspector"],
            severity=decision.severity,
            classes=classes,
            findings=data["findings"],
            passed=decision.accepted,
            inspected_at=now,
        )
    )
    session.execute(
        update(lots)
        .where(lots.c.lot_id == lot_id)
        .values(status=domain.LOT_PASSED if decision.accepted else domain.LOT_FAILED, decided_at=now)
    )
    uow.emit(
        new_event(
            "lot.inspected",
            {
                **_lot_payload(lot),
                "attempt": lot.attempt,
                "severity": decision.severity,
                "classes": classes,
                "passed": decision.accepted,
            },
            correlation_id=lot.order_id,
        )
    )
    log.info(
        "lot inspected",
        extra={
            "correlation_id": lot.order_id,
            "lot_id": lot_id,
            "passed": decision.accepted,
            "verdict": decision.reason,
        },
    )
    if not decision.accepted and standard["rejected_lot_action"] != "ask":
        action = standard["rejected_lot_action"]
        _dispose(uow, lot_id, action, f"the offering's standard says {action}")
    progress.advance(uow, lot.quota_id)
    return views.get_lot(uow, lot_id)


def decide_rejected_lot(uow: UnitOfWork, lot_id: str, body: dict) -> dict:
    """The aggregator's choice for a rejected lot: rework (fixed, then inspected again, tightened) or replace (made
    again by others)."""
    data = load_or_refuse(DispositionInput(), body, "decision")
    _dispose(uow, lot_id, data["action"], data["reason"])
    return views.get_lot(uow, lot_id)


def resubmit_lot(uow: UnitOfWork, lot_id: str) -> dict:
    """The producer fixed a lot sent back for rework: it waits for its next inspection."""
    lot = _locked_lot(uow.session, lot_id)
    if lot.status != domain.LOT_REWORK:
        raise Conflict(f"lot {lot_id} is {lot.status}; only a lot sent back for rework is resubmitted")
    uow.session.execute(
        update(lots).where(lots.c.lot_id == lot_id).values(status=domain.LOT_REPORTED, attempt=lot.attempt + 1)
    )
    return views.get_lot(uow, lot_id)


def _dispose(uow: UnitOfWork, lot_id: str, action: str, reason: str) -> None:
    session = uow.session
    lot = _locked_lot(session, lot_id)
    if lot.status != domain.LOT_FAILED:
        raise Conflict(f"lot {lot_id} is {lot.status}; only a rejected lot is reworked or replaced")
    if action == "rework":
        session.execute(
            update(lots).where(lots.c.lot_id == lot_id).values(status=domain.LOT_REWORK, disposition_reason=reason)
        )
        uow.emit(
            new_event("lot.rework_requested", {**_lot_payload(lot), "reason": reason}, correlation_id=lot.order_id)
        )
        return
    capacity.lock_offerings(session, [lot.offering_id])
    session.execute(
        update(lots).where(lots.c.lot_id == lot_id).values(status=domain.LOT_REPLACED, disposition_reason=reason)
    )
    uow.emit(new_event("lot.replaced", {**_lot_payload(lot), "reason": reason}, correlation_id=lot.order_id))
    log.info("lot replaced", extra={"correlation_id": lot.order_id, "lot_id": lot_id, "quantity": lot.quantity})
    progress.advance(uow, lot.quota_id)
    allocating.reallocate(uow, lot.line_id, excluded={lot.producer_id})


def _locked_lot(session: Session, lot_id: str):
    lot = session.execute(select(lots).where(lots.c.lot_id == lot_id).with_for_update()).one_or_none()
    if lot is None:
        raise NotFound(f"lot {lot_id} not found")
    return lot


def _lot_payload(lot) -> dict:
    return {
        key: getattr(lot, key)
        for key in ("lot_id", "quota_id", "order_id", "line_id", "offering_id", "producer_id", "quantity")
    }
