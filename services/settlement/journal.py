"""Writing and reading the journal: entries appended once per cause, balances derived from them, what is left to
recover of advances and to settle of earnings."""

from datetime import datetime, timezone
from decimal import Decimal

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from services.settlement import domain
from services.settlement.store import advances, journal, quotas, settlements
from shared.store import UnitOfWork, insert_new

SYSTEM = "platform"


def append(session: Session, cause: str, **values) -> int | None:
    """Append an entry unless one with the same cause exists; the new entry's id, or None when it was already there.
    ``recorded_at`` is now unless given (an earning is dated when its lot passed)."""
    values.setdefault("recorded_at", datetime.now(timezone.utc))
    values.setdefault("recorded_by", SYSTEM)
    if not insert_new(session, journal, {"cause": cause, **values}):
        return None
    return session.execute(select(journal.c.entry_id).where(journal.c.cause == cause)).scalar_one()


def totals(session: Session, producer_id: str, currency: str, before: datetime | None = None) -> domain.Totals:
    """Her totals in one currency, from every entry (or every entry recorded before ``before``)."""
    conditions = [journal.c.producer_id == producer_id, journal.c.currency == currency]
    if before is not None:
        conditions.append(journal.c.recorded_at < before)
    rows = session.execute(
        select(journal.c.kind, func.sum(journal.c.amount)).where(*conditions).group_by(journal.c.kind)
    ).all()
    return domain.totals(domain.Entry(kind, Decimal(amount)) for kind, amount in rows)


def balances(session: Session, organisation_id: str, currency: str) -> dict[str, Decimal]:
    """Every producer's balance in one currency, in one query: what a payout batch is drafted from."""
    effect = sum_effect()
    rows = session.execute(
        select(journal.c.producer_id, effect)
        .where(journal.c.organisation_id == organisation_id, journal.c.currency == currency)
        .group_by(journal.c.producer_id)
    ).all()
    return {producer_id: Decimal(amount) for producer_id, amount in rows}


def sum_effect(source=journal):
    """SUM of each entry's effect on the balance (``domain.BALANCE_EFFECT``), as a column expression over the journal
    or a selection of its rows (``source`` with ``kind`` and ``amount`` columns)."""
    return func.coalesce(
        func.sum(
            case(
                *[
                    (source.c.kind == kind, source.c.amount * sign)
                    for kind, sign in domain.BALANCE_EFFECT.items()
                    if sign
                ],
                else_=0,
            )
        ),
        0,
    )


def _recovered_by_advance(advance_ids: list[str]):
    return (
        select(journal.c.advance_id, func.sum(journal.c.amount).label("amount"))
        .where(journal.c.advance_id.in_(advance_ids), journal.c.kind.in_((domain.RECOVERY, domain.WRITE_OFF)))
        .group_by(journal.c.advance_id)
    )


def owed_advances(session: Session, conditions: list) -> list[domain.Owed]:
    """What is left to recover of the advances matching ``conditions``, oldest first (only those with something
    left)."""
    rows = session.execute(
        select(advances.c.advance_id, advances.c.amount)
        .where(*conditions)
        .order_by(advances.c.recorded_at, advances.c.advance_id)
    ).all()
    if not rows:
        return []
    back = {
        advance_id: Decimal(amount)
        for advance_id, amount in session.execute(_recovered_by_advance([r[0] for r in rows]))
    }
    owed = [domain.Owed(advance_id, Decimal(amount) - back.get(advance_id, Decimal(0))) for advance_id, amount in rows]
    return [item for item in owed if item.amount > 0]


def left_by_closed_quotas(session: Session, producer_id: str, currency: str) -> list[domain.Owed]:
    """Advances that quotas no longer open left unrecovered: her later earnings pay them back."""
    closed = select(quotas.c.quota_id).where(
        quotas.c.producer_id == producer_id, quotas.c.status.not_in(domain.OPEN_QUOTA)
    )
    return owed_advances(
        session,
        [advances.c.producer_id == producer_id, advances.c.currency == currency, advances.c.quota_id.in_(closed)],
    )


def unsettled_earnings(session: Session, producer_id: str, currency: str) -> list[domain.Unsettled]:
    """Her earnings (and upward corrections) not yet wholly settled by recoveries and payments, oldest first."""
    settled = (
        select(settlements.c.earning_entry_id, func.sum(settlements.c.amount).label("amount"))
        .group_by(settlements.c.earning_entry_id)
        .subquery()
    )
    rows = session.execute(
        select(journal.c.entry_id, journal.c.amount - func.coalesce(settled.c.amount, 0))
        .select_from(journal.outerjoin(settled, settled.c.earning_entry_id == journal.c.entry_id))
        .where(
            journal.c.producer_id == producer_id,
            journal.c.currency == currency,
            journal.c.kind.in_((domain.EARNING, domain.CORRECTION)),
            journal.c.amount > 0,
        )
        .order_by(journal.c.entry_id)
    ).all()
    return [domain.Unsettled(entry_id, Decimal(left)) for entry_id, left in rows if Decimal(left) > 0]


def record_settlement(session: Session, settling_entry_id: int, parts: list[domain.Unsettled]) -> None:
    if parts:
        session.execute(
            settlements.insert(),
            [
                {"earning_entry_id": part.entry_id, "settling_entry_id": settling_entry_id, "amount": part.amount}
                for part in parts
            ],
        )


def lots_settled_by(session: Session, settling_entry_id: int) -> list[str]:
    """The lots whose earnings one entry settled, in the order they were earned."""
    earning = journal.alias("earning")
    return list(
        session.execute(
            select(earning.c.lot_id)
            .join(settlements, and_(settlements.c.earning_entry_id == earning.c.entry_id))
            .where(settlements.c.settling_entry_id == settling_entry_id, earning.c.lot_id.is_not(None))
            .order_by(earning.c.entry_id)
        ).scalars()
    )


def balance_of(uow: UnitOfWork, producer_id: str, currency: str) -> Decimal:
    return totals(uow.session, producer_id, currency).balance
