"""What inspection goes by, as this service keeps it: each offering's quality standard (from the catalogue), each
producer's switching state for an offering (normal, tightened, reduced) and her first-time pass rate, and the plans a
lot is inspected by. Read by allocation (pass rates), lots (plans, switching) and the read views."""

from dataclasses import asdict
from datetime import datetime, timezone

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from services.aggregation import domain, quality
from services.aggregation.store import inspections, offerings, switching_states
from shared.store import upsert


def standard(session: Session, offering_id: str) -> dict:
    return session.execute(
        select(offerings.c.quality_standard).where(offerings.c.offering_id == offering_id)
    ).scalar_one()


def switching_state(session: Session, producer_id: str, offering_id: str) -> quality.SwitchingState:
    row = session.execute(
        select(switching_states.c.state).where(
            switching_states.c.producer_id == producer_id, switching_states.c.offering_id == offering_id
        )
    ).scalar()
    if row is None:
        return quality.SwitchingState()
    return quality.SwitchingState(
        severity=row["severity"],
        switching_score=row["switching_score"],
        recent_on_normal=tuple(row["recent_on_normal"]),
        accepted_in_a_row_on_tightened=row["accepted_in_a_row_on_tightened"],
        not_accepted_on_tightened=row["not_accepted_on_tightened"],
        history=tuple(quality.SwitchRecord(**line) for line in row["history"]),
    )


def save_switching_state(session: Session, producer_id: str, offering_id: str, state: quality.SwitchingState) -> None:
    upsert(
        session,
        switching_states,
        {"producer_id": producer_id, "offering_id": offering_id},
        {
            "state": {
                **{
                    key: getattr(state, key)
                    for key in (
                        "severity",
                        "switching_score",
                        "accepted_in_a_row_on_tightened",
                        "not_accepted_on_tightened",
                    )
                },
                "recent_on_normal": list(state.recent_on_normal),
                "history": [asdict(line) for line in state.history],
            },
            "updated_at": datetime.now(timezone.utc),
        },
    )


def plans(session: Session, lot) -> dict:
    """The plans of the lot's next inspection, at the producer's current severity (``domain.inspection_severity``)."""
    severity = switching_state(session, lot.producer_id, lot.offering_id).severity
    return domain.lot_plans(
        lot.quantity, standard(session, lot.offering_id), domain.inspection_severity(severity, lot.attempt)
    )


def pass_rates(session: Session, offering_id: str, producer_ids=None) -> dict:
    """Share of a producer's lots of this offering that passed their first inspection."""
    query = (
        select(inspections.c.producer_id, func.count(), func.sum(case((inspections.c.passed, 1), else_=0)))
        .where(inspections.c.offering_id == offering_id, inspections.c.attempt == 1)
        .group_by(inspections.c.producer_id)
    )
    if producer_ids is not None:
        query = query.where(inspections.c.producer_id.in_(producer_ids))
    return {producer_id: int(passed) / total for producer_id, total, passed in session.execute(query)}
