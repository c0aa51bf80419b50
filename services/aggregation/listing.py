"""What a quota and a lot look like through the API, for one or a page of them: each lookup behind them (progress,
top-ups, market requirements, inspections, photos) is made once for all the rows, not once per row."""

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from services.aggregation import domain, standards, top_ups
from services.aggregation.store import inspections, lot_photos, lots, offerings, order_lines


def _requirements(session: Session, line_ids: set) -> dict[str, dict | None]:
    """Per order line, what its destination asks of packaging, labels and certificates, as the offering says."""
    if not line_ids:
        return {}
    return {
        row.line_id: domain.market_requirements(row.markets, row.destination_country)
        for row in session.execute(
            select(order_lines.c.line_id, offerings.c.markets, order_lines.c.destination_country)
            .join(order_lines, order_lines.c.offering_id == offerings.c.offering_id)
            .where(order_lines.c.line_id.in_(line_ids))
        )
    }


def _progress(session: Session, quota_ids: list[str]) -> dict[str, tuple[int, int]]:
    """Per quota, the units reported in lots and the units passed."""
    if not quota_ids:
        return {}
    return {
        quota_id: (int(reported), int(passed))
        for quota_id, reported, passed in session.execute(
            select(
                lots.c.quota_id,
                func.sum(lots.c.quantity),
                func.sum(case((lots.c.status == domain.LOT_PASSED, lots.c.quantity), else_=0)),
            )
            .where(lots.c.quota_id.in_(quota_ids))
            .group_by(lots.c.quota_id)
        )
    }


def quota_views(session: Session, rows, by_offering: dict) -> list[dict]:
    """Quotas with their progress: units reported in lots and left to report, units passed, a top-up waiting for
    her answer, and what the order's market asks of the goods; each with its offering's organisation
    (``by_offering``)."""
    progress = _progress(session, [row.quota_id for row in rows])
    pending = top_ups.views(session, [row.quota_id for row in rows if row.status in domain.TAKEN_ON_STATES])
    requirements = _requirements(session, {row.line_id for row in rows})
    views = []
    for row in rows:
        reported, passed = progress.get(row.quota_id, (0, 0))
        views.append(
            {
                "id": row.quota_id,
                "ref": row.ref,
                "organisation_id": by_offering.get(row.offering_id),
                "order_id": row.order_id,
                "line_id": row.line_id,
                "offering_id": row.offering_id,
                "producer_id": row.producer_id,
                "quantity": row.quantity,
                "offered_quantity": row.offered_quantity,
                "status": row.status,
                "reason": row.reason,
                "reallocated": row.reallocated,
                "offered_at": row.offered_at.isoformat(),
                "respond_by": row.respond_by.isoformat(),
                "answered_at": row.answered_at.isoformat() if row.answered_at else None,
                "reported": reported,
                "passed": passed,
                "left_to_report": max(0, row.quantity - reported) if row.status in domain.WORKING_STATES else 0,
                "finished": row.status in domain.FINISHED_STATES,
                "top_up": pending.get(row.quota_id),
                "requirements": requirements.get(row.line_id),
            }
        )
    return views


def _plan_view(plans: dict) -> list:
    return [
        {
            "defect_class": name,
            "aql": float(plan.aql),
            "code_letter": plan.code_letter,
            "plan_letter": plan.plan_letter,
            "sample_size": plan.sample_size,
            "accept": plan.accept,
            "reject": plan.reject,
            "severity": plan.severity,
            "full_inspection": plan.full_inspection,
        }
        for name, plan in plans.items()
    ]


def lot_views(session: Session, rows, by_offering: dict) -> list[dict]:
    """Lots with their inspections, their photos counted, and the plan the next inspection goes by for those that
    wait; each with its offering's organisation (``by_offering``)."""
    ids = [row.lot_id for row in rows]
    inspected: dict[str, list] = {}
    photos: dict[str, int] = {}
    if ids:
        for i in session.execute(
            select(inspections)
            .where(inspections.c.lot_id.in_(ids))
            .order_by(inspections.c.lot_id, inspections.c.attempt)
        ):
            inspected.setdefault(i.lot_id, []).append(
                {
                    "attempt": i.attempt,
                    "inspector": i.inspector,
                    "severity": i.severity,
                    "classes": i.classes,
                    "findings": i.findings,
                    "passed": i.passed,
                    "inspected_at": i.inspected_at.isoformat(),
                }
            )
        photos = dict(
            session.execute(
                select(lot_photos.c.lot_id, func.count())
                .where(lot_photos.c.lot_id.in_(ids))
                .group_by(lot_photos.c.lot_id)
            ).all()
        )
    return [
        {
            "id": row.lot_id,
            "organisation_id": by_offering.get(row.offering_id),
            "quota_id": row.quota_id,
            "order_id": row.order_id,
            "line_id": row.line_id,
            "offering_id": row.offering_id,
            "producer_id": row.producer_id,
            "quantity": row.quantity,
            "status": row.status,
            "attempt": row.attempt,
            "reported_at": row.reported_at.isoformat(),
            "disposition_reason": row.disposition_reason,
            "photos": int(photos.get(row.lot_id, 0)),
            "plan": _plan_view(standards.plans(session, row)) if row.status == domain.LOT_REPORTED else None,
            "inspections": inspected.get(row.lot_id, []),
        }
        for row in rows
    ]
