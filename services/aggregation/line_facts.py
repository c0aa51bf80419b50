"""What aggregation knows of an order line: the line, its offering's facts, the quotas that cover it, who holds
them, who turned it down and what is still open. Reads only, shared by allocating and the quota lifecycle."""

from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.aggregation import domain, standards, top_ups
from services.aggregation.store import lots, offerings, order_lines, piece_rates, quotas


def order_line(session: Session, line_id: str):
    return session.execute(select(order_lines).where(order_lines.c.line_id == line_id)).one()


def covered_units(session: Session, line_id: str) -> int:
    """Units the line's open quotas will make: a replaced lot stays on its accepted quota but covers nothing."""
    replaced = int(
        session.execute(
            select(func.coalesce(func.sum(lots.c.quantity), 0)).where(
                lots.c.line_id == line_id, lots.c.status == domain.LOT_REPLACED
            )
        ).scalar_one()
    )
    return open_units(session, line_id) - replaced


def offering_facts(session: Session, offering_id: str) -> tuple[dict, dict, int]:
    """What allocation weighs besides free capacity: the producers' pass rates, the offering's standard and its
    smallest worthwhile quota."""
    min_quota = session.execute(
        select(offerings.c.min_quota).where(offerings.c.offering_id == offering_id)
    ).scalar_one()
    return standards.pass_rates(session, offering_id), standards.standard(session, offering_id), min_quota


def unit_costs(session: Session, offering_id: str) -> tuple[Decimal, dict[str, Decimal]]:
    """What a unit of the offering costs the organisation: each producer's piece rate, and the offering's producer
    price for anyone without one."""
    price = session.execute(
        select(offerings.c.producer_price).where(offerings.c.offering_id == offering_id)
    ).scalar_one()
    rates = session.execute(
        select(piece_rates.c.producer_id, piece_rates.c.rate).where(piece_rates.c.offering_id == offering_id)
    ).all()
    return Decimal(price), {producer_id: Decimal(rate) for producer_id, rate in rates}


def holders(session: Session, line_id: str) -> dict:
    """The producers holding a quota of the line that counts towards it, with that quota: they get no second one."""
    return {
        row.producer_id: row
        for row in session.execute(
            select(quotas)
            .where(quotas.c.line_id == line_id, quotas.c.status.in_(domain.COVERING_STATES))
            .order_by(quotas.c.quota_id)
        )
    }


def turned_down(session: Session, line_id: str) -> set:
    return set(
        session.execute(
            select(quotas.c.producer_id).where(
                quotas.c.line_id == line_id, quotas.c.status.in_(domain.TURNED_DOWN_STATES)
            )
        ).scalars()
    )


def open_units(session: Session, line_id: str) -> int:
    """Units of the line's quotas, with the top-ups waiting for an answer."""
    return int(
        session.execute(
            select(func.coalesce(func.sum(quotas.c.quantity), 0)).where(
                quotas.c.line_id == line_id, quotas.c.status.in_(domain.COVERING_STATES)
            )
        ).scalar_one()
    ) + top_ups.pending_units(session, line_id)
